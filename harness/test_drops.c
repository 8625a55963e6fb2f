// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Kernel drop reasons: B sends frames the stack on A must drop (UDP and TCP
 * to a closed port, an IPv4 header with a bad checksum, UDP that an nftables
 * rule drops), built by scapy so that their lengths are known; the tracer
 * must count each under its reason, on A's interface, in the frame's class,
 * exactly. Drops on a second network, whose interfaces have the same
 * ifindexes in other namespaces, must not count.
 */
#include <string.h>
#include <criterion/criterion.h>
#include "traffic.h"

#define CLOSED_PORT 9     /* nothing listens: the discard port */
#define NFT_PORT 7777     /* the nftables rule drops it */
#define SPORT 40100
#define PAYLOAD 100
#define ETH_IP4 (14 + 20)
#define UDP_FRAME (ETH_IP4 + 8 + PAYLOAD)
#define SYN_FRAME (ETH_IP4 + 20) /* scapy's TCP header has no options */

static struct xt_net net, other;
static struct xc_drops *drops;

static void teardown(void)
{
	xc_drops_close(drops);
	drops = NULL;
	xt_net_destroy(&other);
	xt_net_destroy(&net);
}

TestSuite(drops, .fini = teardown, .timeout = 60);

/* A quiet network and the tracer watching A's end. */
static void setup_net(void)
{
	char why[256] = "";
	int saved, err;

	xt_net_create_or_fail(&net, "d", 0);
	xt_net_silent(&net);
	err = xc_drops_open(&drops, why, sizeof(why));
	cr_assert_eq(err, 0, "opening the drop tracer: %s (%s)", strerror(-err), why);
	saved = xt_net_enter_or_fail(net.ns_a);
	err = xc_drops_watch(drops, net.ifindex_a);
	xt_net_leave_or_fail(saved);
	cr_assert_eq(err, 0, "watching %s: %s", net.if_a, strerror(-err));
	cr_assert_eq(xc_drops_attach(drops), 0, "attaching the drop tracer");
}

/* n copies of a frame from B to A, as a Python list expression. */
static void send_b_to_a(const struct xt_net *n, const char *ip_args, const char *l4, int count)
{
	char frames[512];

	snprintf(frames, sizeof(frames),
		 "[Ether(src='%s', dst='%s')/IP(src='" XT_NET_IP4_B "', dst='" XT_NET_IP4_A
		 "'%s)/%s]*%d", n->mac_b, n->mac_a, ip_args, l4, count);
	xt_scapy_send(n->ns_b, n->if_b, frames);
}

/* The drops counted so far, once `packets` of them are there (at most 5 s). */
static void read_drops(struct xc_drop_snapshot *s, unsigned long long packets)
{
	for (int t = 0; t < 100; t++) {
		unsigned long long sum = 0;

		cr_assert_eq(xc_drops_read(drops, s), 0, "reading the drop counters");
		for (size_t i = 0; i < s->n; i++)
			sum += s->v[i].pb.packets;
		if (sum >= packets)
			break;
		xc_drop_snapshot_free(s);
		xt_sleep_ms(50);
	}
	xc_drop_snapshot_free(s);
	xt_sleep_ms(200); /* and nothing more comes */
	cr_assert_eq(xc_drops_read(drops, s), 0, "reading the drop counters");
}

/* Exactly one counter: this reason and class on A, packets and bytes. */
static void expect_only(const char *what, const char *reason, int l4,
			unsigned long long packets, unsigned long long bytes)
{
	struct xc_drop_snapshot s;
	struct xc_drop_reason r[4];
	size_t n;

	read_drops(&s, packets);
	cr_expect_eq(s.n, 1, "%s: counters: got %zu, want 1", what, s.n);
	for (size_t i = 0; i < s.n; i++)
		cr_log_info("%s: ifindex %u %s l3 %u l4 %u: %llu packets", what, s.v[i].ifindex,
			    s.v[i].name, s.v[i].l3, s.v[i].l4,
			    (unsigned long long)s.v[i].pb.packets);
	n = xc_drop_reasons(&s, (__u32)net.ifindex_a, r, 4);
	cr_expect_eq(n, 1, "%s: reasons on %s: got %zu, want 1", what, net.if_a, n);
	if (n >= 1) {
		cr_expect_str_eq(r[0].name, reason, "%s: reason: got %s, want %s", what,
				 r[0].name, reason);
		cr_expect_eq(r[0].s.pb.packets, packets, "%s: packets: got %llu, want %llu",
			     what, (unsigned long long)r[0].s.pb.packets, packets);
		cr_expect_eq(r[0].s.pb.bytes, bytes, "%s: bytes: got %llu, want %llu", what,
			     (unsigned long long)r[0].s.pb.bytes, bytes);
		cr_expect_eq(r[0].s.l3[XC_L3_IPV4].packets, packets, "%s: ipv4: got %llu, want %llu",
			     what, (unsigned long long)r[0].s.l3[XC_L3_IPV4].packets, packets);
		cr_expect_eq(r[0].s.l4[l4].packets, packets, "%s: %s: got %llu, want %llu", what,
			     xc_l4_names[l4], (unsigned long long)r[0].s.l4[l4].packets, packets);
		cr_expect_eq(r[0].s.l4[l4].bytes, bytes, "%s: %s bytes: got %llu, want %llu",
			     what, xc_l4_names[l4], (unsigned long long)r[0].s.l4[l4].bytes, bytes);
	}
	xc_drop_snapshot_free(&s);
}

Test(drops, udp_to_a_closed_port)
{
	setup_net();
	send_b_to_a(&net, "", "UDP(sport=40100, dport=9)/Raw(b'x'*100)", 5);
	expect_only("UDP to a closed port", "NO_SOCKET", XC_L4_UDP, 5, 5 * UDP_FRAME);
}

Test(drops, tcp_to_a_closed_port)
{
	setup_net();
	send_b_to_a(&net, "", "TCP(sport=40100, dport=9, flags='S')", 4);
	expect_only("TCP SYN to a closed port", "NO_SOCKET", XC_L4_TCP, 4, 4 * SYN_FRAME);
}

Test(drops, ipv4_bad_header_checksum)
{
	setup_net();
	send_b_to_a(&net, ", chksum=0x1234", "UDP(sport=40100, dport=9)/Raw(b'x'*100)", 3);
	expect_only("IPv4 with a bad header checksum", "IP_CSUM", XC_L4_UDP, 3, 3 * UDP_FRAME);
}

Test(drops, nftables_drop_rule)
{
	setup_net();
	cr_assert_eq(xt_net_exec(net.ns_a, "nft add table inet xctest && "
				 "nft add chain inet xctest input \"{ type filter hook input priority 0; }\" && "
				 "nft add rule inet xctest input udp dport %d drop", NFT_PORT), 0,
		     "adding the nftables rule in %s", net.ns_a);
	send_b_to_a(&net, "", "UDP(sport=40100, dport=7777)/Raw(b'x'*100)", 6);
	expect_only("UDP dropped by nftables", "NETFILTER_DROP", XC_L4_UDP, 6, 6 * UDP_FRAME);
}

Test(drops, other_namespaces_do_not_count)
{
	setup_net();
	xt_net_create_or_fail(&other, "e", 0);
	xt_net_silent(&other);
	cr_log_info("ifindex of A: %d here, %d in the other network", net.ifindex_a,
		    other.ifindex_a);
	send_b_to_a(&other, "", "UDP(sport=40100, dport=9)/Raw(b'x'*100)", 7);
	send_b_to_a(&net, "", "UDP(sport=40100, dport=9)/Raw(b'x'*100)", 2);
	expect_only("only this network's drops", "NO_SOCKET", XC_L4_UDP, 2, 2 * UDP_FRAME);
}
