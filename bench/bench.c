// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xdpcount-bench: run the suite into results.json, write the report from it,
 * and gate a run against the committed baseline.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/utsname.h>
#include <bpf/libbpf.h>
#include "bench.h"
#include "report.h"
#include "baseline.skel.h"
#include "netns.h"

#ifndef XC_CLANG_VERSION
#define XC_CLANG_VERSION "unknown"
#endif

static void cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) || !colon)
			continue;
		colon[strcspn(colon, "\n")] = '\0';
		snprintf(buf, len, "%s", colon + 2);
		break;
	}
	fclose(f);
}

static struct json_object *meta(const struct bench_opts *o)
{
	struct json_object *m = json_object_new_object();
	struct utsname u;
	char date[32], cpu[128];
	time_t now = time(NULL);

	uname(&u);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	cpu_model(cpu, sizeof(cpu));
	json_object_object_add(m, "kernel", json_object_new_string(u.release));
	json_object_object_add(m, "clang", json_object_new_string(XC_CLANG_VERSION));
	json_object_object_add(m, "date", json_object_new_string(date));
	json_object_object_add(m, "cpu_model", json_object_new_string(cpu));
	bench_add_int(m, "ncpus", libbpf_num_possible_cpus());
	bench_add_int(m, "bench_cpu", o->cpu);
	json_object_object_add(m, "quick", json_object_new_boolean(o->quick));
	bench_add_int(m, "rounds", o->rounds);
	bench_add_int(m, "repeat", o->repeat);
	return m;
}

static void opts_init(struct bench_opts *o, bool quick)
{
	const char *cpu = getenv("XC_BENCH_CPU");
	int ncpus = libbpf_num_possible_cpus();

	memset(o, 0, sizeof(*o));
	o->quick = quick;
	/* The last CPU: the first takes most of the machine's interrupts. */
	o->cpu = cpu ? atoi(cpu) : (ncpus > 1 ? ncpus - 1 : 0);
	o->rounds = quick ? 7 : 11;
	o->repeat = quick ? 100000 : 300000;
	o->live_rounds = quick ? 7 : 11;
	o->live_frames = quick ? 100000 : 500000;
	o->snapshot_reads = quick ? 5 : 7;
	o->big_tables = !quick;
}

static int write_json(struct json_object *res, const char *path)
{
	int flags = JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		    JSON_C_TO_STRING_NOSLASHESCAPE;

	if (json_object_to_file_ext(path, res, flags)) {
		fprintf(stderr, "bench: cannot write %s: %s\n", path,
			json_util_get_last_err());
		return -1;
	}
	return 0;
}

typedef int (*part_fn)(const struct bench_opts *o, const struct bench_refs *r,
		       struct json_object *res);

static int userspace_part(const struct bench_opts *o,
			  const struct bench_refs *r, struct json_object *res)
{
	(void)r;
	return bench_userspace(o, res);
}

static const struct {
	const char *name;
	part_fn run;
} parts[] = {
	{ "deterministic", bench_deterministic },
	{ "testrun", bench_testrun },
	{ "newkey", bench_newkey },
	{ "live", bench_live },
	{ "tracing", bench_tracing },
	{ "userspace", userspace_part },
	{ "offline", bench_offline },
};

static int run_parts(const struct bench_opts *o, const struct bench_refs *r,
		     struct json_object *res, const char *only)
{
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		__u64 t0 = bench_now_ns();
		int err;

		if (only && !strstr(only, parts[i].name))
			continue;
		fprintf(stderr, "bench: %s...\n", parts[i].name);
		err = parts[i].run(o, r, res);
		if (err) {
			fprintf(stderr, "bench: %s failed: %s\n", parts[i].name,
				strerror(-err));
			return err;
		}
		fprintf(stderr, "bench: %s done in %.1f s\n", parts[i].name,
			(double)(bench_now_ns() - t0) / 1e9);
	}
	return 0;
}

static int cmd_run(bool quick, const char *out, const char *only)
{
	struct json_object *res = json_object_new_object();
	struct baseline_bpf *skel;
	struct bench_opts o;
	struct bench_refs r;
	int err;

	opts_init(&o, quick);
	xt_net_sweep(); /* namespaces of earlier runs that were killed */
	skel = baseline_bpf__open_and_load();
	if (!skel) {
		err = -errno;
		fprintf(stderr, "bench: cannot load the reference programs: %s%s\n",
			strerror(errno), errno == EPERM ? " (needs root)" : "");
		goto out;
	}
	r.empty_fd = bpf_program__fd(skel->progs.xdp_empty);
	r.drop_fd = bpf_program__fd(skel->progs.xdp_drop);
	json_object_object_add(res, "meta", meta(&o));
	err = run_parts(&o, &r, res, only);
	if (!err) {
		bench_goals(res);
		err = write_json(res, out);
	}
	if (!err)
		fprintf(stderr, "bench: wrote %s\n", out);
out:
	baseline_bpf__destroy(skel);
	json_object_put(res);
	return err ? 1 : 0;
}

static int cmd_report(const char *results, const char *md, const char *plot)
{
	struct json_object *res = json_object_from_file(results);
	int err;

	if (!res) {
		fprintf(stderr, "bench: cannot read %s: %s\n", results,
			json_util_get_last_err());
		return 1;
	}
	err = bench_report(res, md, plot);
	json_object_put(res);
	return err ? 1 : 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xdpcount-bench run [--quick] [--only PARTS] [-o RESULTS.json] [-v]\n"
		"       xdpcount-bench report RESULTS.json REPORT.md PLOT.dat\n"
		"       xdpcount-bench baseline RESULTS.json BASELINE.json\n"
		"       xdpcount-bench check BASELINE.json RESULTS.json\n"
		"env: XC_BENCH_QUICK=1 (same as --quick), XC_BENCH_CPU=N (pinned CPU)\n");
}

static int main_run(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "only", required_argument, NULL, 'O' },
		{ "output", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *env = getenv("XC_BENCH_QUICK");
	const char *out = "bench/results.json", *only = NULL;
	bool quick = env && *env && strcmp(env, "0");
	int c;

	while ((c = getopt_long(argc, argv, "qO:o:v", lo, NULL)) != -1) {
		if (c == 'q')
			quick = true;
		else if (c == 'v')
			xc_set_verbose(true); /* libbpf's messages, the verifier's log */
		else if (c == 'O')
			only = optarg;
		else if (c == 'o')
			out = optarg;
		else
			return 2;
	}
	return cmd_run(quick, out, only);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	json_c_set_serialization_double_format("%.6g", JSON_C_OPTION_GLOBAL);
	if (!strcmp(cmd, "run"))
		return main_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "report") && argc == 5)
		return cmd_report(argv[2], argv[3], argv[4]);
	if (!strcmp(cmd, "baseline") && argc == 4)
		return bench_baseline(argv[2], argv[3]) ? 1 : 0;
	if (!strcmp(cmd, "check") && argc == 4)
		return bench_check(argv[2], argv[3]);
	usage(strcmp(cmd, "--help") ? stderr : stdout);
	return strcmp(cmd, "--help") ? 2 : 0;
}
