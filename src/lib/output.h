/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Views of a snapshot: JSON (json-c), plain text, Prometheus exposition. */
#ifndef XDPCOUNT_OUTPUT_H
#define XDPCOUNT_OUTPUT_H

#include <stdio.h>
#include <json-c/json.h>
#include "snapshot.h"
#include "ifstats.h"
#include "drops.h"
#include "observe.h"

/* The core keys: total, malformed, vlan, l3, l4, sizes. */
struct json_object *xc_json_counters(const struct xc_counters *c);

/* Core keys of the total, then top_src, top_dst_ports, flows, interfaces. */
struct json_object *xc_json_snapshot(const struct xc_snapshot *s, size_t top);

/*
 * A row of `tables`: entries, capacity, inserted, exported, unrecorded,
 * folded; and every row keyed by its name.
 */
struct json_object *xc_json_table(const struct xc_table *t);
struct json_object *xc_json_tables(const struct xc_snapshot *s);

/* The interface's name, or its index as text when it has none here. */
const char *xc_ifname(__u32 ifindex, char *buf, size_t len);

/* Human-readable numbers with decimal prefixes: 1.2k, 3.4M; bytes: 1.2 kB. */
const char *xc_human(double v, char *buf, size_t len);
const char *xc_human_bytes(double v, char *buf, size_t len);
/* A count with its thousands grouped: 1,234,567. */
const char *xc_group(__u64 v, char *buf, size_t len);
/* ADDR:PORT, [ADDR]:PORT for IPv6, the bare address when the protocol has no ports. */
const char *xc_endpoint_str(const struct xc_addr *addr, __u16 port, __u8 proto,
			    char *buf, size_t len);
/* A class's name in a list of both layers: "other l3", "other l4", else its own. */
const char *xc_class_label(bool l3, int i);

/* The readable tables: totals, classes, sizes, top sources/ports/flows. */
void xc_text_snapshot(FILE *f, const struct xc_snapshot *s, size_t top);

/* A counted interface as the live views and the exposition show it. */
struct xc_view_iface {
	const char *name;
	__u32 ifindex;
	const struct xc_counters *c; /* its counters; NULL: none yet (zero) */
	const char *mode;            /* attach mode; NULL: not attached by us */
	bool lost;                   /* it disappeared while counting */
	bool has_kernel;
	struct xc_ifstats kernel;    /* the kernel's counters since counting began */
	const struct xc_drop_reason *reasons; /* kernel drop reasons; NULL: not traced */
	size_t n_reasons;
	const struct xc_observe_stats *observed; /* observe mode: inputs and verdicts */
};

/* {"packets", "bytes", "l3": {...}, "l4": {...}}: a count and its split by class. */
struct json_object *xc_json_split(const struct xc_class_split *s);
/* {"NO_SOCKET": split, ...}: one interface's drop reasons. */
struct json_object *xc_json_drop_reasons(const struct xc_drop_reason *r, size_t n);
/* {"pass": split, "drop": split, ...}: an observed program's verdicts. */
struct json_object *xc_json_verdicts(const struct xc_observe_stats *st);

#endif /* XDPCOUNT_OUTPUT_H */
