// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Kernel drop reasons: B sends frames the stack on A must drop (UDP over IPv4
 * and IPv6 and TCP to a closed port, an IPv4 header with a bad checksum, UDP
 * that an nftables rule drops), built by scapy so that their lengths are known; the tracer
 * must count each under its reason, on A's interface, in the frame's class,
 * exactly. Drops on a second network, whose interfaces have the same
 * ifindexes in other namespaces, must not count.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "cli.h"
#include "clock.h"
#include "http.h"
#include "json.h"
#include "paths.h"
#include "proc.h"
#include "sockets.h"
#include "testnet.h"

#define CLOSED_PORT 9     /* nothing listens: the discard port */
#define NFT_PORT 7777     /* the nftables rule drops it */
#define SPORT 40100
#define PAYLOAD 100
#define ETH_IP4 (14 + 20)
#define UDP_FRAME (ETH_IP4 + 8 + PAYLOAD)
#define UDP6_FRAME (14 + 40 + 8 + PAYLOAD)
#define SYN_FRAME (ETH_IP4 + 20) /* scapy's TCP header has no options */

/* What B sends, as scapy writes it. */
#define XSTR(x) STR(x)
#define STR(x) #x
#define UDP_TO(port) "UDP(sport=" XSTR(SPORT) ", dport=" XSTR(port) ")/Raw(b'x'*" XSTR(PAYLOAD) ")"
#define UDP_TO_CLOSED UDP_TO(CLOSED_PORT)
#define SYN_TO_CLOSED "TCP(sport=" XSTR(SPORT) ", dport=" XSTR(CLOSED_PORT) ", flags='S')"

static struct xt_net net, other;
static struct xc_drops *drops;
static struct xt_bg cli;

static void teardown(void)
{
	xt_bg_stop(&cli);
	xc_drops_close(drops);
	drops = NULL;
	xt_net_destroy(&other);
	xt_net_destroy(&net);
}

TestSuite(drops, .fini = teardown, .timeout = 60);

/* The tracer watching A's end. */
static void watch_a(void)
{
	char why[256] = "";
	int saved, err;

	err = xc_drops_open(&drops, why, sizeof(why));
	cr_assert_eq(err, 0, "opening the drop tracer: %s (%s)", strerror(-err), why);
	saved = xt_net_enter_or_fail(net.ns_a);
	err = xc_drops_watch(drops, net.ifindex_a);
	xt_net_leave_or_fail(saved);
	cr_assert_eq(err, 0, "watching %s: %s", net.if_a, strerror(-err));
	cr_assert_eq(xc_drops_attach(drops), 0, "attaching the drop tracer");
}

/* A quiet network, no IPv6, and the tracer watching A's end. */
static void setup_net(void)
{
	xt_net_create_or_fail(&net, "d", 0);
	xt_net_silent(&net);
	watch_a();
}

/* The same with IPv6 back on A's end only: B still sends nothing of its own. */
static void setup_net_ipv6(void)
{
	char cmd[256];

	setup_net();
	snprintf(cmd, sizeof(cmd), "sysctl -qw net.ipv6.conf.all.disable_ipv6=0 "
		 "net.ipv6.conf.%1$s.disable_ipv6=0 && ip addr add " XT_NET_IP6_A "/64 dev %1$s "
		 "nodad", net.if_a);
	xt_net_exec_or_fail(net.ns_a, cmd);
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
static void expect_only_l3(const char *what, const char *reason, int l3, int l4,
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
		cr_expect_eq(r[0].s.l3[l3].packets, packets, "%s: %s: got %llu, want %llu",
			     what, xc_l3_names[l3], (unsigned long long)r[0].s.l3[l3].packets, packets);
		cr_expect_eq(r[0].s.l4[l4].packets, packets, "%s: %s: got %llu, want %llu", what,
			     xc_l4_names[l4], (unsigned long long)r[0].s.l4[l4].packets, packets);
		cr_expect_eq(r[0].s.l4[l4].bytes, bytes, "%s: %s bytes: got %llu, want %llu",
			     what, xc_l4_names[l4], (unsigned long long)r[0].s.l4[l4].bytes, bytes);
	}
	xc_drop_snapshot_free(&s);
}

static void expect_only(const char *what, const char *reason, int l4,
			unsigned long long packets, unsigned long long bytes)
{
	expect_only_l3(what, reason, XC_L3_IPV4, l4, packets, bytes);
}

Test(drops, udp_to_a_closed_port)
{
	setup_net();
	send_b_to_a(&net, "", UDP_TO_CLOSED, 5);
	expect_only("UDP to a closed port", "NO_SOCKET", XC_L4_UDP, 5, 5 * UDP_FRAME);
}

Test(drops, tcp_to_a_closed_port)
{
	setup_net();
	send_b_to_a(&net, "", SYN_TO_CLOSED, 4);
	expect_only("TCP SYN to a closed port", "NO_SOCKET", XC_L4_TCP, 4, 4 * SYN_FRAME);
}

Test(drops, ipv4_bad_header_checksum)
{
	setup_net();
	send_b_to_a(&net, ", chksum=0x1234", UDP_TO_CLOSED, 3);
	expect_only("IPv4 with a bad header checksum", "IP_CSUM", XC_L4_UDP, 3, 3 * UDP_FRAME);
}

Test(drops, nftables_drop_rule)
{
	setup_net();
	cr_assert_eq(xt_net_exec(net.ns_a, "nft add table inet xctest && "
				 "nft add chain inet xctest input \"{ type filter hook input priority 0; }\" && "
				 "nft add rule inet xctest input udp dport %d drop", NFT_PORT), 0,
		     "adding the nftables rule in %s", net.ns_a);
	send_b_to_a(&net, "", UDP_TO(NFT_PORT), 6);
	expect_only("UDP dropped by nftables", "NETFILTER_DROP", XC_L4_UDP, 6, 6 * UDP_FRAME);
}

Test(drops, ipv6_udp_to_a_closed_port)
{
	char frames[512];

	setup_net_ipv6();
	snprintf(frames, sizeof(frames),
		 "[Ether(src='%s', dst='%s')/IPv6(src='" XT_NET_IP6_B "', dst='" XT_NET_IP6_A
		 "')/" UDP_TO_CLOSED "]*4", net.mac_b, net.mac_a);
	xt_scapy_send(net.ns_b, net.if_b, frames);
	expect_only_l3("IPv6 UDP to a closed port", "NO_SOCKET", XC_L3_IPV6, XC_L4_UDP, 4,
		       4 * UDP6_FRAME);
}

Test(drops, other_namespaces_do_not_count)
{
	setup_net();
	xt_net_create_or_fail(&other, "e", 0);
	xt_net_silent(&other);
	cr_log_info("ifindex of A: %d here, %d in the other network", net.ifindex_a,
		    other.ifindex_a);
	send_b_to_a(&other, "", UDP_TO_CLOSED, 7);
	send_b_to_a(&net, "", UDP_TO_CLOSED, 2);
	expect_only("only this network's drops", "NO_SOCKET", XC_L4_UDP, 2, 2 * UDP_FRAME);
}

/* ---- through the CLI ---- */


/* xdpcount on A's end with args (NULL-terminated), once it counts. */
static void start_cli(const char *a1, const char *a2, const char *a3)
{
	const char *argv[] = { xt_bin(), "--json", "-i", "0.2", "--duration", "30",
			       net.if_a, a1, a2, a3, NULL };

	xt_bg_start(&cli, net.ns_a, argv);
	cr_assert(xt_bg_wait_err(&cli, "xdpcount: counting on", 15000),
		  "xdpcount did not start: %s", xt_bg_err(&cli));
}

/* SIGTERM, and the final JSON line. */
static struct json_object *final_line(void)
{
	char *out, *last, *p;
	struct json_object *o;

	xt_bg_signal(&cli, SIGTERM);
	cr_assert(xt_bg_wait(&cli, 5000), "xdpcount did not end on SIGTERM");
	cr_expect_eq(cli.status, XC_EXIT_OK, "exit status %d", cli.status);
	out = xt_bg_out(&cli);
	for (last = out, p = strchr(out, '\n'); p && p[1]; p = strchr(p + 1, '\n'))
		last = p + 1;
	o = json_tokener_parse(last);
	cr_assert(o, "not a JSON line: %.300s", last);
	free(out);
	return o;
}

static __u64 json_at(struct json_object *o, const char *path)
{
	char buf[256], *save, *key;

	snprintf(buf, sizeof(buf), "%s", path);
	for (key = strtok_r(buf, ".", &save); key; key = strtok_r(NULL, ".", &save))
		o = xt_json_get(path, o, key);
	return (__u64)json_object_get_int64(o);
}

Test(drops, cli_json_reasons)
{
	struct json_object *o;
	char path[128];

	xt_net_create_or_fail(&net, "c", 0);
	xt_net_silent(&net);
	start_cli(NULL, NULL, NULL);
	send_b_to_a(&net, "", UDP_TO_CLOSED, 5);
	xt_sleep_ms(600); /* a few updates */
	o = final_line();
	snprintf(path, sizeof(path), "drops.reasons.%s.NO_SOCKET.packets", net.if_a);
	cr_expect_eq(json_at(o, path), 5, "%s", path);
	snprintf(path, sizeof(path), "drops.reasons.%s.NO_SOCKET.bytes", net.if_a);
	cr_expect_eq(json_at(o, path), 5 * UDP_FRAME, "%s", path);
	snprintf(path, sizeof(path), "drops.reasons.%s.NO_SOCKET.l4.udp.packets", net.if_a);
	cr_expect_eq(json_at(o, path), 5, "%s", path);
	snprintf(path, sizeof(path), "drops.reasons.%s.NO_SOCKET.l3.ipv4.bytes", net.if_a);
	cr_expect_eq(json_at(o, path), 5 * UDP_FRAME, "%s", path);
	json_object_put(o);
}

Test(drops, cli_no_drops)
{
	struct json_object *o, *d, *r;

	xt_net_create_or_fail(&net, "n", 0);
	xt_net_silent(&net);
	start_cli("--no-drops", NULL, NULL);
	send_b_to_a(&net, "", UDP_TO_CLOSED, 2);
	xt_sleep_ms(400);
	o = final_line();
	d = xt_json_get("drops", o, "drops");
	cr_expect(!json_object_object_get_ex(d, "reasons", &r), "--no-drops: drops.reasons is there");
	json_object_put(o);
}

Test(drops, cli_prometheus)
{
	char *err, *head = NULL, *body = NULL, want[160];
	const char *at;
	int port = 0;

	xt_net_create_or_fail(&net, "p", 0);
	xt_net_silent(&net);
	start_cli("--prometheus", "127.0.0.1:0", NULL);
	err = xt_bg_err(&cli);
	at = strstr(err, "serving metrics at http://127.0.0.1:");
	cr_assert(at && sscanf(at, "serving metrics at http://127.0.0.1:%d/metrics", &port) == 1,
		  "no metrics address on stderr: %s", err);
	free(err);
	send_b_to_a(&net, "", UDP_TO_CLOSED, 3);
	snprintf(want, sizeof(want), "xdpcount_kernel_drops_total{interface=\"%s\","
		 "reason=\"NO_SOCKET\"} 3\n", net.if_a);
	for (int t = 0; t < 50; t++) { /* the exposition follows -i */
		free(head);
		free(body);
		head = body = NULL;
		cr_assert_eq(xt_http_get(net.ns_a, "127.0.0.1", port, "/metrics", &head, &body),
			     200, "GET /metrics");
		if (strstr(body, want))
			break;
		xt_sleep_ms(100);
	}
	cr_expect(strstr(body, want), "no %s in %.2000s", want, body);
	snprintf(want, sizeof(want), "xdpcount_kernel_drop_bytes_total{interface=\"%s\","
		 "reason=\"NO_SOCKET\"} %d\n", net.if_a, 3 * UDP_FRAME);
	cr_expect(strstr(body, want), "no %s", want);
	free(head);
	free(body);
}
