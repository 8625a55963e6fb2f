/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A small HTTP client, enough to read the metrics endpoint from a test namespace. */
#ifndef XDPCOUNT_HTTP_H
#define XDPCOUNT_HTTP_H

#include <stdbool.h>

/*
 * GET http://addr:port/path from inside ns. Returns the status (-errno when
 * it cannot connect); head (optional) and body malloc'ed.
 */
int xt_http_get(const char *ns, const char *addr, int port, const char *path,
		char **head, char **body);

struct xt_bg;

/* Wait until a CLI run with --prometheus ADDR:0 counts; returns the port it says. */
int xt_metrics_port(struct xt_bg *cli);
/* The value of one series, exactly as written ("name{labels}"); false when absent. */
bool xt_prom_sample(const char *text, const char *series, unsigned long long *v);

#endif /* XDPCOUNT_HTTP_H */
