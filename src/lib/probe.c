// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Probes: run one frame, report what moved, take it out again. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include "counter_priv.h"
#include "probe.h"
#include "snapshot.h"

/*
 * The one entry a frame made in an otherwise empty cache, taken out again:
 * 1 if there was one. The cache is read whole: a probe loads a small one.
 */
static int take_only_entry(struct xc_counter *xc, struct xc_flow_key *key)
{
	size_t sets = (size_t)xc->cache_sets * (size_t)xc->ncpus;
	int found = 0;

	for (size_t i = 0; i < sets; i++) {
		for (int w = 0; w < XC_CACHE_WAYS; w++) {
			struct xc_flow_ent *e = &xc->cache[i].e[w];

			if (!e->packets)
				continue;
			*key = e->key;
			found++;
			memset(e, 0, sizeof(*e));
		}
	}
	return found > 1 ? -EEXIST : found; /* the cache was not empty */
}

static void counters_sub(struct xc_counters *dst, const struct xc_counters *src)
{
	__u64 *d = (__u64 *)dst;
	const __u64 *s = (const __u64 *)src;

	for (size_t i = 0; i < sizeof(*dst) / sizeof(__u64); i++)
		d[i] -= s[i];
}

int xc_counter_probe(struct xc_counter *xc, const void *frame, size_t len,
		     void *out, size_t out_cap, struct xc_probe *p)
{
	struct xc_counters before;
	struct xc_flow_key key;
	__u32 f = xc->cfg.features;
	int err;

	memset(p, 0, sizeof(*p));
	err = xc_counter_totals(xc, &before);
	err = err ?: xc_counter_run(xc, frame, len, &p->retval, out, out_cap,
				    &p->out_len);
	err = err ?: xc_counter_totals(xc, &p->delta);
	if (err)
		return err;
	counters_sub(&p->delta, &before);
	if (!(f & XC_F_TABLES))
		return 0;
	err = take_only_entry(xc, &key);
	if (err <= 0)
		return err;
	p->source = f & XC_F_SOURCES;
	p->src = key.src;
	p->flow = key.kind == XC_KEY_FLOW && (f & XC_F_FLOWS);
	if (p->flow)
		p->flow_key = key;
	p->port = key.kind == XC_KEY_FLOW && (f & XC_F_PORTS) &&
		  (key.proto == IPPROTO_TCP || key.proto == IPPROTO_UDP);
	return 0;
}
