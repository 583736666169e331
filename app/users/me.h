/*
 * me: the caller's own account and other accounts' public profiles
 * (/api/v1/users/me, /api/v1/users/{id}; SPEC §2.1). Every handler runs
 * after the dispatcher's permission check, so req->who is set. The input
 * rules of PUT /users/me are in users/change.h.
 */
#ifndef REVENGE_USERS_ME_H
#define REVENGE_USERS_ME_H

#include "http/http.h"

/* GET /api/v1/users/me: the caller's account (full), from the cached
 * session entry when it carries it. */
enum app_err users_me(struct request *req, struct response *res, struct field_error *fe);

/* PUT /api/v1/users/me: change display_name, email, locale, timezone (any
 * subset; users_update_me_body); answers the updated account. Audit
 * `user.update` with the changed fields' old and new values. */
extern const struct body_field users_update_me_body[];
enum app_err users_update_me(struct request *req, struct response *res, struct field_error *fe);

/* GET /api/v1/users/{id}: public profile; 404 for unknown or deleted. */
enum app_err users_get(struct request *req, struct response *res, struct field_error *fe);

#endif
