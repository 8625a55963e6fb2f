// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Read captures with libpcap and run their frames through the program. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <pcap/pcap.h>
#include "parse.h"
#include "replay.h"

static const char *capture_name(const char *path)
{
	return strcmp(path, "-") ? path : "standard input";
}

static FILE *open_stream(const char *path)
{
	int fd;
	FILE *fp;

	if (strcmp(path, "-"))
		return fopen(path, "rb");
	fd = dup(STDIN_FILENO); /* pcap_close closes the stream, not our stdin */
	if (fd < 0)
		return NULL;
	fp = fdopen(fd, "rb");
	if (!fp)
		close(fd);
	return fp;
}

static int open_capture(const char *path, pcap_t **out, char *err, size_t errlen)
{
	char pcap_err[PCAP_ERRBUF_SIZE] = "";
	const char *name = capture_name(path);
	struct stat st;
	FILE *fp;

	fp = open_stream(path);
	if (!fp) {
		snprintf(err, errlen, "cannot open %s: %s", name, strerror(errno));
		return XC_REPLAY_UNREADABLE;
	}
	if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(fp);
		snprintf(err, errlen, "cannot read %s: it is a directory", name);
		return XC_REPLAY_UNREADABLE;
	}
	/* owns fp from here */
	*out = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO,
							pcap_err);
	if (!*out) {
		fclose(fp);
		snprintf(err, errlen, "%s is not a pcap or pcapng capture (%s)",
			 name, pcap_err);
		return XC_REPLAY_FORMAT;
	}
	return XC_REPLAY_OK;
}

/* Not Ethernet: XC_REPLAY_LINKTYPE with the link type named in err. */
static int check_linktype(pcap_t *p, char *err, size_t errlen)
{
	int lt = pcap_datalink(p);
	const char *name = pcap_datalink_val_to_name(lt);

	if (lt == DLT_EN10MB)
		return XC_REPLAY_OK;
	snprintf(err, errlen, "pcap link type %d (%s) is not Ethernet", lt,
		 name ? name : "unknown");
	return XC_REPLAY_LINKTYPE;
}

int xc_capture_check(const char *path, char *err, size_t errlen)
{
	pcap_t *p = NULL;
	int ret;

	err[0] = '\0';
	ret = open_capture(path, &p, err, errlen);
	if (ret)
		return ret;
	ret = check_linktype(p, err, errlen);
	pcap_close(p);
	return ret;
}

static void record_of(const struct pcap_pkthdr *h, const u_char *data, __u64 index,
		      struct xc_record *rec)
{
	rec->data = data;
	rec->caplen = h->caplen;
	rec->wirelen = h->len;
	rec->bad_length = h->len < h->caplen || h->len > XC_WIRE_MAX;
	rec->len = rec->bad_length ? h->caplen : h->len;
	/* tv_usec holds nanoseconds: the capture was opened with that precision */
	rec->ts_ns = (__u64)h->ts.tv_sec * 1000000000ull + (__u64)h->ts.tv_usec;
	rec->index = index;
}

static void tally(struct xc_replay *res, const struct xc_record *rec)
{
	if (!res->records)
		res->first_ns = rec->ts_ns;
	res->last_ns = rec->ts_ns;
	res->records++;
	res->snapped += rec->caplen < rec->len;
	res->bad_length += rec->bad_length;
}

/* A record libpcap could not read: which one, and why. */
static int bad_record(pcap_t *p, const char *path, const struct xc_replay *res,
		      char *err, size_t errlen)
{
	const char *why = pcap_geterr(p);
	bool cut = strstr(why, "truncated");

	snprintf(err, errlen, "%s: record %llu is %s (%s); the counts are of the %llu before it",
		 capture_name(path), (unsigned long long)res->records + 1,
		 cut ? "cut short" : "damaged", why, (unsigned long long)res->records);
	return cut ? XC_REPLAY_TRUNCATED : XC_REPLAY_DAMAGED;
}

int xc_capture_records(const char *path, xc_record_fn fn, void *ctx,
		       struct xc_replay *res, char *err, size_t errlen)
{
	struct pcap_pkthdr *hdr;
	struct xc_record rec;
	const u_char *data;
	pcap_t *p = NULL;
	int rc, ret;

	memset(res, 0, sizeof(*res));
	err[0] = '\0';
	ret = open_capture(path, &p, err, errlen);
	if (ret)
		return ret;
	res->linktype = pcap_datalink(p);
	ret = check_linktype(p, err, errlen);
	if (ret) {
		pcap_close(p);
		return ret;
	}
	ret = XC_REPLAY_OK;
	while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
		record_of(hdr, data, res->records, &rec);
		tally(res, &rec);
		ret = fn(ctx, &rec);
		if (ret)
			break;
	}
	if (rc == PCAP_ERROR)
		ret = bad_record(p, path, res, err, errlen);
	pcap_close(p);
	return ret;
}

struct each_ctx {
	xc_frame_fn fn;
	void *ctx;
};

static int each_record(void *ctx, const struct xc_record *rec)
{
	struct each_ctx *e = ctx;

	return e->fn(e->ctx, rec->data, rec->caplen);
}

int xc_capture_each(const char *path, xc_frame_fn fn, void *ctx,
		    struct xc_replay *res, char *err, size_t errlen)
{
	struct each_ctx e = { fn, ctx };

	return xc_capture_records(path, each_record, &e, res, err, errlen);
}

size_t xc_record_layout(const struct xc_record *rec, void *buf)
{
	__u32 head = rec->caplen < XC_HEAD_MAX ? rec->caplen : XC_HEAD_MAX;

	memcpy(buf, &rec->len, XC_META_LEN);
	memcpy((__u8 *)buf + XC_META_LEN, rec->data, head);
	return XC_META_LEN + head;
}

/* ---- one thread per CPU ---- */

#define LANES_MAX 64
#define LANE_BATCHES 4
#define BATCH_FRAMES 1024
#define BATCH_BYTES (256 * 1024)

/* Records laid out for xc_counter_run_meta, each at an 8-byte boundary. */
struct batch {
	size_t used, n;
	__u32 len[BATCH_FRAMES];
	__u64 index[BATCH_FRAMES];
	__u8 buf[BATCH_BYTES];
};

struct runner;

/* A CPU, its thread, and the batches the reader hands it in capture order. */
struct lane {
	struct runner *r;
	pthread_t thread;
	bool started;
	int cpu;
	struct batch *queue[LANE_BATCHES];
	int head, queued;
	struct batch *spare[LANE_BATCHES];
	int n_spare;
	struct batch *fill; /* the reader's */
	__u64 run, altered;
	int err;
	__u64 err_index;
};

struct runner {
	struct xc_counter *xc;
	__u32 action;
	pthread_mutex_t lock;
	pthread_cond_t work, space;
	bool closed;
	int failed; /* atomic: a test run failed, stop */
	int n;
	bool threads; /* started: a batch filled up */
	unsigned int next; /* frames without a flow go round the lanes */
	__u64 skipped;
	struct lane lanes[LANES_MAX];
	/* A record laid out so that its frame starts XC_IP_ALIGN past a 4-byte boundary. */
	__u8 scratch[XC_IP_ALIGN + XC_RECORD_BUF] __attribute__((aligned(8)));
};

static void run_batch(struct lane *l, const struct batch *b)
{
	struct runner *r = l->r;
	const __u8 *p = b->buf;
	__u32 action;

	for (size_t i = 0; i < b->n; i++) {
		int err = xc_counter_run_meta(r->xc, p, b->len[i], &action, NULL, 0, NULL);

		if (err) {
			l->err = err;
			l->err_index = b->index[i];
			__atomic_store_n(&r->failed, 1, __ATOMIC_RELAXED);
			return;
		}
		l->run++;
		l->altered += action != r->action;
		p += (b->len[i] + 7) & ~(size_t)7;
	}
	xc_counter_drain(r->xc); /* the cache's exports: before the ring fills */
}

static void *lane_main(void *arg)
{
	struct lane *l = arg;
	struct runner *r = l->r;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(l->cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set); /* else: any CPU, same sums */
	pthread_mutex_lock(&r->lock);
	for (;;) {
		struct batch *b;

		while (!l->queued && !r->closed)
			pthread_cond_wait(&r->work, &r->lock);
		if (!l->queued)
			break;
		b = l->queue[l->head];
		l->head = (l->head + 1) % LANE_BATCHES;
		l->queued--;
		pthread_mutex_unlock(&r->lock);
		if (!__atomic_load_n(&r->failed, __ATOMIC_RELAXED))
			run_batch(l, b);
		pthread_mutex_lock(&r->lock);
		l->spare[l->n_spare++] = b;
		pthread_cond_broadcast(&r->space);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

/* Queue the lane's batch and take an empty one. */
static void lane_submit(struct runner *r, struct lane *l)
{
	pthread_mutex_lock(&r->lock);
	l->queue[(l->head + l->queued) % LANE_BATCHES] = l->fill;
	l->queued++;
	pthread_cond_broadcast(&r->work);
	while (!l->n_spare)
		pthread_cond_wait(&r->space, &r->lock);
	l->fill = l->spare[--l->n_spare];
	pthread_mutex_unlock(&r->lock);
	l->fill->n = 0;
	l->fill->used = 0;
}

/* A flow's frames all go to one lane, in capture order: first/last seen hold. */
static int lane_of(struct runner *r, const __u8 *frame, size_t head)
{
	struct xc_flow_key key;
	struct xc_pkt pkt;
	__u64 h = 0xcbf29ce484222325ull;
	const __u8 *k = (const __u8 *)&key;

	if (r->n == 1)
		return 0;
	xc_parse(frame, frame + head, &pkt);
	if (pkt.l4 >= XC_L4_MAX || !pkt.flow)
		return (int)(r->next++ % (unsigned int)r->n);
	memset(&key, 0, sizeof(key));
	xc_pkt_addr(&pkt, 0, &key.src);
	xc_pkt_addr(&pkt, 1, &key.dst);
	key.sport = pkt.sport;
	key.dport = pkt.dport;
	key.proto = pkt.proto;
	for (size_t i = 0; i < sizeof(key); i++)
		h = (h ^ k[i]) * 0x100000001b3ull;
	return (int)((h >> 32) % (__u64)r->n);
}

static struct batch *batch_new(void)
{
	struct batch *b = malloc(sizeof(*b));

	if (b)
		b->n = b->used = 0;
	return b;
}

/* A batch filled up: the capture is worth a thread per CPU. Returns 0 or -errno. */
static int runner_start(struct runner *r)
{
	r->threads = true;
	for (int i = 0; i < r->n; i++) {
		struct lane *l = &r->lanes[i];
		int err;

		while (l->n_spare < LANE_BATCHES - 1) {
			l->spare[l->n_spare] = batch_new();
			if (!l->spare[l->n_spare++])
				return -ENOMEM;
		}
		err = pthread_create(&l->thread, NULL, lane_main, l);
		if (err)
			return -err;
		l->started = true;
	}
	return 0;
}

static int runner_record(void *ctx, const struct xc_record *rec)
{
	struct runner *r = ctx;
	__u8 *laid = r->scratch + XC_IP_ALIGN; /* the frame where parse.h wants it */
	struct lane *l;
	struct batch *b;
	size_t len;

	if (__atomic_load_n(&r->failed, __ATOMIC_RELAXED))
		return XC_REPLAY_RUN;
	if (rec->caplen < XC_MIN_FRAME) {
		r->skipped++;
		return 0;
	}
	len = xc_record_layout(rec, laid);
	l = &r->lanes[lane_of(r, laid + XC_META_LEN, len - XC_META_LEN)];
	if (l->fill->n == BATCH_FRAMES || l->fill->used + XC_RECORD_BUF > BATCH_BYTES) {
		int err = r->threads ? 0 : runner_start(r);

		if (err)
			return err;
		lane_submit(r, l);
	}
	b = l->fill;
	memcpy(b->buf + b->used, laid, len);
	b->len[b->n] = (__u32)len;
	b->index[b->n] = rec->index;
	b->n++;
	b->used += (len + 7) & ~(size_t)7;
	return 0;
}

static int lane_init(struct runner *r, struct lane *l, int cpu)
{
	l->r = r;
	l->cpu = cpu;
	l->fill = batch_new();
	return l->fill ? 0 : -ENOMEM;
}

static void runner_free(struct runner *r)
{
	for (int i = 0; i < r->n; i++) {
		struct lane *l = &r->lanes[i];

		free(l->fill);
		for (int j = 0; j < l->n_spare; j++)
			free(l->spare[j]);
	}
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->work);
	pthread_cond_destroy(&r->space);
	free(r);
}

/* A lane per CPU this process may run on. */
static struct runner *runner_new(struct xc_counter *xc)
{
	struct runner *r = calloc(1, sizeof(*r));
	cpu_set_t set;

	if (!r)
		return NULL;
	r->xc = xc;
	r->action = xc_counter_config(xc)->action;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->work, NULL);
	pthread_cond_init(&r->space, NULL);
	if (sched_getaffinity(0, sizeof(set), &set)) {
		CPU_ZERO(&set);
		CPU_SET(0, &set);
	}
	for (int c = 0; c < CPU_SETSIZE && r->n < LANES_MAX; c++) {
		if (!CPU_ISSET(c, &set))
			continue;
		if (lane_init(r, &r->lanes[r->n++], c)) {
			runner_free(r);
			return NULL;
		}
	}
	return r;
}

/*
 * Hand over the last batches, wait for every lane, gather what they ran. A
 * capture too small to fill a batch runs here: threads would cost more.
 */
static void runner_finish(struct runner *r, struct xc_replay *res, __u64 *err_index)
{
	for (int i = 0; i < r->n; i++) {
		struct lane *l = &r->lanes[i];

		if (!r->threads && !r->failed)
			run_batch(l, l->fill);
		else if (l->started && l->fill->n)
			lane_submit(r, l);
	}
	pthread_mutex_lock(&r->lock);
	r->closed = true;
	pthread_cond_broadcast(&r->work);
	pthread_mutex_unlock(&r->lock);
	for (int i = 0; i < r->n; i++) {
		struct lane *l = &r->lanes[i];

		if (l->started)
			pthread_join(l->thread, NULL);
		res->run += l->run;
		res->altered += l->altered;
		if (l->err && (!res->run_errno || l->err_index < *err_index)) {
			res->run_errno = -l->err;
			*err_index = l->err_index;
		}
	}
	res->skipped = r->skipped;
}

int xc_replay_file(struct xc_counter *xc, const char *path,
		   struct xc_replay *res, char *err, size_t errlen)
{
	struct runner *r;
	__u64 err_index = 0;
	int ret;

	memset(res, 0, sizeof(*res));
	if (!xc_counter_config(xc)->wire_lengths) {
		snprintf(err, errlen, "the program was not loaded for captures (wire_lengths)");
		res->run_errno = EINVAL;
		return XC_REPLAY_RUN;
	}
	r = runner_new(xc);
	if (!r) {
		snprintf(err, errlen, "out of memory");
		res->run_errno = ENOMEM;
		return XC_REPLAY_RUN;
	}
	ret = xc_capture_records(path, runner_record, r, res, err, errlen);
	if (ret < 0)
		r->failed = 1;
	runner_finish(r, res, &err_index);
	if (ret < 0) {
		snprintf(err, errlen, "cannot start counting threads: %s", strerror(-ret));
		res->run_errno = -ret;
		ret = XC_REPLAY_RUN;
	} else if (res->run_errno) {
		ret = XC_REPLAY_RUN;
		snprintf(err, errlen, "BPF_PROG_TEST_RUN failed on record %llu: %s",
			 (unsigned long long)err_index + 1, strerror(res->run_errno));
	}
	runner_free(r);
	return ret;
}
