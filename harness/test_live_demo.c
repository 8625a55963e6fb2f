// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `make demo` shortened (XC_DEMO_SECONDS): it must count every kind of
 * traffic it claims to drive, exit 0, and leave no namespace behind.
 */
#define _GNU_SOURCE
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "checks.h"
#include "json.h"
#include "paths.h"
#include "proc.h"

TestSuite(live_demo, .timeout = 60);

static long long get(struct json_object *o, const char *a, const char *b, const char *c)
{
	return json_object_get_int64(xt_json_get(c, xt_json_get(b, xt_json_get(a, o, a), b), c));
}

static bool has_port(struct json_object *ports, const char *proto, int port)
{
	for (size_t i = 0; i < json_object_array_length(ports); i++) {
		struct json_object *e = json_object_array_get_idx(ports, i);

		if (!strcmp(json_object_get_string(xt_json_get("port", e, "proto")), proto) &&
		    json_object_get_int(xt_json_get("port", e, "port")) == port)
			return true;
	}
	return false;
}

/* The UDP datagrams the kernel dropped for want of a socket, on the one interface. */
static long long closed_port_drops(struct json_object *last)
{
	struct json_object *reasons = xt_json_get("drops", xt_json_get("drops", last, "drops"),
						  "reasons");
	struct json_object *r;

	json_object_object_foreach(reasons, iface, per_iface) {
		(void)iface;
		if (json_object_object_get_ex(per_iface, "NO_SOCKET", &r))
			return get(r, "l4", "udp", "packets");
	}
	return 0;
}

Test(live_demo, short_run)
{
	char bin[PATH_MAX], dir[PATH_MAX], ns_a[64] = "", ns_b[64] = "", path[128];
	const char *argv[] = { bin, "--json", NULL };
	static const char *const classes[][2] = {
		{ "l4", "tcp" }, { "l4", "udp" }, { "l4", "icmp" }, { "l4", "icmpv6" },
		{ "l3", "arp" },
	};
	struct json_object *last;
	struct xt_proc p;
	const char *line;

	snprintf(dir, sizeof(dir), "%s", xt_bin());
	snprintf(bin, sizeof(bin), "%s/xdpcount-demo", dirname(dir));
	setenv("XC_DEMO_SECONDS", "4", 1);
	xt_proc_run(argv, &p);
	XT_ASSERT_EQ(p.status, 0, "xdpcount-demo: exit: %s", p.err);
	line = p.out_len > 1 ? p.out + p.out_len - 1 : p.out;
	while (line > p.out && line[-1] != '\n')
		line--;
	last = json_tokener_parse(line);
	cr_assert(last, "the last line is not JSON: %s", line);
	cr_expect(json_object_get_boolean(xt_json_get("final", last, "final")), "not final");
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		XT_EXPECT_GT(get(last, classes[i][0], classes[i][1], "packets"), 0,
			     "%s.%s packets the demo drove", classes[i][0], classes[i][1]);
	cr_expect(has_port(xt_json_get("ports", last, "top_dst_ports"), "tcp", 5001),
		  "no TCP transfer to port 5001");
	cr_expect(has_port(xt_json_get("ports", last, "top_dst_ports"), "udp", 5002),
		  "no UDP datagrams to port 5002");
	cr_expect(closed_port_drops(last) > 0, "no kernel drops for UDP to the closed port");
	json_object_put(last);
	cr_assert(sscanf(strstr(p.err, "namespaces ") ?: "", "namespaces %63s and %63s", ns_a,
			 ns_b) == 2, "the demo did not say what it removed: %s", p.err);
	snprintf(path, sizeof(path), "/run/netns/%s", ns_a);
	cr_expect(access(path, F_OK) != 0, "%s is left behind", path);
	snprintf(path, sizeof(path), "/run/netns/%s", ns_b);
	cr_expect(access(path, F_OK) != 0, "%s is left behind", path);
	xt_proc_free(&p);
}
