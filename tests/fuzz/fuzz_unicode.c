/*
 * libFuzzer target for app/core/unicode.c (uni_next, uni_decode, uni_fold)
 * and the title matcher built on it in app/metadata/match.c
 * (title_normalize, title_similarity).
 *
 * fuzz-sources: app/core app/metadata/match.c
 * fuzz-libs: -lcjson -lm -lcrypto -lutf8proc
 *
 * Input: byte 0 picks the output size for a cut key (1..256); the rest is
 * the text (any bytes, NULs included), and its two halves are the titles
 * compared.
 *
 * Oracles beyond "no crash, no sanitizer report":
 *   uni_decode  lossless: every code point is a Unicode scalar value or
 *               the escape of a byte >= 0x80, and encoding them again
 *               (escapes as their byte) gives the input back
 *   uni_fold    the key is NUL-terminated at the returned length,
 *               well-formed UTF-8, without leading, trailing or double
 *               spaces; a key cut by a small buffer is a prefix of the
 *               whole key; for texts of at most 64 bytes (which never fill
 *               a word buffer) the key of the key is the key
 *   similarity  within 0..1, symmetric, and 1 for a title with itself
 *               when its key is not empty
 *
 * fuzz-seed:
 * \x10\xd0\x9c\xd0\x9e\xd0\xa1\xd0\x9a\xd0\x92\xd0\x90\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0
 * fuzz-seed: \x08\xef\xbc\xa1\xef\xbc\xab\xef\xbc\xa9\xef\xbc\xb2\xef\xbc\xa1AKIRA
 * fuzz-seed: \x20Ame\xcc\x81lieAm\xc3\xa9lie
 * fuzz-seed: \x05\xc5\x92uvreOEuvre
 * fuzz-seed: \x40Ta\xc8\x9b & Fast\xe2\x80\x99s \xe2\x84\xa2 \xef\xbd\xb6\xef\xbe\x9e
 * fuzz-seed: \xffAm\xe9lie\x92s \xc3\x28 \xed\xa0\x80 \xf4\x90\x80\x80 \xc0\x80
 * fuzz-seed: \x03\xe0\xa4\x95\xe0\xa5\x8d\xe0\xa4\xbc\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "core/unicode.h"
#include "metadata/match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define oracle(ok) check((ok), #ok)

static void check(int ok, const char *what)
{
	if (ok)
		return;
	fprintf(stderr, "fuzz_unicode: oracle failed: %s\n", what);
	abort();
}

static size_t encode(uint32_t c, unsigned char *o)
{
	if (c < 0x80) {
		o[0] = (unsigned char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (unsigned char)(0xC0 | (c >> 6));
		o[1] = (unsigned char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (c >> 12));
		o[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (c & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | (c >> 18));
	o[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (c & 0x3F));
	return 4;
}

static void lossless(const char *s, size_t n)
{
	uint32_t *cps = malloc((n ? n : 1) * sizeof(*cps));
	unsigned char *back = malloc(n ? n : 1);
	size_t k, o = 0;

	oracle(cps && back);
	k = uni_decode(s, n, cps, n);
	oracle(k <= n);
	for (size_t i = 0; i < k; i++) {
		uint32_t c = cps[i];
		if (uni_is_escape(c)) {
			oracle(o < n);
			back[o++] = (unsigned char)(c & 0xFF);
			continue;
		}
		oracle(c <= 0x10FFFF && (c < 0xD800 || c > 0xDFFF));
		unsigned char b[4];
		size_t len = encode(c, b);
		oracle(o + len <= n);
		memcpy(back + o, b, len);
		o += len;
	}
	oracle(o == n && memcmp(back, s, n) == 0);
	free(cps);
	free(back);
}

static void key_shape(const char *k, size_t n)
{
	oracle(strlen(k) == n);
	oracle(utf8_valid(k, n));
	oracle(n == 0 || (k[0] != ' ' && k[n - 1] != ' '));
	oracle(strstr(k, "  ") == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t cut = (size_t)data[0] + 1, n = size - 1;
	char *s = malloc(n ? n : 1);
	oracle(s != NULL);
	memcpy(s, data + 1, n);

	lossless(s, n);

	/* every input byte gives at most 18 code points of 3 bytes, plus
	 * separators: 64 bytes per input byte always hold the whole key */
	size_t wcap = 64 * n + 16;
	char *whole = malloc(wcap), *part = malloc(cut), *again = malloc(wcap);
	oracle(whole && part && again);
	size_t wn = uni_fold(s, n, whole, wcap);
	oracle(wn + 1 < wcap);
	key_shape(whole, wn);
	size_t pn = uni_fold(s, n, part, cut);
	oracle(pn < cut);
	key_shape(part, pn);
	oracle(pn <= wn && memcmp(part, whole, pn) == 0);
	if (n <= 64) {
		size_t an = uni_fold(whole, wn, again, wcap);
		oracle(an == wn && memcmp(again, whole, wn) == 0);
	}

	/* the two halves as C strings (cut at a NUL like any C caller) */
	char *a = malloc(n / 2 + 1), *b = malloc(n - n / 2 + 1);
	oracle(a && b);
	memcpy(a, s, n / 2);
	a[n / 2] = 0;
	memcpy(b, s + n / 2, n - n / 2);
	b[n - n / 2] = 0;
	double ab = title_similarity(a, b), ba = title_similarity(b, a);
	oracle(ab >= 0.0 && ab <= 1.0 && ab == ba);
	char norm[MATCH_TITLE_MAX];
	title_normalize(a, norm, sizeof(norm));
	key_shape(norm, strlen(norm));
	if (norm[0])
		oracle(title_similarity(a, a) == 1.0);

	free(a);
	free(b);
	free(whole);
	free(part);
	free(again);
	free(s);
	return 0;
}
