/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What the library's files share and its users do not see. */
#ifndef XDPCOUNT_COUNTER_PRIV_H
#define XDPCOUNT_COUNTER_PRIV_H

#include <pthread.h>
#include <stddef.h>
#include "counter.h"
#include "flowtab.h"
#include "xdpcount.skel.h"

struct xc_link {
	int fd;
	int ifindex;
	bool frags; /* the multi-buffer program is attached */
};

/* Exports are counted in batches of this many: their cache misses overlap. */
#define XC_DRAIN_BATCH 64

/* The gens of the records a snapshot drains: entries it must not count twice. */
struct xc_gens {
	__u64 *v;
	size_t n;
	size_t cap;
	bool on;
};

struct xc_counter {
	struct xdpcount_bpf *skel;
	struct xc_config cfg;
	int ncpus;
	unsigned int hz; /* the kernel's CONFIG_HZ; 0 when libbpf could not read it */
	struct xc_link links[XC_MAX_ATTACH];
	int slot_ifindex[XC_IFACE_SLOTS + 1]; /* the interface of each slot; 0: free */
	int n_slots;                          /* slots 1..n_slots can be given */
	struct ring_buffer *ring;             /* exports; NULL when no table is on */
	struct xc_flow_set *cache;            /* the cache, mapped: CPU c's sets at c * cache_sets */
	size_t cache_len;
	__u32 cache_sets;
	pthread_mutex_t lock;                 /* the ring, rows, drained and clock */
	struct xc_flowtab rows;               /* exported entries */
	struct xc_flow_ent *live;             /* a snapshot's copy of the live entries */
	struct xc_flowtab_log log;            /* and what adding them to rows changed */
	struct xc_gens drained;
	struct xc_flow_ent batch[XC_DRAIN_BATCH]; /* exports taken, not yet counted */
	size_t n_batch;
	__u64 clock_jiffies;                  /* the latest jiffies/ns pair of any CPU */
	__u64 clock_ns;
};

/* A per-CPU map's value as user space reads it: each CPU's rounded up to 8 bytes. */
static inline size_t xc_percpu_stride(size_t value_size)
{
	return (value_size + 7) & ~(size_t)7;
}

/*
 * Drain the exports into the rows, with xc->lock held: the records taken, or
 * a negative errno.
 */
int xc_consume_exports(struct xc_counter *xc);

/* The slot of ifindex, given now if it has none; 0 when none is left. */
__u32 xc_counter_slot(struct xc_counter *xc, int ifindex);

#endif /* XDPCOUNT_COUNTER_PRIV_H */
