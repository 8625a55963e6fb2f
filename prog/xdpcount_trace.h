/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The ABI of the tracing programs (xdpcount_drops.bpf.c, xdpcount_observe.bpf.c):
 * kernel drop reasons per counted interface and class, and the inputs and
 * verdicts of an XDP program that xdpcount observes but does not own.
 */
#ifndef XDPCOUNT_TRACE_H
#define XDPCOUNT_TRACE_H

#include "xdpcount.h"

/* Headers copied out of a dropped skb or an observed frame for parse.h. */
#define XC_TRACE_COPY 256

/* Interfaces the drop tracer counts for: ifindex and network namespace. */
#define XC_DROP_TARGETS 64
#define XC_DROP_ENTRIES 4096

/* One counted interface: ifindexes repeat across namespaces, inums do not. */
struct xc_drop_target {
	__u32 ifindex;
	__u32 netns; /* inode number of its network namespace */
};

/* One counter of the drop tracer: a target, a reason, a class. */
struct xc_drop_key {
	__u32 target; /* index of the target in the order it was added */
	__u32 reason; /* enum skb_drop_reason as the kernel gave it */
	__u8 l3;      /* enum xc_l3 of the dropped packet */
	__u8 l4;      /* enum xc_l4, or XC_L4_MAX when not in l4 */
	__u8 pad[2];
};

/* XDP actions as the kernel numbers them; anything above is "other". */
enum xc_verdict {
	XC_V_ABORTED,
	XC_V_DROP,
	XC_V_PASS,
	XC_V_TX,
	XC_V_REDIRECT,
	XC_V_OTHER,
	XC_V_MAX,
};

/* What an observed XDP program saw on one interface, and what it did. */
struct xc_observe_stats {
	struct xc_counters in; /* every frame it received, by the contract */
	struct xc_pb verdicts[XC_V_MAX][XC_L3_MAX][XC_L4_MAX + 1];
};

#endif /* XDPCOUNT_TRACE_H */
