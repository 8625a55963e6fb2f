// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Live counting on a veth pair, in native and generic mode. Fixtures go over
 * the wire as live frames: a second instance of the program, configured to
 * XDP_TX, sends each record out of the peer once, and gen.py's expect file
 * says what the counter on the other end must count (the generator's own
 * counts say the same). Real sockets then send TCP, UDP and ICMP echo; what
 * the test sent is counted exactly, and the kernel's own receive counter of
 * the interface says how many frames arrived in all.
 */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "capture.h"
#include "checks.h"
#include "clock.h"
#include "fixtures.h"
#include "program.h"
#include "sockets.h"
#include "testnet.h"

#define TCP_PORT 5001
#define UDP_PORT 5002
#define TCP_SPORT 40001
#define UDP4_SPORT 40002
#define UDP6_SPORT 40003
#define TCP_BYTES 65536
#define UDP4_N 37
#define UDP4_LEN 100
#define UDP6_N 23
#define UDP6_LEN 200
#define PINGS 11
#define PINGS6 7
#define ETH_IP4_UDP (14 + 20 + 8)
#define ETH_IP6_UDP (14 + 40 + 8)
#define PING_FRAME 98   /* Ethernet, IPv4, ICMP header, ping's 56 bytes */
#define PING6_FRAME 118 /* the same over IPv6 */

static struct xt_net net;
static struct xc_counter *xc, *gen;
static int fds[8], n_fds;

ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
	(void)set;
	xt_net_sweep(); /* namespaces of earlier runs that died */
}

static void teardown(void)
{
	while (n_fds)
		close(fds[--n_fds]);
	xc_counter_close(gen);
	xc_counter_close(xc);
	gen = xc = NULL;
	xt_net_destroy(&net);
}

TestSuite(live_veth, .fini = teardown, .timeout = 60);

static int keep(int fd)
{
	fds[n_fds++] = fd;
	return fd;
}

/* ---- fixtures as live frames ---- */

static void replay(enum xc_mode mode, const char *name, const char *file)
{
	struct xc_snapshot got, sent;
	struct xt_expect exp;
	char what[96];
	unsigned long n;

	snprintf(what, sizeof(what), "%s over veth, %s mode", name, xc_mode_name(mode));
	xt_expect_load(&exp, name, file);
	xt_net_create_or_fail(&net, "f", 0);
	xt_net_silent(&net);
	if (mode == XC_MODE_GENERIC)
		xt_net_gro(net.ns_a, net.if_a);
	xc = xt_counter(XDP_PASS);
	gen = xt_counter(XDP_TX);
	xt_attach(xc, net.ns_a, net.ifindex_a, mode);
	n = xt_send_capture(gen, net.ns_b, net.ifindex_b, exp.path, xc, 0);
	XT_ASSERT_EQ(n, exp.frames - exp.skipped, "%s: frames sent", what);
	cr_expect(xt_wait_total(xc, n, 5000), "%s: not every frame arrived within 5 s", what);
	xt_sleep_ms(200); /* and nothing more comes */
	xt_snapshot(xc, &got);
	xt_snapshot(gen, &sent);
	xt_expect_counters_eq(what, &got.total, &exp.c);
	xt_expect_tables_eq(what, &got, &exp);
	XT_EXPECT_EQ(got.n_ifaces, 1, "%s: interfaces counted", what);
	if (got.n_ifaces == 1) {
		XT_EXPECT_EQ(got.ifaces[0].ifindex, (__u32)net.ifindex_a,
			     "%s: the interface: got ifindex", what);
		xt_expect_counters_eq(what, &got.ifaces[0].c, &exp.c);
	}
	snprintf(what, sizeof(what), "%s: the generator's own counts", name);
	xt_expect_counters_eq(what, &sent.total, &exp.c);
	xc_snapshot_free(&got);
	xc_snapshot_free(&sent);
	xt_expect_free(&exp);
}

Test(live_veth, native_mix)
{
	replay(XC_MODE_NATIVE, "mix", "mix.pcap");
}

Test(live_veth, generic_mix)
{
	replay(XC_MODE_GENERIC, "mix", "mix.pcap");
}

Test(live_veth, native_l3_classes)
{
	replay(XC_MODE_NATIVE, "l3_classes", "l3_classes.pcap");
}

Test(live_veth, generic_vlan)
{
	replay(XC_MODE_GENERIC, "vlan", "vlan.pcap");
}

/* ---- real sockets ---- */

struct sent {
	struct xc_counters before; /* the totals when the test began to send */
	unsigned long long tcp_resent; /* payload bytes the TCP client sent twice */
	struct xt_krx krx_before, krx_after;
};

static void send_traffic(struct sent *b)
{
	int lst = keep(xt_socket_in(net.ns_a, SOCK_STREAM, XT_NET_IP4_A, TCP_PORT));
	int cli = keep(xt_socket_in(net.ns_b, SOCK_STREAM, XT_NET_IP4_B, TCP_SPORT));
	int u4rx = keep(xt_socket_in(net.ns_a, SOCK_DGRAM, XT_NET_IP4_A, UDP_PORT));
	int u4tx = keep(xt_socket_in(net.ns_b, SOCK_DGRAM, XT_NET_IP4_B, UDP4_SPORT));
	int u6rx = keep(xt_socket_in(net.ns_a, SOCK_DGRAM, XT_NET_IP6_A, UDP_PORT));
	int u6tx = keep(xt_socket_in(net.ns_b, SOCK_DGRAM, XT_NET_IP6_B, UDP6_SPORT));

	XT_ASSERT_EQ(listen(lst, 4), 0, "listen");
	xt_connect(cli, XT_NET_IP4_A, TCP_PORT);
	b->tcp_resent = xt_tcp_transfer(cli, lst, TCP_BYTES);
	xt_connect(u4tx, XT_NET_IP4_A, UDP_PORT);
	xt_udp_exchange(u4tx, u4rx, UDP4_N, UDP4_LEN);
	xt_connect(u6tx, XT_NET_IP6_A, UDP_PORT);
	xt_udp_exchange(u6tx, u6rx, UDP6_N, UDP6_LEN);
	xt_ping(net.ns_b, XT_NET_IP4_A, PINGS);
	xt_ping(net.ns_b, XT_NET_IP6_A, PINGS6);
}

static void expect_flow(const char *what, const struct xc_snapshot *s, const char *src,
			const char *dst, __u16 sport, __u16 dport, __u8 proto,
			unsigned long long packets, unsigned long long bytes)
{
	const struct xc_flow *f = xt_find_flow(s, src, dst, sport, dport, proto);

	cr_expect(f, "%s: no flow %s:%u -> %s:%u proto %u", what, src, sport, dst, dport, proto);
	if (!f)
		return;
	XT_EXPECT_EQ(f->val.packets, packets, "%s: flow %s -> %s proto %u packets", what, src, dst,
		     proto);
	XT_EXPECT_EQ(f->val.bytes, bytes, "%s: flow %s -> %s proto %u bytes", what, src, dst,
		     proto);
}

static unsigned long long delta(const struct xc_pb *now, const struct xc_pb *then)
{
	return now->packets - then->packets;
}

/* TCP from the client: SYN with 20 bytes of options, every other segment 12 (timestamps). */
static void expect_tcp(const char *what, const struct xc_snapshot *s, const struct sent *b)
{
	const struct xc_flow *f = xt_find_flow(s, XT_NET_IP4_B, XT_NET_IP4_A, TCP_SPORT,
					       TCP_PORT, IPPROTO_TCP);
	const struct xc_port *p = xt_find_port(s, IPPROTO_TCP, TCP_PORT);
	unsigned long long tcp = delta(&s->total.l4[XC_L4_TCP], &b->before.l4[XC_L4_TCP]);

	cr_assert(f, "%s: no TCP flow from the client", what);
	XT_EXPECT_EQ(f->val.packets, tcp,
		     "%s: the TCP flow's packets, as l4.tcp (all TCP to A is the test's)", what);
	cr_expect(p && p->pb.packets == f->val.packets && p->pb.bytes == f->val.bytes,
		  "%s: port tcp/%d does not match the flow", what, TCP_PORT);
	XT_EXPECT_EQ(f->val.bytes, TCP_BYTES + b->tcp_resent + f->val.packets * (14 + 20 + 32) + 8,
		     "%s: TCP bytes, want %d payload + %llu resent + headers", what, TCP_BYTES,
		     b->tcp_resent);
}

static void expect_sockets(const char *what, const struct xc_snapshot *s,
			   const struct sent *b)
{
	const struct xc_counters *c = &s->total;
	unsigned long long frames = delta(&c->total, &b->before.total);
	const struct xc_port *up = xt_find_port(s, IPPROTO_UDP, UDP_PORT);

	XT_EXPECT_EQ(frames, b->krx_after.packets - b->krx_before.packets,
		     "%s: frames, as the kernel received", what);
	XT_EXPECT_EQ(delta(&c->l4[XC_L4_UDP], &b->before.l4[XC_L4_UDP]), UDP4_N + UDP6_N,
		     "%s: l4.udp packets", what);
	XT_EXPECT_EQ(delta(&c->l4[XC_L4_ICMP], &b->before.l4[XC_L4_ICMP]), PINGS,
		     "%s: l4.icmp packets (echo requests)", what);
	XT_EXPECT_EQ(delta(&c->l3[XC_L3_ARP], &b->before.l3[XC_L3_ARP]), 0,
		     "%s: l3.arp (static neighbours)", what);
	expect_flow(what, s, XT_NET_IP4_B, XT_NET_IP4_A, UDP4_SPORT, UDP_PORT, IPPROTO_UDP,
		    UDP4_N, UDP4_N * (ETH_IP4_UDP + UDP4_LEN));
	expect_flow(what, s, XT_NET_IP6_B, XT_NET_IP6_A, UDP6_SPORT, UDP_PORT, IPPROTO_UDP,
		    UDP6_N, UDP6_N * (ETH_IP6_UDP + UDP6_LEN));
	expect_flow(what, s, XT_NET_IP4_B, XT_NET_IP4_A, 0, 0, IPPROTO_ICMP, PINGS,
		    PINGS * PING_FRAME);
	expect_flow(what, s, XT_NET_IP6_B, XT_NET_IP6_A, 0, 0, IPPROTO_ICMPV6, PINGS6,
		    PINGS6 * PING6_FRAME);
	cr_expect(up && up->pb.packets == UDP4_N + UDP6_N &&
		  up->pb.bytes == UDP4_N * (ETH_IP4_UDP + UDP4_LEN) +
				  UDP6_N * (ETH_IP6_UDP + UDP6_LEN),
		  "%s: port udp/%d: got %llu packets, want %d", what, UDP_PORT,
		  up ? up->pb.packets : 0, UDP4_N + UDP6_N);
	expect_tcp(what, s, b);
	xt_expect_counters_consistent(what, c, true);
}

static void sockets(enum xc_mode mode)
{
	struct xc_snapshot s;
	struct sent b;
	char what[64];

	snprintf(what, sizeof(what), "sockets over veth, %s mode", xc_mode_name(mode));
	xt_net_create_or_fail(&net, "s", 0);
	xc = xt_counter(XDP_PASS);
	xt_attach(xc, net.ns_a, net.ifindex_a, mode);
	xt_net_static(&net);
	XT_ASSERT_EQ(xc_counter_totals(xc, &b.before), 0, "reading the totals");
	xt_kernel_rx(net.ns_a, net.if_a, &b.krx_before);
	send_traffic(&b);
	cr_expect(xt_wait_quiet(net.ns_a, net.if_a, 500, 5000), "%s: traffic did not stop", what);
	xt_kernel_rx(net.ns_a, net.if_a, &b.krx_after);
	xt_snapshot(xc, &s);
	expect_sockets(what, &s, &b);
	xc_snapshot_free(&s);
}

Test(live_veth, native_sockets)
{
	sockets(XC_MODE_NATIVE);
}

Test(live_veth, generic_sockets)
{
	sockets(XC_MODE_GENERIC);
}
