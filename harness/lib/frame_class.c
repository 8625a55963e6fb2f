// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A frame's class from a probe, from the user-space parser, and as text. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include "frame_class.h"

/* The one index of pbs[0..n) that moved by exactly one frame of len bytes; -1: none. */
static int moved_one(const struct xc_pb *pbs, int n, size_t len, const char *what,
		     char *why, size_t why_len, bool *ok)
{
	int found = -1;

	for (int i = 0; i < n; i++) {
		if (!pbs[i].packets && !pbs[i].bytes)
			continue;
		if (found >= 0 || pbs[i].packets != 1 || pbs[i].bytes != len) {
			snprintf(why, why_len, "%s[%d] moved by %llu packets, %llu bytes",
				 what, i, (unsigned long long)pbs[i].packets,
				 (unsigned long long)pbs[i].bytes);
			*ok = false;
		}
		found = i;
	}
	return found;
}

bool xt_class_of_probe(const struct xc_probe *p, size_t len, struct xt_class *c,
		       char *why, size_t why_len)
{
	const struct xc_counters *d = &p->delta;
	struct xc_pb l4[XC_L4_MAX + 1];
	bool ok = true;

	memset(c, 0, sizeof(*c));
	memcpy(l4, d->l4, sizeof(d->l4));
	l4[XC_L4_MAX] = d->no_l4;
	if (moved_one(&d->total, 1, len, "total", why, why_len, &ok) != 0) {
		snprintf(why, why_len, "total did not move by one frame of %zu bytes", len);
		ok = false;
	}
	c->l3 = moved_one(d->l3, XC_L3_MAX, len, "l3", why, why_len, &ok);
	c->l4 = moved_one(l4, XC_L4_MAX + 1, len, "l4", why, why_len, &ok);
	if (c->l4 == XC_L4_MAX)
		c->l4 = -1;
	c->malformed = moved_one(&d->malformed, 1, len, "malformed", why, why_len, &ok) == 0;
	c->vlan = moved_one(&d->vlan, 1, len, "vlan", why, why_len, &ok) == 0;
	moved_one(d->sizes, XC_SIZE_BUCKETS, len, "sizes", why, why_len, &ok);
	if (ok && (c->l3 < 0 || (c->l4 < 0 && d->no_l4.packets != 1))) {
		snprintf(why, why_len, "no l3 or l4 class moved");
		ok = false;
	}
	c->source = p->source;
	c->port = p->port;
	c->flow = p->flow;
	return ok;
}

void xt_class_of_pkt(const struct xc_pkt *pkt, __u32 features, struct xt_class *c)
{
	bool counted = pkt->l4 < XC_L4_MAX;

	memset(c, 0, sizeof(*c));
	c->l3 = pkt->l3;
	c->l4 = counted ? pkt->l4 : -1;
	c->malformed = pkt->malformed;
	c->vlan = pkt->vlan;
	c->source = counted && (features & XC_F_SOURCES);
	c->flow = counted && pkt->flow && (features & XC_F_FLOWS);
	c->port = counted && pkt->ports && (features & XC_F_PORTS);
}

bool xt_class_eq(const struct xt_class *a, const struct xt_class *b)
{
	return a->l3 == b->l3 && a->l4 == b->l4 && a->malformed == b->malformed &&
	       a->vlan == b->vlan && a->source == b->source && a->port == b->port &&
	       a->flow == b->flow;
}

const char *xt_class_str(const struct xt_class *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s%s%s%s",
		 c->l3 >= 0 && c->l3 < XC_L3_MAX ? xc_l3_names[c->l3] : "?",
		 c->l4 >= 0 ? "/" : "", c->l4 >= 0 && c->l4 < XC_L4_MAX ? xc_l4_names[c->l4] : "",
		 c->malformed ? " malformed" : "", c->vlan ? " vlan" : "",
		 c->source ? " source" : "", c->port ? " port" : "", c->flow ? " flow" : "");
	return buf;
}

/* The flow key the program records for a parsed frame. */
static void pkt_flow_key(const struct xc_pkt *pkt, struct xc_flow_key *k)
{
	memset(k, 0, sizeof(*k));
	xc_pkt_addr(pkt, 0, &k->src);
	xc_pkt_addr(pkt, 1, &k->dst);
	k->sport = pkt->sport;
	k->dport = pkt->dport;
	k->proto = pkt->proto;
	k->kind = XC_KEY_FLOW;
}

bool xt_probe_keys_match(const struct xc_probe *p, const struct xc_pkt *pkt,
			 char *why, size_t why_len)
{
	struct xc_flow_key want;
	struct xc_addr src;

	if (pkt->l4 >= XC_L4_MAX)
		return true; /* no keys: the class says whether any were made */
	xc_pkt_addr(pkt, 0, &src);
	if (p->source && memcmp(&p->src, &src, sizeof(src))) {
		snprintf(why, why_len, "the source entry is not the frame's source address");
		return false;
	}
	pkt_flow_key(pkt, &want);
	if (p->flow && memcmp(&p->flow_key, &want, sizeof(want))) {
		snprintf(why, why_len,
			 "flow key sport %u dport %u proto %u, parser: %u %u %u (or addresses differ)",
			 p->flow_key.sport, p->flow_key.dport, p->flow_key.proto,
			 want.sport, want.dport, want.proto);
		return false;
	}
	return true;
}

void xt_probe_config(struct xc_config *cfg)
{
	xc_config_default(cfg);
	cfg->features = XC_F_SOURCES | XC_F_PORTS | XC_F_FLOWS;
	cfg->cache_entries = 8; /* a probe reads the whole cache */
}

int xt_diff_frame(struct xc_counter *xc, const __u8 *frame, size_t len,
		  char *why, size_t why_len)
{
	size_t seen = len < XT_TEST_RUN_LINEAR ? len : XT_TEST_RUN_LINEAR;
	/* Exactly sized, and placed as the kernel places frames (XC_IP_ALIGN). */
	__u8 *buf = malloc(XC_IP_ALIGN + seen), *copy = buf + XC_IP_ALIGN;
	struct xt_class got, want;
	struct xc_probe probe;
	struct xc_pkt pkt;
	char gs[96], ws[96];
	int err, differ = 1;

	if (!buf)
		return -ENOMEM;
	err = xc_counter_probe(xc, frame, len, NULL, 0, &probe);
	if (err)
		goto out;
	memcpy(copy, frame, seen);
	xc_parse(copy, copy + seen, &pkt);
	xt_class_of_pkt(&pkt, xc_counter_config(xc)->features, &want);
	if (!xt_class_of_probe(&probe, len, &got, why, why_len))
		goto out;
	if (!xt_class_eq(&got, &want)) {
		snprintf(why, why_len, "program: %s; user-space parser: %s",
			 xt_class_str(&got, gs, sizeof(gs)), xt_class_str(&want, ws, sizeof(ws)));
		goto out;
	}
	if (probe.retval != XDP_PASS) {
		snprintf(why, why_len, "action %u, want XDP_PASS", probe.retval);
		goto out;
	}
	differ = !xt_probe_keys_match(&probe, &pkt, why, why_len);
out:
	free(buf);
	return err ? err : differ;
}
