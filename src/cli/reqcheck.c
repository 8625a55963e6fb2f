// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A byte-at-a-time automaton over request heads; see reqcheck.h. */
#include <string.h>
#include "reqcheck.h"

enum {
	LINE_START,   /* before a request line; empty lines are skipped */
	LINE_START_CR,
	METHOD,
	TARGET_START, /* origin form only: the target begins with '/' */
	TARGET,
	VERSION,
	LINE_END,
	LINE_END_CR,
	FIELD_START,  /* a header line, or the empty line that ends the head */
	FIELD_NAME,
	FIELD,
	FIELD_CR,
	HEAD_END_CR,
};

#define METHOD_MAX 16
static const char version[] = "HTTP/1.";

static bool is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* RFC 9110's tchar: what a field name is made of. */
static bool is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* The state after c, or -1 when c cannot come here. */
static int step(struct reqcheck *r, unsigned char c)
{
	switch (r->state) {
	case LINE_START:
		r->n = 0;
		if (c == '\r')
			return LINE_START_CR;
		if (c == '\n')
			return LINE_START;
		return c >= 'A' && c <= 'Z' ? METHOD : -1;
	case LINE_START_CR:
		return c == '\n' ? LINE_START : -1;
	case METHOD:
		if (c == ' ')
			return TARGET_START;
		return c >= 'A' && c <= 'Z' && ++r->n < METHOD_MAX ? METHOD : -1;
	case TARGET_START:
		r->n = 0;
		return c == '/' ? TARGET : -1;
	case TARGET:
		if (c == ' ')
			return VERSION;
		return c > 0x20 && c < 0x7f ? TARGET : -1;
	case VERSION:
		if (r->n < (int)sizeof(version) - 1)
			return c == (unsigned char)version[r->n++] ? VERSION : -1;
		return c == '0' || c == '1' ? LINE_END : -1;
	case LINE_END:
		if (c == '\r')
			return LINE_END_CR;
		return c == '\n' ? FIELD_START : -1;
	case LINE_END_CR:
	case FIELD_CR:
		return c == '\n' ? FIELD_START : -1;
	case FIELD_START:
		if (c == '\r')
			return HEAD_END_CR;
		if (c == '\n')
			return LINE_START;
		/* A line that starts with white space folds the one before: obsolete. */
		return is_tchar(c) ? FIELD_NAME : -1;
	case FIELD_NAME:
		if (c == ':')
			return FIELD;
		return is_tchar(c) ? FIELD_NAME : -1;
	case FIELD:
		if (c == '\r')
			return FIELD_CR;
		if (c == '\n')
			return FIELD_START;
		return is_ctl(c) && c != '\t' ? -1 : FIELD;
	case HEAD_END_CR:
		return c == '\n' ? LINE_START : -1;
	}
	return -1;
}

bool reqcheck_feed(struct reqcheck *r, const char *buf, size_t len)
{
	for (size_t i = 0; i < len && !r->bad; i++) {
		int next = step(r, (unsigned char)buf[i]);

		if (next < 0)
			r->bad = true;
		else
			r->state = next;
	}
	return !r->bad;
}
