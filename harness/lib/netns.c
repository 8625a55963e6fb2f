// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Test networks in namespaces, made with iproute2. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "netns.h"

#define XC_NS_PREFIX "xctest-"

static int run(const char *cmd)
{
	int st = system(cmd);

	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int xt_net_exec(const char *ns, const char *fmt, ...)
{
	char cmd[2048], inner[1800];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(inner, sizeof(inner), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "ip netns exec %s sh -c '%s'", ns, inner);
	return run(cmd);
}

static int ifindex_in(const char *ns, const char *ifname)
{
	int saved, idx;

	if (xt_net_enter(ns, &saved))
		return 0;
	idx = (int)if_nametoindex(ifname);
	xt_net_leave(saved);
	return idx;
}

/* sysfs shows the namespace that mounted it: ip netns exec remounts it. */
static void read_mac(const char *ns, const char *ifname, char *mac)
{
	char path[160];
	FILE *f;

	mac[0] = '\0';
	snprintf(path, sizeof(path),
		 "ip netns exec %s cat /sys/class/net/%s/address", ns, ifname);
	f = popen(path, "r");
	if (f) {
		if (!fgets(mac, 18, f))
			mac[0] = '\0';
		pclose(f);
	}
}

/* Gone, or a zombie: a worker its runner has not reaped yet runs nothing. */
static bool process_gone(int pid)
{
	char path[64], stat[512], *end;
	FILE *f;
	size_t n;

	if (kill(pid, 0) && errno == ESRCH)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return errno == ENOENT;
	n = fread(stat, 1, sizeof(stat) - 1, f);
	fclose(f);
	stat[n] = '\0';
	/* "pid (comm) S ...": comm may hold spaces and parentheses, the state follows the last ')' */
	end = strrchr(stat, ')');
	return end && end[1] == ' ' && (end[2] == 'Z' || end[2] == 'X');
}

static void sweep_if(bool (*stale)(int pid))
{
	DIR *d = opendir("/run/netns");
	struct dirent *e;
	char cmd[320];

	if (!d)
		return;
	while ((e = readdir(d))) {
		int pid;

		if (strncmp(e->d_name, XC_NS_PREFIX, strlen(XC_NS_PREFIX)))
			continue;
		pid = atoi(e->d_name + strlen(XC_NS_PREFIX));
		if (pid <= 0 || !stale(pid))
			continue;
		snprintf(cmd, sizeof(cmd), "ip netns del %s 2>/dev/null", e->d_name);
		run(cmd);
	}
	closedir(d);
}

/* Names with this process's pid that it did not make: a dead process had the pid. */
static bool named_for_me(int pid)
{
	return pid == (int)getpid();
}

static void make_names(struct xt_net *net, const char *tag)
{
	static int seq;
	int pid = (int)getpid(), n = seq++;

	if (!n)
		sweep_if(named_for_me);
	memset(net, 0, sizeof(*net));
	snprintf(net->ns_a, sizeof(net->ns_a), XC_NS_PREFIX "%d-%s%da", pid, tag, n);
	snprintf(net->ns_b, sizeof(net->ns_b), XC_NS_PREFIX "%d-%s%db", pid, tag, n);
	snprintf(net->if_a, sizeof(net->if_a), "xa%x%s%d", pid, tag, n);
	snprintf(net->if_b, sizeof(net->if_b), "xb%x%s%d", pid, tag, n);
}

/* MTU, both ends up, then what the caller reads back: indexes and MACs. */
static int finish(struct xt_net *net, int mtu)
{
	char cmd[1024];

	if (mtu > 0) {
		snprintf(cmd, sizeof(cmd),
			 "ip -n %s link set %s mtu %d && ip -n %s link set %s mtu %d",
			 net->ns_a, net->if_a, mtu, net->ns_b, net->if_b, mtu);
		if (run(cmd))
			return -1;
	}
	snprintf(cmd, sizeof(cmd), "ip -n %s link set %s up && ip -n %s link set %s up",
		 net->ns_a, net->if_a, net->ns_b, net->if_b);
	if (run(cmd))
		return -1;
	net->ifindex_a = ifindex_in(net->ns_a, net->if_a);
	net->ifindex_b = ifindex_in(net->ns_b, net->if_b);
	read_mac(net->ns_a, net->if_a, net->mac_a);
	read_mac(net->ns_b, net->if_b, net->mac_b);
	return net->ifindex_a && net->ifindex_b ? 0 : -1;
}

int xt_net_create(struct xt_net *net, const char *tag, int mtu)
{
	char cmd[1024];

	make_names(net, tag);
	snprintf(cmd, sizeof(cmd),
		 "set -e; ip netns add %1$s; ip netns add %2$s; "
		 "ip -n %1$s link add %3$s type veth peer name %4$s netns %2$s; "
		 "ip -n %1$s link set lo up; ip -n %2$s link set lo up; "
		 "ip -n %1$s addr add " XT_NET_IP4_A "/24 dev %3$s; "
		 "ip -n %2$s addr add " XT_NET_IP4_B "/24 dev %4$s; "
		 "ip -n %1$s addr add " XT_NET_IP6_A "/64 dev %3$s nodad; "
		 "ip -n %2$s addr add " XT_NET_IP6_B "/64 dev %4$s nodad",
		 net->ns_a, net->ns_b, net->if_a, net->if_b);
	net->up = true; /* from here on, destroy has something to remove */
	if (run(cmd) || finish(net, mtu)) {
		xt_net_destroy(net);
		return -1;
	}
	return 0;
}

int xt_net_join(struct xt_net *net, const struct xt_net *host, const char *tag,
		int mtu)
{
	char cmd[1024];

	make_names(net, tag);
	snprintf(net->ns_a, sizeof(net->ns_a), "%s", host->ns_a);
	net->shares_a = true;
	snprintf(cmd, sizeof(cmd),
		 "set -e; ip netns add %2$s; "
		 "ip -n %1$s link add %3$s type veth peer name %4$s netns %2$s",
		 net->ns_a, net->ns_b, net->if_a, net->if_b);
	net->up = true;
	if (run(cmd) || finish(net, mtu)) {
		xt_net_destroy(net);
		return -1;
	}
	return 0;
}

void xt_net_destroy(struct xt_net *net)
{
	char cmd[256];

	if (!net->up)
		return;
	/* Deleting ns_b deletes its veth end, and the peer with it. */
	snprintf(cmd, sizeof(cmd), "ip netns del %s 2>/dev/null", net->ns_b);
	run(cmd);
	if (!net->shares_a) {
		snprintf(cmd, sizeof(cmd), "ip netns del %s 2>/dev/null", net->ns_a);
		run(cmd);
	}
	net->up = false;
}

int xt_net_enter(const char *ns, int *saved)
{
	char path[128];
	int fd;

	*saved = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*saved < 0)
		return -1;
	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET)) {
		if (fd >= 0)
			close(fd);
		close(*saved);
		return -1;
	}
	close(fd);
	return 0;
}

int xt_net_leave(int saved)
{
	int err = setns(saved, CLONE_NEWNET);

	close(saved);
	return err;
}

void xt_net_sweep(void)
{
	sweep_if(process_gone);
}
