/*
 * Account mails (app/mail/, docs/internals/mail.md) end to end against a
 * real SMTP server (Debian's python3-aiosmtpd, tests/lib/smtp_sink.py):
 * the routes through the real FastCGI pool, the mail.send jobs run as the
 * worker runs them (production client code: libcurl, notify_smtp_send),
 * and the tokens read back out of the mails that arrived.
 *
 *   forgot → mail (both parts, the account's language) → reset with the
 *   token from the mail → other sessions revoked, lockout cleared; token
 *   reuse, expiry, forgery, revocation by a newer request: 400 naming
 *   token with nothing written; unknown and disabled addresses: 204, no
 *   token, no job; the per-address (silent) and per-client-address (429)
 *   limits; verification on registration, on an address change, resend,
 *   and a token for an address the account no longer has.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "api.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/log.h"
#include "db/db.h"
#include "jobrun.h"
#include "mail_kinds.h"
#include "server.h"
#include "smtp_sink.h"
#include "testenv.h"

#define KEY "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define IP_LIMIT 5
#define LINK "https://media.example.test"

static char conf[1200], sock[256], log_path[PATH_MAX], base[1024], maildir[1100];
static pid_t server = -1, sink = -1;
static int sink_port;
static PGconn *pg;
static struct db *db;
static struct arena *ar;

/* --- helpers ------------------------------------------------------------------ */

static const char *q(const char *sql, const char *a, const char *b)
{
	return api_q(sql, a, b);
}

static long qn(const char *sql, const char *a, const char *b)
{
	return atol(q(sql, a, b));
}

/* the worker's view of the configuration: mail through the sink at port,
 * the links' base set by the text links */
static void configure_worker_links(int port, const char *links)
{
	char *const noenv[] = {NULL};
	struct config c;
	struct buf text, msg;

	buf_init(&text, 4096);
	buf_init(&msg, 1024);
	buf_printf(&text,
	           "[auth]\nsecret_key = " KEY "\n[mail]\nsmtp_host = 127.0.0.1\nsmtp_port = %d\n"
	           "security = none\nfrom = revenge@example.org\nfrom_name = Revenge M\xc3\xa9"
	           "diath\xc3\xa8que\ntimeout = 5s\n%s",
	           port, links);
	if (config_load_text(&c, text.data, text.len, "test_mail_flows.conf", noenv, &msg)) {
		fprintf(stderr, "config: %s\n", msg.data);
		exit(1);
	}
	mail_kinds_configure(&c);
	config_release(&c);
	buf_release(&text);
	buf_release(&msg);
}

static void configure_worker(int port)
{
	configure_worker_links(port, "link_url = " LINK "/\n");
}

static long mail_jobs(void)
{
	return qn("SELECT count(*) FROM jobs WHERE kind = 'mail.send'", NULL, NULL);
}

/* run the newest mail.send job (attempt of max); its outcome */
static enum job_outcome run_latest_at(int attempt, int max, struct job_result *res)
{
	const char *args =
	    q("SELECT args::text FROM jobs WHERE kind = 'mail.send' ORDER BY id DESC LIMIT 1", NULL,
	      NULL);
	assert_true(args[0]);
	/* the job's row never holds the token in clear */
	assert_null(strstr(args, "rvm_"));
	assert_non_null(strstr(args, "\"token\": \"gcm1."));
	return jobrun_attempt(kind_mail_send, db, ar, args, attempt, max, res);
}

static void run_latest(void)
{
	struct job_result res;
	assert_int_equal(run_latest_at(1, 10, &res), JOB_OK);
}

/* the body of the part of type (text/plain, text/html) of the only
 * message in the box, decoded (static storage) */
static const char *part(const char *box, const char *type)
{
	static char out[2][65536];
	static int turn;
	char *o = out[turn++ % 2], b64[65536];
	size_t n = 0;
	const char *p = strstr(box, api_fmt("Content-Type: %s; charset=utf-8\n", type));

	assert_non_null(p);
	p = strstr(p, "\n\n");
	assert_non_null(p);
	for (p += 2; *p && *p != '-'; p++)
		if (*p != '\n' && n < sizeof(b64) - 1)
			b64[n++] = *p;
	b64[n] = 0;
	int len = EVP_DecodeBlock((unsigned char *)o, (const unsigned char *)b64, (int)n);
	assert_true(len > 0);
	while (len > 0 && !o[len - 1])
		len--; /* padding decodes to zeros */
	o[len] = 0;
	return o;
}

/* the token in the link of the text part of the only mail in the box,
 * checked to be the same in the HTML part, and the box cleared (static
 * storage) */
static const char *link_base = LINK; /* what the mails' links start with */

static const char *token_from_mail(const char *page, const char *to, const char *lang)
{
	static char tok[4][64];
	static int turn;
	char *o = tok[turn++ % 4];
	int n;
	char *box = smtp_mailbox(maildir, &n);

	assert_int_equal(n, 1);
	assert_non_null(strstr(box, api_fmt("\nX-RcptTo: %s\n", to)));
	assert_non_null(strstr(box, api_fmt("\nTo: <%s>\n", to)));
	assert_non_null(strstr(box, "\nContent-Type: multipart/alternative; boundary=\"=_rv"));
	assert_non_null(strstr(box, api_fmt("\nContent-Language: %s\n", lang)));
	/* the sender's name is not ASCII: an encoded word */
	assert_non_null(strstr(box, "\nFrom: =?UTF-8?B?"));
	const char *text = part(box, "text/plain");
	const char *prefix = api_fmt("%s/#/%s?token=", link_base, page);
	const char *at = strstr(text, prefix);
	assert_non_null(at);
	snprintf(o, 64, "%.47s", at + strlen(prefix));
	assert_int_equal(strncmp(o, "rvm_", 4), 0);
	const char *html = part(box, "text/html");
	assert_non_null(strstr(html, api_fmt("<html lang=\"%s\">", lang)));
	assert_non_null(strstr(html, api_fmt("href=\"%s%s\"", prefix, o)));
	free(box);
	smtp_mailbox_clear(maildir);
	return o;
}

static int login(const char *name, const char *password)
{
	return api_call("POST", "/api/v1/auth/login", NULL,
	                api_fmt("{\"username\":\"%s\",\"password\":\"%s\"}", name, password));
}

static int reset(const char *token, const char *password)
{
	return api_call("POST", "/api/v1/auth/reset-password", NULL,
	                api_fmt("{\"token\":\"%s\",\"password\":\"%s\"}", token, password));
}

static int forgot(const char *email)
{
	return api_call("POST", "/api/v1/auth/forgot-password", NULL,
	                api_fmt("{\"email\":\"%s\"}", email));
}

/* what the flows have written so far */
static const char *written(void)
{
	return q("SELECT (SELECT count(*) FROM email_tokens WHERE used_at IS NOT NULL) || '/' ||"
	         " (SELECT count(*) FROM audit_log WHERE action IN ('user.password_reset',"
	         " 'user.email_verified')) || '/' || (SELECT count(*) FROM sessions WHERE"
	         " revoked_at IS NOT NULL) || '/' || (SELECT string_agg(password_hash, ',' ORDER BY"
	         " id) FROM users) || '/' || (SELECT count(*) FROM users WHERE email_verified)",
	         NULL, NULL);
}

/* --- forgot and reset ------------------------------------------------------------ */

static void forgot_and_reset(void **state)
{
	(void)state;
	struct api_user u;
	const char *before;

	api_exec("DELETE FROM email_requests");
	api_new_user(&u, "mail_reset", NULL);
	api_exec("UPDATE user_preferences SET display_language = 'de' WHERE user_id ="
	         " (SELECT id FROM users WHERE username = 'mail_reset')");
	EXPECT(login("mail_reset", "pw-mail_reset-long"), 200);
	char other[96];
	snprintf(other, sizeof(other), "%s", api_str(api_last_json, "access_token"));
	smtp_mailbox_clear(maildir);

	/* an address is found whatever its case; the job holds the token sealed */
	long jobs = mail_jobs();
	EXPECT(forgot("MAIL_reset@Example.com"), 204);
	assert_int_equal(api_last.body_len, 0);
	assert_int_equal(mail_jobs(), jobs + 1);
	assert_string_equal(q("SELECT purpose || ' ' || email || ' ' || (expires_at - created_at)"
	                      " || ' ' || (token_hash ~ '^[0-9a-f]{64}$') FROM email_tokens WHERE"
	                      " user_id = $1 AND purpose = 'password_reset'",
	                      u.id, NULL),
	                    "password_reset mail_reset@example.com 01:00:00 true");
	assert_string_equal(q("SELECT priority || ' ' || max_attempts FROM jobs WHERE kind ="
	                      " 'mail.send' ORDER BY id DESC LIMIT 1",
	                      NULL, NULL),
	                    "1 10");
	run_latest();
	const char *first = token_from_mail("reset-password", "mail_reset@example.com", "de");
	char t1[64];
	snprintf(t1, sizeof(t1), "%s", first);
	/* the hash of the token in the mail is what is stored, not the token */
	assert_int_equal(qn("SELECT count(*) FROM email_tokens WHERE token_hash ="
	                    " encode(sha256(convert_to($1, 'UTF8')), 'hex')",
	                    t1, NULL),
	                 1);
	assert_int_equal(qn("SELECT count(*) FROM email_tokens WHERE token_hash = $1", t1, NULL),
	                 0);

	/* a second request: the first token stops working */
	EXPECT(forgot("mail_reset@example.com"), 204);
	run_latest();
	char t2[64];
	snprintf(t2, sizeof(t2), "%s",
	         token_from_mail("reset-password", "mail_reset@example.com", "de"));
	assert_string_not_equal(t1, t2);
	before = api_fmt("%s", written());
	EXPECT_FIELD(reset(t1, "a-new-password-1"), 400, "token");
	assert_string_equal(written(), before);

	/* malformed: 400 naming the member, nothing written */
	EXPECT_FIELD(api_call("POST", "/api/v1/auth/reset-password", NULL,
	                      "{\"password\":\"a-new-password-1\"}"),
	             400, "token");
	EXPECT_FIELD(reset(t2, "short"), 400, "password");
	EXPECT_FIELD(reset("garbage", "a-new-password-1"), 400, "token");
	EXPECT_FIELD(reset("rvm_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "a-new-password-1"),
	             400, "token");
	EXPECT_FIELD(api_call("POST", "/api/v1/auth/reset-password", NULL,
	                      api_fmt("{\"token\":%s,\"password\":\"a-new-password-1\"}", "17")),
	             400, "token");
	EXPECT_FIELD(api_call("POST", "/api/v1/auth/reset-password", NULL, "{\"token\":"), 400,
	             "body");
	assert_string_equal(written(), before);

	/* a failed login or two: the reset clears them */
	EXPECT(login("mail_reset", "wrong password"), 401);
	assert_int_equal(qn("SELECT count(*) FROM login_failures WHERE user_id = $1", u.id, NULL),
	                 1);

	EXPECT(reset(t2, "a-new-password-1"), 204);
	assert_int_equal(qn("SELECT count(*) FROM login_failures WHERE user_id = $1", u.id, NULL),
	                 0);
	assert_int_equal(qn("SELECT count(*) FROM audit_log WHERE action = 'user.password_reset'"
	                    " AND resource_id = $1 AND success",
	                    u.id, NULL),
	                 1);
	/* the token went to the account's address: that proves it */
	assert_string_equal(q("SELECT email_verified FROM users WHERE id = $1", u.id, NULL), "t");
	/* every session ended, the cached ones too */
	EXPECT(api_call("GET", "/api/v1/users/me", u.token, NULL), 401);
	EXPECT(api_call("GET", "/api/v1/users/me", other, NULL), 401);
	EXPECT(login("mail_reset", "pw-mail_reset-long"), 401);
	EXPECT(login("mail_reset", "a-new-password-1"), 200);

	/* used once only */
	before = api_fmt("%s", written());
	EXPECT_FIELD(reset(t2, "a-new-password-2"), 400, "token");
	assert_string_equal(written(), before);

	/* expired: one hour, then 400 and nothing written */
	EXPECT(forgot("mail_reset@example.com"), 204);
	run_latest();
	char t3[64];
	snprintf(t3, sizeof(t3), "%s",
	         token_from_mail("reset-password", "mail_reset@example.com", "de"));
	api_exec("UPDATE email_tokens SET expires_at = now() - interval '1 second' WHERE"
	         " purpose = 'password_reset' AND used_at IS NULL AND revoked_at IS NULL");
	before = api_fmt("%s", written());
	EXPECT_FIELD(reset(t3, "a-new-password-3"), 400, "token");
	assert_string_equal(written(), before);
	EXPECT(login("mail_reset", "a-new-password-1"), 200);

	/* three reset mails this hour: a fourth request is answered alike and
	 * sends nothing */
	jobs = mail_jobs();
	long tokens = qn("SELECT count(*) FROM email_tokens", NULL, NULL);
	EXPECT(forgot("mail_reset@example.com"), 204);
	assert_int_equal(mail_jobs(), jobs);
	assert_int_equal(qn("SELECT count(*) FROM email_tokens", NULL, NULL), tokens);
}

/* --- what forgot-password tells nobody ------------------------------------------------ */

static void forgot_reveals_nothing(void **state)
{
	(void)state;
	struct api_user u;

	api_exec("DELETE FROM email_requests");
	api_new_user(&u, "mail_quiet", NULL);
	api_exec("UPDATE users SET is_active = false WHERE username = 'mail_quiet'");
	long jobs = mail_jobs(), tokens = qn("SELECT count(*) FROM email_tokens", NULL, NULL);
	EXPECT(forgot("nobody@example.com"), 204);
	assert_int_equal(api_last.body_len, 0);
	/* a disabled account is answered alike and gets nothing */
	EXPECT(forgot("mail_quiet@example.com"), 204);
	assert_int_equal(mail_jobs(), jobs);
	assert_int_equal(qn("SELECT count(*) FROM email_tokens", NULL, NULL), tokens);
	/* but the requests were counted, known or not */
	assert_int_equal(qn("SELECT count(*) FROM email_requests", NULL, NULL), 2);

	/* malformed: 400 naming the member */
	EXPECT_FIELD(api_call("POST", "/api/v1/auth/forgot-password", NULL, "{}"), 400, "email");
	EXPECT_FIELD(forgot("not an address"), 400, "email");
	EXPECT_FIELD(api_call("POST", "/api/v1/auth/forgot-password", NULL, "{\"email\":1}"), 400,
	             "email");
	EXPECT_FIELD(api_call("POST", "/api/v1/auth/forgot-password", NULL,
	                      "{\"email\":\"a@example.com\",\"extra\":1}"),
	             400, "extra");

	/* the client address's hourly budget: then 429 with Retry-After */
	api_exec("DELETE FROM email_requests");
	for (int i = 0; i < IP_LIMIT; i++)
		EXPECT(forgot(api_fmt("nobody%d@example.com", i)), 204);
	EXPECT(forgot("mail_reset@example.com"), 429);
	assert_string_equal(api_str(api_last_json, "type"), "urn:revenge:problem:rate-limited");
	const char *ra = strstr(api_last.head, "Retry-After: ");
	assert_non_null(ra);
	long secs = atol(ra + strlen("Retry-After: "));
	assert_true(secs >= 1 && secs <= 3600);
	assert_int_equal(mail_jobs(), jobs);
	api_exec("DELETE FROM email_requests");
}

/* --- verification -------------------------------------------------------------------- */

static int verify(const char *token)
{
	return api_call("POST", "/api/v1/auth/verify-email", NULL,
	                api_fmt("{\"token\":\"%s\"}", token));
}

static void verification(void **state)
{
	(void)state;
	struct api_user u;
	const char *before;

	smtp_mailbox_clear(maildir);
	/* registration queues the mail */
	long jobs = mail_jobs();
	api_new_user(&u, "mail_verify", NULL);
	assert_int_equal(mail_jobs(), jobs + 1);
	assert_string_equal(q("SELECT email || ' ' || (expires_at - created_at) FROM email_tokens"
	                      " WHERE user_id = $1 AND purpose = 'verify_email'",
	                      u.id, NULL),
	                    "mail_verify@example.com 1 day");
	run_latest();
	char t1[64];
	snprintf(t1, sizeof(t1), "%s",
	         token_from_mail("verify-email", "mail_verify@example.com", "en"));
	EXPECT_FIELD(verify("rvm_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"), 400, "token");
	EXPECT_FIELD(api_call("POST", "/api/v1/auth/verify-email", NULL, "{}"), 400, "token");
	/* a reset token is not a verification token, nor the other way */
	EXPECT_FIELD(reset(t1, "a-new-password-9"), 400, "token");
	EXPECT(verify(t1), 204);
	assert_string_equal(q("SELECT email_verified FROM users WHERE id = $1", u.id, NULL), "t");
	EXPECT(api_call("GET", "/api/v1/users/me", u.token, NULL), 200);
	assert_true(cJSON_IsTrue(api_get(api_last_json, "email_verified")));
	before = api_fmt("%s", written());
	EXPECT_FIELD(verify(t1), 400, "token");
	assert_string_equal(written(), before);
	/* verified: nothing to resend */
	EXPECT_FIELD(api_call("POST", "/api/v1/users/me/verify-email", u.token, NULL), 409,
	             "email");

	/* a new address is not verified: a mail goes to it, in French now */
	api_exec("UPDATE user_preferences SET display_language = 'fr' WHERE user_id ="
	         " (SELECT id FROM users WHERE username = 'mail_verify')");
	jobs = mail_jobs();
	EXPECT(api_call("PUT", "/api/v1/users/me", u.token, "{\"email\":\"mail.v2@example.org\"}"),
	       200);
	assert_true(cJSON_IsFalse(api_get(api_last_json, "email_verified")));
	assert_int_equal(mail_jobs(), jobs + 1);
	run_latest();
	char t2[64];
	snprintf(t2, sizeof(t2), "%s",
	         token_from_mail("verify-email", "mail.v2@example.org", "fr"));

	/* the address changes again behind the token's back: the token is for
	 * an address the account no longer has */
	api_exec("UPDATE users SET email = 'mail.v3@example.org' WHERE username = 'mail_verify'");
	before = api_fmt("%s", written());
	EXPECT_FIELD(verify(t2), 400, "token");
	assert_string_equal(written(), before);

	/* resend: a new token (the earlier one revoked), up to the limit */
	EXPECT(api_call("POST", "/api/v1/users/me/verify-email", u.token, NULL), 202);
	assert_int_equal(qn("SELECT count(*) FROM email_tokens WHERE user_id = $1 AND purpose ="
	                    " 'verify_email' AND used_at IS NULL AND revoked_at IS NULL",
	                    u.id, NULL),
	                 1);
	run_latest();
	char t3[64];
	snprintf(t3, sizeof(t3), "%s",
	         token_from_mail("verify-email", "mail.v3@example.org", "fr"));
	/* registration, the change and this resend: three this hour */
	EXPECT(api_call("POST", "/api/v1/users/me/verify-email", u.token, NULL), 429);
	assert_non_null(strstr(api_last.head, "Retry-After: "));
	EXPECT(verify(t3), 204);
	assert_string_equal(q("SELECT email_verified FROM users WHERE id = $1", u.id, NULL), "t");
	assert_int_equal(qn("SELECT count(*) FROM audit_log WHERE action = 'user.email_verified'"
	                    " AND resource_id = $1",
	                    u.id, NULL),
	                 2);
}

/* --- the job -------------------------------------------------------------------------- */

static void job_outcomes(void **state)
{
	(void)state;
	struct api_user u;
	struct job_result res;
	int n;

	api_exec("DELETE FROM email_requests");
	smtp_mailbox_clear(maildir);
	api_new_user(&u, "mail_job", NULL);
	/* the registration's mail, with nobody listening: retried */
	configure_worker(test_free_port());
	assert_int_equal(run_latest_at(1, 10, &res), JOB_RETRY);
	assert_true(res.error[0]);
	assert_null(strstr(res.error, "rvm_"));
	/* the last attempt is final */
	assert_int_equal(run_latest_at(10, 10, &res), JOB_RETRY);
	configure_worker(sink_port);
	/* a token used (or revoked) before its job runs: nothing to send */
	api_exec("UPDATE email_tokens SET revoked_at = now() WHERE purpose = 'verify_email'"
	         " AND user_id = (SELECT id FROM users WHERE username = 'mail_job')");
	assert_int_equal(run_latest_at(1, 10, &res), JOB_OK);
	free(smtp_mailbox(maildir, &n));
	assert_int_equal(n, 0);
	/* args that are not a mail.send job's, or a seal that does not open */
	assert_int_equal(jobrun_attempt(kind_mail_send, db, ar, "{}", 1, 10, &res), JOB_FAIL);
	EXPECT(forgot("mail_job@example.com"), 204);
	const char *id = q("SELECT args->>'token_id' FROM jobs WHERE kind = 'mail.send' ORDER BY id"
	                   " DESC LIMIT 1",
	                   NULL, NULL);
	const char *other = q("SELECT args->>'token' FROM jobs WHERE kind = 'mail.send' AND"
	                      " args->>'token_id' <> $1 ORDER BY id DESC LIMIT 1",
	                      id, NULL);
	assert_int_equal(
	    jobrun_attempt(kind_mail_send, db, ar,
	                   api_fmt("{\"token_id\": \"%s\", \"token\": \"%s\"}", id, other), 1, 10,
	                   &res),
	    JOB_FAIL);
	assert_non_null(strstr(res.error, "does not open"));
	free(smtp_mailbox(maildir, &n));
	assert_int_equal(n, 0);
	/* and the real one goes out */
	run_latest();
	token_from_mail("reset-password", "mail_job@example.com", "en");
	/* without mail.link_url the links start at http.public_url */
	configure_worker_links(sink_port, "[http]\npublic_url = https://public.example.test\n");
	link_base = "https://public.example.test";
	EXPECT(forgot("mail_job@example.com"), 204);
	run_latest();
	token_from_mail("reset-password", "mail_job@example.com", "en");
	link_base = LINK;
	configure_worker(sink_port);
}

/* --- setup ----------------------------------------------------------------------------- */

static int setup(void **state)
{
	const char *u = testenv_new_database(NULL);
	char real[PATH_MAX];

	(void)state;
	log_setup(LL_ERROR, LOG_FMT_LOGFMT, 2);
	snprintf(log_path, sizeof(log_path), "%s/log/test_mail_flows.log", testenv_stack_dir());
	snprintf(base, sizeof(base), "%s/mail-XXXXXX", testenv_stack_dir());
	if (!mkdtemp(base) || !realpath(base, real) || strlen(real) >= sizeof(base))
		return -1;
	memcpy(base, real, strlen(real) + 1);
	snprintf(maildir, sizeof(maildir), "%s/mail", base);
	sink_port = test_free_port();
	if ((sink = smtp_sink_start(sink_port, maildir, NULL, NULL, NULL, NULL, log_path)) < 0) {
		fprintf(stderr, "the SMTP sink did not start (python3-aiosmtpd installed?)\n");
		return -1;
	}
	pg = testenv_connect(u);
	api_pg = pg;
	db = db_new(u, 5000, 30000);
	ar = arena_new(1 << 16, 256 << 20);
	configure_worker(sink_port);

	snprintf(sock, sizeof(sock), "/tmp/revenge-mail-%d.sock", (int)getpid());
	snprintf(conf, sizeof(conf), "%s/revenge.conf", base);
	api_sock = sock;
	testenv_write_config(
	    conf, u, sock,
	    api_fmt("pool_size = 2\n" TESTENV_FAST_AUTH "[auth]\nsecret_key = " KEY
	            "\n[mail]\nsmtp_host = 127.0.0.1\nsmtp_port = %d\nsecurity = none\n"
	            "from = revenge@example.org\nip_limit = %d\naddress_limit = 3\n",
	            sink_port, IP_LIMIT));
	server = server_start(conf, sock, log_path);
	return server > 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	if (server > 0 && waitpid(server, NULL, WNOHANG) == 0)
		server_stop(server, 5000);
	smtp_sink_stop(sink);
	cJSON_Delete(api_last_json);
	arena_free(ar);
	db_free(db);
	PQfinish(pg);
	if (base[0] && system(api_fmt("rm -rf '%s'", base)) != 0)
		print_message("could not remove the tree\n");
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(forgot_and_reset),
	    cmocka_unit_test(forgot_reveals_nothing),
	    cmocka_unit_test(verification),
	    cmocka_unit_test(job_outcomes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
