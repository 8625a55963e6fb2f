// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The top lists of the readable view: sources, destination ports and flows,
 * each entry with its counts and its current rate, in the order chosen (-o,
 * the 'o' key). Numbers come first so a narrow terminal cuts only the tail
 * of a long address; the title heads the label column.
 */
#include <stdlib.h>
#include <string.h>
#include "view.h"

/* Wide enough for a flow's age and idle time besides the four numbers. */
#define FLOW_TIMES_WIDTH 100

/* The entries to show, best first, by the frame's order: their count. */
static size_t ranked(const struct frame *fr, size_t count, const struct xc_rate *rates,
		     const void *base, size_t size, size_t pb_off,
		     size_t (*by_packets)(const struct xc_snapshot *, size_t, size_t *),
		     size_t n, size_t *idx)
{
	enum xc_order o = fr->lv->order;
	double *v;

	if (o == XC_ORDER_PACKETS || !rates)
		return by_packets(&fr->lv->cur, n, idx);
	v = malloc((count ? count : 1) * sizeof(*v));
	if (!v)
		return 0;
	for (size_t i = 0; i < count; i++) {
		const struct xc_pb *pb = (const void *)((const char *)base + i * size + pb_off);

		v[i] = o == XC_ORDER_BYTES ? (double)pb->bytes :
		       o == XC_ORDER_PPS ? rates[i].pps : rates[i].bps;
	}
	n = xc_top_by_value(v, count, n, idx);
	free(v);
	return n;
}

/* The terminal's footer names the order; plain text says it in each heading. */
static void heading(struct lines *out, const struct frame *fr, const char *title,
		    bool times)
{
	char by[32] = "";

	if (!fr->height)
		snprintf(by, sizeof(by), ", by %s", xc_order_names[fr->lv->order]);
	if (times)
		lines_add(out, "%11s %8s %8s %8s %8s %8s  %s%s", "packets", "bytes", "pps",
			  rate_label(fr), "age", "idle", title, by);
	else
		lines_add(out, "%11s %8s %8s %8s  %s%s", "packets", "bytes", "pps",
			  rate_label(fr), title, by);
}

static void entry(struct lines *out, const struct frame *fr, const struct xc_pb *pb,
		  const struct xc_rate *r, const char *label)
{
	struct cells c;

	fill_cells(fr, &c, pb, r);
	lines_add(out, "%11s %8s %8s %8s  %s", c.pk, c.by, c.pps, c.rate, label);
}

static bool off(struct lines *out, const struct frame *fr, __u32 f, const char *what,
		const char *option)
{
	if (feature_on(fr->lv, f))
		return false;
	lines_add(out, "%s: off (%s)", what, option);
	return true;
}

static void top_sources(struct lines *out, const struct frame *fr, size_t *idx, size_t n)
{
	const struct xc_snapshot *s = &fr->lv->cur;
	char a[64], title[64];

	if (off(out, fr, XC_F_SOURCES, "top sources", "--no-sources"))
		return;
	n = ranked(fr, s->n_sources, fr->er.sources, s->sources, sizeof(*s->sources),
		   offsetof(struct xc_source, pb), xc_top_sources, n, idx);
	snprintf(title, sizeof(title), "top sources (%zu seen)", s->n_sources);
	heading(out, fr, title, false);
	for (size_t i = 0; i < n; i++)
		entry(out, fr, &s->sources[idx[i]].pb,
		      fr->er.sources ? &fr->er.sources[idx[i]] : &(struct xc_rate){ 0, 0 },
		      xc_addr_str(&s->sources[idx[i]].addr, a, sizeof(a)));
}

static void top_ports(struct lines *out, const struct frame *fr, size_t *idx, size_t n)
{
	const struct xc_snapshot *s = &fr->lv->cur;
	char p[8], label[32], title[64];

	if (off(out, fr, XC_F_PORTS, "top destination ports", "--no-ports"))
		return;
	n = ranked(fr, s->n_ports, fr->er.ports, s->ports, sizeof(*s->ports),
		   offsetof(struct xc_port, pb), xc_top_ports, n, idx);
	snprintf(title, sizeof(title), "top destination ports (%zu seen)", s->n_ports);
	heading(out, fr, title, false);
	for (size_t i = 0; i < n; i++) {
		const struct xc_port *e = &s->ports[idx[i]];

		snprintf(label, sizeof(label), "%-6s %u", xc_proto_str(e->proto, p, sizeof(p)),
			 e->port);
		entry(out, fr, &e->pb, fr->er.ports ? &fr->er.ports[idx[i]] :
		      &(struct xc_rate){ 0, 0 }, label);
	}
}

/* Seconds as 12s, 3m04s or 2h05m: a flow's age or idle time. */
static const char *span(__u64 now, __u64 then, char *buf, size_t len)
{
	__u64 s = now > then ? (now - then) / 1000000000ull : 0;

	if (s < 60)
		snprintf(buf, len, "%llus", (unsigned long long)s);
	else if (s < 3600)
		snprintf(buf, len, "%llum%02llus", (unsigned long long)(s / 60),
			 (unsigned long long)(s % 60));
	else
		snprintf(buf, len, "%lluh%02llum", (unsigned long long)(s / 3600),
			 (unsigned long long)(s / 60 % 60));
	return buf;
}

static void flow_row(struct lines *out, const struct frame *fr, const struct xc_flow *e,
		     const struct xc_rate *r, bool times)
{
	char p[8], sa[80], da[80], age[16], idle[16];
	struct xc_pb pb = { e->val.packets, e->val.bytes };
	__u64 now = fr->lv->cur.mono_ns;
	struct cells c;

	fill_cells(fr, &c, &pb, r);
	xc_endpoint_str(&e->key.src, e->key.sport, e->key.proto, sa, sizeof(sa));
	xc_endpoint_str(&e->key.dst, e->key.dport, e->key.proto, da, sizeof(da));
	if (times)
		lines_add(out, "%11s %8s %8s %8s %8s %8s  %-6s %s -> %s", c.pk, c.by, c.pps,
			  c.rate, span(now, e->val.first_seen, age, sizeof(age)),
			  span(now, e->val.last_seen, idle, sizeof(idle)),
			  xc_proto_str(e->key.proto, p, sizeof(p)), sa, da);
	else
		lines_add(out, "%11s %8s %8s %8s  %-6s %s -> %s", c.pk, c.by, c.pps, c.rate,
			  xc_proto_str(e->key.proto, p, sizeof(p)), sa, da);
}

static void top_flows(struct lines *out, const struct frame *fr, size_t *idx, size_t n)
{
	const struct xc_snapshot *s = &fr->lv->cur;
	const struct xc_table *t = &s->tables[XC_TAB_FLOWS];
	bool times = !fr->width || fr->width >= FLOW_TIMES_WIDTH;
	char title[96];

	if (off(out, fr, XC_F_FLOWS, "top flows", "--no-flows"))
		return;
	n = ranked(fr, s->n_flows, fr->er.flows, s->flows, sizeof(*s->flows),
		   offsetof(struct xc_flow, val), xc_top_flows, n, idx);
	snprintf(title, sizeof(title), "top flows (%zu seen, %llu folded)", s->n_flows,
		 (unsigned long long)t->folded.packets);
	heading(out, fr, title, times);
	for (size_t i = 0; i < n; i++)
		flow_row(out, fr, &s->flows[idx[i]], fr->er.flows ? &fr->er.flows[idx[i]] :
			 &(struct xc_rate){ 0, 0 }, times);
}

static void gap(struct lines *out, const struct frame *fr)
{
	if (!fr->compact)
		lines_add(out, "%s", "");
}

/* How many entries each list has to show: none when its feature is off. */
static void list_sizes(const struct frame *fr, size_t n[TOP_LISTS])
{
	const struct xc_snapshot *s = &fr->lv->cur;

	n[0] = feature_on(fr->lv, XC_F_SOURCES) ? s->n_sources : 0;
	n[1] = feature_on(fr->lv, XC_F_PORTS) ? s->n_ports : 0;
	n[2] = feature_on(fr->lv, XC_F_FLOWS) ? s->n_flows : 0;
}

bool top_rows(const struct frame *fr, long budget, size_t rows[TOP_LISTS])
{
	size_t n[TOP_LISTS], top = (size_t)fr->lv->cli->top, want = top < 3 ? top : 3;
	bool grew = true;

	list_sizes(fr, n);
	for (int i = 0; i < TOP_LISTS; i++)
		rows[i] = 0;
	/* One row at a time to each list that has more, until the rows run out. */
	while (grew && budget > 0) {
		grew = false;
		for (int i = 0; i < TOP_LISTS && budget > 0; i++) {
			if (rows[i] < n[i] && rows[i] < top) {
				rows[i]++;
				budget--;
				grew = true;
			}
		}
	}
	for (int i = 0; i < TOP_LISTS; i++)
		if (rows[i] < (n[i] < want ? n[i] : want))
			return false;
	return true;
}

void top_lists(struct lines *out, const struct frame *fr, const size_t rows[TOP_LISTS])
{
	size_t max = rows[0] > rows[1] ? rows[0] : rows[1];
	size_t *idx;

	max = max > rows[2] ? max : rows[2];
	idx = calloc(max ? max : 1, sizeof(*idx));
	if (!idx)
		return;
	gap(out, fr);
	top_sources(out, fr, idx, rows[0]);
	gap(out, fr);
	top_ports(out, fr, idx, rows[1]);
	gap(out, fr);
	top_flows(out, fr, idx, rows[2]);
	free(idx);
}
