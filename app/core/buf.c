/*
 * buf: growable byte buffer with a hard maximum.
 *
 * Invariants: data is never NULL; data[len] == '\0'; len <= cap <= max when
 * cap > 0. While cap == 0, data points at buf_empty, which is never written
 * (every write path grows first, and truncate/reset only write when cap > 0).
 */
#include "core/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char buf_empty[1];

/* Smallest allocation, so that a run of tiny appends does not realloc each time. */
#define BUF_MIN_ALLOC 64

void buf_init(struct buf *b, size_t max)
{
	/* One byte is always needed for the terminator on top of max. */
	if (max > SIZE_MAX / 2)
		max = SIZE_MAX / 2;
	b->data = buf_empty;
	b->len = 0;
	b->cap = 0;
	b->max = max;
	b->failed = 0;
}

void buf_release(struct buf *b)
{
	if (b->cap > 0)
		free(b->data);
	buf_init(b, b->max);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->cap > 0)
		b->data[0] = '\0';
	b->failed = 0;
}

/* Make room for `need` more bytes; refuses past max. Marks failed on refusal. */
static int buf_grow(struct buf *b, size_t need)
{
	size_t want, ncap;
	char *p;

	if (need == 0)
		return 0;
	if (need > b->max - b->len) {
		b->failed = 1;
		return -1;
	}
	want = b->len + need;
	if (want <= b->cap && b->cap > 0)
		return 0;

	ncap = b->cap ? b->cap : BUF_MIN_ALLOC;
	while (ncap < want)
		ncap = ncap > b->max / 2 ? b->max : ncap * 2;
	if (ncap > b->max)
		ncap = b->max;

	p = realloc(b->cap ? b->data : NULL, ncap + 1);
	if (!p) {
		b->failed = 1;
		return -1;
	}
	if (b->cap == 0)
		p[0] = '\0';
	b->data = p;
	b->cap = ncap;
	return 0;
}

int buf_append(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return 0;
	if (buf_grow(b, n) < 0)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int buf_putc(struct buf *b, char c)
{
	return buf_append(b, &c, 1);
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	size_t room = b->cap > 0 ? b->cap - b->len + 1 : 0;
	int n;

	/* First try into the spare room; most formats fit and need no second pass. */
	va_copy(cp, ap);
	n = vsnprintf(room ? b->data + b->len : NULL, room, fmt, cp);
	va_end(cp);
	if (n < 0)
		goto fail;
	if (n == 0)
		return 0;
	if ((size_t)n < room) {
		if ((size_t)n > b->max - b->len)
			goto fail;
		b->len += (size_t)n;
		return 0;
	}
	if (buf_grow(b, (size_t)n) < 0)
		goto fail;
	va_copy(cp, ap);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, cp);
	va_end(cp);
	b->len += (size_t)n;
	return 0;
fail:
	/* A partial first pass may have overwritten the terminator. */
	if (b->cap > 0)
		b->data[b->len] = '\0';
	b->failed = 1;
	return -1;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

int buf_json_str(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t start = b->len, i = 0, run;

	if (buf_putc(b, '"') < 0)
		return -1;
	while (i < n) {
		unsigned char ch;
		char esc[6];
		size_t elen = 2;

		/* Copy the longest run that needs no escaping in one go. */
		for (run = i; run < n; run++) {
			ch = (unsigned char)s[run];
			if (ch < 0x20 || ch == '"' || ch == '\\' || ch == 0x7f)
				break;
		}
		if (run > i && buf_append(b, s + i, run - i) < 0)
			goto fail;
		if (run == n)
			break;
		ch = (unsigned char)s[run];
		esc[0] = '\\';
		switch (ch) {
		case '"':
			esc[1] = '"';
			break;
		case '\\':
			esc[1] = '\\';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		default:
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[ch >> 4];
			esc[5] = hex[ch & 0xf];
			elen = 6;
		}
		if (buf_append(b, esc, elen) < 0)
			goto fail;
		i = run + 1;
	}
	if (buf_putc(b, '"') < 0)
		goto fail;
	return 0;
fail:
	/* All or nothing: a half-written string literal would corrupt the document. */
	buf_truncate(b, start);
	return -1;
}

void buf_truncate(struct buf *b, size_t len)
{
	if (len >= b->len)
		return;
	b->len = len;
	b->data[len] = '\0';
}

char *buf_detach(struct buf *b, size_t *len)
{
	char *p;

	if (b->cap == 0) {
		p = calloc(1, 1);
		if (len)
			*len = 0;
		return p;
	}
	p = b->data;
	if (len)
		*len = b->len;
	b->data = buf_empty;
	b->len = 0;
	b->cap = 0;
	return p;
}

size_t buf_utf8_seq_len(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t need, i;
	uint32_t cp;

	if (n == 0)
		return 0;
	if (u[0] < 0x80)
		return 1;
	if (u[0] >= 0xc2 && u[0] <= 0xdf) {
		need = 2;
		cp = u[0] & 0x1f;
	} else if (u[0] >= 0xe0 && u[0] <= 0xef) {
		need = 3;
		cp = u[0] & 0x0f;
	} else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
		need = 4;
		cp = u[0] & 0x07;
	} else {
		return 0; /* continuation byte, overlong lead (c0/c1) or > U+10FFFF lead */
	}
	if (n < need)
		return 0;
	for (i = 1; i < need; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (u[i] & 0x3f);
	}
	if ((need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need;
}
