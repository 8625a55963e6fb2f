// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xdpcount: parse once, classify, count in per-CPU maps, return the action. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xdpcount.h"
#include "parse.h"

/* Load-time knobs: the verifier removes what a switched-off feature costs. */
const volatile __u32 xc_features = XC_F_ALL;
const volatile __u32 xc_action = XDP_PASS; /* anything else: benchmarks only */
/* Offline: the wire length comes in the metadata, as the frame's head alone is run. */
const volatile __u32 xc_wire_meta = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XC_IFACE_SLOTS + 1);
	__type(key, __u32);
	__type(value, struct xc_slot);
} counters SEC(".maps");

/* Interfaces whose slot another interface owns (see struct xc_slot). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 256);
	__type(key, __u32); /* ingress ifindex */
	__type(value, struct xc_counters);
} ifaces SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct xc_addr);
	__type(value, struct xc_pb);
} sources SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XC_PORT_ENTRIES);
	__type(key, __u32);
	__type(value, struct xc_pb);
} ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XC_PORT_WORDS);
	__type(key, __u32);
	__type(value, __u64);
} ports_seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct xc_flow_key);
	__type(value, struct xc_flow_val);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XC_TAB_MAX);
	__type(key, __u32);
	__type(value, struct xc_table_stats);
} tables SEC(".maps");

static const struct xc_counters xc_zero_counters;

#define XC_EEXIST 17 /* another CPU inserted the key first */

static __always_inline void table_event(__u32 table, int inserted)
{
	struct xc_table_stats *ts = bpf_map_lookup_elem(&tables, &table);

	if (!ts)
		return;
	if (inserted)
		ts->inserted++;
	else
		ts->failed++;
}

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

/* The counters of an interface whose slot is taken: the overflow hash. */
static __always_inline struct xc_counters *iface_overflow(__u32 ifindex)
{
	struct xc_counters *c = bpf_map_lookup_elem(&ifaces, &ifindex);
	int err;

	if (c)
		return c;
	err = bpf_map_update_elem(&ifaces, &ifindex, &xc_zero_counters, BPF_NOEXIST);
	if (err && err != -XC_EEXIST) {
		table_event(XC_TAB_IFACES, 0);
		return NULL;
	}
	if (!err)
		table_event(XC_TAB_IFACES, 1);
	return bpf_map_lookup_elem(&ifaces, &ifindex);
}

/* The core counters this frame counts in: its interface's, or the unowned slot. */
static __always_inline struct xc_counters *frame_counters(__u32 ifindex)
{
	__u32 idx = 0, unowned = XC_SLOT_UNOWNED;
	struct xc_counters *c;
	struct xc_slot *s;

	if (xc_features & XC_F_IFACES)
		idx = ifindex % XC_IFACE_SLOTS;
	s = bpf_map_lookup_elem(&counters, &idx);
	if (!s)
		return NULL;
	if (!(xc_features & XC_F_IFACES) || s->ifindex == ifindex)
		return &s->c;
	if (!s->ifindex && !s->c.total.packets) {
		s->ifindex = ifindex; /* first frame of this interface on this CPU */
		return &s->c;
	}
	c = iface_overflow(ifindex);
	if (c)
		return c;
	s = bpf_map_lookup_elem(&counters, &unowned);
	if (!s)
		return NULL;
	return &s->c;
}

static __always_inline void count_source(const struct xc_pkt *pkt, __u64 len)
{
	struct xc_addr key;
	struct xc_pb *v;

	xc_pkt_addr(pkt, 0, &key);
	v = bpf_map_lookup_elem(&sources, &key);
	if (v) {
		v->packets++;
		v->bytes += len;
		return;
	}
	struct xc_pb init = { .packets = 1, .bytes = len };
	int err = bpf_map_update_elem(&sources, &key, &init, BPF_NOEXIST);

	if (!err) {
		table_event(XC_TAB_SOURCES, 1);
		return;
	}
	v = bpf_map_lookup_elem(&sources, &key); /* another CPU inserted it */
	if (!v) {
		table_event(XC_TAB_SOURCES, 0);
		return;
	}
	v->packets++;
	v->bytes += len;
}

static __always_inline void count_port(const struct xc_pkt *pkt, __u64 len)
{
	__u32 idx = pkt->dport;
	struct xc_pb *v;

	if (pkt->proto == IPPROTO_UDP)
		idx += 65536;
	v = bpf_map_lookup_elem(&ports, &idx);
	if (!v)
		return;
	if (!v->packets) {
		/* First on this CPU: mark it in this CPU's copy of the bitmap. */
		__u32 w = idx / 64;
		__u64 *word = bpf_map_lookup_elem(&ports_seen, &w);

		if (word)
			*word |= 1ull << (idx % 64);
	}
	v->packets++;
	v->bytes += len;
}

static __always_inline void flow_add(struct xc_flow_val *v, __u64 len, __u64 now)
{
	v->packets++;
	v->bytes += len;
	if (!v->first_seen)
		v->first_seen = now;
	v->last_seen = now;
}

/* A new flow is rare: pay for a clock read there, so jiffies map to time. */
static __always_inline void flow_inserted(__u64 now)
{
	__u32 table = XC_TAB_FLOWS;
	struct xc_table_stats *ts = bpf_map_lookup_elem(&tables, &table);

	if (!ts)
		return;
	ts->inserted++;
	ts->clock_jiffies = now;
	ts->clock_ns = bpf_ktime_get_coarse_ns();
}

static __always_inline void count_flow(const struct xc_pkt *pkt, __u64 len)
{
	struct xc_flow_key key;
	struct xc_flow_val *v;
	__u64 now = bpf_jiffies64();

	__builtin_memset(&key, 0, sizeof(key));
	xc_pkt_addr(pkt, 0, &key.src);
	xc_pkt_addr(pkt, 1, &key.dst);
	key.sport = pkt->sport;
	key.dport = pkt->dport;
	key.proto = pkt->proto;
	v = bpf_map_lookup_elem(&flows, &key);
	if (v) {
		flow_add(v, len, now);
		return;
	}
	struct xc_flow_val init = {
		.packets = 1, .bytes = len, .first_seen = now, .last_seen = now,
	};
	int err = bpf_map_update_elem(&flows, &key, &init, BPF_NOEXIST);

	if (!err) {
		flow_inserted(now);
		return;
	}
	v = bpf_map_lookup_elem(&flows, &key);
	if (!v) {
		table_event(XC_TAB_FLOWS, 0);
		return;
	}
	flow_add(v, len, now);
}

/* The frame's length: its buffers', or offline the wire length in the metadata. */
static __always_inline __u64 frame_len(struct xdp_md *ctx, void *data)
{
	__u32 *wire = (void *)(long)ctx->data_meta;

	if (xc_wire_meta && (void *)(wire + 1) <= data)
		return *wire;
	return bpf_xdp_get_buff_len(ctx);
}

SEC("xdp.frags")
int xdpcount(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 len = frame_len(ctx, data);
	struct xc_counters *c;
	struct xc_pkt pkt;

	xc_parse(data, data_end, &pkt);

	c = frame_counters(ctx->ingress_ifindex);
	if (c)
		count_core(c, &pkt, len);
	if (pkt.l4 < XC_L4_MAX) {
		if (xc_features & XC_F_SOURCES)
			count_source(&pkt, len);
		if ((xc_features & XC_F_PORTS) && pkt.ports)
			count_port(&pkt, len);
		if ((xc_features & XC_F_FLOWS) && pkt.flow)
			count_flow(&pkt, len);
	}
	return xc_action;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
