/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * libxdpcount: the one user-space library. It opens, configures and loads the
 * XDP program, attaches it with bpf_link, runs frames through
 * BPF_PROG_TEST_RUN and reads whole maps into snapshots.
 */
#ifndef XDPCOUNT_COUNTER_H
#define XDPCOUNT_COUNTER_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "../prog/xdpcount.h"

/* Default table sizes; each is a load-time option. */
#define XC_DEFAULT_SOURCES 65536
#define XC_DEFAULT_FLOWS 65536
#define XC_DEFAULT_IFACES 256
#define XC_MAX_ATTACH 64

enum xc_mode {
	XC_MODE_AUTO,
	XC_MODE_NATIVE,
	XC_MODE_GENERIC,
};

struct xc_config {
	__u32 features;       /* XC_F_* bits of what to count */
	__u32 source_entries; /* 0: default */
	__u32 flow_entries;   /* 0: default */
	__u32 iface_entries;  /* 0: default */
	__u32 action;         /* XDP_PASS; another action is for benchmarks */
	bool keywise_reads;   /* read maps key by key even where batch works */
};

/* The configuration every user starts from: everything on, XDP_PASS. */
void xc_config_default(struct xc_config *cfg);

struct xc_counter;

/*
 * Open, configure and load. Returns 0 or a negative errno; -EPERM means the
 * caller lacks CAP_BPF/CAP_NET_ADMIN (or root).
 */
int xc_counter_open(const struct xc_config *cfg, struct xc_counter **out);
void xc_counter_close(struct xc_counter *xc);
int xc_counter_prog_fd(const struct xc_counter *xc);
const struct xc_config *xc_counter_config(const struct xc_counter *xc);

/* Print libbpf's messages (verifier log included) on stderr, or not. */
void xc_set_verbose(bool verbose);

/*
 * Attach through a bpf_link. AUTO tries native first, then generic; *used
 * says which mode took. -EBUSY/-EEXIST: the interface already has XDP.
 */
int xc_counter_attach(struct xc_counter *xc, int ifindex, enum xc_mode mode,
		      enum xc_mode *used);
int xc_counter_detach(struct xc_counter *xc, int ifindex);
const char *xc_mode_name(enum xc_mode mode);

/* The id and name of the XDP program on an interface; 0 when there is none. */
int xc_xdp_query(int ifindex, __u32 *prog_id, char *name, size_t name_len);

/*
 * Run one frame `repeat` times on the calling CPU; *ns_per_run gets the
 * kernel's own average duration of one run. For benchmarks.
 */
int xc_counter_run_repeat(struct xc_counter *xc, const void *frame, size_t len,
			  __u32 repeat, __u64 *ns_per_run);

/*
 * Transmit a frame `repeat` times out of ifindex with BPF_PROG_TEST_RUN live
 * frames: the program runs as if the frame arrived on ifindex, and its action
 * (XDP_TX for a generator) is carried out for real.
 */
int xc_counter_send_live(struct xc_counter *xc, int ifindex, const void *frame,
			 size_t len, __u32 repeat);

/* What the kernel says of the loaded program: verifier and JIT figures. */
struct xc_prog_stats {
	__u32 verified_insns; /* instructions the verifier processed */
	__u32 xlated_len;     /* bytes after the verifier's rewrites */
	__u32 jited_len;      /* bytes of machine code */
	__u32 prog_id;
};
int xc_counter_prog_stats(const struct xc_counter *xc, struct xc_prog_stats *st);

/*
 * The same for any loaded XDP program by fd, so reference programs (the
 * benchmarks' empty and drop programs) run and attach exactly as the counter
 * does: the xc_counter_ functions above are these on the counter's program.
 * xc_prog_send_live's *ns_per_frame (optional) is the kernel's own time per
 * frame, the time the thread yielded the CPU left out; a veth peer's receive
 * work runs inside it, on the same CPU. xc_prog_attach returns the bpf_link
 * fd (close it to detach) or -errno.
 */
int xc_prog_run_repeat(int prog_fd, const void *frame, size_t len,
		       __u32 repeat, __u64 *ns_per_run);
int xc_prog_send_live(int prog_fd, int ifindex, const void *frame, size_t len,
		      __u32 repeat, __u64 *ns_per_frame);
int xc_prog_stats(int prog_fd, struct xc_prog_stats *st);
int xc_prog_attach(int prog_fd, int ifindex, enum xc_mode mode,
		   enum xc_mode *used);

/* A map's memory as the kernel charges it (memlock in /proc/self/fdinfo); 0 if unknown. */
__u64 xc_map_memlock(int map_fd);

/* Zero every map. */
int xc_counter_reset(struct xc_counter *xc);

/*
 * Run one frame through BPF_PROG_TEST_RUN on the calling CPU. *retval gets the
 * XDP action; out (optional, out_cap bytes) gets the frame as the program left
 * it, *out_len its length.
 */
int xc_counter_run(struct xc_counter *xc, const void *frame, size_t len,
		   __u32 *retval, void *out, size_t out_cap, size_t *out_len);
/*
 * The same, as if the frame arrived on ifindex (an interface of the calling
 * thread's namespace); 0 means the kernel's default, the loopback device.
 */
int xc_counter_run_on(struct xc_counter *xc, int ifindex, const void *frame,
		      size_t len, __u32 *retval, void *out, size_t out_cap,
		      size_t *out_len);

/* ---- snapshots ---- */

struct xc_source {
	struct xc_addr addr;
	struct xc_pb pb;
};

struct xc_port {
	__u8 proto; /* IPPROTO_TCP or IPPROTO_UDP */
	__u16 port;
	struct xc_pb pb;
};

struct xc_flow {
	struct xc_flow_key key;
	struct xc_flow_val val; /* first/last_seen: CLOCK_MONOTONIC ns, within a tick */
};

struct xc_iface {
	__u32 ifindex;
	struct xc_counters c;
};

struct xc_table {
	__u64 entries;  /* keys in the table now */
	__u64 capacity; /* max_entries */
	__u64 inserted; /* keys the program created */
	__u64 failed;   /* keys it could not record */
	__u64 evicted;  /* inserted - entries: pushed out by LRU */
};

struct xc_snapshot {
	__u64 mono_ns; /* CLOCK_MONOTONIC when the snapshot was taken */
	struct xc_counters total;
	struct xc_iface *ifaces;
	size_t n_ifaces;
	struct xc_source *sources;
	size_t n_sources;
	struct xc_port *ports; /* only ports that saw packets */
	size_t n_ports;
	struct xc_flow *flows;
	size_t n_flows;
	struct xc_table tables[XC_TAB_MAX];
	bool batch; /* read with batch operations */
};

/* Read every map, summing CPUs. Free with xc_snapshot_free. */
int xc_counter_snapshot(struct xc_counter *xc, struct xc_snapshot *snap);
void xc_snapshot_free(struct xc_snapshot *snap);
/* Only the core counters summed over CPUs and interfaces: the cheap part. */
int xc_counter_totals(struct xc_counter *xc, struct xc_counters *total);
/*
 * The same per CPU, not summed: cpus gets libbpf_num_possible_cpus() entries.
 * Shows how the load spread; their sum is the total.
 */
int xc_counter_cpu_totals(struct xc_counter *xc, struct xc_counters *cpus);

/* Sum two counter sets: dst += src. */
void xc_counters_add(struct xc_counters *dst, const struct xc_counters *src);

/*
 * Top-N by packets (ties: bytes, then key), by partial selection. Fills idx
 * with up to n indexes into the snapshot's array, best first; returns count.
 */
size_t xc_top_sources(const struct xc_snapshot *s, size_t n, size_t *idx);
size_t xc_top_ports(const struct xc_snapshot *s, size_t n, size_t *idx);
size_t xc_top_flows(const struct xc_snapshot *s, size_t n, size_t *idx);

/* inet_ntop of a stored address (v4-mapped prints as IPv4). */
const char *xc_addr_str(const struct xc_addr *a, char *buf, size_t len);
/* "tcp", "udp", "icmp", "icmpv6" or the number. */
const char *xc_proto_str(__u8 proto, char *buf, size_t len);

extern const char *const xc_l3_names[XC_L3_MAX];
extern const char *const xc_l4_names[XC_L4_MAX];
extern const int xc_size_bounds[XC_SIZE_BUCKETS - 1];

/* ---- rates: two snapshots over the real time between them ---- */

struct xc_rate {
	double pps; /* packets per second */
	double bps; /* bits per second */
};

/* Every core counter's rate, and the seconds they were measured over. */
struct xc_rates {
	double seconds;
	struct xc_rate total, malformed, vlan;
	struct xc_rate l3[XC_L3_MAX];
	struct xc_rate l4[XC_L4_MAX];
	struct xc_rate sizes[XC_SIZE_BUCKETS];
};

/* Seconds from prev to cur by their CLOCK_MONOTONIC stamps; 0 if cur is not later. */
double xc_snapshot_seconds(const struct xc_snapshot *prev,
			   const struct xc_snapshot *cur);
/* One counter's rate over secs; zero when secs <= 0 or the counter went back. */
struct xc_rate xc_rate_pb(const struct xc_pb *prev, const struct xc_pb *cur,
			  double secs);
void xc_counters_rates(const struct xc_counters *prev,
		       const struct xc_counters *cur, double secs,
		       struct xc_rates *r);
/* The totals' rates from prev to cur, over the real time between them. */
void xc_snapshot_rates(const struct xc_snapshot *prev,
		       const struct xc_snapshot *cur, struct xc_rates *r);
/* One interface's counters in a snapshot, or NULL when it has none. */
const struct xc_counters *xc_snapshot_iface(const struct xc_snapshot *s,
					    __u32 ifindex);

#endif /* XDPCOUNT_COUNTER_H */
