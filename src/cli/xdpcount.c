// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xdpcount: count packets with one XDP program, live or from a capture. */
#include <argp.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "httpd.h"
#include "live.h"
#include "offline.h"

/* Below this, an update every interval costs a good part of a CPU: say so. */
#define XC_INTERVAL_WARN 0.1

const char *argp_program_version = "xdpcount 0.1";
const char *argp_program_bug_address = "the project's issue tracker";

/* What the terminal view's keys do; its footer names them too. */
#define KEYS_DOC "Keys in the terminal view: q quits, o changes the order of the top " \
	"lists, u switches bit/s and B/s."

static const char doc[] =
	"Count packets at XDP: per protocol class, frame size, source address, "
	"destination port, flow and interface.\v"
	"Live:    xdpcount [OPTION...] IFACE...\n"
	"Offline: xdpcount -r FILE [-r FILE...] [OPTION...]   (-r -: standard input)\n\n"
	"Counts what the interfaces receive (ingress), never what they send. "
	"Byte counts and rates use decimal prefixes (k = 1000).\n\n"
	KEYS_DOC "\n\n"
	"Exit codes: 0 ok, 1 failure, 2 usage, 3 missing privileges, 4 no such "
	"interface, 5 capture unreadable, 6 not a capture, 7 not Ethernet, "
	"8 capture damaged or cut short, 9 interface already has XDP, 10 interface lost.";

enum {
	OPT_JSON = 256, OPT_TEXT, OPT_DURATION, OPT_PROM, OPT_NO_SIZES,
	OPT_NO_SOURCES, OPT_NO_PORTS, OPT_NO_FLOWS, OPT_NO_IFACES,
	OPT_SOURCES_MAX, OPT_FLOWS_MAX, OPT_CACHE, OPT_FRAGS, OPT_KEYWISE, OPT_NO_DROPS,
	OPT_OBSERVE,
};


static const struct argp_option options[] = {
	{ "read", 'r', "FILE", 0, "Count a pcap/pcapng capture offline (again for more; - is stdin)", 0 },
	{ "interval", 'i', "SECS", 0, "Seconds between updates (default 1)", 0 },
	{ "duration", OPT_DURATION, "SECS", 0, "Stop after SECS seconds", 0 },
	{ "count", 'c', "N", 0, "Stop after N updates", 0 },
	{ "mode", 'm', "MODE", 0, "Attach mode: native, generic or auto (default)", 0 },
	{ "top", 'n', "N", 0, "Length of each top list (default 10)", 0 },
	{ "order", 'o', "KEY", 0,
	  "Order of the top lists: packets (default), bytes, pps or rate (the current "
	  "bit/s)", 0 },
	{ "bytes", 'B', NULL, 0, "Rates in bytes per second (B/s), not bit/s", 0 },
	{ "observe", OPT_OBSERVE, NULL, 0,
	  "Count beside the XDP program already on each interface, and its verdicts", 0 },
	{ "json", OPT_JSON, NULL, 0, "JSON: one object (offline) or one line per update", 1 },
	{ "text", OPT_TEXT, NULL, 0, "Plain text blocks, even on a terminal", 1 },
	{ "prometheus", OPT_PROM, "[ADDR:]PORT", 0,
	  "Serve /metrics on ADDR (default 127.0.0.1):PORT", 1 },
	{ "user", 'Z', "USER", 0, "Once attached, run as USER (default nobody when "
	  "started as root; root stays root), always without capabilities", 1 },
	{ "no-sizes", OPT_NO_SIZES, NULL, 0, "Do not count the size histogram", 2 },
	{ "no-sources", OPT_NO_SOURCES, NULL, 0, "Do not count source addresses", 2 },
	{ "no-ports", OPT_NO_PORTS, NULL, 0, "Do not count destination ports", 2 },
	{ "no-flows", OPT_NO_FLOWS, NULL, 0, "Do not count flows", 2 },
	{ "no-ifaces", OPT_NO_IFACES, NULL, 0, "Do not count per interface", 2 },
	{ "no-drops", OPT_NO_DROPS, NULL, 0, "Do not trace the kernel's drop reasons", 2 },
	{ "sources-max", OPT_SOURCES_MAX, "N", 0,
	  "Source rows kept in user space (default 65536)", 2 },
	{ "flows-max", OPT_FLOWS_MAX, "N", 0, "Flow rows kept in user space (default 65536)", 2 },
	{ "cache-entries", OPT_CACHE, "N", 0,
	  "Flow cache entries per CPU in the kernel, a power of two (default 32768)", 2 },
	{ "frags", OPT_FRAGS, NULL, 0,
	  "Attach the multi-buffer program even where frames fit one buffer", 2 },
	{ "keywise", OPT_KEYWISE, NULL, 0, "Read maps key by key, not in batches", 2 },
	{ "verbose", 'v', NULL, 0,
	  "Print libbpf's messages and the verifier's statistics (its log on failure)", 3 },
	{ NULL, 'h', NULL, 0, "Give this help list, as --help does", -1 },
	{ 0 },
};

static double parse_seconds(const char *arg, const char *what, struct argp_state *st)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !isfinite(v) || v <= 0 || v > 86400 * 365)
		argp_error(st, "%s must be a positive number of seconds, not '%s'",
			   what, arg);
	return v;
}

static long parse_count(const char *arg, const char *what, long max,
			struct argp_state *st)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < 1 || v > max)
		argp_error(st, "%s must be a whole number from 1 to %ld, not '%s'",
			   what, max, arg);
	return v;
}

static void add_read(struct xc_cli *cli, const char *path, struct argp_state *st)
{
	const char **reads = realloc(cli->reads, (size_t)(cli->n_reads + 1) * sizeof(*reads));

	if (!reads)
		argp_failure(st, XC_EXIT_FAIL, ENOMEM, "-r");
	reads[cli->n_reads++] = path;
	cli->reads = reads;
}

/* --json and --text contradict each other; one line says so. */
static void set_format(struct xc_cli *cli, enum xc_format f, struct argp_state *st)
{
	if (cli->format != XC_FMT_AUTO && cli->format != f)
		argp_failure(st, XC_EXIT_USAGE, 0, "--json and --text contradict each other: give one");
	cli->format = f;
}

static enum xc_order parse_order(const char *arg, struct argp_state *st)
{
	for (int i = 0; i < XC_ORDER_MAX; i++)
		if (!strcmp(arg, xc_order_names[i]))
			return (enum xc_order)i;
	argp_error(st, "--order must be packets, bytes, pps or rate, not '%s'", arg);
	return XC_ORDER_PACKETS;
}

static error_t parse_opt(int key, char *arg, struct argp_state *st)
{
	struct xc_cli *cli = st->input;

	switch (key) {
	case 'r':
		add_read(cli, arg, st);
		break;
	case 'i':
		cli->interval = parse_seconds(arg, "--interval", st);
		cli->live_only = cli->live_only ?: "-i";
		break;
	case OPT_DURATION:
		cli->duration = parse_seconds(arg, "--duration", st);
		cli->live_only = cli->live_only ?: "--duration";
		break;
	case 'c':
		cli->count = parse_count(arg, "--count", 1L << 40, st);
		cli->live_only = cli->live_only ?: "-c";
		break;
	case 'n':
		cli->top = parse_count(arg, "--top", 100000, st);
		break;
	case 'm':
		if (!strcmp(arg, "native"))
			cli->mode = XC_MODE_NATIVE;
		else if (!strcmp(arg, "generic") || !strcmp(arg, "skb"))
			cli->mode = XC_MODE_GENERIC;
		else if (!strcmp(arg, "auto"))
			cli->mode = XC_MODE_AUTO;
		else
			argp_error(st, "--mode must be native, generic or auto, not '%s'", arg);
		cli->live_only = cli->live_only ?: "-m";
		break;
	case 'o':
		cli->order = parse_order(arg, st);
		cli->live_only = cli->live_only ?: "-o"; /* offline lists are by packets */
		break;
	case 'B':
		cli->bytes_rate = true;
		break;
	case OPT_JSON:
	case OPT_TEXT:
		set_format(cli, key == OPT_JSON ? XC_FMT_JSON : XC_FMT_TEXT, st);
		break;
	case OPT_PROM:
		if (metrics_spec_check(arg))
			argp_error(st, "--prometheus wants [ADDR:]PORT, not '%s'", arg);
		cli->prometheus = arg;
		cli->live_only = cli->live_only ?: "--prometheus";
		break;
	case 'Z':
		cli->run_as = arg;
		cli->live_only = cli->live_only ?: "-Z"; /* offline attaches nothing */
		break;
	case OPT_NO_SIZES:
		cli->cfg.features &= ~(__u32)XC_F_SIZES;
		break;
	case OPT_NO_SOURCES:
		cli->cfg.features &= ~(__u32)XC_F_SOURCES;
		break;
	case OPT_NO_PORTS:
		cli->cfg.features &= ~(__u32)XC_F_PORTS;
		break;
	case OPT_NO_FLOWS:
		cli->cfg.features &= ~(__u32)XC_F_FLOWS;
		break;
	case OPT_NO_IFACES:
		cli->cfg.features &= ~(__u32)XC_F_IFACES;
		cli->live_only = cli->live_only ?: "--no-ifaces"; /* offline counts none */
		break;
	case OPT_SOURCES_MAX:
		cli->cfg.source_entries = (__u32)parse_count(arg, "--sources-max", 1 << 24, st);
		break;
	case OPT_FLOWS_MAX:
		cli->cfg.flow_entries = (__u32)parse_count(arg, "--flows-max", 1 << 24, st);
		break;
	case OPT_CACHE:
		cli->cfg.cache_entries = (__u32)parse_count(arg, "--cache-entries", 1 << 26, st);
		if (cli->cfg.cache_entries & (cli->cfg.cache_entries - 1) ||
		    cli->cfg.cache_entries < 2 * XC_CACHE_WAYS)
			argp_error(st, "--cache-entries must be a power of two from %d, not '%s'",
				   2 * XC_CACHE_WAYS, arg);
		break;
	case OPT_FRAGS:
		cli->cfg.variant = XC_VARIANT_FRAGS;
		break;
	case OPT_NO_DROPS:
		cli->no_drops = true;
		cli->live_only = cli->live_only ?: "--no-drops"; /* offline traces nothing */
		break;
	case OPT_OBSERVE:
		cli->observe = true;
		break;
	case OPT_KEYWISE:
		cli->cfg.keywise_reads = true;
		break;
	case 'v':
		cli->verbose = true;
		break;
	case 'h':
		argp_state_help(st, stdout, ARGP_HELP_STD_HELP);
		break;
	case ARGP_KEY_ARG:
		if (cli->n_ifaces == XC_MAX_ATTACH)
			argp_error(st, "at most %d interfaces", XC_MAX_ATTACH);
		cli->ifaces[cli->n_ifaces++] = arg;
		break;
	case ARGP_KEY_END:
		/* tcpdump's habit: -r FILE followed by a filter expression. */
		if (cli->n_reads && cli->n_ifaces)
			argp_error(st, "with -r FILE, give no interfaces or filter: '%s' "
				   "(xdpcount counts every frame; filter with tcpdump -w first)",
				   cli->ifaces[0]);
		if (cli->n_reads && cli->observe)
			argp_error(st, "--observe counts live on interfaces, not with -r FILE");
		if (!cli->n_reads && !cli->n_ifaces)
			argp_error(st, "give an interface to count on, or -r FILE");
		/* A slot of core counters for each interface counted on, no more:
		 * a slot is some KB on every CPU. */
		if (cli->n_ifaces)
			cli->cfg.iface_entries = (__u32)cli->n_ifaces;
		if (cli->n_reads && cli->live_only)
			argp_failure(st, XC_EXIT_USAGE, 0, "%s means nothing with -r: it is for live counting",
				     cli->live_only);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct argp argp = { options, parse_opt, "IFACE...", doc, NULL, NULL, NULL };
	struct xc_cli cli;
	int ret;

	memset(&cli, 0, sizeof(cli));
	xc_config_default(&cli.cfg);
	cli.interval = 1.0;
	cli.top = 10;
	argp_err_exit_status = XC_EXIT_USAGE;
	/* Every message, getopt's and argp's too, begins "xdpcount:". */
	argv[0] = (char *)"xdpcount";
	if (argp_parse(&argp, argc, argv, 0, NULL, &cli))
		return XC_EXIT_USAGE;
	if (!cli.n_reads && cli.interval < XC_INTERVAL_WARN)
		fprintf(stderr, "xdpcount: warning: -i %g: updates more often than every "
			"%g s read every map each time and cost much CPU\n",
			cli.interval, XC_INTERVAL_WARN);
	xc_set_verbose(cli.verbose);
	if (cli.n_reads)
		ret = xc_cli_offline(&cli);
	else
		ret = xc_cli_live(&cli);
	free(cli.reads);
	return ret;
}
