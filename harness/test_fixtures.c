// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Every fixture through BPF_PROG_TEST_RUN, with the linear program (the
 * multi-buffer one for frames too long for it) and with the multi-buffer
 * program alone: the whole capture against its expect file (core counters,
 * every table entry, interfaces, table stats), and each record alone against
 * the meaning gen.py declared for it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <criterion/criterion.h>
#include "capture.h"
#include "checks.h"
#include "fixtures.h"
#include "parse.h"
#include "paths.h"
#include "program.h"

/* Above this many records a fixture prints a summary, not a line per case. */
#define CASE_LINES_MAX 64

static __u64 coarse_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/* Test-run frames arrive on loopback: one interface whose counters are the totals. */
static void expect_loopback_only(const char *name, const struct xc_snapshot *s,
				 const struct xt_expect *exp)
{
	size_t want = exp->c.total.packets ? 1 : 0;
	char what[128];

	XT_EXPECT_EQ(s->n_ifaces, want, "%s: interfaces", name);
	if (s->n_ifaces != 1)
		return;
	XT_EXPECT_EQ(s->ifaces[0].ifindex, if_nametoindex("lo"),
		     "%s: the interface's ifindex (lo's)", name);
	snprintf(what, sizeof(what), "%s: interface lo", name);
	xt_expect_counters_eq(what, &s->ifaces[0].c, &exp->c);
}

static void expect_table_stats(const char *name, const char *table,
			       const struct xc_table *t, size_t want, __u64 capacity)
{
	XT_EXPECT_EQ(t->entries, want, "%s: %s table: entries", name, table);
	XT_EXPECT_EQ(t->folded.packets, 0, "%s: %s table: folded", name, table);
	XT_EXPECT_EQ(t->unrecorded.packets, 0, "%s: %s table: unrecorded", name, table);
	cr_expect(t->capacity >= capacity, "%s: %s table: capacity %llu, want at least %llu",
		  name, table, t->capacity, capacity);
}

/* Fixtures fit the default cache: nothing left it, and every l4 frame is in it. */
static void expect_cache_stats(const char *name, const struct xc_snapshot *s)
{
	const struct xc_table *t = &s->tables[XC_TAB_CACHE];

	XT_EXPECT_EQ(t->exported, 0, "%s: cache: exported", name);
	XT_EXPECT_EQ(t->unrecorded.packets, 0, "%s: cache: unrecorded", name);
	XT_EXPECT_EQ(t->inserted, t->entries, "%s: cache: inserted, as the live entries", name);
	xt_expect_rows_cover_l4(name, s);
}

/* A tick at the lowest HZ a kernel has (100): flow times are kept in jiffies. */
#define XT_TICK_NS 10000000ull

/* Flow times lie between the run's start and the read, give or take a tick. */
static void expect_flow_times(const char *name, const struct xc_snapshot *s, __u64 t0)
{
	for (size_t i = 0; i < s->n_flows; i++) {
		const struct xc_flow_val *v = &s->flows[i].val;

		cr_expect(t0 - XT_TICK_NS <= v->first_seen && v->first_seen <= v->last_seen &&
			  v->last_seen <= s->mono_ns + XT_TICK_NS,
			  "%s: flow %zu: first %llu, last %llu not within %llu..%llu",
			  name, i, v->first_seen, v->last_seen, t0, s->mono_ns);
	}
}

/* What the reader tallies against what gen.py wrote: lengths and record times. */
static void expect_record_tallies(const char *name, const struct xc_replay *res,
				  const struct xt_expect *exp)
{
	XT_EXPECT_EQ(res->snapped, exp->snapped, "%s: snapped", name);
	XT_EXPECT_EQ(res->bad_length, exp->bad_length, "%s: bad_length", name);
	if (exp->first_ns < 0)
		return;
	XT_EXPECT_EQ(res->first_ns, (__u64)exp->first_ns, "%s: first record at", name);
	XT_EXPECT_EQ(res->last_ns, (__u64)exp->last_ns, "%s: last record at", name);
}

static void check_fixture(const char *name, const char *file, enum xc_variant variant)
{
	struct xc_config cfg;
	struct xt_run_opts opts = { 0 };
	struct xc_snapshot s;
	struct xc_counter *xc;
	struct xt_expect exp;
	struct xc_replay res;
	int rc, want_rc;
	__u64 t0;

	xt_expect_load(&exp, name, file);
	opts.exp = &exp;
	xt_expect_counters_consistent("the expect file", &exp.c, true);
	xc_config_default(&cfg);
	cfg.variant = variant;
	xc = xt_open(&cfg);
	t0 = coarse_now_ns();
	rc = xt_run_capture(xc, exp.path, &opts, &res);
	want_rc = exp.damaged ? XC_REPLAY_DAMAGED :
		  exp.truncated ? XC_REPLAY_TRUNCATED : XC_REPLAY_OK;
	XT_EXPECT_EQ(rc, want_rc, "%s: xc_capture_records", name);
	XT_EXPECT_EQ(res.records, exp.frames, "%s: records", name);
	XT_EXPECT_EQ(res.skipped, exp.skipped, "%s: skipped", name);
	XT_EXPECT_EQ(res.run, exp.frames - exp.skipped, "%s: run", name);
	expect_record_tallies(name, &res, &exp);

	xt_snapshot(xc, &s);
	xt_expect_counters_eq(name, &s.total, &exp.c);
	xt_expect_counters_consistent(name, &s.total, true);
	xt_expect_tables_eq(name, &s, &exp);
	expect_loopback_only(name, &s, &exp);
	expect_table_stats(name, "sources", &s.tables[XC_TAB_SOURCES], exp.n_sources,
			   XC_DEFAULT_SOURCES);
	expect_table_stats(name, "flows", &s.tables[XC_TAB_FLOWS], exp.n_flows,
			   XC_DEFAULT_FLOWS);
	expect_table_stats(name, "interfaces", &s.tables[XC_TAB_IFACES],
			   exp.c.total.packets ? 1 : 0, 1);
	expect_cache_stats(name, &s);
	expect_flow_times(name, &s, t0);
	xc_snapshot_free(&s);
	xc_counter_close(xc);
	xt_expect_free(&exp);
}

/* ---- one record at a time, against the case gen.py declared ---- */

struct case_ctx {
	struct xc_counter *xc;
	const struct xt_expect *exp;
	struct xc_counters sum; /* of every case: must be the file's totals */
	unsigned long passed;
};

static void case_reset(void *ctx, unsigned long frame)
{
	struct case_ctx *c = ctx;

	(void)frame;
	XT_EXPECT_OK(xc_counter_reset(c->xc), "xc_counter_reset");
}

/* The kernel refuses test-run input shorter than an Ethernet header. */
static bool expect_refused(const char *what, struct case_ctx *c, const __u8 *data,
			   size_t len)
{
	int err = xc_counter_run(c->xc, data, len, NULL, NULL, 0, NULL);

	cr_expect(len < XC_MIN_FRAME, "%s: %zu bytes is not short", what, len);
	XT_EXPECT_EQ(err, -EINVAL, "%s: running %zu bytes (-EINVAL)", what, len);
	return len < XC_MIN_FRAME && err == -EINVAL;
}

/*
 * The addresses the user-space parser gives (the replay's lanes and the
 * differential checks key frames by them) against the bytes at the offset
 * where gen.py built the IP header: every byte of each, v4-mapped for IPv4.
 */
static bool expect_addresses(const char *what, const struct xt_case *k, const __u8 *data,
			     size_t len)
{
	static const __u8 v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	/* Placed as the kernel places frames (XC_IP_ALIGN), exactly sized. */
	__u8 *buf = malloc(XC_IP_ALIGN + len), *frame = buf + XC_IP_ALIGN;
	const __u8 *ip = frame + k->l3_offset;
	struct xc_addr got, want;
	bool ok = true;
	struct xc_pkt pkt;

	cr_assert(buf, "malloc");
	memcpy(frame, data, len);
	if (k->l4 < 0 || k->l3_offset < 0) {
		free(buf);
		return true; /* no address is recorded for it */
	}
	xc_parse(frame, frame + len, &pkt);
	for (int dst = 0; dst < 2; dst++) {
		if (k->l3 == XC_L3_IPV4) {
			memcpy(want.a, v4mapped, sizeof(v4mapped));
			memcpy(want.a + 12, ip + 12 + 4 * dst, 4);
		} else {
			memcpy(want.a, ip + 8 + 16 * dst, 16);
		}
		memset(&got, 0xaa, sizeof(got)); /* every byte must be written */
		xc_pkt_addr(&pkt, dst, &got);
		cr_expect(!memcmp(&got, &want, sizeof(got)), "%s: the parser's %s address",
			  what, dst ? "destination" : "source");
		ok &= !memcmp(&got, &want, sizeof(got));
	}
	free(buf);
	return ok;
}

static void case_check(void *ctx, unsigned long frame, const __u8 *data, size_t len)
{
	struct case_ctx *c = ctx;
	const struct xt_case *k = &c->exp->cases[frame];
	struct xc_counters want = { 0 };
	struct xc_snapshot s;
	char what[320];
	bool ok;

	snprintf(what, sizeof(what), "%s: case %lu: %s", c->exp->name, frame, k->description);
	XT_EXPECT_EQ(k->frame, frame, "%s: numbered", what);
	XT_EXPECT_EQ(len, k->len, "%s: bytes captured, as declared", what);
	xt_case_count(c->exp, k, &want);
	xt_case_count(c->exp, k, &c->sum);
	if (k->skipped) {
		ok = expect_refused(what, c, data, len);
	} else {
		xt_snapshot(c->xc, &s);
		ok = xt_expect_counters_eq(what, &s.total, &want);
		ok &= expect_addresses(what, k, data, len);
		xc_snapshot_free(&s);
	}
	if (!ok)
		return;
	c->passed++;
	if (c->exp->n_cases <= CASE_LINES_MAX)
		cr_log_info("%s: case %lu: %s: passed", c->exp->name, frame, k->description);
}

static void check_cases(const char *name, const char *file)
{
	struct xc_config cfg;
	struct xt_expect exp;
	struct xc_replay res;
	struct case_ctx c = { 0 };
	struct xt_run_opts opts = {
		.exp = &exp, .before = case_reset, .after = case_check, .ctx = &c,
	};

	xt_expect_load(&exp, name, file);
	xc_config_default(&cfg);
	cfg.features = XC_F_SIZES; /* the core counters alone: a reset is cheap */
	c.xc = xt_open(&cfg);
	c.exp = &exp;
	XT_EXPECT_EQ(exp.n_cases, exp.frames, "%s: cases, one per record", name);
	xt_run_capture(c.xc, exp.path, &opts, &res);
	XT_EXPECT_EQ(res.records, exp.n_cases, "%s: records, one per case", name);
	xt_expect_counters_eq("the sum of the cases against the file's totals", &c.sum, &exp.c);
	cr_log_info("%s: %lu of %zu cases passed", name, c.passed, exp.n_cases);
	xc_counter_close(c.xc);
	xt_expect_free(&exp);
}

#define FIXTURE_TESTS(name, file)              \
	Test(fixtures, name)                   \
	{                                      \
		check_fixture(#name, file, XC_VARIANT_AUTO); \
	}                                      \
	Test(fixtures_frags, name)             \
	{                                      \
		check_fixture(#name, file, XC_VARIANT_FRAGS); \
	}                                      \
	Test(cases, name)                      \
	{                                      \
		check_cases(#name, file);      \
	}
XT_FIXTURES(FIXTURE_TESTS)

/* ---- the fixture list itself ---- */

static const char *const fixture_names[] = { XT_FIXTURES(XT_NAME_OF) };
#define N_FIXTURES (sizeof(fixture_names) / sizeof(fixture_names[0]))

static bool listed(const char *name)
{
	for (size_t i = 0; i < N_FIXTURES; i++)
		if (!strcmp(fixture_names[i], name))
			return true;
	return false;
}

Test(fixtures, every_expect_file_is_tested)
{
	char dir[512], name[256];
	struct dirent *d;
	size_t found = 0;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s/pcaps", xt_root());
	dp = opendir(dir);
	cr_assert(dp, "opendir %s: %s", dir, strerror(errno));
	while ((d = readdir(dp))) {
		const char *dot = strstr(d->d_name, ".expect.json");

		if (!dot || dot[strlen(".expect.json")])
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(dot - d->d_name), d->d_name);
		cr_expect(listed(name), "pcaps/%s has no test: add it to XT_FIXTURES", d->d_name);
		found++;
	}
	closedir(dp);
	XT_EXPECT_EQ(found, N_FIXTURES, "expect files found, as XT_FIXTURES lists");
}

/* The ABI's RMON bounds are the ones gen.py declared its buckets with. */
Test(fixtures, size_bounds_match_gen_py)
{
	static const long bounds[XC_SIZE_BUCKETS - 1] = XC_SIZE_BOUNDS;
	struct xt_expect exp;

	xt_expect_load(&exp, "sizes", "sizes.pcap");
	for (int i = 0; i < XC_SIZE_BUCKETS - 1; i++)
		XT_EXPECT_EQ(exp.size_le[i], bounds[i], "size bucket %d: gen.py's le, the ABI's",
			     i);
	XT_EXPECT_EQ(exp.size_le[XC_SIZE_BUCKETS - 1], -1, "the last size bucket is open");
	xt_expect_free(&exp);
}
