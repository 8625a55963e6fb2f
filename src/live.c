// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Live counting on interfaces: placeholder until the live-counter issue. */
#include <stdio.h>
#include "cli.h"

int xc_cli_live(const struct xc_cli *cli)
{
	(void)cli;
	fprintf(stderr, "xdpcount: live counting is not built yet; use -r FILE\n");
	return XC_EXIT_FAIL;
}
