// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * One counter on two interfaces at once. The second veth pair is joined to
 * the first one's namespace, so both counted ends live where the counter is
 * attached. Each peer sends a different fixture as live frames: each
 * interface must count exactly its own fixture, and the total their sum.
 */
#include <criterion/criterion.h>
#include "capture.h"
#include "checks.h"
#include "clock.h"
#include "fixtures.h"
#include "program.h"
#include "testnet.h"

static struct xt_net net1, net2;
static struct xc_counter *xc, *gen;

static void teardown(void)
{
	xc_counter_close(gen);
	xc_counter_close(xc);
	gen = xc = NULL;
	xt_net_destroy(&net2);
	xt_net_destroy(&net1);
}

TestSuite(live_ifaces, .fini = teardown, .timeout = 60);

static void expect_iface(const char *what, const struct xc_snapshot *s, int ifindex,
			 const struct xc_counters *want)
{
	const struct xc_counters *c = xc_snapshot_iface(s, (__u32)ifindex);

	cr_expect(c, "%s: ifindex %d was not counted", what, ifindex);
	if (c)
		xt_expect_counters_eq(what, c, want);
}

static void two(enum xc_mode mode1, enum xc_mode mode2)
{
	struct xt_expect e1, e2;
	struct xc_counters sum;
	struct xc_snapshot s;
	unsigned long n1, n2;
	char what[96];

	xt_expect_load(&e1, "mix", "mix.pcap");
	xt_expect_load(&e2, "l3_classes", "l3_classes.pcap");
	xt_net_create_or_fail(&net1, "i", 0);
	xt_net_join_or_fail(&net2, &net1, "j");
	xt_net_silent(&net1);
	xt_net_silent(&net2);
	xt_net_gro(net1.ns_a, net1.if_a);
	xt_net_gro(net2.ns_a, net2.if_a);
	xc = xt_counter(XDP_PASS);
	gen = xt_counter(XDP_TX);
	xt_attach(xc, net1.ns_a, net1.ifindex_a, mode1);
	xt_attach(xc, net2.ns_a, net2.ifindex_a, mode2);
	n1 = xt_send_capture(gen, net1.ns_b, net1.ifindex_b, e1.path, xc, 0);
	n2 = xt_send_capture(gen, net2.ns_b, net2.ifindex_b, e2.path, xc, n1);
	cr_expect(xt_wait_total(xc, n1 + n2, 5000), "not every frame arrived within 5 s");
	xt_sleep_ms(200);
	xt_snapshot(xc, &s);
	snprintf(what, sizeof(what), "%s on %s (%s)", e1.name, net1.if_a, xc_mode_name(mode1));
	expect_iface(what, &s, net1.ifindex_a, &e1.c);
	snprintf(what, sizeof(what), "%s on %s (%s)", e2.name, net2.if_a, xc_mode_name(mode2));
	expect_iface(what, &s, net2.ifindex_a, &e2.c);
	XT_EXPECT_EQ(s.n_ifaces, 2, "interfaces counted");
	sum = e1.c;
	xc_counters_add(&sum, &e2.c);
	xt_expect_counters_eq("the total of both interfaces", &s.total, &sum);
	xc_snapshot_free(&s);
	xt_expect_free(&e1);
	xt_expect_free(&e2);
}

Test(live_ifaces, both_native)
{
	two(XC_MODE_NATIVE, XC_MODE_NATIVE);
}

Test(live_ifaces, native_and_generic)
{
	two(XC_MODE_NATIVE, XC_MODE_GENERIC);
}
