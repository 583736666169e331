/*
 * oidc_admin: identity providers as administrators set them up, and the
 * public list the login page shows (see oidc.h).
 */
#include "auth/oidc.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "app.h"
#include "auth/audit.h"
#include "auth/oidc_client.h"
#include "auth/rbac.h"
#include "core/config.h"
#include "core/crypto.h"

#define PROVIDERS_MAX 50

static const struct db_stmt q_load = {
    "oidc_load", "SELECT " OIDC_PROVIDER_COLUMNS " FROM oidc_providers p WHERE p.slug = $1", 1,
    true};
static const struct db_stmt q_list = {"oidc_list",
                                      "SELECT " OIDC_PROVIDER_COLUMNS
                                      " FROM oidc_providers p ORDER BY p.is_default DESC, p.slug",
                                      0, true};
static const struct db_stmt q_public = {
    "oidc_public",
    "SELECT slug, display_name, is_default, '/api/v1/auth/oidc/' || slug || '/authorize'"
    " FROM oidc_providers WHERE enabled"
    " ORDER BY is_default DESC, display_name, slug",
    0, true};
static const struct db_stmt q_count = {"oidc_count", "SELECT count(*) FROM oidc_providers", 0,
                                       true};
static const struct db_stmt q_insert = {
    "oidc_insert",
    "INSERT INTO oidc_providers AS p (id, slug, display_name, issuer, client_id,"
    " client_secret_sealed, scopes, username_claim, email_claim, display_name_claim,"
    " roles_claim, role_map, auto_create, enabled, is_default) VALUES ($1, $2, $3, $4, $5,"
    " $6, coalesce($7, 'openid profile email'), coalesce($8, 'preferred_username'),"
    " coalesce($9, 'email'), coalesce($10, 'name'), $11, coalesce($12::jsonb, '{}'),"
    " coalesce($13::boolean, false), coalesce($14::boolean, true),"
    " coalesce($15::boolean, false)) RETURNING " OIDC_PROVIDER_COLUMNS,
    15, false};
/* NULL keeps a column; $5/$11 say whether the secret/roles claim is given
 * (null clears them) */
static const struct db_stmt q_update = {
    "oidc_update",
    "UPDATE oidc_providers AS p SET display_name = coalesce($2, p.display_name),"
    " issuer = coalesce($3, p.issuer), client_id = coalesce($4, p.client_id),"
    " client_secret_sealed = CASE WHEN $5::boolean THEN $6 ELSE p.client_secret_sealed END,"
    " scopes = coalesce($7, p.scopes), username_claim = coalesce($8, p.username_claim),"
    " email_claim = coalesce($9, p.email_claim),"
    " display_name_claim = coalesce($10, p.display_name_claim),"
    " roles_claim = CASE WHEN $11::boolean THEN $12 ELSE p.roles_claim END,"
    " role_map = coalesce($13::jsonb, p.role_map),"
    " auto_create = coalesce($14::boolean, p.auto_create),"
    " enabled = coalesce($15::boolean, p.enabled),"
    " is_default = coalesce($16::boolean, p.is_default)"
    " WHERE p.slug = $1 RETURNING " OIDC_PROVIDER_COLUMNS,
    16, false};
static const struct db_stmt q_lock = {
    "oidc_lock",
    "SELECT id, issuer, (SELECT count(*) FROM user_identities i WHERE i.provider_id = p.id)"
    " FROM oidc_providers p WHERE slug = $1 FOR UPDATE",
    1, false};
static const struct db_stmt q_delete = {
    "oidc_delete", "DELETE FROM oidc_providers WHERE slug = $1 RETURNING id", 1, false};

/* --- input rules ----------------------------------------------------------- */

static enum app_err check_slug(const char *s, const char *field, struct field_error *fe)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      (i > 0 && s[i] == '-')))
			return field_fail(fe, APP_ERR_VALIDATION, field,
			                  "must be 1 to 32 of a-z, 0-9 and -, not starting with -");
	return n >= 1 && n <= 32
	           ? APP_OK
	           : field_fail(fe, APP_ERR_VALIDATION, field, "must be 1 to 32 bytes");
}

static enum app_err check_issuer(const char *s, const char *field, struct field_error *fe)
{
	if (!oidc_url_allowed(s) || strchr(s, '?') || strchr(s, '#'))
		return field_fail(fe, APP_ERR_VALIDATION, field,
		                  "must be an https:// URL without query or fragment (http:// "
		                  "only on a loopback host)");
	return APP_OK;
}

/* Space-separated scope tokens (RFC 6749 §3.3) including openid. */
static enum app_err check_scopes(const char *s, const char *field, struct field_error *fe)
{
	bool openid = false;

	for (const char *p = s; *p;) {
		size_t n = strcspn(p, " ");
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)p[i] < 0x21 || (unsigned char)p[i] > 0x7e ||
			    p[i] == '"' || p[i] == '\\')
				return field_fail(fe, APP_ERR_VALIDATION, field,
				                  "must be space-separated scope names");
		if (n == 6 && !strncmp(p, "openid", 6))
			openid = true;
		p += n;
		while (*p == ' ')
			p++;
	}
	return openid ? APP_OK : field_fail(fe, APP_ERR_VALIDATION, field, "must include openid");
}

static enum app_err check_claim(const char *s, const char *field, struct field_error *fe)
{
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("_-.:/", *p)))
			return field_fail(fe, APP_ERR_VALIDATION, field,
			                  "must be a claim name (letters, digits, _ - . : /)");
	return APP_OK;
}

#define PROVIDER_FIELDS(req_)                                                                      \
	{.name = "display_name",                                                                   \
	 .type = BT_STRING,                                                                        \
	 .required = req_,                                                                         \
	 .null = BN_REFUSE,                                                                        \
	 .min = 1,                                                                                 \
	 .max = 100,                                                                               \
	 .chars = true,                                                                            \
	 .text = true,                                                                             \
	 .doc = "Shown on the login page."},                                                       \
	    {.name = "issuer",                                                                     \
	     .type = BT_STRING,                                                                    \
	     .required = req_,                                                                     \
	     .null = BN_REFUSE,                                                                    \
	     .min = 8,                                                                             \
	     .max = 500,                                                                           \
	     .check = check_issuer,                                                                \
	     .doc = "The provider's issuer URL; its discovery document must name exactly it."},    \
	    {.name = "client_id",                                                                  \
	     .type = BT_STRING,                                                                    \
	     .required = req_,                                                                     \
	     .null = BN_REFUSE,                                                                    \
	     .min = 1,                                                                             \
	     .max = 255,                                                                           \
	     .text = true},                                                                        \
	    {.name = "client_secret",                                                              \
	     .type = BT_STRING,                                                                    \
	     .null = BN_ALLOW,                                                                     \
	     .min = 1,                                                                             \
	     .max = 1000,                                                                          \
	     .text = true,                                                                         \
	     .doc = "Stored sealed, never answered (has_secret says whether one is set); null "    \
	            "clears it (a public client)."},                                               \
	    {.name = "scopes",                                                                     \
	     .type = BT_STRING,                                                                    \
	     .null = BN_REFUSE,                                                                    \
	     .min = 6,                                                                             \
	     .max = 500,                                                                           \
	     .check = check_scopes,                                                                \
	     .doc = "Default \"openid profile email\"; must include openid."},                     \
	    {.name = "username_claim",                                                             \
	     .type = BT_STRING,                                                                    \
	     .null = BN_REFUSE,                                                                    \
	     .min = 1,                                                                             \
	     .max = 64,                                                                            \
	     .check = check_claim,                                                                 \
	     .doc = "Default preferred_username."},                                                \
	    {.name = "email_claim",                                                                \
	     .type = BT_STRING,                                                                    \
	     .null = BN_REFUSE,                                                                    \
	     .min = 1,                                                                             \
	     .max = 64,                                                                            \
	     .check = check_claim,                                                                 \
	     .doc = "Default email."},                                                             \
	    {.name = "display_name_claim",                                                         \
	     .type = BT_STRING,                                                                    \
	     .null = BN_REFUSE,                                                                    \
	     .min = 1,                                                                             \
	     .max = 64,                                                                            \
	     .check = check_claim,                                                                 \
	     .doc = "Default name."},                                                              \
	    {.name = "roles_claim",                                                                \
	     .type = BT_STRING,                                                                    \
	     .null = BN_ALLOW,                                                                     \
	     .min = 1,                                                                             \
	     .max = 64,                                                                            \
	     .check = check_claim,                                                                 \
	     .doc = "A claim holding group or role names (a string or an array of strings)."},     \
	    {.name = "role_map",                                                                   \
	     .type = BT_OBJECT,                                                                    \
	     .null = BN_REFUSE,                                                                    \
	     .doc = "Value of roles_claim → Revenge role, for accounts this provider creates; "  \
	            "the first value of the claim that maps wins, none gives auth.default_role."}, \
	    {.name = "auto_create",                                                                \
	     .type = BT_BOOL,                                                                      \
	     .null = BN_REFUSE,                                                                    \
	     .doc = "Create an account on the first login of an unknown subject."},                \
	    {.name = "enabled", .type = BT_BOOL, .null = BN_REFUSE},                               \
	{                                                                                          \
		.name = "is_default", .type = BT_BOOL, .null = BN_REFUSE,                          \
		.doc = "The login page's first choice; at most one provider."                      \
	}

const struct body_field oidc_provider_create_body[] = {
    {.name = "slug",
     .type = BT_STRING,
     .required = true,
     .min = 1,
     .max = 32,
     .check = check_slug,
     .doc = "In the callback URL: /api/v1/auth/oidc/{slug}/callback."},
    PROVIDER_FIELDS(true),
    {0},
};
const struct body_field oidc_provider_update_body[] = {
    PROVIDER_FIELDS(false),
    {0},
};

/* Every value of role_map a role the caller may grant (a provider mapping
 * a group to admin grants admin to whoever the provider says). */
static enum app_err check_role_map(struct request *req, const cJSON *map, const char **text,
                                   struct field_error *fe)
{
	const cJSON *v;
	enum app_err e;
	int n = 0;

	*text = NULL;
	if (!map)
		return APP_OK;
	cJSON_ArrayForEach(v, map)
	{
		const char *field = arena_printf(req->arena, "role_map.%.40s", v->string);
		if (++n > 100)
			return field_fail(fe, APP_ERR_VALIDATION, "role_map",
			                  "has over 100 members");
		if (!*v->string || strlen(v->string) > 200)
			return field_fail(fe, APP_ERR_VALIDATION, "role_map",
			                  "keys must be 1 to 200 bytes");
		if (!cJSON_IsString(v))
			return field_fail(fe, APP_ERR_VALIDATION, field, "must be a role name");
		if ((e = rbac_check_grantable(req, v->valuestring, field, fe)))
			return e;
	}
	char *s = cJSON_PrintUnformatted(map);
	*text = s ? arena_strdup(req->arena, s) : NULL;
	free(s);
	return *text ? APP_OK : APP_ERR_NOMEM;
}

const char *oidc_secret_aad(struct arena *a, const char *provider_id)
{
	return arena_printf(a, "oidc:%s:client_secret", provider_id);
}

/* The sealed form of the body's client_secret for provider id (NULL when
 * not given). */
static enum app_err seal_secret(struct request *req, const char *id, const char **sealed,
                                struct field_error *fe)
{
	const char *plain = req_body_str(req, "client_secret");
	unsigned char key[32];

	*sealed = NULL;
	if (!plain)
		return APP_OK;
	if (crypto_key_parse(req->app->cfg->auth_secret_key, key))
		return field_fail(fe, APP_ERR_CONFLICT, "client_secret",
		                  "cannot be stored: auth.secret_key is not set on this server");
	char *s = crypto_seal_text(key, oidc_secret_aad(req->arena, id), plain);
	OPENSSL_cleanse(key, sizeof(key));
	*sealed = s ? arena_strdup(req->arena, s) : NULL;
	free(s);
	return *sealed ? APP_OK : APP_ERR_NOMEM;
}

enum app_err oidc_provider_secret(struct request *req, const PGresult *r, char **out,
                                  struct field_error *fe)
{
	unsigned char key[32];

	*out = NULL;
	if (PQgetisnull(r, 0, OC_SECRET))
		return APP_OK;
	if (crypto_key_parse(req->app->cfg->auth_secret_key, key))
		return field_fail(fe, APP_ERR_CONFLICT, "client_secret",
		                  "cannot be read: auth.secret_key is not set on this server");
	*out = crypto_open_text(key, oidc_secret_aad(req->arena, PQgetvalue(r, 0, OC_ID)),
	                        PQgetvalue(r, 0, OC_SECRET));
	OPENSSL_cleanse(key, sizeof(key));
	return *out ? APP_OK
	            : field_fail(fe, APP_ERR_CONFLICT, "client_secret",
	                         "cannot be read (auth.secret_key changed?): set it again");
}

enum app_err oidc_provider_load(struct request *req, const char *slug, bool enabled_only,
                                PGresult **out, struct field_error *fe)
{
	const char *p[] = {slug};
	enum app_err e;

	if ((e = db_query(req->app->db, req->arena, &q_load, p, out)))
		return e;
	if (PQntuples(*out) != 1 || (enabled_only && PQgetvalue(*out, 0, OC_ENABLED)[0] != 't'))
		return field_fail(fe, APP_ERR_NOT_FOUND, "slug", "no %sprovider has this slug",
		                  enabled_only ? "enabled " : "");
	return APP_OK;
}

static void provider_json(struct jw *w, const PGresult *r, int row)
{
	static const struct {
		const char *key;
		int col;
	} strs[] = {{"id", OC_ID},
	            {"slug", OC_SLUG},
	            {"display_name", OC_DISPLAY_NAME},
	            {"issuer", OC_ISSUER},
	            {"client_id", OC_CLIENT_ID},
	            {"scopes", OC_SCOPES},
	            {"username_claim", OC_USERNAME_CLAIM},
	            {"email_claim", OC_EMAIL_CLAIM},
	            {"display_name_claim", OC_DISPLAY_CLAIM},
	            {"roles_claim", OC_ROLES_CLAIM}};

	jw_obj_open(w);
	for (size_t i = 0; i < sizeof(strs) / sizeof(*strs); i++)
		jw_kstr(w, strs[i].key,
		        PQgetisnull(r, row, strs[i].col) ? NULL : PQgetvalue(r, row, strs[i].col));
	jw_kbool(w, "has_secret", !PQgetisnull(r, row, OC_SECRET));
	jw_key(w, "role_map");
	jw_raw(w, PQgetvalue(r, row, OC_ROLE_MAP), (size_t)PQgetlength(r, row, OC_ROLE_MAP));
	jw_kbool(w, "auto_create", PQgetvalue(r, row, OC_AUTO_CREATE)[0] == 't');
	jw_kbool(w, "enabled", PQgetvalue(r, row, OC_ENABLED)[0] == 't');
	jw_kbool(w, "is_default", PQgetvalue(r, row, OC_DEFAULT)[0] == 't');
	jw_kstr(w, "created_at", PQgetvalue(r, row, OC_CREATED));
	jw_kstr(w, "updated_at", PQgetvalue(r, row, OC_UPDATED));
	jw_obj_close(w);
}

/* The provider as JSON text (arena), for audit rows. */
static const char *provider_text(struct request *req, const PGresult *r)
{
	struct buf b;
	struct jw w;
	const char *s;

	buf_init(&b, 64 * 1024);
	jw_init(&w, &b);
	provider_json(&w, r, 0);
	s = buf_ok(&b) ? arena_strdup(req->arena, b.data) : NULL;
	buf_release(&b);
	return s;
}

/* 409 naming the member a unique index is about. */
static enum app_err conflict(struct request *req, struct field_error *fe)
{
	const char *c = db_last_constraint(req->app->db);

	if (c && strstr(c, "one_default"))
		return field_fail(fe, APP_ERR_CONFLICT, "is_default",
		                  "another provider is the default; unset it first");
	return field_fail(fe, APP_ERR_CONFLICT, "slug", "is taken");
}

enum app_err oidc_admin_list(struct request *req, struct response *res, struct field_error *fe)
{
	(void)fe;
	return db_items_json(req->app->db, req->arena, &q_list, NULL, &res->body, provider_json);
}

/* A provider as the login page shows it (q_public). */
static void public_json(struct jw *w, const PGresult *r, int i)
{
	jw_obj_open(w);
	jw_kstr(w, "slug", PQgetvalue(r, i, 0));
	jw_kstr(w, "display_name", PQgetvalue(r, i, 1));
	jw_kbool(w, "is_default", PQgetvalue(r, i, 2)[0] == 't');
	jw_kstr(w, "authorize_url", PQgetvalue(r, i, 3));
	jw_obj_close(w);
}

enum app_err oidc_public_list(struct request *req, struct response *res, struct field_error *fe)
{
	(void)fe;
	return db_items_json(req->app->db, req->arena, &q_public, NULL, &res->body, public_json);
}

enum app_err oidc_admin_get(struct request *req, struct response *res, struct field_error *fe)
{
	PGresult *r;
	struct jw w;
	enum app_err e;

	if ((e = oidc_provider_load(req, req_path(req, "slug")->str, false, &r, fe)))
		return e;
	jw_init(&w, &res->body);
	provider_json(&w, r, 0);
	return APP_OK;
}

static const char *body_bool(struct request *req, const char *name)
{
	bool v;
	return req_body_bool(req, name, &v) ? (v ? "true" : "false") : NULL;
}

enum app_err oidc_admin_create(struct request *req, struct response *res, struct field_error *fe)
{
	const char *role_map, *sealed;
	char id[37];
	int64_t count;
	PGresult *r, *c;
	struct jw w;
	enum app_err e;

	if (uuid_v4(id))
		return APP_ERR_INTERNAL;
	if ((e = check_role_map(req, req_body(req, "role_map"), &role_map, fe)) ||
	    (e = seal_secret(req, id, &sealed, fe)))
		return e;
	const char *p[] = {id,
	                   req_body_str(req, "slug"),
	                   req_body_str(req, "display_name"),
	                   req_body_str(req, "issuer"),
	                   req_body_str(req, "client_id"),
	                   sealed,
	                   req_body_str(req, "scopes"),
	                   req_body_str(req, "username_claim"),
	                   req_body_str(req, "email_claim"),
	                   req_body_str(req, "display_name_claim"),
	                   req_body_str(req, "roles_claim"),
	                   role_map,
	                   body_bool(req, "auto_create"),
	                   body_bool(req, "enabled"),
	                   body_bool(req, "is_default")};
	if ((e = db_query(req->app->db, req->arena, &q_count, NULL, &c)) ||
	    (e = db_get_int64(c, 0, 0, &count)))
		return e;
	if (count >= PROVIDERS_MAX)
		return field_fail(fe, APP_ERR_CONFLICT, "slug",
		                  "at most %d providers can be set up", PROVIDERS_MAX);
	if ((e = db_begin(req->app->db)))
		return e;
	if ((e = db_query(req->app->db, req->arena, &q_insert, p, &r))) {
		db_rollback(req->app->db);
		return e == APP_ERR_CONFLICT ? conflict(req, fe) : e;
	}
	struct audit_entry a = {NULL, "admin.oidc_provider.create", "oidc_provider", id, true, NULL,
	                        NULL, provider_text(req, r)};
	if ((e = audit_write(req, &a)) || (e = db_commit(req->app->db))) {
		db_rollback(req->app->db);
		return e;
	}
	res->status = 201;
	jw_init(&w, &res->body);
	provider_json(&w, r, 0);
	return APP_OK;
}

enum app_err oidc_admin_update(struct request *req, struct response *res, struct field_error *fe)
{
	const char *slug = req_path(req, "slug")->str, *role_map, *sealed = NULL;
	const char *issuer = req_body_str(req, "issuer");
	PGresult *old, *lock, *r;
	int64_t links;
	struct jw w;
	enum app_err e;
	const char *sp[] = {slug};

	if ((e = oidc_provider_load(req, slug, false, &old, fe)) ||
	    (e = check_role_map(req, req_body(req, "role_map"), &role_map, fe)) ||
	    (e = seal_secret(req, PQgetvalue(old, 0, OC_ID), &sealed, fe)))
		return e;
	bool secret_given = req_body(req, "client_secret") != NULL,
	     roles_given = req_body(req, "roles_claim") != NULL;
	const char *p[] = {slug,
	                   req_body_str(req, "display_name"),
	                   issuer,
	                   req_body_str(req, "client_id"),
	                   secret_given ? "true" : "false",
	                   sealed,
	                   req_body_str(req, "scopes"),
	                   req_body_str(req, "username_claim"),
	                   req_body_str(req, "email_claim"),
	                   req_body_str(req, "display_name_claim"),
	                   roles_given ? "true" : "false",
	                   req_body_str(req, "roles_claim"),
	                   role_map,
	                   body_bool(req, "auto_create"),
	                   body_bool(req, "enabled"),
	                   body_bool(req, "is_default")};
	if ((e = db_begin(req->app->db)))
		return e;
	if ((e = db_query(req->app->db, req->arena, &q_lock, sp, &lock)))
		goto rollback;
	if (PQntuples(lock) != 1) {
		e = field_fail(fe, APP_ERR_NOT_FOUND, "slug", "no provider has this slug");
		goto rollback;
	}
	/* a subject is unique only at its issuer: accounts linked at one
	 * issuer must not be reached by the subjects of another */
	if ((e = db_get_int64(lock, 0, 2, &links)))
		goto rollback;
	if (issuer && strcmp(issuer, PQgetvalue(lock, 0, 1)) && links > 0) {
		e = field_fail(fe, APP_ERR_CONFLICT, "issuer",
		               "cannot change while accounts are linked to this provider; set up "
		               "a new provider instead");
		goto rollback;
	}
	if ((e = db_query(req->app->db, req->arena, &q_update, p, &r))) {
		if (e == APP_ERR_CONFLICT)
			e = conflict(req, fe);
		goto rollback;
	}
	struct audit_entry a = {
	    NULL, "admin.oidc_provider.update", "oidc_provider",      PQgetvalue(r, 0, OC_ID), true,
	    NULL, provider_text(req, old),      provider_text(req, r)};
	if ((e = audit_write(req, &a)) || (e = db_commit(req->app->db)))
		goto rollback;
	jw_init(&w, &res->body);
	provider_json(&w, r, 0);
	return APP_OK;
rollback:
	db_rollback(req->app->db);
	return e;
}

enum app_err oidc_admin_delete(struct request *req, struct response *res, struct field_error *fe)
{
	const char *slug = req_path(req, "slug")->str;
	PGresult *old, *r;
	enum app_err e;
	const char *p[] = {slug};

	if ((e = oidc_provider_load(req, slug, false, &old, fe)))
		return e;
	if ((e = db_begin(req->app->db)))
		return e;
	if ((e = db_query(req->app->db, req->arena, &q_delete, p, &r)))
		goto rollback;
	if (PQntuples(r) != 1) {
		e = field_fail(fe, APP_ERR_NOT_FOUND, "slug", "no provider has this slug");
		goto rollback;
	}
	/* the provider's links go with it (ON DELETE CASCADE) */
	struct audit_entry a = {NULL,
	                        "admin.oidc_provider.delete",
	                        "oidc_provider",
	                        PQgetvalue(r, 0, 0),
	                        true,
	                        NULL,
	                        provider_text(req, old),
	                        NULL};
	if ((e = audit_write(req, &a)) || (e = db_commit(req->app->db)))
		goto rollback;
	res->status = 204;
	return APP_OK;
rollback:
	db_rollback(req->app->db);
	return e;
}
