/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A small HTTP client, enough to read the metrics endpoint from a test namespace. */
#ifndef XDPCOUNT_HTTP_H
#define XDPCOUNT_HTTP_H

/*
 * GET http://addr:port/path from inside ns. Returns the status (-errno when
 * it cannot connect); head (optional) and body malloc'ed.
 */
int xt_http_get(const char *ns, const char *addr, int port, const char *path,
		char **head, char **body);

#endif /* XDPCOUNT_HTTP_H */
