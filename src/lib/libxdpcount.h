/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * libxdpcount: the one user-space library, and its one public header. It
 * loads the XDP program (prog/) and attaches it with bpf_link (counter.h),
 * runs frames and whole captures through BPF_PROG_TEST_RUN (replay.h,
 * probe.h), reads the maps into snapshots (snapshot.h), turns two snapshots
 * into rates (rate.h), sums snapshots (merge.h), reads the kernel's interface
 * counters (ifstats.h), and formats snapshots as JSON, text and Prometheus (output.h, prom.h). The CLI,
 * the tests, the benchmarks and the fuzzers all use it; it uses none of them.
 */
#ifndef LIBXDPCOUNT_H
#define LIBXDPCOUNT_H

#include "counter.h"
#include "snapshot.h"
#include "rate.h"
#include "replay.h"
#include "merge.h"
#include "probe.h"
#include "ifstats.h"
#include "output.h"
#include "prom.h"
#include "drops.h"
#include "observe.h"

#endif /* LIBXDPCOUNT_H */
