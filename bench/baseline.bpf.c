// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Benchmark references: what XDP costs with nothing in it. Not for use. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* The floor every per-packet cost is measured against. */
SEC("xdp")
int xdp_empty(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* The fastest a receiving end can be: live throughput is a share of this. */
SEC("xdp")
int xdp_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
