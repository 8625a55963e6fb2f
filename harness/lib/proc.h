/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Other programs (the CLI, the generator, tools): run to their end, or in the background. */
#ifndef XDPCOUNT_PROC_H
#define XDPCOUNT_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

struct xt_proc {
	int status;  /* exit code; -1 when it did not exit normally */
	char *out;   /* stdout, NUL-terminated */
	size_t out_len;
	char *err;   /* stderr, NUL-terminated */
};

/* Run argv (argv[0] a path, NULL-terminated) to its end; aborts the test if it cannot start. */
void xt_proc_run(const char *const argv[], struct xt_proc *p);
void xt_proc_free(struct xt_proc *p);
/* How many lines s holds (newlines). */
size_t xt_count_lines(const char *s);
/* All of a stream from its start, NUL-terminated, malloc'ed; NULL on error. */
char *xt_read_all(FILE *f, size_t *len);
/* The number a readable view prints at s, its thousands grouped ("1,234"). */
unsigned long long xt_grouped_number(const char *s);

struct xt_bg {
	pid_t pid;
	int out, err;  /* temporary files the program writes */
	int status;    /* exit code once reaped; -1 killed by a signal */
	int signal;    /* the signal that ended it, or 0 */
	bool reaped;
};

/* Run argv (NULL-terminated) in the background inside ns (NULL: here); it dies with the test. */
void xt_bg_start(struct xt_bg *bg, const char *ns, const char *const argv[]);
/* What it wrote so far, NUL-terminated, malloc'ed. */
char *xt_bg_out(const struct xt_bg *bg);
char *xt_bg_err(const struct xt_bg *bg);
/* Wait until its stderr holds needle; false when it exited or time ran out. */
bool xt_bg_wait_err(struct xt_bg *bg, const char *needle, int timeout_ms);
/* Wait for its exit (at most timeout_ms); false when it is still running. */
bool xt_bg_wait(struct xt_bg *bg, int timeout_ms);
void xt_bg_signal(const struct xt_bg *bg, int sig);
/* Kill it if it runs, reap it, close its files. Safe to call twice. */
void xt_bg_stop(struct xt_bg *bg);
/* xt_bg_stop on every program this test started, last first. */
void xt_bg_stop_all(void);

#endif /* XDPCOUNT_PROC_H */
