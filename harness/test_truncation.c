// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Every truncation: every prefix of every fixture frame, from 14 bytes to its
 * full length, through BPF_PROG_TEST_RUN. Each must run without error, return
 * XDP_PASS, come back unchanged and count as the class the contract gives a
 * frame that ends there. That class comes from gen.py: the frame's declared
 * class and the offsets where it built the network-layer and upper-layer
 * headers (cases[].l3_offset, l4_offset), never from the program or parser.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>
#include "checks.h"
#include "fixtures.h"
#include "frame_class.h"
#include "parse_copy.h"
#include "parse_copy.skel.h"
#include "program.h"

#define FRAME_MAX 65536
#define FAILURES_SHOWN 10 /* per fixture; the rest are counted */

struct trunc_ctx {
	struct xc_counter *xc;
	const struct xt_expect *exp;
	unsigned long frame;
	unsigned long prefixes;
	unsigned long failed;
	__u8 out[FRAME_MAX];
};

/* Bytes of a TCP or UDP header that carry ports the program counts. */
static long l4_header_len(int l4)
{
	return l4 == XC_L4_TCP ? 20 : 8;
}

/* The class of the first p bytes of a declared frame, by the contract. */
static void prefix_class(const struct xt_case *k, size_t p, struct xt_class *c)
{
	long n = (long)p;

	memset(c, 0, sizeof(*c));
	c->vlan = k->vlan; /* the outer EtherType is in every prefix */
	c->l4 = -1;
	if (n < k->l3_offset) {
		c->l3 = XC_L3_OTHER; /* ends inside a VLAN tag */
		return;
	}
	c->l3 = k->l3;
	if (k->l3 != XC_L3_IPV4 && k->l3 != XC_L3_IPV6)
		return;
	if (k->malformed || n < k->l4_offset) {
		c->malformed = true; /* IP header or extension chain past the end */
		return;
	}
	c->l4 = k->l4;
	c->source = true;
	c->port = k->port && n >= k->l4_offset + l4_header_len(k->l4);
	c->flow = k->flow && (c->port || (k->l4 != XC_L4_TCP && k->l4 != XC_L4_UDP));
}

/* One prefix; false (reported while few) when anything differs. */
static bool check_prefix(struct trunc_ctx *t, const struct xt_case *k,
			 const __u8 *data, size_t p)
{
	struct xt_class want, got;
	struct xc_probe probe;
	char why[160] = "", ws[96], gs[96];
	bool show = t->failed < FAILURES_SHOWN;
	int err;

	prefix_class(k, p, &want);
	err = xc_counter_probe(t->xc, data, p, t->out, sizeof(t->out), &probe);
	if (err) {
		if (show)
			XT_EXPECT_EQ(err, 0, "%s: case %lu (%s): %zu-byte prefix: probe: %s",
				     t->exp->name, t->frame, k->description, p, strerror(-err));
		return false;
	}
	if (probe.retval != XDP_PASS || probe.out_len != p || memcmp(t->out, data, p)) {
		if (show)
			cr_expect_fail("%s: case %lu (%s): %zu-byte prefix: action %u, %zu bytes"
				       " out: want XDP_PASS and the frame unchanged",
				       t->exp->name, t->frame, k->description, p,
				       probe.retval, probe.out_len);
		return false;
	}
	if (xt_class_of_probe(&probe, p, &got, why, sizeof(why)) && xt_class_eq(&got, &want))
		return true;
	if (show)
		cr_expect_fail("%s: case %lu (%s): %zu-byte prefix: counted as %s, want %s %s",
			       t->exp->name, t->frame, k->description, p,
			       xt_class_str(&got, gs, sizeof(gs)),
			       xt_class_str(&want, ws, sizeof(ws)), why);
	return false;
}

static int every_prefix(void *ctx, const __u8 *data, size_t len)
{
	struct trunc_ctx *t = ctx;
	const struct xt_case *k;

	cr_assert_lt(t->frame, t->exp->n_cases, "%s: more records than cases", t->exp->name);
	k = &t->exp->cases[t->frame];
	XT_ASSERT_EQ(len, k->len, "%s: case %lu: bytes, as declared", t->exp->name, t->frame);
	if (!k->skipped) {
		cr_assert(k->l3_offset >= 0 && (k->malformed || k->l4 < 0 || k->l4_offset >= 0),
			  "%s: case %lu (%s): gen.py recorded no header offsets",
			  t->exp->name, t->frame, k->description);
		for (size_t p = XC_MIN_FRAME; p <= len; p++) {
			t->prefixes++;
			if (!check_prefix(t, k, data, p))
				t->failed++;
		}
	}
	t->frame++;
	return 0;
}

static void check_truncations(const char *name, const char *file)
{
	struct xc_replay res;
	struct xc_config cfg;
	struct xt_expect exp;
	struct trunc_ctx *t = calloc(1, sizeof(*t));
	char err[256];
	int rc;

	cr_assert(t, "out of memory");
	xt_expect_load(&exp, name, file);
	xt_probe_config(&cfg);
	t->xc = xt_open(&cfg);
	t->exp = &exp;
	XT_EXPECT_OK(xc_counter_reset(t->xc), "xc_counter_reset");
	rc = xc_capture_each(exp.path, every_prefix, t, &res, err, sizeof(err));
	XT_EXPECT_EQ(rc, XC_REPLAY_OK, "%s: xc_capture_each (%s)", name, err);
	XT_EXPECT_EQ(t->frame, exp.n_cases, "%s: records, one per case", name);
	XT_EXPECT_EQ(t->failed, 0, "%s: prefixes that failed, of %lu", name, t->prefixes);
	cr_log_info("truncation: %s: %lu frames, %lu prefixes: %s", name, t->frame,
		    t->prefixes, t->failed ? "FAILED" : "passed");
	xc_counter_close(t->xc);
	xt_expect_free(&exp);
	free(t);
}

#define TRUNCATION_TEST(name, file)                             \
	Test(truncation, name, .timeout = 60)                   \
	{                                                       \
		check_truncations(#name, file);                 \
	}
XT_OWN_FRAMES(TRUNCATION_TEST)

#define FIXTURE_NAME(name, file) #name,

/*
 * A fixture added to the harness's list has frames of its own, is named a
 * copy, or is counted whole only (frames beyond a test run, a damaged record).
 */
Test(truncation, every_fixture_is_covered)
{
	static const char *const own[] = { XT_OWN_FRAMES(FIXTURE_NAME) };
	static const char *const copies[] = XT_MIX_COPIES;
	static const char *const whole[] = { XT_WHOLE_ONLY(FIXTURE_NAME) };
	static const char *const all[] = { XT_FIXTURES(FIXTURE_NAME) };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		bool found = false;

		for (size_t j = 0; j < sizeof(own) / sizeof(own[0]); j++)
			found |= !strcmp(all[i], own[j]);
		for (size_t j = 0; j < sizeof(copies) / sizeof(copies[0]); j++)
			found |= !strcmp(all[i], copies[j]);
		for (size_t j = 0; j < sizeof(whole) / sizeof(whole[0]); j++)
			found |= !strcmp(all[i], whole[j]);
		cr_expect(found, "fixture %s: in none of XT_OWN_FRAMES, XT_MIX_COPIES, XT_WHOLE_ONLY",
			  all[i]);
	}
}

/*
 * The parser over a copy of headers: harness/parse_copy.bpf.c copies a frame's
 * first XT_HEADER_COPY bytes into a map value and parses them there, as a
 * tracing program must. The verifier bounds a map value by offsets alone; the copy is
 * a truncated frame, so its class is the contract's for the frame cut there.
 */
struct copy_ctx {
	struct parse_copy_bpf *skel;
	const struct xt_expect *exp;
	unsigned long frame;
	unsigned long checked;
	unsigned long cut;     /* frames longer than the copy */
	unsigned long failed;
};

static struct parse_copy_bpf *open_parse_copy(void)
{
	struct parse_copy_bpf *skel = parse_copy_bpf__open_and_load();

	cr_assert(skel, "parse_copy.bpf.o: not loaded (the verifier log is above): %s",
		  strerror(errno));
	return skel;
}

/* The class parse_copy gave the last frame it ran. */
static void copy_class(const struct parse_copy_bpf *skel, struct xt_class *c)
{
	const struct copy_class *p = &skel->bss->parsed;

	memset(c, 0, sizeof(*c));
	c->l3 = p->l3;
	c->l4 = p->l4 < XC_L4_MAX ? (int)p->l4 : -1;
	c->malformed = p->malformed;
	c->vlan = p->vlan;
	c->source = c->l4 >= 0;
	c->port = p->ports;
	c->flow = p->flow;
}

static int check_copy(void *ctx, const __u8 *data, size_t len)
{
	struct copy_ctx *t = ctx;
	size_t cut = len < XT_HEADER_COPY ? len : XT_HEADER_COPY;
	LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = data, .data_size_in = len);
	const struct xt_case *k;
	struct xt_class want, got;
	char ws[96], gs[96];
	int err;

	cr_assert_lt(t->frame, t->exp->n_cases, "%s: more records than cases", t->exp->name);
	k = &t->exp->cases[t->frame++];
	if (k->skipped)
		return 0;
	err = bpf_prog_test_run_opts(bpf_program__fd(t->skel->progs.parse_copy), &run);
	XT_ASSERT_EQ(err, 0, "%s: case %lu: test run: %s", t->exp->name, t->frame - 1,
		     strerror(errno));
	XT_ASSERT_EQ(run.retval, XDP_PASS, "%s: case %lu: action (not XDP_PASS: the copy failed)",
		     t->exp->name, t->frame - 1);
	prefix_class(k, cut, &want);
	copy_class(t->skel, &got);
	t->checked++;
	t->cut += cut < len;
	if (xt_class_eq(&got, &want))
		return 0;
	if (t->failed++ < FAILURES_SHOWN)
		cr_expect_fail("%s: case %lu (%s): %zu-byte copy parsed as %s, want %s",
			       t->exp->name, t->frame - 1, k->description, cut,
			       xt_class_str(&got, gs, sizeof(gs)),
			       xt_class_str(&want, ws, sizeof(ws)));
	return 0;
}

static void check_header_copies(const char *name, const char *file)
{
	struct copy_ctx t = { .skel = open_parse_copy() };
	struct xc_replay res;
	struct xt_expect exp;
	char err[256];
	int rc;

	xt_expect_load(&exp, name, file);
	t.exp = &exp;
	rc = xc_capture_each(exp.path, check_copy, &t, &res, err, sizeof(err));
	XT_EXPECT_EQ(rc, XC_REPLAY_OK, "%s: xc_capture_each (%s)", name, err);
	XT_EXPECT_EQ(t.failed, 0, "%s: header copies misparsed, of %lu", name, t.checked);
	cr_log_info("header copy: %s: %lu frames, %lu longer than the copy: %s", name,
		    t.checked, t.cut, t.failed ? "FAILED" : "passed");
	parse_copy_bpf__destroy(t.skel);
	xt_expect_free(&exp);
}

/* The verifier accepts the parser over a 256-byte map value. */
Test(truncation, header_copy_verifies)
{
	parse_copy_bpf__destroy(open_parse_copy());
}

#define HEADER_COPY_TEST(name, file)                            \
	Test(truncation, header_copy_##name, .timeout = 60)     \
	{                                                       \
		check_header_copies(#name, file);               \
	}
XT_OWN_FRAMES(HEADER_COPY_TEST)
