// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * User-space cost: the CPU time of one live update (a snapshot) with full
 * tables at the default sizes: the cache full on the pinned CPU, the flow and
 * source rows full; its counters read with batch operations and key by key.
 * And the memory the loaded maps take at the default sizes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bench.h"

/* Key by key, 1M entries take several seconds a read. */
#define BIG_READS 2

static struct json_object *map_entry(int fd, const struct bpf_map_info *mi)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(mi->name));
	json_object_object_add(o, "type",
			       json_object_new_string(libbpf_bpf_map_type_str(mi->type)));
	bench_add_int(o, "max_entries", mi->max_entries);
	bench_add_int(o, "key_size", mi->key_size);
	bench_add_int(o, "value_size", mi->value_size);
	bench_add_int(o, "memlock", (__s64)xc_map_memlock(fd));
	return o;
}

/* The maps a program uses, by id, and what each one takes. */
static int prog_maps(int prog_fd, struct json_object *maps, __u64 *total)
{
	struct bpf_prog_info pi;
	__u32 ids[64], len = sizeof(pi);

	memset(&pi, 0, sizeof(pi));
	pi.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
	pi.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &pi, &len))
		return -errno;
	*total = 0;
	for (__u32 i = 0; i < pi.nr_map_ids && i < sizeof(ids) / sizeof(ids[0]); i++) {
		struct bpf_map_info mi;
		__u32 mlen = sizeof(mi);
		int fd = bpf_map_get_fd_by_id(ids[i]);

		if (fd < 0)
			return -errno;
		memset(&mi, 0, sizeof(mi));
		if (!bpf_obj_get_info_by_fd(fd, &mi, &mlen)) {
			*total += xc_map_memlock(fd);
			if (maps)
				json_object_array_add(maps, map_entry(fd, &mi));
		}
		close(fd);
	}
	return 0;
}

static int memory(struct json_object *res)
{
	struct json_object *mem = json_object_new_object();
	struct json_object *maps = json_object_new_array();
	struct xc_counter *xc;
	struct xc_config cfg;
	__u64 total = 0;
	int err;

	xc_config_default(&cfg);
	err = xc_counter_open(&cfg, &xc);
	err = err ?: prog_maps(xc_counter_prog_fd(xc), maps, &total);
	xc_counter_close(xc);
	json_object_object_add(mem, "config", json_object_new_string("default: everything on"));
	json_object_object_add(mem, "maps", maps);
	bench_add_int(mem, "total_bytes", (__s64)total);
	json_object_object_add(res, "memory", mem);
	return err;
}

/* n frames with distinct sources through the program: n sources, n flows. */
static int fill(struct xc_counter *xc, __u32 n)
{
	struct bench_frame f;
	int err = 0;

	bench_frame_udp6(&f);
	for (__u32 i = 0; i < n && !err; i++) {
		bench_frame_source(&f, i + 1);
		err = xc_counter_run_repeat(xc, f.data, f.len, 1, NULL);
		if (!err && i % 4096 == 0)
			err = xc_counter_drain(xc) < 0 ? -EIO : 0; /* as a live user does */
	}
	return err;
}

/* A counter whose sources and flows tables hold entries keys each. */
static int open_filled(__u32 entries, bool keywise, struct xc_counter **xc)
{
	struct xc_config cfg;
	int err;

	xc_config_default(&cfg);
	cfg.source_entries = cfg.flow_entries = entries;
	cfg.keywise_reads = keywise;
	err = xc_counter_open(&cfg, xc);
	return err ?: fill(*xc, entries);
}

/* One snapshot: CPU time (what a read costs, whoever else runs) and wall. */
static int time_read(struct xc_counter *xc, double *cpu, double *wall,
		     struct json_object *s)
{
	__u64 c0 = bench_cpu_ns(), t0 = bench_now_ns();
	struct xc_snapshot snap;
	int err = xc_counter_snapshot(xc, &snap);

	*cpu = (double)(bench_cpu_ns() - c0) / 1e6;
	*wall = (double)(bench_now_ns() - t0) / 1e6;
	if (err)
		return err;
	bench_add_int(s, "sources", (__s64)snap.n_sources);
	bench_add_int(s, "flows", (__s64)snap.n_flows);
	xc_snapshot_free(&snap);
	return 0;
}

/* Batch and key-by-key reads of equal tables, alternating, paired by round. */
static int read_pairs(struct xc_counter *batch, struct xc_counter *keywise,
		      int reads, struct json_object *s)
{
	double bc[reads], bw[reads], kc[reads], kw[reads], ratio[reads];
	int err = 0;

	for (int i = 0; i < reads && !err; i++) {
		err = time_read(batch, &bc[i], &bw[i], s);
		err = err ?: time_read(keywise, &kc[i], &kw[i], s);
		ratio[i] = kc[i] / bc[i];
	}
	if (err)
		return err;
	bench_add_int(s, "reads", reads);
	bench_add_num(s, "batch_ms", bench_median(bc, (size_t)reads));
	bench_add_num(s, "keywise_ms", bench_median(kc, (size_t)reads));
	bench_add_num(s, "batch_wall_ms", bench_median(bw, (size_t)reads));
	bench_add_num(s, "keywise_wall_ms", bench_median(kw, (size_t)reads));
	bench_add_num(s, "speedup_median", bench_median(ratio, (size_t)reads));
	/* Sorted by the medians: other processes only ever make a read slower. */
	bench_add_num(s, "batch_best_ms", bc[0]);
	bench_add_num(s, "keywise_best_ms", kc[0]);
	bench_add_num(s, "speedup", kc[0] / bc[0]);
	return 0;
}

static int snapshot_size(const struct bench_opts *o, __u32 entries,
			 const char *name, struct json_object *arr,
			 struct json_object *res)
{
	struct json_object *s = json_object_new_object();
	int reads = entries > XC_DEFAULT_SOURCES ? BIG_READS : o->snapshot_reads;
	struct xc_counter *batch = NULL, *keywise = NULL;
	__u64 memlock = 0;
	int err;

	json_object_array_add(arr, s);
	json_object_object_add(s, "name", json_object_new_string(name));
	bench_add_int(s, "capacity", entries);
	err = open_filled(entries, false, &batch);
	err = err ?: open_filled(entries, true, &keywise);
	err = err ?: prog_maps(xc_counter_prog_fd(batch), NULL, &memlock);
	err = err ?: read_pairs(batch, keywise, reads, s);
	xc_counter_close(batch);
	xc_counter_close(keywise);
	if (err)
		return err;
	bench_add_int(s, "memlock", (__s64)memlock);
	/*
	 * Not gated: the cache is read in place, so batch and key-by-key reads
	 * differ only in the few counters slots, and the speedup is noise near 1.
	 */
	return 0;
}

int bench_userspace(const struct bench_opts *o, struct json_object *res)
{
	struct json_object *snaps = json_object_new_array();
	int err;

	json_object_object_add(res, "snapshot", snaps);
	json_object_object_add(res, "snapshot_fill", json_object_new_string(
		"tables filled by running one frame per distinct source "
		"(IPv6 UDP, 2001:db8::N) through the program: N sources, N flows"));
	err = bench_pin(o->cpu);
	err = err ?: memory(res);
	err = err ?: snapshot_size(o, XC_DEFAULT_SOURCES, "64k", snaps, res);
	if (!err && o->big_tables)
		err = snapshot_size(o, 1u << 20, "1m", snaps, res);
	return err;
}
