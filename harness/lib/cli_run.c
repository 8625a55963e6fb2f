// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The xdpcount binary run by the tests, to its end or in the background. */
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "checks.h"
#include "cli_run.h"
#include "clock.h"
#include "json.h"
#include "paths.h"
#include "proc.h"

#define MAX_ARGS 32

void xt_cli_run_va(struct xt_proc *p, const char *ns, const char *const *wrapper,
		   const char *const *lead, const char *arg, va_list ap)
{
	const char *argv[MAX_ARGS];
	int n = 0;

	if (ns) {
		argv[n++] = "/usr/bin/ip";
		argv[n++] = "netns";
		argv[n++] = "exec";
		argv[n++] = ns;
	}
	for (; wrapper && *wrapper; wrapper++)
		argv[n++] = *wrapper;
	argv[n++] = xt_bin();
	for (; lead && *lead; lead++)
		argv[n++] = *lead;
	for (; arg && n < MAX_ARGS - 1; arg = va_arg(ap, const char *))
		argv[n++] = arg;
	argv[n] = NULL;
	xt_proc_run(argv, p);
}

void xt_cli_run(struct xt_proc *p, const char *ns, const char *const *wrapper,
		const char *arg, ...)
{
	va_list ap;

	va_start(ap, arg);
	xt_cli_run_va(p, ns, wrapper, NULL, arg, ap);
	va_end(ap);
}

void xt_cli_run_bounded(struct xt_proc *p, const char *ns, const char *const *wrapper,
			const char *arg, ...)
{
	static const char *const bound[] = { "--duration", "5", NULL };
	va_list ap;

	va_start(ap, arg);
	xt_cli_run_va(p, ns, wrapper, bound, arg, ap);
	va_end(ap);
}

void xt_cli_start(struct xt_bg *bg, const char *ns, const char *arg, ...)
{
	const char *argv[MAX_ARGS] = { xt_bin() };
	int n = 1;
	va_list ap;

	va_start(ap, arg);
	for (; arg && n < MAX_ARGS - 1; arg = va_arg(ap, const char *))
		argv[n++] = arg;
	va_end(ap);
	argv[n] = NULL;
	xt_bg_start(bg, ns, argv);
	cr_assert(xt_bg_wait_err(bg, "xdpcount: counting on", XT_CLI_START_MS),
		  "xdpcount did not start counting: %s", xt_bg_err(bg));
}

void xt_cli_stop(struct xt_bg *bg, int sig, int want)
{
	char *err;

	xt_bg_signal(bg, sig);
	XT_ASSERT_TRUE(xt_bg_wait(bg, 10000), "exit within 10 s of signal %d", sig);
	err = xt_bg_err(bg);
	XT_EXPECT_EQ(bg->status, want, "exit code after signal %d (stderr: %s)", sig, err);
	free(err);
}

void xt_cli_json_lines(const struct xt_bg *bg, struct xt_json_lines *l)
{
	char *out = xt_bg_out(bg);

	xt_json_lines_parse(out, l);
	free(out);
	cr_assert(l->n >= 1, "no JSON line at all");
}

bool xt_cli_wait_value(const struct xt_bg *bg, const char *path, long long want, int timeout_ms)
{
	for (long long end = xt_now_ms() + timeout_ms; xt_now_ms() < end; xt_sleep_ms(50)) {
		struct xt_json_lines l;
		char *out = xt_bg_out(bg);
		bool ok;

		xt_json_lines_parse(out, &l);
		free(out);
		ok = l.n && xt_json_num(l.v[l.n - 1], path) == want;
		xt_json_lines_free(&l);
		if (ok)
			return true;
	}
	return false;
}

/* stdout is exactly one JSON object and a newline. */
struct json_object *xt_cli_one_object(const char *what, const struct xt_proc *p)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;
	size_t end;

	cr_assert(tok, "out of memory");
	o = json_tokener_parse_ex(tok, p->out, (int)p->out_len);
	end = json_tokener_get_parse_end(tok);
	cr_assert(o && json_object_is_type(o, json_type_object),
		  "%s: stdout is not a JSON object (%s): %.300s", what,
		  json_tokener_error_desc(json_tokener_get_error(tok)), p->out);
	/* json-c reads the whitespace after an object as part of it. */
	cr_expect(strspn(p->out + end, " \n") == strlen(p->out + end),
		  "%s: after the object: \"%.100s\"", what, p->out + end);
	cr_expect(xt_count_lines(p->out) == 1 && p->out[p->out_len - 1] == '\n',
		  "%s: stdout is not one line", what);
	json_tokener_free(tok);
	return o;
}

void xt_expect_cli_failure(const char *what, const struct xt_proc *p, int status,
			   const char *says, bool usage)
{
	size_t lines = xt_count_lines(p->err);

	XT_EXPECT_EQ(p->status, status, "%s: exit (stderr: %s)", what, p->err);
	XT_EXPECT_STREQ(p->out, "", "%s: stdout", what);
	XT_EXPECT_EQ(lines, usage ? 2 : 1, "%s: lines on stderr (%s)", what, p->err);
	cr_expect(strstr(p->err, says) && strstr(p->err, says) < strchr(p->err, '\n'),
		  "%s: the first line on stderr does not say \"%s\": %s", what, says, p->err);
	if (usage)
		cr_expect(strstr(p->err, "--help"), "%s: no usage hint: %s", what, p->err);
}
