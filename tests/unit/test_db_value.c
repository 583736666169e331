/*
 * db/value: checked integer reads of result cells. The results are built on
 * the client (PQmakeEmptyPGresult + PQsetvalue), so no server is needed;
 * tests/integration/test_db.c reads the same cases from real statements.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/log.h"
#include "db/value.h"

/* One text column "v", one row per value (NULL = SQL NULL). */
static PGresult *column_of(const char *const *vals, int n)
{
	PGresAttDesc att = {.name = (char *)(uintptr_t) "v", .typid = 25, .typlen = -1,
			    .atttypmod = -1};
	PGresult *r = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);

	assert_non_null(r);
	assert_true(PQsetResultAttrs(r, 1, &att));
	for (int i = 0; i < n; i++)
		assert_true(PQsetvalue(r, i, 0, (char *)(uintptr_t)vals[i],
				       vals[i] ? (int)strlen(vals[i]) : -1));
	return r;
}

static void int64_reads_whole_numbers_only(void **state)
{
	static const char *const vals[] = {"0",     "-42", "+7", "9223372036854775807",
					   "-9223372036854775808", "9223372036854775808",
					   "",      "12x", " 1", "1.5", NULL};
	PGresult *r = column_of(vals, 11);
	int64_t v = 99;

	(void)state;
	assert_int_equal(db_get_int64(r, 0, 0, &v), APP_OK);
	assert_int_equal(v, 0);
	assert_int_equal(db_get_int64(r, 1, 0, &v), APP_OK);
	assert_int_equal(v, -42);
	assert_int_equal(db_get_int64(r, 2, 0, &v), APP_OK);
	assert_int_equal(v, 7);
	assert_int_equal(db_get_int64(r, 3, 0, &v), APP_OK);
	assert_true(v == INT64_MAX);
	assert_int_equal(db_get_int64(r, 4, 0, &v), APP_OK);
	assert_true(v == INT64_MIN);
	/* every failure leaves *out as it was */
	v = 99;
	for (int row = 5; row <= 10; row++) {
		assert_int_equal(db_get_int64(r, row, 0, &v), APP_ERR_INTERNAL);
		assert_int_equal(v, 99);
	}
	PQclear(r);
}

static void int_checks_its_range(void **state)
{
	static const char *const vals[] = {"2147483647", "-2147483648", "2147483648",
					   "-2147483649", NULL};
	PGresult *r = column_of(vals, 5);
	int v = 5;

	(void)state;
	assert_int_equal(db_get_int(r, 0, 0, &v), APP_OK);
	assert_int_equal(v, 2147483647);
	assert_int_equal(db_get_int(r, 1, 0, &v), APP_OK);
	assert_int_equal(v, -2147483647 - 1);
	v = 5;
	assert_int_equal(db_get_int(r, 2, 0, &v), APP_ERR_INTERNAL);
	assert_int_equal(db_get_int(r, 3, 0, &v), APP_ERR_INTERNAL);
	assert_int_equal(db_get_int(r, 4, 0, &v), APP_ERR_INTERNAL);
	assert_int_equal(v, 5);
	PQclear(r);
}

static void null_default_and_missing_cells(void **state)
{
	static const char *const vals[] = {NULL, "3", "x"};
	PGresult *r = column_of(vals, 3);
	int64_t v = 0;

	(void)state;
	assert_int_equal(db_get_int64_or(r, 0, 0, -1, &v), APP_OK);
	assert_int_equal(v, -1);
	assert_int_equal(db_get_int64_or(r, 1, 0, -1, &v), APP_OK);
	assert_int_equal(v, 3);
	/* NULL is allowed, garbage is not */
	assert_int_equal(db_get_int64_or(r, 2, 0, -1, &v), APP_ERR_INTERNAL);
	/* cells that do not exist, and no result at all */
	assert_int_equal(db_get_int64(r, 3, 0, &v), APP_ERR_INTERNAL);
	assert_int_equal(db_get_int64(r, -1, 0, &v), APP_ERR_INTERNAL);
	assert_int_equal(db_get_int64(r, 0, 1, &v), APP_ERR_INTERNAL);
	assert_int_equal(db_get_int64(NULL, 0, 0, &v), APP_ERR_INTERNAL);
	assert_int_equal(db_get_int64_or(NULL, 0, 0, 1, &v), APP_ERR_INTERNAL);
	assert_int_equal(v, 3);
	PQclear(r);
}

static void json_int_writes_number_null_or_fails(void **state)
{
	static const char *const vals[] = {"12", NULL, "nope"};
	PGresult *r = column_of(vals, 3);
	struct buf b;
	struct jw w;

	(void)state;
	buf_init(&b, 1024);
	jw_init(&w, &b);
	jw_obj_open(&w);
	db_json_int(&w, "a", r, 0, 0);
	db_json_int(&w, "b", r, 1, 0);
	jw_obj_close(&w);
	assert_true(buf_ok(&b));
	assert_string_equal(b.data, "{\"a\":12,\"b\":null}");

	/* a bad cell makes the whole response fail rather than invent a number */
	buf_reset(&b);
	jw_init(&w, &b);
	jw_obj_open(&w);
	db_json_int(&w, "c", r, 2, 0);
	jw_obj_close(&w);
	assert_false(buf_ok(&b));
	buf_release(&b);
	PQclear(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(int64_reads_whole_numbers_only),
		cmocka_unit_test(int_checks_its_range),
		cmocka_unit_test(null_default_and_missing_cells),
		cmocka_unit_test(json_int_writes_number_null_or_fails),
	};
	/* the failures are logged on purpose: keep the test output clean */
	int devnull = open("/dev/null", O_WRONLY);
	log_setup(LL_ERROR, LOG_FMT_LOGFMT, devnull >= 0 ? devnull : 2);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
