/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The refreshing terminal view: alternate screen, raw keys, one write a frame. */
#ifndef XDPCOUNT_TTY_H
#define XDPCOUNT_TTY_H

#include <stdbool.h>
#include <stddef.h>
#include <termios.h>

struct lines;

struct tty {
	int out_fd, in_fd;  /* in_fd: -1 when stdin is not a terminal */
	bool open;
	bool suspended;     /* open, but the terminal is given back while stopped */
	bool saved_termios;
	struct termios saved;
};


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
/* The keys typed since the last call (what is waiting on in_fd), at most len. */
size_t tty_keys(struct tty *t, char *keys, size_t len);

#endif /* XDPCOUNT_TTY_H */
