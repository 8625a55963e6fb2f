// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Offline counting as `xdpcount -r` does it (wire lengths, no interfaces, a
 * thread per CPU): a capture of 1M frames (mix.pcap over and over) against a
 * bare libpcap read of the same file in the same rounds, and a corpus of 400
 * small captures counted in one run, the program loaded once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pcap/pcap.h>
#include "bench.h"

#define MIX_PATH "pcaps/mix.pcap"
#define BIG_COPIES 501 /* 1,002,000 frames */
#define BIG_COPIES_QUICK 26
#define CORPUS_FILES 400
#define CORPUS_FRAMES 50

/* mix.pcap in memory. */
struct records {
	struct pcap_pkthdr *hdr;
	u_char **data;
	size_t n;
};

static void records_free(struct records *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->data[i]);
	free(r->data);
	free(r->hdr);
}

static int records_read(const char *path, struct records *r)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, err);
	struct pcap_pkthdr *h;
	const u_char *d;
	size_t cap = 0;

	memset(r, 0, sizeof(*r));
	if (!p) {
		fprintf(stderr, "bench: offline: %s\n", err);
		return -ENOENT;
	}
	while (pcap_next_ex(p, &h, &d) == 1) {
		if (r->n == cap) {
			cap = cap ? cap * 2 : 1024;
			r->hdr = realloc(r->hdr, cap * sizeof(*r->hdr));
			r->data = realloc(r->data, cap * sizeof(*r->data));
			if (!r->hdr || !r->data)
				break;
		}
		r->hdr[r->n] = *h;
		r->data[r->n] = malloc(h->caplen);
		if (!r->data[r->n])
			break;
		memcpy(r->data[r->n++], d, h->caplen);
	}
	pcap_close(p);
	return r->n ? 0 : -ENOMEM;
}

/* count records from `from` (wrapping), `copies` times over, into a new pcap. */
static int records_write(const char *path, const struct records *r, size_t from,
			 size_t count, int copies)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 262144);
	pcap_dumper_t *d = dead ? pcap_dump_open(dead, path) : NULL;

	if (!d) {
		if (dead)
			pcap_close(dead);
		return -EIO;
	}
	for (int c = 0; c < copies; c++)
		for (size_t i = 0; i < count; i++) {
			size_t k = (from + i) % r->n;

			pcap_dump((u_char *)d, &r->hdr[k], r->data[k]);
		}
	pcap_dump_close(d);
	pcap_close(dead);
	return 0;
}

/* The reference: every record read with libpcap, one byte of each touched. */
static int bare_read(const char *path, __u64 *frames)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, err);
	struct pcap_pkthdr *h;
	const u_char *d;
	volatile unsigned int sum = 0;

	if (!p)
		return -ENOENT;
	*frames = 0;
	while (pcap_next_ex(p, &h, &d) == 1) {
		sum += d[h->caplen / 2];
		(*frames)++;
	}
	pcap_close(p);
	return 0;
}

/* What xdpcount -r loads. */
static int open_offline(struct xc_counter **xc)
{
	struct xc_config cfg;

	xc_config_default(&cfg);
	cfg.features &= ~(__u32)XC_F_IFACES;
	cfg.wire_lengths = true;
	return xc_counter_open(&cfg, xc);
}

/* One capture as the CLI counts it: reset, replay, snapshot; sum gets its counters. */
static int count_one(struct xc_counter *xc, const char *path, struct xc_snapshot *sum)
{
	struct xc_snapshot s;
	struct xc_replay res;
	char err[512];
	int rc = xc_counter_reset(xc);

	if (rc)
		return rc;
	rc = xc_replay_file(xc, path, &res, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "bench: offline: %s\n", err);
		return -EIO;
	}
	rc = xc_counter_snapshot(xc, &s);
	if (rc)
		return rc;
	rc = xc_snapshot_merge(sum, &s);
	xc_snapshot_free(&s);
	return rc;
}

/* Bare read and counting in turn, the order alternating; medians over rounds. */
static int big_capture(const struct bench_opts *o, const char *path, __u64 want,
		       struct json_object *out)
{
	int rounds = o->quick ? 3 : 5, err = 0;
	double ratio[8], count[8], bare[8];
	bool all_counted = true;
	struct xc_counter *xc;

	err = open_offline(&xc);
	for (int i = 0; i < rounds && !err; i++) {
		struct xc_snapshot sum = { 0 };
		__u64 frames = 0, t0, t1, t2;

		for (int k = 0; k < 2 && !err; k++) {
			t0 = bench_now_ns();
			if ((i + k) % 2)
				err = count_one(xc, path, &sum);
			else
				err = bare_read(path, &frames);
			t1 = bench_now_ns();
			((i + k) % 2 ? count : bare)[i] = (double)(t1 - t0) / 1e6;
		}
		t2 = sum.total.total.packets;
		all_counted &= frames == want && t2 == want;
		ratio[i] = count[i] / bare[i];
		xc_snapshot_free(&sum);
	}
	xc_counter_close(xc);
	if (err)
		return err;
	bench_add_int(out, "frames", (__s64)want);
	bench_add_int(out, "rounds", rounds);
	bench_add_num(out, "bare_ms", bench_round(bench_median(bare, (size_t)rounds)));
	bench_add_num(out, "count_ms", bench_round(bench_median(count, (size_t)rounds)));
	bench_add_num(out, "fps", bench_round((double)want /
					      (bench_median(count, (size_t)rounds) / 1e3)));
	bench_add_num(out, "ratio", bench_round(bench_median(ratio, (size_t)rounds)));
	json_object_object_add(out, "all_counted", json_object_new_boolean(all_counted));
	return 0;
}

/* The whole corpus in one run: load, then every capture; the median of runs. */
static int corpus(const struct bench_opts *o, const char *dir, __u64 want,
		  struct json_object *out)
{
	int runs = o->quick ? 1 : 3, err = 0;
	double secs[4], load[4];
	bool all_counted = true;
	char path[512];

	for (int i = 0; i < runs && !err; i++) {
		struct xc_snapshot sum = { 0 };
		struct xc_counter *xc = NULL;
		__u64 t0 = bench_now_ns(), t1;

		err = open_offline(&xc);
		t1 = bench_now_ns();
		for (int f = 0; f < CORPUS_FILES && !err; f++) {
			snprintf(path, sizeof(path), "%s/c%03d.pcap", dir, f);
			err = count_one(xc, path, &sum);
		}
		xc_counter_close(xc);
		secs[i] = (double)(bench_now_ns() - t0) / 1e9;
		load[i] = (double)(t1 - t0) / 1e9;
		all_counted &= sum.total.total.packets == want;
		xc_snapshot_free(&sum);
	}
	if (err)
		return err;
	bench_add_int(out, "files", CORPUS_FILES);
	bench_add_int(out, "frames", (__s64)want);
	bench_add_int(out, "runs", runs);
	bench_add_num(out, "seconds", bench_round(bench_median(secs, (size_t)runs)));
	bench_add_num(out, "load_seconds", bench_round(bench_median(load, (size_t)runs)));
	json_object_object_add(out, "all_counted", json_object_new_boolean(all_counted));
	return 0;
}

static void remove_files(const char *dir, const char *big)
{
	char path[512];

	unlink(big);
	for (int f = 0; f < CORPUS_FILES; f++) {
		snprintf(path, sizeof(path), "%s/c%03d.pcap", dir, f);
		unlink(path);
	}
	rmdir(dir);
}

int bench_offline(const struct bench_opts *o, const struct bench_refs *r,
		  struct json_object *res)
{
	struct json_object *off = json_object_new_object();
	struct json_object *big = json_object_new_object(), *set = json_object_new_object();
	int copies = o->quick ? BIG_COPIES_QUICK : BIG_COPIES, err;
	char dir[] = "/tmp/xdpcount-bench-XXXXXX", path[512], bigpath[512];
	struct records mix;

	(void)r;
	json_object_object_add(off, "capture", big);
	json_object_object_add(off, "corpus", set);
	json_object_object_add(res, "offline", off);
	if (!mkdtemp(dir))
		return -errno;
	snprintf(bigpath, sizeof(bigpath), "%s/big.pcap", dir);
	err = records_read(MIX_PATH, &mix);
	err = err ?: records_write(bigpath, &mix, 0, mix.n, copies);
	for (int f = 0; f < CORPUS_FILES && !err; f++) {
		snprintf(path, sizeof(path), "%s/c%03d.pcap", dir, f);
		err = records_write(path, &mix, (size_t)f * 5, CORPUS_FRAMES, 1);
	}
	err = err ?: big_capture(o, bigpath, (__u64)mix.n * (__u64)copies, big);
	err = err ?: corpus(o, dir, (__u64)CORPUS_FILES * CORPUS_FRAMES, set);
	remove_files(dir, bigpath);
	records_free(&mix);
	return err;
}
