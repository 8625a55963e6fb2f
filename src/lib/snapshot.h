/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Snapshots: every map read whole, CPUs summed; top-N and address formatting. */
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

struct xc_flow {
	struct xc_flow_key key;
	struct xc_flow_val val; /* first/last_seen: CLOCK_MONOTONIC ns, within a tick */
};

struct xc_iface {
	__u32 ifindex;
	struct xc_counters c;
};

struct xc_table {
	__u64 entries;  /* keys in the table now */
	__u64 capacity; /* max_entries */
	__u64 inserted; /* keys the program created */
	__u64 failed;   /* keys it could not record */
	__u64 evicted;  /* inserted - entries: pushed out by LRU */
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
	struct xc_table tables[XC_TAB_MAX];
	bool batch; /* read with batch operations */
	__u32 features; /* what the program counted (enum xc_feature): off is not zero */
};

/* Read every map, summing CPUs. Free with xc_snapshot_free. */
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

/*
 * Top-N by packets (ties: bytes, then key), by partial selection. Fills idx
 * with up to n indexes into the snapshot's array, best first; returns count.
 */
size_t xc_top_sources(const struct xc_snapshot *s, size_t n, size_t *idx);
size_t xc_top_ports(const struct xc_snapshot *s, size_t n, size_t *idx);
size_t xc_top_flows(const struct xc_snapshot *s, size_t n, size_t *idx);

/* inet_ntop of a stored address (v4-mapped prints as IPv4). */
const char *xc_addr_str(const struct xc_addr *a, char *buf, size_t len);
/* "tcp", "udp", "icmp", "icmpv6" or the number. */
const char *xc_proto_str(__u8 proto, char *buf, size_t len);

extern const char *const xc_l3_names[XC_L3_MAX];
extern const char *const xc_l4_names[XC_L4_MAX];
extern const int xc_size_bounds[XC_SIZE_BUCKETS - 1];

#endif /* XDPCOUNT_SNAPSHOT_H */
