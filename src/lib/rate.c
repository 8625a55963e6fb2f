// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Rates from two snapshots, over the real time between them. */
#include <string.h>
#include "rate.h"

double xc_snapshot_seconds(const struct xc_snapshot *prev,
			   const struct xc_snapshot *cur)
{
	if (cur->mono_ns <= prev->mono_ns)
		return 0;
	return (double)(cur->mono_ns - prev->mono_ns) / 1e9;
}

struct xc_rate xc_rate_pb(const struct xc_pb *prev, const struct xc_pb *cur,
			  double secs)
{
	struct xc_rate r = { 0, 0 };

	/* A counter that went back was reset: no rate rather than a huge one. */
	if (secs <= 0 || cur->packets < prev->packets || cur->bytes < prev->bytes)
		return r;
	r.pps = (double)(cur->packets - prev->packets) / secs;
	r.bps = (double)(cur->bytes - prev->bytes) * 8 / secs;
	return r;
}

void xc_counters_rates(const struct xc_counters *prev,
		       const struct xc_counters *cur, double secs,
		       struct xc_rates *r)
{
	r->seconds = secs;
	r->total = xc_rate_pb(&prev->total, &cur->total, secs);
	r->malformed = xc_rate_pb(&prev->malformed, &cur->malformed, secs);
	r->vlan = xc_rate_pb(&prev->vlan, &cur->vlan, secs);
	for (int i = 0; i < XC_L3_MAX; i++)
		r->l3[i] = xc_rate_pb(&prev->l3[i], &cur->l3[i], secs);
	for (int i = 0; i < XC_L4_MAX; i++)
		r->l4[i] = xc_rate_pb(&prev->l4[i], &cur->l4[i], secs);
	for (int i = 0; i < XC_SIZE_BUCKETS; i++)
		r->sizes[i] = xc_rate_pb(&prev->sizes[i], &cur->sizes[i], secs);
}

void xc_snapshot_rates(const struct xc_snapshot *prev,
		       const struct xc_snapshot *cur, struct xc_rates *r)
{
	xc_counters_rates(&prev->total, &cur->total,
			  xc_snapshot_seconds(prev, cur), r);
}

const struct xc_counters *xc_snapshot_iface(const struct xc_snapshot *s,
					    __u32 ifindex)
{
	for (size_t i = 0; i < s->n_ifaces; i++)
		if (s->ifaces[i].ifindex == ifindex)
			return &s->ifaces[i].c;
	return NULL;
}
