// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xdpcount-seed OUTDIR CAPTURE...: every frame of the captures, one file each,
 * named by a hash of its bytes (so repeats are one file): the fuzzer's seed
 * corpus. Captures are read with the library's reader, xc_capture_each;
 * files it refuses (other link types, not captures) are skipped with a note.
 */
#include <stdio.h>
#include <string.h>
#include "libxdpcount.h"

struct seed_ctx {
	const char *outdir;
	unsigned long written;
	int err;
};

/* FNV-1a, 64 bits. */
static unsigned long long frame_hash(const __u8 *p, size_t len)
{
	unsigned long long h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static int write_frame(void *ctx, const __u8 *frame, size_t len)
{
	struct seed_ctx *s = ctx;
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%016llx", s->outdir, frame_hash(frame, len));
	f = fopen(path, "wb");
	if (!f || fwrite(frame, 1, len, f) != len) {
		perror(path);
		if (f)
			fclose(f);
		s->err = 1;
		return 1;
	}
	fclose(f);
	s->written++;
	return 0;
}

int main(int argc, char **argv)
{
	struct seed_ctx s = { 0 };
	struct xc_replay res;
	char err[256];

	if (argc < 3) {
		fprintf(stderr, "usage: xdpcount-seed OUTDIR CAPTURE...\n");
		return 2;
	}
	s.outdir = argv[1];
	for (int i = 2; i < argc && !s.err; i++) {
		int rc = xc_capture_each(argv[i], write_frame, &s, &res, err, sizeof(err));

		if (rc && rc != XC_REPLAY_TRUNCATED && !s.err)
			fprintf(stderr, "xdpcount-seed: skipped %s: %s\n", argv[i], err);
	}
	printf("xdpcount-seed: %lu frames written to %s\n", s.written, s.outdir);
	return s.err;
}
