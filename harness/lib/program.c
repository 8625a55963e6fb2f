// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The program under test: opened, attached, read, and looked up in. */
#include <errno.h>
#include <string.h>
#include <criterion/criterion.h>
#include "checks.h"
#include "clock.h"
#include "json.h"
#include "program.h"
#include "testnet.h"

static struct xc_counter *open_exactly(const struct xc_config *cfg)
{
	struct xc_counter *xc = NULL;
	int err = xc_counter_open(cfg, &xc);

	XT_ASSERT_EQ(err, 0, "xc_counter_open (features 0x%x): %s", cfg->features, strerror(-err));
	return xc;
}

struct xc_counter *xt_open(const struct xc_config *cfg)
{
	struct xc_config def;

	if (cfg)
		def = *cfg;
	else
		xc_config_default(&def);
	def.wire_lengths = true;
	return open_exactly(&def);
}

/* The configuration the CLI attaches: no wire lengths from metadata. */
struct xc_counter *xt_counter(__u32 action)
{
	struct xc_config cfg;

	xc_config_default(&cfg);
	cfg.action = action;
	return open_exactly(&cfg);
}

void xt_attach(struct xc_counter *xc, const char *ns, int ifindex, enum xc_mode mode)
{
	int saved = xt_net_enter_or_fail(ns), err;

	err = xc_counter_attach(xc, ifindex, mode, NULL);
	xt_net_leave_or_fail(saved);
	XT_ASSERT_EQ(err, 0, "attaching in %s mode to ifindex %d in %s: %s", xc_mode_name(mode),
		     ifindex, ns, strerror(-err));
}

void xt_snapshot(struct xc_counter *xc, struct xc_snapshot *s)
{
	int err = xc_counter_snapshot(xc, s);

	XT_ASSERT_EQ(err, 0, "xc_counter_snapshot: %s", strerror(-err));
}

bool xt_wait_total(struct xc_counter *xc, unsigned long long packets, int timeout_ms)
{
	long long start = xt_now_ms();
	struct xc_counters c;

	do {
		XT_ASSERT_EQ(xc_counter_totals(xc, &c), 0, "reading the totals");
		if (c.total.packets >= packets)
			return true;
		xt_sleep_ms(2);
	} while (xt_now_ms() - start < timeout_ms);
	return false;
}

const struct xc_flow *xt_find_flow(const struct xc_snapshot *s, const char *src,
				   const char *dst, __u16 sport, __u16 dport, __u8 proto)
{
	struct xc_addr sa, da;

	xt_addr_parse("flow source", src, &sa);
	xt_addr_parse("flow destination", dst, &da);
	for (size_t i = 0; i < s->n_flows; i++) {
		const struct xc_flow_key *k = &s->flows[i].key;

		if (!memcmp(&k->src, &sa, sizeof(sa)) && !memcmp(&k->dst, &da, sizeof(da)) &&
		    k->sport == sport && k->dport == dport && k->proto == proto)
			return &s->flows[i];
	}
	return NULL;
}

const struct xc_port *xt_find_port(const struct xc_snapshot *s, __u8 proto, __u16 port)
{
	for (size_t i = 0; i < s->n_ports; i++)
		if (s->ports[i].proto == proto && s->ports[i].port == port)
			return &s->ports[i];
	return NULL;
}

__u32 xt_xdp_prog_on(const char *ns, int ifindex, char *name, size_t len)
{
	int saved = xt_net_enter_or_fail(ns);
	__u32 id = 0;

	xc_xdp_query(ifindex, &id, name, len);
	xt_net_leave_or_fail(saved);
	return id;
}

/* Links are released after their process: the kernel may take a moment. */
void xt_expect_detached(const char *what, const char *ns, int ifindex)
{
	char name[64];
	__u32 id = 0;

	for (int i = 0; i < 200; i++) {
		id = xt_xdp_prog_on(ns, ifindex, name, sizeof(name));
		if (!id)
			break;
		xt_sleep_ms(10);
	}
	XT_EXPECT_EQ(id, 0, "%s: the id of the program still attached (%s)", what,
		     id ? name : "none");
}
