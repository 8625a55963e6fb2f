/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Test networks: two namespaces joined by a veth pair, names unique to the
 * process, both ends inside namespaces this process made. Used by the harness,
 * the benchmarks and the demo's tests; nothing here touches another interface.
 */
#ifndef XDPCOUNT_NETNS_H
#define XDPCOUNT_NETNS_H

#include <stdbool.h>

/* TEST-NET-1 and the documentation prefix: never routed anywhere. */
#define XT_NET_IP4_A "192.0.2.1"
#define XT_NET_IP4_B "192.0.2.2"
#define XT_NET_IP6_A "2001:db8::1"
#define XT_NET_IP6_B "2001:db8::2"

struct xt_net {
	char ns_a[32], ns_b[32]; /* namespace names */
	char if_a[16], if_b[16]; /* veth ends: if_a lives in ns_a, if_b in ns_b */
	int ifindex_a, ifindex_b; /* each in its own namespace */
	char mac_a[18], mac_b[18];
	bool up;
	bool shares_a; /* ns_a belongs to another xt_net (xt_net_join) */
};

/*
 * Create the pair, addresses, MTU (0: leave the default) and bring both ends
 * up; tag (a letter or two) tells apart networks of one process. Returns 0 or -1.
 */
int xt_net_create(struct xt_net *net, const char *tag, int mtu);

/*
 * Another pair whose A end lives in host's ns_a, so that one process there
 * sees both A ends, and whose B end has a namespace of its own. The new pair
 * has no addresses (host's subnet is on host's if_a). Returns 0 or -1.
 */
int xt_net_join(struct xt_net *net, const struct xt_net *host, const char *tag,
		int mtu);

/* Remove the namespaces (and so the veth pair); a joined pair leaves its host's. */
void xt_net_destroy(struct xt_net *net);

/* Run a shell command inside a namespace; returns its exit status or -1. */
int xt_net_exec(const char *ns, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Move the calling thread into ns; *saved gets a handle to come back. */
int xt_net_enter(const char *ns, int *saved);
/* Return to the namespace saved by xt_net_enter and close the handle. */
int xt_net_leave(int saved);

/* Remove namespaces whose process is gone (or a zombie): earlier runs', dead workers'. */
void xt_net_sweep(void);

#endif /* XDPCOUNT_NETNS_H */
