// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Snapshots: the core counters of every slot, and the flow cache reconciled
 * with its exports. The cache is read first, then the ring drained: an entry
 * evicted in between is in both, and its gen in the drained records tells the
 * copy read from the cache to step aside for the export, which holds at least
 * as much. An entry whose gen reads 0 is being replaced; its victim is in the
 * ring already. So no entry counts twice, and no count goes backwards.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "counter_priv.h"
#include "maps.h"
#include "snapshot.h"

/* A growable array of snapshot entries. */
struct vec {
	void **base;
	size_t *n;
	size_t cap;
	size_t size;
};

static void *vec_push(struct vec *v)
{
	if (*v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		void *p = realloc(*v->base, cap * v->size);

		if (!p)
			return NULL;
		*v->base = p;
		v->cap = cap;
	}
	return (char *)*v->base + (*v->n)++ * v->size;
}

void xc_counters_add(struct xc_counters *dst, const struct xc_counters *src)
{
	__u64 *d = (__u64 *)dst;
	const __u64 *s = (const __u64 *)src;

	for (size_t i = 0; i < sizeof(*dst) / sizeof(__u64); i++)
		d[i] += s[i];
}

static void pb_add(struct xc_pb *dst, const struct xc_pb *src)
{
	dst->packets += src->packets;
	dst->bytes += src->bytes;
}

/* ---- the core counters: one slot per interface, slot 0 for the rest ---- */

/* Add the counters that one CPU's cells of a slot make (sizes: when counted). */
static void cells_add(struct xc_counters *dst, const struct xc_cells *src, bool sizes)
{
	for (__u32 vlan = 0; vlan < 2; vlan++)
		for (__u32 l3 = 0; l3 < XC_L3_MAX; l3++)
			for (__u32 l4 = 0; l4 < XC_L4_CLASSES; l4++) {
				const struct xc_pb *cell =
					&src->cell[xc_class(l3, l4, vlan) * XC_SIZE_BUCKETS];
				struct xc_pb *l4pb = l4 < XC_L4_MAX ? &dst->l4[l4] : &dst->no_l4;
				bool ip = l3 == XC_L3_IPV4 || l3 == XC_L3_IPV6;

				for (int b = 0; b < XC_SIZE_BUCKETS; b++) {
					pb_add(&dst->total, &cell[b]);
					pb_add(&dst->l3[l3], &cell[b]);
					pb_add(l4pb, &cell[b]);
					if (vlan)
						pb_add(&dst->vlan, &cell[b]);
					if (ip && l4 == XC_L4_MAX)
						pb_add(&dst->malformed, &cell[b]);
					if (sizes)
						pb_add(&dst->sizes[b], &cell[b]);
				}
			}
}

struct slot_ctx {
	const struct xc_counter *xc;
	struct xc_snapshot *s;     /* summed, per interface */
	struct xc_counters *cpus;  /* or per CPU, not summed */
	struct vec ifaces;
};

static int take_slot(void *ctx, const void *key, const void *vals)
{
	struct slot_ctx *t = ctx;
	const struct xc_cells *v = vals;
	bool sizes = t->xc->cfg.features & XC_F_SIZES;
	struct xc_counters sum;
	struct xc_iface *e;
	int ifindex;
	__u32 slot;

	memcpy(&slot, key, sizeof(slot));
	memset(&sum, 0, sizeof(sum));
	for (int c = 0; c < t->xc->ncpus; c++) {
		cells_add(t->cpus ? &t->cpus[c] : &sum, &v[c], sizes);
	}
	if (t->cpus || !sum.total.packets)
		return 0;
	xc_counters_add(&t->s->total, &sum);
	ifindex = slot <= XC_IFACE_SLOTS ? t->xc->slot_ifindex[slot] : 0;
	if (!slot || !ifindex) {
		if (t->xc->cfg.features & XC_F_IFACES)
			pb_add(&t->s->tables[XC_TAB_IFACES].unrecorded, &sum.total);
		return 0;
	}
	e = vec_push(&t->ifaces);
	if (!e)
		return -ENOMEM;
	e->ifindex = (__u32)ifindex;
	e->c = sum;
	return 0;
}

/*
 * Every slot of the map, batch-wise unless keywise_reads: the CLI sizes the
 * map to the interfaces it counts on, as a slot's cells are some KB a CPU.
 */
static int read_counters(struct xc_counter *xc, struct xc_snapshot *s, struct xc_counters *cpus)
{
	struct slot_ctx t = { .xc = xc, .s = s, .cpus = cpus };
	bool batch = true;
	int err;

	if (s)
		t.ifaces = (struct vec){ .base = (void **)&s->ifaces, .n = &s->n_ifaces,
					 .size = sizeof(*s->ifaces) };
	err = xc_read_map(xc, xc->skel->maps.counters, take_slot, &t, &batch);
	if (s)
		s->batch &= batch;
	return err;
}

int xc_counter_totals(struct xc_counter *xc, struct xc_counters *total)
{
	struct xc_snapshot s;
	int err;

	memset(&s, 0, sizeof(s));
	err = read_counters(xc, &s, NULL);
	*total = s.total;
	free(s.ifaces);
	return err;
}

int xc_counter_cpu_totals(struct xc_counter *xc, struct xc_counters *cpus)
{
	memset(cpus, 0, (size_t)xc->ncpus * sizeof(*cpus));
	return read_counters(xc, NULL, cpus);
}

/* ---- the flow cache ---- */

/*
 * The entries of every CPU, read in place into xc->live; returns how many.
 * gen is loaded first (acquire): an entry replaced while it is copied keeps
 * the gen read, whose export the drain after this finds, and a gen of 0 is an
 * entry being replaced.
 */
static size_t read_entries(struct xc_counter *xc)
{
	size_t sets = (size_t)xc->cache_sets * (size_t)xc->ncpus, n = 0;

	for (size_t i = 0; i < sets; i++) {
		for (int w = 0; w < XC_CACHE_WAYS; w++) {
			struct xc_flow_ent *e = &xc->cache[i].e[w];
			__u64 gen = __atomic_load_n(&e->gen, __ATOMIC_ACQUIRE);

			if (!gen)
				continue;
			xc->live[n] = *e;
			xc->live[n].gen = gen;
			n += xc->live[n].packets != 0;
		}
	}
	return n;
}

static int read_cache_stats(struct xc_counter *xc, struct xc_table *t)
{
	struct xc_cache_stats *v = calloc((size_t)xc->ncpus, sizeof(*v));
	__u32 zero = 0;
	int err = 0;

	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(bpf_map__fd(xc->skel->maps.cache_stats), &zero, v))
		err = -errno;
	for (int c = 0; c < xc->ncpus && !err; c++) {
		t->inserted += v[c].inserted;
		t->exported += v[c].exported;
		pb_add(&t->unrecorded, &v[c].unrecorded);
		if (v[c].clock_jiffies > xc->clock_jiffies) {
			xc->clock_jiffies = v[c].clock_jiffies;
			xc->clock_ns = v[c].clock_ns;
		}
	}
	free(v);
	return err;
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/* Read the cache, then drain: *n of xc->live no drained record replaces. */
static int read_cache(struct xc_counter *xc, size_t *n)
{
	size_t live = read_entries(xc);
	int err = 0;

	xc->drained.n = 0;
	xc->drained.on = true;
	err = xc_consume_exports(xc);
	xc->drained.on = false;
	if (err < 0)
		return err;
	*n = live;
	if (!xc->drained.n) /* nothing drained (and v may be NULL): every entry stays */
		return 0;
	qsort(xc->drained.v, xc->drained.n, sizeof(__u64), cmp_u64);
	*n = 0;
	for (size_t i = 0; i < live; i++)
		if (!bsearch(&xc->live[i].gen, xc->drained.v, xc->drained.n, sizeof(__u64),
			     cmp_u64))
			xc->live[(*n)++] = xc->live[i];
	return 0;
}

/* ---- rows into the snapshot's arrays ---- */

/* Maps the program's jiffies to CLOCK_MONOTONIC: a pair it recorded, and HZ. */
static __u64 jiffies_to_ns(const struct xc_counter *xc, __u64 j)
{
	__s64 dj = (__s64)(j - xc->clock_jiffies);

	if (!j || !xc->hz || !xc->clock_ns)
		return 0;
	return xc->clock_ns + (__u64)(dj * (1000000000ll / xc->hz));
}

/* n entries of size for a snapshot's array; one allocation, none for 0. */
static int alloc_rows(void **base, size_t n, size_t size)
{
	*base = n ? malloc(n * size) : NULL;
	return n && !*base ? -ENOMEM : 0;
}

static int emit_flows(const struct xc_counter *xc, const struct xc_flowtab *t,
		      struct xc_snapshot *s)
{
	const struct xc_flow *row;
	int err = alloc_rows((void **)&s->flows, t->flows.n, sizeof(*s->flows));

	for (size_t i = 0; !err && (row = xc_rows_next(&t->flows, &i));) {
		struct xc_flow *e = &s->flows[s->n_flows++];

		*e = *row;
		e->val.first_seen = jiffies_to_ns(xc, row->val.first_seen);
		e->val.last_seen = jiffies_to_ns(xc, row->val.last_seen);
	}
	return err;
}

/* A source's packets: its own row and those of its flows. */
static int emit_sources(struct xc_flowtab *t, struct xc_snapshot *s)
{
	const struct xc_rows *by_src = xc_flowtab_sources(t);
	int err = alloc_rows((void **)&s->sources, by_src->n, sizeof(*s->sources));

	if (!err && by_src->n)
		memcpy(s->sources, by_src->rows, by_src->n * sizeof(*s->sources));
	s->n_sources = err ? 0 : by_src->n;
	return err;
}

static int emit_ports(const struct xc_flowtab *t, struct xc_snapshot *s)
{
	struct vec v = { .base = (void **)&s->ports, .n = &s->n_ports, .size = sizeof(*s->ports) };

	for (int i = 0; i < XC_PORT_ROWS; i++) {
		struct xc_port *e;

		if (!t->ports[i].packets)
			continue;
		e = vec_push(&v);
		if (!e)
			return -ENOMEM;
		e->proto = i < 65536 ? IPPROTO_TCP : IPPROTO_UDP;
		e->port = (__u16)(i & 0xffff);
		e->pb = t->ports[i];
	}
	return 0;
}

/* The rows with the live entries added for the time it takes to copy them out. */
static int read_tables(struct xc_counter *xc, struct xc_snapshot *s)
{
	struct xc_table *cache = &s->tables[XC_TAB_CACHE];
	struct xc_flowtab *t = &xc->rows;
	__u32 f = xc->cfg.features;
	size_t live = 0;
	int err;

	err = read_cache_stats(xc, cache);
	err = err ?: read_cache(xc, &live);
	if (err)
		return err;
	xc_flowtab_log_start(t, &xc->log);
	err = xc_flowtab_add_logged(t, xc->live, live, &xc->log);
	cache->entries = live;
	cache->capacity = (__u64)bpf_map__max_entries(xc->skel->maps.cache) * XC_CACHE_WAYS;
	if (!err && (f & XC_F_FLOWS))
		err = emit_flows(xc, t, s);
	if (!err && (f & XC_F_SOURCES))
		err = emit_sources(t, s);
	if (!err && (f & XC_F_PORTS))
		err = emit_ports(t, s);
	s->other = t->other;
	s->tables[XC_TAB_SOURCES] = (struct xc_table){
		.entries = s->n_sources, .capacity = t->sources.max, .folded = t->other };
	s->tables[XC_TAB_FLOWS] = (struct xc_table){
		.entries = s->n_flows, .capacity = t->flows.max, .folded = t->folded };
	xc_flowtab_undo(t, &xc->log);
	return err;
}

int xc_counter_snapshot(struct xc_counter *xc, struct xc_snapshot *s)
{
	struct timespec ts;
	int err = 0;

	memset(s, 0, sizeof(*s));
	s->features = xc->cfg.features;
	s->batch = !xc->cfg.keywise_reads;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	s->mono_ns = (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
	pthread_mutex_lock(&xc->lock);
	err = read_counters(xc, s, NULL);
	if (!err && xc->ring)
		err = read_tables(xc, s);
	pthread_mutex_unlock(&xc->lock);
	if (err) {
		xc_snapshot_free(s);
		return err;
	}
	s->tables[XC_TAB_IFACES].entries = s->n_ifaces;
	s->tables[XC_TAB_IFACES].capacity = (xc->cfg.features & XC_F_IFACES) ? (__u64)xc->n_slots : 0;
	return 0;
}

void xc_snapshot_free(struct xc_snapshot *s)
{
	free(s->ifaces);
	free(s->sources);
	free(s->ports);
	free(s->flows);
	s->ifaces = NULL;
	s->sources = NULL;
	s->ports = NULL;
	s->flows = NULL;
	s->n_ifaces = s->n_sources = s->n_ports = s->n_flows = 0;
}
