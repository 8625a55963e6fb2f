// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The drop tracer: load, watch interfaces, attach, read, name the reasons. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "drops.h"
#include "xdpcount_drops.skel.h"

#define XC_REASON_PREFIX "SKB_DROP_REASON_"
#define XC_SUBSYS_SHIFT 16

struct xc_drops {
	struct xdpcount_drops_bpf *skel;
	struct btf *vmlinux;
	int ncpus;
	int n_targets;
	__u32 ifindex[XC_DROP_TARGETS]; /* by target index */
};

__u32 xc_netns_inum(void)
{
	struct stat st;

	if (stat("/proc/thread-self/ns/net", &st))
		return 0;
	return (__u32)st.st_ino;
}

/* The enum type named name in BTF, or NULL. */
static const struct btf_type *find_enum(const struct btf *btf, const char *name)
{
	__s32 id = btf__find_by_name_kind(btf, name, BTF_KIND_ENUM);

	return id > 0 ? btf__type_by_id(btf, id) : NULL;
}

/* Does this kernel's skb:kfree_skb pass the reason (5.17 and later)? */
static bool has_reason_arg(const struct btf *btf)
{
	__s32 id = btf__find_by_name_kind(btf, "btf_trace_kfree_skb", BTF_KIND_TYPEDEF);
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	const struct btf_param *p;

	if (!t)
		return false;
	t = btf__type_by_id(btf, t->type); /* pointer */
	if (!t || !btf_is_ptr(t))
		return false;
	t = btf__type_by_id(btf, t->type); /* the prototype: ctx, skb, location, reason */
	if (!t || !btf_is_func_proto(t) || btf_vlen(t) < 4)
		return false;
	p = btf_params(t) + 3;
	t = btf__type_by_id(btf, p->type);
	return t && btf_is_enum(t) &&
	       !strcmp(btf__name_by_offset(btf, t->name_off), "skb_drop_reason");
}

/* The kernel's BTF, when it has one with the reason argument. */
static int load_btf(struct xc_drops *d, char *why, size_t why_len)
{
	d->vmlinux = btf__load_vmlinux_btf();
	if (!d->vmlinux) {
		snprintf(why, why_len, "this kernel has no BTF (CONFIG_DEBUG_INFO_BTF, 5.5 or later)");
		return -EOPNOTSUPP;
	}
	if (!has_reason_arg(d->vmlinux)) {
		snprintf(why, why_len, "this kernel's skb:kfree_skb has no drop reason (5.17 or later)");
		return -EOPNOTSUPP;
	}
	return 0;
}

int xc_drops_open(struct xc_drops **out, char *why, size_t why_len)
{
	struct xc_drops *d = calloc(1, sizeof(*d));
	int err;

	*out = NULL;
	if (!d)
		return -ENOMEM;
	err = load_btf(d, why, why_len);
	d->ncpus = libbpf_num_possible_cpus();
	if (!err && d->ncpus <= 0)
		err = d->ncpus ?: -EINVAL;
	if (!err) {
		d->skel = xdpcount_drops_bpf__open_and_load();
		if (!d->skel) {
			err = -errno;
			snprintf(why, why_len, "cannot load the drop tracer: %s", strerror(errno));
		}
	}
	if (err) {
		xc_drops_close(d);
		return err;
	}
	*out = d;
	return 0;
}

int xc_drops_watch(struct xc_drops *d, int ifindex)
{
	struct xc_drop_target t = { .ifindex = (__u32)ifindex, .netns = xc_netns_inum() };
	__u32 idx = (__u32)d->n_targets;

	if (d->n_targets == XC_DROP_TARGETS)
		return -E2BIG;
	if (!t.netns)
		return -errno;
	if (bpf_map__update_elem(d->skel->maps.drop_targets, &t, sizeof(t), &idx,
				 sizeof(idx), BPF_ANY))
		return -errno;
	d->ifindex[d->n_targets++] = (__u32)ifindex;
	return 0;
}

int xc_drops_attach(struct xc_drops *d)
{
	return xdpcount_drops_bpf__attach(d->skel) ? -errno : 0;
}

void xc_drops_detach(struct xc_drops *d)
{
	if (d)
		xdpcount_drops_bpf__detach(d->skel);
}

void xc_drops_close(struct xc_drops *d)
{
	if (!d)
		return;
	xdpcount_drops_bpf__destroy(d->skel);
	btf__free(d->vmlinux);
	free(d);
}

/* The name of value in an enum of the kernel's BTF, without prefix; NULL if none. */
static const char *enum_name(const struct btf *btf, const char *type, __u32 value,
			     const char *prefix)
{
	const struct btf_type *t = btf ? find_enum(btf, type) : NULL;
	const struct btf_enum *e = t ? btf_enum(t) : NULL;
	size_t plen = strlen(prefix);

	for (int i = 0; t && i < btf_vlen(t); i++) {
		const char *name = btf__name_by_offset(btf, e[i].name_off);

		if ((__u32)e[i].val != value || !name)
			continue;
		return strncmp(name, prefix, plen) ? name : name + plen;
	}
	return NULL;
}

const char *xc_drop_reason_name(const struct xc_drops *d, __u32 reason, char *buf,
				size_t len)
{
	const struct btf *btf = d ? d->vmlinux : NULL;
	__u32 subsys = reason >> XC_SUBSYS_SHIFT;
	const char *name;

	if (subsys) {
		name = enum_name(btf, "skb_drop_reason_subsys", subsys,
				 XC_REASON_PREFIX "SUBSYS_");
		if (name)
			snprintf(buf, len, "%s/%u", name, reason & 0xffff);
		else
			snprintf(buf, len, "REASON_%u", reason);
		return buf;
	}
	name = enum_name(btf, "skb_drop_reason", reason, XC_REASON_PREFIX);
	if (name && !strncmp(name, "SKB_", 4))
		name += 4; /* SKB_CONSUMED, SKB_NOT_DROPPED_YET */
	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "REASON_%u", reason);
	return buf;
}

static int drop_cmp(const void *a, const void *b)
{
	const struct xc_drop *x = a, *y = b;

	if (x->ifindex != y->ifindex)
		return x->ifindex < y->ifindex ? -1 : 1;
	if (x->reason != y->reason)
		return x->reason < y->reason ? -1 : 1;
	if (x->l3 != y->l3)
		return x->l3 < y->l3 ? -1 : 1;
	return (x->l4 > y->l4) - (x->l4 < y->l4);
}

/* One key's value, summed over CPUs. */
static int read_one(struct xc_drops *d, const struct xc_drop_key *k, struct xc_drop *out,
		    struct xc_pb *percpu)
{
	int fd = bpf_map__fd(d->skel->maps.drops);

	if (bpf_map_lookup_elem(fd, k, percpu))
		return -errno;
	memset(out, 0, sizeof(*out));
	for (int c = 0; c < d->ncpus; c++) {
		out->pb.packets += percpu[c].packets;
		out->pb.bytes += percpu[c].bytes;
	}
	out->ifindex = k->target < (__u32)d->n_targets ? d->ifindex[k->target] : 0;
	out->reason = k->reason;
	out->l3 = k->l3;
	out->l4 = k->l4;
	xc_drop_reason_name(d, k->reason, out->name, sizeof(out->name));
	return 0;
}

static __u64 read_lost(struct xc_drops *d)
{
	__u64 *percpu = calloc((size_t)d->ncpus, sizeof(*percpu)), sum = 0;
	__u32 zero = 0;

	if (percpu && !bpf_map_lookup_elem(bpf_map__fd(d->skel->maps.drops_lost), &zero, percpu))
		for (int c = 0; c < d->ncpus; c++)
			sum += percpu[c];
	free(percpu);
	return sum;
}

int xc_drops_read(struct xc_drops *d, struct xc_drop_snapshot *s)
{
	int fd = bpf_map__fd(d->skel->maps.drops), err = 0;
	struct xc_drop_key key, next, *prev = NULL;
	struct xc_pb *percpu = calloc((size_t)d->ncpus, sizeof(*percpu));

	memset(s, 0, sizeof(*s));
	s->v = calloc(XC_DROP_ENTRIES, sizeof(*s->v));
	if (!percpu || !s->v) {
		free(percpu);
		xc_drop_snapshot_free(s);
		return -ENOMEM;
	}
	while (s->n < XC_DROP_ENTRIES && !bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		err = read_one(d, &key, &s->v[s->n], percpu);
		if (err == -ENOENT) /* deleted meanwhile: cannot happen, the program only adds */
			continue;
		if (err)
			break;
		s->n++;
	}
	if (!err)
		s->lost = read_lost(d);
	free(percpu);
	if (err) {
		xc_drop_snapshot_free(s);
		return err;
	}
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), drop_cmp);
	return 0;
}

void xc_drop_snapshot_free(struct xc_drop_snapshot *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

void xc_split_add(struct xc_class_split *s, __u8 l3, __u8 l4, const struct xc_pb *pb)
{
	l3 = l3 < XC_L3_MAX ? l3 : XC_L3_OTHER;
	l4 = l4 < XC_L4_MAX ? l4 : XC_L4_MAX;
	s->pb.packets += pb->packets;
	s->pb.bytes += pb->bytes;
	s->l3[l3].packets += pb->packets;
	s->l3[l3].bytes += pb->bytes;
	s->l4[l4].packets += pb->packets;
	s->l4[l4].bytes += pb->bytes;
}

static int reason_cmp(const void *a, const void *b)
{
	const struct xc_drop_reason *x = a, *y = b;

	if (x->s.pb.packets != y->s.pb.packets)
		return x->s.pb.packets > y->s.pb.packets ? -1 : 1;
	return (x->reason > y->reason) - (x->reason < y->reason);
}

size_t xc_drop_reasons(const struct xc_drop_snapshot *snap, __u32 ifindex,
		       struct xc_drop_reason *out, size_t max)
{
	struct xc_drop_reason *all = calloc(snap->n + 1, sizeof(*all));
	size_t n = 0;

	if (!all)
		return 0;
	/* The snapshot is ordered by interface, then reason: one pass groups them. */
	for (size_t i = 0; i < snap->n; i++) {
		const struct xc_drop *d = &snap->v[i];

		if (d->ifindex != ifindex)
			continue;
		if (!n || all[n - 1].reason != d->reason) {
			all[n].reason = d->reason;
			snprintf(all[n].name, sizeof(all[n].name), "%s", d->name);
			n++;
		}
		xc_split_add(&all[n - 1].s, d->l3, d->l4, &d->pb);
	}
	qsort(all, n, sizeof(*all), reason_cmp);
	if (max)
		memcpy(out, all, (n < max ? n : max) * sizeof(*all));
	free(all);
	return n;
}
