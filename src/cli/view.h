/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What an update shows: the text lines of the view and the JSON line. */
#ifndef XDPCOUNT_VIEW_H
#define XDPCOUNT_VIEW_H

#include <stddef.h>
#include <json-c/json.h>
#include "live.h"

/* A frame of text: one string per line, without newlines. */
struct lines {
	char **v;
	size_t n, cap;
};

void lines_add(struct lines *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void lines_free(struct lines *l);

/* What one readable frame is drawn from: its rates and the room it has. */
struct frame {
	const struct live *lv;
	const struct xc_snapshot *from; /* lv->prev; the start, for the final averages */
	struct xc_snapshot start;       /* nothing counted yet, at start_ns */
	struct xc_rates r;              /* the totals', from `from` to lv->cur */
	struct xc_entry_rates er;       /* each top-list entry's, likewise */
	int width, height;              /* 0: unbounded */
	bool compact;                   /* no gaps, no rows that saw nothing */
};

/* Number cells: grouped packets, decimal bytes and rates, bit/s or B/s. */
struct cells {
	char pk[32], by[16], pps[16], rate[16];
};

void fill_cells(const struct frame *fr, struct cells *c, const struct xc_pb *pb,
		const struct xc_rate *r);
/* "bit/s", or "B/s" when the rates are in bytes. */
const char *rate_label(const struct frame *fr);
/* Whether the program counts feature f (enum xc_feature). */
bool feature_on(const struct live *lv, __u32 f);

/* The three top lists (toplists.c): sources, destination ports, flows. */
#define TOP_LISTS 3
/*
 * Share `budget` rows among the lists' entries, none more than --top; false
 * when a list then shows fewer than 3 (or --top) of the entries it has.
 */
bool top_rows(const struct frame *fr, long budget, size_t rows[TOP_LISTS]);
/* The lists, rows[i] entries of list i at most, with their headings. */
void top_lists(struct lines *out, const struct frame *fr, const size_t rows[TOP_LISTS]);

/* The interfaces with their counters in lv->cur; rows holds n_ifs entries. */
void live_rows(const struct live *lv, struct xc_view_iface *rows);

/*
 * The readable view of an update; width and height bound it (0: unbounded,
 * and each top list is --top long), so that it fits a terminal.
 */
void live_lines(const struct live *lv, struct lines *out, int width, int height);

/* One JSON line: the offline keys, then interface, time, interval, rates, drops. */
struct json_object *live_json(const struct live *lv);

#endif /* XDPCOUNT_VIEW_H */
