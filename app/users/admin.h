/*
 * admin: accounts as administrators manage them (/api/v1/admin/users...;
 * SPEC §2.1). The input rules of PATCH are in users/change.h.
 */
#ifndef REVENGE_USERS_ADMIN_H
#define REVENGE_USERS_ADMIN_H

#include "http/http.h"

/* Query parameters of GET /api/v1/admin/users: q, is_active, role, sort
 * and the page parameters. */
extern const struct param_spec users_admin_list_query[];

/* GET /api/v1/admin/users: full accounts, filtered by q (substring of
 * username, email or display name, any case), is_active and role, sorted
 * by created_at (default) or username, paginated (cursor or offset). */
enum app_err users_admin_list(struct request *req, struct response *res, struct field_error *fe);

/* GET /api/v1/admin/users/{id}: one full account (404 when deleted). */
enum app_err users_admin_get(struct request *req, struct response *res, struct field_error *fe);

/* PATCH /api/v1/admin/users/{id}: is_active, display_name, email
 * (users_admin_update_body). An admin
 * cannot disable their own account (409), nor an account holding a
 * permission they do not hold (403), nor the last active administrator
 * (409). Audit `admin.user.update`. */
extern const struct body_field users_admin_update_body[];
enum app_err users_admin_update(struct request *req, struct response *res, struct field_error *fe);

/* DELETE /api/v1/admin/users/{id}: soft delete; every session and API key
 * of the account is revoked; 204; 404 once deleted; 409 for oneself.
 * Audit `admin.user.delete`. */
enum app_err users_admin_delete(struct request *req, struct response *res, struct field_error *fe);

#endif
