// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Bounded rows of exported flow cache entries: flows, else sources, else other. */
#include <errno.h>
#include <stddef.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include "flowtab.h"

static size_t slots_for(size_t max)
{
	size_t n = 16;

	while (n < 2 * max)
		n *= 2;
	return n;
}

int xc_rows_init(struct xc_rows *r, size_t max, size_t row_size, size_t key_size)
{
	size_t slots = slots_for(max);

	memset(r, 0, sizeof(*r));
	r->rows = malloc((max ? max : 1) * row_size);
	r->slots = calloc(slots, sizeof(*r->slots));
	if (!r->rows || !r->slots) {
		xc_rows_free(r);
		return -ENOMEM;
	}
	r->row_size = row_size;
	r->key_size = key_size;
	r->mask = slots - 1;
	r->max = max;
	return 0;
}

void xc_rows_free(struct xc_rows *r)
{
	free(r->rows);
	free(r->slots);
	r->rows = NULL;
	r->slots = NULL;
}

void xc_rows_clear(struct xc_rows *r)
{
	memset(r->slots, 0, (r->mask + 1) * sizeof(*r->slots));
	r->n = 0;
}

/* Keys are whole words (16 or 40 bytes); each mixed in, then murmur3's finalizer. */
size_t xc_rows_hash(const struct xc_rows *r, const void *key)
{
	__u64 h = r->key_size, w;

	for (size_t i = 0; i < r->key_size; i += 8) {
		memcpy(&w, (const char *)key + i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 32;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return (size_t)h;
}

static bool key_eq(const void *a, const void *b, size_t len)
{
	__u64 x, y, d = 0;

	for (size_t i = 0; i < len; i += 8) {
		memcpy(&x, (const char *)a + i, 8);
		memcpy(&y, (const char *)b + i, 8);
		d |= x ^ y;
	}
	return !d;
}

static void *row_at(const struct xc_rows *r, size_t i)
{
	return (char *)r->rows + i * r->row_size;
}

/* A slot: the hash's top half, the row's number + 1 (0 is a free slot). */
static __u64 slot_of(size_t h, size_t row)
{
	return (__u64)h >> 32 << 32 | (row + 1);
}

static bool slot_may_be(__u64 slot, size_t h)
{
	return slot >> 32 == (__u64)h >> 32;
}

/* The slot of key, or the free slot that ends its probe. */
static size_t rows_probe(const struct xc_rows *r, const void *key, size_t h)
{
	for (size_t i = h & r->mask;; i = (i + 1) & r->mask) {
		__u64 slot = r->slots[i];

		if (!slot || (slot_may_be(slot, h) &&
			      key_eq(row_at(r, (__u32)slot - 1), key, r->key_size)))
			return i;
	}
}

/* The row of key and, in *at, its slot. */
static void *rows_get(struct xc_rows *r, const void *key, size_t h, size_t *at)
{
	size_t i = rows_probe(r, key, h);
	void *row;

	*at = i;
	if (r->slots[i])
		return row_at(r, (__u32)r->slots[i] - 1);
	if (r->n == r->max)
		return NULL;
	row = row_at(r, r->n);
	memset(row, 0, r->row_size);
	memcpy(row, key, r->key_size);
	r->slots[i] = slot_of(h, r->n++);
	return row;
}

void *xc_rows_get_hashed(struct xc_rows *r, const void *key, size_t h)
{
	size_t at;

	return rows_get(r, key, h, &at);
}

void *xc_rows_get(struct xc_rows *r, const void *key)
{
	return xc_rows_get_hashed(r, key, xc_rows_hash(r, key));
}

const void *xc_rows_find(const struct xc_rows *r, const void *key)
{
	size_t i = rows_probe(r, key, xc_rows_hash(r, key));

	return r->slots[i] ? row_at(r, (__u32)r->slots[i] - 1) : NULL;
}

void *xc_rows_next(const struct xc_rows *r, size_t *i)
{
	return *i < r->n ? row_at(r, (*i)++) : NULL;
}

/*
 * Take back the row created last, in slot at. That slot is the last one its
 * probe took, so freeing it leaves every other key's probe sequence as it was.
 */
static void rows_pop(struct xc_rows *r, size_t at)
{
	r->slots[at] = 0;
	r->n--;
}

int xc_flowtab_init(struct xc_flowtab *t, size_t flows, size_t sources)
{
	int err;

	memset(t, 0, sizeof(*t));
	err = xc_rows_init(&t->flows, flows, sizeof(struct xc_flow), sizeof(struct xc_flow_key));
	err = err ?: xc_rows_init(&t->sources, sources, sizeof(struct xc_source),
				  sizeof(struct xc_addr));
	err = err ?: xc_rows_init(&t->by_src, flows + sources, sizeof(struct xc_source),
				  sizeof(struct xc_addr));
	t->ports = calloc(XC_PORT_ROWS, sizeof(*t->ports));
	if (!err && !t->ports)
		err = -ENOMEM;
	if (err)
		xc_flowtab_free(t);
	return err;
}

void xc_flowtab_free(struct xc_flowtab *t)
{
	xc_rows_free(&t->flows);
	xc_rows_free(&t->sources);
	xc_rows_free(&t->by_src);
	free(t->ports);
	t->ports = NULL;
}

void xc_flowtab_clear(struct xc_flowtab *t)
{
	xc_rows_clear(&t->flows);
	xc_rows_clear(&t->sources);
	memset(t->ports, 0, XC_PORT_ROWS * sizeof(*t->ports));
	memset(&t->folded, 0, sizeof(t->folded));
	memset(&t->other, 0, sizeof(t->other));
}

int xc_port_row(__u8 proto, __u16 dport)
{
	if (proto == IPPROTO_TCP)
		return dport;
	if (proto == IPPROTO_UDP)
		return 65536 + dport;
	return -1;
}

static void pb_add(struct xc_pb *pb, const struct xc_flow_ent *e)
{
	pb->packets += e->packets;
	pb->bytes += e->bytes;
}

/* Earliest first_seen, latest last_seen; 0 is "never". */
static void flow_add(struct xc_flow_val *v, const struct xc_flow_ent *e)
{
	v->packets += e->packets;
	v->bytes += e->bytes;
	if (e->first_seen && (!v->first_seen || e->first_seen < v->first_seen))
		v->first_seen = e->first_seen;
	if (e->last_seen > v->last_seen)
		v->last_seen = e->last_seen;
}

/* Where an entry may count: the hashes of its flow and source keys. */
struct hashed {
	size_t flow, source;
};

/* Hash an entry's keys and prefetch what counting it will touch. */
static void flowtab_prefetch(const struct xc_flowtab *t, const struct xc_flow_ent *e,
			     struct hashed *h)
{
	int port = xc_port_row(e->key.proto, e->key.dport);

	h->source = xc_rows_hash(&t->sources, &e->key.src);
	if (e->key.kind == XC_KEY_FLOW) {
		h->flow = xc_rows_hash(&t->flows, &e->key);
		xc_rows_prefetch(&t->flows, h->flow);
		if (port >= 0)
			__builtin_prefetch(&t->ports[port]);
		if (t->flows.n < t->flows.max)
			return;
	}
	xc_rows_prefetch(&t->sources, h->source);
}

/* The rows an entry counts in: its flow's, else its source's, else none (other). */
static void flowtab_add(struct xc_flowtab *t, const struct xc_flow_ent *e,
			const struct hashed *h, struct xc_flowtab_undo *u)
{
	size_t n;

	u->flow = NULL;
	u->source = NULL;
	u->port = -1;
	u->pb = (struct xc_pb){ e->packets, e->bytes };
	if (e->key.kind == XC_KEY_FLOW) {
		u->port = xc_port_row(e->key.proto, e->key.dport);
		if (u->port >= 0)
			pb_add(&t->ports[u->port], e);
		n = t->flows.n;
		u->flow = rows_get(&t->flows, &e->key, h->flow, &u->flow_slot);
		if (u->flow) {
			u->flow_created = t->flows.n != n;
			u->flow_was = u->flow->val;
			flow_add(&u->flow->val, e);
			return;
		}
		pb_add(&t->folded, e);
	}
	n = t->sources.n;
	u->source = rows_get(&t->sources, &e->key.src, h->source, &u->source_slot);
	if (u->source) {
		u->source_created = t->sources.n != n;
		u->source_was = u->source->pb;
		pb_add(&u->source->pb, e);
	} else {
		pb_add(&t->other, e);
	}
}

/* How many entries ahead of the one counted are hashed and prefetched. */
#define XC_AHEAD 8

/* Count e[0..n), each logged in u[i] when u is not NULL. */
static void flowtab_add_many(struct xc_flowtab *t, const struct xc_flow_ent *e, size_t n,
			     struct xc_flowtab_undo *u)
{
	struct hashed h[XC_AHEAD];
	struct xc_flowtab_undo scratch;

	for (size_t i = 0; i < n + XC_AHEAD; i++) {
		if (i >= XC_AHEAD) {
			size_t j = i - XC_AHEAD;

			flowtab_add(t, &e[j], &h[j % XC_AHEAD], u ? &u[j] : &scratch);
		}
		if (i < n)
			flowtab_prefetch(t, &e[i], &h[i % XC_AHEAD]);
	}
}

void xc_flowtab_add(struct xc_flowtab *t, const struct xc_flow_ent *e, size_t n)
{
	flowtab_add_many(t, e, n, NULL);
}

/* Add the packets at pb_off of n rows to the by_src row of the address at addr_off. */
static void sources_add(struct xc_rows *by_src, const void *rows, size_t n, size_t row_size,
			size_t addr_off, size_t pb_off)
{
	size_t h[XC_AHEAD];

	for (size_t i = 0; i < n + XC_AHEAD; i++) {
		const char *row;
		struct xc_source *e;
		struct xc_pb pb;

		if (i >= XC_AHEAD) {
			row = (const char *)rows + (i - XC_AHEAD) * row_size;
			e = xc_rows_get_hashed(by_src, row + addr_off, h[i % XC_AHEAD]);
			memcpy(&pb, row + pb_off, sizeof(pb));
			e->pb.packets += pb.packets; /* by_src is sized for every row */
			e->pb.bytes += pb.bytes;
		}
		if (i < n) {
			row = (const char *)rows + i * row_size;
			h[i % XC_AHEAD] = xc_rows_hash(by_src, row + addr_off);
			xc_rows_prefetch(by_src, h[i % XC_AHEAD]);
		}
	}
}

const struct xc_rows *xc_flowtab_sources(struct xc_flowtab *t)
{
	xc_rows_clear(&t->by_src);
	sources_add(&t->by_src, t->flows.rows, t->flows.n, sizeof(struct xc_flow),
		    offsetof(struct xc_flow, key.src), offsetof(struct xc_flow, val.packets));
	sources_add(&t->by_src, t->sources.rows, t->sources.n, sizeof(struct xc_source),
		    offsetof(struct xc_source, addr), offsetof(struct xc_source, pb));
	return &t->by_src;
}

void xc_flowtab_log_start(const struct xc_flowtab *t, struct xc_flowtab_log *log)
{
	log->n = 0;
	log->folded = t->folded;
	log->other = t->other;
}

int xc_flowtab_add_logged(struct xc_flowtab *t, const struct xc_flow_ent *e, size_t n,
			  struct xc_flowtab_log *log)
{
	if (log->n + n > log->cap) {
		size_t cap = log->cap ? log->cap : 4096;
		struct xc_flowtab_undo *v;

		while (cap < log->n + n)
			cap *= 2;
		v = realloc(log->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		log->v = v;
		log->cap = cap;
	}
	flowtab_add_many(t, e, n, &log->v[log->n]);
	log->n += n;
	return 0;
}

void xc_flowtab_undo(struct xc_flowtab *t, struct xc_flowtab_log *log)
{
	while (log->n) {
		const struct xc_flowtab_undo *u = &log->v[--log->n];

		if (u->port >= 0) {
			t->ports[u->port].packets -= u->pb.packets;
			t->ports[u->port].bytes -= u->pb.bytes;
		}
		if (u->flow && u->flow_created)
			rows_pop(&t->flows, u->flow_slot);
		else if (u->flow)
			u->flow->val = u->flow_was;
		if (u->source && u->source_created)
			rows_pop(&t->sources, u->source_slot);
		else if (u->source)
			u->source->pb = u->source_was;
	}
	t->folded = log->folded;
	t->other = log->other;
}
