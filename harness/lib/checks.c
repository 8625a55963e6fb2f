// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Checks against the expected counts, a capture's JSON, and the documented top-N order. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <criterion/criterion.h>
#include "checks.h"
#include "fixtures.h"
#include "json.h"

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

char *xt_check_name(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return buf;
}

char *xt_check_num(char *buf, bool is_signed, unsigned long long v)
{
	if (is_signed)
		sprintf(buf, "%lld", (long long)v);
	else
		sprintf(buf, "%llu", v);
	return buf;
}

bool xt_check_str(const char *got, const char *want, int how)
{
	if (!got || !want)
		return false;
	if (how == 0)
		return !strcmp(got, want);
	return !strstr(got, want) == (how == 2);
}

static bool expect_pb_eq(const char *what, const char *name,
			 const struct xc_pb *got, const struct xc_pb *want)
{
	bool ok = XT_EXPECT_EQ(got->packets, want->packets, "%s: %s packets", what, name);

	return XT_EXPECT_EQ(got->bytes, want->bytes, "%s: %s bytes", what, name) && ok;
}

bool xt_expect_counters_eq(const char *what, const struct xc_counters *got,
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

bool xt_expect_counters_consistent(const char *what, const struct xc_counters *c,
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
		XT_EXPECT_EQ(n_got, n_want, "%s: %s entries", what, k->entry);
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

bool xt_expect_sources_eq(const char *what, const struct xc_source *got, size_t n_got,
			  const struct xc_source *want, size_t n_want)
{
	return expect_table(what, &source_kind, true, got, n_got, want, n_want);
}

bool xt_expect_ports_eq(const char *what, const struct xc_port *got, size_t n_got,
			const struct xc_port *want, size_t n_want)
{
	return expect_table(what, &port_kind, true, got, n_got, want, n_want);
}

bool xt_expect_flows_eq(const char *what, const struct xc_flow *got, size_t n_got,
			const struct xc_flow *want, size_t n_want)
{
	return expect_table(what, &flow_kind, true, got, n_got, want, n_want);
}

bool xt_expect_sources_in(const char *what, const struct xc_source *got, size_t n_got,
			  const struct xc_source *want, size_t n_want)
{
	return expect_table(what, &source_kind, false, got, n_got, want, n_want);
}

bool xt_expect_flows_in(const char *what, const struct xc_flow *got, size_t n_got,
			const struct xc_flow *want, size_t n_want)
{
	return expect_table(what, &flow_kind, false, got, n_got, want, n_want);
}

bool xt_expect_tables_eq(const char *what, const struct xc_snapshot *s,
			 const struct xt_expect *exp)
{
	bool ok = true;

	ok &= xt_expect_sources_eq(what, s->sources, s->n_sources, exp->sources, exp->n_sources);
	ok &= xt_expect_ports_eq(what, s->ports, s->n_ports, exp->ports, exp->n_ports);
	ok &= xt_expect_flows_eq(what, s->flows, s->n_flows, exp->flows, exp->n_flows);
	return ok;
}

bool xt_expect_rows_cover_l4(const char *what, const struct xc_snapshot *s)
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

/* ---- a capture as the CLI prints it in JSON ---- */

static bool expect_ranked(const char *what, const char *list, const void *base, size_t n,
			  size_t size, int (*rank)(const void *, const void *))
{
	const char *b = base;
	bool ok = true;

	for (size_t i = 0; i + 1 < n; i++) {
		bool in_order = rank(b + i * size, b + (i + 1) * size) < 0;

		cr_expect(in_order, "%s: %s: entries %zu and %zu are out of order",
			  what, list, i, i + 1);
		ok &= in_order;
	}
	return ok;
}

static bool expect_u64_key(const char *what, struct json_object *o, const char *key,
			   unsigned long long want)
{
	unsigned long long got = json_object_get_uint64(xt_json_get(what, o, key));

	XT_EXPECT_EQ(got, want, "%s: %s", what, key);
	return got == want;
}

/* RFC 3339, UTC, nanoseconds: gen.py's stamp written the way the contract says. */
static void rfc3339_ns(long long ns, char *buf, size_t len)
{
	time_t sec = (time_t)(ns / 1000000000);
	struct tm tm;

	gmtime_r(&sec, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ns % 1000000000);
}

static bool expect_near(const char *what, const char *key, struct json_object *v, double want)
{
	double got = json_object_get_double(v);
	bool ok = json_object_is_type(v, json_type_double) &&
		  fabs(got - want) <= 1e-9 * fabs(want);

	cr_expect(ok, "%s: capture.%s: %.17g, want %.17g", what, key, got, want);
	return ok;
}

/* capture: first and last record times, duration, and total's rates over it. */
static bool expect_capture_summary(const char *what, struct json_object *o,
				   const struct xt_expect *exp)
{
	struct json_object *c = xt_json_get(what, o, "capture");
	const char *keys[] = { "first", "last", "duration", "pps", "bps" };
	char first[64], last[64];
	double d;
	bool ok = true;

	if (exp->first_ns < 0) {
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			bool null = json_object_is_type(xt_json_get(what, c, keys[i]), json_type_null);

			cr_expect(null, "%s: capture.%s of no records is not null", what, keys[i]);
			ok &= null;
		}
		return ok;
	}
	rfc3339_ns(exp->first_ns, first, sizeof(first));
	rfc3339_ns(exp->last_ns, last, sizeof(last));
	XT_EXPECT_STREQ(json_object_get_string(xt_json_get(what, c, "first")), first,
			"%s: capture.first", what);
	XT_EXPECT_STREQ(json_object_get_string(xt_json_get(what, c, "last")), last,
			"%s: capture.last", what);
	ok &= !strcmp(json_object_get_string(xt_json_get(what, c, "first")), first) &&
	      !strcmp(json_object_get_string(xt_json_get(what, c, "last")), last);
	d = (double)(exp->last_ns - exp->first_ns) / 1e9;
	if (d <= 0)
		return ok & json_object_is_type(xt_json_get(what, c, "pps"), json_type_null);
	ok &= expect_near(what, "duration", xt_json_get(what, c, "duration"), d);
	ok &= expect_near(what, "pps", xt_json_get(what, c, "pps"), exp->c.total.packets / d);
	ok &= expect_near(what, "bps", xt_json_get(what, c, "bps"), exp->c.total.bytes * 8.0 / d);
	return ok;
}

bool xt_expect_json_capture(const char *what, struct json_object *o, const struct xt_expect *exp)
{
	struct json_object *flows = xt_json_get(what, o, "flows");
	struct json_object *ifs = xt_json_get(what, o, "interfaces");
	struct xc_counters c;
	long le[XC_SIZE_BUCKETS];
	struct xc_source *src;
	struct xc_port *ports;
	struct xc_flow *fl;
	size_t n_src, n_ports, n_fl;
	bool ok = true;

	xt_json_counters(what, o, &c, le);
	ok &= xt_expect_counters_eq(what, &c, &exp->c);
	for (int i = 0; i < XC_SIZE_BUCKETS; i++) {
		XT_EXPECT_EQ(le[i], exp->size_le[i], "%s: sizes[%d].le", what, i);
		ok &= le[i] == exp->size_le[i];
	}
	xt_json_sources(what, xt_json_get(what, o, "top_src"), &src, &n_src);
	xt_json_ports(what, xt_json_get(what, o, "top_dst_ports"), &ports, &n_ports);
	xt_json_flows(what, xt_json_get(what, flows, "top"), &fl, &n_fl);
	ok &= xt_expect_sources_eq(what, src, n_src, exp->sources, exp->n_sources);
	ok &= xt_expect_ports_eq(what, ports, n_ports, exp->ports, exp->n_ports);
	ok &= xt_expect_flows_eq(what, fl, n_fl, exp->flows, exp->n_flows);
	ok &= expect_ranked(what, "top_src", src, n_src, sizeof(*src), xt_rank_source);
	ok &= expect_ranked(what, "top_dst_ports", ports, n_ports, sizeof(*ports), xt_rank_port);
	ok &= expect_ranked(what, "flows.top", fl, n_fl, sizeof(*fl), xt_rank_flow);
	ok &= expect_u64_key(what, flows, "count", exp->n_flows);
	ok &= expect_u64_key(what, o, "records", exp->frames);
	ok &= expect_u64_key(what, o, "skipped", exp->skipped);
	ok &= expect_u64_key(what, o, "snapped", exp->snapped);
	ok &= expect_u64_key(what, o, "bad_length", exp->bad_length);
	XT_EXPECT_EQ(json_object_get_boolean(xt_json_get(what, o, "truncated")), exp->truncated,
		     "%s: truncated: want", what);
	ok &= json_object_get_boolean(xt_json_get(what, o, "truncated")) == exp->truncated;
	/* Offline frames came from no interface of this machine: none is invented. */
	XT_EXPECT_EQ(json_object_object_length(ifs), 0, "%s: interfaces: %s", what,
		     json_object_to_json_string(ifs));
	ok &= json_object_object_length(ifs) == 0;
	ok &= expect_capture_summary(what, o, exp);
	free(src);
	free(ports);
	free(fl);
	return ok;
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
