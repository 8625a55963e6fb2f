/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * xdpcount-bench: what the parts of the benchmark share. Every figure comes
 * from libxdpcount and the one XDP program; the only other BPF code is the
 * empty and bare-drop references in baseline.bpf.c.
 */
#ifndef XDPCOUNT_BENCH_H
#define XDPCOUNT_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>
#include <linux/types.h>
#include "libxdpcount.h"

struct bench_opts {
	bool quick;          /* CI: fewer and shorter timing rounds */
	int cpu;             /* the CPU test runs are pinned to */
	int rounds;          /* interleaved test-run rounds */
	__u32 repeat;        /* BPF_PROG_TEST_RUN repeats per measurement */
	int live_rounds;
	__u32 live_frames;   /* live frames per generator thread and round */
	int snapshot_reads;  /* snapshots timed per table size and read mode */
	bool big_tables;     /* also the 1M-entry snapshot */
};

/* The reference programs, loaded once. */
struct bench_refs {
	int empty_fd; /* XDP_PASS, nothing else */
	int drop_fd;  /* XDP_DROP, nothing else */
};

/* ---- fixture frames (frames.c) ---- */

enum bench_class {
	BC_UDP4,
	BC_TCP4,
	BC_ICMP,
	BC_UDP6_EXT,
	BC_VLAN,
	BC_ARP,
	BC_MAX,
};

#define BENCH_FRAME_MAX 160

struct bench_frame {
	const char *name;  /* key in results.json */
	const char *label; /* column in the report */
	__u8 data[BENCH_FRAME_MAX];
	size_t len;
	size_t src_off;    /* last 4 bytes of the source address */
	/* What the builder made, checked against one counted run. */
	int l3, l4;        /* enum xc_l3; enum xc_l4 or XC_L4_MAX */
	bool vlan, ports;
};

/* Every class, MACs 02:00:00:00:00:0{1,2}, addresses from netns.h. */
void bench_frames(struct bench_frame f[BC_MAX]);
/* IPv4 UDP to port 9, from mac_src to mac_dst ("aa:bb:..") of a veth pair. */
int bench_frame_live(struct bench_frame *f, const char *mac_dst,
		     const char *mac_src);
/* IPv6 UDP from 2001:db8::/64; bench_frame_source gives it source n. */
void bench_frame_udp6(struct bench_frame *f);
void bench_frame_source(struct bench_frame *f, __u32 n);
/* Count each frame once and compare with what it was built to be. */
int bench_frames_check(const struct bench_frame *f, size_t n);

/* ---- feature sets ---- */

struct bench_set {
	const char *name;  /* key in results.json */
	const char *label;
	__u32 features;
};

#define BENCH_SETS 7
extern const struct bench_set bench_sets[BENCH_SETS];

/* ---- the parts: each adds its object to res and its figures to the gate ---- */

int bench_deterministic(const struct bench_opts *o, const struct bench_refs *r,
			struct json_object *res);
int bench_testrun(const struct bench_opts *o, const struct bench_refs *r,
		  struct json_object *res);
int bench_newkey(const struct bench_opts *o, const struct bench_refs *r,
		 struct json_object *res);
int bench_live(const struct bench_opts *o, const struct bench_refs *r,
	       struct json_object *res);
int bench_userspace(const struct bench_opts *o, struct json_object *res);
/* The drop tracer per freed skb, observe mode per frame: ratios to untraced. */
int bench_tracing(const struct bench_opts *o, const struct bench_refs *r,
		  struct json_object *res);
int bench_offline(const struct bench_opts *o, const struct bench_refs *r,
		  struct json_object *res);

/* ---- goals and report (summary.c), gate (gate.c) ---- */

/* Judge the goals from the figures; adds "goals" to res. */
void bench_goals(struct json_object *res);
int bench_report(struct json_object *res, const char *md_path,
		 const char *plot_path);

enum bench_better { BENCH_LOWER, BENCH_HIGHER };

/* A figure that must not grow more than 5 %, exact for one kernel and clang. */
void bench_gate_exact(struct json_object *res, const char *key, __u64 v);
/* A timing ratio that must not worsen more than 25 %. */
void bench_gate_ratio(struct json_object *res, const char *key, double v,
		      enum bench_better better);
/* Write meta + gate of a results file as the baseline. */
int bench_baseline(const char *results, const char *out);
/* Compare results with a baseline: prints old and new; 1 on a regression. */
int bench_check(const char *baseline, const char *results);

/* ---- small helpers (bench.c) ---- */

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

#endif /* XDPCOUNT_BENCH_H */
