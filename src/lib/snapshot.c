// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Snapshots: read whole maps (batch where the kernel has it), sum the CPUs. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "counter_priv.h"
#include "snapshot.h"

#define XC_BATCH_CHUNK 4096
#ifndef ENOTSUPP
#define ENOTSUPP 524 /* the kernel's own, leaked to user space by some maps */
#endif

const char *const xc_l3_names[XC_L3_MAX] = { "ipv4", "ipv6", "arp", "other" };
const char *const xc_l4_names[XC_L4_MAX] = { "tcp", "udp", "icmp", "icmpv6",
					     "other" };
const int xc_size_bounds[XC_SIZE_BUCKETS - 1] = XC_SIZE_BOUNDS;

/* Called once per entry with its key and the values of every CPU. */
typedef int (*take_fn)(void *ctx, const void *key, const void *vals);

struct map_reader {
	int fd;
	size_t ksz;
	size_t vstride; /* one CPU's value, rounded up to 8 bytes */
	__u32 max_entries;
	int ncpus;
	take_fn take;
	void *ctx;
};

static int read_keywise(const struct map_reader *r)
{
	unsigned char *key = malloc(r->ksz), *next = malloc(r->ksz);
	void *vals = malloc(r->vstride * (size_t)r->ncpus);
	void *prev = NULL;
	int err = 0;

	if (!key || !next || !vals) {
		err = -ENOMEM;
		goto out;
	}
	while (!bpf_map_get_next_key(r->fd, prev, next)) {
		memcpy(key, next, r->ksz);
		prev = key;
		if (bpf_map_lookup_elem(r->fd, key, vals)) {
			if (errno == ENOENT)
				continue; /* evicted between the two calls */
			err = -errno;
			goto out;
		}
		err = r->take(r->ctx, key, vals);
		if (err)
			goto out;
	}
	if (errno != ENOENT)
		err = -errno;
out:
	free(key);
	free(next);
	free(vals);
	return err;
}

/* Returns -EOPNOTSUPP when the map has no batch operations. */
static int read_batch(const struct map_reader *r)
{
	/* No bigger than the map: small maps are read often (probes, ticks). */
	__u32 chunk = r->max_entries < XC_BATCH_CHUNK ? r->max_entries : XC_BATCH_CHUNK;
	__u32 count;
	unsigned char in[64], out[64];
	void *keys = NULL, *vals = NULL;
	bool first = true, done = false;
	int err = 0;

	if (r->ksz > sizeof(in))
		return -EOPNOTSUPP;
	while (!done) {
		if (!keys) {
			/* Zeroed: valgrind cannot see the kernel fill them. */
			keys = calloc(chunk, r->ksz);
			vals = calloc(chunk, r->vstride * (size_t)r->ncpus);
			if (!keys || !vals) {
				err = -ENOMEM;
				break;
			}
		}
		count = chunk;
		if (bpf_map_lookup_batch(r->fd, first ? NULL : in, out, keys,
					 vals, &count, NULL)) {
			err = -errno;
			if (err == -ENOSPC && count == 0) {
				/* A hash bucket larger than the chunk. */
				chunk *= 2;
				free(keys);
				free(vals);
				keys = vals = NULL;
				err = 0;
				continue;
			}
			if (err != -ENOENT) {
				if (first && (err == -EINVAL || err == -ENOTSUPP ||
					      err == -EOPNOTSUPP))
					err = -EOPNOTSUPP;
				break;
			}
			err = 0;
			done = true;
		}
		for (__u32 i = 0; i < count && !err; i++)
			err = r->take(r->ctx, (char *)keys + i * r->ksz,
				      (char *)vals + i * r->vstride * r->ncpus);
		if (err)
			break;
		memcpy(in, out, sizeof(in));
		first = false;
	}
	free(keys);
	free(vals);
	return err;
}

static int read_map(struct xc_counter *xc, struct bpf_map *map, take_fn take,
		    void *ctx, bool *batch)
{
	struct map_reader r = {
		.fd = bpf_map__fd(map),
		.ksz = bpf_map__key_size(map),
		.vstride = (bpf_map__value_size(map) + 7) & ~7u,
		.max_entries = bpf_map__max_entries(map),
		.ncpus = xc->ncpus,
		.take = take,
		.ctx = ctx,
	};
	int err;

	if (!xc->cfg.keywise_reads) {
		err = read_batch(&r);
		if (err != -EOPNOTSUPP)
			return err;
	}
	*batch = false;
	return read_keywise(&r);
}

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

static void sum_pb(struct xc_pb *dst, const void *vals, int ncpus)
{
	const struct xc_pb *v = vals;

	memset(dst, 0, sizeof(*dst));
	for (int c = 0; c < ncpus; c++) {
		dst->packets += v[c].packets;
		dst->bytes += v[c].bytes;
	}
}

/* Maps the program's jiffies to CLOCK_MONOTONIC: a pair it recorded, and HZ. */
struct jiffy_clock {
	__u64 jiffies;
	__u64 ns;
	unsigned int hz;
};

static __u64 jiffies_to_ns(const struct jiffy_clock *k, __u64 j)
{
	__s64 dj = (__s64)(j - k->jiffies);

	if (!j || !k->hz || !k->ns)
		return 0;
	return k->ns + (__u64)(dj * (1000000000ll / k->hz));
}

struct take_ctx {
	struct vec vec;
	int ncpus;
	const struct jiffy_clock *clock;
};

static int take_source(void *ctx, const void *key, const void *vals)
{
	struct take_ctx *t = ctx;
	struct xc_source *e = vec_push(&t->vec);

	if (!e)
		return -ENOMEM;
	memcpy(&e->addr, key, sizeof(e->addr));
	sum_pb(&e->pb, vals, t->ncpus);
	return 0;
}

static int take_port(void *ctx, const void *key, const void *vals)
{
	struct take_ctx *t = ctx;
	struct xc_port *e;
	struct xc_pb pb;
	__u32 idx;

	sum_pb(&pb, vals, t->ncpus);
	if (!pb.packets)
		return 0;
	e = vec_push(&t->vec);
	if (!e)
		return -ENOMEM;
	memcpy(&idx, key, sizeof(idx));
	e->proto = idx >= 65536 ? 17 : 6;
	e->port = (__u16)(idx & 0xffff);
	e->pb = pb;
	return 0;
}

struct seen_ctx {
	__u64 *words;
	size_t n_words;
	size_t bits;
	int ncpus;
};

/* A word of the used-ports bitmap: each CPU marks its own copy. */
static int take_seen_word(void *ctx, const void *key, const void *vals)
{
	struct seen_ctx *t = ctx;
	const __u64 *v = vals;
	__u32 w;

	memcpy(&w, key, sizeof(w));
	if (w >= t->n_words)
		return 0;
	for (int c = 0; c < t->ncpus; c++)
		t->words[w] |= v[c];
	t->bits += (size_t)__builtin_popcountll(t->words[w]);
	return 0;
}

/*
 * The ports the program marked as used, each read on its own: a handful of
 * lookups instead of the whole 131072-entry array times every CPU. Returns
 * -E2BIG when so many are used that reading everything is cheaper.
 */
static int read_used_ports(struct xc_counter *xc, struct xc_snapshot *s, bool *batch)
{
	struct seen_ctx seen = { .n_words = XC_PORT_WORDS, .ncpus = xc->ncpus };
	struct take_ctx t = {
		.vec = { .base = (void **)&s->ports, .n = &s->n_ports,
			 .size = sizeof(*s->ports) },
		.ncpus = xc->ncpus,
	};
	int fd = bpf_map__fd(xc->skel->maps.ports);
	void *vals = calloc((size_t)xc->ncpus, sizeof(struct xc_pb));
	int err;

	seen.words = calloc(XC_PORT_WORDS, sizeof(__u64));
	if (!vals || !seen.words) {
		err = -ENOMEM;
		goto out;
	}
	err = read_map(xc, xc->skel->maps.ports_seen, take_seen_word, &seen, batch);
	if (!err && seen.bits > XC_PORT_WORDS)
		err = -E2BIG;
	for (__u32 idx = 0; !err && idx < XC_PORT_ENTRIES; idx++) {
		if (!(seen.words[idx / 64] & (1ull << (idx % 64))))
			continue;
		if (bpf_map_lookup_elem(fd, &idx, vals))
			err = -errno;
		else
			err = take_port(&t, &idx, vals);
	}
out:
	free(vals);
	free(seen.words);
	return err;
}

static int take_flow(void *ctx, const void *key, const void *vals)
{
	struct take_ctx *t = ctx;
	const struct xc_flow_val *v = vals;
	struct xc_flow *e = vec_push(&t->vec);

	if (!e)
		return -ENOMEM;
	memset(e, 0, sizeof(*e));
	memcpy(&e->key, key, sizeof(e->key));
	for (int c = 0; c < t->ncpus; c++) {
		e->val.packets += v[c].packets;
		e->val.bytes += v[c].bytes;
		if (v[c].first_seen &&
		    (!e->val.first_seen || v[c].first_seen < e->val.first_seen))
			e->val.first_seen = v[c].first_seen;
		if (v[c].last_seen > e->val.last_seen)
			e->val.last_seen = v[c].last_seen;
	}
	e->val.first_seen = jiffies_to_ns(t->clock, e->val.first_seen);
	e->val.last_seen = jiffies_to_ns(t->clock, e->val.last_seen);
	return 0;
}

static int read_table(struct xc_counter *xc, struct bpf_map *map, take_fn take,
		      void **base, size_t *n, size_t size, bool *batch,
		      const struct jiffy_clock *clock)
{
	struct take_ctx t = {
		.vec = { .base = base, .n = n, .size = size },
		.ncpus = xc->ncpus,
		.clock = clock,
	};

	return read_map(xc, map, take, &t, batch);
}

static int read_ports(struct xc_counter *xc, struct xc_snapshot *s,
		      const struct jiffy_clock *clock)
{
	int err = read_used_ports(xc, s, &s->batch);

	if (err != -E2BIG)
		return err;
	free(s->ports);
	s->ports = NULL;
	s->n_ports = 0;
	return read_table(xc, xc->skel->maps.ports, take_port, (void **)&s->ports,
			  &s->n_ports, sizeof(*s->ports), &s->batch, clock);
}

/* The interface entry for ifindex, added if new. */
static struct xc_iface *iface_entry(struct xc_snapshot *s, size_t *cap, __u32 ifindex)
{
	struct vec v = { .base = (void **)&s->ifaces, .n = &s->n_ifaces,
			 .cap = *cap, .size = sizeof(*s->ifaces) };
	struct xc_iface *e;

	for (size_t i = 0; i < s->n_ifaces; i++)
		if (s->ifaces[i].ifindex == ifindex)
			return &s->ifaces[i];
	e = vec_push(&v);
	*cap = v.cap;
	if (e) {
		memset(e, 0, sizeof(*e));
		e->ifindex = ifindex;
	}
	return e;
}

struct iface_ctx {
	struct xc_snapshot *s;
	size_t cap;
	int ncpus;
	struct xc_counters *cpus; /* per CPU, not summed: xc_counter_cpu_totals */
};

/* A slot of `counters`: each CPU's copy says which interface owns it there. */
static int take_slot(void *ctx, const void *key, const void *vals)
{
	struct iface_ctx *t = ctx;
	const struct xc_slot *v = vals;

	(void)key;
	for (int c = 0; c < t->ncpus; c++) {
		struct xc_iface *e;

		if (!v[c].c.total.packets)
			continue;
		xc_counters_add(&t->s->total, &v[c].c);
		if (!v[c].ifindex)
			continue; /* interfaces switched off, or the unowned slot */
		e = iface_entry(t->s, &t->cap, v[c].ifindex);
		if (!e)
			return -ENOMEM;
		xc_counters_add(&e->c, &v[c].c);
	}
	return 0;
}

/* An interface in the overflow hash. */
static int take_iface(void *ctx, const void *key, const void *vals)
{
	struct iface_ctx *t = ctx;
	const struct xc_counters *v = vals;
	struct xc_iface *e;
	__u32 ifindex;

	memcpy(&ifindex, key, sizeof(ifindex));
	e = iface_entry(t->s, &t->cap, ifindex);
	if (!e)
		return -ENOMEM;
	for (int c = 0; c < t->ncpus; c++) {
		xc_counters_add(&t->s->total, &v[c]);
		xc_counters_add(&e->c, &v[c]);
	}
	return 0;
}

static int read_counters(struct xc_counter *xc, struct xc_snapshot *s)
{
	struct iface_ctx t = { .s = s, .ncpus = xc->ncpus };
	int err;

	err = read_map(xc, xc->skel->maps.counters, take_slot, &t, &s->batch);
	if (!err && (xc->cfg.features & XC_F_IFACES))
		err = read_map(xc, xc->skel->maps.ifaces, take_iface, &t, &s->batch);
	return err;
}

static int read_table_stats(struct xc_counter *xc, struct xc_snapshot *s,
			    struct jiffy_clock *clock)
{
	struct xc_table_stats *v = calloc((size_t)xc->ncpus, sizeof(*v));
	int fd = bpf_map__fd(xc->skel->maps.tables);
	int err = 0;

	if (!v)
		return -ENOMEM;
	for (__u32 k = 0; k < XC_TAB_MAX && !err; k++) {
		if (bpf_map_lookup_elem(fd, &k, v)) {
			err = -errno;
			break;
		}
		for (int c = 0; c < xc->ncpus; c++) {
			s->tables[k].inserted += v[c].inserted;
			s->tables[k].failed += v[c].failed;
			if (v[c].clock_jiffies > clock->jiffies) {
				clock->jiffies = v[c].clock_jiffies;
				clock->ns = v[c].clock_ns;
			}
		}
	}
	free(v);
	return err;
}

/*
 * The counters are read before the table, so a live program may have inserted
 * keys in between: at least `entries` were inserted, and none of those is an
 * eviction.
 */
static void finish_table(struct xc_table *t, size_t entries, const struct bpf_map *map)
{
	t->entries = entries;
	t->capacity = bpf_map__max_entries(map);
	if (t->inserted < entries)
		t->inserted = entries;
	t->evicted = t->inserted - entries;
}

int xc_counter_snapshot(struct xc_counter *xc, struct xc_snapshot *s)
{
	__typeof__(xc->skel->maps) *m = &xc->skel->maps;
	struct jiffy_clock clock = { .hz = xc->hz };
	__u32 f = xc->cfg.features;
	struct timespec ts;
	int err = 0;

	memset(s, 0, sizeof(*s));
	s->features = f;
	s->batch = !xc->cfg.keywise_reads;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	s->mono_ns = (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
	err = err ?: read_counters(xc, s);
	err = err ?: read_table_stats(xc, s, &clock);
	if (!err && (f & XC_F_SOURCES))
		err = read_table(xc, m->sources, take_source, (void **)&s->sources,
				 &s->n_sources, sizeof(*s->sources), &s->batch, &clock);
	if (!err && (f & XC_F_PORTS))
		err = read_ports(xc, s, &clock);
	if (!err && (f & XC_F_FLOWS))
		err = read_table(xc, m->flows, take_flow, (void **)&s->flows,
				 &s->n_flows, sizeof(*s->flows), &s->batch, &clock);
	if (err) {
		xc_snapshot_free(s);
		return err;
	}
	finish_table(&s->tables[XC_TAB_SOURCES], s->n_sources, m->sources);
	finish_table(&s->tables[XC_TAB_FLOWS], s->n_flows, m->flows);
	/* Interfaces are never evicted: each one is in a slot or the hash. */
	s->tables[XC_TAB_IFACES].entries = s->n_ifaces;
	s->tables[XC_TAB_IFACES].inserted = s->n_ifaces;
	s->tables[XC_TAB_IFACES].capacity = XC_IFACE_SLOTS + bpf_map__max_entries(m->ifaces);
	return 0;
}

/* Without XC_F_IFACES every frame counts in slot 0 (see struct xc_slot). */
static int read_slot0(struct xc_counter *xc, struct xc_counters *total)
{
	struct xc_slot *v = calloc((size_t)xc->ncpus, sizeof(*v));
	__u32 zero = 0;
	int err = 0;

	if (!v)
		return -ENOMEM;
	memset(total, 0, sizeof(*total));
	if (bpf_map_lookup_elem(bpf_map__fd(xc->skel->maps.counters), &zero, v))
		err = -errno;
	for (int c = 0; c < xc->ncpus && !err; c++)
		xc_counters_add(total, &v[c].c);
	free(v);
	return err;
}

int xc_counter_totals(struct xc_counter *xc, struct xc_counters *total)
{
	struct xc_snapshot s;
	int err;

	if (!(xc->cfg.features & XC_F_IFACES))
		return read_slot0(xc, total);
	memset(&s, 0, sizeof(s));
	err = read_counters(xc, &s);
	*total = s.total;
	free(s.ifaces);
	return err;
}

/* Each CPU's counters into cpus[cpu]: its slots, and its overflow interfaces. */
static int take_cpu_slot(void *ctx, const void *key, const void *vals)
{
	const struct iface_ctx *t = ctx;
	const struct xc_slot *v = vals;

	(void)key;
	for (int c = 0; c < t->ncpus; c++)
		xc_counters_add(&t->cpus[c], &v[c].c);
	return 0;
}

static int take_cpu_iface(void *ctx, const void *key, const void *vals)
{
	const struct iface_ctx *t = ctx;
	const struct xc_counters *v = vals;

	(void)key;
	for (int c = 0; c < t->ncpus; c++)
		xc_counters_add(&t->cpus[c], &v[c]);
	return 0;
}

int xc_counter_cpu_totals(struct xc_counter *xc, struct xc_counters *cpus)
{
	struct iface_ctx t = { .ncpus = xc->ncpus, .cpus = cpus };
	bool batch;
	int err;

	memset(cpus, 0, (size_t)xc->ncpus * sizeof(*cpus));
	err = read_map(xc, xc->skel->maps.counters, take_cpu_slot, &t, &batch);
	if (!err && (xc->cfg.features & XC_F_IFACES))
		err = read_map(xc, xc->skel->maps.ifaces, take_cpu_iface, &t, &batch);
	return err;
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

/* ---- top-N by partial selection: a bounded min-heap of indexes ---- */

typedef int (*rank_fn)(const void *base, size_t a, size_t b); /* >0: a ranks higher */

static int rank_pb(const struct xc_pb *a, const struct xc_pb *b)
{
	if (a->packets != b->packets)
		return a->packets > b->packets ? 1 : -1;
	if (a->bytes != b->bytes)
		return a->bytes > b->bytes ? 1 : -1;
	return 0;
}

static int rank_source(const void *base, size_t a, size_t b)
{
	const struct xc_source *x = (const struct xc_source *)base + a;
	const struct xc_source *y = (const struct xc_source *)base + b;

	return rank_pb(&x->pb, &y->pb) ?: memcmp(&y->addr, &x->addr, sizeof(x->addr));
}

static int rank_port(const void *base, size_t a, size_t b)
{
	const struct xc_port *x = (const struct xc_port *)base + a;
	const struct xc_port *y = (const struct xc_port *)base + b;
	int r = rank_pb(&x->pb, &y->pb);

	if (r)
		return r;
	if (x->proto != y->proto)
		return x->proto < y->proto ? 1 : -1;
	return x->port < y->port ? 1 : (x->port > y->port ? -1 : 0);
}

static int rank_flow(const void *base, size_t a, size_t b)
{
	const struct xc_flow *x = (const struct xc_flow *)base + a;
	const struct xc_flow *y = (const struct xc_flow *)base + b;
	struct xc_pb px = { x->val.packets, x->val.bytes };
	struct xc_pb py = { y->val.packets, y->val.bytes };

	return rank_pb(&px, &py) ?: memcmp(&y->key, &x->key, sizeof(x->key));
}

static void heap_sift_down(const void *base, size_t *h, size_t n, size_t i,
			   rank_fn rank)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, min = i, t;

		if (l < n && rank(base, h[l], h[min]) < 0)
			min = l;
		if (r < n && rank(base, h[r], h[min]) < 0)
			min = r;
		if (min == i)
			return;
		t = h[i];
		h[i] = h[min];
		h[min] = t;
		i = min;
	}
}

static size_t top_n(const void *base, size_t count, size_t n, size_t *idx,
		    rank_fn rank)
{
	size_t k = 0;

	if (!n)
		return 0;
	for (size_t i = 0; i < count; i++) {
		if (k < n) {
			idx[k++] = i;
			if (k == n)
				for (size_t j = n / 2 + 1; j-- > 0;)
					heap_sift_down(base, idx, k, j, rank);
		} else if (rank(base, i, idx[0]) > 0) {
			idx[0] = i;
			heap_sift_down(base, idx, k, 0, rank);
		}
	}
	if (k < n)
		for (size_t j = k / 2 + 1; j-- > 0;)
			heap_sift_down(base, idx, k, j, rank);
	/* Pop the minimum to the back: the heap becomes best-first. */
	for (size_t end = k; end > 1; end--) {
		size_t t = idx[0];

		idx[0] = idx[end - 1];
		idx[end - 1] = t;
		heap_sift_down(base, idx, end - 1, 0, rank);
	}
	return k;
}

size_t xc_top_sources(const struct xc_snapshot *s, size_t n, size_t *idx)
{
	return top_n(s->sources, s->n_sources, n, idx, rank_source);
}

size_t xc_top_ports(const struct xc_snapshot *s, size_t n, size_t *idx)
{
	return top_n(s->ports, s->n_ports, n, idx, rank_port);
}

size_t xc_top_flows(const struct xc_snapshot *s, size_t n, size_t *idx)
{
	return top_n(s->flows, s->n_flows, n, idx, rank_flow);
}

const char *xc_addr_str(const struct xc_addr *a, char *buf, size_t len)
{
	static const __u8 v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (!memcmp(a->a, v4mapped, sizeof(v4mapped)))
		return inet_ntop(AF_INET, a->a + 12, buf, (socklen_t)len);
	return inet_ntop(AF_INET6, a->a, buf, (socklen_t)len);
}

const char *xc_proto_str(__u8 proto, char *buf, size_t len)
{
	switch (proto) {
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 1:
		return "icmp";
	case 58:
		return "icmpv6";
	default:
		snprintf(buf, len, "%u", proto);
		return buf;
	}
}
