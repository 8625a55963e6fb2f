/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The sum of snapshots: several captures counted one after the other. */
#ifndef XDPCOUNT_MERGE_H
#define XDPCOUNT_MERGE_H

#include "snapshot.h"

/*
 * dst += src: counters add, table entries with the same key add (flows keep
 * the earliest first_seen and the latest last_seen), table statistics add,
 * features are those either counted.
 * dst starts zeroed; free it with xc_snapshot_free. Returns 0 or -ENOMEM.
 */
int xc_snapshot_merge(struct xc_snapshot *dst, const struct xc_snapshot *src);

#endif /* XDPCOUNT_MERGE_H */
