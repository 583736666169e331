/*
 * oidc_flow: the authorization-code flow (state, nonce, PKCE S256) and
 * what its callback does with a verified ID token: log in the linked
 * account, create one, or link the identity to the caller (see oidc.h and
 * docs/internals/oidc.md).
 */
#include "auth/oidc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>

#include "app.h"
#include "auth/audit.h"
#include "auth/auth.h"
#include "auth/handlers.h"
#include "auth/jws.h"
#include "auth/oidc_client.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/log.h"
#include "settings/settings.h"
#include "users/user.h"

const struct param_spec oidc_authorize_query[] = {
    {"redirect", PT_STRING, false, 1, 1000, NULL,
     "A local path (/…) to return to after the login; default /."},
    {NULL},
};
const struct param_spec oidc_callback_query[] = {
    {"code", PT_STRING, false, 1, 2048, NULL, "The authorization code."},
    {"state", PT_STRING, false, 1, 256, NULL, "The state the flow began with."},
    {"iss", PT_STRING, false, 1, 500, NULL, "The issuer (RFC 9207); must be the provider's."},
    {"error", PT_STRING, false, 1, 100, NULL, "The provider's refusal."},
    {"error_description", PT_STRING, false, 1, 1000, NULL, NULL},
    {"session_state", PT_STRING, false, 1, 256, NULL, NULL},
    {NULL},
};

/* $1 state hash: expired rows go whenever a flow begins */
static const struct db_stmt q_state_add = {
    "oidc_state_add",
    "WITH old AS (DELETE FROM oidc_states WHERE expires_at < now())"
    " INSERT INTO oidc_states (state_sha256, provider_id, nonce, code_verifier, redirect,"
    " link_user_id, browser_sha256) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    7, false};
/* single use: the row is gone whether the rest of the callback succeeds */
static const struct db_stmt q_state_take = {
    "oidc_state_take",
    "DELETE FROM oidc_states WHERE state_sha256 = $1 AND provider_id = $2"
    " AND browser_sha256 = $3"
    " RETURNING nonce, code_verifier, redirect, link_user_id, expires_at > now()",
    3, false};
static const struct db_stmt q_identity = {
    "oidc_identity",
    "SELECT i.user_id, u.is_active FROM user_identities i JOIN users u ON u.id = i.user_id"
    " WHERE i.provider_id = $1 AND i.subject = $2 AND u.deleted_at IS NULL",
    2, true};
static const struct db_stmt q_identity_add = {
    "oidc_identity_add",
    "INSERT INTO user_identities (user_id, provider_id, subject, email, last_login_at)"
    " VALUES ($1, $2, $3, $4, CASE WHEN $5::boolean THEN now() END) RETURNING id",
    5, false};
static const struct db_stmt q_identity_seen = {
    "oidc_identity_seen",
    "UPDATE user_identities SET last_login_at = now(), email = $3"
    " WHERE provider_id = $1 AND subject = $2",
    3, false};
/* the links of deleted accounts give way to a new account */
static const struct db_stmt q_identity_stale = {
    "oidc_identity_stale",
    "DELETE FROM user_identities i USING users u WHERE i.provider_id = $1 AND i.subject = $2"
    " AND u.id = i.user_id AND u.deleted_at IS NOT NULL",
    2, false};
static const struct db_stmt q_email_taken = {
    "oidc_email_taken", "SELECT 1 FROM users WHERE lower(email) = lower($1) AND deleted_at IS NULL",
    1, true};
static const struct db_stmt q_username_taken = {
    "oidc_username_taken",
    "SELECT 1 FROM users WHERE lower(username) = lower($1) AND deleted_at IS NULL", 1, true};
static const struct db_stmt q_set_verified = {
    "oidc_set_verified", "UPDATE users SET email_verified = $2::boolean WHERE id = $1", 2, false};
static const struct db_stmt q_identities = {
    "oidc_identities",
    "SELECT i.id, p.slug, p.display_name, i.email, " SQL_TS("i.created_at") ", " SQL_TS(
        "i.last_login_at") " FROM user_identities i JOIN oidc_providers p ON p.id = i.provider_id"
                           " WHERE i.user_id = $1 ORDER BY i.created_at, i.id",
    1, true};
static const struct db_stmt q_identity_del = {
    "oidc_identity_del",
    "DELETE FROM user_identities i USING oidc_providers p WHERE i.id = $1 AND i.user_id = $2"
    " AND p.id = i.provider_id RETURNING p.slug",
    2, false};

const struct body_field oidc_identities_link_body[] = {
    {.name = "provider",
     .type = BT_STRING,
     .required = true,
     .min = 1,
     .max = 32,
     .doc = "The slug of an enabled provider."},
    {.name = "redirect",
     .type = BT_STRING,
     .min = 1,
     .max = 1000,
     .doc = "A local path (/…) to return to once linked; default /."},
    {0},
};

/* --- helpers ---------------------------------------------------------------------- */

/* Binds a flow to the browser that began it (SameSite=Lax: sent on the
 * provider's top-level redirect back, unlike the Strict session cookie). */
#define OIDC_COOKIE "revenge_oidc"

/* A fresh 256-bit random value as 43 characters of base64url (arena). */
static const char *random_token(struct arena *a)
{
	unsigned char raw[32];
	char *out = arena_alloc(a, 44);

	if (!out || crypto_random(raw, sizeof(raw)) < 0)
		return NULL;
	base64url_encode(raw, sizeof(raw), out);
	return out;
}

static const char *state_hash_hex(struct arena *a, const char *state)
{
	unsigned char h[32];
	char *hex = arena_alloc(a, 68);

	if (!hex)
		return NULL;
	crypto_sha256(state, strlen(state), h);
	hex[0] = '\\';
	hex[1] = 'x';
	hex_encode(h, sizeof(h), hex + 2);
	return hex;
}

/* The browser cookie of a flow: the caller's when it has a well-formed
 * one (several flows of one browser share it), else a new one. */
static const char *browser_token(struct request *req)
{
	const char *c = auth_cookie(req, OIDC_COOKIE);
	size_t n = c ? strlen(c) : 0;

	if (n == 43 &&
	    strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == n)
		return c;
	return random_token(req->arena);
}

/* RFC 3986 unreserved characters stay, every other byte is %XX. */
static void url_escape(struct buf *b, const char *s)
{
	static const char hexd[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    strchr("-._~", c))
			buf_putc(b, (char)c);
		else
			buf_printf(b, "%%%c%c", hexd[c >> 4], hexd[c & 15]);
	}
}

/* A path of this server to return to: one leading /, not //, no
 * backslash (browsers read "/\evil.example" as another host). */
static bool local_path(const char *p)
{
	return p[0] == '/' && p[1] != '/' && p[1] != '\\' && !strchr(p, '\\');
}

/* Where the provider sends the browser back to for provider slug. */
static const char *callback_url(struct request *req, const char *slug)
{
	const struct config *cfg = req->app->cfg;

	if (cfg->http_public_url)
		return arena_printf(req->arena, "%s/api/v1/auth/oidc/%s/callback",
		                    cfg->http_public_url, slug);
	return arena_printf(req->arena, "https://%s/api/v1/auth/oidc/%s/callback",
	                    cfg->http_server_name, slug);
}

/* Store a new flow for provider r and build the provider's authorization
 * URL into *url. link_user: the user the identity is to be linked to, or
 * NULL for a login. */
static enum app_err begin_flow(struct request *req, struct response *res, const PGresult *r,
                               const char *redirect, const char *link_user, const char **url,
                               struct field_error *fe)
{
	const char *slug = PQgetvalue(r, 0, OC_SLUG);
	struct oidc_meta m;
	char err[200], challenge[44];
	unsigned char h[32];
	struct buf b;
	enum app_err e;

	if (!redirect)
		redirect = "/";
	if (!local_path(redirect))
		return field_fail(fe, APP_ERR_VALIDATION, "redirect",
		                  "must be a path of this server (/…)");
	if ((e = oidc_discover(PQgetvalue(r, 0, OC_ISSUER), &m, err, sizeof(err)))) {
		log_warn("oidc.discovery", "provider %s: %s", slug, err);
		return field_fail(fe, e, "issuer", "%s", err);
	}
	const char *state = random_token(req->arena), *nonce = random_token(req->arena),
	           *verifier = random_token(req->arena), *browser = browser_token(req);
	if (!state || !nonce || !verifier || !browser)
		return APP_ERR_INTERNAL;
	crypto_sha256(verifier, strlen(verifier), h);
	base64url_encode(h, sizeof(h), challenge);
	const char *p[] = {state_hash_hex(req->arena, state),
	                   PQgetvalue(r, 0, OC_ID),
	                   nonce,
	                   verifier,
	                   redirect,
	                   link_user,
	                   state_hash_hex(req->arena, browser)};
	if ((e = db_query(req->app->db, req->arena, &q_state_add, p, NULL)))
		return e;
	res_header(res, "Set-Cookie",
	           arena_printf(req->arena,
	                        "%s=%s; Path=/api/v1/auth/oidc/; Max-Age=600; HttpOnly; "
	                        "SameSite=Lax%s",
	                        OIDC_COOKIE, browser,
	                        req->app->cfg->auth_cookie_secure ? "; Secure" : ""));
	buf_init(&b, 8192);
	buf_puts(&b, m.authorization_endpoint);
	buf_puts(&b, strchr(m.authorization_endpoint, '?') ? "&" : "?");
	buf_puts(&b, "response_type=code&client_id=");
	url_escape(&b, PQgetvalue(r, 0, OC_CLIENT_ID));
	buf_puts(&b, "&redirect_uri=");
	url_escape(&b, callback_url(req, slug));
	buf_puts(&b, "&scope=");
	url_escape(&b, PQgetvalue(r, 0, OC_SCOPES));
	buf_printf(&b, "&state=%s&nonce=%s&code_challenge=%s&code_challenge_method=S256", state,
	           nonce, challenge);
	*url = buf_ok(&b) ? arena_strdup(req->arena, b.data) : NULL;
	buf_release(&b);
	return *url ? APP_OK : APP_ERR_NOMEM;
}

enum app_err oidc_authorize(struct request *req, struct response *res, struct field_error *fe)
{
	const struct param_value *redirect = req_query(req, "redirect");
	const char *url;
	PGresult *r;
	struct jw w;
	enum app_err e;

	if ((e = oidc_provider_load(req, req_path(req, "slug")->str, true, &r, fe)) ||
	    (e = begin_flow(req, res, r, redirect ? redirect->str : NULL, NULL, &url, fe)))
		return e;
	res->status = 302;
	res_header(res, "Location", url);
	res_header(res, "Cache-Control", "no-store");
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	jw_kstr(&w, "authorization_url", url);
	jw_obj_close(&w);
	return APP_OK;
}

/* --- the callback ----------------------------------------------------------------- */

/* What the callback learnt, all in the request's arena. */
struct callback {
	const PGresult *provider;
	const char *provider_id, *slug;
	const char *redirect, *link_user;
	cJSON *claims; /* owned by the jws, released by the caller */
	const char *subject, *username, *email, *display;
	bool email_verified;
};

/* A string claim named by column col of the provider (NULL when the claim
 * is missing or not a string). */
static const char *claim_str(const struct callback *cb, int col)
{
	const cJSON *v;

	if (PQgetisnull(cb->provider, 0, col))
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(cb->claims, PQgetvalue(cb->provider, 0, col));
	return cJSON_IsString(v) && *v->valuestring ? v->valuestring : NULL;
}

/* Exchange the code and verify the ID token into *j (the caller releases
 * it); 401 naming code or id_token otherwise. */
static enum app_err verify_token(struct request *req, struct callback *cb, const char *code,
                                 const char *verifier, const char *nonce, struct jws *j,
                                 struct field_error *fe)
{
	const PGresult *r = cb->provider;
	const char *issuer = PQgetvalue(r, 0, OC_ISSUER), *why, *idt;
	char err[200], *secret = NULL;
	const cJSON *jwks;
	cJSON *tok = NULL;
	struct oidc_meta m;
	enum jws_verdict v;
	enum app_err e;

	memset(j, 0, sizeof(*j));
	if ((e = oidc_discover(issuer, &m, err, sizeof(err))))
		return field_fail(fe, e, "issuer", "%s", err);
	if ((e = oidc_provider_secret(req, r, &secret, fe)))
		return e;
	e = oidc_exchange_code(&m, PQgetvalue(r, 0, OC_CLIENT_ID), secret, code,
	                       callback_url(req, cb->slug), verifier, &tok, err, sizeof(err));
	if (secret) {
		OPENSSL_cleanse(secret, strlen(secret));
		free(secret);
	}
	if (e)
		return field_fail(fe, e, "code", "%s", err);
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(tok, "id_token");
	idt = cJSON_IsString(it) ? it->valuestring : NULL;
	if (!idt) {
		cJSON_Delete(tok);
		return field_fail(
		    fe, APP_ERR_UNAUTHORIZED, "id_token",
		    "the provider answered no ID token (is openid among the scopes?)");
	}
	int bad = jws_parse(idt, strlen(idt), j, &why);
	cJSON_Delete(tok);
	if (bad)
		return field_fail(fe, APP_ERR_UNAUTHORIZED, "id_token", "%s", why);
	/* an unknown key may be a rotation: fetch the set once more */
	if ((e = oidc_jwks(&m, false, &jwks, err, sizeof(err))))
		return field_fail(fe, e, "issuer", "%s", err);
	if ((v = jws_verify(j, jwks, &why)) == JWS_NO_KEY) {
		if ((e = oidc_jwks(&m, true, &jwks, err, sizeof(err))))
			return field_fail(fe, e, "issuer", "%s", err);
		v = jws_verify(j, jwks, &why);
	}
	struct idtoken_expect x = {issuer, PQgetvalue(r, 0, OC_CLIENT_ID), nonce,
	                           (long long)time(NULL)};
	if (v != JWS_VALID || idtoken_check(j->payload, &x, &why))
		return field_fail(fe, APP_ERR_UNAUTHORIZED, "id_token", "%s", why);
	cb->claims = j->payload;
	cb->subject = cJSON_GetObjectItemCaseSensitive(j->payload, "sub")->valuestring;
	cb->username = claim_str(cb, OC_USERNAME_CLAIM);
	cb->email = claim_str(cb, OC_EMAIL_CLAIM);
	cb->display = claim_str(cb, OC_DISPLAY_CLAIM);
	cb->email_verified =
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j->payload, "email_verified"));
	if (cb->email && user_check_email(cb->email, "email", NULL))
		cb->email = NULL;
	/* what the account's display_name takes: at most 100 bytes of text */
	if (cb->display && strlen(cb->display) > 100)
		cb->display = NULL;
	for (const char *p = cb->display; p && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			cb->display = NULL;
	return APP_OK;
}

/* The role an account this provider creates gets: the first value of the
 * roles claim the role map names, else auth.default_role. */
static const char *mapped_role(struct request *req, const struct callback *cb)
{
	const char *def = settings_get_string(req, "auth.default_role", "user");
	const cJSON *claim, *v;
	cJSON *map;
	const char *role = NULL;

	if (PQgetisnull(cb->provider, 0, OC_ROLES_CLAIM))
		return def;
	claim = cJSON_GetObjectItemCaseSensitive(cb->claims,
	                                         PQgetvalue(cb->provider, 0, OC_ROLES_CLAIM));
	if (!(map = cJSON_Parse(PQgetvalue(cb->provider, 0, OC_ROLE_MAP))))
		return def;
	if (cJSON_IsString(claim)) {
		v = cJSON_GetObjectItemCaseSensitive(map, claim->valuestring);
		role = cJSON_IsString(v) ? arena_strdup(req->arena, v->valuestring) : NULL;
	} else if (cJSON_IsArray(claim)) {
		const cJSON *c;
		cJSON_ArrayForEach(c, claim)
		{
			if (!cJSON_IsString(c))
				continue;
			v = cJSON_GetObjectItemCaseSensitive(map, c->valuestring);
			if (cJSON_IsString(v)) {
				role = arena_strdup(req->arena, v->valuestring);
				break;
			}
		}
	}
	cJSON_Delete(map);
	return role ? role : def;
}

/* A free username made from the claim (or the subject): the characters
 * usernames allow, 3 to 30 of them, then -2, -3, … when taken. */
static enum app_err free_username(struct request *req, const struct callback *cb, const char **out,
                                  struct field_error *fe)
{
	const char *src = cb->username ? cb->username : cb->subject;
	char base[31];
	size_t n = 0;
	PGresult *r;
	enum app_err e;

	for (const char *p = src; *p && n < 24; p++) {
		char c = *p;
		bool alnum =
		    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (alnum || (n > 0 && strchr("_.-", c)))
			base[n++] = c;
	}
	while (n < 3) {
		base[n] = (char)('0' + n);
		n++;
	}
	base[n] = 0;
	for (int i = 1; i <= 50; i++) {
		const char *cand = i == 1 ? arena_strdup(req->arena, base)
		                          : arena_printf(req->arena, "%s-%d", base, i);
		const char *p[] = {cand};
		if ((e = db_query(req->app->db, req->arena, &q_username_taken, p, &r)))
			return e;
		if (PQntuples(r) == 0) {
			*out = cand;
			return APP_OK;
		}
	}
	return field_fail(fe, APP_ERR_CONFLICT, "username", "no free username near %s", base);
}

/* A new account for the identity, linked to it, in one transaction with
 * its audit row. */
static enum app_err create_account(struct request *req, const struct callback *cb, char user_id[37],
                                   struct field_error *fe)
{
	const char *username = NULL, *role = mapped_role(req, cb);
	unsigned char raw[32];
	char password[44];
	PGresult *r;
	enum app_err e;

	if (!cb->email)
		return field_fail(fe, APP_ERR_UNPROCESSABLE, "email",
		                  "the provider gave no e-mail address (claim %s); an account "
		                  "needs one",
		                  PQgetvalue(cb->provider, 0, OC_EMAIL_CLAIM));
	if ((e = free_username(req, cb, &username, fe)))
		return e;
	/* nobody knows this password: the account logs in through the
	 * provider until its owner sets one by a password reset */
	if (crypto_random(raw, sizeof(raw)) < 0)
		return APP_ERR_INTERNAL;
	base64url_encode(raw, sizeof(raw), password);
	OPENSSL_cleanse(raw, sizeof(raw));
	const char *vp[] = {NULL, cb->email_verified ? "true" : "false"};
	const char *ip[] = {NULL, cb->provider_id, cb->subject, cb->email, "true"};
	const char *nv =
	    arena_printf(req->arena, "{\"provider\":\"%s\",\"role\":\"%s\"}", cb->slug, role);
	struct audit_entry a = {NULL, "user.register", "user", NULL, true, NULL, NULL, nv};
	const char *sp[] = {cb->provider_id, cb->subject};
	if ((e = db_begin(req->app->db)))
		goto out;
	if ((e = db_query(req->app->db, req->arena, &q_identity_stale, sp, NULL)))
		goto rollback;
	if ((e = user_create(req->app, req->arena, username, cb->email, password, cb->display, role,
	                     user_id, fe))) {
		if (e == APP_ERR_VALIDATION)
			e = field_fail(fe, APP_ERR_CONFLICT, "role_map",
			               "maps to role %s, which does not exist", role);
		goto rollback;
	}
	vp[0] = ip[0] = a.user_id = a.resource_id = user_id;
	if ((e = db_query(req->app->db, req->arena, &q_set_verified, vp, NULL)) ||
	    (e = db_query(req->app->db, req->arena, &q_identity_add, ip, &r)) ||
	    (e = audit_write(req, &a)) || (e = db_commit(req->app->db)))
		goto rollback;
	goto out;
rollback:
	db_rollback(req->app->db);
	if (e == APP_ERR_CONFLICT && !fe->field[0])
		e = user_conflict(req, fe);
out:
	OPENSSL_cleanse(password, sizeof(password));
	return e;
}

/* Link the identity to the user who began the flow. */
static enum app_err link_identity(struct request *req, const struct callback *cb,
                                  struct field_error *fe)
{
	const char *ip[] = {cb->link_user, cb->provider_id, cb->subject, cb->email, "false"};
	PGresult *r;
	enum app_err e;

	if ((e = db_begin(req->app->db)))
		return e;
	if ((e = db_query(req->app->db, req->arena, &q_identity_add, ip, &r))) {
		db_rollback(req->app->db);
		return e == APP_ERR_CONFLICT
		           ? field_fail(fe, e, "slug",
		                        "this identity is linked to an account already, or yours "
		                        "is linked to another identity at this provider")
		           : e;
	}
	struct audit_entry a = {cb->link_user,
	                        "user.identity.link",
	                        "user_identity",
	                        PQgetvalue(r, 0, 0),
	                        true,
	                        NULL,
	                        NULL,
	                        arena_printf(req->arena, "{\"provider\":\"%s\"}", cb->slug)};
	if ((e = audit_write(req, &a)) || (e = db_commit(req->app->db))) {
		db_rollback(req->app->db);
		return e;
	}
	return APP_OK;
}

/* The account of the identity: linked, else created when the provider
 * allows, never taken over by a matching e-mail address. */
static enum app_err find_account(struct request *req, const struct callback *cb, char user_id[37],
                                 struct field_error *fe)
{
	const char *ip[] = {cb->provider_id, cb->subject};
	PGresult *r;
	enum app_err e;

	if ((e = db_query(req->app->db, req->arena, &q_identity, ip, &r)))
		return e;
	if (PQntuples(r) == 1) {
		if (PQgetvalue(r, 0, 1)[0] != 't')
			return field_fail(fe, APP_ERR_FORBIDDEN, "", "this account is disabled");
		snprintf(user_id, 37, "%s", PQgetvalue(r, 0, 0));
		return APP_OK;
	}
	/* An account with this address exists: linking it here would hand it
	 * to whoever controls the address at the provider (which may not
	 * verify addresses, or let users change them). Its owner links the
	 * provider after logging in. */
	if (cb->email) {
		const char *ep[] = {cb->email};
		if ((e = db_query(req->app->db, req->arena, &q_email_taken, ep, &r)))
			return e;
		if (PQntuples(r) > 0)
			return field_fail(fe, APP_ERR_CONFLICT, "email",
			                  "an account with this e-mail address exists; log in to "
			                  "it and link the provider from your profile");
	}
	if (PQgetvalue(cb->provider, 0, OC_AUTO_CREATE)[0] != 't')
		return field_fail(fe, APP_ERR_FORBIDDEN, "",
		                  "no account is linked to this identity, and this provider does "
		                  "not create accounts; ask an administrator");
	return create_account(req, cb, user_id, fe);
}

enum app_err oidc_callback(struct request *req, struct response *res, struct field_error *fe)
{
	const struct param_value *state = req_query(req, "state"), *code = req_query(req, "code"),
	                         *iss = req_query(req, "iss"), *error = req_query(req, "error");
	struct callback cb = {0};
	struct jws j = {0};
	char user_id[37];
	PGresult *r, *s;
	enum app_err e;

	if ((e = oidc_provider_load(req, req_path(req, "slug")->str, true, &r, fe)))
		return e;
	cb.provider = r;
	cb.provider_id = PQgetvalue(r, 0, OC_ID);
	cb.slug = PQgetvalue(r, 0, OC_SLUG);
	if (!state)
		return field_fail(fe, APP_ERR_VALIDATION, "state", "is required");
	const char *browser = auth_cookie(req, OIDC_COOKIE);
	if (!browser)
		return field_fail(fe, APP_ERR_UNAUTHORIZED, "state",
		                  "belongs to no flow of this browser (no %s cookie); start the "
		                  "login again",
		                  OIDC_COOKIE);
	const char *sp[] = {state_hash_hex(req->arena, state->str), cb.provider_id,
	                    state_hash_hex(req->arena, browser)};
	if ((e = db_query(req->app->db, req->arena, &q_state_take, sp, &s)))
		return e;
	if (PQntuples(s) != 1 || PQgetvalue(s, 0, 4)[0] != 't')
		return field_fail(fe, APP_ERR_UNAUTHORIZED, "state",
		                  "is unknown, expired, already used or another browser's; start "
		                  "the login again");
	cb.redirect = PQgetvalue(s, 0, 2);
	cb.link_user = PQgetisnull(s, 0, 3) ? NULL : PQgetvalue(s, 0, 3);
	if (error)
		return field_fail(fe, APP_ERR_UNAUTHORIZED, "code", "the provider refused: %s",
		                  error->str);
	if (!code)
		return field_fail(fe, APP_ERR_VALIDATION, "code", "is required");
	/* RFC 9207: an answer from another issuer is a mix-up attack */
	if (iss && strcmp(iss->str, PQgetvalue(r, 0, OC_ISSUER)))
		return field_fail(fe, APP_ERR_UNAUTHORIZED, "iss", "is not this provider's issuer");
	if ((e = verify_token(req, &cb, code->str, PQgetvalue(s, 0, 1), PQgetvalue(s, 0, 0), &j,
	                      fe)))
		goto out;
	if (cb.link_user) {
		if ((e = link_identity(req, &cb, fe)))
			goto out;
	} else {
		if ((e = find_account(req, &cb, user_id, fe)) ||
		    (e = auth_issue_session(req, res, user_id, PQgetvalue(r, 0, OC_DISPLAY_NAME),
		                            true, NULL)))
			goto out;
		/* the session answered JSON with its tokens: a browser follows
		 * the redirect instead, with the cookies */
		buf_reset(&res->body);
		const char *seen[] = {cb.provider_id, cb.subject, cb.email};
		if (db_query(req->app->db, req->arena, &q_identity_seen, seen, NULL))
			log_warn("oidc.seen", "last login of an identity not recorded");
	}
	res->status = 302;
	res_header(res, "Location", cb.redirect);
	res_header(res, "Cache-Control", "no-store");
	struct jw w;
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	jw_kstr(&w, "redirect", cb.redirect);
	jw_obj_close(&w);
out:
	jws_release(&j);
	return e;
}

/* --- the caller's identities ------------------------------------------------------ */

static void identity_json(struct jw *w, const PGresult *r, int i)
{
	jw_obj_open(w);
	jw_kstr(w, "id", PQgetvalue(r, i, 0));
	jw_kstr(w, "provider", PQgetvalue(r, i, 1));
	jw_kstr(w, "provider_name", PQgetvalue(r, i, 2));
	db_json_str(w, "email", r, i, 3);
	jw_kstr(w, "created_at", PQgetvalue(r, i, 4));
	db_json_str(w, "last_login_at", r, i, 5);
	jw_obj_close(w);
}

enum app_err oidc_identities_list(struct request *req, struct response *res, struct field_error *fe)
{
	const char *p[] = {req->who->user_id};

	(void)fe;
	return db_items_json(req->app->db, req->arena, &q_identities, p, &res->body, identity_json);
}

enum app_err oidc_identities_link(struct request *req, struct response *res, struct field_error *fe)
{
	const char *url;
	PGresult *r;
	struct jw w;
	enum app_err e;

	if (req->who->via == AUTH_APIKEY)
		return field_fail(fe, APP_ERR_FORBIDDEN, "X-API-Key",
		                  "an API key cannot link identities; log in");
	if ((e = oidc_provider_load(req, req_body_str(req, "provider"), true, &r, fe))) {
		if (e == APP_ERR_NOT_FOUND)
			e = field_fail(fe, APP_ERR_VALIDATION, "provider",
			               "is not an enabled provider");
		return e;
	}
	if ((e = begin_flow(req, res, r, req_body_str(req, "redirect"), req->who->user_id, &url,
	                    fe)))
		return e;
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	jw_kstr(&w, "authorization_url", url);
	jw_obj_close(&w);
	return APP_OK;
}

enum app_err oidc_identities_delete(struct request *req, struct response *res,
                                    struct field_error *fe)
{
	const char *id = req_path(req, "id")->str;
	const char *p[] = {id, req->who->user_id};
	PGresult *r;
	enum app_err e;

	if ((e = db_begin(req->app->db)))
		return e;
	if ((e = db_query(req->app->db, req->arena, &q_identity_del, p, &r)))
		goto rollback;
	if (PQntuples(r) != 1) {
		e = field_fail(fe, APP_ERR_NOT_FOUND, "id", "is not one of your identities");
		goto rollback;
	}
	struct audit_entry a = {
	    NULL,
	    "user.identity.unlink",
	    "user_identity",
	    id,
	    true,
	    NULL,
	    arena_printf(req->arena, "{\"provider\":\"%s\"}", PQgetvalue(r, 0, 0)),
	    NULL};
	if ((e = audit_write(req, &a)) || (e = db_commit(req->app->db)))
		goto rollback;
	res->status = 204;
	return APP_OK;
rollback:
	db_rollback(req->app->db);
	return e;
}
