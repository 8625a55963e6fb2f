// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Live veth throughput. The counter runs in native mode on end A of a veth
 * pair; a generator in B's namespace sends live frames (BPF_PROG_TEST_RUN with
 * BPF_F_TEST_XDP_LIVE_FRAMES) that its program returns as XDP_TX, so they
 * cross the pair into A. Each round times the counter and the reference
 * program (bare XDP_DROP, or the empty XDP_PASS) back to back.
 *
 * The generator is xdpcount itself with every feature off and action XDP_TX:
 * the cheapest XDP_TX program that needs no third BPF program, and the same
 * for both sides of every ratio. What it sent is its repeat count; whether all
 * of it arrived is what A's counter (or A's veth statistics) says.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include "bench.h"
#include "netns.h"

#define MAX_GEN 2

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct live {
	const struct bench_opts *o;
	struct xt_net net;
	struct xc_counter *gen;
	struct bench_frame f;
};

/* One receiving program: the counter, or a reference by fd, maybe traced. */
struct receiver {
	struct xc_counter *xc;
	int fd;
	int link; /* the reference's bpf_link */
	struct xc_drops *drops;   /* the drop tracer, attached while it runs */
	bool observe;             /* observe mode on the reference while it runs */
	struct xc_observer *obs;
};

struct run {
	double mpps;      /* by the kernel's time per frame, summed over CPUs */
	double wall_mpps; /* frames sent / first start to last end */
	__u64 sent, arrived; /* arrived: the counter's total, or veth's count */
};

struct gen_thread {
	struct live *l;
	pthread_barrier_t *start;
	__u32 frames;
	int cpu, err;
	__u64 t0, t1, ns_per_frame;
};

static void *gen_main(void *arg)
{
	struct gen_thread *g = arg;
	struct live *l = g->l;
	int saved;

	g->err = bench_pin(g->cpu);
	if (!g->err && xt_net_enter(l->net.ns_b, &saved))
		g->err = -errno;
	pthread_barrier_wait(g->start);
	if (g->err)
		return NULL;
	g->t0 = bench_now_ns();
	g->err = xc_prog_send_live(xc_counter_prog_fd(l->gen), l->net.ifindex_b,
				   l->f.data, l->f.len, g->frames, &g->ns_per_frame);
	g->t1 = bench_now_ns();
	xt_net_leave(saved);
	return NULL;
}

/*
 * Send from ncpu CPUs at once. The kernel's time leaves out what other
 * processes took from the CPU, so a loaded machine slows neither side.
 */
static int generate(struct live *l, int ncpu, __u32 frames, struct run *out)
{
	struct gen_thread g[MAX_GEN];
	pthread_barrier_t start;
	pthread_t th[MAX_GEN];
	__u64 t0 = ~0ull, t1 = 0;
	int err = 0;

	pthread_barrier_init(&start, NULL, (unsigned)ncpu);
	for (int i = 0; i < ncpu; i++) {
		/* One CPU: the pinned one; two: it and its neighbour. */
		int cpu = l->o->cpu + (i ? (l->o->cpu ? -1 : 1) : 0);

		g[i] = (struct gen_thread){ .l = l, .start = &start,
					    .frames = frames, .cpu = cpu };
		pthread_create(&th[i], NULL, gen_main, &g[i]);
	}
	out->mpps = 0;
	for (int i = 0; i < ncpu; i++) {
		pthread_join(th[i], NULL);
		err = err ?: g[i].err;
		t0 = g[i].t0 < t0 ? g[i].t0 : t0;
		t1 = g[i].t1 > t1 ? g[i].t1 : t1;
		out->mpps += 1e3 / (double)g[i].ns_per_frame;
	}
	pthread_barrier_destroy(&start);
	out->sent = (__u64)ncpu * frames;
	out->wall_mpps = (double)out->sent * 1e3 / (double)(t1 - t0);
	return err;
}

/* Frames that reached A's XDP program, by A's veth statistics. */
static __u64 veth_xdp_packets(struct live *l)
{
	char cmd[256], line[256];
	unsigned long long v, sum = 0;
	int q;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "ip netns exec %s ethtool -S %s",
		 l->net.ns_a, l->net.if_a);
	f = popen(cmd, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " rx_queue_%d_xdp_packets: %llu", &q, &v) == 2)
			sum += v;
	pclose(f);
	return sum;
}

/* What the tracers counted: drops of every reason, or the observed frames. */
static __u64 traced(struct receiver *rx)
{
	struct xc_observe_stats st;
	struct xc_drop_snapshot d;
	__u64 n = 0;

	if (rx->obs)
		return xc_observe_read(rx->obs, &st) ? 0 : st.in.total.packets;
	if (xc_drops_read(rx->drops, &d))
		return 0;
	for (size_t i = 0; i < d.n; i++)
		n += d.v[i].pb.packets;
	xc_drop_snapshot_free(&d);
	return n;
}

static __u64 counted(struct receiver *rx, struct live *l)
{
	struct xc_snapshot s;
	__u64 n;

	if (rx->drops || rx->obs)
		return traced(rx);
	if (!rx->xc)
		return veth_xdp_packets(l);
	if (xc_counter_snapshot(rx->xc, &s))
		return 0;
	n = s.total.total.packets;
	xc_snapshot_free(&s);
	return n;
}

static int attach(struct receiver *rx, struct live *l)
{
	int saved, err;

	if (xt_net_enter(l->net.ns_a, &saved))
		return -errno;
	if (rx->xc) {
		err = xc_counter_attach(rx->xc, l->net.ifindex_a, XC_MODE_NATIVE, NULL);
	} else {
		rx->link = xc_prog_attach(rx->fd, l->net.ifindex_a, XC_MODE_NATIVE, NULL);
		err = rx->link < 0 ? rx->link : 0;
	}
	if (!err && rx->drops)
		err = xc_drops_attach(rx->drops);
	if (!err && rx->observe) {
		char why[256];

		err = xc_observe_open(l->net.ifindex_a, &rx->obs, why, sizeof(why));
		if (err)
			fprintf(stderr, "bench: observe mode: %s\n", why);
	}
	xt_net_leave(saved);
	return err;
}

static void detach(struct receiver *rx, struct live *l)
{
	xc_drops_detach(rx->drops);
	xc_observe_close(rx->obs);
	rx->obs = NULL;
	if (rx->xc)
		xc_counter_detach(rx->xc, l->net.ifindex_a);
	else if (rx->link >= 0)
		close(rx->link);
	rx->link = -1;
}

static int measure(struct live *l, struct receiver *rx, int ncpu, __u32 frames,
		   struct run *out)
{
	__u64 before;
	int err = attach(rx, l);

	if (err) {
		detach(rx, l); /* what did attach */
		return err;
	}
	before = counted(rx, l);
	err = generate(l, ncpu, frames, out);
	out->arrived = counted(rx, l) - before;
	detach(rx, l);
	return stop ? -EINTR : err;
}

/* A and B see only the generator's frames: no IPv6 chatter, no ARP. */
static int quiet_net(struct xt_net *n)
{
	static const char *v6off = "echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6 && "
				   "echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6";
	int err = 0;

	err = err ?: xt_net_exec(n->ns_a, "%s && ip neigh replace " XT_NET_IP4_B
				 " lladdr %s dev %s nud permanent", v6off, n->mac_b, n->if_a);
	err = err ?: xt_net_exec(n->ns_b, "%s && ip neigh replace " XT_NET_IP4_A
				 " lladdr %s dev %s nud permanent", v6off, n->mac_a, n->if_b);
	/* A queue per generator CPU: one ring would overflow with two. */
	err = err ?: xt_net_exec(n->ns_a, "ethtool -L %s rx %d tx %d", n->if_a, MAX_GEN, MAX_GEN);
	err = err ?: xt_net_exec(n->ns_b, "ethtool -L %s rx %d tx %d", n->if_b, MAX_GEN, MAX_GEN);
	return err ? -EIO : 0;
}

/* Both the counter and the reference, ncpu generator CPUs, every round. */
struct series {
	const char *action; /* "drop" or "pass" */
	int ncpu;
	__u32 frames;       /* per generator CPU */
	struct receiver *counter, *ref;
	double *ratio, *mpps, *ref_mpps, *wall_ratio;
	__u64 sent, arrived, ref_arrived;
};

static int series_round(struct live *l, struct series *s, int r)
{
	struct run c, ref;
	int err;

	/* Alternate who goes first: neither always gets the warmer cache. */
	if (r % 2) {
		err = measure(l, s->ref, s->ncpu, s->frames, &ref);
		err = err ?: measure(l, s->counter, s->ncpu, s->frames, &c);
	} else {
		err = measure(l, s->counter, s->ncpu, s->frames, &c);
		err = err ?: measure(l, s->ref, s->ncpu, s->frames, &ref);
	}
	if (err)
		return err;
	s->mpps[r] = c.mpps;
	s->ref_mpps[r] = ref.mpps;
	s->ratio[r] = c.mpps / ref.mpps;
	s->wall_ratio[r] = c.wall_mpps / ref.wall_mpps;
	s->sent += c.sent;
	s->arrived += c.arrived;
	s->ref_arrived += ref.arrived;
	return 0;
}

static struct json_object *series_result(struct series *s, int rounds,
					 struct json_object *res)
{
	struct json_object *o = json_object_new_object();
	double ratio = bench_median(s->ratio, (size_t)rounds);
	char key[64];

	json_object_object_add(o, "action", json_object_new_string(s->action));
	bench_add_int(o, "cpus", s->ncpu);
	bench_add_int(o, "frames_per_cpu", s->frames);
	bench_add_num(o, "counter_mpps", bench_median(s->mpps, (size_t)rounds));
	bench_add_num(o, "reference_mpps", bench_median(s->ref_mpps, (size_t)rounds));
	bench_add_num(o, "ratio", ratio);
	bench_add_num(o, "wall_ratio", bench_median(s->wall_ratio, (size_t)rounds));
	bench_add_int(o, "sent", (__s64)s->sent);
	bench_add_int(o, "counted", (__s64)s->arrived);
	bench_add_int(o, "reference_arrived", (__s64)s->ref_arrived);
	json_object_object_add(o, "all_counted", json_object_new_boolean(s->arrived == s->sent));
	/* Behind XDP_PASS the stack's cost swamps the counter's: reported only. */
	snprintf(key, sizeof(key), "live.%s.%dcpu", s->action, s->ncpu);
	if (!strcmp(s->action, "drop"))
		bench_gate_ratio(res, key, ratio, BENCH_HIGHER);
	return o;
}

static int open_counter(__u32 features, __u32 action, struct xc_counter **xc)
{
	struct xc_config cfg;

	xc_config_default(&cfg);
	cfg.features = features;
	cfg.action = action;
	return xc_counter_open(&cfg, xc);
}

static int live_series(struct live *l, const struct bench_refs *r,
		       struct json_object *runs, struct json_object *res)
{
	struct xc_counter *drop = NULL, *pass = NULL;
	struct receiver rx[4] = {
		{ .link = -1 }, { .fd = r->drop_fd, .link = -1 },
		{ .link = -1 }, { .fd = r->empty_fd, .link = -1 },
	};
	int rounds = l->o->live_rounds, err;
	/* The stack behind XDP_PASS is several times slower than a drop. */
	__u32 nd = l->o->live_frames, np = nd / 4;
	double b[4][4][rounds];
	struct series s[4] = {
		{ "drop", 1, nd, &rx[0], &rx[1], b[0][0], b[0][1], b[0][2], b[0][3], 0, 0, 0 },
		{ "drop", 2, nd, &rx[0], &rx[1], b[1][0], b[1][1], b[1][2], b[1][3], 0, 0, 0 },
		{ "pass", 1, np, &rx[2], &rx[3], b[2][0], b[2][1], b[2][2], b[2][3], 0, 0, 0 },
		{ "pass", 2, np, &rx[2], &rx[3], b[3][0], b[3][1], b[3][2], b[3][3], 0, 0, 0 },
	};

	err = open_counter(XC_F_ALL, XDP_DROP, &drop);
	err = err ?: open_counter(XC_F_ALL, XDP_PASS, &pass);
	rx[0].xc = drop;
	rx[2].xc = pass;
	for (int i = 0; i < rounds && !err; i++)
		for (int k = 0; k < 4 && !err; k++)
			err = series_round(l, &s[k], i);
	for (int k = 0; k < 4 && !err; k++)
		json_object_array_add(runs, series_result(&s[k], rounds, res));
	xc_counter_close(drop);
	xc_counter_close(pass);
	return err;
}

/* ---- a flood of distinct flows: every frame a new cache entry ---- */

#define FLOOD_FLOWS (1u << 20)
#define FLOOD_FLOWS_QUICK (1u << 17)

struct drainer {
	struct xc_counter *xc;
	int cpu;
	atomic_bool stop;
	__u64 cpu_ns;   /* the thread's own CPU time */
	__u64 drain_ns; /* of it, inside drains that found records */
	__u64 records;
};

/*
 * What a live user does: wait on the exports (the program wakes the reader
 * when a quarter of the ring waits) or a 100 ms tick, then drain. The CPU
 * time inside drains that found records is the cost per record.
 */
static void *drain_main(void *arg)
{
	struct drainer *d = arg;
	struct pollfd p = { .fd = xc_counter_exports_fd(d->xc), .events = POLLIN };
	__u64 c0;

	bench_pin(d->cpu);
	c0 = bench_cpu_ns();
	while (!atomic_load(&d->stop)) {
		__u64 t0;
		int n;

		poll(&p, 1, 100);
		t0 = bench_cpu_ns();
		n = xc_counter_drain(d->xc);
		if (n > 0) {
			d->records += (__u64)n;
			d->drain_ns += bench_cpu_ns() - t0;
		}
	}
	d->cpu_ns = bench_cpu_ns() - c0;
	return NULL;
}

/* Send n frames, each from its own source (and so its own flow), from B. */
static int send_distinct(struct live *l, __u32 n)
{
	struct bench_frame f = l->f;
	int saved, err = 0;

	if (xt_net_enter(l->net.ns_b, &saved))
		return -errno;
	for (__u32 i = 0; i < n && !err && !stop; i++) {
		bench_frame_source(&f, 0x0a000000u + i);
		err = xc_prog_send_live(xc_counter_prog_fd(l->gen), l->net.ifindex_b, f.data,
					f.len, 1, NULL);
	}
	xt_net_leave(saved);
	return err;
}

/* Every l4 frame in a source row, in other, or unrecorded: the totals add up. */
static bool rows_add_up(const struct xc_snapshot *s)
{
	__u64 l4 = 0, rows = s->other.packets + s->tables[XC_TAB_CACHE].unrecorded.packets;

	for (int i = 0; i < XC_L4_MAX; i++)
		l4 += s->total.l4[i].packets;
	for (size_t i = 0; i < s->n_sources; i++)
		rows += s->sources[i].pb.packets;
	return rows == l4;
}

static void flood_result(struct json_object *o, const struct xc_snapshot *s, __u32 sent,
			 const struct drainer *d, __u64 snap_ns)
{
	const struct xc_table *c = &s->tables[XC_TAB_CACHE];

	bench_add_int(o, "sent", sent);
	bench_add_int(o, "counted", (__s64)s->total.total.packets);
	bench_add_int(o, "cache_inserted", (__s64)c->inserted);
	bench_add_int(o, "cache_exported", (__s64)c->exported);
	bench_add_int(o, "cache_live", (__s64)c->entries);
	bench_add_int(o, "unrecorded", (__s64)c->unrecorded.packets);
	bench_add_int(o, "flows_folded", (__s64)s->tables[XC_TAB_FLOWS].folded.packets);
	bench_add_int(o, "other", (__s64)s->other.packets);
	bench_add_int(o, "drained_records", (__s64)d->records);
	bench_add_num(o, "drain_cpu_ms", (double)d->cpu_ns / 1e6);
	bench_add_num(o, "drain_ns_per_record",
		      d->records ? (double)d->drain_ns / (double)d->records : NAN);
	bench_add_num(o, "snapshot_cpu_ms", (double)snap_ns / 1e6);
	json_object_object_add(o, "exact", json_object_new_boolean(
		s->total.total.packets == sent && rows_add_up(s)));
}

static int live_flood(struct live *l, struct json_object *lv)
{
	__u32 n = l->o->big_tables ? FLOOD_FLOWS : FLOOD_FLOWS_QUICK;
	struct receiver rx = { .link = -1 };
	struct json_object *o = json_object_new_object();
	struct drainer d = { .cpu = l->o->cpu ? l->o->cpu - 1 : l->o->cpu + 1 };
	struct xc_snapshot s;
	pthread_t th;
	__u64 c0;
	bool exact;
	int err;

	json_object_object_add(lv, "flood", o);
	err = open_counter(XC_F_ALL, XDP_DROP, &rx.xc);
	err = err ?: attach(&rx, l);
	d.xc = rx.xc;
	err = err ?: -pthread_create(&th, NULL, drain_main, &d);
	if (err) {
		xc_counter_close(rx.xc);
		return err;
	}
	err = bench_pin(l->o->cpu);
	err = err ?: send_distinct(l, n);
	atomic_store(&d.stop, true);
	pthread_join(th, NULL);
	detach(&rx, l);
	c0 = bench_cpu_ns();
	err = err ?: xc_counter_snapshot(rx.xc, &s);
	if (!err) {
		flood_result(o, &s, n, &d, bench_cpu_ns() - c0);
		exact = s.total.total.packets == n && rows_add_up(&s);
		xc_snapshot_free(&s);
		if (!exact) {
			fprintf(stderr, "bench: flood: counts do not add up (see results)\n");
			err = -EPROTO;
		}
	}
	xc_counter_close(rx.xc);
	return err;
}

static int live_setup(struct live *l)
{
	int err;

	if (xt_net_create(&l->net, "bn", 0))
		return -EIO;
	err = quiet_net(&l->net);
	err = err ?: bench_frame_live(&l->f, l->net.mac_a, l->net.mac_b);
	err = err ?: open_counter(0, XDP_TX, &l->gen);
	return err;
}

int bench_live(const struct bench_opts *o, const struct bench_refs *r,
	       struct json_object *res)
{
	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term;
	struct json_object *lv = json_object_new_object();
	struct json_object *runs = json_object_new_array();
	struct live l = { .o = o };
	int err;

	json_object_object_add(res, "live", lv);
	json_object_object_add(lv, "runs", runs);
	bench_add_int(lv, "rounds", o->live_rounds);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	err = live_setup(&l);
	if (!err)
		bench_add_int(lv, "frame_len", (__s64)l.f.len);
	err = err ?: live_series(&l, r, runs, res);
	err = err ?: live_flood(&l, lv);
	xc_counter_close(l.gen);
	xt_net_destroy(&l.net);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return err;
}

/* ---- the tracers: kernel drop reasons, observe mode ---- */

static struct json_object *tracer_result(struct series *s, int rounds)
{
	struct json_object *o = json_object_new_object();
	double with = bench_median(s->mpps, (size_t)rounds);
	double without = bench_median(s->ref_mpps, (size_t)rounds);
	double cost[rounds];

	/* What the tracer adds to each packet, round by round: ns per packet with − without. */
	for (int r = 0; r < rounds; r++)
		cost[r] = 1e3 / s->mpps[r] - 1e3 / s->ref_mpps[r];

	bench_add_int(o, "frames_per_cpu", s->frames);
	bench_add_num(o, "traced_mpps", with);
	bench_add_num(o, "untraced_mpps", without);
	bench_add_num(o, "ratio", bench_median(s->ratio, (size_t)rounds));
	bench_add_num(o, "cost_ns", bench_median(cost, (size_t)rounds));
	bench_add_int(o, "sent", (__s64)s->sent);
	bench_add_int(o, "traced", (__s64)s->arrived);
	json_object_object_add(o, "all_traced", json_object_new_boolean(s->arrived == s->sent));
	return o;
}

/* Rounds of with and without, one generator CPU; an error leaves the rest. */
static int tracer_series(struct live *l, struct series *s, struct json_object *out,
			 const char *key)
{
	int rounds = l->o->live_rounds, err = 0;

	for (int i = 0; i < rounds && !err; i++)
		err = series_round(l, s, i);
	if (err) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "error", json_object_new_string(strerror(-err)));
		json_object_object_add(out, key, o);
		return err == -EINTR ? err : 0;
	}
	json_object_object_add(out, key, tracer_result(s, rounds));
	return 0;
}

/*
 * The drop tracer's cost per freed skb: the empty XDP_PASS program hands each
 * UDP frame to the stack, which drops it (no socket on port 9), with and
 * without the tracer watching the interface. Observe mode's cost per frame:
 * bare XDP_DROP with and without fentry/fexit on it.
 */
static int tracing_series(struct live *l, const struct bench_refs *r, struct json_object *tr)
{
	int rounds = l->o->live_rounds, saved, err;
	__u32 nd = l->o->live_frames, np = nd / 4;
	struct receiver rx[4] = {
		{ .fd = r->empty_fd, .link = -1 }, { .fd = r->empty_fd, .link = -1 },
		{ .fd = r->drop_fd, .link = -1, .observe = true }, { .fd = r->drop_fd, .link = -1 },
	};
	double b[2][4][rounds];
	struct series s[2] = {
		{ "drops", 1, np, &rx[0], &rx[1], b[0][0], b[0][1], b[0][2], b[0][3], 0, 0, 0 },
		{ "observe", 1, nd, &rx[2], &rx[3], b[1][0], b[1][1], b[1][2], b[1][3], 0, 0, 0 },
	};
	char why[256] = "";

	err = xc_drops_open(&rx[0].drops, why, sizeof(why));
	if (!err && !xt_net_enter(l->net.ns_a, &saved)) {
		err = xc_drops_watch(rx[0].drops, l->net.ifindex_a);
		xt_net_leave(saved);
	}
	if (err) { /* this kernel cannot: say why, and go on */
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "error", json_object_new_string(why[0] ? why :
								       strerror(-err)));
		json_object_object_add(tr, "drops", o);
	}
	err = err ? 0 : tracer_series(l, &s[0], tr, "drops");
	xc_drops_close(rx[0].drops);
	return err ?: tracer_series(l, &s[1], tr, "observe");
}

int bench_tracing(const struct bench_opts *o, const struct bench_refs *r,
		  struct json_object *res)
{
	struct json_object *tr = json_object_new_object();
	struct live l = { .o = o };
	int err;

	json_object_object_add(res, "tracing", tr);
	bench_add_int(tr, "rounds", o->live_rounds);
	err = live_setup(&l);
	err = err ?: tracing_series(&l, r, tr);
	xc_counter_close(l.gen);
	xt_net_destroy(&l.net);
	return err;
}
