// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A small HTTP server for GET /metrics, in its own thread. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <stdbool.h>
#include "httpd.h"

#define REQUEST_MAX 8192
#define CLIENT_TIMEOUT_S 2

struct metrics_server {
	int listen_fd;
	int wake[2]; /* written once to stop the thread */
	pthread_t thread;
	pthread_mutex_t lock;
	char *text;
	size_t len;
};

/* [ADDR:]PORT, ADDR in brackets when it is IPv6. */
static int split_spec(const char *spec, char *host, size_t hlen, char *port, size_t plen)
{
	const char *colon = strrchr(spec, ':');
	const char *p = colon ? colon + 1 : spec;
	char *end;
	long v;

	snprintf(host, hlen, "127.0.0.1");
	if (colon && colon > spec) {
		size_t n = (size_t)(colon - spec);

		if (spec[0] == '[' && colon[-1] == ']') {
			spec++;
			n -= 2;
		}
		if (n == 0 || n >= hlen)
			return -EINVAL;
		memcpy(host, spec, n);
		host[n] = '\0';
	}
	errno = 0;
	v = strtol(p, &end, 10);
	if (errno || end == p || *end || v < 0 || v > 65535)
		return -EINVAL;
	snprintf(port, plen, "%ld", v);
	return 0;
}

static int listen_on(const char *host, const char *port)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_PASSIVE | AI_NUMERICSERV,
	}, *res, *ai;
	int fd = -1, err = -EADDRNOTAVAIL, one = 1;

	if (getaddrinfo(host, port, &hints, &res))
		return -EADDRNOTAVAIL;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			err = -errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (!bind(fd, ai->ai_addr, ai->ai_addrlen) && !listen(fd, 16))
			break;
		err = -errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd >= 0 ? fd : err;
}

static void say_where(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[NI_MAXHOST], port[NI_MAXSERV];

	if (getsockname(fd, (struct sockaddr *)&ss, &len) ||
	    getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), port,
			sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV))
		return;
	fprintf(stderr, "xdpcount: serving metrics at http://%s%s%s:%s/metrics\n",
		ss.ss_family == AF_INET6 ? "[" : "", host,
		ss.ss_family == AF_INET6 ? "]" : "", port);
}

static int send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void respond(int fd, const char *status, const char *type,
		    const char *body, size_t len, bool head)
{
	char hdr[256];
	int n = snprintf(hdr, sizeof(hdr),
			 "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			 "%sConnection: close\r\n\r\n", status, type, len,
			 strncmp(status, "405", 3) ? "" : "Allow: GET, HEAD\r\n");

	if (send_all(fd, hdr, (size_t)n) == 0 && !head)
		send_all(fd, body, len);
}

/* Read up to the end of the request head; false on timeout or garbage. */
static bool read_request(int fd, char *req, size_t cap)
{
	size_t len = 0;

	while (len < cap - 1) {
		ssize_t n = recv(fd, req + len, cap - 1 - len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		len += (size_t)n;
		req[len] = '\0';
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			return true;
	}
	return false;
}

static void serve_metrics(struct metrics_server *m, int fd, bool head)
{
	char *copy;
	size_t len;

	pthread_mutex_lock(&m->lock);
	len = m->len;
	copy = malloc(len ? len : 1);
	if (copy)
		memcpy(copy, m->text, len);
	pthread_mutex_unlock(&m->lock);
	if (!copy) {
		respond(fd, "503 Service Unavailable", "text/plain", "", 0, head);
		return;
	}
	respond(fd, "200 OK", "text/plain; version=0.0.4; charset=utf-8", copy, len, head);
	free(copy);
}

static void handle(struct metrics_server *m, int fd)
{
	static const char not_found[] = "not found: the metrics are at /metrics\n";
	struct timeval tv = { .tv_sec = CLIENT_TIMEOUT_S };
	char req[REQUEST_MAX], method[16], path[256];
	bool head;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (!read_request(fd, req, sizeof(req)) ||
	    sscanf(req, "%15s %255s", method, path) != 2) {
		respond(fd, "400 Bad Request", "text/plain", "", 0, false);
		return;
	}
	head = !strcmp(method, "HEAD");
	if (!head && strcmp(method, "GET"))
		respond(fd, "405 Method Not Allowed", "text/plain", "", 0, false);
	else if (!strcmp(path, "/metrics") || !strncmp(path, "/metrics?", 9))
		serve_metrics(m, fd, head);
	else
		respond(fd, "404 Not Found", "text/plain", not_found,
			sizeof(not_found) - 1, head);
}

static void *serve(void *arg)
{
	struct metrics_server *m = arg;
	struct pollfd p[2] = {
		{ .fd = m->listen_fd, .events = POLLIN },
		{ .fd = m->wake[0], .events = POLLIN },
	};

	for (;;) {
		int fd;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		if (!(p[0].revents & POLLIN))
			continue;
		fd = accept4(m->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		handle(m, fd);
		close(fd);
	}
	return NULL;
}

static void server_free(struct metrics_server *m)
{
	if (m->listen_fd >= 0)
		close(m->listen_fd);
	if (m->wake[0] >= 0)
		close(m->wake[0]);
	if (m->wake[1] >= 0)
		close(m->wake[1]);
	pthread_mutex_destroy(&m->lock);
	free(m->text);
	free(m);
}

int metrics_server_start(const char *spec, struct metrics_server **out)
{
	char host[256], port[8];
	struct metrics_server *m;
	sigset_t all, old;
	int err;

	if (split_spec(spec, host, sizeof(host), port, sizeof(port)))
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->wake[0] = m->wake[1] = -1;
	pthread_mutex_init(&m->lock, NULL);
	m->listen_fd = listen_on(host, port);
	if (m->listen_fd < 0) {
		err = m->listen_fd;
		fprintf(stderr, "xdpcount: cannot serve metrics on %s: %s\n", spec,
			strerror(-err));
		server_free(m);
		return err;
	}
	if (pipe2(m->wake, O_CLOEXEC)) {
		err = -errno;
		server_free(m);
		return err;
	}
	/* Signals are for the main thread: the server thread blocks them all. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = -pthread_create(&m->thread, NULL, serve, m);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		server_free(m);
		return err;
	}
	say_where(m->listen_fd);
	*out = m;
	return 0;
}

void metrics_server_publish(struct metrics_server *m, char *text, size_t len)
{
	char *old;

	pthread_mutex_lock(&m->lock);
	old = m->text;
	m->text = text;
	m->len = len;
	pthread_mutex_unlock(&m->lock);
	free(old);
}

void metrics_server_stop(struct metrics_server *m)
{
	if (!m)
		return;
	if (write(m->wake[1], "x", 1) == 1)
		pthread_join(m->thread, NULL);
	server_free(m);
}

int metrics_spec_check(const char *spec)
{
	char host[256], port[8];

	return split_spec(spec, host, sizeof(host), port, sizeof(port));
}
