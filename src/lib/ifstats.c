// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Interface counters with libnl-route: 64-bit, and the caller's namespace. */
#include <errno.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <string.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include "ifstats.h"

static int nl_errno(int err)
{
	switch (-err) {
	case NLE_OBJ_NOTFOUND:
	case NLE_NODEV:
		return -ENODEV;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_PERM:
		return -EPERM;
	default:
		return -EIO;
	}
}

int xc_ifstats_read(int ifindex, struct xc_ifstats *st)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct rtnl_link *link = NULL;
	int err;

	if (!sk)
		return -ENOMEM;
	/* A socket made now lives in the thread's namespace, not the process's. */
	err = nl_connect(sk, NETLINK_ROUTE);
	if (!err)
		err = rtnl_link_get_kernel(sk, ifindex, NULL, &link);
	if (!err) {
		st->rx_packets = rtnl_link_get_stat(link, RTNL_LINK_RX_PACKETS);
		st->rx_bytes = rtnl_link_get_stat(link, RTNL_LINK_RX_BYTES);
		st->rx_dropped = rtnl_link_get_stat(link, RTNL_LINK_RX_DROPPED);
		st->rx_missed_errors = rtnl_link_get_stat(link, RTNL_LINK_RX_MISSED_ERR);
		st->rx_errors = rtnl_link_get_stat(link, RTNL_LINK_RX_ERRORS);
		rtnl_link_put(link);
	}
	nl_socket_free(sk);
	return err ? nl_errno(err) : 0;
}

static __u64 since(__u64 cur, __u64 prev)
{
	return cur >= prev ? cur - prev : 0;
}

void xc_ifstats_sub(struct xc_ifstats *d, const struct xc_ifstats *cur,
		    const struct xc_ifstats *prev)
{
	d->rx_packets = since(cur->rx_packets, prev->rx_packets);
	d->rx_bytes = since(cur->rx_bytes, prev->rx_bytes);
	d->rx_dropped = since(cur->rx_dropped, prev->rx_dropped);
	d->rx_missed_errors = since(cur->rx_missed_errors, prev->rx_missed_errors);
	d->rx_errors = since(cur->rx_errors, prev->rx_errors);
}

int xc_iface_gro(int ifindex, bool *on)
{
	struct ethtool_value ev = { .cmd = ETHTOOL_GGRO };
	struct ifreq ifr;
	int fd, err = 0;

	memset(&ifr, 0, sizeof(ifr));
	if (!if_indextoname((unsigned int)ifindex, ifr.ifr_name))
		return -errno;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ifr.ifr_data = (void *)&ev;
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		err = -errno;
	else
		*on = ev.data != 0;
	close(fd);
	return err;
}
