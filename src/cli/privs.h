/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Privileges: once loaded and attached, xdpcount keeps none (like tcpdump -Z). */
#ifndef XDPCOUNT_PRIVS_H
#define XDPCOUNT_PRIVS_H

#include <stdbool.h>
#include <sys/types.h>

/* Whom to become: -Z USER, looked up before anything is loaded. */
struct privs_user {
	char name[64];
	uid_t uid;
	gid_t gid;
	bool switch_uid; /* started as root and USER is not root */
};

/*
 * user: -Z's argument, or NULL for the default (nobody when root, else stay).
 * Says why on stderr and returns an enum xc_exit when it cannot be done.
 */
int privs_resolve(const char *user, struct privs_user *out);

/*
 * Become the user and drop every capability, for good (the bounding set too
 * when that is allowed, and no_new_privs). Only while the process has one
 * thread: capabilities are per thread. Says what it did; returns an enum xc_exit.
 */
int privs_drop(const struct privs_user *u);

#endif /* XDPCOUNT_PRIVS_H */
