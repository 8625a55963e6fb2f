// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The privileges the CLI needs (README): without them exit 3 naming what is
 * missing, the documented three alone enough, the file looked at first.
 */
#include <stdio.h>
#include <string.h>
#include <criterion/criterion.h>
#include "checks.h"
#include "cli.h"
#include "cli_run.h"
#include "fixtures.h"
#include "json.h"
#include "paths.h"
#include "proc.h"

#define SETPRIV "/usr/bin/setpriv"

TestSuite(cli_privileges);

Test(cli_privileges, unprivileged)
{
	static const char *const nobody[] = {
		SETPRIV, "--inh-caps=-all", "--bounding-set=-all", "--reuid=65534",
		"--regid=65534", "--clear-groups", NULL,
	};
	struct xt_proc p;
	char path[512];

	xt_cli_run(&p, NULL, nobody, "-r", xt_pcap_path(path, sizeof(path), "mix.pcap"), "--json", NULL);
	xt_expect_cli_failure("xdpcount as nobody without capabilities", &p, XC_EXIT_PERM,
		       "missing CAP_BPF+CAP_NET_ADMIN+CAP_PERFMON", false);
	xt_proc_free(&p);
	/* The file is looked at first: a missing one is exit 5 whoever asks. */
	xt_cli_run(&p, NULL, nobody, "-r", xt_pcap_path(path, sizeof(path), "no_such_file.pcap"), NULL);
	xt_expect_cli_failure("xdpcount as nobody, missing file", &p, XC_EXIT_FILE, "No such file",
		       false);
	xt_proc_free(&p);
}

/*
 * Each capability of the three dropped in turn (with CAP_SYS_ADMIN, which
 * stands in for all three): exit 3, naming that one and no other.
 */
static void check_without(const char *cap, const char *name)
{
	static const char *const all[] = { "CAP_BPF", "CAP_NET_ADMIN", "CAP_PERFMON" };
	char drop[64], mix[512], what[96], says[64];
	const char *const wrapper[] = { SETPRIV, "--inh-caps=-all", drop, "--", NULL };
	struct xt_proc p;

	snprintf(drop, sizeof(drop), "--bounding-set=-%s,-sys_admin", cap);
	snprintf(what, sizeof(what), "xdpcount -r mix.pcap without %s", name);
	snprintf(says, sizeof(says), "missing %s (", name);
	xt_cli_run(&p, NULL, wrapper, "-r", xt_pcap_path(mix, sizeof(mix), "mix.pcap"), NULL);
	xt_expect_cli_failure(what, &p, XC_EXIT_PERM, says, false);
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(all[i], name))
			cr_expect(!strstr(p.err, all[i]) || strstr(p.err, all[i]) > strstr(p.err, "("),
				  "%s: it says %s is missing too: %s", what, all[i], p.err);
	xt_proc_free(&p);
}

Test(cli_privileges, privileges_each_capability)
{
	check_without("bpf", "CAP_BPF");
	check_without("net_admin", "CAP_NET_ADMIN");
	check_without("perfmon", "CAP_PERFMON");
}

/* The documented three and nothing else are enough: the counts are gen.py's. */
Test(cli_privileges, privileges_documented_set_suffices)
{
	static const char *const three[] = {
		SETPRIV, "--inh-caps=-all", "--bounding-set=-all,+bpf,+net_admin,+perfmon", "--",
		NULL,
	};
	struct xt_expect exp;
	struct json_object *o;
	struct xc_counters c;
	struct xt_proc p;

	xt_expect_load(&exp, "mix", "mix.pcap");
	xt_cli_run(&p, NULL, three, "-r", exp.path, "--json", NULL);
	XT_ASSERT_EQ(p.status, XC_EXIT_OK, "with CAP_BPF+CAP_NET_ADMIN+CAP_PERFMON only: exit: %s",
		     p.err);
	o = xt_cli_one_object("the three capabilities", &p);
	xt_json_counters("the three capabilities", o, &c, NULL);
	xt_expect_counters_eq("the three capabilities", &c, &exp.c);
	json_object_put(o);
	xt_proc_free(&p);
	xt_expect_free(&exp);
}
