/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Our own check of the bytes a client sends, where libmicrohttpd 0.9.75 is
 * lenient: it reads headers as C strings (a NUL cuts them short) and skips
 * extra spaces in the request line. The stream must be a sequence of request
 * heads without bodies: "METHOD /target HTTP/1.x", header lines, an empty line.
 */
#ifndef XDPCOUNT_REQCHECK_H
#define XDPCOUNT_REQCHECK_H

#include <stdbool.h>
#include <stddef.h>

struct reqcheck {
	int state;
	int n;    /* characters into the method or version */
	bool bad; /* for good: nothing after a bad byte is trusted */
};

/* Check the next bytes of the stream; false once it is bad. */
bool reqcheck_feed(struct reqcheck *r, const char *buf, size_t len);

#endif /* XDPCOUNT_REQCHECK_H */
