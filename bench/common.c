// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What every part of xdpcount-bench shares: clocks, statistics, the JSON of
 * results.json and the gated figures in it. Calls nothing else in bench/.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "common.h"

__u64 bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

__u64 bench_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

int bench_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double bench_median(double *v, size_t n)
{
	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double bench_midmean(double *v, size_t n)
{
	double sum = 0;
	size_t lo = n / 4, hi = n - n / 4;

	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	for (size_t i = lo; i < hi; i++)
		sum += v[i];
	return sum / (double)(hi - lo);
}

double bench_round(double v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%.4g", v);
	return strtod(buf, NULL);
}

struct json_object *bench_child(struct json_object *parent, const char *key)
{
	struct json_object *o;

	return json_object_object_get_ex(parent, key, &o) ? o : NULL;
}

double bench_num(struct json_object *obj, const char *key)
{
	struct json_object *o = obj ? bench_child(obj, key) : NULL;

	if (!o || (!json_object_is_type(o, json_type_double) &&
		   !json_object_is_type(o, json_type_int)))
		return NAN;
	return json_object_get_double(o);
}

void bench_add_num(struct json_object *obj, const char *key, double v)
{
	json_object_object_add(obj, key, isfinite(v) ?
			       json_object_new_double(bench_round(v)) : NULL);
}

void bench_add_int(struct json_object *obj, const char *key, __s64 v)
{
	json_object_object_add(obj, key, json_object_new_int64(v));
}

static struct json_object *gate_part(struct json_object *res, const char *part)
{
	struct json_object *gate = bench_child(res, "gate"), *p;

	if (!gate) {
		gate = json_object_new_object();
		json_object_object_add(res, "gate", gate);
	}
	p = bench_child(gate, part);
	if (!p) {
		p = json_object_new_object();
		json_object_object_add(gate, part, p);
	}
	return p;
}

void bench_gate_exact(struct json_object *res, const char *key, __u64 v)
{
	bench_add_int(gate_part(res, "exact"), key, (__s64)v);
}

void bench_gate_ratio(struct json_object *res, const char *key, double v,
		      enum bench_better better)
{
	struct json_object *o = json_object_new_object();

	bench_add_num(o, "value", v);
	json_object_object_add(o, "better", json_object_new_string(
		better == BENCH_LOWER ? "lower" : "higher"));
	json_object_object_add(gate_part(res, "ratios"), key, o);
}
