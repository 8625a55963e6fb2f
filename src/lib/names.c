// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The names the outputs share, and addresses and protocols as text. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include "names.h"

const char *const xc_table_names[XC_TAB_MAX] = { "sources", "flows", "interfaces", "cache" };
const char *const xc_l3_names[XC_L3_MAX] = { "ipv4", "ipv6", "arp", "other" };
const char *const xc_l4_names[XC_L4_MAX] = { "tcp", "udp", "icmp", "icmpv6",
					     "other" };
const int xc_size_bounds[XC_SIZE_BUCKETS - 1] = XC_SIZE_BOUNDS;

const char *xc_addr_str(const struct xc_addr *a, char *buf, size_t len)
{
	static const __u8 v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (!memcmp(a->a, v4mapped, sizeof(v4mapped)))
		return inet_ntop(AF_INET, a->a + 12, buf, (socklen_t)len);
	return inet_ntop(AF_INET6, a->a, buf, (socklen_t)len);
}

const char *xc_proto_str(__u8 proto, char *buf, size_t len)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "icmpv6";
	default:
		snprintf(buf, len, "%u", proto);
		return buf;
	}
}
