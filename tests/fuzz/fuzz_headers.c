/*
 * libFuzzer target for the header code of app/http/headers.c:
 * http_accept_language(), http_range_check(), http_header_clean() and
 * http_media_type_is().
 *
 * Input: byte 0 picks the function (& 3: 0 Accept-Language, 1 Range with
 * bytes 1..2 the file size, 2 header cleaning with byte 1 the output
 * capacity, 3 Content-Type); the rest is the header value, cut at the
 * first NUL for the parsers (FastCGI cannot carry one either) and taken
 * whole, NULs and all, for the cleaner.
 *
 * Oracles beyond "no crash, no sanitizer report":
 *   accept-language  the pick is "" or two lower-case letters that are one
 *                    of the configured languages; the same input picks the
 *                    same language twice
 *   range            the answer is 0 or -1, and a header that passes for
 *                    a file passes for any larger one
 *   clean            the output is valid UTF-8 of the returned length,
 *                    shorter than the capacity, without control bytes
 *                    (TAB included); cleaning it again changes nothing;
 *                    a larger capacity never yields a shorter output
 *   content-type     a value that is application/json stays so in any
 *                    letter case, and starts with the type ignoring case
 *
 * fuzz-seed: \x00fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5
 * fuzz-seed: \x00de;q=0, ja;q=0.001
 * fuzz-seed: \x01\x03\xe8bytes=100-199
 * fuzz-seed: \x01\x03\xe8bytes=-10, 5-, 0-0
 * fuzz-seed: \x01\x00\x10bytes=abc
 * fuzz-seed: \x02\x40\xff\xfeMozilla/5.0\x01\t(X11)\xc3(\xc2\x85\xed\xa0\x80
 * fuzz-seed: \x02\x05ab\xc3\xa9\xe2\x82\xac
 * fuzz-seed: \x03APPLICATION/JSON; Charset=UTF-8
 * fuzz-seed: \x03application/jsonx
 *
 * fuzz-sources: app/http/headers.c app/core
 * fuzz-libs: -lcjson -lutf8proc -lcrypto -lm
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "http/headers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const langs = "en,de,fr,es,ja";

static void check_clean(const uint8_t *data, size_t size)
{
	char out[HTTP_HEADER_MAX + 1], again[HTTP_HEADER_MAX + 1], wide[HTTP_HEADER_MAX + 1];
	size_t cap = (size_t)data[1] % sizeof(out) + 1;
	const char *in = (const char *)data + 2;
	size_t n = size - 2;

	size_t len = http_header_clean(in, n, out, cap);
	if (len >= cap || strlen(out) != len || !utf8_valid(out, len))
		abort();
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)out[i];
		if (c < 0x20 || c == 0x7f || (c == 0xc2 && (unsigned char)out[i + 1] < 0xa0))
			abort();
	}
	if (http_header_clean(out, len, again, cap) != len || memcmp(out, again, len))
		abort();
	if (http_header_clean(in, n, wide, sizeof(wide)) < len)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[4096];
	size_t skip, n;

	if (size < 1)
		return 0;
	if ((data[0] & 3) == 2) {
		if (size >= 2)
			check_clean(data, size);
		return 0;
	}
	skip = (data[0] & 3) == 1 ? 3 : 1;
	if (size < skip)
		return 0;
	n = size - skip < sizeof(text) - 1 ? size - skip : sizeof(text) - 1;
	memcpy(text, data + skip, n);
	text[n] = '\0';
	if ((data[0] & 3) == 3) {
		bool json = http_media_type_is(text, "application/json");
		for (size_t i = 0; i < n; i++)
			text[i] = (char)toupper((unsigned char)text[i]);
		if (json != http_media_type_is(text, "application/json"))
			abort();
		if (json && !strstr(text, "APPLICATION/JSON"))
			abort();
		return 0;
	}
	if ((data[0] & 3) == 0) {
		char a[3], b[3];
		http_accept_language(text, langs, a);
		http_accept_language(text, langs, b);
		if (strcmp(a, b))
			abort();
		if (a[0] && (strlen(a) != 2 || a[0] < 'a' || a[0] > 'z' || a[1] < 'a' || a[1] > 'z' ||
		             !strstr(langs, a)))
			abort();
		return 0;
	}
	long long sz = (long long)data[1] << 8 | data[2];
	int r = http_range_check(text, sz);
	if (r != 0 && r != -1)
		abort();
	/* satisfiable for a file stays satisfiable for a bigger one */
	if (r == 0 && http_range_check(text, sz + 1 + (long long)data[1] * 1000) != 0)
		abort();
	return 0;
}
