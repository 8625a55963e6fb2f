/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the live tests share: veth networks made quiet enough to count
 * exactly, the kernel's own view of an interface (iproute2, not the
 * library), fixtures sent as live frames, the CLI in the background, and a
 * small HTTP client. Every wait is bounded.
 */
#ifndef XDPCOUNT_HARNESS_LIVE_H
#define XDPCOUNT_HARNESS_LIVE_H

#include <stdbool.h>
#include <sys/types.h>
#include "harness.h"
#include "netns.h"

/* ---- networks ---- */

/* xt_net_create, or fail the test. */
void xt_net_create_or_fail(struct xt_net *net, const char *tag, int mtu);
/* xt_net_join, or fail the test. */
void xt_net_join_or_fail(struct xt_net *net, const struct xt_net *host, const char *tag);

/* Both ends never send on their own: no IPv6 (no ND, RS, MLD) and no ARP. */
void xt_net_silent(const struct xt_net *net);
/*
 * Both ends know each other without asking: permanent neighbour entries for
 * both families, no router solicitations. Then waits until A receives nothing.
 */
void xt_net_static(const struct xt_net *net);
/* veth hands XDP_TX'd frames only to a peer with NAPI: GRO gives it one. */
void xt_net_gro(const char *ns, const char *ifname);

/* The calling thread moves to ns; fails the test when it cannot. */
int xt_net_enter_or_fail(const char *ns);
void xt_net_leave_or_fail(int saved);

/* The kernel's receive counters of an interface, as `ip -s -s -j link` prints them. */
struct xt_krx {
	unsigned long long packets, bytes, dropped, missed, errors;
};
void xt_kernel_rx(const char *ns, const char *ifname, struct xt_krx *rx);
/* Wait until ifname has received nothing for quiet_ms (at most timeout_ms). */
bool xt_wait_quiet(const char *ns, const char *ifname, int quiet_ms, int timeout_ms);

/* Milliseconds to sleep. */
void xt_sleep_ms(int ms);
/* CLOCK_MONOTONIC in milliseconds: deadlines for bounded waits. */
long long xt_now_ms(void);

/* ---- the program ---- */

/* Open a counter with the defaults (XDP_TX: a generator) and attach it in ns. */
struct xc_counter *xt_counter(__u32 action);
void xt_attach(struct xc_counter *xc, const char *ns, int ifindex, enum xc_mode mode);

/*
 * Send every record of a capture out of gen_ifindex (in gen_ns) with live
 * frames; the generator's XDP_TX puts each on the wire once. Every 64 frames
 * it waits until counter, on the other end, has seen them, so no ring
 * overflows. Returns the frames sent.
 */
unsigned long xt_send_capture(struct xc_counter *gen, const char *gen_ns,
			      int gen_ifindex, const char *path,
			      struct xc_counter *counter, unsigned long before);
/* Wait until the counter's total reaches packets (at most timeout_ms). */
bool xt_wait_total(struct xc_counter *xc, unsigned long long packets, int timeout_ms);

/* The flow with this key, or NULL. Addresses as text. */
const struct xc_flow *xt_find_flow(const struct xc_snapshot *s, const char *src,
				   const char *dst, __u16 sport, __u16 dport, __u8 proto);
const struct xc_port *xt_find_port(const struct xc_snapshot *s, __u8 proto, __u16 port);

/* ---- traffic from real sockets ---- */

/* A socket made in ns, bound to addr:port (an IPv4 or IPv6 literal). */
int xt_socket_in(const char *ns, int type, const char *addr, __u16 port);
/* Connect (TCP) or set the default peer (UDP); fails the test on error. */
void xt_connect(int fd, const char *addr, __u16 port);
/* n datagrams of len bytes over IPv4 from B (sport) to A (dport), each received. */
void xt_udp_b_to_a(const struct xt_net *net, __u16 sport, __u16 dport, int n, size_t len);
/* Send n UDP datagrams of len bytes on a connected socket; receive them on rx. */
void xt_udp_exchange(int tx, int rx, int n, size_t len);
/* Move len bytes from a connected TCP socket to the listener's accepted one. */
void xt_tcp_transfer(int client, int listener, size_t len);
/* `ping -c n` from ns to addr; fails the test unless every echo is answered. */
void xt_ping(const char *ns, const char *addr, int n);

/*
 * Send frames from ns out of ifname with scapy: frames is a Python expression
 * of a list of frames over the names Ether, IP, IPv6, UDP, TCP, Raw. Fails the test
 * unless python exits 0.
 */
void xt_scapy_send(const char *ns, const char *ifname, const char *frames);

/* ---- programs in the background ---- */

struct xt_bg {
	pid_t pid;
	int out, err;  /* temporary files the program writes */
	int status;    /* exit code once reaped; -1 killed by a signal */
	int signal;    /* the signal that ended it, or 0 */
	bool reaped;
};

/* Run argv (NULL-terminated) inside ns (NULL: here); it dies with the test. */
void xt_bg_start(struct xt_bg *bg, const char *ns, const char *const argv[]);
/* What it wrote so far, NUL-terminated, malloc'ed. */
char *xt_bg_out(const struct xt_bg *bg);
char *xt_bg_err(const struct xt_bg *bg);
/* Wait until its stderr holds needle; false when it exited or time ran out. */
bool xt_bg_wait_err(struct xt_bg *bg, const char *needle, int timeout_ms);
/* Wait for its exit (at most timeout_ms); false when it is still running. */
bool xt_bg_wait(struct xt_bg *bg, int timeout_ms);
void xt_bg_signal(const struct xt_bg *bg, int sig);
/* Kill it if it runs, reap it, close its files. Safe to call twice. */
void xt_bg_stop(struct xt_bg *bg);

/* ---- HTTP ---- */

/*
 * GET http://addr:port/path from inside ns. Returns the status (-errno when
 * it cannot connect); head (optional) and body malloc'ed.
 */
int xt_http_get(const char *ns, const char *addr, int port, const char *path,
		char **head, char **body);

#endif /* XDPCOUNT_HARNESS_LIVE_H */
