// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for prog/parse.h, built with ASan and UBSan: xc_parse over
 * each input as one frame. The input is copied into a heap buffer of exactly
 * its size (after XC_IP_ALIGN bytes), so any read outside [data, end) is an
 * ASan report. The result
 * must satisfy the contract's invariants and equal a plain reference reading
 * of the counting contract (README.md, "Counting semantics") written here,
 * apart from the parser.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "parse.h"

/* ---- the reference: the README's contract, read without the verifier's constraints ---- */

struct ref {
	int l3, l4; /* l4: XC_L4_MAX when not in l4 */
	bool vlan, malformed, nonfirst, ports, flow;
	int proto;
	unsigned int sport, dport;
	size_t iph; /* offset of the outermost IP header */
};

static unsigned int be16(const uint8_t *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

static bool is_tpid(unsigned int type)
{
	return type == 0x8100 || type == 0x88a8;
}

static bool is_ipv6_ext(int nh)
{
	return nh == 0 || nh == 43 || nh == 44 || nh == 60 || nh == 51;
}

static int l4_of(int proto)
{
	switch (proto) {
	case 6: return XC_L4_TCP;
	case 17: return XC_L4_UDP;
	case 1: return XC_L4_ICMP;
	case 58: return XC_L4_ICMPV6;
	default: return XC_L4_OTHER;
	}
}

/* The upper layer at off: its class; ports and a flow unless a later fragment. */
static void ref_upper(const uint8_t *f, size_t n, size_t off, struct ref *r)
{
	size_t need = r->proto == 6 ? 20 : r->proto == 17 ? 8 : 0;

	r->malformed = false;
	r->l4 = l4_of(r->proto);
	if (r->nonfirst)
		return;
	if (!need) {
		r->flow = true; /* zero ports */
		return;
	}
	if (off + need > n)
		return; /* TCP/UDP header cut: no port, no flow */
	r->ports = r->flow = true;
	r->sport = be16(f + off);
	r->dport = be16(f + off + 2);
}

static void ref_ipv4(const uint8_t *f, size_t n, size_t off, struct ref *r)
{
	size_t ihl;

	if (off + 20 > n || f[off] >> 4 != 4)
		return;
	ihl = (size_t)(f[off] & 0x0f) * 4;
	if (ihl < 20 || off + ihl > n)
		return;
	r->iph = off;
	r->proto = f[off + 9];
	r->nonfirst = (be16(f + off + 6) & 0x1fff) != 0;
	ref_upper(f, n, off + ihl, r);
}

static void ref_ipv6(const uint8_t *f, size_t n, size_t off, struct ref *r)
{
	size_t pos = off + 40, len;
	int nh, count;

	if (off + 40 > n || f[off] >> 4 != 6)
		return;
	r->iph = off;
	nh = f[off + 6];
	for (count = 0; is_ipv6_ext(nh); count++) {
		if (count == XC_MAX_EXTHDR || pos + 8 > n)
			return; /* a ninth header, or one past the end */
		if (nh == 44 && (be16(f + pos + 2) & 0xfff8)) {
			r->nonfirst = true; /* what follows is payload */
			nh = f[pos];
			pos += 8;
			break;
		}
		len = nh == 44 ? 8 : nh == 51 ? ((size_t)f[pos + 1] + 2) * 4 :
		      ((size_t)f[pos + 1] + 1) * 8;
		if (pos + len > n)
			return;
		nh = f[pos];
		pos += len;
	}
	r->proto = nh;
	ref_upper(f, n, pos, r);
}

static void ref_classify(const uint8_t *f, size_t n, struct ref *r)
{
	size_t off = 14;
	unsigned int type;

	memset(r, 0, sizeof(*r));
	r->l3 = XC_L3_OTHER;
	r->l4 = XC_L4_MAX;
	if (n < 14)
		return;
	type = be16(f + 12);
	r->vlan = is_tpid(type);
	for (int tags = 0; tags < XC_MAX_VLAN && is_tpid(type); tags++) {
		if (off + 4 > n)
			return;
		type = be16(f + off + 2);
		off += 4;
	}
	if (type == 0x0806) {
		r->l3 = XC_L3_ARP;
	} else if (type == 0x0800 || type == 0x86dd) {
		r->l3 = type == 0x0800 ? XC_L3_IPV4 : XC_L3_IPV6;
		r->malformed = true; /* until its header parses */
		if (type == 0x0800)
			ref_ipv4(f, n, off, r);
		else
			ref_ipv6(f, n, off, r);
	}
}

/* ---- the checks ---- */

static void fail(const char *what, const uint8_t *f, size_t n)
{
	fprintf(stderr, "fuzz_parse: %s (frame of %zu bytes)\n", what, n);
	(void)f;
	abort();
}

#define CHECK(cond, f, n) do { if (!(cond)) fail(#cond, f, n); } while (0)

/* What holds of any result, whatever the bytes. */
static void check_invariants(const uint8_t *f, size_t n, const struct xc_pkt *p)
{
	bool ip = p->l3 == XC_L3_IPV4 || p->l3 == XC_L3_IPV6;
	bool counted = p->l4 < XC_L4_MAX;
	bool tcpudp = p->l4 == XC_L4_TCP || p->l4 == XC_L4_UDP;

	CHECK(p->l3 < XC_L3_MAX && p->l4 <= XC_L4_MAX, f, n);
	CHECK(!p->malformed || ip, f, n);
	CHECK(counted == (ip && !p->malformed), f, n);
	CHECK(!p->ports || (tcpudp && !p->nonfirst && p->flow), f, n);
	CHECK(!p->flow || (counted && !p->nonfirst), f, n);
	CHECK(p->ports || (!p->sport && !p->dport), f, n);
	CHECK(!counted || p->nonfirst || tcpudp || p->flow, f, n);
	CHECK(!tcpudp || p->flow == p->ports, f, n);
	if (counted) {
		size_t hlen = p->l3 == XC_L3_IPV4 ? 20 : 40;

		CHECK(p->iph >= f + 14 && p->iph + hlen <= f + n, f, n);
		CHECK(*p->iph >> 4 == (p->l3 == XC_L3_IPV4 ? 4 : 6), f, n);
	}
	CHECK(p->vlan == (n >= 14 && is_tpid(be16(f + 12))), f, n);
}

static void check_reference(const uint8_t *f, size_t n, const struct xc_pkt *p)
{
	struct ref r;

	ref_classify(f, n, &r);
	CHECK(p->l3 == r.l3 && p->l4 == r.l4, f, n);
	CHECK(p->vlan == r.vlan && p->malformed == r.malformed, f, n);
	if (p->l4 == XC_L4_MAX)
		return;
	CHECK(p->proto == r.proto && p->nonfirst == r.nonfirst, f, n);
	CHECK(p->ports == r.ports && p->flow == r.flow, f, n);
	CHECK(p->sport == r.sport && p->dport == r.dport, f, n);
	CHECK((size_t)(p->iph - f) == r.iph, f, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Exactly sized, so ASan guards its end; placed as the kernel places frames. */
	uint8_t *buf = malloc(XC_IP_ALIGN + size), *frame = buf + XC_IP_ALIGN;
	struct xc_pkt pkt;

	if (!buf)
		return 0;
	memcpy(frame, data, size);
	xc_parse(frame, frame + size, &pkt);
	check_invariants(frame, size, &pkt);
	check_reference(frame, size, &pkt);
	free(buf);
	return 0;
}
