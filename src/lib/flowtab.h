/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The user-space rows of the flow cache's entries, bounded: flows up to their
 * capacity, then sources, then one `other` row; ports always exact. The
 * library aggregates exported entries here, and a snapshot adds the cache's
 * live entries to a copy.
 */
#ifndef XDPCOUNT_FLOWTAB_H
#define XDPCOUNT_FLOWTAB_H

#include <stdbool.h>
#include <stddef.h>
#include "snapshot.h"

/*
 * A bounded hash of fixed-size rows, each starting with its key: the rows in
 * the order they were created, and an open-addressing index of slots, each 0
 * (free) or the top half of its key's hash above its row's number + 1. A
 * lookup reads the slots (a fraction of the rows' bytes) and only the row
 * whose hash matches; the rows are read and copied in one sequential pass.
 */
struct xc_rows {
	void *rows;   /* max rows of row_size; the first n used */
	__u64 *slots; /* mask + 1 */
	size_t row_size;
	size_t key_size; /* a multiple of 8 */
	size_t mask;  /* slots - 1: at least twice the capacity, a power of two */
	size_t n;
	size_t max;
};

#define XC_PORT_ROWS (2 * 65536) /* TCP, then UDP, by destination port */

struct xc_flowtab {
	struct xc_rows flows;    /* struct xc_flow, times in jiffies */
	struct xc_rows sources;  /* struct xc_source: source-only entries, folded flows */
	struct xc_pb *ports;     /* XC_PORT_ROWS */
	struct xc_pb folded;     /* flows counted in their source's row: flows full */
	struct xc_pb other;      /* in no source row either: sources full too */
	struct xc_rows by_src;   /* a snapshot's scratch: every source's sum */
};

/* What one xc_flowtab_add changed, so that it can be taken back. */
struct xc_flowtab_undo {
	struct xc_flow *flow;     /* the flow row it counted in, or NULL */
	struct xc_source *source; /* the source row, or NULL */
	bool flow_created, source_created;
	size_t flow_slot, source_slot; /* the rows' slots */
	struct xc_flow_val flow_was;
	struct xc_pb source_was;
	int port;                 /* the port row, or -1 */
	struct xc_pb pb;
};

/* Undo records of a snapshot's live entries, and the totals before them. */
struct xc_flowtab_log {
	struct xc_flowtab_undo *v;
	size_t n, cap;
	struct xc_pb folded, other;
};

int xc_flowtab_init(struct xc_flowtab *t, size_t flows, size_t sources);
void xc_flowtab_free(struct xc_flowtab *t);
void xc_flowtab_clear(struct xc_flowtab *t);
/* Count n entries (or export records); each lands in exactly one row. */
void xc_flowtab_add(struct xc_flowtab *t, const struct xc_flow_ent *e, size_t n);
/*
 * The same, logged: a snapshot adds the cache's live entries, reads the rows,
 * then takes them back out, newest first, which leaves the table exactly as
 * it was (a row created last is the last to have claimed its slot).
 */
void xc_flowtab_log_start(const struct xc_flowtab *t, struct xc_flowtab_log *log);
int xc_flowtab_add_logged(struct xc_flowtab *t, const struct xc_flow_ent *e, size_t n,
			  struct xc_flowtab_log *log);
void xc_flowtab_undo(struct xc_flowtab *t, struct xc_flowtab_log *log);
/*
 * Every source's sum, in t->by_src: its own row and its flows' rows. Valid
 * until the table next changes.
 */
const struct xc_rows *xc_flowtab_sources(struct xc_flowtab *t);

/* Iterate the used rows, oldest first: for (i = 0; (row = xc_rows_next(r, &i));) */
void *xc_rows_next(const struct xc_rows *r, size_t *i);
int xc_rows_init(struct xc_rows *r, size_t max, size_t row_size, size_t key_size);
void xc_rows_free(struct xc_rows *r);
void xc_rows_clear(struct xc_rows *r);
/* The row of key, created zeroed but for the key; NULL when full. */
void *xc_rows_get(struct xc_rows *r, const void *key);
/* The row of key; NULL when it has none. */
const void *xc_rows_find(const struct xc_rows *r, const void *key);
/*
 * The same in two steps, for a batch of keys: hash each and prefetch its
 * slot some keys ahead of getting it, so the batch's cache misses overlap.
 */
size_t xc_rows_hash(const struct xc_rows *r, const void *key);
void *xc_rows_get_hashed(struct xc_rows *r, const void *key, size_t h);
static inline void xc_rows_prefetch(const struct xc_rows *r, size_t h)
{
	__builtin_prefetch(&r->slots[h & r->mask]);
}

/* The port row of an exported flow; -1 for a protocol without ports. */
int xc_port_row(__u8 proto, __u16 dport);

#endif /* XDPCOUNT_FLOWTAB_H */
