#include "auth/mfa.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>

#include "app.h"
#include "auth/audit.h"
#include "auth/auth.h"
#include "auth/handlers.h"
#include "auth/password.h"
#include "auth/totp.h"
#include "core/crypto.h"
#include "core/log.h"
#include "settings/settings.h"

/* clang-format off */
static const struct db_stmt q_state = {
	"mfa_state",
	"SELECT coalesce((SELECT enabled_at IS NOT NULL FROM user_mfa WHERE user_id = $1), false),"
	" EXISTS (SELECT 1 FROM user_mfa WHERE user_id = $1 AND enabled_at IS NULL),"
	" EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id"
	" WHERE ur.user_id = $1 AND r.mfa_required),"
	" (SELECT count(*) FROM mfa_backup_codes WHERE user_id = $1 AND used_at IS NULL),"
	" (SELECT to_char(enabled_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
	" FROM user_mfa WHERE user_id = $1)",
	1, true};
enum { S_ENABLED, S_PENDING, S_REQUIRED, S_BACKUP, S_ENABLED_AT };
static const struct db_stmt q_challenge_add = {
	"mfa_challenge_add",
	"INSERT INTO mfa_challenges (token_hash, user_id, device_name, cookie, setup_required,"
	" expires_at) VALUES (decode($1, 'hex'), $2, $3, $4::boolean, $5::boolean,"
	" now() + $6::bigint * interval '1 second')",
	6, false};
static const struct db_stmt q_challenge = {
	"mfa_challenge",
	"SELECT c.id, c.user_id, c.device_name, c.cookie, c.setup_required, u.username"
	" FROM mfa_challenges c JOIN users u ON u.id = c.user_id"
	" WHERE c.token_hash = decode($1, 'hex') AND c.used_at IS NULL AND c.expires_at > now()"
	" AND c.attempts < $2::int AND u.deleted_at IS NULL AND u.is_active",
	2, false};
enum { C_ID, C_USER, C_DEVICE, C_COOKIE, C_SETUP, C_NAME };
static const struct db_stmt q_challenge_miss = {
	"mfa_challenge_miss", "UPDATE mfa_challenges SET attempts = attempts + 1 WHERE id = $1", 1,
	false};
static const struct db_stmt q_challenge_use = {
	"mfa_challenge_use",
	"UPDATE mfa_challenges SET used_at = now() WHERE id = $1 AND used_at IS NULL"
	" AND expires_at > now() AND attempts < $2::int RETURNING 1",
	2, false};
static const struct db_stmt q_secret = {
	"mfa_secret",
	"SELECT secret_sealed, enabled_at IS NOT NULL FROM user_mfa WHERE user_id = $1", 1, false};
/* the replay guard: a step is accepted once, and never one before it */
static const struct db_stmt q_step = {
	"mfa_step",
	"UPDATE user_mfa SET last_step = $2::bigint WHERE user_id = $1 AND last_step < $2::bigint"
	" AND (enabled_at IS NOT NULL) = $3::boolean RETURNING 1",
	3, false};
static const struct db_stmt q_setup = {
	"mfa_setup",
	"INSERT INTO user_mfa (user_id, secret_sealed) VALUES ($1, $2) ON CONFLICT (user_id) DO"
	" UPDATE SET secret_sealed = EXCLUDED.secret_sealed, created_at = now(), last_step = -1"
	" WHERE user_mfa.enabled_at IS NULL RETURNING 1",
	2, false};
static const struct db_stmt q_enable = {
	"mfa_enable",
	"UPDATE user_mfa SET enabled_at = now() WHERE user_id = $1 AND enabled_at IS NULL"
	" RETURNING 1",
	1, false};
static const struct db_stmt q_disable = {
	"mfa_disable", "DELETE FROM user_mfa WHERE user_id = $1 RETURNING 1", 1, false};
static const struct db_stmt q_backup_clear = {
	"mfa_backup_clear", "DELETE FROM mfa_backup_codes WHERE user_id = $1", 1, false};
static const struct db_stmt q_backup_add = {
	"mfa_backup_add",
	"INSERT INTO mfa_backup_codes (user_id, code_hash)"
	" SELECT $1, decode(h, 'hex') FROM jsonb_array_elements_text($2::jsonb) AS h",
	2, false};
static const struct db_stmt q_backup_use = {
	"mfa_backup_use",
	"UPDATE mfa_backup_codes SET used_at = now() WHERE user_id = $1"
	" AND code_hash = decode($2, 'hex') AND used_at IS NULL RETURNING 1",
	2, false};
static const struct db_stmt q_user = {
	"mfa_user", "SELECT username, password_hash FROM users WHERE id = $1 AND deleted_at IS NULL",
	1, false};
/* clang-format on */

/* Backup codes: ten base32 characters (50 random bits), shown as
 * "xxxxx-xxxxx"; stored as SHA-256 of the ten lower-case characters. */
#define BACKUP_LEN 10
#define BACKUP_SHOWN (BACKUP_LEN + 1)

/* clang-format off */
static const struct body_field code_field = {
	.name = "code", .type = BT_STRING, .min = 1, .max = 16,
	.doc = "The current 6-digit code of the authenticator app."};

const struct body_field mfa_verify_body[] = {
	{.name = "code", .type = BT_STRING, .required = true, .min = 1, .max = 16,
	 .doc = "The current 6-digit code of the authenticator app."},
	{0},
};
const struct body_field mfa_confirm_body[] = {
	code_field,
	{.name = "password", .type = BT_STRING, .min = 1, .max = PASSWORD_MAX,
	 .doc = "The account's password, instead of a code."},
	{0},
};
const struct body_field auth_mfa_body[] = {
	{.name = "mfa_token", .type = BT_STRING, .required = true, .min = 1, .max = 128,
	 .doc = "The token the login answered."},
	code_field,
	{.name = "backup_code", .type = BT_STRING, .min = 1, .max = 32,
	 .doc = "One of the backup codes, instead of a code (each works once)."},
	{0},
};
/* clang-format on */

/* --- small helpers -------------------------------------------------------- */

static const char *secret_aad(struct request *req, const char *user_id)
{
	return arena_printf(req->arena, "mfa:totp:%s", user_id);
}

/* The sealing key; APP_ERR_UNAVAILABLE when auth.secret_key is not set. */
static enum app_err secret_key(struct request *req, unsigned char key[32], struct field_error *fe)
{
	const char *hex = req->app->cfg->auth_secret_key;

	if (!hex || !*hex || crypto_key_parse(hex, key))
		return field_fail(fe, APP_ERR_UNAVAILABLE, "",
		                  "MFA needs auth.secret_key in the server's configuration");
	return APP_OK;
}

/* A 6-digit code as typed ("123 456" too) into out; false when it is not. */
static bool code_digits(const char *code, char out[TOTP_DIGITS + 1])
{
	size_t n = 0;

	for (; *code; code++) {
		if (*code == ' ')
			continue;
		if (*code < '0' || *code > '9' || n == TOTP_DIGITS)
			return false;
		out[n++] = *code;
	}
	out[n] = '\0';
	return n == TOTP_DIGITS;
}

/* A backup code as typed (any case, '-' and spaces ignored) as the hex
 * of its hash; false when it cannot be one. */
static bool backup_hash(const char *code, char out[65])
{
	char norm[BACKUP_LEN + 1];
	size_t n = 0;

	for (; *code; code++) {
		char c = *code;
		if (c == '-' || c == ' ')
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7')) || n == BACKUP_LEN)
			return false;
		norm[n++] = c;
	}
	norm[n] = '\0';
	if (n != BACKUP_LEN)
		return false;
	crypto_sha256_hex(norm, n, out);
	return true;
}

/* Ten fresh backup codes: shown[i] for the answer, and their hashes as a
 * JSON array for q_backup_add. */
struct backup_set {
	char shown[MFA_BACKUP_CODES][BACKUP_SHOWN + 1];
	char hashes[MFA_BACKUP_CODES * 68 + 4];
};

static enum app_err backup_make(struct backup_set *b)
{
	unsigned char raw[7];
	char b32[16], hash[65];
	size_t o = 0;

	b->hashes[o++] = '[';
	for (int i = 0; i < MFA_BACKUP_CODES; i++) {
		if (crypto_random(raw, sizeof(raw)))
			return APP_ERR_INTERNAL;
		raw[6] &= 0xc0; /* 50 bits: the first ten base32 characters */
		base32_encode(raw, sizeof(raw), b32);
		for (int k = 0; k < BACKUP_LEN; k++)
			b32[k] =
			    (char)(b32[k] >= 'A' && b32[k] <= 'Z' ? b32[k] - 'A' + 'a' : b32[k]);
		b32[BACKUP_LEN] = '\0';
		snprintf(b->shown[i], sizeof(b->shown[i]), "%.5s-%.5s", b32, b32 + 5);
		crypto_sha256_hex(b32, BACKUP_LEN, hash);
		o += (size_t)snprintf(b->hashes + o, sizeof(b->hashes) - o, "%s\"%s\"",
		                      i ? "," : "", hash);
	}
	snprintf(b->hashes + o, sizeof(b->hashes) - o, "]");
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(b32, sizeof(b32));
	return APP_OK;
}

static void backup_json(struct jw *w, const struct backup_set *b)
{
	jw_key(w, "backup_codes");
	jw_arr_open(w);
	for (int i = 0; i < MFA_BACKUP_CODES; i++)
		jw_str(w, b->shown[i]);
	jw_arr_close(w);
}

/* Replace the account's backup codes by b's, in the caller's transaction. */
static enum app_err backup_store(struct request *req, const char *user_id,
                                 const struct backup_set *b)
{
	const char *idp[] = {user_id}, *ap[] = {user_id, b->hashes};
	enum app_err e;

	if ((e = db_query(req->app->db, req->arena, &q_backup_clear, idp, NULL)))
		return e;
	return db_query(req->app->db, req->arena, &q_backup_add, ap, NULL);
}

/*
 * The time step in now-1..now+1 whose code is `code` for the account's
 * secret (enabled or pending, as asked), or -1: no secret in that state,
 * or no step matches. All three steps are compared, in constant time, so
 * the timing tells nothing about which one matched. The step is not
 * recorded here (q_step does that, in the transaction that uses it).
 */
static enum app_err totp_match(struct request *req, const char *user_id, const char *code,
                               bool enabled, int64_t *step_out, struct field_error *fe)
{
	unsigned char key[32], secret[TOTP_SECRET_LEN + 8];
	char digits[TOTP_DIGITS + 1], want[TOTP_DIGITS + 1];
	const char *idp[] = {user_id};
	PGresult *r;
	char *plain;
	long n;
	enum app_err e;

	*step_out = -1;
	if (!code_digits(code, digits))
		return APP_OK;
	if ((e = db_query(req->app->db, req->arena, &q_secret, idp, &r)))
		return e;
	if (PQntuples(r) != 1 || (PQgetvalue(r, 0, 1)[0] == 't') != enabled)
		return APP_OK;
	if ((e = secret_key(req, key, fe)))
		return e;
	plain = crypto_open_text(key, secret_aad(req, user_id), PQgetvalue(r, 0, 0));
	OPENSSL_cleanse(key, sizeof(key));
	if (!plain) {
		log_error("mfa.secret_unreadable",
		          "a TOTP secret does not open (auth.secret_key changed?)");
		return field_fail(fe, APP_ERR_INTERNAL, "", "the second factor cannot be checked");
	}
	n = base32_decode(plain, strlen(plain), secret, sizeof(secret));
	OPENSSL_cleanse(plain, strlen(plain));
	free(plain);
	if (n <= 0)
		return APP_ERR_INTERNAL;
	uint64_t now = totp_step((int64_t)time(NULL));
	for (int d = -1; d <= 1; d++) {
		if (totp_code(secret, (size_t)n, now + (uint64_t)(int64_t)d, want)) {
			OPENSSL_cleanse(secret, sizeof(secret));
			return APP_ERR_INTERNAL;
		}
		if (crypto_equal(want, digits, TOTP_DIGITS))
			*step_out = (int64_t)now + d;
	}
	OPENSSL_cleanse(secret, sizeof(secret));
	OPENSSL_cleanse(want, sizeof(want));
	return APP_OK;
}

/* Record step as used (in the caller's transaction): APP_ERR_UNAUTHORIZED
 * naming `code` when it, or a later one, was used already. */
static enum app_err step_take(struct request *req, const char *user_id, int64_t step, bool enabled,
                              struct field_error *fe)
{
	char s[24];
	PGresult *r;
	enum app_err e;

	snprintf(s, sizeof(s), "%lld", (long long)step);
	const char *params[] = {user_id, s, enabled ? "true" : "false"};
	if ((e = db_query(req->app->db, req->arena, &q_step, params, &r)))
		return e;
	return PQntuples(r) == 1 ? APP_OK
	                         : field_fail(fe, APP_ERR_UNAUTHORIZED, "code",
	                                      "was used already; wait for the next one");
}

/* Management needs a session (or, for setup and verify, a challenge). */
static enum app_err need_session(const struct request *req, struct field_error *fe)
{
	return req->who->via == AUTH_APIKEY
	           ? field_fail(fe, APP_ERR_FORBIDDEN, "X-API-Key",
	                        "the second factor is managed from a session, not with an API key")
	           : APP_OK;
}

static enum app_err load_state(struct request *req, const char *user_id, PGresult **r)
{
	const char *idp[] = {user_id};

	return db_query(req->app->db, req->arena, &q_state, idp, r);
}

static bool state_is(const PGresult *r, int col)
{
	return PQgetvalue(r, 0, col)[0] == 't';
}

/* A challenge by its token: *r (one row, C_* columns) or
 * APP_ERR_UNAUTHORIZED naming field. */
static enum app_err challenge_find(struct request *req, const char *token, const char *field,
                                   PGresult **r, struct field_error *fe)
{
	char hash[65], attempts[8];
	enum app_err e;

	crypto_sha256_hex(token, strlen(token), hash);
	snprintf(attempts, sizeof(attempts), "%d", MFA_CHALLENGE_ATTEMPTS);
	const char *params[] = {hash, attempts};
	if ((e = db_query(req->app->db, req->arena, &q_challenge, params, r)))
		return e;
	return PQntuples(*r) == 1 ? APP_OK
	                          : field_fail(fe, APP_ERR_UNAUTHORIZED, field,
	                                       "is invalid, expired or used; log in again");
}

/* Mark the challenge used, in the caller's transaction;
 * APP_ERR_UNAUTHORIZED naming field when it is no longer live. */
static enum app_err challenge_use(struct request *req, const char *id, const char *field,
                                  struct field_error *fe)
{
	char attempts[8];
	PGresult *r;
	enum app_err e;

	snprintf(attempts, sizeof(attempts), "%d", MFA_CHALLENGE_ATTEMPTS);
	const char *params[] = {id, attempts};
	if ((e = db_query(req->app->db, req->arena, &q_challenge_use, params, &r)))
		return e;
	return PQntuples(r) == 1 ? APP_OK
	                         : field_fail(fe, APP_ERR_UNAUTHORIZED, field,
	                                      "is invalid, expired or used; log in again");
}

/* --- the login's gate ----------------------------------------------------- */

enum app_err mfa_login_gate(struct request *req, struct response *res, const char *user_id,
                            const char *device, bool cookie, bool *challenged)
{
	char token[CRYPTO_TOKEN_LEN + 1], hash[65], ttl[16];
	PGresult *r;
	struct jw w;
	enum app_err e;

	*challenged = false;
	if ((e = load_state(req, user_id, &r)))
		return e;
	bool enabled = state_is(r, S_ENABLED), setup = !enabled && state_is(r, S_REQUIRED);
	if (!enabled && !setup)
		return APP_OK;
	if (crypto_token("rvm_", token, hash))
		return APP_ERR_INTERNAL;
	snprintf(ttl, sizeof(ttl), "%d", MFA_CHALLENGE_TTL);
	const char *params[] = {
	    hash, user_id, device, cookie ? "true" : "false", setup ? "true" : "false", ttl};
	struct audit_entry a = {user_id, "user.login.challenge",
	                        "user",  user_id,
	                        true,    NULL,
	                        NULL,    setup ? "{\"mfa_setup_required\":true}" : NULL};
	if ((e = db_begin(req->app->db)))
		return e;
	if ((e = db_query(req->app->db, req->arena, &q_challenge_add, params, NULL)) ||
	    (e = audit_write(req, &a)) || (e = db_commit(req->app->db))) {
		db_rollback(req->app->db);
		OPENSSL_cleanse(token, sizeof(token));
		return e;
	}
	*challenged = true;
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	jw_kbool(&w, "mfa_required", true);
	if (setup)
		jw_kbool(&w, "mfa_setup_required", true);
	jw_kstr(&w, "mfa_token", token);
	jw_kint(&w, "expires_in", MFA_CHALLENGE_TTL);
	jw_key(&w, "methods");
	jw_arr_open(&w);
	if (setup) {
		jw_str(&w, "totp_setup");
	} else {
		jw_str(&w, "totp");
		jw_str(&w, "backup_code");
	}
	jw_arr_close(&w);
	jw_obj_close(&w);
	OPENSSL_cleanse(token, sizeof(token));
	return APP_OK;
}

bool mfa_route_takes_token(const struct request *req)
{
	return req->route &&
	       (req->route->handler == mfa_totp_setup || req->route->handler == mfa_totp_verify);
}

enum app_err mfa_authorize_token(struct request *req, struct field_error *fe)
{
	struct principal *who = arena_calloc(req->arena, 1, sizeof(*who));
	const char *token = req_header(req, MFA_TOKEN_HEADER);
	PGresult *r;
	enum app_err e;

	if (!who)
		return APP_ERR_NOMEM;
	if (!token || strlen(token) > 128)
		return field_fail(fe, APP_ERR_UNAUTHORIZED, MFA_TOKEN_HEADER, "is invalid");
	if ((e = challenge_find(req, token, MFA_TOKEN_HEADER, &r, fe)))
		return e;
	if (PQgetvalue(r, 0, C_SETUP)[0] != 't')
		return field_fail(fe, APP_ERR_UNAUTHORIZED, MFA_TOKEN_HEADER,
		                  "is a challenge for a code: answer it at POST /api/v1/auth/mfa");
	who->via = AUTH_MFA_TOKEN;
	snprintf(who->user_id, sizeof(who->user_id), "%s", PQgetvalue(r, 0, C_USER));
	who->perms_loaded = true;
	req->who = who;
	return APP_OK;
}

/* --- management ----------------------------------------------------------- */

enum app_err mfa_status(struct request *req, struct response *res, struct field_error *fe)
{
	PGresult *r;
	struct jw w;
	enum app_err e;

	(void)fe;
	if ((e = load_state(req, req->who->user_id, &r)))
		return e;
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	jw_kbool(&w, "enabled", state_is(r, S_ENABLED));
	jw_kbool(&w, "pending", state_is(r, S_PENDING));
	db_json_int(&w, "backup_codes_remaining", r, 0, S_BACKUP);
	jw_kbool(&w, "required_by_role", state_is(r, S_REQUIRED));
	jw_kstr(&w, "enabled_at",
	        PQgetisnull(r, 0, S_ENABLED_AT) ? NULL : PQgetvalue(r, 0, S_ENABLED_AT));
	jw_key(&w, "methods");
	jw_arr_open(&w);
	if (state_is(r, S_ENABLED)) {
		jw_str(&w, "totp");
		jw_str(&w, "backup_code");
	}
	jw_arr_close(&w);
	jw_obj_close(&w);
	return APP_OK;
}

enum app_err mfa_totp_setup(struct request *req, struct response *res, struct field_error *fe)
{
	const char *user_id = req->who->user_id;
	unsigned char key[32], raw[TOTP_SECRET_LEN];
	char b32[TOTP_SECRET_B32 + 1];
	PGresult *r, *u;
	struct buf url, svg;
	struct jw w;
	enum app_err e;

	if ((e = need_session(req, fe)) || (e = secret_key(req, key, fe)))
		return e;
	const char *idp[] = {user_id};
	if ((e = db_query(req->app->db, req->arena, &q_user, idp, &u)))
		goto wipe;
	if (PQntuples(u) != 1) {
		e = APP_ERR_UNAUTHORIZED;
		goto wipe;
	}
	if (crypto_random(raw, sizeof(raw))) {
		e = APP_ERR_INTERNAL;
		goto wipe;
	}
	base32_encode(raw, sizeof(raw), b32);
	OPENSSL_cleanse(raw, sizeof(raw));
	char *sealed = crypto_seal_text(key, secret_aad(req, user_id), b32);
	OPENSSL_cleanse(key, sizeof(key));
	if (!sealed) {
		e = APP_ERR_INTERNAL;
		goto wipe;
	}
	const char *sp[] = {user_id, sealed};
	struct audit_entry a = {user_id, "user.mfa.setup", "user", user_id, true, NULL, NULL, NULL};
	if ((e = db_begin(req->app->db)))
		goto out;
	if ((e = db_query(req->app->db, req->arena, &q_setup, sp, &r)) ||
	    (PQntuples(r) != 1 &&
	     (e = field_fail(fe, APP_ERR_CONFLICT, "",
	                     "MFA is enabled already; disable it first to set up a new secret"))) ||
	    (e = audit_write(req, &a)) || (e = db_commit(req->app->db))) {
		db_rollback(req->app->db);
		goto out;
	}
	const char *issuer = settings_get_string(req, "server.name", "Revenge");
	if (!issuer || !*issuer)
		issuer = "Revenge";
	buf_init(&url, 2048);
	buf_init(&svg, 512 * 1024);
	if (totp_otpauth_url(&url, issuer, PQgetvalue(u, 0, 0), b32) ||
	    qr_svg(&svg, url.data, NULL))
		e = APP_ERR_INTERNAL;
	if (!e) {
		jw_init(&w, &res->body);
		jw_obj_open(&w);
		jw_kstr(&w, "secret", b32);
		jw_kstr(&w, "otpauth_url", url.data);
		jw_kstr(&w, "qr_svg", svg.data);
		jw_kstr(&w, "algorithm", "SHA1");
		jw_kint(&w, "digits", TOTP_DIGITS);
		jw_kint(&w, "period", TOTP_PERIOD);
		jw_obj_close(&w);
	}
	OPENSSL_cleanse(url.data, url.len);
	buf_release(&url);
	buf_release(&svg);
out:
	OPENSSL_cleanse(sealed, strlen(sealed));
	free(sealed);
	OPENSSL_cleanse(b32, sizeof(b32));
wipe:
	OPENSSL_cleanse(key, sizeof(key));
	return e;
}

/* Enabling: the verified step, the pending secret enabled, ten backup
 * codes and the audit row, in the caller's transaction (and with a
 * challenge, the challenge used and the session made in the same one). */
struct enable_ctx {
	const char *user_id, *challenge_id;
	int64_t step;
	struct backup_set codes;
	struct field_error *fe;
};

static enum app_err enable_in_txn(struct request *req, void *p)
{
	struct enable_ctx *c = p;
	const char *idp[] = {c->user_id};
	struct audit_entry a = {c->user_id, "user.mfa.enable", "user", c->user_id, true, NULL, NULL,
	                        NULL};
	PGresult *r;
	enum app_err e;

	if ((e = step_take(req, c->user_id, c->step, false, c->fe)) ||
	    (e = db_query(req->app->db, req->arena, &q_enable, idp, &r)))
		return e;
	if (PQntuples(r) != 1)
		return field_fail(c->fe, APP_ERR_CONFLICT, "", "no TOTP setup is pending");
	if ((e = backup_store(req, c->user_id, &c->codes)) || (e = audit_write(req, &a)))
		return e;
	return c->challenge_id ? challenge_use(req, c->challenge_id, MFA_TOKEN_HEADER, c->fe)
	                       : APP_OK;
}

static void enable_extra(struct jw *w, void *p)
{
	backup_json(w, &((struct enable_ctx *)p)->codes);
}

enum app_err mfa_totp_verify(struct request *req, struct response *res, struct field_error *fe)
{
	struct enable_ctx *c = arena_calloc(req->arena, 1, sizeof(*c));
	PGresult *ch = NULL, *st;
	struct jw w;
	enum app_err e;

	if (!c)
		return APP_ERR_NOMEM;
	c->user_id = req->who->user_id;
	c->fe = fe;
	if ((e = need_session(req, fe)) || (e = load_state(req, c->user_id, &st)))
		return e;
	if (state_is(st, S_ENABLED))
		return field_fail(fe, APP_ERR_CONFLICT, "", "MFA is enabled already");
	if (!state_is(st, S_PENDING))
		return field_fail(fe, APP_ERR_CONFLICT, "",
		                  "no TOTP setup is pending: POST /api/v1/mfa/totp/setup first");
	if (req->who->via == AUTH_MFA_TOKEN) {
		if ((e = challenge_find(req, req_header(req, MFA_TOKEN_HEADER), MFA_TOKEN_HEADER,
		                        &ch, fe)))
			return e;
		c->challenge_id = PQgetvalue(ch, 0, C_ID);
	}
	if ((e = totp_match(req, c->user_id, req_body_str(req, "code"), false, &c->step, fe)))
		return e;
	if (c->step < 0) {
		/* a wrong code spends one of the challenge's attempts */
		const char *cp[] = {c->challenge_id};
		if (c->challenge_id &&
		    (e = db_query(req->app->db, req->arena, &q_challenge_miss, cp, NULL)))
			return e;
		return field_fail(fe, APP_ERR_VALIDATION, "code",
		                  "is not the current code of the new secret");
	}
	if ((e = backup_make(&c->codes)))
		return e;
	if (ch) {
		struct session_hooks h = {enable_in_txn, enable_extra, c};
		e = auth_issue_session_hooked(
		    req, res, c->user_id,
		    PQgetisnull(ch, 0, C_DEVICE) ? NULL : PQgetvalue(ch, 0, C_DEVICE),
		    PQgetvalue(ch, 0, C_COOKIE)[0] == 't', NULL, &h);
		goto out;
	}
	if ((e = db_begin(req->app->db)))
		goto out;
	if ((e = enable_in_txn(req, c)) || (e = db_commit(req->app->db))) {
		db_rollback(req->app->db);
		goto out;
	}
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	jw_kbool(&w, "enabled", true);
	backup_json(&w, &c->codes);
	jw_obj_close(&w);
out:
	OPENSSL_cleanse(&c->codes, sizeof(c->codes));
	return e;
}

/* The body's code or password proves the caller holds the factor or the
 * account (403 naming the field that is wrong; 400 when neither is given).
 * A code is taken (not reusable) once it passes. */
static enum app_err confirm(struct request *req, bool enabled, struct field_error *fe)
{
	const char *user_id = req->who->user_id, *code = req_body_str(req, "code"),
	           *password = req_body_str(req, "password");
	const char *idp[] = {user_id};
	int64_t step;
	PGresult *r;
	enum app_err e;

	if (code) {
		if ((e = totp_match(req, user_id, code, enabled, &step, fe)))
			return e;
		if (step < 0)
			return field_fail(fe, APP_ERR_FORBIDDEN, "code", "is wrong");
		return (e = step_take(req, user_id, step, enabled, fe)) == APP_ERR_UNAUTHORIZED
		           ? field_fail(fe, APP_ERR_FORBIDDEN, "code", "was used already")
		           : e;
	}
	if (!password)
		return field_fail(fe, APP_ERR_VALIDATION, "code",
		                  "a current code (or the password) is required");
	if ((e = db_query(req->app->db, req->arena, &q_user, idp, &r)))
		return e;
	if (PQntuples(r) != 1 || !password_verify(PQgetvalue(r, 0, 1), password, strlen(password)))
		return field_fail(fe, APP_ERR_FORBIDDEN, "password", "is wrong");
	return APP_OK;
}

enum app_err mfa_totp_disable(struct request *req, struct response *res, struct field_error *fe)
{
	const char *user_id = req->who->user_id;
	const char *idp[] = {user_id};
	struct audit_entry a = {user_id, "user.mfa.disable", "user", user_id, true, NULL, NULL,
	                        NULL};
	PGresult *st, *r;
	enum app_err e;

	if ((e = need_session(req, fe)) || (e = load_state(req, user_id, &st)))
		return e;
	if (!state_is(st, S_ENABLED) && !state_is(st, S_PENDING))
		return field_fail(fe, APP_ERR_CONFLICT, "", "MFA is not set up");
	if (state_is(st, S_REQUIRED) && state_is(st, S_ENABLED))
		return field_fail(fe, APP_ERR_FORBIDDEN, "",
		                  "a role of this account requires MFA; it cannot be disabled");
	if (req_body_str(req, "code") && !state_is(st, S_ENABLED))
		return field_fail(fe, APP_ERR_VALIDATION, "code",
		                  "MFA is not enabled yet: confirm with the password");
	if ((e = confirm(req, state_is(st, S_ENABLED), fe)))
		return e;
	if ((e = db_begin(req->app->db)))
		return e;
	if ((e = db_query(req->app->db, req->arena, &q_disable, idp, &r)) ||
	    (e = db_query(req->app->db, req->arena, &q_backup_clear, idp, NULL)) ||
	    (e = audit_write(req, &a)) || (e = db_commit(req->app->db))) {
		db_rollback(req->app->db);
		return e;
	}
	res->status = 204;
	return APP_OK;
}

enum app_err mfa_backup_regenerate(struct request *req, struct response *res,
                                   struct field_error *fe)
{
	const char *user_id = req->who->user_id;
	struct audit_entry a = {user_id, "user.mfa.backup_codes", "user", user_id, true, NULL, NULL,
	                        NULL};
	struct backup_set *b = arena_calloc(req->arena, 1, sizeof(*b));
	PGresult *st;
	struct jw w;
	enum app_err e;

	if (!b)
		return APP_ERR_NOMEM;
	if ((e = need_session(req, fe)) || (e = load_state(req, user_id, &st)))
		return e;
	if (!state_is(st, S_ENABLED))
		return field_fail(fe, APP_ERR_CONFLICT, "", "MFA is not enabled");
	if ((e = confirm(req, true, fe)) || (e = backup_make(b)))
		return e;
	if ((e = db_begin(req->app->db)))
		goto out;
	if ((e = backup_store(req, user_id, b)) || (e = audit_write(req, &a)) ||
	    (e = db_commit(req->app->db))) {
		db_rollback(req->app->db);
		goto out;
	}
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	backup_json(&w, b);
	jw_obj_close(&w);
out:
	OPENSSL_cleanse(b, sizeof(*b));
	return e;
}

/* --- the second step of a login ------------------------------------------- */

struct second_ctx {
	const char *user_id, *challenge_id;
	int64_t step;       /* a TOTP step, or -1 */
	const char *backup; /* hex hash of a backup code, or NULL */
	struct field_error *fe;
};

static enum app_err second_in_txn(struct request *req, void *p)
{
	struct second_ctx *c = p;
	PGresult *r;
	enum app_err e;

	if (c->backup) {
		const char *params[] = {c->user_id, c->backup};
		struct audit_entry a = {
		    c->user_id, "user.mfa.backup_code_used", "user", c->user_id, true, NULL, NULL,
		    NULL};
		if ((e = db_query(req->app->db, req->arena, &q_backup_use, params, &r)))
			return e;
		if (PQntuples(r) != 1)
			return field_fail(c->fe, APP_ERR_UNAUTHORIZED, "backup_code", "is wrong");
		if ((e = audit_write(req, &a)))
			return e;
	} else if ((e = step_take(req, c->user_id, c->step, true, c->fe))) {
		return e;
	}
	return challenge_use(req, c->challenge_id, "mfa_token", c->fe);
}

enum app_err auth_mfa(struct request *req, struct response *res, struct field_error *fe)
{
	const char *token = req_body_str(req, "mfa_token"), *code = req_body_str(req, "code"),
	           *backup = req_body_str(req, "backup_code");
	struct second_ctx c = {.step = -1, .fe = fe};
	char hash[65];
	PGresult *ch;
	enum app_err e;

	if (!code == !backup)
		return field_fail(fe, APP_ERR_VALIDATION, "code",
		                  "give either code or backup_code (one of them)");
	if ((e = challenge_find(req, token, "mfa_token", &ch, fe)))
		return e;
	if (PQgetvalue(ch, 0, C_SETUP)[0] == 't')
		return field_fail(fe, APP_ERR_CONFLICT, "mfa_token",
		                  "this account must set MFA up first: POST "
		                  "/api/v1/mfa/totp/setup with the token as " MFA_TOKEN_HEADER);
	c.user_id = PQgetvalue(ch, 0, C_USER);
	c.challenge_id = PQgetvalue(ch, 0, C_ID);
	const char *name = PQgetvalue(ch, 0, C_NAME);
	if ((e = auth_check_lock(req, res, c.user_id, name, fe)))
		return e;
	if (code) {
		if ((e = totp_match(req, c.user_id, code, true, &c.step, fe)))
			return e;
	} else if (backup_hash(backup, hash)) {
		c.backup = hash;
	}
	if (c.step >= 0 || c.backup) {
		struct session_hooks h = {second_in_txn, NULL, &c};
		e = auth_issue_session_hooked(
		    req, res, c.user_id,
		    PQgetisnull(ch, 0, C_DEVICE) ? NULL : PQgetvalue(ch, 0, C_DEVICE),
		    PQgetvalue(ch, 0, C_COOKIE)[0] == 't', NULL, &h);
		if (e != APP_ERR_UNAUTHORIZED || !strcmp(fe->field, "mfa_token"))
			return e;
	}
	/* a wrong (or replayed) code: the challenge spends an attempt, and
	 * the failure counts towards the account's lockout like a wrong
	 * password */
	const char *cp[] = {c.challenge_id};
	if ((e = db_query(req->app->db, req->arena, &q_challenge_miss, cp, NULL)) ||
	    (e = auth_record_failure(req, name, c.user_id, "user.login.mfa",
	                             code ? "wrong code" : "wrong backup code")))
		return e;
	return field_fail(fe, APP_ERR_UNAUTHORIZED, code ? "code" : "backup_code", "%s",
	                  code && fe->field[0] && strstr(fe->detail, "used already")
	                      ? "was used already; wait for the next one"
	                      : "is wrong");
}
