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

/* Issue the session of a verified login (user_id), in one transaction with
 * the bookkeeping (failure count cleared, last_login_at, new_hash — may be
 * NULL — stored, audit user.login, auth.new_login event); the answer's
 * body holds the tokens and the account, and with cookie the session
 * cookies are set. For the second factor and single sign-on, which verify
 * the user their own way. Errors: those of the database. */
enum app_err issue_session(struct request *req, struct response *res, const char *user_id,
			   const char *device, bool cookie, const char *new_hash);

#endif
