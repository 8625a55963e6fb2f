/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The kernel's own receive counters of an interface, read over rtnetlink. */
#ifndef XDPCOUNT_IFSTATS_H
#define XDPCOUNT_IFSTATS_H

#include <stdbool.h>
#include <linux/types.h>

struct xc_ifstats {
	__u64 rx_packets;
	__u64 rx_bytes;
	__u64 rx_dropped;       /* dropped by the stack or the driver */
	__u64 rx_missed_errors; /* the NIC ran out of buffers */
	__u64 rx_errors;        /* bad frames */
};

/*
 * The counters of ifindex in the calling thread's network namespace.
 * Returns 0, -ENODEV when there is no such interface, or another -errno.
 */
int xc_ifstats_read(int ifindex, struct xc_ifstats *st);

/* d = cur - prev, counter by counter (a counter that went back gives 0). */
void xc_ifstats_sub(struct xc_ifstats *d, const struct xc_ifstats *cur,
		    const struct xc_ifstats *prev);

/*
 * Whether GRO is on (ethtool's generic-receive-offload): in generic XDP mode
 * the program then sees aggregated packets. 0, or a -errno.
 */
int xc_iface_gro(int ifindex, bool *on);

#endif /* XDPCOUNT_IFSTATS_H */
