// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The Prometheus exposition: the library's writer against a fixture's expect
 * file and `promtool check metrics`; the CLI's /metrics endpoint; and a real
 * Prometheus server that scrapes it and answers queries with what was sent.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "checks.h"
#include "cli.h"
#include "clock.h"
#include "fixtures.h"
#include "http.h"
#include "json.h"
#include "libxdpcount.h"
#include "paths.h"
#include "proc.h"
#include "program.h"
#include "sockets.h"
#include "testnet.h"

#define UDP_PORT 5002
#define UDP_SPORT 40002
#define UDP_N 17
#define UDP_LEN 80
#define PINGS 6
#define PROM_PORT 9090 /* inside the test's own namespace: nothing else listens there */

static struct xt_net net;
static struct xt_bg cli, prom;
static struct xc_counter *xc;
static char prom_dir[64];

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void teardown(void)
{
	xt_bg_stop(&prom);
	xt_bg_stop(&cli);
	if (prom_dir[0])
		nftw(prom_dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	xc_counter_close(xc);
	xc = NULL;
	xt_net_destroy(&net);
}

TestSuite(live_prom, .fini = teardown, .timeout = 90);

/* The value of one series, exactly as written ("name{labels}"); false when absent. */
static bool sample(const char *text, const char *series, unsigned long long *v)
{
	size_t n = strlen(series);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, series, n) && p[n] == ' ') {
			*v = strtoull(p + n + 1, NULL, 10);
			return true;
		}
	}
	return false;
}

static void expect_sample(const char *text, unsigned long long want, const char *fmt, ...)
{
	unsigned long long v = 0;
	char series[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(series, sizeof(series), fmt, ap);
	va_end(ap);
	cr_expect(sample(text, series, &v), "no series %s", series);
	XT_EXPECT_EQ(v, want, "%s", series);
}

/* promtool reads the exposition from stdin; it must find nothing to say. */
static void expect_promtool_ok(const char *text)
{
	static const char *const argv[] = { "/bin/sh", "-c",
		"exec /usr/bin/promtool check metrics < \"$0\"", NULL, NULL };
	char path[] = "/tmp/xdpcount-metrics-XXXXXX";
	const char *args[5];
	struct xt_proc p;
	int fd = mkstemp(path);

	cr_assert(fd >= 0, "mkstemp: %s", strerror(errno));
	XT_ASSERT_EQ(write(fd, text, strlen(text)), (ssize_t)strlen(text), "writing %s", path);
	close(fd);
	memcpy(args, argv, sizeof(args));
	args[3] = path;
	xt_proc_run(args, &p);
	unlink(path);
	XT_EXPECT_EQ(p.status, 0, "promtool check metrics: exit: %s%s", p.out, p.err);
	XT_EXPECT_EQ(strlen(p.out) + strlen(p.err), 0, "promtool check metrics says: %s%s", p.out,
		     p.err);
	xt_proc_free(&p);
}

static void expect_core(const char *text, const char *iface, const struct xc_counters *c)
{
	static const char *const units[] = { "packets", "bytes" };

	for (int u = 0; u < 2; u++) {
		const __u64 *v = u ? &c->total.bytes : &c->total.packets;

		expect_sample(text, *v, "xdpcount_%s_total{interface=\"%s\"}", units[u], iface);
		for (int i = 0; i < XC_L3_MAX; i++)
			expect_sample(text, u ? c->l3[i].bytes : c->l3[i].packets,
				      "xdpcount_l3_%s_total{interface=\"%s\",class=\"%s\"}",
				      units[u], iface, xt_l3_names[i]);
		for (int i = 0; i < XC_L4_MAX; i++)
			expect_sample(text, u ? c->l4[i].bytes : c->l4[i].packets,
				      "xdpcount_l4_%s_total{interface=\"%s\",class=\"%s\"}",
				      units[u], iface, xt_l4_names[i]);
		expect_sample(text, u ? c->malformed.bytes : c->malformed.packets,
			      "xdpcount_malformed_%s_total{interface=\"%s\"}", units[u], iface);
		expect_sample(text, u ? c->vlan.bytes : c->vlan.packets,
			      "xdpcount_vlan_%s_total{interface=\"%s\"}", units[u], iface);
	}
}

/* Cumulative buckets from gen.py's histogram, and its count and sum. */
static void expect_histogram(const char *text, const char *iface, const struct xt_expect *exp)
{
	unsigned long long cum = 0, sum = 0;
	char le[24];

	for (int b = 0; b < XC_SIZE_BUCKETS; b++) {
		cum += exp->c.sizes[b].packets;
		sum += exp->c.sizes[b].bytes;
		if (exp->size_le[b] >= 0)
			snprintf(le, sizeof(le), "%ld", exp->size_le[b]);
		else
			snprintf(le, sizeof(le), "+Inf");
		expect_sample(text, cum, "xdpcount_frame_size_bytes_bucket{interface=\"%s\",le=\"%s\"}",
			      iface, le);
	}
	expect_sample(text, exp->c.total.packets, "xdpcount_frame_size_bytes_count{interface=\"%s\"}",
		      iface);
	expect_sample(text, sum, "xdpcount_frame_size_bytes_sum{interface=\"%s\"}", iface);
}

static void expect_top_ports(const char *text, const struct xt_expect *exp, size_t top)
{
	struct xc_port *p = malloc(exp->n_ports * sizeof(*p) + 1);
	char buf[8];

	cr_assert(p, "out of memory");
	memcpy(p, exp->ports, exp->n_ports * sizeof(*p));
	qsort(p, exp->n_ports, sizeof(*p), xt_rank_port);
	for (size_t i = 0; i < exp->n_ports && i < top; i++)
		expect_sample(text, p[i].pb.packets,
			      "xdpcount_dst_port_packets_total{proto=\"%s\",port=\"%u\"}",
			      xc_proto_str(p[i].proto, buf, sizeof(buf)), p[i].port);
	free(p);
}

Test(live_prom, exposition_of_mix)
{
	struct xc_snapshot s;
	struct xt_expect exp;
	struct xc_replay res;
	char err[256], *text = NULL;
	size_t len = 0;
	FILE *f;

	xt_expect_load(&exp, "mix", "mix.pcap");
	xc = xt_open(NULL);
	XT_ASSERT_EQ(xc_replay_file(xc, exp.path, &res, err, sizeof(err)), XC_REPLAY_OK, "%s", err);
	xt_snapshot(xc, &s);
	f = open_memstream(&text, &len);
	cr_assert(f, "open_memstream");
	XT_EXPECT_EQ(xc_prom_snapshot(f, &s, NULL, 0, 10), 0, "writing the exposition");
	fclose(f);
	/* Test runs arrive on the loopback device unless told otherwise. */
	expect_core(text, "lo", &exp.c);
	expect_histogram(text, "lo", &exp);
	expect_top_ports(text, &exp, 10);
	expect_sample(text, exp.n_flows, "xdpcount_table_entries{table=\"flows\"}");
	expect_sample(text, exp.n_sources, "xdpcount_table_entries{table=\"sources\"}");
	expect_promtool_ok(text);
	free(text);
	xc_snapshot_free(&s);
	xt_expect_free(&exp);
}

/* ---- the CLI's endpoint ---- */

static int start_cli(void)
{
	const char *argv[] = { xt_bin(), "--json", "-i", "0.2", "--duration", "80",
			       "--prometheus", "127.0.0.1:0", net.if_a, NULL };
	const char *at;
	char *err;
	int port = 0;

	xt_bg_start(&cli, net.ns_a, argv);
	cr_assert(xt_bg_wait_err(&cli, "xdpcount: counting on", 15000),
		  "xdpcount did not start: %s", xt_bg_err(&cli));
	err = xt_bg_err(&cli);
	at = strstr(err, "serving metrics at http://127.0.0.1:");
	cr_assert(at && sscanf(at, "serving metrics at http://127.0.0.1:%d/metrics", &port) == 1,
		  "no metrics address on stderr: %s", err);
	free(err);
	return port;
}

static void send_traffic(void)
{
	xt_udp_b_to_a(&net, UDP_SPORT, UDP_PORT, UDP_N, UDP_LEN);
	xt_ping(net.ns_b, XT_NET_IP4_A, PINGS);
}

/*
 * GET /metrics until the UDP datagrams and the pings, sent after them, show:
 * the exposition follows -i, so one with the datagrams may predate the pings.
 */
static char *metrics_with_udp(int port, char **head)
{
	char series[128], pings[128], *body = NULL;
	unsigned long long v = 0, icmp = 0;

	snprintf(series, sizeof(series), "xdpcount_l4_packets_total{interface=\"%s\",class=\"udp\"}",
		 net.if_a);
	snprintf(pings, sizeof(pings), "xdpcount_l4_packets_total{interface=\"%s\",class=\"icmp\"}",
		 net.if_a);
	for (int t = 0; t < 5000; t += 100) {
		free(body);
		free(*head);
		XT_ASSERT_EQ(xt_http_get(net.ns_a, "127.0.0.1", port, "/metrics", head, &body), 200,
			     "GET /metrics");
		if (sample(body, series, &v) && v == UDP_N && sample(body, pings, &icmp) &&
		    icmp >= PINGS)
			return body;
		xt_sleep_ms(100);
	}
	cr_expect_fail("%s: got %llu, want %d", series, v, UDP_N);
	return body;
}

Test(live_prom, cli_endpoint)
{
	char *head = NULL, *body, *nf;
	int port;

	xt_net_create_or_fail(&net, "h", 0);
	xt_net_static(&net);
	port = start_cli();
	send_traffic();
	body = metrics_with_udp(port, &head);
	cr_expect(strcasestr(head, "Content-Type: text/plain; version=0.0.4"),
		  "Content-Type of /metrics: %s", head);
	expect_sample(body, PINGS, "xdpcount_l4_packets_total{interface=\"%s\",class=\"icmp\"}",
		      net.if_a);
	expect_sample(body, 1, "xdpcount_attached{interface=\"%s\",mode=\"native\"}", net.if_a);
	expect_sample(body, 0, "xdpcount_rx_dropped_total{interface=\"%s\"}", net.if_a);
	expect_promtool_ok(body);
	XT_EXPECT_EQ(xt_http_get(net.ns_a, "127.0.0.1", port, "/", NULL, &nf), 404, "GET /");
	free(nf);
	XT_EXPECT_EQ(xt_http_get(net.ns_a, "127.0.0.1", port, "/metricsx", NULL, &nf), 404,
		     "GET /metricsx");
	free(nf);
	free(head);
	free(body);
	xt_bg_signal(&cli, SIGTERM);
	cr_expect(xt_bg_wait(&cli, 10000) && cli.status == XC_EXIT_OK, "exit after SIGTERM: %d",
		  cli.status);
}

/* ---- a real Prometheus server ---- */

static void write_config(int target)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/prometheus.yml", prom_dir);
	f = fopen(path, "w");
	cr_assert(f, "%s: %s", path, strerror(errno));
	fprintf(f, "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
		"scrape_configs:\n  - job_name: xdpcount\n    static_configs:\n"
		"      - targets: ['127.0.0.1:%d']\n", target);
	fclose(f);
}

static void start_prometheus(int target)
{
	char config[128], storage[128], listen[64];
	const char *argv[] = { "/usr/bin/prometheus", config, storage, listen,
			       "--log.level=warn", NULL };

	snprintf(prom_dir, sizeof(prom_dir), "/tmp/xdpcount-prom-XXXXXX");
	cr_assert(mkdtemp(prom_dir), "mkdtemp: %s", strerror(errno));
	write_config(target);
	snprintf(config, sizeof(config), "--config.file=%s/prometheus.yml", prom_dir);
	snprintf(storage, sizeof(storage), "--storage.tsdb.path=%s/data", prom_dir);
	snprintf(listen, sizeof(listen), "--web.listen-address=127.0.0.1:%d", PROM_PORT);
	xt_bg_start(&prom, net.ns_a, argv);
}

/* The value of a one-element instant vector, or -1 while there is none. */
static long long query(const char *q)
{
	char path[512], *body = NULL;
	struct json_object *o, *result, *v;
	long long value = -1;

	snprintf(path, sizeof(path), "/api/v1/query?query=%s", q);
	if (xt_http_get(net.ns_a, "127.0.0.1", PROM_PORT, path, NULL, &body) != 200) {
		free(body);
		return -1;
	}
	o = json_tokener_parse(body);
	free(body);
	if (o && json_object_object_get_ex(o, "data", &v) &&
	    json_object_object_get_ex(v, "result", &result) &&
	    json_object_array_length(result) == 1 &&
	    json_object_object_get_ex(json_object_array_get_idx(result, 0), "value", &v))
		value = atoll(json_object_get_string(json_object_array_get_idx(v, 1)));
	json_object_put(o);
	return value;
}

static long long wait_query(const char *q, long long want)
{
	long long v = -1;

	for (int t = 0; t < 40000 && v != want; t += 250) {
		cr_assert(!xt_bg_wait(&prom, 0), "prometheus exited: %s", xt_bg_err(&prom));
		v = query(q);
		if (v != want)
			xt_sleep_ms(250);
	}
	return v;
}

Test(live_prom, prometheus_scrapes)
{
	char q[256];
	long long v;
	int port;

	xt_net_create_or_fail(&net, "q", 0);
	xt_net_static(&net);
	port = start_cli();
	send_traffic();
	start_prometheus(port);
	v = wait_query("up%7Bjob%3D%22xdpcount%22%7D", 1);
	XT_ASSERT_EQ(v, 1, "prometheus never scraped xdpcount (up =): %s", xt_bg_err(&prom));
	snprintf(q, sizeof(q), "xdpcount_l4_packets_total%%7Binterface%%3D%%22%s%%22,"
		 "class%%3D%%22udp%%22%%7D", net.if_a);
	v = wait_query(q, UDP_N);
	XT_EXPECT_EQ(v, UDP_N, "prometheus: l4 udp packets");
	v = wait_query("sum(xdpcount_l4_packets_total%7Bclass%3D%22icmp%22%7D)", PINGS);
	XT_EXPECT_EQ(v, PINGS, "prometheus: icmp packets");
	snprintf(q, sizeof(q), "xdpcount_l4_bytes_total%%7Binterface%%3D%%22%s%%22,"
		 "class%%3D%%22udp%%22%%7D", net.if_a);
	v = wait_query(q, UDP_N * (14 + 20 + 8 + UDP_LEN));
	XT_EXPECT_EQ(v, UDP_N * (14 + 20 + 8 + UDP_LEN), "prometheus: l4 udp bytes");
	xt_bg_signal(&prom, SIGTERM);
	cr_expect(xt_bg_wait(&prom, 10000), "prometheus did not stop on SIGTERM");
}
