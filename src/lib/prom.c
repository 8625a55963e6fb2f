// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The Prometheus text exposition (format 0.0.4) of a snapshot. */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include "prom.h"

#define PROM_NAME_LEN (IF_NAMESIZE + 16)

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value: backslash, double quote and newline escaped. */
static void label(FILE *f, const char *key, const char *val, bool more)
{
	fprintf(f, "%s=\"", key);
	for (const char *p = val; *p; p++) {
		if (*p == '\\' || *p == '"')
			fputc('\\', f);
		if (*p == '\n')
			fputs("\\n", f);
		else
			fputc(*p, f);
	}
	fputs(more ? "\"," : "\"", f);
}

static void sample_iface(FILE *f, const char *name, const char *iface,
			 const char *class, __u64 v)
{
	fprintf(f, "%s{", name);
	label(f, "interface", iface, class != NULL);
	if (class)
		label(f, "class", class, false);
	fprintf(f, "} %llu\n", (unsigned long long)v);
}

static const struct xc_counters zero_counters;

static const struct xc_counters *row_counters(const struct xc_view_iface *r)
{
	return r->c ? r->c : &zero_counters;
}

/* One family per unit: packets or bytes of one class set, for every row. */
enum prom_unit { PROM_PACKETS, PROM_BYTES };

static __u64 pb_unit(const struct xc_pb *pb, enum prom_unit u)
{
	return u == PROM_PACKETS ? pb->packets : pb->bytes;
}

/* A set of core counters: its name in the metric, and what its frames are. */
struct core_set {
	const char *what; /* "" for every frame */
	const char *help;
};

static const struct xc_pb *core_pb(const struct xc_counters *c, const char *what, int k)
{
	if (!strcmp(what, "l3"))
		return &c->l3[k];
	if (!strcmp(what, "l4"))
		return &c->l4[k];
	if (!strcmp(what, "malformed"))
		return &c->malformed;
	return !strcmp(what, "vlan") ? &c->vlan : &c->total;
}

static void core_family(FILE *f, const struct xc_view_iface *rows, size_t n,
			const struct core_set *set, enum prom_unit u)
{
	static const char *const unit_names[] = { "packets", "bytes" };
	const char *what = set->what;
	int classes = !strcmp(what, "l3") ? XC_L3_MAX : !strcmp(what, "l4") ? XC_L4_MAX : 0;
	char name[64], help[160];

	snprintf(name, sizeof(name), "xdpcount_%s%s%s_total", what, *what ? "_" : "",
		 unit_names[u]);
	snprintf(help, sizeof(help), "%s %s.", u == PROM_PACKETS ? "Frames:" : "Bytes of frames:",
		 set->help);
	family(f, name, "counter", help);
	for (size_t i = 0; i < n; i++) {
		const struct xc_counters *c = row_counters(&rows[i]);

		if (!classes)
			sample_iface(f, name, rows[i].name, NULL, pb_unit(core_pb(c, what, 0), u));
		for (int k = 0; k < classes; k++)
			sample_iface(f, name, rows[i].name, classes == XC_L3_MAX ?
				     xc_l3_names[k] : xc_l4_names[k], pb_unit(core_pb(c, what, k), u));
	}
}

static void size_histogram(FILE *f, const struct xc_view_iface *rows, size_t n)
{
	const char *name = "xdpcount_frame_size_bytes";

	family(f, name, "histogram", "Frame sizes in the RMON buckets of RFC 2819.");
	for (size_t i = 0; i < n; i++) {
		const struct xc_counters *c = row_counters(&rows[i]);
		__u64 cum = 0, sum = 0;
		char le[16];

		for (int b = 0; b < XC_SIZE_BUCKETS; b++) {
			cum += c->sizes[b].packets;
			sum += c->sizes[b].bytes;
			if (b < XC_SIZE_BUCKETS - 1)
				snprintf(le, sizeof(le), "%d", xc_size_bounds[b]);
			else
				snprintf(le, sizeof(le), "+Inf");
			fprintf(f, "%s_bucket{", name);
			label(f, "interface", rows[i].name, true);
			label(f, "le", le, false);
			fprintf(f, "} %llu\n", (unsigned long long)cum);
		}
		fprintf(f, "%s_sum{", name);
		label(f, "interface", rows[i].name, false);
		fprintf(f, "} %llu\n", (unsigned long long)sum);
		fprintf(f, "%s_count{", name);
		label(f, "interface", rows[i].name, false);
		fprintf(f, "} %llu\n", (unsigned long long)cum);
	}
}

static void kernel_family(FILE *f, const struct xc_view_iface *rows, size_t n,
			  const char *stat, size_t off, const char *help)
{
	char name[64];

	snprintf(name, sizeof(name), "xdpcount_%s_total", stat);
	family(f, name, "counter", help);
	for (size_t i = 0; i < n; i++) {
		if (rows[i].has_kernel)
			sample_iface(f, name, rows[i].name, NULL,
				     *(const __u64 *)((const char *)&rows[i].kernel + off));
	}
}

static void kernel_families(FILE *f, const struct xc_view_iface *rows, size_t n)
{
	bool any = false;

	for (size_t i = 0; i < n; i++)
		any |= rows[i].has_kernel;
	if (!any)
		return;
	kernel_family(f, rows, n, "rx_dropped", offsetof(struct xc_ifstats, rx_dropped),
		      "The kernel's rx_dropped of the interface since counting began.");
	kernel_family(f, rows, n, "rx_missed_errors",
		      offsetof(struct xc_ifstats, rx_missed_errors),
		      "The kernel's rx_missed_errors of the interface since counting began.");
	kernel_family(f, rows, n, "rx_errors", offsetof(struct xc_ifstats, rx_errors),
		      "The kernel's rx_errors of the interface since counting began.");
}

static void attached_family(FILE *f, const struct xc_view_iface *rows, size_t n)
{
	const char *name = "xdpcount_attached";
	bool any = false;

	for (size_t i = 0; i < n; i++)
		any |= rows[i].mode != NULL;
	if (!any)
		return;
	family(f, name, "gauge", "1 while the program is attached to the interface, 0 once it is gone.");
	for (size_t i = 0; i < n; i++) {
		if (!rows[i].mode)
			continue;
		fprintf(f, "%s{", name);
		label(f, "interface", rows[i].name, true);
		label(f, "mode", rows[i].mode, false);
		fprintf(f, "} %d\n", rows[i].lost ? 0 : 1);
	}
}

static void top_sources(FILE *f, const struct xc_snapshot *s, size_t *idx, size_t top)
{
	static const char *const names[] = { "xdpcount_source_packets_total",
					     "xdpcount_source_bytes_total" };
	size_t n = xc_top_sources(s, top, idx);
	char a[64];

	for (int u = PROM_PACKETS; u <= PROM_BYTES; u++) {
		family(f, names[u], "counter", u == PROM_PACKETS ?
		       "Frames from the source address (the top sources by packets)." :
		       "Bytes from the source address (the top sources by packets).");
		for (size_t i = 0; i < n; i++) {
			const struct xc_source *e = &s->sources[idx[i]];

			fprintf(f, "%s{", names[u]);
			label(f, "address", xc_addr_str(&e->addr, a, sizeof(a)), false);
			fprintf(f, "} %llu\n", (unsigned long long)pb_unit(&e->pb, u));
		}
	}
}

static void top_ports(FILE *f, const struct xc_snapshot *s, size_t *idx, size_t top)
{
	static const char *const names[] = { "xdpcount_dst_port_packets_total",
					     "xdpcount_dst_port_bytes_total" };
	size_t n = xc_top_ports(s, top, idx);
	char p[8], port[8];

	for (int u = PROM_PACKETS; u <= PROM_BYTES; u++) {
		family(f, names[u], "counter", u == PROM_PACKETS ?
		       "TCP/UDP frames to the destination port (the top ports by packets)." :
		       "Bytes of TCP/UDP frames to the destination port (the top ports by packets).");
		for (size_t i = 0; i < n; i++) {
			const struct xc_port *e = &s->ports[idx[i]];

			snprintf(port, sizeof(port), "%u", e->port);
			fprintf(f, "%s{", names[u]);
			label(f, "proto", xc_proto_str(e->proto, p, sizeof(p)), true);
			label(f, "port", port, false);
			fprintf(f, "} %llu\n", (unsigned long long)pb_unit(&e->pb, u));
		}
	}
}

static void table_family(FILE *f, const struct xc_snapshot *s, const char *stat,
			 const char *type, size_t off, const char *help)
{
	char name[64];

	snprintf(name, sizeof(name), "xdpcount_table_%s%s", stat,
		 strcmp(type, "counter") ? "" : "_total");
	family(f, name, type, help);
	for (int t = 0; t < XC_TAB_MAX; t++) {
		fprintf(f, "%s{", name);
		label(f, "table", xc_table_names[t], false);
		fprintf(f, "} %llu\n", (unsigned long long)
			*(const __u64 *)((const char *)&s->tables[t] + off));
	}
}

static void table_families(FILE *f, const struct xc_snapshot *s)
{
	table_family(f, s, "entries", "gauge", offsetof(struct xc_table, entries),
		     "Rows in the table now (the cache: live entries of every CPU).");
	table_family(f, s, "capacity", "gauge", offsetof(struct xc_table, capacity),
		     "Rows the table can hold.");
	table_family(f, s, "inserted", "counter", offsetof(struct xc_table, inserted),
		     "Entries the program created in the flow cache.");
	table_family(f, s, "exported", "counter", offsetof(struct xc_table, exported),
		     "Flow cache entries evicted to user space through the ring buffer.");
	table_family(f, s, "unrecorded_packets", "counter",
		     offsetof(struct xc_table, unrecorded.packets),
		     "Frames in no row: the export ring was full (cache), no slot (interfaces).");
	table_family(f, s, "unrecorded_bytes", "counter",
		     offsetof(struct xc_table, unrecorded.bytes),
		     "Bytes of the unrecorded frames.");
	table_family(f, s, "folded_packets", "counter",
		     offsetof(struct xc_table, folded.packets),
		     "Frames counted in a coarser row: flows in their source's, sources in other.");
	table_family(f, s, "folded_bytes", "counter", offsetof(struct xc_table, folded.bytes),
		     "Bytes of the folded frames.");
}

/* Without a list: every interface of the snapshot, or "all" when it has none. */
static struct xc_view_iface *snapshot_rows(const struct xc_snapshot *s, size_t *n,
					   char (*names)[PROM_NAME_LEN])
{
	size_t count = s->n_ifaces ? s->n_ifaces : 1;
	struct xc_view_iface *rows = calloc(count, sizeof(*rows));

	if (!rows)
		return NULL;
	if (!s->n_ifaces) {
		rows[0].name = "all";
		rows[0].c = &s->total;
	}
	for (size_t i = 0; i < s->n_ifaces; i++) {
		rows[i].name = xc_ifname(s->ifaces[i].ifindex, names[i], PROM_NAME_LEN);
		rows[i].ifindex = s->ifaces[i].ifindex;
		rows[i].c = &s->ifaces[i].c;
	}
	*n = count;
	return rows;
}

static void core_families(FILE *f, const struct xc_view_iface *rows, size_t n)
{
	static const struct core_set sets[] = {
		{ "", "every frame the XDP program saw" },
		{ "l3", "by network-layer class (EtherType after up to two VLAN tags)" },
		{ "l4", "IP frames whose header parsed, by transport protocol" },
		{ "malformed", "IP frames whose IP header or extension chain is invalid" },
		{ "vlan", "frames with a VLAN tag" },
	};

	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		core_family(f, rows, n, &sets[i], PROM_PACKETS);
		core_family(f, rows, n, &sets[i], PROM_BYTES);
	}
	size_histogram(f, rows, n);
}

/* Kernel drop reasons per traced interface: packets and bytes. */
static void drop_families(FILE *f, const struct xc_view_iface *rows, size_t n)
{
	static const char *const names[] = { "xdpcount_kernel_drops_total",
					     "xdpcount_kernel_drop_bytes_total" };
	static const char *const helps[] = {
		"Packets the kernel dropped after XDP, by drop reason.",
		"Bytes of the packets the kernel dropped after XDP, by drop reason.",
	};

	for (int u = 0; u < 2; u++) {
		family(f, names[u], "counter", helps[u]);
		for (size_t i = 0; i < n; i++) {
			for (size_t k = 0; rows[i].reasons && k < rows[i].n_reasons; k++) {
				const struct xc_drop_reason *r = &rows[i].reasons[k];

				fprintf(f, "%s{", names[u]);
				label(f, "interface", rows[i].name, true);
				label(f, "reason", r->name, false);
				fprintf(f, "} %llu\n", (unsigned long long)pb_unit(&r->s.pb,
						(enum prom_unit)u));
			}
		}
	}
}

/* An observed program's verdicts, by action and the frame's classes. */
static void verdict_family(FILE *f, const struct xc_view_iface *rows, size_t n,
			   enum prom_unit u)
{
	const char *name = u == PROM_PACKETS ? "xdpcount_xdp_verdicts_total" :
					       "xdpcount_xdp_verdict_bytes_total";

	family(f, name, "counter", u == PROM_PACKETS ?
	       "Frames the observed XDP program returned each action for, by class." :
	       "Bytes of the frames the observed XDP program returned each action for.");
	for (size_t i = 0; i < n; i++) {
		const struct xc_observe_stats *st = rows[i].observed;

		for (int v = 0; st && v < XC_V_MAX; v++) {
			for (int l3 = 0; l3 < XC_L3_MAX; l3++) {
				for (int l4 = 0; l4 <= XC_L4_MAX; l4++) {
					const struct xc_pb *pb = &st->verdicts[v][l3][l4];

					if (!pb->packets)
						continue;
					fprintf(f, "%s{", name);
					label(f, "interface", rows[i].name, true);
					label(f, "action", xc_verdict_names[v], true);
					label(f, "l3", xc_l3_names[l3], true);
					label(f, "l4", l4 < XC_L4_MAX ? xc_l4_names[l4] : "none",
					      false);
					fprintf(f, "} %llu\n", (unsigned long long)pb_unit(pb, u));
				}
			}
		}
	}
}

int xc_prom_snapshot(FILE *f, const struct xc_snapshot *s,
		     const struct xc_view_iface *ifs, size_t n_ifs, size_t top)
{
	char (*names)[PROM_NAME_LEN] = calloc(s->n_ifaces + 1, PROM_NAME_LEN);
	struct xc_view_iface *own = NULL;
	size_t *idx = calloc(top ? top : 1, sizeof(*idx));
	int err = 0;

	if (!n_ifs && names)
		ifs = own = snapshot_rows(s, &n_ifs, names);
	if (!names || !idx || !ifs) {
		err = -ENOMEM;
		goto out;
	}
	core_families(f, ifs, n_ifs);
	kernel_families(f, ifs, n_ifs);
	drop_families(f, ifs, n_ifs);
	verdict_family(f, ifs, n_ifs, PROM_PACKETS);
	verdict_family(f, ifs, n_ifs, PROM_BYTES);
	attached_family(f, ifs, n_ifs);
	top_sources(f, s, idx, top);
	top_ports(f, s, idx, top);
	table_families(f, s);
	if (fflush(f) || ferror(f))
		err = -EIO;
out:
	free(own);
	free(names);
	free(idx);
	return err;
}
