// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The terminal view: alternate screen, redrawn in place, one write per frame. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "tty.h"
#include "view.h"

#define ESC "\033"

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Alternate screen, no cursor, keys unechoed; the termios are read afresh each time. */
static int enter(struct tty *t)
{
	static const char seq[] = ESC "[?1049h" ESC "[?25l" ESC "[H" ESC "[2J";
	struct termios raw;

	t->saved_termios = false;
	/* Keys are read one at a time and not echoed over the view. */
	if (t->in_fd >= 0 && !tcgetattr(t->in_fd, &t->saved)) {
		raw = t->saved;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		raw.c_cc[VMIN] = 0;
		raw.c_cc[VTIME] = 0;
		t->saved_termios = !tcsetattr(t->in_fd, TCSANOW, &raw);
	}
	return write_all(t->out_fd, seq, sizeof(seq) - 1);
}

static void leave(struct tty *t)
{
	static const char seq[] = ESC "[?25h" ESC "[?1049l";

	write_all(t->out_fd, seq, sizeof(seq) - 1);
	if (t->saved_termios)
		tcsetattr(t->in_fd, TCSANOW, &t->saved);
	t->saved_termios = false;
}

int tty_open(struct tty *t)
{
	t->out_fd = STDOUT_FILENO;
	t->in_fd = isatty(STDIN_FILENO) ? STDIN_FILENO : -1;
	t->open = true;
	t->suspended = false;
	return enter(t);
}

void tty_close(struct tty *t)
{
	if (t->open && !t->suspended)
		leave(t);
	t->open = false;
	t->suspended = false;
}

void tty_suspend(struct tty *t)
{
	if (!t->open || t->suspended)
		return;
	leave(t);
	t->suspended = true;
}

int tty_resume(struct tty *t)
{
	if (!t->open || !t->suspended)
		return 0;
	t->suspended = false;
	return enter(t);
}

void tty_size(const struct tty *t, int *cols, int *rows)
{
	struct winsize ws;

	*cols = 80;
	*rows = 24;
	if (!ioctl(t->out_fd, TIOCGWINSZ, &ws) && ws.ws_col && ws.ws_row) {
		*cols = ws.ws_col;
		*rows = ws.ws_row;
	}
}

/* Lines cut to the width, each ending in clear-to-end-of-line; no line past the last row. */
int tty_draw(struct tty *t, const struct lines *l)
{
	size_t cap = 64, len = 0;
	int cols, rows, err;
	char *buf;

	tty_size(t, &cols, &rows);
	for (size_t i = 0; i < l->n && (int)i < rows; i++)
		cap += (size_t)cols + 8;
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	len += (size_t)snprintf(buf, cap, ESC "[H");
	for (size_t i = 0; i < l->n && (int)i < rows; i++) {
		size_t n = strlen(l->v[i]);

		if (n > (size_t)cols)
			n = (size_t)cols;
		memcpy(buf + len, l->v[i], n);
		len += n;
		/* The last row gets no newline: it would scroll the screen. */
		len += (size_t)snprintf(buf + len, cap - len, ESC "[K%s",
					(int)i + 1 < rows ? "\r\n" : "");
	}
	len += (size_t)snprintf(buf + len, cap - len, ESC "[J");
	err = write_all(t->out_fd, buf, len);
	free(buf);
	return err;
}

size_t tty_keys(struct tty *t, char *keys, size_t len)
{
	ssize_t n;

	if (t->in_fd < 0)
		return 0;
	n = read(t->in_fd, keys, len);
	return n > 0 ? (size_t)n : 0;
}
