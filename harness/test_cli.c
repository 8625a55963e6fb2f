// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The command line (XC_BIN) as a user runs it: `-r FIXTURE --json` against the
 * expect files, the default top lists, the text view, and every failure with
 * its own exit code (src/cli.h enum xc_exit) and a one-line reason on stderr.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "checks.h"
#include "cli.h"
#include "fixtures.h"
#include "json.h"
#include "paths.h"
#include "proc.h"

#define TOP_ALL "100000"
#define DEFAULT_TOP 10
#define SETPRIV "/usr/bin/setpriv"
#define MAX_ARGS 24

/* The wrapper's words (setpriv ...), the CLI, lead's words, then args to NULL. */
static void run_cli_va(struct xt_proc *p, const char *const *wrapper,
		       const char *const *lead, const char *arg, va_list ap)
{
	const char *argv[MAX_ARGS];
	int n = 0;

	for (; wrapper && *wrapper; wrapper++)
		argv[n++] = *wrapper;
	argv[n++] = xt_bin();
	for (; lead && *lead; lead++)
		argv[n++] = *lead;
	for (; arg && n < MAX_ARGS - 1; arg = va_arg(ap, const char *))
		argv[n++] = arg;
	argv[n] = NULL;
	xt_proc_run(argv, p);
}

static void run_cli(struct xt_proc *p, const char *const *wrapper, const char *arg, ...)
{
	va_list ap;

	va_start(ap, arg);
	run_cli_va(p, wrapper, NULL, arg, ap);
	va_end(ap);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* stdout is exactly one JSON object and a newline. */
static struct json_object *one_object(const char *what, const struct xt_proc *p)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;
	size_t end;

	cr_assert(tok, "out of memory");
	o = json_tokener_parse_ex(tok, p->out, (int)p->out_len);
	end = json_tokener_get_parse_end(tok);
	cr_assert(o && json_object_is_type(o, json_type_object),
		  "%s: stdout is not a JSON object (%s): %.300s", what,
		  json_tokener_error_desc(json_tokener_get_error(tok)), p->out);
	/* json-c reads the whitespace after an object as part of it. */
	cr_expect(strspn(p->out + end, " \n") == strlen(p->out + end),
		  "%s: after the object: \"%.100s\"", what, p->out + end);
	cr_expect(count_lines(p->out) == 1 && p->out[p->out_len - 1] == '\n',
		  "%s: stdout is not one line", what);
	json_tokener_free(tok);
	return o;
}

static void expect_ranked(const char *what, const char *list, const void *base, size_t n,
			  size_t size, int (*rank)(const void *, const void *))
{
	const char *b = base;

	for (size_t i = 0; i + 1 < n; i++)
		cr_expect(rank(b + i * size, b + (i + 1) * size) < 0,
			  "%s: %s: entries %zu and %zu are out of order", what, list, i, i + 1);
}

static void expect_interfaces(const char *what, struct json_object *o,
			      const struct xt_expect *exp)
{
	struct json_object *ifs = xt_json_get(what, o, "interfaces"), *lo;
	size_t want = exp->c.total.packets ? 1 : 0;
	struct xc_counters c;

	cr_expect_eq((size_t)json_object_object_length(ifs), want,
		     "%s: interfaces: %d, want %zu", what, json_object_object_length(ifs), want);
	if (!want)
		return;
	lo = xt_json_get(what, ifs, "lo");
	xt_json_counters(what, lo, &c, NULL);
	xt_expect_counters_eq("interfaces.lo", &c, &exp->c);
}

/* The JSON of a whole fixture with every entry listed. */
static void expect_json_fixture(const char *what, struct json_object *o,
				const struct xt_expect *exp)
{
	struct json_object *flows = xt_json_get(what, o, "flows");
	struct xc_counters c;
	long le[XC_SIZE_BUCKETS];
	struct xc_source *src;
	struct xc_port *ports;
	struct xc_flow *fl;
	size_t n_src, n_ports, n_fl;

	xt_json_counters(what, o, &c, le);
	xt_expect_counters_eq(what, &c, &exp->c);
	for (int i = 0; i < XC_SIZE_BUCKETS; i++)
		cr_expect_eq(le[i], exp->size_le[i], "%s: sizes[%d].le: %ld, want %ld",
			     what, i, le[i], exp->size_le[i]);
	xt_json_sources(what, xt_json_get(what, o, "top_src"), &src, &n_src);
	xt_json_ports(what, xt_json_get(what, o, "top_dst_ports"), &ports, &n_ports);
	xt_json_flows(what, xt_json_get(what, flows, "top"), &fl, &n_fl);
	xt_expect_sources_eq(what, src, n_src, exp->sources, exp->n_sources);
	xt_expect_ports_eq(what, ports, n_ports, exp->ports, exp->n_ports);
	xt_expect_flows_eq(what, fl, n_fl, exp->flows, exp->n_flows);
	expect_ranked(what, "top_src", src, n_src, sizeof(*src), xt_rank_source);
	expect_ranked(what, "top_dst_ports", ports, n_ports, sizeof(*ports), xt_rank_port);
	expect_ranked(what, "flows.top", fl, n_fl, sizeof(*fl), xt_rank_flow);
	cr_expect_eq(json_object_get_uint64(xt_json_get(what, flows, "count")), exp->n_flows,
		     "%s: flows.count: %llu, want %zu", what,
		     (unsigned long long)json_object_get_uint64(xt_json_get(what, flows, "count")),
		     exp->n_flows);
	cr_expect_eq(json_object_get_uint64(xt_json_get(what, o, "skipped")), exp->skipped,
		     "%s: skipped: want %lu", what, exp->skipped);
	cr_expect_eq(json_object_get_boolean(xt_json_get(what, o, "truncated")), exp->truncated,
		     "%s: truncated: want %d", what, exp->truncated);
	expect_interfaces(what, o, exp);
	free(src);
	free(ports);
	free(fl);
}

static void check_json(const char *name, const char *file)
{
	struct xt_expect exp;
	struct json_object *o;
	struct xt_proc p;
	char what[128];
	int want;

	xt_expect_load(&exp, name, file);
	snprintf(what, sizeof(what), "xdpcount -r %s --json", file);
	run_cli(&p, NULL, "-r", exp.path, "--json", "--top", TOP_ALL, NULL);
	want = exp.truncated ? XC_EXIT_TRUNCATED : XC_EXIT_OK;
	cr_expect_eq(p.status, want, "%s: exit %d, want %d (stderr: %s)", what, p.status,
		     want, p.err);
	o = one_object(what, &p);
	expect_json_fixture(what, o, &exp);
	if (exp.truncated) {
		cr_expect_eq(count_lines(p.err), 1, "%s: stderr is not one line: %s", what, p.err);
		cr_expect(strstr(p.err, "cut short"), "%s: stderr does not say it was cut: %s",
			  what, p.err);
	} else {
		cr_expect_str_empty(p.err, "%s: stderr: %s", what, p.err);
	}
	json_object_put(o);
	xt_proc_free(&p);
	xt_expect_free(&exp);
}

#define CLI_JSON_TEST(name, file)           \
	Test(cli, json_##name)              \
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
	cr_expect_eq(n_got, want, "%s: %s: %zu entries, want %zu", what, list, n_got, want);
	for (size_t i = 0; i < n_got && i < want; i++)
		cr_expect_eq(rank((const char *)got + i * size, sorted + i * size), 0,
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
	run_cli(&p, NULL, "-r", exp.path, "--json", NULL);
	cr_expect_eq(p.status, XC_EXIT_OK, "%s: exit %d (stderr: %s)", what, p.status, p.err);
	o = one_object(what, &p);
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

Test(cli, default_top_mix)
{
	check_default_top("mix", "mix.pcap");
}

/* One packet per source and flow: the order is the tie rule alone. */
Test(cli, default_top_ties_many_sources)
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
		cr_expect_eq(packets, rows[at].packets, "%s: row %s: %llu packets, want %llu",
			     what, rows[at].name, packets, (unsigned long long)rows[at].packets);
		at++;
	}
	cr_expect_eq(at, n, "%s: the text has no row for %s", what,
		     at < n ? rows[at].name : "-");
}

static void check_text(const char *name, const char *file)
{
	unsigned long long run = 0, skipped = 0;
	struct xt_expect exp;
	struct xt_proc p;
	char what[128], head[600];

	xt_expect_load(&exp, name, file);
	snprintf(what, sizeof(what), "xdpcount -r %s (text)", file);
	run_cli(&p, NULL, "-r", exp.path, NULL);
	cr_expect_eq(p.status, XC_EXIT_OK, "%s: exit %d (stderr: %s)", what, p.status, p.err);
	snprintf(head, sizeof(head), "xdpcount: %s: ", exp.path);
	cr_expect(!strncmp(p.out, head, strlen(head)) &&
		  sscanf(p.out + strlen(head), "%llu frames counted, %llu skipped", &run,
			 &skipped) == 2,
		  "%s: no \"%sN frames counted, M skipped\" line: %.200s", what, head, p.out);
	cr_expect_eq(run, exp.frames - exp.skipped, "%s: %llu frames counted, want %lu",
		     what, run, exp.frames - exp.skipped);
	cr_expect_eq(skipped, exp.skipped, "%s: %llu skipped, want %lu", what, skipped,
		     exp.skipped);
	expect_text_rows(what, p.out, &exp);
	xt_proc_free(&p);
	xt_expect_free(&exp);
}

Test(cli, text_mix)
{
	check_text("mix", "mix.pcap");
}

Test(cli, text_short_frames)
{
	check_text("short_frames", "short_frames.pcap");
}

/* ---- failures: exit code, nothing on stdout, one line on stderr ---- */

/* usage: argp's second line, pointing to --help, follows the reason. */
static void expect_failure(const char *what, const struct xt_proc *p, int status,
			   const char *says, bool usage)
{
	size_t lines = count_lines(p->err);

	cr_expect_eq(p->status, status, "%s: exit %d, want %d (stderr: %s)", what,
		     p->status, status, p->err);
	cr_expect_str_empty(p->out, "%s: stdout: %.200s", what, p->out);
	cr_expect_eq(lines, usage ? 2 : 1, "%s: %zu lines on stderr: %s", what, lines, p->err);
	cr_expect(strstr(p->err, says) && strstr(p->err, says) < strchr(p->err, '\n'),
		  "%s: the first line on stderr does not say \"%s\": %s", what, says, p->err);
	if (usage)
		cr_expect(strstr(p->err, "--help"), "%s: no usage hint: %s", what, p->err);
}

static void check_capture_error(const char *path, int status, const char *says)
{
	struct xt_proc p;
	char what[600];

	snprintf(what, sizeof(what), "xdpcount -r %s", path);
	run_cli(&p, NULL, "-r", path, "--json", NULL);
	expect_failure(what, &p, status, says, false);
	xt_proc_free(&p);
}

static void check_fixture_error(const char *file, int status, const char *says)
{
	char path[512];

	check_capture_error(xt_pcap_path(path, sizeof(path), file), status, says);
}

Test(cli, missing_file)
{
	check_fixture_error("no_such_file.pcap", XC_EXIT_FILE, "No such file");
}

Test(cli, directory)
{
	check_fixture_error("", XC_EXIT_FILE, "directory");
}

Test(cli, dev_null)
{
	check_capture_error("/dev/null", XC_EXIT_FORMAT, "not a pcap");
}

Test(cli, corrupt)
{
	check_fixture_error("corrupt.pcap", XC_EXIT_FORMAT, "not a pcap");
}

Test(cli, not_ethernet_raw)
{
	check_fixture_error("not_ethernet.pcap", XC_EXIT_LINKTYPE, "(RAW) is not Ethernet");
}

Test(cli, not_ethernet_sll)
{
	check_fixture_error("not_ethernet_sll.pcap", XC_EXIT_LINKTYPE,
			    "113 (LINUX_SLL) is not Ethernet");
}

/* A scratch file of `bytes` bytes and mode `mode`; the caller unlinks it. */
static void scratch_file(char *path, size_t len, size_t bytes, mode_t mode)
{
	int fd;

	snprintf(path, len, "/tmp/xdpcount-cli-%d-XXXXXX", (int)getpid());
	fd = mkstemp(path);
	cr_assert(fd >= 0, "mkstemp");
	for (size_t i = 0; i < bytes; i++)
		cr_assert_eq(write(fd, "x", 1), 1, "write %s", path);
	close(fd);
	cr_assert_eq(chmod(path, mode), 0, "chmod %s", path);
}

Test(cli, empty_file)
{
	char path[64];

	scratch_file(path, sizeof(path), 0, 0644);
	check_capture_error(path, XC_EXIT_FORMAT, "not a pcap");
	unlink(path);
}

/*
 * Mode 000 stops no one with CAP_DAC_OVERRIDE, and the suite runs as root:
 * drop that and CAP_DAC_READ_SEARCH (keeping what loading needs) for the CLI.
 */
Test(cli, unreadable_file)
{
	static const char *const no_dac[] = {
		SETPRIV, "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search", NULL,
	};
	struct xt_proc p;
	char path[64];

	scratch_file(path, sizeof(path), 64, 0);
	run_cli(&p, no_dac, "-r", path, "--json", NULL);
	expect_failure("xdpcount -r (mode 000), without CAP_DAC_OVERRIDE", &p, XC_EXIT_FILE,
		       "Permission denied", false);
	xt_proc_free(&p);
	unlink(path);
}

Test(cli, unprivileged)
{
	static const char *const nobody[] = {
		SETPRIV, "--inh-caps=-all", "--bounding-set=-all", "--reuid=65534",
		"--regid=65534", "--clear-groups", NULL,
	};
	struct xt_proc p;
	char path[512];

	run_cli(&p, nobody, "-r", xt_pcap_path(path, sizeof(path), "mix.pcap"), "--json", NULL);
	expect_failure("xdpcount as nobody without capabilities", &p, XC_EXIT_PERM,
		       "missing CAP_BPF+CAP_NET_ADMIN+CAP_PERFMON", false);
	xt_proc_free(&p);
	/* The file is looked at first: a missing one is exit 5 whoever asks. */
	run_cli(&p, nobody, "-r", xt_pcap_path(path, sizeof(path), "no_such_file.pcap"), NULL);
	expect_failure("xdpcount as nobody, missing file", &p, XC_EXIT_FILE, "No such file",
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
	run_cli(&p, wrapper, "-r", xt_pcap_path(mix, sizeof(mix), "mix.pcap"), NULL);
	expect_failure(what, &p, XC_EXIT_PERM, says, false);
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(all[i], name))
			cr_expect(!strstr(p.err, all[i]) || strstr(p.err, all[i]) > strstr(p.err, "("),
				  "%s: it says %s is missing too: %s", what, all[i], p.err);
	xt_proc_free(&p);
}

Test(cli, privileges_each_capability)
{
	check_without("bpf", "CAP_BPF");
	check_without("net_admin", "CAP_NET_ADMIN");
	check_without("perfmon", "CAP_PERFMON");
}

/* The documented three and nothing else are enough: the counts are gen.py's. */
Test(cli, privileges_documented_set_suffices)
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
	run_cli(&p, three, "-r", exp.path, "--json", NULL);
	cr_assert_eq(p.status, XC_EXIT_OK, "with " "CAP_BPF+CAP_NET_ADMIN+CAP_PERFMON only: "
		     "exit %d: %s", p.status, p.err);
	o = one_object("the three capabilities", &p);
	xt_json_counters("the three capabilities", o, &c, NULL);
	xt_expect_counters_eq("the three capabilities", &c, &exp.c);
	json_object_put(o);
	xt_proc_free(&p);
	xt_expect_free(&exp);
}

/* -v: the verifier's statistics on a load that succeeded. */
Test(cli, verbose_prints_verifier_statistics)
{
	struct xt_proc p;
	char mix[512];
	unsigned long insns = 0;
	const char *at;

	run_cli(&p, NULL, "-v", "-r", xt_pcap_path(mix, sizeof(mix), "mix.pcap"), "--json", NULL);
	cr_expect_eq(p.status, XC_EXIT_OK, "-v: exit %d", p.status);
	at = strstr(p.err, "\nprocessed ");
	cr_expect(at && sscanf(at, "\nprocessed %lu insns", &insns) == 1 && insns > 0,
		  "-v: no \"processed N insns\" line from the verifier: %.2000s",
		  p.err + (strlen(p.err) > 2000 ? strlen(p.err) - 2000 : 0));
	xt_proc_free(&p);
}

/* ---- bad options: exit 2, the reason, and argp's usage hint ---- */

static void check_usage(const char *what, const char *says, const char *arg, ...)
{
	char mix[512];
	/* A valid -r first, so that the option under test is the only fault. */
	const char *lead[] = { "-r", xt_pcap_path(mix, sizeof(mix), "mix.pcap"), NULL };
	struct xt_proc p;
	va_list ap;

	va_start(ap, arg);
	run_cli_va(&p, NULL, arg ? lead : NULL, arg, ap);
	va_end(ap);
	expect_failure(what, &p, XC_EXIT_USAGE, says, true);
	cr_expect(!strncmp(p.err, "xdpcount: ", 10), "%s: stderr does not begin \"xdpcount: \": %s",
		  what, p.err);
	xt_proc_free(&p);
}

Test(cli, usage_top_zero)
{
	check_usage("--top 0", "--top", "--top", "0", NULL);
}

Test(cli, usage_negative_interval)
{
	check_usage("-i -1", "--interval", "-i", "-1", NULL);
}

Test(cli, usage_bad_mode)
{
	check_usage("--mode bogus", "--mode", "--mode", "bogus", NULL);
}

Test(cli, usage_unknown_option)
{
	check_usage("--bogus", "unrecognized option '--bogus'", "--bogus", NULL);
}

Test(cli, usage_no_arguments)
{
	check_usage("no arguments", "-r FILE", NULL);
}

Test(cli, usage_bad_prometheus)
{
	check_usage("--prometheus 127.0.0.1:99999", "--prometheus wants [ADDR:]PORT",
		    "--prometheus", "127.0.0.1:99999", NULL);
}

/* tcpdump's habit: a filter expression after -r FILE. */
Test(cli, usage_filter_expression)
{
	check_usage("-r FILE 'tcp port 80'", "give no interfaces or filter: 'tcp port 80'",
		    "tcp port 80", NULL);
}

Test(cli, help_short_option)
{
	struct xt_proc p;

	run_cli(&p, NULL, "-h", NULL);
	cr_expect_eq(p.status, XC_EXIT_OK, "-h: exit %d (stderr: %s)", p.status, p.err);
	cr_expect(!strncmp(p.out, "Usage: xdpcount ", 16) && strstr(p.out, "--interval"),
		  "-h: no help on stdout: %.300s", p.out);
	xt_proc_free(&p);
}
