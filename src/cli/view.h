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
