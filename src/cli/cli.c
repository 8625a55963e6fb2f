// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* What the CLI's modes share: the exit code of an errno, loading with a reason. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

int xc_exit_for_errno(int err)
{
	switch (err < 0 ? -err : err) {
	case EPERM:
	case EACCES:
		return XC_EXIT_PERM;
	case ENODEV:
	case ENXIO:
		return XC_EXIT_NOIF;
	case EBUSY:
	case EEXIST:
		return XC_EXIT_BUSY;
	default:
		return XC_EXIT_FAIL;
	}
}

int xc_cli_open_counter(const struct xc_cli *cli, struct xc_counter **xc)
{
	int err = xc_counter_open(&cli->cfg, xc);

	if (!err)
		return 0;
	/* Without CAP_BPF the kernel says EPERM; EACCES is the verifier's no. */
	if (err == -EPERM) {
		fprintf(stderr, "xdpcount: loading the XDP program was refused: "
			"needs root or CAP_BPF+CAP_NET_ADMIN (and CAP_PERFMON)\n");
		return XC_EXIT_PERM;
	}
	if (err == -EACCES)
		fprintf(stderr, "xdpcount: the kernel's verifier rejected the XDP program%s\n",
			cli->verbose ? "" : " (-v shows its log)");
	else
		fprintf(stderr, "xdpcount: cannot load the XDP program: %s%s\n",
			strerror(-err), cli->verbose ? "" : " (-v shows the verifier log)");
	return XC_EXIT_FAIL;
}
