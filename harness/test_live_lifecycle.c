// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A live run's life: SIGKILL leaves nothing attached, a second instance is
 * refused and the first counts on, a lost interface is reported while the
 * others are counted.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "checks.h"
#include "cli.h"
#include "cli_run.h"
#include "json.h"
#include "proc.h"
#include "program.h"
#include "sockets.h"
#include "testnet.h"

static struct xt_net net, net2;
static struct xt_bg cli;

TestSuite(live_lifecycle, .fini = xt_teardown, .timeout = 60);

Test(live_lifecycle, sigkill_leaves_nothing)
{
	char name[64];

	xt_net_create_or_fail(&net, "k", 0);
	xt_cli_start(&cli, net.ns_a, "--json", "--duration", XT_CLI_SAFETY, net.if_a, NULL);
	XT_ASSERT_NE(xt_xdp_prog_on(net.ns_a, net.ifindex_a, name, sizeof(name)), 0,
		     "the id of the program attached while counting");
	XT_EXPECT_STREQ(name, "xdpcount", "the attached program's name");
	xt_bg_signal(&cli, SIGKILL);
	cr_assert(xt_bg_wait(&cli, 5000), "SIGKILL did not end it");
	xt_expect_detached("after SIGKILL", net.ns_a, net.ifindex_a);
}

Test(live_lifecycle, second_instance)
{
	struct xt_json_lines l;
	struct xt_proc p;
	char name[64], want[64];
	__u32 id;

	xt_net_create_or_fail(&net, "2", 0);
	xt_net_static(&net);
	xt_cli_start(&cli, net.ns_a, "--json", "-i", "0.3", "--duration", XT_CLI_SAFETY, net.if_a, NULL);
	id = xt_xdp_prog_on(net.ns_a, net.ifindex_a, name, sizeof(name));
	xt_cli_run_bounded(&p, net.ns_a, NULL, "--json", net.if_a, NULL);
	XT_EXPECT_EQ(p.status, XC_EXIT_BUSY, "second instance: exit code");
	snprintf(want, sizeof(want), "id %u, name \"xdpcount\"", id);
	cr_expect(strstr(p.err, "already has an XDP program") && strstr(p.err, want),
		  "second instance: stderr does not name program %s: %s", want, p.err);
	XT_EXPECT_EQ(p.out_len, 0, "second instance printed on stdout: %s", p.out);
	xt_proc_free(&p);
	XT_EXPECT_EQ(xt_xdp_prog_on(net.ns_a, net.ifindex_a, name, sizeof(name)), id,
		     "the id of the program on the interface after the second instance");
	xt_ping(net.ns_b, XT_NET_IP4_A, XT_CLI_PINGS);
	cr_expect(xt_cli_wait_value(&cli, "l4.icmp.packets", XT_CLI_PINGS, 5000),
		  "the first instance did not go on counting");
	xt_cli_stop(&cli, SIGINT, XC_EXIT_OK);
	xt_cli_json_lines(&cli, &l);
	cr_expect(json_object_get_boolean(xt_json_at(l.v[l.n - 1], "final")), "SIGINT: no final line");
	XT_EXPECT_EQ(xt_json_num(l.v[l.n - 1], "l4.icmp.packets"), XT_CLI_PINGS, "final l4.icmp.packets");
	xt_json_lines_free(&l);
	xt_expect_detached("after SIGINT", net.ns_a, net.ifindex_a);
}

Test(live_lifecycle, interface_lost)
{
	struct xt_json_lines l;
	struct json_object *last;
	char path[128], *err;

	xt_net_create_or_fail(&net, "l", 0);
	xt_net_join_or_fail(&net2, &net, "m");
	xt_net_static(&net);
	xt_cli_start(&cli, net.ns_a, "--json", "-i", "0.3", "--duration", XT_CLI_SAFETY, net.if_a, net2.if_a, NULL);
	XT_ASSERT_EQ(xt_net_exec(net.ns_a, "ip link del %s", net2.if_a), 0, "deleting %s",
		     net2.if_a);
	cr_expect(xt_bg_wait_err(&cli, "disappeared", 5000),
		  "no word of the lost interface: %s", xt_bg_err(&cli));
	xt_ping(net.ns_b, XT_NET_IP4_A, XT_CLI_PINGS);
	snprintf(path, sizeof(path), "interfaces.%s.l4.icmp.packets", net.if_a);
	cr_expect(xt_cli_wait_value(&cli, path, XT_CLI_PINGS, 5000), "counting did not go on on %s", net.if_a);
	xt_cli_stop(&cli, SIGTERM, XC_EXIT_IFLOST);
	err = xt_bg_err(&cli);
	cr_expect(strstr(err, net2.if_a), "stderr does not name %s: %s", net2.if_a, err);
	free(err);
	xt_cli_json_lines(&cli, &l);
	last = l.v[l.n - 1];
	cr_expect(json_object_get_boolean(xt_json_at(last, "final")), "no final line");
	XT_EXPECT_EQ(json_object_array_length(xt_json_at(last, "lost")), 1, "lost");
	XT_EXPECT_STREQ(json_object_get_string(xt_json_at(last, "lost.0")), net2.if_a, "lost[0]");
	XT_EXPECT_EQ(xt_json_num(last, path), XT_CLI_PINGS, "final %s", path);
	xt_json_lines_free(&l);
	xt_expect_detached("after the run", net.ns_a, net.ifindex_a);
}
