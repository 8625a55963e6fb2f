// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* What the CLI's modes share: the exit code of an errno, loading with a reason. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include "cli.h"

const char *const xc_order_names[XC_ORDER_MAX] = { "packets", "bytes", "pps", "rate" };

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

/* Whether the process has cap, or CAP_SYS_ADMIN, which stands in for each of XC_CAPS. */
static bool has_cap(cap_t caps, cap_value_t cap)
{
	cap_flag_value_t v = CAP_CLEAR, admin = CAP_CLEAR;

	cap_get_flag(caps, cap, CAP_EFFECTIVE, &v);
	cap_get_flag(caps, CAP_SYS_ADMIN, CAP_EFFECTIVE, &admin);
	return v == CAP_SET || admin == CAP_SET;
}

/* The names of the capabilities of need[] the process lacks, joined by '+'; NULL: none. */
static const char *missing_of(const cap_value_t *need, const char *const *names, size_t n,
			      char *buf, size_t len)
{
	cap_t caps = cap_get_proc();
	size_t used = 0;

	buf[0] = '\0';
	if (!caps)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!has_cap(caps, need[i]) && used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
						 used ? "+" : "", names[i]);
	cap_free(caps);
	return buf[0] ? buf : NULL;
}

const char *xc_cli_missing_caps(char *buf, size_t len)
{
	static const cap_value_t need[] = { CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON };
	static const char *const names[] = { "CAP_BPF", "CAP_NET_ADMIN", "CAP_PERFMON" };

	return missing_of(need, names, 3, buf, len);
}

const char *xc_cli_missing_observe_caps(char *buf, size_t len)
{
	static const cap_value_t need[] = { CAP_SYS_ADMIN, CAP_BPF, CAP_PERFMON };
	static const char *const names[] = { "CAP_SYS_ADMIN", "CAP_BPF", "CAP_PERFMON" };

	return missing_of(need, names, 3, buf, len);
}

int xc_cli_open_counter(const struct xc_cli *cli, struct xc_counter **xc)
{
	int err = xc_counter_open(&cli->cfg, xc);
	char missing[64];

	if (!err)
		return 0;
	/*
	 * Without CAP_BPF or CAP_NET_ADMIN the kernel says EPERM; without
	 * CAP_PERFMON the verifier refuses the pointer arithmetic (EACCES).
	 */
	if ((err == -EPERM || err == -EACCES) && xc_cli_missing_caps(missing, sizeof(missing))) {
		fprintf(stderr, "xdpcount: loading the XDP program was refused: missing %s "
			"(it needs root, or " XC_CAPS ")\n", missing);
		return XC_EXIT_PERM;
	}
	if (err == -EPERM) {
		fprintf(stderr, "xdpcount: loading the XDP program was refused: "
			"needs root or " XC_CAPS "\n");
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
