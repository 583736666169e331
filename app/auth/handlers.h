/*
 * The /api/v1/auth/... endpoints: register, login, logout, refresh, change
 * password.
 */
#ifndef REVENGE_AUTH_HANDLERS_H
#define REVENGE_AUTH_HANDLERS_H

#include "http/http.h"

/* The bodies the dispatcher checks (app/routes.c): register takes
 * username, email, password and display_name (the account rules of
 * users/user.h); login a username or email, password, device_name and
 * cookie; refresh a refresh_token; change-password current_password and
 * new_password. */
extern const struct body_field auth_register_body[];
extern const struct body_field auth_login_body[];
extern const struct body_field auth_refresh_body[];
extern const struct body_field auth_change_password_body[];

enum app_err auth_register(struct request *req, struct response *res, struct field_error *fe);
enum app_err auth_login(struct request *req, struct response *res, struct field_error *fe);
enum app_err auth_logout(struct request *req, struct response *res, struct field_error *fe);
enum app_err auth_refresh(struct request *req, struct response *res, struct field_error *fe);
enum app_err auth_change_password(struct request *req, struct response *res,
				  struct field_error *fe);

struct jw;

/* What a caller of auth_issue_session_hooked adds to a login:
 *   in_txn  runs inside the session's transaction before anything else;
 *           a non-OK return rolls the whole login back and is returned
 *           (set the caller's field_error through ctx)
 *   extra   writes further members into the login's JSON object
 * Either may be NULL. */
struct session_hooks {
	enum app_err (*in_txn)(struct request *req, void *ctx);
	void (*extra)(struct jw *w, void *ctx);
	void *ctx;
};

/* Issue the session of a verified login (every factor checked): in one
 * transaction the account's failure count is cleared, last_login_at set,
 * the password hash replaced by new_hash (may be NULL), the session made
 * and `user.login` audited; then the answer of POST /auth/login is
 * written into res (tokens, or the cookies with cookie). For the second
 * step of a login (auth/mfa.c) and single sign-on. */
enum app_err auth_issue_session(struct request *req, struct response *res, const char *user_id,
				const char *device, bool cookie, const char *new_hash);
enum app_err auth_issue_session_hooked(struct request *req, struct response *res,
				       const char *user_id, const char *device, bool cookie,
				       const char *new_hash, const struct session_hooks *h);

/* The lockout check of a login (423 or 429 with Retry-After, fe naming
 * nothing) for the account user_id, or the typed name when user_id is
 * NULL. */
enum app_err auth_check_lock(struct request *req, struct response *res, const char *user_id,
			     const char *name, struct field_error *fe);

/* Count a failed attempt against the account (or name) and the client
 * address, audited as `action` (failed, reason `why`), with `user.locked`
 * and `auth.address_locked` when a limit is reached, in one transaction.
 * APP_OK once recorded; the database error when it could not be (the
 * caller answers it instead of 401). */
enum app_err auth_record_failure(struct request *req, const char *name, const char *user_id,
				 const char *action, const char *why);

#endif
