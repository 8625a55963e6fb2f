/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The CPUs a test may use, to spread frames over per-CPU counters. */
#ifndef XDPCOUNT_CPUS_H
#define XDPCOUNT_CPUS_H

#define XT_MAX_CPUS 256

struct xt_cpus {
	int n;
	int cpu[XT_MAX_CPUS];
};

/* The CPUs this process may run on, in order. */
void xt_cpus_allowed(struct xt_cpus *cpus);
/* Move the calling thread to one CPU; aborts the test when it cannot. */
void xt_pin_cpu(int cpu);
/* An xt_run_opts.before: record i runs on CPU i % n of ctx, a struct xt_cpus. */
void xt_round_robin(void *ctx, unsigned long frame);

#endif /* XDPCOUNT_CPUS_H */
