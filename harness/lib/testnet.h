/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Test networks for Criterion tests: netns.h's pairs, failing the test when
 * they cannot be made, made quiet enough to count exactly, and the kernel's
 * own view of an interface (iproute2, not the library). Every wait is bounded.
 */
#ifndef XDPCOUNT_TESTNET_H
#define XDPCOUNT_TESTNET_H

#include <stdbool.h>
#include "netns.h"

/* xt_net_create, or fail the test. */
void xt_net_create_or_fail(struct xt_net *net, const char *tag, int mtu);
/* xt_net_join, or fail the test. */
void xt_net_join_or_fail(struct xt_net *net, const struct xt_net *host, const char *tag);

/*
 * A suite's .fini: stop the background programs this test started
 * (xt_bg_start), then remove the networks it made with the two above. A worker
 * killed at its timeout or crashed runs no .fini: the runner sweeps its networks.
 */
void xt_teardown(void);

/* Run a shell command in ns (xt_net_exec); fails the test unless it exits 0. */
void xt_net_exec_or_fail(const char *ns, const char *cmd);

/* Both ends never send on their own: no IPv6 (no ND, RS, MLD) and no ARP. */
void xt_net_silent(const struct xt_net *net);
/*
 * Both ends know each other without asking: permanent neighbour entries for
 * both families, no router solicitations. Then waits until A receives nothing.
 */
void xt_net_static(const struct xt_net *net);
/* veth hands XDP_TX'd frames only to a peer with NAPI: GRO gives it one. */
void xt_net_gro(const char *ns, const char *ifname);

/* The calling thread moves to ns, or the test fails; returns the handle to come back. */
int xt_net_enter_or_fail(const char *ns);
void xt_net_leave_or_fail(int saved);

/* The kernel's receive counters of an interface, as `ip -s -s -j link` prints them. */
struct xt_krx {
	unsigned long long packets, bytes, dropped, missed, errors;
};
void xt_kernel_rx(const char *ns, const char *ifname, struct xt_krx *rx);
/* Wait until ifname has received nothing for quiet_ms (at most timeout_ms). */
bool xt_wait_quiet(const char *ns, const char *ifname, int quiet_ms, int timeout_ms);

#endif /* XDPCOUNT_TESTNET_H */
