// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Checks against the expected counts, the documented top-N order, and running captures. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <criterion/criterion.h>
#include "harness.h"

/* struct xc_counters is a row of xc_pb; these name them in ABI order. */
static const char *const counter_names[] = {
	"total", "malformed", "vlan",
	"l3.ipv4", "l3.ipv6", "l3.arp", "l3.other",
	"l4.tcp", "l4.udp", "l4.icmp", "l4.icmpv6", "l4.other", "no_l4",
	"sizes.le64", "sizes.le127", "sizes.le255", "sizes.le511", "sizes.le1023",
	"sizes.le1518", "sizes.gt1518",
};
#define N_COUNTERS (sizeof(counter_names) / sizeof(counter_names[0]))
_Static_assert(N_COUNTERS * sizeof(struct xc_pb) == sizeof(struct xc_counters),
	       "counter_names must name every counter of struct xc_counters");

bool expect_ok(int err, const char *what)
{
	cr_expect_eq(err, 0, "%s: got error %d (%s), want 0", what, err,
		     strerror(err < 0 ? -err : err));
	return err == 0;
}

static bool expect_pb_eq(const char *what, const char *name,
			 const struct xc_pb *got, const struct xc_pb *want)
{
	cr_expect_eq(got->packets, want->packets, "%s: %s packets: got %llu, want %llu",
		     what, name, got->packets, want->packets);
	cr_expect_eq(got->bytes, want->bytes, "%s: %s bytes: got %llu, want %llu",
		     what, name, got->bytes, want->bytes);
	return got->packets == want->packets && got->bytes == want->bytes;
}

bool expect_counters_eq(const char *what, const struct xc_counters *got,
			const struct xc_counters *want)
{
	const struct xc_pb *g = (const struct xc_pb *)got;
	const struct xc_pb *w = (const struct xc_pb *)want;
	bool ok = true;

	for (size_t i = 0; i < N_COUNTERS; i++)
		ok &= expect_pb_eq(what, counter_names[i], &g[i], &w[i]);
	return ok;
}

static struct xc_pb pb_sum(const struct xc_pb *pb, int n)
{
	struct xc_pb sum = { 0, 0 };

	for (int i = 0; i < n; i++) {
		sum.packets += pb[i].packets;
		sum.bytes += pb[i].bytes;
	}
	return sum;
}

static struct xc_pb pb_plus(struct xc_pb a, struct xc_pb b)
{
	struct xc_pb sum = { a.packets + b.packets, a.bytes + b.bytes };

	return sum;
}

/* Where the size buckets start in counter_names. */
#define SIZES_AT (offsetof(struct xc_counters, sizes) / sizeof(struct xc_pb))

/* Every frame of bucket b is between its bounds, so its bytes are too. */
static bool expect_bucket_bounds(const char *what, int b, const struct xc_pb *pb)
{
	static const __u64 bounds[XC_SIZE_BUCKETS - 1] = XC_SIZE_BOUNDS;
	bool open = b == XC_SIZE_BUCKETS - 1;
	__u64 lo = b ? bounds[b - 1] + 1 : XC_MIN_FRAME;
	__u64 hi = open ? 0 : bounds[b];
	bool ok = pb->bytes >= lo * pb->packets && (open || pb->bytes <= hi * pb->packets);

	cr_expect(ok, "%s: %s: %llu bytes in %llu frames of %llu..%llu bytes (0: open)",
		  what, counter_names[SIZES_AT + b], pb->bytes, pb->packets, lo, hi);
	return ok;
}

bool expect_counters_consistent(const char *what, const struct xc_counters *c,
				bool sizes)
{
	struct xc_pb l4 = pb_sum(c->l4, XC_L4_MAX);
	struct xc_pb ip = pb_plus(c->l3[XC_L3_IPV4], c->l3[XC_L3_IPV6]);
	struct xc_pb l4_rest = pb_plus(l4, c->no_l4);
	struct xc_pb l4_bad = pb_plus(l4, c->malformed);
	struct xc_pb l3 = pb_sum(c->l3, XC_L3_MAX);
	struct xc_pb sz = pb_sum(c->sizes, XC_SIZE_BUCKETS), zero = { 0, 0 };
	bool vlan_in = c->vlan.packets <= c->total.packets &&
		       c->vlan.bytes <= c->total.bytes;
	bool ok = true;

	ok &= expect_pb_eq(what, "sum(l3) against total", &l3, &c->total);
	ok &= expect_pb_eq(what, "sum(l4) + no_l4 against total", &l4_rest, &c->total);
	ok &= expect_pb_eq(what, "sum(l4) + malformed against ipv4 + ipv6", &l4_bad, &ip);
	ok &= expect_pb_eq(what, "sum(sizes) against total", &sz, sizes ? &c->total : &zero);
	for (int b = 0; b < XC_SIZE_BUCKETS; b++)
		ok &= expect_bucket_bounds(what, b, &c->sizes[b]);
	cr_expect(vlan_in, "%s: vlan %llu/%llu is more than total %llu/%llu", what,
		  c->vlan.packets, c->vlan.bytes, c->total.packets, c->total.bytes);
	return ok && vlan_in;
}

/* ---- tables, matched by key ---- */

struct table_kind {
	const char *entry; /* what one entry is, for messages */
	size_t size;
	int (*cmp_key)(const void *a, const void *b);
	struct xc_pb (*pb)(const void *e);
	void (*name)(const void *e, char *buf, size_t len);
};

static int cmp_source_key(const void *a, const void *b)
{
	const struct xc_source *x = a, *y = b;

	return memcmp(&x->addr, &y->addr, sizeof(x->addr));
}

static int cmp_port_key(const void *a, const void *b)
{
	const struct xc_port *x = a, *y = b;

	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	return (x->port > y->port) - (x->port < y->port);
}

static int cmp_flow_key(const void *a, const void *b)
{
	const struct xc_flow *x = a, *y = b;

	return memcmp(&x->key, &y->key, sizeof(x->key));
}

static struct xc_pb source_pb(const void *e)
{
	return ((const struct xc_source *)e)->pb;
}

static struct xc_pb port_pb(const void *e)
{
	return ((const struct xc_port *)e)->pb;
}

static struct xc_pb flow_pb(const void *e)
{
	const struct xc_flow *f = e;
	struct xc_pb pb = { f->val.packets, f->val.bytes };

	return pb;
}

static void source_name(const void *e, char *buf, size_t len)
{
	xc_addr_str(&((const struct xc_source *)e)->addr, buf, len);
}

static void port_name(const void *e, char *buf, size_t len)
{
	const struct xc_port *p = e;

	snprintf(buf, len, "proto %u port %u", p->proto, p->port);
}

static void flow_name(const void *e, char *buf, size_t len)
{
	const struct xc_flow_key *k = &((const struct xc_flow *)e)->key;
	char s[64], d[64];

	snprintf(buf, len, "proto %u %s:%u > %s:%u", k->proto,
		 xc_addr_str(&k->src, s, sizeof(s)), k->sport,
		 xc_addr_str(&k->dst, d, sizeof(d)), k->dport);
}

static const struct table_kind source_kind = {
	"source", sizeof(struct xc_source), cmp_source_key, source_pb, source_name,
};
static const struct table_kind port_kind = {
	"port", sizeof(struct xc_port), cmp_port_key, port_pb, port_name,
};
static const struct table_kind flow_kind = {
	"flow", sizeof(struct xc_flow), cmp_flow_key, flow_pb, flow_name,
};

static void *sorted_copy(const struct table_kind *k, const void *base, size_t n)
{
	void *p = malloc(n ? n * k->size : 1);

	cr_assert(p, "out of memory");
	if (n)
		memcpy(p, base, n * k->size);
	qsort(p, n, k->size, k->cmp_key);
	return p;
}

/* A merge walk over both sides sorted by key; every: want has nothing got lacks. */
static bool expect_table(const char *what, const struct table_kind *k, bool every,
			 const void *got, size_t n_got, const void *want, size_t n_want)
{
	char *g = sorted_copy(k, got, n_got), *w = sorted_copy(k, want, n_want);
	size_t i = 0, j = 0;
	bool ok = true;
	char name[160], field[200];

	if (every) {
		cr_expect_eq(n_got, n_want, "%s: %s entries: got %zu, want %zu",
			     what, k->entry, n_got, n_want);
		ok = n_got == n_want;
	}
	while (i < n_got || j < n_want) {
		int c = i == n_got ? 1 : j == n_want ? -1 :
			k->cmp_key(g + i * k->size, w + j * k->size);

		if (c < 0) {
			k->name(g + i * k->size, name, sizeof(name));
			cr_expect_fail("%s: %s %s: counted, but not expected",
				       what, k->entry, name);
			ok = false;
			i++;
		} else if (c > 0) {
			k->name(w + j * k->size, name, sizeof(name));
			cr_expect(!every, "%s: %s %s: expected, but not counted",
				  what, k->entry, name);
			ok &= !every;
			j++;
		} else {
			struct xc_pb gp = k->pb(g + i * k->size), wp = k->pb(w + j * k->size);

			k->name(g + i * k->size, name, sizeof(name));
			snprintf(field, sizeof(field), "%s %s", k->entry, name);
			ok &= expect_pb_eq(what, field, &gp, &wp);
			i++;
			j++;
		}
	}
	free(g);
	free(w);
	return ok;
}

bool expect_sources_eq(const char *what, const struct xc_source *got, size_t n_got,
		       const struct xc_source *want, size_t n_want)
{
	return expect_table(what, &source_kind, true, got, n_got, want, n_want);
}

bool expect_ports_eq(const char *what, const struct xc_port *got, size_t n_got,
		     const struct xc_port *want, size_t n_want)
{
	return expect_table(what, &port_kind, true, got, n_got, want, n_want);
}

bool expect_flows_eq(const char *what, const struct xc_flow *got, size_t n_got,
		     const struct xc_flow *want, size_t n_want)
{
	return expect_table(what, &flow_kind, true, got, n_got, want, n_want);
}

bool expect_sources_in(const char *what, const struct xc_source *got, size_t n_got,
		       const struct xc_source *want, size_t n_want)
{
	return expect_table(what, &source_kind, false, got, n_got, want, n_want);
}

bool expect_flows_in(const char *what, const struct xc_flow *got, size_t n_got,
		     const struct xc_flow *want, size_t n_want)
{
	return expect_table(what, &flow_kind, false, got, n_got, want, n_want);
}

bool expect_tables_eq(const char *what, const struct xc_snapshot *s,
		      const struct xt_expect *exp)
{
	bool ok = true;

	ok &= expect_sources_eq(what, s->sources, s->n_sources, exp->sources, exp->n_sources);
	ok &= expect_ports_eq(what, s->ports, s->n_ports, exp->ports, exp->n_ports);
	ok &= expect_flows_eq(what, s->flows, s->n_flows, exp->flows, exp->n_flows);
	return ok;
}

bool expect_rows_cover_l4(const char *what, const struct xc_snapshot *s)
{
	const struct xc_table *cache = &s->tables[XC_TAB_CACHE];
	struct xc_pb l4 = { 0 }, rows = s->other;

	for (int i = 0; i < XC_L4_MAX; i++) {
		l4.packets += s->total.l4[i].packets;
		l4.bytes += s->total.l4[i].bytes;
	}
	for (size_t i = 0; i < s->n_sources; i++) {
		rows.packets += s->sources[i].pb.packets;
		rows.bytes += s->sources[i].pb.bytes;
	}
	rows.packets += cache->unrecorded.packets;
	rows.bytes += cache->unrecorded.bytes;
	cr_expect(rows.packets == l4.packets && rows.bytes == l4.bytes,
		  "%s: sources + other + unrecorded = %llu packets, %llu bytes; l4 has %llu, %llu",
		  what, rows.packets, rows.bytes, l4.packets, l4.bytes);
	return rows.packets == l4.packets && rows.bytes == l4.bytes;
}

/* ---- the documented top-N order ---- */

static int rank_pb(struct xc_pb a, struct xc_pb b)
{
	if (a.packets != b.packets)
		return a.packets > b.packets ? -1 : 1;
	if (a.bytes != b.bytes)
		return a.bytes > b.bytes ? -1 : 1;
	return 0;
}

int xt_rank_source(const void *a, const void *b)
{
	return rank_pb(source_pb(a), source_pb(b)) ?: cmp_source_key(a, b);
}

int xt_rank_port(const void *a, const void *b)
{
	return rank_pb(port_pb(a), port_pb(b)) ?: cmp_port_key(a, b);
}

int xt_rank_flow(const void *a, const void *b)
{
	return rank_pb(flow_pb(a), flow_pb(b)) ?: cmp_flow_key(a, b);
}

/* ---- running captures ---- */

#define XT_FRAME_MAX 65536

struct xc_counter *xt_open(const struct xc_config *cfg)
{
	struct xc_config def;
	struct xc_counter *xc = NULL;
	int err;

	if (!cfg) {
		xc_config_default(&def);
		cfg = &def;
	}
	err = xc_counter_open(cfg, &xc);
	cr_assert_eq(err, 0, "xc_counter_open (features 0x%x): %s", cfg->features,
		     strerror(-err));
	return xc;
}

void xt_snapshot(struct xc_counter *xc, struct xc_snapshot *s)
{
	int err = xc_counter_snapshot(xc, s);

	cr_assert_eq(err, 0, "xc_counter_snapshot: %s", strerror(-err));
}

struct run_ctx {
	struct xc_counter *xc;
	const struct xt_run_opts *opts;
	struct xc_replay *res;
	const char *name;
	unsigned long frame;
	__u8 out[XT_FRAME_MAX];
};

/* One record: run it unless too short, and check it passed through untouched. */
static void run_one(struct run_ctx *r, const __u8 *data, size_t len)
{
	const struct xt_expect *exp = r->opts->exp;
	const char *desc = exp && r->frame < exp->n_cases ?
			   exp->cases[r->frame].description : "";
	size_t out_len = 0;
	__u32 action = ~0u;
	int err;

	if (len < XC_MIN_FRAME) {
		r->res->skipped++;
		return;
	}
	err = xc_counter_run(r->xc, data, len, &action, r->out, sizeof(r->out), &out_len);
	cr_expect_eq(err, 0, "%s: frame %lu (%s): BPF_PROG_TEST_RUN: %s",
		     r->name, r->frame, desc, strerror(-err));
	if (err)
		return;
	r->res->run++;
	cr_expect_eq(action, XDP_PASS, "%s: frame %lu (%s): action %u, want XDP_PASS",
		     r->name, r->frame, desc, action);
	cr_expect(out_len == len && !memcmp(r->out, data, len),
		  "%s: frame %lu (%s): the program changed the frame (%zu bytes in, %zu out)",
		  r->name, r->frame, desc, len, out_len);
	if (action != XDP_PASS || out_len != len || memcmp(r->out, data, len))
		r->res->altered++;
}

static int run_record(void *ctx, const __u8 *data, size_t len)
{
	struct run_ctx *r = ctx;
	const struct xt_run_opts *o = r->opts;

	if (o->before)
		o->before(o->ctx, r->frame);
	run_one(r, data, len);
	if (o->after)
		o->after(o->ctx, r->frame, data, len);
	r->frame++;
	return 0;
}

int xt_run_capture(struct xc_counter *xc, const char *path,
		   const struct xt_run_opts *opts, struct xc_replay *res)
{
	static const struct xt_run_opts none;
	struct run_ctx *r = calloc(1, sizeof(*r));
	struct xc_replay counted;
	char err[512];
	int rc;

	cr_assert(r, "out of memory");
	memset(res, 0, sizeof(*res));
	r->xc = xc;
	r->opts = opts ? opts : &none;
	r->res = res;
	r->name = r->opts->exp ? r->opts->exp->name : path;
	rc = xc_capture_each(path, run_record, r, &counted, err, sizeof(err));
	res->records = counted.records;
	res->linktype = counted.linktype;
	free(r);
	return rc;
}

void xt_cpus_allowed(struct xt_cpus *cpus)
{
	cpu_set_t set;

	cr_assert_eq(sched_getaffinity(0, sizeof(set), &set), 0, "sched_getaffinity: %s",
		     strerror(errno));
	cpus->n = 0;
	for (int c = 0; c < CPU_SETSIZE && cpus->n < XT_MAX_CPUS; c++)
		if (CPU_ISSET(c, &set))
			cpus->cpu[cpus->n++] = c;
}

void xt_pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	cr_assert_eq(sched_setaffinity(0, sizeof(set), &set), 0, "pin to CPU %d: %s",
		     cpu, strerror(errno));
}

void xt_round_robin(void *ctx, unsigned long frame)
{
	const struct xt_cpus *cpus = ctx;

	xt_pin_cpu(cpus->cpu[frame % (unsigned long)cpus->n]);
}
