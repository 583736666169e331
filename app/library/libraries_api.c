#include "library/libraries_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "auth/auth.h"
#include "core/text.h"
#include "db/sql.h"
#include "http/page.h"
#include "jobs/jobs.h"
#include "library/libraries.h"

#define TMDB_ID_MAX 2147483647

static const char *const scan_types[] = {"full", "incremental", "metadata", NULL};
static const char *const levels[] = {"view", "download", "manage", NULL};

const struct param_spec libraries_page_query[] = {PAGE_PARAMS, {0}};

/* clang-format off */
/* Columns scan_json() reads, from `library_scans s`. */
#define SCAN_COLUMNS                                                                               \
	"s.id, s.library_id, s.scan_type, s.status, s.job_id, s.requested_by, s.files_seen,"       \
	" s.files_added, s.files_changed, s.files_unchanged, s.files_missing, s.files_removed,"    \
	" s.error_count, s.dirs_walked, s.message, " SQL_TS("s.created_at") ", "                   \
	SQL_TS("s.started_at") ", " SQL_TS("s.finished_at") ", s.duration_ms, s.errors::text,"     \
	" coalesce(s.duration_ms, CASE WHEN s.started_at IS NOT NULL"                              \
	" THEN (extract(epoch FROM clock_timestamp() - s.started_at) * 1000)::bigint END)"
enum {
	SC_ID, SC_LIBRARY, SC_TYPE, SC_STATUS, SC_JOB, SC_BY, SC_SEEN, SC_ADDED, SC_CHANGED,
	SC_UNCHANGED, SC_MISSING, SC_REMOVED, SC_ERRORS, SC_DIRS, SC_MESSAGE, SC_CREATED,
	SC_STARTED, SC_FINISHED, SC_DURATION, SC_ERROR_LIST, SC_ELAPSED, SC_VISIBLE_ERRORS
};

static const struct db_stmt q_lib_for_scan = {
	"libapi_lib_for_scan", "SELECT enabled FROM libraries WHERE id = $1 FOR UPDATE", 1, false};
static const struct db_stmt q_scan_active = {
	"libapi_scan_active",
	"SELECT id, status FROM library_scans WHERE library_id = $1"
	" AND status IN ('queued', 'running')",
	1, false};
static const struct db_stmt q_scan_insert = {
	"libapi_scan_insert",
	"INSERT INTO library_scans (library_id, scan_type, requested_by) VALUES ($1, $2, $3)"
	" RETURNING id",
	3, false};
static const struct db_stmt q_scan_job = {
	"libapi_scan_job", "UPDATE library_scans SET job_id = $2 WHERE id = $1", 2, false};
static const struct db_stmt q_scans_page = {
	"libapi_scans_page",
	"SELECT " SCAN_COLUMNS " FROM library_scans s WHERE s.library_id = $1"
	" AND ($2::bigint IS NULL OR s.id < $2::bigint) ORDER BY s.id DESC LIMIT $3 OFFSET $4",
	4, true};
static const struct db_stmt q_scans_count = {
	"libapi_scans_count", "SELECT count(*) FROM library_scans WHERE library_id = $1", 1, true};
/* $3 the viewer: an error about a file of an item their parental limit
 * hides is left out (a path no file row has counts as unrated) */
static const struct db_stmt q_scan_get = {
	"libapi_scan_get",
	"SELECT " SCAN_COLUMNS ", (SELECT coalesce(jsonb_agg(x.e ORDER BY x.n), '[]')::text"
	" FROM jsonb_array_elements(s.errors) WITH ORDINALITY x(e, n)"
	" WHERE NOT parental_hides($3::uuid, (SELECT coalesce(m.min_ages, se.min_ages)"
	" FROM media_files f LEFT JOIN movies m ON m.id = f.movie_id"
	" LEFT JOIN series se ON se.id = f.series_id"
	" WHERE f.library_id = s.library_id AND f.path = x.e->>'path' LIMIT 1)))"
	" FROM library_scans s WHERE s.library_id = $1 AND s.id = $2", 3,
	true};

#define GRANT_COLUMNS                                                                              \
	"g.user_id, u.username, g.level, g.granted_by, " SQL_TS("g.granted_at")
#define GRANT_FROM                                                                                 \
	" FROM library_grants g JOIN users u ON u.id = g.user_id"                                  \
	" WHERE g.library_id = $1 AND u.deleted_at IS NULL"
static const struct db_stmt q_grants_page = {
	"libapi_grants_page",
	"SELECT " GRANT_COLUMNS GRANT_FROM
	" AND ($2::text IS NULL OR (u.username, g.user_id) > ($2, $3::uuid))"
	" ORDER BY u.username, g.user_id LIMIT $4 OFFSET $5",
	5, true};
static const struct db_stmt q_grants_count = {
	"libapi_grants_count", "SELECT count(*)" GRANT_FROM, 1, true};
static const struct db_stmt q_grant_get = {
	"libapi_grant_get", "SELECT " GRANT_COLUMNS GRANT_FROM " AND g.user_id = $2", 2, false};
static const struct db_stmt q_lib_share = {
	"libapi_lib_share", "SELECT 1 FROM libraries WHERE id = $1 FOR SHARE", 1, false};
static const struct db_stmt q_user_live = {
	"libapi_user_live", "SELECT 1 FROM users WHERE id = $1 AND deleted_at IS NULL", 1, false};
static const struct db_stmt q_grant_old = {
	"libapi_grant_old",
	"SELECT level FROM library_grants WHERE library_id = $1 AND user_id = $2 FOR UPDATE", 2,
	false};
static const struct db_stmt q_grant_upsert = {
	"libapi_grant_upsert",
	"INSERT INTO library_grants (library_id, user_id, level, granted_by) VALUES ($1, $2, $3, $4)"
	" ON CONFLICT (user_id, library_id) DO UPDATE SET level = EXCLUDED.level,"
	" granted_by = EXCLUDED.granted_by, granted_at = now()",
	4, false};
static const struct db_stmt q_grant_delete = {
	"libapi_grant_delete",
	"DELETE FROM library_grants WHERE library_id = $1 AND user_id = $2 RETURNING level", 2,
	false};

/* $2 the viewer: a file whose item their parental limit hides is not
 * listed (a file no item claims counts as unrated) */
#define UNMATCHED_WHERE                                                                            \
	" FROM media_files f WHERE f.library_id = $1 AND f.state = 'present'"                      \
	" AND f.match_status IN ('unmatched', 'local', 'error')"                                   \
	" AND NOT parental_hides($2::uuid, coalesce((SELECT m.min_ages FROM movies m"              \
	" WHERE m.id = f.movie_id), (SELECT se.min_ages FROM series se WHERE se.id = f.series_id)))"
static const struct db_stmt q_unmatched_page = {
	"libapi_unmatched_page",
	"SELECT f.id, f.rel_path, f.parsed::text, f.match_status, f.match_confidence,"
	" coalesce(f.match_candidates::text, 'null'), " SQL_TS_US("f.created_at")
	UNMATCHED_WHERE
	" AND ($3::text IS NULL OR (f.created_at, f.id) > ($3::timestamptz, $4::uuid))"
	" ORDER BY f.created_at, f.id LIMIT $5 OFFSET $6",
	6, true};
static const struct db_stmt q_unmatched_count = {
	"libapi_unmatched_count", "SELECT count(*)" UNMATCHED_WHERE, 2, true};

static const struct db_stmt q_file_lock = {
	"libapi_file_lock",
	"SELECT library_id, match_status FROM media_files WHERE id = $1 FOR UPDATE", 1, false};
static const struct db_stmt q_file_manual = {
	"libapi_file_manual",
	"UPDATE media_files SET match_status = 'manual', updated_at = now() WHERE id = $1", 1,
	false};

const struct body_field libraries_scan_body[] = {
    {.name = "scan_type", .type = BT_ENUM, .choices = scan_types,
     .doc = "incremental (the default), full or metadata."},
    {0},
};
const struct body_field libraries_grants_put_body[] = {
    {.name = "user_id", .type = BT_UUID, .required = true},
    {.name = "level", .type = BT_ENUM, .required = true, .choices = levels},
    {0},
};
const struct body_field files_match_body[] = {
    {.name = "tmdb_id", .type = BT_INT, .required = true, .min = 1, .max = TMDB_ID_MAX},
    {0},
};
/* clang-format on */

/* --- helpers -------------------------------------------------------------- */

static const char *path_id(struct request *req)
{
	return req_path(req, "id")->str;
}

/* Run one statement in the transaction; roll back and return on error. */
#define TRY(x)                                                                                     \
	do {                                                                                       \
		if ((e = (x)))                                                                     \
			goto fail;                                                                 \
	} while (0)

/* APP_ERR_NOMEM unless ok (every allocation it stands for succeeded). */
static enum app_err nomem_if(bool ok)
{
	return ok ? APP_OK : APP_ERR_NOMEM;
}

/* The JSON value of column col (pre-encoded JSON text). */
static void raw_col(struct jw *w, const char *key, const PGresult *r, int row, int col)
{
	jw_key(w, key);
	jw_raw(w, PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col));
}

/* s as a JSON string literal in the arena. */
static const char *jstr(struct request *req, const char *s)
{
	struct buf b;
	char *out;

	buf_init(&b, 8192);
	buf_json_str(&b, s, strlen(s));
	out = buf_ok(&b) ? arena_strdup(req->arena, b.data) : NULL;
	buf_release(&b);
	return out;
}

/* A keyset page of stmt over the library of the path (needing `level`
 * access), whose parameters are the library id, with `viewer` the
 * caller's user id, the cursor's key and id (key_params 1: the id only,
 * 2: both), limit and offset. */
static enum app_err library_page(struct request *req, struct response *res, const char *level,
                                 bool viewer, const struct db_stmt *list,
                                 const struct db_stmt *count, int key_params,
                                 void (*item)(struct jw *, const PGresult *, int, const void *),
                                 int key_col, int id_col, struct field_error *fe)
{
	const struct page_list l = {.list = list, .count = count, .item = item,
	                            .key_col = key_col, .id_col = id_col, .id_only = key_params == 1};
	struct page p;
	const char *params[6] = {path_id(req)};
	int k = 1;
	int64_t after;
	enum app_err e;

	if ((e = library_access_fe(req, params[0], level, "id", fe)) ||
	    (e = page_parse(req, &p, fe)))
		return e;
	if (viewer)
		params[k++] = req->who->user_id;
	if (key_params == 1 && p.after && parse_int64(p.id, 1, INT64_MAX, &after) < 0)
		return field_fail(fe, APP_ERR_VALIDATION, "cursor", "is not a cursor this list issued");
	return page_run(req, res, &p, &l, params, k, fe);
}

/* --- scans ---------------------------------------------------------------- */

static void scan_fields_json(struct jw *w, const PGresult *r, int row)
{
	db_json_int(w, "id", r, row, SC_ID);
	jw_kstr(w, "library_id", PQgetvalue(r, row, SC_LIBRARY));
	jw_kstr(w, "scan_type", PQgetvalue(r, row, SC_TYPE));
	jw_kstr(w, "status", PQgetvalue(r, row, SC_STATUS));
	db_json_int(w, "job_id", r, row, SC_JOB);
	db_json_str(w, "requested_by", r, row, SC_BY);
	jw_key(w, "files");
	jw_obj_open(w);
	db_json_int(w, "seen", r, row, SC_SEEN);
	db_json_int(w, "added", r, row, SC_ADDED);
	db_json_int(w, "changed", r, row, SC_CHANGED);
	db_json_int(w, "unchanged", r, row, SC_UNCHANGED);
	db_json_int(w, "missing", r, row, SC_MISSING);
	db_json_int(w, "removed", r, row, SC_REMOVED);
	jw_obj_close(w);
	db_json_int(w, "error_count", r, row, SC_ERRORS);
	db_json_int(w, "dirs_walked", r, row, SC_DIRS);
	db_json_str(w, "message", r, row, SC_MESSAGE);
	jw_kstr(w, "created_at", PQgetvalue(r, row, SC_CREATED));
	db_json_str(w, "started_at", r, row, SC_STARTED);
	db_json_str(w, "finished_at", r, row, SC_FINISHED);
	db_json_int(w, "duration_ms", r, row, SC_DURATION);
}

static void scan_item(struct jw *w, const PGresult *r, int row, const void *ctx)
{
	(void)ctx;
	jw_obj_open(w);
	scan_fields_json(w, r, row);
	jw_obj_close(w);
}

enum app_err libraries_scan(struct request *req, struct response *res, struct field_error *fe)
{
	const char *id = path_id(req), *type = req_body_str(req, "scan_type"), *values;
	struct db *db = req->app->db;
	PGresult *r;
	int64_t job_id = 0;
	bool dup = false;
	struct jw w;
	enum app_err e;

	if (!type)
		type = "incremental";
	if ((e = library_access_fe(req, id, "view", "id", fe)))
		return e;
	const char *lp[] = {id};
	if ((e = db_begin(db)))
		return e;
	/* the row lock serialises scan requests of one library */
	TRY(db_query(db, req->arena, &q_lib_for_scan, lp, &r));
	if (PQntuples(r) != 1) {
		e = field_fail(fe, APP_ERR_NOT_FOUND, "id", "is not a library");
		goto fail;
	}
	if (PQgetvalue(r, 0, 0)[0] != 't') {
		e = field_fail(fe, APP_ERR_CONFLICT, "enabled",
		               "is false: a disabled library is not scanned");
		goto fail;
	}
	TRY(db_query(db, req->arena, &q_scan_active, lp, &r));
	if (PQntuples(r)) {
		e = field_fail(fe, APP_ERR_CONFLICT, "scan", "%s is %s for this library",
		               PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
		goto fail;
	}
	const char *ip[] = {id, type, req->who->user_id};
	e = db_query(db, req->arena, &q_scan_insert, ip, &r);
	if (e == APP_ERR_CONFLICT) /* the partial unique index: one scan in flight */
		e = field_fail(fe, e, "scan", "is already queued or running for this library");
	if (e)
		goto fail;
	int64_t scan_num;
	TRY(db_get_int64(r, 0, 0, &scan_num));
	const char *scan_id = arena_strdup(req->arena, PQgetvalue(r, 0, 0));
	const char *jtype = jstr(req, type);
	TRY(nomem_if(scan_id && jtype));
	struct job_spec spec = {
	    .kind = "library.scan",
	    .args =
	        arena_printf(req->arena, "{\"library_id\":\"%s\",\"scan_id\":%s,\"scan_type\":%s}",
	                     id, scan_id, jtype),
	    .priority = JOB_DEFAULT,
	    .unique_key = arena_printf(req->arena, "library.scan:%s", id),
	    .request_id = req->request_id,
	};
	TRY(nomem_if(spec.args && spec.unique_key));
	TRY(job_enqueue(db, req->arena, &spec, &job_id, &dup));
	if (dup) {
		/* a job of an earlier scan has not finished yet (the scan row did) */
		e = field_fail(fe, APP_ERR_CONFLICT, "scan",
		               "job %lld of an earlier scan of this library is still pending",
		               (long long)job_id);
		goto fail;
	}
	char job_text[24];
	snprintf(job_text, sizeof(job_text), "%lld", (long long)job_id);
	const char *jp[] = {scan_id, job_text};
	TRY(db_query(db, req->arena, &q_scan_job, jp, NULL));
	values = arena_printf(req->arena, "{\"scan_id\":%s,\"job_id\":%s,\"scan_type\":%s}",
	                      scan_id, job_text, jtype);
	TRY(nomem_if(values != NULL));
	struct audit_entry a = {NULL, "library.scan", "library", id, true, NULL, NULL, values};
	TRY(audit_write(req, &a));
	TRY(db_commit(db));
	res->status = 202;
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	jw_kint(&w, "scan_id", scan_num);
	jw_kint(&w, "job_id", job_id);
	jw_kstr(&w, "status", "queued");
	jw_obj_close(&w);
	return APP_OK;
fail:
	db_rollback(db);
	return e;
}

enum app_err libraries_scans_list(struct request *req, struct response *res, struct field_error *fe)
{
	return library_page(req, res, "view", false, &q_scans_page, &q_scans_count, 1, scan_item, SC_ID,
	                    SC_ID, fe);
}

enum app_err libraries_scans_get(struct request *req, struct response *res, struct field_error *fe)
{
	const char *params[] = {path_id(req), req_path(req, "scan_id")->str, req->who->user_id};
	PGresult *r;
	struct jw w;
	enum app_err e;

	if ((e = library_access_fe(req, params[0], "view", "id", fe)) ||
	    (e = db_query(req->app->db, req->arena, &q_scan_get, params, &r)))
		return e;
	if (PQntuples(r) != 1)
		return field_fail(fe, APP_ERR_NOT_FOUND, "scan_id",
		                  "is not a scan of this library");
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	scan_fields_json(&w, r, 0);
	raw_col(&w, "errors", r, 0, SC_VISIBLE_ERRORS);
	db_json_int(&w, "elapsed_ms", r, 0, SC_ELAPSED);
	jw_obj_close(&w);
	return APP_OK;
}

/* --- grants --------------------------------------------------------------- */

static void grant_item(struct jw *w, const PGresult *r, int row, const void *ctx)
{
	(void)ctx;
	jw_obj_open(w);
	jw_kstr(w, "user_id", PQgetvalue(r, row, 0));
	jw_kstr(w, "username", PQgetvalue(r, row, 1));
	jw_kstr(w, "level", PQgetvalue(r, row, 2));
	db_json_str(w, "granted_by", r, row, 3);
	jw_kstr(w, "granted_at", PQgetvalue(r, row, 4));
	jw_obj_close(w);
}

enum app_err libraries_grants_list(struct request *req, struct response *res,
                                   struct field_error *fe)
{
	/* seeing who may see a library is managing it */
	return library_page(req, res, "manage", false, &q_grants_page, &q_grants_count, 2, grant_item, 1,
	                    0, fe);
}

static const char *grant_values(struct request *req, const char *user_id, const char *level)
{
	return arena_printf(req->arena, "{\"user_id\":\"%s\",\"level\":\"%s\"}", user_id, level);
}

enum app_err libraries_grants_put(struct request *req, struct response *res, struct field_error *fe)
{
	const char *id = path_id(req), *user_id = req_body_str(req, "user_id"),
	           *level = req_body_str(req, "level"), *old = NULL;
	struct db *db = req->app->db;
	PGresult *r;
	struct jw w;
	enum app_err e;

	if ((e = library_access_fe(req, id, "manage", "id", fe)))
		return e;
	const char *lp[] = {id}, *up[] = {user_id}, *gp[] = {id, user_id};
	const char *ins[] = {id, user_id, level, req->who->user_id};
	if ((e = db_begin(db)))
		return e;
	TRY(db_query(db, req->arena, &q_lib_share, lp, &r));
	if (PQntuples(r) != 1) {
		e = field_fail(fe, APP_ERR_NOT_FOUND, "id", "is not a library");
		goto fail;
	}
	TRY(db_query(db, req->arena, &q_user_live, up, &r));
	if (PQntuples(r) != 1) {
		e = field_fail(fe, APP_ERR_NOT_FOUND, "user_id", "is not an account");
		goto fail;
	}
	TRY(db_query(db, req->arena, &q_grant_old, gp, &r));
	if (PQntuples(r))
		TRY(nomem_if((old = grant_values(req, user_id, PQgetvalue(r, 0, 0))) != NULL));
	const char *values = grant_values(req, user_id, level);
	TRY(nomem_if(values != NULL));
	struct audit_entry a = {NULL, "library.grant", "library", id, true, NULL, old, values};
	TRY(db_query(db, req->arena, &q_grant_upsert, ins, NULL));
	TRY(audit_write(req, &a));
	TRY(db_query(db, req->arena, &q_grant_get, gp, &r));
	TRY(db_commit(db));
	/* nothing to invalidate: library access is read from the database on
	 * every request, never cached with the permission sets */
	res->status = old ? 200 : 201;
	jw_init(&w, &res->body);
	grant_item(&w, r, 0, NULL);
	return APP_OK;
fail:
	db_rollback(db);
	return e;
}

enum app_err libraries_grants_delete(struct request *req, struct response *res,
                                     struct field_error *fe)
{
	const char *id = path_id(req), *user_id = req_path(req, "user_id")->str;
	const char *gp[] = {id, user_id};
	struct db *db = req->app->db;
	PGresult *r;
	enum app_err e;

	if ((e = library_access_fe(req, id, "manage", "id", fe)))
		return e;
	if ((e = db_begin(db)))
		return e;
	TRY(db_query(db, req->arena, &q_grant_delete, gp, &r));
	if (PQntuples(r) != 1) {
		e = field_fail(fe, APP_ERR_NOT_FOUND, "user_id", "has no grant on this library");
		goto fail;
	}
	const char *old = grant_values(req, user_id, PQgetvalue(r, 0, 0));
	TRY(nomem_if(old != NULL));
	struct audit_entry a = {NULL, "library.revoke", "library", id, true, NULL, old, NULL};
	TRY(audit_write(req, &a));
	TRY(db_commit(db));
	res->status = 204;
	return APP_OK;
fail:
	db_rollback(db);
	return e;
}

/* --- unmatched files and manual matches ------------------------------------ */

static void unmatched_item(struct jw *w, const PGresult *r, int row, const void *ctx)
{
	(void)ctx;
	jw_obj_open(w);
	jw_kstr(w, "id", PQgetvalue(r, row, 0));
	jw_kstr(w, "path", PQgetvalue(r, row, 1));
	raw_col(w, "parsed", r, row, 2);
	jw_kstr(w, "match_status", PQgetvalue(r, row, 3));
	if (PQgetisnull(r, row, 4))
		jw_knull(w, "match_confidence");
	else
		jw_kdouble(w, "match_confidence", strtod(PQgetvalue(r, row, 4), NULL));
	raw_col(w, "match_candidates", r, row, 5);
	jw_obj_close(w);
}

enum app_err libraries_unmatched(struct request *req, struct response *res, struct field_error *fe)
{
	return library_page(req, res, "view", true, &q_unmatched_page, &q_unmatched_count, 2,
	                    unmatched_item, 6, 0, fe);
}

enum app_err files_match(struct request *req, struct response *res, struct field_error *fe)
{
	const char *id = path_id(req), *old, *values;
	const char *fp[] = {id};
	struct db *db = req->app->db;
	int64_t tmdb_id = 0, job_id = 0;
	PGresult *r;
	struct jw w;
	enum app_err e;

	req_body_int(req, "tmdb_id", &tmdb_id);
	if ((e = db_begin(db)))
		return e;
	TRY(db_query(db, req->arena, &q_file_lock, fp, &r));
	if (PQntuples(r) != 1) {
		e = field_fail(fe, APP_ERR_NOT_FOUND, "id", "is not a file");
		goto fail;
	}
	e = library_access(req, PQgetvalue(r, 0, 0), "manage");
	if (e == APP_ERR_NOT_FOUND) /* a file of an invisible library does not exist */
		e = field_fail(fe, e, "id", "is not a file");
	else if (e == APP_ERR_FORBIDDEN)
		e = field_fail(fe, e, "id", "is in a library you may not manage");
	if (e)
		goto fail;
	old = arena_printf(req->arena, "{\"match_status\":\"%s\"}", PQgetvalue(r, 0, 1));
	values = arena_printf(req->arena, "{\"match_status\":\"manual\",\"tmdb_id\":%lld}",
	                      (long long)tmdb_id);
	struct job_spec spec = {
	    .kind = "library.match",
	    .args =
	        arena_printf(req->arena, "{\"file_id\":\"%s\",\"tmdb_id\":%lld,\"manual\":true}",
	                     id, (long long)tmdb_id),
	    .priority = JOB_HIGH,
	    .request_id = req->request_id,
	};
	TRY(nomem_if(old && values && spec.args));
	struct audit_entry a = {NULL,  "library.file.match", "media_file", id, true, NULL, old,
	                        values};
	TRY(db_query(db, req->arena, &q_file_manual, fp, NULL));
	TRY(job_enqueue(db, req->arena, &spec, &job_id, NULL));
	TRY(audit_write(req, &a));
	TRY(db_commit(db));
	res->status = 202;
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	jw_kint(&w, "job_id", job_id);
	jw_obj_close(&w);
	return APP_OK;
fail:
	db_rollback(db);
	return e;
}
