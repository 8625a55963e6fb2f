/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The flow cache of the XDP program: per CPU, XC_CACHE_WAYS-way sets indexed
 * by a multiply-add hash of the key's five words, the way seen least recently
 * evicted. An evicted entry goes to user space through the `exports` ring
 * buffer; when the ring is full the entry stays and the frame is counted as
 * unrecorded. One array lookup per frame; no helper call on a hit. The sets
 * are one mmapable array, each CPU's in its own region, so that user space
 * reads them in place instead of copying every CPU's through a syscall.
 */
#ifndef XDPCOUNT_FLOWCACHE_H
#define XDPCOUNT_FLOWCACHE_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xdpcount.h"

/* log2 of the sets of one CPU; the library sets it with the cache's size. */
const volatile __u32 xc_cache_bits = 12;

/* CPU c's sets are [c << xc_cache_bits, (c + 1) << xc_cache_bits). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1 << 12);
	__type(key, __u32);
	__type(value, struct xc_flow_set);
} cache SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xc_cache_stats);
} cache_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} exports SEC(".maps");

/* Jiffies to time: libbpf reads HZ from the kernel's config; 0 if it cannot. */
extern int CONFIG_HZ __kconfig __weak;

/* Keeps the stores that replace an entry in program order (see struct xc_flow_ent). */
#define xc_barrier() asm volatile("" ::: "memory")

static __always_inline __u32 xc_cache_set(const __u64 *kw)
{
	__u64 h = kw[0] * 0x9e3779b97f4a7c15ull + kw[1] * 0xc2b2ae3d27d4eb4full +
		  kw[2] * 0x165667b19e3779f9ull + kw[3] * 0xd6e8feb86659fd93ull +
		  kw[4] * 0xff51afd7ed558ccdull;

	return (__u32)(h >> (64 - xc_cache_bits)); /* the best-mixed bits */
}

static __always_inline int xc_key_eq(const struct xc_flow_ent *e, const __u64 *kw)
{
	const __u64 *ew = (const __u64 *)&e->key;

	return ((ew[0] ^ kw[0]) | (ew[1] ^ kw[1]) | (ew[2] ^ kw[2]) |
		(ew[3] ^ kw[3]) | (ew[4] ^ kw[4])) == 0;
}

/* An empty way, else the one seen least recently. */
static __always_inline struct xc_flow_ent *xc_victim(struct xc_flow_set *s)
{
	struct xc_flow_ent *victim = &s->e[0];
	__u64 best = ~0ull;

#pragma unroll
	for (int i = 0; i < XC_CACHE_WAYS; i++) {
		__u64 t = s->e[i].packets ? s->e[i].last_seen + 1 : 0;

		if (t < best) {
			best = t;
			victim = &s->e[i];
		}
	}
	return victim;
}

/*
 * A miss: export the victim, then take its way. gen is cleared before the key
 * and counts change and set after, so a reader that sees a gen sees that
 * entry's key and counts, and one that sees a torn entry finds its gen among
 * the exports it drains next (the record is in the ring before the stores).
 */
static __always_inline void xc_cache_miss(struct xc_flow_ent *v, const __u64 *kw,
					  __u64 len, __u64 now)
{
	__u32 zero = 0;
	struct xc_cache_stats *st = bpf_map_lookup_elem(&cache_stats, &zero);
	__u64 *vw = (__u64 *)&v->key;

	if (!st)
		return;
	if (v->packets) {
		if (bpf_ringbuf_output(&exports, v, sizeof(*v), 0)) {
			st->unrecorded.packets++;
			st->unrecorded.bytes += len;
			return;
		}
		st->exported++;
	}
	v->gen = 0;
	xc_barrier();
	vw[0] = kw[0];
	vw[1] = kw[1];
	vw[2] = kw[2];
	vw[3] = kw[3];
	vw[4] = kw[4];
	v->packets = 1;
	v->bytes = len;
	v->first_seen = now;
	v->last_seen = now;
	xc_barrier();
	v->gen = (__u64)bpf_get_smp_processor_id() << XC_GEN_CPU_SHIFT | ++st->inserted;
	if (CONFIG_HZ && st->clock_jiffies != now) {
		/* once a tick: the pair that maps jiffies to CLOCK_MONOTONIC */
		st->clock_jiffies = now;
		st->clock_ns = bpf_ktime_get_coarse_ns();
	}
}

/*
 * Count one frame of len bytes in the entry of key. A global function: the
 * verifier checks it once, not once for every state the parser leaves.
 */
static __noinline int xc_cache_count(const struct xc_flow_key *key, __u64 len)
{
	const __u64 *kw = (const __u64 *)key;
	struct xc_flow_set *s;
	__u64 now;
	__u32 idx;

	if (!key)
		return 0;
	idx = bpf_get_smp_processor_id() << xc_cache_bits | xc_cache_set(kw);
	s = bpf_map_lookup_elem(&cache, &idx);
	now = bpf_jiffies64();
	if (!s)
		return 0;
#pragma unroll
	for (int i = 0; i < XC_CACHE_WAYS; i++) {
		struct xc_flow_ent *e = &s->e[i];

		if (xc_key_eq(e, kw)) {
			e->packets++;
			e->bytes += len;
			e->last_seen = now;
			return 0;
		}
	}
	xc_cache_miss(xc_victim(s), kw, len, now);
	return 0;
}

#endif /* XDPCOUNT_FLOWCACHE_H */
