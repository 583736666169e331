/*
 * Migrations against the real PostgreSQL: fresh database, idempotence,
 * refusal of an edited applied migration, a database ahead of the binary,
 * and several runners racing on one database.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "db/migrate.h"
#include "testenv.h"

static const struct migration trio[] = {
	{1, "first", "CREATE TABLE m_runs (id serial PRIMARY KEY, by_version int NOT NULL);"
		     "INSERT INTO m_runs (by_version) VALUES (1);"},
	/* slow on purpose: widens the window in which racing runners overlap */
	{2, "second", "SELECT pg_sleep(0.3); INSERT INTO m_runs (by_version) VALUES (2);"},
	{5, "third", "INSERT INTO m_runs (by_version) VALUES (5);"},
};

static int count(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	int n = PQresultStatus(r) == PGRES_TUPLES_OK ? atoi(PQgetvalue(r, 0, 0)) : -1;
	PQclear(r);
	return n;
}

static void fresh_then_idempotent(void **state)
{
	PGconn *c = testenv_connect(testenv_new_database("template0"));
	struct migrate_status st;
	struct buf err;

	(void)state;
	buf_init(&err, 1024);
	assert_int_equal(migrate_check(c, trio, 3, &st, &err), APP_OK);
	assert_int_equal(st.pending, 3);
	assert_int_equal(migrate_run(c, trio, 3, &st, &err), APP_OK);
	assert_int_equal(st.applied_now, 3);
	assert_int_equal(st.current, 5);
	assert_int_equal(count(c, "SELECT count(*) FROM m_runs"), 3);
	assert_int_equal(migrate_run(c, trio, 3, &st, &err), APP_OK);
	assert_int_equal(st.applied_now, 0);
	assert_int_equal(st.pending, 0);
	assert_int_equal(count(c, "SELECT count(*) FROM m_runs"), 3);
	assert_int_equal(count(c, "SELECT count(*) FROM schema_migrations WHERE length(checksum) = 64"), 3);
	buf_release(&err);
	PQfinish(c);
}

static void builtin_migrations_apply(void **state)
{
	PGconn *c = testenv_connect(testenv_new_database("template0"));
	struct migrate_status st;
	struct buf err;

	(void)state;
	buf_init(&err, 1024);
	assert_int_equal(migrate_run(c, migrations_builtin, migrations_builtin_count, &st, &err),
			 APP_OK);
	assert_int_equal(st.applied_now, (int)migrations_builtin_count);
	assert_int_equal(st.pending, 0);
	assert_int_equal(count(c, "SELECT count(*) FROM pg_extension WHERE extname IN ('pg_trgm','unaccent')"), 2);
	buf_release(&err);
	PQfinish(c);
}

static void edited_migration_refused(void **state)
{
	PGconn *c = testenv_connect(testenv_new_database("template0"));
	struct migration edited[3];
	struct migrate_status st;
	struct buf err;

	(void)state;
	buf_init(&err, 1024);
	assert_int_equal(migrate_run(c, trio, 2, &st, &err), APP_OK);
	memcpy(edited, trio, sizeof(edited));
	edited[1].sql = "SELECT 1; INSERT INTO m_runs (by_version) VALUES (2);";
	assert_int_equal(migrate_run(c, edited, 3, &st, &err), APP_ERR_VALIDATION);
	assert_non_null(strstr(err.data, "0002_second was edited"));
	/* nothing after the refusal ran */
	assert_int_equal(count(c, "SELECT count(*) FROM m_runs WHERE by_version = 5"), 0);
	buf_reset(&err);
	assert_int_equal(migrate_check(c, edited, 3, &st, &err), APP_ERR_VALIDATION);

	/* a database migrated by a newer binary is refused too */
	buf_reset(&err);
	assert_int_equal(migrate_run(c, trio, 1, &st, &err), APP_ERR_VALIDATION);
	assert_non_null(strstr(err.data, "does not know"));

	/* and a list out of order is a programmer error reported as such */
	struct migration backwards[2] = {trio[1], trio[0]};
	buf_reset(&err);
	assert_int_equal(migrate_run(c, backwards, 2, &st, &err), APP_ERR_VALIDATION);
	buf_release(&err);
	PQfinish(c);
}

static void failing_migration_rolls_back(void **state)
{
	PGconn *c = testenv_connect(testenv_new_database("template0"));
	const struct migration bad[] = {
		trio[0],
		{2, "broken", "INSERT INTO m_runs (by_version) VALUES (2); SELECT no_such_function();"},
	};
	struct migrate_status st;
	struct buf err;

	(void)state;
	buf_init(&err, 1024);
	assert_int_equal(migrate_run(c, bad, 2, &st, &err), APP_ERR_DB);
	assert_non_null(strstr(err.data, "0002_broken"));
	/* the first stays, the broken one left nothing behind */
	assert_int_equal(count(c, "SELECT count(*) FROM m_runs"), 1);
	assert_int_equal(count(c, "SELECT max(version) FROM schema_migrations"), 1);
	buf_release(&err);
	PQfinish(c);
}

static void concurrent_runners(void **state)
{
	const char *url = testenv_new_database("template0");
	char url_copy[1024];
	pid_t kids[6];
	PGconn *c;

	(void)state;
	snprintf(url_copy, sizeof(url_copy), "%s", url);
	for (int i = 0; i < 6; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			PGconn *mine = PQconnectdb(url_copy);
			struct migrate_status st;
			struct buf err;
			buf_init(&err, 1024);
			int rc = migrate_run(mine, trio, 3, &st, &err) == APP_OK ? 0 : 1;
			PQfinish(mine);
			buf_release(&err);
			_exit(rc);
		}
	}
	for (int i = 0; i < 6; i++) {
		int status;
		waitpid(kids[i], &status, 0);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	c = testenv_connect(url_copy);
	/* every migration ran exactly once */
	assert_int_equal(count(c, "SELECT count(*) FROM m_runs"), 3);
	assert_int_equal(count(c, "SELECT count(*) FROM schema_migrations"), 3);
	PQfinish(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fresh_then_idempotent),
		cmocka_unit_test(builtin_migrations_apply),
		cmocka_unit_test(edited_migration_refused),
		cmocka_unit_test(failing_migration_rolls_back),
		cmocka_unit_test(concurrent_runners),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
