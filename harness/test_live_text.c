// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The text view of a live run (--text, or any pipe): blocks that count what
 * the test sent, -o pps ordering, the final block's averages, features
 * switched off said so, columns that fit long interface names.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "checks.h"
#include "cli.h"
#include "cli_run.h"
#include "clock.h"
#include "json.h"
#include "proc.h"
#include "sockets.h"
#include "testnet.h"

static struct xt_net net, net2;
static struct xt_bg cli;

TestSuite(live_text, .fini = xt_teardown, .timeout = 60);

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

Test(live_text, text_blocks)
{
	char *out;

	xt_net_create_or_fail(&net, "t", 0);
	xt_net_static(&net);
	xt_cli_start(&cli, net.ns_a, "--text", "-i", "0.3", "--duration", XT_CLI_SAFETY, net.if_a, NULL);
	xt_ping(net.ns_b, XT_NET_IP4_A, XT_CLI_PINGS);
	for (int t = 0; t < 5000; t += 50) {
		out = xt_bg_out(&cli);
		if (text_row(out, "icmp") == XT_CLI_PINGS)
			break;
		free(out);
		out = NULL;
		xt_sleep_ms(50);
	}
	cr_expect(out, "no text block counted %d echo requests", XT_CLI_PINGS);
	free(out);
	xt_cli_stop(&cli, SIGTERM, XC_EXIT_OK);
	out = xt_bg_out(&cli);
	cr_expect(strstr(out, "   final"), "the last block is not marked final");
	XT_EXPECT_EQ(text_row(strstr(out, "   final"), "icmp"), XT_CLI_PINGS, "final block: icmp row");
	cr_expect(strstr(out, "top flows") && strstr(out, "frame size") &&
		  strstr(out, "rx_dropped"), "a block lacks a section: %.500s", out);
	free(out);
}

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

Test(live_text, long_interface_name)
{
	char *rows[2], *save, *line;
	const char *header = NULL;
	struct xt_proc p;
	int n = 0, err;

	xt_net_create_or_fail(&net, "w", 0);
	xt_net_join_or_fail(&net2, &net, "v");
	err = xt_net_exec(net.ns_a, "ip link set %s down && ip link set %s name %s && "
			  "ip link set %s up", net.if_a, net.if_a, LONG_IF, LONG_IF);
	XT_ASSERT_EQ(err, 0, "renaming %s to %s", net.if_a, LONG_IF);
	snprintf(net.if_a, sizeof(net.if_a), "%s", LONG_IF);
	xt_cli_run_bounded(&p, net.ns_a, NULL, "--text", "-c", "1", "-i", "0.2", LONG_IF, net2.if_a, NULL);
	XT_ASSERT_EQ(p.status, XC_EXIT_OK, "exit code: %s", p.err);
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
	XT_ASSERT_EQ(n, 2, "interface rows");
	expect_aligned(header, rows[0], LONG_IF);
	expect_aligned(header, rows[1], net2.if_a);
	xt_proc_free(&p);
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
			if (ports[i] == XT_CLI_UDP_DPORT + 1)
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
		if (ports[i] == XT_CLI_UDP_DPORT)
			*at_5002 = i;
		if (ports[i] == XT_CLI_UDP_DPORT + 1)
			*at_5003 = i;
	}
	return true;
}

/* -o pps: a port busy now ranks above one that was busier before, and is idle. */
Test(live_text, order_by_current_rate)
{
	int at_5002, at_5003;
	char *out = NULL;

	xt_net_create_or_fail(&net, "o", 0);
	xt_net_static(&net);
	xt_cli_start(&cli, net.ns_a, "--text", "-o", "pps", "-i", "0.3", "--duration", XT_CLI_SAFETY, net.if_a, NULL);
	xt_udp_b_to_a(&net, XT_CLI_UDP_SPORT, XT_CLI_UDP_DPORT, XT_CLI_UDP_N, XT_CLI_UDP_LEN);
	for (long long end = xt_now_ms() + 5000; xt_now_ms() < end; xt_sleep_ms(50)) {
		out = xt_bg_out(&cli);
		if (text_row(out, "udp") == XT_CLI_UDP_N)
			break;
		free(out);
		out = NULL;
	}
	cr_assert(out, "no block counted the first %d datagrams", XT_CLI_UDP_N);
	free(out);
	/* Counted in a block: the next interval has none of them. */
	xt_udp_b_to_a(&net, XT_CLI_UDP_SPORT + 1, XT_CLI_UDP_DPORT + 1, 3, XT_CLI_UDP_LEN);
	for (long long end = xt_now_ms() + 5000; xt_now_ms() < end; xt_sleep_ms(50)) {
		out = xt_bg_out(&cli);
		if (text_row(out, "udp") == XT_CLI_UDP_N + 3)
			break;
		free(out);
		out = NULL;
	}
	cr_assert(out, "no block counted the 3 later datagrams");
	cr_assert(order_in_last_block(out, &at_5002, &at_5003), "port 5003 is never listed");
	cr_expect(at_5003 >= 0 && at_5002 > at_5003, "by pps, udp 5003 (3 datagrams now) must "
		  "come before udp 5002 (%d before): places %d and %d", XT_CLI_UDP_N, at_5003, at_5002);
	cr_expect(strstr(out, "top destination ports (") && strstr(out, "), by pps"),
		  "the heading does not say the order");
	free(out);
	xt_cli_stop(&cli, SIGTERM, XC_EXIT_OK);
}

#define UDP_BYTES (XT_CLI_UDP_N * (14 + 20 + 8 + XT_CLI_UDP_LEN))

/* The final block's rates are the run's averages, not the idle last interval's. */
Test(live_text, final_block_averages)
{
	const char *final, *row;
	double pps, bps;
	char *out;

	xt_net_create_or_fail(&net, "a", 0);
	xt_net_static(&net);
	/* -B: the rates in bytes per second. */
	xt_cli_start(&cli, net.ns_a, "--text", "-B", "-i", "0.5", "--duration", "3", net.if_a,
		     NULL);
	xt_udp_b_to_a(&net, XT_CLI_UDP_SPORT, XT_CLI_UDP_DPORT, XT_CLI_UDP_N, XT_CLI_UDP_LEN);
	cr_assert(xt_bg_wait(&cli, 10000), "--duration 3 did not end");
	out = xt_bg_out(&cli);
	final = strstr(out, "   final: averages over ");
	cr_assert(final, "the final block does not say it shows averages: %.300s", out);
	cr_expect(strstr(final, "\nclass ") && strstr(strstr(final, "\nclass "), " B/s ") <
		  strstr(strstr(final, "\nclass ") + 1, "\n"), "-B: the rate column is not B/s");
	row = strstr(final, "\nudp ");
	cr_assert(row, "no udp row in the final block");
	/* name, packets, bytes, pps, then B/s. */
	cr_assert(sscanf(row, "\nudp %*s %*s %lf %lf", &pps, &bps) == 2, "udp row: %.80s", row);
	/* Over 3 s, or a little more on a busy machine; the last interval saw none. */
	cr_expect(pps >= XT_CLI_UDP_N / 6.0 - 1 && pps <= XT_CLI_UDP_N / 3.0 + 1,
		  "final udp pps %f: want the average, %d datagrams over 3 s or a bit more",
		  pps, XT_CLI_UDP_N);
	cr_expect(bps >= UDP_BYTES / 6.0 - 1 && bps <= UDP_BYTES / 3.0 + 1,
		  "final udp B/s %f: want the average, %d bytes over 3 s or a bit more", bps,
		  UDP_BYTES);
	free(out);
}

/* Switched off at load time: "off", not zeros that look like no traffic. */
Test(live_text, features_off)
{
	struct xt_json_lines l;
	struct xt_proc p;
	struct json_object *off;

	xt_net_create_or_fail(&net, "x", 0);
	xt_cli_run_bounded(&p, net.ns_a, NULL, "--text", "--no-sources", "--no-sizes", "-c", "1", "-i", "0.1", net.if_a,
	    NULL);
	XT_EXPECT_EQ(p.status, XC_EXIT_OK, "exit: %s", p.err);
	cr_expect(strstr(p.out, "\ntop sources: off (--no-sources)\n") &&
		  strstr(p.out, "\nframe sizes: off (--no-sizes)\n") &&
		  strstr(p.out, "tables: sources off, flows "),
		  "the text does not say off: %s", p.out);
	cr_expect(strstr(p.out, "top destination ports (") && strstr(p.out, "top flows ("),
		  "a list that is on says off: %s", p.out);
	xt_proc_free(&p);
	xt_cli_run_bounded(&p, net.ns_a, NULL, "--json", "--no-ports", "-c", "1", "-i", "0.1", net.if_a, NULL);
	xt_json_lines_parse(p.out, &l);
	XT_ASSERT_EQ(l.n, 1, "--json -c 1: lines");
	off = xt_json_at(l.v[0], "off");
	cr_expect(json_object_array_length(off) == 1 &&
		  !strcmp(json_object_get_string(json_object_array_get_idx(off, 0)), "ports"),
		  "off: %s", json_object_to_json_string(off));
	XT_EXPECT_STREQ(json_object_get_string(xt_json_at(l.v[0], "direction")), "ingress",
			"direction");
	xt_json_lines_free(&l);
	xt_proc_free(&p);
}
