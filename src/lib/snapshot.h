/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Snapshots: the core counters summed over CPUs and interfaces; sources, ports
 * and flows from the flow cache's live entries and the rows of its exports,
 * reconciled so a snapshot never counts an entry twice nor goes backwards.
 * Top-N (top.c) and names and formatting (names.c).
 */
#ifndef XDPCOUNT_SNAPSHOT_H
#define XDPCOUNT_SNAPSHOT_H

#include "counter.h"

struct xc_source {
	struct xc_addr addr;
	struct xc_pb pb;
};

struct xc_port {
	__u8 proto; /* IPPROTO_TCP or IPPROTO_UDP */
	__u16 port;
	struct xc_pb pb;
};

/* A flow's counts; times in jiffies in the library's rows. */
struct xc_flow_val {
	__u64 packets;
	__u64 bytes;
	__u64 first_seen;
	__u64 last_seen;
};

struct xc_flow {
	struct xc_flow_key key;
	struct xc_flow_val val; /* first/last_seen: CLOCK_MONOTONIC ns, within a tick */
};

struct xc_iface {
	__u32 ifindex;
	struct xc_counters c;
};

/* The rows of a snapshot's `tables`. */
enum xc_table_id {
	XC_TAB_SOURCES,  /* user-space source rows */
	XC_TAB_FLOWS,    /* user-space flow rows */
	XC_TAB_IFACES,   /* interface slots */
	XC_TAB_CACHE,    /* the program's per-CPU flow cache */
	XC_TAB_MAX,
};

struct xc_table {
	__u64 entries;  /* rows (sources, flows: in the snapshot), live entries (cache) */
	__u64 capacity; /* most rows; the cache: entries per CPU times CPUs */
	__u64 inserted; /* cache: entries the program created */
	__u64 exported; /* cache: entries evicted into the ring buffer for user space */
	/*
	 * cache: frames in no entry, because the ring was full; interfaces: frames
	 * of an interface that has no slot (counted in the totals only).
	 */
	struct xc_pb unrecorded;
	/* flows: flows counted in their source's row; sources: in `other`. */
	struct xc_pb folded;
};

struct xc_snapshot {
	__u64 mono_ns; /* CLOCK_MONOTONIC when the snapshot was taken */
	struct xc_counters total;
	struct xc_iface *ifaces;
	size_t n_ifaces;
	struct xc_source *sources;
	size_t n_sources;
	struct xc_port *ports; /* only ports that saw packets */
	size_t n_ports;
	struct xc_flow *flows;
	size_t n_flows;
	struct xc_pb other; /* l4 frames in no source row: the source rows were full */
	struct xc_table tables[XC_TAB_MAX];
	bool batch; /* read with batch operations */
	__u32 features; /* what the program counted (enum xc_feature): off is not zero */
};

/*
 * Read the counters and the cache, drain the exports, sum the CPUs. Every
 * frame counted in l4 is in the cache's unrecorded frames or in exactly one
 * row: a flow, a source (its own row when it has no flow or the flow rows
 * were full) or `other`. Free with xc_snapshot_free.
 */
int xc_counter_snapshot(struct xc_counter *xc, struct xc_snapshot *snap);
void xc_snapshot_free(struct xc_snapshot *snap);
/* Only the core counters summed over CPUs and interfaces: the cheap part. */
int xc_counter_totals(struct xc_counter *xc, struct xc_counters *total);
/*
 * The same per CPU, not summed: cpus gets libbpf_num_possible_cpus() entries.
 * Shows how the load spread; their sum is the total.
 */
int xc_counter_cpu_totals(struct xc_counter *xc, struct xc_counters *cpus);

/* Sum two counter sets: dst += src. */
void xc_counters_add(struct xc_counters *dst, const struct xc_counters *src);

#include "top.h"
#include "names.h"

#endif /* XDPCOUNT_SNAPSHOT_H */
