// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Where the fixtures are, and their expected counts read with json-c. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "harness.h"

const char *const xt_l3_names[XC_L3_MAX] = { "ipv4", "ipv6", "arp", "other" };
const char *const xt_l4_names[XC_L4_MAX] = { "tcp", "udp", "icmp", "icmpv6", "other" };

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

struct json_object *xt_json_get(const char *what, struct json_object *o,
				const char *key)
{
	struct json_object *v = NULL;

	cr_assert(o && json_object_object_get_ex(o, key, &v),
		  "%s: key \"%s\" is missing", what, key);
	return v;
}

static __u64 json_u64(const char *what, struct json_object *o, const char *key)
{
	struct json_object *v = xt_json_get(what, o, key);

	cr_assert(json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0,
		  "%s: \"%s\" is not a whole number", what, key);
	return json_object_get_uint64(v);
}

static const char *json_str(const char *what, struct json_object *o, const char *key)
{
	struct json_object *v = xt_json_get(what, o, key);

	cr_assert(json_object_is_type(v, json_type_string),
		  "%s: \"%s\" is not a string", what, key);
	return json_object_get_string(v);
}

static bool json_flag(const char *what, struct json_object *o, const char *key)
{
	struct json_object *v = xt_json_get(what, o, key);

	cr_assert(json_object_is_type(v, json_type_boolean),
		  "%s: \"%s\" is not a boolean", what, key);
	return json_object_get_boolean(v);
}

static struct json_object *json_array(const char *what, struct json_object *a)
{
	cr_assert(json_object_is_type(a, json_type_array), "%s is not an array", what);
	return a;
}

static void json_pb(const char *what, struct json_object *o, struct xc_pb *pb)
{
	pb->packets = json_u64(what, o, "packets");
	pb->bytes = json_u64(what, o, "bytes");
}

/* A class name as gen.py writes it; -1 for JSON null. */
static int class_index(const char *what, struct json_object *v,
		       const char *const *names, int n)
{
	if (!v)
		return -1;
	for (int i = 0; i < n; i++)
		if (!strcmp(json_object_get_string(v), names[i]))
			return i;
	cr_assert_fail("%s: unknown class \"%s\"", what, json_object_get_string(v));
	return -1;
}

void xt_json_counters(const char *what, struct json_object *o,
		      struct xc_counters *c, long *size_le)
{
	struct json_object *l3 = xt_json_get(what, o, "l3");
	struct json_object *l4 = xt_json_get(what, o, "l4");
	struct json_object *sizes = json_array(what, xt_json_get(what, o, "sizes"));
	struct xc_pb sum = { 0, 0 };

	memset(c, 0, sizeof(*c));
	json_pb(what, xt_json_get(what, o, "total"), &c->total);
	json_pb(what, xt_json_get(what, o, "malformed"), &c->malformed);
	json_pb(what, xt_json_get(what, o, "vlan"), &c->vlan);
	for (int i = 0; i < XC_L3_MAX; i++)
		json_pb(what, xt_json_get(what, l3, xt_l3_names[i]), &c->l3[i]);
	for (int i = 0; i < XC_L4_MAX; i++) {
		json_pb(what, xt_json_get(what, l4, xt_l4_names[i]), &c->l4[i]);
		sum.packets += c->l4[i].packets;
		sum.bytes += c->l4[i].bytes;
	}
	/* Not in the JSON: what is not in l4 is the rest of total. */
	c->no_l4.packets = c->total.packets - sum.packets;
	c->no_l4.bytes = c->total.bytes - sum.bytes;
	cr_assert_eq(json_object_array_length(sizes), XC_SIZE_BUCKETS,
		     "%s: sizes has %zu buckets, want %d", what,
		     json_object_array_length(sizes), XC_SIZE_BUCKETS);
	for (int i = 0; i < XC_SIZE_BUCKETS; i++) {
		struct json_object *b = json_object_array_get_idx(sizes, i);
		struct json_object *le = xt_json_get(what, b, "le");

		json_pb(what, b, &c->sizes[i]);
		if (size_le)
			size_le[i] = le ? json_object_get_int64(le) : -1;
	}
}

static void parse_addr(const char *what, const char *s, struct xc_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET6, s, a->a) == 1)
		return;
	/* IPv4 is stored v4-mapped: ::ffff:a.b.c.d */
	a->a[10] = a->a[11] = 0xff;
	cr_assert(inet_pton(AF_INET, s, a->a + 12) == 1,
		  "%s: \"%s\" is not an address", what, s);
}

static __u8 parse_proto(const char *what, struct json_object *o)
{
	static const struct { const char *name; __u8 num; } protos[] = {
		{ "tcp", 6 }, { "udp", 17 }, { "icmp", 1 }, { "icmpv6", 58 },
	};
	struct json_object *v = xt_json_get(what, o, "proto");

	if (json_object_is_type(v, json_type_int))
		return (__u8)json_object_get_int(v);
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (!strcmp(json_object_get_string(v), protos[i].name))
			return protos[i].num;
	cr_assert_fail("%s: unknown proto \"%s\"", what, json_object_get_string(v));
	return 0;
}

/* calloc for n entries of a list, at least one so that n == 0 is not NULL. */
static void *list_alloc(struct json_object *a, size_t size, size_t *n)
{
	void *p;

	*n = json_object_array_length(a);
	p = calloc(*n ? *n : 1, size);
	cr_assert(p, "out of memory");
	return p;
}

void xt_json_sources(const char *what, struct json_object *a,
		     struct xc_source **out, size_t *n)
{
	struct xc_source *s = list_alloc(json_array(what, a), sizeof(*s), n);

	for (size_t i = 0; i < *n; i++) {
		struct json_object *e = json_object_array_get_idx(a, i);

		parse_addr(what, json_str(what, e, "addr"), &s[i].addr);
		json_pb(what, e, &s[i].pb);
	}
	*out = s;
}

void xt_json_ports(const char *what, struct json_object *a,
		   struct xc_port **out, size_t *n)
{
	struct xc_port *p = list_alloc(json_array(what, a), sizeof(*p), n);

	for (size_t i = 0; i < *n; i++) {
		struct json_object *e = json_object_array_get_idx(a, i);

		p[i].proto = parse_proto(what, e);
		p[i].port = (__u16)json_u64(what, e, "port");
		json_pb(what, e, &p[i].pb);
	}
	*out = p;
}

void xt_json_flows(const char *what, struct json_object *a,
		   struct xc_flow **out, size_t *n)
{
	struct xc_flow *f = list_alloc(json_array(what, a), sizeof(*f), n);

	for (size_t i = 0; i < *n; i++) {
		struct json_object *e = json_object_array_get_idx(a, i);
		struct xc_flow_key *k = &f[i].key;

		parse_addr(what, json_str(what, e, "src"), &k->src);
		parse_addr(what, json_str(what, e, "dst"), &k->dst);
		k->sport = (__u16)json_u64(what, e, "sport");
		k->dport = (__u16)json_u64(what, e, "dport");
		k->proto = parse_proto(what, e);
		k->kind = XC_KEY_FLOW;
		f[i].val.packets = json_u64(what, e, "packets");
		f[i].val.bytes = json_u64(what, e, "bytes");
	}
	*out = f;
}

/* A whole number, or -1 for null. */
static long json_offset(const char *what, struct json_object *o, const char *key)
{
	struct json_object *v = xt_json_get(what, o, key);

	if (json_object_is_type(v, json_type_null))
		return -1;
	cr_assert(json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0,
		  "%s: \"%s\" is neither null nor a whole number", what, key);
	return (long)json_object_get_int64(v);
}

static void json_cases(const char *what, struct json_object *a, struct xt_expect *exp)
{
	struct xt_case *k = list_alloc(json_array(what, a), sizeof(*k), &exp->n_cases);

	for (size_t i = 0; i < exp->n_cases; i++) {
		struct json_object *e = json_object_array_get_idx(a, i);

		k[i].frame = json_u64(what, e, "frame");
		k[i].description = strdup(json_str(what, e, "description"));
		k[i].len = json_u64(what, e, "len");
		k[i].skipped = json_flag(what, e, "skipped");
		k[i].malformed = json_flag(what, e, "malformed");
		k[i].vlan = json_flag(what, e, "vlan");
		k[i].l3 = class_index(what, xt_json_get(what, e, "l3"), xt_l3_names, XC_L3_MAX);
		k[i].l4 = class_index(what, xt_json_get(what, e, "l4"), xt_l4_names, XC_L4_MAX);
		k[i].l3_offset = json_offset(what, e, "l3_offset");
		k[i].l4_offset = json_offset(what, e, "l4_offset");
		k[i].port = !json_object_is_type(xt_json_get(what, e, "port"), json_type_null);
		k[i].flow = json_flag(what, e, "flow");
	}
	exp->cases = k;
}

void xt_expect_load(struct xt_expect *exp, const char *name, const char *file)
{
	char path[512], what[128];
	struct json_object *o;

	memset(exp, 0, sizeof(*exp));
	exp->name = name;
	xt_pcap_path(exp->path, sizeof(exp->path), file);
	snprintf(path, sizeof(path), "%s/pcaps/%s.expect.json", xt_root(), name);
	snprintf(what, sizeof(what), "%s.expect.json", name);
	o = json_object_from_file(path);
	cr_assert(o, "%s: cannot read or parse it: %s", path, json_util_get_last_err());
	exp->frames = json_u64(what, o, "frames");
	exp->skipped = json_u64(what, o, "skipped");
	exp->truncated = json_flag(what, o, "truncated");
	xt_json_counters(what, o, &exp->c, exp->size_le);
	xt_json_sources(what, xt_json_get(what, o, "sources"), &exp->sources, &exp->n_sources);
	xt_json_ports(what, xt_json_get(what, o, "dst_ports"), &exp->ports, &exp->n_ports);
	xt_json_flows(what, xt_json_get(what, o, "flows"), &exp->flows, &exp->n_flows);
	json_cases(what, xt_json_get(what, o, "cases"), exp);
	json_object_put(o);
}

void xt_expect_free(struct xt_expect *exp)
{
	for (size_t i = 0; i < exp->n_cases; i++)
		free(exp->cases[i].description);
	free(exp->cases);
	free(exp->sources);
	free(exp->ports);
	free(exp->flows);
	memset(exp, 0, sizeof(*exp));
}

static void pb_add(struct xc_pb *pb, size_t len)
{
	pb->packets++;
	pb->bytes += len;
}

void xt_case_count(const struct xt_expect *exp, const struct xt_case *k,
		   struct xc_counters *c)
{
	int b = 0;

	if (k->skipped)
		return;
	pb_add(&c->total, k->len);
	pb_add(&c->l3[k->l3], k->len);
	pb_add(k->l4 >= 0 ? &c->l4[k->l4] : &c->no_l4, k->len);
	if (k->malformed)
		pb_add(&c->malformed, k->len);
	if (k->vlan)
		pb_add(&c->vlan, k->len);
	while (b < XC_SIZE_BUCKETS - 1 && exp->size_le[b] >= 0 &&
	       (long)k->len > exp->size_le[b])
		b++;
	pb_add(&c->sizes[b], k->len);
}
