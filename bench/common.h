/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * xdpcount-bench's common module (common.c): clocks, statistics, the JSON of
 * results.json and the gated figures in it. It uses nothing else in bench/;
 * the parts, the report (summary.c), the gate (gate.c) and main (bench.c) use
 * it.
 */
#ifndef XDPCOUNT_BENCH_COMMON_H
#define XDPCOUNT_BENCH_COMMON_H

#include <stddef.h>
#include <json-c/json.h>
#include <linux/types.h>

__u64 bench_now_ns(void);
/* CPU time of the calling thread, in the kernel too: what a read costs. */
__u64 bench_cpu_ns(void);
int bench_pin(int cpu);
/* Median of v[0..n), which it sorts. */
double bench_median(double *v, size_t n);
/* Mean of the middle half of v[0..n), which it sorts. */
double bench_midmean(double *v, size_t n);
/* obj[key] as a number, or NAN. */
double bench_num(struct json_object *obj, const char *key);
struct json_object *bench_child(struct json_object *parent, const char *key);
void bench_add_num(struct json_object *obj, const char *key, double v);
void bench_add_int(struct json_object *obj, const char *key, __s64 v);
/* Rounded to 4 significant digits: the rest is noise. */
double bench_round(double v);

/* Gated figures, under "gate" in res; gate.c compares them with a baseline. */
enum bench_better { BENCH_LOWER, BENCH_HIGHER };

/* A figure that must not grow more than 5 %, exact for one kernel and clang. */
void bench_gate_exact(struct json_object *res, const char *key, __u64 v);
/* A timing ratio that must not worsen more than 25 %. */
void bench_gate_ratio(struct json_object *res, const char *key, double v,
		      enum bench_better better);

#endif /* XDPCOUNT_BENCH_COMMON_H */
