// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Per-interface counting: each interface gets its own slot of the counters
 * array when first used, whatever its ifindex (ifindexes equal modulo the
 * slot count included), and when the slots run out its frames count in the
 * totals and as unrecorded by interfaces. Frames are test-run as if they
 * arrived on bridge devices made in a namespace of this test's own.
 */
#include <criterion/criterion.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include "checks.h"
#include "netns.h"
#include "program.h"

static struct xt_net net;
static int saved_ns = -1;

/* An IPv4 UDP frame of 60 bytes: what it is does not matter here. */
static const __u8 frame[60] = {
	0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,
	0x45, 0, 0, 46, 0, 0, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2,
	0x30, 0x39, 0x00, 0x35, 0, 26, 0, 0,
};

static void setup(void)
{
	xt_net_sweep();
	XT_ASSERT_EQ(xt_net_create(&net, "if", 0), 0, "create the test namespaces");
	XT_ASSERT_EQ(xt_net_enter(net.ns_a, &saved_ns), 0, "enter %s", net.ns_a);
}

static void teardown(void)
{
	if (saved_ns >= 0)
		xt_net_leave(saved_ns);
	saved_ns = -1;
	xt_net_destroy(&net);
}

/* Add bridges (any device will do) until one shares the slot of `like`. */
static int iface_sharing_slot(int like, int n)
{
	char name[IF_NAMESIZE];

	for (int i = 0; i < 3 * XC_IFACE_SLOTS; i++) {
		int idx;

		snprintf(name, sizeof(name), "xd%d_%d", n, i);
		XT_ASSERT_EQ(xt_net_exec(net.ns_a, "ip link add %s type bridge", name), 0,
			     "add bridge %s", name);
		idx = (int)if_nametoindex(name);
		if (idx != like && idx % XC_IFACE_SLOTS == like % XC_IFACE_SLOTS)
			return idx;
	}
	cr_assert_fail("no bridge shared the slot of ifindex %d", like);
	return 0;
}

static void run_frames(struct xc_counter *xc, int ifindex, int n)
{
	for (int i = 0; i < n; i++) {
		__u32 action = 0;
		int err;

		err = xc_counter_run_on(xc, ifindex, frame, sizeof(frame), &action, NULL, 0, NULL);
		XT_ASSERT_EQ(err, 0, "test-run a frame on ifindex %d", ifindex);
		XT_ASSERT_EQ(action, XDP_PASS, "XDP_PASS on ifindex %d", ifindex);
	}
}

static const struct xc_iface *find_iface(const struct xc_snapshot *s, int ifindex)
{
	for (size_t i = 0; i < s->n_ifaces; i++)
		if ((int)s->ifaces[i].ifindex == ifindex)
			return &s->ifaces[i];
	return NULL;
}

static void expect_iface(const struct xc_snapshot *s, int ifindex, int frames)
{
	const struct xc_iface *e = find_iface(s, ifindex);

	cr_expect(e != NULL, "interface %d is reported", ifindex);
	if (!e)
		return;
	XT_EXPECT_EQ(e->c.total.packets, (__u64)frames, "ifindex %d: total packets", ifindex);
	XT_EXPECT_EQ(e->c.l4[XC_L4_UDP].bytes, (__u64)frames * sizeof(frame),
		     "ifindex %d: udp bytes", ifindex);
}

TestSuite(ifaces, .init = setup, .fini = teardown, .timeout = 60);

Test(ifaces, slot_sharers_are_counted_apart)
{
	struct xc_counter *xc = xt_open(NULL);
	int lo = (int)if_nametoindex("lo");
	int a = iface_sharing_slot(lo, 0);
	int b = iface_sharing_slot(lo, 1);
	struct xc_snapshot s;

	/* ifindexes equal modulo the slots: no aliasing, each its own slot. */
	run_frames(xc, lo, 3);
	run_frames(xc, a, 5);
	run_frames(xc, b, 7);
	run_frames(xc, lo, 2);
	xt_snapshot(xc, &s);
	XT_EXPECT_EQ(s.total.total.packets, 17, "total packets");
	XT_EXPECT_EQ(s.n_ifaces, 3, "three interfaces reported");
	expect_iface(&s, lo, 5);
	expect_iface(&s, a, 5);
	expect_iface(&s, b, 7);
	XT_EXPECT_EQ(s.tables[XC_TAB_IFACES].unrecorded.packets, 0, "frames of no interface");
	xc_snapshot_free(&s);
	xc_counter_close(xc);
}

Test(ifaces, full_overflow_keeps_totals_exact)
{
	struct xc_config cfg;
	struct xc_counter *xc;
	struct xc_snapshot s;
	int lo = (int)if_nametoindex("lo"), a, b;

	xc_config_default(&cfg);
	cfg.iface_entries = 2; /* two slots for three interfaces */
	xc = xt_open(&cfg);
	a = iface_sharing_slot(lo, 0);
	b = iface_sharing_slot(lo, 1);
	run_frames(xc, lo, 4);
	run_frames(xc, a, 6);
	run_frames(xc, b, 9); /* no slot left: slot 0 */
	xt_snapshot(xc, &s);
	XT_EXPECT_EQ(s.total.total.packets, 19, "total packets");
	XT_EXPECT_EQ(s.total.total.bytes, 19 * sizeof(frame), "total bytes");
	XT_EXPECT_EQ(s.n_ifaces, 2, "two interfaces attributed");
	expect_iface(&s, lo, 4);
	expect_iface(&s, a, 6);
	cr_expect(find_iface(&s, b) == NULL, "the third interface is not attributed");
	XT_EXPECT_EQ(s.tables[XC_TAB_IFACES].unrecorded.packets, 9,
		     "frames unrecorded by interfaces: the third has no slot");
	XT_EXPECT_EQ(s.tables[XC_TAB_IFACES].unrecorded.bytes, 9 * sizeof(frame),
		     "bytes unrecorded by interfaces");
	xc_snapshot_free(&s);
	xc_counter_close(xc);
}

Test(ifaces, switched_off_counts_only_totals)
{
	struct xc_config cfg;
	struct xc_counter *xc;
	struct xc_snapshot s;
	int lo = (int)if_nametoindex("lo"), a;

	xc_config_default(&cfg);
	cfg.features &= ~(__u32)XC_F_IFACES;
	xc = xt_open(&cfg);
	a = iface_sharing_slot(lo, 0);
	run_frames(xc, lo, 2);
	run_frames(xc, a, 3);
	xt_snapshot(xc, &s);
	XT_EXPECT_EQ(s.total.total.packets, 5, "total packets");
	XT_EXPECT_EQ(s.n_ifaces, 0, "interfaces reported");
	xc_snapshot_free(&s);
	xc_counter_close(xc);
}
