/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Top-N of a snapshot's sources, ports and flows, or of any values. */
#ifndef XDPCOUNT_TOP_H
#define XDPCOUNT_TOP_H

#include "snapshot.h"

/*
 * Top-N by packets (ties: bytes, then key), by partial selection. Fills idx
 * with up to n indexes into the snapshot's array, best first; returns count.
 */
size_t xc_top_sources(const struct xc_snapshot *s, size_t n, size_t *idx);
size_t xc_top_ports(const struct xc_snapshot *s, size_t n, size_t *idx);
size_t xc_top_flows(const struct xc_snapshot *s, size_t n, size_t *idx);
/* Top-N by a value per entry, largest first, ties by index; returns the count in idx. */
size_t xc_top_by_value(const double *v, size_t count, size_t n, size_t *idx);

#endif /* XDPCOUNT_TOP_H */
