// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Other programs: run to their end, or in the background, keeping what they wrote. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "checks.h"
#include "clock.h"
#include "proc.h"

extern char **environ;

char *xt_read_all(FILE *f, size_t *len)
{
	char *buf;
	long n;

	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0)
		return NULL;
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	if (len)
		*len = (size_t)n;
	return buf;
}

static char *slurp(FILE *f, size_t *len)
{
	char *buf = xt_read_all(f, len);

	cr_assert(buf, "reading a temporary file: %s", strerror(errno));
	return buf;
}

void xt_proc_run(const char *const argv[], struct xt_proc *p)
{
	/* Files, not pipes: a large stdout cannot block the child while stderr waits. */
	FILE *out = tmpfile(), *err = tmpfile();
	posix_spawn_file_actions_t fa;
	int rc, st;
	pid_t pid;

	memset(p, 0, sizeof(*p));
	cr_assert(out && err, "tmpfile: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fileno(out), STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, fileno(err), STDERR_FILENO);
	rc = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	XT_ASSERT_EQ(rc, 0, "cannot run %s: %s", argv[0], strerror(rc));
	XT_ASSERT_EQ(waitpid(pid, &st, 0), pid, "waitpid %s", argv[0]);
	p->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	p->out = slurp(out, &p->out_len);
	p->err = slurp(err, NULL);
	fclose(out);
	fclose(err);
}

void xt_proc_free(struct xt_proc *p)
{
	free(p->out);
	free(p->err);
	memset(p, 0, sizeof(*p));
}

static int temp_fd(void)
{
	char path[] = "/tmp/xdpcount-test-XXXXXX";
	int fd = mkostemp(path, O_CLOEXEC);

	cr_assert(fd >= 0, "mkostemp: %s", strerror(errno));
	unlink(path);
	return fd;
}

/* What this test started, for xt_bg_stop_all: each test runs in a process of its own. */
static struct xt_bg *started[16];
static int n_started;

void xt_bg_stop_all(void)
{
	while (n_started)
		xt_bg_stop(started[--n_started]);
}

static void remember(struct xt_bg *bg)
{
	for (int i = 0; i < n_started; i++)
		if (started[i] == bg)
			return;
	cr_assert(n_started < 16, "more than 16 background programs in one test");
	started[n_started++] = bg;
}

void xt_bg_start(struct xt_bg *bg, const char *ns, const char *const argv[])
{
	const char *full[64];
	int n = 0;

	memset(bg, 0, sizeof(*bg));
	remember(bg);
	bg->out = temp_fd();
	bg->err = temp_fd();
	if (ns) {
		full[n++] = "/usr/bin/ip";
		full[n++] = "netns";
		full[n++] = "exec";
		full[n++] = ns;
	}
	for (; *argv && n < 63; argv++)
		full[n++] = *argv;
	full[n] = NULL;
	bg->pid = fork();
	cr_assert(bg->pid >= 0, "fork: %s", strerror(errno));
	if (bg->pid == 0) {
		/* The test may die at a timeout; what it started dies with it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(bg->out, STDOUT_FILENO);
		dup2(bg->err, STDERR_FILENO);
		execv(full[0], (char *const *)full);
		_exit(127);
	}
}

/* pread keeps the file offset the program writes at. */
static char *read_fd(int fd)
{
	struct stat st;
	char *buf;
	ssize_t n;

	XT_ASSERT_EQ(fstat(fd, &st), 0, "fstat: %s", strerror(errno));
	buf = malloc((size_t)st.st_size + 1);
	cr_assert(buf, "out of memory");
	n = pread(fd, buf, (size_t)st.st_size, 0);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

char *xt_bg_out(const struct xt_bg *bg)
{
	return read_fd(bg->out);
}

char *xt_bg_err(const struct xt_bg *bg)
{
	return read_fd(bg->err);
}

static bool reap(struct xt_bg *bg, int flags)
{
	int st;

	if (bg->reaped)
		return true;
	if (waitpid(bg->pid, &st, flags) != bg->pid)
		return false;
	bg->reaped = true;
	bg->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	bg->signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
	return true;
}

bool xt_bg_wait(struct xt_bg *bg, int timeout_ms)
{
	long long start = xt_now_ms();

	while (!reap(bg, WNOHANG)) {
		if (xt_now_ms() - start >= timeout_ms)
			return false;
		xt_sleep_ms(10);
	}
	return true;
}

bool xt_bg_wait_err(struct xt_bg *bg, const char *needle, int timeout_ms)
{
	long long start = xt_now_ms();

	for (;;) {
		char *err = xt_bg_err(bg);
		bool found = strstr(err, needle) != NULL;

		free(err);
		if (found)
			return true;
		if (reap(bg, WNOHANG) || xt_now_ms() - start >= timeout_ms)
			return false;
		xt_sleep_ms(10);
	}
}

void xt_bg_signal(const struct xt_bg *bg, int sig)
{
	if (bg->pid > 0 && !bg->reaped)
		kill(bg->pid, sig);
}

void xt_bg_stop(struct xt_bg *bg)
{
	if (bg->pid <= 0)
		return;
	if (!bg->reaped) {
		kill(bg->pid, SIGKILL);
		reap(bg, 0);
	}
	close(bg->out);
	close(bg->err);
	bg->pid = 0;
}

size_t xt_count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

unsigned long long xt_grouped_number(const char *s)
{
	unsigned long long v = 0;

	s += strspn(s, " ");
	for (; (*s >= '0' && *s <= '9') || *s == ','; s++)
		if (*s != ',')
			v = v * 10 + (unsigned long long)(*s - '0');
	return v;
}
