// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Where things are: the repository, the CLI, python, the fixtures. */
#include <stdio.h>
#include <stdlib.h>
#include "paths.h"

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

const char *xt_root(void)
{
	return env_or("XC_ROOT", ".");
}

const char *xt_bin(void)
{
	static char def[512];

	snprintf(def, sizeof(def), "%s/build/xdpcount", xt_root());
	return env_or("XC_BIN", def);
}

const char *xt_python(void)
{
	return env_or("XC_PYTHON", "/usr/bin/python3");
}

const char *xt_pcap_path(char *buf, size_t len, const char *file)
{
	snprintf(buf, len, "%s/pcaps/%s", xt_root(), file);
	return buf;
}
