/*
 * oidc: single sign-on with OpenID Connect (SPEC §2.5;
 * docs/internals/oidc.md).
 *
 * Administrators set up providers (oidc_admin.c); the login page lists
 * the enabled ones; a browser then goes through the authorization-code
 * flow with state, nonce and PKCE (oidc_flow.c), whose callback checks the
 * ID token (auth/jws.h) and logs in, creates or links the account.
 */
#ifndef REVENGE_AUTH_OIDC_H
#define REVENGE_AUTH_OIDC_H

#include <libpq-fe.h>

#include "db/sql.h"
#include "http/http.h"

/* The columns oidc_provider_load and oidc_provider_json read, in order,
 * from `oidc_providers p`. */
#define OIDC_PROVIDER_COLUMNS                                                                      \
	"p.id, p.slug, p.display_name, p.issuer, p.client_id, p.client_secret_sealed,"             \
	" p.scopes, p.username_claim, p.email_claim, p.display_name_claim, p.roles_claim,"         \
	" p.role_map::text, p.auto_create, p.enabled, p.is_default, " SQL_TS(                      \
	    "p.created_at") ","                                                                    \
	                    " " SQL_TS("p.updated_at")
enum oidc_col {
	OC_ID,
	OC_SLUG,
	OC_DISPLAY_NAME,
	OC_ISSUER,
	OC_CLIENT_ID,
	OC_SECRET,
	OC_SCOPES,
	OC_USERNAME_CLAIM,
	OC_EMAIL_CLAIM,
	OC_DISPLAY_CLAIM,
	OC_ROLES_CLAIM,
	OC_ROLE_MAP,
	OC_AUTO_CREATE,
	OC_ENABLED,
	OC_DEFAULT,
	OC_CREATED,
	OC_UPDATED,
};

/* The provider called slug (one row of OIDC_PROVIDER_COLUMNS in *out, in
 * the request's arena); with enabled_only, a disabled one is missing too.
 * APP_ERR_NOT_FOUND naming "slug". */
enum app_err oidc_provider_load(struct request *req, const char *slug, bool enabled_only,
                                PGresult **out, struct field_error *fe);

/* The client secret of row r (malloc'd; the caller wipes and frees it),
 * NULL in *out when none is set. APP_ERR_CONFLICT naming client_secret
 * when it cannot be opened (auth.secret_key unset or changed). */
enum app_err oidc_provider_secret(struct request *req, const PGresult *r, char **out,
                                  struct field_error *fe);

/* The aad a provider's client secret is sealed with ("oidc:<id>:client_secret"). */
const char *oidc_secret_aad(struct arena *a, const char *provider_id);

/* Routes (app/routes.c): the admin CRUD with its bodies, the public list,
 * the flow and the caller's identities. */
extern const struct body_field oidc_provider_create_body[];
extern const struct body_field oidc_provider_update_body[];
extern const struct body_field oidc_identities_link_body[];
extern const struct param_spec oidc_authorize_query[];
extern const struct param_spec oidc_callback_query[];

enum app_err oidc_admin_list(struct request *req, struct response *res, struct field_error *fe);
enum app_err oidc_admin_create(struct request *req, struct response *res, struct field_error *fe);
enum app_err oidc_admin_get(struct request *req, struct response *res, struct field_error *fe);
enum app_err oidc_admin_update(struct request *req, struct response *res, struct field_error *fe);
enum app_err oidc_admin_delete(struct request *req, struct response *res, struct field_error *fe);
enum app_err oidc_public_list(struct request *req, struct response *res, struct field_error *fe);
enum app_err oidc_authorize(struct request *req, struct response *res, struct field_error *fe);
enum app_err oidc_callback(struct request *req, struct response *res, struct field_error *fe);
enum app_err oidc_identities_list(struct request *req, struct response *res,
                                  struct field_error *fe);
enum app_err oidc_identities_link(struct request *req, struct response *res,
                                  struct field_error *fe);
enum app_err oidc_identities_delete(struct request *req, struct response *res,
                                    struct field_error *fe);

#endif
