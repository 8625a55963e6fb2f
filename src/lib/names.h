/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The names every output uses, one definition each; addresses as text. */
#ifndef XDPCOUNT_NAMES_H
#define XDPCOUNT_NAMES_H

#include "snapshot.h"

/* inet_ntop of a stored address (v4-mapped prints as IPv4). */
const char *xc_addr_str(const struct xc_addr *a, char *buf, size_t len);
/* "tcp", "udp", "icmp", "icmpv6" or the number. */
const char *xc_proto_str(__u8 proto, char *buf, size_t len);

extern const char *const xc_table_names[XC_TAB_MAX];
extern const char *const xc_l3_names[XC_L3_MAX];
extern const char *const xc_l4_names[XC_L4_MAX];
extern const int xc_size_bounds[XC_SIZE_BUCKETS - 1];

#endif /* XDPCOUNT_NAMES_H */
