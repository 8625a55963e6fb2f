// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Read captures with libpcap and run their frames through the program. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <pcap/pcap.h>
#include "replay.h"

#define XC_FRAME_MAX 65536

static int open_capture(const char *path, pcap_t **out, char *err, size_t errlen)
{
	char pcap_err[PCAP_ERRBUF_SIZE] = "";
	struct stat st;
	FILE *fp;

	fp = fopen(path, "rb");
	if (!fp) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return XC_REPLAY_UNREADABLE;
	}
	if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(fp);
		snprintf(err, errlen, "cannot read %s: it is a directory", path);
		return XC_REPLAY_UNREADABLE;
	}
	*out = pcap_fopen_offline(fp, pcap_err); /* owns fp from here */
	if (!*out) {
		fclose(fp);
		snprintf(err, errlen, "%s is not a pcap or pcapng capture (%s)",
			 path, pcap_err);
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

int xc_capture_each(const char *path, xc_frame_fn fn, void *ctx,
		    struct xc_replay *res, char *err, size_t errlen)
{
	struct pcap_pkthdr *hdr;
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
		res->records++;
		ret = fn(ctx, data, hdr->caplen);
		if (ret)
			break;
	}
	if (rc == PCAP_ERROR) {
		const char *why = pcap_geterr(p);

		if (strstr(why, "truncated")) {
			snprintf(err, errlen, "%s is cut short after %llu records (%s)",
				 path, (unsigned long long)res->records, why);
			ret = XC_REPLAY_TRUNCATED;
		} else {
			snprintf(err, errlen, "%s: read error after %llu records (%s)",
				 path, (unsigned long long)res->records, why);
			ret = XC_REPLAY_FORMAT;
		}
	}
	pcap_close(p);
	return ret;
}

struct replay_ctx {
	struct xc_counter *xc;
	struct xc_replay *res;
	__u8 *out;
};

static int replay_frame(void *ctx, const __u8 *frame, size_t len)
{
	struct replay_ctx *r = ctx;
	size_t out_len = 0;
	__u32 action = 0;
	int err;

	if (len < XC_MIN_FRAME) {
		r->res->skipped++;
		return 0;
	}
	err = xc_counter_run(r->xc, frame, len, &action, r->out, XC_FRAME_MAX,
			     &out_len);
	if (err) {
		r->res->run_errno = -err;
		return XC_REPLAY_RUN;
	}
	r->res->run++;
	if (action != xc_counter_config(r->xc)->action || out_len != len ||
	    memcmp(r->out, frame, len))
		r->res->altered++;
	return 0;
}

int xc_replay_file(struct xc_counter *xc, const char *path,
		   struct xc_replay *res, char *err, size_t errlen)
{
	struct replay_ctx r = { .xc = xc, .res = res };
	struct xc_replay tmp;
	int ret;

	r.out = malloc(XC_FRAME_MAX);
	if (!r.out) {
		snprintf(err, errlen, "out of memory");
		return XC_REPLAY_RUN;
	}
	memset(&tmp, 0, sizeof(tmp));
	r.res = &tmp;
	ret = xc_capture_each(path, replay_frame, &r, res, err, errlen);
	res->run = tmp.run;
	res->skipped = tmp.skipped;
	res->altered = tmp.altered;
	res->run_errno = tmp.run_errno;
	if (ret == XC_REPLAY_RUN && !err[0])
		snprintf(err, errlen, "BPF_PROG_TEST_RUN failed on record %llu: %s",
			 (unsigned long long)res->records, strerror(tmp.run_errno));
	free(r.out);
	return ret;
}
