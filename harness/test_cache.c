// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The flow cache against more flows than it holds. The oracle is the traffic
 * the test builds itself: FLOWS UDP flows over SOURCES sources and PORTS
 * destination ports, ROUNDS frames each of lengths it chose, so every source,
 * port and flow total is known. Through test runs on every CPU, and as live
 * frames over a veth pair: the cache exports nearly every entry, and still
 * every source, port and flow is exact, and the rows plus what the cache could
 * not record add up to l4. A ring too small to keep up counts the rest as
 * unrecorded, to the frame. Snapshots taken while another CPU evicts never go
 * backwards, never count a frame twice, and end exact.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include "checks.h"
#include "cpus.h"
#include "netns.h"
#include "program.h"
#include "testnet.h"

#define SOURCES 200
#define PORTS 8
#define FLOWS 2000
#define ROUNDS 3
#define SMALL_CACHE 64   /* entries per CPU: FLOWS is 30 times more */
#define DRAIN_EVERY 256  /* frames between drains, as a live user's poll */
#define FRAME_MAX 400

struct traffic {
	struct xc_source src[SOURCES];
	struct xc_port ports[PORTS];
	struct xc_flow flows[FLOWS];
	struct xc_pb l4;
};

static __u32 src_ip(int s)
{
	return 0x0a090000u + (__u32)s; /* 10.9.0.0 + s */
}

static size_t frame_len(int f, int round)
{
	return 60 + (size_t)((f * 7 + round * 13) % 300);
}

static void v4mapped(struct xc_addr *a, __u32 ip)
{
	memset(a, 0, sizeof(*a));
	a->a[10] = a->a[11] = 0xff;
	ip = htonl(ip);
	memcpy(a->a + 12, &ip, 4);
}

/* IPv4 UDP from source f % SOURCES, sport 1000 + f, to 192.0.2.9:5000 + f % PORTS. */
static size_t build(__u8 *p, int f, int round)
{
	size_t len = frame_len(f, round);
	__u32 src = htonl(src_ip(f % SOURCES)), dst = htonl(0xc0000209u);
	__u16 sport = htons((__u16)(1000 + f)), dport = htons((__u16)(5000 + f % PORTS));
	__u16 ip_len = htons((__u16)(len - 14)), udp_len = htons((__u16)(len - 34));

	memset(p, 0, len);
	memcpy(p, "\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x00", 14);
	p[14] = 0x45;
	memcpy(p + 16, &ip_len, 2);
	p[22] = 64;
	p[23] = 17;
	memcpy(p + 26, &src, 4);
	memcpy(p + 30, &dst, 4);
	memcpy(p + 34, &sport, 2);
	memcpy(p + 36, &dport, 2);
	memcpy(p + 38, &udp_len, 2);
	return len;
}

/* What the whole traffic is, from the builder's own numbers. */
static void expect_traffic(struct traffic *t)
{
	memset(t, 0, sizeof(*t));
	for (int f = 0; f < FLOWS; f++) {
		struct xc_flow *fl = &t->flows[f];
		struct xc_source *s = &t->src[f % SOURCES];
		struct xc_port *p = &t->ports[f % PORTS];

		v4mapped(&fl->key.src, src_ip(f % SOURCES));
		v4mapped(&fl->key.dst, 0xc0000209u);
		fl->key.sport = (__u16)(1000 + f);
		fl->key.dport = (__u16)(5000 + f % PORTS);
		fl->key.proto = IPPROTO_UDP;
		fl->key.kind = XC_KEY_FLOW;
		s->addr = fl->key.src;
		p->proto = IPPROTO_UDP;
		p->port = fl->key.dport;
		for (int r = 0; r < ROUNDS; r++) {
			__u64 len = frame_len(f, r);

			fl->val.packets++;
			fl->val.bytes += len;
			s->pb.packets++;
			s->pb.bytes += len;
			p->pb.packets++;
			p->pb.bytes += len;
			t->l4.packets++;
			t->l4.bytes += len;
		}
	}
}

/* Everything exact: the core counters' l4, each source, port and flow. */
static void expect_exact(const char *what, const struct xc_snapshot *s, const struct traffic *t)
{
	const struct xc_table *c = &s->tables[XC_TAB_CACHE];
	const struct xc_pb *udp = &s->total.l4[XC_L4_UDP];

	XT_EXPECT_EQ(udp->packets, t->l4.packets, "%s: l4 udp packets, as sent", what);
	XT_EXPECT_EQ(udp->bytes, t->l4.bytes, "%s: l4 udp bytes, as sent", what);
	XT_EXPECT_EQ(c->unrecorded.packets, 0, "%s: frames unrecorded", what);
	XT_EXPECT_GT(c->exported, FLOWS, "%s: exported (more flows than the cache holds)", what);
	xt_expect_rows_cover_l4(what, s);
	xt_expect_sources_eq(what, s->sources, s->n_sources, t->src, SOURCES);
	xt_expect_ports_eq(what, s->ports, s->n_ports, t->ports, PORTS);
	xt_expect_flows_eq(what, s->flows, s->n_flows, t->flows, FLOWS);
	cr_log_info("%s: %d flows through %llu cache entries: %llu inserted, %llu exported",
		    what, FLOWS, c->capacity, c->inserted, c->exported);
}

static struct xc_counter *open_small(__u32 ring_bytes)
{
	struct xc_config cfg;

	xc_config_default(&cfg);
	cfg.cache_entries = SMALL_CACHE;
	cfg.ring_bytes = ring_bytes;
	return xt_open(&cfg);
}

/* Every round over every flow; drain: every DRAIN_EVERY frames, or never. */
static void run_all(struct xc_counter *xc, bool drain, const struct xt_cpus *cpus)
{
	__u8 frame[FRAME_MAX];
	unsigned long n = 0;

	for (int r = 0; r < ROUNDS; r++) {
		for (int f = 0; f < FLOWS; f++, n++) {
			size_t len = build(frame, f, r);

			if (cpus && n % 100 == 0)
				xt_pin_cpu(cpus->cpu[(n / 100) % (unsigned long)cpus->n]);
			XT_ASSERT_OK(xc_counter_run(xc, frame, len, NULL, NULL, 0, NULL),
				     "test run of flow %d", f);
			if (drain && n % DRAIN_EVERY == 0)
				XT_ASSERT_GE(xc_counter_drain(xc), 0, "drain");
		}
	}
}

Test(cache, more_flows_than_the_cache, .timeout = 120)
{
	struct xc_counter *xc = open_small(0);
	struct traffic t;
	struct xt_cpus cpus;
	struct xc_snapshot s;

	expect_traffic(&t);
	xt_cpus_allowed(&cpus);
	run_all(xc, true, &cpus);
	xt_snapshot(xc, &s);
	expect_exact("test runs on every CPU", &s, &t);
	xc_snapshot_free(&s);
	xc_counter_close(xc);
}

/* A one-page ring, never drained: what it cannot take is unrecorded, exactly. */
Test(cache, full_ring_counts_unrecorded, .timeout = 120)
{
	struct xc_counter *xc = open_small((__u32)getpagesize());
	const struct xc_table *c;
	struct xc_snapshot s;
	struct traffic t;
	struct xc_pb ports = { 0 };

	expect_traffic(&t);
	run_all(xc, false, NULL);
	xt_snapshot(xc, &s);
	c = &s.tables[XC_TAB_CACHE];
	XT_EXPECT_GT(c->unrecorded.packets, 0, "frames unrecorded by a full ring");
	xt_expect_rows_cover_l4("full ring", &s);
	for (size_t i = 0; i < s.n_ports; i++) {
		ports.packets += s.ports[i].pb.packets;
		ports.bytes += s.ports[i].pb.bytes;
	}
	cr_expect(ports.packets + c->unrecorded.packets == t.l4.packets &&
		  ports.bytes + c->unrecorded.bytes == t.l4.bytes,
		  "ports %llu + unrecorded %llu packets, sent %llu", ports.packets,
		  c->unrecorded.packets, t.l4.packets);
	cr_log_info("full ring: %llu of %llu frames unrecorded", c->unrecorded.packets,
		    t.l4.packets);
	xc_snapshot_free(&s);
	xc_counter_close(xc);
}

/* ---- live frames over a veth pair ---- */

static struct xt_net net;

static void live_teardown(void)
{
	xt_net_destroy(&net);
}

/*
 * B's generator (xdpcount with every feature off, action XDP_TX) sends each
 * frame live out of B; the counter on A counts it natively.
 */
Test(cache, live_more_flows_than_the_cache, .timeout = 120, .fini = live_teardown)
{
	struct xc_counter *xc, *gen;
	struct xc_config cfg;
	struct xc_snapshot s;
	struct traffic t;
	__u8 frame[FRAME_MAX];
	unsigned long n = 0;
	int saved;

	expect_traffic(&t);
	xt_net_sweep();
	xt_net_create_or_fail(&net, "fc", 0);
	xt_net_silent(&net); /* no stack traffic of its own: exact sources need it */
	xc = open_small(0);
	xc_config_default(&cfg);
	cfg.features = 0;
	cfg.action = XDP_TX;
	gen = xt_open(&cfg);
	saved = xt_net_enter_or_fail(net.ns_a);
	XT_ASSERT_OK(xc_counter_attach(xc, net.ifindex_a, XC_MODE_NATIVE, NULL), "attach");
	xt_net_leave_or_fail(saved);
	saved = xt_net_enter_or_fail(net.ns_b);
	for (int r = 0; r < ROUNDS; r++) {
		for (int f = 0; f < FLOWS; f++, n++) {
			size_t len = build(frame, f, r);

			XT_ASSERT_OK(xc_counter_send_live(gen, net.ifindex_b, frame, len, 1),
				     "send flow %d live", f);
			if (n % DRAIN_EVERY == 0)
				XT_ASSERT_GE(xc_counter_drain(xc), 0, "drain");
		}
	}
	xt_net_leave_or_fail(saved);
	xt_wait_total(xc, t.l4.packets, 5000);
	xt_snapshot(xc, &s);
	XT_EXPECT_EQ(s.total.total.packets, t.l4.packets, "frames counted, as sent");
	expect_exact("live frames on a veth pair", &s, &t);
	xc_snapshot_free(&s);
	xc_counter_close(gen);
	xc_counter_close(xc);
}

/* ---- snapshots while another CPU evicts ---- */

#define RACE_FRAMES 200000
#define RACE_SOURCES SOURCES
#define RACE_BURST 4 /* frames of a flow in a row: a counted-twice entry shows as 4 */

struct racer {
	struct xc_counter *xc;
	int cpu;
	atomic_ulong sent; /* frames run so far, or being run: told before each run */
	atomic_bool done;
};

/*
 * Every burst a new flow (sport = its number), sources cycling: every new flow
 * evicts an entry of RACE_BURST frames. RACE_FRAMES / RACE_BURST flows fit the
 * default flow rows, so each flow keeps a row to check.
 */
static void *race(void *arg)
{
	struct racer *r = arg;
	__u8 frame[FRAME_MAX];

	xt_pin_cpu(r->cpu);
	for (unsigned long i = 0; i < RACE_FRAMES; i++) {
		unsigned long flow = i / RACE_BURST;
		size_t len = build(frame, (int)(flow % FLOWS), 0);
		__u16 sport = htons((__u16)flow);

		memcpy(frame + 34, &sport, 2);
		atomic_store(&r->sent, i + 1);
		if (xc_counter_run(r->xc, frame, len, NULL, NULL, 0, NULL))
			break;
	}
	atomic_store(&r->done, true);
	return NULL;
}

/* Every flow was sent RACE_BURST frames: a row with more counted an entry twice. */
static bool flows_within_burst(const struct xc_snapshot *s)
{
	for (size_t i = 0; i < s->n_flows; i++)
		if (s->flows[i].val.packets > RACE_BURST)
			return false;
	return true;
}

/* Each source's packets by its number; false if any went down since prev. */
static bool source_counts(const struct xc_snapshot *s, __u64 *now, const __u64 *prev)
{
	bool ok = true;

	memset(now, 0, RACE_SOURCES * sizeof(*now));
	for (size_t i = 0; i < s->n_sources; i++) {
		__u32 ip;

		memcpy(&ip, s->sources[i].addr.a + 12, 4);
		ip = ntohl(ip) - src_ip(0);
		if (ip < RACE_SOURCES)
			now[ip] = s->sources[i].pb.packets;
	}
	for (int i = 0; i < RACE_SOURCES; i++)
		ok &= now[i] >= prev[i];
	return ok;
}

Test(cache, snapshots_while_another_cpu_evicts, .timeout = 240)
{
	struct racer r = { 0 };
	static __u64 prev[RACE_SOURCES], now[RACE_SOURCES];
	struct xc_snapshot s;
	struct xt_cpus cpus;
	__u64 prev_rows = 0;
	unsigned long snaps = 0, backwards = 0, doubled = 0;
	pthread_t th;

	xt_cpus_allowed(&cpus);
	XT_ASSERT_GE(cpus.n, 2, "CPUs (the race needs two)");
	r.xc = open_small(0);
	r.cpu = cpus.cpu[1];
	xt_pin_cpu(cpus.cpu[0]);
	memset(prev, 0, sizeof(prev));
	XT_ASSERT_EQ(pthread_create(&th, NULL, race, &r), 0, "start the evicting thread");
	while (!atomic_load(&r.done)) {
		__u64 rows;

		xt_snapshot(r.xc, &s);
		rows = s.other.packets + s.tables[XC_TAB_CACHE].unrecorded.packets;
		for (size_t i = 0; i < s.n_sources; i++)
			rows += s.sources[i].pb.packets;
		/* Read after the snapshot: a frame counted twice would overshoot it. */
		doubled += rows > atomic_load(&r.sent) || !flows_within_burst(&s);
		backwards += rows < prev_rows || !source_counts(&s, now, prev);
		memcpy(prev, now, sizeof(prev));
		prev_rows = rows;
		snaps++;
		xc_snapshot_free(&s);
	}
	pthread_join(th, NULL);
	XT_EXPECT_EQ(atomic_load(&r.sent), RACE_FRAMES, "frames the evicting thread ran");
	XT_EXPECT_GT(snaps, 10, "snapshots that raced the evictions");
	XT_EXPECT_EQ(doubled, 0, "snapshots of %lu that counted a frame twice", snaps);
	XT_EXPECT_EQ(backwards, 0, "snapshots of %lu that went backwards", snaps);
	xt_snapshot(r.xc, &s);
	XT_EXPECT_EQ(s.tables[XC_TAB_CACHE].unrecorded.packets, 0, "frames unrecorded");
	xt_expect_rows_cover_l4("after the race", &s);
	XT_EXPECT_EQ(s.total.l4[XC_L4_UDP].packets, RACE_FRAMES, "l4 udp packets, as run");
	source_counts(&s, now, prev);
	for (int i = 0; i < RACE_SOURCES; i++)
		XT_EXPECT_EQ(now[i], RACE_FRAMES / RACE_SOURCES, "source %d: packets, as sent", i);
	cr_log_info("race: %lu snapshots while %d frames evicted; %llu exported", snaps,
		    RACE_FRAMES, s.tables[XC_TAB_CACHE].exported);
	xc_snapshot_free(&s);
	xc_counter_close(r.xc);
}
