/*
 * The /api/v1/auth/... endpoints: register, login, logout, refresh, change
 * password.
 */
#ifndef REVENGE_AUTH_HANDLERS_H
#define REVENGE_AUTH_HANDLERS_H

#include "http/http.h"

enum app_err auth_register(struct request *req, struct response *res, struct field_error *fe);
enum app_err auth_login(struct request *req, struct response *res, struct field_error *fe);
enum app_err auth_logout(struct request *req, struct response *res, struct field_error *fe);
enum app_err auth_refresh(struct request *req, struct response *res, struct field_error *fe);
enum app_err auth_change_password(struct request *req, struct response *res,
				  struct field_error *fe);

#endif
