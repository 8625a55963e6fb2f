/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The metrics endpoint: GET /metrics with the text published last (libmicrohttpd). */
#ifndef XDPCOUNT_HTTPD_H
#define XDPCOUNT_HTTPD_H

#include <stddef.h>

struct metrics_server;

/*
 * Listen on [ADDR:]PORT (ADDR default 127.0.0.1, [v6] in brackets, PORT 0:
 * any free port), with privileges still at hand; says where on stderr.
 * Nothing is served before metrics_server_start. Returns 0, -EINVAL for a
 * bad spec, or another -errno with a message printed.
 */
int metrics_server_open(const char *spec, struct metrics_server **out);
/* Serve from a thread of its own, which takes no signals. 0 or -errno. */
int metrics_server_start(struct metrics_server *m);
/* 0 when spec is a well-formed [ADDR:]PORT, else -EINVAL. */
int metrics_spec_check(const char *spec);
/* Serve this text from now on; the server takes ownership of it. */
void metrics_server_publish(struct metrics_server *m, char *text, size_t len);
/* Close every connection and the socket; NULL is fine. */
void metrics_server_stop(struct metrics_server *m);

#endif /* XDPCOUNT_HTTPD_H */
