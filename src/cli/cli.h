/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The xdpcount command line: options and exit codes, shared by its modes. */
#ifndef XDPCOUNT_CLI_H
#define XDPCOUNT_CLI_H

#include <stdbool.h>
#include "libxdpcount.h"

/* Exit codes: each failure has its own, so scripts can tell them apart. */
enum xc_exit {
	XC_EXIT_OK = 0,
	XC_EXIT_FAIL = 1,      /* anything not listed below */
	XC_EXIT_USAGE = 2,     /* bad option or value */
	XC_EXIT_PERM = 3,      /* needs root or XC_CAPS */
	XC_EXIT_NOIF = 4,      /* no such interface */
	XC_EXIT_FILE = 5,      /* capture missing or unreadable */
	XC_EXIT_FORMAT = 6,    /* not a capture */
	XC_EXIT_LINKTYPE = 7,  /* capture is not Ethernet */
	XC_EXIT_TRUNCATED = 8, /* capture cut short; counts up to the cut printed */
	XC_EXIT_BUSY = 9,      /* interface already has an XDP program */
	XC_EXIT_IFLOST = 10,   /* an interface disappeared while counting */
};

enum xc_format {
	XC_FMT_AUTO, /* TTY view on a terminal, text otherwise */
	XC_FMT_TEXT,
	XC_FMT_JSON,
};

/* The order of the top lists: by counts since start, or by the current rate. */
enum xc_order {
	XC_ORDER_PACKETS,
	XC_ORDER_BYTES,
	XC_ORDER_PPS,
	XC_ORDER_RATE, /* bit/s, or B/s with -B: the same order */
	XC_ORDER_MAX,
};

extern const char *const xc_order_names[XC_ORDER_MAX];

struct xc_cli {
	struct xc_config cfg;
	const char **reads;      /* -r FILE...: offline mode; "-" is standard input */
	int n_reads;
	const char *live_only;   /* the first option given that means nothing offline */
	const char *ifaces[XC_MAX_ATTACH];
	int n_ifaces;
	enum xc_format format;
	enum xc_mode mode;
	double interval;         /* seconds */
	double duration;         /* seconds; 0: until a signal */
	long count;              /* intervals; 0: until a signal */
	long top;
	const char *prometheus;  /* [ADDR:]PORT or NULL */
	enum xc_order order;     /* -o: top lists of the readable views */
	bool bytes_rate;         /* -B: rates in bytes per second, not bits */
	bool no_drops;           /* no kernel drop reasons */
	bool observe;            /* count beside the XDP programs already there */
	bool verbose;
};

/* What loading and attaching need, short of root. */
#define XC_CAPS "CAP_BPF+CAP_NET_ADMIN+CAP_PERFMON"

/* The capabilities of XC_CAPS this process lacks ("CAP_BPF+CAP_PERFMON"), or NULL. */
const char *xc_cli_missing_caps(char *buf, size_t len);
/* What observe mode needs of CAP_SYS_ADMIN+CAP_BPF+CAP_PERFMON and lacks, or NULL. */
const char *xc_cli_missing_observe_caps(char *buf, size_t len);

/* An errno from loading or attaching, as the exit code that explains it. */
int xc_exit_for_errno(int err);

/*
 * Open and load the program with the options' configuration. On failure it
 * says why on stderr (privileges by name) and returns the exit code.
 */
int xc_cli_open_counter(const struct xc_cli *cli, struct xc_counter **xc);

#endif /* XDPCOUNT_CLI_H */
