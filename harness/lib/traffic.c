// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Live tests' helpers: quiet networks, the kernel's counters, live frames, processes, HTTP. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <criterion/criterion.h>
#include "traffic.h"

#define PACE_FRAMES 64

void xt_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

long long xt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- networks ---- */

void xt_net_create_or_fail(struct xt_net *net, const char *tag, int mtu)
{
	cr_assert_eq(xt_net_create(net, tag, mtu), 0, "creating a veth pair (%s)", tag);
}

void xt_net_join_or_fail(struct xt_net *net, const struct xt_net *host, const char *tag)
{
	cr_assert_eq(xt_net_join(net, host, tag, 0), 0,
		     "creating a second veth pair into %s (%s)", host->ns_a, tag);
}

static void exec_ok(const char *ns, const char *cmd)
{
	cr_assert_eq(xt_net_exec(ns, "%s", cmd), 0, "in %s: %s", ns, cmd);
}

static void end_silent(const char *ns, const char *ifname)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "sysctl -qw net.ipv6.conf.all.disable_ipv6=1 "
		 "net.ipv6.conf.default.disable_ipv6=1 && ip link set dev %s arp off", ifname);
	exec_ok(ns, cmd);
}

void xt_net_silent(const struct xt_net *net)
{
	end_silent(net->ns_a, net->if_a);
	end_silent(net->ns_b, net->if_b);
}

static void end_static(const char *ns, const char *ifname, const char *ip4,
		       const char *ip6, const char *mac)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "sysctl -qw net.ipv6.conf.%1$s.router_solicitations=0 "
		 "net.ipv6.conf.%1$s.accept_dad=0 && "
		 "ip neigh replace %2$s lladdr %4$s dev %1$s nud permanent && "
		 "ip -6 neigh replace %3$s lladdr %4$s dev %1$s nud permanent",
		 ifname, ip4, ip6, mac);
	exec_ok(ns, cmd);
}

void xt_net_static(const struct xt_net *net)
{
	end_static(net->ns_a, net->if_a, XT_NET_IP4_B, XT_NET_IP6_B, net->mac_b);
	end_static(net->ns_b, net->if_b, XT_NET_IP4_A, XT_NET_IP6_A, net->mac_a);
	/* Link-up chatter (MLD reports, DAD of the link-local address) dies down. */
	cr_assert(xt_wait_quiet(net->ns_a, net->if_a, 1500, 10000),
		  "%s: still receiving frames after 10 s", net->if_a);
}

void xt_net_gro(const char *ns, const char *ifname)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "ethtool -K %s gro on", ifname);
	exec_ok(ns, cmd);
}

int xt_net_enter_or_fail(const char *ns)
{
	int saved;

	cr_assert_eq(xt_net_enter(ns, &saved), 0, "entering namespace %s: %s", ns,
		     strerror(errno));
	return saved;
}

void xt_net_leave_or_fail(int saved)
{
	cr_assert_eq(xt_net_leave(saved), 0, "leaving a namespace: %s", strerror(errno));
}

static unsigned long long json_stat(struct json_object *o, const char *key)
{
	struct json_object *v = xt_json_get("ip -s -j link", o, key);

	return (unsigned long long)json_object_get_uint64(v);
}

void xt_kernel_rx(const char *ns, const char *ifname, struct xt_krx *rx)
{
	struct json_object *o, *rxo;
	char cmd[256], *text;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ip -n %s -s -s -j link show dev %s", ns, ifname);
	p = popen(cmd, "r");
	cr_assert(p, "%s: %s", cmd, strerror(errno));
	text = calloc(1, 65536);
	cr_assert(text, "out of memory");
	fread(text, 1, 65535, p);
	pclose(p);
	o = json_tokener_parse(text);
	free(text);
	cr_assert(o && json_object_is_type(o, json_type_array) &&
		  json_object_array_length(o) == 1, "%s: not one interface", cmd);
	rxo = xt_json_get(cmd, xt_json_get(cmd, json_object_array_get_idx(o, 0), "stats64"),
			  "rx");
	rx->packets = json_stat(rxo, "packets");
	rx->bytes = json_stat(rxo, "bytes");
	rx->dropped = json_stat(rxo, "dropped");
	rx->missed = json_stat(rxo, "missed_errors");
	rx->errors = json_stat(rxo, "errors");
	json_object_put(o);
}

bool xt_wait_quiet(const char *ns, const char *ifname, int quiet_ms, int timeout_ms)
{
	long long start = xt_now_ms(), since = start;
	struct xt_krx last, cur;

	xt_kernel_rx(ns, ifname, &last);
	while (xt_now_ms() - start < timeout_ms) {
		xt_sleep_ms(100);
		xt_kernel_rx(ns, ifname, &cur);
		if (cur.packets != last.packets)
			since = xt_now_ms();
		else if (xt_now_ms() - since >= quiet_ms)
			return true;
		last = cur;
	}
	return false;
}

/* ---- the program ---- */

struct xc_counter *xt_counter(__u32 action)
{
	struct xc_config cfg;

	xc_config_default(&cfg);
	cfg.action = action;
	return xt_open(&cfg);
}

void xt_attach(struct xc_counter *xc, const char *ns, int ifindex, enum xc_mode mode)
{
	int saved = xt_net_enter_or_fail(ns), err;

	err = xc_counter_attach(xc, ifindex, mode, NULL);
	xt_net_leave_or_fail(saved);
	cr_assert_eq(err, 0, "attaching in %s mode to ifindex %d in %s: %s",
		     xc_mode_name(mode), ifindex, ns, strerror(-err));
}

bool xt_wait_total(struct xc_counter *xc, unsigned long long packets, int timeout_ms)
{
	long long start = xt_now_ms();
	struct xc_counters c;

	do {
		cr_assert_eq(xc_counter_totals(xc, &c), 0, "reading the totals");
		if (c.total.packets >= packets)
			return true;
		xt_sleep_ms(2);
	} while (xt_now_ms() - start < timeout_ms);
	return false;
}

struct send_ctx {
	struct xc_counter *gen, *counter;
	int ifindex;
	unsigned long before, sent;
};

static int send_one(void *arg, const __u8 *frame, size_t len)
{
	struct send_ctx *s = arg;
	int err;

	if (len < XC_MIN_FRAME)
		return 0;
	err = xc_counter_send_live(s->gen, s->ifindex, frame, len, 1);
	cr_assert_eq(err, 0, "live frame %lu (%zu bytes): %s", s->sent, len, strerror(-err));
	s->sent++;
	if (s->sent % PACE_FRAMES == 0)
		cr_assert(xt_wait_total(s->counter, s->before + s->sent, 5000),
			  "the far end did not see %lu frames within 5 s", s->sent);
	return 0;
}

unsigned long xt_send_capture(struct xc_counter *gen, const char *gen_ns,
			      int gen_ifindex, const char *path,
			      struct xc_counter *counter, unsigned long before)
{
	struct send_ctx s = { gen, counter, gen_ifindex, before, 0 };
	struct xc_replay res;
	char err[256];
	int saved = xt_net_enter_or_fail(gen_ns), rc;

	rc = xc_capture_each(path, send_one, &s, &res, err, sizeof(err));
	xt_net_leave_or_fail(saved);
	cr_assert_eq(rc, XC_REPLAY_OK, "%s: %s", path, err);
	return s.sent;
}

static void addr_of(const char *text, struct xc_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET6, text, a->a) == 1)
		return;
	a->a[10] = a->a[11] = 0xff;
	cr_assert_eq(inet_pton(AF_INET, text, a->a + 12), 1, "not an address: %s", text);
}

const struct xc_flow *xt_find_flow(const struct xc_snapshot *s, const char *src,
				   const char *dst, __u16 sport, __u16 dport, __u8 proto)
{
	struct xc_addr sa, da;

	addr_of(src, &sa);
	addr_of(dst, &da);
	for (size_t i = 0; i < s->n_flows; i++) {
		const struct xc_flow_key *k = &s->flows[i].key;

		if (!memcmp(&k->src, &sa, sizeof(sa)) && !memcmp(&k->dst, &da, sizeof(da)) &&
		    k->sport == sport && k->dport == dport && k->proto == proto)
			return &s->flows[i];
	}
	return NULL;
}

const struct xc_port *xt_find_port(const struct xc_snapshot *s, __u8 proto, __u16 port)
{
	for (size_t i = 0; i < s->n_ports; i++)
		if (s->ports[i].proto == proto && s->ports[i].port == port)
			return &s->ports[i];
	return NULL;
}

/* ---- traffic from real sockets ---- */

static socklen_t sockaddr_of(const char *addr, __u16 port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		return sizeof(*in4);
	}
	cr_assert_eq(inet_pton(AF_INET6, addr, &in6->sin6_addr), 1, "not an address: %s", addr);
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(port);
	return sizeof(*in6);
}

int xt_socket_in(const char *ns, int type, const char *addr, __u16 port)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(addr, port, &ss);
	struct timeval tv = { .tv_sec = 5 };
	int saved = xt_net_enter_or_fail(ns), fd, one = 1;

	/* A socket belongs to the namespace it was made in, wherever it is used. */
	fd = socket(ss.ss_family, type | SOCK_CLOEXEC, 0);
	xt_net_leave_or_fail(saved);
	cr_assert(fd >= 0, "socket in %s: %s", ns, strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	cr_assert_eq(bind(fd, (struct sockaddr *)&ss, len), 0, "bind %s:%u in %s: %s", addr,
		     port, ns, strerror(errno));
	return fd;
}

void xt_connect(int fd, const char *addr, __u16 port)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(addr, port, &ss);

	cr_assert_eq(connect(fd, (struct sockaddr *)&ss, len), 0, "connect %s:%u: %s",
		     addr, port, strerror(errno));
}

void xt_udp_exchange(int tx, int rx, int n, size_t len)
{
	char buf[2048];

	cr_assert(len <= sizeof(buf), "datagram too long");
	memset(buf, 'u', len);
	for (int i = 0; i < n; i++) {
		cr_assert_eq(send(tx, buf, len, 0), (ssize_t)len, "UDP send %d: %s", i,
			     strerror(errno));
		/* One in flight at a time: nothing is lost to a full socket buffer. */
		cr_assert_eq(recv(rx, buf, sizeof(buf), 0), (ssize_t)len,
			     "UDP datagram %d did not arrive: %s", i, strerror(errno));
	}
}

void xt_udp_b_to_a(const struct xt_net *net, __u16 sport, __u16 dport, int n, size_t len)
{
	int rx = xt_socket_in(net->ns_a, SOCK_DGRAM, XT_NET_IP4_A, dport);
	int tx = xt_socket_in(net->ns_b, SOCK_DGRAM, XT_NET_IP4_B, sport);

	xt_connect(tx, XT_NET_IP4_A, dport);
	xt_udp_exchange(tx, rx, n, len);
	close(tx);
	close(rx);
}

void xt_tcp_transfer(int client, int listener, size_t len)
{
	size_t sent = 0, got = 0;
	char buf[16384];
	int srv;

	memset(buf, 't', sizeof(buf));
	srv = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
	cr_assert(srv >= 0, "accept: %s", strerror(errno));
	while (got < len) {
		struct pollfd p[2] = { { client, sent < len ? POLLOUT : 0, 0 },
				       { srv, POLLIN, 0 } };

		cr_assert(poll(p, 2, 5000) > 0, "TCP transfer stalled at %zu of %zu bytes", got, len);
		if (p[0].revents & POLLOUT) {
			size_t n = len - sent < sizeof(buf) ? len - sent : sizeof(buf);
			ssize_t w = send(client, buf, n, MSG_DONTWAIT);

			cr_assert(w > 0 || errno == EAGAIN, "TCP send: %s", strerror(errno));
			sent += w > 0 ? (size_t)w : 0;
		}
		if (p[1].revents & POLLIN) {
			ssize_t r = recv(srv, buf, sizeof(buf), MSG_DONTWAIT);

			cr_assert(r > 0 || errno == EAGAIN, "TCP recv: %s", strerror(errno));
			got += r > 0 ? (size_t)r : 0;
		}
	}
	/* Both sides close: FIN each way, so the flow ends where it will stay. */
	shutdown(client, SHUT_WR);
	cr_assert_eq(recv(srv, buf, sizeof(buf), 0), 0, "no EOF after the transfer");
	close(srv);
	cr_assert_eq(recv(client, buf, sizeof(buf), 0), 0, "no EOF from the server");
}

void xt_ping(const char *ns, const char *addr, int n)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "ping -q -n -c %d -i 0.01 -W 2 %s >/dev/null", n, addr);
	exec_ok(ns, cmd);
}

/* ---- programs in the background ---- */

static int temp_fd(void)
{
	char path[] = "/tmp/xdpcount-test-XXXXXX";
	int fd = mkostemp(path, O_CLOEXEC);

	cr_assert(fd >= 0, "mkostemp: %s", strerror(errno));
	unlink(path);
	return fd;
}

void xt_bg_start(struct xt_bg *bg, const char *ns, const char *const argv[])
{
	const char *full[64];
	int n = 0;

	memset(bg, 0, sizeof(*bg));
	bg->out = temp_fd();
	bg->err = temp_fd();
	if (ns) {
		full[n++] = "/usr/bin/ip";
		full[n++] = "netns";
		full[n++] = "exec";
		full[n++] = ns;
	}
	for (; *argv && n < 63; argv++)
		full[n++] = *argv;
	full[n] = NULL;
	bg->pid = fork();
	cr_assert(bg->pid >= 0, "fork: %s", strerror(errno));
	if (bg->pid == 0) {
		/* The test may die at a timeout; what it started dies with it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(bg->out, STDOUT_FILENO);
		dup2(bg->err, STDERR_FILENO);
		execv(full[0], (char *const *)full);
		_exit(127);
	}
}

/* pread keeps the file offset the program writes at. */
static char *read_fd(int fd)
{
	struct stat st;
	char *buf;
	ssize_t n;

	cr_assert_eq(fstat(fd, &st), 0, "fstat: %s", strerror(errno));
	buf = malloc((size_t)st.st_size + 1);
	cr_assert(buf, "out of memory");
	n = pread(fd, buf, (size_t)st.st_size, 0);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

char *xt_bg_out(const struct xt_bg *bg)
{
	return read_fd(bg->out);
}

char *xt_bg_err(const struct xt_bg *bg)
{
	return read_fd(bg->err);
}

static bool reap(struct xt_bg *bg, int flags)
{
	int st;

	if (bg->reaped)
		return true;
	if (waitpid(bg->pid, &st, flags) != bg->pid)
		return false;
	bg->reaped = true;
	bg->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	bg->signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
	return true;
}

bool xt_bg_wait(struct xt_bg *bg, int timeout_ms)
{
	long long start = xt_now_ms();

	while (!reap(bg, WNOHANG)) {
		if (xt_now_ms() - start >= timeout_ms)
			return false;
		xt_sleep_ms(10);
	}
	return true;
}

bool xt_bg_wait_err(struct xt_bg *bg, const char *needle, int timeout_ms)
{
	long long start = xt_now_ms();

	for (;;) {
		char *err = xt_bg_err(bg);
		bool found = strstr(err, needle) != NULL;

		free(err);
		if (found)
			return true;
		if (reap(bg, WNOHANG) || xt_now_ms() - start >= timeout_ms)
			return false;
		xt_sleep_ms(10);
	}
}

void xt_bg_signal(const struct xt_bg *bg, int sig)
{
	if (bg->pid > 0 && !bg->reaped)
		kill(bg->pid, sig);
}

void xt_bg_stop(struct xt_bg *bg)
{
	if (bg->pid <= 0)
		return;
	if (!bg->reaped) {
		kill(bg->pid, SIGKILL);
		reap(bg, 0);
	}
	close(bg->out);
	close(bg->err);
	bg->pid = 0;
}

/* ---- HTTP ---- */

int xt_http_get(const char *ns, const char *addr, int port, const char *path,
		char **head, char **body)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(addr, (__u16)port, &ss);
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
	cr_assert_eq(send(fd, req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req),
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

void xt_scapy_send(const char *ns, const char *ifname, const char *frames)
{
	char code[1024];
	int status = -1, saved;
	pid_t pid;

	snprintf(code, sizeof(code), "from scapy.all import Ether, IP, IPv6, UDP, TCP, Raw, sendp\n"
		 "sendp(%s, iface='%s', verbose=0)\n", frames, ifname);
	pid = fork();
	if (pid == 0) { /* no shell between: the code goes to python as it is */
		if (xt_net_enter(ns, &saved))
			_exit(126);
		execl(xt_python(), xt_python(), "-c", code, (char *)NULL);
		_exit(127);
	}
	cr_assert_gt(pid, 0, "fork: %s", strerror(errno));
	waitpid(pid, &status, 0);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "scapy in %s: %s", ns, code);
}
