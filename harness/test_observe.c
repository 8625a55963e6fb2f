// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Observe mode: the test loads an XDP program of its own on A's end
 * (harness/bpf/drop_port.bpf.c: drops IPv4 UDP to one port, passes the rest),
 * B sends frames built by scapy, and what xdpcount saw beside it, frames by
 * class and verdicts by class, must be exactly what was sent and what that
 * program does with each. Afterwards the program must still be attached and
 * still dropping, whether xdpcount ended or was killed.
 *
 * A kernel may refuse fentry altogether (lockdown, its build): a minimal fentry
 * program of the harness's own asks first. There xdpcount must say so in one
 * line and leave the program as it was; the counts are then not checked.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "cli.h"
#include "clock.h"
#include "json.h"
#include "paths.h"
#include "proc.h"
#include "sockets.h"
#include "testnet.h"
#include "drop_port.skel.h"
#include "fentry_probe.skel.h"

#define DROP_PORT 9999
#define PAYLOAD 100
#define UDP4_FRAME (14 + 20 + 8 + PAYLOAD)
#define TCP4_FRAME (14 + 20 + 20)
#define UDP6_FRAME (14 + 40 + 8 + PAYLOAD)
#define N_DROP 5  /* IPv4 UDP to DROP_PORT: dropped */
#define N_UDP 4   /* IPv4 UDP elsewhere: passed */
#define N_TCP 3   /* IPv4 TCP: passed */
#define N_UDP6 2  /* IPv6 UDP to DROP_PORT: passed, the program looks at IPv4 only */

static struct xt_net net;
static struct drop_port_bpf *prog;
static int link_fd = -1;
static struct xc_observer *obs;
static struct xt_bg cli;

static void teardown(void)
{
	xt_bg_stop(&cli);
	xc_observe_close(obs);
	obs = NULL;
	if (link_fd >= 0)
		close(link_fd);
	link_fd = -1;
	drop_port_bpf__destroy(prog);
	prog = NULL;
	xt_net_destroy(&net);
}

TestSuite(observe, .fini = teardown, .timeout = 60);

/* A quiet network with the test's own XDP program on A's end. */
static void setup(enum xc_mode mode)
{
	int saved;

	xt_net_create_or_fail(&net, "o", 0);
	xt_net_silent(&net);
	prog = drop_port_bpf__open_and_load();
	cr_assert(prog, "loading the test's XDP program");
	saved = xt_net_enter_or_fail(net.ns_a);
	link_fd = xc_prog_attach(bpf_program__fd(prog->progs.xt_drop_port), net.ifindex_a,
				 mode, NULL);
	xt_net_leave_or_fail(saved);
	cr_assert_geq(link_fd, 0, "attaching the test's XDP program in %s mode: %s",
		      xc_mode_name(mode), strerror(-link_fd));
}

/* Whether this kernel lets an fentry program attach to the test's XDP program. */
static bool fentry_allowed(void)
{
	struct fentry_probe_bpf *p = fentry_probe_bpf__open();
	bool ok;

	cr_assert(p, "opening the fentry probe");
	cr_assert_eq(bpf_program__set_attach_target(p->progs.xt_fentry_probe,
						    bpf_program__fd(prog->progs.xt_drop_port),
						    "xt_drop_port"), 0, "the probe's target");
	ok = fentry_probe_bpf__load(p) == 0;
	fentry_probe_bpf__destroy(p);
	if (!ok)
		cr_log_info("this kernel refuses fentry on XDP programs: only the refusal is checked");
	return ok;
}

static void send_frames(int drops)
{
	char frames[768];

	snprintf(frames, sizeof(frames),
		 "[Ether(src='%1$s', dst='%2$s')/IP(src='" XT_NET_IP4_B "', dst='" XT_NET_IP4_A
		 "')/UDP(sport=40200, dport=%3$d)/Raw(b'x'*%4$d)]*%5$d"
		 " + [Ether(src='%1$s', dst='%2$s')/IP(src='" XT_NET_IP4_B "', dst='" XT_NET_IP4_A
		 "')/UDP(sport=40200, dport=5555)/Raw(b'x'*%4$d)]*%6$d"
		 " + [Ether(src='%1$s', dst='%2$s')/IP(src='" XT_NET_IP4_B "', dst='" XT_NET_IP4_A
		 "')/TCP(sport=40200, dport=5555, flags='S')]*%7$d"
		 " + [Ether(src='%1$s', dst='%2$s')/IPv6(src='" XT_NET_IP6_B "', dst='"
		 XT_NET_IP6_A "')/UDP(sport=40200, dport=%3$d)/Raw(b'x'*%4$d)]*%8$d",
		 net.mac_b, net.mac_a, DROP_PORT, PAYLOAD, drops, N_UDP, N_TCP, N_UDP6);
	xt_scapy_send(net.ns_b, net.if_b, frames);
}

#define N_ALL (N_DROP + N_UDP + N_TCP + N_UDP6)

static void expect_pb(const char *what, const struct xc_pb *got, __u64 packets, __u64 bytes)
{
	cr_expect_eq(got->packets, packets, "%s: packets: got %llu, want %llu", what,
		     (unsigned long long)got->packets, (unsigned long long)packets);
	cr_expect_eq(got->bytes, bytes, "%s: bytes: got %llu, want %llu", what,
		     (unsigned long long)got->bytes, (unsigned long long)bytes);
}

/* What was sent, and what the program does with each frame. */
static void expect_seen(const char *mode, const struct xc_observe_stats *st)
{
	const struct xc_pb(*v)[XC_L3_MAX][XC_L4_MAX + 1] = st->verdicts;
	struct xc_pb zero = { 0 };
	char what[96];

	snprintf(what, sizeof(what), "%s: frames in", mode);
	expect_pb(what, &st->in.total, N_ALL,
		  (N_DROP + N_UDP) * UDP4_FRAME + N_TCP * TCP4_FRAME + N_UDP6 * UDP6_FRAME);
	expect_pb(what, &st->in.l3[XC_L3_IPV6], N_UDP6, N_UDP6 * UDP6_FRAME);
	expect_pb(what, &st->in.l4[XC_L4_TCP], N_TCP, N_TCP * TCP4_FRAME);
	expect_pb(what, &st->in.l4[XC_L4_UDP], N_DROP + N_UDP + N_UDP6,
		  (N_DROP + N_UDP) * UDP4_FRAME + N_UDP6 * UDP6_FRAME);
	snprintf(what, sizeof(what), "%s: drop ipv4/udp", mode);
	expect_pb(what, &v[XC_V_DROP][XC_L3_IPV4][XC_L4_UDP], N_DROP, N_DROP * UDP4_FRAME);
	snprintf(what, sizeof(what), "%s: pass ipv4/udp", mode);
	expect_pb(what, &v[XC_V_PASS][XC_L3_IPV4][XC_L4_UDP], N_UDP, N_UDP * UDP4_FRAME);
	snprintf(what, sizeof(what), "%s: pass ipv4/tcp", mode);
	expect_pb(what, &v[XC_V_PASS][XC_L3_IPV4][XC_L4_TCP], N_TCP, N_TCP * TCP4_FRAME);
	snprintf(what, sizeof(what), "%s: pass ipv6/udp", mode);
	expect_pb(what, &v[XC_V_PASS][XC_L3_IPV6][XC_L4_UDP], N_UDP6, N_UDP6 * UDP6_FRAME);
	/* Nothing else: the four cells hold every frame. */
	for (int a = 0; a < XC_V_MAX; a++) {
		struct xc_class_split s;

		xc_verdict_split(st, (enum xc_verdict)a, &s);
		snprintf(what, sizeof(what), "%s: %s in all", mode, xc_verdict_names[a]);
		if (a == XC_V_DROP)
			expect_pb(what, &s.pb, N_DROP, N_DROP * UDP4_FRAME);
		else if (a == XC_V_PASS)
			expect_pb(what, &s.pb, N_UDP + N_TCP + N_UDP6, N_UDP * UDP4_FRAME +
				  N_TCP * TCP4_FRAME + N_UDP6 * UDP6_FRAME);
		else
			expect_pb(what, &s.pb, zero.packets, zero.bytes);
	}
}

/* Wait until the observer has seen n frames (at most 5 s), then a little more. */
static void read_seen(struct xc_observe_stats *st, __u64 n)
{
	for (int t = 0; t < 100; t++) {
		cr_assert_eq(xc_observe_read(obs, st), 0, "reading the observer");
		if (st->in.total.packets >= n)
			break;
		xt_sleep_ms(50);
	}
	xt_sleep_ms(200);
	cr_assert_eq(xc_observe_read(obs, st), 0, "reading the observer");
}

/* The program is on A's end, the same one, and still drops what it should. */
static void expect_program_works(const char *what)
{
	__u32 id = 0, want = 0;
	__u64 before = prog->bss->dropped;
	int saved = xt_net_enter_or_fail(net.ns_a);
	struct xc_prog_stats ps;

	cr_assert_eq(xc_xdp_query(net.ifindex_a, &id, NULL, 0), 0, "querying %s", net.if_a);
	xt_net_leave_or_fail(saved);
	cr_assert_eq(xc_prog_stats(bpf_program__fd(prog->progs.xt_drop_port), &ps), 0,
		     "the program's id");
	want = ps.prog_id;
	cr_expect_eq(id, want, "%s: XDP program on %s: got id %u, want %u", what, net.if_a,
		     id, want);
	send_frames(N_DROP);
	for (int t = 0; t < 100 && prog->bss->dropped < before + N_DROP; t++)
		xt_sleep_ms(50);
	cr_expect_eq(prog->bss->dropped, before + N_DROP,
		     "%s: the program dropped %llu, want %llu", what,
		     (unsigned long long)prog->bss->dropped, (unsigned long long)(before + N_DROP));
}

static void observe_library(enum xc_mode mode)
{
	struct xc_observe_stats st;
	char why[256] = "";
	int saved, err;

	setup(mode);
	saved = xt_net_enter_or_fail(net.ns_a);
	err = xc_observe_open(net.ifindex_a, &obs, why, sizeof(why));
	xt_net_leave_or_fail(saved);
	if (!fentry_allowed()) {
		cr_expect_eq(err, -EPERM, "observing where the kernel refuses fentry: %s", why);
		expect_program_works("after the kernel refused to observe it");
		return;
	}
	cr_assert_eq(err, 0, "observing %s: %s", net.if_a, why);
	cr_expect_str_eq(xc_observe_prog_name(obs), "xt_drop_port", "the function observed");
	send_frames(N_DROP);
	read_seen(&st, N_ALL);
	expect_seen(xc_mode_name(mode), &st);
	cr_expect_eq(prog->bss->dropped, N_DROP, "the program's own count: %llu",
		     (unsigned long long)prog->bss->dropped);
	xc_observe_close(obs);
	obs = NULL;
	expect_program_works("after the observer closed");
}

Test(observe, native)
{
	observe_library(XC_MODE_NATIVE);
}

Test(observe, generic)
{
	observe_library(XC_MODE_GENERIC);
}

/* The last JSON line xdpcount wrote. */
static struct json_object *last_line(const struct xt_bg *bg)
{
	char *out = xt_bg_out(bg), *last = out, *p;
	struct json_object *o;

	for (p = strchr(out, '\n'); p && p[1]; p = strchr(p + 1, '\n'))
		last = p + 1;
	o = json_tokener_parse(last);
	cr_assert(o, "not a JSON line: %.300s", last);
	free(out);
	return o;
}

/* A number by a dotted path of keys; fails the test when one is missing. */
static __u64 json_u64(struct json_object *o, const char *path)
{
	char buf[256], *save, *key;

	snprintf(buf, sizeof(buf), "%s", path);
	for (key = strtok_r(buf, ".", &save); key; key = strtok_r(NULL, ".", &save))
		o = xt_json_get(path, o, key);
	return (__u64)json_object_get_int64(o);
}

/* The JSON line's verdicts of A's end: action, then a path below it. */
static __u64 verdict(struct json_object *o, const char *action, const char *path)
{
	char full[256];

	snprintf(full, sizeof(full), "verdicts.%s.%s.%s", net.if_a, action, path);
	return json_u64(o, full);
}

/* xdpcount --observe on A's end; false (after checking it said why) where it cannot. */
static bool start_cli(void)
{
	const char *argv[] = { xt_bin(), "--observe", "--json", "-i", "0.2", "--duration", "30",
			       net.if_a, NULL };
	bool allowed = fentry_allowed();
	char *err;

	xt_bg_start(&cli, net.ns_a, argv);
	if (allowed) {
		cr_assert(xt_bg_wait_err(&cli, "xdpcount: observing", 10000),
			  "xdpcount --observe did not start: %s", xt_bg_err(&cli));
		return true;
	}
	cr_assert(xt_bg_wait(&cli, 10000), "xdpcount --observe did not end");
	err = xt_bg_err(&cli);
	cr_expect_eq(cli.status, XC_EXIT_FAIL, "exit status %d: %s", cli.status, err);
	cr_expect(strstr(err, "refuses fentry/fexit") && strstr(err, net.if_a),
		  "no line saying the kernel refuses: %s", err);
	free(err);
	return false;
}

Test(observe, cli_json_and_exit)
{
	struct json_object *o;

	setup(XC_MODE_NATIVE);
	if (!start_cli()) {
		expect_program_works("after xdpcount could not observe it");
		return;
	}
	send_frames(N_DROP);
	xt_sleep_ms(600); /* a few updates: the last one comes after SIGTERM */
	xt_bg_signal(&cli, SIGTERM);
	cr_assert(xt_bg_wait(&cli, 5000), "xdpcount did not end on SIGTERM");
	cr_expect_eq(cli.status, XC_EXIT_OK, "exit status %d: %s", cli.status, xt_bg_err(&cli));
	o = last_line(&cli);
	cr_expect_eq(json_u64(o, "total.packets"), N_ALL, "total.packets");
	cr_expect_eq(json_u64(o, "l3.ipv6.packets"), N_UDP6, "l3.ipv6.packets");
	cr_expect_eq(json_u64(o, "l4.tcp.packets"), N_TCP, "l4.tcp.packets");
	cr_expect_eq(verdict(o, "drop", "packets"), N_DROP, "verdicts: drop");
	cr_expect_eq(verdict(o, "drop", "bytes"), N_DROP * UDP4_FRAME, "verdicts: drop bytes");
	cr_expect_eq(verdict(o, "drop", "l4.udp.packets"), N_DROP, "verdicts: drop udp");
	cr_expect_eq(verdict(o, "pass", "packets"), N_UDP + N_TCP + N_UDP6, "verdicts: pass");
	cr_expect_eq(verdict(o, "pass", "l3.ipv6.packets"), N_UDP6, "verdicts: pass ipv6");
	cr_expect_eq(verdict(o, "pass", "l4.tcp.packets"), N_TCP, "verdicts: pass tcp");
	cr_expect_eq(verdict(o, "tx", "packets") + verdict(o, "redirect", "packets") +
		     verdict(o, "aborted", "packets"), 0, "verdicts: tx, redirect, aborted");
	cr_expect(json_object_get_boolean(xt_json_get("final", o, "final")), "not the final line");
	json_object_put(o);
	expect_program_works("after xdpcount ended");
}

Test(observe, cli_killed)
{
	setup(XC_MODE_GENERIC);
	if (!start_cli()) {
		expect_program_works("after xdpcount could not observe it");
		return;
	}
	xt_bg_signal(&cli, SIGKILL);
	cr_assert(xt_bg_wait(&cli, 5000), "xdpcount did not die on SIGKILL");
	expect_program_works("after xdpcount was killed");
}

Test(observe, busy_names_observe)
{
	const char *argv[] = { xt_bin(), "--duration", "5", net.if_a, NULL };
	char *err;

	setup(XC_MODE_NATIVE);
	xt_bg_start(&cli, net.ns_a, argv);
	cr_assert(xt_bg_wait(&cli, 10000), "xdpcount did not end");
	err = xt_bg_err(&cli);
	cr_expect_eq(cli.status, XC_EXIT_BUSY, "exit status %d: %s", cli.status, err);
	cr_expect(strstr(err, "--observe"), "the message does not mention --observe: %s", err);
	free(err);
}
