// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Can this kernel attach fentry to an XDP program at all? The observe tests
 * ask with this minimal program, apart from xdpcount, to know what to expect.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

__u64 calls;

SEC("fentry/xdp")
int BPF_PROG(xt_fentry_probe, void *xdp)
{
	calls++;
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
