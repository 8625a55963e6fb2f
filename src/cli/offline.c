// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Offline mode: every capture through one loaded program, the maps reset in
 * between; JSON (one object, or a line per capture and one for their sum)
 * or text, with a capinfos-style summary over each capture's own time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "offline.h"

/* What one capture (or the sum of several) gave. */
struct counted {
	const char *source; /* NULL: the sum */
	struct xc_snapshot snap;
	struct xc_replay res;
	bool cut;           /* counts stop at a damaged or cut record */
	unsigned int files;
};

static int replay_exit(int rc, const struct xc_replay *res)
{
	switch (rc) {
	case XC_REPLAY_OK:
		return XC_EXIT_OK;
	case XC_REPLAY_UNREADABLE:
		return XC_EXIT_FILE;
	case XC_REPLAY_FORMAT:
		return XC_EXIT_FORMAT;
	case XC_REPLAY_LINKTYPE:
		return XC_EXIT_LINKTYPE;
	case XC_REPLAY_TRUNCATED:
	case XC_REPLAY_DAMAGED:
		return XC_EXIT_TRUNCATED;
	default:
		return xc_exit_for_errno(res->run_errno);
	}
}

/* RFC 3339 in UTC with nanoseconds: the precision libpcap gave. */
static const char *time_str(__u64 ns, char *buf, size_t len)
{
	time_t sec = (time_t)(ns / 1000000000ull);
	struct tm tm;
	char day[32];

	gmtime_r(&sec, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%09lluZ", day, (unsigned long long)(ns % 1000000000ull));
	return buf;
}

static double duration_of(const struct xc_replay *res)
{
	return res->records ? (double)(res->last_ns - res->first_ns) / 1e9 : 0;
}

/* first, last, duration, and the average rates of `total` over that time. */
static struct json_object *json_capture(const struct counted *c)
{
	const struct xc_pb *t = &c->snap.total.total;
	struct json_object *o = json_object_new_object();
	double d = duration_of(&c->res);
	char buf[64];
	bool any = c->res.records, rated = d > 0;

	json_object_object_add(o, "first", any ? json_object_new_string(
		time_str(c->res.first_ns, buf, sizeof(buf))) : NULL);
	json_object_object_add(o, "last", any ? json_object_new_string(
		time_str(c->res.last_ns, buf, sizeof(buf))) : NULL);
	json_object_object_add(o, "duration", any ? json_object_new_double(d) : NULL);
	json_object_object_add(o, "pps", rated ? json_object_new_double(t->packets / d) : NULL);
	json_object_object_add(o, "bps", rated ? json_object_new_double(t->bytes * 8.0 / d) : NULL);
	return o;
}

static void print_json(const struct counted *c, size_t top)
{
	struct json_object *o = json_object_new_object();
	struct json_object *s = xc_json_snapshot(&c->snap, top);

	json_object_object_add(o, "source", c->source ? json_object_new_string(c->source) : NULL);
	json_object_object_add(o, "records", json_object_new_uint64(c->res.records));
	json_object_object_add(o, "skipped", json_object_new_uint64(c->res.skipped));
	json_object_object_add(o, "snapped", json_object_new_uint64(c->res.snapped));
	json_object_object_add(o, "bad_length", json_object_new_uint64(c->res.bad_length));
	json_object_object_add(o, "truncated", json_object_new_boolean(c->cut));
	json_object_object_add(o, "capture", json_capture(c));
	json_object_object_foreach(s, key, val)
		json_object_object_add(o, key, json_object_get(val));
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(s);
	json_object_put(o);
}

static void print_text(const struct counted *c, size_t top, bool bytes_rate)
{
	const struct xc_pb *t = &c->snap.total.total;
	double d = duration_of(&c->res);
	char a[64], b[64];

	if (c->source)
		printf("xdpcount: %s: ", c->source);
	else
		printf("xdpcount: the sum of %u captures: ", c->files); /* those counted */
	printf("%llu frames counted, %llu skipped (< %d bytes), %llu snapped, %llu bad length\n",
	       (unsigned long long)c->res.run, (unsigned long long)c->res.skipped, XC_MIN_FRAME,
	       (unsigned long long)c->res.snapped, (unsigned long long)c->res.bad_length);
	if (c->res.records) {
		printf("  first %s  last %s  duration %.6f s\n",
		       time_str(c->res.first_ns, a, sizeof(a)),
		       time_str(c->res.last_ns, b, sizeof(b)), d);
		if (d > 0)
			printf("  average %s pps, %s%s\n", xc_human(t->packets / d, a, sizeof(a)),
			       xc_human(t->bytes * (bytes_rate ? 1.0 : 8.0) / d, b, sizeof(b)),
			       bytes_rate ? "B/s" : "bit/s");
	}
	xc_text_snapshot(stdout, &c->snap, top);
}

static void print_counted(const struct xc_cli *cli, const struct counted *c)
{
	if (cli->format == XC_FMT_JSON)
		print_json(c, (size_t)cli->top);
	else
		print_text(c, (size_t)cli->top, cli->bytes_rate);
	fflush(stdout);
}

/* The sum's records span all of theirs. */
static void add_replay(struct xc_replay *sum, const struct xc_replay *r, bool first)
{
	if (r->records && (first || !sum->records || r->first_ns < sum->first_ns))
		sum->first_ns = r->first_ns;
	if (r->records && (!sum->records || r->last_ns > sum->last_ns))
		sum->last_ns = r->last_ns;
	sum->records += r->records;
	sum->run += r->run;
	sum->skipped += r->skipped;
	sum->snapped += r->snapped;
	sum->bad_length += r->bad_length;
	sum->altered += r->altered;
}

/* One capture: counted, printed, added to the sum. Returns its exit code. */
static int count_one(const struct xc_cli *cli, struct xc_counter *xc, const char *path,
		     struct counted *sum)
{
	struct counted c = { .source = path, .files = 1 };
	char err[1024];
	int rc, ret;

	rc = xc_replay_file(xc, path, &c.res, err, sizeof(err));
	ret = replay_exit(rc, &c.res);
	c.cut = rc == XC_REPLAY_TRUNCATED || rc == XC_REPLAY_DAMAGED;
	if (rc != XC_REPLAY_OK && !c.cut) {
		fprintf(stderr, "xdpcount: %s\n", err);
		return ret;
	}
	if (xc_counter_snapshot(xc, &c.snap)) {
		fprintf(stderr, "xdpcount: cannot read the counters: %s\n", strerror(errno));
		return XC_EXIT_FAIL;
	}
	/* No interface offline is not one switched off (--no-ifaces is refused with -r). */
	c.snap.features |= XC_F_IFACES;
	print_counted(cli, &c);
	if (c.res.altered)
		fprintf(stderr, "xdpcount: warning: the program changed the action of %llu frames\n",
			(unsigned long long)c.res.altered);
	if (c.cut)
		fprintf(stderr, "xdpcount: %s\n", err);
	if (xc_snapshot_merge(&sum->snap, &c.snap))
		ret = XC_EXIT_FAIL;
	add_replay(&sum->res, &c.res, !sum->files);
	sum->files++;
	sum->cut |= c.cut;
	xc_snapshot_free(&c.snap);
	return ret;
}

/*
 * Captures that cannot be counted at all are said before privileges matter
 * (standard input is read once, so only when counted). Returns how many can.
 */
static int check_captures(const struct xc_cli *cli, bool *bad, int *ret)
{
	struct xc_replay none = { 0 };
	char err[1024];
	int good = 0;

	for (int i = 0; i < cli->n_reads; i++) {
		int rc = strcmp(cli->reads[i], "-") ?
			 xc_capture_check(cli->reads[i], err, sizeof(err)) : XC_REPLAY_OK;

		bad[i] = rc != XC_REPLAY_OK;
		good += !bad[i];
		if (!bad[i])
			continue;
		fprintf(stderr, "xdpcount: %s\n", err);
		if (replay_exit(rc, &none) > *ret)
			*ret = replay_exit(rc, &none);
	}
	return good;
}

int xc_cli_offline(const struct xc_cli *cli)
{
	struct counted sum = { 0 };
	struct xc_counter *xc;
	struct xc_cli load = *cli;
	bool *bad = calloc((size_t)cli->n_reads, sizeof(*bad));
	int ret = XC_EXIT_OK, rc, counted = 0;

	if (!bad)
		return XC_EXIT_FAIL;
	if (!check_captures(cli, bad, &ret)) {
		free(bad);
		return ret;
	}
	/* Offline frames arrive on no interface of ours: count none. */
	load.cfg.features &= ~(__u32)XC_F_IFACES;
	load.cfg.wire_lengths = true;
	rc = xc_cli_open_counter(&load, &xc);
	if (rc) {
		free(bad);
		return rc;
	}
	for (int i = 0; i < cli->n_reads; i++) {
		if (bad[i])
			continue;
		if (counted++ && xc_counter_reset(xc)) {
			fprintf(stderr, "xdpcount: cannot reset the counters: %s\n", strerror(errno));
			ret = XC_EXIT_FAIL;
			break;
		}
		rc = count_one(cli, xc, cli->reads[i], &sum);
		if (rc > ret)
			ret = rc;
	}
	if (cli->n_reads > 1)
		print_counted(cli, &sum);
	xc_snapshot_free(&sum.snap);
	xc_counter_close(xc);
	free(bad);
	return ret;
}
