// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `make install` into a DESTDIR: the binary runs, the man page renders with
 * man -l and documents every option --help lists, and the bash completion
 * completes those options, the interfaces of its namespace and files.
 */
#define _GNU_SOURCE
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "checks.h"
#include "paths.h"
#include "proc.h"
#include "testnet.h"

#define PREFIX "/usr"

static struct xt_net net;
static char dest[64];

static void teardown(void)
{
	char cmd[128];

	xt_net_destroy(&net);
	if (dest[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dest);
		if (system(cmd))
			fprintf(stderr, "could not remove %s\n", dest);
	}
}

TestSuite(install, .fini = teardown, .timeout = 120);

/* make install DESTDIR=dest PREFIX=/usr, from the build the tests use (XC_BIN's). */
static void install(void)
{
	char bindir[PATH_MAX], b[PATH_MAX + 4], d[96];
	const char *argv[] = { "/usr/bin/make", "-s", "-C", xt_root(), "install", b, d,
			       "PREFIX=" PREFIX, NULL };
	struct xt_proc p;

	snprintf(dest, sizeof(dest), "/tmp/xdpcount-install-%d-XXXXXX", (int)getpid());
	cr_assert(mkdtemp(dest), "mkdtemp");
	snprintf(bindir, sizeof(bindir), "%s", xt_bin());
	snprintf(b, sizeof(b), "B=%s", dirname(bindir));
	snprintf(d, sizeof(d), "DESTDIR=%s", dest);
	xt_proc_run(argv, &p);
	XT_ASSERT_EQ(p.status, 0, "make install: exit: %s", p.err);
	xt_proc_free(&p);
}

static void path_of(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s" PREFIX "/%s", dest, rel);
}

/* The long options and the short letters --help lists, as "--name" and "-x" words. */
static size_t help_options(char words[][32], size_t max)
{
	const char *argv[] = { xt_bin(), "--help", NULL };
	struct xt_proc p;
	size_t n = 0;

	xt_proc_run(argv, &p);
	XT_ASSERT_EQ(p.status, 0, "--help: exit");
	for (char *s = p.out; (s = strchr(s, '-')) && n < max; ) {
		size_t len = strspn(s, "-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
		bool at_word = s == p.out || s[-1] == ' ';

		/* "-c," or "--count": an option at the start of a word in the option list. */
		if (at_word && ((len == 2 && s[1] != '-' && (s[2] == ',' || s[2] == ' ')) ||
				(len > 3 && s[1] == '-' && s[2] != '-')))
			snprintf(words[n++], sizeof(words[0]), "%.*s", (int)len, s);
		s += len ? len : 1;
	}
	xt_proc_free(&p);
	cr_assert(n > 20, "--help lists only %zu options", n);
	return n;
}

/* A file's text, or fail. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s;

	cr_assert(f, "cannot open %s", path);
	s = xt_read_all(f, NULL);
	fclose(f);
	cr_assert(s, "cannot read %s", path);
	return s;
}

/* roff writes a minus as "\-": the plain words. */
static void unescape_minus(char *s)
{
	char *w = s;

	for (; *s; s++)
		if (!(s[0] == '\\' && s[1] == '-'))
			*w++ = *s;
	*w = '\0';
}

/* A whole word: not followed by another name character. */
static bool has_word(const char *text, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = text; (p = strstr(p, word)); p++)
		if (!p[n] || !strchr("abcdefghijklmnopqrstuvwxyz-", p[n]))
			return true;
	return false;
}

Test(install, destdir)
{
	char words[64][32], path[PATH_MAX], *text;
	size_t n;
	struct stat st;
	struct xt_proc p;

	install();
	path_of(path, sizeof(path), "sbin/xdpcount");
	cr_assert(stat(path, &st) == 0 && (st.st_mode & 0111), "%s is not an executable", path);
	{
		const char *argv[] = { path, "--version", NULL };

		xt_proc_run(argv, &p);
		cr_expect(p.status == 0 && !strncmp(p.out, "xdpcount ", 9),
			  "the installed binary does not run: %d %s", p.status, p.err);
		xt_proc_free(&p);
	}
	path_of(path, sizeof(path), "share/man/man8/xdpcount.8");
	{
		const char *argv[] = { "/usr/bin/man", "-l", path, NULL };

		xt_proc_run(argv, &p);
		XT_EXPECT_EQ(p.status, 0, "man -l %s: exit: %s", path, p.err);
		cr_expect(strstr(p.out, "XDPCOUNT(8)") && strstr(p.out, "SYNOPSIS") &&
			  strstr(p.out, "EXIT STATUS"), "man -l does not render the page: %.300s",
			  p.out);
		xt_proc_free(&p);
	}
	n = help_options(words, 64);
	text = slurp(path);
	unescape_minus(text);
	for (size_t i = 0; i < n; i++)
		cr_expect(has_word(text, words[i]), "the man page lacks %s", words[i]);
	free(text);
	path_of(path, sizeof(path), "share/bash-completion/completions/xdpcount");
	text = slurp(path);
	for (size_t i = 0; i < n; i++)
		cr_expect(has_word(text, words[i]) || !strcmp(words[i], "-?"),
			  "the completion lacks %s", words[i]);
	free(text);
}

/* What the completion offers for the words of a command line, in namespace ns. */
static char *complete(const char *ns, const char *file, const char *words)
{
	char script[1024];
	const char *argv[] = { "/usr/bin/ip", "netns", "exec", ns, "/bin/bash", "-c", script,
			       NULL };
	struct xt_proc p;
	char *out;

	snprintf(script, sizeof(script),
		 "source '%s'; COMP_WORDS=(%s); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); "
		 "_xdpcount; printf '%%s\\n' \"${COMPREPLY[@]}\"", file, words);
	xt_proc_run(argv, &p);
	XT_ASSERT_EQ(p.status, 0, "bash completion: exit: %s", p.err);
	out = p.out;
	free(p.err);
	return out;
}

static bool has_line(const char *out, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = out; (p = strstr(p, line)); p++)
		if ((p == out || p[-1] == '\n') && (p[n] == '\n' || !p[n]))
			return true;
	return false;
}

Test(install, bash_completion)
{
	char path[PATH_MAX], words[160], file[96], *out;
	FILE *f;

	install();
	xt_net_create_or_fail(&net, "c", 0);
	path_of(path, sizeof(path), "share/bash-completion/completions/xdpcount");
	out = complete(net.ns_a, path, "xdpcount --no-s");
	cr_expect(has_line(out, "--no-sizes") && has_line(out, "--no-sources") &&
		  !has_line(out, "--no-flows"), "--no-s: %s", out);
	free(out);
	/* The test's own veth end, by the first letters of its name. */
	snprintf(words, sizeof(words), "xdpcount -i 1 %.3s", net.if_a);
	out = complete(net.ns_a, path, words);
	cr_expect(has_line(out, net.if_a), "interfaces after \"%.3s\": no %s in: %s", net.if_a,
		  net.if_a, out);
	free(out);
	snprintf(file, sizeof(file), "%s/capture-%d.pcap", dest, (int)getpid());
	f = fopen(file, "w");
	cr_assert(f, "creating %s", file);
	fclose(f);
	snprintf(words, sizeof(words), "xdpcount -r %s/capture-", dest);
	out = complete(net.ns_a, path, words);
	cr_expect(has_line(out, file), "-r: no %s in: %s", file, out);
	free(out);
	out = complete(net.ns_a, path, "xdpcount --mode g");
	cr_expect(has_line(out, "generic"), "--mode g: %s", out);
	free(out);
}
