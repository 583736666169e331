#include "auth/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "app.h"
#include "auth/audit.h"
#include "auth/auth.h"
#include "auth/invitations.h"
#include "auth/password.h"
#include "auth/session.h"
#include "core/log.h"
#include "notify/notify.h"
#include "settings/settings.h"
#include "users/user.h"

static const struct db_stmt q_find_login = {
	"auth_find_login",
	"SELECT id, password_hash, is_active FROM users WHERE deleted_at IS NULL"
	" AND (lower(username) = lower($1) OR lower(email) = lower($1))"
	" ORDER BY lower(username) = lower($1) DESC LIMIT 1",
	1, true};
/* Failures within the window ($1, ms), and seconds until the oldest
 * leaves it: of one account ($2), whichever name was typed, or of a name
 * that matches no account ($3); and of one client address ($2). */
#define FAILURES_COUNT \
	"SELECT count(*), ceil(extract(epoch FROM (min(at) + $1::bigint * interval '1 millisecond'" \
	" - now())))::bigint FROM login_failures" \
	" WHERE at > now() - $1::bigint * interval '1 millisecond' AND "
static const struct db_stmt q_failures = {
	"auth_failures",
	FAILURES_COUNT "CASE WHEN $2::uuid IS NULL"
	" THEN user_id IS NULL AND username_key = lower($3) ELSE user_id = $2::uuid END",
	3, true};
static const struct db_stmt q_ip_failures = {
	"auth_ip_failures", FAILURES_COUNT "ip = $2::inet", 2, true};
static const struct db_stmt q_add_failure = {
	"auth_add_failure",
	"INSERT INTO login_failures (username_key, user_id, ip) VALUES (lower($1), $2, $3::inet)", 3,
	false};
static const struct db_stmt q_clear_failures = {
	"auth_clear_failures", "DELETE FROM login_failures WHERE user_id = $1", 1, false};
static const struct db_stmt q_logged_in = {
	"auth_logged_in", "UPDATE users SET last_login_at = now() WHERE id = $1", 1, false};
static const struct db_stmt q_set_hash = {
	"auth_set_hash", "UPDATE users SET password_hash = $2 WHERE id = $1", 2, false};
static const struct db_stmt q_get_hash = {
	"auth_get_hash", "SELECT password_hash FROM users WHERE id = $1 AND deleted_at IS NULL", 1,
	true};

const struct body_field auth_register_body[] = {
	{.name = "username", .type = BT_STRING, .required = true, .min = 1, .max = 64,
	 .check = user_check_username, .doc = "3 to 30 of letters, digits, _ . -"},
	{.name = "email", .type = BT_STRING, .required = true, .min = 1, .max = 254,
	 .check = user_check_email},
	{.name = "password", .type = BT_STRING, .required = true, .min = PASSWORD_MIN,
	 .max = PASSWORD_MAX},
	USER_FIELD_DISPLAY_NAME,
	{.name = "invitation", .type = BT_STRING, .min = 1, .max = 64,
	 .doc = "An invitation token (rvi_…): registers with the invitation's role, also while "
		"registration is disabled; single use."},
	{0},
};
const struct body_field auth_login_body[] = {
	{.name = "username", .type = BT_STRING, .min = 1, .max = 254,
	 .doc = "The username or the email address; one of the two is required."},
	{.name = "email", .type = BT_STRING, .min = 1, .max = 254},
	{.name = "password", .type = BT_STRING, .required = true, .min = 1, .max = PASSWORD_MAX},
	{.name = "device_name", .type = BT_STRING, .min = 0, .max = 100},
	{.name = "cookie", .type = BT_BOOL, .doc = "Set the session cookie instead of answering tokens."},
	{0},
};
const struct body_field auth_refresh_body[] = {
	{.name = "refresh_token", .type = BT_STRING, .required = true, .min = 1, .max = 128},
	{0},
};
const struct body_field auth_change_password_body[] = {
	{.name = "current_password", .type = BT_STRING, .required = true, .min = 1,
	 .max = PASSWORD_MAX},
	{.name = "new_password", .type = BT_STRING, .required = true, .min = PASSWORD_MIN,
	 .max = PASSWORD_MAX},
	{0},
};

static void free_hash(char *h)
{
	if (h) {
		OPENSSL_cleanse(h, strlen(h));
		free(h);
	}
}

enum app_err auth_register(struct request *req, struct response *res, struct field_error *fe)
{
	const char *username = req_body_str(req, "username"), *email = req_body_str(req, "email"),
		   *password = req_body_str(req, "password"),
		   *display = req_body_str(req, "display_name"),
		   *invitation = req_body_str(req, "invitation"), *invitation_id = NULL, *role;
	char user_id[37];
	PGresult *r;
	enum app_err e;
	struct jw w;

	/* closed registration: only an invitation opens the door */
	if (!invitation && !settings_get_bool(req, "auth.registration_enabled", false))
		return field_fail(fe, APP_ERR_FORBIDDEN, "",
				  "registration is disabled on this server; ask an administrator "
				  "for an invitation");
	role = settings_get_string(req, "auth.default_role", "user");
	if ((e = db_begin(req->app->db)))
		return e;
	if (invitation &&
	    (e = invitation_claim(req, invitation, email, &invitation_id, &role, fe)))
		goto rollback;
	if ((e = user_create(req->app, req->arena, username, email, password, display, role,
			     user_id, fe)))
		goto rollback;
	const char *v = invitation_id ? arena_printf(req->arena, "{\"invitation\":\"%s\"}",
						     invitation_id)
				      : NULL;
	struct audit_entry a = {user_id, "user.register", "user", user_id, true, NULL, NULL, v};
	if ((invitation_id && (e = invitation_consume(req, invitation_id, user_id))) ||
	    (e = audit_write(req, &a)) || (e = user_load(req, user_id, &r)))
		goto rollback;
	if ((e = db_commit(req->app->db)))
		return e;
	res->status = 201;
	jw_init(&w, &res->body);
	user_json(&w, r, 0, true);
	return APP_OK;
rollback:
	db_rollback(req->app->db);
	return e;
}

/* Failures counted by st (q_failures: the account a, or the name b; or
 * q_ip_failures: the address a) in the window, and the seconds (≥ 1)
 * until the oldest of them leaves it. */
static enum app_err count_failures(struct request *req, const struct db_stmt *st,
				   const char *a, const char *b, int64_t *count, int64_t *left_s)
{
	char window[24];
	PGresult *r;
	enum app_err e;

	snprintf(window, sizeof(window), "%lld", (long long)req->app->cfg->auth_lockout_window);
	const char *params[] = {window, a, b};
	if ((e = db_query(req->app->db, req->arena, st, params, &r)) ||
	    (e = db_get_int64(r, 0, 0, count)) || (e = db_get_int64_or(r, 0, 1, 1, left_s)))
		return e;
	if (*left_s < 1)
		*left_s = 1;
	return APP_OK;
}

static const char *client_ip(const struct request *req)
{
	return req->remote_addr && *req->remote_addr ? req->remote_addr : NULL;
}

/*
 * Lock check before any password is verified: APP_ERR_RATE_LIMITED while
 * the client address has spent its failure budget, APP_ERR_LOCKED while
 * the account (user_id; NULL: the typed name, which matches no account)
 * has too many recent failures; both with Retry-After. Unknown names lock
 * like accounts do, so a lock reveals nothing about which accounts exist.
 */
static enum app_err check_lock(struct request *req, struct response *res, const char *user_id,
			       const char *name, struct field_error *fe)
{
	const struct config *cfg = req->app->cfg;
	char left[24];
	int64_t failures, left_s;
	enum app_err e;

	if (client_ip(req)) {
		if ((e = count_failures(req, &q_ip_failures, client_ip(req), NULL, &failures,
					&left_s)))
			return e;
		if (failures >= cfg->auth_lockout_ip_attempts) {
			snprintf(left, sizeof(left), "%lld", (long long)left_s);
			res_header(res, "Retry-After", left);
			return field_fail(fe, APP_ERR_RATE_LIMITED, "",
					  "too many failed logins from this address; try again in %s s",
					  left);
		}
	}
	if ((e = count_failures(req, &q_failures, user_id, name, &failures, &left_s)))
		return e;
	if (failures < cfg->auth_lockout_attempts)
		return APP_OK;
	snprintf(left, sizeof(left), "%lld", (long long)left_s);
	res_header(res, "Retry-After", left);
	return field_fail(fe, APP_ERR_LOCKED, "", "too many failed logins; try again in %s s", left);
}

/* auth.lockout (notify/notify.h) for the account or name, or with ip for
 * the address, in the caller's transaction. */
static enum app_err lockout_event(struct request *req, const char *name, const char *user_id,
				  const char *ip)
{
	const char *title = ip ? arena_printf(req->arena, "Logins blocked from %s", ip)
			       : arena_printf(req->arena, "Logins locked for %s", name);
	const char *msg =
	    ip ? arena_printf(req->arena,
	                      "Too many failed logins came from %s; its logins are refused for "
	                      "the rest of the lockout window.",
	                      ip)
	       : arena_printf(
	             req->arena,
	             "Too many failed logins for %s%s; its logins are refused for the rest "
	             "of the lockout window.",
	             name, user_id ? "" : " (no such account)");
	return notify_event(
	    req->app->db, req->arena, "auth.lockout",
	    notify_payload(req->arena, title, msg,
	                   (const char *const[]){"scope", ip ? "address" : "account", "username",
	                                         name, "user_id", user_id, "ip",
	                                         ip ? ip : client_ip(req), NULL}),
	    NULL);
}

/* auth.new_login for the account of row u (USER_COLUMNS), in the caller's
 * transaction. */
static enum app_err login_event(struct request *req, const PGresult *u, const char *device,
				const char *session_id)
{
	const char *name = PQgetvalue(u, 0, 1), *ip = client_ip(req);
	const char *agent = req_header(req, "User-Agent");

	return notify_event(
	    req->app->db, req->arena, "auth.new_login",
	    notify_payload(req->arena, arena_printf(req->arena, "New login: %s", name),
	                   arena_printf(req->arena, "%s logged in from %s%s%s.", name,
	                                ip ? ip : "an unknown address", device ? " on " : "",
	                                device ? device : ""),
	                   (const char *const[]){"user_id", PQgetvalue(u, 0, 0), "username", name,
	                                         "session_id", session_id, "ip", ip, "device",
	                                         device, "user_agent", agent, NULL}),
	    NULL);
}

/*
 * A wrong password or an unknown name: the failure is counted (for the
 * account or the name, and for the address) and audited in one
 * transaction, together with `user.locked` when this failure locks the
 * account and `auth.address_locked` when it spends the address's budget.
 * When that record cannot be written the attempt is answered with the
 * database error (503) instead of 401 and logged: a guess that leaves no
 * trace would let an attacker dodge the lockout by breaking the writes.
 */
static enum app_err login_failed(struct request *req, const char *name,
				 const char *user_id, struct field_error *fe)
{
	const struct config *cfg = req->app->cfg;
	const char *ip = client_ip(req);
	const char *params[] = {name, user_id, ip};
	struct audit_entry a = {user_id, "user.login", "user", user_id, false,
				"invalid credentials", NULL, NULL};
	struct audit_entry l = {user_id, "user.locked", "user", user_id, false,
				"too many failed logins", NULL, NULL};
	struct audit_entry ipl = {user_id, "auth.address_locked", "ip", ip, false,
				  "too many failed logins from this address", NULL, NULL};
	int64_t failures, ip_failures = 0, left_s;
	enum app_err e;

	if ((e = db_begin(req->app->db)))
		goto fail;
	if ((e = db_query(req->app->db, req->arena, &q_add_failure, params, NULL)) ||
	    (e = audit_write(req, &a)) ||
	    (e = count_failures(req, &q_failures, user_id, name, &failures, &left_s)) ||
	    (ip && (e = count_failures(req, &q_ip_failures, ip, NULL, &ip_failures, &left_s))) ||
	    /* ≥, not ==: two concurrent failures may step over the limit
	     * together; past it the lock check stops further failures */
	    (failures >= cfg->auth_lockout_attempts &&
	     ((e = audit_write(req, &l)) || (e = lockout_event(req, name, user_id, NULL)))) ||
	    (ip && ip_failures >= cfg->auth_lockout_ip_attempts &&
	     ((e = audit_write(req, &ipl)) || (e = lockout_event(req, name, user_id, ip))))) {
		db_rollback(req->app->db);
		goto fail;
	}
	if ((e = db_commit(req->app->db)))
		goto fail;
	if (failures >= cfg->auth_lockout_attempts)
		log_warn("auth.locked", "login locked after repeated failures");
	if (ip && ip_failures >= cfg->auth_lockout_ip_attempts)
		log_warn("auth.address_locked", "logins from %s blocked after repeated failures", ip);
	return field_fail(fe, APP_ERR_UNAUTHORIZED, "", "invalid username or password");
fail:
	log_error("auth.audit_failed", "a failed login could not be recorded: %s",
		  app_err_slug(e));
	return e;
}

/* Issue the session of a verified login, in one transaction with the
 * bookkeeping. A second factor slots in before this step: when the account
 * requires one, the login answers with a challenge instead, and the MFA
 * endpoint calls this once the code is verified. */
enum app_err issue_session(struct request *req, struct response *res, const char *user_id,
				  const char *device, bool cookie,
				  const char *new_hash)
{
	struct session_tokens t;
	struct jw w;
	PGresult *u;
	enum app_err e;
	const char *idp[] = {user_id}, *hp[] = {user_id, new_hash};
	struct audit_entry a = {user_id, "user.login", "user", user_id, true, NULL, NULL, NULL};

	if ((e = db_begin(req->app->db)))
		return e;
	if ((e = db_query(req->app->db, req->arena, &q_clear_failures, idp, NULL)) ||
	    (e = db_query(req->app->db, req->arena, &q_logged_in, idp, NULL)) ||
	    (new_hash && (e = db_query(req->app->db, req->arena, &q_set_hash, hp, NULL))) ||
	    (e = session_create(req, user_id, device, cookie, &t)) || (e = audit_write(req, &a)) ||
	    (e = user_load(req, user_id, &u)) || (e = login_event(req, u, device, t.id))) {
		db_rollback(req->app->db);
		return e;
	}
	if ((e = db_commit(req->app->db)))
		return e;
	user_cache_forget(req, user_id); /* last_login_at changed */
	session_cache(req, user_id, &t);
	if (cookie)
		session_set_cookies(req, res, &t);
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	jw_kstr(&w, "access_token", t.access);
	jw_kstr(&w, "refresh_token", t.refresh);
	jw_kstr(&w, "token_type", "Bearer");
	jw_kint(&w, "expires_in", t.expires_in);
	jw_kstr(&w, "session_id", t.id);
	if (cookie)
		jw_kstr(&w, "csrf_token", t.csrf);
	jw_key(&w, "user");
	user_json(&w, u, 0, true);
	jw_obj_close(&w);
	OPENSSL_cleanse(&t, sizeof(t));
	return APP_OK;
}

enum app_err auth_login(struct request *req, struct response *res, struct field_error *fe)
{
	const char *name = req_body_str(req, "username"), *email = req_body_str(req, "email"),
		   *password = req_body_str(req, "password"),
		   *device = req_body_str(req, "device_name");
	bool cookie = false;
	char user_id[37] = "", *new_hash = NULL;
	PGresult *r;
	enum app_err e;

	req_body_bool(req, "cookie", &cookie);
	if (!name)
		name = email;
	if (!name)
		return field_fail(fe, APP_ERR_VALIDATION, "username", "is required (or email)");
	const char *params[] = {name};
	if ((e = db_query(req->app->db, req->arena, &q_find_login, params, &r)))
		return e;
	bool known = PQntuples(r) == 1;
	if (known)
		snprintf(user_id, sizeof(user_id), "%s", PQgetvalue(r, 0, 0));
	/* the account's count, whichever of its names was typed */
	if ((e = check_lock(req, res, known ? user_id : NULL, name, fe)))
		return e;
	if (!known) {
		password_verify_dummy(req->app->cfg, password, strlen(password));
		return login_failed(req, name, NULL, fe);
	}
	if (!password_verify(PQgetvalue(r, 0, 1), password, strlen(password)))
		return login_failed(req, name, user_id, fe);
	if (PQgetvalue(r, 0, 2)[0] != 't') {
		struct audit_entry a = {user_id, "user.login", "user", user_id, false,
					"account disabled", NULL, NULL};
		if ((e = audit_write(req, &a))) {
			log_error("auth.audit_failed", "a refused login could not be recorded: %s",
				  app_err_slug(e));
			return e;
		}
		return field_fail(fe, APP_ERR_FORBIDDEN, "", "this account is disabled");
	}
	if (password_needs_rehash(req->app->cfg, PQgetvalue(r, 0, 1)) &&
	    password_hash(req->app->cfg, password, strlen(password), &new_hash))
		new_hash = NULL; /* upgrading is best effort; the login stands */
	e = issue_session(req, res, user_id, device, cookie, new_hash);
	free_hash(new_hash);
	return e;
}

enum app_err auth_logout(struct request *req, struct response *res, struct field_error *fe)
{
	struct principal *who = req->who;
	struct audit_entry a = {NULL, "user.logout", "session", who->session_id, true, NULL, NULL,
				NULL};
	enum app_err e;

	(void)fe;
	if (who->via == AUTH_APIKEY)
		return field_fail(fe, APP_ERR_VALIDATION, "X-API-Key",
				  "API keys do not log out; revoke the key instead");
	if ((e = session_revoke(req, who->user_id, who->session_id, "logout")) &&
	    e != APP_ERR_NOT_FOUND)
		return e;
	/* the session is gone either way: refusing the logout now would only
	 * make the client believe it still holds one */
	if ((e = audit_write(req, &a)))
		log_error("audit.write_failed", "user.logout not recorded: %s", app_err_slug(e));
	session_clear_cookies(req, res);
	res->status = 204;
	return APP_OK;
}

enum app_err auth_refresh(struct request *req, struct response *res, struct field_error *fe)
{
	const char *refresh = req_body_str(req, "refresh_token");
	struct session_tokens t;
	char user_id[37];
	enum app_err e;
	struct jw w;

	bool reused;

	if ((e = session_refresh(req, refresh, &t, user_id, &reused)))
		return e != APP_ERR_UNAUTHORIZED ? e
		       : reused ? field_fail(fe, e, "refresh_token",
					     "was already used; every session it led to is revoked")
				: field_fail(fe, e, "refresh_token", "is invalid, expired or revoked");
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	jw_kstr(&w, "access_token", t.access);
	jw_kstr(&w, "refresh_token", t.refresh);
	jw_kstr(&w, "token_type", "Bearer");
	jw_kint(&w, "expires_in", t.expires_in);
	jw_kstr(&w, "session_id", t.id);
	jw_obj_close(&w);
	OPENSSL_cleanse(&t, sizeof(t));
	return APP_OK;
}

enum app_err auth_change_password(struct request *req, struct response *res,
				  struct field_error *fe)
{
	struct principal *who = req->who;
	const char *current = req_body_str(req, "current_password"),
		   *next = req_body_str(req, "new_password");
	char *hash = NULL;
	PGresult *r;
	int revoked = 0;
	enum app_err e;

	const char *idp[] = {who->user_id};
	if ((e = db_query(req->app->db, req->arena, &q_get_hash, idp, &r)))
		return e;
	if (PQntuples(r) != 1 || !password_verify(PQgetvalue(r, 0, 0), current, strlen(current)))
		return field_fail(fe, APP_ERR_FORBIDDEN, "current_password", "is wrong");
	if ((e = password_hash(req->app->cfg, next, strlen(next), &hash)))
		return e;
	const char *hp[] = {who->user_id, hash};
	struct audit_entry a = {NULL, "user.password_change", "user", who->user_id, true, NULL,
				NULL, NULL};
	if ((e = db_begin(req->app->db)))
		goto out;
	/* every other session ends with the old password; this one stays */
	if ((e = db_query(req->app->db, req->arena, &q_set_hash, hp, NULL)) ||
	    (e = session_revoke_all(req, who->user_id,
				    who->session_id[0] ? who->session_id : NULL,
				    "password changed", &revoked)) ||
	    (e = audit_write(req, &a))) {
		db_rollback(req->app->db);
		goto out;
	}
	e = db_commit(req->app->db);
	user_cache_forget(req, who->user_id);
	res->status = 204;
out:
	free_hash(hash);
	return e;
}
