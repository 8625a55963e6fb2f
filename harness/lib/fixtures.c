// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The fixtures' expected counts: pcaps/NAME.expect.json, gen.py's oracle. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "fixtures.h"
#include "json.h"
#include "paths.h"

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
	struct xt_case *k = xt_json_calloc(xt_json_array(what, a), sizeof(*k), &exp->n_cases);

	for (size_t i = 0; i < exp->n_cases; i++) {
		struct json_object *e = json_object_array_get_idx(a, i);

		k[i].frame = xt_json_u64(what, e, "frame");
		k[i].description = strdup(xt_json_str(what, e, "description"));
		k[i].len = xt_json_u64(what, e, "len");
		k[i].wire_len = xt_json_u64(what, e, "wire_len");
		k[i].bytes = xt_json_u64(what, e, "bytes");
		k[i].bad_length = xt_json_flag(what, e, "bad_length");
		k[i].skipped = xt_json_flag(what, e, "skipped");
		k[i].malformed = xt_json_flag(what, e, "malformed");
		k[i].vlan = xt_json_flag(what, e, "vlan");
		k[i].l3 = xt_json_class(what, xt_json_get(what, e, "l3"), xt_l3_names, XC_L3_MAX);
		k[i].l4 = xt_json_class(what, xt_json_get(what, e, "l4"), xt_l4_names, XC_L4_MAX);
		k[i].l3_offset = json_offset(what, e, "l3_offset");
		k[i].l4_offset = json_offset(what, e, "l4_offset");
		k[i].port = !json_object_is_type(xt_json_get(what, e, "port"), json_type_null);
		k[i].flow = xt_json_flag(what, e, "flow");
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
	exp->frames = xt_json_u64(what, o, "frames");
	exp->skipped = xt_json_u64(what, o, "skipped");
	exp->truncated = xt_json_flag(what, o, "truncated");
	exp->damaged = xt_json_flag(what, o, "damaged");
	exp->snapped = xt_json_u64(what, o, "snapped");
	exp->bad_length = xt_json_u64(what, o, "bad_length");
	exp->first_ns = json_offset(what, o, "first_ns");
	exp->last_ns = json_offset(what, o, "last_ns");
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
	pb_add(&c->total, k->bytes);
	pb_add(&c->l3[k->l3], k->bytes);
	pb_add(k->l4 >= 0 ? &c->l4[k->l4] : &c->no_l4, k->bytes);
	if (k->malformed)
		pb_add(&c->malformed, k->bytes);
	if (k->vlan)
		pb_add(&c->vlan, k->bytes);
	while (b < XC_SIZE_BUCKETS - 1 && exp->size_le[b] >= 0 &&
	       (long)k->bytes > exp->size_le[b])
		b++;
	pb_add(&c->sizes[b], k->bytes);
}
