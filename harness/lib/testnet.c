// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Test networks made quiet enough to count exactly, and the kernel's view of them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include "checks.h"
#include "clock.h"
#include "json.h"
#include "proc.h"
#include "testnet.h"

/* What this test made, for xt_teardown: each test runs in a process of its own. */
static struct xt_net *made[8];
static int n_made;

static void remember(struct xt_net *net)
{
	cr_assert(n_made < 8, "more than 8 test networks in one test");
	made[n_made++] = net;
}

void xt_teardown(void)
{
	xt_bg_stop_all();
	/* Last first: a joined pair goes before the one whose namespace it shares. */
	while (n_made)
		xt_net_destroy(made[--n_made]);
}

/*
 * In the runner: a worker killed by its timeout, or one that crashed, ran no
 * .fini, so its networks are removed here (their names hold the dead worker's pid).
 */
ReportHook(POST_FINI)(struct criterion_test_stats *stats)
{
	if (stats->timed_out)
		xt_net_sweep();
}

ReportHook(TEST_CRASH)(struct criterion_test_stats *stats)
{
	(void)stats;
	xt_net_sweep();
}

/* Every worker has ended: whatever one of them left is removed before the run ends. */
ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
	(void)stats;
	xt_net_sweep();
}

void xt_net_create_or_fail(struct xt_net *net, const char *tag, int mtu)
{
	XT_ASSERT_EQ(xt_net_create(net, tag, mtu), 0, "creating a veth pair (%s)", tag);
	remember(net);
}

void xt_net_join_or_fail(struct xt_net *net, const struct xt_net *host, const char *tag)
{
	XT_ASSERT_EQ(xt_net_join(net, host, tag, 0), 0, "creating a second veth pair into %s (%s)",
		     host->ns_a, tag);
	remember(net);
}

void xt_net_exec_or_fail(const char *ns, const char *cmd)
{
	XT_ASSERT_EQ(xt_net_exec(ns, "%s", cmd), 0, "in %s: %s", ns, cmd);
}

static void end_silent(const char *ns, const char *ifname)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "sysctl -qw net.ipv6.conf.all.disable_ipv6=1 "
		 "net.ipv6.conf.default.disable_ipv6=1 && ip link set dev %s arp off", ifname);
	xt_net_exec_or_fail(ns, cmd);
}

void xt_net_silent(const struct xt_net *net)
{
	end_silent(net->ns_a, net->if_a);
	end_silent(net->ns_b, net->if_b);
}

static void end_static(const char *ns, const char *ifname, const char *ip4,
		       const char *ip6, const char *mac)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "sysctl -qw net.ipv6.conf.%1$s.router_solicitations=0 "
		 "net.ipv6.conf.%1$s.accept_dad=0 && "
		 "ip neigh replace %2$s lladdr %4$s dev %1$s nud permanent && "
		 "ip -6 neigh replace %3$s lladdr %4$s dev %1$s nud permanent",
		 ifname, ip4, ip6, mac);
	xt_net_exec_or_fail(ns, cmd);
}

void xt_net_static(const struct xt_net *net)
{
	end_static(net->ns_a, net->if_a, XT_NET_IP4_B, XT_NET_IP6_B, net->mac_b);
	end_static(net->ns_b, net->if_b, XT_NET_IP4_A, XT_NET_IP6_A, net->mac_a);
	/* Link-up chatter (MLD reports, DAD of the link-local address) dies down. */
	cr_assert(xt_wait_quiet(net->ns_a, net->if_a, 1500, 10000),
		  "%s: still receiving frames after 10 s", net->if_a);
}

void xt_net_gro(const char *ns, const char *ifname)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "ethtool -K %s gro on", ifname);
	xt_net_exec_or_fail(ns, cmd);
}

int xt_net_enter_or_fail(const char *ns)
{
	int saved;

	XT_ASSERT_EQ(xt_net_enter(ns, &saved), 0, "entering namespace %s: %s", ns, strerror(errno));
	return saved;
}

void xt_net_leave_or_fail(int saved)
{
	XT_ASSERT_EQ(xt_net_leave(saved), 0, "leaving a namespace: %s", strerror(errno));
}

static unsigned long long json_stat(struct json_object *o, const char *key)
{
	struct json_object *v = xt_json_get("ip -s -j link", o, key);

	return (unsigned long long)json_object_get_uint64(v);
}

void xt_kernel_rx(const char *ns, const char *ifname, struct xt_krx *rx)
{
	struct json_object *o, *rxo;
	char cmd[256], *text;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ip -n %s -s -s -j link show dev %s", ns, ifname);
	p = popen(cmd, "r");
	cr_assert(p, "%s: %s", cmd, strerror(errno));
	text = calloc(1, 65536);
	cr_assert(text, "out of memory");
	fread(text, 1, 65535, p);
	pclose(p);
	o = json_tokener_parse(text);
	free(text);
	cr_assert(o && json_object_is_type(o, json_type_array) &&
		  json_object_array_length(o) == 1, "%s: not one interface", cmd);
	rxo = xt_json_get(cmd, xt_json_get(cmd, json_object_array_get_idx(o, 0), "stats64"),
			  "rx");
	rx->packets = json_stat(rxo, "packets");
	rx->bytes = json_stat(rxo, "bytes");
	rx->dropped = json_stat(rxo, "dropped");
	rx->missed = json_stat(rxo, "missed_errors");
	rx->errors = json_stat(rxo, "errors");
	json_object_put(o);
}

bool xt_wait_quiet(const char *ns, const char *ifname, int quiet_ms, int timeout_ms)
{
	long long start = xt_now_ms(), since = start;
	struct xt_krx last, cur;

	xt_kernel_rx(ns, ifname, &last);
	while (xt_now_ms() - start < timeout_ms) {
		xt_sleep_ms(100);
		xt_kernel_rx(ns, ifname, &cur);
		if (cur.packets != last.packets)
			since = xt_now_ms();
		else if (xt_now_ms() - since >= quiet_ms)
			return true;
		last = cur;
	}
	return false;
}
