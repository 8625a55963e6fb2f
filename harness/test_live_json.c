// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `xdpcount --json IFACE` inside a test namespace: each line counts what the
 * test sent, rates over the real time between updates (per entry too), the
 * wall clock beside it, flow times, the kernel's drops; --count and
 * --duration end it.
 */
#define _GNU_SOURCE
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <criterion/criterion.h>
#include "checks.h"
#include "cli.h"
#include "cli_run.h"
#include "clock.h"
#include "json.h"
#include "proc.h"
#include "program.h"
#include "sockets.h"
#include "testnet.h"

static struct xt_net net;
static struct xt_bg cli;

TestSuite(live_json, .fini = xt_teardown, .timeout = 60);

static void expect_udp_flow(const char *what, struct json_object *o)
{
	struct xc_flow *fl;
	size_t n;
	bool found = false;

	xt_json_flows(what, xt_json_at(o, "flows.top"), &fl, &n);
	for (size_t i = 0; i < n; i++) {
		if (fl[i].key.proto != IPPROTO_UDP || fl[i].key.sport != XT_CLI_UDP_SPORT)
			continue;
		found = true;
		XT_EXPECT_EQ(fl[i].val.packets, XT_CLI_UDP_N, "%s: UDP flow packets", what);
		XT_EXPECT_EQ(fl[i].val.bytes, XT_CLI_UDP_N * (14 + 20 + 8 + XT_CLI_UDP_LEN), "%s: UDP flow bytes",
			     what);
	}
	cr_expect(found, "%s: the UDP flow is not in flows.top", what);
	free(fl);
}

static void expect_final(const char *what, struct json_object *o)
{
	char path[128];

	cr_expect(json_object_get_boolean(xt_json_at(o, "final")), "%s: the last line is not final", what);
	XT_EXPECT_EQ(xt_json_num(o, "l4.udp.packets"), XT_CLI_UDP_N, "%s: l4.udp.packets", what);
	XT_EXPECT_EQ(xt_json_num(o, "l4.icmp.packets"), XT_CLI_PINGS, "%s: l4.icmp.packets", what);
	snprintf(path, sizeof(path), "interfaces.%s.l4.udp.packets", net.if_a);
	XT_EXPECT_EQ(xt_json_num(o, path), XT_CLI_UDP_N, "%s: %s", what, path);
	XT_EXPECT_EQ(json_object_array_length(xt_json_at(o, "interface")), 1, "%s: interface",
		     what);
	XT_EXPECT_STREQ(json_object_get_string(xt_json_at(o, "interface.0")), net.if_a,
			"%s: interface[0]", what);
	XT_EXPECT_EQ(json_object_array_length(xt_json_at(o, "lost")), 0, "%s: interfaces lost",
		     what);
	expect_udp_flow(what, o);
}

/* Half the last printed decimal: rates have 3 decimals, interval 6, elapsed 3. */
#define RATE_ROUND 0.0005
#define INTERVAL_ROUND 0.0000005
#define ELAPSED_ROUND 0.0005
/* Doubles printed and parsed back: far below any printed decimal. */
#define DOUBLE_SLACK(v) (1e-12 * ((v) > 1 ? (v) : 1))

/*
 * got is count / seconds, printed: seconds is within INTERVAL_ROUND of the
 * interval printed, and got within RATE_ROUND of the quotient.
 */
static bool rate_of(double got, double count, double interval)
{
	double lo = count / (interval + INTERVAL_ROUND);
	double hi = interval > INTERVAL_ROUND ? count / (interval - INTERVAL_ROUND) : INFINITY;

	return got >= lo - RATE_ROUND - DOUBLE_SLACK(lo) && got <= hi + RATE_ROUND + DOUBLE_SLACK(hi);
}

/*
 * How far a printed rate times the printed interval can be from the count it
 * stands for: (count / s + a) * (s + b) - count = count / s * b + a * (s + b),
 * with |a| <= RATE_ROUND, |b| <= INTERVAL_ROUND and count / s <= rate + RATE_ROUND.
 */
static double rate_times_interval_error(double rate, double interval)
{
	return (rate + RATE_ROUND) * INTERVAL_ROUND + RATE_ROUND * (interval + INTERVAL_ROUND);
}

/* interval is the real time between updates: elapsed says the same; rates divide by it. */
static void expect_rates(struct json_object *prev, struct json_object *cur, size_t i)
{
	double interval = xt_json_real(cur, "interval");
	double span = xt_json_real(cur, "elapsed") - (prev ? xt_json_real(prev, "elapsed") : 0);
	double pkts = (double)(xt_json_num(cur, "total.packets") - (prev ? xt_json_num(prev, "total.packets") : 0));
	double bits = 8.0 * (double)(xt_json_num(cur, "total.bytes") - (prev ? xt_json_num(prev, "total.bytes") : 0));
	/* Both elapsed values are rounded (the first line's start is 0 exactly), and interval. */
	double span_err = (prev ? 2 : 1) * ELAPSED_ROUND + INTERVAL_ROUND + DOUBLE_SLACK(span);

	cr_expect(interval > 0, "line %zu: interval %f is not positive", i, interval);
	cr_expect(span - interval <= span_err && interval - span <= span_err,
		  "line %zu: interval %f, but elapsed moved by %f", i, interval, span);
	cr_expect(rate_of(xt_json_real(cur, "rates.total.pps"), pkts, interval),
		  "line %zu: rates.total.pps %f, want %f packets / %f s", i,
		  xt_json_real(cur, "rates.total.pps"), pkts, interval);
	cr_expect(rate_of(xt_json_real(cur, "rates.total.bps"), bits, interval),
		  "line %zu: rates.total.bps %f, want %f bits / %f s", i,
		  xt_json_real(cur, "rates.total.bps"), bits, interval);
}

/* RFC 3339, UTC, milliseconds, near now; returns it in milliseconds since the epoch. */
static long long expect_time(struct json_object *o, size_t i)
{
	const char *t = json_object_get_string(xt_json_at(o, "time"));
	struct tm tm = { 0 };
	const char *rest = strptime(t, "%Y-%m-%dT%H:%M:%S", &tm);
	long long diff;

	cr_assert(rest && rest[0] == '.' && strlen(rest) == 5 && rest[4] == 'Z',
		  "line %zu: time \"%s\" is not RFC 3339 UTC with milliseconds", i, t);
	diff = (long long)timegm(&tm) - (long long)time(NULL);
	cr_expect(diff < 120 && diff > -120, "line %zu: time %s is %lld s from now", i, t, diff);
	return (long long)timegm(&tm) * 1000 + atoi(rest + 1);
}

/*
 * The wall clock moved as far as the monotonic interval says (a second clock's
 * word). Each time is cut to the millisecond (the difference of two is within
 * 1 ms of theirs), want is the interval rounded to one (0.5005 ms), and the CLI
 * reads the clocks' offset at each update to within 20 us: under 1.6 ms, so at
 * most 1 in whole milliseconds, unless the wall clock was set in between.
 */
static void expect_wall_interval(struct json_object *cur, long long ms, long long prev_ms,
				 size_t i)
{
	long long want = (long long)(xt_json_real(cur, "interval") * 1000 + 0.5);

	cr_expect(ms - prev_ms >= want - 1 && ms - prev_ms <= want + 1,
		  "line %zu: time moved %lld ms, interval says %lld ms", i, ms - prev_ms, want);
}

Test(live_json, json_lines)
{
	struct xt_krx before, after;
	struct xt_json_lines l;
	long long ms, prev_ms = 0;
	char path[128];

	xt_net_create_or_fail(&net, "j", 0);
	xt_net_static(&net);
	xt_kernel_rx(net.ns_a, net.if_a, &before);
	xt_cli_start(&cli, net.ns_a, "--json", "-i", "0.3", "--duration", XT_CLI_SAFETY, net.if_a, NULL);
	xt_udp_b_to_a(&net, XT_CLI_UDP_SPORT, XT_CLI_UDP_DPORT, XT_CLI_UDP_N, XT_CLI_UDP_LEN);
	xt_ping(net.ns_b, XT_NET_IP4_A, XT_CLI_PINGS);
	cr_expect(xt_cli_wait_value(&cli, "l4.udp.packets", XT_CLI_UDP_N, 5000),
		  "no line counted %d UDP datagrams", XT_CLI_UDP_N);
	xt_kernel_rx(net.ns_a, net.if_a, &after);
	xt_cli_stop(&cli, SIGTERM, XC_EXIT_OK);
	xt_cli_json_lines(&cli, &l);
	XT_EXPECT_GE(l.n, 2, "lines (an update and the final one)");
	for (size_t i = 0; i < l.n; i++) {
		XT_EXPECT_EQ(json_object_get_boolean(xt_json_at(l.v[i], "final")), i + 1 == l.n,
			     "line %zu: final", i + 1);
		XT_EXPECT_EQ(xt_json_num(l.v[i], "update"), (long long)i + 1, "line %zu: update",
			     i + 1);
		expect_rates(i ? l.v[i - 1] : NULL, l.v[i], i + 1);
		ms = expect_time(l.v[i], i + 1);
		if (i)
			expect_wall_interval(l.v[i], ms, prev_ms, i + 1);
		prev_ms = ms;
	}
	expect_final("the final line", l.v[l.n - 1]);
	snprintf(path, sizeof(path), "drops.kernel.%s.rx_dropped", net.if_a);
	XT_EXPECT_EQ(xt_json_num(l.v[l.n - 1], path), (long long)(after.dropped - before.dropped),
		     "%s, as the kernel's rx_dropped says", path);
	xt_json_lines_free(&l);
	xt_expect_detached("after SIGTERM", net.ns_a, net.ifindex_a);
}

Test(live_json, count_and_duration)
{
	struct xt_json_lines l;
	struct xt_bg *bg = &cli;

	xt_net_create_or_fail(&net, "d", 0);
	xt_cli_start(bg, net.ns_a, "--json", "-c", "3", "-i", "0.2", net.if_a, NULL);
	cr_assert(xt_bg_wait(bg, 10000), "--count 3 -i 0.2 did not end");
	XT_EXPECT_EQ(bg->status, XC_EXIT_OK, "--count: exit code");
	xt_cli_json_lines(bg, &l);
	XT_EXPECT_EQ(l.n, 3, "--count 3: lines");
	cr_expect(json_object_get_boolean(xt_json_at(l.v[l.n - 1], "final")), "--count: last line not final");
	xt_json_lines_free(&l);
	xt_bg_stop(bg);
	xt_cli_start(bg, net.ns_a, "--json", "--duration", "1.2", "-i", "0.5", net.if_a, NULL);
	cr_assert(xt_bg_wait(bg, 10000), "--duration 1.2 did not end");
	XT_EXPECT_EQ(bg->status, XC_EXIT_OK, "--duration: exit code");
	xt_cli_json_lines(bg, &l);
	XT_EXPECT_EQ(l.n, 3, "--duration 1.2 -i 0.5: lines (at 0.5, 1.0, 1.2 s)");
	cr_expect(xt_json_real(l.v[l.n - 1], "elapsed") >= 1.2, "--duration: stopped at %f s",
		  xt_json_real(l.v[l.n - 1], "elapsed"));
	cr_expect(json_object_get_boolean(xt_json_at(l.v[l.n - 1], "final")), "--duration: last line not final");
	xt_json_lines_free(&l);
	xt_expect_detached("after --duration", net.ns_a, net.ifindex_a);
}

/* Every entry's rates, summed over the updates, give back what the test sent. */
Test(live_json, rates_per_entry)
{
	struct xt_json_lines l;
	double pk[3] = { 0 }, bits[3] = { 0 }, pk_err[3] = { 0 }, bits_err[3] = { 0 };
	const char *lists[3] = { "top_src", "top_dst_ports", "flows.top" };
	const double want_bits = 8.0 * XT_CLI_UDP_N * (14 + 20 + 8 + XT_CLI_UDP_LEN);

	xt_net_create_or_fail(&net, "r", 0);
	xt_net_static(&net);
	xt_cli_start(&cli, net.ns_a, "--json", "-i", "0.3", "--duration", XT_CLI_SAFETY, net.if_a, NULL);
	xt_udp_b_to_a(&net, XT_CLI_UDP_SPORT, XT_CLI_UDP_DPORT, XT_CLI_UDP_N, XT_CLI_UDP_LEN);
	cr_expect(xt_cli_wait_value(&cli, "l4.udp.packets", XT_CLI_UDP_N, 5000), "the datagrams were not counted");
	xt_cli_stop(&cli, SIGTERM, XC_EXIT_OK);
	xt_cli_json_lines(&cli, &l);
	for (size_t i = 0; i < l.n; i++) {
		double secs = xt_json_real(l.v[i], "interval");

		for (int k = 0; k < 3; k++) {
			struct json_object *a = xt_json_at(l.v[i], lists[k]);

			/* The test's entry: port 5002, its flow, its source (udp only here). */
			for (size_t j = 0; j < json_object_array_length(a); j++) {
				struct json_object *e = json_object_array_get_idx(a, j);
				struct json_object *v;
				bool mine = k == 0 ? !strcmp(json_object_get_string(
							xt_json_at(e, "addr")), XT_NET_IP4_B) :
					    json_object_object_get_ex(e, k == 1 ? "port" : "dport", &v) &&
					    json_object_get_int(v) == XT_CLI_UDP_DPORT;

				if (!mine)
					continue;
				pk[k] += xt_json_real(e, "pps") * secs;
				bits[k] += xt_json_real(e, "bps") * secs;
				pk_err[k] += rate_times_interval_error(xt_json_real(e, "pps"), secs);
				bits_err[k] += rate_times_interval_error(xt_json_real(e, "bps"), secs);
			}
		}
	}
	for (int k = 0; k < 3; k++) {
		cr_expect(fabs(pk[k] - XT_CLI_UDP_N) <= pk_err[k] + DOUBLE_SLACK(pk[k]),
			  "%s: pps x interval over the updates is %f, the test sent %d (rounding: %f)",
			  lists[k], pk[k], XT_CLI_UDP_N, pk_err[k]);
		cr_expect(fabs(bits[k] - want_bits) <= bits_err[k] + DOUBLE_SLACK(bits[k]),
			  "%s: bps x interval over the updates is %f, the test sent %f bits (rounding: %f)",
			  lists[k], bits[k], want_bits, bits_err[k]);
	}
	xt_json_lines_free(&l);
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
Test(live_json, flow_times)
{
	struct xt_json_lines l;
	struct json_object *top;
	long long before, after;
	bool found = false;

	xt_net_create_or_fail(&net, "s", 0);
	xt_net_static(&net);
	xt_cli_start(&cli, net.ns_a, "--json", "-i", "0.3", "--duration", XT_CLI_SAFETY, net.if_a, NULL);
	xt_sleep_ms(400);
	before = wall_ms();
	xt_udp_b_to_a(&net, XT_CLI_UDP_SPORT, XT_CLI_UDP_DPORT, XT_CLI_UDP_N, XT_CLI_UDP_LEN);
	after = wall_ms();
	cr_expect(xt_cli_wait_value(&cli, "l4.udp.packets", XT_CLI_UDP_N, 5000), "the datagrams were not counted");
	xt_cli_stop(&cli, SIGTERM, XC_EXIT_OK);
	xt_cli_json_lines(&cli, &l);
	top = xt_json_at(l.v[l.n - 1], "flows.top");
	for (size_t i = 0; i < json_object_array_length(top); i++) {
		struct json_object *e = json_object_array_get_idx(top, i);
		long long first, last;

		if (json_object_get_int(xt_json_at(e, "dport")) != XT_CLI_UDP_DPORT)
			continue;
		found = true;
		first = rfc3339_ms(json_object_get_string(xt_json_at(e, "first_seen")));
		last = rfc3339_ms(json_object_get_string(xt_json_at(e, "last_seen")));
		/* A kernel tick (at most 10 ms) and the clocks' conversion: 50 ms. */
		cr_expect(first >= before - 50 && first <= after + 50 && last >= first &&
			  last <= after + 50, "first_seen %lld, last_seen %lld: the test sent "
			  "from %lld to %lld", first, last, before, after);
	}
	cr_expect(found, "the UDP flow is not in the last line");
	xt_json_lines_free(&l);
}
