// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A capture run through the program: by BPF_PROG_TEST_RUN, or sent as live frames. */
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <criterion/criterion.h>
#include "capture.h"
#include "checks.h"
#include "fixtures.h"
#include "program.h"
#include "testnet.h"

#define PACE_FRAMES 64

struct run_ctx {
	struct xc_counter *xc;
	const struct xt_run_opts *opts;
	struct xc_replay *res;
	const char *name;
	unsigned long frame;
	__u8 in[XC_RECORD_BUF];
	__u8 out[XC_RECORD_BUF];
};

/* One record: run it unless too short, and check it passed through untouched. */
static void run_one(struct run_ctx *r, const struct xc_record *rec)
{
	const struct xt_expect *exp = r->opts->exp;
	const char *desc = exp && r->frame < exp->n_cases ?
			   exp->cases[r->frame].description : "";
	const __u8 *data = r->in;
	size_t len, out_len = 0;
	__u32 action = ~0u;
	int err;

	if (rec->caplen < XC_MIN_FRAME) {
		r->res->skipped++;
		return;
	}
	len = xc_record_layout(rec, r->in);
	err = xc_counter_run_meta(r->xc, data, len, &action, r->out, sizeof(r->out), &out_len);
	XT_EXPECT_EQ(err, 0, "%s: frame %lu (%s): BPF_PROG_TEST_RUN: %s", r->name, r->frame, desc,
		     strerror(-err));
	if (err)
		return;
	r->res->run++;
	XT_EXPECT_EQ(action, XDP_PASS, "%s: frame %lu (%s): action (XDP_PASS)", r->name, r->frame,
		     desc);
	cr_expect(out_len == len && !memcmp(r->out, data, len),
		  "%s: frame %lu (%s): the program changed the frame (%zu bytes in, %zu out)",
		  r->name, r->frame, desc, len, out_len);
	if (action != XDP_PASS || out_len != len || memcmp(r->out, data, len))
		r->res->altered++;
}

static int run_record(void *ctx, const struct xc_record *rec)
{
	struct run_ctx *r = ctx;
	const struct xt_run_opts *o = r->opts;

	if (o->before)
		o->before(o->ctx, r->frame);
	run_one(r, rec);
	if (o->after)
		o->after(o->ctx, r->frame, rec->data, rec->caplen);
	r->frame++;
	return 0;
}

int xt_run_capture(struct xc_counter *xc, const char *path,
		   const struct xt_run_opts *opts, struct xc_replay *res)
{
	static const struct xt_run_opts none;
	struct run_ctx *r = calloc(1, sizeof(*r));
	struct xc_replay counted;
	char err[512];
	int rc;

	cr_assert(r, "out of memory");
	memset(res, 0, sizeof(*res));
	r->xc = xc;
	r->opts = opts ? opts : &none;
	r->res = res;
	r->name = r->opts->exp ? r->opts->exp->name : path;
	rc = xc_capture_records(path, run_record, r, &counted, err, sizeof(err));
	res->records = counted.records;
	res->linktype = counted.linktype;
	res->snapped = counted.snapped;
	res->bad_length = counted.bad_length;
	res->first_ns = counted.first_ns;
	res->last_ns = counted.last_ns;
	free(r);
	return rc;
}

struct send_ctx {
	struct xc_counter *gen, *counter;
	int ifindex;
	unsigned long before, sent;
};

static int send_one(void *arg, const __u8 *frame, size_t len)
{
	struct send_ctx *s = arg;
	int err;

	if (len < XC_MIN_FRAME)
		return 0;
	err = xc_counter_send_live(s->gen, s->ifindex, frame, len, 1);
	XT_ASSERT_EQ(err, 0, "live frame %lu (%zu bytes): %s", s->sent, len, strerror(-err));
	s->sent++;
	if (s->sent % PACE_FRAMES == 0)
		cr_assert(xt_wait_total(s->counter, s->before + s->sent, 5000),
			  "the far end did not see %lu frames within 5 s", s->sent);
	return 0;
}

unsigned long xt_send_capture(struct xc_counter *gen, const char *gen_ns,
			      int gen_ifindex, const char *path,
			      struct xc_counter *counter, unsigned long before)
{
	struct send_ctx s = { gen, counter, gen_ifindex, before, 0 };
	struct xc_replay res;
	char err[256];
	int saved = xt_net_enter_or_fail(gen_ns), rc;

	rc = xc_capture_each(path, send_one, &s, &res, err, sizeof(err));
	xt_net_leave_or_fail(saved);
	XT_ASSERT_EQ(rc, XC_REPLAY_OK, "%s: %s", path, err);
	return s.sent;
}
