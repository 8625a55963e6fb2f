// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* What a live update shows: readable lines (text and terminal) and a JSON line. */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "view.h"

void lines_add(struct lines *l, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char **v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return;
		l->v = v;
		l->cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) >= 0)
		l->v[l->n++] = s;
	va_end(ap);
}

void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static const struct xc_counters zero_counters;

static bool per_iface(const struct live *lv)
{
	return xc_counter_config(lv->xc)->features & XC_F_IFACES;
}

/* An interface's counters: its own, the total when it is the only one, else NULL. */
static const struct xc_counters *iface_counters(const struct live *lv,
						const struct xc_snapshot *s,
						int ifindex)
{
	const struct xc_counters *c;

	if (!per_iface(lv))
		return lv->n_ifs == 1 ? &s->total : NULL;
	c = xc_snapshot_iface(s, (__u32)ifindex);
	return c ? c : &zero_counters;
}

/* An interface's total rate since the update before; false without its counts. */
static bool iface_rate(const struct live *lv, const struct live_iface *f, struct xc_rate *r)
{
	const struct xc_counters *c = iface_counters(lv, &lv->cur, f->ifindex);
	const struct xc_counters *p = iface_counters(lv, &lv->prev, f->ifindex);

	if (!c)
		return false;
	*r = xc_rate_pb(p ? &p->total : &zero_counters.total, &c->total,
			xc_snapshot_seconds(&lv->prev, &lv->cur));
	return true;
}

void live_rows(const struct live *lv, struct xc_view_iface *rows)
{
	for (int i = 0; i < lv->n_ifs; i++) {
		const struct live_iface *f = &lv->ifs[i];

		memset(&rows[i], 0, sizeof(rows[i]));
		rows[i].name = f->name;
		rows[i].ifindex = (__u32)f->ifindex;
		rows[i].c = iface_counters(lv, &lv->cur, f->ifindex);
		rows[i].mode = xc_mode_name(f->mode);
		rows[i].lost = f->lost;
		rows[i].has_kernel = true;
		xc_ifstats_sub(&rows[i].kernel, &f->kcur, &f->kbase);
	}
}

/* Local time for people; RFC 3339 in UTC with milliseconds for JSON. */
static const char *fmt_time(const struct timespec *ts, char *buf, size_t len,
			    bool rfc3339)
{
	struct tm tm;
	char s[32];

	if (!rfc3339) {
		localtime_r(&ts->tv_sec, &tm);
		strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
		return buf;
	}
	gmtime_r(&ts->tv_sec, &tm);
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%.20s.%03dZ", s, (int)(ts->tv_nsec / 1000000 % 1000));
	return buf;
}

/* ---- the readable view ---- */

#define ROW_FMT "%-12s %12s %12s %9s %10s"

struct cells {
	char pk[24], by[24], pps[24], bps[24];
};

static void fill_cells(struct cells *c, const struct xc_pb *pb, const struct xc_rate *r)
{
	snprintf(c->pk, sizeof(c->pk), "%llu", (unsigned long long)pb->packets);
	xc_human_bytes((double)pb->bytes, c->by, sizeof(c->by));
	xc_human(r->pps, c->pps, sizeof(c->pps));
	xc_human(r->bps, c->bps, sizeof(c->bps));
	strncat(c->bps, "b/s", sizeof(c->bps) - strlen(c->bps) - 1);
}

static double share(const struct xc_pb *pb, const struct xc_pb *total)
{
	return total->packets ? 100.0 * (double)pb->packets / (double)total->packets : 0;
}

/* Compact views leave out the rows that saw nothing. */
static void class_row(struct lines *out, const char *name, const struct xc_pb *pb,
		      const struct xc_rate *r, const struct xc_pb *total, bool compact)
{
	struct cells c;

	if (compact && !pb->packets && pb != total)
		return;
	fill_cells(&c, pb, r);
	lines_add(out, ROW_FMT " %6.1f%%", name, c.pk, c.by, c.pps, c.bps,
		  share(pb, total));
}

static void classes(struct lines *out, const struct xc_counters *c,
		    const struct xc_rates *r, bool compact)
{
	char name[24];

	lines_add(out, ROW_FMT " %7s", "class", "packets", "bytes", "pps", "bit/s", "share");
	class_row(out, "total", &c->total, &r->total, &c->total, compact);
	for (int i = 0; i < XC_L3_MAX; i++) {
		snprintf(name, sizeof(name), "%s%s", xc_l3_names[i], i == XC_L3_OTHER ? " l3" : "");
		class_row(out, name, &c->l3[i], &r->l3[i], &c->total, compact);
	}
	for (int i = 0; i < XC_L4_MAX; i++) {
		snprintf(name, sizeof(name), "%s%s", xc_l4_names[i], i == XC_L4_OTHER ? " l4" : "");
		class_row(out, name, &c->l4[i], &r->l4[i], &c->total, compact);
	}
	class_row(out, "malformed", &c->malformed, &r->malformed, &c->total, compact);
	class_row(out, "vlan", &c->vlan, &r->vlan, &c->total, compact);
}

/* A kernel counter since counting began, and what this interval added. */
static const char *drop_cell(char *buf, size_t len, __u64 cur, __u64 base, __u64 prev)
{
	__u64 total = cur >= base ? cur - base : 0, step = cur >= prev ? cur - prev : 0;

	if (step)
		snprintf(buf, len, "%llu +%llu", (unsigned long long)total,
			 (unsigned long long)step);
	else
		snprintf(buf, len, "%llu", (unsigned long long)total);
	return buf;
}

/* The name column's width comes first (twice: pad and cut), then the cells;
 * the three kernel counters take their widths too. */
#define IFACE_FMT "%-*.*s %12s %12s %9s %10s %-8s %*s %*s %*s"

static const char *iface_label(const struct live_iface *f, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", f->name, f->lost ? " gone" : "");
	return buf;
}

/* As wide as the longest name, but a narrow terminal still shows the packets. */
static int iface_name_width(const struct live *lv, int width)
{
	char name[IF_NAMESIZE + 8];
	int w = 12, fit = width - 13; /* 13: a space and the packets column */

	for (int i = 0; i < lv->n_ifs; i++) {
		int n = (int)strlen(iface_label(&lv->ifs[i], name, sizeof(name)));

		w = n > w ? n : w;
	}
	if (width && w > fit)
		w = fit > 12 ? fit : 12;
	return w;
}

/* One interface's kernel counters: rx_dropped, rx_missed_errors, rx_errors. */
static void iface_drops(const struct live_iface *f, char d[3][48])
{
	drop_cell(d[0], sizeof(d[0]), f->kcur.rx_dropped, f->kbase.rx_dropped,
		  f->kprev.rx_dropped);
	drop_cell(d[1], sizeof(d[1]), f->kcur.rx_missed_errors,
		  f->kbase.rx_missed_errors, f->kprev.rx_missed_errors);
	drop_cell(d[2], sizeof(d[2]), f->kcur.rx_errors, f->kbase.rx_errors,
		  f->kprev.rx_errors);
}

static void interfaces(struct lines *out, const struct live *lv, int width)
{
	int w = iface_name_width(lv, width), dw[3] = { 11, 11, 11 };
	char (*d)[3][48] = calloc((size_t)(lv->n_ifs ? lv->n_ifs : 1), sizeof(*d));

	if (!d)
		return;
	/* A cell like "123456 +7890" widens its column rather than push the rest. */
	for (int i = 0; i < lv->n_ifs; i++) {
		iface_drops(&lv->ifs[i], d[i]);
		for (int k = 0; k < 3; k++) {
			int n = (int)strlen(d[i][k]);

			dw[k] = n > dw[k] ? n : dw[k];
		}
	}
	lines_add(out, IFACE_FMT, w, w, "interface", "packets", "bytes", "pps", "bit/s",
		  "mode", dw[0], "rx_dropped", dw[1], "rx_missed", dw[2], "rx_errors");
	for (int i = 0; i < lv->n_ifs; i++) {
		const struct live_iface *f = &lv->ifs[i];
		const struct xc_counters *c = iface_counters(lv, &lv->cur, f->ifindex);
		char name[IF_NAMESIZE + 8];
		struct xc_rate r;
		struct cells cl;

		iface_label(f, name, sizeof(name));
		if (!iface_rate(lv, f, &r)) {
			lines_add(out, IFACE_FMT, w, w, name, "-", "-", "-", "-",
				  xc_mode_name(f->mode), dw[0], d[i][0], dw[1], d[i][1],
				  dw[2], d[i][2]);
			continue;
		}
		fill_cells(&cl, &c->total, &r);
		lines_add(out, IFACE_FMT, w, w, name, cl.pk, cl.by, cl.pps, cl.bps,
			  xc_mode_name(f->mode), dw[0], d[i][0], dw[1], d[i][1], dw[2], d[i][2]);
	}
	free(d);
}

static void tables(struct lines *out, const struct xc_snapshot *s)
{
	const struct xc_table *c = &s->tables[XC_TAB_CACHE];
	char buf[XC_TAB_CACHE][64];

	for (int i = 0; i < XC_TAB_CACHE; i++) {
		const struct xc_table *t = &s->tables[i];

		snprintf(buf[i], sizeof(buf[i]), "%s %llu/%llu (%llu folded)",
			 xc_table_names[i], (unsigned long long)t->entries,
			 (unsigned long long)t->capacity,
			 (unsigned long long)(t->folded.packets + t->unrecorded.packets));
	}
	lines_add(out, "tables: %s, %s, %s; cache %llu/%llu (%llu exported, %llu unrecorded)",
		  buf[0], buf[1], buf[2], (unsigned long long)c->entries,
		  (unsigned long long)c->capacity, (unsigned long long)c->exported,
		  (unsigned long long)c->unrecorded.packets);
}

static void size_label(int i, char *buf, size_t len)
{
	if (i == 0)
		snprintf(buf, len, "<= %d", xc_size_bounds[0]);
	else if (i < XC_SIZE_BUCKETS - 1)
		snprintf(buf, len, "%d-%d", xc_size_bounds[i - 1] + 1, xc_size_bounds[i]);
	else
		snprintf(buf, len, "> %d", xc_size_bounds[i - 1]);
}

/* The histogram, with a bar of '#' scaled to the largest bucket. */
static void sizes(struct lines *out, const struct xc_counters *c,
		  const struct xc_rates *r, int width, bool compact)
{
	int bar_max = (width ? width : 100) - 68;
	__u64 max = 0;
	char name[24], bar[128];

	for (int i = 0; i < XC_SIZE_BUCKETS; i++)
		if (c->sizes[i].packets > max)
			max = c->sizes[i].packets;
	if (bar_max > (int)sizeof(bar) - 1)
		bar_max = sizeof(bar) - 1;
	lines_add(out, ROW_FMT " %7s", "frame size", "packets", "bytes", "pps", "bit/s", "share");
	for (int i = 0; i < XC_SIZE_BUCKETS; i++) {
		struct cells cl;
		int n = max && bar_max > 0 ?
			(int)((double)c->sizes[i].packets * bar_max / (double)max + 0.5) : 0;

		if (compact && !c->sizes[i].packets)
			continue;
		size_label(i, name, sizeof(name));
		fill_cells(&cl, &c->sizes[i], &r->sizes[i]);
		memset(bar, '#', (size_t)n);
		bar[n] = '\0';
		lines_add(out, ROW_FMT " %6.1f%%%s%s", name, cl.pk, cl.by, cl.pps, cl.bps,
			  share(&c->sizes[i], &c->total), n ? " " : "", bar);
	}
}

static void top_sources(struct lines *out, const struct xc_snapshot *s, size_t *idx,
			size_t n)
{
	char a[64], h[24], title[48];

	n = xc_top_sources(s, n, idx);
	snprintf(title, sizeof(title), "top sources (%zu seen)", s->n_sources);
	lines_add(out, "%-39s %12s %12s", title, "packets", "bytes");
	for (size_t i = 0; i < n; i++) {
		const struct xc_source *e = &s->sources[idx[i]];

		lines_add(out, "%-39s %12llu %12s", xc_addr_str(&e->addr, a, sizeof(a)),
			  (unsigned long long)e->pb.packets,
			  xc_human_bytes((double)e->pb.bytes, h, sizeof(h)));
	}
}

static void top_ports(struct lines *out, const struct xc_snapshot *s, size_t *idx,
		      size_t n)
{
	char p[8], h[24], title[48], port[16];

	n = xc_top_ports(s, n, idx);
	snprintf(title, sizeof(title), "top destination ports (%zu seen)", s->n_ports);
	lines_add(out, "%-39s %12s %12s", title, "packets", "bytes");
	for (size_t i = 0; i < n; i++) {
		const struct xc_port *e = &s->ports[idx[i]];

		snprintf(port, sizeof(port), "%u", e->port);
		lines_add(out, "%-6s %-32s %12llu %12s", xc_proto_str(e->proto, p, sizeof(p)),
			  port, (unsigned long long)e->pb.packets,
			  xc_human_bytes((double)e->pb.bytes, h, sizeof(h)));
	}
}

/* ADDR:PORT, [ADDR]:PORT for IPv6, the bare address when the protocol has no ports. */
static const char *endpoint(char *buf, size_t len, const struct xc_addr *addr,
			    __u16 port, __u8 proto)
{
	char a[64];
	bool v6 = xc_addr_str(addr, a, sizeof(a)) && strchr(a, ':');

	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s%s%s:%u", v6 ? "[" : "", a, v6 ? "]" : "", port);
	return buf;
}

static void top_flows(struct lines *out, const struct xc_snapshot *s, size_t *idx,
		      size_t n)
{
	const struct xc_table *t = &s->tables[XC_TAB_FLOWS];
	char sa[80], da[80], p[8], h[24], title[64];

	n = xc_top_flows(s, n, idx);
	snprintf(title, sizeof(title), "top flows (%zu seen, %llu folded)", s->n_flows,
		 (unsigned long long)t->folded.packets);
	lines_add(out, "%-71s %10s %12s", title, "packets", "bytes");
	for (size_t i = 0; i < n; i++) {
		const struct xc_flow *e = &s->flows[idx[i]];
		const struct xc_flow_key *k = &e->key;

		endpoint(sa, sizeof(sa), &k->src, k->sport, k->proto);
		endpoint(da, sizeof(da), &k->dst, k->dport, k->proto);
		lines_add(out, "%-6s %-30s -> %-30s %10llu %12s",
			  xc_proto_str(e->key.proto, p, sizeof(p)), sa, da,
			  (unsigned long long)e->val.packets,
			  xc_human_bytes((double)e->val.bytes, h, sizeof(h)));
	}
}

static void header(struct lines *out, const struct live *lv, bool tty)
{
	char ifs[512] = "", when[40];
	__u64 up = (lv->cur.mono_ns - lv->start_ns) / 1000000000ull;
	size_t len = 0;

	for (int i = 0; i < lv->n_ifs && len < sizeof(ifs); i++)
		len += (size_t)snprintf(ifs + len, sizeof(ifs) - len, "%s%s %s%s",
					i ? ", " : "", lv->ifs[i].name,
					xc_mode_name(lv->ifs[i].mode),
					lv->ifs[i].lost ? " (gone)" : "");
	/* What matters most first: a narrow terminal cuts the end off. */
	lines_add(out, "xdpcount on %s   up %llu:%02llu:%02llu   every %gs%s%s   %s", ifs,
		  (unsigned long long)(up / 3600), (unsigned long long)(up / 60 % 60),
		  (unsigned long long)(up % 60), lv->cli->interval,
		  lv->final ? "   final" : "", tty && !lv->final ? "   q quits" : "",
		  fmt_time(&lv->wall, when, sizeof(when), false));
}

/* Rows for each top list: --top, or an equal share of what the screen has left. */
static size_t list_rows(const struct live *lv, size_t used, int height, bool compact)
{
	size_t top = (size_t)lv->cli->top;
	long left;

	if (!height)
		return top;
	/* Three lists, each with a heading, and a gap before it unless compact. */
	left = ((long)height - (long)used - (compact ? 3 : 6)) / 3;
	if (left < 0)
		left = 0;
	return (size_t)left < top ? (size_t)left : top;
}

static void gap(struct lines *out, bool compact)
{
	if (!compact)
		lines_add(out, "%s", "");
}

/* Returns the length the top lists got. */
static size_t build(const struct live *lv, struct lines *out, int width, int height,
		    bool compact)
{
	const struct xc_counters *c = &lv->cur.total;
	size_t top = (size_t)lv->cli->top, *idx = calloc(top ? top : 1, sizeof(*idx));
	struct xc_rates r;
	size_t n;

	xc_snapshot_rates(&lv->prev, &lv->cur, &r);
	header(out, lv, height > 0);
	gap(out, compact);
	classes(out, c, &r, compact);
	gap(out, compact);
	interfaces(out, lv, width);
	tables(out, &lv->cur);
	gap(out, compact);
	sizes(out, c, &r, width, compact);
	if (!idx)
		return 0;
	n = list_rows(lv, out->n, height, compact);
	gap(out, compact);
	top_sources(out, &lv->cur, idx, n);
	gap(out, compact);
	top_ports(out, &lv->cur, idx, n);
	gap(out, compact);
	top_flows(out, &lv->cur, idx, n);
	free(idx);
	return n;
}

void live_lines(const struct live *lv, struct lines *out, int width, int height)
{
	size_t want = lv->cli->top < 3 ? (size_t)lv->cli->top : 3;
	size_t n = build(lv, out, width, height, false);

	/* Too tall for the screen: the compact view leaves room for the top lists. */
	if (height && (out->n > (size_t)height || n < want)) {
		lines_free(out);
		build(lv, out, width, height, true);
	}
}

/* ---- the JSON line ---- */

/* A number with a fixed number of decimals, not the 17 digits of a double. */
static struct json_object *json_num(double v, int decimals)
{
	char buf[48];

	snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	return json_object_new_double_s(v, buf);
}

static struct json_object *json_rate(const struct xc_rate *r)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "pps", json_num(r->pps, 3));
	json_object_object_add(o, "bps", json_num(r->bps, 3));
	return o;
}

static struct json_object *json_rates(const struct live *lv, const struct xc_rates *r)
{
	struct json_object *o = json_object_new_object();
	struct json_object *l3 = json_object_new_object();
	struct json_object *l4 = json_object_new_object();
	struct json_object *ifs = json_object_new_object();

	json_object_object_add(o, "total", json_rate(&r->total));
	json_object_object_add(o, "malformed", json_rate(&r->malformed));
	json_object_object_add(o, "vlan", json_rate(&r->vlan));
	for (int i = 0; i < XC_L3_MAX; i++)
		json_object_object_add(l3, xc_l3_names[i], json_rate(&r->l3[i]));
	for (int i = 0; i < XC_L4_MAX; i++)
		json_object_object_add(l4, xc_l4_names[i], json_rate(&r->l4[i]));
	for (int i = 0; i < lv->n_ifs; i++) {
		struct xc_rate ir;

		if (iface_rate(lv, &lv->ifs[i], &ir))
			json_object_object_add(ifs, lv->ifs[i].name, json_rate(&ir));
	}
	json_object_object_add(o, "l3", l3);
	json_object_object_add(o, "l4", l4);
	json_object_object_add(o, "interfaces", ifs);
	return o;
}

static struct json_object *json_kstats(const struct xc_ifstats *s)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "rx_dropped", json_object_new_uint64(s->rx_dropped));
	json_object_object_add(o, "rx_missed_errors",
			       json_object_new_uint64(s->rx_missed_errors));
	json_object_object_add(o, "rx_errors", json_object_new_uint64(s->rx_errors));
	return o;
}

static struct json_object *json_drops(const struct live *lv)
{
	struct json_object *o = json_object_new_object();
	struct json_object *kernel = json_object_new_object();

	for (int i = 0; i < lv->n_ifs; i++) {
		const struct live_iface *f = &lv->ifs[i];
		struct xc_ifstats since, step;
		struct json_object *k;

		xc_ifstats_sub(&since, &f->kcur, &f->kbase);
		xc_ifstats_sub(&step, &f->kcur, &f->kprev);
		k = json_kstats(&since);
		json_object_object_add(k, "interval", json_kstats(&step));
		json_object_object_add(kernel, f->name, k);
	}
	json_object_object_add(o, "kernel", kernel);
	json_object_object_add(o, "tables", xc_json_tables(&lv->cur));
	return o;
}

/* Every interface by the name it was given, even before its first frame. */
static struct json_object *json_interfaces(const struct live *lv)
{
	struct json_object *o = json_object_new_object();

	for (int i = 0; i < lv->n_ifs; i++) {
		const struct xc_counters *c = iface_counters(lv, &lv->cur, lv->ifs[i].ifindex);

		if (c)
			json_object_object_add(o, lv->ifs[i].name, xc_json_counters(c));
	}
	return o;
}

static void json_names(const struct live *lv, struct json_object *o)
{
	struct json_object *names = json_object_new_array();
	struct json_object *modes = json_object_new_object();
	struct json_object *lost = json_object_new_array();

	for (int i = 0; i < lv->n_ifs; i++) {
		const struct live_iface *f = &lv->ifs[i];

		json_object_array_add(names, json_object_new_string(f->name));
		json_object_object_add(modes, f->name,
				       json_object_new_string(xc_mode_name(f->mode)));
		if (f->lost)
			json_object_array_add(lost, json_object_new_string(f->name));
	}
	json_object_object_add(o, "interface", names);
	json_object_object_add(o, "mode", modes);
	json_object_object_add(o, "lost", lost);
}

struct json_object *live_json(const struct live *lv)
{
	struct json_object *o = xc_json_snapshot(&lv->cur, (size_t)lv->cli->top);
	char when[48];
	struct xc_rates r;

	if (!o)
		return NULL;
	xc_snapshot_rates(&lv->prev, &lv->cur, &r);
	json_object_object_add(o, "interfaces", json_interfaces(lv));
	json_names(lv, o);
	json_object_object_add(o, "time", json_object_new_string(
		fmt_time(&lv->wall, when, sizeof(when), true)));
	json_object_object_add(o, "elapsed",
			       json_num((double)(lv->cur.mono_ns - lv->start_ns) / 1e9, 3));
	json_object_object_add(o, "interval", json_num(r.seconds, 6));
	json_object_object_add(o, "update", json_object_new_int64(lv->updates));
	json_object_object_add(o, "final", json_object_new_boolean(lv->final));
	json_object_object_add(o, "rates", json_rates(lv, &r));
	json_object_object_add(o, "drops", json_drops(lv));
	return o;
}
