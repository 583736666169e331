/*
 * libFuzzer target for the header parsers of app/http/headers.c:
 * http_accept_language(), http_range_check() and http_media_type_is().
 *
 * Input: byte 0 picks the parser (mod 3: 0 Accept-Language, 1 Range,
 * 2 Content-Type) and, for Range, bytes 1..2 the file size; the rest is
 * the header value (cut at the first NUL, which FastCGI cannot carry
 * either).
 *
 * Oracles beyond "no crash, no sanitizer report":
 *   accept-language  the pick is "" or two lower-case letters that are one
 *                    of the configured languages; the same input picks the
 *                    same language twice
 *   range            the answer is 0 or -1, and a header that passes for
 *                    a file passes for any larger one
 *   content-type     a value that is application/json stays so in any
 *                    letter case, and starts with the type ignoring case
 *
 * fuzz-seed: \x00fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5
 * fuzz-seed: \x00de;q=0, ja;q=0.001
 * fuzz-seed: \x01\x03\xe8bytes=100-199
 * fuzz-seed: \x01\x03\xe8bytes=-10, 5-, 0-0
 * fuzz-seed: \x01\x00\x10bytes=abc
 * fuzz-seed: \x02APPLICATION/JSON; Charset=UTF-8
 * fuzz-seed: \x02application/jsonx
 *
 * fuzz-sources: app/http/headers.c
 * fuzz-libs: -lm
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/headers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const langs = "en,de,fr,es,ja";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[4096];
	size_t skip, n;

	if (size < 1)
		return 0;
	skip = data[0] % 3 == 1 ? 3 : 1;
	if (size < skip)
		return 0;
	n = size - skip < sizeof(text) - 1 ? size - skip : sizeof(text) - 1;
	memcpy(text, data + skip, n);
	text[n] = '\0';
	if (data[0] % 3 == 2) {
		bool json = http_media_type_is(text, "application/json");
		for (size_t i = 0; i < n; i++)
			text[i] = (char)toupper((unsigned char)text[i]);
		if (json != http_media_type_is(text, "application/json"))
			abort();
		if (json && !strstr(text, "APPLICATION/JSON"))
			abort();
		return 0;
	}
	if (data[0] % 3 == 0) {
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
