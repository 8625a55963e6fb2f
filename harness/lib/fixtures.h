/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The fixtures in pcaps/ and their expected counts: pcaps/NAME.expect.json,
 * written by gen.py from the packets it built, never by the code under test.
 */
#ifndef XDPCOUNT_FIXTURES_H
#define XDPCOUNT_FIXTURES_H

#include <stdbool.h>
#include <stddef.h>
#include "libxdpcount.h"

/* The fixtures whose frames are their own: X(name, capture file in pcaps/). */
#define XT_OWN_FRAMES(X)                        \
	X(l3_classes, "l3_classes.pcap")        \
	X(ipv4_edge, "ipv4_edge.pcap")          \
	X(ipv6_ext, "ipv6_ext.pcap")            \
	X(fragments, "fragments.pcap")          \
	X(vlan, "vlan.pcap")                    \
	X(sizes, "sizes.pcap")                  \
	X(short_frames, "short_frames.pcap")    \
	X(snaplen, "snaplen.pcap")              \
	X(bad_lengths, "bad_lengths.pcap")      \
	X(two_ifaces, "two_ifaces.pcapng")      \
	X(mix, "mix.pcap")                      \
	X(many_sources, "many_sources.pcap")

/* The fixtures that hold the first frames of mix again, or none (empty). */
#define XT_MIX_FRAMES(X)                        \
	X(truncated, "truncated.pcap")          \
	X(mix_pcapng, "mix.pcapng")             \
	X(mix_nsec, "mix_nsec.pcap")            \
	X(mix_be, "mix_be.pcap")                \
	X(empty, "empty.pcap")

/* Counted whole only: frames beyond one test run, or a damaged record after good ones. */
#define XT_WHOLE_ONLY(X)                        \
	X(big_frames, "big_frames.pcap")        \
	X(damaged, "damaged.pcap")              \
	X(damaged_pcapng, "damaged.pcapng")

/* Every fixture with an expect file. */
#define XT_FIXTURES(X) XT_OWN_FRAMES(X) XT_MIX_FRAMES(X) XT_WHOLE_ONLY(X)

/* X(name, file) as a string: { XT_FIXTURES(XT_NAME_OF) } lists the names. */
#define XT_NAME_OF(name, file) #name,
#define XT_MIX_COPIES { XT_MIX_FRAMES(XT_NAME_OF) }

/* One record of a capture as gen.py declared it. */
struct xt_case {
	unsigned long frame; /* 0-based record index */
	char *description;
	size_t len;          /* bytes as captured */
	unsigned long wire_len; /* the record's original length, true or not */
	unsigned long bytes; /* what it counts: wire_len, or len when that cannot be true */
	bool bad_length;
	bool skipped;        /* shorter than XC_MIN_FRAME: never run */
	int l3;              /* enum xc_l3; -1 when skipped */
	int l4;              /* enum xc_l4; -1 when not in l4 */
	bool malformed;
	bool vlan;
	long l3_offset;      /* where gen.py built the network-layer header; -1: unknown */
	long l4_offset;      /* where it built the upper-layer header; -1: not IP */
	bool port;           /* counted in the ports table */
	bool flow;           /* counted in the flows table */
};

struct xt_expect {
	const char *name;
	char path[512];      /* the capture */
	unsigned long frames;
	unsigned long skipped;
	unsigned long snapped;   /* captured below the wire length */
	unsigned long bad_length;
	bool truncated;      /* counts stop at a bad record... */
	bool damaged;        /* ...that is damaged, not cut short */
	long long first_ns, last_ns; /* record times; -1: no records */
	struct xc_counters c; /* no_l4 is total - sum(l4), by definition */
	long size_le[XC_SIZE_BUCKETS]; /* each bucket's upper bound; -1: open */
	struct xc_source *sources;
	size_t n_sources;
	struct xc_port *ports;
	size_t n_ports;
	struct xc_flow *flows; /* val.packets and val.bytes; no timestamps */
	size_t n_flows;
	struct xt_case *cases;
	size_t n_cases;
};

/* Load pcaps/NAME.expect.json for the capture pcaps/FILE; aborts the test on error. */
void xt_expect_load(struct xt_expect *exp, const char *name, const char *file);
void xt_expect_free(struct xt_expect *exp);

/* Add the core counters one case declares to c (its size bucket from exp->size_le). */
void xt_case_count(const struct xt_expect *exp, const struct xt_case *k,
		   struct xc_counters *c);

#endif /* XDPCOUNT_FIXTURES_H */
