/*
 * The request headers the movie routes parse themselves: Accept-Language
 * (q-values, region subtags, only configured languages, q=0 never) and
 * Range (what is handed to nginx and what is a 416).
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
	    cmocka_unit_test(test_media_type),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
