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

/*
 * Default sizes; each is an option. The flow cache is per CPU, in the kernel;
 * sources and flows are the rows user space keeps of what the cache exports.
 */
#define XC_DEFAULT_CACHE 32768
#define XC_DEFAULT_SOURCES 65536
#define XC_DEFAULT_FLOWS 65536
#define XC_DEFAULT_RING (8u << 20)
#define XC_MAX_ATTACH XC_IFACE_SLOTS

/*
 * The largest frame the linear program is given: a test-run buffer is a page
 * less XDP headroom and the shared info. An interface whose MTU (plus Ethernet
 * header and two VLAN tags) is larger needs the multi-buffer program.
 */
#define XC_LINEAR_FRAME (4096 - 256 - 320)
#define XC_LINEAR_MTU (XC_LINEAR_FRAME - 14 - 2 * 4)

/* Which of the two programs counts: linear frames only, or multi-buffer. */
enum xc_variant {
	XC_VARIANT_AUTO,   /* linear where frames fit one buffer, else frags */
	XC_VARIANT_LINEAR,
	XC_VARIANT_FRAGS,
};

enum xc_mode {
	XC_MODE_AUTO,
	XC_MODE_NATIVE,
	XC_MODE_GENERIC,
};

struct xc_config {
	__u32 features;       /* XC_F_* bits of what to count */
	__u32 source_entries; /* user-space source rows; 0: default */
	__u32 flow_entries;   /* user-space flow rows; 0: default */
	__u32 cache_entries;  /* flow cache entries per CPU, a power of two; 0: default */
	__u32 iface_entries;  /* interface slots, at most XC_IFACE_SLOTS; 0: all */
	__u32 ring_bytes;     /* export ring buffer, a power-of-two number of pages; 0: default */
	enum xc_variant variant;
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
/* The program test runs of linear frames use: frags when the config asks for it. */
int xc_counter_prog_fd(const struct xc_counter *xc);
/* "linear" or "frags": the program attached to ifindex (or test runs' default). */
const char *xc_counter_variant(const struct xc_counter *xc, int ifindex);
const struct xc_config *xc_counter_config(const struct xc_counter *xc);

/* Print libbpf's messages (verifier log included) on stderr, or not. */
void xc_set_verbose(bool verbose);

/*
 * Attach through a bpf_link. AUTO tries native first, then generic; *used
 * says which mode took. -EBUSY/-EEXIST: the interface already has XDP. The
 * variant is linear unless the MTU needs multi-buffer frames, the config asks
 * for frags, or the mode is generic (where a linear program would make the
 * kernel linearize every GRO packet). The interface gets its counters slot.
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

/* Zero every map and the user-space rows of exported entries. */
int xc_counter_reset(struct xc_counter *xc);

/*
 * Take the flow cache's exported entries out of the ring buffer into the
 * user-space rows. A snapshot drains too; a live user drains whenever
 * xc_counter_exports_fd is readable, so the ring does not fill. Thread-safe.
 * Returns the records taken or a negative errno.
 */
int xc_counter_drain(struct xc_counter *xc);
/* An fd that polls readable when exports wait; -1 when no table is on. */
int xc_counter_exports_fd(const struct xc_counter *xc);

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
