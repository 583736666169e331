/* flows: the account mails' tokens and routes (see flows.h). */
#include "mail/flows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "app.h"
#include "auth/audit.h"
#include "auth/password.h"
#include "auth/session.h"
#include "core/crypto.h"
#include "core/log.h"
#include "db/value.h"
#include "mail/message.h"
#include "users/user.h"

const struct body_field mail_forgot_body[] = {
    {.name = "email",
     .type = BT_STRING,
     .required = true,
     .min = 1,
     .max = 254,
     .check = user_check_email,
     .doc = "The account's e-mail address."},
    {0},
};
const struct body_field mail_reset_body[] = {
    {.name = "token",
     .type = BT_STRING,
     .required = true,
     .min = 1,
     .max = 128,
     .doc = "The token from the reset mail's link (rvm_…)."},
    {.name = "password",
     .type = BT_STRING,
     .required = true,
     .min = PASSWORD_MIN,
     .max = PASSWORD_MAX,
     .check = user_check_password,
     .doc = "The new password."},
    {0},
};
const struct body_field mail_verify_body[] = {
    {.name = "token",
     .type = BT_STRING,
     .required = true,
     .min = 1,
     .max = 128,
     .doc = "The token from the verification mail's link (rvm_…)."},
    {0},
};

bool mail_enabled(const struct config *cfg)
{
	unsigned char key[32];
	bool keyed = cfg->auth_secret_key && !crypto_key_parse(cfg->auth_secret_key, key);

	OPENSSL_cleanse(key, sizeof(key));
	return keyed && cfg->mail_smtp_host && *cfg->mail_smtp_host && cfg->mail_from &&
	       *cfg->mail_from;
}

const char *mail_token_aad(struct arena *a, const char *token_id)
{
	return arena_printf(a, "email_token:%s", token_id);
}

static const char *client_ip(const struct request *req)
{
	return req->remote_addr && *req->remote_addr ? req->remote_addr : NULL;
}

/* --- tokens --------------------------------------------------------------- */

/* A fresh token: its id, its text (wiped by the caller), its hash (hex)
 * and the text sealed for the job's args (NULL when mail is not enabled). */
struct fresh {
	char id[37];
	char token[MAIL_TOKEN_LEN + 1];
	char hash[65];
	char *sealed; /* malloc'd */
};

static enum app_err fresh_make(const struct config *cfg, struct arena *a, struct fresh *f)
{
	unsigned char key[32];

	memset(f, 0, sizeof(*f));
	if (crypto_token(MAIL_TOKEN_PREFIX, f->token, f->hash) || uuid_v4(f->id))
		return APP_ERR_INTERNAL;
	if (mail_enabled(cfg) && !crypto_key_parse(cfg->auth_secret_key, key))
		f->sealed = crypto_seal_text(key, mail_token_aad(a, f->id), f->token);
	OPENSSL_cleanse(key, sizeof(key));
	return APP_OK;
}

static void fresh_release(struct fresh *f)
{
	OPENSSL_cleanse(f->token, sizeof(f->token));
	free(f->sealed);
	f->sealed = NULL;
}

/* The hash of a presented token, or -1 when it has not a token's shape. */
static int token_hash(const char *token, char hash[65])
{
	if (strlen(token) != MAIL_TOKEN_LEN || strncmp(token, MAIL_TOKEN_PREFIX, 4))
		return -1;
	for (const char *p = token + 4; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return -1;
	crypto_sha256_hex(token, strlen(token), hash);
	return 0;
}

/*
 * One statement makes the token and its job, for the account a CTE
 * selects ($1 purpose, $2 the per-hour limit, $3 token id, $4 hash, $5
 * client address, $6 sealed token, $7 request id, $8 lifetime in
 * seconds): the account's live tokens of the purpose are revoked, the
 * token inserted, the job queued, and tokens a day past expiry removed.
 * It answers how many tokens it made (0 or 1).
 */
#define ISSUE_TAIL                                                                                 \
	" rv AS (UPDATE email_tokens SET revoked_at = now() WHERE user_id IN (SELECT id FROM u)"   \
	" AND purpose = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now()),"    \
	" gone AS (DELETE FROM email_tokens WHERE expires_at < now() - interval '1 day'),"         \
	" ins AS (INSERT INTO email_tokens (id, user_id, purpose, token_hash, email, ip,"          \
	" expires_at) SELECT $3::uuid, id, $1, $4, email, $5::inet,"                               \
	" now() + $8::int * interval '1 second' FROM u RETURNING id),"                             \
	" jb AS (INSERT INTO jobs (kind, args, priority, max_attempts, request_id)"                \
	" SELECT 'mail.send', jsonb_build_object('token_id', id, 'token', $6::text), 1, 10, $7"    \
	" FROM ins RETURNING id)"                                                                  \
	" SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM jb)"
#define SENT_THIS_HOUR                                                                             \
	"(SELECT count(*) FROM email_tokens t WHERE t.user_id = users.id AND t.purpose = $1"       \
	" AND t.created_at > now() - interval '1 hour') < $2::int"

/* by address ($9): a live, active account */
static const struct db_stmt q_issue_reset = {
    "mail_issue_reset",
    "WITH u AS (SELECT id, email FROM users WHERE deleted_at IS NULL AND is_active"
    " AND lower(email) = lower($9) AND " SENT_THIS_HOUR "),"
    " req AS (INSERT INTO email_requests (ip) VALUES ($5::inet))," ISSUE_TAIL,
    9, false};
/* by account ($9): not verified yet */
static const struct db_stmt q_issue_verify = {
    "mail_issue_verify",
    "WITH u AS (SELECT id, email FROM users WHERE id = $9::uuid AND deleted_at IS NULL"
    " AND NOT email_verified AND " SENT_THIS_HOUR ")," ISSUE_TAIL,
    9, false};

/* Run q_issue_* for who ($9) in the caller's transaction; *made (may be
 * NULL) receives whether a token was made. With mail not enabled the
 * statement still runs (the same cost) but nothing matches. */
static enum app_err issue(struct request *req, const struct db_stmt *st, enum mail_kind k,
                          const char *who, bool *made)
{
	const struct config *cfg = req->app->cfg;
	char limit[24], life[24];
	struct fresh f;
	PGresult *r;
	int64_t n = 0;
	enum app_err e;

	if ((e = fresh_make(cfg, req->arena, &f)))
		return e;
	snprintf(limit, sizeof(limit), "%lld",
	         f.sealed ? (long long)cfg->mail_address_limit : 0LL /* matches nobody */);
	snprintf(life, sizeof(life), "%d", k == MAIL_PASSWORD_RESET ? 3600 : 24 * 3600);
	const char *p[] = {mail_kind_name(k),        limit,           f.id, f.hash, client_ip(req),
	                   f.sealed ? f.sealed : "", req->request_id, life, who};
	e = db_query(req->app->db, req->arena, st, p, &r);
	if (!e)
		e = db_get_int64(r, 0, 0, &n);
	fresh_release(&f);
	if (made)
		*made = !e && n == 1;
	return e;
}

enum app_err mail_verify_queue(struct request *req, const char *user_id)
{
	bool made = false;
	enum app_err e;

	if (!mail_enabled(req->app->cfg))
		return APP_OK;
	if (!(e = issue(req, &q_issue_verify, MAIL_VERIFY_EMAIL, user_id, &made)) && made)
		log_info("mail.queued", "verification mail queued for user %s", user_id);
	return e;
}

/* --- forgot password ------------------------------------------------------ */

/* Requests from one client address in the last hour, and the seconds
 * until the oldest leaves the window; older rows are removed. */
static const struct db_stmt q_ip_requests = {
    "mail_ip_requests",
    "WITH gone AS (DELETE FROM email_requests WHERE at < now() - interval '1 hour')"
    " SELECT count(*), coalesce(ceil(extract(epoch FROM (min(at) + interval '1 hour'"
    " - now())))::bigint, 1) FROM email_requests WHERE ip = $1::inet"
    " AND at > now() - interval '1 hour'",
    1, false};

enum app_err mail_forgot(struct request *req, struct response *res, struct field_error *fe)
{
	const char *email = req_body_str(req, "email"), *ip = client_ip(req);
	const char *ipp[] = {ip};
	int64_t count = 0, left = 1;
	char retry[24];
	PGresult *r;
	enum app_err e;

	if ((e = db_begin(req->app->db)))
		return e;
	if (ip && ((e = db_query(req->app->db, req->arena, &q_ip_requests, ipp, &r)) ||
	           (e = db_get_int64(r, 0, 0, &count)) || (e = db_get_int64(r, 0, 1, &left))))
		goto rollback;
	if (ip && count >= req->app->cfg->mail_ip_limit) {
		db_rollback(req->app->db);
		snprintf(retry, sizeof(retry), "%lld", (long long)(left < 1 ? 1 : left));
		res_header(res, "Retry-After", retry);
		return field_fail(fe, APP_ERR_RATE_LIMITED, "",
		                  "too many password reset requests from this address; try again "
		                  "in %s s",
		                  retry);
	}
	/* the same statement whether the address is known or not: what it
	 * costs, and its answer, tell nothing */
	if ((e = issue(req, &q_issue_reset, MAIL_PASSWORD_RESET, email, NULL)))
		goto rollback;
	if ((e = db_commit(req->app->db)))
		return e;
	if (!mail_enabled(req->app->cfg))
		log_warn("mail.not_configured",
		         "a password reset was asked for, but mail.smtp_host, mail.from or "
		         "auth.secret_key is not set: no mail is sent");
	res->status = 204;
	return APP_OK;
rollback:
	db_rollback(req->app->db);
	return e;
}

/* --- redeeming tokens ----------------------------------------------------- */

/* A live token of purpose $2 by hash $1, locked, with its account: id,
 * hash, user id, whether it went to the account's current address. */
static const struct db_stmt q_take = {
    "mail_take_token",
    "SELECT t.id, t.token_hash, t.user_id, lower(t.email) = lower(u.email) FROM email_tokens t"
    " JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND t.purpose = $2"
    " AND t.used_at IS NULL AND t.revoked_at IS NULL AND t.expires_at > now()"
    " AND u.deleted_at IS NULL AND u.is_active FOR UPDATE OF t",
    2, false};
static const struct db_stmt q_use = {
    "mail_use_token",
    "UPDATE email_tokens SET used_at = CASE WHEN id = $1 THEN now() ELSE used_at END,"
    " revoked_at = CASE WHEN id = $1 THEN revoked_at ELSE now() END"
    " WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL AND revoked_at IS NULL",
    3, false};
static const struct db_stmt q_new_password = {
    "mail_new_password",
    "UPDATE users SET password_hash = $2, email_verified = email_verified OR $3::boolean"
    " WHERE id = $1",
    3, false};
static const struct db_stmt q_clear_failures = {
    "mail_clear_failures", "DELETE FROM login_failures WHERE user_id = $1", 1, false};
static const struct db_stmt q_verified = {
    "mail_verified", "UPDATE users SET email_verified = true WHERE id = $1", 1, false};

#define TOKEN_BAD "is invalid, expired or already used"

/* Find and lock the live token of kind k: its row (q_take) in *r, or 400
 * naming token. Inside the caller's transaction. */
static enum app_err take(struct request *req, enum mail_kind k, PGresult **r,
                         struct field_error *fe)
{
	const char *token = req_body_str(req, "token");
	char hash[65];
	enum app_err e;

	if (token_hash(token, hash))
		return field_fail(fe, APP_ERR_VALIDATION, "token", TOKEN_BAD);
	const char *p[] = {hash, mail_kind_name(k)};
	if ((e = db_query(req->app->db, req->arena, &q_take, p, r)))
		return e;
	/* the index found the row by its hash; the comparison that decides is
	 * constant-time all the same */
	if (PQntuples(*r) != 1 || PQgetlength(*r, 0, 1) != 64 ||
	    !crypto_equal(PQgetvalue(*r, 0, 1), hash, 64))
		return field_fail(fe, APP_ERR_VALIDATION, "token", TOKEN_BAD);
	return APP_OK;
}

enum app_err mail_reset(struct request *req, struct response *res, struct field_error *fe)
{
	const char *password = req_body_str(req, "password");
	char user_id[37], *hash = NULL;
	PGresult *r;
	int revoked = 0;
	enum app_err e;

	if ((e = db_begin(req->app->db)))
		return e;
	if ((e = take(req, MAIL_PASSWORD_RESET, &r, fe)))
		goto rollback;
	snprintf(user_id, sizeof(user_id), "%s", PQgetvalue(r, 0, 2));
	const char *same = PQgetvalue(r, 0, 3)[0] == 't' ? "true" : "false";
	const char *up[] = {PQgetvalue(r, 0, 0), user_id, mail_kind_name(MAIL_PASSWORD_RESET)};
	const char *idp[] = {user_id};
	struct audit_entry a = {user_id, "user.password_reset", "user", user_id, true, NULL, NULL,
	                        NULL};
	if ((e = password_hash(req->app->cfg, password, strlen(password), &hash)))
		goto rollback;
	const char *hp[] = {user_id, hash, same};
	if ((e = db_query(req->app->db, req->arena, &q_new_password, hp, NULL)) ||
	    (e = db_query(req->app->db, req->arena, &q_use, up, NULL)) ||
	    (e = session_revoke_all(req, user_id, NULL, "password reset", &revoked)) ||
	    (e = db_query(req->app->db, req->arena, &q_clear_failures, idp, NULL)) ||
	    (e = audit_write(req, &a)))
		goto rollback;
	if ((e = db_commit(req->app->db)))
		goto out;
	user_cache_forget(req, user_id);
	log_info("auth.password_reset", "password of user %s reset by mail; %d sessions ended",
	         user_id, revoked);
	res->status = 204;
	goto out;
rollback:
	db_rollback(req->app->db);
out:
	if (hash) {
		OPENSSL_cleanse(hash, strlen(hash));
		free(hash);
	}
	return e;
}

enum app_err mail_verify(struct request *req, struct response *res, struct field_error *fe)
{
	char user_id[37];
	PGresult *r;
	enum app_err e;

	if ((e = db_begin(req->app->db)))
		return e;
	if ((e = take(req, MAIL_VERIFY_EMAIL, &r, fe)))
		goto rollback;
	if (PQgetvalue(r, 0, 3)[0] != 't') {
		e = field_fail(fe, APP_ERR_VALIDATION, "token",
		               "was sent to an address that is no longer the account's");
		goto rollback;
	}
	snprintf(user_id, sizeof(user_id), "%s", PQgetvalue(r, 0, 2));
	const char *up[] = {PQgetvalue(r, 0, 0), user_id, mail_kind_name(MAIL_VERIFY_EMAIL)};
	const char *idp[] = {user_id};
	struct audit_entry a = {user_id, "user.email_verified", "user", user_id, true, NULL, NULL,
	                        NULL};
	if ((e = db_query(req->app->db, req->arena, &q_verified, idp, NULL)) ||
	    (e = db_query(req->app->db, req->arena, &q_use, up, NULL)) ||
	    (e = audit_write(req, &a)))
		goto rollback;
	if ((e = db_commit(req->app->db)))
		return e;
	user_cache_forget(req, user_id);
	res->status = 204;
	return APP_OK;
rollback:
	db_rollback(req->app->db);
	return e;
}

/* the caller's verification state and mails this hour (with the seconds
 * until the oldest leaves the window) */
static const struct db_stmt q_resend_state = {
    "mail_resend_state",
    "SELECT u.email_verified, count(t.id), coalesce(ceil(extract(epoch FROM (min(t.created_at)"
    " + interval '1 hour' - now())))::bigint, 1) FROM users u LEFT JOIN email_tokens t"
    " ON t.user_id = u.id AND t.purpose = 'verify_email'"
    " AND t.created_at > now() - interval '1 hour' WHERE u.id = $1 AND u.deleted_at IS NULL"
    " GROUP BY u.id",
    1, true};

enum app_err mail_verify_resend(struct request *req, struct response *res, struct field_error *fe)
{
	const char *idp[] = {req->who->user_id};
	int64_t count = 0, left = 1;
	char retry[24];
	PGresult *r;
	bool made = false;
	enum app_err e;

	if (!mail_enabled(req->app->cfg))
		return field_fail(fe, APP_ERR_CONFLICT, "",
		                  "this server sends no mail (mail.smtp_host is not configured)");
	if ((e = db_query(req->app->db, req->arena, &q_resend_state, idp, &r)))
		return e;
	if (PQntuples(r) != 1)
		return field_fail(fe, APP_ERR_NOT_FOUND, "", "no such user");
	if (PQgetvalue(r, 0, 0)[0] == 't')
		return field_fail(fe, APP_ERR_CONFLICT, "email", "is verified already");
	if ((e = db_get_int64(r, 0, 1, &count)) || (e = db_get_int64(r, 0, 2, &left)))
		return e;
	if (count >= req->app->cfg->mail_address_limit) {
		snprintf(retry, sizeof(retry), "%lld", (long long)(left < 1 ? 1 : left));
		res_header(res, "Retry-After", retry);
		return field_fail(
		    fe, APP_ERR_RATE_LIMITED, "",
		    "%lld verification mails were sent in the last hour; try again in "
		    "%s s",
		    (long long)count, retry);
	}
	if ((e = issue(req, &q_issue_verify, MAIL_VERIFY_EMAIL, req->who->user_id, &made)))
		return e;
	if (!made) /* verified or limited by a concurrent request meanwhile */
		return field_fail(fe, APP_ERR_CONFLICT, "email",
		                  "no mail was sent; try again later");
	res->status = 202;
	return APP_OK;
}
