/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Memory a process holds, for the tests that bound its growth. */
#ifndef XDPCOUNT_RSS_H
#define XDPCOUNT_RSS_H

#include <sys/types.h>

/*
 * VmRSS of pid (0: this process) in bytes, from /proc/PID/status; 0 if gone.
 * In an ASan build, this process's figure is ASan's live heap instead: its
 * quarantine keeps freed memory resident, so there RSS grows by design.
 */
unsigned long xt_mem_in_use(pid_t pid);

/* Call before starting a child to be measured: an ASan build keeps no quarantine. */
void xt_mem_child_env(void);

#endif /* XDPCOUNT_RSS_H */
