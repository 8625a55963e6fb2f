// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Open, configure, load, attach, detach, test-run and reset the program. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <zlib.h>
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

/* A switched-off table still exists; one entry keeps its memory near zero. */
static int size_tables(struct xdpcount_bpf *skel, const struct xc_config *cfg)
{
	__u32 f = cfg->features;
	int err = 0;

	err = err ?: bpf_map__set_max_entries(skel->maps.sources,
		(f & XC_F_SOURCES) ? or_default(cfg->source_entries, XC_DEFAULT_SOURCES) : 1);
	err = err ?: bpf_map__set_max_entries(skel->maps.flows,
		(f & XC_F_FLOWS) ? or_default(cfg->flow_entries, XC_DEFAULT_FLOWS) : 1);
	err = err ?: bpf_map__set_max_entries(skel->maps.ifaces,
		(f & XC_F_IFACES) ? or_default(cfg->iface_entries, XC_DEFAULT_IFACES) : 1);
	err = err ?: bpf_map__set_max_entries(skel->maps.ports,
		(f & XC_F_PORTS) ? XC_PORT_ENTRIES : 1);
	err = err ?: bpf_map__set_max_entries(skel->maps.ports_seen,
		(f & XC_F_PORTS) ? XC_PORT_WORDS : 1);
	return err;
}

/* CONFIG_HZ from a kernel config file (gzopen reads plain files too). */
static unsigned int config_hz(const char *path)
{
	gzFile f = gzopen(path, "rb");
	unsigned int hz = 0;
	char line[256];

	if (!f)
		return 0;
	while (gzgets(f, line, sizeof(line)))
		if (sscanf(line, "CONFIG_HZ=%u", &hz) == 1)
			break;
	gzclose(f);
	return hz;
}

/* Flows are stamped in jiffies; a snapshot needs their rate to show time. */
static unsigned int kernel_hz(void)
{
	struct utsname u;
	char path[128 + sizeof(u.release)];
	unsigned int hz = config_hz("/proc/config.gz");

	if (!hz && !uname(&u)) {
		snprintf(path, sizeof(path), "/boot/config-%s", u.release);
		hz = config_hz(path);
	}
	return hz;
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
	err = size_tables(xc->skel, cfg);
	err = err ?: bpf_program__set_log_level(xc->skel->progs.xdpcount, log_level);
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
	xc->hz = kernel_hz();
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
	for (int i = 0; i < XC_MAX_ATTACH; i++)
		xc->links[i].fd = -1;
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
	xdpcount_bpf__destroy(xc->skel);
	free(xc);
}

int xc_counter_prog_fd(const struct xc_counter *xc)
{
	return bpf_program__fd(xc->skel->progs.xdpcount);
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

int xc_prog_attach(int prog_fd, int ifindex, enum xc_mode mode,
		   enum xc_mode *used)
{
	int fd;

	if (mode == XC_MODE_GENERIC) {
		fd = link_xdp(prog_fd, ifindex, XDP_FLAGS_SKB_MODE);
	} else {
		fd = link_xdp(prog_fd, ifindex, XDP_FLAGS_DRV_MODE);
		/* Only a missing driver hook falls back; a busy hook is an error. */
		if (fd < 0 && mode == XC_MODE_AUTO && fd != -EBUSY &&
		    fd != -EEXIST && fd != -ENODEV && fd != -EPERM) {
			fd = link_xdp(prog_fd, ifindex, XDP_FLAGS_SKB_MODE);
			mode = XC_MODE_GENERIC;
		} else if (mode == XC_MODE_AUTO) {
			mode = XC_MODE_NATIVE;
		}
	}
	if (fd >= 0 && used)
		*used = mode;
	return fd;
}

int xc_counter_attach(struct xc_counter *xc, int ifindex, enum xc_mode mode,
		      enum xc_mode *used)
{
	int slot = -1, fd;

	for (int i = 0; i < XC_MAX_ATTACH; i++) {
		if (xc->links[i].fd >= 0 && xc->links[i].ifindex == ifindex)
			return -EEXIST;
		if (slot < 0 && xc->links[i].fd < 0)
			slot = i;
	}
	if (slot < 0)
		return -E2BIG;
	fd = xc_prog_attach(xc_counter_prog_fd(xc), ifindex, mode, used);
	if (fd < 0)
		return fd;
	xc->links[slot].fd = fd;
	xc->links[slot].ifindex = ifindex;
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
	int err = test_run(xc_counter_prog_fd(xc), ifindex, &opts);

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
	err = test_run_ctx(xc_counter_prog_fd(xc), 0, XC_META_LEN, &opts);
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
	return xc_prog_run_repeat(xc_counter_prog_fd(xc), frame, len, repeat,
				  ns_per_run);
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
	return xc_prog_send_live(xc_counter_prog_fd(xc), ifindex, frame, len,
				 repeat, NULL);
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
	size_t sz = ((value_size + 7) & ~(size_t)7) * (size_t)ncpus;
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

static int clear_hash(int fd, size_t key_size)
{
	unsigned char *key = calloc(1, key_size), *next = calloc(1, key_size);
	bool more;
	int err = 0;

	if (!key || !next) {
		err = -ENOMEM;
		goto out;
	}
	/*
	 * Delete each key once the next is known: a walk from the start for
	 * every key scans every bucket of a large, sparse table each time.
	 */
	more = !bpf_map_get_next_key(fd, NULL, next);
	while (more) {
		memcpy(key, next, key_size);
		more = !bpf_map_get_next_key(fd, key, next);
		if (bpf_map_delete_elem(fd, key) && errno != ENOENT) {
			err = -errno;
			break;
		}
	}
out:
	free(key);
	free(next);
	return err;
}

/* The used-ports bitmap, every CPU's copy ORed: one batch read, else word by word. */
static int read_ports_seen(int fd, __u32 words, int ncpus, __u64 *bits)
{
	__u64 *vals = calloc((size_t)words * (size_t)ncpus, sizeof(*vals));
	__u32 *keys = calloc(words, sizeof(*keys));
	__u32 count = words, out;
	int err = 0;

	if (!vals || !keys) {
		err = -ENOMEM;
		goto out;
	}
	if (bpf_map_lookup_batch(fd, NULL, &out, keys, vals, &count, NULL) && errno != ENOENT) {
		count = 0;
		for (__u32 w = 0; w < words && !err; w++, count++) {
			keys[w] = w;
			if (bpf_map_lookup_elem(fd, &w, vals + (size_t)w * (size_t)ncpus))
				err = -errno;
		}
	}
	for (__u32 i = 0; i < count && !err; i++)
		for (int c = 0; c < ncpus; c++)
			bits[keys[i]] |= vals[(size_t)i * (size_t)ncpus + (size_t)c];
out:
	free(vals);
	free(keys);
	return err;
}

/*
 * Zero the ports the bitmap marks, then the bitmap: the whole array is 131072
 * entries times every CPU, which makes a reset take a tenth of a second.
 */
static int zero_used_ports(struct xc_counter *xc)
{
	__typeof__(xc->skel->maps) *m = &xc->skel->maps;
	__u32 words = bpf_map__max_entries(m->ports_seen);
	__u32 entries = bpf_map__max_entries(m->ports);
	__u64 *bits = calloc(words, sizeof(*bits));
	struct xc_pb *zero = calloc((size_t)xc->ncpus, sizeof(*zero));
	int fd = bpf_map__fd(m->ports), err;

	err = bits && zero ? read_ports_seen(bpf_map__fd(m->ports_seen), words, xc->ncpus, bits)
			   : -ENOMEM;
	for (__u32 w = 0; w < words && !err; w++) {
		for (__u64 b = bits[w]; b && !err; b &= b - 1) {
			__u32 idx = w * 64 + (__u32)__builtin_ctzll(b);

			if (idx < entries && bpf_map_update_elem(fd, &idx, zero, BPF_ANY))
				err = -errno;
		}
	}
	free(bits);
	free(zero);
	return err ?: zero_array(bpf_map__fd(m->ports_seen), words, sizeof(__u64), xc->ncpus);
}

int xc_counter_reset(struct xc_counter *xc)
{
	__typeof__(xc->skel->maps) *m = &xc->skel->maps;
	int err = 0;

	err = err ?: zero_array(bpf_map__fd(m->counters), XC_IFACE_SLOTS + 1,
				sizeof(struct xc_slot), xc->ncpus);
	err = err ?: zero_array(bpf_map__fd(m->tables), XC_TAB_MAX,
				sizeof(struct xc_table_stats), xc->ncpus);
	err = err ?: zero_used_ports(xc);
	err = err ?: clear_hash(bpf_map__fd(m->ifaces), sizeof(__u32));
	err = err ?: clear_hash(bpf_map__fd(m->sources), sizeof(struct xc_addr));
	err = err ?: clear_hash(bpf_map__fd(m->flows), sizeof(struct xc_flow_key));
	return err;
}
