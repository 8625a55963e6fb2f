// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Read whole maps: batch where the kernel has it, else key by key. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "maps.h"

#define XC_BATCH_CHUNK 4096
#ifndef ENOTSUPP
#define ENOTSUPP 524 /* the kernel's own, leaked to user space by some maps */
#endif

struct map_reader {
	int fd;
	size_t ksz;
	size_t vstride; /* one CPU's value, rounded up to 8 bytes */
	__u32 max_entries;
	int ncpus;
	take_fn take;
	void *ctx;
};

static int read_keywise(const struct map_reader *r)
{
	unsigned char *key = malloc(r->ksz), *next = malloc(r->ksz);
	void *vals = malloc(r->vstride * (size_t)r->ncpus);
	void *prev = NULL;
	int err = 0;

	if (!key || !next || !vals) {
		err = -ENOMEM;
		goto out;
	}
	while (!bpf_map_get_next_key(r->fd, prev, next)) {
		memcpy(key, next, r->ksz);
		prev = key;
		if (bpf_map_lookup_elem(r->fd, key, vals)) {
			if (errno == ENOENT)
				continue; /* evicted between the two calls */
			err = -errno;
			goto out;
		}
		err = r->take(r->ctx, key, vals);
		if (err)
			goto out;
	}
	if (errno != ENOENT)
		err = -errno;
out:
	free(key);
	free(next);
	free(vals);
	return err;
}

/* Returns -EOPNOTSUPP when the map has no batch operations. */
static int read_batch(const struct map_reader *r)
{
	/* No bigger than the map: small maps are read often (probes, ticks). */
	__u32 chunk = r->max_entries < XC_BATCH_CHUNK ? r->max_entries : XC_BATCH_CHUNK;
	__u32 count;
	unsigned char in[64], out[64];
	void *keys = NULL, *vals = NULL;
	bool first = true, done = false;
	int err = 0;

	if (r->ksz > sizeof(in))
		return -EOPNOTSUPP;
	while (!done) {
		if (!keys) {
			/* Zeroed: valgrind cannot see the kernel fill them. */
			keys = calloc(chunk, r->ksz);
			vals = calloc(chunk, r->vstride * (size_t)r->ncpus);
			if (!keys || !vals) {
				err = -ENOMEM;
				break;
			}
		}
		count = chunk;
		if (bpf_map_lookup_batch(r->fd, first ? NULL : in, out, keys,
					 vals, &count, NULL)) {
			err = -errno;
			if (err == -ENOSPC && count == 0) {
				/* A hash bucket larger than the chunk. */
				chunk *= 2;
				free(keys);
				free(vals);
				keys = vals = NULL;
				err = 0;
				continue;
			}
			if (err != -ENOENT) {
				if (first && (err == -EINVAL || err == -ENOTSUPP ||
					      err == -EOPNOTSUPP))
					err = -EOPNOTSUPP;
				break;
			}
			err = 0;
			done = true;
		}
		for (__u32 i = 0; i < count && !err; i++)
			err = r->take(r->ctx, (char *)keys + i * r->ksz,
				      (char *)vals + i * r->vstride * r->ncpus);
		if (err)
			break;
		memcpy(in, out, sizeof(in));
		first = false;
	}
	free(keys);
	free(vals);
	return err;
}

int xc_read_map(struct xc_counter *xc, struct bpf_map *map, take_fn take,
		void *ctx, bool *batch)
{
	struct map_reader r = {
		.fd = bpf_map__fd(map),
		.ksz = bpf_map__key_size(map),
		.vstride = xc_percpu_stride(bpf_map__value_size(map)),
		.max_entries = bpf_map__max_entries(map),
		.ncpus = xc->ncpus,
		.take = take,
		.ctx = ctx,
	};
	int err;

	if (!xc->cfg.keywise_reads) {
		err = read_batch(&r);
		if (err != -EOPNOTSUPP)
			return err;
	}
	*batch = false;
	return read_keywise(&r);
}
