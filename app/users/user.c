#include "users/user.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "app.h"
#include "auth/password.h"
#include "auth/auth.h"
#include "notify/notify.h"

static const struct db_stmt q_load = {
	"user_load", "SELECT " USER_COLUMNS " FROM users u WHERE u.id = $1 AND u.deleted_at IS NULL",
	1, true};

void user_json(struct jw *w, const PGresult *r, int row, bool full)
{
	jw_obj_open(w);
	jw_kstr(w, "id", PQgetvalue(r, row, 0));
	jw_kstr(w, "username", PQgetvalue(r, row, 1));
	db_json_str(w, "display_name", r, row, 3);
	db_json_str(w, "avatar_url", r, row, 4);
	if (full) {
		jw_kstr(w, "email", PQgetvalue(r, row, 2));
		jw_kstr(w, "locale", PQgetvalue(r, row, 5));
		jw_kstr(w, "timezone", PQgetvalue(r, row, 6));
		jw_kbool(w, "is_active", PQgetvalue(r, row, 7)[0] == 't');
		jw_kbool(w, "email_verified", PQgetvalue(r, row, 8)[0] == 't');
		db_json_str(w, "last_login_at", r, row, 9);
		jw_kstr(w, "updated_at", PQgetvalue(r, row, 11));
		jw_key(w, "roles");
		jw_raw(w, PQgetvalue(r, row, 12), (size_t)PQgetlength(r, row, 12));
	}
	jw_kstr(w, "created_at", PQgetvalue(r, row, 10));
	jw_obj_close(w);
}

enum app_err user_load_from(struct db *db, struct arena *a, const char *id, PGresult **out)
{
	const char *params[] = {id};
	enum app_err e = db_query(db, a, &q_load, params, out);

	if (!e && PQntuples(*out) != 1)
		return APP_ERR_NOT_FOUND;
	return e;
}

enum app_err user_load(struct request *req, const char *id, PGresult **out)
{
	return user_load_from(req->app->db, req->arena, id, out);
}

static const struct db_stmt q_insert_user = {
	"user_insert",
	"INSERT INTO users (username, email, password_hash, display_name) VALUES ($1, $2, $3, $4)"
	" RETURNING id",
	4, false};
static const struct db_stmt q_insert_prefs = {
	"user_insert_prefs", "INSERT INTO user_preferences (user_id) VALUES ($1)", 1, false};
static const struct db_stmt q_grant_role = {
	"user_grant_role",
	"INSERT INTO user_roles (user_id, role_id) SELECT $1, id FROM roles WHERE name = $2"
	" RETURNING role_id",
	2, false};

static enum app_err conflict_field(struct db *db, struct field_error *fe)
{
	const char *c = db_last_constraint(db);

	if (!strcmp(c, "users_username_uniq"))
		return field_fail(fe, APP_ERR_CONFLICT, "username", "is taken");
	if (!strcmp(c, "users_email_uniq"))
		return field_fail(fe, APP_ERR_CONFLICT, "email", "is already registered");
	return APP_ERR_CONFLICT;
}

enum app_err user_create(struct app *app, struct arena *a, const char *username,
			 const char *email, const char *password, const char *display_name,
			 const char *role, char id_out[37], struct field_error *fe)
{
	char *hash = NULL;
	PGresult *r;
	enum app_err e;

	if ((e = password_hash(app->cfg, password, strlen(password), &hash)))
		return e;
	const char *ip[] = {username, email, hash, display_name};
	e = db_query(app->db, a, &q_insert_user, ip, &r);
	OPENSSL_cleanse(hash, strlen(hash));
	free(hash);
	if (e)
		return e == APP_ERR_CONFLICT ? conflict_field(app->db, fe) : e;
	snprintf(id_out, 37, "%s", PQgetvalue(r, 0, 0));
	const char *up[] = {id_out}, *rp[] = {id_out, role};
	if ((e = db_query(app->db, a, &q_insert_prefs, up, NULL)) ||
	    (e = db_query(app->db, a, &q_grant_role, rp, &r)))
		return e;
	if (PQntuples(r) != 1)
		return field_fail(fe, APP_ERR_VALIDATION, "role", "no role is named %s", role);
	/* no address in it: notifications may go to a third party (Discord) */
	return notify_event(
	    app->db, a, "user.created",
	    notify_payload(
	        a, arena_printf(a, "New account: %s", username),
	        arena_printf(a, "The account %s was created with the role %s.", username, role),
	        (const char *const[]){"user_id", id_out, "username", username, "role", role, NULL}),
	    NULL);
}

enum app_err user_check_username(const char *s, const char *field, struct field_error *fe)
{
	size_t n = strlen(s);

	if (n < 3 || n > 30)
		return field_fail(fe, APP_ERR_VALIDATION, field, "must be 3 to 30 characters");
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || !strchr("_.-", c)))
			return field_fail(fe, APP_ERR_VALIDATION, field,
					  "may hold letters, digits, '_', '.', '-' and must start "
					  "with a letter or digit");
	}
	return APP_OK;
}

enum app_err user_check_email(const char *s, const char *field, struct field_error *fe)
{
	const char *at = strchr(s, '@');
	size_t n = strlen(s);

	/* deliberately simple: one @, something on each side, a dot in the
	 * domain, no spaces or controls; the verification mail proves the rest */
	if (n < 3 || n > 254 || !at || at == s || strchr(at + 1, '@') || !strchr(at + 1, '.') ||
	    at[1] == '.' || s[n - 1] == '.')
		return field_fail(fe, APP_ERR_VALIDATION, field, "must be an email address");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f || s[i] == '<' || s[i] == '>')
			return field_fail(fe, APP_ERR_VALIDATION, field,
					  "must be an email address");
	return APP_OK;
}

enum app_err user_check_password(const char *s, const char *field, struct field_error *fe)
{
	size_t n = strlen(s);

	if (n < PASSWORD_MIN || n > PASSWORD_MAX)
		return field_fail(fe, APP_ERR_VALIDATION, field, "must be %d to %d bytes long",
				  PASSWORD_MIN, PASSWORD_MAX);
	return APP_OK;
}

enum app_err user_conflict(struct request *req, struct field_error *fe)
{
	return conflict_field(req->app->db, fe);
}

void user_cache_forget(struct request *req, const char *id)
{
	auth_forget_permissions(req->app, req->arena, id, NULL);
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* BCP 47 in shape: a 2-8 letter language subtag, then subtags of 1-8
 * letters or digits joined by '-'. Registry membership is not checked:
 * clients fall back to "en" for tags they do not know. */
enum app_err user_check_locale(const char *s, const char *field, struct field_error *fe)
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
	return field_fail(fe, APP_ERR_VALIDATION, field,
	                  "must be a language tag such as en, pt-BR or zh-Hant-TW (2 to 35 bytes)");
}

enum app_err user_check_timezone(const char *s, const char *field, struct field_error *fe)
{
	size_t n = strlen(s);

	if (n < 1 || n > 64 || !is_alpha(s[0]))
		goto bad;
	for (size_t i = 0; i < n; i++)
		if (!is_alpha(s[i]) && !is_digit(s[i]) && !strchr("_+-/", s[i]))
			goto bad;
	return APP_OK;
bad:
	return field_fail(fe, APP_ERR_VALIDATION, field,
	                  "must be a time zone name such as Europe/Berlin (letters, digits, "
	                  "_ + - /; 1 to 64 bytes)");
}
