// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Traffic from real sockets in the test namespaces. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <linux/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "checks.h"
#include "paths.h"
#include "sockets.h"
#include "testnet.h"

socklen_t xt_sockaddr(const char *addr, __u16 port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		return sizeof(*in4);
	}
	XT_ASSERT_EQ(inet_pton(AF_INET6, addr, &in6->sin6_addr), 1, "not an address: %s", addr);
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(port);
	return sizeof(*in6);
}

int xt_socket_in(const char *ns, int type, const char *addr, __u16 port)
{
	struct sockaddr_storage ss;
	socklen_t len = xt_sockaddr(addr, port, &ss);
	struct timeval tv = { .tv_sec = 5 };
	int saved = xt_net_enter_or_fail(ns), fd, one = 1;

	/* A socket belongs to the namespace it was made in, wherever it is used. */
	fd = socket(ss.ss_family, type | SOCK_CLOEXEC, 0);
	xt_net_leave_or_fail(saved);
	cr_assert(fd >= 0, "socket in %s: %s", ns, strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	XT_ASSERT_EQ(bind(fd, (struct sockaddr *)&ss, len), 0, "bind %s:%u in %s: %s", addr, port,
		     ns, strerror(errno));
	return fd;
}

void xt_connect(int fd, const char *addr, __u16 port)
{
	struct sockaddr_storage ss;
	socklen_t len = xt_sockaddr(addr, port, &ss);

	XT_ASSERT_EQ(connect(fd, (struct sockaddr *)&ss, len), 0, "connect %s:%u: %s", addr, port,
		     strerror(errno));
}

void xt_udp_exchange(int tx, int rx, int n, size_t len)
{
	char buf[2048];

	cr_assert(len <= sizeof(buf), "datagram too long");
	memset(buf, 'u', len);
	for (int i = 0; i < n; i++) {
		XT_ASSERT_EQ(send(tx, buf, len, 0), (ssize_t)len, "UDP send %d: %s", i,
			     strerror(errno));
		/* One in flight at a time: nothing is lost to a full socket buffer. */
		XT_ASSERT_EQ(recv(rx, buf, sizeof(buf), 0), (ssize_t)len,
			     "UDP datagram %d received (%s)", i, strerror(errno));
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

unsigned long long xt_tcp_transfer(int client, int listener, size_t len)
{
	struct tcp_info ti;
	socklen_t tlen = sizeof(ti);
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
	XT_ASSERT_EQ(recv(srv, buf, sizeof(buf), 0), 0, "EOF after the transfer");
	close(srv);
	XT_ASSERT_EQ(recv(client, buf, sizeof(buf), 0), 0, "EOF from the server");
	memset(&ti, 0, sizeof(ti));
	XT_ASSERT_EQ(getsockopt(client, IPPROTO_TCP, TCP_INFO, &ti, &tlen), 0, "TCP_INFO");
	return ti.tcpi_bytes_retrans;
}

void xt_ping(const char *ns, const char *addr, int n)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "ping -q -n -c %d -i 0.01 -W 2 %s >/dev/null", n, addr);
	xt_net_exec_or_fail(ns, cmd);
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
