// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Rates from two snapshots, over the real time between them. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "flowtab.h"
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

/* How an entry of a table is found again in the snapshot before: its key, in words. */
struct entry_kind {
	size_t size;
	size_t key_size;
	size_t pb_off; /* its packets and bytes, as an xc_pb */
	void (*key)(const void *entry, __u64 *key);
};

#define KEY_WORDS (sizeof(struct xc_flow_key) / sizeof(__u64)) /* the longest key */

static void source_key(const void *e, __u64 *key)
{
	memcpy(key, &((const struct xc_source *)e)->addr, sizeof(struct xc_addr));
}

static void port_key(const void *e, __u64 *key)
{
	const struct xc_port *p = e;

	*key = (__u64)p->proto << 16 | p->port;
}

static void flow_key(const void *e, __u64 *key)
{
	memcpy(key, &((const struct xc_flow *)e)->key, sizeof(struct xc_flow_key));
}

/* A flow's packets and bytes lead its value, as an xc_pb's do. */
static const struct entry_kind source_kind = {
	sizeof(struct xc_source), sizeof(struct xc_addr), offsetof(struct xc_source, pb),
	source_key };
static const struct entry_kind port_kind = {
	sizeof(struct xc_port), sizeof(__u64), offsetof(struct xc_port, pb), port_key };
static const struct entry_kind flow_kind = {
	sizeof(struct xc_flow), sizeof(struct xc_flow_key), offsetof(struct xc_flow, val),
	flow_key };

/* prev's entries by key in a hash (rows: the key, then the entry's index), then each of cur's: O(n). */
static int rates_of(const void *prev, size_t n_prev, const void *cur, size_t n_cur,
		    const struct entry_kind *k, double secs, struct xc_rate **out)
{
	static const struct xc_pb zero;
	struct xc_rows by_key;
	__u64 key[KEY_WORDS];
	int err = xc_rows_init(&by_key, n_prev, k->key_size + sizeof(size_t), k->key_size);

	*out = err ? NULL : calloc(n_cur ? n_cur : 1, sizeof(**out));
	if (!*out) {
		xc_rows_free(&by_key);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n_prev; i++) {
		char *row;

		k->key((const char *)prev + i * k->size, key);
		row = xc_rows_get(&by_key, key); /* sized for every entry */
		memcpy(row + k->key_size, &i, sizeof(i));
	}
	for (size_t i = 0; i < n_cur; i++) {
		const char *e = (const char *)cur + i * k->size;
		const struct xc_pb *was = &zero;
		const char *row;
		size_t at;

		k->key(e, key);
		row = xc_rows_find(&by_key, key);
		if (row) {
			memcpy(&at, row + k->key_size, sizeof(at));
			was = (const void *)((const char *)prev + at * k->size + k->pb_off);
		}
		(*out)[i] = xc_rate_pb(was, (const void *)(e + k->pb_off), secs);
	}
	xc_rows_free(&by_key);
	return 0;
}

int xc_entry_rates(const struct xc_snapshot *prev, const struct xc_snapshot *cur,
		   struct xc_entry_rates *er)
{
	double secs = xc_snapshot_seconds(prev, cur);
	int err;

	memset(er, 0, sizeof(*er));
	err = rates_of(prev->sources, prev->n_sources, cur->sources, cur->n_sources,
		       &source_kind, secs, &er->sources);
	err = err ?: rates_of(prev->ports, prev->n_ports, cur->ports, cur->n_ports,
			      &port_kind, secs, &er->ports);
	err = err ?: rates_of(prev->flows, prev->n_flows, cur->flows, cur->n_flows,
			      &flow_kind, secs, &er->flows);
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
