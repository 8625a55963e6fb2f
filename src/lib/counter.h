/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The counter: open, configure and load the XDP program, attach it with
 * bpf_link, and run frames through BPF_PROG_TEST_RUN.
 */
#ifndef XDPCOUNT_COUNTER_H
#define XDPCOUNT_COUNTER_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "xdpcount.h"

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
	bool wire_lengths;    /* offline: frames bring their wire length (xc_counter_run_meta) */
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
 * Run a frame's head with the length it counts in front, as XDP metadata
 * (a __u32, XC_META_LEN bytes): buf is that, then the head. Needs a counter
 * opened with cfg.wire_lengths. out gets the metadata and the frame back.
 */
#define XC_META_LEN 4
int xc_counter_run_meta(struct xc_counter *xc, const void *buf, size_t len,
			__u32 *retval, void *out, size_t out_cap, size_t *out_len);
/*
 * The same, as if the frame arrived on ifindex (an interface of the calling
 * thread's namespace); 0 means the kernel's default, the loopback device.
 */
int xc_counter_run_on(struct xc_counter *xc, int ifindex, const void *frame,
		      size_t len, __u32 *retval, void *out, size_t out_cap,
		      size_t *out_len);

#endif /* XDPCOUNT_COUNTER_H */
