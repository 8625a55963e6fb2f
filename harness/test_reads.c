// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Reading: batch and key-by-key reads give the same snapshot, and top-N
 * (a partial selection) agrees with a full sort in the documented order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "capture.h"
#include "checks.h"
#include "fixtures.h"
#include "program.h"

/* A counter that has counted one fixture, read batch-wise or key by key. */
static struct xc_counter *counted(const struct xt_expect *exp, bool keywise)
{
	struct xt_run_opts opts = { .exp = exp };
	struct xc_config cfg;
	struct xc_counter *xc;
	struct xc_replay res;

	xc_config_default(&cfg);
	cfg.keywise_reads = keywise;
	xc = xt_open(&cfg);
	XT_EXPECT_EQ(xt_run_capture(xc, exp->path, &opts, &res), XC_REPLAY_OK, "%s: replay",
		     exp->name);
	return xc;
}

static void expect_table_stats_eq(const char *what, const struct xc_snapshot *got,
				  const struct xc_snapshot *want)
{
	for (int i = 0; i < XC_TAB_MAX; i++) {
		const struct xc_table *g = &got->tables[i], *w = &want->tables[i];

		cr_expect(!memcmp(g, w, sizeof(*g)),
			  "%s: %s table: entries %llu/%llu, capacity %llu/%llu, "
			  "inserted %llu/%llu, exported %llu/%llu, unrecorded %llu/%llu, "
			  "folded %llu/%llu (keywise/batch)", what, xc_table_names[i],
			  g->entries, w->entries, g->capacity, w->capacity, g->inserted,
			  w->inserted, g->exported, w->exported, g->unrecorded.packets,
			  w->unrecorded.packets, g->folded.packets, w->folded.packets);
	}
}

static void check_keywise(const char *name, const char *file)
{
	struct xc_counter *bxc, *kxc;
	struct xc_snapshot b, k;
	struct xt_expect exp;
	char what[128];

	xt_expect_load(&exp, name, file);
	bxc = counted(&exp, false);
	kxc = counted(&exp, true);
	xt_snapshot(bxc, &b);
	xt_snapshot(kxc, &k);
	cr_expect(b.batch, "%s: the batch path says it did not use batch reads", name);
	cr_expect(!k.batch, "%s: the key-by-key path says it used batch reads", name);

	snprintf(what, sizeof(what), "%s, batch reads", name);
	xt_expect_counters_eq(what, &b.total, &exp.c);
	xt_expect_tables_eq(what, &b, &exp);
	snprintf(what, sizeof(what), "%s, key-by-key reads", name);
	xt_expect_counters_eq(what, &k.total, &exp.c);
	xt_expect_tables_eq(what, &k, &exp);

	snprintf(what, sizeof(what), "%s, key-by-key against batch", name);
	xt_expect_counters_eq(what, &k.total, &b.total);
	xt_expect_sources_eq(what, k.sources, k.n_sources, b.sources, b.n_sources);
	xt_expect_ports_eq(what, k.ports, k.n_ports, b.ports, b.n_ports);
	xt_expect_flows_eq(what, k.flows, k.n_flows, b.flows, b.n_flows);
	XT_EXPECT_EQ(k.n_ifaces, b.n_ifaces, "%s: interfaces", what);
	for (size_t i = 0; i < k.n_ifaces && i < b.n_ifaces; i++)
		xt_expect_counters_eq(what, &k.ifaces[i].c, &b.ifaces[i].c);
	expect_table_stats_eq(what, &k, &b);

	xc_snapshot_free(&b);
	xc_snapshot_free(&k);
	xc_counter_close(bxc);
	xc_counter_close(kxc);
	xt_expect_free(&exp);
}

Test(reads, keywise_equals_batch_mix)
{
	check_keywise("mix", "mix.pcap");
}

Test(reads, keywise_equals_batch_many_sources)
{
	check_keywise("many_sources", "many_sources.pcap");
}

/* ---- top-N against a full sort ---- */

typedef size_t (*top_fn)(const struct xc_snapshot *s, size_t n, size_t *idx);

struct top_kind {
	const char *table;
	top_fn top;
	int (*rank)(const void *a, const void *b);
	size_t size;
};

static const struct top_kind top_kinds[] = {
	{ "sources", xc_top_sources, xt_rank_source, sizeof(struct xc_source) },
	{ "ports", xc_top_ports, xt_rank_port, sizeof(struct xc_port) },
	{ "flows", xc_top_flows, xt_rank_flow, sizeof(struct xc_flow) },
};

static const void *table_of(const struct xc_snapshot *s, int kind, size_t *n)
{
	switch (kind) {
	case 0:
		*n = s->n_sources;
		return s->sources;
	case 1:
		*n = s->n_ports;
		return s->ports;
	default:
		*n = s->n_flows;
		return s->flows;
	}
}

/* The first n of xc_top_* are the first n of the sorted table, in order. */
static void expect_top(const char *name, const struct xc_snapshot *s, int kind,
		       const char *sorted, size_t count, size_t n)
{
	const struct top_kind *k = &top_kinds[kind];
	size_t want = n < count ? n : count, got, len;
	size_t *idx = calloc(n ? n : 1, sizeof(*idx));
	const char *base = table_of(s, kind, &len);

	cr_assert(idx, "out of memory");
	got = k->top(s, n, idx);
	XT_EXPECT_EQ(got, want, "%s: top %zu %s: entries", name, n, k->table);
	for (size_t i = 0; i < got && i < want; i++) {
		bool in = idx[i] < len;

		cr_expect(in, "%s: top %zu %s: index %zu out of %zu", name, n, k->table,
			  idx[i], len);
		if (!in)
			break;
		XT_EXPECT_EQ(k->rank(base + idx[i] * k->size, sorted + i * k->size), 0,
			     "%s: top %zu %s: place %zu (entry %zu) against the full sort", name, n,
			     k->table, i, idx[i]);
	}
	free(idx);
}

static void check_top(const char *name, const char *file)
{
	struct xc_counter *xc;
	struct xc_snapshot s;
	struct xt_expect exp;

	xt_expect_load(&exp, name, file);
	xc = counted(&exp, false);
	xt_snapshot(xc, &s);
	xt_expect_tables_eq(name, &s, &exp);
	for (int kind = 0; kind < 3; kind++) {
		const struct top_kind *k = &top_kinds[kind];
		size_t count;
		const void *base = table_of(&s, kind, &count);
		char *sorted = malloc(count ? count * k->size : 1);
		size_t ns[] = { 0, 1, 2, 3, 10, count / 2, count - 1, count, count + 1,
				count + 100 };

		cr_assert(sorted, "out of memory");
		if (count) /* an empty table's array may be NULL */
			memcpy(sorted, base, count * k->size);
		qsort(sorted, count, k->size, k->rank);
		for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
			if (ns[i] <= count + 100) /* count - 1 wraps when empty */
				expect_top(name, &s, kind, sorted, count, ns[i]);
		free(sorted);
	}
	xc_snapshot_free(&s);
	xc_counter_close(xc);
	xt_expect_free(&exp);
}

Test(reads, top_mix)
{
	check_top("mix", "mix.pcap");
}

/* Every source and flow has one packet and most the same bytes: ties everywhere. */
Test(reads, top_ties_many_sources)
{
	check_top("many_sources", "many_sources.pcap");
}

/* Protocols other than TCP and UDP in flows; three ports, a handful of sources. */
Test(reads, top_l3_classes)
{
	check_top("l3_classes", "l3_classes.pcap");
}

Test(reads, top_empty)
{
	check_top("empty", "empty.pcap");
}
