/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The program under test, through the library: open, attach, read, look up. Errors fail the test. */
#ifndef XDPCOUNT_PROGRAM_H
#define XDPCOUNT_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/bpf.h> /* the XDP actions a counter may return */
#include "libxdpcount.h"

/* A counter with cfg (NULL: the defaults) and wire lengths on, as captures need. */
struct xc_counter *xt_open(const struct xc_config *cfg);
/* A counter with the defaults but its action (XDP_TX: a generator), as the CLI attaches it. */
struct xc_counter *xt_counter(__u32 action);
/* Attach in ns, entering it for the call. */
void xt_attach(struct xc_counter *xc, const char *ns, int ifindex, enum xc_mode mode);

/* A fresh snapshot. */
void xt_snapshot(struct xc_counter *xc, struct xc_snapshot *s);
/* Wait until the counter's total reaches packets (at most timeout_ms). */
bool xt_wait_total(struct xc_counter *xc, unsigned long long packets, int timeout_ms);

/* The flow with this key, or NULL. Addresses as text. */
const struct xc_flow *xt_find_flow(const struct xc_snapshot *s, const char *src,
				   const char *dst, __u16 sport, __u16 dport, __u8 proto);
const struct xc_port *xt_find_port(const struct xc_snapshot *s, __u8 proto, __u16 port);

/* The id of the XDP program on an interface in ns (0: none); name gets its name. */
__u32 xt_xdp_prog_on(const char *ns, int ifindex, char *name, size_t len);
/* Nothing is attached to the interface any more (waits up to 2 s for the kernel). */
void xt_expect_detached(const char *what, const char *ns, int ifindex);

#endif /* XDPCOUNT_PROGRAM_H */
