/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Reading a whole per-CPU map: batch where the kernel has it, else key by key. */
#ifndef XDPCOUNT_MAPS_H
#define XDPCOUNT_MAPS_H

#include <stdbool.h>
#include <bpf/libbpf.h>
#include "counter_priv.h"

/* Called once per entry with its key and the values of every CPU. */
typedef int (*take_fn)(void *ctx, const void *key, const void *vals);

/*
 * Call take for every entry of map; *batch becomes false when the map had to
 * be read key by key. Returns 0, take's error, or a negative errno.
 */
int xc_read_map(struct xc_counter *xc, struct bpf_map *map, take_fn take,
		void *ctx, bool *batch);

#endif /* XDPCOUNT_MAPS_H */
