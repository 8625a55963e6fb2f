// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Per-CPU counting: frames run on the CPU the test thread is pinned to, each
 * CPU counts in its own copy, and the snapshot sums them. The oracle for one
 * CPU's copy is the sum of the cases gen.py declared for the frames sent there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <criterion/criterion.h>
#include "capture.h"
#include "checks.h"
#include "cpus.h"
#include "fixtures.h"
#include "program.h"

/* What each possible CPU must have counted, frame i having run on cpu[i % n]. */
static void want_per_cpu(const struct xt_expect *exp, const struct xt_cpus *cpus,
			 struct xc_counters *want, int ncpus)
{
	memset(want, 0, (size_t)ncpus * sizeof(*want));
	for (size_t i = 0; i < exp->n_cases; i++)
		xt_case_count(exp, &exp->cases[i], &want[cpus->cpu[i % (size_t)cpus->n]]);
}

/* Compare each CPU's copy with its share; returns how many CPUs counted something. */
static int expect_cpu_shares(const char *name, struct xc_counter *xc,
			     const struct xt_expect *exp, const struct xt_cpus *cpus)
{
	int ncpus = libbpf_num_possible_cpus(), busy = 0;
	struct xc_counters *got = calloc((size_t)ncpus, sizeof(*got));
	struct xc_counters *want = calloc((size_t)ncpus, sizeof(*want));
	char what[128];

	cr_assert(ncpus > 0 && got && want, "possible CPUs: %d", ncpus);
	want_per_cpu(exp, cpus, want, ncpus);
	XT_EXPECT_OK(xc_counter_cpu_totals(xc, got), "xc_counter_cpu_totals");
	for (int c = 0; c < ncpus; c++) {
		snprintf(what, sizeof(what), "%s: CPU %d's copy", name, c);
		xt_expect_counters_eq(what, &got[c], &want[c]);
		busy += got[c].total.packets != 0;
	}
	free(got);
	free(want);
	return busy;
}

/* The summed snapshot is the whole file's, however the frames were spread. */
static void expect_summed(const char *name, struct xc_counter *xc,
			  const struct xt_expect *exp)
{
	struct xc_snapshot s;

	xt_snapshot(xc, &s);
	xt_expect_counters_eq(name, &s.total, &exp->c);
	xt_expect_tables_eq(name, &s, exp);
	/* A key counted on several CPUs has an entry on each, and one row. */
	XT_EXPECT_EQ(s.tables[XC_TAB_SOURCES].entries, exp->n_sources, "%s: source rows", name);
	XT_EXPECT_EQ(s.tables[XC_TAB_FLOWS].entries, exp->n_flows, "%s: flow rows", name);
	xt_expect_rows_cover_l4(name, &s);
	XT_EXPECT_EQ(s.n_ifaces, 1, "%s: interfaces (lo alone)", name);
	if (s.n_ifaces == 1)
		xt_expect_counters_eq("the interface", &s.ifaces[0].c, &exp->c);
	xc_snapshot_free(&s);
}

/* Frame i on allowed CPU i % n: every CPU counts its share, the sum is the file's. */
static void check_round_robin(const char *name, const char *file)
{
	struct xt_run_opts opts = { .before = xt_round_robin };
	struct xt_cpus cpus;
	struct xc_counter *xc;
	struct xt_expect exp;
	struct xc_replay res;
	int busy, want_busy;

	xt_expect_load(&exp, name, file);
	xt_cpus_allowed(&cpus);
	opts.exp = &exp;
	opts.ctx = &cpus;
	xc = xt_open(NULL);
	XT_EXPECT_EQ(xt_run_capture(xc, exp.path, &opts, &res), XC_REPLAY_OK, "%s: replay", name);
	expect_summed(name, xc, &exp);
	busy = expect_cpu_shares(name, xc, &exp, &cpus);
	want_busy = cpus.n < (int)exp.n_cases ? cpus.n : (int)exp.n_cases;
	XT_EXPECT_EQ(busy, want_busy, "%s: CPUs counted (%d allowed)", name, cpus.n);
	cr_log_info("%s: %zu frames over %d CPUs: %d copies counted", name, exp.n_cases,
		    cpus.n, busy);
	xc_counter_close(xc);
	xt_expect_free(&exp);
}

Test(percpu, mix_round_robin)
{
	check_round_robin("mix", "mix.pcap");
}

Test(percpu, l3_classes_round_robin)
{
	check_round_robin("l3_classes", "l3_classes.pcap");
}

/* The whole file on each CPU in turn: only that CPU's copy counts, and it is the file's. */
Test(percpu, each_cpu_alone)
{
	struct xt_run_opts opts = { 0 };
	struct xt_cpus cpus, one;
	struct xc_counter *xc;
	struct xt_expect exp;
	struct xc_replay res;
	char name[64];

	xt_expect_load(&exp, "vlan", "vlan.pcap");
	xt_cpus_allowed(&cpus);
	opts.exp = &exp;
	xc = xt_open(NULL);
	for (int i = 0; i < cpus.n; i++) {
		one.n = 1;
		one.cpu[0] = cpus.cpu[i];
		snprintf(name, sizeof(name), "vlan on CPU %d", one.cpu[0]);
		XT_EXPECT_OK(xc_counter_reset(xc), "xc_counter_reset");
		xt_pin_cpu(one.cpu[0]);
		XT_EXPECT_EQ(xt_run_capture(xc, exp.path, &opts, &res), XC_REPLAY_OK, "%s", name);
		expect_summed(name, xc, &exp);
		XT_EXPECT_EQ(expect_cpu_shares(name, xc, &exp, &one), 1, "%s: one CPU counted",
			     name);
	}
	xc_counter_close(xc);
	xt_expect_free(&exp);
}
