/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Checks. One message format, "NAME: got X, want Y", and every check named;
 * NAME is printf-style (the last arguments). XT_EXPECT_* mark the test failed
 * and go on (cr_expect), returning whether the check held, so set-up reads as
 * a ladder: if (!XT_EXPECT_OK(err, "open")) goto out;
 * XT_ASSERT_* end the test there (cr_assert).
 */
#ifndef XDPCOUNT_CHECKS_H
#define XDPCOUNT_CHECKS_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <criterion/criterion.h>
#include <json-c/json.h>
#include "fixtures.h"
#include "libxdpcount.h"

/* ---- scalars ---- */

#define XT_EXPECT_EQ(got, want, ...) XT_CMP_(cr_expect, got, ==, "", want, __VA_ARGS__)
#define XT_EXPECT_NE(got, want, ...) XT_CMP_(cr_expect, got, !=, "not ", want, __VA_ARGS__)
#define XT_EXPECT_GE(got, want, ...) XT_CMP_(cr_expect, got, >=, ">= ", want, __VA_ARGS__)
#define XT_EXPECT_GT(got, want, ...) XT_CMP_(cr_expect, got, >, "> ", want, __VA_ARGS__)
#define XT_EXPECT_LE(got, want, ...) XT_CMP_(cr_expect, got, <=, "<= ", want, __VA_ARGS__)
#define XT_EXPECT_LT(got, want, ...) XT_CMP_(cr_expect, got, <, "< ", want, __VA_ARGS__)
#define XT_ASSERT_EQ(got, want, ...) XT_CMP_(cr_assert, got, ==, "", want, __VA_ARGS__)
#define XT_ASSERT_NE(got, want, ...) XT_CMP_(cr_assert, got, !=, "not ", want, __VA_ARGS__)
#define XT_ASSERT_GE(got, want, ...) XT_CMP_(cr_assert, got, >=, ">= ", want, __VA_ARGS__)

/* err is 0, or an error number of either sign. */
#define XT_EXPECT_OK(err, ...) XT_OK_(cr_expect, err, __VA_ARGS__)
#define XT_ASSERT_OK(err, ...) XT_OK_(cr_assert, err, __VA_ARGS__)

#define XT_EXPECT_TRUE(cond, ...) XT_BOOL_(cr_expect, cond, true, __VA_ARGS__)
#define XT_EXPECT_FALSE(cond, ...) XT_BOOL_(cr_expect, cond, false, __VA_ARGS__)
#define XT_ASSERT_TRUE(cond, ...) XT_BOOL_(cr_assert, cond, true, __VA_ARGS__)

/* ---- strings ---- */

#define XT_EXPECT_STREQ(got, want, ...) XT_STR_(cr_expect, got, want, 0, __VA_ARGS__)
/* got holds want somewhere. */
#define XT_EXPECT_HAS(got, want, ...) XT_STR_(cr_expect, got, want, 1, __VA_ARGS__)
#define XT_EXPECT_LACKS(got, want, ...) XT_STR_(cr_expect, got, want, 2, __VA_ARGS__)
#define XT_ASSERT_HAS(got, want, ...) XT_STR_(cr_assert, got, want, 1, __VA_ARGS__)

/* ---- how they work ---- */

/* The check's name into a buffer that lives as long as the statement. */
#define XT_NAME_(...) xt_check_name((char[192]){ 0 }, 192, __VA_ARGS__)
/* An integer of any type as text, signed or not as its type is. */
#define XT_SIGNED_(v) _Generic((v), int: 1, long: 1, long long: 1, default: 0)
#define XT_NUM_(v) xt_check_num((char[24]){ 0 }, XT_SIGNED_(v), (unsigned long long)(v))

/* Both sides in their common type, as the comparison itself would have them. */
#define XT_CMP_(report, got, op, want_text, want, ...) ({                           \
	__typeof__((got) + (want)) xt_got_ = (got), xt_want_ = (want);               \
	bool xt_ok_ = xt_got_ op xt_want_;                                             \
	report(xt_ok_, "%s: got %s, want %s%s", XT_NAME_(__VA_ARGS__), XT_NUM_(xt_got_), \
	       want_text, XT_NUM_(xt_want_));                                        \
	xt_ok_;                                                                       \
})

#define XT_OK_(report, err, ...) ({                                                  \
	long long xt_err_ = (err);                                                   \
	report(xt_err_ == 0, "%s: got error %lld (%s), want 0", XT_NAME_(__VA_ARGS__), \
	       xt_err_, strerror((int)(xt_err_ < 0 ? -xt_err_ : xt_err_)));           \
	xt_err_ == 0;                                                                \
})

#define XT_BOOL_(report, cond, want, ...) ({                                         \
	bool xt_ok_ = (bool)(cond) == (want);                                          \
	report(xt_ok_, "%s: got %s, want %s", XT_NAME_(__VA_ARGS__),                  \
	       (want) ? "false" : "true", (want) ? "true" : "false");                \
	xt_ok_;                                                                       \
})

/* how: 0 equal, 1 got holds want, 2 got does not hold want. NULL is "(null)". */
#define XT_STR_(report, got, want, how, ...) ({                                      \
	const char *xt_got_ = (got), *xt_want_ = (want);                             \
	bool xt_ok_ = xt_check_str(xt_got_, xt_want_, how);                          \
	report(xt_ok_, "%s: got \"%.2000s\", want %s\"%s\"", XT_NAME_(__VA_ARGS__),   \
	       xt_got_ ? xt_got_ : "(null)",                                          \
	       (how) == 0 ? "" : (how) == 1 ? "text holding " : "text without ",      \
	       xt_want_ ? xt_want_ : "(null)");                                       \
	xt_ok_;                                                                       \
})

char *xt_check_name(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
char *xt_check_num(char *buf, bool is_signed, unsigned long long v);
bool xt_check_str(const char *got, const char *want, int how);

/* ---- counters and tables: each reports every difference, returns true when there was none ---- */

/* Every counter: total, malformed, vlan, each l3, each l4, no_l4, each size bucket. */
bool xt_expect_counters_eq(const char *what, const struct xc_counters *got,
			   const struct xc_counters *want);

/* The contract's partitions and bounds; sizes: whether the histogram was counted. */
bool xt_expect_counters_consistent(const char *what, const struct xc_counters *c,
				   bool sizes);

/* Whole tables, matched by key whatever their order: every entry, packets and bytes. */
bool xt_expect_sources_eq(const char *what, const struct xc_source *got, size_t n_got,
			  const struct xc_source *want, size_t n_want);
bool xt_expect_ports_eq(const char *what, const struct xc_port *got, size_t n_got,
			const struct xc_port *want, size_t n_want);
bool xt_expect_flows_eq(const char *what, const struct xc_flow *got, size_t n_got,
			const struct xc_flow *want, size_t n_want);
/* Only that each entry of got is in want with the same counts (full rows kept a part). */
bool xt_expect_sources_in(const char *what, const struct xc_source *got, size_t n_got,
			  const struct xc_source *want, size_t n_want);
bool xt_expect_flows_in(const char *what, const struct xc_flow *got, size_t n_got,
			const struct xc_flow *want, size_t n_want);

/*
 * Every l4 frame is in one source row, in `other`, or unrecorded by the cache:
 * their sum is l4's, packets and bytes. Needs XC_F_SOURCES and no traffic.
 */
bool xt_expect_rows_cover_l4(const char *what, const struct xc_snapshot *s);

/*
 * One capture in `xdpcount -r FILE --json --top ALL`'s shape against what gen.py
 * declared: every counter and entry (in the documented order), the record
 * tallies, the capture's times and rates, and no interface.
 */
bool xt_expect_json_capture(const char *what, struct json_object *o,
			    const struct xt_expect *exp);

/* The snapshot's source, port and flow tables against the expected lists. */
bool xt_expect_tables_eq(const char *what, const struct xc_snapshot *s,
			 const struct xt_expect *exp);

/*
 * The order snapshot.h documents for top-N, done here by a full sort:
 * packets descending, then bytes descending, then the key ascending
 * (addresses and flow keys as stored bytes, ports by protocol number then port).
 */
int xt_rank_source(const void *a, const void *b);
int xt_rank_port(const void *a, const void *b);
int xt_rank_flow(const void *a, const void *b);

#endif /* XDPCOUNT_CHECKS_H */
