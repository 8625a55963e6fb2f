// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Cost per packet under BPF_PROG_TEST_RUN, class by feature set, against the
 * empty program in the same rounds; and the verifier and JIT figures.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "bench.h"
#include "netns.h"

const struct bench_set bench_sets[BENCH_SETS] = {
	{ "proto", "protocol only", 0 },
	{ "sizes", "+sizes", XC_F_SIZES },
	{ "ports", "+ports", XC_F_PORTS },
	{ "sources", "+sources", XC_F_SOURCES },
	{ "flows", "+flows", XC_F_FLOWS },
	{ "ifaces", "+ifaces", XC_F_IFACES },
	{ "all", "everything", XC_F_ALL },
};

/* One counter per feature set, default sizes, XDP_PASS; xc starts zeroed. */
static int open_sets(struct xc_counter *xc[BENCH_SETS])
{
	struct xc_config cfg;
	int err = 0;

	xc_config_default(&cfg);
	for (int s = 0; s < BENCH_SETS && !err; s++) {
		cfg.features = bench_sets[s].features;
		err = xc_counter_open(&cfg, &xc[s]);
	}
	return err;
}

static void close_sets(struct xc_counter *xc[BENCH_SETS])
{
	for (int s = 0; s < BENCH_SETS; s++)
		xc_counter_close(xc[s]);
}

static struct json_object *prog_figures(int fd, const char *name,
					struct json_object *res)
{
	struct json_object *o = json_object_new_object();
	struct xc_prog_stats st;
	char key[64];

	if (xc_prog_stats(fd, &st)) {
		json_object_put(o);
		return NULL;
	}
	bench_add_int(o, "verified_insns", st.verified_insns);
	bench_add_int(o, "xlated_len", st.xlated_len);
	bench_add_int(o, "jited_len", st.jited_len);
	if (res) {
		snprintf(key, sizeof(key), "det.%s.verified_insns", name);
		bench_gate_exact(res, key, st.verified_insns);
		snprintf(key, sizeof(key), "det.%s.xlated_len", name);
		bench_gate_exact(res, key, st.xlated_len);
		snprintf(key, sizeof(key), "det.%s.jited_len", name);
		bench_gate_exact(res, key, st.jited_len);
	}
	return o;
}

int bench_deterministic(const struct bench_opts *o, const struct bench_refs *r,
			struct json_object *res)
{
	struct json_object *det = json_object_new_object(), *fig;
	struct xc_counter *xc[BENCH_SETS] = { 0 };
	int err = open_sets(xc);

	(void)o;
	json_object_object_add(res, "deterministic", det);
	/* The references are context, not gated: nothing of ours changes them. */
	fig = prog_figures(r->empty_fd, "empty", NULL);
	json_object_object_add(fig, "label", json_object_new_string("empty XDP_PASS (reference)"));
	json_object_object_add(det, "empty", fig);
	fig = prog_figures(r->drop_fd, "drop", NULL);
	json_object_object_add(fig, "label", json_object_new_string("bare XDP_DROP (reference)"));
	json_object_object_add(det, "drop", fig);
	for (int s = 0; s < BENCH_SETS && !err; s++) {
		fig = prog_figures(xc_counter_prog_fd(xc[s]), bench_sets[s].name, res);
		if (!fig) {
			err = -errno;
			break;
		}
		bench_add_int(fig, "features", bench_sets[s].features);
		json_object_object_add(fig, "label", json_object_new_string(bench_sets[s].label));
		json_object_object_add(det, bench_sets[s].name, fig);
	}
	close_sets(xc);
	return err;
}

/*
 * A test run of more than one repeat adds its program to the kernel's XDP
 * dispatcher before its loop and takes it out after (bpf_prog_change_xdp),
 * each a rewrite of the dispatcher's code, unless the program is in the
 * dispatcher already. Here that is some 1.3 ms of CPU time per call, varying
 * from call to call: as much as 300 000 runs of the empty program. So the
 * program about to be timed is attached (generic mode) to a veth end of ours
 * that stays down, in a namespace of ours, through one link whose program is
 * replaced before each call, outside the time taken. The dispatcher then holds
 * the timed program alone, as it did inside the call, and no frame reaches
 * that end.
 */
struct held {
	struct xt_net net;
	bool on;
	int link, fd; /* the link and the program it has */
};

static int hold(struct held *h, int fd)
{
	int saved, link;

	if (h->on) {
		if (h->fd != fd && bpf_link_update(h->link, fd, NULL))
			return -errno;
		h->fd = fd;
		return 0;
	}
	if (xt_net_create(&h->net, "bd", 0) ||
	    xt_net_exec(h->net.ns_a, "ip link set %s down", h->net.if_a) ||
	    xt_net_enter(h->net.ns_a, &saved))
		return -EIO;
	link = xc_prog_attach(fd, h->net.ifindex_a, XC_MODE_GENERIC, NULL);
	xt_net_leave(saved);
	if (link < 0)
		return link;
	h->on = true;
	h->link = link;
	h->fd = fd;
	return 0;
}

static void release(struct held *h)
{
	if (h->on)
		close(h->link);
	xt_net_destroy(&h->net);
}

/*
 * ns[class][prog][round]; prog 0 is the empty program, 1.. the sets. Every
 * set's run sits between two runs of the empty program, whose mean is its
 * floor[class][prog][round]: load that changes within a round cancels out.
 */
struct testrun {
	const struct bench_opts *o;
	int fd[1 + BENCH_SETS];
	struct bench_frame f[BC_MAX];
	double *ns, *floor;
	struct held held;
	double call_ns; /* CPU time of a test run call besides its runs */
	double ratio[BC_MAX][1 + BENCH_SETS]; /* the medians reported */
};

#define NPROGS (1 + BENCH_SETS)

static size_t idx(struct testrun *t, int c, int p, int r)
{
	return ((size_t)c * NPROGS + (size_t)p) * (size_t)t->o->rounds + (size_t)r;
}

/*
 * The time of a run is the thread's CPU time over the whole call, less the
 * call's own cost, divided by repeat. The kernel's figure (the test run's
 * duration) is the loop's time divided by repeat and floored to whole ns:
 * against the empty program's 5 ns that is up to a fifth. The thread's CPU
 * clock leaves out what other threads run on this CPU, as the kernel's
 * figure does when the loop yields, where the wall clock would count it.
 */
static int call_cpu_ns(struct testrun *t, int p, const struct bench_frame *f,
		       __u32 repeat, double *ns)
{
	int err = hold(&t->held, t->fd[p]);
	__u64 t0 = bench_cpu_ns();

	err = err ?: xc_prog_run_repeat(t->fd[p], f->data, f->len, repeat, NULL);
	*ns = (double)(bench_cpu_ns() - t0);
	return err;
}

static int measure(struct testrun *t, int c, int p, __u32 repeat, double *out)
{
	double ns;
	int err = call_cpu_ns(t, p, &t->f[c], repeat, &ns);

	if (!err && out)
		*out = (ns - t->call_ns) / repeat;
	return err;
}

/*
 * What a call costs besides its runs: the syscall, copying the frame, the two
 * clock reads (themselves syscalls). The median of calls of 2 repeats of the
 * empty program, those 2 runs included.
 */
#define CALLS 31

static int call_cost(struct testrun *t)
{
	double v[CALLS];
	int err = 0;

	for (int i = 0; i < CALLS && !err; i++)
		err = call_cpu_ns(t, 0, &t->f[0], 2, &v[i]);
	t->call_ns = err ? 0 : bench_median(v, CALLS);
	return err;
}

/* One class, one round: empty, set, empty, set, ... the set order rotating. */
static int run_class(struct testrun *t, int c, int r)
{
	double prev = 0, next = 0, sum;
	int err = measure(t, c, 0, t->o->repeat, &prev);

	sum = prev;
	for (int k = 0; k < BENCH_SETS && !err; k++) {
		int p = 1 + (k + r) % BENCH_SETS;

		err = measure(t, c, p, t->o->repeat, &t->ns[idx(t, c, p, r)]);
		err = err ?: measure(t, c, 0, t->o->repeat, &next);
		t->floor[idx(t, c, p, r)] = (prev + next) / 2;
		sum += next;
		prev = next;
	}
	t->ns[idx(t, c, 0, r)] = t->floor[idx(t, c, 0, r)] = sum / (BENCH_SETS + 1);
	return err;
}

static int run_rounds(struct testrun *t)
{
	int err = 0;

	for (int c = 0; c < BC_MAX && !err; c++) /* warm: all keys exist */
		for (int p = 0; p < NPROGS && !err; p++)
			err = measure(t, c, p, 1000, NULL);
	for (int r = 0; r < t->o->rounds && !err; r++)
		for (int c = 0; c < BC_MAX && !err; c++)
			err = run_class(t, c, r);
	return err;
}

/* Median over rounds of a set's time against its floor: ratio or difference. */
static double per_round(struct testrun *t, int c, int p, bool ratio)
{
	double v[t->o->rounds];

	for (int r = 0; r < t->o->rounds; r++) {
		double x = t->ns[idx(t, c, p, r)], e = t->floor[idx(t, c, p, r)];

		v[r] = ratio ? x / e : x - e;
	}
	return bench_median(v, (size_t)t->o->rounds);
}

static struct json_object *class_result(struct testrun *t, int c,
					struct json_object *res)
{
	struct json_object *o = json_object_new_object();
	struct json_object *sets = json_object_new_object();
	double v[t->o->rounds];
	char key[80];

	json_object_object_add(o, "name", json_object_new_string(t->f[c].name));
	json_object_object_add(o, "label", json_object_new_string(t->f[c].label));
	bench_add_int(o, "len", (__s64)t->f[c].len);
	for (int p = 0; p < NPROGS; p++) {
		struct json_object *s = json_object_new_object();
		const char *name = p ? bench_sets[p - 1].name : "empty";
		double ratio = per_round(t, c, p, true);

		memcpy(v, &t->ns[idx(t, c, p, 0)], sizeof(v));
		bench_add_num(s, "ns", bench_median(v, (size_t)t->o->rounds));
		bench_add_num(s, "ratio", ratio);
		bench_add_num(s, "above_ns", per_round(t, c, p, false));
		json_object_object_add(sets, name, s);
		t->ratio[c][p] = ratio;
	}
	/* One class's path, gated where it costs most: everything on. */
	snprintf(key, sizeof(key), "testrun.%s.all", t->f[c].name);
	bench_gate_ratio(res, key, t->ratio[c][BENCH_SETS], BENCH_LOWER);
	json_object_object_add(o, "sets", sets);
	return o;
}

/*
 * The sets, each with its geometric mean ratio over the classes: gated, as
 * one class's figure for one set swings by up to a fifth on a loaded machine.
 */
static struct json_object *sets_json(struct testrun *t, struct json_object *res)
{
	struct json_object *a = json_object_new_array();
	char key[64];

	for (int s = 0; s < BENCH_SETS; s++) {
		struct json_object *o = json_object_new_object();
		double logsum = 0, geomean;

		for (int c = 0; c < BC_MAX; c++)
			logsum += log(t->ratio[c][1 + s]);
		geomean = exp(logsum / BC_MAX);
		json_object_object_add(o, "name", json_object_new_string(bench_sets[s].name));
		json_object_object_add(o, "label", json_object_new_string(bench_sets[s].label));
		bench_add_int(o, "features", bench_sets[s].features);
		bench_add_num(o, "geomean_ratio", geomean);
		json_object_array_add(a, o);
		snprintf(key, sizeof(key), "testrun.geomean.%s", bench_sets[s].name);
		bench_gate_ratio(res, key, geomean, BENCH_LOWER);
	}
	return a;
}

int bench_testrun(const struct bench_opts *o, const struct bench_refs *r,
		  struct json_object *res)
{
	struct testrun t = { .o = o };
	struct xc_counter *xc[BENCH_SETS] = { 0 };
	struct json_object *tr, *classes;
	int err;

	bench_frames(t.f);
	err = bench_frames_check(t.f, BC_MAX);
	err = err ?: open_sets(xc);
	err = err ?: bench_pin(o->cpu);
	t.ns = calloc((size_t)BC_MAX * NPROGS * (size_t)o->rounds, sizeof(double));
	t.floor = calloc((size_t)BC_MAX * NPROGS * (size_t)o->rounds, sizeof(double));
	if (!err && (!t.ns || !t.floor))
		err = -ENOMEM;
	if (err)
		goto out;
	t.fd[0] = r->empty_fd;
	for (int s = 0; s < BENCH_SETS; s++)
		t.fd[1 + s] = xc_counter_prog_fd(xc[s]);
	err = call_cost(&t);
	err = err ?: run_rounds(&t);
	if (err)
		goto out;
	tr = json_object_new_object();
	bench_add_num(tr, "call_ns", t.call_ns);
	classes = json_object_new_array();
	for (int c = 0; c < BC_MAX; c++)
		json_object_array_add(classes, class_result(&t, c, res));
	json_object_object_add(tr, "classes", classes);
	json_object_object_add(tr, "sets", sets_json(&t, res));
	json_object_object_add(res, "testrun", tr);
out:
	release(&t.held);
	free(t.ns);
	free(t.floor);
	close_sets(xc);
	return err;
}
