// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Full tables keep counting: many_sources (3200 distinct sources and flows,
 * each seen once) through a flow cache of 256 entries per CPU, which exports
 * nearly every entry, and through user-space rows of 1000, which fold. The
 * oracle is gen.py's list of what it sent: with rows enough, every source,
 * port and flow is exact however many entries left the cache; with too few,
 * ports stay exact, every row listed is exact, and what did not fit is
 * counted as folded, down to the frame.
 */
#include <string.h>
#include <criterion/criterion.h>
#include "capture.h"
#include "checks.h"
#include "cpus.h"
#include "fixtures.h"
#include "program.h"

#define SMALL_CACHE 256
#define SMALL_ROWS 1000

/* Each key new exactly once: inserted once, and left the cache or is in it. */
static void expect_cache_once(const char *name, const struct xc_table *t, size_t n)
{
	XT_EXPECT_EQ(t->inserted, n, "%s: cache: inserted, one per key", name);
	XT_EXPECT_EQ(t->unrecorded.packets, 0, "%s: cache: unrecorded", name);
	XT_EXPECT_EQ(t->exported + t->entries, t->inserted,
		     "%s: cache: exported + live, want inserted", name);
	XT_EXPECT_LE(t->entries, t->capacity, "%s: cache: entries, at most the capacity", name);
	XT_EXPECT_GE(t->exported, n - t->capacity, "%s: cache: exported, at least the overflow",
		     name);
	cr_log_info("%s: %zu keys into a cache of %llu: %llu live, %llu exported", name, n,
		    t->capacity, t->entries, t->exported);
}

/* Rows of SMALL_ROWS: flows fold into sources, and sources into other. */
static void expect_folded(const char *name, const struct xc_snapshot *s, size_t n)
{
	const struct xc_table *fl = &s->tables[XC_TAB_FLOWS];

	XT_EXPECT_EQ(s->n_flows, SMALL_ROWS, "%s: flow rows", name);
	XT_EXPECT_EQ(fl->folded.packets, n - SMALL_ROWS, "%s: flows folded", name);
	XT_EXPECT_EQ(s->n_sources, 2 * SMALL_ROWS, "%s: source rows", name);
	XT_EXPECT_EQ(s->other.packets, n - 2 * SMALL_ROWS, "%s: other", name);
	XT_EXPECT_EQ(s->tables[XC_TAB_SOURCES].folded.packets, s->other.packets,
		     "%s: sources folded, which is other", name);
}

/* Every expected entry has one packet: each key is new exactly once. */
static void expect_keys_once(const struct xt_expect *exp)
{
	for (size_t i = 0; i < exp->n_sources; i++)
		XT_ASSERT_EQ(exp->sources[i].pb.packets, 1, "%s: source %zu seen more than once",
			     exp->name, i);
	for (size_t i = 0; i < exp->n_flows; i++)
		XT_ASSERT_EQ(exp->flows[i].val.packets, 1, "%s: flow %zu seen more than once",
			     exp->name, i);
}

/* many_sources into a cache of SMALL_CACHE; before: where each frame runs. */
static void check_small_cache(const char *name, struct xt_run_opts *opts, bool small_rows)
{
	struct xc_config cfg;
	struct xc_snapshot s;
	struct xc_counter *xc;
	struct xt_expect exp;
	struct xc_replay res;

	xt_expect_load(&exp, "many_sources", "many_sources.pcap");
	expect_keys_once(&exp);
	cr_assert(exp.n_sources > 2 * SMALL_ROWS && exp.n_flows == exp.n_sources,
		  "many_sources must overfill rows of %d, a flow per source", SMALL_ROWS);
	opts->exp = &exp;
	xc_config_default(&cfg);
	cfg.cache_entries = SMALL_CACHE;
	if (small_rows)
		cfg.source_entries = cfg.flow_entries = SMALL_ROWS;
	xc = xt_open(&cfg);
	XT_EXPECT_EQ(xt_run_capture(xc, exp.path, opts, &res), XC_REPLAY_OK, "%s: replay", name);
	xt_snapshot(xc, &s);

	xt_expect_counters_eq(name, &s.total, &exp.c);
	xt_expect_ports_eq(name, s.ports, s.n_ports, exp.ports, exp.n_ports);
	expect_cache_once(name, &s.tables[XC_TAB_CACHE], exp.n_flows);
	xt_expect_rows_cover_l4(name, &s);
	if (small_rows) {
		xt_expect_sources_in(name, s.sources, s.n_sources, exp.sources, exp.n_sources);
		xt_expect_flows_in(name, s.flows, s.n_flows, exp.flows, exp.n_flows);
		expect_folded(name, &s, exp.n_flows);
	} else {
		xt_expect_tables_eq(name, &s, &exp);
	}
	xc_snapshot_free(&s);
	xc_counter_close(xc);
	xt_expect_free(&exp);
}

Test(tables, small_cache_one_cpu)
{
	struct xt_run_opts opts = { 0 };
	struct xt_cpus cpus;

	xt_cpus_allowed(&cpus);
	xt_pin_cpu(cpus.cpu[0]);
	check_small_cache("many_sources, small cache, one CPU", &opts, false);
}

Test(tables, small_cache_every_cpu)
{
	struct xt_cpus cpus;
	struct xt_run_opts opts = { .before = xt_round_robin, .ctx = &cpus };

	xt_cpus_allowed(&cpus);
	check_small_cache("many_sources, small cache, every CPU", &opts, false);
}

Test(tables, small_rows_fold)
{
	struct xt_run_opts opts = { 0 };
	struct xt_cpus cpus;

	xt_cpus_allowed(&cpus);
	xt_pin_cpu(cpus.cpu[0]);
	check_small_cache("many_sources, small cache and rows", &opts, true);
}
