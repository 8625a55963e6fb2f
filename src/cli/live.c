// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Live counting: attach to every interface, show an update each interval, detach. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "httpd.h"
#include "live.h"
#include "privs.h"
#include "tty.h"
#include "view.h"

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t resized;
static volatile sig_atomic_t suspend_asked;
static volatile sig_atomic_t continued;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static void on_resize(int sig)
{
	(void)sig;
	resized = 1;
}

static void on_suspend(int sig)
{
	(void)sig;
	suspend_asked = 1;
}

static void on_continue(int sig)
{
	(void)sig;
	continued = 1;
}

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/* Reads of the two clocks further apart than this were preempted: they are read again. */
#define WALL_BRACKET_NS 20000

/*
 * The wall clock at the CLOCK_MONOTONIC instant mono: the clocks' offset is read
 * between two monotonic reads, the closest of a few, so a preemption between
 * reads does not move the time printed away from the monotonic interval.
 */
static void wall_at(__u64 mono, struct timespec *wall)
{
	__u64 span = UINT64_MAX, mid = mono, real = 0;

	for (int i = 0; i < 5 && span > WALL_BRACKET_NS; i++) {
		__u64 before = mono_ns(), after;
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		after = mono_ns();
		if (after - before >= span)
			continue;
		span = after - before;
		mid = before + span / 2;
		real = (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
	}
	real -= mid - mono;
	wall->tv_sec = (time_t)(real / 1000000000ull);
	wall->tv_nsec = (long)(real % 1000000000ull);
}

/* The signals are held back except inside ppoll, so none slips past a wait. */
static void setup_signals(sigset_t *wait_mask)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGWINCH, SIGTSTP, SIGCONT };
	struct sigaction sa;
	sigset_t held;

	sigemptyset(&held);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&held, sigs[i]);
	sigprocmask(SIG_BLOCK, &held, wait_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigdelset(wait_mask, sigs[i]);
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_resize;
	sigaction(SIGWINCH, &sa, NULL);
	sa.sa_handler = on_suspend;
	sigaction(SIGTSTP, &sa, NULL);
	sa.sa_handler = on_continue;
	sigaction(SIGCONT, &sa, NULL);
	/* A reader that went away is an error on write, not a silent death. */
	signal(SIGPIPE, SIG_IGN);
}

static int resolve(struct live *lv)
{
	const struct xc_cli *cli = lv->cli;

	for (int i = 0; i < cli->n_ifaces; i++) {
		const char *name = cli->ifaces[i];
		struct live_iface *f = &lv->ifs[i];

		f->ifindex = strlen(name) < IF_NAMESIZE ? (int)if_nametoindex(name) : 0;
		if (!f->ifindex) {
			fprintf(stderr, "xdpcount: no such interface: %s\n", name);
			return XC_EXIT_NOIF;
		}
		for (int j = 0; j < i; j++) {
			if (lv->ifs[j].ifindex == f->ifindex) {
				fprintf(stderr, "xdpcount: interface %s is given twice\n", name);
				return XC_EXIT_USAGE;
			}
		}
		snprintf(f->name, sizeof(f->name), "%s", name);
		lv->n_ifs++;
	}
	return XC_EXIT_OK;
}

/* XC_EXIT_BUSY, after naming the program, when the interface has one. */
static int report_busy(const struct live_iface *f)
{
	char name[64] = "";
	__u32 id = 0;

	if (xc_xdp_query(f->ifindex, &id, name, sizeof(name)) || !id)
		return XC_EXIT_OK;
	fprintf(stderr, "xdpcount: %s already has an XDP program: id %u, name \"%s\". "
		"xdpcount never replaces one: count beside it with --observe, or stop or "
		"detach it first (bpftool net show dev %s)\n", f->name, id,
		name[0] ? name : "?", f->name);
	return XC_EXIT_BUSY;
}

static int check_free(const struct live *lv)
{
	for (int i = 0; i < lv->n_ifs; i++) {
		int rc = report_busy(&lv->ifs[i]);

		if (rc)
			return rc;
	}
	return XC_EXIT_OK;
}

static int attached(const struct live *lv)
{
	int n = 0;

	for (int i = 0; i < lv->n_ifs; i++)
		n += lv->ifs[i].attached;
	return n;
}

static void detach(struct live *lv, struct live_iface *f)
{
	if (lv->xc)
		xc_counter_detach(lv->xc, f->ifindex);
	xc_observe_detach(f->obs);
	f->attached = false;
}

static void detach_all(struct live *lv)
{
	for (int i = 0; i < lv->n_ifs; i++)
		if (lv->ifs[i].attached)
			detach(lv, &lv->ifs[i]);
	xc_drops_detach(lv->drops);
}

static int attach_error(const struct live *lv, const struct live_iface *f, int err)
{
	int rc = xc_exit_for_errno(err);

	if (rc == XC_EXIT_BUSY && report_busy(f))
		return XC_EXIT_BUSY;
	if (rc == XC_EXIT_PERM) {
		char buf[64];
		const char *missing = xc_cli_missing_caps(buf, sizeof(buf));

		fprintf(stderr, "xdpcount: attaching to %s was refused%s%s (it needs root, "
			"or " XC_CAPS ")\n", f->name, missing ? ": missing " : "",
			missing ? missing : "");
		return rc;
	}
	if (rc == XC_EXIT_NOIF) {
		fprintf(stderr, "xdpcount: no such interface: %s\n", f->name);
		return rc;
	}
	if (err == -EOPNOTSUPP && lv->cli->mode == XC_MODE_NATIVE)
		fprintf(stderr, "xdpcount: %s has no native XDP (its driver lacks it): "
			"use --mode generic or auto\n", f->name);
	else
		fprintf(stderr, "xdpcount: cannot attach to %s in %s mode: %s\n", f->name,
			xc_mode_name(lv->cli->mode), strerror(-err));
	return XC_EXIT_FAIL;
}

/* The observer of one interface; what this kernel or program cannot, one line. */
static int observe_one(struct live_iface *f)
{
	char why[256], missing[64];
	int err = xc_observe_open(f->ifindex, &f->obs, why, sizeof(why));

	if (!err) {
		f->attached = true;
		return XC_EXIT_OK;
	}
	if (err == -EPERM && !xc_cli_missing_observe_caps(missing, sizeof(missing))) {
		/* Every privilege held: the kernel itself refuses (lockdown, its build). */
		snprintf(why, sizeof(why), "this kernel refuses fentry/fexit programs, even with "
			 "CAP_SYS_ADMIN, CAP_BPF and CAP_PERFMON");
		err = -EOPNOTSUPP;
	}
	if (err == -EOPNOTSUPP) { /* and the other interfaces go on */
		fprintf(stderr, "xdpcount: cannot observe %s: %s; going on without it\n",
			f->name, why);
		return XC_EXIT_OK;
	}
	fprintf(stderr, "xdpcount: cannot observe %s: %s\n", f->name, why);
	if (err == -EPERM || err == -EACCES) {
		fprintf(stderr, "xdpcount: observe mode needs root, or CAP_SYS_ADMIN (to open "
			"another program) with CAP_BPF and CAP_PERFMON\n");
		return XC_EXIT_PERM;
	}
	return err == -ENOENT ? XC_EXIT_USAGE : XC_EXIT_FAIL;
}

/* Observe mode: fentry/fexit on the program of each interface. */
static int observe_all(struct live *lv)
{
	for (int i = 0; i < lv->n_ifs; i++) {
		int rc = observe_one(&lv->ifs[i]);

		if (rc) {
			detach_all(lv);
			return rc;
		}
	}
	if (attached(lv))
		return XC_EXIT_OK;
	fprintf(stderr, "xdpcount: no interface can be observed\n");
	return XC_EXIT_FAIL;
}

/* All or nothing: a failure detaches what was attached before it. */
static int attach_all(struct live *lv)
{
	if (lv->cli->observe)
		return observe_all(lv);
	for (int i = 0; i < lv->n_ifs; i++) {
		struct live_iface *f = &lv->ifs[i];
		int err = xc_counter_attach(lv->xc, f->ifindex, lv->cli->mode, &f->mode);

		if (err) {
			detach_all(lv);
			return attach_error(lv, f, err);
		}
		f->attached = true;
	}
	return XC_EXIT_OK;
}

static void announce_observed(const struct live *lv)
{
	fprintf(stderr, "xdpcount: observing");
	for (int i = 0, n = 0; i < lv->n_ifs; i++) {
		const struct live_iface *f = &lv->ifs[i];

		if (f->obs)
			fprintf(stderr, "%s %s (XDP program id %u, %s)", n++ ? "," : "", f->name,
				xc_observe_prog_id(f->obs), xc_observe_prog_name(f->obs));
	}
	fprintf(stderr, "\n");
}

/* In generic mode the program runs after GRO: with GRO on it sees aggregates. */
static void check_gro(struct live *lv)
{
	for (int i = 0; i < lv->n_ifs; i++) {
		struct live_iface *f = &lv->ifs[i];
		bool on = false;

		f->gro_aggregates = f->mode == XC_MODE_GENERIC &&
				    !xc_iface_gro(f->ifindex, &on) && on;
	}
}

static void announce(const struct live *lv)
{
	if (lv->cli->observe)
		return announce_observed(lv);
	fprintf(stderr, "xdpcount: counting on");
	for (int i = 0; i < lv->n_ifs; i++)
		fprintf(stderr, "%s %s (%s%s)", i ? "," : "", lv->ifs[i].name,
			xc_mode_name(lv->ifs[i].mode),
			lv->cli->mode == XC_MODE_AUTO && lv->ifs[i].mode == XC_MODE_GENERIC ?
			": no native XDP here" : "");
	fprintf(stderr, ", ingress only\n");
	for (int i = 0; i < lv->n_ifs; i++)
		fprintf(stderr, "xdpcount: %s gets the %s program\n", lv->ifs[i].name,
			strcmp(xc_counter_variant(lv->xc, lv->ifs[i].ifindex), "frags") ?
			"linear-frame" : "multi-buffer");
	for (int i = 0; i < lv->n_ifs; i++)
		if (lv->ifs[i].gro_aggregates)
			fprintf(stderr, "xdpcount: note: %s is in generic mode with GRO on: packets "
				"are counted as GRO aggregates, not wire frames "
				"(ethtool -K %s gro off counts frames)\n",
				lv->ifs[i].name, lv->ifs[i].name);
}

static void mark_iface_lost(struct live *lv, struct live_iface *f)
{
	f->lost = true;
	detach(lv, f);
	if (!lv->tty.open) /* the view says it; the message waits for the screen */
		fprintf(stderr, "xdpcount: interface %s disappeared; %s\n", f->name,
			attached(lv) ? "counting goes on on the others" :
			"no interface is left to count on");
}

/* The kernel's counters, and whether each interface is still there. */
static void read_kernel(struct live *lv)
{
	for (int i = 0; i < lv->n_ifs; i++) {
		struct live_iface *f = &lv->ifs[i];

		f->kprev = f->kcur;
		if (f->attached && xc_ifstats_read(f->ifindex, &f->kcur) == -ENODEV)
			mark_iface_lost(lv, f);
	}
}

/* Observe mode: what the observed programs saw, as a snapshot of the core counters. */
static int observed_snapshot(struct live *lv, struct xc_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->mono_ns = mono_ns();
	s->ifaces = calloc((size_t)lv->n_ifs, sizeof(*s->ifaces));
	if (!s->ifaces)
		return -ENOMEM;
	for (int i = 0; i < lv->n_ifs; i++) {
		struct live_iface *f = &lv->ifs[i];
		int err = f->obs ? xc_observe_read(f->obs, &f->seen) : 0;

		if (err)
			return err;
		if (!f->obs)
			continue;
		s->ifaces[s->n_ifaces].ifindex = (__u32)f->ifindex;
		s->ifaces[s->n_ifaces++].c = f->seen.in;
		xc_counters_add(&s->total, &f->seen.in);
	}
	return 0;
}

/* Each interface's drop reasons, as of now. */
static int read_drops(struct live *lv)
{
	struct xc_drop_snapshot ds;
	int err;

	if (!lv->drops)
		return 0;
	err = xc_drops_read(lv->drops, &ds);
	if (err)
		return err;
	for (int i = 0; i < lv->n_ifs; i++) {
		struct live_iface *f = &lv->ifs[i];
		size_t n = xc_drop_reasons(&ds, (__u32)f->ifindex, NULL, 0);

		free(f->reasons);
		f->reasons = calloc(n ? n : 1, sizeof(*f->reasons));
		f->n_reasons = f->reasons ? xc_drop_reasons(&ds, (__u32)f->ifindex,
							    f->reasons, n) : 0;
	}
	xc_drop_snapshot_free(&ds);
	return 0;
}

static int update(struct live *lv)
{
	int err;

	read_kernel(lv);
	xc_snapshot_free(&lv->prev);
	lv->prev = lv->cur;
	err = lv->xc ? xc_counter_snapshot(lv->xc, &lv->cur) : observed_snapshot(lv, &lv->cur);
	if (!err)
		wall_at(lv->cur.mono_ns, &lv->wall);
	err = err ?: read_drops(lv);
	lv->updates++;
	if (!err && !attached(lv))
		lv->final = true;
	return err;
}

/* Counting began just before attaching: the first rates start from zero there. */
static int take_baseline(struct live *lv, __u64 attach_ns)
{
	int err;

	for (int i = 0; i < lv->n_ifs; i++) {
		struct live_iface *f = &lv->ifs[i];

		xc_ifstats_read(f->ifindex, &f->kbase);
		f->kprev = f->kcur = f->kbase;
	}
	/* can the maps be read at all? */
	err = lv->xc ? xc_counter_snapshot(lv->xc, &lv->cur) : observed_snapshot(lv, &lv->cur);
	err = err ?: read_drops(lv);
	xc_snapshot_free(&lv->cur);
	memset(&lv->cur, 0, sizeof(lv->cur));
	lv->cur.mono_ns = attach_ns;
	lv->start_ns = attach_ns;
	lv->prev.mono_ns = attach_ns;
	wall_at(attach_ns, &lv->wall);
	return err;
}

static void publish(struct live *lv, struct metrics_server *ms)
{
	struct xc_view_iface rows[XC_MAX_ATTACH];
	bool per_iface = feature_on(lv, XC_F_IFACES);
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (!ms)
		return;
	f = open_memstream(&text, &len);
	if (!f)
		return;
	live_rows(lv, rows);
	/* Without per-interface counts several interfaces are one, "all". */
	xc_prom_snapshot(f, &lv->cur, rows, per_iface || lv->n_ifs == 1 ? (size_t)lv->n_ifs : 0,
			 (size_t)lv->cli->top);
	if (fclose(f) == 0)
		metrics_server_publish(ms, text, len);
	else
		free(text);
}

static int print_lines(const struct live *lv)
{
	struct lines l = { 0 };

	live_lines(lv, &l, 0, 0);
	for (size_t i = 0; i < l.n; i++)
		printf("%s\n", l.v[i]);
	printf("\n");
	lines_free(&l);
	return fflush(stdout) ? -errno : 0;
}

static int print_json(const struct live *lv)
{
	struct json_object *o = live_json(lv);

	if (!o)
		return -ENOMEM;
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return fflush(stdout) ? -errno : 0;
}

static int draw(struct live *lv)
{
	struct lines l = { 0 };
	int cols, rows, err;

	tty_size(&lv->tty, &cols, &rows);
	live_lines(lv, &l, cols, rows);
	err = tty_draw(&lv->tty, &l);
	lines_free(&l);
	return err;
}

/* One update on stdout; the final one leaves the terminal view first. */
static int print_update(struct live *lv)
{
	if (lv->cli->format == XC_FMT_JSON)
		return print_json(lv);
	if (!lv->tty.open)
		return print_lines(lv);
	if (!lv->final)
		return draw(lv);
	tty_close(&lv->tty);
	return print_lines(lv);
}

/* Stop as SIGTSTP would have, with the terminal given back meanwhile. */
static void suspend(struct live *lv)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL }, mine;
	sigset_t tstp;

	tty_suspend(&lv->tty);
	sigemptyset(&tstp);
	sigaddset(&tstp, SIGTSTP);
	sigaction(SIGTSTP, &dfl, &mine);
	raise(SIGTSTP); /* held back until unblocked: the process stops there */
	sigprocmask(SIG_UNBLOCK, &tstp, NULL);
	sigprocmask(SIG_BLOCK, &tstp, NULL);
	sigaction(SIGTSTP, &mine, NULL);
	/* Here after SIGCONT; or at once in an orphaned process group, which never stops. */
	continued = 1;
}

/* The view's keys: q quits (true), o the order of the top lists, u the units. */
static bool on_keys(struct live *lv)
{
	char keys[32];
	size_t n = tty_keys(&lv->tty, keys, sizeof(keys));
	bool redraw = false;

	for (size_t i = 0; i < n; i++) {
		switch (keys[i]) {
		case 'q':
		case 'Q':
			return true;
		case 'o':
			lv->order = (enum xc_order)((lv->order + 1) % XC_ORDER_MAX);
			redraw = true;
			break;
		case 'u':
			lv->bytes_rate = !lv->bytes_rate;
			redraw = true;
			break;
		}
	}
	if (redraw)
		draw(lv);
	return false;
}

enum wake { WAKE_TICK, WAKE_STOP };

/*
 * Sleep until the deadline, a stop signal or a quit key; redraw on resize and
 * resume; drain the flow cache's exports whenever they wait, so the ring
 * buffer does not fill between updates.
 */
static enum wake wait_until(struct live *lv, __u64 deadline, const sigset_t *mask)
{
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = lv->tty.open ? lv->tty.in_fd : -1, .events = POLLIN },
			{ .fd = xc_counter_exports_fd(lv->xc), .events = POLLIN },
		};
		struct timespec ts;
		__u64 now;

		if (stop_signal)
			return WAKE_STOP;
		if (suspend_asked) {
			suspend_asked = 0;
			suspend(lv);
		}
		if (continued) {
			continued = 0;
			resized = 1; /* the terminal may have changed while stopped */
			tty_resume(&lv->tty);
		}
		if (resized) {
			resized = 0;
			if (lv->tty.open)
				draw(lv);
		}
		now = mono_ns();
		if (now >= deadline)
			return WAKE_TICK;
		ts.tv_sec = (time_t)((deadline - now) / 1000000000ull);
		ts.tv_nsec = (long)((deadline - now) % 1000000000ull);
		if (ppoll(p, 2, &ts, mask) <= 0)
			continue;
		if (p[1].revents & POLLIN)
			xc_counter_drain(lv->xc);
		if ((p[0].revents & (POLLHUP | POLLERR)) ||
		    ((p[0].revents & POLLIN) && on_keys(lv)))
			return WAKE_STOP;
	}
}

static int update_loop(struct live *lv, struct metrics_server *ms, const sigset_t *mask)
{
	const struct xc_cli *cli = lv->cli;
	__u64 step = (__u64)(cli->interval * 1e9);
	__u64 end = cli->duration > 0 ? lv->start_ns + (__u64)(cli->duration * 1e9) : 0;
	__u64 next = lv->start_ns + step;
	int err;

	publish(lv, ms);
	if (lv->tty.open)
		draw(lv);
	for (;;) {
		bool stop = wait_until(lv, end && end < next ? end : next, mask) == WAKE_STOP;
		__u64 now = mono_ns();

		lv->final = stop || (cli->count && lv->updates + 1 >= cli->count) ||
			    (end && now >= end);
		/* The final counts are read after the links are gone: nothing moves. */
		if (lv->final)
			detach_all(lv);
		err = update(lv);
		if (err) {
			fprintf(stderr, "xdpcount: cannot read the counters: %s\n", strerror(-err));
			return XC_EXIT_FAIL;
		}
		publish(lv, ms);
		if (print_update(lv) || lv->final)
			return XC_EXIT_OK;
		now = mono_ns();
		while (next <= now) /* a slow update skips ticks rather than bunching them */
			next += step;
	}
}

/* Attached and read once: from here on nothing needs a privilege, so none is kept. */
static int unprivileged(const struct privs_user *who, struct metrics_server *ms)
{
	int rc = privs_drop(who);

	if (!rc && ms && metrics_server_start(ms))
		rc = XC_EXIT_FAIL;
	return rc;
}

/* Kernel drop reasons: where the kernel or the privileges cannot, one line and go on. */
static void trace_drops(struct live *lv)
{
	char why[256] = "";
	int err;

	if (lv->cli->no_drops)
		return;
	err = xc_drops_open(&lv->drops, why, sizeof(why));
	if (err == -EPERM || err == -EACCES)
		snprintf(why, sizeof(why), "tracing needs root, or CAP_BPF and CAP_PERFMON");
	for (int i = 0; !err && i < lv->n_ifs; i++)
		err = xc_drops_watch(lv->drops, lv->ifs[i].ifindex);
	if (!err)
		err = xc_drops_attach(lv->drops);
	if (!err)
		return;
	if (!why[0])
		snprintf(why, sizeof(why), "%s", strerror(-err));
	fprintf(stderr, "xdpcount: no kernel drop reasons: %s; counting goes on without them "
		"(--no-drops leaves them out)\n", why);
	xc_drops_close(lv->drops);
	lv->drops = NULL;
}

static int attach_and_count(struct live *lv, struct metrics_server *ms,
			    const struct privs_user *who, const sigset_t *mask)
{
	__u64 attach_ns;
	bool tty;
	int rc;

	trace_drops(lv);
	/* Counting, its --duration and its ticks begin here, not while the tracer loads. */
	attach_ns = mono_ns();
	rc = attach_all(lv);

	if (rc)
		return rc;
	check_gro(lv);
	rc = take_baseline(lv, attach_ns);
	if (rc) {
		fprintf(stderr, "xdpcount: cannot read the counters: %s\n", strerror(-rc));
		return XC_EXIT_FAIL;
	}
	rc = unprivileged(who, ms);
	if (rc)
		return rc;
	announce(lv);
	tty = lv->cli->format == XC_FMT_AUTO && isatty(STDOUT_FILENO);
	if (tty)
		tty_open(&lv->tty);
	rc = update_loop(lv, ms, mask);
	tty_close(&lv->tty);
	for (int i = 0; i < lv->n_ifs; i++) {
		if (!lv->ifs[i].lost)
			continue;
		if (tty) /* said now that the screen is back */
			fprintf(stderr, "xdpcount: interface %s disappeared while counting\n",
				lv->ifs[i].name);
		if (!rc)
			rc = XC_EXIT_IFLOST;
	}
	return rc;
}

int xc_cli_live(const struct xc_cli *cli)
{
	static struct live lv;
	struct metrics_server *ms = NULL;
	struct privs_user who;
	sigset_t mask;
	int rc;

	memset(&lv, 0, sizeof(lv));
	lv.cli = cli;
	lv.order = cli->order;
	lv.bytes_rate = cli->bytes_rate;
	setup_signals(&mask);
	rc = privs_resolve(cli->run_as, &who);
	rc = rc ?: resolve(&lv);
	if (!cli->observe) {
		rc = rc ?: check_free(&lv);
		rc = rc ?: xc_cli_open_counter(cli, &lv.xc);
	}
	if (rc)
		return rc;
	if (cli->prometheus && metrics_server_open(cli->prometheus, &ms))
		rc = XC_EXIT_FAIL;
	rc = rc ?: attach_and_count(&lv, ms, &who, &mask);
	detach_all(&lv);
	metrics_server_stop(ms);
	xc_snapshot_free(&lv.prev);
	xc_snapshot_free(&lv.cur);
	xc_counter_close(lv.xc);
	xc_drops_close(lv.drops);
	for (int i = 0; i < lv.n_ifs; i++) {
		xc_observe_close(lv.ifs[i].obs);
		free(lv.ifs[i].reasons);
	}
	return rc;
}
