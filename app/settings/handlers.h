/*
 * The /api/v1/settings/... endpoints (SPEC §2.8): typed server settings
 * (declared in settings.c) and free-form per-user settings.
 *
 * Server settings. Every declared setting is reported as
 *   {key, value, type, public, secret, description, updated_at}
 * where type is "boolean" | "integer" | "string", value is the stored value
 * (the default when never stored) and updated_at is null until the setting
 * is first written. A secret setting's value is "********" on every read
 * and in the audit log. PUT takes {"value": …}, validated against the
 * declaration (400 naming "value"); writing auth.default_role also needs
 * the role to exist and the caller to be allowed to grant it (the RBAC
 * escalation rule, see auth/rbac.h), since every new account gets it.
 * Each write is one transaction with its `settings.update` audit row.
 *
 * User settings. Keys match ^[a-z][a-z0-9_.-]{0,63}$ (400 naming "key"),
 * values are any JSON value of at most USER_SETTING_MAX_BYTES serialized
 * (413 naming "value" beyond), and a user holds at most USER_SETTINGS_MAX
 * keys (409 naming "key" for one more). They belong to the caller only.
 */
#ifndef REVENGE_SETTINGS_HANDLERS_H
#define REVENGE_SETTINGS_HANDLERS_H

#include "http/http.h"

#define USER_SETTING_MAX_BYTES 16384
#define USER_SETTINGS_MAX 100

/* The body of both PUTs: {"value": any JSON value without non-finite
 * numbers}, null included. */
extern const struct body_field settings_put_body[];

/* GET /api/v1/settings/server: {"items": [setting, …]} in declaration order. */
enum app_err settings_server_list(struct request *req, struct response *res,
                                  struct field_error *fe);
/* GET /api/v1/settings/server/{key}: one setting; 404 when undeclared. */
enum app_err settings_server_get(struct request *req, struct response *res, struct field_error *fe);
/* PUT /api/v1/settings/server/{key}: {"value": …}; answers the setting. */
enum app_err settings_server_put(struct request *req, struct response *res, struct field_error *fe);
/* GET /api/v1/settings/public (no login): {key: value} of the public ones. */
enum app_err settings_public_get(struct request *req, struct response *res, struct field_error *fe);

/* GET /api/v1/settings/user: the caller's settings as {key: value}. */
enum app_err settings_user_list(struct request *req, struct response *res, struct field_error *fe);
/* GET /api/v1/settings/user/{key}: {key, value, updated_at}; 404 when unset. */
enum app_err settings_user_get(struct request *req, struct response *res, struct field_error *fe);
/* PUT /api/v1/settings/user/{key}: {"value": any JSON}; 201 when created,
 * 200 when replaced, with {key, value, updated_at}. */
enum app_err settings_user_put(struct request *req, struct response *res, struct field_error *fe);
/* DELETE /api/v1/settings/user/{key}: 204; 404 when unset. */
enum app_err settings_user_delete(struct request *req, struct response *res,
                                  struct field_error *fe);

#endif
