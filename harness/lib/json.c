// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* JSON in the expect files' and `xdpcount --json`'s shape, read with json-c. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "checks.h"
#include "json.h"

const char *const xt_l3_names[XC_L3_MAX] = { "ipv4", "ipv6", "arp", "other" };
const char *const xt_l4_names[XC_L4_MAX] = { "tcp", "udp", "icmp", "icmpv6", "other" };

struct json_object *xt_json_get(const char *what, struct json_object *o,
				const char *key)
{
	struct json_object *v = NULL;

	cr_assert(o && json_object_object_get_ex(o, key, &v),
		  "%s: key \"%s\" is missing", what, key);
	return v;
}

__u64 xt_json_u64(const char *what, struct json_object *o, const char *key)
{
	struct json_object *v = xt_json_get(what, o, key);

	cr_assert(json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0,
		  "%s: \"%s\" is not a whole number", what, key);
	return json_object_get_uint64(v);
}

const char *xt_json_str(const char *what, struct json_object *o, const char *key)
{
	struct json_object *v = xt_json_get(what, o, key);

	cr_assert(json_object_is_type(v, json_type_string),
		  "%s: \"%s\" is not a string", what, key);
	return json_object_get_string(v);
}

bool xt_json_flag(const char *what, struct json_object *o, const char *key)
{
	struct json_object *v = xt_json_get(what, o, key);

	cr_assert(json_object_is_type(v, json_type_boolean),
		  "%s: \"%s\" is not a boolean", what, key);
	return json_object_get_boolean(v);
}

struct json_object *xt_json_array(const char *what, struct json_object *a)
{
	cr_assert(json_object_is_type(a, json_type_array), "%s is not an array", what);
	return a;
}

static void json_pb(const char *what, struct json_object *o, struct xc_pb *pb)
{
	pb->packets = xt_json_u64(what, o, "packets");
	pb->bytes = xt_json_u64(what, o, "bytes");
}

/* A class name as gen.py writes it; -1 for JSON null. */
int xt_json_class(const char *what, struct json_object *v,
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
	struct json_object *sizes = xt_json_array(what, xt_json_get(what, o, "sizes"));
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
	XT_ASSERT_EQ(json_object_array_length(sizes), XC_SIZE_BUCKETS, "%s: size buckets", what);
	for (int i = 0; i < XC_SIZE_BUCKETS; i++) {
		struct json_object *b = json_object_array_get_idx(sizes, i);
		struct json_object *le = xt_json_get(what, b, "le");

		json_pb(what, b, &c->sizes[i]);
		if (size_le)
			size_le[i] = le ? json_object_get_int64(le) : -1;
	}
}

void xt_addr_parse(const char *what, const char *s, struct xc_addr *a)
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
		{ "tcp", IPPROTO_TCP }, { "udp", IPPROTO_UDP }, { "icmp", IPPROTO_ICMP },
		{ "icmpv6", IPPROTO_ICMPV6 },
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
void *xt_json_calloc(struct json_object *a, size_t size, size_t *n)
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
	struct xc_source *s = xt_json_calloc(xt_json_array(what, a), sizeof(*s), n);

	for (size_t i = 0; i < *n; i++) {
		struct json_object *e = json_object_array_get_idx(a, i);

		xt_addr_parse(what, xt_json_str(what, e, "addr"), &s[i].addr);
		json_pb(what, e, &s[i].pb);
	}
	*out = s;
}

void xt_json_ports(const char *what, struct json_object *a,
		   struct xc_port **out, size_t *n)
{
	struct xc_port *p = xt_json_calloc(xt_json_array(what, a), sizeof(*p), n);

	for (size_t i = 0; i < *n; i++) {
		struct json_object *e = json_object_array_get_idx(a, i);

		p[i].proto = parse_proto(what, e);
		p[i].port = (__u16)xt_json_u64(what, e, "port");
		json_pb(what, e, &p[i].pb);
	}
	*out = p;
}

void xt_json_flows(const char *what, struct json_object *a,
		   struct xc_flow **out, size_t *n)
{
	struct xc_flow *f = xt_json_calloc(xt_json_array(what, a), sizeof(*f), n);

	for (size_t i = 0; i < *n; i++) {
		struct json_object *e = json_object_array_get_idx(a, i);
		struct xc_flow_key *k = &f[i].key;

		xt_addr_parse(what, xt_json_str(what, e, "src"), &k->src);
		xt_addr_parse(what, xt_json_str(what, e, "dst"), &k->dst);
		k->sport = (__u16)xt_json_u64(what, e, "sport");
		k->dport = (__u16)xt_json_u64(what, e, "dport");
		k->proto = parse_proto(what, e);
		k->kind = XC_KEY_FLOW;
		f[i].val.packets = xt_json_u64(what, e, "packets");
		f[i].val.bytes = xt_json_u64(what, e, "bytes");
	}
	*out = f;
}

/* ---- JSON lines ---- */

void xt_json_lines_parse(const char *out, struct xt_json_lines *l)
{
	const char *p = out;

	l->n = 0;
	while (*p && l->n < XT_JSON_LINES_MAX) {
		const char *nl = strchr(p, '\n');
		char *line;

		if (!nl)
			break; /* a line still being written */
		line = strndup(p, (size_t)(nl - p));
		l->v[l->n] = json_tokener_parse(line);
		cr_assert(l->v[l->n] && json_object_is_type(l->v[l->n], json_type_object),
			  "line %zu is not a JSON object: %.200s", l->n + 1, line);
		free(line);
		l->n++;
		p = nl + 1;
	}
}

void xt_json_lines_free(struct xt_json_lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		json_object_put(l->v[i]);
	l->n = 0;
}

struct json_object *xt_json_at(struct json_object *o, const char *path)
{
	char buf[256], *save, *key;

	snprintf(buf, sizeof(buf), "%s", path);
	for (key = strtok_r(buf, ".", &save); key; key = strtok_r(NULL, ".", &save)) {
		bool index = strspn(key, "0123456789") == strlen(key);

		if (index && json_object_is_type(o, json_type_array)) {
			size_t i = strtoul(key, NULL, 10);

			cr_assert(i < json_object_array_length(o), "%s: no element %zu", path, i);
			o = json_object_array_get_idx(o, i);
		} else {
			o = xt_json_get(path, o, key);
		}
	}
	return o;
}

long long xt_json_num(struct json_object *o, const char *path)
{
	return json_object_get_int64(xt_json_at(o, path));
}

double xt_json_real(struct json_object *o, const char *path)
{
	return json_object_get_double(xt_json_at(o, path));
}
