// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The parser over a copy of a frame's first bytes in a map value, as a
 * program that cannot read packet data directly (a tracing program) runs it.
 * test_truncation.c loads it: the verifier must accept it, and each copy must
 * be classified as the frame cut where the copy ends.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "parse.h"
#include "parse_copy.h"

struct header_copy {
	__u8 bytes[XT_HEADER_COPY];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct header_copy);
} copies SEC(".maps");

struct copy_class parsed;

SEC("xdp")
int parse_copy(struct xdp_md *ctx)
{
	__u32 zero = 0, len = bpf_xdp_get_buff_len(ctx);
	struct header_copy *copy = bpf_map_lookup_elem(&copies, &zero);
	struct xc_pkt pkt;

	if (!copy || !len)
		return XDP_ABORTED;
	if (len > XT_HEADER_COPY)
		len = XT_HEADER_COPY;
	if (bpf_xdp_load_bytes(ctx, 0, copy->bytes, len))
		return XDP_ABORTED;
	xc_parse_within(copy->bytes, copy->bytes + len, XT_HEADER_COPY, &pkt);
	parsed.l3 = pkt.l3;
	parsed.l4 = pkt.l4;
	parsed.malformed = pkt.malformed;
	parsed.vlan = pkt.vlan;
	parsed.ports = pkt.ports;
	parsed.flow = pkt.flow;
	parsed.proto = pkt.proto;
	parsed.sport = pkt.sport;
	parsed.dport = pkt.dport;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
