// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Live runs that cannot count as asked: each failure its own exit code and
 * message, nothing left attached; --mode auto falling back to generic XDP,
 * and generic mode's word on GRO.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <criterion/criterion.h>
#include "checks.h"
#include "cli.h"
#include "cli_run.h"
#include "json.h"
#include "proc.h"
#include "program.h"
#include "testnet.h"

static struct xt_net net;

TestSuite(live_errors, .fini = xt_teardown, .timeout = 60);

static void expect_failure(const struct xt_proc *p, int code, const char *msg)
{
	XT_EXPECT_EQ(p->status, code, "exit code (stderr: %s)", p->err);
	cr_expect(strstr(p->err, msg), "stderr lacks \"%s\": %s", msg, p->err);
	XT_EXPECT_EQ(p->out_len, 0, "bytes on stdout (%.200s)", p->out);
}

Test(live_errors, missing_interface)
{
	struct xt_proc p;

	xt_net_create_or_fail(&net, "n", 0);
	xt_cli_run_bounded(&p, net.ns_a, NULL, "eth9", NULL);
	expect_failure(&p, XC_EXIT_NOIF, "xdpcount: no such interface: eth9\n");
	xt_proc_free(&p);
}

Test(live_errors, missing_privileges)
{
	static const char *const no_caps[] = {
		"/usr/bin/setpriv", "--inh-caps=-all", "--bounding-set=-all", "--", NULL,
	};
	struct xt_proc p;

	xt_net_create_or_fail(&net, "p", 0);
	xt_cli_run_bounded(&p, net.ns_a, no_caps, net.if_a, NULL);
	expect_failure(&p, XC_EXIT_PERM, "CAP_BPF+CAP_NET_ADMIN");
	xt_proc_free(&p);
	xt_expect_detached("after the refusal", net.ns_a, net.ifindex_a);
}

Test(live_errors, bad_options)
{
	struct xt_proc p;

	xt_net_create_or_fail(&net, "o", 0);
	xt_cli_run_bounded(&p, net.ns_a, NULL, "--prometheus", "127.0.0.1:99999", net.if_a, NULL);
	expect_failure(&p, XC_EXIT_USAGE, "--prometheus wants [ADDR:]PORT, not '127.0.0.1:99999'");
	xt_proc_free(&p);
	xt_cli_run_bounded(&p, net.ns_a, NULL, net.if_a, net.if_a, NULL);
	expect_failure(&p, XC_EXIT_USAGE, "interface ");
	cr_expect(strstr(p.err, "is given twice"), "twice: %s", p.err);
	xt_proc_free(&p);
	xt_cli_run_bounded(&p, net.ns_a, NULL, "--count", "0", net.if_a, NULL);
	expect_failure(&p, XC_EXIT_USAGE, "--count must be a whole number");
	xt_proc_free(&p);
	/* Below the floor it warns, and still counts. */
	xt_cli_run_bounded(&p, net.ns_a, NULL, "--json", "-c", "2", "-i", "0.05", net.if_a, NULL);
	XT_EXPECT_EQ(p.status, XC_EXIT_OK, "-i 0.05: exit: %s", p.err);
	cr_expect(!strncmp(p.err, "xdpcount: warning: -i 0.05", 26), "-i 0.05: no warning: %s",
		  p.err);
	xt_proc_free(&p);
	xt_expect_detached("after the usage errors", net.ns_a, net.ifindex_a);
}

Test(live_errors, mode_fallback)
{
	struct xt_json_lines l;
	struct xt_proc p;
	char path[64];

	xt_net_create_or_fail(&net, "b", 0);
	/* A bridge made in the test's namespace: its driver has no native XDP. */
	XT_ASSERT_EQ(xt_net_exec(net.ns_a, "ip link add xbr0 type bridge && ip link set xbr0 up"),
		     0, "making a bridge in %s", net.ns_a);
	xt_cli_run_bounded(&p, net.ns_a, NULL, "--mode", "native", "xbr0", NULL);
	expect_failure(&p, XC_EXIT_FAIL, "xbr0 has no native XDP");
	xt_proc_free(&p);
	xt_cli_run_bounded(&p, net.ns_a, NULL, "--json", "-c", "1", "-i", "0.1", "xbr0", NULL);
	XT_EXPECT_EQ(p.status, XC_EXIT_OK, "--mode auto on a bridge: exit: %s", p.err);
	cr_expect(strstr(p.err, "counting on xbr0 (generic: no native XDP here)"),
		  "auto does not say it fell back to generic: %s", p.err);
	/* Generic mode linearizes every GRO packet for a linear program. */
	cr_expect(strstr(p.err, "xbr0 gets the multi-buffer program"),
		  "generic mode does not say it takes the multi-buffer program: %s", p.err);
	xt_json_lines_parse(p.out, &l);
	XT_ASSERT_EQ(l.n, 1, "--count 1: lines");
	snprintf(path, sizeof(path), "mode.xbr0");
	XT_EXPECT_STREQ(json_object_get_string(xt_json_at(l.v[0], path)), "generic", "%s", path);
	xt_json_lines_free(&l);
	xt_proc_free(&p);
}

/* Generic mode on a device with GRO on: said at start and in the JSON. */
Test(live_errors, generic_mode_gro_note)
{
	struct xt_json_lines l;
	struct json_object *gro;
	struct xt_proc p;

	xt_net_create_or_fail(&net, "g", 0);
	xt_net_gro(net.ns_a, net.if_a);
	xt_cli_run_bounded(&p, net.ns_a, NULL, "--json", "--mode", "generic", "-c", "1", "-i", "0.1", net.if_a, NULL);
	XT_EXPECT_EQ(p.status, XC_EXIT_OK, "exit: %s", p.err);
	cr_expect(strstr(p.err, "generic mode with GRO on") && strstr(p.err, "gro off"),
		  "no word of GRO aggregates at start: %s", p.err);
	xt_json_lines_parse(p.out, &l);
	XT_ASSERT_EQ(l.n, 1, "--json -c 1: lines");
	gro = xt_json_at(l.v[0], "gro_aggregates");
	cr_expect(json_object_array_length(gro) == 1 &&
		  !strcmp(json_object_get_string(json_object_array_get_idx(gro, 0)), net.if_a),
		  "gro_aggregates: %s", json_object_to_json_string(gro));
	xt_json_lines_free(&l);
	xt_proc_free(&p);
}
