// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * GET /metrics with libmicrohttpd, driven from one thread of our own: MHD's
 * epoll set plus a sweep that enforces a whole-request deadline, which MHD's
 * own timeout (restarted by every read) does not.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <microhttpd.h>
#include "httpd.h"
#include "reqcheck.h"

/* Connections at once, and from any one address: a lone scraper always fits. */
#define CONN_MAX 1024
#define CONN_PER_ADDR 64
/* Request line and headers of one request must fit in this. */
#define CONN_MEMORY (16 * 1024)
/* From a connection's start or its last response to the end of the next one. */
#define DEADLINE_MS 5000
/* MHD's idle timeout, restarted by every read; the deadline bounds the rest. */
#define IDLE_TIMEOUT_S 5
#define SWEEP_MS 100
/* A bad stream MHD cannot answer (a head that never ends) is cut this soon. */
#define BAD_GRACE_MS 500
#define LISTEN_BACKLOG 4096
/* What the check reads of a connection's queue at once: more than a head may be. */
#define PEEK_MAX (2 * CONN_MEMORY)

/* One connection, from accept to close; all of them live in the server thread. */
struct conn {
	struct conn *next, **pprev;
	int fd;
	long long since_ms; /* start, or end of the last response */
	bool cut;
	unsigned long long checked; /* bytes of its stream the check has read */
	struct reqcheck check;
};

struct metrics_server {
	int listen_fd; /* ours until the daemon starts, then the daemon's */
	int wake[2];   /* written once to stop the thread */
	int check_ep;  /* epoll over the connections, for the check */
	struct MHD_Daemon *daemon;
	pthread_t thread;
	bool running;
	struct conn *conns;
	struct MHD_Response *not_found, *not_allowed, *bad_request, *bad_version;
	struct MHD_Response *unchecked;
	char peek[PEEK_MAX];
	pthread_mutex_t lock; /* guards metrics */
	struct MHD_Response *metrics; /* the last text published; NULL before */
};

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

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
	int fd = -1, err = -EADDRNOTAVAIL, one = 1, defer = DEADLINE_MS / 1000;

	if (getaddrinfo(host, port, &hints, &res))
		return -EADDRNOTAVAIL;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0) {
			err = -errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		/* Accepted once data came: the check sees a request before MHD reads it. */
		setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer, sizeof(defer));
		if (!bind(fd, ai->ai_addr, ai->ai_addrlen) && !listen(fd, LISTEN_BACKLOG))
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

/* Room for every connection and the program's own descriptors. */
static void raise_fd_limit(void)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) || r.rlim_cur >= CONN_MAX + 256)
		return;
	r.rlim_cur = r.rlim_max < CONN_MAX + 256 ? r.rlim_max : CONN_MAX + 256;
	setrlimit(RLIMIT_NOFILE, &r);
}

static struct MHD_Response *fixed_response(const char *text, const char *allow)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text,
								   MHD_RESPMEM_PERSISTENT);

	if (!r)
		return NULL;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	if (allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	return r;
}

static void server_free(struct metrics_server *m)
{
	struct MHD_Response *fixed[] = { m->not_found, m->not_allowed, m->bad_request,
					 m->bad_version, m->unchecked, m->metrics };

	if (m->daemon)
		MHD_stop_daemon(m->daemon); /* closes the listening socket too */
	else if (m->listen_fd >= 0)
		close(m->listen_fd);
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (fixed[i])
			MHD_destroy_response(fixed[i]);
	if (m->check_ep >= 0)
		close(m->check_ep);
	if (m->wake[0] >= 0)
		close(m->wake[0]);
	if (m->wake[1] >= 0)
		close(m->wake[1]);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

int metrics_server_open(const char *spec, struct metrics_server **out)
{
	char host[256], port[8];
	struct metrics_server *m;
	int err;

	if (split_spec(spec, host, sizeof(host), port, sizeof(port)))
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->wake[0] = m->wake[1] = -1;
	m->check_ep = epoll_create1(EPOLL_CLOEXEC);
	pthread_mutex_init(&m->lock, NULL);
	m->listen_fd = listen_on(host, port);
	if (m->listen_fd < 0) {
		err = m->listen_fd;
		fprintf(stderr, "xdpcount: cannot serve metrics on %s: %s\n", spec,
			strerror(-err));
		server_free(m);
		return err;
	}
	m->not_found = fixed_response("not found: the metrics are at /metrics\n", NULL);
	m->not_allowed = fixed_response("method not allowed: GET or HEAD\n", "GET, HEAD");
	m->bad_request = fixed_response("bad request\n", NULL);
	m->bad_version = fixed_response("HTTP/1.0 or HTTP/1.1 only\n", NULL);
	m->unchecked = fixed_response("the request could not be checked: try again\n", NULL);
	if (pipe2(m->wake, O_CLOEXEC) || m->check_ep < 0 || !m->not_found || !m->not_allowed ||
	    !m->bad_request || !m->bad_version || !m->unchecked) {
		server_free(m);
		return -ENOMEM;
	}
	raise_fd_limit();
	say_where(m->listen_fd);
	*out = m;
	return 0;
}

/* ---- the check of what each client sends ---- */

/* TCP states after the peer's FIN, which counts in bytes_received. */
#define TCP_STATE_TIME_WAIT 6
#define TCP_STATE_CLOSE_WAIT 8
#define TCP_STATE_LAST_ACK 9
#define TCP_STATE_CLOSING 11

/*
 * Bytes of the stream read from fd so far (by MHD: it alone reads), and those
 * queued. Only this thread reads, so an unchanged queue means no arrival between.
 */
static bool stream_position(int fd, unsigned long long *consumed, int *queued)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	int q1, q2;

	for (int tries = 0; tries < 8; tries++) {
		if (ioctl(fd, SIOCINQ, &q1) || getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) ||
		    ioctl(fd, SIOCINQ, &q2))
			return false;
		if (q1 == q2) {
			bool fin = ti.tcpi_state == TCP_STATE_CLOSE_WAIT ||
				   ti.tcpi_state == TCP_STATE_LAST_ACK ||
				   ti.tcpi_state == TCP_STATE_CLOSING ||
				   ti.tcpi_state == TCP_STATE_TIME_WAIT;

			*consumed = ti.tcpi_bytes_received - fin - (unsigned)q1;
			*queued = q1;
			return true;
		}
	}
	return false;
}

/* Run the check over what arrived since it last looked, before MHD reads it. */
static void check_arrivals(struct metrics_server *m, struct conn *k)
{
	unsigned long long at;
	ssize_t n;
	size_t skip;
	int queued;

	if (k->check.bad || !stream_position(k->fd, &at, &queued) || at > k->checked)
		return; /* already bad, or MHD read past the check: the request says so */
	skip = (size_t)(k->checked - at);
	if ((size_t)queued <= skip)
		return;
	n = recv(k->fd, m->peek, sizeof(m->peek), MSG_PEEK | MSG_DONTWAIT);
	if (n <= (ssize_t)skip)
		return;
	if (!reqcheck_feed(&k->check, m->peek + skip, (size_t)n - skip))
		k->since_ms = mono_ms() - DEADLINE_MS + BAD_GRACE_MS;
	k->checked = at + (unsigned long long)n;
}

static void check_ready(struct metrics_server *m)
{
	struct epoll_event ev[64];
	int n;

	do {
		n = epoll_wait(m->check_ep, ev, 64, 0);
		for (int i = 0; i < n; i++)
			check_arrivals(m, ev[i].data.ptr);
	} while (n == 64);
}

/* NULL when the request may be answered, else the refusal and its status. */
static struct MHD_Response *check_verdict(struct metrics_server *m, struct MHD_Connection *c,
					  unsigned int *status)
{
	const union MHD_ConnectionInfo *i =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn *k = i ? i->socket_context : NULL;
	unsigned long long at;
	int queued;

	*status = MHD_HTTP_BAD_REQUEST;
	if (k && k->check.bad)
		return m->bad_request;
	/* Bytes arrived between the check and MHD's read: unseen, so not served. */
	*status = MHD_HTTP_SERVICE_UNAVAILABLE;
	if (!k || !stream_position(k->fd, &at, &queued) || at > k->checked)
		return m->unchecked;
	return NULL;
}

/* ---- connections and their deadline ---- */

static void conn_add(struct metrics_server *m, struct conn *k)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.ptr = k };

	k->next = m->conns;
	k->pprev = &m->conns;
	if (m->conns)
		m->conns->pprev = &k->next;
	m->conns = k;
	epoll_ctl(m->check_ep, EPOLL_CTL_ADD, k->fd, &ev);
	check_arrivals(m, k); /* accepted after its first data came */
}

static void conn_remove(struct metrics_server *m, struct conn *k)
{
	epoll_ctl(m->check_ep, EPOLL_CTL_DEL, k->fd, NULL);
	*k->pprev = k->next;
	if (k->next)
		k->next->pprev = k->pprev;
	free(k);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_ctx,
			  enum MHD_ConnectionNotificationCode code)
{
	struct metrics_server *m = cls;
	struct conn *k = *socket_ctx;

	if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (k)
			conn_remove(m, k);
		*socket_ctx = NULL;
		return;
	}
	k = calloc(1, sizeof(*k));
	if (!k)
		return; /* its requests are refused as unchecked */
	k->fd = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD)->connect_fd;
	k->since_ms = mono_ms();
	*socket_ctx = k;
	conn_add(m, k);
}

/* A response went out: the next request's time starts now. */
static void on_completed(void *cls, struct MHD_Connection *c, void **req_ctx,
			 enum MHD_RequestTerminationCode toe)
{
	const union MHD_ConnectionInfo *i =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn *k = i ? i->socket_context : NULL;

	if (k)
		k->since_ms = mono_ms();
}

/* Overdue connections are shut down; MHD sees the end and closes them itself. */
static void sweep(struct metrics_server *m)
{
	long long now = mono_ms();

	for (struct conn *k = m->conns; k; k = k->next) {
		if (!k->cut && now - k->since_ms > DEADLINE_MS) {
			shutdown(k->fd, SHUT_RDWR);
			k->cut = true;
		}
	}
}

/* ---- requests ---- */

static enum MHD_Result queue_metrics(struct metrics_server *m, struct MHD_Connection *c)
{
	enum MHD_Result ret;

	/* Queued under the lock: a publish cannot free it before MHD holds it. */
	pthread_mutex_lock(&m->lock);
	ret = m->metrics ? MHD_queue_response(c, MHD_HTTP_OK, m->metrics) : MHD_NO;
	pthread_mutex_unlock(&m->lock);
	return ret;
}

/* A GET or HEAD carries no body here: one would hide the next request from the check. */
static bool has_body(struct MHD_Connection *c)
{
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH) ||
	       MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
}

/* The answer to a request that may keep its connection; the metrics are m itself. */
static enum MHD_Result answer(struct metrics_server *m, struct MHD_Connection *c, void *what)
{
	if (what == m->not_found)
		return MHD_queue_response(c, MHD_HTTP_NOT_FOUND, m->not_found);
	if (what == m->not_allowed)
		return MHD_queue_response(c, MHD_HTTP_METHOD_NOT_ALLOWED, m->not_allowed);
	return queue_metrics(m, c);
}

/*
 * Called once the head is in, and again once the (empty) body is. Refusals
 * that end the connection go out at once (MHD then closes it); the others on
 * the second call, so that keep-alive and pipelining go on.
 */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload, size_t *upload_size, void **req_ctx)
{
	struct metrics_server *m = cls;
	struct MHD_Response *refusal;
	unsigned int status;
	bool get = !strcmp(method, MHD_HTTP_METHOD_GET) || !strcmp(method, MHD_HTTP_METHOD_HEAD);

	if (*req_ctx)
		return answer(m, c, *req_ctx);
	if (strcmp(version, MHD_HTTP_VERSION_1_1) && strcmp(version, MHD_HTTP_VERSION_1_0))
		return MHD_queue_response(c, MHD_HTTP_HTTP_VERSION_NOT_SUPPORTED, m->bad_version);
	refusal = check_verdict(m, c, &status);
	if (refusal)
		return MHD_queue_response(c, status, refusal);
	if (has_body(c))
		return MHD_queue_response(c, get ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_METHOD_NOT_ALLOWED,
					  get ? m->bad_request : m->not_allowed);
	if (!get)
		*req_ctx = m->not_allowed;
	else if (strcmp(url, "/metrics"))
		*req_ctx = m->not_found;
	else
		*req_ctx = m;
	return MHD_YES;
}

/* ---- the thread ---- */

static void *serve(void *arg)
{
	struct metrics_server *m = arg;
	const union MHD_DaemonInfo *i = MHD_get_daemon_info(m->daemon, MHD_DAEMON_INFO_EPOLL_FD);
	struct pollfd p[3] = {
		{ .fd = i ? i->epoll_fd : -1, .events = POLLIN },
		{ .fd = m->check_ep, .events = POLLIN },
		{ .fd = m->wake[0], .events = POLLIN },
	};

	for (;;) {
		MHD_UNSIGNED_LONG_LONG to;
		int ms = SWEEP_MS;

		if (MHD_get_timeout(m->daemon, &to) == MHD_YES && to < (unsigned)ms)
			ms = (int)to;
		if (poll(p, 3, ms) < 0 && errno != EINTR)
			break;
		if (p[2].revents)
			break;
		check_ready(m); /* first: MHD reads nothing the check has not seen */
		MHD_run(m->daemon);
		sweep(m);
	}
	return NULL;
}

int metrics_server_start(struct metrics_server *m)
{
	sigset_t all, old;
	int err;

	m->daemon = MHD_start_daemon(MHD_USE_EPOLL, 0, NULL, NULL, on_request, m,
		MHD_OPTION_LISTEN_SOCKET, m->listen_fd,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)CONN_MAX,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)CONN_PER_ADDR,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)IDLE_TIMEOUT_S,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, m,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, m,
		MHD_OPTION_STRICT_FOR_CLIENT, 1, /* HTTP/1.1 needs Host, no folded lines */
		MHD_OPTION_END);
	if (!m->daemon) {
		fprintf(stderr, "xdpcount: cannot start the metrics server\n");
		return -EIO;
	}
	/* Signals are for the main thread: the server thread blocks them all. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = -pthread_create(&m->thread, NULL, serve, m);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	m->running = !err;
	return err;
}

void metrics_server_publish(struct metrics_server *m, char *text, size_t len)
{
	struct MHD_Response *r, *old;

	r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(text);
		return;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				"text/plain; version=0.0.4; charset=utf-8");
	pthread_mutex_lock(&m->lock);
	old = m->metrics;
	m->metrics = r;
	pthread_mutex_unlock(&m->lock);
	/* Connections still sending the old text hold their own reference. */
	if (old)
		MHD_destroy_response(old);
}

void metrics_server_stop(struct metrics_server *m)
{
	if (!m)
		return;
	if (m->running && write(m->wake[1], "x", 1) == 1)
		pthread_join(m->thread, NULL);
	server_free(m);
}

int metrics_spec_check(const char *spec)
{
	char host[256], port[8];

	return split_spec(spec, host, sizeof(host), port, sizeof(port));
}
