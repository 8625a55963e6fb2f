/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Captures through the program: pcap/pcapng → BPF_PROG_TEST_RUN. */
#ifndef XDPCOUNT_REPLAY_H
#define XDPCOUNT_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "counter.h"

#define XC_MIN_FRAME 14     /* the kernel refuses shorter test-run input */
#define XC_WIRE_MAX 262144  /* libpcap's largest frame: longer wire lengths are not true */
/*
 * The bytes of a frame's head a test run keeps in its first buffer (a 4 KiB
 * page less headroom and shared info): the program parses no further, live
 * or offline, so only these are run, with the wire length in the metadata.
 */
#define XC_HEAD_MAX 3520
#define XC_RECORD_BUF (XC_META_LEN + XC_HEAD_MAX)

/* Why a capture could not be read (all but TRUNCATED and DAMAGED leave no counts). */
enum xc_replay_err {
	XC_REPLAY_OK = 0,
	XC_REPLAY_UNREADABLE, /* missing, no permission, a directory */
	XC_REPLAY_FORMAT,     /* not a pcap or pcapng capture */
	XC_REPLAY_LINKTYPE,   /* not Ethernet */
	XC_REPLAY_TRUNCATED,  /* cut mid-record: the counts are up to the cut */
	XC_REPLAY_RUN,        /* BPF_PROG_TEST_RUN failed */
	XC_REPLAY_DAMAGED,    /* a record libpcap cannot read: counts up to it */
};

struct xc_replay {
	__u64 records;    /* good records read from the file */
	__u64 run;        /* frames run through the program */
	__u64 skipped;    /* shorter than XC_MIN_FRAME */
	__u64 altered;    /* frames whose action the program changed */
	__u64 snapped;    /* captured length below the wire length */
	__u64 bad_length; /* wire length below the captured one or above XC_WIRE_MAX */
	__u64 bytes;      /* what the records count: wire bytes (skipped ones too) */
	__u64 first_ns;   /* the first record's time, ns since the epoch */
	__u64 last_ns;    /* the last record's */
	int linktype;
	int run_errno;    /* with XC_REPLAY_RUN */
};

/* One record of a capture. */
struct xc_record {
	const __u8 *data;
	__u32 caplen;    /* bytes in the capture */
	__u32 wirelen;   /* bytes on the wire, as the record says */
	__u32 len;       /* bytes it counts: wirelen, or caplen when wirelen cannot be true */
	bool bad_length;
	__u64 ts_ns;     /* ns since the epoch */
	__u64 index;     /* from 0 */
};

/* Called for every record; a non-zero return stops the walk with that value. */
typedef int (*xc_record_fn)(void *ctx, const struct xc_record *rec);
typedef int (*xc_frame_fn)(void *ctx, const __u8 *frame, size_t len);

/*
 * Walk every record of a capture ("-": standard input). Returns an enum
 * xc_replay_err or a callback's non-zero value, with a one-line reason in err
 * that names the bad record. res counts the good records.
 */
int xc_capture_records(const char *path, xc_record_fn fn, void *ctx,
		       struct xc_replay *res, char *err, size_t errlen);
/* The same with each record's captured bytes only. */
int xc_capture_each(const char *path, xc_frame_fn fn, void *ctx,
		    struct xc_replay *res, char *err, size_t errlen);

/*
 * Whether a capture can be counted at all (it opens, it is a capture, it is
 * Ethernet), without privileges: the enum xc_replay_err and a reason in err.
 * It reads the file's header: not for standard input.
 */
int xc_capture_check(const char *path, char *err, size_t errlen);

/*
 * A record as xc_counter_run_meta takes it: the length it counts, then its
 * head (at most XC_HEAD_MAX bytes). buf holds XC_RECORD_BUF; returns the length.
 */
size_t xc_record_layout(const struct xc_record *rec, void *buf);

/*
 * Count a whole capture with the program, loaded with cfg.wire_lengths, from
 * one thread per CPU: each flow's frames run in capture order on one CPU.
 */
int xc_replay_file(struct xc_counter *xc, const char *path,
		   struct xc_replay *res, char *err, size_t errlen);

#endif /* XDPCOUNT_REPLAY_H */
