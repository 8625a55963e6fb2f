// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Faults: the flow cache and the user-space rows flooded with a million
 * distinct sources, one frame each, through BPF_PROG_TEST_RUN, drained as a
 * live user drains. The oracle is the arithmetic of what was sent: N frames
 * of FRAME_LEN bytes, every source and every flow new exactly once. Totals and
 * the port stay exact, every key is inserted once, every entry that left the
 * cache was exported, the full rows fold into sources and `other` by exactly
 * what did not fit, and memory stays bounded: the maps keep their size and
 * memlock, and a snapshot costs the process a bounded amount of memory.
 * About 3 s on the 2-CPU CI machine (one test run costs ~2.5 us).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <criterion/criterion.h>
#include "checks.h"
#include "program.h"
#include "rss.h"

#define FLOOD_SOURCES 1000000u
#define FLOOD_KEYS (FLOOD_SOURCES + 1) /* and one more source after the flood */
#define FRAME_LEN 60
#define FLOOD_DPORT 9
#define MAX_MAPS 16
/* A snapshot of two 64K tables is ~7 MB of entries; 1M of anything is more. */
#define SNAPSHOT_MEM_MAX (48ul << 20)

/* IPv4 UDP to port 9 from 10.0.0.0 + i: the source is the frame's number. */
static void flood_frame(__u8 *f, __u32 i)
{
	__u32 src = htonl(0x0a000000u + i);

	memset(f, 0, FRAME_LEN);
	f[12] = 0x08;             /* EtherType IPv4 */
	f[14] = 0x45;             /* version 4, IHL 5 */
	f[14 + 3] = FRAME_LEN - 14;
	f[14 + 8] = 64;           /* TTL */
	f[14 + 9] = 17;           /* UDP */
	memcpy(f + 14 + 12, &src, 4);
	f[14 + 16] = 192;         /* 192.0.2.9 */
	f[14 + 18] = 2;
	f[14 + 19] = 9;
	f[34 + 1] = 100;          /* sport 100 */
	f[34 + 3] = FLOOD_DPORT;
	f[34 + 5] = 8;            /* UDP length 8 */
}

/* The sum of memlock over the program's maps, from /proc/self/fdinfo. */
static unsigned long long maps_memlock(struct xc_counter *xc)
{
	__u32 ids[MAX_MAPS], n = MAX_MAPS;
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	unsigned long long total = 0;

	memset(&info, 0, sizeof(info));
	info.nr_map_ids = n;
	info.map_ids = (__u64)(unsigned long)ids;
	XT_ASSERT_EQ(bpf_obj_get_info_by_fd(xc_counter_prog_fd(xc), &info, &len), 0,
		     "bpf_obj_get_info_by_fd: %s", strerror(errno));
	for (__u32 i = 0; i < info.nr_map_ids && i < n; i++) {
		int fd = bpf_map_get_fd_by_id(ids[i]);
		__u64 v;

		cr_assert(fd >= 0, "bpf_map_get_fd_by_id %u: %s", ids[i], strerror(errno));
		v = xc_map_memlock(fd);
		cr_assert(v > 0, "map %u: no memlock in /proc/self/fdinfo", ids[i]);
		total += v;
		close(fd);
	}
	return total;
}

/*
 * Every key was new once: inserted, or (ring full) unrecorded. Every entry
 * that left the cache was exported; what stays is live.
 */
static void expect_flooded_cache(const struct xc_table *t)
{
	XT_EXPECT_EQ(t->inserted + t->unrecorded.packets, FLOOD_KEYS,
		     "cache: inserted + unrecorded (every key was new once)");
	XT_EXPECT_EQ(t->unrecorded.packets, 0, "cache: frames unrecorded, drained all along");
	XT_EXPECT_EQ(t->exported + t->entries, t->inserted, "cache: exported + live, want inserted");
	XT_EXPECT_LE(t->entries, t->capacity, "cache: entries, at most the capacity");
}

/* The rows are full: flows fold into sources, sources into other, counted. */
static void expect_full_rows(const struct xc_snapshot *s)
{
	const struct xc_table *fl = &s->tables[XC_TAB_FLOWS], *src = &s->tables[XC_TAB_SOURCES];

	XT_EXPECT_EQ(s->n_flows, XC_DEFAULT_FLOWS, "flow rows, the capacity");
	XT_EXPECT_EQ(fl->folded.packets, FLOOD_KEYS - XC_DEFAULT_FLOWS,
		     "flows folded: every key without a row");
	XT_EXPECT_EQ(s->n_sources, XC_DEFAULT_FLOWS + XC_DEFAULT_SOURCES,
		     "source rows: the flows' sources and the folded ones");
	XT_EXPECT_EQ(src->folded.packets, s->other.packets, "sources folded, which is other");
	XT_EXPECT_EQ(s->other.packets, FLOOD_KEYS - XC_DEFAULT_FLOWS - XC_DEFAULT_SOURCES,
		     "other: frames in no row");
	xt_expect_rows_cover_l4("flood", s);
}

/* Each flooded source sent one frame: every row holds exactly that. */
static void expect_one_frame_each(const struct xc_snapshot *s)
{
	size_t bad = 0;

	for (size_t i = 0; i < s->n_sources; i++)
		bad += s->sources[i].pb.packets != 1 || s->sources[i].pb.bytes != FRAME_LEN;
	for (size_t i = 0; i < s->n_flows; i++)
		bad += s->flows[i].val.packets != 1 || s->flows[i].val.bytes != FRAME_LEN;
	XT_EXPECT_EQ(bad, 0, "source or flow entries not holding one %d-byte frame", FRAME_LEN);
}

static void expect_exact_totals(const struct xc_snapshot *s, __u64 frames)
{
	const struct xc_counters *c = &s->total;
	__u64 bytes = frames * FRAME_LEN;

	XT_EXPECT_EQ(c->total.packets, frames, "total packets, as sent");
	XT_EXPECT_EQ(c->total.bytes, bytes, "total bytes, as sent");
	XT_EXPECT_EQ(c->l3[XC_L3_IPV4].packets, frames, "l3 ipv4 packets, as sent");
	XT_EXPECT_EQ(c->l4[XC_L4_UDP].bytes, bytes, "l4 udp bytes, as sent");
	XT_EXPECT_EQ(c->sizes[0].packets, frames, "size <=64 packets, as sent");
}

static void expect_port_exact(const struct xc_snapshot *s, __u64 frames)
{
	__u64 got = 0;

	for (size_t i = 0; i < s->n_ports; i++)
		if (s->ports[i].proto == 17 && s->ports[i].port == FLOOD_DPORT)
			got = s->ports[i].pb.packets;
	XT_EXPECT_EQ(s->n_ports, 1, "port entries");
	XT_EXPECT_EQ(got, frames, "udp port %d: packets, as sent", FLOOD_DPORT);
}

Test(flood, million_sources, .timeout = 120)
{
	struct xc_counter *xc = xt_open(NULL);
	unsigned long long memlock0 = maps_memlock(xc), memlock1;
	unsigned long mem0, mem1;
	struct xc_snapshot s;
	__u8 frame[FRAME_LEN];
	__u32 action = 0;
	int err = 0;

	for (__u32 i = 0; i < FLOOD_SOURCES && !err; i++) {
		flood_frame(frame, i);
		err = xc_counter_run(xc, frame, FRAME_LEN, &action, NULL, 0, NULL);
		if (!err && action != XDP_PASS)
			err = -EPROTO;
		if (!err && i % 4096 == 0)
			err = xc_counter_drain(xc) < 0 ? -EIO : 0; /* as a live user does */
	}
	XT_ASSERT_EQ(err, 0, "flooding: each run passed (%s)", strerror(-err));
	flood_frame(frame, FLOOD_SOURCES);
	XT_ASSERT_EQ(xc_counter_run(xc, frame, FRAME_LEN, NULL, NULL, 0, NULL), 0,
		     "the frame after the flood");

	mem0 = xt_mem_in_use(0);
	xt_snapshot(xc, &s);
	mem1 = xt_mem_in_use(0);
	cr_expect(mem1 < mem0 + SNAPSHOT_MEM_MAX,
		  "a snapshot of the flooded tables grew memory in use by %lu bytes (bound %lu)",
		  mem1 - mem0, SNAPSHOT_MEM_MAX);
	expect_exact_totals(&s, FLOOD_KEYS);
	expect_port_exact(&s, FLOOD_KEYS);
	expect_one_frame_each(&s);
	expect_flooded_cache(&s.tables[XC_TAB_CACHE]);
	expect_full_rows(&s);
	memlock1 = maps_memlock(xc);
	XT_EXPECT_EQ(memlock1, memlock0, "maps' memlock after the flood, as before");
	cr_log_info("flood: %u sources: cache inserted %llu, exported %llu, unrecorded %llu;"
		    " snapshot +%lu KiB in use", FLOOD_SOURCES,
		    s.tables[XC_TAB_CACHE].inserted, s.tables[XC_TAB_CACHE].exported,
		    s.tables[XC_TAB_CACHE].unrecorded.packets, (mem1 - mem0) >> 10);
	xc_snapshot_free(&s);
	xc_counter_close(xc);
}
