/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Probes: what one frame counted. A probe runs one frame through the loaded
 * program and reports what moved in the maps, then takes out of the flow
 * cache the entry the frame made, so probes run back to back cost a few
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
	bool source;               /* it counts for its source address: src */
	struct xc_addr src;
	bool flow;                 /* it counts in a flow: flow_key */
	struct xc_flow_key flow_key;
	bool port;                 /* it counts for the flow's (proto, dport) */
};

/*
 * Probe one frame (at least XC_MIN_FRAME bytes) on the calling CPU; out
 * (out_cap bytes, optional) gets the frame as the program left it. The flow
 * cache must be empty (as after xc_counter_reset, or the previous probe); it
 * is again afterwards. Load with a small cache (8 entries): finding the entry
 * a frame made reads every set. Without XC_F_IFACES a probe costs about ten
 * syscalls. Returns 0, -EEXIST when the cache was not empty, or a negative
 * errno.
 */
int xc_counter_probe(struct xc_counter *xc, const void *frame, size_t len,
		     void *out, size_t out_cap, struct xc_probe *p);

#endif /* XDPCOUNT_PROBE_H */
