// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Offline counting as a user runs it: several captures in one run (a JSON line
 * each, then their sum), standard input, the exit code of the worst file, and
 * the live-only options refused. Every count comes from the expect files,
 * summed here by arithmetic for the sum line.
 */
#include <math.h>
#include <stddef.h>
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
#define MAX_FILES 4

/* ---- the sum of expectations ---- */

struct entry_kind {
	size_t size;
	bool (*same)(const void *a, const void *b);
	struct xc_pb *(*pb)(void *e);
};

static bool same_source(const void *a, const void *b)
{
	return !memcmp(&((const struct xc_source *)a)->addr, &((const struct xc_source *)b)->addr,
		       sizeof(struct xc_addr));
}

static bool same_port(const void *a, const void *b)
{
	const struct xc_port *x = a, *y = b;

	return x->proto == y->proto && x->port == y->port;
}

static bool same_flow(const void *a, const void *b)
{
	const struct xc_flow_key *x = &((const struct xc_flow *)a)->key;
	const struct xc_flow_key *y = &((const struct xc_flow *)b)->key;

	return !memcmp(&x->src, &y->src, sizeof(x->src)) &&
	       !memcmp(&x->dst, &y->dst, sizeof(x->dst)) && x->sport == y->sport &&
	       x->dport == y->dport && x->proto == y->proto;
}

static struct xc_pb *source_pb(void *e)
{
	return &((struct xc_source *)e)->pb;
}

static struct xc_pb *port_pb(void *e)
{
	return &((struct xc_port *)e)->pb;
}

/* packets and bytes lead struct xc_flow_val, as they make struct xc_pb */
_Static_assert(offsetof(struct xc_flow_val, bytes) == offsetof(struct xc_pb, bytes),
	       "struct xc_flow_val starts like struct xc_pb");

static struct xc_pb *flow_pb(void *e)
{
	return (struct xc_pb *)&((struct xc_flow *)e)->val;
}

static const struct entry_kind source_kind = { sizeof(struct xc_source), same_source, source_pb };
static const struct entry_kind port_kind = { sizeof(struct xc_port), same_port, port_pb };
static const struct entry_kind flow_kind = { sizeof(struct xc_flow), same_flow, flow_pb };

/* Each entry of add into the list: its counts added to the same key's, or appended. */
static void sum_entries(const struct entry_kind *k, void **base, size_t *n, const void *add,
			size_t n_add)
{
	char *list = realloc(*base, (*n + n_add + 1) * k->size);

	cr_assert(list, "out of memory");
	for (size_t i = 0; i < n_add; i++) {
		const char *e = (const char *)add + i * k->size;
		size_t j = 0;

		while (j < *n && !k->same(list + j * k->size, e))
			j++;
		if (j == *n) {
			memcpy(list + j * k->size, e, k->size);
			(*n)++;
		} else {
			struct xc_pb *d = k->pb(list + j * k->size);
			const struct xc_pb *s = k->pb((void *)e);

			d->packets += s->packets;
			d->bytes += s->bytes;
		}
	}
	*base = list;
}

static void sum_expect(struct xt_expect *sum, const struct xt_expect *e)
{
	struct xc_pb *d = (struct xc_pb *)&sum->c;
	const struct xc_pb *s = (const struct xc_pb *)&e->c;

	for (size_t i = 0; i < sizeof(sum->c) / sizeof(*d); i++) {
		d[i].packets += s[i].packets;
		d[i].bytes += s[i].bytes;
	}
	memcpy(sum->size_le, e->size_le, sizeof(sum->size_le));
	sum->frames += e->frames;
	sum->skipped += e->skipped;
	sum->snapped += e->snapped;
	sum->bad_length += e->bad_length;
	sum->truncated |= e->truncated;
	if (e->first_ns >= 0 && (sum->first_ns < 0 || e->first_ns < sum->first_ns))
		sum->first_ns = e->first_ns;
	if (e->last_ns > sum->last_ns)
		sum->last_ns = e->last_ns;
	sum_entries(&source_kind, (void **)&sum->sources, &sum->n_sources, e->sources,
		    e->n_sources);
	sum_entries(&port_kind, (void **)&sum->ports, &sum->n_ports, e->ports, e->n_ports);
	sum_entries(&flow_kind, (void **)&sum->flows, &sum->n_flows, e->flows, e->n_flows);
}

/* ---- several captures in one run ---- */

struct fixture {
	const char *name, *file;
};

/* No flow is in two of these, so the sum's flow count is its number of flows. */
static const struct fixture several[] = {
	{ "mix", "mix.pcap" },
	{ "snaplen", "snaplen.pcap" },
	{ "big_frames", "big_frames.pcap" },
};
#define N_SEVERAL (sizeof(several) / sizeof(several[0]))

/* The first 100 frames of mix three more times: every one of their flows is in mix too. */
static const struct fixture overlapping[] = {
	{ "mix", "mix.pcap" },
	{ "mix_be", "mix_be.pcap" },
	{ "mix_nsec", "mix_nsec.pcap" },
	{ "mix_pcapng", "mix.pcapng" },
};
#define N_OVERLAPPING (sizeof(overlapping) / sizeof(overlapping[0]))

static void run_several(struct xt_proc *p, const char *format, const struct fixture *fx,
			size_t n_fx, struct xt_expect *exp, struct xt_expect *sum)
{
	const char *argv[4 + 2 * MAX_FILES + 2];
	int n = 0;

	cr_assert(n_fx <= MAX_FILES, "at most %d captures", MAX_FILES);
	memset(sum, 0, sizeof(*sum));
	sum->first_ns = sum->last_ns = -1;
	argv[n++] = xt_bin();
	for (size_t i = 0; i < n_fx; i++) {
		xt_expect_load(&exp[i], fx[i].name, fx[i].file);
		sum_expect(sum, &exp[i]);
		argv[n++] = "-r";
		argv[n++] = exp[i].path;
	}
	argv[n++] = format;
	argv[n++] = "--top";
	argv[n++] = TOP_ALL;
	argv[n] = NULL;
	xt_proc_run(argv, p);
	XT_EXPECT_EQ(p->status, XC_EXIT_OK, "exit (stderr: %s)", p->err);
	XT_EXPECT_STREQ(p->err, "", "stderr");
}

static void free_several(struct xt_expect *exp, size_t n_fx, struct xt_expect *sum)
{
	for (size_t i = 0; i < n_fx; i++)
		xt_expect_free(&exp[i]);
	free(sum->sources);
	free(sum->ports);
	free(sum->flows);
}

/* Each JSON line checked against its capture's expectations, the last against their sum. */
static void expect_json_lines(char *out, const struct fixture *fx, size_t n_fx,
			      const struct xt_expect *exp, const struct xt_expect *sum)
{
	char *line, *save = NULL;
	size_t i = 0;

	XT_EXPECT_EQ(xt_count_lines(out), n_fx + 1, "lines on stdout");
	for (line = strtok_r(out, "\n", &save); line && i <= n_fx;
	     line = strtok_r(NULL, "\n", &save), i++) {
		struct json_object *o = json_tokener_parse(line), *src;
		const struct xt_expect *want = i < n_fx ? &exp[i] : sum;
		char what[96];

		snprintf(what, sizeof(what), "line %zu (%s)", i + 1,
			 i < n_fx ? fx[i].file : "the sum");
		cr_assert(o, "%s is not JSON: %.200s", what, line);
		src = xt_json_get(what, o, "source");
		if (i < n_fx)
			XT_EXPECT_STREQ(json_object_get_string(src), exp[i].path, "%s: source",
					what);
		else
			cr_expect(json_object_is_type(src, json_type_null),
				  "%s: source is not null", what);
		xt_expect_json_capture(what, o, want);
		json_object_put(o);
	}
}

/* A line per capture with its `source`, then the sum with "source": null. */
Test(offline, several_files_json)
{
	struct xt_expect exp[N_SEVERAL], sum;
	struct xt_proc p;

	run_several(&p, "--json", several, N_SEVERAL, exp, &sum);
	expect_json_lines(p.out, several, N_SEVERAL, exp, &sum);
	xt_proc_free(&p);
	free_several(exp, N_SEVERAL, &sum);
}

/*
 * Captures that share flows: the sum counts each flow once, with the packets
 * of every capture it is in. The want is the union of the expect files' flows
 * by key (sum_expect), checked to be fewer than their counts added up.
 */
Test(offline, several_files_shared_flows)
{
	struct xt_expect exp[N_OVERLAPPING], sum;
	struct xt_json_lines l;
	struct xt_proc p;
	size_t added = 0;

	run_several(&p, "--json", overlapping, N_OVERLAPPING, exp, &sum);
	for (size_t i = 0; i < N_OVERLAPPING; i++)
		added += exp[i].n_flows;
	cr_assert(sum.n_flows < added, "the fixtures share no flow: %zu flows, %zu added up",
		  sum.n_flows, added);
	xt_json_lines_parse(p.out, &l);
	cr_assert(l.n == N_OVERLAPPING + 1, "%zu JSON lines: %.200s", l.n, p.out);
	XT_EXPECT_EQ(xt_json_num(l.v[l.n - 1], "flows.count"), (long long)sum.n_flows,
		     "the sum's flows.count: distinct flows, not the %zu added up", added);
	XT_EXPECT_EQ(xt_json_num(l.v[l.n - 1], "tables.flows.entries"), (long long)sum.n_flows,
		     "the sum's tables.flows.entries");
	xt_json_lines_free(&l);
	expect_json_lines(p.out, overlapping, N_OVERLAPPING, exp, &sum);
	xt_proc_free(&p);
	free_several(exp, N_OVERLAPPING, &sum);
}

/* Text: each capture's head line, then the sum's. */
Test(offline, several_files_text)
{
	struct xt_expect exp[N_SEVERAL], sum;
	unsigned long long run;
	struct xt_proc p;
	char head[700];
	const char *at = NULL;

	run_several(&p, "--text", several, N_SEVERAL, exp, &sum);
	for (size_t i = 0; i <= N_SEVERAL; i++) {
		const struct xt_expect *want = i < N_SEVERAL ? &exp[i] : &sum;

		if (i < N_SEVERAL)
			snprintf(head, sizeof(head), "xdpcount: %s: ", exp[i].path);
		else
			snprintf(head, sizeof(head), "xdpcount: the sum of %zu captures: ", N_SEVERAL);
		at = strstr(at ? at : p.out, head);
		cr_assert(at, "no \"%s\" line after the one before: %.300s", head, p.out);
		run = 0;
		cr_expect(sscanf(at + strlen(head), "%llu frames counted", &run) == 1 &&
			  run == want->frames - want->skipped,
			  "%s: %llu frames counted, want %lu", head, run,
			  want->frames - want->skipped);
		at += strlen(head);
	}
	xt_proc_free(&p);
	free_several(exp, N_SEVERAL, &sum);
}

/* The exit code is the worst file's; readable files are printed, the rest said on stderr. */
Test(offline, several_files_exit_highest)
{
	char mix[512], cut[512], missing[512];
	const char *argv[] = { xt_bin(), "-r", xt_pcap_path(mix, sizeof(mix), "mix.pcap"),
			       "-r", xt_pcap_path(cut, sizeof(cut), "truncated.pcap"),
			       "-r", xt_pcap_path(missing, sizeof(missing), "no_such.pcap"),
			       "--json", NULL };
	struct xt_proc p;

	xt_proc_run(argv, &p);
	XT_EXPECT_EQ(p.status, XC_EXIT_TRUNCATED, "exit code, the highest (%s)", p.err);
	XT_EXPECT_EQ(xt_count_lines(p.out), 3, "stdout: lines (mix, truncated, the sum)");
	XT_EXPECT_EQ(xt_count_lines(p.err), 2, "stderr: lines, the cut and the missing (%s)",
		     p.err);
	cr_expect(strstr(p.err, "No such file"), "stderr: %s", p.err);
	xt_proc_free(&p);
}

/* ---- -B: the average rate of the capture summary in bytes per second ---- */

/* "321.8k" from *s: the value and the half unit of its last printed digit. */
static double prefixed(const char **s, double *half_unit)
{
	static const char prefixes[] = "kMGTP";
	const char *at = *s, *dot;
	char *end;
	double v = strtod(at, &end), scale = 1;
	const char *p = *end ? strchr(prefixes, *end) : NULL;

	cr_assert(end != at, "not a number: %.40s", at);
	dot = memchr(at, '.', (size_t)(end - at));
	if (p)
		scale = pow(1000, (double)(p - prefixes) + 1);
	*half_unit = 0.5 * scale * (dot ? 0.1 : 1);
	*s = end + (p ? 1 : 0);
	return v * scale;
}

/* The average line, "  average 1.0k pps, 321.8kB/s", against the expect file's arithmetic. */
static void check_average(const char *opt, double per_byte, const char *unit)
{
	static const char head[] = "\n  average ";
	char mix[512];
	const char *argv[] = { xt_bin(), "-r", xt_pcap_path(mix, sizeof(mix), "mix.pcap"),
			       "--text", opt, NULL };
	struct xt_expect exp;
	struct xt_proc p;
	const char *at;
	double secs, pps, rate, half;

	xt_expect_load(&exp, "mix", "mix.pcap");
	secs = (double)(exp.last_ns - exp.first_ns) / 1e9;
	xt_proc_run(argv, &p);
	XT_EXPECT_EQ(p.status, XC_EXIT_OK, "%s: exit (stderr: %s)", opt ? opt : "bit/s", p.err);
	at = strstr(p.out, head);
	cr_assert(at, "no average line: %.300s", p.out);
	at += strlen(head);
	pps = prefixed(&at, &half);
	cr_expect(fabs(pps - exp.c.total.packets / secs) <= half,
		  "average pps %f, want %f", pps, exp.c.total.packets / secs);
	cr_assert(!strncmp(at, " pps, ", 6), "after the pps: %.40s", at);
	at += 6;
	rate = prefixed(&at, &half);
	cr_expect(fabs(rate - exp.c.total.bytes * per_byte / secs) <= half,
		  "average rate %f %s, want %f", rate, unit, exp.c.total.bytes * per_byte / secs);
	cr_expect(!strncmp(at, unit, strlen(unit)) && at[strlen(unit)] == '\n',
		  "the rate's unit is not %s: %.40s", unit, at);
	xt_proc_free(&p);
	xt_expect_free(&exp);
}

Test(offline, average_bits)
{
	check_average(NULL, 8, "bit/s");
}

Test(offline, average_bytes_with_B)
{
	check_average("-B", 1, "B/s");
}

/* ---- standard input ---- */

static void check_stdin(const char *name, const char *file)
{
	static const char script[] = "exec \"$0\" -r - --json --top " TOP_ALL " < \"$1\"";
	struct xt_expect exp;
	struct json_object *o;
	struct xt_proc p;
	char what[128];

	xt_expect_load(&exp, name, file);
	snprintf(what, sizeof(what), "xdpcount -r - < %s", file);
	{
		const char *argv[] = { "/bin/sh", "-c", script, xt_bin(), exp.path, NULL };

		xt_proc_run(argv, &p);
	}
	XT_EXPECT_EQ(p.status, XC_EXIT_OK, "%s: exit (stderr: %s)", what, p.err);
	XT_EXPECT_EQ(xt_count_lines(p.out), 1, "%s: lines on stdout", what);
	o = json_tokener_parse(p.out);
	cr_assert(o, "%s: stdout is not JSON: %.200s", what, p.out);
	XT_EXPECT_STREQ(json_object_get_string(xt_json_get(what, o, "source")), "-", "%s: source",
			what);
	xt_expect_json_capture(what, o, &exp);
	json_object_put(o);
	xt_proc_free(&p);
	xt_expect_free(&exp);
}

Test(offline, stdin_pcap)
{
	check_stdin("mix", "mix.pcap");
}

Test(offline, stdin_pcapng)
{
	check_stdin("two_ifaces", "two_ifaces.pcapng");
}

/* ---- options that mean nothing offline: exit 2, one line, nothing counted ---- */

static void check_refused(const char *says, const char *opt, const char *val)
{
	char mix[512];
	const char *argv[] = { xt_bin(), "-r", xt_pcap_path(mix, sizeof(mix), "mix.pcap"),
			       opt, val, NULL };
	struct xt_proc p;
	char what[64];

	snprintf(what, sizeof(what), "-r with %s", opt);
	xt_proc_run(argv, &p);
	xt_expect_cli_failure(what, &p, XC_EXIT_USAGE, says, false);
	xt_proc_free(&p);
}

Test(offline, refuses_interval)
{
	check_refused("-i means nothing with -r", "-i", "1");
}

Test(offline, refuses_duration)
{
	check_refused("--duration means nothing with -r", "--duration", "1");
}

Test(offline, refuses_count)
{
	check_refused("-c means nothing with -r", "-c", "1");
}

Test(offline, refuses_mode)
{
	check_refused("-m means nothing with -r", "-m", "native");
}

Test(offline, refuses_prometheus)
{
	check_refused("--prometheus means nothing with -r", "--prometheus", "9100");
}

Test(offline, refuses_no_ifaces)
{
	check_refused("--no-ifaces means nothing with -r", "--no-ifaces", NULL);
}

Test(offline, refuses_order)
{
	check_refused("-o means nothing with -r", "--order", "bytes");
}

Test(offline, refuses_user)
{
	check_refused("-Z means nothing with -r", "-Z", "nobody");
}

Test(offline, refuses_no_drops)
{
	check_refused("--no-drops means nothing with -r", "--no-drops", NULL);
}

Test(offline, refuses_json_with_text)
{
	check_refused("--json and --text contradict", "--json", "--text");
}
