// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Open, configure, load, attach, detach, test-run and reset the program. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "counter.h"
#include "counter_priv.h"

static bool xc_verbose;

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list args)
{
	(void)level;
	if (!xc_verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

void xc_set_verbose(bool verbose)
{
	xc_verbose = verbose;
	libbpf_set_print(libbpf_print); /* for the tracing programs too */
}

void xc_config_default(struct xc_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->features = XC_F_ALL;
	cfg->action = XDP_PASS;
}

static __u32 or_default(__u32 v, __u32 def)
{
	return v ? v : def;
}

static __u32 log2_ceil(__u32 v)
{
	__u32 bits = 0;

	while ((1u << bits) < v)
		bits++;
	return bits;
}

/*
 * A switched-off table still exists; its smallest size keeps its memory near
 * zero, and the verifier drops the code that would use it.
 */
static int size_maps(struct xdpcount_bpf *skel, const struct xc_config *cfg, int ncpus)
{
	bool tables = cfg->features & XC_F_TABLES;
	__u32 sets = or_default(cfg->cache_entries, XC_DEFAULT_CACHE) / XC_CACHE_WAYS;
	__u32 bits = log2_ceil(sets < 2 ? 2 : sets);
	__u32 slots = or_default(cfg->iface_entries, XC_IFACE_SLOTS);
	int err;

	if (cfg->iface_entries > XC_IFACE_SLOTS || bits > 24)
		return -EINVAL;
	skel->rodata->xc_cache_bits = bits;
	/* a quarter full: the reader has three quarters of the ring's time to come */
	skel->rodata->xc_ring_wake = or_default(cfg->ring_bytes, XC_DEFAULT_RING) / 4;
	err = bpf_map__set_max_entries(skel->maps.cache, tables ? (__u32)ncpus << bits : 1);
	err = err ?: bpf_map__set_max_entries(skel->maps.exports,
		tables ? or_default(cfg->ring_bytes, XC_DEFAULT_RING) : (__u32)getpagesize());
	err = err ?: bpf_map__set_max_entries(skel->maps.counters,
		(cfg->features & XC_F_IFACES) ? 1 + slots : 1);
	return err;
}

/* An exported entry: into the rows, and its gen noted while a snapshot reconciles. */
static int take_export(void *ctx, void *data, size_t size)
{
	struct xc_counter *xc = ctx;
	const struct xc_flow_ent *e = data;
	struct xc_gens *g = &xc->drained;

	if (size < sizeof(*e))
		return 0;
	xc_flowtab_add(&xc->rows, e);
	if (!g->on)
		return 0;
	if (g->n == g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 1024;
		__u64 *v = realloc(g->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		g->v = v;
		g->cap = cap;
	}
	g->v[g->n++] = e->gen;
	return 0;
}

static int open_exports(struct xc_counter *xc)
{
	const struct xc_config *cfg = &xc->cfg;
	struct bpf_map *cache = xc->skel->maps.cache;
	void *mem;
	int err;

	if (!(cfg->features & XC_F_TABLES))
		return 0;
	xc->cache_sets = bpf_map__max_entries(cache) / (__u32)xc->ncpus;
	xc->cache_len = (size_t)bpf_map__max_entries(cache) * sizeof(struct xc_flow_set);
	mem = mmap(NULL, xc->cache_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		   bpf_map__fd(cache), 0);
	if (mem == MAP_FAILED)
		return -errno;
	xc->cache = mem;
	xc->live = malloc((size_t)bpf_map__max_entries(cache) * XC_CACHE_WAYS * sizeof(*xc->live));
	if (!xc->live)
		return -ENOMEM;
	err = xc_flowtab_init(&xc->rows, or_default(cfg->flow_entries, XC_DEFAULT_FLOWS),
			      or_default(cfg->source_entries, XC_DEFAULT_SOURCES));
	if (err)
		return err;
	xc->ring = ring_buffer__new(bpf_map__fd(xc->skel->maps.exports), take_export, xc,
				    NULL);
	return xc->ring ? 0 : -errno;
}

/* The kernel's BPF_LOG_STATS: "processed N insns ...", which libbpf prints. */
#define XC_LOG_STATS 4

/*
 * Open, configure and load the skeleton. log_level 0 lets libbpf print the
 * verifier's log on failure; XC_LOG_STATS has it print the statistics too.
 */
static int load_skel(struct xc_counter *xc, const struct xc_config *cfg, __u32 log_level)
{
	int err;

	xdpcount_bpf__destroy(xc->skel);
	xc->skel = xdpcount_bpf__open();
	if (!xc->skel)
		return -errno;
	xc->skel->rodata->xc_features = cfg->features;
	xc->skel->rodata->xc_action = cfg->action;
	xc->skel->rodata->xc_wire_meta = cfg->wire_lengths;
	err = size_maps(xc->skel, cfg, xc->ncpus);
	err = err ?: bpf_program__set_log_level(xc->skel->progs.xdpcount, log_level);
	err = err ?: bpf_program__set_log_level(xc->skel->progs.xdpcount_frags, log_level);
	return err ?: xdpcount_bpf__load(xc->skel);
}

int xc_counter_open(const struct xc_config *cfg, struct xc_counter **out)
{
	struct xc_counter *xc;
	int err;

	libbpf_set_print(libbpf_print);
	*out = NULL;
	if (cfg->features & ~(__u32)XC_F_ALL)
		return -EINVAL;
	xc = calloc(1, sizeof(*xc));
	if (!xc)
		return -ENOMEM;
	xc->cfg = *cfg;
	xc->n_slots = cfg->iface_entries ? (int)cfg->iface_entries : XC_IFACE_SLOTS;
	pthread_mutex_init(&xc->lock, NULL);
	for (int i = 0; i < XC_MAX_ATTACH; i++)
		xc->links[i].fd = -1;
	xc->ncpus = libbpf_num_possible_cpus();
	if (xc->ncpus <= 0) {
		err = xc->ncpus ?: -EINVAL;
		goto fail;
	}
	/* Verbose: the verifier's statistics on success, else its whole log. */
	err = load_skel(xc, cfg, xc_verbose ? XC_LOG_STATS : 0);
	if (err && xc_verbose)
		err = load_skel(xc, cfg, 0);
	if (err)
		goto fail;
	xc->hz = xc->skel->kconfig->CONFIG_HZ > 0 ? (unsigned int)xc->skel->kconfig->CONFIG_HZ : 0;
	err = open_exports(xc);
	if (err)
		goto fail;
	*out = xc;
	return 0;
fail:
	xc_counter_close(xc);
	return err < 0 ? err : -err;
}

void xc_counter_close(struct xc_counter *xc)
{
	if (!xc)
		return;
	for (int i = 0; i < XC_MAX_ATTACH; i++)
		if (xc->links[i].fd >= 0)
			close(xc->links[i].fd);
	ring_buffer__free(xc->ring);
	if (xc->cache)
		munmap(xc->cache, xc->cache_len);
	xdpcount_bpf__destroy(xc->skel);
	xc_flowtab_free(&xc->rows);
	free(xc->live);
	free(xc->log.v);
	free(xc->drained.v);
	pthread_mutex_destroy(&xc->lock);
	free(xc);
}

int xc_counter_prog_fd(const struct xc_counter *xc)
{
	if (xc->cfg.variant == XC_VARIANT_FRAGS)
		return bpf_program__fd(xc->skel->progs.xdpcount_frags);
	return bpf_program__fd(xc->skel->progs.xdpcount);
}

const char *xc_counter_variant(const struct xc_counter *xc, int ifindex)
{
	for (int i = 0; i < XC_MAX_ATTACH; i++)
		if (xc->links[i].fd >= 0 && xc->links[i].ifindex == ifindex)
			return xc->links[i].frags ? "frags" : "linear";
	return xc->cfg.variant == XC_VARIANT_FRAGS ? "frags" : "linear";
}

/*
 * Interfaces' slots are never taken back: a detached one keeps its counts.
 * Test runs ask on every frame, from several threads: the lookup needs no
 * lock, giving a slot takes it.
 */
static int find_slot(const struct xc_counter *xc, int ifindex)
{
	for (int s = 1; s <= xc->n_slots; s++)
		if (__atomic_load_n(&xc->slot_ifindex[s], __ATOMIC_ACQUIRE) == ifindex)
			return s;
	return 0;
}

__u32 xc_counter_slot(struct xc_counter *xc, int ifindex)
{
	int slot;

	if (!(xc->cfg.features & XC_F_IFACES) || ifindex <= 0 || ifindex >= XC_IFINDEX_MAX)
		return 0;
	slot = find_slot(xc, ifindex);
	if (slot)
		return (__u32)slot;
	pthread_mutex_lock(&xc->lock);
	slot = find_slot(xc, ifindex);
	for (int s = 1; s <= xc->n_slots && !slot; s++) {
		if (xc->slot_ifindex[s])
			continue;
		slot = s;
		xc->skel->bss->xc_ifslot[ifindex] = (__u8)s; /* before anyone can read it */
		__atomic_store_n(&xc->slot_ifindex[s], ifindex, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&xc->lock);
	return (__u32)slot;
}

const struct xc_config *xc_counter_config(const struct xc_counter *xc)
{
	return &xc->cfg;
}

const char *xc_mode_name(enum xc_mode mode)
{
	switch (mode) {
	case XC_MODE_NATIVE:
		return "native";
	case XC_MODE_GENERIC:
		return "generic";
	default:
		return "auto";
	}
}

static int link_xdp(int prog_fd, int ifindex, __u32 flags)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = flags);
	int fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts);

	return fd < 0 ? -errno : fd;
}

/* AUTO: native_fd natively, else generic_fd in generic mode. */
static int attach_modes(int native_fd, int generic_fd, int ifindex, enum xc_mode mode,
			enum xc_mode *used)
{
	int fd;

	if (mode == XC_MODE_GENERIC) {
		fd = link_xdp(generic_fd, ifindex, XDP_FLAGS_SKB_MODE);
	} else {
		fd = link_xdp(native_fd, ifindex, XDP_FLAGS_DRV_MODE);
		/* Only a missing driver hook falls back; a busy hook is an error. */
		if (fd < 0 && mode == XC_MODE_AUTO && fd != -EBUSY &&
		    fd != -EEXIST && fd != -ENODEV && fd != -EPERM) {
			fd = link_xdp(generic_fd, ifindex, XDP_FLAGS_SKB_MODE);
			mode = XC_MODE_GENERIC;
		} else if (mode == XC_MODE_AUTO) {
			mode = XC_MODE_NATIVE;
		}
	}
	if (fd >= 0 && used)
		*used = mode;
	return fd;
}

int xc_prog_attach(int prog_fd, int ifindex, enum xc_mode mode,
		   enum xc_mode *used)
{
	return attach_modes(prog_fd, prog_fd, ifindex, mode, used);
}

/* The interface's MTU; 0 when it cannot be read. */
static int iface_mtu(int ifindex)
{
	struct ifreq ifr;
	int fd, mtu = 0;

	memset(&ifr, 0, sizeof(ifr));
	if (!if_indextoname((unsigned int)ifindex, ifr.ifr_name))
		return 0;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	if (!ioctl(fd, SIOCGIFMTU, &ifr))
		mtu = ifr.ifr_mtu;
	close(fd);
	return mtu;
}

/* The program for native mode: linear unless frames may not fit one buffer. */
static bool native_frags(const struct xc_counter *xc, int ifindex)
{
	if (xc->cfg.variant != XC_VARIANT_AUTO)
		return xc->cfg.variant == XC_VARIANT_FRAGS;
	return iface_mtu(ifindex) > XC_LINEAR_MTU;
}

int xc_counter_attach(struct xc_counter *xc, int ifindex, enum xc_mode mode,
		      enum xc_mode *used)
{
	int linear = bpf_program__fd(xc->skel->progs.xdpcount);
	int frags = bpf_program__fd(xc->skel->progs.xdpcount_frags);
	bool native_is_frags = native_frags(xc, ifindex);
	int generic = xc->cfg.variant == XC_VARIANT_LINEAR ? linear : frags;
	enum xc_mode took = mode;
	int slot = -1, fd;

	for (int i = 0; i < XC_MAX_ATTACH; i++) {
		if (xc->links[i].fd >= 0 && xc->links[i].ifindex == ifindex)
			return -EEXIST;
		if (slot < 0 && xc->links[i].fd < 0)
			slot = i;
	}
	if (slot < 0)
		return -E2BIG;
	xc_counter_slot(xc, ifindex); /* before the first frame can arrive */
	fd = attach_modes(native_is_frags ? frags : linear, generic, ifindex, mode, &took);
	if (fd < 0)
		return fd;
	xc->links[slot].fd = fd;
	xc->links[slot].ifindex = ifindex;
	xc->links[slot].frags = took == XC_MODE_GENERIC ? generic == frags : native_is_frags;
	if (used)
		*used = took;
	return 0;
}

int xc_counter_detach(struct xc_counter *xc, int ifindex)
{
	for (int i = 0; i < XC_MAX_ATTACH; i++) {
		if (xc->links[i].fd >= 0 && xc->links[i].ifindex == ifindex) {
			close(xc->links[i].fd);
			xc->links[i].fd = -1;
			return 0;
		}
	}
	return -ENOENT;
}

int xc_xdp_query(int ifindex, __u32 *prog_id, char *name, size_t name_len)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_prog_info info;
	__u32 info_len = sizeof(info);
	__u32 id;
	int err, fd;

	err = bpf_xdp_query(ifindex, 0, &q);
	if (err)
		return err;
	id = q.prog_id ?: q.drv_prog_id ?: q.skb_prog_id;
	*prog_id = id;
	if (name_len)
		name[0] = '\0';
	if (!id || !name_len)
		return 0;
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return 0; /* raced with a detach, or no rights: the id is enough */
	memset(&info, 0, sizeof(info));
	if (!bpf_obj_get_info_by_fd(fd, &info, &info_len))
		snprintf(name, name_len, "%s", info.name);
	close(fd);
	return 0;
}

int xc_counter_run(struct xc_counter *xc, const void *frame, size_t len,
		   __u32 *retval, void *out, size_t out_cap, size_t *out_len)
{
	return xc_counter_run_on(xc, 0, frame, len, retval, out, out_cap, out_len);
}

/*
 * One BPF_PROG_TEST_RUN; a non-zero ifindex is where the frame arrives, and
 * the first metalen bytes of the input are XDP metadata.
 */
static int test_run_ctx(int prog_fd, int ifindex, __u32 metalen,
			struct bpf_test_run_opts *opts)
{
	struct xdp_md ctx = {
		.data = metalen,
		.data_end = opts->data_size_in,
		.ingress_ifindex = (__u32)ifindex,
	};

	if (ifindex || metalen) {
		opts->ctx_in = &ctx;
		opts->ctx_size_in = sizeof(ctx);
	}
	return bpf_prog_test_run_opts(prog_fd, opts) ? -errno : 0;
}

static int test_run(int prog_fd, int ifindex, struct bpf_test_run_opts *opts)
{
	return test_run_ctx(prog_fd, ifindex, 0, opts);
}

/* Test runs: the linear program for frames that fit one buffer. */
static int run_prog_fd(const struct xc_counter *xc, size_t len)
{
	if (xc->cfg.variant != XC_VARIANT_FRAGS && len <= XC_LINEAR_FRAME)
		return bpf_program__fd(xc->skel->progs.xdpcount);
	if (xc->cfg.variant == XC_VARIANT_LINEAR)
		return bpf_program__fd(xc->skel->progs.xdpcount);
	return bpf_program__fd(xc->skel->progs.xdpcount_frags);
}

/* The kernel's loopback device, where test runs arrive by default, is always 1. */
#define XC_LOOPBACK_IFINDEX 1

int xc_counter_run_on(struct xc_counter *xc, int ifindex, const void *frame,
		      size_t len, __u32 *retval, void *out, size_t out_cap,
		      size_t *out_len)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = frame,
		.data_size_in = (__u32)len,
		.data_out = out,
		.data_size_out = out ? (__u32)out_cap : 0,
		.repeat = 1,
	);
	int err;

	xc_counter_slot(xc, ifindex ? ifindex : XC_LOOPBACK_IFINDEX);
	err = test_run(run_prog_fd(xc, len), ifindex, &opts);
	if (err)
		return err;
	if (retval)
		*retval = opts.retval;
	if (out_len)
		*out_len = opts.data_size_out;
	return 0;
}

int xc_counter_run_meta(struct xc_counter *xc, const void *buf, size_t len,
			__u32 *retval, void *out, size_t out_cap, size_t *out_len)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = buf,
		.data_size_in = (__u32)len,
		.data_out = out,
		.data_size_out = out ? (__u32)out_cap : 0,
		.repeat = 1,
	);
	int err;

	if (!xc->cfg.wire_lengths || len < XC_META_LEN)
		return -EINVAL;
	xc_counter_slot(xc, XC_LOOPBACK_IFINDEX);
	err = test_run_ctx(run_prog_fd(xc, len - XC_META_LEN), 0, XC_META_LEN, &opts);
	if (err)
		return err;
	if (retval)
		*retval = opts.retval;
	if (out_len)
		*out_len = opts.data_size_out;
	return 0;
}

int xc_prog_run_repeat(int prog_fd, const void *frame, size_t len,
		       __u32 repeat, __u64 *ns_per_run)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = frame,
		.data_size_in = (__u32)len,
		.repeat = repeat,
	);
	int err = test_run(prog_fd, 0, &opts);

	if (!err && ns_per_run)
		*ns_per_run = opts.duration;
	return err;
}

int xc_counter_run_repeat(struct xc_counter *xc, const void *frame, size_t len,
			  __u32 repeat, __u64 *ns_per_run)
{
	xc_counter_slot(xc, XC_LOOPBACK_IFINDEX);
	return xc_prog_run_repeat(run_prog_fd(xc, len), frame, len, repeat, ns_per_run);
}

int xc_prog_send_live(int prog_fd, int ifindex, const void *frame, size_t len,
		      __u32 repeat, __u64 *ns_per_frame)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = frame,
		.data_size_in = (__u32)len,
		.repeat = repeat,
		.flags = BPF_F_TEST_XDP_LIVE_FRAMES,
	);
	int err = test_run(prog_fd, ifindex, &opts);

	if (!err && ns_per_frame)
		*ns_per_frame = opts.duration;
	return err;
}

int xc_counter_send_live(struct xc_counter *xc, int ifindex, const void *frame,
			 size_t len, __u32 repeat)
{
	xc_counter_slot(xc, ifindex);
	return xc_prog_send_live(run_prog_fd(xc, len), ifindex, frame, len, repeat, NULL);
}

int xc_prog_stats(int prog_fd, struct xc_prog_stats *st)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	st->verified_insns = info.verified_insns;
	st->xlated_len = info.xlated_prog_len;
	st->jited_len = info.jited_prog_len;
	st->prog_id = info.id;
	return 0;
}

int xc_counter_prog_stats(const struct xc_counter *xc, struct xc_prog_stats *st)
{
	return xc_prog_stats(xc_counter_prog_fd(xc), st);
}

__u64 xc_map_memlock(int map_fd)
{
	unsigned long long v = 0;
	char path[64], line[128];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", map_fd);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %llu", &v) == 1)
			break;
	fclose(f);
	return v;
}

static int zero_array(int fd, __u32 entries, size_t value_size, int ncpus)
{
	size_t sz = xc_percpu_stride(value_size) * (size_t)ncpus;
	__u32 *keys = calloc(entries, sizeof(*keys));
	void *zero = calloc(entries, sz);
	__u32 count = entries;
	int err = 0;

	if (!keys || !zero) {
		err = -ENOMEM;
		goto out;
	}
	for (__u32 k = 0; k < entries; k++)
		keys[k] = k;
	if (!bpf_map_update_batch(fd, keys, zero, &count, NULL))
		goto out;
	for (__u32 k = 0; k < entries && !err; k++) /* no batch: key by key */
		if (bpf_map_update_elem(fd, &k, zero, BPF_ANY))
			err = -errno;
out:
	free(keys);
	free(zero);
	return err;
}

static int zero_map(struct xc_counter *xc, struct bpf_map *map)
{
	return zero_array(bpf_map__fd(map), bpf_map__max_entries(map),
			  bpf_map__value_size(map), xc->ncpus);
}

int xc_counter_reset(struct xc_counter *xc)
{
	__typeof__(xc->skel->maps) *m = &xc->skel->maps;
	int err = 0;

	err = err ?: zero_map(xc, m->counters);
	err = err ?: zero_map(xc, m->cache_stats);
	if (err || !xc->ring)
		return err;
	memset(xc->cache, 0, xc->cache_len);
	pthread_mutex_lock(&xc->lock);
	err = ring_buffer__consume(xc->ring) < 0 ? -errno : 0;
	xc_flowtab_clear(&xc->rows);
	xc->clock_jiffies = xc->clock_ns = 0;
	pthread_mutex_unlock(&xc->lock);
	return err;
}

int xc_counter_drain(struct xc_counter *xc)
{
	int n;

	if (!xc->ring)
		return 0;
	pthread_mutex_lock(&xc->lock);
	n = ring_buffer__consume(xc->ring);
	pthread_mutex_unlock(&xc->lock);
	return n < 0 ? -errno : n; /* libbpf sets errno with its negative returns */
}

int xc_counter_exports_fd(const struct xc_counter *xc)
{
	return xc->ring ? ring_buffer__epoll_fd(xc->ring) : -1;
}
