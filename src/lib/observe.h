/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Observe mode: count beside an XDP program that is already on an interface.
 * fentry and fexit programs, attached to it through links, count every frame
 * it receives by the contract and every verdict it returns, per class; the
 * program itself is never changed, and a killed xdpcount leaves it as it was.
 */
#ifndef XDPCOUNT_OBSERVE_H
#define XDPCOUNT_OBSERVE_H

#include <stddef.h>
#include <linux/types.h>
#include "xdpcount_trace.h"
#include "drops.h"

struct xc_observer;

/*
 * Observe the XDP program on ifindex (in the calling thread's namespace).
 * 0 or -errno, with why saying it in words: -ENOENT no XDP program there,
 * -EPERM without CAP_SYS_ADMIN (reading another program's info) and
 * CAP_BPF+CAP_PERFMON, -EOPNOTSUPP a program without BTF.
 */
int xc_observe_open(int ifindex, struct xc_observer **out, char *why, size_t why_len);
/* Stop observing; the counts stay readable. */
void xc_observe_detach(struct xc_observer *o);
void xc_observe_close(struct xc_observer *o);

/* The observed program: its id, name and the function fentry is on. */
__u32 xc_observe_prog_id(const struct xc_observer *o);
const char *xc_observe_prog_name(const struct xc_observer *o);

/* What it saw and did so far, summed over CPUs. */
int xc_observe_read(const struct xc_observer *o, struct xc_observe_stats *st);

/* One verdict's frames, split by the class each frame had on the way in. */
void xc_verdict_split(const struct xc_observe_stats *st, enum xc_verdict v,
		      struct xc_class_split *out);

/* "aborted", "drop", "pass", "tx", "redirect", "other". */
extern const char *const xc_verdict_names[XC_V_MAX];

#endif /* XDPCOUNT_OBSERVE_H */
