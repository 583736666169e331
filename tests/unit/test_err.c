#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/err.h"

static void test_every_error_maps(void **state)
{
	int e;

	(void)state;
	for (e = 1; e < APP_ERR__COUNT; e++) {
		int st = app_err_status((enum app_err)e);
		const char *slug = app_err_slug((enum app_err)e);
		size_t i;

		assert_in_range(st, 400, 599);
		assert_non_null(app_err_title((enum app_err)e));
		assert_true(strlen(app_err_title((enum app_err)e)) > 0);
		assert_non_null(slug);
		assert_true(strlen(slug) > 0);
		/* slugs go into URLs: lower case letters and dashes only */
		for (i = 0; slug[i]; i++)
			assert_true((slug[i] >= 'a' && slug[i] <= 'z') || slug[i] == '-');
		/* the reason phrase for the status exists */
		assert_string_not_equal(http_reason(st), "Unknown");
	}
}

static void test_unique_slugs(void **state)
{
	int a, b;

	(void)state;
	for (a = 0; a < APP_ERR__COUNT; a++)
		for (b = a + 1; b < APP_ERR__COUNT; b++)
			assert_string_not_equal(app_err_slug((enum app_err)a),
			                        app_err_slug((enum app_err)b));
}

static void test_specific_mappings(void **state)
{
	(void)state;
	assert_int_equal(app_err_status(APP_OK), 200);
	assert_int_equal(app_err_status(APP_ERR_NOT_FOUND), 404);
	assert_string_equal(app_err_slug(APP_ERR_NOT_FOUND), "not-found");
	assert_string_equal(app_err_title(APP_ERR_NOT_FOUND), "Not Found");
	assert_int_equal(app_err_status(APP_ERR_VALIDATION), 400);
	assert_int_equal(app_err_status(APP_ERR_TOO_LARGE), 413);
	assert_int_equal(app_err_status(APP_ERR_RATE_LIMITED), 429);
	assert_int_equal(app_err_status(APP_ERR_DB), 503);
	assert_int_equal(app_err_status(APP_ERR_NOMEM), 500);
}

static void test_out_of_range_is_internal(void **state)
{
	(void)state;
	assert_int_equal(app_err_status(APP_ERR__COUNT), 500);
	assert_int_equal(app_err_status((enum app_err) - 1), 500);
	assert_string_equal(app_err_slug((enum app_err)1000), "internal");
}

static void test_http_reason(void **state)
{
	(void)state;
	assert_string_equal(http_reason(200), "OK");
	assert_string_equal(http_reason(201), "Created");
	assert_string_equal(http_reason(204), "No Content");
	assert_string_equal(http_reason(304), "Not Modified");
	assert_string_equal(http_reason(404), "Not Found");
	assert_string_equal(http_reason(413), "Content Too Large");
	assert_string_equal(http_reason(503), "Service Unavailable");
	assert_string_equal(http_reason(511), "Network Authentication Required");
	assert_string_equal(http_reason(299), "Unknown");
	assert_string_equal(http_reason(-1), "Unknown");
	assert_string_equal(http_reason(600), "Unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_error_maps),
	    cmocka_unit_test(test_unique_slugs),
	    cmocka_unit_test(test_specific_mappings),
	    cmocka_unit_test(test_out_of_range_is_internal),
	    cmocka_unit_test(test_http_reason),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
