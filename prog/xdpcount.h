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
#define XC_SIZE_BOUNDS { 64, 127, 255, 511, 1023, 1518 }

/* Load-time features; each one can be switched off so the verifier drops it. */
enum xc_feature {
	XC_F_SIZES   = 1u << 0, /* frame-size histogram */
	XC_F_SOURCES = 1u << 1, /* per source address */
	XC_F_PORTS   = 1u << 2, /* per TCP/UDP destination port */
	XC_F_FLOWS   = 1u << 3, /* per 5-tuple */
	XC_F_IFACES  = 1u << 4, /* the core counters again, per ingress interface */
	XC_F_ALL     = (1u << 5) - 1,
};

struct xc_pb {
	__u64 packets;
	__u64 bytes;
};

/* The core counters: one value of the `counters` and `ifaces` maps. */
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
 * One slot of the `counters` array. Per-interface counting costs no hash on
 * the hot path: interface i counts in slot i % XC_IFACE_SLOTS, and each CPU's
 * copy of a slot records which interface owns it. A frame whose slot another
 * interface owns counts in the `ifaces` hash instead; if that is full, in the
 * last slot, which no interface owns. Totals are the sum of everything.
 */
#define XC_IFACE_SLOTS 64
#define XC_SLOT_UNOWNED XC_IFACE_SLOTS

struct xc_slot {
	struct xc_counters c; /* first: &slot->c needs no arithmetic before a NULL check */
	__u32 ifindex;        /* owner on this CPU; 0: none yet, or the unowned slot */
	__u32 pad;
};

/* An address of either family; IPv4 is stored v4-mapped (::ffff:a.b.c.d). */
struct xc_addr {
	union {
		__u8 a[16];
		__u32 w[4]; /* lets the program copy an address in four moves */
	};
};

/* Destination-port table: an array indexed by proto slot * 65536 + port. */
enum xc_port_proto {
	XC_PORT_TCP,
	XC_PORT_UDP,
	XC_PORT_PROTOS,
};
#define XC_PORT_ENTRIES (XC_PORT_PROTOS * 65536)
/*
 * One bit per port entry, set the first time a CPU counts in it: a snapshot
 * then reads the few ports in use, not 131072 entries times every CPU.
 */
#define XC_PORT_WORDS (XC_PORT_ENTRIES / 64)

/* No implicit padding: every byte of a key is written by the program. */
struct xc_flow_key {
	struct xc_addr src;
	struct xc_addr dst;
	__u16 sport; /* host byte order */
	__u16 dport;
	__u8 proto;
	__u8 pad[3];
};

/*
 * first_seen/last_seen: jiffies in the map (bpf_jiffies64 is inlined, a clock
 * read per packet is not); CLOCK_MONOTONIC nanoseconds in a snapshot.
 */
struct xc_flow_val {
	__u64 packets;
	__u64 bytes;
	__u64 first_seen;
	__u64 last_seen;
};

/* Per-table bookkeeping, one row per LRU table in the `tables` array. */
enum xc_table_id {
	XC_TAB_SOURCES,
	XC_TAB_FLOWS,
	XC_TAB_IFACES,
	XC_TAB_MAX,
};

struct xc_table_stats {
	__u64 inserted; /* keys this program created */
	__u64 failed;   /* keys it could not record */
	/* Flows: when this CPU last inserted one, in jiffies and CLOCK_MONOTONIC. */
	__u64 clock_jiffies;
	__u64 clock_ns;
};

#endif /* XDPCOUNT_H */
