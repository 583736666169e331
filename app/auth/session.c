#include "auth/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "core/log.h"
#include "core/crypto.h"
#include "core/text.h"
#include "http/dispatch.h"


static const struct db_stmt q_insert = {
	"session_insert",
	"INSERT INTO sessions (user_id, token_hash, refresh_hash, ip, user_agent, device_name,"
	" via_cookie, expires_at, refresh_expires_at, family_id)"
	" VALUES ($1, decode($2, 'hex'), decode($3, 'hex'), $4::inet, left($5, 512), left($6, 100),"
	" $7, now() + $8::bigint * interval '1 millisecond',"
	" now() + $9::bigint * interval '1 millisecond', coalesce($10::uuid, gen_random_uuid()))"
	" RETURNING id",
	10, false};

/* keep the newest max_sessions live sessions; revoke the rest */
static const struct db_stmt q_trim = {
	"session_trim",
	"UPDATE sessions SET revoked_at = now(), revoked_reason = 'session limit'"
	" WHERE id IN (SELECT id FROM sessions WHERE user_id = $1 AND revoked_at IS NULL"
	" AND expires_at > now() ORDER BY created_at DESC, id OFFSET $2)"
	" RETURNING encode(token_hash, 'hex')",
	2, false};

static const struct db_stmt q_resolve = {
	"session_resolve",
	"SELECT s.id, s.user_id, (extract(epoch FROM s.expires_at) * 1000)::bigint"
	" FROM sessions s JOIN users u ON u.id = s.user_id"
	" WHERE s.token_hash = decode($1, 'hex') AND s.revoked_at IS NULL AND s.expires_at > now()"
	" AND u.is_active AND u.deleted_at IS NULL",
	1, true};

static const struct db_stmt q_touch = {
	"session_touch",
	"UPDATE sessions SET last_active_at = now() WHERE id = $1 AND last_active_at < now() - interval '30 seconds'",
	1, true};

static const struct db_stmt q_by_refresh = {
	"session_by_refresh",
	"SELECT s.id, s.user_id, s.device_name, s.via_cookie, s.family_id FROM sessions s"
	" JOIN users u ON u.id = s.user_id"
	" WHERE s.refresh_hash = decode($1, 'hex') AND s.revoked_at IS NULL"
	" AND s.refresh_expires_at > now() AND u.is_active AND u.deleted_at IS NULL FOR UPDATE OF s",
	1, false};

/* the refresh token of a session that was refreshed stays known until it
 * would have expired (expired ones go on the way) */
static const struct db_stmt q_rotate = {
	"session_rotate",
	"WITH gone AS (DELETE FROM session_rotations WHERE refresh_expires_at < now())"
	" INSERT INTO session_rotations (refresh_hash, family_id, user_id, refresh_expires_at)"
	" SELECT refresh_hash, family_id, user_id, refresh_expires_at FROM sessions WHERE id = $1",
	1, false};

static const struct db_stmt q_rotated = {
	"session_rotated",
	"SELECT family_id, user_id FROM session_rotations"
	" WHERE refresh_hash = decode($1, 'hex') AND refresh_expires_at > now()",
	1, false};

static const struct db_stmt q_revoke_family = {
	"session_revoke_family",
	"UPDATE sessions SET revoked_at = now(), revoked_reason = 'refresh token reused'"
	" WHERE family_id = $1 AND revoked_at IS NULL RETURNING encode(token_hash, 'hex')",
	1, false};

static const struct db_stmt q_revoke_one = {
	"session_revoke_one",
	"UPDATE sessions SET revoked_at = now(), revoked_reason = $3"
	" WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING encode(token_hash, 'hex')",
	3, false};

static const struct db_stmt q_revoke_all = {
	"session_revoke_all",
	"UPDATE sessions SET revoked_at = now(), revoked_reason = $3"
	" WHERE user_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR id <> $2::uuid)"
	" RETURNING encode(token_hash, 'hex')",
	3, false};

static void token_hash_hex(const char *token, char out[65])
{
	crypto_sha256_hex(token, strlen(token), out);
}

/* Redis key of a session: prefix + "sess:" + hash */
static char *cache_key_for(struct request *req, const char *hash_hex)
{
	return arena_printf(req->arena, "%ssess:%s", req->app->cfg->redis_prefix, hash_hex);
}

/* Delete the cache entries now and again after the handler's transaction
 * commits (a concurrent lookup may re-cache the row in between). */
static void uncache(struct request *req, PGresult *hashes)
{
	for (int i = 0; hashes && i < PQntuples(hashes); i++) {
		const char *argv[2] = {"DEL", cache_key_for(req, PQgetvalue(hashes, i, 0))};
		if (!argv[1])
			continue;
		cache_cmd(req->app->cache, NULL, NULL, 2, argv, NULL);
		http_purge_later(req, argv[1]);
	}
}

/* session_create into family (NULL: a new family). */
static enum app_err create_in_family(struct request *req, const char *user_id, const char *device,
				     bool cookie, const char *family, struct session_tokens *out)
{
	const struct config *cfg = req->app->cfg;
	char access_hash[65], refresh_hash[65], life[24], rlife[24], max[24];
	const char *ip = req->remote_addr && *req->remote_addr ? req->remote_addr : NULL;
	PGresult *r, *trimmed;
	enum app_err e;

	memset(out, 0, sizeof(*out));
	if (crypto_token("rvs_", out->access, access_hash) ||
	    crypto_token("rvr_", out->refresh, refresh_hash))
		return APP_ERR_INTERNAL;
	auth_csrf_for(out->access, out->csrf);
	snprintf(life, sizeof(life), "%lld", (long long)cfg->auth_session_lifetime);
	snprintf(rlife, sizeof(rlife), "%lld", (long long)cfg->auth_refresh_lifetime);
	snprintf(max, sizeof(max), "%lld", (long long)cfg->auth_max_sessions);
	const char *params[] = {user_id, access_hash, refresh_hash, ip,
				req_header(req, "User-Agent"), device, cookie ? "true" : "false",
				life, rlife, family};
	if ((e = db_query(req->app->db, req->arena, &q_insert, params, &r)))
		return e;
	snprintf(out->id, sizeof(out->id), "%s", PQgetvalue(r, 0, 0));
	out->expires_in = cfg->auth_session_lifetime / 1000;
	const char *tp[] = {user_id, max};
	if ((e = db_query(req->app->db, req->arena, &q_trim, tp, &trimmed)))
		return e;
	uncache(req, trimmed);
	return APP_OK;
}

enum app_err session_create(struct request *req, const char *user_id, const char *device,
			    bool cookie, struct session_tokens *out)
{
	return create_in_family(req, user_id, device, cookie, NULL, out);
}

/* The cached entry: "user_id session_id expires_ms perm perm ...\n" and,
 * once a request rendered it, the account JSON, so an authenticated
 * request costs one Redis GET. Role and account changes drop the entries
 * of the users concerned (auth_forget_permissions). */
static void cache_entry(struct request *req, const char *key, const char *user_id,
			const char *session_id, long long expires_ms, const char *perms,
			const char *profile, const char *gen)
{
	long long left = expires_ms - now_real_us() / 1000, ttl = req->app->cfg->auth_session_cache_ttl;
	char *value, *gkey;

	if (!gen)
		return; /* Redis was unreachable when the sources were read */
	value = arena_printf(req->arena, "%s %s %lld %s\n%s", user_id, session_id, expires_ms, perms,
			     profile ? profile : "");
	gkey = auth_generation_key(req->app, req->arena, user_id);
	if (value && gkey)
		cache_set_guarded(req->app->cache, gkey, gen, key, value,
				  left < ttl ? (left > 0 ? left : 1) : ttl, NULL);
}

void session_cache(struct request *req, const char *user_id, const struct session_tokens *t)
{
	char hash[65];
	const char *key, *perms, *gen;

	token_hash_hex(t->access, hash);
	if ((key = cache_key_for(req, hash)) && !auth_permission_list(req, user_id, &perms, &gen))
		cache_entry(req, key, user_id, t->id, now_real_us() / 1000 + t->expires_in * 1000,
			    perms, NULL, gen);
}

static int valid_token_shape(const char *t, const char *prefix)
{
	size_t n = strlen(t);
	if (n != 47 || strncmp(t, prefix, 4))
		return 0;
	for (size_t i = 4; i < n; i++) {
		char c = t[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

static int from_cache(struct request *req, const char *key, struct principal *who)
{
	const char *argv[] = {"GET", key};
	redisReply *r = NULL;
	char user[37], sid[37];
	long long expires;
	int used = 0;

	if (cache_cmd(req->app->cache, req->arena, &r, 2, argv, NULL) || r->type != REDIS_REPLY_STRING)
		return 0;
	if (sscanf(r->str, "%36s %36s %lld %n", user, sid, &expires, &used) != 3 || !used ||
	    expires <= now_real_us() / 1000)
		return 0;
	char *perms = r->str + used, *nl = strchr(perms, '\n');
	if (!nl)
		return 0;
	*nl = '\0';
	memcpy(who->user_id, user, 37);
	memcpy(who->session_id, sid, 37);
	who->cache_key = key;
	who->expires_ms = expires;
	who->profile_json = nl[1] ? nl + 1 : NULL;
	return auth_set_permissions(req, who, perms) == APP_OK;
}

void session_cache_profile(struct request *req, const struct principal *who, const char *json,
			   const char *gen)
{
	struct buf perms;

	if (!who->cache_key || who->via == AUTH_APIKEY)
		return;
	buf_init(&perms, 64 * 1024);
	for (int i = 0; i < who->nperms; i++) {
		if (i)
			buf_putc(&perms, ' ');
		buf_puts(&perms, who->perms[i]);
	}
	if (buf_ok(&perms))
		cache_entry(req, who->cache_key, who->user_id, who->session_id, who->expires_ms,
			    perms.data, json, gen);
	buf_release(&perms);
}

enum app_err session_resolve(struct request *req, const char *token, struct principal *who)
{
	char hash[65];
	const char *key;
	PGresult *r;
	enum app_err e;

	if (!valid_token_shape(token, "rvs_"))
		return APP_ERR_UNAUTHORIZED;
	token_hash_hex(token, hash);
	if (!(key = cache_key_for(req, hash)))
		return APP_ERR_NOMEM;
	if (from_cache(req, key, who))
		return APP_OK;
	const char *params[] = {hash};
	if ((e = db_query(req->app->db, req->arena, &q_resolve, params, &r)))
		return e;
	if (PQntuples(r) != 1)
		return APP_ERR_UNAUTHORIZED;
	snprintf(who->session_id, sizeof(who->session_id), "%s", PQgetvalue(r, 0, 0));
	snprintf(who->user_id, sizeof(who->user_id), "%s", PQgetvalue(r, 0, 1));
	/* a cache miss is at most once per cache TTL: the moment to record
	 * activity without a write per request */
	const char *tp[] = {who->session_id};
	db_query(req->app->db, req->arena, &q_touch, tp, NULL);
	const char *perms, *gen;
	if ((e = auth_permission_list(req, who->user_id, &perms, &gen)) ||
	    (e = auth_set_permissions(req, who, perms)))
		return e;
	int64_t expires_ms;
	if ((e = db_get_int64(r, 0, 2, &expires_ms)))
		return e;
	who->cache_key = key;
	who->expires_ms = expires_ms;
	cache_entry(req, key, who->user_id, who->session_id, who->expires_ms, perms, NULL, gen);
	return APP_OK;
}

/* A rotated refresh token came back (the transaction is open): revoke
 * every live session of its family and audit it, committed, so the
 * answer can be 401 and the revocation still stands. */
static enum app_err refresh_reused(struct request *req, PGresult *rot)
{
	const char *family = PQgetvalue(rot, 0, 0), *user = PQgetvalue(rot, 0, 1);
	const char *fp[] = {family};
	struct audit_entry a = {user, "session.refresh_reuse", "session_family", family, false,
				"a rotated refresh token was used again; the family is revoked", NULL,
				NULL};
	PGresult *revoked;
	enum app_err e;

	if ((e = db_query(req->app->db, req->arena, &q_revoke_family, fp, &revoked)) ||
	    (e = audit_write(req, &a)) || (e = db_commit(req->app->db))) {
		log_error("auth.refresh_reuse", "revoking a reused refresh token's family failed: %s",
			  app_err_slug(e));
		return e;
	}
	uncache(req, revoked);
	log_warn("auth.refresh_reuse", "rotated refresh token reused: %d session(s) revoked",
		 PQntuples(revoked));
	return APP_ERR_UNAUTHORIZED;
}

enum app_err session_refresh(struct request *req, const char *refresh, struct session_tokens *out,
			     char user_id_out[37], bool *reused)
{
	char hash[65], old_id[37], family[37];
	PGresult *r, *old, *rot;
	enum app_err e;
	bool cookie;

	*reused = false;
	if (!valid_token_shape(refresh, "rvr_"))
		return APP_ERR_UNAUTHORIZED;
	token_hash_hex(refresh, hash);
	if ((e = db_begin(req->app->db)))
		return e;
	const char *params[] = {hash};
	if ((e = db_query(req->app->db, req->arena, &q_by_refresh, params, &r)))
		goto fail;
	if (PQntuples(r) != 1) {
		if ((e = db_query(req->app->db, req->arena, &q_rotated, params, &rot)))
			goto fail;
		if (PQntuples(rot) == 1) {
			*reused = true;
			if ((e = refresh_reused(req, rot)) != APP_ERR_UNAUTHORIZED)
				goto fail;
			return e;
		}
		e = APP_ERR_UNAUTHORIZED;
		goto fail;
	}
	snprintf(old_id, sizeof(old_id), "%s", PQgetvalue(r, 0, 0));
	snprintf(user_id_out, 37, "%s", PQgetvalue(r, 0, 1));
	snprintf(family, sizeof(family), "%s", PQgetvalue(r, 0, 4));
	cookie = PQgetvalue(r, 0, 3)[0] == 't';
	/* the new session exists before the old one is revoked */
	if ((e = create_in_family(req, user_id_out,
				  PQgetisnull(r, 0, 2) ? NULL : PQgetvalue(r, 0, 2), cookie, family,
				  out)))
		goto fail;
	const char *rp[] = {old_id, user_id_out, "refreshed"}, *op[] = {old_id};
	if ((e = db_query(req->app->db, req->arena, &q_revoke_one, rp, &old)) ||
	    (e = db_query(req->app->db, req->arena, &q_rotate, op, NULL)))
		goto fail;
	if ((e = db_commit(req->app->db)))
		return e;
	uncache(req, old);
	session_cache(req, user_id_out, out);
	return APP_OK;
fail:
	db_rollback(req->app->db);
	return e;
}

enum app_err session_revoke(struct request *req, const char *user_id, const char *session_id,
			    const char *reason)
{
	const char *params[] = {session_id, user_id, reason};
	PGresult *r;
	enum app_err e = db_query(req->app->db, req->arena, &q_revoke_one, params, &r);

	if (e)
		return e;
	if (PQntuples(r) == 0)
		return APP_ERR_NOT_FOUND;
	uncache(req, r);
	return APP_OK;
}

enum app_err session_revoke_all(struct request *req, const char *user_id, const char *except,
				const char *reason, int *count)
{
	const char *params[] = {user_id, except, reason};
	PGresult *r;
	enum app_err e = db_query(req->app->db, req->arena, &q_revoke_all, params, &r);

	if (e)
		return e;
	if (count)
		*count = PQntuples(r);
	uncache(req, r);
	return APP_OK;
}

void session_set_cookies(struct request *req, struct response *res, const struct session_tokens *t)
{
	const char *secure = req->app->cfg->auth_cookie_secure ? "; Secure" : "";
	char line[256];

	snprintf(line, sizeof(line), "%s=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Strict%s",
		 SESSION_COOKIE, t->access, (long long)t->expires_in, secure);
	res_header(res, "Set-Cookie", line);
	/* readable by the page's script, which echoes it in X-CSRF-Token */
	snprintf(line, sizeof(line), "%s=%s; Path=/; Max-Age=%lld; SameSite=Strict%s", CSRF_COOKIE,
		 t->csrf, (long long)t->expires_in, secure);
	res_header(res, "Set-Cookie", line);
}

void session_clear_cookies(struct request *req, struct response *res)
{
	const char *secure = req->app->cfg->auth_cookie_secure ? "; Secure" : "";
	char line[160];

	snprintf(line, sizeof(line), "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s",
		 SESSION_COOKIE, secure);
	res_header(res, "Set-Cookie", line);
	snprintf(line, sizeof(line), "%s=; Path=/; Max-Age=0; SameSite=Strict%s", CSRF_COOKIE,
		 secure);
	res_header(res, "Set-Cookie", line);
}
