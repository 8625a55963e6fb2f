// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xdpcount: parse once, count the core counters in the frame's interface slot,
 * and the frame in one flow cache entry (flowcache.h); return the action. Two
 * programs from this source: `xdpcount` for frames in one buffer, which counts
 * data_end - data, and `xdpcount_frags` for multi-buffer frames, which asks
 * the kernel for the whole length.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xdpcount.h"
#include "parse.h"
#include "flowcache.h"

/* Load-time knobs: the verifier removes what a switched-off feature costs. */
const volatile __u32 xc_features = XC_F_ALL;
const volatile __u32 xc_action = XDP_PASS; /* anything else: benchmarks only */
/* Offline: the wire length comes in the metadata, as the frame's head alone is run. */
const volatile __u32 xc_wire_meta = 0;

/* Each interface's slot of `counters`, written by the library; 0: none. */
__u8 xc_ifslot[XC_IFINDEX_MAX];

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XC_IFACE_SLOTS + 1);
	__type(key, __u32);
	__type(value, struct xc_counters);
} counters SEC(".maps");

/* Indexes, not branches: fewer paths for the verifier, none to mispredict. */
static __always_inline void count_core(struct xc_counters *c,
				       const struct xc_pkt *pkt, __u64 len)
{
	__u32 l3 = pkt->l3 & 3, l4 = pkt->l4;

	if (l4 > XC_L4_MAX)
		l4 = XC_L4_MAX;
	c->total.packets++;
	c->total.bytes += len;
	c->l3[l3].packets++;
	c->l3[l3].bytes += len;
	c->l4[l4].packets++; /* l4[XC_L4_MAX] is no_l4 */
	c->l4[l4].bytes += len;
	c->malformed.packets += pkt->malformed;
	c->malformed.bytes += len * pkt->malformed;
	c->vlan.packets += pkt->vlan;
	c->vlan.bytes += len * pkt->vlan;
	if (xc_features & XC_F_SIZES) {
		__u32 b = xc_size_bucket(len);

		c->sizes[b].packets++;
		c->sizes[b].bytes += len;
	}
}

/* The core counters of the frame's interface: its slot, or slot 0. */
static __always_inline struct xc_counters *frame_counters(__u32 ifindex)
{
	__u32 idx = 0;

	if ((xc_features & XC_F_IFACES) && ifindex < XC_IFINDEX_MAX)
		idx = xc_ifslot[ifindex];
	return bpf_map_lookup_elem(&counters, &idx);
}

/* The frame's cache key: its flow when a table needs flows, else its source. */
static __always_inline void count_entry(const struct xc_pkt *pkt, __u64 len)
{
	struct xc_flow_key key;

	__builtin_memset(&key, 0, sizeof(key));
	xc_pkt_addr(pkt, 0, &key.src);
	if (pkt->flow && (xc_features & (XC_F_FLOWS | XC_F_PORTS))) {
		xc_pkt_addr(pkt, 1, &key.dst);
		key.sport = pkt->sport;
		key.dport = pkt->dport;
		key.proto = pkt->proto;
		key.kind = XC_KEY_FLOW;
	} else {
		key.kind = XC_KEY_SOURCE;
	}
	xc_cache_count(&key, len);
}

static __always_inline int count_frame(struct xdp_md *ctx, __u64 len)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct xc_counters *c;
	struct xc_pkt pkt;

	xc_parse(data, data_end, &pkt);
	c = frame_counters(ctx->ingress_ifindex);
	if (c)
		count_core(c, &pkt, len);
	if ((xc_features & XC_F_TABLES) && pkt.l4 < XC_L4_MAX)
		count_entry(&pkt, len);
	return xc_action;
}

/* The frame's length, or offline the wire length in the metadata. */
static __always_inline __u64 wire_len(struct xdp_md *ctx, __u64 len)
{
	void *data = (void *)(long)ctx->data;
	__u32 *wire = (void *)(long)ctx->data_meta;

	if (xc_wire_meta && (void *)(wire + 1) <= data)
		return *wire;
	return len;
}

/* Never given a multi-buffer frame: the linear data is the whole frame. */
SEC("xdp")
int xdpcount(struct xdp_md *ctx)
{
	return count_frame(ctx, wire_len(ctx, ctx->data_end - ctx->data));
}

SEC("xdp.frags")
int xdpcount_frags(struct xdp_md *ctx)
{
	return count_frame(ctx, wire_len(ctx, bpf_xdp_get_buff_len(ctx)));
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
