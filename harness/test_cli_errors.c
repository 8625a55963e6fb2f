// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The offline CLI's failures: each with its own exit code (src/cli/cli.h enum
 * xc_exit), nothing on stdout and a one-line reason on stderr; bad options
 * with argp's usage hint.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "checks.h"
#include "cli.h"
#include "cli_run.h"
#include "paths.h"
#include "proc.h"

#define SETPRIV "/usr/bin/setpriv"

TestSuite(cli_errors);

static void check_capture_error(const char *path, int status, const char *says)
{
	struct xt_proc p;
	char what[600];

	snprintf(what, sizeof(what), "xdpcount -r %s", path);
	xt_cli_run(&p, NULL, NULL, "-r", path, "--json", NULL);
	xt_expect_cli_failure(what, &p, status, says, false);
	xt_proc_free(&p);
}

static void check_fixture_error(const char *file, int status, const char *says)
{
	char path[512];

	check_capture_error(xt_pcap_path(path, sizeof(path), file), status, says);
}

Test(cli_errors, missing_file)
{
	check_fixture_error("no_such_file.pcap", XC_EXIT_FILE, "No such file");
}

Test(cli_errors, directory)
{
	check_fixture_error("", XC_EXIT_FILE, "directory");
}

Test(cli_errors, dev_null)
{
	check_capture_error("/dev/null", XC_EXIT_FORMAT, "not a pcap");
}

Test(cli_errors, corrupt)
{
	check_fixture_error("corrupt.pcap", XC_EXIT_FORMAT, "not a pcap");
}

Test(cli_errors, not_ethernet_raw)
{
	check_fixture_error("not_ethernet.pcap", XC_EXIT_LINKTYPE, "(RAW) is not Ethernet");
}

Test(cli_errors, not_ethernet_sll)
{
	check_fixture_error("not_ethernet_sll.pcap", XC_EXIT_LINKTYPE,
			    "113 (LINUX_SLL) is not Ethernet");
}

/* A scratch file of `bytes` bytes and mode `mode`; the caller unlinks it. */
static void scratch_file(char *path, size_t len, size_t bytes, mode_t mode)
{
	int fd;

	snprintf(path, len, "/tmp/xdpcount-cli-%d-XXXXXX", (int)getpid());
	fd = mkstemp(path);
	cr_assert(fd >= 0, "mkstemp");
	for (size_t i = 0; i < bytes; i++)
		XT_ASSERT_EQ(write(fd, "x", 1), 1, "write %s", path);
	close(fd);
	XT_ASSERT_EQ(chmod(path, mode), 0, "chmod %s", path);
}

Test(cli_errors, empty_file)
{
	char path[64];

	scratch_file(path, sizeof(path), 0, 0644);
	check_capture_error(path, XC_EXIT_FORMAT, "not a pcap");
	unlink(path);
}

/*
 * Mode 000 stops no one with CAP_DAC_OVERRIDE, and the suite runs as root:
 * drop that and CAP_DAC_READ_SEARCH (keeping what loading needs) for the CLI.
 */
Test(cli_errors, unreadable_file)
{
	static const char *const no_dac[] = {
		SETPRIV, "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search", NULL,
	};
	struct xt_proc p;
	char path[64];

	scratch_file(path, sizeof(path), 64, 0);
	xt_cli_run(&p, NULL, no_dac, "-r", path, "--json", NULL);
	xt_expect_cli_failure("xdpcount -r (mode 000), without CAP_DAC_OVERRIDE", &p, XC_EXIT_FILE,
		       "Permission denied", false);
	xt_proc_free(&p);
	unlink(path);
}

/* ---- bad options: exit 2, the reason, and argp's usage hint ---- */

static void check_usage(const char *what, const char *says, const char *arg, ...)
{
	char mix[512];
	/* A valid -r first, so that the option under test is the only fault. */
	const char *lead[] = { "-r", xt_pcap_path(mix, sizeof(mix), "mix.pcap"), NULL };
	struct xt_proc p;
	va_list ap;

	va_start(ap, arg);
	xt_cli_run_va(&p, NULL, NULL, arg ? lead : NULL, arg, ap);
	va_end(ap);
	xt_expect_cli_failure(what, &p, XC_EXIT_USAGE, says, true);
	cr_expect(!strncmp(p.err, "xdpcount: ", 10), "%s: stderr does not begin \"xdpcount: \": %s",
		  what, p.err);
	xt_proc_free(&p);
}

Test(cli_errors, usage_top_zero)
{
	check_usage("--top 0", "--top", "--top", "0", NULL);
}

Test(cli_errors, usage_negative_interval)
{
	check_usage("-i -1", "--interval", "-i", "-1", NULL);
}

Test(cli_errors, usage_bad_mode)
{
	check_usage("--mode bogus", "--mode", "--mode", "bogus", NULL);
}

Test(cli_errors, usage_unknown_option)
{
	check_usage("--bogus", "unrecognized option '--bogus'", "--bogus", NULL);
}

Test(cli_errors, usage_no_arguments)
{
	check_usage("no arguments", "-r FILE", NULL);
}

Test(cli_errors, usage_bad_prometheus)
{
	check_usage("--prometheus 127.0.0.1:99999", "--prometheus wants [ADDR:]PORT",
		    "--prometheus", "127.0.0.1:99999", NULL);
}

/* tcpdump's habit: a filter expression after -r FILE. */
Test(cli_errors, usage_filter_expression)
{
	check_usage("-r FILE 'tcp port 80'", "give no interfaces or filter: 'tcp port 80'",
		    "tcp port 80", NULL);
}

Test(cli_errors, help_short_option)
{
	struct xt_proc p;

	xt_cli_run(&p, NULL, NULL, "-h", NULL);
	XT_EXPECT_EQ(p.status, XC_EXIT_OK, "-h: exit (stderr: %s)", p.err);
	cr_expect(!strncmp(p.out, "Usage: xdpcount ", 16) && strstr(p.out, "--interval"),
		  "-h: no help on stdout: %.300s", p.out);
	xt_proc_free(&p);
}
