#include "users/preferences.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "auth/auth.h"
#include "db/sql.h"
#include "users/change.h"

#define PREFS_COLUMNS                                                                              \
	"theme, display_language, metadata_language, array_to_json(content_languages)::text,"      \
	" show_adult, show_spoilers, autoplay, max_age_rating, rating_country, "                   \
	"allow_unrated, " SQL_TS("updated_at")

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

static const char *const prefs_fields[] = {"theme",
                                           "display_language",
                                           "metadata_language",
                                           "content_languages",
                                           "show_adult",
                                           "show_spoilers",
                                           "autoplay",
                                           "max_age_rating",
                                           "rating_country",
                                           "allow_unrated",
                                           NULL};

static const char *const themes[] = {"system", "light", "dark", NULL};

static bool lang_code(const char *s)
{
	return strlen(s) == 2 && s[0] >= 'a' && s[0] <= 'z' && s[1] >= 'a' && s[1] <= 'z';
}

/* An optional language code. cleared: the member is null and may be (the
 * caller clears the column; *out stays NULL); otherwise null is refused. */
static enum app_err opt_lang(const cJSON *body, const char *key, const char **out, bool cleared,
                             struct field_error *fe)
{
	enum app_err e;

	if (cleared)
		return APP_OK;
	if ((e = user_refuse_null(body, key, fe)) ||
	    (e = json_get_str(body, key, false, 0, 64, out, fe)))
		return e;
	if (*out && !lang_code(*out))
		return field_fail(fe, APP_ERR_VALIDATION, key,
		                  "must be an ISO 639-1 code: two lower-case letters");
	return APP_OK;
}

/* content_languages as a PostgreSQL array literal; the items are checked to
 * be two letters each, so the literal needs no quoting. */
static enum app_err opt_languages(struct request *req, const cJSON *body, const char **out,
                                  struct field_error *fe)
{
	const cJSON *arr = NULL, *it;
	char field[40], *lit;
	size_t at = 0;
	int i = 0;
	enum app_err e;

	if ((e = user_refuse_null(body, "content_languages", fe)) ||
	    (e = json_get_array(body, "content_languages", false, 10, &arr, fe)) || !arr)
		return e;
	/* "{", then at most 10 codes of 2 letters each with a separator, "}" */
	if (!(lit = arena_alloc(req->arena, 2 + 3 * 10 + 1)))
		return APP_ERR_NOMEM;
	lit[at++] = '{';
	cJSON_ArrayForEach(it, arr)
	{
		snprintf(field, sizeof(field), "content_languages[%d]", i);
		if (!cJSON_IsString(it) || !lang_code(it->valuestring))
			return field_fail(fe, APP_ERR_VALIDATION, field,
			                  "must be an ISO 639-1 code: two lower-case letters");
		for (const cJSON *prev = arr->child; prev != it; prev = prev->next)
			if (!strcmp(prev->valuestring, it->valuestring))
				return field_fail(fe, APP_ERR_VALIDATION, field, "repeats %s",
				                  it->valuestring);
		if (i++)
			lit[at++] = ',';
		lit[at++] = it->valuestring[0];
		lit[at++] = it->valuestring[1];
	}
	lit[at++] = '}';
	lit[at] = '\0';
	*out = lit;
	return APP_OK;
}

/* A boolean preference as SQL text, NULL when absent. */
static enum app_err opt_bool(const cJSON *body, const char *key, const char **out,
                             struct field_error *fe)
{
	bool v;
	enum app_err e;

	*out = NULL;
	if ((e = user_refuse_null(body, key, fe)) || !cJSON_GetObjectItemCaseSensitive(body, key))
		return e;
	if ((e = json_get_bool(body, key, true, &v, fe)))
		return e;
	*out = v ? "true" : "false";
	return APP_OK;
}

enum app_err users_update_preferences(struct request *req, struct response *res,
                                      struct field_error *fe)
{
	const cJSON *body = req->json,
	            *age = cJSON_GetObjectItemCaseSensitive(body, "max_age_rating");
	const char *theme = NULL, *dl = NULL, *ml = NULL, *langs = NULL, *adult, *spoilers,
	           *autoplay, *unrated, *country = NULL, *age_txt = NULL;
	char age_buf[8];
	int64_t age_v;
	PGresult *r;
	struct jw w;
	enum app_err e;

	if ((e = json_reject_unknown(body, prefs_fields, fe)) ||
	    (e = user_refuse_null(body, "theme", fe)) ||
	    (e = json_get_str(body, "theme", false, 0, 64, &theme, fe)))
		return e;
	if (theme) {
		int i = 0;
		while (themes[i] && strcmp(themes[i], theme))
			i++;
		if (!themes[i])
			return field_fail(fe, APP_ERR_VALIDATION, "theme",
			                  "must be one of system, light, dark");
	}
	bool ml_null = cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(body, "metadata_language"));
	if ((e = opt_lang(body, "display_language", &dl, false, fe)) ||
	    (e = opt_lang(body, "metadata_language", &ml, ml_null, fe)) ||
	    (e = opt_languages(req, body, &langs, fe)) ||
	    (e = opt_bool(body, "show_adult", &adult, fe)) ||
	    (e = opt_bool(body, "show_spoilers", &spoilers, fe)) ||
	    (e = opt_bool(body, "autoplay", &autoplay, fe)) ||
	    (e = opt_bool(body, "allow_unrated", &unrated, fe)) ||
	    (e = user_refuse_null(body, "rating_country", fe)) ||
	    (e = json_get_str(body, "rating_country", false, 0, 64, &country, fe)))
		return e;
	if (country && (strlen(country) != 2 || country[0] < 'A' || country[0] > 'Z' ||
	                country[1] < 'A' || country[1] > 'Z'))
		return field_fail(fe, APP_ERR_VALIDATION, "rating_country",
		                  "must be an ISO 3166-1 code: two upper-case letters");
	if (age && !cJSON_IsNull(age)) {
		if ((e = json_get_int(body, "max_age_rating", true, 0, 21, &age_v, fe)))
			return e;
		snprintf(age_buf, sizeof(age_buf), "%d", (int)age_v);
		age_txt = age_buf;
	}

	const char *idp[] = {req->who->user_id};
	const char *up[] = {
	    req->who->user_id,      theme,   dl,      ml,     langs, adult, spoilers, autoplay,
	    age ? "true" : "false", age_txt, country, unrated, ml_null ? "true" : "false"};
	if ((e = db_begin(req->app->db)))
		return e;
	if ((e = db_query(req->app->db, req->arena, &q_prefs_ensure, idp, NULL)) ||
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
