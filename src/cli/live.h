/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Live counting: the loop that attaches, updates and shows (live.c). */
#ifndef XDPCOUNT_LIVE_H
#define XDPCOUNT_LIVE_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include "cli.h"
#include "libxdpcount.h"
#include "tty.h"


struct live_iface {
	char name[IF_NAMESIZE];
	int ifindex;
	enum xc_mode mode;       /* the mode that took */
	bool attached;
	bool lost;               /* it disappeared while counting */
	bool gro_aggregates;     /* generic mode with GRO on: counts are of aggregates */
	struct xc_ifstats kbase; /* the kernel's counters when counting began */
	struct xc_ifstats kprev; /* at the update before */
	struct xc_ifstats kcur;  /* at this update; the last seen once lost */
	struct xc_drop_reason *reasons; /* kernel drop reasons at this update */
	size_t n_reasons;
	struct xc_observer *obs;        /* observe mode: on the program already here */
	struct xc_observe_stats seen;   /* what it saw and did, at this update */
};

/* Observe mode counts the core counters and sizes per interface, no tables. */
#define XC_OBSERVED_FEATURES (XC_F_SIZES | XC_F_IFACES)

struct live {
	const struct xc_cli *cli;
	struct xc_counter *xc;   /* NULL in observe mode */
	struct xc_drops *drops;  /* kernel drop reasons; NULL: off or not possible */
	struct live_iface ifs[XC_MAX_ATTACH];
	int n_ifs;
	struct xc_snapshot prev; /* the update before (empty before the first) */
	struct xc_snapshot cur;  /* this update */
	__u64 start_ns;          /* CLOCK_MONOTONIC when counting began */
	struct timespec wall;    /* the wall clock of cur */
	long updates;            /* updates shown so far, this one included */
	bool final;              /* this update is the last: the links are gone */
	enum xc_order order;     /* of the top lists: -o, then the 'o' key */
	bool bytes_rate;         /* B/s, not bit/s: -B, then the 'u' key */
	struct tty tty;          /* the terminal view, when it is open */
};

/* Live counting on interfaces. Returns an enum xc_exit. */
int xc_cli_live(const struct xc_cli *cli);

#endif /* XDPCOUNT_LIVE_H */
