/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What xdpcount-bench does with a results.json once the parts have made it:
 * the goals and the report (summary.c), the baseline and the gate (gate.c).
 * Both read the JSON only, through the common module; main (bench.c) calls
 * them.
 */
#ifndef XDPCOUNT_BENCH_REPORT_H
#define XDPCOUNT_BENCH_REPORT_H

#include "common.h"

/* Judge the goals from the figures; adds "goals" to res. */
void bench_goals(struct json_object *res);
int bench_report(struct json_object *res, const char *md_path,
		 const char *plot_path);

/* Write meta + gate of a results file as the baseline. */
int bench_baseline(const char *results, const char *out);
/* Compare results with a baseline: prints old and new; 1 on a regression. */
int bench_check(const char *baseline, const char *results);

#endif /* XDPCOUNT_BENCH_REPORT_H */
