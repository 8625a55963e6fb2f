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

/* An IPv4 or IPv6 literal as the library stores it (IPv4 v4-mapped); aborts when it is not one. */
void xt_addr_parse(const char *what, const char *text, struct xc_addr *a);

#endif /* XDPCOUNT_JSON_H */
