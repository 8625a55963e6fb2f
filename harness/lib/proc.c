// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Run another program to its end, keeping what it wrote on stdout and stderr. */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "harness.h"

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
	cr_assert_eq(rc, 0, "cannot run %s: %s", argv[0], strerror(rc));
	cr_assert_eq(waitpid(pid, &st, 0), pid, "waitpid %s", argv[0]);
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

unsigned long long xt_grouped_number(const char *s)
{
	unsigned long long v = 0;

	s += strspn(s, " ");
	for (; (*s >= '0' && *s <= '9') || *s == ','; s++)
		if (*s != ',')
			v = v * 10 + (unsigned long long)(*s - '0');
	return v;
}
