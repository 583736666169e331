#include "db/db.h"

#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/text.h"

/* every handle's errors++, process-wide (db_error_total) */
static unsigned long errors_total;

#define RETRY_MS 250

struct db {
	char *url;
	int connect_timeout_ms;
	int statement_timeout_ms;
	PGconn *conn;
	const struct db_stmt **prepared; /* statements prepared on this connection */
	size_t nprepared, capprepared;
	unsigned long deallocations;
	int64_t next_attempt_us;
	unsigned long errors;
	char sqlstate[6];
	char constraint[64];
	bool tx_open; /* BEGIN sent, no COMMIT/ROLLBACK yet */
	bool tx_lost; /* the connection died inside it: refuse until it is ended */
};

struct db *db_new(const char *url, int connect_timeout_ms, int statement_timeout_ms)
{
	struct db *db = calloc(1, sizeof(*db));

	if (!db || !(db->url = strdup(url))) {
		free(db);
		return NULL;
	}
	db->connect_timeout_ms = connect_timeout_ms;
	db->statement_timeout_ms = statement_timeout_ms;
	return db;
}

static void drop_conn(struct db *db)
{
	if (db->conn)
		PQfinish(db->conn);
	db->conn = NULL;
	db->nprepared = 0;
}

void db_free(struct db *db)
{
	if (!db)
		return;
	drop_conn(db);
	free(db->prepared);
	free(db->url);
	free(db);
}

/* libpq notices (e.g. "relation already exists, skipping") go to our log
 * at debug level instead of stderr. */
static void notice_sink(void *arg, const char *msg)
{
	(void)arg;
	log_debug("db.notice", "%.*s", (int)strcspn(msg, "\n"), msg);
}

enum app_err db_ensure(struct db *db)
{
	char timeout[16], options[128];
	const char *keys[] = {"dbname", "connect_timeout", "options", "application_name", NULL};
	const char *vals[] = {db->url, timeout, options, "revenge", NULL};
	int64_t now = now_mono_us();

	if (db->conn && PQstatus(db->conn) == CONNECTION_OK)
		return APP_OK;
	if (db->conn) {
		log_warn("db.disconnected", "PostgreSQL connection lost; reconnecting");
		drop_conn(db);
		if (db->tx_open) {
			db->tx_lost = true; /* see lose_conn */
			return APP_ERR_DB;
		}
	}
	if (db->tx_lost)
		return APP_ERR_DB;
	if (now < db->next_attempt_us)
		return APP_ERR_DB;
	/* libpq's connect_timeout is whole seconds, minimum 2 */
	snprintf(timeout, sizeof(timeout), "%d",
		 db->connect_timeout_ms > 0 ? (db->connect_timeout_ms + 999) / 1000 : 0);
	/* word_similarity_threshold: the typo tolerance of movie search
	 * ("matirx" ~ "matrix" scores 0.43; the default 0.6 misses it) */
	snprintf(options, sizeof(options),
		 "-c statement_timeout=%d -c pg_trgm.word_similarity_threshold=0.4",
		 db->statement_timeout_ms);
	/* expand_dbname = 1: the URL may be a URI or a conninfo string, and its
	 * own parameters win over ours only where it sets them */
	db->conn = PQconnectdbParams(keys, vals, 1);
	if (!db->conn || PQstatus(db->conn) != CONNECTION_OK) {
		const char *msg = db->conn ? PQerrorMessage(db->conn) : "out of memory";
		log_error("db.connect_failed", "%.*s", (int)strcspn(msg, "\n"), msg);
		drop_conn(db);
		db->errors++;
		__atomic_fetch_add(&errors_total, 1, __ATOMIC_RELAXED);
		db->next_attempt_us = now + RETRY_MS * 1000;
		return APP_ERR_DB;
	}
	PQsetNoticeProcessor(db->conn, notice_sink, NULL);
	db->next_attempt_us = 0;
	return APP_OK;
}

void db_disconnect(struct db *db)
{
	drop_conn(db);
	db->next_attempt_us = 0;
}

PGconn *db_conn(struct db *db)
{
	return db_ensure(db) == APP_OK ? db->conn : NULL;
}

enum app_err db_result_err(const PGresult *res)
{
	const char *state;

	if (!res)
		return APP_ERR_DB;
	switch (PQresultStatus(res)) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
	case PGRES_SINGLE_TUPLE:
		return APP_OK;
	default:
		break;
	}
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (!state)
		return APP_ERR_DB;
	if (!strcmp(state, "23505"))
		return APP_ERR_CONFLICT;
	if (!strncmp(state, "23", 2) || !strncmp(state, "22", 2))
		return APP_ERR_VALIDATION;
	if (!strcmp(state, "40001") || !strcmp(state, "40P01"))
		return APP_ERR_CONFLICT;
	return APP_ERR_DB;
}

unsigned long db_deallocations(const struct db *db)
{
	return db->deallocations;
}

static int is_prepared(const struct db *db, const struct db_stmt *st)
{
	for (size_t i = 0; i < db->nprepared; i++)
		if (db->prepared[i] == st)
			return 1;
	return 0;
}

static enum app_err remember(struct db *db, const struct db_stmt *st)
{
	if (db->nprepared == db->capprepared) {
		size_t cap = db->capprepared ? db->capprepared * 2 : 32;
		const struct db_stmt **p = realloc(db->prepared, cap * sizeof(*p));
		if (!p)
			return APP_ERR_NOMEM;
		db->prepared = p;
		db->capprepared = cap;
	}
	db->prepared[db->nprepared++] = st;
	return APP_OK;
}

static void note_failure(struct db *db, const PGresult *res, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(db->conn);

	const char *cons = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;

	snprintf(db->sqlstate, sizeof(db->sqlstate), "%s", state ? state : "");
	snprintf(db->constraint, sizeof(db->constraint), "%s", cons ? cons : "");
	/* constraint violations are the caller's business (409/400), the rest is ours */
	if (db_result_err(res) == APP_ERR_DB) {
		db->errors++;
		__atomic_fetch_add(&errors_total, 1, __ATOMIC_RELAXED);
		log_error("db.error", "%s failed (%s): %.*s", what, state ? state : "-",
			  (int)strcspn(msg, "\n"), msg);
	}
}

static void clear_result(void *p)
{
	PQclear(p);
}

static int conn_broken(const struct db *db)
{
	return !db->conn || PQstatus(db->conn) != CONNECTION_OK;
}

static PGresult *run_once(struct db *db, const struct db_stmt *st, const char *const *params)
{
	if (st->custom_plan)
		return PQexecParams(db->conn, st->sql, st->nparams, NULL, params, NULL, NULL, 0);
	if (!is_prepared(db, st)) {
		if (db->nprepared >= DB_MAX_PREPARED) {
			/* statements built per request shape (catalog lists,
			 * search filters) are many: a session keeps at most
			 * this many, so a client walking every shape cannot
			 * grow the server's memory without bound */
			PGresult *d = PQexec(db->conn, "DEALLOCATE ALL");
			enum app_err e = db_result_err(d);
			if (e)
				return d;
			PQclear(d);
			db->nprepared = 0;
			db->deallocations++;
		}
		PGresult *p = PQprepare(db->conn, st->name, st->sql, st->nparams, NULL);
		enum app_err e = db_result_err(p);
		if (e) {
			/* prepare errors (bad SQL) are programmer errors: report them */
			return p;
		}
		PQclear(p);
		if (remember(db, st))
			return NULL;
	}
	return PQexecPrepared(db->conn, st->name, st->nparams, params, NULL, NULL, 0);
}

/* A connection that died inside BEGIN…COMMIT took the transaction with it.
 * Reconnecting silently would run the caller's next statements outside
 * any transaction, so until the caller ends it (commit fails, rollback
 * clears) every statement is refused. */
static void lose_conn(struct db *db)
{
	if (db->tx_open)
		db->tx_lost = true;
	drop_conn(db);
}

static enum app_err tx_guard(const struct db *db)
{
	return db->tx_lost ? APP_ERR_DB : APP_OK;
}

static int in_transaction(const struct db *db)
{
	return db->conn && PQtransactionStatus(db->conn) != PQTRANS_IDLE;
}

enum app_err db_query(struct db *db, struct arena *a, const struct db_stmt *st,
		      const char *const *params, PGresult **out)
{
	PGresult *res;
	enum app_err e;
	int was_in_tx;

	db->sqlstate[0] = '\0';
	db->constraint[0] = '\0';
	if ((e = tx_guard(db)) || (e = db_ensure(db)))
		return e;
	was_in_tx = in_transaction(db);
	res = run_once(db, st, params);
	if (db_result_err(res) == APP_ERR_DB && conn_broken(db) && st->idempotent &&
	    !was_in_tx) {
		PQclear(res);
		drop_conn(db);
		db->next_attempt_us = 0;
		if ((e = db_ensure(db)))
			return e;
		res = run_once(db, st, params);
	}
	if ((e = db_result_err(res))) {
		note_failure(db, res, st->name);
		PQclear(res);
		if (conn_broken(db))
			lose_conn(db);
		return e;
	}
	if (!out) {
		PQclear(res);
		return APP_OK;
	}
	if (arena_defer(a, clear_result, res) < 0)
		return APP_ERR_NOMEM;
	*out = res;
	return APP_OK;
}

enum app_err db_exec(struct db *db, const char *sql)
{
	PGresult *res;
	enum app_err e;

	db->sqlstate[0] = '\0';
	db->constraint[0] = '\0';
	if ((e = tx_guard(db)) || (e = db_ensure(db)))
		return e;
	res = PQexec(db->conn, sql);
	if ((e = db_result_err(res))) {
		note_failure(db, res, "exec");
		if (conn_broken(db))
			lose_conn(db);
	}
	PQclear(res);
	return e;
}

enum app_err db_begin(struct db *db)
{
	enum app_err e = db_exec(db, "BEGIN");
	db->tx_open = !e;
	return e;
}

enum app_err db_commit(struct db *db)
{
	enum app_err e = db->tx_lost ? APP_ERR_DB : db_exec(db, "COMMIT");
	db->tx_open = db->tx_lost = false;
	return e;
}

void db_rollback(struct db *db)
{
	if (in_transaction(db)) {
		PGresult *res = PQexec(db->conn, "ROLLBACK");
		PQclear(res);
	}
	db->tx_open = db->tx_lost = false;
}

void db_start_work(struct db *db)
{
	/* at most a few reads: the server's last words, then the end */
	for (int i = 0; i < 4 && db->conn && PQtransactionStatus(db->conn) == PQTRANS_IDLE; i++) {
		struct pollfd p = {.fd = PQsocket(db->conn), .events = POLLIN};
		if (poll(&p, 1, 0) <= 0)
			return; /* nothing waiting: the session is as good as it was */
		/* libpq's socket never blocks; a notification keeps the session */
		if (!PQconsumeInput(db->conn) || PQstatus(db->conn) != CONNECTION_OK) {
			log_warn("db.disconnected",
				 "the server ended the idle PostgreSQL session; reconnecting");
			drop_conn(db);
			db->next_attempt_us = 0;
			return;
		}
	}
}

void db_end_work(struct db *db)
{
	if (db->tx_open || db->tx_lost || in_transaction(db)) {
		log_warn("db.tx_abandoned", "a transaction was left open; rolled back");
		db_rollback(db);
	}
}

const char *db_last_constraint(const struct db *db)
{
	return db->constraint;
}

const char *db_last_sqlstate(const struct db *db)
{
	return db->sqlstate;
}

unsigned long db_error_count(const struct db *db)
{
	return db->errors;
}

unsigned long db_error_total(void)
{
	return __atomic_load_n(&errors_total, __ATOMIC_RELAXED);
}
