// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The drop tracer: on skb:kfree_skb (every drop the stack makes, with its
 * reason), count packets and bytes per reason and protocol class for the
 * interfaces xdpcount counts, matched by ifindex and network namespace.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "xdpcount_kern.h"
#include "xdpcount_trace.h"
#include "parse.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XC_DROP_TARGETS);
	__type(key, struct xc_drop_target);
	__type(value, __u32); /* the target's index */
} drop_targets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, XC_DROP_ENTRIES);
	__type(key, struct xc_drop_key);
	__type(value, struct xc_pb);
} drops SEC(".maps");

/* Drops that found no room in `drops`: says the table is too small. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} drops_lost SEC(".maps");

/* The copy of the dropped packet's headers that parse.h reads. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[XC_TRACE_COPY]);
} drop_copy SEC(".maps");

#define XC_MAC_UNSET 0xffff /* skb->mac_header when there is none */

/*
 * Frame length from the Ethernet header, and the class of what it holds. The
 * skb's fields are plain loads (tp_btf gives a typed pointer); its data is not.
 */
static __always_inline __u64 drop_class(struct sk_buff *skb, struct xc_drop_key *key)
{
	__u16 mac = skb->mac_header;
	unsigned char *head = skb->head;
	unsigned char *data = skb->data;
	__u32 tail = skb->tail, zero = 0, n;
	__u64 len = skb->len;
	struct xc_pkt pkt;
	__u8 *buf;

	key->l3 = XC_L3_OTHER;
	key->l4 = XC_L4_MAX;
	if (mac == XC_MAC_UNSET || tail <= mac)
		return len;
	len += data - (head + mac);
	buf = bpf_map_lookup_elem(&drop_copy, &zero);
	if (!buf)
		return len;
	n = tail - mac;
	if (n > XC_TRACE_COPY)
		n = XC_TRACE_COPY;
	if (bpf_probe_read_kernel(buf, n, head + mac))
		return len;
	xc_parse_within(buf, buf + n, XC_TRACE_COPY, &pkt);
	key->l3 = pkt.l3;
	key->l4 = pkt.l4;
	return len;
}

SEC("tp_btf/kfree_skb")
int BPF_PROG(xc_kfree_skb, struct sk_buff *skb, void *location,
	     unsigned int reason) /* enum skb_drop_reason */
{
	struct net_device *dev = skb->dev;
	struct xc_drop_target t = { .ifindex = skb->skb_iif };
	struct xc_drop_key key = { .reason = reason };
	struct xc_pb *v, init = { .packets = 1 };
	__u32 *idx, zero = 0;
	__u64 *lost;

	if (!dev) /* no device, no namespace: not an interface being counted */
		return 0;
	t.netns = dev->nd_net.net->ns.inum;
	idx = bpf_map_lookup_elem(&drop_targets, &t);
	if (!idx)
		return 0;
	key.target = *idx;
	init.bytes = drop_class(skb, &key);
	v = bpf_map_lookup_elem(&drops, &key);
	if (v) {
		v->packets++;
		v->bytes += init.bytes;
		return 0;
	}
	if (!bpf_map_update_elem(&drops, &key, &init, BPF_NOEXIST))
		return 0;
	v = bpf_map_lookup_elem(&drops, &key); /* another CPU made it meanwhile */
	if (v) {
		v->packets++;
		v->bytes += init.bytes;
		return 0;
	}
	lost = bpf_map_lookup_elem(&drops_lost, &zero);
	if (lost)
		(*lost)++;
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
