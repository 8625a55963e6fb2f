// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The goals, judged from results.json, and the readable report. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "report.h"

static size_t len_of(struct json_object *arr)
{
	return arr ? json_object_array_length(arr) : 0;
}

static struct json_object *at(struct json_object *arr, size_t i)
{
	return json_object_array_get_idx(arr, i);
}

static const char *str_of(struct json_object *obj, const char *key)
{
	struct json_object *v = obj ? bench_child(obj, key) : NULL;

	return v ? json_object_get_string(v) : "?";
}

static bool bool_of(struct json_object *obj, const char *key)
{
	struct json_object *v = obj ? bench_child(obj, key) : NULL;

	return v && json_object_get_boolean(v);
}

/* A testrun figure of one class and set ("empty" or a set name). */
static double class_fig(struct json_object *cls, const char *set, const char *key)
{
	return bench_num(bench_child(bench_child(cls, "sets"), set), key);
}

/* The class with the highest ratio for a set. */
static double worst_ratio(struct json_object *res, const char *set,
			  const char **label)
{
	struct json_object *classes = bench_child(bench_child(res, "testrun"), "classes");
	double worst = NAN;

	for (size_t i = 0; i < len_of(classes); i++) {
		double r = class_fig(at(classes, i), set, "ratio");

		if (isnan(worst) || r > worst) {
			worst = r;
			*label = str_of(at(classes, i), "label");
		}
	}
	return worst;
}

static double set_geomean(struct json_object *res, const char *set)
{
	struct json_object *sets = bench_child(bench_child(res, "testrun"), "sets");

	for (size_t i = 0; i < len_of(sets); i++)
		if (!strcmp(str_of(at(sets, i), "name"), set))
			return bench_num(at(sets, i), "geomean_ratio");
	return NAN;
}

static struct json_object *live_run(struct json_object *res, const char *action,
				    int cpus)
{
	struct json_object *runs = bench_child(bench_child(res, "live"), "runs");

	for (size_t i = 0; i < len_of(runs); i++)
		if (!strcmp(str_of(at(runs, i), "action"), action) &&
		    bench_num(at(runs, i), "cpus") == cpus)
			return at(runs, i);
	return NULL;
}

static void add_goal(struct json_object *goals, const char *what,
		     const char *target, double value, double limit, bool higher,
		     bool also, const char *detail)
{
	struct json_object *g = json_object_new_object();
	bool met = (higher ? value >= limit : value <= limit) && also;
	double by = higher ? 1 - value / limit : value / limit - 1;
	char margin[96];

	if (isnan(value))
		snprintf(margin, sizeof(margin), "not measured");
	else if (met)
		snprintf(margin, sizeof(margin), "met, %.0f %% to spare", -100 * by);
	else if (by > 0)
		snprintf(margin, sizeof(margin), "missed by %.0f %%", 100 * by);
	else
		snprintf(margin, sizeof(margin), "missed: not every packet counted");
	json_object_object_add(g, "measurement", json_object_new_string(what));
	json_object_object_add(g, "goal", json_object_new_string(target));
	bench_add_num(g, "value", value);
	json_object_object_add(g, "met", json_object_new_boolean(met));
	json_object_object_add(g, "verdict", json_object_new_string(margin));
	json_object_object_add(g, "detail", json_object_new_string(detail));
	json_object_array_add(goals, g);
}

/* A set's cost over the classes: their geometric mean, or the worst class. */
static void ratio_goal(struct json_object *res, struct json_object *goals,
		       const char *set, const char *what, double limit, bool worst_class)
{
	const char *label = "?";
	double geo = set_geomean(res, set), worst = worst_ratio(res, set, &label);
	char target[64], detail[128];

	snprintf(target, sizeof(target), "%s <= %.3gx the empty program",
		 worst_class ? "every class" : "geometric mean over classes", limit);
	snprintf(detail, sizeof(detail), "worst class %s %.2fx; geometric mean "
		 "over classes %.2fx", label, worst, geo);
	add_goal(goals, what, target, worst_class ? worst : geo, limit, false, true, detail);
}

/* xdpcount -r: a 1M-frame capture against a bare libpcap read; 400 captures in one run. */
static void offline_goals(struct json_object *res, struct json_object *goals)
{
	struct json_object *off = bench_child(res, "offline");
	struct json_object *big = bench_child(off, "capture"), *set = bench_child(off, "corpus");
	char detail[160];

	snprintf(detail, sizeof(detail), "%.0f frames: %.0f ms, bare read %.0f ms; %.2f M frames/s",
		 bench_num(big, "frames"), bench_num(big, "count_ms"), bench_num(big, "bare_ms"),
		 bench_num(big, "fps") / 1e6);
	add_goal(goals, "offline count of a capture", "<= 8x a bare libpcap read",
		 bench_num(big, "ratio"), 8, false, bool_of(big, "all_counted"), detail);
	snprintf(detail, sizeof(detail), "%.0f files, %.0f frames; loading %.2f s of it",
		 bench_num(set, "files"), bench_num(set, "frames"), bench_num(set, "load_seconds"));
	add_goal(goals, "400 small captures in one run", "<= 3 s", bench_num(set, "seconds"), 3,
		 false, bool_of(set, "all_counted"), detail);
}

void bench_goals(struct json_object *res)
{
	struct json_object *goals = json_object_new_array();
	struct json_object *two = live_run(res, "drop", 2), *one = live_run(res, "drop", 1);
	struct json_object *snaps = bench_child(res, "snapshot");
	struct json_object *k64 = len_of(snaps) ? at(snaps, 0) : NULL;
	char detail[160];

	struct json_object *ph = bench_child(bench_child(res, "newkey"), "phases");
	struct json_object *full = bench_child(ph, "full"), *hit = bench_child(ph, "hit_full");

	ratio_goal(res, goals, "proto", "protocol counters only", 1.25, false);
	ratio_goal(res, goals, "all", "everything on, all keys hits", 2.0, false);
	ratio_goal(res, goals, "all", "everything on, all keys hits", 2.5, true);
	snprintf(detail, sizeof(detail), "%.0f ns against the empty program's %.0f ns",
		 bench_num(full, "ns"), bench_num(full, "empty_ns"));
	add_goal(goals, "new key every packet, full cache, consumer draining",
		 "<= 8x the empty program", bench_num(full, "ns") / bench_num(full, "empty_ns"),
		 8, false, true, detail);
	snprintf(detail, sizeof(detail), "%.0f ns per packet, the empty program %.0f ns",
		 bench_num(hit, "ns"), bench_num(hit, "empty_ns"));
	add_goal(goals, "hits scattered over the full cache", "<= 300 ns above the empty program",
		 bench_num(hit, "above_ns"), 300, false, true, detail);
	snprintf(detail, sizeof(detail), "two CPUs: %.0f %%, %s; one CPU: %.0f %%",
		 100 * bench_num(two, "ratio"),
		 bool_of(two, "all_counted") ? "every packet counted" : "NOT every packet counted",
		 100 * bench_num(one, "ratio"));
	add_goal(goals, "live veth, everything on", ">= 85 % of bare XDP_DROP on one and on "
		 "two CPUs, every packet counted", fmin(bench_num(one, "ratio"), bench_num(two, "ratio")),
		 0.85, true, bool_of(one, "all_counted") && bool_of(two, "all_counted"), detail);
	snprintf(detail, sizeof(detail), "median %.1f ms of CPU time (best %.1f ms)",
		 bench_num(k64, "batch_ms"), bench_num(k64, "batch_best_ms"));
	add_goal(goals, "one live update, every table full at default sizes",
		 "<= 10 ms of CPU time", bench_num(k64, "batch_ms"), 10, false, true, detail);
	offline_goals(res, goals);
	json_object_object_add(res, "goals", goals);
}

/* ---- report.md ---- */

static void header(FILE *f, struct json_object *res)
{
	struct json_object *m = bench_child(res, "meta");

	fprintf(f, "# xdpcount benchmark report\n\n");
	fprintf(f, "Made by `make bench%s` on %s: kernel %s, %s, %s (%d CPUs), test runs "
		"pinned to CPU %d. Figures are ratios to a reference measured in the "
		"same run, medians over rounds; absolute numbers are noise on a shared "
		"machine.\n\n",
		bool_of(m, "quick") ? " QUICK=1" : "", str_of(m, "date"),
		str_of(m, "kernel"), str_of(m, "clang"), str_of(m, "cpu_model"),
		(int)bench_num(m, "ncpus"), (int)bench_num(m, "bench_cpu"));
}

static void goals_table(FILE *f, struct json_object *res)
{
	struct json_object *goals = bench_child(res, "goals");

	fprintf(f, "## Goals\n\n| measurement | goal | measured | verdict |\n|---|---|---|---|\n");
	for (size_t i = 0; i < len_of(goals); i++) {
		struct json_object *g = at(goals, i);

		fprintf(f, "| %s | %s | %s | **%s** |\n", str_of(g, "measurement"),
			str_of(g, "goal"), str_of(g, "detail"), str_of(g, "verdict"));
	}
	fprintf(f, "\n");
}

static void testrun_table(FILE *f, struct json_object *res, const char *key,
			  const char *fmt)
{
	struct json_object *tr = bench_child(res, "testrun");
	struct json_object *sets = bench_child(tr, "sets"), *classes = bench_child(tr, "classes");

	fprintf(f, "| class | bytes | empty ns |");
	for (size_t s = 0; s < len_of(sets); s++)
		fprintf(f, " %s |", str_of(at(sets, s), "label"));
	fprintf(f, "\n|---|---|---|");
	for (size_t s = 0; s < len_of(sets); s++)
		fprintf(f, "---|");
	for (size_t c = 0; c < len_of(classes); c++) {
		struct json_object *cls = at(classes, c);

		fprintf(f, "\n| %s | %d | %.1f |", str_of(cls, "label"),
			(int)bench_num(cls, "len"), class_fig(cls, "empty", "ns"));
		for (size_t s = 0; s < len_of(sets); s++) {
			fprintf(f, " ");
			fprintf(f, fmt, class_fig(cls, str_of(at(sets, s), "name"), key));
			fprintf(f, " |");
		}
	}
	if (!strcmp(key, "ratio")) {
		fprintf(f, "\n| geometric mean | | |");
		for (size_t s = 0; s < len_of(sets); s++)
			fprintf(f, " %.2fx |", bench_num(at(sets, s), "geomean_ratio"));
	}
	fprintf(f, "\n\n");
}

static void testrun_section(FILE *f, struct json_object *res)
{
	struct json_object *m = bench_child(res, "meta");

	fprintf(f, "## Cost per packet under BPF_PROG_TEST_RUN\n\n"
		"Median of %d rounds of %d repeats each (the thread's CPU time of a "
		"call, less a call's own %.0f ns, divided by the repeats); "
		"every round runs every class through the empty program and each "
		"feature set, the order rotating. Feature sets add one feature to the "
		"protocol counters; *everything* is all of them.\n\n"
		"Ratio to the empty program (median of the per-round ratios):\n\n",
		(int)bench_num(m, "rounds"), (int)bench_num(m, "repeat"),
		bench_num(bench_child(res, "testrun"), "call_ns"));
	testrun_table(f, res, "ratio", "%.2fx");
	fprintf(f, "Nanoseconds above the empty program:\n\n");
	testrun_table(f, res, "above_ns", "%.1f");
}

static void table_line(FILE *f, const char *name, struct json_object *t)
{
	fprintf(f, "%s %d entries of %d, %d inserted, %d exported, %d unrecorded, %d folded",
		name, (int)bench_num(t, "entries"), (int)bench_num(t, "capacity"),
		(int)bench_num(t, "inserted"), (int)bench_num(t, "exported"),
		(int)bench_num(t, "unrecorded"), (int)bench_num(t, "folded"));
}

static void newkey_section(FILE *f, struct json_object *res)
{
	static const char *const phases[][2] = {
		{ "cold", "new key, cold cache" },
		{ "full", "new key, full cache (each insert exports)" },
		{ "hit_full", "hit, keys scattered over the full cache" },
	};
	struct json_object *nk = bench_child(res, "newkey");
	struct json_object *ph = bench_child(nk, "phases");

	fprintf(f, "## New-key path\n\nEverything on, default sizes; IPv6 UDP "
		"frames whose source (and so flow) is new with every packet, one packet "
		"per test run, a consumer thread draining the exports. Each packet is followed by one whose key is always in the "
		"tables (*all hits*) and by a run of the empty program (the floor), so "
		"all three are timed under the same load; ns are the median over chunks "
		"of 4096 packets of each chunk's middle-half mean.\n\n"
		"| phase | packets | ns per run | all-hits ns | empty ns | above empty "
		"| all hits above empty | vs all hits |\n|---|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < sizeof(phases) / sizeof(phases[0]); i++) {
		struct json_object *p = bench_child(ph, phases[i][0]);

		fprintf(f, "| %s | %d | %.0f | %.0f | %.0f | %.0f | %.0f | %.2fx |\n",
			phases[i][1], (int)bench_num(p, "packets"), bench_num(p, "ns"),
			bench_num(p, "hit_ns"), bench_num(p, "empty_ns"),
			bench_num(p, "above_ns"), bench_num(p, "hit_above_ns"),
			bench_num(p, "vs_hit"));
	}
	fprintf(f, "\nCounted %d of %d packets run. Tables after the run: ",
		(int)bench_num(nk, "counted"), (int)bench_num(nk, "runs"));
	table_line(f, "cache", bench_child(nk, "cache"));
	table_line(f, "; sources", bench_child(nk, "sources"));
	table_line(f, "; flows", bench_child(nk, "flows"));
	fprintf(f, ".\n\n");
}

static void flood_lines(FILE *f, struct json_object *fl)
{
	if (!fl)
		return;
	fprintf(f, "Flood: %d frames, each a new flow, as live frames into the counter "
		"(XDP_DROP) while a thread drains the exports: %d counted; cache %d inserted, "
		"%d exported, %d live, %d unrecorded; %d flows folded into sources, %d frames "
		"in other; the sources, other and unrecorded add up to l4: %s. The drain thread "
		"took %.0f ms of CPU for %d records, %.0f ns a record inside the drains; the "
		"snapshot after it %.1f ms.\n\n",
		(int)bench_num(fl, "sent"), (int)bench_num(fl, "counted"),
		(int)bench_num(fl, "cache_inserted"), (int)bench_num(fl, "cache_exported"),
		(int)bench_num(fl, "cache_live"), (int)bench_num(fl, "unrecorded"),
		(int)bench_num(fl, "flows_folded"), (int)bench_num(fl, "other"),
		bool_of(fl, "exact") ? "yes" : "**no**", bench_num(fl, "drain_cpu_ms"),
		(int)bench_num(fl, "drained_records"), bench_num(fl, "drain_ns_per_record"),
		bench_num(fl, "snapshot_cpu_ms"));
}

static void live_section(FILE *f, struct json_object *res)
{
	struct json_object *lv = bench_child(res, "live"), *runs = bench_child(lv, "runs");

	fprintf(f, "## Live veth\n\nThe counter (everything on) in native mode on "
		"one end of a veth pair; a live-frames generator (xdpcount with every "
		"feature off, XDP_TX) in the peer namespace sends %d-byte IPv4 UDP "
		"frames, %d rounds. Reference: bare XDP_DROP for the drop action, the "
		"empty XDP_PASS program for pass, timed in the same round, the two in "
		"alternating order. Mpps come from the kernel's own time per frame "
		"(the test run's duration: the generator, the veth and the receiving "
		"program all run in it, on the generator's CPU; time taken by other "
		"processes is left out), summed over generator CPUs; the ratio is the "
		"median of the per-round ratios, with the wall-clock ratio beside it. "
		"*Counted* is the counter's total; *reference got*, the veth's own XDP "
		"packet count.\n\n"
		"| action | generator CPUs | frames per CPU | counter Mpps | reference "
		"Mpps | ratio (wall clock) | sent | counted | reference got | every packet "
		"counted |\n|---|---|---|---|---|---|---|---|---|---|\n",
		(int)bench_num(lv, "frame_len"), (int)bench_num(lv, "rounds"));
	for (size_t i = 0; i < len_of(runs); i++) {
		struct json_object *r = at(runs, i);

		fprintf(f, "| %s | %d | %d | %.2f | %.2f | %.0f %% (%.0f %%) | %.0f | %.0f | %.0f | %s |\n",
			str_of(r, "action"), (int)bench_num(r, "cpus"),
			(int)bench_num(r, "frames_per_cpu"), bench_num(r, "counter_mpps"),
			bench_num(r, "reference_mpps"), 100 * bench_num(r, "ratio"),
			100 * bench_num(r, "wall_ratio"), bench_num(r, "sent"),
			bench_num(r, "counted"), bench_num(r, "reference_arrived"),
			bool_of(r, "all_counted") ? "yes" : "**no**");
	}
	fprintf(f, "\n");
	flood_lines(f, bench_child(lv, "flood"));
}

/* One tracer's line: its figures, or why this kernel could not run it. */
static void tracer_line(FILE *f, const char *what, struct json_object *t)
{
	struct json_object *err;

	if (!t)
		return;
	if (json_object_object_get_ex(t, "error", &err)) {
		fprintf(f, "| %s | not measured: %s | | | | |\n", what, json_object_get_string(err));
		return;
	}
	fprintf(f, "| %s | %.3f | %.3f | %.0f %% | %+.0f ns | %s |\n", what,
		bench_num(t, "traced_mpps"), bench_num(t, "untraced_mpps"),
		100 * bench_num(t, "ratio"), bench_num(t, "cost_ns"),
		bool_of(t, "all_traced") ? "yes" : "**no**");
}

static void tracing_section(FILE *f, struct json_object *res)
{
	struct json_object *tr = bench_child(res, "tracing");
	struct json_object *d = bench_child(tr, "drops"), *o = bench_child(tr, "observe");

	fprintf(f, "## Tracers\n\nOn the live veth pair, one generator CPU, %d rounds, the "
		"two sides of each ratio in alternating order. *Drop reasons*: the empty "
		"XDP_PASS program hands each UDP frame to the stack, which frees it (no "
		"socket on port 9), with and without the drop tracer watching the "
		"interface: the cost per freed skb. *Observe mode*: bare XDP_DROP with and "
		"without fentry/fexit on it: the cost per frame. *Traced*: the tracer "
		"counted every frame sent.\n\n"
		"| tracer | traced Mpps | untraced Mpps | ratio | cost per packet | traced |\n"
		"|---|---|---|---|---|---|\n", (int)bench_num(tr, "rounds"));
	tracer_line(f, "drop reasons (per freed skb)", d);
	tracer_line(f, "observe mode (per frame)", o);
	fprintf(f, "\n");
}

static void snapshot_section(FILE *f, struct json_object *res)
{
	struct json_object *snaps = bench_child(res, "snapshot");
	struct json_object *mem = bench_child(res, "memory"), *maps = bench_child(mem, "maps");

	fprintf(f, "## User space\n\nSnapshot of everything on, with sources and "
		"flows tables of the given size; %s. Batch and key-by-key reads of two "
		"such counters alternate; ms are the reading thread's CPU time (user and "
		"kernel), the fastest read with the median in brackets, and the speedup "
		"is the ratio of the fastest reads (other processes only ever slow a "
		"read down).\n\n"
		"| tables | sources | flows | reads of each | batch ms | key by key ms | batch "
		"speedup | map memory (memlock) |\n|---|---|---|---|---|---|---|---|\n",
		str_of(res, "snapshot_fill"));
	for (size_t i = 0; i < len_of(snaps); i++) {
		struct json_object *s = at(snaps, i);

		fprintf(f, "| %d | %d | %d | %d | %.1f (%.1f) | %.1f (%.1f) | %.1fx | %.1f MiB |\n",
			(int)bench_num(s, "capacity"), (int)bench_num(s, "sources"),
			(int)bench_num(s, "flows"), (int)bench_num(s, "reads"),
			bench_num(s, "batch_best_ms"), bench_num(s, "batch_ms"),
			bench_num(s, "keywise_best_ms"), bench_num(s, "keywise_ms"),
			bench_num(s, "speedup"), bench_num(s, "memlock") / 1048576);
	}
	fprintf(f, "\nMemory of the loaded maps at the default sizes (%s; memlock from "
		"/proc/self/fdinfo):\n\n| map | type | max entries | key | value | "
		"memlock |\n|---|---|---|---|---|---|\n", str_of(mem, "config"));
	for (size_t i = 0; i < len_of(maps); i++) {
		struct json_object *m = at(maps, i);

		fprintf(f, "| %s | %s | %d | %d | %d | %.0f KiB |\n", str_of(m, "name"),
			str_of(m, "type"), (int)bench_num(m, "max_entries"),
			(int)bench_num(m, "key_size"), (int)bench_num(m, "value_size"),
			bench_num(m, "memlock") / 1024);
	}
	fprintf(f, "| **total** | | | | | %.1f MiB |\n\n",
		bench_num(mem, "total_bytes") / 1048576);
}

static void deterministic_section(FILE *f, struct json_object *res)
{
	struct json_object *det = bench_child(res, "deterministic");

	fprintf(f, "## Deterministic figures\n\nExact for one kernel and clang; "
		"`make bench-check` fails when one grows more than 5 %%.\n\n"
		"| program | key | verified insns | xlated bytes | JIT bytes |\n"
		"|---|---|---|---|---|\n");
	json_object_object_foreach(det, name, o) {
		fprintf(f, "| %s | %s | %.0f | %.0f | %.0f |\n", str_of(o, "label"), name,
			bench_num(o, "verified_insns"), bench_num(o, "xlated_len"),
			bench_num(o, "jited_len"));
	}
	fprintf(f, "\n");
}

/* Rows: the empty program, then the feature sets; columns: classes. */
static int plot_data(struct json_object *res, const char *path)
{
	struct json_object *tr = bench_child(res, "testrun");
	struct json_object *sets = bench_child(tr, "sets"), *classes = bench_child(tr, "classes");
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fprintf(f, "set");
	for (size_t c = 0; c < len_of(classes); c++)
		fprintf(f, "\t%s", str_of(at(classes, c), "label"));
	for (size_t s = 0; s <= len_of(sets); s++) {
		const char *name = s ? str_of(at(sets, s - 1), "name") : "empty";

		fprintf(f, "\n\"%s\"", s ? str_of(at(sets, s - 1), "label") : "empty");
		for (size_t c = 0; c < len_of(classes); c++)
			fprintf(f, "\t%.1f", class_fig(at(classes, c), name, "ns"));
	}
	fprintf(f, "\n");
	return fclose(f);
}

int bench_report(struct json_object *res, const char *md_path,
		 const char *plot_path)
{
	FILE *f = fopen(md_path, "w");

	if (!f) {
		perror(md_path);
		return -1;
	}
	header(f, res);
	goals_table(f, res);
	fprintf(f, "![cost per packet by feature set](report.svg)\n\n");
	/* A run of some parts only (--only) reports those. */
	if (bench_child(res, "testrun"))
		testrun_section(f, res);
	if (bench_child(res, "newkey"))
		newkey_section(f, res);
	if (bench_child(res, "live"))
		live_section(f, res);
	if (bench_child(res, "tracing"))
		tracing_section(f, res);
	if (bench_child(res, "snapshot"))
		snapshot_section(f, res);
	if (bench_child(res, "deterministic"))
		deterministic_section(f, res);
	if (fclose(f) || plot_data(res, plot_path)) {
		perror(plot_path);
		return -1;
	}
	fprintf(stderr, "bench: wrote %s and %s\n", md_path, plot_path);
	return 0;
}
