/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Time for bounded waits: every wait in the harness has a deadline on this clock. */
#ifndef XDPCOUNT_CLOCK_H
#define XDPCOUNT_CLOCK_H

/* Milliseconds to sleep, whatever signals arrive. */
void xt_sleep_ms(int ms);
/* CLOCK_MONOTONIC in milliseconds. */
long long xt_now_ms(void);

#endif /* XDPCOUNT_CLOCK_H */
