// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Sleeping and deadlines for bounded waits. */
#include <errno.h>
#include <time.h>
#include "clock.h"

void xt_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

long long xt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
