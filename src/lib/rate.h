/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Rates: two snapshots over the real time between them. */
#ifndef XDPCOUNT_RATE_H
#define XDPCOUNT_RATE_H

#include "snapshot.h"

struct xc_rate {
	double pps; /* packets per second */
	double bps; /* bits per second */
};

/* Every core counter's rate, and the seconds they were measured over. */
struct xc_rates {
	double seconds;
	struct xc_rate total, malformed, vlan;
	struct xc_rate l3[XC_L3_MAX];
	struct xc_rate l4[XC_L4_MAX];
	struct xc_rate sizes[XC_SIZE_BUCKETS];
};

/* Seconds from prev to cur by their CLOCK_MONOTONIC stamps; 0 if cur is not later. */
double xc_snapshot_seconds(const struct xc_snapshot *prev,
			   const struct xc_snapshot *cur);
/* One counter's rate over secs; zero when secs <= 0 or the counter went back. */
struct xc_rate xc_rate_pb(const struct xc_pb *prev, const struct xc_pb *cur,
			  double secs);
void xc_counters_rates(const struct xc_counters *prev,
		       const struct xc_counters *cur, double secs,
		       struct xc_rates *r);
/* The totals' rates from prev to cur, over the real time between them. */
void xc_snapshot_rates(const struct xc_snapshot *prev,
		       const struct xc_snapshot *cur, struct xc_rates *r);
/*
 * Each top-list entry's rate from prev to cur: sources[i] is cur->sources[i]'s,
 * and so on; an entry prev lacks is new since, its rate all of its counts.
 */
struct xc_entry_rates {
	struct xc_rate *sources, *ports, *flows;
};

int xc_entry_rates(const struct xc_snapshot *prev, const struct xc_snapshot *cur,
		   struct xc_entry_rates *er);
void xc_entry_rates_free(struct xc_entry_rates *er);

/* One interface's counters in a snapshot, or NULL when it has none. */
const struct xc_counters *xc_snapshot_iface(const struct xc_snapshot *s,
					    __u32 ifindex);

#endif /* XDPCOUNT_RATE_H */
