/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Captures through the program: pcap/pcapng → BPF_PROG_TEST_RUN. */
#ifndef XDPCOUNT_REPLAY_H
#define XDPCOUNT_REPLAY_H

#include <stddef.h>
#include <linux/types.h>
#include "counter.h"

#define XC_MIN_FRAME 14 /* the kernel refuses shorter test-run input */

/* Why a capture could not be read (all but TRUNCATED leave no counts). */
enum xc_replay_err {
	XC_REPLAY_OK = 0,
	XC_REPLAY_UNREADABLE, /* missing, no permission, a directory */
	XC_REPLAY_FORMAT,     /* not a pcap or pcapng capture */
	XC_REPLAY_LINKTYPE,   /* not Ethernet */
	XC_REPLAY_TRUNCATED,  /* cut mid-record: the counts are up to the cut */
	XC_REPLAY_RUN,        /* BPF_PROG_TEST_RUN failed */
};

struct xc_replay {
	__u64 records; /* frames read from the file */
	__u64 run;     /* frames run through the program */
	__u64 skipped; /* shorter than XC_MIN_FRAME */
	__u64 altered; /* frames whose action or bytes the program changed */
	int linktype;
	int run_errno; /* with XC_REPLAY_RUN */
};

/* Called for every record; a non-zero return stops the walk with that value. */
typedef int (*xc_frame_fn)(void *ctx, const __u8 *frame, size_t len);

/*
 * Walk every record of a capture. Returns an enum xc_replay_err, a callback's
 * non-zero value, and a one-line reason in err.
 */
int xc_capture_each(const char *path, xc_frame_fn fn, void *ctx,
		    struct xc_replay *res, char *err, size_t errlen);

/*
 * Whether a capture can be counted at all (it opens, it is a capture, it is
 * Ethernet), without privileges: the enum xc_replay_err and a reason in err.
 */
int xc_capture_check(const char *path, char *err, size_t errlen);

/* Count a whole capture with the loaded program. */
int xc_replay_file(struct xc_counter *xc, const char *path,
		   struct xc_replay *res, char *err, size_t errlen);

#endif /* XDPCOUNT_REPLAY_H */
