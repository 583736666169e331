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

#endif
