/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The xdpcount binary as a user runs it: to its end, or counting in the
 * background inside a test namespace (ip netns exec). Each fails the test
 * when the CLI cannot be started; what it printed is checked by the caller.
 */
#ifndef XDPCOUNT_CLI_RUN_H
#define XDPCOUNT_CLI_RUN_H

#include <stdarg.h>
#include <stdbool.h>
#include "json.h"
#include "proc.h"

/* Loading the program and attaching: how long the CLI may take to start counting. */
#define XT_CLI_START_MS 15000
/* The --duration bound of every live run a test starts: it never outlives the test. */
#define XT_CLI_SAFETY "60"

/* What the live CLI tests send from B to A: UDP datagrams of one flow, and pings. */
#define XT_CLI_UDP_SPORT 40002
#define XT_CLI_UDP_DPORT 5002
#define XT_CLI_UDP_N 19
#define XT_CLI_UDP_LEN 64
#define XT_CLI_PINGS 9

/*
 * Run it to its end: inside ns (NULL: here), after a wrapper's words
 * (setpriv ..., or NULL), with lead's words (or NULL) and then args to NULL.
 */
void xt_cli_run_va(struct xt_proc *p, const char *ns, const char *const *wrapper,
		   const char *const *lead, const char *arg, va_list ap);
void xt_cli_run(struct xt_proc *p, const char *ns, const char *const *wrapper,
		const char *arg, ...) __attribute__((sentinel));
/* The same inside ns with --duration 5 first: should it count by mistake, it still ends. */
void xt_cli_run_bounded(struct xt_proc *p, const char *ns, const char *const *wrapper,
			const char *arg, ...) __attribute__((sentinel));

/* Start it in ns with args to NULL; returns once it says it counts. */
void xt_cli_start(struct xt_bg *bg, const char *ns, const char *arg, ...)
	__attribute__((sentinel));
/* Send sig, wait for the exit (at most 10 s), expect exit code want. */
void xt_cli_stop(struct xt_bg *bg, int sig, int want);

/* Its JSON lines so far; fails the test when there is none. */
void xt_cli_json_lines(const struct xt_bg *bg, struct xt_json_lines *l);
/* Wait until its last JSON line has path == want. */
bool xt_cli_wait_value(const struct xt_bg *bg, const char *path, long long want, int timeout_ms);

/* Its stdout is exactly one JSON object and a newline (an offline run); returns it. */
struct json_object *xt_cli_one_object(const char *what, const struct xt_proc *p);
/*
 * It failed as an offline run must: exit status, nothing on stdout, one line
 * on stderr that says says; usage: argp's second line, pointing to --help, follows.
 */
void xt_expect_cli_failure(const char *what, const struct xt_proc *p, int status,
			   const char *says, bool usage);

#endif /* XDPCOUNT_CLI_RUN_H */
