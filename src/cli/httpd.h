/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The metrics endpoint: GET /metrics with the text published last. */
#ifndef XDPCOUNT_HTTPD_H
#define XDPCOUNT_HTTPD_H

#include <stddef.h>

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

#endif /* XDPCOUNT_HTTPD_H */
