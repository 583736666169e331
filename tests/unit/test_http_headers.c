/*
 * The request headers the movie routes parse themselves: Accept-Language
 * (q-values, region subtags, only configured languages, q=0 never) and
 * Range (what is handed to nginx and what is a 416); and the cleaning every
 * header value gets at the FastCGI edge (http_header_clean).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "http/headers.h"

#define LANGS "en,de,fr,es,ja"

static const char *pick(const char *h, const char *langs)
{
	static char out[3];
	http_accept_language(h, langs, out);
	return out;
}

static void test_accept_language(void **state)
{
	(void)state;
	assert_string_equal(pick("de", LANGS), "de");
	assert_string_equal(pick("de-AT", LANGS), "de");
	assert_string_equal(pick("DE_at", LANGS), "de");
	assert_string_equal(pick("fr;q=0.5, de;q=0.9, en;q=0.1", LANGS), "de");
	assert_string_equal(pick("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5", LANGS), "fr");
	/* equal q: the first wins */
	assert_string_equal(pick("ja;q=0.8, es;q=0.8", LANGS), "ja");
	/* a language not configured is skipped, not taken */
	assert_string_equal(pick("it, pt;q=0.9, es;q=0.1", LANGS), "es");
	assert_string_equal(pick("it", LANGS), "");
	assert_string_equal(pick("de", "en, fr"), "");
	assert_string_equal(pick("fr", "en, fr"), "fr");
	/* q=0 means "not acceptable" */
	assert_string_equal(pick("de;q=0, fr;q=0.001", LANGS), "fr");
	assert_string_equal(pick("de;q=0", LANGS), "");
	/* q beyond 1 or malformed: the entry is ignored */
	assert_string_equal(pick("de;q=2, fr;q=0.2", LANGS), "fr");
	assert_string_equal(pick("de;q=abc, fr;q=0.2", LANGS), "fr");
	assert_string_equal(pick("*", LANGS), "");
	assert_string_equal(pick("d", LANGS), "");
	assert_string_equal(pick("deu", LANGS), "");
	assert_string_equal(pick("", LANGS), "");
	assert_string_equal(pick(NULL, LANGS), "");
	assert_string_equal(pick(",,, ;q=1,de", LANGS), "de");
	assert_string_equal(pick("  ja ;q=0.3", LANGS), "ja");
}

static void test_range(void **state)
{
	(void)state;
	assert_int_equal(http_range_check(NULL, 1000), 0);
	assert_int_equal(http_range_check("bytes=100-199", 1000), 0);
	assert_int_equal(http_range_check("bytes=0-", 1000), 0);
	assert_int_equal(http_range_check("bytes=-10", 1000), 0);
	assert_int_equal(http_range_check("bytes=0-0, 5-9", 1000), 0);
	assert_int_equal(http_range_check("BYTES=0-1", 1000), 0);
	/* one satisfiable range is enough; nginx trims the rest */
	assert_int_equal(http_range_check("bytes=999-2000", 1000), 0);
	assert_int_equal(http_range_check("bytes=5000-6000, 1-2", 1000), 0);
	/* nothing satisfiable */
	assert_int_equal(http_range_check("bytes=1000-", 1000), -1);
	assert_int_equal(http_range_check("bytes=5000-6000", 1000), -1);
	assert_int_equal(http_range_check("bytes=-0", 1000), -1);
	assert_int_equal(http_range_check("bytes=0-", 0), -1);
	/* malformed */
	assert_int_equal(http_range_check("bytes=abc", 1000), -1);
	assert_int_equal(http_range_check("bytes=300-200", 1000), -1);
	assert_int_equal(http_range_check("bytes=-", 1000), -1);
	assert_int_equal(http_range_check("bytes=", 1000), -1);
	assert_int_equal(http_range_check("bytes=1-2,", 1000), -1);
	assert_int_equal(http_range_check("bytes=1-2;3-4", 1000), -1);
	assert_int_equal(http_range_check("items=0-1", 1000), -1);
	assert_int_equal(http_range_check("bytes=0x10-20", 1000), -1);
	assert_int_equal(http_range_check("bytes=1--2", 1000), -1);
}

static const char *clean(const char *in, size_t n, size_t cap)
{
	static char out[64];
	assert_true(cap <= sizeof(out));
	size_t len = http_header_clean(in, n, out, cap);
	assert_int_equal(len, strlen(out));
	assert_true(len < cap);
	return out;
}

#define FFFD "\xef\xbf\xbd"
/* a literal and its length (NUL bytes included) */
#define S(lit) lit, sizeof(lit) - 1

static void test_header_clean(void **state)
{
	(void)state;
	/* clean text passes unchanged, UTF-8 included */
	assert_string_equal(clean(S("Mozilla/5.0 (X11) Am\xc3\xa9lie"), 64),
	                    "Mozilla/5.0 (X11) Am\xc3\xa9lie");
	/* every byte that is not UTF-8 becomes U+FFFD */
	assert_string_equal(clean("\xff\xfe", 2, 64), FFFD FFFD);
	assert_string_equal(clean("a\xc3(b", 4, 64), "a" FFFD "(b");
	assert_string_equal(clean("\xe2\x82", 2, 64), FFFD FFFD);          /* cut short */
	assert_string_equal(clean("\xc0\xaf", 2, 64), FFFD FFFD);          /* overlong */
	assert_string_equal(clean("\xed\xa0\x80", 3, 64), FFFD FFFD FFFD); /* surrogate */
	/* control characters go (C0, DEL, C1); TAB becomes a space; NUL too */
	assert_string_equal(clean(S("a\x01" "b\r\nc\x7f\xc2\x85" "d\te"), 64), "abcd e");
	assert_string_equal(clean("a\0b", 3, 64), "ab");
	assert_string_equal(clean("\xc2\xa0x", 3, 64), "\xc2\xa0x"); /* U+00A0 is no control */
	/* cut at cap - 1 bytes, never inside a character */
	assert_string_equal(clean("abcdef", 6, 4), "abc");
	assert_string_equal(clean("ab\xc3\xa9", 4, 4), "ab");
	assert_string_equal(clean("ab\xc3\xa9", 4, 5), "ab\xc3\xa9");
	assert_string_equal(clean("a\xff", 2, 4), "a"); /* U+FFFD needs 3 */
	assert_string_equal(clean("abc", 3, 1), "");
	assert_int_equal(http_header_clean("abc", 3, NULL, 0), 0);
}

/* issue 14 item 8: "APPLICATION/JSON; Charset=UTF-8" is JSON */
static void test_media_type(void **state)
{
	(void)state;
	assert_true(http_media_type_is("application/json", "application/json"));
	assert_true(http_media_type_is("APPLICATION/JSON; Charset=UTF-8", "application/json"));
	assert_true(http_media_type_is("Application/Json", "application/json"));
	assert_true(http_media_type_is("application/json;charset=utf-8", "application/json"));
	assert_true(http_media_type_is("application/json ; charset=utf-8", "application/json"));
	assert_true(http_media_type_is(" application/json", "application/json"));
	assert_false(http_media_type_is(NULL, "application/json"));
	assert_false(http_media_type_is("", "application/json"));
	assert_false(http_media_type_is("application/jsonx", "application/json"));
	assert_false(http_media_type_is("application/json-seq", "application/json"));
	assert_false(http_media_type_is("application/jso", "application/json"));
	assert_false(http_media_type_is("text/json", "application/json"));
	assert_false(http_media_type_is("application/problem+json", "application/json"));
	assert_false(http_media_type_is("application/json x", "application/json"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_accept_language),
	    cmocka_unit_test(test_range),
	    cmocka_unit_test(test_header_clean),
	    cmocka_unit_test(test_media_type),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
