// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Rates from two snapshots, over the real time between them. */
#define _GNU_SOURCE /* qsort_r */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
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

/* How an entry of a table is found again in the snapshot before. */
typedef int (*entry_cmp)(const void *base, size_t a, const void *key);

static int source_cmp(const void *base, size_t a, const void *key)
{
	const struct xc_source *e = (const struct xc_source *)base + a;

	return memcmp(&e->addr, &((const struct xc_source *)key)->addr, sizeof(e->addr));
}

static int port_cmp(const void *base, size_t a, const void *key)
{
	const struct xc_port *e = (const struct xc_port *)base + a, *k = key;

	if (e->proto != k->proto)
		return e->proto < k->proto ? -1 : 1;
	return e->port < k->port ? -1 : (e->port > k->port ? 1 : 0);
}

static int flow_cmp(const void *base, size_t a, const void *key)
{
	const struct xc_flow *e = (const struct xc_flow *)base + a;

	return memcmp(&e->key, &((const struct xc_flow *)key)->key, sizeof(e->key));
}

struct sort_ctx {
	const char *base;
	size_t size;
	entry_cmp cmp;
};

static int index_cmp(const void *a, const void *b, void *arg)
{
	const struct sort_ctx *c = arg;

	return c->cmp(c->base, *(const size_t *)a, c->base + *(const size_t *)b * c->size);
}

/* prev's entries sorted by key, then each of cur's looked up: O(n log n). */
static int rates_of(const void *prev, size_t n_prev, const void *cur, size_t n_cur,
		    size_t size, entry_cmp cmp, double secs, size_t pb_off, struct xc_rate **out)
{
	struct sort_ctx ctx = { prev, size, cmp };
	size_t *order = malloc((n_prev ? n_prev : 1) * sizeof(*order));
	static const struct xc_pb zero;

	*out = calloc(n_cur ? n_cur : 1, sizeof(**out));
	if (!order || !*out) {
		free(order);
		free(*out);
		*out = NULL;
		return -ENOMEM;
	}
	for (size_t i = 0; i < n_prev; i++)
		order[i] = i;
	qsort_r(order, n_prev, sizeof(*order), index_cmp, &ctx);
	for (size_t i = 0; i < n_cur; i++) {
		const char *e = (const char *)cur + i * size;
		const struct xc_pb *was = &zero;
		size_t lo = 0, hi = n_prev;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			int c = cmp(prev, order[mid], e);

			if (!c) {
				was = (const void *)((const char *)prev + order[mid] * size + pb_off);
				break;
			}
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		(*out)[i] = xc_rate_pb(was, (const void *)(e + pb_off), secs);
	}
	free(order);
	return 0;
}

int xc_entry_rates(const struct xc_snapshot *prev, const struct xc_snapshot *cur,
		   struct xc_entry_rates *er)
{
	double secs = xc_snapshot_seconds(prev, cur);
	int err;

	memset(er, 0, sizeof(*er));
	/* A flow's packets and bytes lead its value, as an xc_pb's do. */
	err = rates_of(prev->sources, prev->n_sources, cur->sources, cur->n_sources,
		       sizeof(struct xc_source), source_cmp, secs,
		       offsetof(struct xc_source, pb), &er->sources);
	err = err ?: rates_of(prev->ports, prev->n_ports, cur->ports, cur->n_ports,
			      sizeof(struct xc_port), port_cmp, secs,
			      offsetof(struct xc_port, pb), &er->ports);
	err = err ?: rates_of(prev->flows, prev->n_flows, cur->flows, cur->n_flows,
			      sizeof(struct xc_flow), flow_cmp, secs,
			      offsetof(struct xc_flow, val), &er->flows);
	if (err)
		xc_entry_rates_free(er);
	return err;
}

void xc_entry_rates_free(struct xc_entry_rates *er)
{
	free(er->sources);
	free(er->ports);
	free(er->flows);
	memset(er, 0, sizeof(*er));
}

static int value_cmp(const void *a, const void *b, void *arg)
{
	const double *v = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	if (v[x] != v[y])
		return v[x] > v[y] ? -1 : 1;
	return x < y ? -1 : (x > y ? 1 : 0);
}

size_t xc_top_by_value(const double *v, size_t count, size_t n, size_t *idx)
{
	size_t *all = malloc((count ? count : 1) * sizeof(*all));

	if (!all)
		return 0;
	for (size_t i = 0; i < count; i++)
		all[i] = i;
	qsort_r(all, count, sizeof(*all), value_cmp, (void *)v);
	n = n < count ? n : count;
	if (n)
		memcpy(idx, all, n * sizeof(*idx));
	free(all);
	return n;
}
