// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The new-key path: every packet a new source and flow, into a cold cache and
 * then a full one (every packet exports its victim), against packets whose
 * keys are all in the cache. A consumer thread on another CPU drains the
 * exports meanwhile, as a live user does, so the export path is what is timed
 * and not the unrecorded one. A key changes per packet, so each run is one
 * packet (repeat 1). Every packet of a phase is followed by one whose key is
 * always in the cache (the all-hits case) and by a run of the empty program
 * (the floor), so the three are timed under the same load.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "bench.h"

#define HOT_KEY 0 /* the key that always hits */

enum key_order {
	KEYS_NEW,     /* first, first + 1, ...: never seen */
	KEYS_PRESENT, /* scattered over [first, first + span): in the table */
};

struct phase {
	const char *name;
	enum key_order order;
	__u32 first, span;
	size_t n;
	double *ns, *hit, *empty;
};

struct newkey {
	struct xc_counter *xc;
	int empty_fd;
	struct bench_frame f;
	__u64 runs; /* packets run through the counter: the oracle for total */
	atomic_bool stop;
	int consumer_cpu;
};

/* The consumer: drain the exports until told to stop, idling briefly when none wait. */
static void *consume(void *arg)
{
	struct newkey *k = arg;

	bench_pin(k->consumer_cpu);
	while (!atomic_load(&k->stop))
		if (xc_counter_drain(k->xc) <= 0)
			usleep(50);
	return NULL;
}

static __u32 phase_key(const struct phase *ph, size_t i)
{
	if (ph->order == KEYS_NEW)
		return ph->first + (__u32)i;
	return ph->first + (__u32)((i * 2654435761u) % ph->span);
}

/* One packet of source key through the counter (or the empty program). */
static int run_one(struct newkey *k, int fd, __u32 key, double *ns)
{
	__u64 v = 0;
	int err;

	bench_frame_source(&k->f, key);
	err = xc_prog_run_repeat(fd, k->f.data, k->f.len, 1, &v);
	*ns = (double)v;
	return err;
}

static int run_phase(struct newkey *k, struct phase *ph)
{
	int fd = xc_counter_prog_fd(k->xc), err = 0;

	ph->ns = calloc(ph->n, sizeof(double));
	ph->hit = calloc(ph->n, sizeof(double));
	ph->empty = calloc(ph->n, sizeof(double));
	if (!ph->ns || !ph->hit || !ph->empty)
		return -ENOMEM;
	for (size_t i = 0; i < ph->n && !err; i++) {
		err = run_one(k, fd, phase_key(ph, i), &ph->ns[i]);
		err = err ?: run_one(k, fd, HOT_KEY, &ph->hit[i]);
		err = err ?: run_one(k, k->empty_fd, HOT_KEY, &ph->empty[i]);
		k->runs += 2;
	}
	return err;
}

/*
 * The phase in chunks: a chunk's figure is the mean of its middle half (the
 * kernel's clock moves in steps of several ns), the phase's the median over
 * chunks, so a burst of load elsewhere spoils a chunk, not the phase.
 */
#define CHUNK 4096

struct chunked {
	double ns, hit, empty, vs_hit;
};

static void phase_chunks(struct phase *ph, struct chunked *out)
{
	size_t n = ph->n / CHUNK;
	double ns[n], hit[n], empty[n], vs[n];

	for (size_t c = 0; c < n; c++) {
		ns[c] = bench_midmean(ph->ns + c * CHUNK, CHUNK);
		hit[c] = bench_midmean(ph->hit + c * CHUNK, CHUNK);
		empty[c] = bench_midmean(ph->empty + c * CHUNK, CHUNK);
		vs[c] = (ns[c] - empty[c]) / (hit[c] - empty[c]);
	}
	out->ns = bench_median(ns, n);
	out->hit = bench_median(hit, n);
	out->empty = bench_median(empty, n);
	out->vs_hit = bench_median(vs, n);
}

/*
 * The cost above the floor against the all-hits packets' cost. Reported, not
 * gated: a packet's cost here is mostly cache misses, and on a loaded machine
 * these figures move by a fifth to a third from one run to the next.
 */
static struct json_object *phase_result(struct phase *ph)
{
	struct json_object *o = json_object_new_object();
	struct chunked m;

	phase_chunks(ph, &m);
	bench_add_int(o, "packets", (__s64)ph->n);
	bench_add_num(o, "ns", m.ns);
	bench_add_num(o, "hit_ns", m.hit);
	bench_add_num(o, "empty_ns", m.empty);
	bench_add_num(o, "above_ns", m.ns - m.empty);
	bench_add_num(o, "hit_above_ns", m.hit - m.empty);
	bench_add_num(o, "vs_hit", m.vs_hit);
	return o;
}

static struct json_object *table_result(const struct xc_table *t)
{
	struct json_object *o = json_object_new_object();

	bench_add_int(o, "entries", (__s64)t->entries);
	bench_add_int(o, "capacity", (__s64)t->capacity);
	bench_add_int(o, "inserted", (__s64)t->inserted);
	bench_add_int(o, "exported", (__s64)t->exported);
	bench_add_int(o, "unrecorded", (__s64)t->unrecorded.packets);
	bench_add_int(o, "folded", (__s64)t->folded.packets);
	return o;
}

/* Every packet counted, tables as the packets made them. */
static int newkey_tables(struct newkey *k, struct json_object *nk)
{
	struct xc_snapshot s;
	int err = xc_counter_snapshot(k->xc, &s);

	if (err)
		return err;
	json_object_object_add(nk, "cache", table_result(&s.tables[XC_TAB_CACHE]));
	json_object_object_add(nk, "sources", table_result(&s.tables[XC_TAB_SOURCES]));
	json_object_object_add(nk, "flows", table_result(&s.tables[XC_TAB_FLOWS]));
	bench_add_int(nk, "counted", (__s64)s.total.total.packets);
	bench_add_int(nk, "runs", (__s64)k->runs);
	if (s.total.total.packets != k->runs) {
		fprintf(stderr, "bench: new-key: counted %llu packets of %llu run\n",
			(unsigned long long)s.total.total.packets,
			(unsigned long long)k->runs);
		err = -EPROTO;
	}
	xc_snapshot_free(&s);
	return err;
}

int bench_newkey(const struct bench_opts *o, const struct bench_refs *r,
		 struct json_object *res)
{
	const __u32 cap = XC_DEFAULT_CACHE; /* the entries of the one CPU the packets run on */
	struct phase ph[] = {
		{ "cold", KEYS_NEW, 1, 0, cap, NULL, NULL, NULL },
		{ "full", KEYS_NEW, cap + 1, 0, cap, NULL, NULL, NULL },
		{ "hit_full", KEYS_PRESENT, 2 * cap + 1 - cap / 2, cap / 2, cap, NULL, NULL, NULL },
	};
	struct newkey k = { .empty_fd = r->empty_fd };
	struct json_object *nk = json_object_new_object();
	struct json_object *phases = json_object_new_object();
	struct xc_config cfg;
	pthread_t consumer;
	bool consuming = false;
	double warm;
	int err;

	json_object_object_add(res, "newkey", nk);
	json_object_object_add(nk, "phases", phases);
	xc_config_default(&cfg);
	bench_frame_udp6(&k.f);
	err = bench_frames_check(&k.f, 1);
	err = err ?: bench_pin(o->cpu);
	err = err ?: xc_counter_open(&cfg, &k.xc);
	err = err ?: run_one(&k, xc_counter_prog_fd(k.xc), HOT_KEY, &warm);
	k.runs++;
	k.consumer_cpu = o->cpu > 0 ? o->cpu - 1 : o->cpu + 1;
	if (!err) {
		err = -pthread_create(&consumer, NULL, consume, &k);
		consuming = !err;
	}
	for (size_t i = 0; i < sizeof(ph) / sizeof(ph[0]) && !err; i++) {
		err = run_phase(&k, &ph[i]);
		if (!err)
			json_object_object_add(phases, ph[i].name, phase_result(&ph[i]));
	}
	if (consuming) {
		atomic_store(&k.stop, true);
		pthread_join(consumer, NULL);
	}
	if (!err) {
		json_object_object_add(nk, "frame", json_object_new_string(k.f.name));
		bench_add_int(nk, "capacity", cap);
		err = newkey_tables(&k, nk);
	}
	for (size_t i = 0; i < sizeof(ph) / sizeof(ph[0]); i++) {
		free(ph[i].ns);
		free(ph[i].hit);
		free(ph[i].empty);
	}
	xc_counter_close(k.xc);
	return err;
}
