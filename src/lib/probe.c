// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Probes: run one frame, report what moved, take it out again. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "counter_priv.h"
#include "probe.h"
#include "snapshot.h"

/* The only key of an otherwise empty hash map, removed; 1 if there was one. */
static int take_only_key(struct bpf_map *map, void *key)
{
	int fd = bpf_map__fd(map);

	if (bpf_map_get_next_key(fd, NULL, key))
		return errno == ENOENT ? 0 : -errno;
	if (bpf_map_delete_elem(fd, key))
		return -errno;
	return 1;
}

/* Whether the port entry of a flow moved; zero it again if so. */
static int take_port(struct xc_counter *xc, const struct xc_flow_key *k)
{
	struct bpf_map *map = xc->skel->maps.ports;
	size_t stride = (sizeof(struct xc_pb) + 7) & ~(size_t)7;
	__u32 idx = k->dport + (k->proto == IPPROTO_UDP ? 65536u : 0u);
	struct xc_pb *v;
	__u64 packets = 0;
	int fd = bpf_map__fd(map), err = 0;

	if (k->proto != IPPROTO_TCP && k->proto != IPPROTO_UDP)
		return 0;
	if (idx >= bpf_map__max_entries(map))
		return 0; /* ports switched off */
	v = calloc((size_t)xc->ncpus, stride);
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &idx, v))
		err = -errno;
	for (int c = 0; c < xc->ncpus && !err; c++)
		packets += v[c].packets;
	if (!err && packets) {
		memset(v, 0, stride * (size_t)xc->ncpus);
		if (bpf_map_update_elem(fd, &idx, v, BPF_ANY))
			err = -errno;
	}
	free(v);
	return err ? err : packets != 0;
}

static void counters_sub(struct xc_counters *dst, const struct xc_counters *src)
{
	__u64 *d = (__u64 *)dst;
	const __u64 *s = (const __u64 *)src;

	for (size_t i = 0; i < sizeof(*dst) / sizeof(__u64); i++)
		d[i] -= s[i];
}

int xc_counter_probe(struct xc_counter *xc, const void *frame, size_t len,
		     void *out, size_t out_cap, struct xc_probe *p)
{
	struct xc_counters before;
	int err;

	memset(p, 0, sizeof(*p));
	err = xc_counter_totals(xc, &before);
	err = err ?: xc_counter_run(xc, frame, len, &p->retval, out, out_cap,
				    &p->out_len);
	err = err ?: xc_counter_totals(xc, &p->delta);
	if (err)
		return err;
	counters_sub(&p->delta, &before);
	err = take_only_key(xc->skel->maps.sources, &p->src);
	if (err < 0)
		return err;
	p->source = err;
	err = take_only_key(xc->skel->maps.flows, &p->flow_key);
	if (err < 0)
		return err;
	p->flow = err;
	err = p->flow ? take_port(xc, &p->flow_key) : 0;
	if (err < 0)
		return err;
	p->port = err;
	return 0;
}
