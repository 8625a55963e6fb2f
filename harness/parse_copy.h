/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What parse_copy.bpf.c shares with its test: the copy's size and its class. */
#ifndef XDPCOUNT_PARSE_COPY_H
#define XDPCOUNT_PARSE_COPY_H

#include <linux/types.h>

#define XT_HEADER_COPY 256 /* bytes of a frame the program copies and parses */

/* What xc_parse said of the last copy (a test run is one frame at a time). */
struct copy_class {
	__u32 l3, l4, malformed, vlan, ports, flow;
	__u32 proto, sport, dport;
};

#endif /* XDPCOUNT_PARSE_COPY_H */
