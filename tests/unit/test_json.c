#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/json.h"

static const struct json_limits lim = {.max_bytes = 1024, .max_depth = 3};

/* Parse s (without its terminator, from an exact-size heap copy so ASan sees
 * any read past the end). */
static enum app_err parse(const char *s, size_t n, cJSON **out, struct field_error *fe)
{
	char *copy = malloc(n ? n : 1);
	enum app_err e;

	memcpy(copy, s, n);
	e = json_parse(copy, n, &lim, out, fe);
	free(copy);
	return e;
}

static enum app_err parse_s(const char *s, cJSON **out, struct field_error *fe)
{
	return parse(s, strlen(s), out, fe);
}

static void expect_bad(const char *s, size_t n, const char *detail_part)
{
	struct field_error fe = {{0}};
	cJSON *j = (cJSON *)1;

	assert_int_equal(parse(s, n, &j, &fe), APP_ERR_BAD_REQUEST);
	assert_null(j);
	assert_string_equal(fe.field, "body");
	assert_non_null(strstr(fe.detail, detail_part));
}

static void test_parse_ok_unterminated(void **state)
{
	struct field_error fe = {{0}};
	cJSON *j;

	(void)state;
	assert_int_equal(parse_s(" {\"a\": [1, 2, {\"b\": \"\xc3\xa9\"}]}\r\n\t ", &j, &fe),
	                 APP_OK);
	assert_non_null(j);
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "a"), 2)->child->valuestring,
	                    "\xc3\xa9");
	cJSON_Delete(j);
	/* a number ending exactly at the end of the buffer */
	assert_int_equal(parse_s("12345", &j, &fe), APP_OK);
	assert_int_equal(j->valueint, 12345);
	cJSON_Delete(j);
	assert_int_equal(parse_s("true", &j, &fe), APP_OK);
	cJSON_Delete(j);
}

static void test_size_limit(void **state)
{
	struct field_error fe = {{0}};
	char text[1100];
	cJSON *j;

	(void)state;
	memset(text, ' ', sizeof(text));
	text[0] = '1';
	assert_int_equal(parse(text, 1024, &j, &fe), APP_OK);
	cJSON_Delete(j);
	assert_int_equal(parse(text, 1025, &j, &fe), APP_ERR_TOO_LARGE);
	assert_null(j);
	assert_string_equal(fe.field, "body");
	assert_non_null(strstr(fe.detail, "1024"));
}

static void test_depth_boundary(void **state)
{
	struct field_error fe = {{0}};
	cJSON *j;

	(void)state;
	assert_int_equal(parse_s("[[[1]]]", &j, &fe), APP_OK);
	cJSON_Delete(j);
	assert_int_equal(parse_s("{\"a\":{\"b\":[]}}", &j, &fe), APP_OK);
	cJSON_Delete(j);
	/* siblings do not add up: depth is nesting, not count */
	assert_int_equal(parse_s("[[[1]],[[2]],[[3]]]", &j, &fe), APP_OK);
	cJSON_Delete(j);
	/* brackets inside strings, with escaped quotes, are not nesting */
	assert_int_equal(parse_s("[\"[[[[\\\"[[[[\"]", &j, &fe), APP_OK);
	cJSON_Delete(j);
	expect_bad("[[[[1]]]]", 9, "nesting deeper than 3");
	expect_bad("{\"a\":{\"b\":{\"c\":{}}}}", 20, "nesting");
	/* an unclosed deep prefix is rejected by depth before cJSON recurses */
	expect_bad("[[[[[[[[[[[[[[[[[[[[", 20, "nesting");
}

static void test_nul_rejected(void **state)
{
	struct field_error fe = {{0}};
	cJSON *j;

	(void)state;
	expect_bad("{\"a\":\"x\0y\"}", 11, "NUL byte at offset 7");
	expect_bad("{\"a\":1}\0", 8, "NUL");
	expect_bad("\"\\\0\"", 4, "NUL"); /* NUL right after a backslash */
	expect_bad("{\"a\":\"x\\u0000y\"}", 16, "\\u0000");
	expect_bad("{\"\\u0000\":1}", 12, "\\u0000");
	/* an escaped backslash followed by u0000 is six ordinary characters */
	assert_int_equal(parse_s("\"\\\\u0000\"", &j, &fe), APP_OK);
	assert_string_equal(j->valuestring, "\\u0000");
	cJSON_Delete(j);
	/* other \u escapes are fine */
	assert_int_equal(parse_s("\"\\u00e9\\u0001\"", &j, &fe), APP_OK);
	assert_string_equal(j->valuestring, "\xc3\xa9\x01");
	cJSON_Delete(j);
}

static void test_trailing_garbage(void **state)
{
	(void)state;
	expect_bad("{} x", 4, "after the value at offset 3");
	expect_bad("{}{}", 4, "offset 2");
	expect_bad("1 2", 3, "offset 2");
	expect_bad("[1]]", 4, "offset 3");
}

static void test_lexical_rejects(void **state)
{
	(void)state;
	expect_bad("", 0, "invalid JSON at offset 0");
	expect_bad("   ", 3, "invalid JSON");
	expect_bad("{\"a\":}", 6, "invalid JSON at offset 5");
	expect_bad("\"a\nb\"", 5, "control character at offset 2");
	expect_bad("\"a\tb\"", 5, "control character");
	expect_bad("\x01[1]", 4, "control character at offset 0");
	expect_bad("\"\xff\"", 3, "invalid UTF-8 at offset 1");
	expect_bad("\"\xc0\xaf\"", 4, "invalid UTF-8");
	expect_bad("\"\xed\xa0\x80\"", 5, "invalid UTF-8"); /* raw surrogate */
	expect_bad("\"\xc3\"", 3, "invalid UTF-8");         /* cut sequence */
	expect_bad("\"\\ud800\"", 8, "invalid JSON");       /* lone surrogate escape */
	expect_bad("[1,]", 4, "invalid JSON");
}

/* libcjson is not built with ASan, so check its bounds with a guard page:
 * each text ends exactly where an inaccessible page begins, and any read
 * past len faults. */
static void test_no_read_past_len(void **state)
{
	static const char *const texts[] = {"12345",   "-",    "1e",     "tru",     "\"abc",
	                                    "\"\\u12", "[1,2", "{\"a\"", "{\"a\":", "[",
	                                    " ",       "\"\\", "nul",    "[1]  ",   "{}"};
	long page = sysconf(_SC_PAGESIZE);
	char *map = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE,
	                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct field_error fe;
	size_t i;

	(void)state;
	assert_true(map != MAP_FAILED);
	assert_int_equal(mprotect(map + page, (size_t)page, PROT_NONE), 0);
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		size_t n = strlen(texts[i]);
		char *at = map + page - n;
		cJSON *j = NULL;

		memcpy(at, texts[i], n);
		json_parse(at, n, &lim, &j, &fe);
		cJSON_Delete(j);
	}
	munmap(map, (size_t)page * 2);
}

static cJSON *obj(const char *s)
{
	struct field_error fe = {{0}};
	cJSON *j = NULL;

	assert_int_equal(parse_s(s, &j, &fe), APP_OK);
	return j;
}

static void expect_field(enum app_err got, enum app_err want, const struct field_error *fe,
                         const char *field, const char *detail_part)
{
	assert_int_equal(got, want);
	assert_string_equal(fe->field, field);
	assert_non_null(strstr(fe->detail, detail_part));
}

static void test_get_str(void **state)
{
	cJSON *j = obj("{\"name\":\"abc\",\"n\":1,\"z\":null}");
	struct field_error fe = {{0}};
	const char *s = "untouched";

	(void)state;
	assert_int_equal(json_get_str(j, "name", true, 1, 3, &s, &fe), APP_OK);
	assert_string_equal(s, "abc");
	s = "untouched";
	assert_int_equal(json_get_str(j, "missing", false, 0, 10, &s, &fe), APP_OK);
	assert_int_equal(json_get_str(j, "z", false, 0, 10, &s, &fe), APP_OK);
	assert_string_equal(s, "untouched");
	expect_field(json_get_str(j, "missing", true, 0, 10, &s, &fe), APP_ERR_VALIDATION, &fe,
	             "missing", "is required");
	expect_field(json_get_str(j, "z", true, 0, 10, &s, &fe), APP_ERR_VALIDATION, &fe, "z",
	             "is required");
	expect_field(json_get_str(j, "n", true, 0, 10, &s, &fe), APP_ERR_VALIDATION, &fe, "n",
	             "must be a string");
	expect_field(json_get_str(j, "name", true, 4, 10, &s, &fe), APP_ERR_VALIDATION, &fe, "name",
	             "at least 4");
	expect_field(json_get_str(j, "name", true, 0, 2, &s, &fe), APP_ERR_VALIDATION, &fe, "name",
	             "at most 2");
	/* case-sensitive keys */
	expect_field(json_get_str(j, "NAME", true, 0, 10, &s, &fe), APP_ERR_VALIDATION, &fe, "NAME",
	             "is required");
	assert_string_equal(s, "untouched");
	cJSON_Delete(j);
}

static void test_get_int(void **state)
{
	cJSON *j = obj("{\"a\":42,\"neg\":-7,\"f\":1.5,\"s\":\"1\",\"big\":9007199254740993,"
	               "\"inf\":1e999,\"whole\":3.0}");
	struct field_error fe = {{0}};
	int64_t v = -1;

	(void)state;
	assert_int_equal(json_get_int(j, "a", true, 0, 100, &v, &fe), APP_OK);
	assert_int_equal(v, 42);
	assert_int_equal(json_get_int(j, "neg", true, -10, 0, &v, &fe), APP_OK);
	assert_int_equal(v, -7);
	assert_int_equal(json_get_int(j, "whole", true, 0, 10, &v, &fe), APP_OK);
	assert_int_equal(v, 3);
	v = 99;
	assert_int_equal(json_get_int(j, "nope", false, 0, 10, &v, &fe), APP_OK);
	assert_int_equal(v, 99);
	expect_field(json_get_int(j, "a", true, 0, 41, &v, &fe), APP_ERR_VALIDATION, &fe, "a",
	             "between 0 and 41");
	expect_field(json_get_int(j, "neg", true, 0, 10, &v, &fe), APP_ERR_VALIDATION, &fe, "neg",
	             "between");
	expect_field(json_get_int(j, "f", true, 0, 10, &v, &fe), APP_ERR_VALIDATION, &fe, "f",
	             "must be an integer");
	expect_field(json_get_int(j, "s", true, 0, 10, &v, &fe), APP_ERR_VALIDATION, &fe, "s",
	             "must be an integer");
	expect_field(json_get_int(j, "inf", true, INT64_MIN, INT64_MAX, &v, &fe),
	             APP_ERR_VALIDATION, &fe, "inf", "must be an integer");
	/* beyond 2^53 a double cannot hold the exact value: refuse, do not round */
	expect_field(json_get_int(j, "big", true, INT64_MIN, INT64_MAX, &v, &fe),
	             APP_ERR_VALIDATION, &fe, "big", "between");
	assert_int_equal(v, 99);
	cJSON_Delete(j);
}

static void test_get_bool_double(void **state)
{
	cJSON *j = obj("{\"t\":true,\"f\":false,\"n\":0,\"d\":2.5,\"inf\":-1e400}");
	struct field_error fe = {{0}};
	bool b = false;
	double d = 0;

	(void)state;
	assert_int_equal(json_get_bool(j, "t", true, &b, &fe), APP_OK);
	assert_true(b);
	assert_int_equal(json_get_bool(j, "f", true, &b, &fe), APP_OK);
	assert_false(b);
	expect_field(json_get_bool(j, "n", true, &b, &fe), APP_ERR_VALIDATION, &fe, "n",
	             "must be a boolean");
	expect_field(json_get_bool(j, "x", true, &b, &fe), APP_ERR_VALIDATION, &fe, "x",
	             "is required");
	assert_int_equal(json_get_double(j, "d", true, 0, 3, &d, &fe), APP_OK);
	assert_true(d == 2.5);
	assert_int_equal(json_get_double(j, "n", true, 0, 3, &d, &fe), APP_OK);
	assert_true(d == 0);
	expect_field(json_get_double(j, "d", true, 0, 2, &d, &fe), APP_ERR_VALIDATION, &fe, "d",
	             "between");
	expect_field(json_get_double(j, "t", true, 0, 2, &d, &fe), APP_ERR_VALIDATION, &fe, "t",
	             "must be a number");
	expect_field(json_get_double(j, "inf", true, -INFINITY, INFINITY, &d, &fe),
	             APP_ERR_VALIDATION, &fe, "inf", "must be a number");
	cJSON_Delete(j);
}

static void test_get_array_object(void **state)
{
	cJSON *j = obj("{\"arr\":[1,2,3],\"o\":{\"k\":1},\"s\":\"x\"}");
	struct field_error fe = {{0}};
	const cJSON *out = NULL;

	(void)state;
	assert_int_equal(json_get_array(j, "arr", true, 3, &out, &fe), APP_OK);
	assert_int_equal(cJSON_GetArraySize(out), 3);
	expect_field(json_get_array(j, "arr", true, 2, &out, &fe), APP_ERR_VALIDATION, &fe, "arr",
	             "at most 2 items");
	expect_field(json_get_array(j, "o", true, 2, &out, &fe), APP_ERR_VALIDATION, &fe, "o",
	             "must be an array");
	assert_int_equal(json_get_object(j, "o", true, &out, &fe), APP_OK);
	assert_true(cJSON_IsObject(out));
	expect_field(json_get_object(j, "arr", true, &out, &fe), APP_ERR_VALIDATION, &fe, "arr",
	             "must be an object");
	expect_field(json_get_object(j, "s", true, &out, &fe), APP_ERR_VALIDATION, &fe, "s",
	             "must be an object");
	/* getters on something that is not an object */
	expect_field(json_get_object(out->child, "k", false, &out, &fe), APP_ERR_BAD_REQUEST, &fe,
	             "body", "JSON object");
	cJSON_Delete(j);
}

static void test_reject_unknown(void **state)
{
	static const char *const allowed[] = {"a", "b", NULL};
	cJSON *ok = obj("{\"a\":1,\"b\":2}");
	cJSON *bad = obj("{\"a\":1,\"evil\":2,\"worse\":3}");
	struct field_error fe = {{0}};

	(void)state;
	assert_int_equal(json_reject_unknown(ok, allowed, &fe), APP_OK);
	expect_field(json_reject_unknown(bad, allowed, &fe), APP_ERR_VALIDATION, &fe, "evil",
	             "unknown field");
	cJSON_Delete(ok);
	cJSON_Delete(bad);
}

static void test_field_fail_truncates(void **state)
{
	struct field_error fe;
	char name[300];
	size_t i;

	(void)state;
	/* 2-byte characters: a byte cut would leave half a character behind */
	for (i = 0; i + 2 < sizeof(name); i += 2)
		memcpy(name + i, "\xc3\xa9", 2);
	name[i] = '\0';
	assert_int_equal(field_fail(&fe, APP_ERR_VALIDATION, name, "%s", name), APP_ERR_VALIDATION);
	assert_true(strlen(fe.field) < sizeof(fe.field));
	assert_int_equal(strlen(fe.field) % 2, 0);
	assert_int_equal(strlen(fe.detail) % 2, 0);
	assert_true(strlen(fe.detail) >= sizeof(fe.detail) - 2);
	assert_int_equal(field_fail(NULL, APP_ERR_NOMEM, "x", "y"), APP_ERR_NOMEM);
}

/* --- writer --- */

static void test_writer_round_trip(void **state)
{
	static const double ds[] = {0.1,    1.0 / 3, 1e300,       -2.5e-300,
	                            5e-324, DBL_MAX, 123456789.0, -0.0};
	struct buf b;
	struct jw w;
	cJSON *j, *it;
	size_t i;

	(void)state;
	buf_init(&b, 4096);
	jw_init(&w, &b);
	jw_obj_open(&w);
	jw_kstr(&w, "s", "q\"\\\n\x01\xc3\xa9");
	jw_key(&w, "bin");
	jw_strn(&w, "a\0b", 3);
	jw_kint(&w, "min", INT64_MIN);
	jw_kint(&w, "max", INT64_MAX);
	jw_kbool(&w, "t", true);
	jw_knull(&w, "nil");
	jw_kstr(&w, "nulls", NULL);
	jw_kdouble(&w, "nan", NAN);
	jw_kdouble(&w, "inf", -INFINITY);
	jw_key(&w, "raw");
	jw_raw(&w, "{\"x\":[1]}", 9);
	jw_key(&w, "ds");
	jw_arr_open(&w);
	for (i = 0; i < sizeof(ds) / sizeof(ds[0]); i++)
		jw_double(&w, ds[i]);
	jw_arr_close(&w);
	jw_key(&w, "nest");
	jw_arr_open(&w);
	jw_arr_open(&w);
	jw_arr_close(&w);
	jw_obj_open(&w);
	jw_obj_close(&w);
	jw_int(&w, 0);
	jw_arr_close(&w);
	jw_obj_close(&w);
	assert_true(buf_ok(&b));
	assert_int_equal(w.depth, 0);

	j = cJSON_Parse(b.data);
	assert_non_null(j);
	assert_string_equal(cJSON_GetObjectItem(j, "s")->valuestring, "q\"\\\n\x01\xc3\xa9");
	assert_non_null(strstr(b.data, "\"a\\u0000b\""));
	assert_non_null(strstr(b.data, "\"min\":-9223372036854775808,"));
	assert_non_null(strstr(b.data, "\"max\":9223372036854775807,"));
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "t")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "nil")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "nulls")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "nan")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "inf")));
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "raw"), "x")->child->valueint,
	                 1);
	it = cJSON_GetObjectItem(j, "ds")->child;
	for (i = 0; i < sizeof(ds) / sizeof(ds[0]); i++, it = it->next) {
		assert_non_null(it);
		assert_true(it->valuedouble == ds[i]); /* bit-exact round trip */
	}
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "nest")), 3);
	/* shortest form, not %.17g noise */
	assert_non_null(strstr(b.data, "[0.1,"));
	cJSON_Delete(j);
	buf_release(&b);
}

static void test_writer_misuse_fails(void **state)
{
	struct buf b;
	struct jw w;
	int i;

	(void)state;
	buf_init(&b, 4096);
	jw_init(&w, &b);
	for (i = 0; i < JW_MAX_DEPTH; i++)
		jw_arr_open(&w);
	assert_true(buf_ok(&b));
	jw_arr_open(&w);
	assert_false(buf_ok(&b));
	buf_release(&b);

	buf_init(&b, 4096);
	jw_init(&w, &b);
	jw_arr_close(&w);
	assert_false(buf_ok(&b));
	buf_release(&b);

	buf_init(&b, 4096);
	jw_init(&w, &b);
	jw_obj_open(&w);
	jw_key(&w, "a");
	jw_key(&w, "b");
	assert_false(buf_ok(&b));
	buf_release(&b);

	/* a value too large for the buffer */
	buf_init(&b, 8);
	jw_init(&w, &b);
	jw_str(&w, "0123456789");
	assert_false(buf_ok(&b));
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_ok_unterminated),
	    cmocka_unit_test(test_size_limit),
	    cmocka_unit_test(test_depth_boundary),
	    cmocka_unit_test(test_nul_rejected),
	    cmocka_unit_test(test_trailing_garbage),
	    cmocka_unit_test(test_lexical_rejects),
	    cmocka_unit_test(test_no_read_past_len),
	    cmocka_unit_test(test_get_str),
	    cmocka_unit_test(test_get_int),
	    cmocka_unit_test(test_get_bool_double),
	    cmocka_unit_test(test_get_array_object),
	    cmocka_unit_test(test_reject_unknown),
	    cmocka_unit_test(test_field_fail_truncates),
	    cmocka_unit_test(test_writer_round_trip),
	    cmocka_unit_test(test_writer_misuse_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
