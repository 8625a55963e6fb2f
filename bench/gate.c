// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The regression gate: results.json carries the gated figures under "gate";
 * the baseline is that plus the meta of the run that made it.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "report.h"

#define EXACT_GROWTH 0.05  /* instructions, xlated and JIT size */
#define RATIO_WORSE 0.25   /* timing ratios */

int bench_baseline(const char *results, const char *out)
{
	struct json_object *res = json_object_from_file(results);
	struct json_object *base = json_object_new_object();
	int err = -1;

	if (!res || !bench_child(res, "gate")) {
		fprintf(stderr, "bench: %s has no gated figures\n", results);
		goto out;
	}
	json_object_object_add(base, "meta", json_object_get(bench_child(res, "meta")));
	json_object_object_add(base, "gate", json_object_get(bench_child(res, "gate")));
	err = json_object_to_file_ext(out, base, JSON_C_TO_STRING_PRETTY |
				      JSON_C_TO_STRING_SPACED);
	if (err)
		fprintf(stderr, "bench: cannot write %s\n", out);
	else
		fprintf(stderr, "bench: wrote %s\n", out);
out:
	json_object_put(res);
	json_object_put(base);
	return err;
}

struct check {
	bool same_env;  /* kernel and clang as in the baseline */
	int figures, failed, reported, missing;
};

static const char *meta_str(struct json_object *doc, const char *key)
{
	struct json_object *v = bench_child(bench_child(doc, "meta"), key);

	return v ? json_object_get_string(v) : "?";
}

/* How much worse new is than old, as a fraction: 0.1 is 10 % worse. */
static double worsening(double old, double new, bool higher_better)
{
	if (higher_better)
		return new > 0 ? old / new - 1 : INFINITY;
	return old > 0 ? new / old - 1 : (new > 0 ? INFINITY : 0);
}

static void verdict(struct check *c, const char *key, double old, double new,
		    double worse, double limit)
{
	const char *status = "ok";

	c->figures++;
	if (isnan(new)) {
		status = "MISSING";
		c->missing++;
	} else if (worse > limit && !c->same_env) {
		status = "worse (other kernel/clang: reported, not failed)";
		c->reported++;
	} else if (worse > limit) {
		status = "REGRESSION";
		c->failed++;
	} else if (worse < -limit) {
		status = "better (make bench-baseline to keep it)";
	}
	printf("%-34s %12.6g %12.6g %+8.1f%%  %s\n", key, old, new, 100 * worse,
	       status);
}

static void check_exact(struct check *c, struct json_object *old,
			struct json_object *new)
{
	if (!old)
		return;
	json_object_object_foreach(old, key, v) {
		double o = json_object_get_double(v), n = bench_num(new, key);

		verdict(c, key, o, n, worsening(o, n, false), EXACT_GROWTH);
	}
}

static void check_ratios(struct check *c, struct json_object *old,
			 struct json_object *new)
{
	if (!old)
		return;
	json_object_object_foreach(old, key, v) {
		const char *better = json_object_get_string(bench_child(v, "better"));
		double o = bench_num(v, "value");
		double n = bench_num(new ? bench_child(new, key) : NULL, "value");
		bool higher = better && !strcmp(better, "higher");

		verdict(c, key, o, n, worsening(o, n, higher), RATIO_WORSE);
	}
}

int bench_check(const char *baseline, const char *results)
{
	struct json_object *base = json_object_from_file(baseline);
	struct json_object *res = json_object_from_file(results);
	struct json_object *bg, *rg;
	struct check c = { 0 };
	int rc = 1;

	if (!base || !res) {
		fprintf(stderr, "bench-check: cannot read %s\n", base ? results : baseline);
		goto out;
	}
	bg = bench_child(base, "gate");
	rg = bench_child(res, "gate");
	c.same_env = !strcmp(meta_str(base, "kernel"), meta_str(res, "kernel")) &&
		     !strcmp(meta_str(base, "clang"), meta_str(res, "clang"));
	printf("baseline: kernel %s, %s (%s)\n", meta_str(base, "kernel"),
	       meta_str(base, "clang"), meta_str(base, "date"));
	printf("this run: kernel %s, %s (%s)%s\n", meta_str(res, "kernel"),
	       meta_str(res, "clang"), meta_str(res, "date"),
	       c.same_env ? "" : " -- versions differ: changes are reported, not failed");
	printf("limits: instructions/xlated/JIT size +%.0f%%, timing ratios %.0f%% worse\n\n",
	       100 * EXACT_GROWTH, 100 * RATIO_WORSE);
	printf("%-34s %12s %12s %9s  %s\n", "figure", "baseline", "now", "worse", "status");
	check_exact(&c, bench_child(bg, "exact"), bench_child(rg, "exact"));
	check_ratios(&c, bench_child(bg, "ratios"), bench_child(rg, "ratios"));
	printf("\nbench-check: %d figures, %d regressions, %d missing, %d reported only\n",
	       c.figures, c.failed, c.missing, c.reported);
	rc = c.failed || c.missing ? 1 : 0;
out:
	json_object_put(base);
	json_object_put(res);
	return rc;
}
