/*
 * buf: a growable, capped, binary-safe byte buffer.
 *
 * Every buffer has a hard maximum given at init. An append that would pass
 * it appends nothing, sets `failed` and returns -1, so a caller can append
 * many pieces and check once at the end (buf_ok()). The data pointer is never
 * NULL and the contents are always NUL-terminated (the terminator is not
 * counted in len and not counted against max).
 *
 * Ownership: the buffer owns `data` until buf_detach() hands it to the caller
 * (free() it) or buf_release() frees it. Appends may realloc, so `data` can
 * move: do not keep pointers into it across an append.
 *
 * Not thread-safe; a buffer belongs to one thread at a time.
 */
#ifndef REVENGE_CORE_BUF_H
#define REVENGE_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;  /* never NULL; points at a shared empty string until first growth */
	size_t len;  /* bytes used, excluding the NUL terminator */
	size_t cap;  /* bytes allocated, excluding room for the terminator; 0 = none */
	size_t max;  /* hard maximum for len */
	int failed;  /* set once any append was refused or allocation failed */
};

/* Initialise an empty buffer that will never hold more than max bytes. */
void buf_init(struct buf *b, size_t max);

/* Free the storage and return to the empty state (max kept, failed cleared). */
void buf_release(struct buf *b);

/* Forget the contents but keep the storage; clears failed. */
void buf_reset(struct buf *b);

/* 0 when no append has failed since init/reset. */
static inline int buf_ok(const struct buf *b)
{
	return !b->failed;
}

/* Append n bytes (may contain NULs). 0 on success, -1 (nothing appended) when
 * len + n would exceed max or memory is exhausted. */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Append s[0..n) as a JSON string literal, quotes included. Control bytes,
 * quote and backslash are escaped; bytes >= 0x80 are copied as they are
 * (callers pass UTF-8). */
int buf_json_str(struct buf *b, const char *s, size_t n);

/* Shorten to len bytes (no-op when already shorter). */
void buf_truncate(struct buf *b, size_t len);

/* Hand the storage to the caller: returns a malloc'd NUL-terminated string
 * (never NULL unless out of memory; an empty buffer gives a fresh "") and
 * stores its length in *len when len is not NULL. The buffer is left empty;
 * `failed` is kept, so buf_ok() may still be checked after detaching. */
char *buf_detach(struct buf *b, size_t *len);

/* Length (1..4) of the well-formed UTF-8 sequence at the start of s[0..n),
 * or 0 when there is none (empty, stray continuation byte, overlong form,
 * surrogate, above U+10FFFF, or cut short by n). */
size_t buf_utf8_seq_len(const char *s, size_t n);

#endif
