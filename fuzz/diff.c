// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xdpcount-diff PATH...: the differential check over raw frames, one per file
 * (a directory: every file in it), such as the fuzzer's corpus and findings.
 * Each frame goes through BPF_PROG_TEST_RUN and the user-space parser, and
 * their classes and table keys must agree (harness/frame_class.h). Frames
 * shorter than an Ethernet header are not run (the kernel refuses them).
 * Exit 0: all agree; 1: some differ; 2: usage or an error. Needs root.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "frame_class.h"
#include "libxdpcount.h"

#define FRAME_MAX 65536

struct diff_run {
	struct xc_counter *xc;
	unsigned long checked, differ, short_frames;
	int err;
	__u8 frame[FRAME_MAX];
};

static void check_file(struct diff_run *d, const char *path)
{
	char why[256] = "";
	size_t len;
	FILE *f = fopen(path, "rb");
	int rc;

	if (!f) {
		fprintf(stderr, "xdpcount-diff: %s: %s\n", path, strerror(errno));
		d->err = 1;
		return;
	}
	len = fread(d->frame, 1, sizeof(d->frame), f);
	fclose(f);
	if (len < XC_MIN_FRAME) {
		d->short_frames++;
		return;
	}
	rc = xt_diff_frame(d->xc, d->frame, len, why, sizeof(why));
	if (rc < 0) {
		fprintf(stderr, "xdpcount-diff: %s: probe: %s\n", path, strerror(-rc));
		d->err = 1;
		return;
	}
	d->checked++;
	if (rc) {
		d->differ++;
		printf("DIFFERS %s (%zu bytes): %s\n", path, len, why);
	}
}

static void check_path(struct diff_run *d, const char *path)
{
	struct dirent *e;
	struct stat st;
	char sub[4096];
	DIR *dir;

	if (stat(path, &st) || !S_ISDIR(st.st_mode)) {
		check_file(d, path);
		return;
	}
	dir = opendir(path);
	if (!dir) {
		fprintf(stderr, "xdpcount-diff: %s: %s\n", path, strerror(errno));
		d->err = 1;
		return;
	}
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		if (!stat(sub, &st) && S_ISREG(st.st_mode))
			check_file(d, sub);
	}
	closedir(dir);
}

int main(int argc, char **argv)
{
	struct diff_run *d = calloc(1, sizeof(*d));
	struct xc_config cfg;
	int err;

	if (argc < 2 || !d) {
		fprintf(stderr, "usage: xdpcount-diff FILE|DIR...\n");
		return 2;
	}
	xt_probe_config(&cfg);
	err = xc_counter_open(&cfg, &d->xc);
	err = err ?: xc_counter_reset(d->xc);
	if (err) {
		fprintf(stderr, "xdpcount-diff: loading the program: %s\n", strerror(-err));
		return 2;
	}
	for (int i = 1; i < argc; i++)
		check_path(d, argv[i]);
	printf("xdpcount-diff: %lu frames checked, %lu differ, %lu shorter than %d bytes not run\n",
	       d->checked, d->differ, d->short_frames, XC_MIN_FRAME);
	xc_counter_close(d->xc);
	err = d->err ? 2 : d->differ ? 1 : 0;
	free(d);
	return err;
}
