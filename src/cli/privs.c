// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Dropping privileges with libcap once the program is loaded and attached. */
#define _GNU_SOURCE
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include "cli.h"
#include "privs.h"

#define DEFAULT_USER "nobody"

int privs_resolve(const char *user, struct privs_user *out)
{
	const char *name = user ? user : DEFAULT_USER;
	struct passwd *pw;

	memset(out, 0, sizeof(*out));
	if (geteuid() != 0 && !user) {
		out->uid = getuid();
		out->gid = getgid();
		return XC_EXIT_OK;
	}
	errno = 0;
	pw = getpwnam(name);
	if (!pw) {
		fprintf(stderr, "xdpcount: -Z: no such user: %s\n", name);
		return XC_EXIT_USAGE;
	}
	if (geteuid() != 0 && pw->pw_uid != getuid()) {
		fprintf(stderr, "xdpcount: -Z %s: only root can become another user\n", name);
		return XC_EXIT_PERM;
	}
	snprintf(out->name, sizeof(out->name), "%s", pw->pw_name);
	out->uid = pw->pw_uid;
	out->gid = pw->pw_gid;
	out->switch_uid = geteuid() == 0 && pw->pw_uid != 0;
	return XC_EXIT_OK;
}

/* Without CAP_SETPCAP: clear what is held; no_new_privs keeps it cleared. */
static int clear_caps(void)
{
	cap_t none = cap_init();
	int err = none ? cap_set_proc(none) : -1;

	cap_free(none);
	if (!err)
		err = cap_reset_ambient();
	if (!err)
		err = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	return err;
}

static bool holds_none(void)
{
	cap_t now = cap_get_proc(), none = cap_init();
	bool ok = now && none && cap_compare(now, none) == 0;

	cap_free(now);
	cap_free(none);
	return ok;
}

int privs_drop(const struct privs_user *u)
{
	/* libcap's calls keep CAP_SETPCAP over the switch, for the drop after it. */
	if (u->switch_uid && (cap_setgroups(u->gid, 0, NULL) || cap_setuid(u->uid))) {
		fprintf(stderr, "xdpcount: cannot become %s: %s\n", u->name, strerror(errno));
		return XC_EXIT_PERM;
	}
	/* No capability anywhere (bounding set too), and root no longer special. */
	if (cap_set_mode(CAP_MODE_NOPRIV) && clear_caps()) {
		fprintf(stderr, "xdpcount: cannot drop capabilities: %s\n", strerror(errno));
		return XC_EXIT_FAIL;
	}
	if (!holds_none()) {
		fprintf(stderr, "xdpcount: capabilities remain after dropping them\n");
		return XC_EXIT_FAIL;
	}
	if (u->switch_uid)
		fprintf(stderr, "xdpcount: now %s (uid %u), no capabilities\n",
			u->name, (unsigned)u->uid);
	else if (getuid() == 0)
		fprintf(stderr, "xdpcount: -Z root: still root, no capabilities\n");
	else
		fprintf(stderr, "xdpcount: uid %u, no capabilities\n", (unsigned)getuid());
	return XC_EXIT_OK;
}
