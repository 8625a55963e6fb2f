/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Where things are: env XC_ROOT, XC_BIN, XC_PYTHON (make test sets them), else from the cwd. */
#ifndef XDPCOUNT_PATHS_H
#define XDPCOUNT_PATHS_H

#include <stddef.h>

const char *xt_root(void);   /* the repository: XC_ROOT, else "." */
const char *xt_bin(void);    /* the CLI: XC_BIN, else ROOT/build/xdpcount */
const char *xt_python(void); /* a python with scapy: XC_PYTHON, else /usr/bin/python3 */
/* ROOT/pcaps/FILE into buf; returns buf. */
const char *xt_pcap_path(char *buf, size_t len, const char *file);

#endif /* XDPCOUNT_PATHS_H */
