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

/* What the counters hold: the program's features, or observe mode's. */
static __u32 features(const struct live *lv)
{
	return lv->xc ? xc_counter_config(lv->xc)->features : XC_OBSERVED_FEATURES;
}

static bool per_iface(const struct live *lv)
{
	return features(lv) & XC_F_IFACES;
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

/* An interface's total rate from `from` to now; false without its counts. */
static bool iface_rate(const struct live *lv, const struct xc_snapshot *from,
		       const struct live_iface *f, struct xc_rate *r)
{
	const struct xc_counters *c = iface_counters(lv, &lv->cur, f->ifindex);
	const struct xc_counters *p = iface_counters(lv, from, f->ifindex);

	if (!c)
		return false;
	*r = xc_rate_pb(p ? &p->total : &zero_counters.total, &c->total,
			xc_snapshot_seconds(from, &lv->cur));
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
		rows[i].reasons = lv->drops ? f->reasons : NULL;
		rows[i].n_reasons = f->n_reasons;
		rows[i].observed = f->obs ? &f->seen : NULL;
	}
}

/* RFC 3339 in UTC with milliseconds, for JSON. */
static const char *rfc3339(const struct timespec *ts, char *buf, size_t len)
{
	struct tm tm;
	char s[32];

	gmtime_r(&ts->tv_sec, &tm);
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%.20s.%03dZ", s, (int)(ts->tv_nsec / 1000000 % 1000));
	return buf;
}

/* ---- the readable view ---- */

#define ROW_FMT "%-12s %11s %8s %8s %8s"
/* Below this width the kernel's three drop counters share one column. */
#define IFACE_FULL_WIDTH 100
/* From this width the clock shows the date too. */
#define DATE_WIDTH 100

bool feature_on(const struct live *lv, __u32 f)
{
	return features(lv) & f;
}

const char *rate_label(const struct frame *fr)
{
	return fr->lv->bytes_rate ? "B/s" : "bit/s";
}

void fill_cells(const struct frame *fr, struct cells *c, const struct xc_pb *pb,
		const struct xc_rate *r)
{
	xc_group(pb->packets, c->pk, sizeof(c->pk));
	xc_human((double)pb->bytes, c->by, sizeof(c->by));
	xc_human(r->pps, c->pps, sizeof(c->pps));
	xc_human(fr->lv->bytes_rate ? r->bps / 8 : r->bps, c->rate, sizeof(c->rate));
}

static double share(const struct xc_pb *pb, const struct xc_pb *total)
{
	return total->packets ? 100.0 * (double)pb->packets / (double)total->packets : 0;
}

/* Compact views leave out the rows that saw nothing. */
static void class_row(struct lines *out, const struct frame *fr, const char *name,
		      const struct xc_pb *pb, const struct xc_rate *r, const struct xc_pb *total)
{
	struct cells c;

	if (fr->compact && !pb->packets && pb != total)
		return;
	fill_cells(fr, &c, pb, r);
	lines_add(out, ROW_FMT " %6.1f%%", name, c.pk, c.by, c.pps, c.rate, share(pb, total));
}

static void classes(struct lines *out, const struct frame *fr)
{
	const struct xc_counters *c = &fr->lv->cur.total;
	const struct xc_rates *r = &fr->r;

	lines_add(out, ROW_FMT " %7s", "class", "packets", "bytes", "pps", rate_label(fr),
		  "share");
	class_row(out, fr, "total", &c->total, &r->total, &c->total);
	for (int i = 0; i < XC_L3_MAX; i++)
		class_row(out, fr, xc_class_label(true, i), &c->l3[i], &r->l3[i], &c->total);
	for (int i = 0; i < XC_L4_MAX; i++)
		class_row(out, fr, xc_class_label(false, i), &c->l4[i], &r->l4[i], &c->total);
	class_row(out, fr, "malformed", &c->malformed, &r->malformed, &c->total);
	class_row(out, fr, "vlan", &c->vlan, &r->vlan, &c->total);
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
 * the kernel counters take their widths too. */
#define IFACE_FMT "%-*.*s %11s %8s %8s %8s %-8s %*s %*s %*s"

static const char *iface_label(const struct live_iface *f, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", f->name, f->lost ? " gone" : "");
	return buf;
}

/* As wide as the longest name, but a narrow terminal still shows the packets. */
static int iface_name_width(const struct live *lv, int width)
{
	char name[IF_NAMESIZE + 8];
	int w = 12, fit = width - 12; /* 12: a space and the packets column */

	for (int i = 0; i < lv->n_ifs; i++) {
		int n = (int)strlen(iface_label(&lv->ifs[i], name, sizeof(name)));

		w = n > w ? n : w;
	}
	if (width && w > fit)
		w = fit > 12 ? fit : 12;
	return w;
}

/* rx_dropped, rx_missed_errors, rx_errors; or their sum alone when narrow. */
static int iface_drops(const struct live_iface *f, char d[3][48], bool narrow)
{
	if (narrow) {
		struct xc_ifstats a, b;

		a = f->kcur;
		b = f->kbase;
		a.rx_dropped += a.rx_missed_errors + a.rx_errors;
		b.rx_dropped += b.rx_missed_errors + b.rx_errors;
		drop_cell(d[0], sizeof(d[0]), a.rx_dropped, b.rx_dropped,
			  f->kprev.rx_dropped + f->kprev.rx_missed_errors + f->kprev.rx_errors);
		d[1][0] = d[2][0] = '\0';
		return 1;
	}
	drop_cell(d[0], sizeof(d[0]), f->kcur.rx_dropped, f->kbase.rx_dropped,
		  f->kprev.rx_dropped);
	drop_cell(d[1], sizeof(d[1]), f->kcur.rx_missed_errors,
		  f->kbase.rx_missed_errors, f->kprev.rx_missed_errors);
	drop_cell(d[2], sizeof(d[2]), f->kcur.rx_errors, f->kbase.rx_errors,
		  f->kprev.rx_errors);
	return 3;
}

/* The attach mode, starred when the counts are of GRO aggregates (a note says so). */
static const char *mode_cell(const struct live_iface *f, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", xc_mode_name(f->mode), f->gro_aggregates ? "*" : "");
	return buf;
}

static void iface_row(struct lines *out, const struct frame *fr, const struct live_iface *f,
		      int w, const int *dw, char d[3][48])
{
	const struct live *lv = fr->lv;
	const struct xc_counters *c = iface_counters(lv, &lv->cur, f->ifindex);
	char name[IF_NAMESIZE + 8], mode[16];
	struct xc_rate r;
	struct cells cl;

	iface_label(f, name, sizeof(name));
	mode_cell(f, mode, sizeof(mode));
	if (!iface_rate(lv, fr->from, f, &r)) {
		/* Several interfaces, no per-interface counts: --no-ifaces. */
		lines_add(out, IFACE_FMT, w, w, name, "off", "off", "off", "off", mode,
			  dw[0], d[0], dw[1], d[1], dw[2], d[2]);
		return;
	}
	fill_cells(fr, &cl, &c->total, &r);
	lines_add(out, IFACE_FMT, w, w, name, cl.pk, cl.by, cl.pps, cl.rate, mode,
		  dw[0], d[0], dw[1], d[1], dw[2], d[2]);
}

static void gro_note(struct lines *out, const struct live *lv)
{
	for (int i = 0; i < lv->n_ifs; i++) {
		if (!lv->ifs[i].gro_aggregates)
			continue;
		lines_add(out, "* GRO on: packets are aggregates, not wire frames "
			  "(ethtool -K %s gro off)", lv->ifs[i].name);
		return;
	}
}

static void interfaces(struct lines *out, const struct frame *fr)
{
	const struct live *lv = fr->lv;
	bool narrow = fr->width && fr->width < IFACE_FULL_WIDTH;
	int w = iface_name_width(lv, fr->width), dw[3] = { 11, 11, 11 };
	char (*d)[3][48] = calloc((size_t)(lv->n_ifs ? lv->n_ifs : 1), sizeof(*d));

	if (!d)
		return;
	/* A cell like "123456 +7890" widens its column rather than push the rest. */
	for (int i = 0; i < lv->n_ifs; i++) {
		int k = iface_drops(&lv->ifs[i], d[i], narrow);

		while (k--) {
			int n = (int)strlen(d[i][k]);

			dw[k] = n > dw[k] ? n : dw[k];
		}
	}
	if (narrow)
		dw[1] = dw[2] = 0;
	lines_add(out, IFACE_FMT, w, w, "interface", "packets", "bytes", "pps", rate_label(fr),
		  "mode", dw[0], narrow ? "kernel drop" : "rx_dropped", dw[1],
		  narrow ? "" : "rx_missed", dw[2], narrow ? "" : "rx_errors");
	for (int i = 0; i < lv->n_ifs; i++)
		iface_row(out, fr, &lv->ifs[i], w, dw, d[i]);
	gro_note(out, lv);
	free(d);
}

/* "ipv4 5; udp 3, tcp 2": a count's frames by network and transport class. */
static void split_text(char *buf, size_t len, const struct xc_class_split *s)
{
	size_t at = 0;

	buf[0] = '\0';
	for (int i = 0; i < XC_L3_MAX && at < len; i++)
		if (s->l3[i].packets)
			at += (size_t)snprintf(buf + at, len - at, "%s%s %llu", at ? ", " : "",
					       xc_l3_names[i], (unsigned long long)s->l3[i].packets);
	for (int i = 0, n = 0; i < XC_L4_MAX && at < len; i++)
		if (s->l4[i].packets)
			at += (size_t)snprintf(buf + at, len - at, "%s%s %llu", n++ ? ", " : "; ",
					       xc_l4_names[i], (unsigned long long)s->l4[i].packets);
}

/* Why the kernel dropped what it did after XDP, per interface. */
static void drop_reasons(struct lines *out, const struct frame *fr)
{
	const struct live *lv = fr->lv;
	const struct xc_rate none = { 0 };
	char split[160];
	bool any = false;
	struct cells c;

	if (!lv->drops)
		return;
	for (int i = 0; i < lv->n_ifs; i++) {
		const struct live_iface *f = &lv->ifs[i];

		for (size_t k = 0; k < f->n_reasons; k++) {
			const struct xc_drop_reason *r = &f->reasons[k];

			if (!any)
				lines_add(out, "%-12s %-24s %12s %12s  %s", "kernel drops",
					  "reason", "packets", "bytes", "classes");
			any = true;
			split_text(split, sizeof(split), &r->s);
			fill_cells(fr, &c, &r->s.pb, &none);
			lines_add(out, "%-12s %-24s %12s %12s  %s", f->name, r->name, c.pk, c.by,
				  split);
		}
	}
	if (!any && !fr->compact)
		lines_add(out, "kernel drops: none since counting began");
}

/* Observe mode: what each observed program returned, per action. */
static void verdicts(struct lines *out, const struct frame *fr)
{
	const struct live *lv = fr->lv;
	const struct xc_rate none = { 0 };
	struct xc_class_split s;
	char split[160];
	struct cells c;

	for (int i = 0; i < lv->n_ifs; i++) {
		const struct live_iface *f = &lv->ifs[i];

		if (!f->obs)
			continue;
		lines_add(out, "%-12s %-24s %12s %12s  %s", "XDP verdicts", "action", "packets",
			  "bytes", "classes");
		for (int v = 0; v < XC_V_MAX; v++) {
			xc_verdict_split(&f->seen, (enum xc_verdict)v, &s);
			if (!s.pb.packets && v == XC_V_OTHER)
				continue;
			split_text(split, sizeof(split), &s);
			fill_cells(fr, &c, &s.pb, &none);
			lines_add(out, "%-12s %-24s %12s %12s  %s", f->name, xc_verdict_names[v],
				  c.pk, c.by, split);
		}
	}
}

static void tables(struct lines *out, const struct frame *fr)
{
	static const __u32 feature[XC_TAB_MAX] = { XC_F_SOURCES, XC_F_FLOWS, XC_F_IFACES,
						   XC_F_TABLES };
	const struct xc_snapshot *s = &fr->lv->cur;
	const struct xc_table *c = &s->tables[XC_TAB_CACHE];
	char buf[XC_TAB_MAX][96];
	size_t len = 0;

	for (int i = 0; i < XC_TAB_CACHE; i++) {
		const struct xc_table *t = &s->tables[i];

		if (!feature_on(fr->lv, feature[i]))
			snprintf(buf[i], sizeof(buf[i]), "%s off", xc_table_names[i]);
		else
			snprintf(buf[i], sizeof(buf[i]), "%s %llu/%llu (%llu folded)",
				 xc_table_names[i], (unsigned long long)t->entries,
				 (unsigned long long)t->capacity,
				 (unsigned long long)(t->folded.packets + t->unrecorded.packets));
	}
	if (!feature_on(fr->lv, XC_F_TABLES))
		snprintf(buf[XC_TAB_CACHE], sizeof(buf[0]), "cache off");
	else
		snprintf(buf[XC_TAB_CACHE], sizeof(buf[0]), "cache %llu/%llu (%llu exported, "
			 "%llu unrecorded)", (unsigned long long)c->entries,
			 (unsigned long long)c->capacity, (unsigned long long)c->exported,
			 (unsigned long long)c->unrecorded.packets);
	for (int i = 0; i < XC_TAB_MAX; i++)
		len += strlen(buf[i]) + 2;
	/* A line per table when one line would be cut by the terminal. */
	if (fr->width && (int)(len + 8) > fr->width) {
		for (int i = 0; i < XC_TAB_MAX; i++)
			lines_add(out, "%s%s", i ? "        " : "tables: ", buf[i]);
		return;
	}
	lines_add(out, "tables: %s, %s, %s, %s", buf[0], buf[1], buf[2], buf[3]);
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
static void sizes(struct lines *out, const struct frame *fr)
{
	const struct xc_counters *c = &fr->lv->cur.total;
	int bar_max = (fr->width ? fr->width : 100) - 62;
	__u64 max = 0;
	char name[24], bar[128];

	if (!feature_on(fr->lv, XC_F_SIZES)) {
		lines_add(out, "frame sizes: off (--no-sizes)");
		return;
	}
	for (int i = 0; i < XC_SIZE_BUCKETS; i++)
		if (c->sizes[i].packets > max)
			max = c->sizes[i].packets;
	if (bar_max > (int)sizeof(bar) - 1)
		bar_max = sizeof(bar) - 1;
	lines_add(out, ROW_FMT " %7s", "frame size", "packets", "bytes", "pps", rate_label(fr),
		  "share");
	for (int i = 0; i < XC_SIZE_BUCKETS; i++) {
		struct cells cl;
		int n = max && bar_max > 0 ?
			(int)((double)c->sizes[i].packets * bar_max / (double)max + 0.5) : 0;

		if (fr->compact && !c->sizes[i].packets)
			continue;
		size_label(i, name, sizeof(name));
		fill_cells(fr, &cl, &c->sizes[i], &fr->r.sizes[i]);
		memset(bar, '#', (size_t)n);
		bar[n] = '\0';
		lines_add(out, ROW_FMT " %6.1f%%%s%s", name, cl.pk, cl.by, cl.pps, cl.rate,
			  share(&c->sizes[i], &c->total), n ? " " : "", bar);
	}
}

static const char *hms(__u64 ns, char *buf, size_t len)
{
	__u64 s = ns / 1000000000ull;

	snprintf(buf, len, "%llu:%02llu:%02llu", (unsigned long long)(s / 3600),
		 (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60));
	return buf;
}

/* What matters most first: a narrow terminal cuts the end off. */
static void header(struct lines *out, const struct frame *fr)
{
	const struct live *lv = fr->lv;
	char ifs[512] = "", when[40], up[32];
	size_t len = 0;
	struct tm tm;

	for (int i = 0; i < lv->n_ifs && len < sizeof(ifs); i++)
		len += (size_t)snprintf(ifs + len, sizeof(ifs) - len, "%s%s (%s%s)",
					i ? ", " : "", lv->ifs[i].name,
					xc_mode_name(lv->ifs[i].mode),
					lv->ifs[i].lost ? ", gone" : "");
	/* The clock is last: the names give way to their count rather than cut it. */
	if (fr->width && (int)len + 58 > fr->width) /* 58: the rest of the line */
		snprintf(ifs, sizeof(ifs), "%d interface%s", lv->n_ifs, lv->n_ifs > 1 ? "s" : "");
	localtime_r(&lv->wall.tv_sec, &tm);
	strftime(when, sizeof(when), !fr->width || fr->width >= DATE_WIDTH ?
		 "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", &tm);
	hms(lv->cur.mono_ns - lv->start_ns, up, sizeof(up));
	if (lv->final)
		lines_add(out, "xdpcount on %s, ingress   final: averages over %s   %s", ifs, up,
			  when);
	else
		lines_add(out, "xdpcount on %s, ingress   up %s   every %gs   %s", ifs, up,
			  lv->cli->interval, when);
}

/* The keys, on the terminal's last row. */
static void footer(struct lines *out, const struct frame *fr)
{
	lines_add(out, "q quit   o order: %s   u units: %s", xc_order_names[fr->lv->order],
		  rate_label(fr));
}

static void gap(struct lines *out, const struct frame *fr)
{
	if (!fr->compact)
		lines_add(out, "%s", "");
}

/* What may be left out, least needed first, when the terminal is short. */
enum extras {
	WITH_SIZES = 1,
	WITH_TABLES = 2,
};

/* Everything above the top lists. */
static void upper(struct lines *out, const struct frame *fr, int extras)
{
	header(out, fr);
	gap(out, fr);
	classes(out, fr);
	gap(out, fr);
	interfaces(out, fr);
	drop_reasons(out, fr);
	verdicts(out, fr);
	if ((extras & WITH_TABLES) && fr->lv->xc)
		tables(out, fr);
	if (extras & WITH_SIZES) {
		gap(out, fr);
		sizes(out, fr);
	}
}

/*
 * The fullest layout whose top lists get their share (3 rows, or --top):
 * with gaps, then compact, then without the histogram, then without tables.
 * Unbounded (text) views list --top entries of each.
 */
static void layout(struct frame *fr, struct lines *out)
{
	static const struct { bool compact; int extras; } tries[] = {
		{ false, WITH_SIZES | WITH_TABLES }, { true, WITH_SIZES | WITH_TABLES },
		{ true, WITH_TABLES }, { true, 0 },
	};
	size_t n = sizeof(tries) / sizeof(tries[0]), top = (size_t)fr->lv->cli->top;
	size_t rows[TOP_LISTS] = { top, top, top };

	for (size_t t = 0; fr->height && t < n; t++) {
		long budget;

		fr->compact = tries[t].compact;
		upper(out, fr, tries[t].extras);
		/* Three headings, a gap before each unless compact, and the footer. */
		budget = (long)fr->height - (long)out->n - (fr->compact ? 3 : 6) - 1;
		if (top_rows(fr, budget, rows) || t + 1 == n)
			break;
		lines_free(out);
	}
	if (!fr->height)
		upper(out, fr, WITH_SIZES | WITH_TABLES);
	top_lists(out, fr, rows);
	if (!fr->height)
		return;
	while (out->n + 1 < (size_t)fr->height)
		lines_add(out, "%s", "");
	footer(out, fr);
}

void live_lines(const struct live *lv, struct lines *out, int width, int height)
{
	struct frame fr = { .lv = lv, .from = &lv->prev, .width = width, .height = height };

	/* The final block: averages over the whole run, not the last interval's. */
	fr.start.mono_ns = lv->start_ns;
	if (lv->final)
		fr.from = &fr.start;
	xc_snapshot_rates(fr.from, &lv->cur, &fr.r);
	xc_entry_rates(fr.from, &lv->cur, &fr.er); /* without them, rates show as 0 */
	layout(&fr, out);
	xc_entry_rates_free(&fr.er);
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

		if (iface_rate(lv, &lv->prev, &lv->ifs[i], &ir))
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

/* Kernel drop reasons by interface: {"eth1": {"NO_SOCKET": split, ...}}. */
static struct json_object *json_reasons(const struct live *lv)
{
	struct json_object *o = json_object_new_object();

	for (int i = 0; i < lv->n_ifs; i++)
		json_object_object_add(o, lv->ifs[i].name,
				       xc_json_drop_reasons(lv->ifs[i].reasons,
							    lv->ifs[i].n_reasons));
	return o;
}

/* Observe mode: the observed programs and their verdicts, by interface. */
static void json_observed(const struct live *lv, struct json_object *o)
{
	struct json_object *progs = json_object_new_object();
	struct json_object *verdicts = json_object_new_object();

	for (int i = 0; i < lv->n_ifs; i++) {
		const struct live_iface *f = &lv->ifs[i];
		struct json_object *p;

		if (!f->obs)
			continue;
		p = json_object_new_object();
		json_object_object_add(p, "id", json_object_new_uint64(xc_observe_prog_id(f->obs)));
		json_object_object_add(p, "function",
				       json_object_new_string(xc_observe_prog_name(f->obs)));
		json_object_object_add(progs, f->name, p);
		json_object_object_add(verdicts, f->name, xc_json_verdicts(&f->seen));
	}
	json_object_object_add(o, "observed", progs);
	json_object_object_add(o, "verdicts", verdicts);
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
	if (lv->drops)
		json_object_object_add(o, "reasons", json_reasons(lv));
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

/* A CLOCK_MONOTONIC stamp of this update as wall-clock RFC 3339. */
static struct json_object *json_mono_time(const struct live *lv, __u64 mono_ns)
{
	__u64 ago = lv->cur.mono_ns > mono_ns ? lv->cur.mono_ns - mono_ns : 0;
	__u64 wall = (__u64)lv->wall.tv_sec * 1000000000ull + (__u64)lv->wall.tv_nsec - ago;
	struct timespec ts = { (time_t)(wall / 1000000000ull), (long)(wall % 1000000000ull) };
	char buf[48];

	return json_object_new_string(rfc3339(&ts, buf, sizeof(buf)));
}

/* Each listed entry's rate this interval, by the list's own order (xc_top_*). */
static void json_entry_rates(struct json_object *a, const struct xc_rate *r,
			     const size_t *idx, size_t n)
{
	for (size_t i = 0; i < n && i < json_object_array_length(a) && r; i++) {
		struct json_object *e = json_object_array_get_idx(a, i);

		json_object_object_add(e, "pps", json_num(r[idx[i]].pps, 3));
		json_object_object_add(e, "bps", json_num(r[idx[i]].bps, 3));
	}
}

static void json_flow_times(const struct live *lv, struct json_object *a, const size_t *idx,
			    size_t n)
{
	for (size_t i = 0; i < n && i < json_object_array_length(a); i++) {
		struct json_object *e = json_object_array_get_idx(a, i);
		const struct xc_flow *f = &lv->cur.flows[idx[i]];

		json_object_object_add(e, "first_seen", json_mono_time(lv, f->val.first_seen));
		json_object_object_add(e, "last_seen", json_mono_time(lv, f->val.last_seen));
	}
}

/* Rates per top-list entry and flow times, on the lists xc_json_snapshot made. */
static void json_top_extras(const struct live *lv, struct json_object *o)
{
	const struct xc_snapshot *s = &lv->cur;
	size_t top = (size_t)lv->cli->top, *idx = calloc(top ? top : 1, sizeof(*idx)), n;
	struct json_object *flows = NULL, *a = NULL;
	struct xc_entry_rates er;

	if (!idx || xc_entry_rates(&lv->prev, s, &er)) {
		free(idx);
		return;
	}
	n = xc_top_sources(s, top, idx);
	if (json_object_object_get_ex(o, "top_src", &a))
		json_entry_rates(a, er.sources, idx, n);
	n = xc_top_ports(s, top, idx);
	if (json_object_object_get_ex(o, "top_dst_ports", &a))
		json_entry_rates(a, er.ports, idx, n);
	n = xc_top_flows(s, top, idx);
	if (json_object_object_get_ex(o, "flows", &flows) &&
	    json_object_object_get_ex(flows, "top", &a)) {
		json_entry_rates(a, er.flows, idx, n);
		json_flow_times(lv, a, idx, n);
	}
	xc_entry_rates_free(&er);
	free(idx);
}

/* The run's average since counting began, and how counts relate to the wire. */
static void json_run(const struct live *lv, struct json_object *o)
{
	struct xc_snapshot start = { .mono_ns = lv->start_ns };
	struct json_object *avg = json_object_new_object();
	struct json_object *gro = json_object_new_array();
	struct xc_rates r;

	xc_snapshot_rates(&start, &lv->cur, &r);
	json_object_object_add(avg, "total", json_rate(&r.total));
	json_object_object_add(o, "average", avg);
	json_object_object_add(o, "direction", json_object_new_string("ingress"));
	for (int i = 0; i < lv->n_ifs; i++)
		if (lv->ifs[i].gro_aggregates)
			json_object_array_add(gro, json_object_new_string(lv->ifs[i].name));
	json_object_object_add(o, "gro_aggregates", gro);
}

struct json_object *live_json(const struct live *lv)
{
	struct json_object *o = xc_json_snapshot(&lv->cur, (size_t)lv->cli->top);
	char when[48];
	struct xc_rates r;

	if (!o)
		return NULL;
	json_top_extras(lv, o);
	json_run(lv, o);
	xc_snapshot_rates(&lv->prev, &lv->cur, &r);
	json_object_object_add(o, "interfaces", json_interfaces(lv));
	json_names(lv, o);
	json_object_object_add(o, "time", json_object_new_string(
		rfc3339(&lv->wall, when, sizeof(when))));
	json_object_object_add(o, "elapsed",
			       json_num((double)(lv->cur.mono_ns - lv->start_ns) / 1e9, 3));
	json_object_object_add(o, "interval", json_num(r.seconds, 6));
	json_object_object_add(o, "update", json_object_new_int64(lv->updates));
	json_object_object_add(o, "final", json_object_new_boolean(lv->final));
	json_object_object_add(o, "rates", json_rates(lv, &r));
	json_object_object_add(o, "drops", json_drops(lv));
	if (lv->cli->observe)
		json_observed(lv, o);
	return o;
}
