/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Bounds-checked header parsing for xdpcount, on the kernel's header structs.
 *
 * Plain C: the XDP program and user space (fuzzer, differential checks) compile
 * the same code. As in xdp-tools' parsing_helpers.h, a cursor walks the frame
 * and xc_parse_<hdr>(cursor, end, &hdr) checks that the header lies before
 * end, points hdr at it, moves the cursor past it and returns the next
 * protocol, or -1 when the header is cut short or invalid. xc_parse classifies
 * a frame by the counting contract in the README ("Counting semantics") and
 * leaves pointers to what the counting code may need.
 *
 * The cursor is an offset below a constant limit. The verifier bounds packet
 * reads by comparisons with data_end, but reads of a map value or the stack
 * only by what it knows of the offset, so every read is checked against both:
 * the same parser verifies over a packet and over a copy of its headers.
 */
#ifndef XDPCOUNT_PARSE_H
#define XDPCOUNT_PARSE_H

#include <linux/types.h>
#ifndef __bpf__
/* First: the UAPI headers then leave glibc's in_addr and in6_addr alone. */
#include <netinet/in.h>
#endif
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include "xdpcount.h"

#ifndef XC_INLINE
#define XC_INLINE static inline __attribute__((always_inline))
#endif

#define XC_MAX_VLAN 2
#define XC_MAX_EXTHDR 8

/* An 802.1Q/802.1ad tag after the MAC addresses (the kernel's if_vlan.h; not UAPI). */
struct vlan_hdr {
	__be16 h_vlan_TCI;
	__be16 h_vlan_encapsulated_proto;
};

/* The IPv6 fragment header (the kernel's net/ipv6.h; not UAPI). */
struct frag_hdr {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off;
	__be32 identification;
};

/* Fragment offset bits of iphdr.frag_off and frag_hdr.frag_off (net/ip.h, net/ipv6.h). */
#ifndef IP_OFFSET
#define IP_OFFSET 0x1fff
#endif
#ifndef IP6_OFFSET
#define IP6_OFFSET 0xfff8
#endif

/*
 * Every extension header is at least this long, and its first 8 bytes hold all
 * the parser reads of it (struct ipv6_opt_hdr, struct frag_hdr).
 */
#define XC_EXTHDR_MIN 8

/*
 * In user space a frame starts this far past a 4-byte boundary, as the
 * kernel's NET_IP_ALIGN places it: then every header is aligned as its struct
 * requires (the sanitizers check it). BPF reads packets at any alignment.
 */
#define XC_IP_ALIGN 2

/*
 * Offsets into a frame stay below this (22 + 40 + 8 * 2048 bytes of headers):
 * the cursor's limit over packet data. A copy of headers passes its own size.
 */
#define XC_FRAME_LIMIT 0x7fff

/*
 * What one frame is, by the contract. The flags share one word so that the
 * parser's result lives in a few registers; BPF has few and spills the rest.
 */
struct xc_pkt {
	__u32 l3 : 2;        /* enum xc_l3 */
	__u32 l4 : 3;        /* enum xc_l4, or XC_L4_MAX when not counted in l4 */
	__u32 vlan : 1;      /* outer EtherType was a VLAN TPID */
	__u32 malformed : 1; /* IP frame whose IP header or extension chain is bad */
	__u32 nonfirst : 1;  /* a fragment other than the first */
	__u32 ports : 1;     /* sport/dport hold a complete TCP/UDP header's ports */
	__u32 flow : 1;      /* counts in the flow table */
	__u32 unused : 14;
	__u32 proto : 8;     /* IP protocol number (upper layer) when l4 < XC_L4_MAX */
	__u16 sport;         /* host byte order */
	__u16 dport;
	const __u8 *iph;     /* outermost IP header when l4 < XC_L4_MAX, else the frame */
	const __u8 *end;     /* end of the readable frame */
};

/* Where parsing stands in a frame (or a copy of its first bytes). */
struct xc_cursor {
	const __u8 *data; /* the frame's first byte */
	__u64 off;        /* where the next header starts */
	__u32 limit;      /* a constant: no read ends past data + limit */
};

/*
 * The verifier knows the bounds of the register that was checked, not of the
 * same address computed again; this keeps the compiler from recomputing it
 * (where TCP and UDP read their ports alike, it would merge the reads).
 */
#ifdef __bpf__
#define xc_keep(ptr) asm volatile("" : "+r"(ptr))
#else
#define xc_keep(ptr) ((void)(ptr))
#endif

/*
 * The size bytes at the cursor, or NULL when they pass end or the limit. The
 * limit check comes first: it bounds the offset for the verifier whatever
 * the buffer is, and over a packet the end check then gives the range.
 */
XC_INLINE const void *xc_cursor_peek(const struct xc_cursor *c,
				     const __u8 *end, __u32 size)
{
	const __u8 *pos;
	__u64 off = c->off;

	if (off > c->limit - size)
		return NULL;
	pos = c->data + off;
	if (pos + size > end)
		return NULL;
	xc_keep(pos);
	return pos;
}

XC_INLINE int xc_proto_is_vlan(int h_proto)
{
	return h_proto == bpf_htons(ETH_P_8021Q) ||
	       h_proto == bpf_htons(ETH_P_8021AD);
}

/* Returns the EtherType (network byte order). */
XC_INLINE int xc_parse_ethhdr(struct xc_cursor *c, const __u8 *end,
			      const struct ethhdr **ethhdr)
{
	const struct ethhdr *eth = xc_cursor_peek(c, end, sizeof(*eth));

	if (!eth)
		return -1;
	c->off += sizeof(*eth);
	*ethhdr = eth;
	return eth->h_proto;
}

/* Returns the encapsulated EtherType (network byte order). */
XC_INLINE int xc_parse_vlan_hdr(struct xc_cursor *c, const __u8 *end,
				const struct vlan_hdr **vlanhdr)
{
	const struct vlan_hdr *vlh = xc_cursor_peek(c, end, sizeof(*vlh));

	if (!vlh)
		return -1;
	c->off += sizeof(*vlh);
	*vlanhdr = vlh;
	return vlh->h_vlan_encapsulated_proto;
}

/* Returns the protocol; -1 also for a version other than 4 or IHL < 5. */
XC_INLINE int xc_parse_iphdr(struct xc_cursor *c, const __u8 *end,
			     const struct iphdr **iphdr)
{
	const struct iphdr *iph = xc_cursor_peek(c, end, sizeof(*iph));
	__u32 hdrsize;

	if (!iph || iph->version != 4)
		return -1;
	hdrsize = iph->ihl * 4;
	if (hdrsize < sizeof(*iph))
		return -1;
	if ((const __u8 *)iph + hdrsize > end)
		return -1; /* options past the end */
	c->off += hdrsize;
	*iphdr = iph;
	return iph->protocol;
}

/* Returns the next header; -1 also for a version other than 6. */
XC_INLINE int xc_parse_ipv6hdr(struct xc_cursor *c, const __u8 *end,
			       const struct ipv6hdr **ip6hdr)
{
	const struct ipv6hdr *ip6h = xc_cursor_peek(c, end, sizeof(*ip6h));

	if (!ip6h || ip6h->version != 6)
		return -1;
	c->off += sizeof(*ip6h);
	*ip6hdr = ip6h;
	return ip6h->nexthdr;
}

XC_INLINE int xc_is_exthdr(int nexthdr)
{
	return nexthdr == IPPROTO_HOPOPTS || nexthdr == IPPROTO_ROUTING ||
	       nexthdr == IPPROTO_FRAGMENT || nexthdr == IPPROTO_DSTOPTS ||
	       nexthdr == IPPROTO_AH;
}

/* Length of an extension header other than a fragment header (RFC 8200, RFC 4302). */
XC_INLINE __u32 xc_exthdr_len(const struct ipv6_opt_hdr *opt, int nexthdr)
{
	if (nexthdr == IPPROTO_AH)
		return ((__u32)opt->hdrlen + 2) * 4;
	return ((__u32)opt->hdrlen + 1) * 8;
}

/*
 * The verifier tracks each path's offset range exactly, so paths through the
 * extension walk never compare equal and their number grows as 3^depth. A
 * shift by a register that holds zero forgets that history: the verifier
 * bounds a shift only by a known constant, and x ^ x is not one to it. The
 * limit check after it gives every path the same state. Three one-cycle
 * instructions (a division by one did the same at several times the cost).
 * Elsewhere it is nothing.
 */
XC_INLINE __u64 xc_forget(__u64 off)
{
#ifdef __bpf__
	__u64 zero;

	asm volatile("%0 = %1; %0 ^= %0; %1 <<= %0" : "=&r"(zero), "+r"(off));
#endif
	return off;
}

/*
 * Walks at most XC_MAX_EXTHDR extension headers from nexthdr; returns the
 * upper-layer protocol, or -1 when a header is cut short or the chain is
 * longer. What follows a non-first fragment is payload: its header's next
 * header is the protocol, and pkt->nonfirst is set.
 */
XC_INLINE int xc_parse_ipv6_exthdrs(struct xc_cursor *c, const __u8 *end,
				    int nexthdr, struct xc_pkt *pkt)
{
	const struct ipv6_opt_hdr *opt;
	const struct frag_hdr *fh;
	const void *hdr;
	int i;

	for (i = 0; i < XC_MAX_EXTHDR; i++) {
		if (!xc_is_exthdr(nexthdr))
			return nexthdr;
		c->off = xc_forget(c->off);
		hdr = xc_cursor_peek(c, end, XC_EXTHDR_MIN);
		if (!hdr)
			return -1;
		if (nexthdr == IPPROTO_FRAGMENT) {
			fh = hdr;
			c->off += sizeof(*fh);
			if (fh->frag_off & bpf_htons(IP6_OFFSET)) {
				pkt->nonfirst = 1;
				return fh->nexthdr;
			}
			nexthdr = fh->nexthdr;
			continue;
		}
		opt = hdr;
		__u32 hdrsize = xc_exthdr_len(opt, nexthdr);

		if ((const __u8 *)opt + hdrsize > end)
			return -1;
		c->off += hdrsize;
		nexthdr = opt->nexthdr;
	}
	return xc_is_exthdr(nexthdr) ? -1 : nexthdr;
}

/* 0 and the header, or -1 when fewer than its 20 bytes are there. */
XC_INLINE int xc_parse_tcphdr(struct xc_cursor *c, const __u8 *end,
			      const struct tcphdr **tcphdr)
{
	const struct tcphdr *th = xc_cursor_peek(c, end, sizeof(*th));

	if (!th)
		return -1;
	*tcphdr = th;
	return 0;
}

/* 0 and the header, or -1 when fewer than its 8 bytes are there. */
XC_INLINE int xc_parse_udphdr(struct xc_cursor *c, const __u8 *end,
			      const struct udphdr **udphdr)
{
	const struct udphdr *uh = xc_cursor_peek(c, end, sizeof(*uh));

	if (!uh)
		return -1;
	*udphdr = uh;
	return 0;
}

XC_INLINE __u8 xc_l4_class(__u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return XC_L4_TCP;
	case IPPROTO_UDP:
		return XC_L4_UDP;
	case IPPROTO_ICMP:
		return XC_L4_ICMP;
	case IPPROTO_ICMPV6:
		return XC_L4_ICMPV6;
	default:
		return XC_L4_OTHER;
	}
}

/* Ports of a complete TCP or UDP header at the cursor. */
XC_INLINE void xc_parse_ports(struct xc_cursor *c, const __u8 *end,
			      struct xc_pkt *pkt)
{
	const struct tcphdr *th;
	const struct udphdr *uh;

	if (pkt->proto == IPPROTO_TCP) {
		if (xc_parse_tcphdr(c, end, &th))
			return;
		pkt->sport = bpf_ntohs(th->source);
		pkt->dport = bpf_ntohs(th->dest);
	} else if (pkt->proto == IPPROTO_UDP) {
		if (xc_parse_udphdr(c, end, &uh))
			return;
		pkt->sport = bpf_ntohs(uh->source);
		pkt->dport = bpf_ntohs(uh->dest);
	} else {
		pkt->flow = 1; /* ICMP and others: a flow with zero ports */
		return;
	}
	pkt->ports = 1;
	pkt->flow = 1;
}

/* The IP header parsed and the cursor is at the upper layer, protocol proto. */
XC_INLINE void xc_l4_done(struct xc_cursor *c, const __u8 *end, int proto,
			  struct xc_pkt *pkt)
{
	pkt->malformed = 0;
	pkt->proto = proto;
	pkt->l4 = xc_l4_class(proto);
	if (!pkt->nonfirst)
		xc_parse_ports(c, end, pkt);
}

XC_INLINE void xc_parse_ipv4(struct xc_cursor *c, const __u8 *end,
			     struct xc_pkt *pkt)
{
	const struct iphdr *iph;
	int proto;

	pkt->malformed = 1;
	proto = xc_parse_iphdr(c, end, &iph);
	if (proto < 0)
		return;
	pkt->iph = (const __u8 *)iph;
	pkt->nonfirst = (iph->frag_off & bpf_htons(IP_OFFSET)) != 0;
	xc_l4_done(c, end, proto, pkt);
}

/*
 * Masking with the limit of a packet is a no-op but for the verifier: the
 * paths through the extension walk meet here in one state.
 */
#define XC_OFF_MASK XC_FRAME_LIMIT

XC_INLINE void xc_parse_ipv6(struct xc_cursor *c, const __u8 *end,
			     struct xc_pkt *pkt)
{
	const struct ipv6hdr *ip6h;
	int proto;

	pkt->malformed = 1;
	proto = xc_parse_ipv6hdr(c, end, &ip6h);
	if (proto < 0)
		return;
	pkt->iph = (const __u8 *)ip6h; /* as early as this: fewer verifier states */
	proto = xc_parse_ipv6_exthdrs(c, end, proto, pkt);
	if (proto < 0)
		return;
	c->off &= XC_OFF_MASK;
	xc_l4_done(c, end, proto, pkt);
}

/*
 * Classify the frame in [data, data_end), reading nothing past data + limit,
 * a constant: XC_FRAME_LIMIT over packet data, the size of a copy of headers
 * in a map value or on the stack.
 */
XC_INLINE void xc_parse_within(const void *data, const void *data_end,
			       __u32 limit, struct xc_pkt *pkt)
{
	struct xc_cursor c = { .data = data, .off = 0, .limit = limit };
	const __u8 *end = data_end;
	const struct vlan_hdr *vlh;
	const struct ethhdr *eth;
	int type, i;

	__builtin_memset(pkt, 0, sizeof(*pkt));
	pkt->l3 = XC_L3_OTHER;
	pkt->l4 = XC_L4_MAX;
	pkt->iph = data; /* a packet pointer on every path: the verifier's states merge */
	pkt->end = end;
	type = xc_parse_ethhdr(&c, end, &eth);
	if (type < 0)
		return;
	pkt->vlan = xc_proto_is_vlan(type);
	for (i = 0; i < XC_MAX_VLAN && xc_proto_is_vlan(type); i++) {
		type = xc_parse_vlan_hdr(&c, end, &vlh);
		if (type < 0)
			return;
	}
	if (type == bpf_htons(ETH_P_IP)) {
		pkt->l3 = XC_L3_IPV4;
		xc_parse_ipv4(&c, end, pkt);
	} else if (type == bpf_htons(ETH_P_IPV6)) {
		pkt->l3 = XC_L3_IPV6;
		xc_parse_ipv6(&c, end, pkt);
	} else if (type == bpf_htons(ETH_P_ARP)) {
		pkt->l3 = XC_L3_ARP;
	}
}

/* Classify one frame of [data, data_end). Never reads outside it. */
XC_INLINE void xc_parse(const void *data, const void *data_end,
			struct xc_pkt *pkt)
{
	xc_parse_within(data, data_end, XC_FRAME_LIMIT, pkt);
}

/*
 * The RMON bucket of every length up to the last bound. A load: six compares
 * of the length compile to six branches in BPF, which mispredict when sizes mix.
 */
static const __u8 xc_size_table[XC_SIZE_B5 + 1] = {
	[0 ... XC_SIZE_B0] = 0,
	[XC_SIZE_B0 + 1 ... XC_SIZE_B1] = 1,
	[XC_SIZE_B1 + 1 ... XC_SIZE_B2] = 2,
	[XC_SIZE_B2 + 1 ... XC_SIZE_B3] = 3,
	[XC_SIZE_B3 + 1 ... XC_SIZE_B4] = 4,
	[XC_SIZE_B4 + 1 ... XC_SIZE_B5] = 5,
};

/* RMON bucket of a frame length: the number of bounds it exceeds. */
XC_INLINE __u32 xc_size_bucket(__u64 len)
{
	__u32 i = len > XC_SIZE_B5 ? XC_SIZE_B5 + 1 : (__u32)len;

	xc_keep(i); /* the verifier bounds the register that was compared */
	return i <= XC_SIZE_B5 ? xc_size_table[i] : XC_SIZE_BUCKETS - 1;
}

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define XC_V4MAPPED_W2 0xffff0000u /* bytes 00 00 ff ff */
#else
#define XC_V4MAPPED_W2 0x0000ffffu
#endif

/*
 * The outermost source/destination of an IP frame, v4-mapped for IPv4. The
 * bounds were checked by the parser; they are checked again here because the
 * verifier cannot tie them to the class bits, whatever the compiler emits.
 */
XC_INLINE void xc_pkt_addr(const struct xc_pkt *pkt, int dst,
			   struct xc_addr *out)
{
	const struct ipv6hdr *ip6h = (const void *)pkt->iph;
	const struct iphdr *iph = (const void *)pkt->iph;
	const struct in6_addr *a6;

	if (pkt->iph + (pkt->l3 == XC_L3_IPV4 ? sizeof(*iph) : sizeof(*ip6h)) > pkt->end) {
		__builtin_memset(out, 0, sizeof(*out));
		return;
	}
	if (pkt->l3 == XC_L3_IPV4) {
		out->w[0] = 0;
		out->w[1] = 0;
		out->w[2] = XC_V4MAPPED_W2;
		out->w[3] = dst ? iph->daddr : iph->saddr;
		return;
	}
	a6 = dst ? &ip6h->daddr : &ip6h->saddr;
	out->w[0] = a6->s6_addr32[0];
	out->w[1] = a6->s6_addr32[1];
	out->w[2] = a6->s6_addr32[2];
	out->w[3] = a6->s6_addr32[3];
}

#endif /* XDPCOUNT_PARSE_H */
