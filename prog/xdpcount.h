/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* xdpcount ABI: the types shared by the XDP program and user space. */
#ifndef XDPCOUNT_H
#define XDPCOUNT_H

#include <linux/types.h>

/* Network-layer classes: they partition `total`. */
enum xc_l3 {
	XC_L3_IPV4,
	XC_L3_IPV6,
	XC_L3_ARP,
	XC_L3_OTHER,
	XC_L3_MAX,
};

/* Transport classes: they partition the IP frames whose IP header parsed. */
enum xc_l4 {
	XC_L4_TCP,
	XC_L4_UDP,
	XC_L4_ICMP,
	XC_L4_ICMPV6,
	XC_L4_OTHER,
	XC_L4_MAX,
};

/* RMON frame-size buckets of RFC 2819, by upper bound; the last is open. */
#define XC_SIZE_BUCKETS 7
#define XC_SIZE_B0 64
#define XC_SIZE_B1 127
#define XC_SIZE_B2 255
#define XC_SIZE_B3 511
#define XC_SIZE_B4 1023
#define XC_SIZE_B5 1518
#define XC_SIZE_BOUNDS { XC_SIZE_B0, XC_SIZE_B1, XC_SIZE_B2, XC_SIZE_B3, XC_SIZE_B4, XC_SIZE_B5 }

/* Load-time features; each one can be switched off so the verifier drops it. */
enum xc_feature {
	XC_F_SIZES   = 1u << 0, /* frame-size histogram */
	XC_F_SOURCES = 1u << 1, /* per source address */
	XC_F_PORTS   = 1u << 2, /* per TCP/UDP destination port */
	XC_F_FLOWS   = 1u << 3, /* per 5-tuple */
	XC_F_IFACES  = 1u << 4, /* the core counters again, per ingress interface */
	XC_F_ALL     = (1u << 5) - 1,
	XC_F_TABLES  = XC_F_SOURCES | XC_F_PORTS | XC_F_FLOWS, /* the flow cache */
};

struct xc_pb {
	__u64 packets;
	__u64 bytes;
};

/*
 * The core counters as user space reports them: sums over the cells below.
 * (The observe-mode tracer counts in this form directly.)
 */
struct xc_counters {
	struct xc_pb total;
	struct xc_pb malformed;
	struct xc_pb vlan;
	struct xc_pb l3[XC_L3_MAX];
	struct xc_pb l4[XC_L4_MAX];
	struct xc_pb no_l4; /* frames not in l4: lets the program index l4 blindly */
	struct xc_pb sizes[XC_SIZE_BUCKETS];
};

/*
 * The core counters as the XDP program keeps them: one value of the `counters`
 * array holds disjoint cells, one per (class, size bucket), so a frame adds to
 * one cell, and user space sums the cells into struct xc_counters. A class is
 * (l3, l4, vlan): l4 XC_L4_MAX is "not in l4", and an IP frame there is a
 * malformed one. With sizes off every frame counts in bucket 0.
 */
#define XC_L4_CLASSES (XC_L4_MAX + 1)
#define XC_CLASSES (XC_L4_CLASSES * XC_L3_MAX * 2)
#define XC_CELLS (XC_CLASSES * XC_SIZE_BUCKETS)

static inline __u32 xc_class(__u32 l3, __u32 l4, __u32 vlan)
{
	return l4 + XC_L4_CLASSES * (l3 + XC_L3_MAX * vlan);
}

struct xc_cells {
	struct xc_pb cell[XC_CELLS]; /* [xc_class() * XC_SIZE_BUCKETS + bucket] */
};

/*
 * Per-interface counting costs no hash on the hot path: the library gives each
 * interface it attaches to (or test-runs on) a slot of the `counters` array and
 * writes it in xc_ifslot[ifindex]. Slot 0 counts every frame of an interface
 * without one, and every frame when XC_F_IFACES is off. Totals are the sum.
 */
#define XC_IFACE_SLOTS 64    /* interface slots, 1..XC_IFACE_SLOTS */
#define XC_IFINDEX_MAX 65536 /* ifindexes at or above it count in slot 0 */

/* An address of either family; IPv4 is stored v4-mapped (::ffff:a.b.c.d). */
struct xc_addr {
	union {
		__u8 a[16];
		__u32 w[4]; /* lets the program copy an address in four moves */
	};
};

/*
 * The key of a flow cache entry. Every frame counted in l4 lands in one entry:
 * its flow (XC_KEY_FLOW), or, when it has none (a cut TCP/UDP header, a
 * later fragment) or no table needs flows, its source alone (XC_KEY_SOURCE:
 * dst, ports and proto zero). A key is never all zeros, which an empty entry
 * is. No implicit padding: the program writes every byte, compares five words.
 */
enum xc_key_kind {
	XC_KEY_FLOW = 1,
	XC_KEY_SOURCE = 2,
};

struct xc_flow_key {
	struct xc_addr src;
	struct xc_addr dst;
	__u16 sport; /* host byte order */
	__u16 dport;
	__u8 proto;
	__u8 kind; /* enum xc_key_kind */
	__u8 pad[2];
};

/*
 * One entry of the per-CPU flow cache, and the record that exports it through
 * the ring buffer when it is evicted. first_seen/last_seen: jiffies here (a
 * clock read per packet costs, bpf_jiffies64 does not); CLOCK_MONOTONIC
 * nanoseconds in a snapshot. gen names this entry's life: the CPU in its top
 * bits, the CPU's insertion count below, so a snapshot can tell an entry it
 * read in the cache from the same entry's export. 0 while it is replaced.
 */
struct xc_flow_ent {
	__u64 gen;
	struct xc_flow_key key;
	__u64 packets;
	__u64 bytes;
	__u64 first_seen;
	__u64 last_seen;
};

#define XC_GEN_CPU_SHIFT 40
#define XC_CACHE_WAYS 4 /* ways of a set: conflict misses stay rare */

/* One value of the `cache` per-CPU array: a set, indexed by the key's hash. */
struct xc_flow_set {
	struct xc_flow_ent e[XC_CACHE_WAYS];
};

/* The cache's events on one CPU: the one value of the `cache_stats` array. */
struct xc_cache_stats {
	__u64 inserted;         /* entries created: the low bits of gen */
	__u64 exported;         /* entries evicted into the ring buffer */
	struct xc_pb unrecorded; /* frames not counted in any entry: the ring was full */
	/* When this CPU last created an entry, in jiffies and CLOCK_MONOTONIC. */
	__u64 clock_jiffies;
	__u64 clock_ns;
};

#endif /* XDPCOUNT_H */
