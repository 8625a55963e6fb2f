// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Soak: 10,000 interval ticks without memory growth. In the library, a tick
 * is what the live counter does each interval: a snapshot, the top lists, a
 * rate against the previous snapshot, and freeing the older one. Through the
 * CLI it is `xdpcount -i 0.001 --count 10000 --json` on a veth pair, its RSS
 * sampled from /proc/PID/status early and late in the run.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include <json-c/json.h>
#include "checks.h"
#include "paths.h"
#include "proc.h"
#include "program.h"
#include "rss.h"
#include "testnet.h"

#define TICKS 10000
#define TICKS_STR "10000"
#define EARLY_TICK 1000
#define LATE_TICK 9000
#define WARMUP_TICKS 200 /* allocator and page-cache settling, before the baseline */
#define TOP_N 10
/* A leak of 27 bytes a tick over 10,000 ticks would pass this. */
#define RSS_GROWTH_MAX (256ul << 10)
#define CLI_WAIT_MS 240000

static struct xt_net net;
static struct xt_bg bg;

static void teardown(void)
{
	xt_bg_stop(&bg);
	xt_net_destroy(&net);
}

TestSuite(soak, .fini = teardown);

static void tick(struct xc_counter *xc, struct xc_snapshot *prev, struct xc_snapshot *cur)
{
	size_t idx[TOP_N];

	xt_snapshot(xc, cur);
	xc_top_sources(cur, TOP_N, idx);
	xc_top_ports(cur, TOP_N, idx);
	xc_top_flows(cur, TOP_N, idx);
	XT_ASSERT_EQ(cur->total.total.packets, prev->total.total.packets,
		     "total packets with no traffic, as before");
	xc_snapshot_free(prev);
	*prev = *cur;
}

Test(soak, library_ticks, .timeout = 120)
{
	struct xc_snapshot prev, cur;
	struct xc_config cfg;
	struct xc_counter *xc;
	struct xc_replay res;
	unsigned long mem0, mem1;
	char path[512], err[256];
	int rc;

	/* Ports off: its 131072-entry array makes a tick 30+ ms; the CLI soak reads it. */
	xc_config_default(&cfg);
	cfg.features &= ~(__u32)XC_F_PORTS;
	cfg.source_entries = cfg.flow_entries = 1024;
	xc = xt_open(&cfg);
	rc = xc_replay_file(xc, xt_pcap_path(path, sizeof(path), "mix.pcap"), &res, err,
			    sizeof(err));
	XT_ASSERT_EQ(rc, XC_REPLAY_OK, "replaying mix.pcap: %s", err);
	xt_snapshot(xc, &prev);
	cr_assert_gt(prev.n_flows, 0, "mix.pcap left no flows to read");
	for (int i = 0; i < WARMUP_TICKS; i++)
		tick(xc, &prev, &cur);
	mem0 = xt_mem_in_use(0);
	for (int i = 0; i < TICKS; i++)
		tick(xc, &prev, &cur);
	mem1 = xt_mem_in_use(0);
	cr_expect(mem1 <= mem0 + RSS_GROWTH_MAX,
		  "%d ticks grew memory in use from %lu to %lu KiB (bound +%lu KiB)", TICKS,
		  mem0 >> 10, mem1 >> 10, RSS_GROWTH_MAX >> 10);
	cr_log_info("soak: %d library ticks over %zu sources, %zu flows: memory %lu -> %lu KiB",
		    TICKS, prev.n_sources, prev.n_flows, mem0 >> 10, mem1 >> 10);
	xc_snapshot_free(&prev);
	xc_counter_close(xc);
}

/* The lines the CLI has printed so far, read on from where the last call stopped. */
static unsigned long lines_out(void)
{
	static unsigned long lines;
	static off_t off;
	char buf[65536];
	ssize_t n;

	while ((n = pread(bg.out, buf, sizeof(buf), off)) > 0) {
		for (ssize_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
		off += n;
	}
	return lines;
}

/* Poll until the CLI has printed `lines` lines; false if it exited first. */
static bool wait_lines(unsigned long lines)
{
	for (int ms = 0; ms < CLI_WAIT_MS; ms += 100) {
		if (lines_out() >= lines)
			return true;
		if (xt_bg_wait(&bg, 100))
			return lines_out() >= lines;
	}
	return false;
}

/* The last line is one whole JSON object: the CLI ended a tick, not mid-write. */
static void expect_last_line_json(const char *out)
{
	const char *last = out, *p;
	struct json_object *o;

	for (p = out; *p; p++)
		if (p[0] == '\n' && p[1])
			last = p + 1;
	o = json_tokener_parse(last);
	cr_expect(o && json_object_is_type(o, json_type_object),
		  "the last of %d lines is not a JSON object: %.120s", TICKS, last);
	json_object_put(o);
}

Test(soak, cli_ticks, .timeout = 300)
{
	unsigned long early, late, lines;
	char *out;

	xt_net_create_or_fail(&net, "sk", 0);
	{
		const char *const argv[] = {
			xt_bin(), "-i", "0.001", "--count", TICKS_STR, "--json", "--top", "3",
			"--no-ports", "--sources-max", "1024", "--flows-max", "1024",
			net.if_b, NULL,
		};

		xt_mem_child_env();
		xt_bg_start(&bg, net.ns_b, argv);
	}
	cr_assert(wait_lines(EARLY_TICK), "the CLI stopped before tick %d: %s", EARLY_TICK,
		  xt_bg_err(&bg));
	early = xt_mem_in_use(bg.pid);
	cr_assert(wait_lines(LATE_TICK), "the CLI stopped before tick %d", LATE_TICK);
	late = xt_mem_in_use(bg.pid);
	cr_assert(xt_bg_wait(&bg, CLI_WAIT_MS), "the CLI did not end after %d ticks", TICKS);
	XT_EXPECT_EQ(bg.status, 0, "the CLI's exit code");
	out = xt_bg_out(&bg);
	lines = lines_out();
	XT_EXPECT_EQ(lines, TICKS, "lines the CLI printed, one per tick");
	expect_last_line_json(out);
	free(out);
	cr_expect(early && late <= early + RSS_GROWTH_MAX,
		  "RSS at tick %d: %lu KiB, at tick %d: %lu KiB (bound +%lu KiB)",
		  EARLY_TICK, early >> 10, LATE_TICK, late >> 10, RSS_GROWTH_MAX >> 10);
	cr_log_info("soak: %d CLI ticks: RSS %lu KiB at tick %d, %lu KiB at tick %d",
		    TICKS, early >> 10, EARLY_TICK, late >> 10, LATE_TICK);
}
