#include "users/parental.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "auth/auth.h"
#include "db/sql.h"
#include "users/preferences.h"

#define LIMITS_COLUMNS                                                                             \
	"p.user_id, p.max_age_rating, p.rating_country, p.allow_unrated, "                         \
	"p.parental_locked, " SQL_TS("p.updated_at")
enum { PC_USER, PC_AGE, PC_COUNTRY, PC_UNRATED, PC_LOCKED, PC_UPDATED };

/* the row of a live account, made with its defaults when missing */
static const struct db_stmt q_ensure = {
    "parental_ensure",
    "INSERT INTO user_preferences (user_id) SELECT id FROM users WHERE id = $1"
    " AND deleted_at IS NULL ON CONFLICT (user_id) DO NOTHING",
    1, false};
static const struct db_stmt q_get = {"parental_get",
                                     "SELECT " LIMITS_COLUMNS
                                     " FROM user_preferences p JOIN users u ON u.id = p.user_id"
                                     " WHERE p.user_id = $1 AND u.deleted_at IS NULL",
                                     1, false};
static const struct db_stmt q_get_locked = {
    "parental_get_locked",
    "SELECT " LIMITS_COLUMNS " FROM user_preferences p JOIN users u ON u.id = p.user_id"
    " WHERE p.user_id = $1 AND u.deleted_at IS NULL FOR UPDATE OF p",
    1, false};
/* NULL leaves a column as it is; $2 says whether max_age_rating is given */
static const struct db_stmt q_set = {
    "parental_set",
    "UPDATE user_preferences p SET"
    " max_age_rating = CASE WHEN $2::boolean THEN $3::integer ELSE max_age_rating END,"
    " rating_country = coalesce($4::text, rating_country),"
    " allow_unrated = coalesce($5::boolean, allow_unrated),"
    " parental_locked = coalesce($6::boolean, parental_locked)"
    " WHERE p.user_id = $1 RETURNING " LIMITS_COLUMNS,
    6, false};
static const struct db_stmt q_self = {
    "parental_self",
    "SELECT max_age_rating, rating_country, allow_unrated, parental_locked"
    " FROM user_preferences WHERE user_id = $1 FOR UPDATE",
    1, false};

const struct body_field users_parental_body[] = {
    {.name = "max_age_rating",
     .type = BT_INT,
     .null = BN_ALLOW,
     .min = 0,
     .max = 21,
     .doc = "null: no limit."},
    {.name = "rating_country",
     .type = BT_STRING,
     .null = BN_REFUSE,
     .min = 0,
     .max = 64,
     .check = users_check_country,
     .doc = "ISO 3166-1 alpha-2, such as US."},
    {.name = "allow_unrated", .type = BT_BOOL, .null = BN_REFUSE},
    {.name = "locked",
     .type = BT_BOOL,
     .null = BN_REFUSE,
     .doc = "true: the account cannot change these three limits itself."},
    {0},
};

static void limits_json(struct jw *w, const PGresult *r)
{
	jw_obj_open(w);
	jw_kstr(w, "user_id", PQgetvalue(r, 0, PC_USER));
	jw_key(w, "max_age_rating");
	if (PQgetisnull(r, 0, PC_AGE))
		jw_null(w);
	else
		jw_raw(w, PQgetvalue(r, 0, PC_AGE), (size_t)PQgetlength(r, 0, PC_AGE));
	jw_kstr(w, "rating_country", PQgetvalue(r, 0, PC_COUNTRY));
	jw_kbool(w, "allow_unrated", PQgetvalue(r, 0, PC_UNRATED)[0] == 't');
	jw_kbool(w, "locked", PQgetvalue(r, 0, PC_LOCKED)[0] == 't');
	jw_kstr(w, "updated_at", PQgetvalue(r, 0, PC_UPDATED));
	jw_obj_close(w);
}

/* The limits as JSON text in the arena, for the audit row (NULL: out of
 * memory). */
static const char *limits_text(struct request *req, const PGresult *r)
{
	struct buf b;
	struct jw w;
	const char *out;

	buf_init(&b, 4096);
	jw_init(&w, &b);
	limits_json(&w, r);
	out = buf_ok(&b) ? arena_strdup(req->arena, b.data) : NULL;
	buf_release(&b);
	return out;
}

enum app_err users_parental_get(struct request *req, struct response *res, struct field_error *fe)
{
	const char *idp[] = {req_path(req, "id")->str};
	PGresult *r;
	struct jw w;
	enum app_err e;

	if ((e = db_query(req->app->db, req->arena, &q_ensure, idp, NULL)) ||
	    (e = db_query(req->app->db, req->arena, &q_get, idp, &r)))
		return e;
	if (PQntuples(r) != 1)
		return field_fail(fe, APP_ERR_NOT_FOUND, "id", "is not an account");
	jw_init(&w, &res->body);
	limits_json(&w, r);
	return APP_OK;
}

/* A boolean member as SQL text, NULL when absent. */
static const char *bool_text(const struct request *req, const char *key)
{
	bool v;

	return req_body_bool(req, key, &v) ? (v ? "true" : "false") : NULL;
}

enum app_err users_parental_put(struct request *req, struct response *res, struct field_error *fe)
{
	struct db *db = req->app->db;
	const char *id = req_path(req, "id")->str, *old, *values;
	const char *idp[] = {id};
	char age_buf[24];
	int64_t age;
	PGresult *before, *after;
	struct jw w;
	enum app_err e;

	age_buf[0] = '\0';
	if (req_body_int(req, "max_age_rating", &age))
		snprintf(age_buf, sizeof(age_buf), "%lld", (long long)age);
	const char *sp[] = {id,
	                    req_body(req, "max_age_rating") ? "true" : "false",
	                    age_buf[0] ? age_buf : NULL,
	                    req_body_str(req, "rating_country"),
	                    bool_text(req, "allow_unrated"),
	                    bool_text(req, "locked")};
	if ((e = db_begin(db)))
		return e;
	if ((e = db_query(db, req->arena, &q_ensure, idp, NULL)) ||
	    (e = db_query(db, req->arena, &q_get_locked, idp, &before)))
		goto fail;
	if (PQntuples(before) != 1) {
		e = field_fail(fe, APP_ERR_NOT_FOUND, "id", "is not an account");
		goto fail;
	}
	if ((e = db_query(db, req->arena, &q_set, sp, &after)))
		goto fail;
	if (!(old = limits_text(req, before)) || !(values = limits_text(req, after))) {
		e = APP_ERR_NOMEM;
		goto fail;
	}
	struct audit_entry a = {NULL, "admin.user.parental", "user", id, true, NULL, old, values};
	if ((e = audit_write(req, &a)) || (e = db_commit(db)))
		goto fail;
	jw_init(&w, &res->body);
	limits_json(&w, after);
	return APP_OK;
fail:
	db_rollback(db);
	return e;
}

enum app_err users_parental_check_self(struct request *req, struct field_error *fe)
{
	const char *idp[] = {req->who->user_id}, *country = req_body_str(req, "rating_country");
	PGresult *r;
	int64_t age;
	bool unrated;
	enum app_err e;

	if ((e = db_query(req->app->db, req->arena, &q_self, idp, &r)))
		return e;
	if (PQntuples(r) != 1 || PQgetvalue(r, 0, 3)[0] != 't')
		return APP_OK;
	/* the same value again is no change: a client may send every preference */
	if (req_body(req, "max_age_rating")) {
		bool was_null = PQgetisnull(r, 0, 0);
		bool same = req_body_int(req, "max_age_rating", &age)
		                ? !was_null && strtoll(PQgetvalue(r, 0, 0), NULL, 10) == age
		                : was_null;
		if (!same)
			return field_fail(fe, APP_ERR_FORBIDDEN, "max_age_rating",
			                  "is locked by an administrator");
	}
	if (country && strcmp(country, PQgetvalue(r, 0, 1)))
		return field_fail(fe, APP_ERR_FORBIDDEN, "rating_country",
		                  "is locked by an administrator");
	if (req_body_bool(req, "allow_unrated", &unrated) &&
	    unrated != (PQgetvalue(r, 0, 2)[0] == 't'))
		return field_fail(fe, APP_ERR_FORBIDDEN, "allow_unrated",
		                  "is locked by an administrator");
	return APP_OK;
}
