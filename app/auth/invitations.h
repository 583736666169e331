/*
 * invitations: single-use registration tokens made by administrators
 * (issue 14 item 7), /api/v1/admin/invitations/....
 *
 * Registration is closed by default (the server setting
 * auth.registration_enabled is false); an invitation lets one person
 * register anyway, with the invitation's role. A token is "rvi_" + 43
 * base64url characters (256 random bits); only its SHA-256 is stored, and
 * the token itself appears once, in the answer to its creation. A client
 * turns it into a link of its own ("…/register?invitation=rvi_…") and
 * sends it back as the `invitation` member of POST /api/v1/auth/register.
 *
 * An invitation as the API shows it:
 *   {"id", "role", "email", "created_by", "created_at", "expires_at",
 *    "used_at", "used_by", "revoked_at", "state"}
 * where state is "pending", "used", "expired" or "revoked". Every route
 * needs users:create (the permission to make accounts).
 */
#ifndef REVENGE_AUTH_INVITATIONS_H
#define REVENGE_AUTH_INVITATIONS_H

#include "http/http.h"

/* Longest accepted validity, in hours (30 days), and the default (7 days). */
#define INVITATION_MAX_HOURS 720
#define INVITATION_DEFAULT_HOURS 168

/* PAGE_PARAMS. */
extern const struct param_spec invitations_list_query[];

/*
 * POST /api/v1/admin/invitations {"role"?, "expires_in_hours"?, "email"?}
 *   role              a role the caller may grant (rbac_check_grantable:
 *                     400 naming role when there is none, 403 when the
 *                     caller does not hold all of its permissions);
 *                     default: the auth.default_role setting
 *   expires_in_hours  1..INVITATION_MAX_HOURS, default INVITATION_DEFAULT_HOURS
 *   email             when given, only this address may register with it
 * 201 with the invitation plus "token". Audit `admin.invitation.create`.
 */
extern const struct body_field invitations_create_body[];
enum app_err invitations_create(struct request *req, struct response *res, struct field_error *fe);

/* GET /api/v1/admin/invitations: every invitation, newest first. */
enum app_err invitations_list(struct request *req, struct response *res, struct field_error *fe);

/* DELETE /api/v1/admin/invitations/{id}: revoke a pending invitation; 204;
 * 404 when there is none pending with that id (unknown, used, expired or
 * already revoked). Audit `admin.invitation.revoke`. */
enum app_err invitations_revoke(struct request *req, struct response *res, struct field_error *fe);

/*
 * Claim the invitation `token` for a registration with `email`, inside the
 * caller's transaction (the row stays locked until it ends): *id receives
 * the invitation id and *role its role's name (arena). APP_ERR_FORBIDDEN
 * naming "invitation" when the token is malformed, unknown, used, revoked
 * or expired; APP_ERR_FORBIDDEN naming "email" when the invitation is for
 * another address. Call invitation_consume() once the account exists.
 */
enum app_err invitation_claim(struct request *req, const char *token, const char *email,
                              const char **id, const char **role, struct field_error *fe);

/* Mark invitation id used by user_id (same transaction as the claim). */
enum app_err invitation_consume(struct request *req, const char *id, const char *user_id);

#endif
