/*
 * Multi-factor authentication (issue 18, SPEC §2.4) over the pool's socket
 * against the real PostgreSQL and Redis: TOTP setup and verify, the login
 * challenge and POST /auth/mfa, the ±1 step window and replay refusal,
 * backup codes, wrong codes up to the lockout, expired and reused
 * challenges, disable and regenerate, MFA required by a role, and the
 * secret sealed at rest.
 *
 * Codes are computed here from the secret the setup answers, with the
 * production RFC 6238 function (auth/totp.h, itself checked against the
 * RFC's vectors in test_totp). A code is accepted once per time step, so
 * sub-tests that need fresh steps reset the account's last_step with SQL,
 * and steps are computed after wait_mid_step() made sure the server's
 * clock cannot cross a step boundary in between (a precondition, not a
 * timed assertion).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "api.h"
#include "auth/password.h"
#include "auth/totp.h"
#include "core/config.h"
#include "core/crypto.h"
#include "server.h"
#include "testenv.h"

static char conf[256], sock[256], log_path[256], db_url[1024];
static pid_t server = -1;

#define KEY_HEX "8f1c2d3e4a5b6c7d8e9fa0b1c2d3e4f5061728394a5b6c7d8e9fa0b1c2d3e4f5"
#define BASE "pool_size = 2\n[ratelimit]\nenabled = false\n"
#define AUTH_CONF "[auth]\nargon2_memory = 1m\nargon2_iterations = 1\nsecret_key = " KEY_HEX "\n"

struct mfa_user {
	struct api_user u;
	char secret[TOTP_SECRET_B32 + 1];
	char backup[10][16];
};

static long count(const char *sql, const char *a, const char *b)
{
	return strtol(api_q(sql, a, b), NULL, 10);
}

static void forget_failures(void)
{
	api_q("UPDATE login_failures SET at = at - interval '1 day'", NULL, NULL);
}

/* A call with X-MFA-Token (and no other credential). */
static int call_mfa_token(const char *method, const char *uri, const char *mfa_token,
                          const char *body)
{
	char hdr[256];
	const char *params[] = {hdr, NULL};

	snprintf(hdr, sizeof(hdr), "HTTP_X_MFA_TOKEN=%s", mfa_token);
	assert_int_equal(fcgi_call(api_sock, method, uri, params, body, &api_last), 0);
	cJSON_Delete(api_last_json);
	api_last_json = cJSON_Parse(api_last.body);
	return api_last.status;
}

static uint64_t step_now(void)
{
	return totp_step((int64_t)time(NULL));
}

/* Return with at least 4 s left in the current step (and 2 s into it). */
static void wait_mid_step(void)
{
	while (time(NULL) % TOTP_PERIOD < 2 || time(NULL) % TOTP_PERIOD > TOTP_PERIOD - 5)
		sleep(1);
}

static const char *code_at(const char *secret_b32, uint64_t step)
{
	static char out[4][TOTP_DIGITS + 1];
	static int turn;
	unsigned char key[TOTP_SECRET_LEN];
	char *c = out[turn++ % 4];

	assert_int_equal(base32_decode(secret_b32, strlen(secret_b32), key, sizeof(key)),
	                 TOTP_SECRET_LEN);
	assert_int_equal(totp_code(key, sizeof(key), step, c), 0);
	return c;
}

static void reset_steps(const char *user_id)
{
	api_q("UPDATE user_mfa SET last_step = -1 WHERE user_id = $1", user_id, NULL);
}

/* Log in with the password; the challenge's token into token (when one
 * is answered). Returns the status. */
static int login(const char *name, char token[64])
{
	int st = api_call("POST", "/api/v1/auth/login", NULL,
	                  api_fmt("{\"username\":\"%s\",\"password\":\"pw-%s-long\","
	                          "\"device_name\":\"phone\"}",
	                          name, name));
	const char *t = api_str(api_last_json, "mfa_token");
	if (token)
		snprintf(token, 64, "%s", t ? t : "");
	return st;
}

static int answer(const char *token, const char *member, const char *value)
{
	return api_call("POST", "/api/v1/auth/mfa", NULL,
	                api_fmt("{\"mfa_token\":\"%s\",\"%s\":\"%s\"}", token, member, value));
}

/* Register u and enable TOTP through the API. */
static void enable_mfa(struct mfa_user *m, const char *name)
{
	api_new_user(&m->u, name, NULL);
	EXPECT(api_call("POST", "/api/v1/mfa/totp/setup", m->u.token, NULL), 200);
	snprintf(m->secret, sizeof(m->secret), "%s", api_str(api_last_json, "secret"));
	assert_int_equal(strlen(m->secret), TOTP_SECRET_B32);
	wait_mid_step();
	EXPECT(api_call("POST", "/api/v1/mfa/totp/verify", m->u.token,
	                api_fmt("{\"code\":\"%s\"}", code_at(m->secret, step_now()))),
	       200);
	const cJSON *codes = api_get(api_last_json, "backup_codes");
	assert_int_equal(cJSON_GetArraySize(codes), 10);
	for (int i = 0; i < 10; i++)
		snprintf(m->backup[i], sizeof(m->backup[i]), "%s",
		         cJSON_GetArrayItem(codes, i)->valuestring);
	reset_steps(m->u.id);
}

/* --- setup, verify, login ------------------------------------------------- */

static void setup_verify_login(void **state)
{
	struct api_user u;
	char secret[64], token[64], access[128];
	unsigned char key[32], other[32];

	(void)state;
	api_new_user(&u, "mfa_alice", NULL);
	EXPECT(api_call("GET", "/api/v1/mfa/status", u.token, NULL), 200);
	assert_false(cJSON_IsTrue(api_get(api_last_json, "enabled")));
	assert_false(cJSON_IsTrue(api_get(api_last_json, "pending")));
	/* verify before setup: nothing pending */
	EXPECT(api_call("POST", "/api/v1/mfa/totp/verify", u.token, "{\"code\":\"123456\"}"), 409);

	EXPECT(api_call("POST", "/api/v1/mfa/totp/setup", u.token, NULL), 200);
	snprintf(secret, sizeof(secret), "%s", api_str(api_last_json, "secret"));
	assert_int_equal(strlen(secret), 32);
	assert_string_equal(api_str(api_last_json, "otpauth_url"),
	                    api_fmt("otpauth://totp/Revenge:mfa_alice?secret=%s&issuer=Revenge"
	                            "&algorithm=SHA1&digits=6&period=30",
	                            secret));
	assert_int_equal(strncmp(api_str(api_last_json, "qr_svg"), "<svg ", 5), 0);
	assert_int_equal(api_get(api_last_json, "period")->valueint, 30);

	/* sealed at rest: neither the base32 nor the raw secret is stored,
	 * and the value opens only with the key and this account's aad */
	char sealed[512];
	snprintf(sealed, sizeof(sealed), "%s",
	         api_q("SELECT secret_sealed FROM user_mfa WHERE user_id = $1", u.id, NULL));
	const char *raw_hex =
	    api_q("SELECT encode(secret_sealed::bytea, 'hex') FROM user_mfa WHERE "
	          "user_id = $1",
	          u.id, NULL);
	unsigned char raw[TOTP_SECRET_LEN];
	char raw_text[2 * TOTP_SECRET_LEN + 1];
	assert_int_equal(base32_decode(secret, strlen(secret), raw, sizeof(raw)), TOTP_SECRET_LEN);
	hex_encode(raw, sizeof(raw), raw_text);
	assert_null(strstr(sealed, secret));
	assert_null(strstr(raw_hex, raw_text));
	assert_int_equal(strncmp(sealed, "gcm1.", 5), 0);
	assert_int_equal(crypto_key_parse(KEY_HEX, key), 0);
	char *plain = crypto_open_text(key, api_fmt("mfa:totp:%s", u.id), sealed);
	assert_non_null(plain);
	assert_string_equal(plain, secret);
	free(plain);
	memcpy(other, key, 32);
	other[0] ^= 1;
	assert_null(crypto_open_text(other, api_fmt("mfa:totp:%s", u.id), sealed));
	assert_null(crypto_open_text(key, "mfa:totp:00000000-0000-0000-0000-000000000000", sealed));

	/* a second setup while pending replaces the secret */
	EXPECT(api_call("POST", "/api/v1/mfa/totp/setup", u.token, NULL), 200);
	assert_string_not_equal(api_str(api_last_json, "secret"), secret);
	snprintf(secret, sizeof(secret), "%s", api_str(api_last_json, "secret"));

	/* bad codes: 400 naming code, and nothing enabled */
	wait_mid_step();
	uint64_t s = step_now();
	EXPECT_FIELD(api_call("POST", "/api/v1/mfa/totp/verify", u.token, "{\"code\":\"12a456\"}"),
	             400, "code");
	EXPECT_FIELD(api_call("POST", "/api/v1/mfa/totp/verify", u.token,
	                      api_fmt("{\"code\":\"%s\"}", code_at(secret, s + 2))),
	             400, "code");
	EXPECT_FIELD(api_call("POST", "/api/v1/mfa/totp/verify", u.token, "{}"), 400, "code");
	EXPECT_FIELD(api_call("POST", "/api/v1/mfa/totp/verify", u.token, "{\"code\":12}"), 400,
	             "code");
	assert_int_equal(count("SELECT count(*) FROM user_mfa WHERE user_id = $1 AND enabled_at IS "
	                       "NOT NULL",
	                       u.id, NULL),
	                 0);
	assert_int_equal(
	    count("SELECT count(*) FROM mfa_backup_codes WHERE user_id = $1", u.id, NULL), 0);

	/* the right code enables it and shows ten distinct backup codes once */
	EXPECT(api_call("POST", "/api/v1/mfa/totp/verify", u.token,
	                api_fmt("{\"code\":\"%s\"}", code_at(secret, s))),
	       200);
	assert_true(cJSON_IsTrue(api_get(api_last_json, "enabled")));
	const cJSON *codes = api_get(api_last_json, "backup_codes");
	assert_int_equal(cJSON_GetArraySize(codes), 10);
	for (int i = 0; i < 10; i++) {
		const char *ci = cJSON_GetArrayItem(codes, i)->valuestring;
		assert_int_equal(strlen(ci), 11);
		assert_int_equal(ci[5], '-');
		for (int k = 0; k < i; k++)
			assert_string_not_equal(ci, cJSON_GetArrayItem(codes, k)->valuestring);
		/* only hashes are stored */
		assert_int_equal(count("SELECT count(*) FROM mfa_backup_codes WHERE position("
		                       "convert_to($1, 'UTF8') IN code_hash) > 0",
		                       ci, NULL),
		                 0);
	}
	assert_int_equal(count("SELECT count(*) FROM mfa_backup_codes WHERE user_id = $1 AND "
	                       "octet_length(code_hash) = 32",
	                       u.id, NULL),
	                 10);
	assert_int_equal(
	    count("SELECT count(*) FROM audit_log WHERE action = 'user.mfa.enable' AND "
	          "user_id = $1",
	          u.id, NULL),
	    1);
	EXPECT(api_call("GET", "/api/v1/mfa/status", u.token, NULL), 200);
	assert_true(cJSON_IsTrue(api_get(api_last_json, "enabled")));
	assert_int_equal(api_get(api_last_json, "backup_codes_remaining")->valueint, 10);
	/* setup while enabled: 409, the secret unchanged */
	snprintf(sealed, sizeof(sealed), "%s",
	         api_q("SELECT secret_sealed FROM user_mfa WHERE user_id = $1", u.id, NULL));
	EXPECT(api_call("POST", "/api/v1/mfa/totp/setup", u.token, NULL), 409);
	assert_string_equal(
	    api_q("SELECT secret_sealed FROM user_mfa WHERE user_id = $1", u.id, NULL), sealed);

	/* a hash made with other parameters is upgraded at a challenged login
	 * too (the password was right) */
	struct config old = {0};
	char *old_hash = NULL;
	old.auth_argon2_memory = 2 * 1024 * 1024;
	old.auth_argon2_iterations = 1;
	old.auth_argon2_parallelism = 1;
	assert_int_equal(password_hash(&old, "pw-mfa_alice-long", 17, &old_hash), APP_OK);
	api_q("UPDATE users SET password_hash = $2 WHERE id = $1", u.id, old_hash);

	/* the password alone gives a challenge, not a session */
	long sessions = count("SELECT count(*) FROM sessions WHERE user_id = $1", u.id, NULL);
	EXPECT(login("mfa_alice", token), 200);
	assert_true(cJSON_IsTrue(api_get(api_last_json, "mfa_required")));
	assert_null(api_get(api_last_json, "access_token"));
	assert_null(api_get(api_last_json, "mfa_setup_required"));
	assert_int_equal(api_get(api_last_json, "expires_in")->valueint, 300);
	assert_int_equal(strncmp(token, "rvm_", 4), 0);
	assert_int_equal(count("SELECT count(*) FROM sessions WHERE user_id = $1", u.id, NULL),
	                 sessions);
	assert_int_equal(count("SELECT count(*) FROM users WHERE id = $1 AND password_hash = $2",
	                       u.id, old_hash),
	                 0);
	assert_int_equal(count("SELECT count(*) FROM users WHERE id = $1 AND password_hash LIKE "
	                       "'%m=1024,%'",
	                       u.id, NULL),
	                 1);
	free(old_hash);
	/* only the token's hash is stored */
	assert_int_equal(count("SELECT count(*) FROM mfa_challenges WHERE token_hash = "
	                       "sha256(convert_to($1, 'UTF8'))",
	                       token, NULL),
	                 1);
	assert_int_equal(count("SELECT count(*) FROM mfa_challenges WHERE position(convert_to($1, "
	                       "'UTF8') IN token_hash) > 0",
	                       token, NULL),
	                 0);

	/* the verify used step s: s is refused now, s + 1 completes the login */
	EXPECT_FIELD(answer(token, "code", code_at(secret, s)), 401, "code");
	EXPECT(answer(token, "code", code_at(secret, s + 1)), 200);
	snprintf(access, sizeof(access), "%s", api_str(api_last_json, "access_token"));
	assert_non_null(api_str(api_last_json, "refresh_token"));
	assert_string_equal(api_str(api_get(api_last_json, "user"), "username"), "mfa_alice");
	assert_int_equal(count("SELECT count(*) FROM sessions WHERE user_id = $1 AND device_name = "
	                       "'phone'",
	                       u.id, NULL),
	                 1);
	EXPECT(api_call("GET", "/api/v1/users/me", access, NULL), 200);
	/* a used challenge is dead */
	EXPECT_FIELD(answer(token, "code", code_at(secret, s + 1)), 401, "mfa_token");
	/* the same code on a fresh challenge: a replay */
	EXPECT(login("mfa_alice", token), 200);
	EXPECT_FIELD(answer(token, "code", code_at(secret, s + 1)), 401, "code");
	/* bad inputs of the second step */
	EXPECT_FIELD(api_call("POST", "/api/v1/auth/mfa", NULL, "{\"code\":\"123456\"}"), 400,
	             "mfa_token");
	EXPECT_FIELD(
	    api_call("POST", "/api/v1/auth/mfa", NULL, api_fmt("{\"mfa_token\":\"%s\"}", token)),
	    400, "code");
	EXPECT_FIELD(
	    api_call("POST", "/api/v1/auth/mfa", NULL,
	             api_fmt("{\"mfa_token\":\"%s\",\"code\":\"1\",\"backup_code\":\"x\"}", token)),
	    400, "code");
	EXPECT_FIELD(answer("rvm_nope", "code", "123456"), 401, "mfa_token");
	forget_failures();
}

/* --- the ±1 step window ---------------------------------------------------- */

static void step_window(void **state)
{
	struct mfa_user m;
	char token[64];

	(void)state;
	enable_mfa(&m, "mfa_bob");
	wait_mid_step();
	uint64_t s = step_now();
	/* ±2 steps: refused */
	EXPECT(login("mfa_bob", token), 200);
	EXPECT_FIELD(answer(token, "code", code_at(m.secret, s - 2)), 401, "code");
	EXPECT_FIELD(answer(token, "code", code_at(m.secret, s + 2)), 401, "code");
	/* -1, 0, +1 in turn: accepted, each once */
	EXPECT(answer(token, "code", code_at(m.secret, s - 1)), 200);
	EXPECT(login("mfa_bob", token), 200);
	EXPECT(answer(token, "code", code_at(m.secret, s)), 200);
	EXPECT(login("mfa_bob", token), 200);
	EXPECT_FIELD(answer(token, "code", code_at(m.secret, s - 1)), 401, "code");
	EXPECT(answer(token, "code", code_at(m.secret, s + 1)), 200);
	EXPECT(login("mfa_bob", token), 200);
	EXPECT_FIELD(answer(token, "code", code_at(m.secret, s + 1)), 401, "code");
	/* a replay names it */
	assert_non_null(strstr(api_str(api_last_json, "detail"), "used already"));
	assert_int_equal(count("SELECT last_step FROM user_mfa WHERE user_id = $1", m.u.id, NULL),
	                 (long)(s + 1));

	/* two concurrent answers with one code on two challenges: one wins */
	char t1[64], t2[64];
	reset_steps(m.u.id);
	forget_failures();
	wait_mid_step();
	s = step_now();
	EXPECT(login("mfa_bob", t1), 200);
	EXPECT(login("mfa_bob", t2), 200);
	const char *code = code_at(m.secret, s);
	pid_t kids[2];
	for (int i = 0; i < 2; i++) {
		kids[i] = fork();
		assert_true(kids[i] >= 0);
		if (kids[i] == 0) {
			struct fcgi_response r;
			char body[256];
			snprintf(body, sizeof(body), "{\"mfa_token\":\"%s\",\"code\":\"%s\"}",
			         i ? t2 : t1, code);
			if (fcgi_call(api_sock, "POST", "/api/v1/auth/mfa", NULL, body, &r))
				_exit(99);
			_exit(r.status == 200 ? 0 : r.status == 401 ? 1 : 98);
		}
	}
	int wins = 0, losses = 0;
	for (int i = 0; i < 2; i++) {
		int st;
		assert_int_equal(waitpid(kids[i], &st, 0), kids[i]);
		assert_true(WIFEXITED(st));
		wins += WEXITSTATUS(st) == 0;
		losses += WEXITSTATUS(st) == 1;
	}
	assert_int_equal(wins, 1);
	assert_int_equal(losses, 1);
	forget_failures();
}

/* --- backup codes ---------------------------------------------------------- */

static void backup_codes(void **state)
{
	struct mfa_user m;
	char token[64], shouted[16];

	(void)state;
	enable_mfa(&m, "mfa_carol");
	EXPECT(login("mfa_carol", token), 200);
	EXPECT(answer(token, "backup_code", m.backup[0]), 200);
	assert_non_null(api_str(api_last_json, "access_token"));
	assert_int_equal(count("SELECT count(*) FROM audit_log WHERE action = "
	                       "'user.mfa.backup_code_used' AND user_id = $1",
	                       m.u.id, NULL),
	                 1);
	/* single use */
	EXPECT(login("mfa_carol", token), 200);
	EXPECT_FIELD(answer(token, "backup_code", m.backup[0]), 401, "backup_code");
	/* typed in capitals without the dash: the same code */
	size_t k = 0;
	for (const char *p = m.backup[1]; *p; p++)
		if (*p != '-')
			shouted[k++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
	shouted[k] = '\0';
	EXPECT(answer(token, "backup_code", shouted), 200);
	EXPECT(api_call("GET", "/api/v1/mfa/status", api_str(api_last_json, "access_token"), NULL),
	       200);
	assert_int_equal(api_get(api_last_json, "backup_codes_remaining")->valueint, 8);
	forget_failures();
}

/* --- wrong codes up to the lockout ------------------------------------------ */

static void wrong_codes_lock(void **state)
{
	struct mfa_user m;
	char token[64];

	(void)state;
	enable_mfa(&m, "mfa_dave");
	forget_failures();
	wait_mid_step();
	uint64_t s = step_now();
	const char *wrong = strcmp(code_at(m.secret, s + 5), code_at(m.secret, s)) &&
	                            strcmp(code_at(m.secret, s + 5), code_at(m.secret, s - 1)) &&
	                            strcmp(code_at(m.secret, s + 5), code_at(m.secret, s + 1))
	                        ? code_at(m.secret, s + 5)
	                        : code_at(m.secret, s + 6);
	char wrong_code[8];
	snprintf(wrong_code, sizeof(wrong_code), "%s", wrong);
	EXPECT(login("mfa_dave", token), 200);
	for (int i = 0; i < 5; i++)
		EXPECT_FIELD(answer(token, "code", wrong_code), 401, "code");
	/* the challenge is dead, even with the right code */
	EXPECT_FIELD(answer(token, "code", code_at(m.secret, s)), 401, "mfa_token");
	assert_int_equal(
	    count("SELECT attempts FROM mfa_challenges WHERE user_id = $1", m.u.id, NULL), 5);
	/* the account is locked: the right password answers 423 */
	EXPECT(login("mfa_dave", NULL), 423);
	assert_int_equal(count("SELECT count(*) FROM audit_log WHERE action = 'user.login.mfa' AND "
	                       "NOT success AND user_id = $1",
	                       m.u.id, NULL),
	                 5);
	assert_true(count("SELECT count(*) FROM audit_log WHERE action = 'user.locked' AND "
	                  "user_id = $1",
	                  m.u.id, NULL) >= 1);
	assert_int_equal(
	    count("SELECT count(*) FROM login_failures WHERE user_id = $1", m.u.id, NULL), 5);
	/* a challenge made before the lock cannot be finished while it lasts */
	forget_failures();
	EXPECT(login("mfa_dave", token), 200);
	api_q("INSERT INTO login_failures (username_key, user_id, ip) SELECT 'mfa_dave', $1, NULL"
	      " FROM generate_series(1, 5)",
	      m.u.id, NULL);
	EXPECT(answer(token, "code", code_at(m.secret, s)), 423);
	forget_failures();
}

/* --- expired and forged challenges ----------------------------------------- */

static void expired_challenge(void **state)
{
	struct mfa_user m;
	char token[64];

	(void)state;
	enable_mfa(&m, "mfa_erin");
	wait_mid_step();
	EXPECT(login("mfa_erin", token), 200);
	api_q(
	    "UPDATE mfa_challenges SET expires_at = now() - interval '1 second' WHERE user_id = $1",
	    m.u.id, NULL);
	EXPECT_FIELD(answer(token, "code", code_at(m.secret, step_now())), 401, "mfa_token");
	/* the code was not spent by the refusal */
	assert_int_equal(count("SELECT last_step FROM user_mfa WHERE user_id = $1", m.u.id, NULL),
	                 -1);
	/* a token with one character changed */
	EXPECT(login("mfa_erin", token), 200);
	token[10] = token[10] == 'A' ? 'B' : 'A';
	EXPECT_FIELD(answer(token, "code", code_at(m.secret, step_now())), 401, "mfa_token");
	forget_failures();
}

/* --- disable and regenerate ------------------------------------------------- */

static void disable_and_regenerate(void **state)
{
	struct mfa_user m;
	char token[64], fresh[16];

	(void)state;
	enable_mfa(&m, "mfa_frank");
	const char *t = m.u.token;
	/* regenerate needs a code or the password */
	EXPECT_FIELD(api_call("POST", "/api/v1/mfa/backup-codes/regenerate", t, "{}"), 400, "code");
	EXPECT_FIELD(api_call("POST", "/api/v1/mfa/backup-codes/regenerate", t,
	                      "{\"password\":\"wrong-password\"}"),
	             403, "password");
	wait_mid_step();
	uint64_t s = step_now();
	const char *bad = strcmp(code_at(m.secret, s + 3), code_at(m.secret, s)) &&
	                          strcmp(code_at(m.secret, s + 3), code_at(m.secret, s - 1)) &&
	                          strcmp(code_at(m.secret, s + 3), code_at(m.secret, s + 1))
	                      ? code_at(m.secret, s + 3)
	                      : code_at(m.secret, s + 4);
	EXPECT_FIELD(api_call("POST", "/api/v1/mfa/backup-codes/regenerate", t,
	                      api_fmt("{\"code\":\"%s\"}", bad)),
	             403, "code");
	char before[1024];
	snprintf(before, sizeof(before), "%s",
	         api_q("SELECT string_agg(encode(code_hash, 'hex'), ',' ORDER BY code_hash) FROM "
	               "mfa_backup_codes WHERE user_id = $1",
	               m.u.id, NULL));
	EXPECT(api_call("POST", "/api/v1/mfa/backup-codes/regenerate", t,
	                api_fmt("{\"code\":\"%s\"}", code_at(m.secret, s))),
	       200);
	assert_int_equal(cJSON_GetArraySize(api_get(api_last_json, "backup_codes")), 10);
	snprintf(fresh, sizeof(fresh), "%s",
	         cJSON_GetArrayItem(api_get(api_last_json, "backup_codes"), 0)->valuestring);
	assert_string_not_equal(
	    before,
	    api_q("SELECT string_agg(encode(code_hash, 'hex'), ',' ORDER BY code_hash) FROM "
	          "mfa_backup_codes WHERE user_id = $1",
	          m.u.id, NULL));
	/* the code is spent by the regeneration */
	EXPECT_FIELD(api_call("POST", "/api/v1/mfa/backup-codes/regenerate", t,
	                      api_fmt("{\"code\":\"%s\"}", code_at(m.secret, s))),
	             403, "code");
	/* old codes are gone, new ones work */
	EXPECT(login("mfa_frank", token), 200);
	EXPECT_FIELD(answer(token, "backup_code", m.backup[2]), 401, "backup_code");
	EXPECT(answer(token, "backup_code", fresh), 200);

	/* disable: a wrong password changes nothing */
	EXPECT_FIELD(api_call("DELETE", "/api/v1/mfa/totp", t, "{\"password\":\"not-it-at-all\"}"),
	             403, "password");
	EXPECT_FIELD(api_call("DELETE", "/api/v1/mfa/totp", t, "{}"), 400, "code");
	EXPECT_FIELD(api_call("DELETE", "/api/v1/mfa/totp", t, "{\"pasword\":\"x\"}"), 400,
	             "pasword");
	assert_int_equal(count("SELECT count(*) FROM user_mfa WHERE user_id = $1", m.u.id, NULL),
	                 1);
	EXPECT(api_call("DELETE", "/api/v1/mfa/totp", t, "{\"password\":\"pw-mfa_frank-long\"}"),
	       204);
	assert_int_equal(count("SELECT count(*) FROM user_mfa WHERE user_id = $1", m.u.id, NULL),
	                 0);
	assert_int_equal(
	    count("SELECT count(*) FROM mfa_backup_codes WHERE user_id = $1", m.u.id, NULL), 0);
	assert_int_equal(count("SELECT count(*) FROM audit_log WHERE action = 'user.mfa.disable' "
	                       "AND user_id = $1",
	                       m.u.id, NULL),
	                 1);
	EXPECT(api_call("DELETE", "/api/v1/mfa/totp", t, "{\"password\":\"pw-mfa_frank-long\"}"),
	       409);
	EXPECT(api_call("POST", "/api/v1/mfa/backup-codes/regenerate", t,
	                "{\"password\":\"pw-mfa_frank-long\"}"),
	       409);
	/* the password alone logs in again */
	EXPECT(login("mfa_frank", NULL), 200);
	assert_non_null(api_str(api_last_json, "access_token"));

	/* disabling with a current code */
	struct mfa_user g;
	enable_mfa(&g, "mfa_gina");
	wait_mid_step();
	EXPECT(api_call("DELETE", "/api/v1/mfa/totp", g.u.token,
	                api_fmt("{\"code\":\"%s\"}", code_at(g.secret, step_now()))),
	       204);
	EXPECT(api_call("GET", "/api/v1/mfa/status", g.u.token, NULL), 200);
	assert_false(cJSON_IsTrue(api_get(api_last_json, "enabled")));
	forget_failures();
}

/* --- required by a role ------------------------------------------------------ */

static void required_by_role(void **state)
{
	struct api_user admin, plain, h;
	char token[64], secret[64], access[128];

	(void)state;
	api_new_user(&admin, "mfa_admin", "admin");
	api_new_user(&plain, "mfa_plain", NULL);
	EXPECT(api_call("POST", "/api/v1/rbac/roles", admin.token,
	                "{\"name\":\"mfa-ops\",\"permissions\":[\"movies:list\"]}"),
	       201);
	assert_false(cJSON_IsTrue(api_get(api_last_json, "mfa_required")));
	/* bad inputs and callers */
	EXPECT_FIELD(api_call("PUT", "/api/v1/rbac/roles/mfa-ops/mfa", admin.token,
	                      "{\"mfa_required\":\"yes\"}"),
	             400, "mfa_required");
	EXPECT_FIELD(api_call("PUT", "/api/v1/rbac/roles/mfa-ops/mfa", admin.token, "{}"), 400,
	             "mfa_required");
	EXPECT(api_call("PUT", "/api/v1/rbac/roles/no-such-role/mfa", admin.token,
	                "{\"mfa_required\":true}"),
	       404);
	EXPECT(api_call("PUT", "/api/v1/rbac/roles/mfa-ops/mfa", plain.token,
	                "{\"mfa_required\":true}"),
	       403);
	assert_int_equal(count("SELECT count(*) FROM roles WHERE mfa_required", NULL, NULL), 0);
	EXPECT(api_call("PUT", "/api/v1/rbac/roles/mfa-ops/mfa", admin.token,
	                "{\"mfa_required\":true}"),
	       200);
	assert_true(cJSON_IsTrue(api_get(api_last_json, "mfa_required")));
	assert_int_equal(
	    count("SELECT count(*) FROM audit_log WHERE action = 'admin.role.update' "
	          "AND resource_id = 'mfa-ops' AND new_values->>'mfa_required' = 'true'",
	          NULL, NULL),
	    1);

	/* a holder without TOTP: the login asks for setup */
	api_new_user(&h, "mfa_holder", NULL);
	EXPECT(api_call("POST", api_fmt("/api/v1/rbac/users/%s/roles", h.id), admin.token,
	                "{\"role\":\"mfa-ops\"}"),
	       201);
	EXPECT(login("mfa_holder", token), 200);
	assert_true(cJSON_IsTrue(api_get(api_last_json, "mfa_setup_required")));
	assert_null(api_get(api_last_json, "access_token"));
	EXPECT_FIELD(answer(token, "code", "123456"), 409, "mfa_token");
	/* the token is good for setup and verify only */
	EXPECT(call_mfa_token("GET", "/api/v1/users/me", token, NULL), 401);
	EXPECT(call_mfa_token("GET", "/api/v1/mfa/status", token, NULL), 401);
	EXPECT_FIELD(call_mfa_token("POST", "/api/v1/mfa/totp/setup", "rvm_forged", NULL), 401,
	             "X-MFA-Token");
	EXPECT(api_call("POST", "/api/v1/mfa/totp/setup", NULL, NULL), 401);
	EXPECT(call_mfa_token("POST", "/api/v1/mfa/totp/setup", token, NULL), 200);
	snprintf(secret, sizeof(secret), "%s", api_str(api_last_json, "secret"));
	assert_int_equal(strlen(secret), 32);
	wait_mid_step();
	uint64_t s = step_now();
	EXPECT_FIELD(call_mfa_token("POST", "/api/v1/mfa/totp/verify", token,
	                            api_fmt("{\"code\":\"%s\"}", code_at(secret, s + 2))),
	             400, "code");
	assert_int_equal(
	    count("SELECT attempts FROM mfa_challenges WHERE user_id = $1", h.id, NULL), 1);
	EXPECT(call_mfa_token("POST", "/api/v1/mfa/totp/verify", token,
	                      api_fmt("{\"code\":\"%s\"}", code_at(secret, s))),
	       200);
	snprintf(access, sizeof(access), "%s", api_str(api_last_json, "access_token"));
	assert_int_equal(strncmp(access, "rvs_", 4), 0);
	assert_int_equal(cJSON_GetArraySize(api_get(api_last_json, "backup_codes")), 10);
	EXPECT(api_call("GET", "/api/v1/users/me", access, NULL), 200);
	/* single use */
	EXPECT(call_mfa_token("POST", "/api/v1/mfa/totp/setup", token, NULL), 401);
	EXPECT(api_call("GET", "/api/v1/mfa/status", access, NULL), 200);
	assert_true(cJSON_IsTrue(api_get(api_last_json, "enabled")));
	assert_true(cJSON_IsTrue(api_get(api_last_json, "required_by_role")));
	/* a role's requirement cannot be switched off by its holder */
	EXPECT(
	    api_call("DELETE", "/api/v1/mfa/totp", access, "{\"password\":\"pw-mfa_holder-long\"}"),
	    403);
	/* from now on the login asks for a code */
	EXPECT(login("mfa_holder", token), 200);
	assert_null(api_get(api_last_json, "mfa_setup_required"));
	EXPECT(answer(token, "code", code_at(secret, s + 1)), 200);
	/* a code challenge is not a setup credential */
	EXPECT(login("mfa_holder", token), 200);
	EXPECT_FIELD(call_mfa_token("POST", "/api/v1/mfa/totp/setup", token, NULL), 401,
	             "X-MFA-Token");
	/* lifting the requirement: the admin's own login is untouched */
	EXPECT(api_call("PUT", "/api/v1/rbac/roles/mfa-ops/mfa", admin.token,
	                "{\"mfa_required\":false}"),
	       200);
	EXPECT(login("mfa_admin", NULL), 200);
	assert_non_null(api_str(api_last_json, "access_token"));
	forget_failures();
}

static int setup(void **state)
{
	(void)state;
	snprintf(db_url, sizeof(db_url), "%s", testenv_new_database(NULL));
	api_pg = testenv_connect(db_url);
	api_sock = sock;
	testenv_write_config(conf, db_url, sock, BASE AUTH_CONF);
	server = server_start(conf, sock, log_path);
	return server > 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	if (server > 0)
		server_stop(server, 5000);
	cJSON_Delete(api_last_json);
	PQfinish(api_pg);
	unlink(conf);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(setup_verify_login), cmocka_unit_test(step_window),
	    cmocka_unit_test(backup_codes),       cmocka_unit_test(wrong_codes_lock),
	    cmocka_unit_test(expired_challenge),  cmocka_unit_test(disable_and_regenerate),
	    cmocka_unit_test(required_by_role),
	};
	snprintf(conf, sizeof(conf), "/tmp/revenge-mfa-%d.conf", (int)getpid());
	snprintf(sock, sizeof(sock), "/tmp/revenge-mfa-%d.sock", (int)getpid());
	snprintf(log_path, sizeof(log_path), "%s/log/test_mfa.log", testenv_stack_dir());
	return cmocka_run_group_tests(tests, setup, teardown);
}
