/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * JSON in the expect files' (and `xdpcount --json`'s) shape, read with json-c.
 * `what` names the object in messages; each reader aborts the test when a key
 * is missing or mistyped.
 */
#ifndef XDPCOUNT_JSON_H
#define XDPCOUNT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>
#include "libxdpcount.h"

/* gen.py's class names, kept here: the oracle does not borrow the library's tables. */
extern const char *const xt_l3_names[XC_L3_MAX];
extern const char *const xt_l4_names[XC_L4_MAX];

/* A key of an object. */
struct json_object *xt_json_get(const char *what, struct json_object *o,
				const char *key);
/* A key holding a whole number, a string, a boolean. */
__u64 xt_json_u64(const char *what, struct json_object *o, const char *key);
const char *xt_json_str(const char *what, struct json_object *o, const char *key);
bool xt_json_flag(const char *what, struct json_object *o, const char *key);
/* a itself, once it is known to be an array. */
struct json_object *xt_json_array(const char *what, struct json_object *a);
/* The index of a class name in names; -1 for a missing value. */
int xt_json_class(const char *what, struct json_object *v,
		  const char *const *names, int n);
/* calloc for every entry of an array (at least one, so that none is not NULL); n gets the count. */
void *xt_json_calloc(struct json_object *a, size_t size, size_t *n);

/* The counters of an object; size_le (optional) gets each size bucket's bound, -1: open. */
void xt_json_counters(const char *what, struct json_object *o,
		      struct xc_counters *c, long *size_le);
/* The tables, malloc'ed. */
void xt_json_sources(const char *what, struct json_object *a,
		     struct xc_source **out, size_t *n);
void xt_json_ports(const char *what, struct json_object *a,
		   struct xc_port **out, size_t *n);
void xt_json_flows(const char *what, struct json_object *a,
		   struct xc_flow **out, size_t *n);

/* A value by a dotted path of keys and array indexes ("l4.udp.packets", "lost.0"); as numbers. */
struct json_object *xt_json_at(struct json_object *o, const char *path);
long long xt_json_num(struct json_object *o, const char *path);
double xt_json_real(struct json_object *o, const char *path);

/* Output of `xdpcount --json`, live: one object a line. */
#define XT_JSON_LINES_MAX 512
struct xt_json_lines {
	struct json_object *v[XT_JSON_LINES_MAX];
	size_t n;
};
/* Every whole line of out (not one still being written); aborts on a line that is no object. */
void xt_json_lines_parse(const char *out, struct xt_json_lines *l);
void xt_json_lines_free(struct xt_json_lines *l);

/* An IPv4 or IPv6 literal as the library stores it (IPv4 v4-mapped); aborts when it is not one. */
void xt_addr_parse(const char *what, const char *text, struct xc_addr *a);

#endif /* XDPCOUNT_JSON_H */
