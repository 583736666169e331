#include "users/preferences.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "auth/auth.h"
#include "db/sql.h"
#include "users/parental.h"

#define PREFS_COLUMNS                                                                              \
	"theme, display_language, metadata_language, array_to_json(content_languages)::text,"      \
	" show_adult, show_spoilers, autoplay, max_age_rating, rating_country, "                   \
	"allow_unrated, " SQL_TS("updated_at") ", parental_locked"

static const struct db_stmt q_prefs_get = {
    "users_prefs_get", "SELECT " PREFS_COLUMNS " FROM user_preferences WHERE user_id = $1", 1,
    true};
static const struct db_stmt q_prefs_ensure = {
    "users_prefs_ensure",
    "INSERT INTO user_preferences (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING", 1,
    false};
/* NULL parameters leave a column as it is; max_age_rating may be set to
 * null, so it has its own flag */
static const struct db_stmt q_prefs_update = {
    "users_prefs_update",
    "UPDATE user_preferences SET theme = coalesce($2::text, theme),"
    " display_language = coalesce($3::text, display_language),"
    " metadata_language = CASE WHEN $13::boolean THEN NULL"
    "  ELSE coalesce($4::text, metadata_language) END,"
    " content_languages = coalesce($5::text[], content_languages),"
    " show_adult = coalesce($6::boolean, show_adult),"
    " show_spoilers = coalesce($7::boolean, show_spoilers),"
    " autoplay = coalesce($8::boolean, autoplay),"
    " max_age_rating = CASE WHEN $9::boolean THEN $10::integer ELSE max_age_rating END,"
    " rating_country = coalesce($11::text, rating_country),"
    " allow_unrated = coalesce($12::boolean, allow_unrated)"
    " WHERE user_id = $1 RETURNING " PREFS_COLUMNS,
    13, false};

static void prefs_json(struct jw *w, const PGresult *r)
{
	jw_obj_open(w);
	jw_kstr(w, "theme", PQgetvalue(r, 0, 0));
	jw_kstr(w, "display_language", PQgetvalue(r, 0, 1));
	/* null: follow the client's Accept-Language, then English */
	db_json_str(w, "metadata_language", r, 0, 2);
	jw_key(w, "content_languages");
	jw_raw(w, PQgetvalue(r, 0, 3), (size_t)PQgetlength(r, 0, 3));
	jw_kbool(w, "show_adult", PQgetvalue(r, 0, 4)[0] == 't');
	jw_kbool(w, "show_spoilers", PQgetvalue(r, 0, 5)[0] == 't');
	jw_kbool(w, "autoplay", PQgetvalue(r, 0, 6)[0] == 't');
	jw_key(w, "max_age_rating");
	if (PQgetisnull(r, 0, 7))
		jw_null(w);
	else
		jw_raw(w, PQgetvalue(r, 0, 7), (size_t)PQgetlength(r, 0, 7));
	jw_kstr(w, "rating_country", PQgetvalue(r, 0, 8));
	jw_kbool(w, "allow_unrated", PQgetvalue(r, 0, 9)[0] == 't');
	/* an administrator locked the three above: the user sees, not edits */
	jw_kbool(w, "parental_locked", PQgetvalue(r, 0, 11)[0] == 't');
	jw_kstr(w, "updated_at", PQgetvalue(r, 0, 10));
	jw_obj_close(w);
}

enum app_err users_get_preferences(struct request *req, struct response *res,
                                   struct field_error *fe)
{
	const char *idp[] = {req->who->user_id};
	PGresult *r;
	struct jw w;
	enum app_err e;

	(void)fe;
	if ((e = db_query(req->app->db, req->arena, &q_prefs_get, idp, &r)))
		return e;
	/* accounts made before preferences existed get their row on first read */
	if (PQntuples(r) == 0 &&
	    ((e = db_query(req->app->db, req->arena, &q_prefs_ensure, idp, NULL)) ||
	     (e = db_query(req->app->db, req->arena, &q_prefs_get, idp, &r))))
		return e;
	if (PQntuples(r) != 1)
		return APP_ERR_INTERNAL;
	jw_init(&w, &res->body);
	prefs_json(&w, r);
	return APP_OK;
}

static const char *const themes[] = {"system", "light", "dark", NULL};

enum app_err users_check_country(const char *s, const char *field, struct field_error *fe)
{
	if (strlen(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z')
		return field_fail(fe, APP_ERR_VALIDATION, field,
		                  "must be an ISO 3166-1 code: two upper-case letters");
	return APP_OK;
}

static const struct body_field lang_item = {.type = BT_LANG};

#define PREF_BOOL(n, d) {.name = (n), .type = BT_BOOL, .null = BN_REFUSE, .doc = (d)}
const struct body_field users_update_preferences_body[] = {
    {.name = "theme", .type = BT_ENUM, .null = BN_REFUSE, .choices = themes},
    {.name = "display_language", .type = BT_LANG, .null = BN_REFUSE},
    {.name = "metadata_language", .type = BT_LANG, .null = BN_ALLOW,
     .doc = "null: follow the client's Accept-Language, then English."},
    {.name = "content_languages", .type = BT_ARRAY, .null = BN_REFUSE, .max = 10,
     .unique = true, .items = &lang_item},
    PREF_BOOL("show_adult", NULL),
    PREF_BOOL("show_spoilers", NULL),
    PREF_BOOL("autoplay", NULL),
    {.name = "max_age_rating", .type = BT_INT, .null = BN_ALLOW, .min = 0, .max = 21,
     .doc = "null: no limit."},
    {.name = "rating_country", .type = BT_STRING, .null = BN_REFUSE, .min = 0, .max = 64,
     .check = users_check_country, .doc = "ISO 3166-1 alpha-2, such as US."},
    PREF_BOOL("allow_unrated", NULL),
    {0},
};

/* content_languages as a PostgreSQL array literal (NULL when not given); the
 * table let through ISO 639-1 codes only, so the literal needs no quoting. */
static const char *languages_literal(struct request *req)
{
	const cJSON *arr = req_body(req, "content_languages"), *it;
	char *lit;
	size_t at = 0;

	if (!cJSON_IsArray(arr))
		return NULL;
	/* "{", then at most 10 codes of 2 letters each with a separator, "}" */
	if (!(lit = arena_alloc(req->arena, 2 + 3 * 10 + 1)))
		return NULL;
	lit[at++] = '{';
	cJSON_ArrayForEach(it, arr)
	{
		if (at > 1)
			lit[at++] = ',';
		lit[at++] = it->valuestring[0];
		lit[at++] = it->valuestring[1];
	}
	lit[at++] = '}';
	lit[at] = '\0';
	return lit;
}

/* A boolean preference as SQL text, NULL when absent. */
static const char *opt_bool(const struct request *req, const char *key)
{
	bool v;

	return req_body_bool(req, key, &v) ? (v ? "true" : "false") : NULL;
}

enum app_err users_update_preferences(struct request *req, struct response *res,
                                      struct field_error *fe)
{
	const cJSON *age = req_body(req, "max_age_rating");
	const char *langs = languages_literal(req), *age_txt = NULL;
	bool ml_null = req_body_null(req, "metadata_language");
	char age_buf[24];
	int64_t age_v;
	PGresult *r;
	struct jw w;
	enum app_err e;

	if (!langs && req_body(req, "content_languages"))
		return APP_ERR_NOMEM;
	if (req_body_int(req, "max_age_rating", &age_v)) {
		snprintf(age_buf, sizeof(age_buf), "%lld", (long long)age_v);
		age_txt = age_buf;
	}

	const char *idp[] = {req->who->user_id};
	const char *up[] = {req->who->user_id,
	                    req_body_str(req, "theme"),
	                    req_body_str(req, "display_language"),
	                    req_body_str(req, "metadata_language"),
	                    langs,
	                    opt_bool(req, "show_adult"),
	                    opt_bool(req, "show_spoilers"),
	                    opt_bool(req, "autoplay"),
	                    age ? "true" : "false",
	                    age_txt,
	                    req_body_str(req, "rating_country"),
	                    opt_bool(req, "allow_unrated"),
	                    ml_null ? "true" : "false"};
	if ((e = db_begin(req->app->db)))
		return e;
	if ((e = db_query(req->app->db, req->arena, &q_prefs_ensure, idp, NULL)) ||
	    (e = users_parental_check_self(req, fe)) ||
	    (e = db_query(req->app->db, req->arena, &q_prefs_update, up, &r)) ||
	    (e = db_commit(req->app->db))) {
		db_rollback(req->app->db);
		return e;
	}
	if (PQntuples(r) != 1)
		return APP_ERR_INTERNAL;
	jw_init(&w, &res->body);
	prefs_json(&w, r);
	return APP_OK;
}
