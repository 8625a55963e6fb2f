// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The readable views of a live run: text blocks on a pipe, the full-screen
 * view on a terminal (resize, job control), columns that fit long names.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "cli.h"
#include "cli_run.h"
#include "clock.h"
#include "paths.h"
#include "program.h"
#include "sockets.h"
#include "testnet.h"

#define PINGS 9
#define SAFETY "60" /* --duration bound of every run: it never outlives a test */

static struct xt_net net, net2;
static struct xt_bg cli;

static void teardown(void)
{
	xt_bg_stop(&cli);
	xt_net_destroy(&net2);
	xt_net_destroy(&net);
}

TestSuite(live_tty, .fini = teardown, .timeout = 60);

/* The class row "name packets ..." of the last block that has one. */
static long long text_row(const char *out, const char *name)
{
	long long v = -1;
	const char *p = out;
	size_t n = strlen(name);

	/* A class row: the name, padded to 12 columns, then the packets. */
	while ((p = strstr(p, name))) {
		if ((p == out || p[-1] == '\n') && strspn(p + n, " ") >= 12 - n)
			v = strtoll(p + n, NULL, 10);
		p += n;
	}
	return v;
}

Test(live_tty, text_blocks)
{
	char *out;

	xt_net_create_or_fail(&net, "t", 0);
	xt_net_static(&net);
	xt_cli_start(&cli, net.ns_a, "--text", "-i", "0.3", "--duration", SAFETY, net.if_a, NULL);
	xt_ping(net.ns_b, XT_NET_IP4_A, PINGS);
	for (int t = 0; t < 5000; t += 50) {
		out = xt_bg_out(&cli);
		if (text_row(out, "icmp") == PINGS)
			break;
		free(out);
		out = NULL;
		xt_sleep_ms(50);
	}
	cr_expect(out, "no text block counted %d echo requests", PINGS);
	free(out);
	xt_cli_stop(&cli, SIGTERM, XC_EXIT_OK);
	out = xt_bg_out(&cli);
	cr_expect(strstr(out, "   final"), "the last block is not marked final");
	cr_expect_eq(text_row(strstr(out, "   final"), "icmp"), PINGS,
		     "final block: icmp row");
	cr_expect(strstr(out, "top flows") && strstr(out, "frame size") &&
		  strstr(out, "rx_dropped"), "a block lacks a section: %.500s", out);
	free(out);
}

/* What a terminal would show of out: the widest line and the most rows of a frame. */
static void frame_extent(const char *p, const char *end, int *widest, int *tallest)
{
	int line = 0, col = 0;

	*widest = *tallest = 0;
	while (p < end) {
		if (p[0] == '\033' && p + 1 < end && p[1] == '[') {
			for (p += 2; p < end && !((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'));)
				p++;
			if (p < end && *p == 'H') /* cursor home: a new frame */
				line = col = 0;
			p++;
			continue;
		}
		if (*p == '\n') {
			line++;
			col = 0;
		} else if (*p != '\r') {
			col++;
		}
		*widest = col > *widest ? col : *widest;
		*tallest = line + 1 > *tallest ? line + 1 : *tallest;
		p++;
	}
}

/* Everything the pty says until the program exits; *resized_at: where the terminal grew. */
static char *read_pty(int fd, size_t *len, const struct winsize *grow, size_t *resized_at,
		      pid_t pid)
{
	size_t cap = 1 << 22;
	char *buf = malloc(cap);

	*len = *resized_at = 0;
	cr_assert(buf, "out of memory");
	for (int t = 0; t < 15000 && *len + 1 < cap; t += 10) {
		ssize_t n = read(fd, buf + *len, cap - 1 - *len);

		if (n > 0) {
			*len += (size_t)n;
			buf[*len] = '\0';
			/* After the first frame the terminal grows: the kernel sends SIGWINCH. */
			if (!*resized_at && strstr(buf, "\033[K")) {
				ioctl(fd, TIOCSWINSZ, grow);
				*resized_at = *len;
			}
			continue;
		}
		if (n < 0 && waitpid(pid, NULL, WNOHANG) == pid)
			break;
		xt_sleep_ms(10);
	}
	buf[*len] = '\0';
	return buf;
}

Test(live_tty, terminal_view)
{
	struct winsize small = { .ws_row = 20, .ws_col = 60 }, big = { .ws_row = 50, .ws_col = 110 };
	const char *argv[] = { "/usr/bin/ip", "netns", "exec", NULL, NULL, "-c", "8", "-i", "0.3",
			       NULL, NULL };
	size_t len, resized_at;
	int fd, wide, tall;
	char *out, *after;
	pid_t pid;

	xt_net_create_or_fail(&net, "y", 0);
	argv[3] = net.ns_a;
	argv[4] = xt_bin();
	argv[9] = net.if_a;
	pid = forkpty(&fd, NULL, NULL, &small);
	cr_assert(pid >= 0, "forkpty");
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	out = read_pty(fd, &len, &big, &resized_at, pid);
	close(fd);
	waitpid(pid, NULL, 0);
	cr_assert(strstr(out, "\033[?1049h"), "no alternate screen");
	after = strstr(out, "\033[?1049l");
	cr_assert(after, "the alternate screen was not left: %.300s", out + (len > 300 ? len - 300 : 0));
	cr_expect(strstr(after - 8, "\033[?25h"), "the cursor was not shown again");
	cr_expect(strstr(after, "   final"), "no final summary after the view");
	cr_assert(resized_at && out + resized_at < after, "the view ended before the resize");
	frame_extent(out, out + resized_at, &wide, &tall);
	cr_expect(wide <= small.ws_col && tall <= small.ws_row,
		  "on %dx%d a frame is %dx%d", small.ws_col, small.ws_row, wide, tall);
	frame_extent(out + resized_at, after, &wide, &tall);
	cr_expect(wide <= big.ws_col && tall <= big.ws_row,
		  "on %dx%d a frame is %dx%d", big.ws_col, big.ws_row, wide, tall);
	cr_expect(wide > small.ws_col, "after SIGWINCH no frame used the wider terminal "
		  "(widest line %d)", wide);
	free(out);
}

/* ---- job control on a terminal ---- */

struct pty_out {
	int fd;
	char *buf;
	size_t len, cap;
};

/*
 * argv on a new pty, in a process group of its own but in this session, as a
 * shell runs a job: the kernel ignores SIGTSTP's stop in an orphaned group,
 * which forkpty's new session would be. Returns the pid.
 */
static pid_t spawn_on_pty(const char *const argv[], const struct winsize *ws,
			  struct pty_out *o)
{
	int slave;
	pid_t pid;

	cr_assert_eq(openpty(&o->fd, &slave, NULL, NULL, ws), 0, "openpty");
	o->cap = 1 << 20;
	o->len = 0;
	o->buf = calloc(1, o->cap);
	cr_assert(o->buf, "out of memory");
	pid = fork();
	cr_assert(pid >= 0, "fork");
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		setpgid(0, 0);
		dup2(slave, STDIN_FILENO);
		dup2(slave, STDOUT_FILENO);
		dup2(slave, STDERR_FILENO);
		close(slave);
		close(o->fd);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(slave);
	return pid;
}

/* Read what the pty has, waiting at most ms for the first byte. */
static void pty_drain(struct pty_out *o, int ms)
{
	struct pollfd p = { .fd = o->fd, .events = POLLIN };

	while (o->len + 1 < o->cap && poll(&p, 1, ms) > 0 && (p.revents & POLLIN)) {
		ssize_t n = read(o->fd, o->buf + o->len, o->cap - 1 - o->len);

		if (n <= 0)
			break;
		o->len += (size_t)n;
		o->buf[o->len] = '\0';
		ms = 0;
	}
}

/* Wait until the output from offset from holds needle; where it is, or NULL. */
static const char *pty_wait(struct pty_out *o, size_t from, const char *needle, int timeout_ms)
{
	/* A clock, not a count of rounds: a hung-up pty returns from poll at once. */
	for (long long end = xt_now_ms() + timeout_ms; xt_now_ms() < end;) {
		const char *hit = strstr(o->buf + from, needle);

		if (hit)
			return hit;
		pty_drain(o, 20);
	}
	return strstr(o->buf + from, needle);
}

/* waitpid with options (WUNTRACED, WCONTINUED, 0 for exit) within timeout_ms. */
static bool pty_waitpid(struct pty_out *o, pid_t pid, int options, int *status, int timeout_ms)
{
	for (long long end = xt_now_ms() + timeout_ms; xt_now_ms() < end;) {
		if (waitpid(pid, status, options | WNOHANG) == pid)
			return true;
		pty_drain(o, 20);
	}
	return false;
}

Test(live_tty, suspend_and_continue)
{
	struct winsize ws = { .ws_row = 40, .ws_col = 100 };
	/* A long interval: a frame soon after SIGCONT is the resume's, not a tick's. */
	const char *argv[] = { "/usr/bin/ip", "netns", "exec", NULL, NULL, "-i", "30",
			       "--duration", SAFETY, NULL, NULL };
	struct pty_out o;
	const char *left, *back;
	size_t mark;
	int st = 0;
	pid_t pid;

	xt_net_create_or_fail(&net, "z", 0);
	argv[3] = net.ns_a;
	argv[4] = xt_bin();
	argv[9] = net.if_a;
	pid = spawn_on_pty(argv, &ws, &o);
	cr_assert(pty_wait(&o, 0, "\033[K", XT_CLI_START_MS), "no first frame: %.300s", o.buf);
	mark = o.len;
	kill(pid, SIGTSTP);
	cr_assert(pty_waitpid(&o, pid, WUNTRACED, &st, 5000) && WIFSTOPPED(st),
		  "SIGTSTP did not stop it (status %#x)", st);
	cr_expect_eq(WSTOPSIG(st), SIGTSTP, "stopped by signal %d, want SIGTSTP", WSTOPSIG(st));
	pty_drain(&o, 100);
	left = strstr(o.buf + mark, "\033[?1049l");
	cr_assert(left, "it stopped on the alternate screen: %.200s", o.buf + mark);
	cr_expect(strstr(o.buf + mark, "\033[?25h") && strstr(o.buf + mark, "\033[?25h") < left,
		  "it stopped with the cursor hidden");
	mark = o.len;
	kill(pid, SIGCONT);
	cr_expect(pty_waitpid(&o, pid, WCONTINUED, &st, 5000) && WIFCONTINUED(st),
		  "SIGCONT: no continued status (%#x)", st);
	back = pty_wait(&o, mark, "\033[?1049h", 3000);
	cr_assert(back, "SIGCONT did not bring back the alternate screen: %.200s", o.buf + mark);
	mark = (size_t)(back - o.buf);
	cr_expect(pty_wait(&o, mark, "xdpcount on", 3000),
		  "no frame drawn at once after SIGCONT (interval 30 s)");
	mark = o.len;
	kill(pid, SIGINT);
	cr_assert(pty_waitpid(&o, pid, 0, &st, 10000), "SIGINT did not end it");
	pty_drain(&o, 100);
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == XC_EXIT_OK,
		  "exit after SIGINT: status %#x, want exit %d", st, XC_EXIT_OK);
	left = strstr(o.buf + mark, "\033[?1049l");
	cr_expect(left && strstr(left, "   final"), "no final summary on the normal screen");
	close(o.fd);
	free(o.buf);
	xt_expect_detached("after suspend, continue and SIGINT", net.ns_a, net.ifindex_a);
}

/* ---- long interface names ---- */

#define LONG_IF "xdpcount-veth-a" /* IFNAMSIZ - 1 characters */

/* The header's label at a column boundary: one space before it. */
static const char *label_at(const char *header, const char *label)
{
	const char *p = strstr(header, label);

	cr_assert(p && p > header && p[-1] == ' ', "no column \"%s\" in: %s", label, header);
	return p;
}

/* A row's cells end where the header's right-aligned labels end, and mode starts with its. */
static void expect_aligned(const char *header, const char *row, const char *name)
{
	static const char *const right[] = { "packets", "bytes", "pps", "bit/s", "rx_dropped",
					     "rx_missed", "rx_errors" };
	size_t len = strlen(row), mode = (size_t)(label_at(header, "mode") - header);

	cr_expect(!strncmp(row, name, strlen(name)) && row[strlen(name)] == ' ',
		  "the row does not begin with all of %s: %s", name, row);
	for (size_t i = 0; i < sizeof(right) / sizeof(right[0]); i++) {
		size_t end = (size_t)(label_at(header, right[i]) - header) + strlen(right[i]);

		cr_expect(end <= len && row[end - 1] != ' ' && (end == len || row[end] == ' '),
			  "%s: column %s does not end at %zu as in the header:\n%s\n%s", name,
			  right[i], end, header, row);
	}
	cr_expect(mode < len && row[mode - 1] == ' ' && row[mode] != ' ',
		  "%s: column mode does not start at %zu as in the header:\n%s\n%s", name, mode,
		  header, row);
}

Test(live_tty, long_interface_name)
{
	char *rows[2], *save, *line;
	const char *header = NULL;
	struct xt_proc p;
	int n = 0;

	xt_net_create_or_fail(&net, "w", 0);
	xt_net_join_or_fail(&net2, &net, "v");
	cr_assert_eq(xt_net_exec(net.ns_a, "ip link set %s down && ip link set %s name %s && "
				 "ip link set %s up", net.if_a, net.if_a, LONG_IF, LONG_IF),
		     0, "renaming %s to %s", net.if_a, LONG_IF);
	snprintf(net.if_a, sizeof(net.if_a), "%s", LONG_IF);
	xt_cli_run_bounded(&p, net.ns_a, NULL, "--text", "-c", "1", "-i", "0.2", LONG_IF, net2.if_a, NULL);
	cr_assert_eq(p.status, XC_EXIT_OK, "exit code %d: %s", p.status, p.err);
	/* The interface table: its header, then one row per interface until "tables:". */
	for (line = strtok_r(p.out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "interface ", 10))
			header = line;
		else if (header && !strncmp(line, "tables:", 7))
			break;
		else if (header && n < 2)
			rows[n++] = line;
	}
	cr_assert(header, "no interface table on stdout (stderr: %s)", p.err);
	cr_assert_eq(n, 2, "interface rows: got %d, want 2", n);
	expect_aligned(header, rows[0], LONG_IF);
	expect_aligned(header, rows[1], net2.if_a);
	xt_proc_free(&p);
}
