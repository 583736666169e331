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
#include "db/db.h"
#include "db/sql.h"
#include "http/http.h"

/* The columns user_json() expects, in order, from `users u`. avatar_path
 * holds the storage key ("images/avatars/<id>/<version>.png", users/avatar.h)
 * and is rendered as avatar_url, the path nginx serves it at
 * ("/images/avatars/…"), or null. */
#define USER_COLUMNS                                                                               \
	"u.id, u.username, u.email, u.display_name, '/' || u.avatar_path, u.locale, u.timezone,"   \
	" u.is_active, u.email_verified, " SQL_TS("u.last_login_at") ", " SQL_TS("u.created_at")   \
	", " SQL_TS("u.updated_at") ","                                                            \
	" (SELECT coalesce(json_agg(r.name ORDER BY r.name), '[]')::text FROM user_roles ur"       \
	" JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = u.id)"

/* Write row `row` of r (USER_COLUMNS) as a JSON object. The public profile
 * (full == false) has only id, username, display_name, avatar_url and
 * created_at. */
void user_json(struct jw *w, const PGresult *r, int row, bool full);

/* Load one live (not deleted) account by id (USER_COLUMNS, one row; the
 * result lives in arena a); APP_ERR_NOT_FOUND otherwise. user_load is the
 * same for a request. */
enum app_err user_load_from(struct db *db, struct arena *a, const char *id, PGresult **out);
enum app_err user_load(struct request *req, const char *id, PGresult **out);

/* Field rules, in the shape of body_check_fn so route tables can name them;
 * each returns APP_OK or APP_ERR_VALIDATION naming field.
 *   username  3 to 30 of letters, digits, _ . - starting with a letter or digit
 *   email     one @, something on each side, a dot in the domain, no spaces
 *   password  PASSWORD_MIN to PASSWORD_MAX bytes
 *   locale    BCP 47 in shape: 2 to 35 bytes ("en", "pt-BR", "zh-Hant-TW")
 *   timezone  1 to 64 bytes of letters, digits and _ + - / starting with a
 *             letter ("Europe/Berlin", "Etc/GMT+5") */
enum app_err user_check_username(const char *s, const char *field, struct field_error *fe);
enum app_err user_check_email(const char *s, const char *field, struct field_error *fe);
enum app_err user_check_password(const char *s, const char *field, struct field_error *fe);
enum app_err user_check_locale(const char *s, const char *field, struct field_error *fe);
enum app_err user_check_timezone(const char *s, const char *field, struct field_error *fe);

/* Account members as route body tables declare them (http/http.h):
 *   display_name  1 to 100 characters without control characters, or null
 *                 (clears it)
 *   email         an email address; unique among live accounts (409 naming
 *                 "email", from the database); a changed address is no
 *                 longer verified
 *   locale        user_check_locale; timezone: user_check_timezone
 *   is_active     boolean (admin only; false revokes every session) */
#define USER_FIELD_DISPLAY_NAME                                                                    \
	{.name = "display_name", .type = BT_STRING, .null = BN_ALLOW, .min = 1, .max = 100,        \
	 .chars = true, .text = true, .doc = "Shown instead of the username; null clears it."}
#define USER_FIELD_EMAIL                                                                           \
	{.name = "email", .type = BT_STRING, .null = BN_REFUSE, .min = 1, .max = 254,              \
	 .check = user_check_email, .doc = "A new address is no longer verified."}
#define USER_FIELD_LOCALE                                                                          \
	{.name = "locale", .type = BT_STRING, .null = BN_REFUSE, .min = 1, .max = 35,              \
	 .check = user_check_locale, .doc = "A BCP 47 language tag such as pt-BR."}
#define USER_FIELD_TIMEZONE                                                                        \
	{.name = "timezone", .type = BT_STRING, .null = BN_REFUSE, .min = 1, .max = 64,            \
	 .check = user_check_timezone, .doc = "A time zone name such as Europe/Berlin."}
#define USER_FIELD_IS_ACTIVE                                                                       \
	{.name = "is_active", .type = BT_BOOL, .null = BN_REFUSE,                                  \
	 .doc = "false disables the account and ends its sessions."}

struct app;

/* Create an account with its preferences and one role, inside the caller's
 * transaction (validation is the caller's), and raise user.created
 * (notify/notify.h). APP_ERR_CONFLICT naming username/email,
 * APP_ERR_VALIDATION for an unknown role. */
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
