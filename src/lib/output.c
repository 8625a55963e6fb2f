// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* JSON and text views of a snapshot. */
#include <netinet/in.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include "output.h"

static struct json_object *json_pb(const struct xc_pb *pb)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "packets", json_object_new_uint64(pb->packets));
	json_object_object_add(o, "bytes", json_object_new_uint64(pb->bytes));
	return o;
}

struct json_object *xc_json_counters(const struct xc_counters *c)
{
	struct json_object *o = json_object_new_object();
	struct json_object *l3 = json_object_new_object();
	struct json_object *l4 = json_object_new_object();
	struct json_object *sizes = json_object_new_array();

	json_object_object_add(o, "total", json_pb(&c->total));
	json_object_object_add(o, "malformed", json_pb(&c->malformed));
	json_object_object_add(o, "vlan", json_pb(&c->vlan));
	for (int i = 0; i < XC_L3_MAX; i++)
		json_object_object_add(l3, xc_l3_names[i], json_pb(&c->l3[i]));
	for (int i = 0; i < XC_L4_MAX; i++)
		json_object_object_add(l4, xc_l4_names[i], json_pb(&c->l4[i]));
	for (int i = 0; i < XC_SIZE_BUCKETS; i++) {
		struct json_object *b = json_pb(&c->sizes[i]);

		json_object_object_add(b, "le", i < XC_SIZE_BUCKETS - 1 ?
				       json_object_new_int(xc_size_bounds[i]) : NULL);
		json_object_array_add(sizes, b);
	}
	json_object_object_add(o, "l3", l3);
	json_object_object_add(o, "l4", l4);
	json_object_object_add(o, "sizes", sizes);
	return o;
}

const char *xc_ifname(__u32 ifindex, char *buf, size_t len)
{
	char name[IF_NAMESIZE];

	if (if_indextoname(ifindex, name))
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%u", ifindex);
	return buf;
}

static void add_pb(struct json_object *o, const struct xc_pb *pb)
{
	json_object_object_add(o, "packets", json_object_new_uint64(pb->packets));
	json_object_object_add(o, "bytes", json_object_new_uint64(pb->bytes));
}

static struct json_object *json_top_sources(const struct xc_snapshot *s,
					    const size_t *idx, size_t n)
{
	struct json_object *a = json_object_new_array();
	char buf[64];

	for (size_t i = 0; i < n; i++) {
		const struct xc_source *e = &s->sources[idx[i]];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "addr", json_object_new_string(
			xc_addr_str(&e->addr, buf, sizeof(buf))));
		add_pb(o, &e->pb);
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *json_proto(__u8 proto)
{
	char buf[8];
	const char *name = xc_proto_str(proto, buf, sizeof(buf));

	return name == buf ? json_object_new_int(proto) : json_object_new_string(name);
}

static struct json_object *json_top_ports(const struct xc_snapshot *s,
					  const size_t *idx, size_t n)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		const struct xc_port *e = &s->ports[idx[i]];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "proto", json_proto(e->proto));
		json_object_object_add(o, "port", json_object_new_int(e->port));
		add_pb(o, &e->pb);
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *json_flows(const struct xc_snapshot *s,
				      const size_t *idx, size_t n)
{
	const struct xc_table *t = &s->tables[XC_TAB_FLOWS];
	struct json_object *o = json_object_new_object();
	struct json_object *a = json_object_new_array();
	char buf[64];

	for (size_t i = 0; i < n; i++) {
		const struct xc_flow *e = &s->flows[idx[i]];
		struct json_object *f = json_object_new_object();

		json_object_object_add(f, "src", json_object_new_string(
			xc_addr_str(&e->key.src, buf, sizeof(buf))));
		json_object_object_add(f, "dst", json_object_new_string(
			xc_addr_str(&e->key.dst, buf, sizeof(buf))));
		json_object_object_add(f, "sport", json_object_new_int(e->key.sport));
		json_object_object_add(f, "dport", json_object_new_int(e->key.dport));
		json_object_object_add(f, "proto", json_proto(e->key.proto));
		json_object_object_add(f, "packets", json_object_new_uint64(e->val.packets));
		json_object_object_add(f, "bytes", json_object_new_uint64(e->val.bytes));
		json_object_array_add(a, f);
	}
	json_object_object_add(o, "count", json_object_new_uint64(s->n_flows));
	json_object_object_add(o, "entries", json_object_new_uint64(t->entries));
	json_object_object_add(o, "folded", json_pb(&t->folded));
	json_object_object_add(o, "top", a);
	return o;
}

struct json_object *xc_json_table(const struct xc_table *t)
{
	struct json_object *e = json_object_new_object();

	json_object_object_add(e, "entries", json_object_new_uint64(t->entries));
	json_object_object_add(e, "capacity", json_object_new_uint64(t->capacity));
	json_object_object_add(e, "inserted", json_object_new_uint64(t->inserted));
	json_object_object_add(e, "exported", json_object_new_uint64(t->exported));
	json_object_object_add(e, "unrecorded", json_pb(&t->unrecorded));
	json_object_object_add(e, "folded", json_pb(&t->folded));
	return e;
}

struct json_object *xc_json_tables(const struct xc_snapshot *s)
{
	struct json_object *o = json_object_new_object();

	for (int i = 0; i < XC_TAB_MAX; i++)
		json_object_object_add(o, xc_table_names[i], xc_json_table(&s->tables[i]));
	return o;
}

/* The features switched off: their lists are empty because nothing was counted. */
static const struct { __u32 f; const char *name, *option; } features[] = {
	{ XC_F_SIZES, "sizes", "--no-sizes" }, { XC_F_SOURCES, "sources", "--no-sources" },
	{ XC_F_PORTS, "ports", "--no-ports" }, { XC_F_FLOWS, "flows", "--no-flows" },
	{ XC_F_IFACES, "ifaces", "--no-ifaces" },
};

static struct json_object *json_off(const struct xc_snapshot *s)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++)
		if (!(s->features & features[i].f))
			json_object_array_add(a, json_object_new_string(features[i].name));
	return a;
}

/* "what: off (--no-what)" when feature f was switched off; true then. */
static bool text_off(FILE *f, const struct xc_snapshot *s, __u32 feature, const char *what)
{
	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
		if (features[i].f != feature || (s->features & feature))
			continue;
		fprintf(f, "%s: off (%s)\n", what, features[i].option);
		return true;
	}
	return false;
}

struct json_object *xc_json_snapshot(const struct xc_snapshot *s, size_t top)
{
	struct json_object *o = xc_json_counters(&s->total);
	struct json_object *ifs = json_object_new_object();
	size_t *idx = calloc(top ? top : 1, sizeof(*idx));
	size_t n;
	char buf[IF_NAMESIZE + 16];

	if (!idx) {
		json_object_put(o);
		json_object_put(ifs);
		return NULL;
	}
	n = xc_top_sources(s, top, idx);
	json_object_object_add(o, "top_src", json_top_sources(s, idx, n));
	n = xc_top_ports(s, top, idx);
	json_object_object_add(o, "top_dst_ports", json_top_ports(s, idx, n));
	n = xc_top_flows(s, top, idx);
	json_object_object_add(o, "flows", json_flows(s, idx, n));
	for (size_t i = 0; i < s->n_ifaces; i++)
		json_object_object_add(ifs, xc_ifname(s->ifaces[i].ifindex, buf, sizeof(buf)),
				       xc_json_counters(&s->ifaces[i].c));
	json_object_object_add(o, "interfaces", ifs);
	json_object_object_add(o, "tables", xc_json_tables(s));
	json_object_object_add(o, "off", json_off(s));
	free(idx);
	return o;
}

static const char *scaled(double v, char *buf, size_t len, double base,
			  const char *const *units, int nunits)
{
	int u = 0;

	while (v >= base && u < nunits - 1) {
		v /= base;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%.0f%s", v, units[0]);
	else
		snprintf(buf, len, "%.1f%s", v, units[u]);
	return buf;
}

/* Decimal prefixes everywhere, bytes too: rates and sizes read alike. */
const char *xc_human(double v, char *buf, size_t len)
{
	static const char *const units[] = { "", "k", "M", "G", "T", "P" };

	return scaled(v, buf, len, 1000, units, 6);
}

const char *xc_human_bytes(double v, char *buf, size_t len)
{
	static const char *const units[] = { " B", " kB", " MB", " GB", " TB", " PB" };

	return scaled(v, buf, len, 1000, units, 6);
}

const char *xc_group(__u64 v, char *buf, size_t len)
{
	char digits[24];
	int n = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v);
	size_t o = 0;

	for (int i = 0; i < n && o + 2 < len; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

const char *xc_class_label(bool l3, int i)
{
	/* "other" is in both lists: the label says which. */
	if (l3)
		return i == XC_L3_OTHER ? "other l3" : xc_l3_names[i];
	return i == XC_L4_OTHER ? "other l4" : xc_l4_names[i];
}

static void text_row(FILE *f, const char *name, const struct xc_pb *pb,
		     const struct xc_pb *total)
{
	char b[32], p[32];
	double share = total->packets ? 100.0 * pb->packets / total->packets : 0;

	fprintf(f, "  %-12s %14s %12s %6.1f%%\n", name, xc_group(pb->packets, p, sizeof(p)),
		xc_human_bytes((double)pb->bytes, b, sizeof(b)), share);
}

static void text_sizes(FILE *f, const struct xc_snapshot *s, const struct xc_counters *c)
{
	char name[16];

	if (text_off(f, s, XC_F_SIZES, "frame sizes"))
		return;
	fprintf(f, "frame sizes\n");
	for (int i = 0; i < XC_SIZE_BUCKETS; i++) {
		if (i == 0)
			snprintf(name, sizeof(name), "<= %d", xc_size_bounds[0]);
		else if (i < XC_SIZE_BUCKETS - 1)
			snprintf(name, sizeof(name), "%d-%d", xc_size_bounds[i - 1] + 1,
				 xc_size_bounds[i]);
		else
			snprintf(name, sizeof(name), "> %d", xc_size_bounds[i - 1]);
		text_row(f, name, &c->sizes[i], &c->total);
	}
}

const char *xc_endpoint_str(const struct xc_addr *addr, __u16 port, __u8 proto,
			    char *buf, size_t len)
{
	char a[64];
	bool v6 = xc_addr_str(addr, a, sizeof(a)) && strchr(a, ':');

	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s%s%s:%u", v6 ? "[" : "", a, v6 ? "]" : "", port);
	return buf;
}

/* One entry of a top list: packets, bytes, then its label (address, port, flow). */
static void text_entry(FILE *f, const char *label, const struct xc_pb *pb)
{
	char p[32], h[32];

	fprintf(f, "%14s %12s  %s\n", xc_group(pb->packets, p, sizeof(p)),
		xc_human_bytes((double)pb->bytes, h, sizeof(h)), label);
}

/* Numbers first, as the live view has them: a long label never pushes them. */
static void text_heading(FILE *f, const char *title)
{
	fprintf(f, "%14s %12s  %s\n", "packets", "bytes", title);
}

/* What the flow cache did: its exports, and the frames it could not record. */
static void text_cache(FILE *f, const struct xc_table *t)
{
	fprintf(f, "flow cache: %llu/%llu entries, %llu inserted, %llu exported, "
		"%llu packets unrecorded\n", (unsigned long long)t->entries,
		(unsigned long long)t->capacity, (unsigned long long)t->inserted,
		(unsigned long long)t->exported, (unsigned long long)t->unrecorded.packets);
}

static void text_tables(FILE *f, const struct xc_snapshot *s, size_t *idx,
			size_t top)
{
	char a[64], p[8], label[128], title[96];
	size_t n;

	n = text_off(f, s, XC_F_SOURCES, "top sources") ? 0 : xc_top_sources(s, top, idx);
	snprintf(title, sizeof(title), "top sources (%zu seen)", s->n_sources);
	if (s->features & XC_F_SOURCES)
		text_heading(f, title);
	for (size_t i = 0; i < n; i++)
		text_entry(f, xc_addr_str(&s->sources[idx[i]].addr, a, sizeof(a)),
			   &s->sources[idx[i]].pb);
	if (n && s->other.packets)
		text_entry(f, "other (source rows full)", &s->other);
	n = text_off(f, s, XC_F_PORTS, "top destination ports") ? 0 : xc_top_ports(s, top, idx);
	snprintf(title, sizeof(title), "top destination ports (%zu seen)", s->n_ports);
	if (s->features & XC_F_PORTS)
		text_heading(f, title);
	for (size_t i = 0; i < n; i++) {
		const struct xc_port *e = &s->ports[idx[i]];

		snprintf(label, sizeof(label), "%-6s %u", xc_proto_str(e->proto, p, sizeof(p)),
			 e->port);
		text_entry(f, label, &e->pb);
	}
	n = text_off(f, s, XC_F_FLOWS, "top flows") ? 0 : xc_top_flows(s, top, idx);
	snprintf(title, sizeof(title), "top flows (%zu seen, %llu packets folded into sources)",
		 s->n_flows, (unsigned long long)s->tables[XC_TAB_FLOWS].folded.packets);
	if (s->features & XC_F_FLOWS)
		text_heading(f, title);
	for (size_t i = 0; i < n; i++) {
		const struct xc_flow *e = &s->flows[idx[i]];
		struct xc_pb pb = { e->val.packets, e->val.bytes };
		char sa[80], da[80];

		snprintf(label, sizeof(label), "%-6s %s -> %s",
			 xc_proto_str(e->key.proto, p, sizeof(p)),
			 xc_endpoint_str(&e->key.src, e->key.sport, e->key.proto, sa, sizeof(sa)),
			 xc_endpoint_str(&e->key.dst, e->key.dport, e->key.proto, da, sizeof(da)));
		text_entry(f, label, &pb);
	}
}

void xc_text_snapshot(FILE *f, const struct xc_snapshot *s, size_t top)
{
	const struct xc_counters *c = &s->total;
	size_t *idx = calloc(top ? top : 1, sizeof(*idx));

	fprintf(f, "  %-12s %14s %12s %7s\n", "class", "packets", "bytes", "share");
	text_row(f, "total", &c->total, &c->total);
	for (int i = 0; i < XC_L3_MAX; i++)
		text_row(f, xc_class_label(true, i), &c->l3[i], &c->total);
	for (int i = 0; i < XC_L4_MAX; i++)
		text_row(f, xc_class_label(false, i), &c->l4[i], &c->total);
	text_row(f, "malformed", &c->malformed, &c->total);
	text_row(f, "vlan", &c->vlan, &c->total);
	text_sizes(f, s, c);
	if (s->features & XC_F_TABLES)
		text_cache(f, &s->tables[XC_TAB_CACHE]);
	if (idx)
		text_tables(f, s, idx, top);
	free(idx);
}

struct json_object *xc_json_split(const struct xc_class_split *s)
{
	struct json_object *o = json_pb(&s->pb);
	struct json_object *l3 = json_object_new_object();
	struct json_object *l4 = json_object_new_object();

	for (int i = 0; i < XC_L3_MAX; i++)
		json_object_object_add(l3, xc_l3_names[i], json_pb(&s->l3[i]));
	for (int i = 0; i < XC_L4_MAX; i++)
		json_object_object_add(l4, xc_l4_names[i], json_pb(&s->l4[i]));
	json_object_object_add(o, "l3", l3);
	json_object_object_add(o, "l4", l4);
	return o;
}

struct json_object *xc_json_drop_reasons(const struct xc_drop_reason *r, size_t n)
{
	struct json_object *o = json_object_new_object();

	for (size_t i = 0; i < n; i++)
		json_object_object_add(o, r[i].name, xc_json_split(&r[i].s));
	return o;
}

struct json_object *xc_json_verdicts(const struct xc_observe_stats *st)
{
	struct json_object *o = json_object_new_object();
	struct xc_class_split s;

	for (int v = 0; v < XC_V_MAX; v++) {
		xc_verdict_split(st, (enum xc_verdict)v, &s);
		json_object_object_add(o, xc_verdict_names[v], xc_json_split(&s));
	}
	return o;
}
