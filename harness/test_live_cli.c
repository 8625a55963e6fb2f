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
#include "traffic.h"

#define UDP_PORT 5002
#define UDP_SPORT 40002
#define UDP_N 19
#define UDP_LEN 64
#define PINGS 9
#define START_MS 15000 /* loading the program, attaching */
#define SAFETY "60"    /* --duration bound of every run: it never outlives a test */

static struct xc_net net, net2;
static struct xt_bg cli;

static void teardown(void)
{
	xt_bg_stop(&cli);
	xc_net_destroy(&net2);
	xc_net_destroy(&net);
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
	int saved = xt_enter(ns);
	__u32 id = 0;

	xc_xdp_query(ifindex, &id, name, len);
	xt_leave(saved);
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

	xt_net_create(&net, "j", 0);
	xt_net_static(&net);
	xt_kernel_rx(net.ns_a, net.if_a, &before);
	start(&cli, "--json", "-i", "0.3", "--duration", SAFETY, net.if_a, NULL);
	xt_udp_b_to_a(&net, UDP_SPORT, UDP_PORT, UDP_N, UDP_LEN);
	xt_ping(net.ns_b, XC_NET_IP4_A, PINGS);
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

	xt_net_create(&net, "d", 0);
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

	xt_net_create(&net, "k", 0);
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

	xt_net_create(&net, "2", 0);
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
	xt_ping(net.ns_b, XC_NET_IP4_A, PINGS);
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

	xt_net_create(&net, "l", 0);
	xt_net_join(&net2, &net, "m");
	xt_net_static(&net);
	start(&cli, "--json", "-i", "0.3", "--duration", SAFETY, net.if_a, net2.if_a, NULL);
	cr_assert_eq(xc_net_exec(net.ns_a, "ip link del %s", net2.if_a), 0, "deleting %s",
		     net2.if_a);
	cr_expect(xt_bg_wait_err(&cli, "disappeared", 5000),
		  "no word of the lost interface: %s", xt_bg_err(&cli));
	xt_ping(net.ns_b, XC_NET_IP4_A, PINGS);
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

	xt_net_create(&net, "n", 0);
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

	xt_net_create(&net, "p", 0);
	run(&p, no_caps, net.if_a, NULL);
	expect_failure(&p, XC_EXIT_PERM, "CAP_BPF+CAP_NET_ADMIN");
	xt_proc_free(&p);
	expect_detached("after the refusal", net.ns_a, net.ifindex_a);
}

Test(live_cli, bad_options)
{
	struct xt_proc p;

	xt_net_create(&net, "o", 0);
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
	expect_detached("after the usage errors", net.ns_a, net.ifindex_a);
}

Test(live_cli, mode_fallback)
{
	struct lines_json l;
	struct xt_proc p;
	char path[64];

	xt_net_create(&net, "b", 0);
	/* A bridge made in the test's namespace: its driver has no native XDP. */
	cr_assert_eq(xc_net_exec(net.ns_a, "ip link add xbr0 type bridge && ip link set xbr0 up"),
		     0, "making a bridge in %s", net.ns_a);
	run(&p, NULL, "--mode", "native", "xbr0", NULL);
	expect_failure(&p, XC_EXIT_FAIL, "xbr0 has no native XDP");
	xt_proc_free(&p);
	run(&p, NULL, "--json", "-c", "1", "-i", "0.1", "xbr0", NULL);
	cr_expect_eq(p.status, XC_EXIT_OK, "--mode auto on a bridge: exit %d: %s", p.status, p.err);
	cr_expect(strstr(p.err, "counting on xbr0 (generic: no native XDP here, multi-buffer frames)"),
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
			v = strtoll(p + n, NULL, 10);
		p += n;
	}
	return v;
}

Test(live_cli, text_blocks)
{
	char *out;

	xt_net_create(&net, "t", 0);
	xt_net_static(&net);
	start(&cli, "--text", "-i", "0.3", "--duration", SAFETY, net.if_a, NULL);
	xt_ping(net.ns_b, XC_NET_IP4_A, PINGS);
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

/* Everything the pty says until the program exits; *resized_at: where the terminal grew. */
static char *read_pty(int fd, size_t *len, const struct winsize *grow, size_t *resized_at,
		      pid_t pid)
{
	size_t cap = 1 << 22;
	char *buf = malloc(cap);

	*len = *resized_at = 0;
	cr_assert(buf, "out of memory");
	for (int t = 0; t < 15000 && *len + 1 < cap; t += 10) {
		ssize_t n = read(fd, buf + *len, cap - 1 - *len);

		if (n > 0) {
			*len += (size_t)n;
			buf[*len] = '\0';
			/* After the first frame the terminal grows: the kernel sends SIGWINCH. */
			if (!*resized_at && strstr(buf, "\033[K")) {
				ioctl(fd, TIOCSWINSZ, grow);
				*resized_at = *len;
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

Test(live_cli, terminal_view)
{
	struct winsize small = { .ws_row = 20, .ws_col = 60 }, big = { .ws_row = 50, .ws_col = 110 };
	const char *argv[] = { "/usr/bin/ip", "netns", "exec", NULL, NULL, "-c", "8", "-i", "0.3",
			       NULL, NULL };
	size_t len, resized_at;
	int fd, wide, tall;
	char *out, *after;
	pid_t pid;

	xt_net_create(&net, "y", 0);
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
	out = read_pty(fd, &len, &big, &resized_at, pid);
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
	for (int t = 0; t < timeout_ms; t += 20) {
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
	for (int t = 0; t < timeout_ms; t += 20) {
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

	xt_net_create(&net, "z", 0);
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

	xt_net_create(&net, "w", 0);
	xt_net_join(&net2, &net, "v");
	cr_assert_eq(xc_net_exec(net.ns_a, "ip link set %s down && ip link set %s name %s && "
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
