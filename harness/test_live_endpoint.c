// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The metrics endpoint against its clients, on the CLI in a namespace of its
 * own: slow clients (from 127.0.0.2) beside a normal scraper (127.0.0.1),
 * thousands of connections at once, crafted requests, a stop with clients
 * connected; and the process holding no privilege while it serves.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include "checks.h"
#include "cli.h"
#include "clock.h"
#include "http.h"
#include "paths.h"
#include "proc.h"
#include "sockets.h"
#include "testnet.h"

#define UDP_PORT 5002
#define UDP_SPORT 40002
#define UDP_N 23
#define UDP_LEN 64
#define PINGS 4
#define SLOW_ADDR "127.0.0.2"
#define SCRAPER_ADDR "127.0.0.1"
#define CLIENTS_MAX 2000
#define STORM_SOURCES 16 /* 127.0.1.1 ... : each address within the per-address limit */

static struct xt_net net;
static struct xt_bg cli;
static int fds[CLIENTS_MAX];
static int n_fds;

static void close_clients(void)
{
	for (int i = 0; i < n_fds; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	n_fds = 0;
}

static void teardown(void)
{
	close_clients();
	xt_bg_stop(&cli);
	xt_net_destroy(&net);
}

TestSuite(live_endpoint, .fini = teardown, .timeout = 60);

/* The CLI on A with the endpoint, and its port; extra: more options or NULL. */
static int start(const char *tag, const char *extra)
{
	const char *argv[] = { xt_bin(), "--json", "-i", "0.2", "--duration", "50",
			       "--prometheus", "127.0.0.1:0", net.if_a, extra, NULL };

	xt_net_create_or_fail(&net, tag, 0);
	xt_net_static(&net);
	xt_bg_start(&cli, net.ns_a, argv);
	return xt_metrics_port(&cli);
}

static unsigned long long series_of(const char *body, const char *class)
{
	char series[128];
	unsigned long long v = 0;

	snprintf(series, sizeof(series), "xdpcount_l4_packets_total{interface=\"%s\",class=\"%s\"}",
		 net.if_a, class);
	cr_expect(xt_prom_sample(body, series, &v), "no series %s", series);
	return v;
}

/* Datagrams and pings from B; then until the exposition shows them all. */
static void traffic_counted(int port)
{
	char *body = NULL;

	xt_udp_b_to_a(&net, UDP_SPORT, UDP_PORT, UDP_N, UDP_LEN);
	xt_ping(net.ns_b, XT_NET_IP4_A, PINGS);
	for (int t = 0; t < 5000; t += 100) {
		free(body);
		XT_ASSERT_EQ(xt_http_get(net.ns_a, SCRAPER_ADDR, port, "/metrics", NULL, &body), 200,
			     "GET /metrics");
		if (series_of(body, "udp") == UDP_N && series_of(body, "icmp") == PINGS)
			break;
		xt_sleep_ms(100);
	}
	XT_EXPECT_EQ(series_of(body, "udp"), UDP_N, "udp packets");
	XT_EXPECT_EQ(series_of(body, "icmp"), PINGS, "icmp packets");
	free(body);
}

/* A socket in A's namespace from addr; nonblocking when asked. */
static int client(const char *addr, bool nonblock)
{
	int fd = xt_socket_in(net.ns_a, SOCK_STREAM, addr, 0);

	if (nonblock)
		XT_ASSERT_EQ(fcntl(fd, F_SETFL, O_NONBLOCK), 0, "O_NONBLOCK: %s", strerror(errno));
	return fd;
}

/* n clients from 127.0.0.2, connected, each with part of a request head. */
static void slow_clients(int port, int n)
{
	static const char part[] = "GET /metrics HTTP/1.1\r\nHost: 1";

	for (n_fds = 0; n_fds < n; n_fds++) {
		fds[n_fds] = client(SLOW_ADDR, false);
		xt_connect(fds[n_fds], "127.0.0.1", (__u16)port);
		send(fds[n_fds], part, sizeof(part) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	}
}

/* One more byte from every slow client that is still there. */
static void trickle(void)
{
	for (int i = 0; i < n_fds; i++)
		send(fds[i], "1", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* Whether the server closed fd (EOF or reset), and never with a 200. */
static bool closed_without_200(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[4096];
	bool got200 = false;
	ssize_t n;

	while (poll(&p, 1, 0) == 1) {
		n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
		if (n > 0) {
			buf[n] = '\0';
			got200 |= strstr(buf, " 200 ") != NULL;
			continue;
		}
		cr_expect(!got200, "a slow client got 200");
		return n == 0 || errno == ECONNRESET;
	}
	return false;
}

Test(live_endpoint, slow_clients_do_not_delay_a_scrape)
{
	int port = start("sl", NULL), open = 0;
	long long t0, ms;
	char *body = NULL;

	traffic_counted(port);
	slow_clients(port, 500);
	xt_sleep_ms(300);
	t0 = xt_now_ms();
	XT_ASSERT_EQ(xt_http_get(net.ns_a, SCRAPER_ADDR, port, "/metrics", NULL, &body), 200,
		     "GET /metrics beside 500 slow clients");
	ms = xt_now_ms() - t0;
	cr_log_info("live_endpoint: scrape beside 500 slow clients: %lld ms", ms);
	XT_EXPECT_LT(ms, 1000, "the scrape took %lld ms beside 500 slow clients", ms);
	XT_EXPECT_EQ(series_of(body, "udp"), UDP_N, "udp packets beside the slow clients");
	XT_EXPECT_EQ(series_of(body, "icmp"), PINGS, "icmp packets beside the slow clients");
	free(body);
	/* A byte a second keeps MHD's idle timeout away: only the deadline ends them. */
	for (int s = 0; s < 6; s++) {
		xt_sleep_ms(1000);
		trickle();
	}
	xt_sleep_ms(500);
	for (int i = 0; i < n_fds; i++)
		open += !closed_without_200(fds[i]);
	XT_EXPECT_EQ(open, 0, "%d of %d slow clients still connected after 6.5 s", open, n_fds);
}

/* ---- many connections at once ---- */

static int fd_count(pid_t pid)
{
	char path[64];
	struct dirent *e;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	cr_assert(d, "%s: %s", path, strerror(errno));
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void raise_fd_limit(void)
{
	struct rlimit r = { CLIENTS_MAX + 512, CLIENTS_MAX + 512 };
	struct rlimit cur;

	getrlimit(RLIMIT_NOFILE, &cur);
	if (cur.rlim_cur < r.rlim_cur)
		XT_ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &r), 0, "RLIMIT_NOFILE: %s", strerror(errno));
}

enum outcome { PENDING, ANSWERED, REFUSED, OTHER };

/* One step of a client: send once connected, then read to the end. */
static enum outcome step(int fd, short revents, bool *sent, char *first, size_t *got)
{
	static const char req[] = "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	char buf[8192];
	ssize_t n;

	if (!*sent && (revents & POLLOUT)) {
		*sent = true;
		if (send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) != (ssize_t)sizeof(req) - 1)
			return *got ? OTHER : REFUSED;
	}
	if (!(revents & (POLLIN | POLLHUP | POLLERR)))
		return PENDING;
	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n > 0) {
		if (*got < 16)
			memcpy(first + *got, buf, (size_t)n < 16 - *got ? (size_t)n : 16 - *got);
		*got += (size_t)n;
		return PENDING;
	}
	if (n < 0 && errno == EAGAIN)
		return PENDING;
	if (!*got)
		return REFUSED; /* closed or reset before a byte: a clean refusal */
	return !strncmp(first, "HTTP/1.1 200 ", 13) ? ANSWERED : OTHER;
}

static void storm(int port, int outcome_count[4])
{
	static struct pollfd p[CLIENTS_MAX];
	static bool sent[CLIENTS_MAX];
	static char first[CLIENTS_MAX][16];
	static size_t got[CLIENTS_MAX];
	int left = CLIENTS_MAX;
	long long end = xt_now_ms() + 10000;
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons((__u16)port),
				  .sin_addr.s_addr = htonl(0x7f000001) };

	for (n_fds = 0; n_fds < CLIENTS_MAX; n_fds++) {
		char src[16];

		snprintf(src, sizeof(src), "127.0.1.%d", 1 + n_fds % STORM_SOURCES);
		fds[n_fds] = client(src, true);
		cr_assert(!connect(fds[n_fds], (struct sockaddr *)&to, sizeof(to)) ||
			  errno == EINPROGRESS, "connect: %s", strerror(errno));
		p[n_fds] = (struct pollfd){ .fd = fds[n_fds], .events = POLLIN | POLLOUT };
		sent[n_fds] = false;
		got[n_fds] = 0;
	}
	while (left && xt_now_ms() < end) {
		poll(p, CLIENTS_MAX, 100);
		for (int i = 0; i < CLIENTS_MAX; i++) {
			enum outcome o;

			if (p[i].fd < 0 || !p[i].revents)
				continue;
			o = step(p[i].fd, p[i].revents, &sent[i], first[i], &got[i]);
			if (sent[i])
				p[i].events = POLLIN;
			if (o == PENDING)
				continue;
			outcome_count[o]++;
			p[i].fd = -1;
			left--;
		}
	}
	outcome_count[PENDING] = left;
}

Test(live_endpoint, many_connections_at_once)
{
	int port, before, after = -1, n[4] = { 0 };

	raise_fd_limit();
	port = start("st", NULL);
	xt_sleep_ms(300);
	before = fd_count(cli.pid);
	storm(port, n);
	cr_log_info("live_endpoint: %d connections at once: %d answered, %d refused, %d other, "
		    "%d unfinished after 10 s", CLIENTS_MAX, n[ANSWERED], n[REFUSED], n[OTHER],
		    n[PENDING]);
	XT_EXPECT_EQ(n[PENDING], 0, "%d connections neither answered nor refused in 10 s",
		     n[PENDING]);
	XT_EXPECT_EQ(n[OTHER], 0, "%d connections got something else than a 200", n[OTHER]);
	XT_EXPECT_GT(n[ANSWERED], 0, "no connection was answered");
	close_clients();
	for (int t = 0; t < 3000 && after != before; t += 100) {
		xt_sleep_ms(100);
		after = fd_count(cli.pid);
	}
	XT_EXPECT_EQ(after, before, "the process's fds: %d before, %d after", before, after);
}

/* ---- a stop with clients connected ---- */

Test(live_endpoint, sigterm_with_slow_clients_exits_within_a_second)
{
	char cmd[160], udp[64], *out, *last;
	long long t0, ms;
	int port = start("tm", NULL);

	traffic_counted(port);
	slow_clients(port, 100);
	xt_sleep_ms(300);
	t0 = xt_now_ms();
	xt_bg_signal(&cli, SIGTERM);
	cr_assert(xt_bg_wait(&cli, 1000), "still running 1 s after SIGTERM, 100 slow clients");
	ms = xt_now_ms() - t0;
	cr_log_info("live_endpoint: SIGTERM to exit beside 100 slow clients: %lld ms", ms);
	XT_EXPECT_EQ(cli.status, XC_EXIT_OK, "exit code after SIGTERM: %d", cli.status);
	out = xt_bg_out(&cli);
	last = strrchr(out, '\n');
	while (last && last > out && last[-1] != '\n')
		last--; /* the start of the last line */
	cr_expect(last && strstr(last, "\"final\":true"), "no final line: %s",
		  last ? last : out);
	snprintf(udp, sizeof(udp), "\"udp\":{\"packets\":%d,", UDP_N);
	cr_expect(last && strstr(last, udp), "the final line lacks the %d datagrams: %s", UDP_N,
		  last ? last : out);
	free(out);
	snprintf(cmd, sizeof(cmd), "ip -d link show dev %s | grep -q xdp", net.if_a);
	XT_EXPECT_NE(xt_net_exec(net.ns_a, "%s", cmd), 0, "an XDP program is still attached");
}

/* ---- crafted requests ---- */

struct crafted {
	const char *what;
	const char *req;
	size_t len;  /* 0: strlen */
	int status;  /* 0: any 4xx or 505, or closed without an answer */
};

#define NUL_REQ(what, s) { what, s, sizeof(s) - 1, 400 }

static const struct crafted crafted[] = {
	{ "no version", "GET /metrics\r\n\r\n", 0, 400 },
	{ "version FOO/9.9", "GET /metrics FOO/9.9\r\nHost: x\r\n\r\n", 0, 400 },
	{ "HTTP/2.0", "GET /metrics HTTP/2.0\r\nHost: x\r\n\r\n", 0, 505 },
	{ "HTTP/1.2", "GET /metrics HTTP/1.2\r\nHost: x\r\n\r\n", 0, 505 },
	{ "HTTP/0.9", "GET /metrics HTTP/0.9\r\n\r\n", 0, 505 },
	{ "HTTP/1.1 without Host", "GET /metrics HTTP/1.1\r\n\r\n", 0, 400 },
	{ "POST", "POST /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 0, 405 },
	{ "DELETE", "DELETE /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 0, 405 },
	{ "POST with a body", "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
	  0, 0 },
	{ "lower-case method", "get /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 0, 0 },
	{ "GET with a body", "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab",
	  0, 400 },
	{ "other path", "GET /metricsx HTTP/1.1\r\nHost: x\r\n\r\n", 0, 404 },
	{ "encoded dots", "GET /%2e%2e/metrics HTTP/1.1\r\nHost: x\r\n\r\n", 0, 404 },
	{ "dot segments", "GET /x/../metrics HTTP/1.1\r\nHost: x\r\n\r\n", 0, 404 },
	{ "absolute form", "GET http://x/metrics HTTP/1.1\r\nHost: x\r\n\r\n", 0, 0 },
	{ "two spaces before the target", "GET  /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 0, 0 },
	{ "two spaces before the version", "GET /metrics  HTTP/1.1\r\nHost: x\r\n\r\n", 0, 0 },
	{ "a word after the version", "GET /metrics HTTP/1.1 x\r\nHost: x\r\n\r\n", 0, 0 },
	{ "tab for space", "GET\t/metrics HTTP/1.1\r\nHost: x\r\n\r\n", 0, 0 },
	{ "folded header", "GET /metrics HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 0, 0 },
	{ "space in a field name", "GET /metrics HTTP/1.1\r\nHost: x\r\nA B: c\r\n\r\n", 0, 0 },
	{ "empty field name", "GET /metrics HTTP/1.1\r\nHost: x\r\n: c\r\n\r\n", 0, 0 },
	{ "bare CR", "GET /metrics HTTP/1.1\rHost: x\r\r", 0, 0 },
	NUL_REQ("NUL in the method", "G\0ET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"),
	NUL_REQ("NUL in the target", "GET /met\0rics HTTP/1.1\r\nHost: x\r\n\r\n"),
	NUL_REQ("NUL after the target", "GET /metrics\0 HTTP/1.1\r\nHost: x\r\n\r\n"),
	NUL_REQ("NUL after the version", "GET /metrics HTTP/1.1\0\r\nHost: x\r\n\r\n"),
	NUL_REQ("NUL in a value", "GET /metrics HTTP/1.1\r\nHost: x\0y\r\n\r\n"),
	NUL_REQ("NUL at a value's end", "GET /metrics HTTP/1.1\r\nHost: x\r\nA: b\0\r\n\r\n"),
	NUL_REQ("NUL in a name", "GET /metrics HTTP/1.1\r\nHo\0st: x\r\n\r\n"),
	NUL_REQ("NUL first", "\0GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"),
	NUL_REQ("NUL with no space after the colon", "GET /metrics HTTP/1.1\r\nHost:x\0\r\n\r\n"),
};

/* The status of the first answer, 0 when closed without one; within 3 s. */
static int exchange(int port, const char *req, size_t len, long long *ms)
{
	int fd = client(SCRAPER_ADDR, false), status = 0;
	long long t0 = xt_now_ms();
	char buf[1024] = "";
	size_t got = 0, off = 0;

	xt_connect(fd, "127.0.0.1", (__u16)port);
	XT_ASSERT_EQ(fcntl(fd, F_SETFL, O_NONBLOCK), 0, "O_NONBLOCK: %s", strerror(errno));
	/* Sends until an answer begins: a server that stopped reading has said why. */
	while (!strstr(buf, "\r\n") && got < sizeof(buf) - 1 && xt_now_ms() - t0 < 3000) {
		struct pollfd p = { .fd = fd, .events = POLLIN | (off < len ? POLLOUT : 0) };
		ssize_t n;

		if (poll(&p, 1, 100) < 1)
			continue;
		if (p.revents & POLLOUT) {
			n = send(fd, req + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
			off += n > 0 ? (size_t)n : 0;
		}
		if (!(p.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = recv(fd, buf + got, sizeof(buf) - 1 - got, MSG_DONTWAIT);
		if (n <= 0 && !(n < 0 && errno == EAGAIN))
			break;
		got += n > 0 ? (size_t)n : 0;
		buf[got] = '\0';
	}
	*ms = xt_now_ms() - t0;
	close(fd);
	if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
		status = 0;
	return status;
}

static char *huge(const char *head, size_t fill, const char *tail)
{
	char *s = malloc(strlen(head) + fill + strlen(tail) + 1);

	cr_assert(s, "out of memory");
	strcpy(s, head);
	memset(s + strlen(head), 'a', fill);
	strcpy(s + strlen(head) + fill, tail);
	return s;
}

static void expect_refused(int port, const char *what, const char *req, size_t len, int want)
{
	long long ms;
	int status = exchange(port, req, len, &ms);

	XT_EXPECT_NE(status, 200, "%s: 200", what);
	if (want)
		XT_EXPECT_EQ(status, want, "%s: status %d, want %d", what, status, want);
	else
		cr_expect(status == 0 || (status >= 400 && status < 500) || status == 505,
			  "%s: status %d", what, status);
	XT_EXPECT_LT(ms, 3000, "%s: the answer took %lld ms", what, ms);
}

Test(live_endpoint, crafted_requests_never_get_200)
{
	int port = start("cr", NULL);
	char *s;

	for (size_t i = 0; i < sizeof(crafted) / sizeof(crafted[0]); i++) {
		const struct crafted *c = &crafted[i];

		expect_refused(port, c->what, c->req, c->len ? c->len : strlen(c->req), c->status);
	}
	s = huge("GET /", 1 << 20, " HTTP/1.1\r\nHost: x\r\n\r\n");
	expect_refused(port, "1 MB request line", s, strlen(s), 414);
	free(s);
	s = huge("GET /metrics HTTP/1.1\r\nHost: x\r\nA: ", 1 << 20, "\r\n\r\n");
	expect_refused(port, "1 MB header", s, strlen(s), 431);
	free(s);
	s = malloc(2000 * 8 + 64);
	cr_assert(s, "out of memory");
	strcpy(s, "GET /metrics HTTP/1.1\r\nHost: x\r\n");
	for (int i = 0; i < 2000; i++)
		strcat(s, "A-B: c\r\n");
	strcat(s, "\r\n");
	expect_refused(port, "2000 headers", s, strlen(s), 431);
	free(s);
}

/* Three requests in one write: each answered, in order; HEAD without a body. */
Test(live_endpoint, pipelined_requests_and_head)
{
	static const char req[] = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
				  "GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n"
				  "HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	int port = start("pi", NULL), fd = client(SCRAPER_ADDR, false), status[4] = { 0 }, n = 0;
	struct timeval tv = { .tv_sec = 3 };
	size_t cap = 1 << 20, got = 0;
	char *buf = malloc(cap), *at, *head_end;
	ssize_t r;

	cr_assert(buf, "out of memory");
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	xt_connect(fd, "127.0.0.1", (__u16)port);
	XT_ASSERT_EQ(send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL), (ssize_t)sizeof(req) - 1, "send");
	while (got < cap - 1 && (r = recv(fd, buf + got, cap - 1 - got, 0)) > 0)
		got += (size_t)r;
	buf[got] = '\0';
	for (at = buf; n < 4 && (at = strstr(at, "HTTP/1.1 ")); at += 9)
		status[n++] = atoi(at + 9);
	XT_EXPECT_EQ(n, 3, "%d answers to 3 pipelined requests", n);
	cr_expect(status[0] == 200 && status[1] == 404 && status[2] == 200,
		  "answers %d %d %d, want 200 404 200", status[0], status[1], status[2]);
	/* The third answer (HEAD) ends with its head: nothing after the empty line. */
	at = buf;
	for (int i = 0; i < 3 && at; i++)
		at = strstr(i ? at + 9 : at, "HTTP/1.1 ");
	head_end = at ? strstr(at, "\r\n\r\n") : NULL;
	cr_expect(head_end && head_end[4] == '\0', "HEAD got a body: %.200s",
		  head_end ? head_end + 4 : "(no head)");
	close(fd);
	free(buf);
}

/* ---- privileges while serving ---- */

/* One line of /proc/PID/status, the part after the key. */
static char *status_line(pid_t pid, const char *key, char *buf, size_t len)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	cr_assert(f, "%s: %s", path, strerror(errno));
	buf[0] = '\0';
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ':')
			snprintf(buf, len, "%s", line + strlen(key) + 1);
	fclose(f);
	return buf;
}

static void expect_no_caps(pid_t pid)
{
	static const char *const keys[] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" };
	char v[128];

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		XT_EXPECT_EQ(strtoull(status_line(pid, keys[i], v, sizeof(v)), NULL, 16), 0,
			     "%s is %s", keys[i], v);
	XT_EXPECT_EQ(atoi(status_line(pid, "NoNewPrivs", v, sizeof(v))), 1, "NoNewPrivs %s", v);
}

static void expect_uid(pid_t pid, unsigned int uid)
{
	unsigned int r = 1, e = 1, s = 1, f = 1;
	char v[128];

	sscanf(status_line(pid, "Uid", v, sizeof(v)), "%u %u %u %u", &r, &e, &s, &f);
	cr_expect(r == uid && e == uid && s == uid && f == uid, "Uid: %s, want %u", v, uid);
}

Test(live_endpoint, serves_as_nobody_without_capabilities)
{
	struct passwd *pw = getpwnam("nobody");
	int port = start("pv", NULL);
	char *err;

	cr_assert(pw, "no user nobody");
	expect_no_caps(cli.pid);
	expect_uid(cli.pid, pw->pw_uid);
	err = xt_bg_err(&cli);
	cr_expect(strstr(err, "xdpcount: now nobody (uid "), "stderr does not say the user: %s", err);
	free(err);
	traffic_counted(port);
	xt_bg_signal(&cli, SIGKILL);
	cr_assert(xt_bg_wait(&cli, 5000), "no exit after SIGKILL");
	XT_EXPECT_NE(xt_net_exec(net.ns_a, "ip -d link show dev %s | grep -q xdp", net.if_a), 0,
		      "an XDP program is still attached after SIGKILL");
}

Test(live_endpoint, user_root_keeps_root_without_capabilities)
{
	int port = start("pr", "-Zroot");
	char *err;

	expect_no_caps(cli.pid);
	expect_uid(cli.pid, 0);
	err = xt_bg_err(&cli);
	cr_expect(strstr(err, "xdpcount: -Z root: still root, no capabilities"), "stderr does not say it: %s", err);
	free(err);
	traffic_counted(port);
	xt_bg_signal(&cli, SIGTERM);
	cr_expect(xt_bg_wait(&cli, 2000) && cli.status == XC_EXIT_OK, "exit after SIGTERM: %d",
		  cli.status);
}

Test(live_endpoint, unknown_user_is_a_usage_error)
{
	/* An interface nobody has: were -Z not checked first, that would fail instead. */
	const char *argv[] = { xt_bin(), "-Z", "no-such-user-xdpcount", "xc-none0", NULL };
	char *err;

	xt_bg_start(&cli, NULL, argv);
	cr_assert(xt_bg_wait(&cli, 5000), "no exit");
	XT_EXPECT_EQ(cli.status, XC_EXIT_USAGE, "exit %d", cli.status);
	err = xt_bg_err(&cli);
	cr_expect(strstr(err, "xdpcount: -Z: no such user: no-such-user-xdpcount"), "stderr: %s",
		  err);
	free(err);
}
