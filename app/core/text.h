/*
 * text: small checks on untrusted strings.
 */
#ifndef REVENGE_CORE_TEXT_H
#define REVENGE_CORE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* true when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, no
 * code points past U+10FFFF). */
bool utf8_valid(const char *s, size_t n);

/* true when s[0..n) holds a C0 control byte or DEL. */
bool has_control(const char *s, size_t n);

/* Checked decimal parse of the whole of s into *out within [min, max].
 * Leading '+'/'-' allowed, no spaces, no trailing bytes. 0 or -1. */
int parse_int64(const char *s, int64_t min, int64_t max, int64_t *out);

/* true when s split at '/' has no empty, "." or ".." segment ("a/b" yes;
 * "", "a//b", "a/", "../a" no). An absolute path p is plain when
 * p[0] == '/' and path_segments_plain(p + 1). */
bool path_segments_plain(const char *s);

/* Case-insensitive ASCII equality. */
bool ascii_ieq(const char *a, const char *b);

/* Microseconds from CLOCK_MONOTONIC / CLOCK_REALTIME. */
int64_t now_mono_us(void);
int64_t now_real_us(void);

#endif
