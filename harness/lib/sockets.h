/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Traffic from real sockets in the test namespaces; each fails the test on error. */
#ifndef XDPCOUNT_SOCKETS_H
#define XDPCOUNT_SOCKETS_H

#include <stddef.h>
#include <sys/socket.h>
#include <linux/types.h>
#include "netns.h"

/* addr:port (an IPv4 or IPv6 literal) as a socket address; returns its length. */
socklen_t xt_sockaddr(const char *addr, __u16 port, struct sockaddr_storage *ss);
/* A socket made in ns, bound to addr:port. */
int xt_socket_in(const char *ns, int type, const char *addr, __u16 port);
/* Connect (TCP) or set the default peer (UDP). */
void xt_connect(int fd, const char *addr, __u16 port);
/* n datagrams of len bytes over IPv4 from B (sport) to A (dport), each received. */
void xt_udp_b_to_a(const struct xt_net *net, __u16 sport, __u16 dport, int n, size_t len);
/* Send n UDP datagrams of len bytes on a connected socket; receive them on rx. */
void xt_udp_exchange(int tx, int rx, int n, size_t len);
/*
 * Move len bytes from a connected TCP socket to the listener's accepted one.
 * Returns the payload bytes the client sent again (TCP_INFO's bytes_retrans):
 * on a loaded machine a tail loss probe can resend a segment nothing lost.
 */
unsigned long long xt_tcp_transfer(int client, int listener, size_t len);
/* `ping -c n` from ns to addr; fails the test unless every echo is answered. */
void xt_ping(const char *ns, const char *addr, int n);
/*
 * Frames built by scapy, sent from ns out of ifname: frames is a Python
 * expression of a list of frames over the names Ether, IP, IPv6, UDP, TCP, Raw.
 */
void xt_scapy_send(const char *ns, const char *ifname, const char *frames);

#endif /* XDPCOUNT_SOCKETS_H */
