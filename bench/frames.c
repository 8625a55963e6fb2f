// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The benchmark's fixture frames, one per class, built header by header. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "bench.h"
#include "netns.h"

#define ETH_P_IPV4 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_ARP 0x0806
#define ETH_P_8021Q 0x8100
#define MIN_FRAME 60  /* Ethernet minimum without FCS */
#define PAYLOAD 18    /* makes the plain IPv4 frames exactly MIN_FRAME */
#define UDP_PORT 9    /* discard */

static const __u8 mac_a[6] = { 2, 0, 0, 0, 0, 1 };
static const __u8 mac_b[6] = { 2, 0, 0, 0, 0, 2 };

/* A frame being built: where the IP and transport headers start. */
struct fb {
	struct bench_frame *f;
	size_t l3, l4;
	int family;
};

static __u8 *put(struct fb *b, size_t n)
{
	__u8 *p = b->f->data + b->f->len;

	memset(p, 0, n);
	b->f->len += n;
	return p;
}

static void put16(__u8 *p, __u16 v)
{
	p[0] = (__u8)(v >> 8);
	p[1] = (__u8)v;
}

static void put_eth(struct fb *b, const __u8 *dst, const __u8 *src, __u16 type)
{
	__u8 *p = put(b, 14);

	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	put16(p + 12, type);
}

/* One 802.1Q tag after an Ethernet header whose type was ETH_P_8021Q. */
static void put_vlan(struct fb *b, __u16 vid, __u16 type)
{
	__u8 *p = put(b, 4);

	put16(p, vid);
	put16(p + 2, type);
}

/* An IPv4 or IPv6 header from B to A (the addresses of netns.h). */
static void put_ip(struct fb *b, int family, __u8 proto)
{
	bool v4 = family == 4;
	size_t saddr = v4 ? 12 : 8, alen = v4 ? 4 : 16;
	int af = v4 ? AF_INET : AF_INET6;
	__u8 *p;

	b->l3 = b->f->len;
	b->family = family;
	p = put(b, v4 ? 20 : 40);
	p[0] = v4 ? 0x45 : 0x60;
	p[v4 ? 8 : 7] = 64; /* TTL, hop limit */
	p[v4 ? 9 : 6] = proto;
	inet_pton(af, v4 ? XT_NET_IP4_B : XT_NET_IP6_B, p + saddr);
	inet_pton(af, v4 ? XT_NET_IP4_A : XT_NET_IP6_A, p + saddr + alen);
	b->f->src_off = b->l3 + saddr + alen - 4;
}

/* An 8-byte extension header: options padded with PadN, or an empty route. */
static void put_exthdr(struct fb *b, bool routing, __u8 nh)
{
	__u8 *p = put(b, 8);

	p[0] = nh;
	if (!routing) {
		p[2] = 1; /* PadN */
		p[3] = 4;
	}
}

/* A transport header of n bytes that starts with the two ports. */
static __u8 *put_ports(struct fb *b, size_t n, __u16 sport, __u16 dport)
{
	__u8 *p;

	b->l4 = b->f->len;
	p = put(b, n);
	put16(p, sport);
	put16(p + 2, dport);
	return p;
}

static void put_udp(struct fb *b)
{
	put_ports(b, 8, 40000, UDP_PORT);
	put(b, PAYLOAD);
}

static void put_tcp(struct fb *b)
{
	__u8 *p = put_ports(b, 20, 40000, 80);

	p[12] = 5 << 4; /* data offset */
	p[13] = 0x02;   /* SYN */
	put16(p + 14, 65535);
}

static __u16 csum(const __u8 *p, size_t n)
{
	__u32 s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (__u32)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (__u32)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

static void put_icmp_echo(struct fb *b)
{
	__u8 *p;

	b->l4 = b->f->len;
	p = put(b, 8);
	p[0] = 8; /* echo request */
	put16(p + 4, 0x4242);
	put16(p + 6, 1);
	put(b, PAYLOAD);
	put16(p + 2, csum(p, 8 + PAYLOAD));
}

static void put_arp_request(struct fb *b, const __u8 *sha)
{
	__u8 *p = put(b, 28);

	put16(p, 1);          /* Ethernet */
	put16(p + 2, ETH_P_IPV4);
	p[4] = 6;
	p[5] = 4;
	put16(p + 6, 1);      /* request */
	memcpy(p + 8, sha, 6);
	inet_pton(AF_INET, XT_NET_IP4_B, p + 14);
	inet_pton(AF_INET, XT_NET_IP4_A, p + 24);
}

/* Lengths and checksums, then Ethernet padding. */
static void finish(struct fb *b)
{
	struct bench_frame *f = b->f;
	__u8 *ip = f->data + b->l3;

	if (b->family == 4) {
		put16(ip + 2, (__u16)(f->len - b->l3));
		put16(ip + 10, csum(ip, 20));
	} else if (b->family == 6) {
		put16(ip + 4, (__u16)(f->len - b->l3 - 40));
	}
	if (b->l4 && (f->l4 == XC_L4_UDP))
		put16(f->data + b->l4 + 4, (__u16)(f->len - b->l4));
	if (f->len < MIN_FRAME)
		put(b, MIN_FRAME - f->len);
}

/* The headers after Ethernet, outermost first; each names the next. */
enum layer { END, VLAN, IPV4, IPV6, HOPOPTS, DSTOPTS, ROUTING, UDP, TCP, ICMP, ARP };

/* A fixture as data: what it is, and the headers that make it. */
struct spec {
	const char *name, *label;
	int l3, l4;
	bool vlan;
	enum layer layers[6];
};

static const struct spec classes[BC_MAX] = {
	[BC_UDP4] = { "udp4", "UDP4", XC_L3_IPV4, XC_L4_UDP, false, { IPV4, UDP } },
	[BC_TCP4] = { "tcp4", "TCP4", XC_L3_IPV4, XC_L4_TCP, false, { IPV4, TCP } },
	[BC_ICMP] = { "icmp", "ICMP", XC_L3_IPV4, XC_L4_ICMP, false, { IPV4, ICMP } },
	[BC_UDP6_EXT] = { "udp6_ext", "UDP6+ext", XC_L3_IPV6, XC_L4_UDP, false,
			  { IPV6, HOPOPTS, DSTOPTS, ROUTING, UDP } },
	[BC_VLAN] = { "vlan", "VLAN", XC_L3_IPV4, XC_L4_UDP, true, { VLAN, IPV4, UDP } },
	[BC_ARP] = { "arp", "ARP", XC_L3_ARP, XC_L4_MAX, false, { ARP } },
};

static const struct spec udp6 = {
	"udp6", "UDP6", XC_L3_IPV6, XC_L4_UDP, false, { IPV6, UDP },
};

static __u16 ethertype(enum layer l)
{
	return l == VLAN ? ETH_P_8021Q : l == IPV6 ? ETH_P_IPV6 :
	       l == ARP ? ETH_P_ARP : ETH_P_IPV4;
}

static __u8 ipproto(enum layer l)
{
	static const __u8 proto[] = {
		[HOPOPTS] = 0, [DSTOPTS] = 60, [ROUTING] = 43,
		[UDP] = 17, [TCP] = 6, [ICMP] = 1,
	};

	return proto[l];
}

static void put_layer(struct fb *b, enum layer l, enum layer next,
		      const __u8 *src)
{
	switch (l) {
	case VLAN:
		put_vlan(b, 100, ethertype(next));
		break;
	case IPV4:
	case IPV6:
		put_ip(b, l == IPV4 ? 4 : 6, ipproto(next));
		break;
	case HOPOPTS:
	case DSTOPTS:
	case ROUTING:
		put_exthdr(b, l == ROUTING, ipproto(next));
		break;
	case UDP:
		put_udp(b);
		break;
	case TCP:
		put_tcp(b);
		break;
	case ICMP:
		put_icmp_echo(b);
		break;
	case ARP:
		put_arp_request(b, src);
		break;
	case END:
		break;
	}
}

static void build(struct bench_frame *f, const struct spec *sp,
		  const __u8 *dst, const __u8 *src)
{
	struct fb b = { .f = f };

	memset(f, 0, sizeof(*f));
	f->name = sp->name;
	f->label = sp->label;
	f->l3 = sp->l3;
	f->l4 = sp->l4;
	f->vlan = sp->vlan;
	f->ports = sp->l4 == XC_L4_UDP || sp->l4 == XC_L4_TCP;
	put_eth(&b, dst, src, ethertype(sp->layers[0]));
	for (size_t i = 0; sp->layers[i] != END; i++)
		put_layer(&b, sp->layers[i], sp->layers[i + 1], src);
	finish(&b);
}

void bench_frames(struct bench_frame f[BC_MAX])
{
	for (int c = 0; c < BC_MAX; c++)
		build(&f[c], &classes[c], mac_a, mac_b);
}

static int parse_mac(const char *s, __u8 *mac)
{
	unsigned int m[6];

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4],
		   &m[5]) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (__u8)m[i];
	return 0;
}

int bench_frame_live(struct bench_frame *f, const char *mac_dst,
		     const char *mac_src)
{
	__u8 dst[6], src[6];

	if (parse_mac(mac_dst, dst) || parse_mac(mac_src, src))
		return -EINVAL;
	build(f, &classes[BC_UDP4], dst, src);
	return 0;
}

void bench_frame_udp6(struct bench_frame *f)
{
	build(f, &udp6, mac_a, mac_b);
}

/* Source 2001:db8::N: distinct sources (and so flows) stay in the prefix. */
void bench_frame_source(struct bench_frame *f, __u32 n)
{
	__u8 *p = f->data + f->src_off;

	p[0] = (__u8)(n >> 24);
	p[1] = (__u8)(n >> 16);
	p[2] = (__u8)(n >> 8);
	p[3] = (__u8)n;
}

static int check_one(struct xc_counter *xc, const struct bench_frame *f)
{
	struct xc_snapshot s;
	const struct xc_counters *c = &s.total;
	__u64 l4;
	int err;

	err = xc_counter_reset(xc);
	err = err ?: xc_counter_run(xc, f->data, f->len, NULL, NULL, 0, NULL);
	err = err ?: xc_counter_snapshot(xc, &s);
	if (err)
		return err;
	l4 = f->l4 < XC_L4_MAX ? c->l4[f->l4].packets : c->no_l4.packets;
	if (c->total.packets != 1 || c->l3[f->l3].packets != 1 || l4 != 1 ||
	    c->vlan.packets != f->vlan || s.n_ports != f->ports ||
	    c->malformed.packets) {
		fprintf(stderr, "bench: frame %s is not counted as what it was "
			"built to be (total %llu l3 %llu l4 %llu vlan %llu ports %zu)\n",
			f->name, (unsigned long long)c->total.packets,
			(unsigned long long)c->l3[f->l3].packets,
			(unsigned long long)l4, (unsigned long long)c->vlan.packets,
			s.n_ports);
		err = -EPROTO;
	}
	xc_snapshot_free(&s);
	return err;
}

int bench_frames_check(const struct bench_frame *f, size_t n)
{
	struct xc_counter *xc;
	struct xc_config cfg;
	int err;

	xc_config_default(&cfg);
	err = xc_counter_open(&cfg, &xc);
	for (size_t i = 0; i < n && !err; i++)
		err = check_one(xc, &f[i]);
	xc_counter_close(xc);
	return err;
}
