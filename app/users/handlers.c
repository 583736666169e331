#include "users/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "auth/auth.h"
#include "auth/session.h"
#include "core/text.h"
#include "db/sql.h"
#include "http/page.h"
#include "users/user.h"

#define DISPLAY_NAME_MAX 100 /* characters */

/* --- field rules --------------------------------------------------------- */

static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static enum app_err check_display_name(const char *s, struct field_error *fe)
{
	size_t n = utf8_chars(s);

	if (n < 1 || n > DISPLAY_NAME_MAX)
		return field_fail(fe, APP_ERR_VALIDATION, "display_name",
		                  "must be 1 to %d characters (or null to clear it)",
		                  DISPLAY_NAME_MAX);
	if (has_control(s, strlen(s)))
		return field_fail(fe, APP_ERR_VALIDATION, "display_name",
		                  "must not contain control characters");
	return APP_OK;
}

/* BCP 47 in shape: a 2-8 letter language subtag, then subtags of 1-8
 * letters or digits joined by '-'. Registry membership is not checked:
 * clients fall back to "en" for tags they do not know. */
static enum app_err check_locale(const char *s, struct field_error *fe)
{
	size_t n = strlen(s), sub = 0;
	bool first = true;

	if (n < 2 || n > 35)
		goto bad;
	for (size_t i = 0; i <= n; i++) {
		char c = s[i];
		if (c == '-' || c == '\0') {
			if (sub < (first ? 2u : 1u) || sub > 8)
				goto bad;
			first = false;
			sub = 0;
			continue;
		}
		if (!is_alpha(c) && (first || !is_digit(c)))
			goto bad;
		sub++;
	}
	return APP_OK;
bad:
	return field_fail(fe, APP_ERR_VALIDATION, "locale",
	                  "must be a language tag such as en, pt-BR or zh-Hant-TW (2 to 35 bytes)");
}

static enum app_err check_timezone(const char *s, struct field_error *fe)
{
	size_t n = strlen(s);

	if (n < 1 || n > 64 || !is_alpha(s[0]))
		goto bad;
	for (size_t i = 0; i < n; i++)
		if (!is_alpha(s[i]) && !is_digit(s[i]) && !strchr("_+-/", s[i]))
			goto bad;
	return APP_OK;
bad:
	return field_fail(fe, APP_ERR_VALIDATION, "timezone",
	                  "must be a time zone name such as Europe/Berlin (letters, digits, "
	                  "_ + - /; 1 to 64 bytes)");
}

/* A member given as JSON null where null has no meaning. */
static enum app_err refuse_null(const cJSON *obj, const char *key, struct field_error *fe)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (it && cJSON_IsNull(it))
		return field_fail(fe, APP_ERR_VALIDATION, key, "must not be null");
	return APP_OK;
}

/* --- account changes (PUT /users/me, PATCH /admin/users/{id}) ------------ */

struct user_change {
	bool set_display;                      /* display_name was given */
	const char *display;                   /* NULL clears it */
	const char *email, *locale, *timezone; /* NULL: unchanged */
	int active;                            /* -1 unchanged, else 0/1 */
};

static enum app_err parse_change(const cJSON *body, const char *const *allowed,
                                 struct user_change *ch, struct field_error *fe)
{
	const cJSON *dn = cJSON_GetObjectItemCaseSensitive(body, "display_name");
	bool active;
	enum app_err e;

	memset(ch, 0, sizeof(*ch));
	ch->active = -1;
	if ((e = json_reject_unknown(body, allowed, fe)))
		return e;
	if (dn) {
		ch->set_display = true;
		if (!cJSON_IsNull(dn) &&
		    ((e = json_get_str(body, "display_name", true, 1, 4 * DISPLAY_NAME_MAX,
		                       &ch->display, fe)) ||
		     (e = check_display_name(ch->display, fe))))
			return e;
	}
	if ((e = refuse_null(body, "email", fe)) ||
	    (e = json_get_str(body, "email", false, 1, 254, &ch->email, fe)) ||
	    (ch->email && (e = user_check_email(ch->email, fe))) ||
	    (e = refuse_null(body, "locale", fe)) ||
	    (e = json_get_str(body, "locale", false, 1, 35, &ch->locale, fe)) ||
	    (ch->locale && (e = check_locale(ch->locale, fe))) ||
	    (e = refuse_null(body, "timezone", fe)) ||
	    (e = json_get_str(body, "timezone", false, 1, 64, &ch->timezone, fe)) ||
	    (ch->timezone && (e = check_timezone(ch->timezone, fe))) ||
	    (e = refuse_null(body, "is_active", fe)))
		return e;
	if (cJSON_GetObjectItemCaseSensitive(body, "is_active")) {
		if ((e = json_get_bool(body, "is_active", true, &active, fe)))
			return e;
		ch->active = active;
	}
	return APP_OK;
}

/* Old and new values of the fields a change really changes, as two JSON
 * objects for the audit row. */
struct diff {
	struct buf old, new;
	struct jw wo, wn;
	int n;
};

static void diff_init(struct diff *d)
{
	buf_init(&d->old, 16 * 1024);
	buf_init(&d->new, 16 * 1024);
	jw_init(&d->wo, &d->old);
	jw_init(&d->wn, &d->new);
	jw_obj_open(&d->wo);
	jw_obj_open(&d->wn);
	d->n = 0;
}

static bool same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* Record key when was != now; returns whether it did. */
static bool diff_str(struct diff *d, const char *key, const char *was, const char *now)
{
	if (same(was, now))
		return false;
	jw_kstr(&d->wo, key, was);
	jw_kstr(&d->wn, key, now);
	d->n++;
	return true;
}

static bool diff_bool(struct diff *d, const char *key, bool was, bool now)
{
	if (was == now)
		return false;
	jw_kbool(&d->wo, key, was);
	jw_kbool(&d->wn, key, now);
	d->n++;
	return true;
}

static bool diff_close(struct diff *d)
{
	jw_obj_close(&d->wo);
	jw_obj_close(&d->wn);
	return buf_ok(&d->old) && buf_ok(&d->new);
}

static void diff_release(struct diff *d)
{
	buf_release(&d->old);
	buf_release(&d->new);
}

static const struct db_stmt q_lock_user = {
    "users_lock",
    "SELECT display_name, email, locale, timezone, is_active FROM users"
    " WHERE id = $1 AND deleted_at IS NULL FOR UPDATE",
    1, false};

/* Only changed fields are passed (NULL otherwise); a new email address is
 * not verified, a new spelling of the same one keeps its state. */
static const struct db_stmt q_update_user = {
    "users_update",
    "UPDATE users SET display_name = CASE WHEN $2::boolean THEN $3::text ELSE display_name END,"
    " email_verified = CASE WHEN $4::text IS NOT NULL AND lower($4::text) <> lower(email)"
    " THEN false ELSE email_verified END,"
    " email = coalesce($4::text, email), locale = coalesce($5::text, locale),"
    " timezone = coalesce($6::text, timezone), is_active = coalesce($7::boolean, is_active)"
    " WHERE id = $1",
    7, false};

static const char *nullable(const PGresult *r, int col)
{
	return PQgetisnull(r, 0, col) ? NULL : PQgetvalue(r, 0, col);
}

/* Apply ch to account id in one transaction with its audit row, then
 * answer the account. Disabling revokes every session of the account. */
static enum app_err apply_change(struct request *req, struct response *res, const char *id,
                                 const struct user_change *ch, const char *action,
                                 struct field_error *fe)
{
	struct db *db = req->app->db;
	struct diff d;
	PGresult *r, *u;
	struct jw w;
	enum app_err e;
	const char *idp[] = {id};

	diff_init(&d);
	if ((e = db_begin(db)))
		goto out;
	if ((e = db_query(db, req->arena, &q_lock_user, idp, &r)))
		goto rollback;
	if (PQntuples(r) != 1) {
		e = field_fail(fe, APP_ERR_NOT_FOUND, "", "no such user");
		goto rollback;
	}
	bool was_active = PQgetvalue(r, 0, 4)[0] == 't';
	bool set_display =
	    ch->set_display && diff_str(&d, "display_name", nullable(r, 0), ch->display);
	const char *email =
	    ch->email && diff_str(&d, "email", PQgetvalue(r, 0, 1), ch->email) ? ch->email : NULL;
	const char *locale = ch->locale && diff_str(&d, "locale", PQgetvalue(r, 0, 2), ch->locale)
	                         ? ch->locale
	                         : NULL;
	const char *tz = ch->timezone && diff_str(&d, "timezone", PQgetvalue(r, 0, 3), ch->timezone)
	                     ? ch->timezone
	                     : NULL;
	bool disable = ch->active == 0 && was_active;
	const char *active = NULL;
	if (ch->active >= 0 && diff_bool(&d, "is_active", was_active, ch->active == 1))
		active = ch->active ? "true" : "false";
	if (!diff_close(&d)) {
		e = APP_ERR_NOMEM;
		goto rollback;
	}
	if (d.n > 0) {
		const char *up[] = {
		    id, set_display ? "true" : "false", ch->display, email, locale, tz, active};
		struct audit_entry a = {NULL, action, "user",     id,
		                        true, NULL,   d.old.data, d.new.data};
		if ((e = db_query(db, req->arena, &q_update_user, up, NULL))) {
			if (e == APP_ERR_CONFLICT)
				e = user_conflict(req, fe);
			goto rollback;
		}
		if ((disable &&
		     (e = session_revoke_all(req, id, NULL, "account disabled", NULL))) ||
		    (e = audit_write(req, &a)))
			goto rollback;
	}
	if ((e = user_load(req, id, &u)))
		goto rollback;
	if ((e = db_commit(db)))
		goto out;
	user_cache_forget(req, id);
	jw_init(&w, &res->body);
	user_json(&w, u, 0, true);
	goto out;
rollback:
	db_rollback(db);
out:
	diff_release(&d);
	return e;
}

static const char *const me_fields[] = {"display_name", "email", "locale", "timezone", NULL};

enum app_err users_me(struct request *req, struct response *res, struct field_error *fe)
{
	PGresult *r;
	struct jw w;
	enum app_err e;

	(void)fe;
	if (req->who->profile_json) {
		buf_puts(&res->body, req->who->profile_json);
		return APP_OK;
	}
	const char *gen = auth_generation(req, req->who->user_id); /* before the read */
	if ((e = user_load(req, req->who->user_id, &r)))
		return e;
	jw_init(&w, &res->body);
	user_json(&w, r, 0, true);
	if (buf_ok(&res->body))
		session_cache_profile(req, req->who, res->body.data, gen);
	return APP_OK;
}

enum app_err users_update_me(struct request *req, struct response *res, struct field_error *fe)
{
	struct user_change ch;
	enum app_err e;

	if ((e = parse_change(req->json, me_fields, &ch, fe)))
		return e;
	return apply_change(req, res, req->who->user_id, &ch, "user.update", fe);
}

/* --- preferences --------------------------------------------------------- */

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
	if ((e = refuse_null(body, key, fe)) ||
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

	if ((e = refuse_null(body, "content_languages", fe)) ||
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
	if ((e = refuse_null(body, key, fe)) || !cJSON_GetObjectItemCaseSensitive(body, key))
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
	    (e = refuse_null(body, "theme", fe)) ||
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
	    (e = refuse_null(body, "rating_country", fe)) ||
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

/* --- public profile ------------------------------------------------------ */

enum app_err users_get(struct request *req, struct response *res, struct field_error *fe)
{
	PGresult *r;
	struct jw w;
	enum app_err e;

	if ((e = user_load(req, req_path(req, "id")->str, &r)))
		return e == APP_ERR_NOT_FOUND ? field_fail(fe, e, "", "no such user") : e;
	jw_init(&w, &res->body);
	user_json(&w, r, 0, false);
	return APP_OK;
}

/* --- admin --------------------------------------------------------------- */

static const char *const sort_keys[] = {"created_at", "username", NULL};

const struct param_spec users_admin_list_query[] = {
    {.name = "q",
     .type = PT_STRING,
     .min = 1,
     .max = 100,
     .doc = "Substring of username, email or display name (any case)."},
    {.name = "is_active",
     .type = PT_BOOL,
     .doc = "Only enabled (true) or disabled (false) accounts."},
    {.name = "role", .type = PT_STRING, .min = 2, .max = 32, .doc = "Only holders of this role."},
    {.name = "sort",
     .type = PT_ENUM,
     .choices = sort_keys,
     .doc = "Sort key (default created_at); ties are broken by id."},
    PAGE_PARAMS,
    {0},
};

/* $1 q, $2 is_active, $3 role */
#define LIST_WHERE                                                                                 \
	" FROM users u WHERE u.deleted_at IS NULL"                                                 \
	" AND ($1::text IS NULL OR strpos(lower(u.username), lower($1::text)) > 0"                 \
	" OR strpos(lower(u.email), lower($1::text)) > 0"                                          \
	" OR strpos(lower(coalesce(u.display_name, '')), lower($1::text)) > 0)"                    \
	" AND ($2::boolean IS NULL OR u.is_active = $2::boolean)"                                  \
	" AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM user_roles ur JOIN roles r"               \
	" ON r.id = ur.role_id WHERE ur.user_id = u.id AND r.name = $3::text))"

/* keyset after ($4 key, $5 id), or offset $7; $6 rows */
static const struct db_stmt q_list_created = {
    "users_admin_list_created",
    "SELECT " USER_COLUMNS ", " SQL_TS_US("u.created_at") LIST_WHERE
    " AND ($4::timestamptz IS NULL OR (u.created_at, u.id) > ($4::timestamptz, $5::uuid))"
    " ORDER BY u.created_at, u.id LIMIT $6::bigint OFFSET $7::bigint",
    7, true};
static const struct db_stmt q_list_username = {
    "users_admin_list_username",
    "SELECT " USER_COLUMNS ", lower(u.username)" LIST_WHERE
    " AND ($4::text IS NULL OR (lower(u.username), u.id) > ($4::text, $5::uuid))"
    " ORDER BY lower(u.username), u.id LIMIT $6::bigint OFFSET $7::bigint",
    7, true};
static const struct db_stmt q_list_count = {"users_admin_count", "SELECT count(*)" LIST_WHERE, 3,
                                            true};
static const struct db_stmt q_role_exists = {"users_role_exists",
                                             "SELECT 1 FROM roles WHERE name = $1", 1, true};

#define USER_KEY_COL 13 /* the sort key after USER_COLUMNS */

static enum app_err check_role_filter(struct request *req, const char *role, struct field_error *fe)
{
	const char *rp[] = {role};
	PGresult *r;
	enum app_err e;

	if (!role)
		return APP_OK;
	for (const char *p = role; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || is_digit(*p) || *p == '_' || *p == '-'))
			return field_fail(fe, APP_ERR_VALIDATION, "role", "is not a role name");
	if ((e = db_query(req->app->db, req->arena, &q_role_exists, rp, &r)))
		return e;
	if (PQntuples(r) == 0)
		return field_fail(fe, APP_ERR_VALIDATION, "role", "no role is named %s", role);
	return APP_OK;
}

enum app_err users_admin_list(struct request *req, struct response *res, struct field_error *fe)
{
	const struct param_value *q = req_query(req, "q"), *active = req_query(req, "is_active"),
	                         *role = req_query(req, "role"), *sort = req_query(req, "sort");
	bool by_name = sort && sort->num == 1;
	/* the cursor carries its sort, so a cursor of one order is refused by the other */
	const char *tag = by_name ? "u:" : "c:";
	const char *key = NULL, *after_id = NULL;
	struct page p;
	struct page_rows pr;
	struct jw w;
	enum app_err e;

	if ((e = page_parse(req, &p, fe)) ||
	    (e = check_role_filter(req, role ? role->str : NULL, fe)))
		return e;
	if (p.after) {
		if (strncmp(p.key, tag, 2))
			return field_fail(fe, APP_ERR_VALIDATION, "cursor",
			                  "belongs to another sort order");
		key = p.key + 2;
		after_id = p.id;
	}
	const char *params[] = {q ? q->str : NULL,
	                        active ? active->str : NULL,
	                        role ? role->str : NULL,
	                        key,
	                        after_id,
	                        NULL,
	                        NULL};
	if ((e = page_fetch(req, &p, by_name ? &q_list_username : &q_list_created, &q_list_count,
	                    params, &pr)))
		return e;
	page_begin(&w, &res->body);
	for (int i = 0; i < pr.n; i++)
		user_json(&w, pr.rows, i, true);
	const char *last_key =
	    pr.n ? arena_printf(req->arena, "%s%s", tag, PQgetvalue(pr.rows, pr.n - 1, USER_KEY_COL))
	         : NULL;
	page_finish(req, &w, &p, &pr, last_key, pr.n ? PQgetvalue(pr.rows, pr.n - 1, 0) : NULL);
	return APP_OK;
}

enum app_err users_admin_get(struct request *req, struct response *res, struct field_error *fe)
{
	PGresult *r;
	struct jw w;
	enum app_err e;

	if ((e = user_load(req, req_path(req, "id")->str, &r)))
		return e == APP_ERR_NOT_FOUND ? field_fail(fe, e, "", "no such user") : e;
	jw_init(&w, &res->body);
	user_json(&w, r, 0, true);
	return APP_OK;
}

static const char *const admin_fields[] = {"is_active", "display_name", "email", NULL};

static const struct db_stmt q_target_perms = {
    "users_target_perms",
    "SELECT DISTINCT rp.permission FROM user_roles ur"
    " JOIN role_permissions rp ON rp.role_id = ur.role_id WHERE ur.user_id = $1",
    1, true};
static const struct db_stmt q_other_admins = {
    "users_other_admins",
    "SELECT (SELECT count(*) FROM user_roles ur JOIN roles r ON r.id = ur.role_id"
    "  JOIN users u ON u.id = ur.user_id WHERE r.name = 'admin' AND u.is_active"
    "  AND u.deleted_at IS NULL AND u.id <> $1),"
    " EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id"
    "  WHERE r.name = 'admin' AND ur.user_id = $1)",
    1, true};

/* Disabling or deleting an account is acting on everything it may do: the
 * caller must hold every permission the target holds (so users:update
 * alone cannot lock out an administrator), and the last active holder of
 * the built-in admin role stays. */
static enum app_err check_manageable(struct request *req, const char *id, struct field_error *fe)
{
	const char *idp[] = {id};
	PGresult *r;
	enum app_err e;

	if ((e = db_query(req->app->db, req->arena, &q_target_perms, idp, &r)))
		return e;
	for (int i = 0; i < PQntuples(r); i++)
		if (!auth_has(req->who, PQgetvalue(r, i, 0)))
			return field_fail(fe, APP_ERR_FORBIDDEN, "id",
			                  "belongs to an account holding %s, which you do not hold",
			                  PQgetvalue(r, i, 0));
	if ((e = db_query(req->app->db, req->arena, &q_other_admins, idp, &r)))
		return e;
	if (PQgetvalue(r, 0, 1)[0] == 't' && !strcmp(PQgetvalue(r, 0, 0), "0"))
		return field_fail(fe, APP_ERR_CONFLICT, "id", "is the last active administrator");
	return APP_OK;
}

enum app_err users_admin_update(struct request *req, struct response *res, struct field_error *fe)
{
	const char *id = req_path(req, "id")->str;
	struct user_change ch;
	enum app_err e;

	if ((e = parse_change(req->json, admin_fields, &ch, fe)))
		return e;
	/* locking oneself out needs a second admin to undo */
	if (ch.active == 0 && !strcmp(id, req->who->user_id))
		return field_fail(fe, APP_ERR_CONFLICT, "is_active",
		                  "cannot be set to false on your own account; ask another admin");
	if (ch.active == 0 && (e = check_manageable(req, id, fe)))
		return e;
	return apply_change(req, res, id, &ch, "admin.user.update", fe);
}

static const struct db_stmt q_soft_delete = {
    "users_soft_delete",
    "UPDATE users SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL"
    " RETURNING json_build_object('username', username, 'email', email)::text",
    1, false};
static const struct db_stmt q_revoke_keys = {
    "users_revoke_keys",
    "UPDATE api_keys SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL", 1, false};

enum app_err users_admin_delete(struct request *req, struct response *res, struct field_error *fe)
{
	struct db *db = req->app->db;
	const char *id = req_path(req, "id")->str;
	const char *idp[] = {id};
	PGresult *r;
	enum app_err e;

	if (!strcmp(id, req->who->user_id))
		return field_fail(fe, APP_ERR_CONFLICT, "",
		                  "you cannot delete your own account; ask another admin");
	if ((e = check_manageable(req, id, fe)))
		return e;
	if ((e = db_begin(db)))
		return e;
	if ((e = db_query(db, req->arena, &q_soft_delete, idp, &r)))
		goto rollback;
	if (PQntuples(r) != 1) {
		e = field_fail(fe, APP_ERR_NOT_FOUND, "", "no such user");
		goto rollback;
	}
	struct audit_entry a = {NULL,
	                        "admin.user.delete",
	                        "user",
	                        id,
	                        true,
	                        NULL,
	                        PQgetvalue(r, 0, 0),
	                        "{\"deleted\":true}"};
	user_cache_forget(req, id);
	if ((e = session_revoke_all(req, id, NULL, "account deleted", NULL)) ||
	    (e = db_query(db, req->arena, &q_revoke_keys, idp, NULL)) || (e = audit_write(req, &a)))
		goto rollback;
	if ((e = db_commit(db)))
		return e;
	res->status = 204;
	return APP_OK;
rollback:
	db_rollback(db);
	return e;
}
