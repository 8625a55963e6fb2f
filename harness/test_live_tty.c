// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The full-screen view of a live run on a terminal (a pty): it fits the
 * screen and follows resizes, shows what the test sent on 80x24 and wider,
 * and gives the terminal back on Ctrl-Z and on exit.
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
#include "checks.h"
#include "cli.h"
#include "cli_run.h"
#include "clock.h"
#include "paths.h"
#include "proc.h"
#include "program.h"
#include "sockets.h"
#include "testnet.h"

static struct xt_net net;

TestSuite(live_tty, .fini = xt_teardown, .timeout = 60);

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

/*
 * Everything the pty says until the program exits; after the first frame,
 * first(ctx, fd) runs once, and *first_at says where the output was then.
 */
static char *read_pty(int fd, size_t *len, void (*first)(void *ctx, int fd), void *ctx,
		      size_t *first_at, pid_t pid)
{
	size_t cap = 1 << 22;
	char *buf = malloc(cap);

	*len = *first_at = 0;
	cr_assert(buf, "out of memory");
	for (int t = 0; t < 15000 && *len + 1 < cap; t += 10) {
		ssize_t n = read(fd, buf + *len, cap - 1 - *len);

		if (n > 0) {
			*len += (size_t)n;
			buf[*len] = '\0';
			if (!*first_at && strstr(buf, "\033[K")) {
				*first_at = *len;
				first(ctx, fd);
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

/* After the first frame the terminal grows: the kernel sends SIGWINCH. */
static void grow_pty(void *ctx, int fd)
{
	ioctl(fd, TIOCSWINSZ, (const struct winsize *)ctx);
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
	out = read_pty(fd, &len, grow_pty, &big, &resized_at, pid);
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

	XT_ASSERT_EQ(openpty(&o->fd, &slave, NULL, NULL, ws), 0, "openpty");
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
			       "--duration", XT_CLI_SAFETY, NULL, NULL };
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
	XT_EXPECT_EQ(WSTOPSIG(st), SIGTSTP, "the signal that stopped it (SIGTSTP)");
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

/* The flow the tests send, as the views print it. */
#define UDP_FLOW XT_NET_IP4_B ":40002 -> " XT_NET_IP4_A ":5002"

/* What the test does once the first frame is up: datagrams, then keys typed. */
struct on_first {
	const struct xt_net *net;
	const char *keys;
};

static void send_udp(void *ctx, int fd)
{
	const struct on_first *o = ctx;

	xt_udp_b_to_a(o->net, XT_CLI_UDP_SPORT, XT_CLI_UDP_DPORT, XT_CLI_UDP_N, XT_CLI_UDP_LEN);
	if (o->keys)
		XT_ASSERT_EQ(write(fd, o->keys, strlen(o->keys)), (ssize_t)strlen(o->keys),
			     "typing %s", o->keys);
}

struct frame_lines {
	char *v[256];
	int n;
};

/* The last frame drawn before `end`, line by line, escape sequences removed. */
static void last_frame(const char *out, const char *end, struct frame_lines *f)
{
	const char *home = NULL, *p;
	char line[1024];
	size_t n = 0;

	for (p = out; (p = strstr(p, "\033[H")) && p < end; p++)
		home = p;
	cr_assert(home, "no frame was drawn");
	f->n = 0;
	for (p = home + 3; p < end && f->n < 256; p++) {
		if (*p == '\033') {
			if (p[1] == '[' && p[2] == 'J')
				break; /* the end of the frame */
			for (p++; p < end && !((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'));)
				p++;
			continue;
		}
		if (*p == '\r')
			continue;
		if (*p == '\n' || n + 1 == sizeof(line)) {
			line[n] = '\0';
			f->v[f->n++] = strdup(line);
			n = 0;
			continue;
		}
		line[n++] = *p;
	}
	line[n] = '\0';
	if (n && f->n < 256)
		f->v[f->n++] = strdup(line);
}

static void free_frame(struct frame_lines *f)
{
	for (int i = 0; i < f->n; i++)
		free(f->v[i]);
	f->n = 0;
}

/* The line that starts with prefix (after spaces), or NULL. */
static const char *line_starting(const struct frame_lines *f, const char *prefix)
{
	for (int i = 0; i < f->n; i++)
		if (!strncmp(f->v[i] + strspn(f->v[i], " "), prefix, strlen(prefix)))
			return f->v[i];
	return NULL;
}

/* The top-list row that ends with label, below the heading holding title. */
static const char *list_row(const struct frame_lines *f, const char *title, const char *label)
{
	int i = 0;

	while (i < f->n && !strstr(f->v[i], title))
		i++;
	for (i++; i < f->n && f->v[i][0] && !strstr(f->v[i], "top "); i++) {
		size_t n = strlen(f->v[i]), l = strlen(label);

		if (n >= l && !strcmp(f->v[i] + n - l, label))
			return f->v[i];
	}
	return NULL;
}

/* A row's first number (packets, grouped), or -1 without the row. */
static long long row_packets(const char *row)
{
	return row ? (long long)xt_grouped_number(row) : -1;
}

/* xdpcount on a pty of ws until it ends; the test's datagrams and keys after its first frame. */
static char *view_on_pty(const struct winsize *ws, size_t *len, const char *keys)
{
	struct on_first first = { &net, keys };
	const char *argv[] = { "/usr/bin/ip", "netns", "exec", net.ns_a, xt_bin(), "-i", "0.3",
			       "--duration", "3", net.if_a, NULL };
	size_t first_at;
	char *out;
	int fd;
	pid_t pid;

	xt_net_create_or_fail(&net, "f", 0);
	xt_net_static(&net);
	argv[3] = net.ns_a;
	argv[9] = net.if_a;
	pid = forkpty(&fd, NULL, NULL, ws);
	cr_assert(pid >= 0, "forkpty");
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	out = read_pty(fd, len, send_udp, &first, &first_at, pid);
	close(fd);
	waitpid(pid, NULL, 0);
	cr_assert(first_at, "no frame at all: %.300s", out);
	return out;
}

/* What the test sent, whole in the last frame: classes, each top list, the footer. */
static void expect_sent_in_frame(const struct frame_lines *f, const char *what)
{
	const char *row;

	cr_expect(f->n && !strncmp(f->v[0], "xdpcount on ", 12) && strstr(f->v[0], net.if_a) &&
		  strstr(f->v[0], "ingress"), "%s: header: %s", what, f->n ? f->v[0] : "");
	row = line_starting(f, "udp ");
	XT_EXPECT_EQ(row ? (long long)xt_grouped_number(row + 4) : -1, XT_CLI_UDP_N,
		     "%s: the udp class row: %s", what, row ? row : "none");
	row = list_row(f, "top sources", XT_NET_IP4_B);
	XT_EXPECT_EQ(row_packets(row), XT_CLI_UDP_N, "%s: top sources: %s", what, row ? row : "no row");
	row = list_row(f, "top destination ports", "udp    5002");
	XT_EXPECT_EQ(row_packets(row), XT_CLI_UDP_N, "%s: top ports: %s", what, row ? row : "no row");
	row = list_row(f, "top flows", "udp    " UDP_FLOW);
	XT_EXPECT_EQ(row_packets(row), XT_CLI_UDP_N, "%s: top flows (whole row): %s", what,
		     row ? row : "no row");
}

Test(live_tty, view_80x24)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	struct frame_lines f;
	size_t len;
	char *out = view_on_pty(&ws, &len, NULL), *end = strstr(out, "\033[?1049l");
	int wide, tall;

	cr_assert(end, "the view did not end: %.300s", out + (len > 300 ? len - 300 : 0));
	frame_extent(out, end, &wide, &tall);
	cr_expect(wide <= 80 && tall <= 24, "on 80x24 a frame is %dx%d", wide, tall);
	last_frame(out, end, &f);
	expect_sent_in_frame(&f, "80x24");
	cr_expect(f.n == 24 && !strncmp(f.v[23], "q quit", 6), "80x24: no keys on the last row: "
		  "%s", f.n ? f.v[f.n - 1] : "");
	free_frame(&f);
	free(out);
}

Test(live_tty, view_wide)
{
	struct winsize ws = { .ws_row = 60, .ws_col = 160 };
	struct frame_lines f;
	size_t len;
	/* o: the next order (bytes); u: bytes per second. */
	char *out = view_on_pty(&ws, &len, "ou"), *end = strstr(out, "\033[?1049l");
	const char *heading;
	int wide, tall, y, m, d;

	cr_assert(end, "the view did not end");
	frame_extent(out, end, &wide, &tall);
	cr_expect(wide <= 160 && tall <= 60, "on 160x60 a frame is %dx%d", wide, tall);
	last_frame(out, end, &f);
	expect_sent_in_frame(&f, "160x60");
	/* More room shows more: the histogram, tables, kernel counters, flow times, date. */
	heading = line_starting(&f, "interface ");
	cr_expect(line_starting(&f, "frame size") && line_starting(&f, "tables: ") &&
		  heading && strstr(heading, "rx_missed"), "160x60: a section is missing");
	heading = NULL;
	for (int i = 0; i < f.n; i++)
		if (strstr(f.v[i], "top flows"))
			heading = f.v[i];
	cr_expect(heading && strstr(heading, "age") && strstr(heading, "idle"),
		  "160x60: the flows have no age and idle: %s", heading ? heading : "");
	cr_expect(sscanf(strstr(f.v[0], "every ") ? strstr(f.v[0], "every ") : "",
			 "every %*s %d-%d-%d", &y, &m, &d) == 3, "160x60: no date: %s", f.v[0]);
	/* The keys typed: the footer and the columns follow them. */
	cr_expect(f.n == 60 && strstr(f.v[59], "order: bytes") && strstr(f.v[59], "units: B/s"),
		  "keys o and u: the footer says %s", f.n ? f.v[f.n - 1] : "");
	heading = line_starting(&f, "class ");
	cr_expect(heading && strstr(heading, " B/s "), "key u: the class heading is %s",
		  heading ? heading : "missing");
	free_frame(&f);
	free(out);
}
