/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What the library's files share and its users do not see. */
#ifndef XDPCOUNT_COUNTER_PRIV_H
#define XDPCOUNT_COUNTER_PRIV_H

#include "counter.h"
#include "xdpcount.skel.h"

struct xc_link {
	int fd;
	int ifindex;
};

struct xc_counter {
	struct xdpcount_bpf *skel;
	struct xc_config cfg;
	int ncpus;
	unsigned int hz; /* the kernel's CONFIG_HZ; 0 when it cannot be read */
	struct xc_link links[XC_MAX_ATTACH];
};

#endif /* XDPCOUNT_COUNTER_PRIV_H */
