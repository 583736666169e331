#include "auth/auth.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "auth/mfa.h"
#include "auth/session.h"
#include "core/crypto.h"

static const struct db_stmt q_perms = {
	"auth_perms",
	"SELECT DISTINCT rp.permission FROM user_roles ur"
	" JOIN role_permissions rp ON rp.role_id = ur.role_id WHERE ur.user_id = $1 ORDER BY 1",
	1, true};

static const struct db_stmt q_live_sessions = {
	"auth_live_sessions",
	"SELECT encode(token_hash, 'hex') FROM sessions WHERE user_id = $1 AND revoked_at IS NULL"
	" AND expires_at > now()",
	1, true};

static const struct db_stmt q_role_users = {
	"auth_role_users", "SELECT user_id FROM user_roles WHERE role_id = $1", 1, true};

static const struct db_stmt q_apikey = {
	"auth_apikey",
	"SELECT k.id, k.user_id, 'read' = ANY (k.scopes), 'write' = ANY (k.scopes),"
	" 'admin' = ANY (k.scopes) FROM api_keys k JOIN users u ON u.id = k.user_id"
	" WHERE k.key_hash = decode($1, 'hex') AND k.revoked_at IS NULL"
	" AND (k.expires_at IS NULL OR k.expires_at > now()) AND u.is_active AND u.deleted_at IS NULL",
	1, true};

static const struct db_stmt q_apikey_used = {
	"auth_apikey_used",
	"UPDATE api_keys SET last_used_at = now() WHERE id = $1"
	" AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')",
	1, true};

/* What the built-in `user` role holds: everything else is an admin route. */
static const char *const user_perms[] = {
	"profile:read",      "profile:update",     "movies:list",        "movies:get",
	"tvshows:list",      "tvshows:get",        "libraries:list",     "libraries:get",
	"playback:stream",   "playback:progress",  "requests:list",      "requests:get",
	"requests:create",   "settings:user_read", "settings:user_write", NULL};

bool auth_is_user_permission(const char *perm)
{
	for (int i = 0; user_perms[i]; i++)
		if (!strcmp(user_perms[i], perm))
			return true;
	return false;
}

void auth_csrf_for(const char *access_token, char out[44])
{
	unsigned char mac[32];
	crypto_hmac_sha256(access_token, strlen(access_token), "revenge csrf", 12, mac);
	base64url_encode(mac, sizeof(mac), out);
}

/* The value of cookie `name` in a Cookie header, copied into the arena. */
static const char *cookie_value(struct request *req, const char *name)
{
	const char *h = req_header(req, "Cookie"), *p = h;
	size_t n = strlen(name);

	while (p && *p) {
		while (*p == ' ' || *p == ';')
			p++;
		if (!strncmp(p, name, n) && p[n] == '=') {
			const char *v = p + n + 1;
			return arena_strndup(req->arena, v, strcspn(v, ";"));
		}
		p = strchr(p, ';');
	}
	return NULL;
}

static enum app_err resolve_api_key(struct request *req, const char *key, struct principal *who)
{
	unsigned char h[32];
	char hex[65];
	PGresult *r;
	enum app_err e;

	if (strlen(key) != 67 || strncmp(key, "rv_", 3))
		return APP_ERR_UNAUTHORIZED;
	for (int i = 3; i < 67; i++)
		if (!strchr("0123456789abcdef", key[i]))
			return APP_ERR_UNAUTHORIZED;
	crypto_sha256(key, 67, h);
	hex_encode(h, 32, hex);
	const char *params[] = {hex};
	if ((e = db_query(req->app->db, req->arena, &q_apikey, params, &r)))
		return e;
	if (PQntuples(r) != 1)
		return APP_ERR_UNAUTHORIZED;
	snprintf(who->api_key_id, sizeof(who->api_key_id), "%s", PQgetvalue(r, 0, 0));
	snprintf(who->user_id, sizeof(who->user_id), "%s", PQgetvalue(r, 0, 1));
	who->scopes = (PQgetvalue(r, 0, 2)[0] == 't' ? SCOPE_READ : 0) |
		      (PQgetvalue(r, 0, 3)[0] == 't' ? SCOPE_WRITE : 0) |
		      (PQgetvalue(r, 0, 4)[0] == 't' ? SCOPE_ADMIN : 0);
	const char *up[] = {who->api_key_id};
	db_query(req->app->db, req->arena, &q_apikey_used, up, NULL);
	return APP_OK;
}

enum app_err auth_authenticate(struct request *req, struct principal *who,
			       struct field_error *fe)
{
	const char *authz = req_header(req, "Authorization");
	const char *key = req_header(req, "X-API-Key");
	const char *cookie;
	enum app_err e;

	memset(who, 0, sizeof(*who));
	if (authz) {
		if (strncmp(authz, "Bearer ", 7))
			return field_fail(fe, APP_ERR_UNAUTHORIZED, "Authorization",
					  "must be a Bearer token");
		who->via = AUTH_BEARER;
		who->scopes = SCOPE_READ | SCOPE_WRITE | SCOPE_ADMIN;
		e = session_resolve(req, authz + 7, who);
	} else if (key) {
		who->via = AUTH_APIKEY;
		e = resolve_api_key(req, key, who);
	} else if ((cookie = cookie_value(req, SESSION_COOKIE))) {
		who->via = AUTH_COOKIE;
		who->scopes = SCOPE_READ | SCOPE_WRITE | SCOPE_ADMIN;
		e = session_resolve(req, cookie, who);
		/* a browser sends cookies with any cross-site request; only a page
		 * that could read the CSRF cookie can send the matching header */
		if (!e && req->method != HTTP_GET && req->method != HTTP_HEAD) {
			const char *sent = req_header(req, CSRF_HEADER);
			char want[44];
			auth_csrf_for(cookie, want);
			if (!sent || strlen(sent) != strlen(want) ||
			    !crypto_equal(sent, want, strlen(want)))
				return field_fail(fe, APP_ERR_FORBIDDEN, CSRF_HEADER,
						  "is missing or wrong (cookie requests that change "
						  "state must carry it)");
		}
	} else {
		return field_fail(fe, APP_ERR_UNAUTHORIZED, "", "authentication required");
	}
	if (e == APP_ERR_UNAUTHORIZED)
		return field_fail(fe, APP_ERR_UNAUTHORIZED, "",
				  "the credentials are invalid, expired or revoked");
	return e;
}

bool auth_has(const struct principal *who, const char *perm)
{
	if (who->admin)
		return true;
	for (int i = 0; i < who->nperms; i++)
		if (!strcmp(who->perms[i], perm))
			return true;
	return false;
}

enum app_err auth_set_permissions(struct request *req, struct principal *who, const char *list)
{
	char *copy = arena_strdup(req->arena, list), *save = NULL;
	int n = 1;

	if (!copy)
		return APP_ERR_NOMEM;
	for (const char *p = list; *p; p++)
		n += *p == ' ';
	who->perms = arena_calloc(req->arena, (size_t)n, sizeof(*who->perms));
	if (!who->perms)
		return APP_ERR_NOMEM;
	who->nperms = 0;
	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		who->perms[who->nperms++] = t;
		if (!strcmp(t, "admin:*"))
			who->admin = true;
	}
	who->perms_loaded = true;
	return APP_OK;
}

char *auth_generation_key(struct app *app, struct arena *a, const char *user_id)
{
	return arena_printf(a, "%sgen:%s", app->cfg->redis_prefix, user_id);
}

const char *auth_generation(struct request *req, const char *user_id)
{
	const char *argv[] = {"GET", auth_generation_key(req->app, req->arena, user_id)};
	redisReply *r = NULL;

	if (!argv[1] || cache_cmd(req->app->cache, req->arena, &r, 2, argv, NULL))
		return NULL;
	return r->type == REDIS_REPLY_STRING ? r->str : "0";
}

enum app_err auth_permission_list(struct request *req, const char *user_id, const char **list,
				  const char **gen)
{
	struct app *app = req->app;
	char *key = arena_printf(req->arena, "%sperms:%s", app->cfg->redis_prefix, user_id);
	char *gkey = auth_generation_key(app, req->arena, user_id);
	const char *g = NULL;
	redisReply *rep = NULL;
	struct buf b;
	PGresult *r;
	enum app_err e;

	if (!key || !gkey)
		return APP_ERR_NOMEM;
	/* the set and the generation in one round trip; the generation is
	 * read before PostgreSQL is */
	const char *mget[] = {"MGET", key, gkey};
	if (!cache_cmd(app->cache, req->arena, &rep, 3, mget, NULL) && rep->type == REDIS_REPLY_ARRAY &&
	    rep->elements == 2) {
		g = rep->element[1]->type == REDIS_REPLY_STRING ? rep->element[1]->str : "0";
		if (rep->element[0]->type == REDIS_REPLY_STRING) {
			*list = rep->element[0]->str;
			if (gen)
				*gen = g;
			return APP_OK;
		}
	}
	if (gen)
		*gen = g;
	const char *params[] = {user_id};
	if ((e = db_query(app->db, req->arena, &q_perms, params, &r)))
		return e;
	buf_init(&b, 64 * 1024);
	for (int i = 0; i < PQntuples(r); i++) {
		if (i)
			buf_putc(&b, ' ');
		buf_puts(&b, PQgetvalue(r, i, 0));
	}
	if (g)
		cache_set_guarded(app->cache, gkey, g, key, b.data, app->cfg->auth_session_cache_ttl,
				  NULL);
	*list = arena_strdup(req->arena, b.data);
	buf_release(&b);
	return *list ? APP_OK : APP_ERR_NOMEM;
}

enum app_err auth_load_permissions(struct request *req, struct principal *who)
{
	const char *list;
	enum app_err e;

	if (who->perms_loaded)
		return APP_OK; /* came with the cached session */
	if ((e = auth_permission_list(req, who->user_id, &list, NULL)))
		return e;
	return auth_set_permissions(req, who, list);
}

void auth_forget_permissions(struct app *app, struct arena *a, const char *user_id,
			     const char *role_id)
{
	PGresult *r;

	if (user_id) {
		const char *incr[] = {"INCR", auth_generation_key(app, a, user_id)};
		const char *argv[] = {"DEL", arena_printf(a, "%sperms:%s", app->cfg->redis_prefix, user_id)};
		const char *params[] = {user_id};
		if (incr[1])
			cache_cmd(app->cache, NULL, NULL, 2, incr, NULL);
		if (argv[1])
			cache_cmd(app->cache, NULL, NULL, 2, argv, NULL);
		/* cached sessions carry the permission set too */
		if (db_query(app->db, a, &q_live_sessions, params, &r))
			return;
		for (int i = 0; i < PQntuples(r); i++) {
			const char *del[] = {"DEL", arena_printf(a, "%ssess:%s", app->cfg->redis_prefix,
								 PQgetvalue(r, i, 0))};
			if (del[1])
				cache_cmd(app->cache, NULL, NULL, 2, del, NULL);
		}
		return;
	}
	const char *params[] = {role_id};
	if (db_query(app->db, a, &q_role_users, params, &r))
		return;
	for (int i = 0; i < PQntuples(r); i++)
		auth_forget_permissions(app, a, PQgetvalue(r, i, 0), NULL);
}

/* API keys: read covers safe methods; write the rest; admin routes (whose
 * permission the plain `user` role does not hold) need the admin scope. */
static bool scope_allows(const struct principal *who, const struct route *route)
{
	bool safe = route->method == HTTP_GET || route->method == HTTP_HEAD;

	if (who->via != AUTH_APIKEY)
		return true;
	if (!auth_is_user_permission(route->permission) && !(who->scopes & SCOPE_ADMIN))
		return false;
	return safe ? (who->scopes & (SCOPE_READ | SCOPE_WRITE | SCOPE_ADMIN)) != 0
		    : (who->scopes & (SCOPE_WRITE | SCOPE_ADMIN)) != 0;
}

enum app_err auth_check_route(struct request *req, struct field_error *fe)
{
	struct principal *who = arena_calloc(req->arena, 1, sizeof(*who));
	enum app_err e;

	if (!who)
		return APP_ERR_NOMEM;
	/* MFA setup for an account that must have it before its first session */
	if (mfa_route_takes_token(req) && req_header(req, MFA_TOKEN_HEADER))
		return mfa_authorize_token(req, fe);
	if ((e = auth_authenticate(req, who, fe)))
		return e;
	req->who = who;
	if ((e = auth_load_permissions(req, who)))
		return e;
	if (!auth_has(who, req->route->permission))
		return field_fail(fe, APP_ERR_FORBIDDEN, "", "this needs the permission %s",
				  req->route->permission);
	if (!scope_allows(who, req->route))
		return field_fail(fe, APP_ERR_FORBIDDEN, "X-API-Key",
				  "the key's scopes do not cover this route");
	return APP_OK;
}

const char *auth_cookie(struct request *req, const char *name)
{
	return cookie_value(req, name);
}
