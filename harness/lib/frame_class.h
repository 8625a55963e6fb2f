/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A frame's class by the counting contract, from three sides: what the
 * program counted (a probe), what the user-space build of the parser says,
 * and what a test derives from gen.py's declarations. Shared by the
 * differential and truncation tests and by build/xdpcount-diff, so it uses
 * no Criterion.
 */
#ifndef XDPCOUNT_FRAME_CLASS_H
#define XDPCOUNT_FRAME_CLASS_H

#include <stdbool.h>
#include <stddef.h>
#include "libxdpcount.h"
#include "parse.h"

struct xt_class {
	int l3;         /* enum xc_l3 */
	int l4;         /* enum xc_l4; -1: not counted in l4 */
	bool malformed;
	bool vlan;
	bool source;    /* counted in the sources table */
	bool port;      /* counted in the ports table */
	bool flow;      /* counted in the flows table */
};

/*
 * The class a probe of a len-byte frame shows. False, with the reason in why,
 * when the counters did not move as one frame moves them: total, one l3, one
 * l4 or no_l4, one size bucket, each by one packet of len bytes.
 */
bool xt_class_of_probe(const struct xc_probe *p, size_t len, struct xt_class *c,
		       char *why, size_t why_len);

/* The class xc_parse gives (features: the XC_F_* the program was loaded with). */
void xt_class_of_pkt(const struct xc_pkt *pkt, __u32 features, struct xt_class *c);

bool xt_class_eq(const struct xt_class *a, const struct xt_class *b);

/* "ipv4/udp vlan source port flow", "ipv6 malformed", "other". */
const char *xt_class_str(const struct xt_class *c, char *buf, size_t len);

/*
 * Whether the probe's table entries are the ones xc_parse's result names:
 * the source address, the flow's 5-tuple. False, with the reason in why.
 */
bool xt_probe_keys_match(const struct xc_probe *p, const struct xc_pkt *pkt,
			 char *why, size_t why_len);

/* How probes load the program: the tables a class shows, each small. */
void xt_probe_config(struct xc_config *cfg);

/*
 * BPF_PROG_TEST_RUN puts this much of a frame in its first buffer (a page less
 * the XDP headroom and skb_shared_info) and the rest in fragments, which the
 * parser does not read: it classifies what is between data and data_end.
 */
#define XT_TEST_RUN_LINEAR (4096 - 256 - 320)

/*
 * The differential check: probe one frame through the loaded program (see
 * xc_counter_probe for how xc must be loaded) and parse the part the program
 * sees with the user-space build. 0: same class and keys; 1: they differ
 * (why says how); negative errno: the probe failed.
 */
int xt_diff_frame(struct xc_counter *xc, const __u8 *frame, size_t len,
		  char *why, size_t why_len);

#endif /* XDPCOUNT_FRAME_CLASS_H */
