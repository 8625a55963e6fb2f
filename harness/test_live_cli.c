// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `xdpcount IFACE...` as a user runs it, inside a test namespace (ip netns
 * exec): JSON lines with the counts of what the test sent, rates over the
 * real time between updates, signals, a second instance, lost interfaces,
 * every failure's exit code and message, and the text and terminal views.
 */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "cli.h"
#include "clock.h"
#include "json.h"
#include "paths.h"
#include "proc.h"
#include "sockets.h"
#include "testnet.h"

#define UDP_PORT 5002
#define UDP_SPORT 40002
#define UDP_N 19
#define UDP_LEN 64
#define PINGS 9
#define START_MS 15000 /* loading the program, attaching */
#define SAFETY "60"    /* --duration bound of every run: it never outlives a test */

static struct xt_net net, net2;
static struct xt_bg cli;

static void teardown(void)
{
	xt_bg_stop(&cli);
	xt_net_destroy(&net2);
	xt_net_destroy(&net);
}

TestSuite(live_cli, .fini = teardown, .timeout = 60);

/* ---- running it ---- */

/* xdpcount in net.ns_a with args, to NULL; returns once it counts. */
static void start(struct xt_bg *bg, const char *arg, ...)
{
	const char *argv[24] = { xt_bin() };
	int n = 1;
	va_list ap;

	va_start(ap, arg);
	for (; arg && n < 20; arg = va_arg(ap, const char *))
		argv[n++] = arg;
	va_end(ap);
	argv[n] = NULL;
	xt_bg_start(bg, net.ns_a, argv);
	cr_assert(xt_bg_wait_err(bg, "xdpcount: counting on", START_MS),
		  "xdpcount did not start counting: %s", xt_bg_err(bg));
}

/* Run it to its end in ns_a, with a wrapper's words before it (or none). */
static void run(struct xt_proc *p, const char *const *wrapper, const char *arg, ...)
{
	const char *argv[24] = { "/usr/bin/ip", "netns", "exec", net.ns_a };
	int n = 4;
	va_list ap;

	for (; wrapper && *wrapper; wrapper++)
		argv[n++] = *wrapper;
	argv[n++] = xt_bin();
	/* Should it count by mistake, it still ends. */
	argv[n++] = "--duration";
	argv[n++] = "5";
	va_start(ap, arg);
	for (; arg && n < 22; arg = va_arg(ap, const char *))
		argv[n++] = arg;
	va_end(ap);
	argv[n] = NULL;
	xt_proc_run(argv, p);
}

static void stop(struct xt_bg *bg, int sig, int want)
{
	xt_bg_signal(bg, sig);
	cr_assert(xt_bg_wait(bg, 10000), "xdpcount did not exit within 10 s of signal %d", sig);
	cr_expect_eq(bg->status, want, "exit code after signal %d: got %d, want %d (stderr: %s)",
		     sig, bg->status, want, xt_bg_err(bg));
}

static __u32 xdp_prog_on(const char *ns, int ifindex, char *name, size_t len)
{
	int saved = xt_net_enter_or_fail(ns);
	__u32 id = 0;

	xc_xdp_query(ifindex, &id, name, len);
	xt_net_leave_or_fail(saved);
	return id;
}

/* Links are released after their process; give the kernel a moment. */
static void expect_detached(const char *what, const char *ns, int ifindex)
{
	char name[64];
	__u32 id = 0;

	for (int i = 0; i < 200; i++) {
		id = xdp_prog_on(ns, ifindex, name, sizeof(name));
		if (!id)
			break;
		xt_sleep_ms(10);
	}
	cr_expect_eq(id, 0, "%s: program %u (%s) is still attached", what, id, name);
}

/* ---- its JSON lines ---- */

struct lines_json {
	struct json_object *v[512];
	size_t n;
};

static void parse_lines(const char *out, struct lines_json *l)
{
	const char *p = out;

	l->n = 0;
	while (*p && l->n < 512) {
		const char *nl = strchr(p, '\n');
		char *line;

		if (!nl)
			break; /* a line still being written */
		line = strndup(p, (size_t)(nl - p));
		l->v[l->n] = json_tokener_parse(line);
		cr_assert(l->v[l->n] && json_object_is_type(l->v[l->n], json_type_object),
			  "line %zu is not a JSON object: %.200s", l->n + 1, line);
		free(line);
		l->n++;
		p = nl + 1;
	}
}

static void free_lines(struct lines_json *l)
{
	for (size_t i = 0; i < l->n; i++)
		json_object_put(l->v[i]);
	l->n = 0;
}

/* A value by a dotted path of keys ("l4.udp.packets"); fails the test when missing. */
static struct json_object *at(struct json_object *o, const char *path)
{
	char buf[256], *save, *key;

	snprintf(buf, sizeof(buf), "%s", path);
	for (key = strtok_r(buf, ".", &save); key; key = strtok_r(NULL, ".", &save))
		o = xt_json_get(path, o, key);
	return o;
}

static long long num(struct json_object *o, const char *path)
{
	return json_object_get_int64(at(o, path));
}

static double real(struct json_object *o, const char *path)
{
	return json_object_get_double(at(o, path));
}

/* Wait until the last line has path == want. */
static bool wait_value(struct xt_bg *bg, const char *path, long long want, int timeout_ms)
{
	for (int t = 0; t < timeout_ms; t += 50) {
		struct lines_json l;
		char *out = xt_bg_out(bg);
		bool ok;

		parse_lines(out, &l);
		free(out);
		ok = l.n && num(l.v[l.n - 1], path) == want;
		free_lines(&l);
		if (ok)
			return true;
		xt_sleep_ms(50);
	}
	return false;
}

static void collect(struct xt_bg *bg, struct lines_json *l)
{
	char *out = xt_bg_out(bg);

	parse_lines(out, l);
	free(out);
	cr_assert(l->n >= 1, "no JSON line at all");
}

/* ---- JSON lines ---- */

static void expect_udp_flow(const char *what, struct json_object *o)
{
	struct xc_flow *fl;
	size_t n;
	bool found = false;

	xt_json_flows(what, at(o, "flows.top"), &fl, &n);
	for (size_t i = 0; i < n; i++) {
		if (fl[i].key.proto != IPPROTO_UDP || fl[i].key.sport != UDP_SPORT)
			continue;
		found = true;
		cr_expect_eq(fl[i].val.packets, UDP_N, "%s: UDP flow packets: got %llu, want %d",
			     what, fl[i].val.packets, UDP_N);
		cr_expect_eq(fl[i].val.bytes, UDP_N * (14 + 20 + 8 + UDP_LEN),
			     "%s: UDP flow bytes: got %llu, want %d", what, fl[i].val.bytes,
			     UDP_N * (14 + 20 + 8 + UDP_LEN));
	}
	cr_expect(found, "%s: the UDP flow is not in flows.top", what);
	free(fl);
}

static void expect_final(const char *what, struct json_object *o)
{
	char path[128];

	cr_expect(json_object_get_boolean(at(o, "final")), "%s: the last line is not final", what);
	cr_expect_eq(num(o, "l4.udp.packets"), UDP_N, "%s: l4.udp.packets: got %lld, want %d",
		     what, num(o, "l4.udp.packets"), UDP_N);
	cr_expect_eq(num(o, "l4.icmp.packets"), PINGS, "%s: l4.icmp.packets: got %lld, want %d",
		     what, num(o, "l4.icmp.packets"), PINGS);
	snprintf(path, sizeof(path), "interfaces.%s.l4.udp.packets", net.if_a);
	cr_expect_eq(num(o, path), UDP_N, "%s: %s: got %lld, want %d", what, path,
		     num(o, path), UDP_N);
	cr_expect_eq(json_object_array_length(at(o, "interface")), 1, "%s: interface", what);
	cr_expect_str_eq(json_object_get_string(json_object_array_get_idx(at(o, "interface"), 0)),
			 net.if_a, "%s: interface[0]", what);
	cr_expect_eq(json_object_array_length(at(o, "lost")), 0, "%s: lost is not empty", what);
	expect_udp_flow(what, o);
}

/* Equal but for the rounding of printed numbers. */
static bool close_to(double got, double want)
{
	double d = got > want ? got - want : want - got;

	return d <= 0.002 + 1e-5 * (want > 0 ? want : -want);
}

/* interval is the real time between updates: elapsed says the same; rates divide by it. */
static void expect_rates(struct json_object *prev, struct json_object *cur, size_t i)
{
	double interval = real(cur, "interval");
	double span = real(cur, "elapsed") - (prev ? real(prev, "elapsed") : 0);
	double pkts = (double)(num(cur, "total.packets") - (prev ? num(prev, "total.packets") : 0));
	double bits = 8.0 * (double)(num(cur, "total.bytes") - (prev ? num(prev, "total.bytes") : 0));

	cr_expect(interval > 0, "line %zu: interval %f is not positive", i, interval);
	cr_expect(span - interval < 0.0015 && interval - span < 0.0015,
		  "line %zu: interval %f, but elapsed moved by %f", i, interval, span);
	/* interval is printed to the microsecond: allow that rounding, relatively. */
	cr_expect(close_to(real(cur, "rates.total.pps"), pkts / interval),
		  "line %zu: rates.total.pps %f, want %f packets / %f s", i,
		  real(cur, "rates.total.pps"), pkts, interval);
	cr_expect(close_to(real(cur, "rates.total.bps"), bits / interval),
		  "line %zu: rates.total.bps %f, want %f bits / %f s", i,
		  real(cur, "rates.total.bps"), bits, interval);
}

/* RFC 3339, UTC, milliseconds, near now; returns it in milliseconds since the epoch. */
static long long expect_time(struct json_object *o, size_t i)
{
	const char *t = json_object_get_string(at(o, "time"));
	struct tm tm = { 0 };
	const char *rest = strptime(t, "%Y-%m-%dT%H:%M:%S", &tm);
	long long diff;

	cr_assert(rest && rest[0] == '.' && strlen(rest) == 5 && rest[4] == 'Z',
		  "line %zu: time \"%s\" is not RFC 3339 UTC with milliseconds", i, t);
	diff = (long long)timegm(&tm) - (long long)time(NULL);
	cr_expect(diff < 120 && diff > -120, "line %zu: time %s is %lld s from now", i, t, diff);
	return (long long)timegm(&tm) * 1000 + atoi(rest + 1);
}

/* The wall clock moved as far as the monotonic interval says (a second clock's word). */
static void expect_wall_interval(struct json_object *cur, long long ms, long long prev_ms,
				 size_t i)
{
	long long want = (long long)(real(cur, "interval") * 1000 + 0.5);

	cr_expect(ms - prev_ms >= want - 5 && ms - prev_ms <= want + 5,
		  "line %zu: time moved %lld ms, interval says %lld ms", i, ms - prev_ms, want);
}

Test(live_cli, json_lines)
{
	struct xt_krx before, after;
	struct lines_json l;
	long long ms, prev_ms = 0;
	char path[128];

	xt_net_create_or_fail(&net, "j", 0);
	xt_net_static(&net);
	xt_kernel_rx(net.ns_a, net.if_a, &before);
	start(&cli, "--json", "-i", "0.3", "--duration", SAFETY, net.if_a, NULL);
	xt_udp_b_to_a(&net, UDP_SPORT, UDP_PORT, UDP_N, UDP_LEN);
	xt_ping(net.ns_b, XT_NET_IP4_A, PINGS);
	cr_expect(wait_value(&cli, "l4.udp.packets", UDP_N, 5000),
		  "no line counted %d UDP datagrams", UDP_N);
	xt_kernel_rx(net.ns_a, net.if_a, &after);
	stop(&cli, SIGTERM, XC_EXIT_OK);
	collect(&cli, &l);
	cr_expect(l.n >= 2, "lines: got %zu, want an update and the final one", l.n);
	for (size_t i = 0; i < l.n; i++) {
		cr_expect_eq(json_object_get_boolean(at(l.v[i], "final")), i + 1 == l.n,
			     "line %zu: final is %d", i + 1, json_object_get_boolean(at(l.v[i], "final")));
		cr_expect_eq(num(l.v[i], "update"), (long long)i + 1, "line %zu: update", i + 1);
		expect_rates(i ? l.v[i - 1] : NULL, l.v[i], i + 1);
		ms = expect_time(l.v[i], i + 1);
		if (i)
			expect_wall_interval(l.v[i], ms, prev_ms, i + 1);
		prev_ms = ms;
	}
	expect_final("the final line", l.v[l.n - 1]);
	snprintf(path, sizeof(path), "drops.kernel.%s.rx_dropped", net.if_a);
	cr_expect_eq(num(l.v[l.n - 1], path), (long long)(after.dropped - before.dropped),
		     "%s: got %lld, the kernel says %llu", path, num(l.v[l.n - 1], path),
		     after.dropped - before.dropped);
	free_lines(&l);
	expect_detached("after SIGTERM", net.ns_a, net.ifindex_a);
}

Test(live_cli, count_and_duration)
{
	struct lines_json l;
	struct xt_bg *bg = &cli;

	xt_net_create_or_fail(&net, "d", 0);
	start(bg, "--json", "-c", "3", "-i", "0.2", net.if_a, NULL);
	cr_assert(xt_bg_wait(bg, 10000), "--count 3 -i 0.2 did not end");
	cr_expect_eq(bg->status, XC_EXIT_OK, "--count: exit code %d", bg->status);
	collect(bg, &l);
	cr_expect_eq(l.n, 3, "--count 3: got %zu lines", l.n);
	cr_expect(json_object_get_boolean(at(l.v[l.n - 1], "final")), "--count: last line not final");
	free_lines(&l);
	xt_bg_stop(bg);
	start(bg, "--json", "--duration", "1.2", "-i", "0.5", net.if_a, NULL);
	cr_assert(xt_bg_wait(bg, 10000), "--duration 1.2 did not end");
	cr_expect_eq(bg->status, XC_EXIT_OK, "--duration: exit code %d", bg->status);
	collect(bg, &l);
	cr_expect_eq(l.n, 3, "--duration 1.2 -i 0.5: got %zu lines, want 0.5, 1.0, 1.2", l.n);
	cr_expect(real(l.v[l.n - 1], "elapsed") >= 1.2, "--duration: stopped at %f s",
		  real(l.v[l.n - 1], "elapsed"));
	cr_expect(json_object_get_boolean(at(l.v[l.n - 1], "final")), "--duration: last line not final");
	free_lines(&l);
	expect_detached("after --duration", net.ns_a, net.ifindex_a);
}

Test(live_cli, sigkill_leaves_nothing)
{
	char name[64];

	xt_net_create_or_fail(&net, "k", 0);
	start(&cli, "--json", "--duration", SAFETY, net.if_a, NULL);
	cr_assert_neq(xdp_prog_on(net.ns_a, net.ifindex_a, name, sizeof(name)), 0,
		      "nothing attached while counting");
	cr_expect_str_eq(name, "xdpcount", "the attached program's name");
	xt_bg_signal(&cli, SIGKILL);
	cr_assert(xt_bg_wait(&cli, 5000), "SIGKILL did not end it");
	expect_detached("after SIGKILL", net.ns_a, net.ifindex_a);
}

Test(live_cli, second_instance)
{
	struct lines_json l;
	struct xt_proc p;
	char name[64], want[64];
	__u32 id;

	xt_net_create_or_fail(&net, "2", 0);
	xt_net_static(&net);
	start(&cli, "--json", "-i", "0.3", "--duration", SAFETY, net.if_a, NULL);
	id = xdp_prog_on(net.ns_a, net.ifindex_a, name, sizeof(name));
	run(&p, NULL, "--json", net.if_a, NULL);
	cr_expect_eq(p.status, XC_EXIT_BUSY, "second instance: exit code %d, want %d", p.status,
		     XC_EXIT_BUSY);
	snprintf(want, sizeof(want), "id %u, name \"xdpcount\"", id);
	cr_expect(strstr(p.err, "already has an XDP program") && strstr(p.err, want),
		  "second instance: stderr does not name program %s: %s", want, p.err);
	cr_expect_eq(p.out_len, 0, "second instance printed on stdout: %s", p.out);
	xt_proc_free(&p);
	cr_expect_eq(xdp_prog_on(net.ns_a, net.ifindex_a, name, sizeof(name)), id,
		     "the first instance's program was replaced");
	xt_ping(net.ns_b, XT_NET_IP4_A, PINGS);
	cr_expect(wait_value(&cli, "l4.icmp.packets", PINGS, 5000),
		  "the first instance did not go on counting");
	stop(&cli, SIGINT, XC_EXIT_OK);
	collect(&cli, &l);
	cr_expect(json_object_get_boolean(at(l.v[l.n - 1], "final")), "SIGINT: no final line");
	cr_expect_eq(num(l.v[l.n - 1], "l4.icmp.packets"), PINGS, "final l4.icmp.packets");
	free_lines(&l);
	expect_detached("after SIGINT", net.ns_a, net.ifindex_a);
}

Test(live_cli, interface_lost)
{
	struct lines_json l;
	struct json_object *last;
	char path[128], *err;

	xt_net_create_or_fail(&net, "l", 0);
	xt_net_join_or_fail(&net2, &net, "m");
	xt_net_static(&net);
	start(&cli, "--json", "-i", "0.3", "--duration", SAFETY, net.if_a, net2.if_a, NULL);
	cr_assert_eq(xt_net_exec(net.ns_a, "ip link del %s", net2.if_a), 0, "deleting %s",
		     net2.if_a);
	cr_expect(xt_bg_wait_err(&cli, "disappeared", 5000),
		  "no word of the lost interface: %s", xt_bg_err(&cli));
	xt_ping(net.ns_b, XT_NET_IP4_A, PINGS);
	snprintf(path, sizeof(path), "interfaces.%s.l4.icmp.packets", net.if_a);
	cr_expect(wait_value(&cli, path, PINGS, 5000), "counting did not go on on %s", net.if_a);
	stop(&cli, SIGTERM, XC_EXIT_IFLOST);
	err = xt_bg_err(&cli);
	cr_expect(strstr(err, net2.if_a), "stderr does not name %s: %s", net2.if_a, err);
	free(err);
	collect(&cli, &l);
	last = l.v[l.n - 1];
	cr_expect(json_object_get_boolean(at(last, "final")), "no final line");
	cr_expect_eq(json_object_array_length(at(last, "lost")), 1, "lost: want one interface");
	cr_expect_str_eq(json_object_get_string(json_object_array_get_idx(at(last, "lost"), 0)),
			 net2.if_a, "lost[0]");
	cr_expect_eq(num(last, path), PINGS, "final %s", path);
	free_lines(&l);
	expect_detached("after the run", net.ns_a, net.ifindex_a);
}

/* ---- failures: each its own exit code and message, nothing left attached ---- */

static void expect_failure(const struct xt_proc *p, int code, const char *msg)
{
	cr_expect_eq(p->status, code, "exit code: got %d, want %d (stderr: %s)", p->status,
		     code, p->err);
	cr_expect(strstr(p->err, msg), "stderr lacks \"%s\": %s", msg, p->err);
	cr_expect_eq(p->out_len, 0, "stdout is not empty: %.200s", p->out);
}

Test(live_cli, missing_interface)
{
	struct xt_proc p;

	xt_net_create_or_fail(&net, "n", 0);
	run(&p, NULL, "eth9", NULL);
	expect_failure(&p, XC_EXIT_NOIF, "xdpcount: no such interface: eth9\n");
	xt_proc_free(&p);
}

Test(live_cli, missing_privileges)
{
	static const char *const no_caps[] = {
		"/usr/bin/setpriv", "--inh-caps=-all", "--bounding-set=-all", "--", NULL,
	};
	struct xt_proc p;

	xt_net_create_or_fail(&net, "p", 0);
	run(&p, no_caps, net.if_a, NULL);
	expect_failure(&p, XC_EXIT_PERM, "CAP_BPF+CAP_NET_ADMIN");
	xt_proc_free(&p);
	expect_detached("after the refusal", net.ns_a, net.ifindex_a);
}

Test(live_cli, bad_options)
{
	struct xt_proc p;

	xt_net_create_or_fail(&net, "o", 0);
	run(&p, NULL, "--prometheus", "127.0.0.1:99999", net.if_a, NULL);
	expect_failure(&p, XC_EXIT_USAGE, "--prometheus wants [ADDR:]PORT, not '127.0.0.1:99999'");
	xt_proc_free(&p);
	run(&p, NULL, net.if_a, net.if_a, NULL);
	expect_failure(&p, XC_EXIT_USAGE, "interface ");
	cr_expect(strstr(p.err, "is given twice"), "twice: %s", p.err);
	xt_proc_free(&p);
	run(&p, NULL, "--count", "0", net.if_a, NULL);
	expect_failure(&p, XC_EXIT_USAGE, "--count must be a whole number");
	xt_proc_free(&p);
	/* Below the floor it warns, and still counts. */
	run(&p, NULL, "--json", "-c", "2", "-i", "0.05", net.if_a, NULL);
	cr_expect_eq(p.status, XC_EXIT_OK, "-i 0.05: exit %d: %s", p.status, p.err);
	cr_expect(!strncmp(p.err, "xdpcount: warning: -i 0.05", 26), "-i 0.05: no warning: %s",
		  p.err);
	xt_proc_free(&p);
	expect_detached("after the usage errors", net.ns_a, net.ifindex_a);
}

Test(live_cli, mode_fallback)
{
	struct lines_json l;
	struct xt_proc p;
	char path[64];

	xt_net_create_or_fail(&net, "b", 0);
	/* A bridge made in the test's namespace: its driver has no native XDP. */
	cr_assert_eq(xt_net_exec(net.ns_a, "ip link add xbr0 type bridge && ip link set xbr0 up"),
		     0, "making a bridge in %s", net.ns_a);
	run(&p, NULL, "--mode", "native", "xbr0", NULL);
	expect_failure(&p, XC_EXIT_FAIL, "xbr0 has no native XDP");
	xt_proc_free(&p);
	run(&p, NULL, "--json", "-c", "1", "-i", "0.1", "xbr0", NULL);
	cr_expect_eq(p.status, XC_EXIT_OK, "--mode auto on a bridge: exit %d: %s", p.status, p.err);
	cr_expect(strstr(p.err, "counting on xbr0 (generic: no native XDP here)"),
		  "auto does not say it fell back to generic: %s", p.err);
	parse_lines(p.out, &l);
	cr_assert_eq(l.n, 1, "--count 1: got %zu lines", l.n);
	snprintf(path, sizeof(path), "mode.xbr0");
	cr_expect_str_eq(json_object_get_string(at(l.v[0], path)), "generic", "%s", path);
	free_lines(&l);
	xt_proc_free(&p);
}

/* ---- the readable views ---- */

/* The class row "name packets ..." of the last block that has one. */
static long long text_row(const char *out, const char *name)
{
	long long v = -1;
	const char *p = out;
	size_t n = strlen(name);

	/* A class row: the name, padded to 12 columns, then the packets. */
	while ((p = strstr(p, name))) {
		if ((p == out || p[-1] == '\n') && strspn(p + n, " ") >= 12 - n)
			v = (long long)xt_grouped_number(p + n);
		p += n;
	}
	return v;
}

Test(live_cli, text_blocks)
{
	char *out;

	xt_net_create_or_fail(&net, "t", 0);
	xt_net_static(&net);
	start(&cli, "--text", "-i", "0.3", "--duration", SAFETY, net.if_a, NULL);
	xt_ping(net.ns_b, XT_NET_IP4_A, PINGS);
	for (int t = 0; t < 5000; t += 50) {
		out = xt_bg_out(&cli);
		if (text_row(out, "icmp") == PINGS)
			break;
		free(out);
		out = NULL;
		xt_sleep_ms(50);
	}
	cr_expect(out, "no text block counted %d echo requests", PINGS);
	free(out);
	stop(&cli, SIGTERM, XC_EXIT_OK);
	out = xt_bg_out(&cli);
	cr_expect(strstr(out, "   final"), "the last block is not marked final");
	cr_expect_eq(text_row(strstr(out, "   final"), "icmp"), PINGS,
		     "final block: icmp row");
	cr_expect(strstr(out, "top flows") && strstr(out, "frame size") &&
		  strstr(out, "rx_dropped"), "a block lacks a section: %.500s", out);
	free(out);
}

/* What a terminal would show of out: the widest line and the most rows of a frame. */
static void frame_extent(const char *p, const char *end, int *widest, int *tallest)
{
	int line = 0, col = 0;

	*widest = *tallest = 0;
	while (p < end) {
		if (p[0] == '\033' && p + 1 < end && p[1] == '[') {
			for (p += 2; p < end && !((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'));)
				p++;
			if (p < end && *p == 'H') /* cursor home: a new frame */
				line = col = 0;
			p++;
			continue;
		}
		if (*p == '\n') {
			line++;
			col = 0;
		} else if (*p != '\r') {
			col++;
		}
		*widest = col > *widest ? col : *widest;
		*tallest = line + 1 > *tallest ? line + 1 : *tallest;
		p++;
	}
}

/*
 * Everything the pty says until the program exits; after the first frame,
 * first(ctx, fd) runs once, and *first_at says where the output was then.
 */
static char *read_pty(int fd, size_t *len, void (*first)(void *ctx, int fd), void *ctx,
		      size_t *first_at, pid_t pid)
{
	size_t cap = 1 << 22;
	char *buf = malloc(cap);

	*len = *first_at = 0;
	cr_assert(buf, "out of memory");
	for (int t = 0; t < 15000 && *len + 1 < cap; t += 10) {
		ssize_t n = read(fd, buf + *len, cap - 1 - *len);

		if (n > 0) {
			*len += (size_t)n;
			buf[*len] = '\0';
			if (!*first_at && strstr(buf, "\033[K")) {
				*first_at = *len;
				first(ctx, fd);
			}
			continue;
		}
		if (n < 0 && waitpid(pid, NULL, WNOHANG) == pid)
			break;
		xt_sleep_ms(10);
	}
	buf[*len] = '\0';
	return buf;
}

/* After the first frame the terminal grows: the kernel sends SIGWINCH. */
static void grow_pty(void *ctx, int fd)
{
	ioctl(fd, TIOCSWINSZ, (const struct winsize *)ctx);
}

Test(live_cli, terminal_view)
{
	struct winsize small = { .ws_row = 20, .ws_col = 60 }, big = { .ws_row = 50, .ws_col = 110 };
	const char *argv[] = { "/usr/bin/ip", "netns", "exec", NULL, NULL, "-c", "8", "-i", "0.3",
			       NULL, NULL };
	size_t len, resized_at;
	int fd, wide, tall;
	char *out, *after;
	pid_t pid;

	xt_net_create_or_fail(&net, "y", 0);
	argv[3] = net.ns_a;
	argv[4] = xt_bin();
	argv[9] = net.if_a;
	pid = forkpty(&fd, NULL, NULL, &small);
	cr_assert(pid >= 0, "forkpty");
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	out = read_pty(fd, &len, grow_pty, &big, &resized_at, pid);
	close(fd);
	waitpid(pid, NULL, 0);
	cr_assert(strstr(out, "\033[?1049h"), "no alternate screen");
	after = strstr(out, "\033[?1049l");
	cr_assert(after, "the alternate screen was not left: %.300s", out + (len > 300 ? len - 300 : 0));
	cr_expect(strstr(after - 8, "\033[?25h"), "the cursor was not shown again");
	cr_expect(strstr(after, "   final"), "no final summary after the view");
	cr_assert(resized_at && out + resized_at < after, "the view ended before the resize");
	frame_extent(out, out + resized_at, &wide, &tall);
	cr_expect(wide <= small.ws_col && tall <= small.ws_row,
		  "on %dx%d a frame is %dx%d", small.ws_col, small.ws_row, wide, tall);
	frame_extent(out + resized_at, after, &wide, &tall);
	cr_expect(wide <= big.ws_col && tall <= big.ws_row,
		  "on %dx%d a frame is %dx%d", big.ws_col, big.ws_row, wide, tall);
	cr_expect(wide > small.ws_col, "after SIGWINCH no frame used the wider terminal "
		  "(widest line %d)", wide);
	free(out);
}

/* ---- job control on a terminal ---- */

struct pty_out {
	int fd;
	char *buf;
	size_t len, cap;
};

/*
 * argv on a new pty, in a process group of its own but in this session, as a
 * shell runs a job: the kernel ignores SIGTSTP's stop in an orphaned group,
 * which forkpty's new session would be. Returns the pid.
 */
static pid_t spawn_on_pty(const char *const argv[], const struct winsize *ws,
			  struct pty_out *o)
{
	int slave;
	pid_t pid;

	cr_assert_eq(openpty(&o->fd, &slave, NULL, NULL, ws), 0, "openpty");
	o->cap = 1 << 20;
	o->len = 0;
	o->buf = calloc(1, o->cap);
	cr_assert(o->buf, "out of memory");
	pid = fork();
	cr_assert(pid >= 0, "fork");
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		setpgid(0, 0);
		dup2(slave, STDIN_FILENO);
		dup2(slave, STDOUT_FILENO);
		dup2(slave, STDERR_FILENO);
		close(slave);
		close(o->fd);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(slave);
	return pid;
}

/* Read what the pty has, waiting at most ms for the first byte. */
static void pty_drain(struct pty_out *o, int ms)
{
	struct pollfd p = { .fd = o->fd, .events = POLLIN };

	while (o->len + 1 < o->cap && poll(&p, 1, ms) > 0 && (p.revents & POLLIN)) {
		ssize_t n = read(o->fd, o->buf + o->len, o->cap - 1 - o->len);

		if (n <= 0)
			break;
		o->len += (size_t)n;
		o->buf[o->len] = '\0';
		ms = 0;
	}
}

/* Wait until the output from offset from holds needle; where it is, or NULL. */
static const char *pty_wait(struct pty_out *o, size_t from, const char *needle, int timeout_ms)
{
	/* A clock, not a count of rounds: a hung-up pty returns from poll at once. */
	for (long long end = xt_now_ms() + timeout_ms; xt_now_ms() < end;) {
		const char *hit = strstr(o->buf + from, needle);

		if (hit)
			return hit;
		pty_drain(o, 20);
	}
	return strstr(o->buf + from, needle);
}

/* waitpid with options (WUNTRACED, WCONTINUED, 0 for exit) within timeout_ms. */
static bool pty_waitpid(struct pty_out *o, pid_t pid, int options, int *status, int timeout_ms)
{
	for (long long end = xt_now_ms() + timeout_ms; xt_now_ms() < end;) {
		if (waitpid(pid, status, options | WNOHANG) == pid)
			return true;
		pty_drain(o, 20);
	}
	return false;
}

Test(live_cli, suspend_and_continue)
{
	struct winsize ws = { .ws_row = 40, .ws_col = 100 };
	/* A long interval: a frame soon after SIGCONT is the resume's, not a tick's. */
	const char *argv[] = { "/usr/bin/ip", "netns", "exec", NULL, NULL, "-i", "30",
			       "--duration", SAFETY, NULL, NULL };
	struct pty_out o;
	const char *left, *back;
	size_t mark;
	int st = 0;
	pid_t pid;

	xt_net_create_or_fail(&net, "z", 0);
	argv[3] = net.ns_a;
	argv[4] = xt_bin();
	argv[9] = net.if_a;
	pid = spawn_on_pty(argv, &ws, &o);
	cr_assert(pty_wait(&o, 0, "\033[K", START_MS), "no first frame: %.300s", o.buf);
	mark = o.len;
	kill(pid, SIGTSTP);
	cr_assert(pty_waitpid(&o, pid, WUNTRACED, &st, 5000) && WIFSTOPPED(st),
		  "SIGTSTP did not stop it (status %#x)", st);
	cr_expect_eq(WSTOPSIG(st), SIGTSTP, "stopped by signal %d, want SIGTSTP", WSTOPSIG(st));
	pty_drain(&o, 100);
	left = strstr(o.buf + mark, "\033[?1049l");
	cr_assert(left, "it stopped on the alternate screen: %.200s", o.buf + mark);
	cr_expect(strstr(o.buf + mark, "\033[?25h") && strstr(o.buf + mark, "\033[?25h") < left,
		  "it stopped with the cursor hidden");
	mark = o.len;
	kill(pid, SIGCONT);
	cr_expect(pty_waitpid(&o, pid, WCONTINUED, &st, 5000) && WIFCONTINUED(st),
		  "SIGCONT: no continued status (%#x)", st);
	back = pty_wait(&o, mark, "\033[?1049h", 3000);
	cr_assert(back, "SIGCONT did not bring back the alternate screen: %.200s", o.buf + mark);
	mark = (size_t)(back - o.buf);
	cr_expect(pty_wait(&o, mark, "xdpcount on", 3000),
		  "no frame drawn at once after SIGCONT (interval 30 s)");
	mark = o.len;
	kill(pid, SIGINT);
	cr_assert(pty_waitpid(&o, pid, 0, &st, 10000), "SIGINT did not end it");
	pty_drain(&o, 100);
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == XC_EXIT_OK,
		  "exit after SIGINT: status %#x, want exit %d", st, XC_EXIT_OK);
	left = strstr(o.buf + mark, "\033[?1049l");
	cr_expect(left && strstr(left, "   final"), "no final summary on the normal screen");
	close(o.fd);
	free(o.buf);
	expect_detached("after suspend, continue and SIGINT", net.ns_a, net.ifindex_a);
}

/* ---- long interface names ---- */

#define LONG_IF "xdpcount-veth-a" /* IFNAMSIZ - 1 characters */

/* The header's label at a column boundary: one space before it. */
static const char *label_at(const char *header, const char *label)
{
	const char *p = strstr(header, label);

	cr_assert(p && p > header && p[-1] == ' ', "no column \"%s\" in: %s", label, header);
	return p;
}

/* A row's cells end where the header's right-aligned labels end, and mode starts with its. */
static void expect_aligned(const char *header, const char *row, const char *name)
{
	static const char *const right[] = { "packets", "bytes", "pps", "bit/s", "rx_dropped",
					     "rx_missed", "rx_errors" };
	size_t len = strlen(row), mode = (size_t)(label_at(header, "mode") - header);

	cr_expect(!strncmp(row, name, strlen(name)) && row[strlen(name)] == ' ',
		  "the row does not begin with all of %s: %s", name, row);
	for (size_t i = 0; i < sizeof(right) / sizeof(right[0]); i++) {
		size_t end = (size_t)(label_at(header, right[i]) - header) + strlen(right[i]);

		cr_expect(end <= len && row[end - 1] != ' ' && (end == len || row[end] == ' '),
			  "%s: column %s does not end at %zu as in the header:\n%s\n%s", name,
			  right[i], end, header, row);
	}
	cr_expect(mode < len && row[mode - 1] == ' ' && row[mode] != ' ',
		  "%s: column mode does not start at %zu as in the header:\n%s\n%s", name, mode,
		  header, row);
}

Test(live_cli, long_interface_name)
{
	char *rows[2], *save, *line;
	const char *header = NULL;
	struct xt_proc p;
	int n = 0;

	xt_net_create_or_fail(&net, "w", 0);
	xt_net_join_or_fail(&net2, &net, "v");
	cr_assert_eq(xt_net_exec(net.ns_a, "ip link set %s down && ip link set %s name %s && "
				 "ip link set %s up", net.if_a, net.if_a, LONG_IF, LONG_IF),
		     0, "renaming %s to %s", net.if_a, LONG_IF);
	snprintf(net.if_a, sizeof(net.if_a), "%s", LONG_IF);
	run(&p, NULL, "--text", "-c", "1", "-i", "0.2", LONG_IF, net2.if_a, NULL);
	cr_assert_eq(p.status, XC_EXIT_OK, "exit code %d: %s", p.status, p.err);
	/* The interface table: its header, then one row per interface until "tables:". */
	for (line = strtok_r(p.out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "interface ", 10))
			header = line;
		else if (header && !strncmp(line, "tables:", 7))
			break;
		else if (header && n < 2)
			rows[n++] = line;
	}
	cr_assert(header, "no interface table on stdout (stderr: %s)", p.err);
	cr_assert_eq(n, 2, "interface rows: got %d, want 2", n);
	expect_aligned(header, rows[0], LONG_IF);
	expect_aligned(header, rows[1], net2.if_a);
	xt_proc_free(&p);
}

/* ---- the view's contents: what the test sent, where a user looks for it ---- */

/* The flow the tests send, as the views print it. */
#define UDP_FLOW XT_NET_IP4_B ":40002 -> " XT_NET_IP4_A ":5002"

/* Send the UDP datagrams once the first frame is up. */
static void send_udp(void *ctx, int fd)
{
	(void)fd;
	xt_udp_b_to_a(ctx, UDP_SPORT, UDP_PORT, UDP_N, UDP_LEN);
}

struct frame_lines {
	char *v[256];
	int n;
};

/* The last frame drawn before `end`, line by line, escape sequences removed. */
static void last_frame(const char *out, const char *end, struct frame_lines *f)
{
	const char *home = NULL, *p;
	char line[1024];
	size_t n = 0;

	for (p = out; (p = strstr(p, "\033[H")) && p < end; p++)
		home = p;
	cr_assert(home, "no frame was drawn");
	f->n = 0;
	for (p = home + 3; p < end && f->n < 256; p++) {
		if (*p == '\033') {
			if (p[1] == '[' && p[2] == 'J')
				break; /* the end of the frame */
			for (p++; p < end && !((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'));)
				p++;
			continue;
		}
		if (*p == '\r')
			continue;
		if (*p == '\n' || n + 1 == sizeof(line)) {
			line[n] = '\0';
			f->v[f->n++] = strdup(line);
			n = 0;
			continue;
		}
		line[n++] = *p;
	}
	line[n] = '\0';
	if (n && f->n < 256)
		f->v[f->n++] = strdup(line);
}

static void free_frame(struct frame_lines *f)
{
	for (int i = 0; i < f->n; i++)
		free(f->v[i]);
	f->n = 0;
}

/* The line that starts with prefix (after spaces), or NULL. */
static const char *line_starting(const struct frame_lines *f, const char *prefix)
{
	for (int i = 0; i < f->n; i++)
		if (!strncmp(f->v[i] + strspn(f->v[i], " "), prefix, strlen(prefix)))
			return f->v[i];
	return NULL;
}

/* The top-list row that ends with label, below the heading holding title. */
static const char *list_row(const struct frame_lines *f, const char *title, const char *label)
{
	int i = 0;

	while (i < f->n && !strstr(f->v[i], title))
		i++;
	for (i++; i < f->n && f->v[i][0] && !strstr(f->v[i], "top "); i++) {
		size_t n = strlen(f->v[i]), l = strlen(label);

		if (n >= l && !strcmp(f->v[i] + n - l, label))
			return f->v[i];
	}
	return NULL;
}

/* A row's first number (packets, grouped), or -1 without the row. */
static long long row_packets(const char *row)
{
	return row ? (long long)xt_grouped_number(row) : -1;
}

/* xdpcount on a pty of ws until it ends; the test's datagrams after its first frame. */
static char *view_on_pty(const struct winsize *ws, size_t *len)
{
	const char *argv[] = { "/usr/bin/ip", "netns", "exec", net.ns_a, xt_bin(), "-i", "0.3",
			       "--duration", "3", net.if_a, NULL };
	size_t first_at;
	char *out;
	int fd;
	pid_t pid;

	xt_net_create_or_fail(&net, "f", 0);
	xt_net_static(&net);
	argv[3] = net.ns_a;
	argv[9] = net.if_a;
	pid = forkpty(&fd, NULL, NULL, ws);
	cr_assert(pid >= 0, "forkpty");
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	out = read_pty(fd, len, send_udp, &net, &first_at, pid);
	close(fd);
	waitpid(pid, NULL, 0);
	cr_assert(first_at, "no frame at all: %.300s", out);
	return out;
}

/* What the test sent, whole in the last frame: classes, each top list, the footer. */
static void expect_sent_in_frame(const struct frame_lines *f, const char *what)
{
	const char *row;

	cr_expect(f->n && !strncmp(f->v[0], "xdpcount on ", 12) && strstr(f->v[0], net.if_a) &&
		  strstr(f->v[0], "ingress"), "%s: header: %s", what, f->n ? f->v[0] : "");
	row = line_starting(f, "udp ");
	cr_expect_eq(row ? (long long)xt_grouped_number(row + 4) : -1, UDP_N,
		     "%s: the udp class row: %s", what, row ? row : "none");
	row = list_row(f, "top sources", XT_NET_IP4_B);
	cr_expect_eq(row_packets(row), UDP_N, "%s: top sources: %s", what, row ? row : "no row");
	row = list_row(f, "top destination ports", "udp    5002");
	cr_expect_eq(row_packets(row), UDP_N, "%s: top ports: %s", what, row ? row : "no row");
	row = list_row(f, "top flows", "udp    " UDP_FLOW);
	cr_expect_eq(row_packets(row), UDP_N, "%s: top flows (whole row): %s", what,
		     row ? row : "no row");
}

Test(live_cli, view_80x24)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	struct frame_lines f;
	size_t len;
	char *out = view_on_pty(&ws, &len), *end = strstr(out, "\033[?1049l");
	int wide, tall;

	cr_assert(end, "the view did not end: %.300s", out + (len > 300 ? len - 300 : 0));
	frame_extent(out, end, &wide, &tall);
	cr_expect(wide <= 80 && tall <= 24, "on 80x24 a frame is %dx%d", wide, tall);
	last_frame(out, end, &f);
	expect_sent_in_frame(&f, "80x24");
	cr_expect(f.n == 24 && !strncmp(f.v[23], "q quit", 6), "80x24: no keys on the last row: "
		  "%s", f.n ? f.v[f.n - 1] : "");
	free_frame(&f);
	free(out);
}

Test(live_cli, view_wide)
{
	struct winsize ws = { .ws_row = 60, .ws_col = 160 };
	struct frame_lines f;
	size_t len;
	char *out = view_on_pty(&ws, &len), *end = strstr(out, "\033[?1049l");
	const char *heading;
	int wide, tall, y, m, d;

	cr_assert(end, "the view did not end");
	frame_extent(out, end, &wide, &tall);
	cr_expect(wide <= 160 && tall <= 60, "on 160x60 a frame is %dx%d", wide, tall);
	last_frame(out, end, &f);
	expect_sent_in_frame(&f, "160x60");
	/* More room shows more: the histogram, tables, kernel counters, flow times, date. */
	heading = line_starting(&f, "interface ");
	cr_expect(line_starting(&f, "frame size") && line_starting(&f, "tables: ") &&
		  heading && strstr(heading, "rx_missed"), "160x60: a section is missing");
	heading = NULL;
	for (int i = 0; i < f.n; i++)
		if (strstr(f.v[i], "top flows"))
			heading = f.v[i];
	cr_expect(heading && strstr(heading, "age") && strstr(heading, "idle"),
		  "160x60: the flows have no age and idle: %s", heading ? heading : "");
	cr_expect(sscanf(strstr(f.v[0], "every ") ? strstr(f.v[0], "every ") : "",
			 "every %*s %d-%d-%d", &y, &m, &d) == 3, "160x60: no date: %s", f.v[0]);
	free_frame(&f);
	free(out);
}

/* Every entry's rates, summed over the updates, give back what the test sent. */
Test(live_cli, rates_per_entry)
{
	struct lines_json l;
	double pk[3] = { 0 }, bits[3] = { 0 };
	const char *lists[3] = { "top_src", "top_dst_ports", "flows.top" };
	const double want_bits = 8.0 * UDP_N * (14 + 20 + 8 + UDP_LEN);

	xt_net_create_or_fail(&net, "r", 0);
	xt_net_static(&net);
	start(&cli, "--json", "-i", "0.3", "--duration", SAFETY, net.if_a, NULL);
	xt_udp_b_to_a(&net, UDP_SPORT, UDP_PORT, UDP_N, UDP_LEN);
	cr_expect(wait_value(&cli, "l4.udp.packets", UDP_N, 5000), "the datagrams were not counted");
	stop(&cli, SIGTERM, XC_EXIT_OK);
	collect(&cli, &l);
	for (size_t i = 0; i < l.n; i++) {
		double secs = real(l.v[i], "interval");

		for (int k = 0; k < 3; k++) {
			struct json_object *a = at(l.v[i], lists[k]);

			/* The test's entry: port 5002, its flow, its source (udp only here). */
			for (size_t j = 0; j < json_object_array_length(a); j++) {
				struct json_object *e = json_object_array_get_idx(a, j);
				struct json_object *v;
				bool mine = k == 0 ? !strcmp(json_object_get_string(
							at(e, "addr")), XT_NET_IP4_B) :
					    json_object_object_get_ex(e, k == 1 ? "port" : "dport", &v) &&
					    json_object_get_int(v) == UDP_PORT;

				if (!mine)
					continue;
				pk[k] += real(e, "pps") * secs;
				bits[k] += real(e, "bps") * secs;
			}
		}
	}
	for (int k = 0; k < 3; k++) {
		cr_expect(pk[k] > UDP_N - 0.05 && pk[k] < UDP_N + 0.05,
			  "%s: pps x interval over the updates is %f, the test sent %d", lists[k],
			  pk[k], UDP_N);
		cr_expect(bits[k] > want_bits - 1 && bits[k] < want_bits + 1,
			  "%s: bps x interval over the updates is %f, the test sent %f bits",
			  lists[k], bits[k], want_bits);
	}
	free_lines(&l);
}

/* The ports heading's rows of one text block, in order: their labels' ports. */
static int block_ports(const char *block, int *ports, int max)
{
	const char *p = strstr(block, "top destination ports");
	int n = 0;

	if (!p)
		return 0;
	for (p = strchr(p, '\n'); p && p[1] && p[1] != '\n' && n < max; p = strchr(p + 1, '\n')) {
		const char *udp = strstr(p + 1, "udp    ");
		const char *eol = strchr(p + 1, '\n');

		if (!udp || (eol && udp > eol))
			break;
		ports[n++] = atoi(udp + 7);
	}
	return n;
}

/* The last block that lists port 5003, and where 5002 and 5003 stand in it. */
static bool order_in_last_block(const char *out, int *at_5002, int *at_5003)
{
	const char *b, *last = NULL;
	int ports[16], n;

	for (b = out; (b = strstr(b, "xdpcount on ")); b++) {
		const char *next = strstr(b + 1, "xdpcount on ");
		char *blk = strndup(b, next ? (size_t)(next - b) : strlen(b));

		n = block_ports(blk, ports, 16);
		for (int i = 0; i < n; i++)
			if (ports[i] == UDP_PORT + 1)
				last = b;
		free(blk);
		if (last == b)
			break; /* the first block where 5003 shows: its burst's interval */
	}
	if (!last)
		return false;
	{
		const char *next = strstr(last + 1, "xdpcount on ");
		char *blk = strndup(last, next ? (size_t)(next - last) : strlen(last));

		n = block_ports(blk, ports, 16);
		free(blk);
	}
	*at_5002 = *at_5003 = -1;
	for (int i = 0; i < n; i++) {
		if (ports[i] == UDP_PORT)
			*at_5002 = i;
		if (ports[i] == UDP_PORT + 1)
			*at_5003 = i;
	}
	return true;
}

/* -o pps: a port busy now ranks above one that was busier before, and is idle. */
Test(live_cli, order_by_current_rate)
{
	int at_5002, at_5003;
	char *out = NULL;

	xt_net_create_or_fail(&net, "o", 0);
	xt_net_static(&net);
	start(&cli, "--text", "-o", "pps", "-i", "0.3", "--duration", SAFETY, net.if_a, NULL);
	xt_udp_b_to_a(&net, UDP_SPORT, UDP_PORT, UDP_N, UDP_LEN);
	for (long long end = xt_now_ms() + 5000; xt_now_ms() < end; xt_sleep_ms(50)) {
		out = xt_bg_out(&cli);
		if (text_row(out, "udp") == UDP_N)
			break;
		free(out);
		out = NULL;
	}
	cr_assert(out, "no block counted the first %d datagrams", UDP_N);
	free(out);
	/* Counted in a block: the next interval has none of them. */
	xt_udp_b_to_a(&net, UDP_SPORT + 1, UDP_PORT + 1, 3, UDP_LEN);
	for (long long end = xt_now_ms() + 5000; xt_now_ms() < end; xt_sleep_ms(50)) {
		out = xt_bg_out(&cli);
		if (text_row(out, "udp") == UDP_N + 3)
			break;
		free(out);
		out = NULL;
	}
	cr_assert(out, "no block counted the 3 later datagrams");
	cr_assert(order_in_last_block(out, &at_5002, &at_5003), "port 5003 is never listed");
	cr_expect(at_5003 >= 0 && at_5002 > at_5003, "by pps, udp 5003 (3 datagrams now) must "
		  "come before udp 5002 (%d before): places %d and %d", UDP_N, at_5003, at_5002);
	cr_expect(strstr(out, "top destination ports (") && strstr(out, "), by pps"),
		  "the heading does not say the order");
	free(out);
	stop(&cli, SIGTERM, XC_EXIT_OK);
}

/* The final block's rates are the run's averages, not the idle last interval's. */
Test(live_cli, final_block_averages)
{
	const char *final, *row;
	double pps;
	char *out;

	xt_net_create_or_fail(&net, "a", 0);
	xt_net_static(&net);
	start(&cli, "--text", "-i", "0.5", "--duration", "3", net.if_a, NULL);
	xt_udp_b_to_a(&net, UDP_SPORT, UDP_PORT, UDP_N, UDP_LEN);
	cr_assert(xt_bg_wait(&cli, 10000), "--duration 3 did not end");
	out = xt_bg_out(&cli);
	final = strstr(out, "   final: averages over ");
	cr_assert(final, "the final block does not say it shows averages: %.300s", out);
	row = strstr(final, "\nudp ");
	cr_assert(row, "no udp row in the final block");
	/* name, packets, bytes, then pps. */
	cr_assert(sscanf(row, "\nudp %*s %*s %lf", &pps) == 1, "udp row: %.80s", row);
	cr_expect(pps >= UDP_N / 3.5 - 1 && pps <= UDP_N / 3.0 + 1,
		  "final udp pps %f: want the average, %d datagrams over about 3 s", pps, UDP_N);
	free(out);
}

/* Switched off at load time: "off", not zeros that look like no traffic. */
Test(live_cli, features_off)
{
	struct lines_json l;
	struct xt_proc p;
	struct json_object *off;

	xt_net_create_or_fail(&net, "x", 0);
	run(&p, NULL, "--text", "--no-sources", "--no-sizes", "-c", "1", "-i", "0.1", net.if_a,
	    NULL);
	cr_expect_eq(p.status, XC_EXIT_OK, "exit %d: %s", p.status, p.err);
	cr_expect(strstr(p.out, "\ntop sources: off (--no-sources)\n") &&
		  strstr(p.out, "\nframe sizes: off (--no-sizes)\n") &&
		  strstr(p.out, "tables: sources off, flows "),
		  "the text does not say off: %s", p.out);
	cr_expect(strstr(p.out, "top destination ports (") && strstr(p.out, "top flows ("),
		  "a list that is on says off: %s", p.out);
	xt_proc_free(&p);
	run(&p, NULL, "--json", "--no-ports", "-c", "1", "-i", "0.1", net.if_a, NULL);
	parse_lines(p.out, &l);
	cr_assert_eq(l.n, 1, "--json -c 1: %zu lines", l.n);
	off = at(l.v[0], "off");
	cr_expect(json_object_array_length(off) == 1 &&
		  !strcmp(json_object_get_string(json_object_array_get_idx(off, 0)), "ports"),
		  "off: %s", json_object_to_json_string(off));
	cr_expect_str_eq(json_object_get_string(at(l.v[0], "direction")), "ingress", "direction");
	free_lines(&l);
	xt_proc_free(&p);
}

static long long wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* RFC 3339 with milliseconds as milliseconds since the epoch. */
static long long rfc3339_ms(const char *t)
{
	struct tm tm = { 0 };
	const char *rest = strptime(t, "%Y-%m-%dT%H:%M:%S", &tm);

	cr_assert(rest && rest[0] == '.', "not RFC 3339: %s", t);
	return (long long)timegm(&tm) * 1000 + atoi(rest + 1);
}

/* A flow's first and last seen fall within the time the test sent it. */
Test(live_cli, flow_times)
{
	struct lines_json l;
	struct json_object *top;
	long long before, after;
	bool found = false;

	xt_net_create_or_fail(&net, "s", 0);
	xt_net_static(&net);
	start(&cli, "--json", "-i", "0.3", "--duration", SAFETY, net.if_a, NULL);
	xt_sleep_ms(400);
	before = wall_ms();
	xt_udp_b_to_a(&net, UDP_SPORT, UDP_PORT, UDP_N, UDP_LEN);
	after = wall_ms();
	cr_expect(wait_value(&cli, "l4.udp.packets", UDP_N, 5000), "the datagrams were not counted");
	stop(&cli, SIGTERM, XC_EXIT_OK);
	collect(&cli, &l);
	top = at(l.v[l.n - 1], "flows.top");
	for (size_t i = 0; i < json_object_array_length(top); i++) {
		struct json_object *e = json_object_array_get_idx(top, i);
		long long first, last;

		if (json_object_get_int(at(e, "dport")) != UDP_PORT)
			continue;
		found = true;
		first = rfc3339_ms(json_object_get_string(at(e, "first_seen")));
		last = rfc3339_ms(json_object_get_string(at(e, "last_seen")));
		/* A kernel tick (at most 10 ms) and the clocks' conversion: 50 ms. */
		cr_expect(first >= before - 50 && first <= after + 50 && last >= first &&
			  last <= after + 50, "first_seen %lld, last_seen %lld: the test sent "
			  "from %lld to %lld", first, last, before, after);
	}
	cr_expect(found, "the UDP flow is not in the last line");
	free_lines(&l);
}

/* Generic mode on a device with GRO on: said at start and in the JSON. */
Test(live_cli, generic_mode_gro_note)
{
	struct lines_json l;
	struct json_object *gro;
	struct xt_proc p;

	xt_net_create_or_fail(&net, "g", 0);
	xt_net_gro(net.ns_a, net.if_a);
	run(&p, NULL, "--json", "--mode", "generic", "-c", "1", "-i", "0.1", net.if_a, NULL);
	cr_expect_eq(p.status, XC_EXIT_OK, "exit %d: %s", p.status, p.err);
	cr_expect(strstr(p.err, "generic mode with GRO on") && strstr(p.err, "gro off"),
		  "no word of GRO aggregates at start: %s", p.err);
	parse_lines(p.out, &l);
	cr_assert_eq(l.n, 1, "--json -c 1: %zu lines", l.n);
	gro = at(l.v[0], "gro_aggregates");
	cr_expect(json_object_array_length(gro) == 1 &&
		  !strcmp(json_object_get_string(json_object_array_get_idx(gro, 0)), net.if_a),
		  "gro_aggregates: %s", json_object_to_json_string(gro));
	free_lines(&l);
	xt_proc_free(&p);
}
