/*
 * create: accounts made by administrators (POST /api/v1/admin/users), the
 * way in while open registration is off (issue 14 item 7). Invitations
 * (auth/invitations.h) are the other.
 */
#ifndef REVENGE_USERS_CREATE_H
#define REVENGE_USERS_CREATE_H

#include "http/http.h"

/*
 * POST /api/v1/admin/users {"username", "email", "password",
 *                           "display_name"?, "role"?}
 * The account rules of users/user.h; role is one the caller may grant
 * (rbac_check_grantable: 400 naming role when there is none, 403 when the
 * caller lacks one of its permissions), default the auth.default_role
 * setting. One transaction: account, preferences, role and the audit row
 * `admin.user.create`. 201 with the full account; 409 naming username or
 * email when taken (case-insensitively).
 */
extern const struct body_field users_admin_create_body[];
enum app_err users_admin_create(struct request *req, struct response *res, struct field_error *fe);

#endif
