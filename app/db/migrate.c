#include "db/migrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "core/log.h"
#include "core/text.h"

static const char create_table_sql[] =
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	" version integer PRIMARY KEY,"
	" name text NOT NULL,"
	" checksum text NOT NULL,"
	" applied_at timestamptz NOT NULL DEFAULT now(),"
	" duration_ms integer NOT NULL DEFAULT 0)";

void migrate_checksum(const char *sql, char out[65])
{
	unsigned char md[32];
	unsigned int len = 0;

	EVP_Digest(sql, strlen(sql), md, &len, EVP_sha256(), NULL);
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static int exec_ok(PGconn *conn, const char *sql, struct buf *err, const char *what)
{
	PGresult *res = PQexec(conn, sql);
	ExecStatusType s = PQresultStatus(res);
	int ok = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;

	if (!ok && err) {
		const char *msg = PQresultErrorMessage(res);
		buf_printf(err, "%s: %.*s", what, (int)strcspn(msg, "\n"), msg);
	}
	PQclear(res);
	return ok ? 0 : -1;
}

static enum app_err check_list(const struct migration *list, size_t n, struct buf *err)
{
	for (size_t i = 1; i < n; i++) {
		if (list[i].version <= list[i - 1].version) {
			buf_printf(err, "migration %04d_%s: versions must be unique and increasing",
				   list[i].version, list[i].name);
			return APP_ERR_VALIDATION;
		}
	}
	return APP_OK;
}

/* Load applied rows and compare with the list. */
static enum app_err compare(PGconn *conn, const struct migration *list, size_t n,
			    struct migrate_status *st, struct buf *err, int table_known)
{
	PGresult *res;
	enum app_err e = APP_OK;
	int rows;

	st->pending = (int)n;
	st->current = 0;
	if (!table_known) {
		res = PQexec(conn, "SELECT to_regclass('schema_migrations') IS NOT NULL");
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			PQclear(res);
			buf_puts(err, "cannot read the schema: connection failed");
			return APP_ERR_DB;
		}
		int exists = PQgetvalue(res, 0, 0)[0] == 't';
		PQclear(res);
		if (!exists)
			return APP_OK;
	}
	res = PQexec(conn, "SELECT version, name, checksum FROM schema_migrations ORDER BY version");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		const char *msg = PQresultErrorMessage(res);
		buf_printf(err, "cannot read schema_migrations: %.*s", (int)strcspn(msg, "\n"),
			   msg);
		PQclear(res);
		return APP_ERR_DB;
	}
	rows = PQntuples(res);
	for (int r = 0; r < rows && !e; r++) {
		int64_t v = 0;
		const struct migration *m = NULL;
		char sum[65];

		parse_int64(PQgetvalue(res, r, 0), 0, INT32_MAX, &v);
		if (v > st->current)
			st->current = (int)v;
		for (size_t i = 0; i < n; i++)
			if (list[i].version == v)
				m = &list[i];
		if (!m) {
			buf_printf(err,
				   "database has migration %04lld_%s which this binary does not "
				   "know (a newer version migrated it)",
				   (long long)v, PQgetvalue(res, r, 1));
			e = APP_ERR_VALIDATION;
			break;
		}
		migrate_checksum(m->sql, sum);
		if (strcmp(sum, PQgetvalue(res, r, 2))) {
			buf_printf(err,
				   "migration %04d_%s was edited after it was applied (checksum "
				   "%.12s, applied %.12s); add a new migration instead",
				   m->version, m->name, sum, PQgetvalue(res, r, 2));
			e = APP_ERR_VALIDATION;
			break;
		}
		st->pending--;
	}
	PQclear(res);
	return e;
}

enum app_err migrate_check(PGconn *conn, const struct migration *list, size_t n,
			   struct migrate_status *st, struct buf *err)
{
	enum app_err e = check_list(list, n, err);

	memset(st, 0, sizeof(*st));
	return e ? e : compare(conn, list, n, st, err, 0);
}

static int is_applied(PGconn *conn, int version)
{
	char v[16];
	const char *params[1] = {v};
	PGresult *res;
	int found;

	snprintf(v, sizeof(v), "%d", version);
	res = PQexecParams(conn, "SELECT 1 FROM schema_migrations WHERE version = $1", 1, NULL,
			   params, NULL, NULL, 0);
	found = PQresultStatus(res) == PGRES_TUPLES_OK ? PQntuples(res) > 0 : -1;
	PQclear(res);
	return found;
}

static enum app_err apply_one(PGconn *conn, const struct migration *m, struct buf *err)
{
	char sum[65], version[16], ms[24], what[96];
	const char *params[4] = {version, m->name, sum, ms};
	int64_t t0 = now_mono_us();
	PGresult *res;

	snprintf(what, sizeof(what), "migration %04d_%s", m->version, m->name);
	if (exec_ok(conn, "BEGIN", err, what))
		return APP_ERR_DB;
	if (exec_ok(conn, m->sql, err, what))
		goto fail;
	migrate_checksum(m->sql, sum);
	snprintf(version, sizeof(version), "%d", m->version);
	snprintf(ms, sizeof(ms), "%lld", (long long)((now_mono_us() - t0) / 1000));
	res = PQexecParams(conn,
			   "INSERT INTO schema_migrations (version, name, checksum, duration_ms)"
			   " VALUES ($1, $2, $3, $4)",
			   4, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		buf_printf(err, "%s: cannot record it", what);
		PQclear(res);
		goto fail;
	}
	PQclear(res);
	if (exec_ok(conn, "COMMIT", err, what))
		goto fail;
	log_info("db.migrated", "applied migration %04d_%s in %s ms", m->version, m->name, ms);
	return APP_OK;
fail:
	exec_ok(conn, "ROLLBACK", NULL, what);
	return APP_ERR_DB;
}

enum app_err migrate_run(PGconn *conn, const struct migration *list, size_t n,
			 struct migrate_status *st, struct buf *err)
{
	char lock_sql[96];
	enum app_err e;

	memset(st, 0, sizeof(*st));
	if ((e = check_list(list, n, err)))
		return e;
	/* session-level lock: held across the per-migration transactions and
	 * released by the server if this process dies */
	snprintf(lock_sql, sizeof(lock_sql), "SELECT pg_advisory_lock(%lld)", MIGRATE_LOCK_KEY);
	if (exec_ok(conn, lock_sql, err, "advisory lock"))
		return APP_ERR_DB;
	/* "already exists, skipping" notices are noise for every later run */
	exec_ok(conn, "SET client_min_messages TO warning", NULL, "settings");
	if (exec_ok(conn, create_table_sql, err, "schema_migrations")) {
		e = APP_ERR_DB;
		goto out;
	}
	if ((e = compare(conn, list, n, st, err, 1)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		int applied = is_applied(conn, list[i].version);
		if (applied < 0) {
			buf_puts(err, "cannot read schema_migrations");
			e = APP_ERR_DB;
			goto out;
		}
		if (applied)
			continue;
		if ((e = apply_one(conn, &list[i], err)))
			goto out;
		st->applied_now++;
		st->pending--;
		if (list[i].version > st->current)
			st->current = list[i].version;
	}
out:
	snprintf(lock_sql, sizeof(lock_sql), "SELECT pg_advisory_unlock(%lld)", MIGRATE_LOCK_KEY);
	exec_ok(conn, lock_sql, NULL, "advisory unlock");
	return e;
}
