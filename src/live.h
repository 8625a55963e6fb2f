/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Live counting: what the loop (live.c), its views and its metrics server share. */
#ifndef XDPCOUNT_LIVE_H
#define XDPCOUNT_LIVE_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <termios.h>
#include <time.h>
#include <json-c/json.h>
#include "cli.h"
#include "output.h"

struct tty {
	int out_fd, in_fd;  /* in_fd: -1 when stdin is not a terminal */
	bool open;
	bool suspended;     /* open, but the terminal is given back while stopped */
	bool saved_termios;
	struct termios saved;
};

struct live_iface {
	char name[IF_NAMESIZE];
	int ifindex;
	enum xc_mode mode;       /* the mode that took */
	bool attached;
	bool lost;               /* it disappeared while counting */
	struct xc_ifstats kbase; /* the kernel's counters when counting began */
	struct xc_ifstats kprev; /* at the update before */
	struct xc_ifstats kcur;  /* at this update; the last seen once lost */
};

struct live {
	const struct xc_cli *cli;
	struct xc_counter *xc;
	struct live_iface ifs[XC_MAX_ATTACH];
	int n_ifs;
	struct xc_snapshot prev; /* the update before (empty before the first) */
	struct xc_snapshot cur;  /* this update */
	__u64 start_ns;          /* CLOCK_MONOTONIC when counting began */
	struct timespec wall;    /* the wall clock of cur */
	long updates;            /* updates shown so far, this one included */
	bool final;              /* this update is the last: the links are gone */
	struct tty tty;          /* the terminal view, when it is open */
};

/* ---- view.c: what an update shows ---- */

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

/* ---- tty.c: the refreshing terminal view ---- */

/* Switch to the alternate screen, hide the cursor, stop echoing keys. */
int tty_open(struct tty *t);
/* Draw a frame in one write, each line cut to the width, nothing scrolled. */
int tty_draw(struct tty *t, const struct lines *l);
/* Give the terminal back as it was. Safe to call twice, or when suspended. */
void tty_close(struct tty *t);
/* Give the terminal back for a while (job control stop); the view stays open. */
void tty_suspend(struct tty *t);
/* Take it again after tty_suspend, as tty_open did; the caller redraws. */
int tty_resume(struct tty *t);
/* The terminal's columns and rows (80x24 when it cannot tell). */
void tty_size(const struct tty *t, int *cols, int *rows);
/* Whether a quit key ('q') was typed; reads what is waiting on in_fd. */
bool tty_quit_key(struct tty *t);

/* ---- httpd.c: GET /metrics ---- */

struct metrics_server;

/*
 * Listen on [ADDR:]PORT (ADDR default 127.0.0.1, [v6] in brackets, PORT 0:
 * any free port) and serve the text published last. Says where on stderr.
 * Returns 0, -EINVAL for a bad spec, or another -errno with a message printed.
 */
int metrics_server_start(const char *spec, struct metrics_server **out);
/* 0 when spec is a well-formed [ADDR:]PORT, else -EINVAL. */
int metrics_spec_check(const char *spec);
/* Serve this text from now on; the server takes ownership of it. */
void metrics_server_publish(struct metrics_server *m, char *text, size_t len);
void metrics_server_stop(struct metrics_server *m);

#endif /* XDPCOUNT_LIVE_H */
