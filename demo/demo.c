// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `make demo`: two namespaces joined by a veth pair (harness/netns.c), xdpcount
 * on one end, and real programs on the other driving a traffic mix: ping and
 * ping6, TCP transfers, UDP datagrams (some to a closed port, which the kernel
 * drops and the view shows by reason) and ARP. After XC_DEMO_SECONDS (15) or
 * Ctrl-C everything it started is stopped and the namespaces are removed.
 * Arguments go to xdpcount (e.g. --json).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "netns.h"

#define TCP_PORT "5001"
#define UDP_PORT "5002"
#define CLOSED_PORT "5009" /* nothing listens: the kernel drops them, NO_SOCKET */
#define MAX_HELPERS 8

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	stopping = sig;
}

static pid_t helpers[MAX_HELPERS];
static int n_helpers;

/*
 * Run argv in namespace ns. A helper gets its own process group, so Ctrl-C
 * reaches only xdpcount and the demo ends the helpers itself; all die with it.
 */
static pid_t spawn(const char *ns, const char *const *argv, bool helper)
{
	const char *full[32] = { "ip", "netns", "exec", ns };
	pid_t pid;
	int n = 4;

	for (; *argv && n < 31; argv++)
		full[n++] = *argv;
	full[n] = NULL;
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (helper) {
			setpgid(0, 0);
			if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
				_exit(127);
		}
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execvp(full[0], (char *const *)full);
		_exit(127);
	}
	if (pid > 0 && helper && n_helpers < MAX_HELPERS)
		helpers[n_helpers++] = pid;
	return pid;
}

static void stop_helpers(void)
{
	for (int i = 0; i < n_helpers; i++)
		kill(-helpers[i], SIGTERM); /* the group: a shell loop's children too */
	for (int i = 0; i < n_helpers; i++) {
		for (int t = 0; t < 100 && waitpid(helpers[i], NULL, WNOHANG) == 0; t++)
			usleep(10000);
		kill(-helpers[i], SIGKILL);
		waitpid(helpers[i], NULL, 0);
	}
	n_helpers = 0;
}

static void start_listeners(const struct xt_net *net)
{
	const char *tcp[] = { "socat", "-u", "TCP-LISTEN:" TCP_PORT ",reuseaddr,fork",
			      "OPEN:/dev/null", NULL };
	const char *udp[] = { "socat", "-u", "UDP-RECV:" UDP_PORT, "OPEN:/dev/null", NULL };

	spawn(net->ns_a, tcp, true);
	spawn(net->ns_a, udp, true);
}

/* ping, ping6, arping, and a loop of TCP transfers and UDP datagrams. */
static void start_traffic(const struct xt_net *net, int secs)
{
	char deadline[16], loop[512];
	const char *ping[] = { "ping", "-q", "-i", "0.2", "-w", deadline, XT_NET_IP4_A, NULL };
	const char *ping6[] = { "ping", "-6", "-q", "-i", "0.5", "-w", deadline, XT_NET_IP6_A,
				NULL };
	const char *arping[] = { "arping", "-q", "-i", "1", "-w", deadline, "-I", net->if_b,
				 XT_NET_IP4_A, NULL };
	const char *sh[] = { "sh", "-c", loop, NULL };

	snprintf(deadline, sizeof(deadline), "%d", secs + 2);
	snprintf(loop, sizeof(loop),
		 "end=$(($(date +%%s) + %d)); while [ $(date +%%s) -lt $end ]; do "
		 "head -c 200000 /dev/zero | socat -u - TCP:" XT_NET_IP4_A ":" TCP_PORT "; "
		 "for i in 1 2 3 4 5 6 7 8; do echo datagram $i | "
		 "socat -u - UDP-SENDTO:" XT_NET_IP4_A ":" UDP_PORT "; done; "
		 "echo datagram | socat -u - UDP6-SENDTO:[" XT_NET_IP6_A "]:" UDP_PORT "; "
		 "echo nobody | socat -u - UDP-SENDTO:" XT_NET_IP4_A ":" CLOSED_PORT "; "
		 "sleep 0.7; done", secs + 2);
	spawn(net->ns_b, ping, true);
	spawn(net->ns_b, ping6, true);
	spawn(net->ns_b, arping, true);
	spawn(net->ns_b, sh, true);
}

/* The CLI next to this program: build/xdpcount beside build/xdpcount-demo. */
static void cli_path(char *buf, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	self[n > 0 ? n : 0] = '\0';
	snprintf(buf, len, "%s/xdpcount", n > 0 ? dirname(self) : "build");
}

/* Until the counter is attached, so the traffic is counted from its first frame. */
static void wait_attached(const struct xt_net *net, pid_t cli)
{
	int saved;

	if (xt_net_enter(net->ns_a, &saved))
		return;
	for (int t = 0; t < 1500 && !stopping; t++) {
		__u32 id = 0;

		if (waitpid(cli, NULL, WNOHANG | WNOWAIT) == cli)
			break;
		if (!xc_xdp_query(net->ifindex_a, &id, NULL, 0) && id)
			break;
		usleep(10000);
	}
	xt_net_leave(saved);
}

static int wait_cli(pid_t cli)
{
	int st, forwarded = 0;

	while (waitpid(cli, &st, 0) < 0) {
		if (errno != EINTR)
			return XC_EXIT_FAIL;
		/* A signal for the demo alone (kill, not Ctrl-C): pass it on once. */
		if (stopping && !forwarded++)
			kill(cli, SIGTERM);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : XC_EXIT_FAIL;
}

static int seconds(void)
{
	const char *s = getenv("XC_DEMO_SECONDS");
	int v = s ? atoi(s) : 15;

	return v > 0 ? v : 15;
}

static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: waitpid returns to look */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int main(int argc, char **argv)
{
	const char *args[40];
	char bin[PATH_MAX], dur[16];
	int secs = seconds(), n = 0, rc;
	struct xt_net net;
	pid_t cli;

	if (geteuid() != 0) {
		fprintf(stderr, "xdpcount-demo: needs root (sudo make demo)\n");
		return XC_EXIT_PERM;
	}
	catch_signals();
	xt_net_sweep();
	if (xt_net_create(&net, "demo", 0)) {
		fprintf(stderr, "xdpcount-demo: cannot create the veth pair\n");
		return XC_EXIT_FAIL;
	}
	fprintf(stderr, "xdpcount-demo: %s (in %s) <-> %s (in %s), %d s; Ctrl-C stops it\n",
		net.if_a, net.ns_a, net.if_b, net.ns_b, secs);
	cli_path(bin, sizeof(bin));
	snprintf(dur, sizeof(dur), "%d", secs);
	args[n++] = bin;
	args[n++] = "--duration";
	args[n++] = dur;
	for (int i = 1; i < argc && n < 37; i++)
		args[n++] = argv[i];
	args[n++] = net.if_a;
	args[n] = NULL;
	start_listeners(&net);
	cli = spawn(net.ns_a, args, false);
	wait_attached(&net, cli);
	if (!stopping)
		start_traffic(&net, secs);
	rc = cli > 0 ? wait_cli(cli) : XC_EXIT_FAIL;
	stop_helpers();
	xt_net_destroy(&net);
	fprintf(stderr, "xdpcount-demo: done; namespaces %s and %s removed\n", net.ns_a, net.ns_b);
	return rc;
}
