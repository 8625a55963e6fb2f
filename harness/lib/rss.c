// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Memory in use: /proc/PID/status, or ASan's own count under ASan. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include "rss.h"

#ifdef __SANITIZE_ADDRESS__
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

static unsigned long vm_rss(pid_t pid)
{
	unsigned long kib = 0;
	char path[64], line[256];
	FILE *f;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/status");
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %lu kB", &kib) == 1)
			break;
	fclose(f);
	return kib << 10;
}

unsigned long xt_mem_in_use(pid_t pid)
{
#ifdef __SANITIZE_ADDRESS__
	if (!pid)
		return __sanitizer_get_current_allocated_bytes();
#endif
	return vm_rss(pid);
}

void xt_mem_child_env(void)
{
#ifdef __SANITIZE_ADDRESS__
	const char *old = getenv("ASAN_OPTIONS");
	char opts[512];

	snprintf(opts, sizeof(opts), "%s%squarantine_size_mb=0", old ? old : "",
		 old && *old ? ":" : "");
	setenv("ASAN_OPTIONS", opts, 1);
#endif
}
