/*
 * db: one PostgreSQL connection, connected lazily and reconnected after the
 * server restarts, with statements prepared on first use per connection.
 *
 * Statements are declared once as static `struct db_stmt` values; the
 * address identifies the statement, so a connection remembers which ones it
 * has prepared and prepares them again after a reconnect.
 *
 * Retrying: when the connection is found broken before a statement is sent,
 * db reconnects first. When it breaks while a statement runs, the statement
 * is retried once on a fresh connection only if it is marked idempotent and
 * no transaction is open; otherwise APP_ERR_DB is returned and the caller's
 * transaction is gone (PostgreSQL rolled it back).
 */
#ifndef REVENGE_DB_DB_H
#define REVENGE_DB_DB_H

#include <stdbool.h>
#include <libpq-fe.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/json.h"
/* typed cell reads (db_get_int64, db_json_str, …) go with every query */
#include "db/value.h"

struct db_stmt {
	const char *name; /* unique, used as the server-side statement name */
	const char *sql;
	int nparams;
	bool idempotent; /* safe to send again after a connection failure */
	/* planned with each call's values instead of prepared once: for the
	 * few statements whose best plan depends on a value (a large OFFSET) */
	bool custom_plan;
};

struct db;

/* Prepared statements a session keeps; preparing one more first drops them
 * all (DEALLOCATE ALL), and each is prepared again on its next use. */
#define DB_MAX_PREPARED 512

/* How many times the handle dropped its prepared statements. */
unsigned long db_deallocations(const struct db *db);

/* A handle that will connect on first use; NULL when out of memory.
 * url: libpq URI or conninfo; timeouts in milliseconds (0 = none). */
struct db *db_new(const char *url, int connect_timeout_ms, int statement_timeout_ms);
void db_free(struct db *db);

/* Connect when not connected (or broken). APP_ERR_DB when unreachable; a
 * failed attempt is not repeated for `retry_ms` (default 250 ms) so a down
 * server costs each request one quick check, not a connect timeout. */
enum app_err db_ensure(struct db *db);

/* Drop the connection (the next use reconnects at once, no back-off). */
void db_disconnect(struct db *db);

/* The connection, connecting if needed; NULL when unreachable. */
PGconn *db_conn(struct db *db);

/*
 * Run a prepared statement with text parameters (NULL = SQL NULL). On
 * success *out (when out is not NULL) receives a result registered for
 * cleanup in arena a; when out is NULL the result is freed at once.
 * Errors: APP_ERR_DB (connection, server error), APP_ERR_CONFLICT (unique
 * violation 23505), APP_ERR_VALIDATION (check/foreign-key/not-null
 * violations 23xxx, invalid text 22xxx).
 */
enum app_err db_query(struct db *db, struct arena *a, const struct db_stmt *st,
		      const char *const *params, PGresult **out);

/* Run plain SQL without parameters (DDL, BEGIN/COMMIT); same errors. */
enum app_err db_exec(struct db *db, const char *sql);

/* Transactions. If the connection dies between db_begin and the end, the
 * transaction is gone: every later statement fails (APP_ERR_DB) until the
 * caller ends it, and db_commit reports the failure; db_rollback clears
 * the state and never fails. */
enum app_err db_begin(struct db *db);
enum app_err db_commit(struct db *db);
void db_rollback(struct db *db);

/* Start of a unit of work (a request): an idle session the server ended
 * while the process waited (a restart, pg_terminate_backend) reads as
 * connected until libpq reads the server's last words and the end of the
 * stream, so the work's first statement would be sent on it and fail, and
 * a write is not sent twice. What is waiting on an idle session is read
 * here; an ended session is dropped, and the first statement connects
 * anew. A session with only notifications waiting is kept. */
void db_start_work(struct db *db);

/* End of a unit of work (a request, a job): roll back and log a
 * transaction the code forgot to end, so it never leaks into the next. */
void db_end_work(struct db *db);

/* SQLSTATE of the last failed statement ("" when none). */
const char *db_last_sqlstate(const struct db *db);
/* Constraint name of the last failed statement ("" when none), to tell
 * which unique index a 409 is about. */
const char *db_last_constraint(const struct db *db);

/* Count of connection failures since start (for metrics). */
unsigned long db_error_count(const struct db *db);
/* The same, summed over every handle of this process (thread-safe). */
unsigned long db_error_total(void);

/* Map a PGresult status/SQLSTATE to an app_err (APP_OK for success). */
enum app_err db_result_err(const PGresult *res);


#endif
