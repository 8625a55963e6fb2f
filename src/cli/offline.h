/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Offline mode: count captures (-r FILE...) with the program loaded once. */
#ifndef XDPCOUNT_OFFLINE_H
#define XDPCOUNT_OFFLINE_H

#include "cli.h"

/* Count every -r capture; prints each (and their sum); returns the highest exit code. */
int xc_cli_offline(const struct xc_cli *cli);

#endif /* XDPCOUNT_OFFLINE_H */
