#include "auth/sessions_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "auth/auth.h"
#include "auth/session.h"
#include "db/sql.h"
#include "http/page.h"

/* clang-format off */
#define SESSION_COLUMNS                                                                            \
	"s.id, s.device_name, host(s.ip), s.user_agent, "                                          \
	SQL_TS("s.created_at") ", " SQL_TS("s.last_active_at") ", " SQL_TS("s.expires_at") ", "    \
	SQL_TS_US("s.created_at")
/* clang-format on */
#define SESSION_KEY_COL 7

#define LIVE " s.revoked_at IS NULL AND s.expires_at > now()"

static const struct db_stmt q_list = {
    "sessions_api_list",
    "SELECT " SESSION_COLUMNS " FROM sessions s WHERE s.user_id = $1 AND" LIVE
    " AND ($2::timestamptz IS NULL OR (s.created_at, s.id) < ($2::timestamptz, $3::uuid))"
    " ORDER BY s.created_at DESC, s.id DESC LIMIT $4::bigint OFFSET $5::bigint",
    5, true};
static const struct db_stmt q_count = {
    "sessions_api_count", "SELECT count(*) FROM sessions s WHERE s.user_id = $1 AND" LIVE, 1, true};
static const struct db_stmt q_one = {"sessions_api_one",
                                     "SELECT " SESSION_COLUMNS
                                     " FROM sessions s WHERE s.id = $1 AND s.user_id = $2 AND" LIVE,
                                     2, true};

const struct param_spec sessions_list_query[] = {
    PAGE_PARAMS,
    {0},
};

static void session_json(struct jw *w, const PGresult *r, int row, const char *current_id)
{
	jw_obj_open(w);
	jw_kstr(w, "id", PQgetvalue(r, row, 0));
	db_json_str(w, "device_name", r, row, 1);
	db_json_str(w, "ip", r, row, 2);
	db_json_str(w, "user_agent", r, row, 3);
	jw_kstr(w, "created_at", PQgetvalue(r, row, 4));
	jw_kstr(w, "last_active_at", PQgetvalue(r, row, 5));
	jw_kstr(w, "expires_at", PQgetvalue(r, row, 6));
	jw_kbool(w, "current", !strcmp(PQgetvalue(r, row, 0), current_id));
	jw_obj_close(w);
}

static void session_item(struct jw *w, const PGresult *r, int row, const void *current_id)
{
	session_json(w, r, row, current_id);
}

enum app_err sessions_list(struct request *req, struct response *res, struct field_error *fe)
{
	const struct page_list l = {.list = &q_list, .count = &q_count, .item = session_item,
	                            .ctx = req->who->session_id, .key_col = SESSION_KEY_COL,
	                            .id_col = 0};
	struct page p;
	enum app_err e;

	if ((e = page_parse(req, &p, fe)))
		return e;
	const char *params[] = {req->who->user_id, NULL, NULL, NULL, NULL};
	return page_run(req, res, &p, &l, params, 1, fe);
}

enum app_err sessions_revoke_all(struct request *req, struct response *res, struct field_error *fe)
{
	struct db *db = req->app->db;
	char counted[48];
	int n = 0;
	enum app_err e;

	(void)fe;
	if ((e = db_begin(db)))
		return e;
	if ((e = session_revoke_all(req, req->who->user_id, NULL, "revoked by user", &n)))
		goto rollback;
	snprintf(counted, sizeof(counted), "{\"revoked\":%d}", n);
	struct audit_entry a = {
	    NULL, "session.revoke_all", "user", req->who->user_id, true, NULL, NULL, counted};
	if ((e = audit_write(req, &a)))
		goto rollback;
	if ((e = db_commit(db)))
		return e;
	if (req->who->via == AUTH_COOKIE)
		session_clear_cookies(req, res);
	res->status = 204;
	return APP_OK;
rollback:
	db_rollback(db);
	return e;
}

static enum app_err need_session(const struct request *req, struct field_error *fe)
{
	if (req->who->via == AUTH_APIKEY || !req->who->session_id[0])
		return field_fail(fe, APP_ERR_NOT_FOUND, "",
		                  "this request is authenticated with an API key, which has no "
		                  "session");
	return APP_OK;
}

enum app_err sessions_current(struct request *req, struct response *res, struct field_error *fe)
{
	const char *params[] = {req->who->session_id, req->who->user_id};
	PGresult *r;
	struct jw w;
	enum app_err e;

	if ((e = need_session(req, fe)) ||
	    (e = db_query(req->app->db, req->arena, &q_one, params, &r)))
		return e;
	/* revoked between authentication and now */
	if (PQntuples(r) != 1)
		return field_fail(fe, APP_ERR_NOT_FOUND, "", "no such session");
	jw_init(&w, &res->body);
	session_json(&w, r, 0, req->who->session_id);
	return APP_OK;
}

/* Revoke session id of the caller with its audit row, in one transaction. */
static enum app_err revoke_one(struct request *req, const char *id, const char *reason,
                               const char *action, struct field_error *fe)
{
	struct db *db = req->app->db;
	struct audit_entry a = {NULL, action, "session", id, true, NULL, NULL, NULL};
	enum app_err e;

	if ((e = db_begin(db)))
		return e;
	if ((e = session_revoke(req, req->who->user_id, id, reason))) {
		db_rollback(db);
		return e == APP_ERR_NOT_FOUND ? field_fail(fe, e, "", "no such session") : e;
	}
	if ((e = audit_write(req, &a))) {
		db_rollback(db);
		return e;
	}
	return db_commit(db);
}

enum app_err sessions_revoke_current(struct request *req, struct response *res,
                                     struct field_error *fe)
{
	enum app_err e;

	if ((e = need_session(req, fe)) ||
	    (e = revoke_one(req, req->who->session_id, "logout", "user.logout", fe)))
		return e;
	session_clear_cookies(req, res);
	res->status = 204;
	return APP_OK;
}

enum app_err sessions_revoke(struct request *req, struct response *res, struct field_error *fe)
{
	const char *id = req_path(req, "id")->str;
	enum app_err e;

	if ((e = revoke_one(req, id, "revoked by user", "session.revoke", fe)))
		return e;
	if (req->who->via == AUTH_COOKIE && !strcmp(id, req->who->session_id))
		session_clear_cookies(req, res);
	res->status = 204;
	return APP_OK;
}
