// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Bounded rows of exported flow cache entries: flows, else sources, else other. */
#include <errno.h>
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
	r->rows = malloc(slots * row_size);
	r->used = calloc(slots, 1);
	if (!r->rows || !r->used) {
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
	free(r->used);
	r->rows = NULL;
	r->used = NULL;
}

/* Keys are whole words (16 or 40 bytes); each mixed in, then murmur3's finalizer. */
static size_t key_hash(const void *key, size_t len)
{
	__u64 h = len, w;

	for (size_t i = 0; i + 8 <= len; i += 8) {
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

void *xc_rows_get(struct xc_rows *r, const void *key)
{
	size_t i = key_hash(key, r->key_size) & r->mask;

	for (;; i = (i + 1) & r->mask) {
		char *row = (char *)r->rows + i * r->row_size;

		if (!r->used[i]) {
			if (r->n == r->max)
				return NULL;
			r->used[i] = 1;
			r->n++;
			memset(row, 0, r->row_size);
			memcpy(row, key, r->key_size);
			return row;
		}
		if (!memcmp(row, key, r->key_size))
			return row;
	}
}

void *xc_rows_next(const struct xc_rows *r, size_t *i)
{
	for (; *i <= r->mask; (*i)++)
		if (r->used[*i])
			return (char *)r->rows + (*i)++ * r->row_size;
	return NULL;
}

int xc_flowtab_init(struct xc_flowtab *t, size_t flows, size_t sources)
{
	int err;

	memset(t, 0, sizeof(*t));
	err = xc_rows_init(&t->flows, flows, sizeof(struct xc_flow), sizeof(struct xc_flow_key));
	err = err ?: xc_rows_init(&t->sources, sources, sizeof(struct xc_source),
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
	free(t->ports);
	t->ports = NULL;
}

void xc_flowtab_clear(struct xc_flowtab *t)
{
	memset(t->flows.used, 0, t->flows.mask + 1);
	memset(t->sources.used, 0, t->sources.mask + 1);
	t->flows.n = t->sources.n = 0;
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

/* The rows an entry counts in: its flow's, else its source's, else none (other). */
static void flowtab_add(struct xc_flowtab *t, const struct xc_flow_ent *e,
			struct xc_flowtab_undo *u)
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
		u->flow = xc_rows_get(&t->flows, &e->key);
		if (u->flow) {
			u->flow_created = t->flows.n != n;
			u->flow_was = u->flow->val;
			flow_add(&u->flow->val, e);
			return;
		}
		pb_add(&t->folded, e);
	}
	n = t->sources.n;
	u->source = xc_rows_get(&t->sources, &e->key.src);
	if (u->source) {
		u->source_created = t->sources.n != n;
		u->source_was = u->source->pb;
		pb_add(&u->source->pb, e);
	} else {
		pb_add(&t->other, e);
	}
}

void xc_flowtab_add(struct xc_flowtab *t, const struct xc_flow_ent *e)
{
	struct xc_flowtab_undo u;

	flowtab_add(t, e, &u);
}

void xc_flowtab_log_start(const struct xc_flowtab *t, struct xc_flowtab_log *log)
{
	log->n = 0;
	log->folded = t->folded;
	log->other = t->other;
}

int xc_flowtab_add_logged(struct xc_flowtab *t, const struct xc_flow_ent *e,
			  struct xc_flowtab_log *log)
{
	if (log->n == log->cap) {
		size_t cap = log->cap ? 2 * log->cap : 4096;
		struct xc_flowtab_undo *v = realloc(log->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		log->v = v;
		log->cap = cap;
	}
	flowtab_add(t, e, &log->v[log->n++]);
	return 0;
}

/* Free the slot of the row added last: its probe sequence is nobody else's path. */
static void rows_unget(struct xc_rows *r, const void *row)
{
	size_t i = (size_t)((const char *)row - (const char *)r->rows) / r->row_size;

	r->used[i] = 0;
	r->n--;
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
			rows_unget(&t->flows, u->flow);
		else if (u->flow)
			u->flow->val = u->flow_was;
		if (u->source && u->source_created)
			rows_unget(&t->sources, u->source);
		else if (u->source)
			u->source->pb = u->source_was;
	}
	t->folded = log->folded;
	t->other = log->other;
}
