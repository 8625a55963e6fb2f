// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xdpcount: classify the frame (a short path for plain IPv4, IPv6 and ARP,
 * else the parser), add it to one cell of the core counters in its interface's slot and
 * to one flow cache entry (flowcache.h); return the action. Two
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
	__type(value, struct xc_cells);
} counters SEC(".maps");

/*
 * The core counters: one cell of the frame's interface slot (or slot 0), by
 * class and size bucket. One add of a packet and its bytes, whatever is on.
 */
static __always_inline void count_cell(struct xdp_md *ctx, __u32 cls, __u64 len)
{
	__u32 idx = 0, ifindex = ctx->ingress_ifindex, i;
	struct xc_cells *c;

	if ((xc_features & XC_F_IFACES) && ifindex < XC_IFINDEX_MAX)
		idx = xc_ifslot[ifindex];
	c = bpf_map_lookup_elem(&counters, &idx);
	if (!c)
		return;
	i = cls * XC_SIZE_BUCKETS;
	if (xc_features & XC_F_SIZES)
		i += xc_size_bucket(len);
	if (i >= XC_CELLS)
		return;
	c->cell[i].packets++;
	c->cell[i].bytes += len;
}

/* Whether the cache keys frames by flow (else by source alone). */
#define XC_KEY_FLOWS (xc_features & (XC_F_FLOWS | XC_F_PORTS))

/*
 * Count an IP frame whose header is at iph in the cache entry of its flow
 * (ports: sport | dport << 16, host order), or, without a flow or when no
 * table needs flows, of its source. The key's words are built in registers.
 */
static __always_inline void count_entry(const __u8 *iph, const __u8 *end, __u32 l3,
					__u8 proto, int flow, __u32 ports, __u64 len)
{
	struct xc_kw k;

	if (l3 == XC_L3_IPV4) {
		const struct iphdr *ip = (const void *)iph;

		if (iph + sizeof(*ip) > end) /* checked before; again for the verifier */
			return;
		k.w[0] = 0;
		k.w[1] = xc_words(XC_V4MAPPED_W2, ip->saddr);
		k.w[2] = 0;
		k.w[3] = xc_words(XC_V4MAPPED_W2, ip->daddr);
	} else {
		const struct ipv6hdr *ip6 = (const void *)iph;

		if (iph + sizeof(*ip6) > end)
			return;
		k.w[0] = *(const __u64 *)&ip6->saddr.s6_addr32[0];
		k.w[1] = *(const __u64 *)&ip6->saddr.s6_addr32[2];
		k.w[2] = *(const __u64 *)&ip6->daddr.s6_addr32[0];
		k.w[3] = *(const __u64 *)&ip6->daddr.s6_addr32[2];
	}
	if (flow && XC_KEY_FLOWS) {
		k.w[4] = xc_words(ports, proto | XC_KEY_FLOW << 8);
	} else {
		k.w[2] = k.w[3] = 0;
		k.w[4] = xc_words(0, XC_KEY_SOURCE << 8);
	}
	xc_cache_count(&k, len);
}

/*
 * Every frame the short path does not take: the whole parser. A function of
 * its own, so that its registers stay out of the fast path.
 */
static __noinline int count_parsed(struct xdp_md *ctx, __u64 len)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct xc_pkt pkt;
	__u32 l4;

	xc_parse(data, data_end, &pkt);
	l4 = pkt.l4 > XC_L4_MAX ? XC_L4_MAX : pkt.l4;
	count_cell(ctx, xc_class(pkt.l3, l4, pkt.vlan), len);
	if (!(xc_features & XC_F_TABLES) || pkt.l4 >= XC_L4_MAX)
		return 0;
	count_entry(pkt.iph, pkt.end, pkt.l3, pkt.proto, pkt.flow,
		    pkt.sport | (__u32)pkt.dport << 16, len);
	return 0;
}

/*
 * The frames most traffic is made of, counted without the parser (the short
 * path): untagged or one-tag IPv4 with a 20-byte header that is not a later
 * fragment, IPv6 without extension headers whose TCP or UDP header (if any)
 * is whole, and ARP. ETH_ZLEN (60) bytes hold all that IPv4 needs, tag
 * included. The parser would find the same: the fixture, differential and
 * truncation tests run every frame through the program and compare with what
 * gen.py built.
 */
static __always_inline int count_frame(struct xdp_md *ctx, __u64 len)
{
	const __u8 *p = (void *)(long)ctx->data;
	const __u8 *end = (void *)(long)ctx->data_end;
	const struct ipv6hdr *ip6;
	const struct iphdr *ip;
	__u32 l3, l4off, vlan = 0;
	__u16 type;
	__u8 proto;

	if (p + ETH_ZLEN > end)
		goto slow;
	type = ((const struct ethhdr *)p)->h_proto;
	if (xc_proto_is_vlan(type)) {
		type = ((const struct vlan_hdr *)(p + ETH_HLEN))->h_vlan_encapsulated_proto;
		p += sizeof(struct vlan_hdr);
		vlan = 1;
	}
	ip = (const void *)(p + ETH_HLEN);
	ip6 = (const void *)(p + ETH_HLEN);
	if (type == bpf_htons(ETH_P_IP)) {
		/* version 4 and IHL 5 in one byte; then not a later fragment */
		if (*(const __u8 *)ip != 0x45 || (ip->frag_off & bpf_htons(IP_OFFSET)))
			goto slow;
		proto = ip->protocol;
		l3 = XC_L3_IPV4;
		l4off = ETH_HLEN + sizeof(*ip);
	} else if (type == bpf_htons(ETH_P_IPV6)) {
		if (ip6->version != 6)
			goto slow;
		proto = ip6->nexthdr;
		l4off = ETH_HLEN + sizeof(*ip6);
		if (xc_is_exthdr(proto) ||
		    (proto == IPPROTO_TCP && p + l4off + sizeof(struct tcphdr) > end) ||
		    (proto == IPPROTO_UDP && p + l4off + sizeof(struct udphdr) > end))
			goto slow;
		l3 = XC_L3_IPV6;
	} else if (type == bpf_htons(ETH_P_ARP)) {
		count_cell(ctx, xc_class(XC_L3_ARP, XC_L4_MAX, vlan), len);
		return xc_action;
	} else {
		goto slow; /* a second tag, or another network layer */
	}
	count_cell(ctx, xc_class(l3, xc_l4_class(proto), vlan), len);
	if (xc_features & XC_F_TABLES) {
		const __u8 *l4 = p + l4off;
		__u32 ports = 0;

		if ((proto == IPPROTO_TCP || proto == IPPROTO_UDP) && l4 + 4 <= end)
			ports = bpf_ntohs(*(const __u16 *)l4) |
				(__u32)bpf_ntohs(*(const __u16 *)(l4 + 2)) << 16;
		count_entry((const __u8 *)ip, end, l3, proto, 1, ports, len);
	}
	return xc_action;
slow:
	count_parsed(ctx, len);
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
