// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Observe mode: fentry and fexit on an XDP program that xdpcount does not
 * own. fentry counts the frame it receives by the contract; fexit counts
 * its verdict under the class fentry found. The program itself is untouched.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "xdpcount_kern.h"
#include "xdpcount_trace.h"
#include "parse.h"

/* The interface observed: the program may run on others too. */
const volatile __u32 xc_ifindex;
const volatile __u32 xc_netns;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xc_observe_stats);
} observed SEC(".maps");

/* The frame between fentry and fexit: both run on one CPU, in one softirq. */
struct xc_in_flight {
	__u64 len;
	__u8 active; /* fentry counted it: fexit counts the verdict */
	__u8 l3;
	__u8 l4;
	__u8 pad[5];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xc_in_flight);
} in_flight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[XC_TRACE_COPY]);
} frame_copy SEC(".maps");

#define XC_XDP_HAS_FRAGS 1     /* XDP_FLAGS_HAS_FRAGS */
#define XC_CACHE_ALIGN(x) (((x) + 63) & ~63ul)

/* The whole frame's length, the fragments of a multi-buffer frame included. */
static __always_inline __u64 frame_len(struct xdp_buff *xdp)
{
	__u64 len = BPF_CORE_READ(xdp, data_end) - BPF_CORE_READ(xdp, data);
	struct skb_shared_info *sinfo;
	__u32 frame_sz, frags = 0;

	if (!(BPF_CORE_READ(xdp, flags) & XC_XDP_HAS_FRAGS))
		return len;
	frame_sz = BPF_CORE_READ(xdp, frame_sz);
	sinfo = BPF_CORE_READ(xdp, data_hard_start) + frame_sz -
		XC_CACHE_ALIGN(bpf_core_type_size(struct skb_shared_info));
	bpf_probe_read_kernel(&frags, sizeof(frags), &sinfo->xdp_frags_size);
	return len + frags;
}

static __always_inline void count_in(struct xc_counters *c, const struct xc_pkt *pkt,
				     __u64 len)
{
	__u32 l3 = pkt->l3 & 3, l4 = pkt->l4, b = xc_size_bucket(len);

	if (l4 > XC_L4_MAX)
		l4 = XC_L4_MAX;
	if (b >= XC_SIZE_BUCKETS)
		b = XC_SIZE_BUCKETS - 1;
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
	c->sizes[b].packets++;
	c->sizes[b].bytes += len;
}

SEC("fentry/xdp")
int BPF_PROG(xc_observe_in, struct xdp_buff *xdp)
{
	struct net_device *dev = BPF_CORE_READ(xdp, rxq, dev);
	struct xc_observe_stats *st;
	struct xc_in_flight *f;
	__u32 zero = 0, n;
	struct xc_pkt pkt;
	void *data;
	__u8 *buf;

	f = bpf_map_lookup_elem(&in_flight, &zero);
	if (!f)
		return 0;
	f->active = 0;
	if (BPF_CORE_READ(dev, ifindex) != xc_ifindex ||
	    BPF_CORE_READ(dev, nd_net.net, ns.inum) != xc_netns)
		return 0;
	st = bpf_map_lookup_elem(&observed, &zero);
	buf = bpf_map_lookup_elem(&frame_copy, &zero);
	if (!st || !buf)
		return 0;
	data = BPF_CORE_READ(xdp, data);
	n = BPF_CORE_READ(xdp, data_end) - data;
	if (n > XC_TRACE_COPY)
		n = XC_TRACE_COPY;
	if (bpf_probe_read_kernel(buf, n, data))
		n = 0;
	xc_parse_within(buf, buf + n, XC_TRACE_COPY, &pkt);
	f->len = frame_len(xdp);
	f->l3 = pkt.l3;
	f->l4 = pkt.l4;
	f->active = 1;
	count_in(&st->in, &pkt, f->len);
	return 0;
}

SEC("fexit/xdp")
int BPF_PROG(xc_observe_out, struct xdp_buff *xdp, int ret)
{
	__u32 zero = 0, v = ret, l3, l4;
	struct xc_observe_stats *st;
	struct xc_in_flight *f;
	struct xc_pb *pb;

	f = bpf_map_lookup_elem(&in_flight, &zero);
	if (!f || !f->active)
		return 0;
	f->active = 0;
	st = bpf_map_lookup_elem(&observed, &zero);
	if (!st)
		return 0;
	if (v > XC_V_OTHER)
		v = XC_V_OTHER;
	l3 = f->l3 & 3;
	l4 = f->l4 > XC_L4_MAX ? XC_L4_MAX : f->l4;
	pb = &st->verdicts[v][l3][l4];
	pb->packets++;
	pb->bytes += f->len;
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
