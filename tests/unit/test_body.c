/*
 * Declared JSON body members (http/body.c) and the ISO 639-1 table
 * (core/lang.c), without any server: each case parses a body, checks it
 * against a table and looks at the verdict, the field named and, for the
 * accepted ones, what the handler accessors read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/lang.h"
#include "http/body.h"

static const char *const colours[] = {"red", "green", "blue", NULL};

static enum app_err no_x(const char *s, const char *field, struct field_error *fe)
{
	return strchr(s, 'x') ? field_fail(fe, APP_ERR_VALIDATION, field, "must not hold x")
	                      : APP_OK;
}

static const struct body_field lang_item = {.type = BT_LANG};
static const struct body_field word_item = {.type = BT_STRING, .min = 1, .max = 4,
                                            .check = no_x};
static const struct body_field inner[] = {
    {.name = "kind", .type = BT_ENUM, .required = true, .choices = colours},
    {.name = "n", .type = BT_INT, .min = -3, .max = 3},
    {0},
};

static const struct body_field spec[] = {
    {.name = "name", .type = BT_STRING, .required = true, .min = 2, .max = 5, .chars = true,
     .text = true},
    {.name = "count", .type = BT_INT, .min = 0, .max = 10},
    {.name = "on", .type = BT_BOOL, .null = BN_REFUSE},
    {.name = "id", .type = BT_UUID},
    {.name = "colour", .type = BT_ENUM, .choices = colours},
    {.name = "lang", .type = BT_LANG, .null = BN_ALLOW},
    {.name = "langs", .type = BT_ARRAY, .max = 3, .unique = true, .items = &lang_item},
    {.name = "words", .type = BT_ARRAY, .min = 1, .items = &word_item},
    {.name = "filter", .type = BT_OBJECT, .fields = inner},
    {.name = "free", .type = BT_OBJECT},
    {.name = "any", .type = BT_ANY, .null = BN_ALLOW},
    {0},
};

struct verdict {
	enum app_err e;
	struct field_error fe;
	cJSON *json;
};

static struct verdict check(const char *text)
{
	struct json_limits lim = {64 * 1024, 16};
	struct verdict v;

	memset(&v, 0, sizeof(v));
	assert_int_equal(json_parse(text, strlen(text), &lim, &v.json, &v.fe), APP_OK);
	v.e = body_validate(spec, v.json, &v.fe);
	return v;
}

/* text is refused with e, naming field */
static void refused(const char *text, enum app_err e, const char *field)
{
	struct verdict v = check(text);

	if (v.e != e || strcmp(v.fe.field, field))
		fail_msg("%s: got %d naming \"%s\" (%s), want %d naming \"%s\"", text, v.e,
		         v.fe.field, v.fe.detail, e, field);
	assert_true(v.fe.detail[0] != '\0');
	cJSON_Delete(v.json);
}

static void accepted(const char *text)
{
	struct verdict v = check(text);

	if (v.e != APP_OK)
		fail_msg("%s: refused, naming \"%s\" (%s)", text, v.fe.field, v.fe.detail);
	cJSON_Delete(v.json);
}

static void valid_bodies(void **state)
{
	(void)state;
	accepted("{\"name\":\"ab\"}");
	/* five characters, ten bytes: .chars counts characters */
	accepted("{\"name\":\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"}");
	accepted("{\"name\":\"abc\",\"count\":0,\"on\":false,\"colour\":\"blue\",\"lang\":\"pt\","
	         "\"langs\":[\"en\",\"de\",\"ja\"],\"words\":[\"ab\",\"ab\"],"
	         "\"filter\":{\"kind\":\"red\",\"n\":-3},\"free\":{\"x\":[1,{}]},"
	         "\"any\":[1,\"a\",null,{\"b\":2.5}]}");
	/* null: absent by default, handed over with BN_ALLOW */
	accepted("{\"name\":\"ab\",\"count\":null,\"lang\":null,\"any\":null}");
	/* integers as JSON writes them, up to the bounds */
	accepted("{\"name\":\"ab\",\"count\":10,\"filter\":{\"kind\":\"green\",\"n\":3.0}}");
}

static void refused_bodies(void **state)
{
	(void)state;
	/* unknown members come first, wherever they are */
	refused("{\"zzz\":1,\"name\":5}", APP_ERR_VALIDATION, "zzz");
	refused("{\"name\":\"ab\",\"filter\":{\"kind\":\"red\",\"m\":1}}", APP_ERR_VALIDATION,
	        "filter.m");
	/* required */
	refused("{}", APP_ERR_VALIDATION, "name");
	refused("{\"name\":null}", APP_ERR_VALIDATION, "name");
	refused("{\"name\":\"ab\",\"filter\":{}}", APP_ERR_VALIDATION, "filter.kind");
	/* strings: type, bounds in characters, control characters */
	refused("{\"name\":5}", APP_ERR_VALIDATION, "name");
	refused("{\"name\":\"a\"}", APP_ERR_VALIDATION, "name");
	refused("{\"name\":\"abcdef\"}", APP_ERR_VALIDATION, "name");
	refused("{\"name\":\"a\\u0007b\"}", APP_ERR_VALIDATION, "name");
	/* integers: fractions, strings, bounds, beyond 2^53 */
	refused("{\"name\":\"ab\",\"count\":1.5}", APP_ERR_VALIDATION, "count");
	refused("{\"name\":\"ab\",\"count\":\"1\"}", APP_ERR_VALIDATION, "count");
	refused("{\"name\":\"ab\",\"count\":11}", APP_ERR_VALIDATION, "count");
	refused("{\"name\":\"ab\",\"count\":-1}", APP_ERR_VALIDATION, "count");
	refused("{\"name\":\"ab\",\"count\":1e300}", APP_ERR_VALIDATION, "count");
	refused("{\"name\":\"ab\",\"count\":true}", APP_ERR_VALIDATION, "count");
	/* booleans; BN_REFUSE */
	refused("{\"name\":\"ab\",\"on\":1}", APP_ERR_VALIDATION, "on");
	refused("{\"name\":\"ab\",\"on\":null}", APP_ERR_VALIDATION, "on");
	/* uuids */
	refused("{\"name\":\"ab\",\"id\":\"0123abcd-89ef-4567-89ab-cdef0123456\"}",
	        APP_ERR_VALIDATION, "id");
	refused("{\"name\":\"ab\",\"id\":\"0123abcd-89ef-4567-89ab-cdef0123456g\"}",
	        APP_ERR_VALIDATION, "id");
	refused("{\"name\":\"ab\",\"id\":\"0123abcd089ef-4567-89ab-cdef01234567\"}",
	        APP_ERR_VALIDATION, "id");
	/* enums are exact */
	refused("{\"name\":\"ab\",\"colour\":\"Red\"}", APP_ERR_VALIDATION, "colour");
	refused("{\"name\":\"ab\",\"colour\":[\"red\"]}", APP_ERR_VALIDATION, "colour");
	/* language codes: ISO 639-1 only, lower case */
	refused("{\"name\":\"ab\",\"lang\":\"EN\"}", APP_ERR_VALIDATION, "lang");
	refused("{\"name\":\"ab\",\"lang\":\"eng\"}", APP_ERR_VALIDATION, "lang");
	refused("{\"name\":\"ab\",\"lang\":\"qq\"}", APP_ERR_VALIDATION, "lang");
	refused("{\"name\":\"ab\",\"lang\":7}", APP_ERR_VALIDATION, "lang");
	/* arrays: type, counts, items by index, repeats, the item check */
	refused("{\"name\":\"ab\",\"langs\":\"en\"}", APP_ERR_VALIDATION, "langs");
	refused("{\"name\":\"ab\",\"langs\":[\"en\",\"de\",\"fr\",\"ja\"]}", APP_ERR_VALIDATION,
	        "langs");
	refused("{\"name\":\"ab\",\"langs\":[\"en\",\"xx\"]}", APP_ERR_VALIDATION, "langs[1]");
	refused("{\"name\":\"ab\",\"langs\":[\"en\",null]}", APP_ERR_VALIDATION, "langs[1]");
	refused("{\"name\":\"ab\",\"langs\":[\"en\",\"de\",\"en\"]}", APP_ERR_VALIDATION,
	        "langs[2]");
	refused("{\"name\":\"ab\",\"words\":[]}", APP_ERR_VALIDATION, "words");
	refused("{\"name\":\"ab\",\"words\":[\"ab\",\"axe\"]}", APP_ERR_VALIDATION, "words[1]");
	refused("{\"name\":\"ab\",\"words\":[\"abcde\"]}", APP_ERR_VALIDATION, "words[0]");
	/* objects and nested members */
	refused("{\"name\":\"ab\",\"filter\":[]}", APP_ERR_VALIDATION, "filter");
	refused("{\"name\":\"ab\",\"filter\":{\"kind\":\"red\",\"n\":4}}", APP_ERR_VALIDATION,
	        "filter.n");
	refused("{\"name\":\"ab\",\"free\":\"x\"}", APP_ERR_VALIDATION, "free");
	/* any value, but no number JSON cannot hold */
	refused("{\"name\":\"ab\",\"any\":{\"a\":[1e999]}}", APP_ERR_VALIDATION, "any");
}

static void not_an_object(void **state)
{
	struct field_error fe = {{0}, {0}};
	cJSON *arr = cJSON_CreateArray();

	(void)state;
	assert_int_equal(body_validate(spec, arr, &fe), APP_ERR_BAD_REQUEST);
	assert_string_equal(fe.field, "body");
	cJSON_Delete(arr);
}

/* What a handler reads back from a checked body. */
static void accessors_and_normalising(void **state)
{
	struct verdict v = check("{\"name\":\"abc\",\"count\":7,\"on\":true,"
	                         "\"id\":\"0123ABCD-89EF-4567-89AB-CDEF01234567\",\"lang\":null}");
	struct request req;
	int64_t n = 0;
	bool b = false;

	(void)state;
	assert_int_equal(v.e, APP_OK);
	memset(&req, 0, sizeof(req));
	req.json = v.json;
	assert_string_equal(req_body_str(&req, "name"), "abc");
	assert_true(req_body_int(&req, "count", &n));
	assert_int_equal(n, 7);
	assert_true(req_body_bool(&req, "on", &b));
	assert_true(b);
	/* a uuid reaches the handler in lower case */
	assert_string_equal(req_body_str(&req, "id"), "0123abcd-89ef-4567-89ab-cdef01234567");
	/* given as null vs absent */
	assert_true(req_body_null(&req, "lang"));
	assert_non_null(req_body(&req, "lang"));
	assert_null(req_body_str(&req, "lang"));
	assert_false(req_body_null(&req, "colour"));
	assert_null(req_body(&req, "colour"));
	assert_false(req_body_int(&req, "name", &n));
	assert_false(req_body_bool(&req, "count", &b));
	cJSON_Delete(v.json);
	/* no body at all */
	req.json = NULL;
	assert_null(req_body(&req, "name"));
	assert_null(req_body_str(&req, "name"));
}

static void iso639_1(void **state)
{
	static const char *const yes[] = {"aa", "en", "de", "ja", "pt", "zh", "zu", "yo", NULL};
	static const char *const no[] = {"",   "e",  "EN", "En", "eng", "xx", "bh", "iw",
	                                 "sh", "qq", "zz", "a1", "e n", NULL};
	int n = 0;

	(void)state;
	for (int i = 0; yes[i]; i++)
		assert_true(lang_is_iso639_1(yes[i]));
	for (int i = 0; no[i]; i++)
		if (lang_is_iso639_1(no[i]))
			fail_msg("\"%s\" taken for an ISO 639-1 code", no[i]);
	assert_false(lang_is_iso639_1(NULL));
	/* exactly 183 of the 676 two-letter words */
	for (char a = 'a'; a <= 'z'; a++)
		for (char c = 'a'; c <= 'z'; c++) {
			char s[3] = {a, c, '\0'};
			n += lang_is_iso639_1(s);
		}
	assert_int_equal(n, 183);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(valid_bodies),       cmocka_unit_test(refused_bodies),
	    cmocka_unit_test(not_an_object),      cmocka_unit_test(accessors_and_normalising),
	    cmocka_unit_test(iso639_1),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
