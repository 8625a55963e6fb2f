/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Probes: what one frame counted. A probe runs one frame through the loaded
 * program and reports what moved in the maps, then takes out of the keyed
 * tables what the frame put there, so probes run back to back cost a few
 * syscalls each instead of a reset. For tests, fuzzing and debugging.
 */
#ifndef XDPCOUNT_PROBE_H
#define XDPCOUNT_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "counter.h"

struct xc_probe {
	__u32 retval;              /* the XDP action */
	size_t out_len;            /* bytes of the frame as the program left it */
	struct xc_counters delta;  /* what the frame added to the core counters */
	bool source;               /* it created a source entry: src */
	struct xc_addr src;
	bool flow;                 /* it created a flow entry: flow_key */
	struct xc_flow_key flow_key;
	bool port;                 /* it counted the flow's (proto, dport) port entry */
};

/*
 * Probe one frame (at least XC_MIN_FRAME bytes) on the calling CPU; out
 * (out_cap bytes, optional) gets the frame as the program left it. The
 * sources and flows tables must be empty and the ports table zero (as after
 * xc_counter_reset, or the previous probe); they are again afterwards. Load
 * with small sources and flows tables (16 entries): finding the one key a
 * frame made walks every bucket. Without XC_F_IFACES a probe costs about ten
 * syscalls. A port is only seen through the flow it belongs to: it needs
 * XC_F_FLOWS. Returns 0 or a negative errno.
 */
int xc_counter_probe(struct xc_counter *xc, const void *frame, size_t len,
		     void *out, size_t out_cap, struct xc_probe *p);

#endif /* XDPCOUNT_PROBE_H */
