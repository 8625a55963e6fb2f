// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The differential check: the same bytes through BPF_PROG_TEST_RUN (the loaded
 * program) and through the user-space build of prog/parse.h must give the
 * same class and the same table keys. Over every fixture frame, and over
 * mutants of the header-rich fixtures made by a seeded generator. The fuzzer's
 * corpus and findings go through the same check in build/xdpcount-diff.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "checks.h"
#include "fixtures.h"
#include "frame_class.h"
#include "paths.h"
#include "program.h"

#define FAILURES_SHOWN 10
#define MUTANTS_PER_FRAME 300
#define MUTATED_BYTES 128 /* where the headers are */
#define HEX_BYTES 96      /* of a differing frame, in the message */

struct diff_ctx {
	struct xc_counter *xc;
	const char *name;
	unsigned long frame;
	unsigned long checked;
	unsigned long differ;
	unsigned long mutants; /* per frame; 0: the frame itself */
	__u64 rng;
	__u8 buf[XT_TEST_RUN_LINEAR];
};

/* The first bytes of a frame in hex, so a failing mutant can be rebuilt. */
static const char *hex_head(const __u8 *data, size_t len, char *hex)
{
	size_t n = len < HEX_BYTES ? len : HEX_BYTES;

	for (size_t i = 0; i < n; i++)
		sprintf(hex + 2 * i, "%02x", data[i]);
	hex[2 * n] = '\0';
	return hex;
}

static void check_frame(struct diff_ctx *d, const __u8 *data, size_t len)
{
	char why[256] = "", hex[2 * HEX_BYTES + 1];
	int rc;

	if (len < XC_MIN_FRAME)
		return;
	rc = xt_diff_frame(d->xc, data, len, why, sizeof(why));
	d->checked++;
	if (!rc)
		return;
	if (d->differ++ < FAILURES_SHOWN)
		XT_EXPECT_EQ(rc, 0, "%s: frame %lu (%zu bytes%s): %s; starts %s", d->name, d->frame,
			     len, data == d->buf ? ", a mutant" : "", rc < 0 ? strerror(-rc) : why,
			     hex_head(data, len, hex));
}

/* xorshift64: the same mutants on every run. */
static __u64 next_rand(struct diff_ctx *d)
{
	d->rng ^= d->rng << 13;
	d->rng ^= d->rng >> 7;
	d->rng ^= d->rng << 17;
	return d->rng;
}

/* A copy of the frame with 1-4 header bytes set at random, sometimes cut short. */
static size_t mutate(struct diff_ctx *d, const __u8 *data, size_t len)
{
	size_t span = len < MUTATED_BYTES ? len : MUTATED_BYTES;
	unsigned int flips = 1 + next_rand(d) % 4;

	if (len > sizeof(d->buf))
		len = sizeof(d->buf);
	memcpy(d->buf, data, len);
	for (unsigned int i = 0; i < flips; i++)
		d->buf[12 + next_rand(d) % (span - 12)] = (__u8)next_rand(d);
	if (next_rand(d) % 4 == 0)
		len = XC_MIN_FRAME + next_rand(d) % (len - XC_MIN_FRAME + 1);
	return len;
}

static int each_frame(void *ctx, const __u8 *data, size_t len)
{
	struct diff_ctx *d = ctx;

	check_frame(d, data, len);
	for (unsigned long i = 0; i < d->mutants && len > XC_MIN_FRAME; i++)
		check_frame(d, d->buf, mutate(d, data, len));
	d->frame++;
	return 0;
}

static void check_capture(const char *name, const char *file, unsigned long mutants)
{
	struct diff_ctx *d = calloc(1, sizeof(*d));
	struct xc_config cfg;
	struct xc_replay res;
	char path[512], err[256];
	int rc;

	cr_assert(d, "out of memory");
	xt_probe_config(&cfg);
	d->xc = xt_open(&cfg);
	d->name = name;
	d->mutants = mutants;
	d->rng = 0x9e3779b97f4a7c15ull;
	XT_EXPECT_OK(xc_counter_reset(d->xc), "xc_counter_reset");
	rc = xc_capture_each(xt_pcap_path(path, sizeof(path), file), each_frame, d, &res,
			     err, sizeof(err));
	cr_expect(rc == XC_REPLAY_OK || rc == XC_REPLAY_TRUNCATED,
		  "%s: xc_capture_each: %d (%s)", name, rc, err);
	XT_EXPECT_GT(d->checked, 0, "%s: frames checked", name);
	XT_EXPECT_EQ(d->differ, 0, "%s: frames that differ, of %lu", name, d->checked);
	cr_log_info("differential: %s: %lu frames%s: %s", name, d->checked,
		    mutants ? " (mutants included)" : "", d->differ ? "FAILED" : "passed");
	xc_counter_close(d->xc);
	free(d);
}

#define DIFF_TEST(name, file)                                   \
	Test(differential, name, .timeout = 60)                 \
	{                                                       \
		check_capture(#name, file, 0);                  \
	}
XT_OWN_FRAMES(DIFF_TEST)

/* The fixtures made to sit on edges: their mutants sit on and around them. */
#define MUTANT_TEST(name)                                               \
	Test(differential, name##_mutants, .timeout = 60)               \
	{                                                               \
		check_capture(#name, #name ".pcap", MUTANTS_PER_FRAME); \
	}
MUTANT_TEST(l3_classes)
MUTANT_TEST(ipv4_edge)
MUTANT_TEST(ipv6_ext)
MUTANT_TEST(fragments)
MUTANT_TEST(vlan)
