// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Top-N by partial selection: a bounded min-heap of indexes. */
#include <string.h>
#include "top.h"

typedef int (*rank_fn)(const void *base, size_t a, size_t b); /* >0: a ranks higher */

static int rank_pb(const struct xc_pb *a, const struct xc_pb *b)
{
	if (a->packets != b->packets)
		return a->packets > b->packets ? 1 : -1;
	if (a->bytes != b->bytes)
		return a->bytes > b->bytes ? 1 : -1;
	return 0;
}

static int rank_source(const void *base, size_t a, size_t b)
{
	const struct xc_source *x = (const struct xc_source *)base + a;
	const struct xc_source *y = (const struct xc_source *)base + b;

	return rank_pb(&x->pb, &y->pb) ?: memcmp(&y->addr, &x->addr, sizeof(x->addr));
}

static int rank_port(const void *base, size_t a, size_t b)
{
	const struct xc_port *x = (const struct xc_port *)base + a;
	const struct xc_port *y = (const struct xc_port *)base + b;
	int r = rank_pb(&x->pb, &y->pb);

	if (r)
		return r;
	if (x->proto != y->proto)
		return x->proto < y->proto ? 1 : -1;
	return x->port < y->port ? 1 : (x->port > y->port ? -1 : 0);
}

static int rank_flow(const void *base, size_t a, size_t b)
{
	const struct xc_flow *x = (const struct xc_flow *)base + a;
	const struct xc_flow *y = (const struct xc_flow *)base + b;
	struct xc_pb px = { x->val.packets, x->val.bytes };
	struct xc_pb py = { y->val.packets, y->val.bytes };

	return rank_pb(&px, &py) ?: memcmp(&y->key, &x->key, sizeof(x->key));
}

static int rank_value(const void *base, size_t a, size_t b)
{
	const double *v = base;

	if (v[a] != v[b])
		return v[a] > v[b] ? 1 : -1;
	return a < b ? 1 : (a > b ? -1 : 0);
}

static void heap_sift_down(const void *base, size_t *h, size_t n, size_t i,
			   rank_fn rank)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, min = i, t;

		if (l < n && rank(base, h[l], h[min]) < 0)
			min = l;
		if (r < n && rank(base, h[r], h[min]) < 0)
			min = r;
		if (min == i)
			return;
		t = h[i];
		h[i] = h[min];
		h[min] = t;
		i = min;
	}
}

static size_t top_n(const void *base, size_t count, size_t n, size_t *idx,
		    rank_fn rank)
{
	size_t k = 0;

	if (!n)
		return 0;
	for (size_t i = 0; i < count; i++) {
		if (k < n) {
			idx[k++] = i;
			if (k == n)
				for (size_t j = n / 2 + 1; j-- > 0;)
					heap_sift_down(base, idx, k, j, rank);
		} else if (rank(base, i, idx[0]) > 0) {
			idx[0] = i;
			heap_sift_down(base, idx, k, 0, rank);
		}
	}
	if (k < n)
		for (size_t j = k / 2 + 1; j-- > 0;)
			heap_sift_down(base, idx, k, j, rank);
	/* Pop the minimum to the back: the heap becomes best-first. */
	for (size_t end = k; end > 1; end--) {
		size_t t = idx[0];

		idx[0] = idx[end - 1];
		idx[end - 1] = t;
		heap_sift_down(base, idx, end - 1, 0, rank);
	}
	return k;
}

size_t xc_top_sources(const struct xc_snapshot *s, size_t n, size_t *idx)
{
	return top_n(s->sources, s->n_sources, n, idx, rank_source);
}

size_t xc_top_ports(const struct xc_snapshot *s, size_t n, size_t *idx)
{
	return top_n(s->ports, s->n_ports, n, idx, rank_port);
}

size_t xc_top_flows(const struct xc_snapshot *s, size_t n, size_t *idx)
{
	return top_n(s->flows, s->n_flows, n, idx, rank_flow);
}

size_t xc_top_by_value(const double *v, size_t count, size_t n, size_t *idx)
{
	return top_n(v, count, n, idx, rank_value);
}
