/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The Prometheus text exposition of a snapshot. */
#ifndef XDPCOUNT_PROM_H
#define XDPCOUNT_PROM_H

#include <stdio.h>
#include "output.h"

/*
 * The Prometheus text exposition (format 0.0.4) of a snapshot: the core
 * counters per interface of ifs (n_ifs 0: every interface of the snapshot, or
 * one named "all" when it has none), the size histogram, the kernel's drop
 * counters, the top sources and destination ports, the tables. 0 or -errno.
 */
int xc_prom_snapshot(FILE *f, const struct xc_snapshot *s,
		     const struct xc_view_iface *ifs, size_t n_ifs, size_t top);

#endif /* XDPCOUNT_PROM_H */
