// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Faults: the sources and flows tables flooded with a million distinct
 * sources, one frame each, through BPF_PROG_TEST_RUN. The oracle is the
 * arithmetic of what was sent: N frames of FRAME_LEN bytes, every source and
 * every flow new exactly once. Totals must stay exact, every key must be
 * either inserted or counted as failed, evictions must be inserted - entries,
 * and memory must stay bounded: the maps keep their size and memlock, and a
 * snapshot of the full tables costs the process a bounded amount of memory.
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

static void expect_flooded_table(const char *name, const struct xc_table *t,
				 size_t n_entries, __u64 capacity)
{
	XT_EXPECT_EQ(t->inserted + t->failed, FLOOD_KEYS,
		     "%s: inserted + failed (every key was new once)", name);
	XT_EXPECT_EQ(t->evicted, t->inserted - t->entries, "%s: evicted, want inserted - entries",
		     name);
	XT_EXPECT_EQ(t->entries, n_entries, "%s: entries, as the snapshot has", name);
	cr_expect(t->entries <= capacity, "%s: entries %llu above the capacity %llu",
		  name, t->entries, capacity);
	XT_EXPECT_EQ(t->capacity, capacity, "%s: capacity, as loaded", name);
	XT_EXPECT_GT(t->evicted, 0, "%s: a million keys in %llu entries evicted none", name,
		     capacity);
}

/* Each flooded source sent one frame: every entry left holds exactly that. */
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

/* After the flood a new source is still recorded: the table keeps counting. */
static void expect_new_source_counted(const struct xc_snapshot *s, __u32 i)
{
	__u32 want = htonl(0x0a000000u + i);
	bool found = false;

	for (size_t k = 0; k < s->n_sources; k++)
		found |= !memcmp(s->sources[k].addr.a + 12, &want, 4) &&
			 s->sources[k].pb.packets == 1;
	cr_expect(found, "the source sent after the flood is not in the table");
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
	expect_new_source_counted(&s, FLOOD_SOURCES);
	expect_flooded_table("sources", &s.tables[XC_TAB_SOURCES], s.n_sources,
			     XC_DEFAULT_SOURCES);
	expect_flooded_table("flows", &s.tables[XC_TAB_FLOWS], s.n_flows, XC_DEFAULT_FLOWS);
	memlock1 = maps_memlock(xc);
	XT_EXPECT_EQ(memlock1, memlock0, "maps' memlock after the flood, as before");
	cr_log_info("flood: %u sources: sources inserted %llu, evicted %llu, failed %llu;"
		    " snapshot +%lu KiB in use", FLOOD_SOURCES,
		    s.tables[XC_TAB_SOURCES].inserted, s.tables[XC_TAB_SOURCES].evicted,
		    s.tables[XC_TAB_SOURCES].failed, (mem1 - mem0) >> 10);
	xc_snapshot_free(&s);
	xc_counter_close(xc);
}
