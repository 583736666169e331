/*
 * The database handle against the real PostgreSQL: prepared statements,
 * error mapping, transactions, and recovery when the server restarts.
 */
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/log.h"
#include "db/db.h"
#include "server.h"
#include "testenv.h"

static char url[1024];

static const struct db_stmt q_add = {
	"t_add", "SELECT $1::int + $2::int", 2, true};
static const struct db_stmt q_insert = {
	"t_insert", "INSERT INTO t_items (name) VALUES ($1) RETURNING id", 1, false};
static const struct db_stmt q_count = {
	"t_count", "SELECT count(*) FROM t_items", 0, true};

static const struct db_stmt q_cells = {
	"t_cells",
	"SELECT 9223372036854775807::bigint, '-2147483648'::int, 2147483648::bigint, NULL::int,"
	" 'twelve'::text, 1.5::numeric, $1::int",
	1, true};
static const struct db_stmt q_update = {
	"t_update", "UPDATE t_items SET name = name WHERE id > 0", 0, false};

static int setup(void **state)
{
	struct db *db = db_new(url, 5000, 10000);
	*state = db;
	return db_exec(db, "CREATE TABLE IF NOT EXISTS t_items (id serial PRIMARY KEY,"
			   " name text UNIQUE NOT NULL CHECK (length(name) < 10))") == APP_OK
		       ? 0
		       : -1;
}

static int teardown(void **state)
{
	struct db *db = *state;
	db_exec(db, "DROP TABLE IF EXISTS t_items");
	db_free(db);
	return 0;
}

static long scalar(struct db *db, const struct db_stmt *st, const char *const *params)
{
	struct arena *a = arena_new(4096, 1 << 20);
	PGresult *r = NULL;
	long v = -1;

	if (db_query(db, a, st, params, &r) == APP_OK)
		v = strtol(PQgetvalue(r, 0, 0), NULL, 10);
	arena_free(a);
	return v;
}

static void prepared_and_errors(void **state)
{
	struct db *db = *state;
	const char *two[] = {"40", "2"};
	const char *bad[] = {"forty", "2"};
	const char *name[] = {"alpha"};
	const char *toolong[] = {"much-too-long-name"};

	assert_int_equal(scalar(db, &q_add, two), 42);
	assert_int_equal(scalar(db, &q_add, two), 42); /* second use: already prepared */
	assert_int_equal(db_query(db, NULL, &q_add, bad, NULL), APP_ERR_VALIDATION);
	assert_string_equal(db_last_sqlstate(db), "22P02");
	assert_int_equal(db_query(db, NULL, &q_insert, name, NULL), APP_OK);
	assert_int_equal(db_query(db, NULL, &q_insert, name, NULL), APP_ERR_CONFLICT);
	assert_int_equal(db_query(db, NULL, &q_insert, toolong, NULL), APP_ERR_VALIDATION);
	assert_int_equal(scalar(db, &q_count, NULL), 1);
}

/* A session keeps at most DB_MAX_PREPARED statements: one more drops them
 * all, the server holds no more than the cap, and a dropped statement is
 * prepared again on its next use. */
static void prepared_statements_are_capped(void **state)
{
	struct db *db = *state;
	enum { N = DB_MAX_PREPARED + 10 };
	static struct db_stmt st[N];
	static char names[N][32], sqls[N][64];
	static const struct db_stmt q_held = {
	    "cap_held", "SELECT count(*) FROM pg_prepared_statements WHERE $1::int = 1", 1, true};
	const char *one[] = {"1"};
	unsigned long before = db_deallocations(db);

	for (int i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "cap_%d", i);
		snprintf(sqls[i], sizeof(sqls[i]), "SELECT %d + $1::int", i);
		st[i] = (struct db_stmt){names[i], sqls[i], 1, true, false};
		assert_int_equal(scalar(db, &st[i], one), i + 1);
	}
	assert_true(db_deallocations(db) >= before + 1);
	long held = scalar(db, &q_held, one);
	assert_true(held > 0 && held <= DB_MAX_PREPARED);
	/* the first ones were dropped: prepared again, same answer */
	assert_int_equal(scalar(db, &st[0], one), 1);
	assert_int_equal(scalar(db, &st[N - 1], one), N);
}

static void transactions(void **state)
{
	struct db *db = *state;
	const char *a[] = {"beta"}, *b[] = {"gamma"};
	long before = scalar(db, &q_count, NULL);

	assert_int_equal(db_begin(db), APP_OK);
	assert_int_equal(db_query(db, NULL, &q_insert, a, NULL), APP_OK);
	assert_int_equal(db_query(db, NULL, &q_insert, b, NULL), APP_OK);
	db_rollback(db);
	assert_int_equal(scalar(db, &q_count, NULL), before);
	assert_int_equal(db_begin(db), APP_OK);
	assert_int_equal(db_query(db, NULL, &q_insert, a, NULL), APP_OK);
	assert_int_equal(db_commit(db), APP_OK);
	assert_int_equal(scalar(db, &q_count, NULL), before + 1);
}

static void survives_server_restart(void **state)
{
	struct db *db = *state;
	const char *two[] = {"1", "2"};
	const char *name[] = {"delta"};

	assert_int_equal(scalar(db, &q_add, two), 3);
	assert_int_equal(testenv_stack("pg-restart"), 0);
	/* an idempotent statement is retried on a new connection, and the
	 * statement is prepared again there */
	assert_int_equal(scalar(db, &q_add, two), 3);

	assert_int_equal(testenv_stack("pg-restart"), 0);
	/* a write is not blindly repeated: it fails once ... */
	assert_int_equal(db_query(db, NULL, &q_insert, name, NULL), APP_ERR_DB);
	/* ... and the next call reconnects and succeeds */
	assert_int_equal(db_query(db, NULL, &q_insert, name, NULL), APP_OK);
}

/* pid of db's session */
static long backend_pid(struct db *db)
{
	static const struct db_stmt q_pid = {"t_pid", "SELECT pg_backend_pid()", 0, true};
	return scalar(db, &q_pid, NULL);
}

/* End db's session from another one, as a restart does, and wait until it
 * is gone. */
static void end_session(long pid)
{
	char sql[160];
	PGconn *c = PQconnectdb(url);
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%ld, 5000)", pid);
	PGresult *r = PQexec(c, sql);
	assert_string_equal(PQgetvalue(r, 0, 0), "t");
	PQclear(r);
	PQfinish(c);
}

static void ended_idle_session_is_replaced_before_work(void **state)
{
	struct db *db = *state;
	const char *name[] = {"echo"};

	/* ended while idle: the next unit of work starts on a new session,
	 * so even its first statement, a write, succeeds */
	long pid = backend_pid(db);
	end_session(pid);
	db_start_work(db);
	assert_int_equal(db_query(db, NULL, &q_insert, name, NULL), APP_OK);
	assert_true(backend_pid(db) != pid);

	/* a session with a notification waiting is kept */
	assert_int_equal(db_exec(db, "LISTEN t_channel"), APP_OK);
	pid = backend_pid(db);
	PGconn *c = PQconnectdb(url);
	PQclear(PQexec(c, "NOTIFY t_channel, 'x'"));
	PQfinish(c);
	for (int i = 0; i < 100; i++) {
		struct pollfd p = {.fd = PQsocket(db_conn(db)), .events = POLLIN};
		if (poll(&p, 1, 10) > 0)
			break;
	}
	db_start_work(db);
	assert_int_equal(backend_pid(db), pid);
	assert_int_equal(db_exec(db, "UNLISTEN t_channel"), APP_OK);

	/* a healthy idle session is kept */
	db_start_work(db);
	assert_int_equal(backend_pid(db), pid);
}

static void transaction_lost_with_its_connection(void **state)
{
	struct db *db = *state;
	const char *a[] = {"tx-a"}, *b[] = {"tx-b"}, *two[] = {"1", "1"};
	long before = scalar(db, &q_count, NULL);

	assert_int_equal(db_begin(db), APP_OK);
	assert_int_equal(db_query(db, NULL, &q_insert, a, NULL), APP_OK);
	assert_int_equal(testenv_stack("pg-restart"), 0);
	/* the transaction died with the connection: nothing may run outside
	 * it by a silent reconnect, reads included, until the caller ends it */
	assert_int_equal(db_query(db, NULL, &q_insert, b, NULL), APP_ERR_DB);
	assert_int_equal(db_query(db, NULL, &q_add, two, NULL), APP_ERR_DB);
	assert_int_equal(db_commit(db), APP_ERR_DB);
	assert_int_equal(scalar(db, &q_count, NULL), before);
	/* a forgotten transaction is rolled back at the end of the work unit */
	assert_int_equal(db_begin(db), APP_OK);
	assert_int_equal(db_query(db, NULL, &q_insert, b, NULL), APP_OK);
	db_end_work(db);
	assert_int_equal(scalar(db, &q_count, NULL), before);
}

static void unreachable_is_fast_and_recovers(void **state)
{
	struct db *db = *state;
	const char *two[] = {"2", "2"};

	assert_int_equal(testenv_stack("pg-stop"), 0);
	assert_int_equal(db_query(db, NULL, &q_add, two, NULL), APP_ERR_DB);
	/* within the retry back-off no connection attempt is made */
	assert_int_equal(db_ensure(db), APP_ERR_DB);
	assert_true(db_error_count(db) >= 1);
	assert_int_equal(testenv_stack("pg-start"), 0);
	sleep_ms(300);
	assert_int_equal(scalar(db, &q_add, two), 4);
}

/* db/value's checked reads on what the server really sends */
static void checked_integer_reads(void **state)
{
	struct db *db = *state;
	struct arena *a = arena_new(4096, 1 << 20);
	const char *p[] = {"-17"};
	PGresult *r, *u;
	int64_t v = 0;
	int i = 0;

	assert_int_equal(db_query(db, a, &q_cells, p, &r), APP_OK);
	assert_int_equal(db_get_int64(r, 0, 0, &v), APP_OK);
	assert_true(v == INT64_MAX);
	assert_int_equal(db_get_int(r, 0, 1, &i), APP_OK);
	assert_int_equal(i, -2147483647 - 1);
	/* a bigint that does not fit an int */
	assert_int_equal(db_get_int(r, 0, 2, &i), APP_ERR_INTERNAL);
	assert_int_equal(db_get_int64(r, 0, 2, &v), APP_OK);
	assert_int_equal(v, 2147483648LL);
	/* NULL: an error, unless a default is asked for */
	assert_int_equal(db_get_int64(r, 0, 3, &v), APP_ERR_INTERNAL);
	assert_int_equal(db_get_int64_or(r, 0, 3, 8, &v), APP_OK);
	assert_int_equal(v, 8);
	/* text and numeric are not integers */
	assert_int_equal(db_get_int64(r, 0, 4, &v), APP_ERR_INTERNAL);
	assert_int_equal(db_get_int64(r, 0, 5, &v), APP_ERR_INTERNAL);
	assert_int_equal(db_get_int(r, 0, 6, &i), APP_OK);
	assert_int_equal(i, -17);
	/* past the last column or row */
	assert_int_equal(db_get_int64(r, 0, 7, &v), APP_ERR_INTERNAL);
	assert_int_equal(db_get_int64(r, 1, 0, &v), APP_ERR_INTERNAL);

	/* the row count of a command */
	assert_int_equal(db_exec(db, "INSERT INTO t_items (name) VALUES ('cnt1'), ('cnt2')"), APP_OK);
	assert_int_equal(db_query(db, a, &q_update, NULL, &u), APP_OK);
	assert_int_equal(db_cmd_tuples(u, &v), APP_OK);
	assert_true(v >= 2);
	assert_int_equal(db_cmd_tuples(r, &v), APP_OK); /* SELECT reports its rows */
	assert_int_equal(v, 1);
	arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(prepared_and_errors),
		cmocka_unit_test(prepared_statements_are_capped),
		cmocka_unit_test(checked_integer_reads),
		cmocka_unit_test(transactions),
		cmocka_unit_test(survives_server_restart),
		cmocka_unit_test(ended_idle_session_is_replaced_before_work),
		cmocka_unit_test(transaction_lost_with_its_connection),
		cmocka_unit_test(unreachable_is_fast_and_recovers),
	};
	log_setup(LL_ERROR, LOG_FMT_LOGFMT, 2);
	snprintf(url, sizeof(url), "%s", testenv_new_database(NULL));
	return cmocka_run_group_tests(tests, setup, teardown);
}
