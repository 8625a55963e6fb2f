/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A capture run through the program: record by record with
 * BPF_PROG_TEST_RUN, or sent as live frames out of a veth end.
 */
#ifndef XDPCOUNT_CAPTURE_H
#define XDPCOUNT_CAPTURE_H

#include <stddef.h>
#include "fixtures.h"
#include "libxdpcount.h"

struct xt_run_opts {
	const struct xt_expect *exp; /* names frames by their case (optional) */
	/* Around each record, run or skipped: e.g. move to a CPU, check one case. */
	void (*before)(void *ctx, unsigned long frame);
	void (*after)(void *ctx, unsigned long frame, const __u8 *data, size_t len);
	void *ctx;
};

/*
 * Run every record of a capture through xc_counter_run_meta (its head and the
 * length it counts; the counter needs cfg.wire_lengths, as xt_open gives),
 * checking that each returns XDP_PASS and comes back byte for byte; records
 * shorter than XC_MIN_FRAME are counted in res->skipped, not run. Returns
 * what xc_capture_records returned.
 */
int xt_run_capture(struct xc_counter *xc, const char *path,
		   const struct xt_run_opts *opts, struct xc_replay *res);

/*
 * Send every record of a capture out of gen_ifindex (in gen_ns) with live
 * frames; the generator's XDP_TX puts each on the wire once. Every 64 frames
 * it waits until counter, on the other end, has seen them, so no ring
 * overflows. Returns the frames sent.
 */
unsigned long xt_send_capture(struct xc_counter *gen, const char *gen_ns,
			      int gen_ifindex, const char *path,
			      struct xc_counter *counter, unsigned long before);

#endif /* XDPCOUNT_CAPTURE_H */
