// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Observe mode: find the program on an interface, attach fentry/fexit to it, read. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "counter.h"
#include "drops.h"
#include "observe.h"
#include "snapshot.h"
#include "xdpcount_observe.skel.h"

const char *const xc_verdict_names[XC_V_MAX] = {
	"aborted", "drop", "pass", "tx", "redirect", "other",
};

struct xc_observer {
	struct xdpcount_observe_bpf *skel;
	int target_fd;
	__u32 prog_id;
	int ncpus;
	char name[64]; /* the program's main function, from its BTF */
};

/* The name of the program's main function: its first BTF func info. */
static int main_func(int fd, char *name, size_t len, char *why, size_t why_len)
{
	struct bpf_prog_info info = { 0 };
	struct bpf_func_info finfo = { 0 };
	__u32 info_len = sizeof(info);
	const struct btf_type *t;
	struct btf *btf;

	if (bpf_obj_get_info_by_fd(fd, &info, &info_len))
		return -errno;
	if (!info.btf_id || !info.nr_func_info) {
		snprintf(why, why_len, "it has no BTF (build it with clang -g)");
		return -EOPNOTSUPP;
	}
	memset(&info, 0, sizeof(info));
	info.nr_func_info = 1;
	info.func_info_rec_size = sizeof(finfo);
	info.func_info = (__u64)(unsigned long)&finfo;
	if (bpf_obj_get_info_by_fd(fd, &info, &info_len))
		return -errno;
	btf = btf__load_from_kernel_by_id(info.btf_id);
	if (!btf)
		return -errno;
	t = btf__type_by_id(btf, finfo.type_id);
	if (t)
		snprintf(name, len, "%s", btf__name_by_offset(btf, t->name_off));
	btf__free(btf);
	return t ? 0 : -ENOENT;
}

/* An fd of the XDP program on ifindex, and its main function's name. */
static int find_target(struct xc_observer *o, int ifindex, char *why, size_t why_len)
{
	int err = xc_xdp_query(ifindex, &o->prog_id, NULL, 0);

	if (err)
		return err;
	if (!o->prog_id) {
		snprintf(why, why_len, "it has no XDP program to observe");
		return -ENOENT;
	}
	o->target_fd = bpf_prog_get_fd_by_id(o->prog_id);
	if (o->target_fd < 0) {
		err = -errno;
		snprintf(why, why_len, "cannot open its XDP program (id %u): %s%s", o->prog_id,
			 strerror(errno), err == -EPERM ? ": needs CAP_SYS_ADMIN" : "");
		return err;
	}
	err = main_func(o->target_fd, o->name, sizeof(o->name), why, why_len);
	if (err && err != -EOPNOTSUPP)
		snprintf(why, why_len, "cannot read the BTF of its XDP program (id %u): %s",
			 o->prog_id, strerror(-err));
	return err;
}

static int load_attach(struct xc_observer *o, int ifindex, char *why, size_t why_len)
{
	struct xdpcount_observe_bpf *s = xdpcount_observe_bpf__open();
	int err;

	o->skel = s;
	if (!s)
		return -errno;
	s->rodata->xc_ifindex = (__u32)ifindex;
	s->rodata->xc_netns = xc_netns_inum();
	err = bpf_program__set_attach_target(s->progs.xc_observe_in, o->target_fd, o->name);
	err = err ?: bpf_program__set_attach_target(s->progs.xc_observe_out, o->target_fd,
						    o->name);
	err = err ?: xdpcount_observe_bpf__load(s);
	if (err) {
		snprintf(why, why_len, "cannot load fentry/fexit on %s (id %u): %s%s", o->name,
			 o->prog_id, strerror(-err),
			 err == -EPERM ? ": needs CAP_BPF and CAP_PERFMON" : "");
		return err;
	}
	if (xdpcount_observe_bpf__attach(s)) {
		err = -errno;
		snprintf(why, why_len, "cannot attach fentry/fexit to %s (id %u): %s", o->name,
			 o->prog_id, strerror(-err));
	}
	return err;
}

int xc_observe_open(int ifindex, struct xc_observer **out, char *why, size_t why_len)
{
	struct xc_observer *o = calloc(1, sizeof(*o));
	int err;

	*out = NULL;
	if (!o)
		return -ENOMEM;
	o->target_fd = -1;
	o->ncpus = libbpf_num_possible_cpus();
	snprintf(why, why_len, "unknown error");
	err = o->ncpus > 0 ? 0 : -EINVAL;
	err = err ?: find_target(o, ifindex, why, why_len);
	err = err ?: load_attach(o, ifindex, why, why_len);
	if (err) {
		xc_observe_close(o);
		return err;
	}
	*out = o;
	return 0;
}

void xc_observe_detach(struct xc_observer *o)
{
	if (o)
		xdpcount_observe_bpf__detach(o->skel);
}

void xc_observe_close(struct xc_observer *o)
{
	if (!o)
		return;
	xdpcount_observe_bpf__destroy(o->skel);
	if (o->target_fd >= 0)
		close(o->target_fd);
	free(o);
}

__u32 xc_observe_prog_id(const struct xc_observer *o)
{
	return o->prog_id;
}

const char *xc_observe_prog_name(const struct xc_observer *o)
{
	return o->name;
}

static void pb_add(struct xc_pb *dst, const struct xc_pb *src, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		dst[i].packets += src[i].packets;
		dst[i].bytes += src[i].bytes;
	}
}

int xc_observe_read(const struct xc_observer *o, struct xc_observe_stats *st)
{
	struct xc_observe_stats *percpu = calloc((size_t)o->ncpus, sizeof(*percpu));
	size_t n = sizeof(st->verdicts) / sizeof(struct xc_pb);
	__u32 zero = 0;
	int err = 0;

	if (!percpu)
		return -ENOMEM;
	memset(st, 0, sizeof(*st));
	if (bpf_map__lookup_elem(o->skel->maps.observed, &zero, sizeof(zero), percpu,
				 sizeof(*percpu) * (size_t)o->ncpus, 0))
		err = -errno;
	for (int c = 0; !err && c < o->ncpus; c++) {
		xc_counters_add(&st->in, &percpu[c].in);
		pb_add(&st->verdicts[0][0][0], &percpu[c].verdicts[0][0][0], n);
	}
	free(percpu);
	return err;
}

void xc_verdict_split(const struct xc_observe_stats *st, enum xc_verdict v,
		      struct xc_class_split *out)
{
	memset(out, 0, sizeof(*out));
	for (int l3 = 0; l3 < XC_L3_MAX; l3++)
		for (int l4 = 0; l4 <= XC_L4_MAX; l4++)
			xc_split_add(out, (__u8)l3, (__u8)l4, &st->verdicts[v][l3][l4]);
}
