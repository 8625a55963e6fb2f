// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A small HTTP client for the metrics endpoint. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "checks.h"
#include "http.h"
#include "sockets.h"
#include "testnet.h"

int xt_http_get(const char *ns, const char *addr, int port, const char *path,
		char **head, char **body)
{
	struct sockaddr_storage ss;
	socklen_t len = xt_sockaddr(addr, (__u16)port, &ss);
	struct timeval tv = { .tv_sec = 5 };
	size_t cap = 1 << 16, got = 0;
	char req[512], *buf, *start;
	int saved = xt_net_enter_or_fail(ns), fd, status = 0;

	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	xt_net_leave_or_fail(saved);
	cr_assert(fd >= 0, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	*body = NULL;
	if (head)
		*head = NULL;
	if (connect(fd, (struct sockaddr *)&ss, len)) {
		status = -errno;
		close(fd);
		return status;
	}
	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s:%d\r\n"
		 "Connection: close\r\n\r\n", path, addr, port);
	XT_ASSERT_EQ(send(fd, req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req),
		     "sending the request: %s", strerror(errno));
	buf = malloc(cap);
	cr_assert(buf, "out of memory");
	for (;;) {
		ssize_t n;

		if (got + 1 == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			cr_assert(buf, "out of memory");
		}
		n = recv(fd, buf + got, cap - 1 - got, 0);
		cr_assert(n >= 0, "reading the response: %s", strerror(errno));
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	sscanf(buf, "HTTP/1.%*d %d", &status);
	start = strstr(buf, "\r\n\r\n");
	*body = strdup(start ? start + 4 : "");
	if (head)
		*head = strndup(buf, start ? (size_t)(start - buf) : got);
	free(buf);
	return status;
}
