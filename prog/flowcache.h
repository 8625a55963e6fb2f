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
/*
 * Bytes waiting in the ring from which an export wakes the reader; below it
 * the reader finds the records when it next drains (every update and every
 * snapshot drain). A wakeup is an interrupt: once per record it cost more
 * than the rest of the export, in the kernel and in the reader.
 */
const volatile __u64 xc_ring_wake = 1 << 20;

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

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the key words are composed for a little-endian target"
#endif

/* The 8 bytes of two 32-bit words stored one after the other: lo, then hi. */
static __always_inline __u64 xc_words(__u32 lo, __u32 hi)
{
	return (__u64)lo | (__u64)hi << 32;
}

/* A key as the five words the cache hashes and compares, in registers. */
struct xc_kw {
	__u64 w[5];
};

static __always_inline __u32 xc_cache_set(const struct xc_kw *k)
{
	__u64 h = k->w[0] * 0x9e3779b97f4a7c15ull + k->w[1] * 0xc2b2ae3d27d4eb4full +
		  k->w[2] * 0x165667b19e3779f9ull + k->w[3] * 0xd6e8feb86659fd93ull +
		  k->w[4] * 0xff51afd7ed558ccdull;

	return (__u32)(h >> (64 - xc_cache_bits)); /* the best-mixed bits */
}

static __always_inline int xc_key_eq(const struct xc_flow_ent *e, const struct xc_kw *k)
{
	const __u64 *ew = (const __u64 *)&e->key;

	return ((ew[0] ^ k->w[0]) | (ew[1] ^ k->w[1]) | (ew[2] ^ k->w[2]) |
		(ew[3] ^ k->w[3]) | (ew[4] ^ k->w[4])) == 0;
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
 * A function of its own: the hit path inlined in each caller stays short.
 */
static __noinline int xc_cache_miss(struct xc_flow_set *s, const struct xc_kw *k,
				    __u64 len, __u64 now)
{
	__u32 zero = 0;
	struct xc_cache_stats *st = bpf_map_lookup_elem(&cache_stats, &zero);
	struct xc_flow_ent *v;
	__u64 *vw;

	if (!st || !s || !k)
		return 0;
	v = xc_victim(s);
	vw = (__u64 *)&v->key;
	if (v->packets) {
		__u64 wake = bpf_ringbuf_query(&exports, BPF_RB_AVAIL_DATA) >= xc_ring_wake ?
			     BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;

		if (bpf_ringbuf_output(&exports, v, sizeof(*v), wake)) {
			st->unrecorded.packets++;
			st->unrecorded.bytes += len;
			return 0;
		}
		st->exported++;
	}
	v->gen = 0;
	xc_barrier();
	vw[0] = k->w[0];
	vw[1] = k->w[1];
	vw[2] = k->w[2];
	vw[3] = k->w[3];
	vw[4] = k->w[4];
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
	return 0;
}

/*
 * Count one frame of len bytes in the entry of the key k: a hit costs an
 * inlined array lookup and the compares, no call.
 */
static __always_inline void xc_cache_count(const struct xc_kw *k, __u64 len)
{
	struct xc_flow_set *s;
	struct xc_kw miss;
	__u64 now;
	__u32 idx;

	idx = bpf_get_smp_processor_id() << xc_cache_bits | xc_cache_set(k);
	s = bpf_map_lookup_elem(&cache, &idx);
	if (!s)
		return;
	now = bpf_jiffies64();
#pragma unroll
	for (int i = 0; i < XC_CACHE_WAYS; i++) {
		struct xc_flow_ent *e = &s->e[i];

		if (xc_key_eq(e, k)) {
			e->packets++;
			e->bytes += len;
			e->last_seen = now;
			return;
		}
	}
	miss = *k; /* on the stack for the call: the hit path keeps it in registers */
	xc_cache_miss(s, &miss, len, now);
}

#endif /* XDPCOUNT_FLOWCACHE_H */
