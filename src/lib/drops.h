/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Kernel drop reasons: a tracing program on skb:kfree_skb counts every packet
 * the stack drops after XDP, per reason and protocol class, for the
 * interfaces being counted. Reason names come from the running kernel's BTF.
 */
#ifndef XDPCOUNT_DROPS_H
#define XDPCOUNT_DROPS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "xdpcount_trace.h"

#define XC_REASON_NAME 48

struct xc_drops;

/*
 * Open and load the drop tracer. 0 or -errno: -EOPNOTSUPP when this kernel
 * cannot (no BTF, no reason argument: why says which), -EPERM without
 * CAP_BPF and CAP_PERFMON (or root).
 */
int xc_drops_open(struct xc_drops **out, char *why, size_t why_len);
/* Count drops of ifindex in the calling thread's network namespace. */
int xc_drops_watch(struct xc_drops *d, int ifindex);
int xc_drops_attach(struct xc_drops *d);
/* Stop counting; the counts stay readable. */
void xc_drops_detach(struct xc_drops *d);
void xc_drops_close(struct xc_drops *d);

/* One counter: a reason, a class, on one counted interface. */
struct xc_drop {
	__u32 ifindex;
	__u32 reason;
	__u8 l3; /* enum xc_l3 */
	__u8 l4; /* enum xc_l4, or XC_L4_MAX when not in l4 */
	struct xc_pb pb;
	char name[XC_REASON_NAME]; /* the reason as the kernel names it, prefix dropped */
};

struct xc_drop_snapshot {
	struct xc_drop *v; /* ordered by ifindex, reason, l3, l4 */
	size_t n;
	__u64 lost; /* drops that found no room in the table */
};

/* Read the counters, summing CPUs. Free with xc_drop_snapshot_free. */
int xc_drops_read(struct xc_drops *d, struct xc_drop_snapshot *s);
void xc_drop_snapshot_free(struct xc_drop_snapshot *s);

/* Packets and bytes, and their split by class. */
struct xc_class_split {
	struct xc_pb pb;
	struct xc_pb l3[XC_L3_MAX];
	struct xc_pb l4[XC_L4_MAX + 1]; /* l4[XC_L4_MAX]: not in l4 */
};

/* Count len bytes of class (l3, l4) once more in a split. */
void xc_split_add(struct xc_class_split *s, __u8 l3, __u8 l4, const struct xc_pb *pb);

/* One reason's drops on one interface. */
struct xc_drop_reason {
	__u32 reason;
	char name[XC_REASON_NAME];
	struct xc_class_split s;
};

/*
 * The reasons ifindex's packets were dropped for, most packets first (ties:
 * by reason). Fills up to max; returns how many there are in all.
 */
size_t xc_drop_reasons(const struct xc_drop_snapshot *snap, __u32 ifindex,
		       struct xc_drop_reason *out, size_t max);

/*
 * The name of a reason in the running kernel: "NO_SOCKET" for
 * SKB_DROP_REASON_NO_SOCKET, the subsystem and its code for subsystem
 * reasons ("OPENVSWITCH/3"), else "REASON_n".
 */
const char *xc_drop_reason_name(const struct xc_drops *d, __u32 reason, char *buf,
				size_t len);

/* The inode number of the calling thread's network namespace; 0 if unknown. */
__u32 xc_netns_inum(void);

#endif /* XDPCOUNT_DROPS_H */
