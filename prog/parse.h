/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Bounds-checked header parsing for xdpcount.
 *
 * Plain C: the XDP program and user space (fuzzer, differential checks) compile
 * the same code. Every read is preceded by a check against `end`, in the shape
 * the verifier accepts. The parser classifies a frame by the counting contract
 * in the README ("Counting semantics") and leaves pointers to what the counting code may need.
 */
#ifndef XDPCOUNT_PARSE_H
#define XDPCOUNT_PARSE_H

#include <linux/types.h>
#include "xdpcount.h"

#ifndef XC_INLINE
#define XC_INLINE static inline __attribute__((always_inline))
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define xc_ntohs(x) __builtin_bswap16(x)
#else
#define xc_ntohs(x) (x)
#endif

#define XC_ETH_HLEN 14
#define XC_VLAN_HLEN 4
#define XC_MAX_VLAN 2
#define XC_MAX_EXTHDR 8

#define XC_ETH_P_IP 0x0800
#define XC_ETH_P_ARP 0x0806
#define XC_ETH_P_IPV6 0x86DD
#define XC_ETH_P_8021Q 0x8100
#define XC_ETH_P_8021AD 0x88A8

#define XC_IPPROTO_HOPOPTS 0
#define XC_IPPROTO_ICMP 1
#define XC_IPPROTO_TCP 6
#define XC_IPPROTO_UDP 17
#define XC_IPPROTO_ROUTING 43
#define XC_IPPROTO_FRAGMENT 44
#define XC_IPPROTO_AH 51
#define XC_IPPROTO_ICMPV6 58
#define XC_IPPROTO_DSTOPTS 60

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

XC_INLINE __u16 xc_load_be16(const __u8 *p)
{
	return (__u16)((__u16)p[0] << 8 | p[1]);
}

XC_INLINE __u8 xc_l4_class(__u8 proto)
{
	switch (proto) {
	case XC_IPPROTO_TCP:
		return XC_L4_TCP;
	case XC_IPPROTO_UDP:
		return XC_L4_UDP;
	case XC_IPPROTO_ICMP:
		return XC_L4_ICMP;
	case XC_IPPROTO_ICMPV6:
		return XC_L4_ICMPV6;
	default:
		return XC_L4_OTHER;
	}
}

XC_INLINE int xc_is_exthdr(__u8 nh)
{
	return nh == XC_IPPROTO_HOPOPTS || nh == XC_IPPROTO_ROUTING ||
	       nh == XC_IPPROTO_FRAGMENT || nh == XC_IPPROTO_DSTOPTS ||
	       nh == XC_IPPROTO_AH;
}

/* Ports of a complete TCP (20 bytes) or UDP (8 bytes) header at l4. */
XC_INLINE void xc_parse_ports(const __u8 *l4, const __u8 *end,
			      struct xc_pkt *pkt)
{
	if (pkt->proto == XC_IPPROTO_TCP) {
		if (l4 + 20 > end)
			return;
	} else if (pkt->proto == XC_IPPROTO_UDP) {
		if (l4 + 8 > end)
			return;
	} else {
		pkt->flow = 1; /* ICMP and others: a flow with zero ports */
		return;
	}
	pkt->sport = xc_load_be16(l4);
	pkt->dport = xc_load_be16(l4 + 2);
	pkt->ports = 1;
	pkt->flow = 1;
}

XC_INLINE void xc_l4_done(const __u8 *l4, const __u8 *end, struct xc_pkt *pkt)
{
	pkt->l4 = xc_l4_class(pkt->proto);
	if (!pkt->nonfirst)
		xc_parse_ports(l4, end, pkt);
}

XC_INLINE void xc_parse_ipv4(const __u8 *data, __u32 off, const __u8 *end,
			     struct xc_pkt *pkt)
{
	const __u8 *pos = data + off;
	__u32 hlen;

	pkt->malformed = 1;
	if (pos + 20 > end)
		return;
	if ((pos[0] >> 4) != 4)
		return;
	hlen = (pos[0] & 0x0f) * 4;
	if (hlen < 20)
		return;
	if (pos + hlen > end)
		return;
	pkt->malformed = 0;
	pkt->iph = pos;
	pkt->proto = pos[9];
	pkt->nonfirst = (xc_load_be16(pos + 6) & 0x1fff) != 0;
	xc_l4_done(pos + hlen, end, pkt);
}

/* Length of the extension header at pos, whose type is nh (8 bytes readable). */
XC_INLINE __u32 xc_exthdr_len(const __u8 *pos, __u8 nh)
{
	if (nh == XC_IPPROTO_FRAGMENT)
		return 8;
	if (nh == XC_IPPROTO_AH)
		return ((__u32)pos[1] + 2) * 4;
	return ((__u32)pos[1] + 1) * 8;
}

/*
 * Offsets into the frame never exceed this (22 + 40 + 8 * 2048 bytes); masking
 * with it tells the verifier so, and makes every path through the extension
 * walk end in the same state, which keeps verification linear in the bound.
 */
#define XC_OFF_MASK 0x7fff

/*
 * The verifier tracks each path's offset range exactly, so paths through the
 * extension walk never compare equal and their number grows as 3^depth. A
 * division by one, which it does not track, forgets that history; the bound
 * check after it gives every path the same state. Elsewhere it is nothing.
 */
XC_INLINE __u64 xc_forget(__u64 off)
{
#ifdef __bpf__
	__u64 one = 1;

	asm volatile("%0 /= %1" : "+r"(off) : "r"(one));
#endif
	return off;
}

XC_INLINE void xc_parse_ipv6(const __u8 *data, __u64 off, const __u8 *end,
			     struct xc_pkt *pkt)
{
	const __u8 *pos = data + off;
	__u8 nh;
	int i;

	pkt->malformed = 1;
	if (pos + 40 > end)
		return;
	if ((pos[0] >> 4) != 6)
		return;
	pkt->iph = pos;
	nh = pos[6];
	off += 40;
	for (i = 0; i < XC_MAX_EXTHDR; i++) {
		if (!xc_is_exthdr(nh))
			break;
		off = xc_forget(off);
		if (off > XC_OFF_MASK)
			return;
		pos = data + off;
		if (pos + 8 > end)
			return;
		if (nh == XC_IPPROTO_FRAGMENT &&
		    (xc_load_be16(pos + 2) & 0xfff8) != 0) {
			/* What follows a non-first fragment is payload. */
			pkt->nonfirst = 1;
			nh = pos[0];
			off += 8;
			goto upper;
		}
		__u32 len = xc_exthdr_len(pos, nh);

		if (pos + len > end)
			return;
		nh = pos[0];
		off += len;
	}
	if (xc_is_exthdr(nh))
		return; /* longer chain than the bound */
upper:
	off &= XC_OFF_MASK; /* no-op but for the verifier: paths already merged above */
	pkt->malformed = 0;
	pkt->proto = nh;
	xc_l4_done(data + off, end, pkt);
}

/* Classify one frame of [data, end). Never reads outside it. */
XC_INLINE void xc_parse(const void *data, const void *data_end,
			struct xc_pkt *pkt)
{
	const __u8 *base = data, *end = data_end;
	__u32 off = XC_ETH_HLEN;
	__u16 type;
	int i;

	__builtin_memset(pkt, 0, sizeof(*pkt));
	pkt->l3 = XC_L3_OTHER;
	pkt->l4 = XC_L4_MAX;
	pkt->iph = base;
	pkt->end = end;
	if (base + XC_ETH_HLEN > end)
		return;
	type = xc_load_be16(base + 12);
	if (type == XC_ETH_P_8021Q || type == XC_ETH_P_8021AD)
		pkt->vlan = 1;
	for (i = 0; i < XC_MAX_VLAN; i++) {
		if (type != XC_ETH_P_8021Q && type != XC_ETH_P_8021AD)
			break;
		if (base + off + XC_VLAN_HLEN > end)
			return;
		type = xc_load_be16(base + off + 2);
		off += XC_VLAN_HLEN;
	}
	switch (type) {
	case XC_ETH_P_IP:
		pkt->l3 = XC_L3_IPV4;
		xc_parse_ipv4(base, off, end, pkt);
		break;
	case XC_ETH_P_IPV6:
		pkt->l3 = XC_L3_IPV6;
		xc_parse_ipv6(base, off, end, pkt);
		break;
	case XC_ETH_P_ARP:
		pkt->l3 = XC_L3_ARP;
		break;
	}
}

/* 1 when len > bound, without a branch (len < 2^63). */
#define XC_ABOVE(len, bound) (((__u64)(bound) - (len)) >> 63)

/* RMON bucket of a frame length: the number of bounds it exceeds. */
XC_INLINE __u32 xc_size_bucket(__u64 len)
{
	return (__u32)(XC_ABOVE(len, 64) + XC_ABOVE(len, 127) +
		       XC_ABOVE(len, 255) + XC_ABOVE(len, 511) +
		       XC_ABOVE(len, 1023) + XC_ABOVE(len, 1518));
}

/*
 * Four bytes of packet data as they are. Unaligned loads are cheap where XDP
 * runs, and the verifier allows them on packet data; user space (and its
 * sanitizers) gets memcpy.
 */
XC_INLINE __u32 xc_load32(const __u8 *p)
{
#ifdef __bpf__
	return *(const __u32 *)p;
#else
	__u32 v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
#endif
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
	const __u8 *iph = pkt->iph;

	if (iph + (pkt->l3 == XC_L3_IPV4 ? 20 : 40) > pkt->end) {
		__builtin_memset(out, 0, sizeof(*out));
		return;
	}
	if (pkt->l3 == XC_L3_IPV4) {
		out->w[0] = 0;
		out->w[1] = 0;
		out->w[2] = XC_V4MAPPED_W2;
		out->w[3] = xc_load32(iph + (dst ? 16 : 12));
		return;
	}
	iph += dst ? 24 : 8;
	out->w[0] = xc_load32(iph);
	out->w[1] = xc_load32(iph + 4);
	out->w[2] = xc_load32(iph + 8);
	out->w[3] = xc_load32(iph + 12);
}

#endif /* XDPCOUNT_PARSE_H */
