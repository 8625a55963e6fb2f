// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The offline CLI's output (XC_BIN -r FIXTURE): the JSON object against the
 * expect files, the default top lists in the documented order, the text view,
 * and -v's verifier statistics.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "checks.h"
#include "cli.h"
#include "cli_run.h"
#include "fixtures.h"
#include "json.h"
#include "paths.h"
#include "proc.h"

#define TOP_ALL "100000"
#define DEFAULT_TOP 10

TestSuite(cli_output);

static void check_json(const char *name, const char *file)
{
	struct xt_expect exp;
	struct json_object *o;
	struct xt_proc p;
	char what[128];
	int want;

	xt_expect_load(&exp, name, file);
	snprintf(what, sizeof(what), "xdpcount -r %s --json", file);
	xt_cli_run(&p, NULL, NULL, "-r", exp.path, "--json", "--top", TOP_ALL, NULL);
	want = exp.truncated ? XC_EXIT_TRUNCATED : XC_EXIT_OK;
	XT_EXPECT_EQ(p.status, want, "%s: exit (stderr: %s)", what, p.err);
	o = xt_cli_one_object(what, &p);
	xt_expect_json_capture(what, o, &exp);
	if (exp.truncated) {
		char record[64];

		snprintf(record, sizeof(record), "record %lu is %s", exp.frames + 1,
			 exp.damaged ? "damaged" : "cut short");
		XT_EXPECT_EQ(xt_count_lines(p.err), 1, "%s: lines on stderr (%s)", what, p.err);
		cr_expect(strstr(p.err, record), "%s: stderr does not say \"%s\": %s",
			  what, record, p.err);
	} else {
		XT_EXPECT_STREQ(p.err, "", "%s: stderr", what);
	}
	json_object_put(o);
	xt_proc_free(&p);
	xt_expect_free(&exp);
}

#define CLI_JSON_TEST(name, file)           \
	Test(cli_output, json_##name)              \
	{                                   \
		check_json(#name, file);    \
	}
XT_FIXTURES(CLI_JSON_TEST)

/* ---- the default top lists: 10 entries, in the documented order ---- */

static void expect_top(const char *what, const char *list, const void *got, size_t n_got,
		       const void *all, size_t n_all, size_t size,
		       int (*rank)(const void *, const void *))
{
	size_t want = n_all < DEFAULT_TOP ? n_all : DEFAULT_TOP;
	char *sorted = malloc(n_all ? n_all * size : 1);

	cr_assert(sorted, "out of memory");
	memcpy(sorted, all, n_all * size);
	qsort(sorted, n_all, size, rank);
	XT_EXPECT_EQ(n_got, want, "%s: %s: entries", what, list);
	for (size_t i = 0; i < n_got && i < want; i++)
		XT_EXPECT_EQ(rank((const char *)got + i * size, sorted + i * size), 0,
			     "%s: %s: place %zu is not the expected entry", what, list, i);
	free(sorted);
}

static void check_default_top(const char *name, const char *file)
{
	struct xc_source *src;
	struct xc_port *ports;
	struct xc_flow *fl;
	size_t n_src, n_ports, n_fl;
	struct xt_expect exp;
	struct json_object *o;
	struct xt_proc p;
	char what[128];

	xt_expect_load(&exp, name, file);
	snprintf(what, sizeof(what), "xdpcount -r %s --json", file);
	xt_cli_run(&p, NULL, NULL, "-r", exp.path, "--json", NULL);
	XT_EXPECT_EQ(p.status, XC_EXIT_OK, "%s: exit (stderr: %s)", what, p.err);
	o = xt_cli_one_object(what, &p);
	xt_json_sources(what, xt_json_get(what, o, "top_src"), &src, &n_src);
	xt_json_ports(what, xt_json_get(what, o, "top_dst_ports"), &ports, &n_ports);
	xt_json_flows(what, xt_json_get(what, xt_json_get(what, o, "flows"), "top"), &fl, &n_fl);
	expect_top(what, "top_src", src, n_src, exp.sources, exp.n_sources, sizeof(*src),
		   xt_rank_source);
	expect_top(what, "top_dst_ports", ports, n_ports, exp.ports, exp.n_ports,
		   sizeof(*ports), xt_rank_port);
	expect_top(what, "flows.top", fl, n_fl, exp.flows, exp.n_flows, sizeof(*fl),
		   xt_rank_flow);
	free(src);
	free(ports);
	free(fl);
	json_object_put(o);
	xt_proc_free(&p);
	xt_expect_free(&exp);
}

Test(cli_output, default_top_mix)
{
	check_default_top("mix", "mix.pcap");
}

/* One packet per source and flow: the order is the tie rule alone. */
Test(cli_output, default_top_ties_many_sources)
{
	check_default_top("many_sources", "many_sources.pcap");
}

/* ---- the text view ---- */

/* Each class's row, in the order printed, with its packets. */
static void expect_text_rows(const char *what, const char *out, const struct xt_expect *e)
{
	struct { const char *name; __u64 packets; } rows[3 + XC_L3_MAX + XC_L4_MAX];
	size_t n = 0, at = 0;
	const char *line = out;

	rows[n].name = "total", rows[n++].packets = e->c.total.packets;
	/* "other" is in both layers: the rows say which. */
	for (int i = 0; i < XC_L3_MAX; i++)
		rows[n].name = i == XC_L3_OTHER ? "other l3" : xt_l3_names[i],
		rows[n++].packets = e->c.l3[i].packets;
	for (int i = 0; i < XC_L4_MAX; i++)
		rows[n].name = i == XC_L4_OTHER ? "other l4" : xt_l4_names[i],
		rows[n++].packets = e->c.l4[i].packets;
	rows[n].name = "malformed", rows[n++].packets = e->c.malformed.packets;
	rows[n].name = "vlan", rows[n++].packets = e->c.vlan.packets;
	for (; line && *line && at < n; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		const char *p = line + strspn(line, " ");
		size_t len = strlen(rows[at].name);
		unsigned long long packets;

		if (strncmp(p, rows[at].name, len) || p[len] != ' ')
			continue;
		packets = xt_grouped_number(p + len);
		XT_EXPECT_EQ(packets, rows[at].packets, "%s: row %s: packets", what, rows[at].name);
		at++;
	}
	XT_EXPECT_EQ(at, n, "%s: rows found, up to %s", what, at < n ? rows[at].name : "-");
}

static void check_text(const char *name, const char *file)
{
	unsigned long long run = 0, skipped = 0;
	struct xt_expect exp;
	struct xt_proc p;
	char what[128], head[600];

	xt_expect_load(&exp, name, file);
	snprintf(what, sizeof(what), "xdpcount -r %s (text)", file);
	xt_cli_run(&p, NULL, NULL, "-r", exp.path, NULL);
	XT_EXPECT_EQ(p.status, XC_EXIT_OK, "%s: exit (stderr: %s)", what, p.err);
	snprintf(head, sizeof(head), "xdpcount: %s: ", exp.path);
	cr_expect(!strncmp(p.out, head, strlen(head)) &&
		  sscanf(p.out + strlen(head), "%llu frames counted, %llu skipped", &run,
			 &skipped) == 2,
		  "%s: no \"%sN frames counted, M skipped\" line: %.200s", what, head, p.out);
	XT_EXPECT_EQ(run, exp.frames - exp.skipped, "%s: frames counted", what);
	XT_EXPECT_EQ(skipped, exp.skipped, "%s: frames skipped", what);
	expect_text_rows(what, p.out, &exp);
	xt_proc_free(&p);
	xt_expect_free(&exp);
}

Test(cli_output, text_mix)
{
	check_text("mix", "mix.pcap");
}

Test(cli_output, text_short_frames)
{
	check_text("short_frames", "short_frames.pcap");
}

/* -v: the verifier's statistics on a load that succeeded. */
Test(cli_output, verbose_prints_verifier_statistics)
{
	struct xt_proc p;
	char mix[512];
	unsigned long insns = 0;
	const char *at;

	xt_cli_run(&p, NULL, NULL, "-v", "-r", xt_pcap_path(mix, sizeof(mix), "mix.pcap"), "--json", NULL);
	XT_EXPECT_EQ(p.status, XC_EXIT_OK, "-v: exit");
	at = strstr(p.err, "\nprocessed ");
	cr_expect(at && sscanf(at, "\nprocessed %lu insns", &insns) == 1 && insns > 0,
		  "-v: no \"processed N insns\" line from the verifier: %.2000s",
		  p.err + (strlen(p.err) > 2000 ? strlen(p.err) - 2000 : 0));
	xt_proc_free(&p);
}

/* Switched off, a feature says so: never a list of zeros that looks like no traffic. */
Test(cli_output, features_off_offline)
{
	struct xt_proc p;
	struct json_object *o, *off;
	char mix[512];

	xt_pcap_path(mix, sizeof(mix), "mix.pcap");
	xt_cli_run(&p, NULL, NULL, "-r", mix, "--no-sources", "--no-sizes", NULL);
	XT_EXPECT_EQ(p.status, XC_EXIT_OK, "exit: %s", p.err);
	cr_expect(strstr(p.out, "\ntop sources: off (--no-sources)\n") &&
		  strstr(p.out, "\nframe sizes: off (--no-sizes)\n") &&
		  strstr(p.out, "top destination ports (") && strstr(p.out, "top flows ("),
		  "the text does not say which are off: %s", p.out);
	xt_proc_free(&p);
	xt_cli_run(&p, NULL, NULL, "-r", mix, "--json", "--no-flows", NULL);
	o = xt_cli_one_object("--no-flows --json", &p);
	off = xt_json_get("--no-flows", o, "off");
	/* flows, as asked; the others the test left on are not listed (ifaces: offline's). */
	cr_expect(strstr(json_object_to_json_string(off), "\"flows\"") &&
		  !strstr(json_object_to_json_string(off), "\"sources\"") &&
		  !strstr(json_object_to_json_string(off), "\"ports\"") &&
		  !strstr(json_object_to_json_string(off), "\"sizes\""),
		  "off: %s", json_object_to_json_string(off));
	json_object_put(o);
	xt_proc_free(&p);
}
