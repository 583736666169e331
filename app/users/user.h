/*
 * user: the account record as every handler reads and writes it, and the
 * rules for its fields (SPEC §2.1).
 */
#ifndef REVENGE_USERS_USER_H
#define REVENGE_USERS_USER_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "core/json.h"
/* SQL_TS lived here; app/movies (and others) still get it through this header */
#include "db/sql.h"
#include "http/http.h"

/* The columns user_json() expects, in order, from `users u`. */
#define USER_COLUMNS                                                                               \
	"u.id, u.username, u.email, u.display_name, u.avatar_path, u.locale, u.timezone,"          \
	" u.is_active, u.email_verified, " SQL_TS("u.last_login_at") ", " SQL_TS("u.created_at")   \
	", " SQL_TS("u.updated_at") ","                                                            \
	" (SELECT coalesce(json_agg(r.name ORDER BY r.name), '[]')::text FROM user_roles ur"       \
	" JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = u.id)"

/* Write row `row` of r (USER_COLUMNS) as a JSON object. The public profile
 * (full == false) has only id, username, display_name, avatar_url and
 * created_at. */
void user_json(struct jw *w, const PGresult *r, int row, bool full);

/* Load one live (not deleted) account by id; APP_ERR_NOT_FOUND otherwise. */
enum app_err user_load(struct request *req, const char *id, PGresult **out);

/* Field rules; each returns APP_OK or APP_ERR_VALIDATION naming the field. */
enum app_err user_check_username(const char *s, struct field_error *fe);
enum app_err user_check_email(const char *s, struct field_error *fe);
enum app_err user_check_password(const char *s, const char *field, struct field_error *fe);

struct app;

/* Create an account with its preferences and one role, inside the caller's
 * transaction (validation is the caller's). APP_ERR_CONFLICT naming
 * username/email, APP_ERR_VALIDATION for an unknown role. */
enum app_err user_create(struct app *app, struct arena *a, const char *username,
			 const char *email, const char *password, const char *display_name,
			 const char *role, char id_out[37], struct field_error *fe);

/* GET /users/me answers from the caller's cached session entry, which
 * carries the rendered account. Every write to an account or its roles
 * calls user_cache_forget, which drops the user's cached sessions and
 * permission set (they are rebuilt on the next request). */
void user_cache_forget(struct request *req, const char *id);

/* Map a unique violation on users to the field it is about (409). */
enum app_err user_conflict(struct request *req, struct field_error *fe);

#endif
