// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Load-time switches: with a feature off, its table records nothing, the rest
 * still counts `mix` exactly, and the verifier left a smaller program (its
 * code removed: xlated length; how many instructions it walked depends on how
 * its states happen to prune, and is the benchmarks' to report).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <criterion/criterion.h>
#include "capture.h"
#include "checks.h"
#include "fixtures.h"
#include "program.h"

static __u32 xlated_len(struct xc_counter *xc)
{
	struct xc_prog_stats st;

	XT_EXPECT_OK(xc_counter_prog_stats(xc, &st), "xc_counter_prog_stats");
	return st.xlated_len;
}

static __u32 xlated_len_all_on(void)
{
	struct xc_counter *xc = xt_open(NULL);
	__u32 n = xlated_len(xc);

	xc_counter_close(xc);
	return n;
}

/* A switched-off table: nothing listed, no rows. */
static void expect_off(const char *what, const char *table, size_t listed,
		       const struct xc_table *t)
{
	XT_EXPECT_EQ(listed, 0, "%s: %s: entries", what, table);
	if (!t)
		return;
	XT_EXPECT_EQ(t->entries, 0, "%s: %s: entries", what, table);
}

/* The flow cache serves all three tables: off only when they all are. */
static void expect_cache(const char *what, const struct xc_snapshot *s,
			 const struct xt_expect *exp, __u32 f)
{
	const struct xc_table *t = &s->tables[XC_TAB_CACHE];
	__u64 l4 = 0;

	for (int i = 0; i < XC_L4_MAX; i++)
		l4 += exp->c.l4[i].packets;
	if (!(f & XC_F_TABLES)) {
		XT_EXPECT_EQ(t->inserted + t->entries + t->capacity, 0,
			     "%s: cache inserted + entries + capacity", what);
		return;
	}
	XT_EXPECT_GT(t->entries, 0, "%s: cache entries", what);
	XT_EXPECT_GE(t->inserted, t->entries, "%s: cache inserted", what);
	XT_EXPECT_LE(t->inserted, l4, "%s: cache inserted, at most one per l4 frame", what);
}

static void expect_tables(const char *what, const struct xc_snapshot *s,
			  const struct xt_expect *exp, __u32 f)
{
	if (f & XC_F_SOURCES)
		xt_expect_sources_eq(what, s->sources, s->n_sources, exp->sources, exp->n_sources);
	else
		expect_off(what, "sources", s->n_sources, &s->tables[XC_TAB_SOURCES]);
	if (f & XC_F_PORTS)
		xt_expect_ports_eq(what, s->ports, s->n_ports, exp->ports, exp->n_ports);
	else
		expect_off(what, "ports", s->n_ports, NULL);
	if (f & XC_F_FLOWS)
		xt_expect_flows_eq(what, s->flows, s->n_flows, exp->flows, exp->n_flows);
	else
		expect_off(what, "flows", s->n_flows, &s->tables[XC_TAB_FLOWS]);
	if (!(f & XC_F_IFACES)) {
		expect_off(what, "interfaces", s->n_ifaces, &s->tables[XC_TAB_IFACES]);
		return;
	}
	XT_EXPECT_EQ(s->n_ifaces, 1, "%s: interfaces (lo alone)", what);
	if (s->n_ifaces == 1)
		xt_expect_counters_eq(what, &s->ifaces[0].c, &s->total);
}

static void check_features(const char *what, __u32 features)
{
	struct xc_config cfg;
	struct xc_snapshot s;
	struct xc_counter *xc;
	struct xt_expect exp;
	struct xc_replay res;
	struct xt_run_opts opts = { .exp = &exp };
	struct xc_counters want;
	__u32 all = xlated_len_all_on(), some;
	char name[128];

	xt_expect_load(&exp, "mix", "mix.pcap");
	xc_config_default(&cfg);
	cfg.features = features;
	xc = xt_open(&cfg);
	XT_EXPECT_EQ(xt_run_capture(xc, exp.path, &opts, &res), XC_REPLAY_OK, "%s: replay", what);
	xt_snapshot(xc, &s);

	snprintf(name, sizeof(name), "mix, %s", what);
	want = exp.c;
	if (!(features & XC_F_SIZES))
		memset(want.sizes, 0, sizeof(want.sizes));
	xt_expect_counters_eq(name, &s.total, &want);
	xt_expect_counters_consistent(name, &s.total, features & XC_F_SIZES);
	expect_tables(name, &s, &exp, features);
	expect_cache(name, &s, &exp, features);
	some = xlated_len(xc);
	/* One table off changes what is shown, not the program: the cache serves the rest. */
	if ((features & (XC_F_SIZES | XC_F_IFACES)) == (XC_F_SIZES | XC_F_IFACES) &&
	    (features & XC_F_TABLES))
		XT_EXPECT_LE(some, all, "%s: program bytes, against everything on", name);
	else
		XT_EXPECT_LT(some, all, "%s: program bytes, against everything on", name);
	cr_log_info("%s: program %u bytes, %u with everything on", name, some, all);
	xc_snapshot_free(&s);
	xc_counter_close(xc);
	xt_expect_free(&exp);
}

Test(features, no_sizes)
{
	check_features("no sizes", XC_F_ALL & ~(__u32)XC_F_SIZES);
}

Test(features, no_sources)
{
	check_features("no sources", XC_F_ALL & ~(__u32)XC_F_SOURCES);
}

Test(features, no_ports)
{
	check_features("no ports", XC_F_ALL & ~(__u32)XC_F_PORTS);
}

Test(features, no_flows)
{
	check_features("no flows", XC_F_ALL & ~(__u32)XC_F_FLOWS);
}

Test(features, no_ifaces)
{
	check_features("no interfaces", XC_F_ALL & ~(__u32)XC_F_IFACES);
}

Test(features, protocols_only)
{
	check_features("protocols only", 0);
}

/* A bit no feature has is refused, not silently ignored. */
Test(features, unknown_bit_refused)
{
	struct xc_config cfg;
	struct xc_counter *xc = NULL;
	int err;

	xc_config_default(&cfg);
	cfg.features = XC_F_ALL + 1;
	err = xc_counter_open(&cfg, &xc);
	XT_EXPECT_EQ(err, -EINVAL, "features 0x%x: xc_counter_open, want -EINVAL", cfg.features);
	cr_expect_null(xc, "no counter is returned on error");
	xc_counter_close(xc);
}
