// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The committed fixtures are what gen.py writes: regenerate them into a
 * scratch directory and compare byte for byte, in both directions.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "checks.h"
#include "paths.h"
#include "proc.h"

/* What gen.py writes; the rest of pcaps/ (gen.py, README.md) is not generated. */
static bool is_fixture(const char *name)
{
	static const char *const ends[] = { ".pcap", ".pcapng", ".expect.json" };
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		size_t e = strlen(ends[i]);

		if (n > e && !strcmp(name + n - e, ends[i]))
			return true;
	}
	return false;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;

	if (!f)
		return NULL;
	buf = xt_read_all(f, len);
	fclose(f);
	return buf;
}

static bool same_bytes(const char *a, const char *b)
{
	size_t la = 0, lb = 0;
	char *x = read_file(a, &la), *y = read_file(b, &lb);
	bool same = x && y && la == lb && !memcmp(x, y, la);

	free(x);
	free(y);
	return same;
}

/* Every fixture in `from` has a byte-identical twin in `to`; returns how many. */
static size_t expect_twins(const char *from, const char *to, const char *missing)
{
	char a[1024], b[1024];
	struct dirent *d;
	size_t n = 0;
	DIR *dp = opendir(from);

	cr_assert(dp, "opendir %s: %s", from, strerror(errno));
	while ((d = readdir(dp))) {
		if (!is_fixture(d->d_name))
			continue;
		snprintf(a, sizeof(a), "%s/%s", from, d->d_name);
		snprintf(b, sizeof(b), "%s/%s", to, d->d_name);
		if (access(b, F_OK)) {
			cr_expect_fail("%s: %s", d->d_name, missing);
			continue;
		}
		cr_expect(same_bytes(a, b), "%s: the committed file differs from gen.py's",
			  d->d_name);
		n++;
	}
	closedir(dp);
	return n;
}

static void remove_dir(const char *dir)
{
	char path[1024];
	struct dirent *d;
	DIR *dp = opendir(dir);

	while (dp && (d = readdir(dp))) {
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..")) {
			snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
			unlink(path);
		}
	}
	if (dp)
		closedir(dp);
	rmdir(dir);
}

Test(pcaps, regenerated_fixtures_are_byte_identical, .timeout = 120)
{
	char tmp[] = "/tmp/xdpcount-pcaps-XXXXXX", gen[512], committed[512];
	const char *argv[] = { xt_python(), gen, tmp, NULL };
	struct xt_proc p;
	size_t made, kept;

	cr_assert(mkdtemp(tmp), "mkdtemp: %s", strerror(errno));
	snprintf(gen, sizeof(gen), "%s/pcaps/gen.py", xt_root());
	snprintf(committed, sizeof(committed), "%s/pcaps", xt_root());
	xt_proc_run(argv, &p);
	XT_EXPECT_EQ(p.status, 0, "%s %s %s: exit: %s", xt_python(), gen, tmp, p.err);
	made = expect_twins(tmp, committed, "gen.py writes it, but it is not committed");
	kept = expect_twins(committed, tmp, "committed, but gen.py no longer writes it");
	cr_expect(made > 0, "gen.py wrote no fixture into %s", tmp);
	XT_EXPECT_EQ(made, kept, "fixtures gen.py wrote, as committed");
	xt_proc_free(&p);
	remove_dir(tmp);
}
