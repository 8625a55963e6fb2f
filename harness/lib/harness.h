/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the Criterion suites share: where things are, the fixtures' expected
 * counts (pcaps/NAME.expect.json: gen.py's oracle), checks that compare what
 * the program counted with them, and running a capture frame by frame.
 * Checks report through cr_expect and return whether everything held, so
 * set-up reads as a ladder: if (!expect_ok(err, "open")) return;
 */
#ifndef XDPCOUNT_HARNESS_H
#define XDPCOUNT_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <json-c/json.h>
#include <linux/bpf.h> /* XDP_PASS: the action every run must return */
#include "libxdpcount.h"

/* ---- where things are: env XC_ROOT, XC_BIN, XC_PYTHON, else from the cwd ---- */

const char *xt_root(void);   /* the repository: XC_ROOT, else "." */
const char *xt_bin(void);    /* the CLI: XC_BIN, else ROOT/build/xdpcount */
const char *xt_python(void); /* a python with scapy: XC_PYTHON, else /usr/bin/python3 */
/* ROOT/pcaps/FILE into buf; returns buf. */
const char *xt_pcap_path(char *buf, size_t len, const char *file);

/* The fixtures whose frames are their own: X(name, capture file in pcaps/). */
#define XT_OWN_FRAMES(X)                        \
	X(l3_classes, "l3_classes.pcap")        \
	X(ipv4_edge, "ipv4_edge.pcap")          \
	X(ipv6_ext, "ipv6_ext.pcap")            \
	X(fragments, "fragments.pcap")          \
	X(vlan, "vlan.pcap")                    \
	X(sizes, "sizes.pcap")                  \
	X(short_frames, "short_frames.pcap")    \
	X(snaplen, "snaplen.pcap")              \
	X(mix, "mix.pcap")                      \
	X(many_sources, "many_sources.pcap")

/* The fixtures that hold the first frames of mix again, or none (empty). */
#define XT_MIX_FRAMES(X)                        \
	X(truncated, "truncated.pcap")          \
	X(mix_pcapng, "mix.pcapng")             \
	X(mix_nsec, "mix_nsec.pcap")            \
	X(mix_be, "mix_be.pcap")                \
	X(empty, "empty.pcap")

/* Every fixture with an expect file. */
#define XT_FIXTURES(X) XT_OWN_FRAMES(X) XT_MIX_FRAMES(X)

/* X(name, file) as a string: { XT_FIXTURES(XT_NAME_OF) } lists the names. */
#define XT_NAME_OF(name, file) #name,
#define XT_MIX_COPIES { XT_MIX_FRAMES(XT_NAME_OF) }

/* ---- expected counts ---- */

/* One record of a capture as gen.py declared it. */
struct xt_case {
	unsigned long frame; /* 0-based record index */
	char *description;
	size_t len;          /* bytes as captured */
	bool skipped;        /* shorter than XC_MIN_FRAME: never run */
	int l3;              /* enum xc_l3; -1 when skipped */
	int l4;              /* enum xc_l4; -1 when not in l4 */
	bool malformed;
	bool vlan;
	long l3_offset;      /* where gen.py built the network-layer header; -1: unknown */
	long l4_offset;      /* where it built the upper-layer header; -1: not IP */
	bool port;           /* counted in the ports table */
	bool flow;           /* counted in the flows table */
};

struct xt_expect {
	const char *name;
	char path[512];      /* the capture */
	unsigned long frames;
	unsigned long skipped;
	bool truncated;
	struct xc_counters c; /* no_l4 is total - sum(l4), by definition */
	long size_le[XC_SIZE_BUCKETS]; /* each bucket's upper bound; -1: open */
	struct xc_source *sources;
	size_t n_sources;
	struct xc_port *ports;
	size_t n_ports;
	struct xc_flow *flows; /* val.packets and val.bytes; no timestamps */
	size_t n_flows;
	struct xt_case *cases;
	size_t n_cases;
};

/* Load pcaps/NAME.expect.json for the capture pcaps/FILE; aborts the test on error. */
void xt_expect_load(struct xt_expect *exp, const char *name, const char *file);
void xt_expect_free(struct xt_expect *exp);

/* gen.py's class names, kept here: the oracle does not borrow the library's tables. */
extern const char *const xt_l3_names[XC_L3_MAX];
extern const char *const xt_l4_names[XC_L4_MAX];

/*
 * JSON in the expect files' (and `xdpcount --json`'s) shape; `what` names the
 * object in messages. Each aborts the test when a key is missing or mistyped.
 */
void xt_json_counters(const char *what, struct json_object *o,
		      struct xc_counters *c, long *size_le);
void xt_json_sources(const char *what, struct json_object *a,
		     struct xc_source **out, size_t *n);
void xt_json_ports(const char *what, struct json_object *a,
		   struct xc_port **out, size_t *n);
void xt_json_flows(const char *what, struct json_object *a,
		   struct xc_flow **out, size_t *n);
/* A key of an object; aborts the test when it is missing. */
struct json_object *xt_json_get(const char *what, struct json_object *o,
				const char *key);

/* Add the core counters one case declares to c (its size bucket from exp->size_le). */
void xt_case_count(const struct xt_expect *exp, const struct xt_case *k,
		   struct xc_counters *c);

/* ---- checks: each reports every difference, returns true when there was none ---- */

bool expect_ok(int err, const char *what);

/* Every counter: total, malformed, vlan, each l3, each l4, no_l4, each size bucket. */
bool expect_counters_eq(const char *what, const struct xc_counters *got,
			const struct xc_counters *want);

/* The contract's partitions and bounds; sizes: whether the histogram was counted. */
bool expect_counters_consistent(const char *what, const struct xc_counters *c,
				bool sizes);

/* Whole tables, matched by key whatever their order: every entry, packets and bytes. */
bool expect_sources_eq(const char *what, const struct xc_source *got, size_t n_got,
		       const struct xc_source *want, size_t n_want);
bool expect_ports_eq(const char *what, const struct xc_port *got, size_t n_got,
		     const struct xc_port *want, size_t n_want);
bool expect_flows_eq(const char *what, const struct xc_flow *got, size_t n_got,
		     const struct xc_flow *want, size_t n_want);
/* Only that each entry of got is in want with the same counts (an LRU kept a part). */
bool expect_sources_in(const char *what, const struct xc_source *got, size_t n_got,
		       const struct xc_source *want, size_t n_want);
bool expect_flows_in(const char *what, const struct xc_flow *got, size_t n_got,
		     const struct xc_flow *want, size_t n_want);

/*
 * Every l4 frame is in one source row, in `other`, or unrecorded by the cache:
 * their sum is l4's, packets and bytes. Needs XC_F_SOURCES and no traffic.
 */
bool expect_rows_cover_l4(const char *what, const struct xc_snapshot *s);

/* The snapshot's source, port and flow tables against the expected lists. */
bool expect_tables_eq(const char *what, const struct xc_snapshot *s,
		      const struct xt_expect *exp);

/*
 * The order counter.h documents for top-N, done here by a full sort: packets
 * descending, then bytes descending, then the key ascending (addresses and
 * flow keys as stored bytes, ports by protocol number then port).
 */
int xt_rank_source(const void *a, const void *b);
int xt_rank_port(const void *a, const void *b);
int xt_rank_flow(const void *a, const void *b);

/* ---- running captures ---- */

/* A counter with cfg (NULL: the defaults); aborts the test when it cannot load. */
struct xc_counter *xt_open(const struct xc_config *cfg);

struct xt_run_opts {
	const struct xt_expect *exp; /* names frames by their case (optional) */
	/* Around each record, run or skipped: e.g. move to a CPU, check one case. */
	void (*before)(void *ctx, unsigned long frame);
	void (*after)(void *ctx, unsigned long frame, const __u8 *data, size_t len);
	void *ctx;
};

/*
 * Run every record of a capture through xc_counter_run, checking that each
 * returns XDP_PASS and comes back byte for byte; records shorter than
 * XC_MIN_FRAME are counted in res->skipped, not run. Returns what
 * xc_capture_each returned.
 */
int xt_run_capture(struct xc_counter *xc, const char *path,
		   const struct xt_run_opts *opts, struct xc_replay *res);

/* A fresh snapshot; aborts the test when it cannot be read. */
void xt_snapshot(struct xc_counter *xc, struct xc_snapshot *s);

/* ---- other programs: the CLI, the generator ---- */

struct xt_proc {
	int status;  /* exit code; -1 when it did not exit normally */
	char *out;   /* stdout, NUL-terminated */
	size_t out_len;
	char *err;   /* stderr, NUL-terminated */
};

/* Run argv (argv[0] a path, NULL-terminated) to its end; aborts the test if it cannot start. */
void xt_proc_run(const char *const argv[], struct xt_proc *p);
void xt_proc_free(struct xt_proc *p);
/* All of a stream from its start, NUL-terminated, malloc'ed; NULL on error. */
char *xt_read_all(FILE *f, size_t *len);

/* ---- CPUs ---- */

#define XT_MAX_CPUS 256

struct xt_cpus {
	int n;
	int cpu[XT_MAX_CPUS];
};

/* The CPUs this process may run on, in order. */
void xt_cpus_allowed(struct xt_cpus *cpus);
/* Move the calling thread to one CPU; aborts the test when it cannot. */
void xt_pin_cpu(int cpu);
/* An xt_run_opts.before: record i runs on CPU i % n of ctx, a struct xt_cpus. */
void xt_round_robin(void *ctx, unsigned long frame);

#endif /* XDPCOUNT_HARNESS_H */
