// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Which CPUs this process may use, and moving to one. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <criterion/criterion.h>
#include "checks.h"
#include "cpus.h"

void xt_cpus_allowed(struct xt_cpus *cpus)
{
	cpu_set_t set;

	XT_ASSERT_EQ(sched_getaffinity(0, sizeof(set), &set), 0, "sched_getaffinity: %s",
		     strerror(errno));
	cpus->n = 0;
	for (int c = 0; c < CPU_SETSIZE && cpus->n < XT_MAX_CPUS; c++)
		if (CPU_ISSET(c, &set))
			cpus->cpu[cpus->n++] = c;
}

void xt_pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	XT_ASSERT_EQ(sched_setaffinity(0, sizeof(set), &set), 0, "pin to CPU %d: %s", cpu,
		     strerror(errno));
}

void xt_round_robin(void *ctx, unsigned long frame)
{
	const struct xt_cpus *cpus = ctx;

	xt_pin_cpu(cpus->cpu[frame % (unsigned long)cpus->n]);
}
