// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The sum of snapshots: append, sort by key, add entries with equal keys. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "merge.h"

struct entry_kind {
	size_t size;
	int (*cmp)(const void *a, const void *b);
	void (*add)(void *into, const void *from);
};

static int cmp_iface(const void *a, const void *b)
{
	const struct xc_iface *x = a, *y = b;

	return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

static void add_iface(void *into, const void *from)
{
	xc_counters_add(&((struct xc_iface *)into)->c, &((const struct xc_iface *)from)->c);
}

static int cmp_source(const void *a, const void *b)
{
	return memcmp(&((const struct xc_source *)a)->addr,
		      &((const struct xc_source *)b)->addr, sizeof(struct xc_addr));
}

static void add_pb(struct xc_pb *into, const struct xc_pb *from)
{
	into->packets += from->packets;
	into->bytes += from->bytes;
}

static void add_source(void *into, const void *from)
{
	add_pb(&((struct xc_source *)into)->pb, &((const struct xc_source *)from)->pb);
}

static int cmp_port(const void *a, const void *b)
{
	const struct xc_port *x = a, *y = b;
	int kx = x->proto << 16 | x->port, ky = y->proto << 16 | y->port;

	return (kx > ky) - (kx < ky);
}

static void add_port(void *into, const void *from)
{
	add_pb(&((struct xc_port *)into)->pb, &((const struct xc_port *)from)->pb);
}

static int cmp_flow(const void *a, const void *b)
{
	return memcmp(&((const struct xc_flow *)a)->key, &((const struct xc_flow *)b)->key,
		      sizeof(struct xc_flow_key));
}

static void add_flow(void *into, const void *from)
{
	struct xc_flow_val *d = &((struct xc_flow *)into)->val;
	const struct xc_flow_val *s = &((const struct xc_flow *)from)->val;

	d->packets += s->packets;
	d->bytes += s->bytes;
	if (s->first_seen && (!d->first_seen || s->first_seen < d->first_seen))
		d->first_seen = s->first_seen;
	if (s->last_seen > d->last_seen)
		d->last_seen = s->last_seen;
}

static const struct entry_kind iface_kind = { sizeof(struct xc_iface), cmp_iface, add_iface };
static const struct entry_kind source_kind = { sizeof(struct xc_source), cmp_source, add_source };
static const struct entry_kind port_kind = { sizeof(struct xc_port), cmp_port, add_port };
static const struct entry_kind flow_kind = { sizeof(struct xc_flow), cmp_flow, add_flow };

static int merge_entries(const struct entry_kind *k, void **base, size_t *n,
			 const void *add, size_t n_add)
{
	char *p, *out;
	size_t total = *n + n_add;

	if (!n_add)
		return 0;
	p = realloc(*base, total * k->size);
	if (!p)
		return -ENOMEM;
	memcpy(p + *n * k->size, add, n_add * k->size);
	qsort(p, total, k->size, k->cmp);
	out = p;
	for (size_t i = 1; i < total; i++) {
		char *e = p + i * k->size;

		if (!k->cmp(out, e)) {
			k->add(out, e);
		} else {
			out += k->size;
			memmove(out, e, k->size);
		}
	}
	*base = p;
	*n = (size_t)(out - p) / k->size + 1;
	return 0;
}

static void merge_tables(struct xc_snapshot *dst, const struct xc_snapshot *src)
{
	for (int i = 0; i < XC_TAB_MAX; i++) {
		struct xc_table *d = &dst->tables[i];
		const struct xc_table *s = &src->tables[i];

		d->inserted += s->inserted;
		d->exported += s->exported;
		d->unrecorded.packets += s->unrecorded.packets;
		d->unrecorded.bytes += s->unrecorded.bytes;
		d->folded.packets += s->folded.packets;
		d->folded.bytes += s->folded.bytes;
		if (s->capacity > d->capacity)
			d->capacity = s->capacity;
	}
	dst->tables[XC_TAB_SOURCES].entries = dst->n_sources;
	dst->tables[XC_TAB_FLOWS].entries = dst->n_flows;
	dst->tables[XC_TAB_IFACES].entries = dst->n_ifaces;
	dst->tables[XC_TAB_CACHE].entries += src->tables[XC_TAB_CACHE].entries;
}

int xc_snapshot_merge(struct xc_snapshot *dst, const struct xc_snapshot *src)
{
	int err = 0;

	xc_counters_add(&dst->total, &src->total);
	dst->other.packets += src->other.packets;
	dst->other.bytes += src->other.bytes;
	if (src->mono_ns > dst->mono_ns)
		dst->mono_ns = src->mono_ns;
	dst->batch = src->batch;
	dst->features |= src->features;
	err = err ?: merge_entries(&iface_kind, (void **)&dst->ifaces, &dst->n_ifaces,
				   src->ifaces, src->n_ifaces);
	err = err ?: merge_entries(&source_kind, (void **)&dst->sources, &dst->n_sources,
				   src->sources, src->n_sources);
	err = err ?: merge_entries(&port_kind, (void **)&dst->ports, &dst->n_ports,
				   src->ports, src->n_ports);
	err = err ?: merge_entries(&flow_kind, (void **)&dst->flows, &dst->n_flows,
				   src->flows, src->n_flows);
	if (!err)
		merge_tables(dst, src);
	return err;
}
