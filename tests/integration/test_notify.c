/*
 * Outgoing notifications (notify/) against real receivers: the admin API
 * through the real FastCGI pool, then the notify.deliver jobs run as the
 * worker runs them (the production client code: libcurl) towards
 *   - an HTTP server this test runs in a thread (tests/lib/http_receiver),
 *     standing in for a generic webhook, Discord and Gotify at the URLs a
 *     user would configure, recording what arrives and answering scripted
 *     statuses;
 *   - two SMTP servers from Debian's python3-aiosmtpd (tests/lib/
 *     smtp_sink.py): one plain, one requiring STARTTLS (a certificate made
 *     here for 127.0.0.1, trusted through notifications.ca_file) and AUTH.
 * And the events: a login, a lockout, a scan, a file identified and
 * removed each queue a delivery for the channels that want them.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <limits.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <cjson/cJSON.h>

#include "api.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/log.h"
#include "db/db.h"
#include "http_receiver.h"
#include "jobrun.h"
#include "library_kinds.h"
#include "metadata/tmdb.h"
#include "notify/notify.h"
#include "notify_kinds.h"
#include "server.h"
#include "smtp_sink.h"
#include "testenv.h"

#define KEY "8f1e0d2c3b4a59687766554433221100ffeeddccbbaa99887766554433221100"
#define SMTP_USER "mailer"
#define SMTP_PASSWORD "smtp pass:word"

static char conf[1200], sock[256], log_path[PATH_MAX], base[1024], db_url[1024];
static char cert[1100], certkey[1100], mail_plain[1100], mail_tls[1100];
static pid_t server = -1, smtp_plain = -1, smtp_tls = -1;
static int port_plain, port_tls;
static PGconn *pg;
static struct db *db;
static struct arena *ar;
static struct http_receiver *rx;
static struct api_user admin, plain;

/* --- helpers ------------------------------------------------------------------ */

static const char *q(const char *sql, const char *a, const char *b)
{
	return api_q(sql, a, b);
}

static long qn(const char *sql, const char *a, const char *b)
{
	return atol(q(sql, a, b));
}

static const char *url(const char *path)
{
	return api_fmt("http://127.0.0.1:%d%s", receiver_port(rx), path);
}

/* what the API has written about channels so far */
static const char *written(void)
{
	return q("SELECT (SELECT count(*) FROM notification_channels) || '/' || (SELECT count(*)"
	         " FROM audit_log WHERE action LIKE 'notification.%') || '/' || (SELECT count(*)"
	         " FROM notification_deliveries)",
	         NULL, NULL);
}

/* create a channel from body: its id (static storage) */
static const char *create(const char *body)
{
	static char id[8][37];
	static int turn;
	char *o = id[turn++ % 8];

	EXPECT(api_call("POST", "/api/v1/admin/notifications", admin.token, body), 201);
	snprintf(o, 37, "%s", api_str(api_last_json, "id"));
	assert_int_equal(strlen(o), 36);
	return o;
}

/* run notify.deliver job `job` as attempt of max */
static enum job_outcome run_job_at(const char *job, int attempt, int max, struct job_result *res)
{
	const char *args =
	    q("SELECT args::text FROM jobs WHERE id = $1 AND kind = 'notify.deliver'", job, NULL);
	assert_true(args[0]);
	return jobrun_attempt(kind_notify_deliver, db, ar, args, attempt, max, res);
}

static enum job_outcome run_job(const char *job)
{
	struct job_result res;
	return run_job_at(job, 1, 5, &res);
}

/* "send test" through channel id: the delivery id (static storage); the
 * job's id in *job */
static const char *send_test(const char *id, char job[24])
{
	static char d[4][24];
	static int turn;
	char *o = d[turn++ % 4];

	EXPECT(
	    api_call("POST", api_fmt("/api/v1/admin/notifications/%s/test", id), admin.token, NULL),
	    202);
	snprintf(o, 24, "%lld", (long long)api_get(api_last_json, "delivery_id")->valuedouble);
	snprintf(job, 24, "%lld", (long long)api_get(api_last_json, "job_id")->valuedouble);
	assert_string_equal(q("SELECT event || ' ' || status || ' ' || job_id FROM"
	                      " notification_deliveries WHERE id = $1",
	                      o, NULL),
	                    api_fmt("test pending %s", job));
	return o;
}

/* status/attempts/response_status of a delivery */
static const char *delivery(const char *id)
{
	return q("SELECT status || '/' || attempts || '/' || coalesce(response_status::text, '-')"
	         " FROM notification_deliveries WHERE id = $1",
	         id, NULL);
}

/* the last request the receiver got (free with received_free) */
static struct received *last_request(void)
{
	int n = receiver_count(rx);
	assert_true(n > 0);
	return receiver_get(rx, n - 1);
}

static const char *header(const struct received *r, const char *name)
{
	static char out[4][2048];
	static int turn;
	return received_header(r, name, out[turn++ % 4], sizeof(out[0]));
}

/* --- the API ---------------------------------------------------------------------- */

static void refused(void **state)
{
	(void)state;
	char before[64];
	const char *hook = url("/hook");

	snprintf(before, sizeof(before), "%s", written());
	EXPECT(api_call("GET", "/api/v1/admin/notifications", plain.token, NULL), 403);
	EXPECT(api_call("POST", "/api/v1/admin/notifications", plain.token, "{}"), 403);
	static const struct {
		const char *body, *field;
	} bad[] = {
	    {"{\"kind\": \"webhook\", \"events\": [], \"settings\": {}}", "name"},
	    {"{\"name\": \"x\", \"kind\": \"sms\", \"events\": [], \"settings\": {}}", "kind"},
	    {"{\"name\": \"x\", \"kind\": \"webhook\", \"events\": []}", "settings"},
	    {"{\"name\": \"x\", \"kind\": \"webhook\", \"events\": [], \"settings\": {}}",
	     "settings.url"},
	    {"{\"name\": \"x\", \"kind\": \"webhook\", \"events\": [], \"settings\": {\"url\":"
	     " \"ftp://example.org/x\"}}",
	     "settings.url"},
	    {"{\"name\": \"x\", \"kind\": \"webhook\", \"events\": [\"content.added\", \"nope\"],"
	     " \"settings\": {\"url\": \"HOOK\"}}",
	     "events[1]"},
	    {"{\"name\": \"x\", \"kind\": \"webhook\", \"events\": [\"test\"],"
	     " \"settings\": {\"url\": \"HOOK\"}}",
	     "events[0]"},
	    {"{\"name\": \"x\", \"kind\": \"webhook\", \"events\": [], \"settings\": {\"url\":"
	     " \"HOOK\", \"smtp_host\": \"mail\"}}",
	     "settings.smtp_host"},
	    {"{\"name\": \"x\", \"kind\": \"webhook\", \"events\": [], \"settings\": {\"url\":"
	     " \"HOOK\", \"method\": \"GET\"}}",
	     "settings.method"},
	    {"{\"name\": \"x\", \"kind\": \"webhook\", \"events\": [], \"settings\": {\"url\":"
	     " \"HOOK\", \"headers\": {\"Host\": \"evil\"}}}",
	     "settings.headers.Host"},
	    {"{\"name\": \"x\", \"kind\": \"webhook\", \"events\": [], \"settings\": {\"url\":"
	     " \"HOOK\", \"headers\": {\"X-A\": \"a\\r\\nX-B: b\"}}}",
	     "settings.headers.X-A"},
	    {"{\"name\": \"x\", \"kind\": \"webhook\", \"events\": [], \"settings\": {\"url\":"
	     " \"HOOK\", \"auth\": \"bearer\"}}",
	     "secret"},
	    {"{\"name\": \"x\", \"kind\": \"webhook\", \"events\": [], \"settings\": {\"url\":"
	     " \"HOOK\", \"auth\": \"header\"}, \"secret\": \"s\"}",
	     "settings.auth_header"},
	    {"{\"name\": \"x\", \"kind\": \"webhook\", \"events\": [], \"settings\": {\"url\":"
	     " \"HOOK\", \"auth\": \"basic\"}, \"secret\": \"no-colon\"}",
	     "secret"},
	    {"{\"name\": \"x\", \"kind\": \"webhook\", \"events\": [], \"settings\": {\"url\":"
	     " \"HOOK\", \"template\": \"{\\\"t\\\": {{title}}}\"}}",
	     "settings.template"},
	    {"{\"name\": \"x\", \"kind\": \"webhook\", \"events\": [], \"settings\": {\"url\":"
	     " \"HOOK\", \"template\": \"{\\\"t\\\": \\\"{{titel}}\\\"}\"}}",
	     "settings.template"},
	    {"{\"name\": \"x\", \"kind\": \"discord\", \"events\": [], \"settings\": {}}",
	     "secret"},
	    {"{\"name\": \"x\", \"kind\": \"discord\", \"events\": [], \"settings\": {},"
	     " \"secret\": \"not a url\"}",
	     "secret"},
	    {"{\"name\": \"x\", \"kind\": \"discord\", \"events\": [], \"settings\": {\"url\":"
	     " \"HOOK\"}, \"secret\": \"HOOK\"}",
	     "settings.url"},
	    {"{\"name\": \"x\", \"kind\": \"gotify\", \"events\": [], \"settings\": {\"url\":"
	     " \"HOOK\", \"priority\": 11}, \"secret\": \"t\"}",
	     "settings.priority"},
	    {"{\"name\": \"x\", \"kind\": \"gotify\", \"events\": [], \"settings\": {\"url\":"
	     " \"HOOK\"}}",
	     "secret"},
	    {"{\"name\": \"x\", \"kind\": \"email\", \"events\": [], \"settings\": {\"smtp_host\":"
	     " \"mail.example.org\", \"from\": \"r@example.org\"}}",
	     "settings.to"},
	    {"{\"name\": \"x\", \"kind\": \"email\", \"events\": [], \"settings\": {\"smtp_host\":"
	     " \"mail.example.org\", \"from\": \"not-an-address\", \"to\": [\"a@example.org\"]}}",
	     "settings.from"},
	    {"{\"name\": \"x\", \"kind\": \"email\", \"events\": [], \"settings\": {\"smtp_host\":"
	     " \"mail.example.org\", \"from\": \"r@example.org\", \"to\": [\"a@example.org\","
	     " \"b@example.org\\r\\nRCPT TO:<c@example.org>\"]}}",
	     "settings.to[1]"},
	    {"{\"name\": \"x\", \"kind\": \"email\", \"events\": [], \"settings\": {\"smtp_host\":"
	     " \"mail.example.org\", \"from\": \"r@example.org\", \"to\": []}}",
	     "settings.to"},
	    {"{\"name\": \"x\", \"kind\": \"email\", \"events\": [], \"settings\": {\"smtp_host\":"
	     " \"mail example.org\", \"from\": \"r@example.org\", \"to\": [\"a@example.org\"]}}",
	     "settings.smtp_host"},
	    {"{\"name\": \"x\", \"kind\": \"email\", \"events\": [], \"settings\": {\"smtp_host\":"
	     " \"mail.example.org\", \"smtp_port\": 70000, \"from\": \"r@example.org\", \"to\":"
	     " [\"a@example.org\"]}}",
	     "settings.smtp_port"},
	    {"{\"name\": \"x\", \"kind\": \"email\", \"events\": [], \"settings\": {\"smtp_host\":"
	     " \"mail.example.org\", \"security\": \"ssl\", \"from\": \"r@example.org\", \"to\":"
	     " [\"a@example.org\"]}}",
	     "settings.security"},
	    {"{\"name\": \"x\", \"kind\": \"email\", \"events\": [], \"settings\": {\"smtp_host\":"
	     " \"mail.example.org\", \"username\": \"u\", \"from\": \"r@example.org\", \"to\":"
	     " [\"a@example.org\"]}}",
	     "secret"},
	    {"{\"name\": \"x\", \"kind\": \"email\", \"events\": [], \"settings\": {}, \"extra\": "
	     "1}",
	     "extra"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char body[2048];
		const char *at = strstr(bad[i].body, "HOOK");
		if (at)
			snprintf(body, sizeof(body), "%.*s%s%s", (int)(at - bad[i].body),
			         bad[i].body, hook, at + 4);
		else
			snprintf(body, sizeof(body), "%s", bad[i].body);
		/* a second HOOK (the Discord case) */
		if ((at = strstr(body, "HOOK"))) {
			char again[2048];
			snprintf(again, sizeof(again), "%.*s%s%s", (int)(at - body), body, hook,
			         at + 4);
			memcpy(body, again, sizeof(body));
		}
		EXPECT_FIELD(api_call("POST", "/api/v1/admin/notifications", admin.token, body),
		             400, bad[i].field);
	}
	assert_string_equal(written(), before);
}

static void crud(void **state)
{
	(void)state;
	char before[64];

	const char *id =
	    create(api_fmt("{\"name\": \"Ops hook\", \"kind\": \"webhook\", \"events\":"
	                   " [\"library.scan_failed\", \"auth.lockout\"], \"settings\":"
	                   " {\"url\": \"%s\"}}",
	                   url("/ops")));
	assert_int_equal(api_last.status, 201);
	assert_string_equal(api_str(api_last_json, "kind"), "webhook");
	assert_true(cJSON_IsTrue(api_get(api_last_json, "enabled")));
	assert_true(cJSON_IsFalse(api_get(api_last_json, "secret_set")));
	assert_true(cJSON_IsNull(api_get(api_last_json, "last_delivery")));
	/* defaults are filled in and shown */
	const cJSON *s = api_get(api_last_json, "settings");
	assert_string_equal(api_str(s, "method"), "POST");
	assert_string_equal(api_str(s, "auth"), "none");
	assert_int_equal(cJSON_GetArraySize(api_get(api_last_json, "events")), 2);

	EXPECT(api_call("GET", api_fmt("/api/v1/admin/notifications/%s", id), admin.token, NULL),
	       200);
	assert_string_equal(api_str(api_last_json, "name"), "Ops hook");
	EXPECT(api_call("GET", api_fmt("/api/v1/admin/notifications/%s", id), plain.token, NULL),
	       403);
	EXPECT_FIELD(api_call("GET",
	                      "/api/v1/admin/notifications/00000000-0000-4000-8000-000000000001",
	                      admin.token, NULL),
	             404, "id");
	/* names are unique whatever their case */
	snprintf(before, sizeof(before), "%s", written());
	EXPECT_FIELD(
	    api_call("POST", "/api/v1/admin/notifications", admin.token,
	             api_fmt("{\"name\": \"OPS HOOK\", \"kind\": \"webhook\", \"events\": [],"
	                     " \"settings\": {\"url\": \"%s\"}}",
	                     url("/x"))),
	    409, "name");
	assert_string_equal(written(), before);

	/* a change keeps what it does not name; the kind's rules hold */
	EXPECT(api_call("PUT", api_fmt("/api/v1/admin/notifications/%s", id), admin.token,
	                "{\"enabled\": false, \"events\": [\"content.added\"]}"),
	       200);
	assert_true(cJSON_IsFalse(api_get(api_last_json, "enabled")));
	assert_string_equal(api_str(api_get(api_last_json, "settings"), "url"), url("/ops"));
	assert_string_equal(q("SELECT array_to_string(events, ',') FROM notification_channels"
	                      " WHERE id = $1",
	                      id, NULL),
	                    "content.added");
	snprintf(before, sizeof(before), "%s", written());
	EXPECT_FIELD(api_call("PUT", api_fmt("/api/v1/admin/notifications/%s", id), admin.token,
	                      api_fmt("{\"settings\": {\"url\": \"%s\", \"auth\": \"bearer\"}}",
	                              url("/ops"))),
	             400, "secret");
	EXPECT_FIELD(api_call("PUT", api_fmt("/api/v1/admin/notifications/%s", id), admin.token,
	                      "{\"kind\": \"email\"}"),
	             400, "kind");
	assert_string_equal(written(), before);
	EXPECT(
	    api_call("PUT", api_fmt("/api/v1/admin/notifications/%s", id), admin.token,
	             api_fmt("{\"settings\": {\"url\": \"%s\", \"auth\": \"bearer\"}, \"secret\":"
	                     " \"tok-1\"}",
	                     url("/ops"))),
	    200);
	assert_true(cJSON_IsTrue(api_get(api_last_json, "secret_set")));
	assert_null(api_get(api_last_json, "secret"));
	/* removing the secret its auth needs is refused; with auth none it goes */
	EXPECT_FIELD(api_call("PUT", api_fmt("/api/v1/admin/notifications/%s", id), admin.token,
	                      "{\"secret\": null}"),
	             400, "secret");
	EXPECT(
	    api_call("PUT", api_fmt("/api/v1/admin/notifications/%s", id), admin.token,
	             api_fmt("{\"settings\": {\"url\": \"%s\"}, \"secret\": null}", url("/ops"))),
	    200);
	assert_true(cJSON_IsFalse(api_get(api_last_json, "secret_set")));
	assert_string_equal(
	    q("SELECT secret IS NULL FROM notification_channels WHERE id = $1", id, NULL), "t");

	EXPECT(api_call("GET", "/api/v1/admin/notifications", admin.token, NULL), 200);
	assert_int_equal(cJSON_GetArraySize(api_get(api_last_json, "items")), 1);
	assert_string_equal(q("SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE"
	                      " resource_id = $1",
	                      id, NULL),
	                    "notification.create,notification.update,notification.update,"
	                    "notification.update");
	EXPECT(api_call("DELETE", api_fmt("/api/v1/admin/notifications/%s", id), admin.token, NULL),
	       204);
	EXPECT_FIELD(
	    api_call("DELETE", api_fmt("/api/v1/admin/notifications/%s", id), admin.token, NULL),
	    404, "id");
	assert_int_equal(qn("SELECT count(*) FROM notification_channels", NULL, NULL), 0);
}

/* Secrets are sealed at rest under auth.secret_key, bound to their
 * channel, and never shown or logged. */
static void secrets_sealed(void **state)
{
	(void)state;
	const char *hook = url("/discord/api/webhooks/42/s3cr3t-t0ken");
	const char *id =
	    create(api_fmt("{\"name\": \"Discord\", \"kind\": \"discord\", \"events\": [],"
	                   " \"settings\": {\"username\": \"Revenge\"}, \"secret\": \"%s\"}",
	                   hook));
	const char *other = create(api_fmt("{\"name\": \"Discord 2\", \"kind\": \"discord\","
	                                   " \"events\": [], \"settings\": {}, \"secret\": \"%s\"}",
	                                   hook));
	assert_null(strstr(api_last.body, "s3cr3t"));
	char sealed[1024];
	snprintf(sealed, sizeof(sealed), "%s",
	         q("SELECT secret FROM notification_channels WHERE id = $1", id, NULL));
	assert_true(!strncmp(sealed, "gcm1.", 5));
	assert_null(strstr(sealed, "s3cr3t"));
	/* the same secret sealed twice differs (a fresh nonce) */
	assert_string_not_equal(
	    sealed, q("SELECT secret FROM notification_channels WHERE id = $1", other, NULL));
	unsigned char key[32];
	assert_int_equal(crypto_key_parse(KEY, key), 0);
	char *open = crypto_open_text(key, api_fmt("notification:%s:secret", id), sealed);
	assert_non_null(open);
	assert_string_equal(open, hook);
	free(open);
	/* moved to another channel's row, it does not open */
	assert_null(crypto_open_text(key, api_fmt("notification:%s:secret", other), sealed));
	assert_int_equal(qn("SELECT count(*) FROM notification_channels WHERE position('s3cr3t' IN"
	                    " settings::text) > 0",
	                    NULL, NULL),
	                 0);
	assert_int_equal(qn("SELECT count(*) FROM audit_log WHERE position('s3cr3t' IN"
	                    " coalesce(new_values::text, '')) > 0",
	                    NULL, NULL),
	                 0);
	EXPECT(api_call("GET", api_fmt("/api/v1/admin/notifications/%s", id), admin.token, NULL),
	       200);
	assert_null(strstr(api_last.body, "s3cr3t"));
	assert_true(cJSON_IsTrue(api_get(api_last_json, "secret_set")));
	EXPECT(
	    api_call("DELETE", api_fmt("/api/v1/admin/notifications/%s", other), admin.token, NULL),
	    204);
}

/* --- sending ----------------------------------------------------------------------- */

/* A generic webhook arrives as configured: method, path, headers, auth
 * and the rendered template, byte for byte. */
static void webhook_exact(void **state)
{
	(void)state;
	char job[24];

	receiver_clear(rx);
	const char *id = create(api_fmt(
	    "{\"name\": \"Generic\", \"kind\": \"webhook\", \"events\": [\"content.added\"],"
	    " \"settings\": {\"url\": \"%s\", \"method\": \"PUT\", \"headers\": {\"X-Custom\":"
	    " \"v1\", \"Content-Type\": \"application/vnd.revenge+json\"}, \"auth\": \"basic\","
	    " \"template\": \"{\\\"text\\\": \\\"{{title}}: {{message}}\\\", \\\"kind\\\":"
	    " \\\"{{event}}\\\", \\\"by\\\": \\\"{{data.requested_by}}\\\", \\\"all\\\":"
	    " {{payload}}}\"}, \"secret\": \"hook-user:pa ss\\\"word\"}",
	    url("/hook?x=1")));
	const char *d = send_test(id, job);
	assert_int_equal(run_job(job), JOB_OK);
	assert_string_equal(delivery(d), "sent/1/200");
	assert_int_equal(receiver_count(rx), 1);
	struct received *r = last_request();
	assert_string_equal(r->method, "PUT");
	assert_string_equal(r->target, "/hook?x=1");
	assert_string_equal(header(r, "X-Custom"), "v1");
	assert_string_equal(header(r, "Content-Type"), "application/vnd.revenge+json");
	/* base64 of hook-user:pa ss"word */
	assert_string_equal(header(r, "Authorization"), "Basic aG9vay11c2VyOnBhIHNzIndvcmQ=");
	assert_non_null(strstr(header(r, "User-Agent"), "Revenge/"));
	const char *time = q("SELECT to_char(created_at AT TIME ZONE 'UTC',"
	                     " 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') FROM notification_deliveries"
	                     " WHERE id = $1",
	                     d, NULL);
	assert_string_equal(
	    r->body,
	    api_fmt(
	        "{\"text\": \"Test notification: If you can read this, the channel works.\","
	        " \"kind\": \"test\", \"by\": \"%s\", \"all\": {\"event\":\"test\",\"title\":"
	        "\"Test notification\",\"message\":\"If you can read this, the channel works.\","
	        "\"time\":\"%s\",\"data\":{\"channel_id\":\"%s\",\"requested_by\":\"%s\"}}}",
	        admin.id, time, id, admin.id));
	received_free(r);
	/* the delivery log shows it */
	EXPECT(api_call("GET", api_fmt("/api/v1/admin/notifications/%s/deliveries", id),
	                admin.token, NULL),
	       200);
	const cJSON *it = cJSON_GetArrayItem(api_get(api_last_json, "items"), 0);
	assert_string_equal(api_str(it, "status"), "sent");
	assert_string_equal(api_str(it, "event"), "test");
	assert_int_equal(api_get(it, "response_status")->valueint, 200);
	assert_string_equal(api_str(api_get(it, "payload"), "title"), "Test notification");
	EXPECT(api_call("GET", api_fmt("/api/v1/admin/notifications/%s", id), admin.token, NULL),
	       200);
	assert_string_equal(api_str(api_get(api_last_json, "last_delivery"), "status"), "sent");

	/* bearer, and a header of one's choosing */
	EXPECT(
	    api_call("PUT", api_fmt("/api/v1/admin/notifications/%s", id), admin.token,
	             api_fmt("{\"settings\": {\"url\": \"%s\", \"auth\": \"bearer\"}, \"secret\":"
	                     " \"tok-2\"}",
	                     url("/bearer"))),
	    200);
	send_test(id, job);
	assert_int_equal(run_job(job), JOB_OK);
	r = last_request();
	assert_string_equal(r->method, "POST");
	assert_string_equal(header(r, "Authorization"), "Bearer tok-2");
	assert_string_equal(header(r, "Content-Type"), "application/json");
	cJSON *j = cJSON_Parse(r->body);
	assert_string_equal(api_str(j, "event"), "test");
	cJSON_Delete(j);
	received_free(r);
	EXPECT(api_call(
	           "PUT", api_fmt("/api/v1/admin/notifications/%s", id), admin.token,
	           api_fmt("{\"settings\": {\"url\": \"%s\", \"auth\": \"header\", \"auth_header\":"
	                   " \"X-Api-Key\"}}",
	                   url("/keyed"))),
	       200);
	send_test(id, job);
	assert_int_equal(run_job(job), JOB_OK);
	r = last_request();
	assert_string_equal(header(r, "X-Api-Key"), "tok-2");
	assert_null(header(r, "Authorization"));
	received_free(r);
}

static void discord_and_gotify(void **state)
{
	(void)state;
	char job[24];

	receiver_clear(rx);
	const char *id =
	    q("SELECT id FROM notification_channels WHERE name = 'Discord'", NULL, NULL);
	char did[37];
	snprintf(did, sizeof(did), "%s", id);
	send_test(did, job);
	assert_int_equal(run_job(job), JOB_OK);
	struct received *r = last_request();
	assert_string_equal(r->method, "POST");
	assert_string_equal(r->target, "/discord/api/webhooks/42/s3cr3t-t0ken");
	assert_string_equal(header(r, "Content-Type"), "application/json");
	cJSON *j = cJSON_Parse(r->body), *embed = cJSON_GetArrayItem(api_get(j, "embeds"), 0);
	assert_string_equal(api_str(j, "username"), "Revenge");
	assert_string_equal(api_str(j, "content"), "Test notification");
	assert_string_equal(api_str(embed, "title"), "Test notification");
	assert_string_equal(api_str(embed, "description"),
	                    "If you can read this, the channel works.");
	assert_string_equal(api_str(api_get(embed, "footer"), "text"), "test");
	assert_non_null(api_str(embed, "timestamp"));
	assert_int_equal(cJSON_GetArraySize(api_get(api_get(j, "allowed_mentions"), "parse")), 0);
	cJSON_Delete(j);
	received_free(r);

	const char *gid =
	    create(api_fmt("{\"name\": \"Gotify\", \"kind\": \"gotify\", \"events\": [],"
	                   " \"settings\": {\"url\": \"%s\", \"priority\": 4},"
	                   " \"secret\": \"AppTok.123\"}",
	                   url("/gotify/")));
	send_test(gid, job);
	assert_int_equal(run_job(job), JOB_OK);
	r = last_request();
	assert_string_equal(r->target, "/gotify/message");
	assert_string_equal(header(r, "X-Gotify-Key"), "AppTok.123");
	j = cJSON_Parse(r->body);
	assert_string_equal(api_str(j, "title"), "Test notification");
	assert_string_equal(api_str(j, "message"), "If you can read this, the channel works.");
	assert_int_equal(api_get(j, "priority")->valueint, 4);
	assert_int_equal(cJSON_GetArraySize(j), 3);
	cJSON_Delete(j);
	received_free(r);
}

static void email_plain(void **state)
{
	(void)state;
	char job[24];
	int n;

	smtp_mailbox_clear(mail_plain);
	const char *id = create(api_fmt(
	    "{\"name\": \"Mail\", \"kind\": \"email\", \"events\": [], \"settings\": "
	    "{\"smtp_host\":"
	    " \"127.0.0.1\", \"smtp_port\": %d, \"security\": \"none\", \"from\":"
	    " \"revenge@example.org\", \"to\": [\"ops@example.org\", \"oncall@example.org\"]}}",
	    port_plain));
	const char *d = send_test(id, job);
	assert_int_equal(run_job(job), JOB_OK);
	assert_string_equal(delivery(d), "sent/1/250");
	char *box = smtp_mailbox(mail_plain, &n);
	assert_int_equal(n, 1);
	assert_non_null(strstr(box, "\nSubject: [Revenge] Test notification\n"));
	assert_non_null(strstr(box, "\nFrom: Revenge <revenge@example.org>\n"));
	assert_non_null(strstr(box, "<ops@example.org>,"));
	assert_non_null(strstr(box, "<oncall@example.org>"));
	assert_non_null(strstr(box, "\nX-MailFrom: revenge@example.org\n"));
	assert_non_null(strstr(box, "\nX-RcptTo: ops@example.org, oncall@example.org\n"));
	assert_non_null(strstr(box, "\nMessage-ID: <"));
	assert_non_null(strstr(box, "@example.org>\n"));
	assert_true(!strncmp(box, "Date: ", 6));
	assert_non_null(strstr(box, "\nContent-Type: text/plain; charset=utf-8\n"));
	assert_non_null(strstr(box, "\nX-Revenge-Event: test\n"));
	assert_non_null(
	    strstr(box, "\n\nIf you can read this, the channel works.\n\n-- \nRevenge: test at "));
	free(box);
	/* STARTTLS required, but this server offers none: refused for good,
	 * and nothing went out in clear text */
	EXPECT(
	    api_call("PUT", api_fmt("/api/v1/admin/notifications/%s", id), admin.token,
	             api_fmt("{\"settings\": {\"smtp_host\": \"127.0.0.1\", \"smtp_port\": %d,"
	                     " \"from\": \"revenge@example.org\", \"to\": [\"ops@example.org\"]}}",
	                     port_plain)),
	    200);
	assert_string_equal(api_str(api_get(api_last_json, "settings"), "security"), "starttls");
	d = send_test(id, job);
	assert_int_equal(run_job(job), JOB_FAIL);
	assert_string_equal(q("SELECT status FROM notification_deliveries WHERE id = $1", d, NULL),
	                    "failed");
	free(smtp_mailbox(mail_plain, &n));
	assert_int_equal(n, 1);
}

static void email_starttls_auth(void **state)
{
	(void)state;
	char job[24];
	int n;

	smtp_mailbox_clear(mail_tls);
	const char *id = create(
	    api_fmt("{\"name\": \"Mail TLS\", \"kind\": \"email\", \"events\": [], \"settings\":"
	            " {\"smtp_host\": \"127.0.0.1\", \"smtp_port\": %d, \"security\": \"starttls\","
	            " \"username\": \"" SMTP_USER "\", \"from\": \"revenge@example.org\", \"to\":"
	            " [\"ops@example.org\"]}, \"secret\": \"" SMTP_PASSWORD "\"}",
	            port_tls));
	const char *d = send_test(id, job);
	assert_int_equal(run_job(job), JOB_OK);
	assert_string_equal(delivery(d), "sent/1/250");
	char *box = smtp_mailbox(mail_tls, &n);
	assert_int_equal(n, 1);
	assert_non_null(strstr(box, "\nSubject: [Revenge] Test notification\n"));
	assert_non_null(strstr(box, "\nX-RcptTo: ops@example.org\n"));
	free(box);
	/* a wrong password: the server says no, and would again */
	EXPECT(api_call("PUT", api_fmt("/api/v1/admin/notifications/%s", id), admin.token,
	                "{\"secret\": \"wrong\"}"),
	       200);
	d = send_test(id, job);
	assert_int_equal(run_job(job), JOB_FAIL);
	assert_string_equal(q("SELECT status || ' ' || (last_error LIKE '%Login denied%')"
	                      " FROM notification_deliveries WHERE id = $1",
	                      d, NULL),
	                    "failed true");
	free(smtp_mailbox(mail_tls, &n));
	assert_int_equal(n, 1);
}

/* 5xx, no answer and timeouts are retried with the queue's backoff; the
 * last attempt's failure is final; 4xx gives up at once. */
static void retries(void **state)
{
	(void)state;
	char job[24];
	struct job_result res;

	receiver_clear(rx);
	const char *id =
	    create(api_fmt("{\"name\": \"Flaky\", \"kind\": \"webhook\", \"events\": [],"
	                   " \"settings\": {\"url\": \"%s\"}}",
	                   url("/flaky")));
	const int script[] = {500, 0, 200};
	receiver_script(rx, script, 3);
	const char *d = send_test(id, job);
	assert_int_equal(run_job_at(job, 1, 10, &res), JOB_RETRY);
	assert_non_null(strstr(res.error, "HTTP 500"));
	assert_string_equal(delivery(d), "pending/1/500");
	assert_int_equal(run_job_at(job, 2, 10, &res), JOB_RETRY);
	assert_string_equal(
	    q("SELECT status || '/' || attempts || '/' || coalesce(response_status::text,"
	      " '-') || ' ' || last_error FROM notification_deliveries WHERE id = $1",
	      d, NULL),
	    "pending/2/- Server returned nothing (no headers, no data)");
	assert_int_equal(run_job_at(job, 3, 10, &res), JOB_OK);
	assert_string_equal(delivery(d), "sent/3/200");
	assert_true(q("SELECT sent_at FROM notification_deliveries WHERE id = $1", d, NULL)[0]);
	/* a finished delivery is not sent again by a late re-run */
	assert_int_equal(run_job_at(job, 4, 10, &res), JOB_OK);
	assert_int_equal(receiver_count(rx), 3);
	/* the jobs are queued with the attempts to retry that long */
	assert_string_equal(q("SELECT max_attempts FROM jobs WHERE id = $1", job, NULL), "10");

	/* 4xx: given up at once */
	const int gone[] = {404};
	receiver_script(rx, gone, 1);
	d = send_test(id, job);
	assert_int_equal(run_job_at(job, 1, 10, &res), JOB_FAIL);
	assert_non_null(strstr(res.error, "HTTP 404: {\"receiver\":\"scripted\"}"));
	assert_string_equal(delivery(d), "failed/1/404");
	/* 429 waits; the last attempt's 503 is final */
	const int busy[] = {429, 503};
	receiver_script(rx, busy, 2);
	d = send_test(id, job);
	assert_int_equal(run_job_at(job, 9, 10, &res), JOB_RETRY);
	assert_string_equal(delivery(d), "pending/1/429");
	assert_int_equal(run_job_at(job, 10, 10, &res), JOB_FAIL);
	assert_string_equal(delivery(d), "failed/2/503");
	/* nobody listening: retried */
	EXPECT(api_call("PUT", api_fmt("/api/v1/admin/notifications/%s", id), admin.token,
	                api_fmt("{\"settings\": {\"url\": \"http://127.0.0.1:%d/x\"}}",
	                        test_free_port())),
	       200);
	d = send_test(id, job);
	assert_int_equal(run_job_at(job, 1, 10, &res), JOB_RETRY);
	assert_string_equal(q("SELECT status FROM notification_deliveries WHERE id = $1", d, NULL),
	                    "pending");
	/* a channel deleted meanwhile: nothing left to do */
	d = send_test(id, job);
	EXPECT(api_call("DELETE", api_fmt("/api/v1/admin/notifications/%s", id), admin.token, NULL),
	       204);
	assert_int_equal(run_job(job), JOB_OK);
}

/* --- events ------------------------------------------------------------------------ */

static const char *events_channel;

/* deliveries of event to the events channel */
static long queued(const char *event)
{
	return qn(
	    "SELECT count(*) FROM notification_deliveries WHERE channel_id = $1 AND event = $2",
	    events_channel, event);
}

/* send the newest delivery of event and return what arrived (parsed) */
static cJSON *deliver_latest(const char *event)
{
	const char *job = q("SELECT job_id FROM notification_deliveries WHERE channel_id = $1 AND"
	                    " event = $2 ORDER BY id DESC LIMIT 1",
	                    events_channel, event);
	int before = receiver_count(rx);
	assert_int_equal(run_job(job), JOB_OK);
	assert_int_equal(receiver_count(rx), before + 1);
	struct received *r = last_request();
	cJSON *j = cJSON_Parse(r->body);
	received_free(r);
	assert_non_null(j);
	assert_string_equal(api_str(j, "event"), event);
	return j;
}

static void events_auth(void **state)
{
	(void)state;
	struct api_user u;

	receiver_clear(rx);
	static char id[37];
	snprintf(
	    id, sizeof(id), "%s",
	    create(api_fmt("{\"name\": \"Events\", \"kind\": \"webhook\", \"events\":"
	                   " [\"content.added\", \"content.removed\", \"library.scan_finished\","
	                   " \"library.scan_failed\", \"user.created\", \"auth.lockout\","
	                   " \"auth.new_login\", \"system.tmdb_failing\"], \"settings\": {\"url\":"
	                   " \"%s\"}}",
	                   url("/events"))));
	events_channel = id;
	/* a disabled channel that wants everything gets nothing */
	create(api_fmt("{\"name\": \"Off\", \"kind\": \"webhook\", \"enabled\": false, \"events\":"
	               " [\"user.created\", \"auth.new_login\"], \"settings\": {\"url\": \"%s\"}}",
	               url("/off")));

	api_new_user(&u, "notified_user", NULL);
	assert_int_equal(queued("user.created"), 1);
	assert_int_equal(queued("auth.new_login"), 1);
	assert_int_equal(
	    qn("SELECT count(*) FROM notification_deliveries d JOIN notification_channels"
	       " c ON c.id = d.channel_id WHERE c.name = 'Off'",
	       NULL, NULL),
	    0);
	cJSON *j = deliver_latest("user.created");
	assert_string_equal(api_str(j, "title"), "New account: notified_user");
	assert_string_equal(api_str(api_get(j, "data"), "user_id"), u.id);
	assert_string_equal(api_str(api_get(j, "data"), "role"), "user");
	/* no address goes out */
	char *text = cJSON_PrintUnformatted(j);
	assert_null(strstr(text, "@example.com"));
	free(text);
	cJSON_Delete(j);
	j = deliver_latest("auth.new_login");
	assert_string_equal(api_str(j, "title"), "New login: notified_user");
	assert_string_equal(api_str(api_get(j, "data"), "session_id"),
	                    q("SELECT id FROM sessions WHERE user_id = $1", u.id, NULL));
	cJSON_Delete(j);

	/* failed logins up to the lockout: one auth.lockout */
	for (int i = 0; i < 5; i++)
		EXPECT(
		    api_call("POST", "/api/v1/auth/login", NULL,
		             "{\"username\": \"notified_user\", \"password\": \"wrong-password\"}"),
		    401);
	assert_int_equal(queued("auth.lockout"), 1);
	EXPECT(api_call("POST", "/api/v1/auth/login", NULL,
	                "{\"username\": \"notified_user\", \"password\": \"wrong-password\"}"),
	       423);
	assert_int_equal(queued("auth.lockout"), 1);
	assert_int_equal(queued("auth.new_login"), 1);
	j = deliver_latest("auth.lockout");
	assert_string_equal(api_str(j, "title"), "Logins locked for notified_user");
	assert_string_equal(api_str(api_get(j, "data"), "scope"), "account");
	cJSON_Delete(j);

	/* an event that repeats while a condition lasts: once per period */
	int n;
	const char *p = notify_payload(ar, "TMDb is failing", "m", (const char *const[]){NULL});
	assert_int_equal(notify_event_throttled(db, ar, "system.tmdb_failing", p, 3600, &n),
	                 APP_OK);
	assert_int_equal(n, 1);
	assert_int_equal(notify_event_throttled(db, ar, "system.tmdb_failing", p, 3600, &n),
	                 APP_OK);
	assert_int_equal(n, 0);
	assert_int_equal(queued("system.tmdb_failing"), 1);
	/* nobody wants worker_down: nothing queued */
	assert_int_equal(notify_event(db, ar, "system.worker_down", p, &n), APP_OK);
	assert_int_equal(n, 0);
}

static const char *new_scan(const char *lib)
{
	return api_value(pg,
	                 "INSERT INTO library_scans (library_id, scan_type) VALUES ($1, 'full')"
	                 " RETURNING id",
	                 lib, NULL);
}

static enum job_outcome scan(const char *lib)
{
	struct job_result res;
	return jobrun(kind_library_scan, db, ar,
	              api_fmt("{\"library_id\": \"%s\", \"scan_id\": %s, \"scan_type\": \"full\"}",
	                      lib, new_scan(lib)),
	              NULL, &res);
}

static void events_library(void **state)
{
	(void)state;
	char movies[1100], lib[37], film[PATH_MAX];
	struct job_result res;

	snprintf(movies, sizeof(movies), "%s/movies", base);
	snprintf(film, sizeof(film), "%s/Zyxw Film (1999)/Zyxw Film (1999).mkv", movies);
	api_sh("mkdir -p '%s/Zyxw Film (1999)' && ffmpeg -loglevel error -y -f lavfi -i"
	       " testsrc=size=64x36:rate=24 -t 1 -c:v libx264 -preset ultrafast '%s'",
	       movies, film);
	snprintf(lib, sizeof(lib), "%s",
	         api_value(pg,
	                   "INSERT INTO libraries (name, type, paths) VALUES ('Films', 'movie',"
	                   " ARRAY[$1]) RETURNING id",
	                   movies, NULL));
	assert_int_equal(scan(lib), JOB_OK);
	assert_int_equal(queued("library.scan_finished"), 1);
	cJSON *j = deliver_latest("library.scan_finished");
	assert_string_equal(api_str(j, "title"), "Library scan finished: Films");
	assert_string_equal(api_str(api_get(j, "data"), "files_added"), "1");
	assert_string_equal(api_str(api_get(j, "data"), "library_id"), lib);
	cJSON_Delete(j);

	/* identified (offline: a local item): one content.added for the movie */
	const char *args =
	    q("SELECT args::text FROM jobs WHERE kind = 'library.match' AND args->>'file_id' ="
	      " (SELECT id::text FROM media_files WHERE path = $1)",
	      film, NULL);
	assert_int_equal(jobrun(kind_library_match, db, ar, args, NULL, &res), JOB_OK);
	assert_int_equal(queued("content.added"), 1);
	j = deliver_latest("content.added");
	assert_string_equal(api_str(j, "title"), "Added: Zyxw Film (1999)");
	assert_string_equal(api_str(api_get(j, "data"), "kind"), "movie");
	assert_string_equal(api_str(api_get(j, "data"), "id"),
	                    q("SELECT movie_id FROM media_files WHERE path = $1", film, NULL));
	cJSON_Delete(j);
	/* matched again: no new item, no new event */
	assert_int_equal(jobrun(kind_library_match, db, ar, args, NULL, &res), JOB_OK);
	assert_int_equal(queued("content.added"), 1);

	/* the file goes: missing at the next scan, removed (grace 0) at the one
	 * after, and its movie with it */
	api_sh("rm -rf '%s/Zyxw Film (1999)'", movies);
	assert_int_equal(scan(lib), JOB_OK);
	assert_int_equal(queued("content.removed"), 0);
	assert_int_equal(scan(lib), JOB_OK);
	assert_int_equal(queued("content.removed"), 1);
	assert_int_equal(queued("library.scan_finished"), 3);
	j = deliver_latest("content.removed");
	assert_string_equal(api_str(j, "title"), "Removed: Zyxw Film (1999)");
	cJSON_Delete(j);

	/* a scan that cannot read its library fails, and says so */
	api_sh("rm -rf '%s'", movies);
	assert_int_equal(scan(lib), JOB_FAIL);
	assert_int_equal(queued("library.scan_failed"), 1);
	j = deliver_latest("library.scan_failed");
	assert_string_equal(api_str(j, "title"), "Library scan failed: Films");
	assert_non_null(strstr(api_str(j, "message"), "no library root can be read"));
	cJSON_Delete(j);
}

/* Without auth.secret_key no secret can be stored: a 400 naming it, and
 * nothing written; channels without a secret still work. */
static void no_key(void **state)
{
	(void)state;
	char before[64];

	server_stop(server, 5000);
	testenv_write_config(conf, db_url, sock, "pool_size = 2\n" TESTENV_FAST_AUTH);
	server = server_start(conf, sock, log_path);
	assert_true(server > 0);
	snprintf(before, sizeof(before), "%s", written());
	EXPECT_FIELD(
	    api_call("POST", "/api/v1/admin/notifications", admin.token,
	             api_fmt("{\"name\": \"Keyless\", \"kind\": \"gotify\", \"events\": [],"
	                     " \"settings\": {\"url\": \"%s\"}, \"secret\": \"t\"}",
	                     url("/g"))),
	    400, "secret");
	assert_non_null(strstr(api_str(api_last_json, "detail"), "auth.secret_key is not set"));
	assert_string_equal(written(), before);
	create(
	    api_fmt("{\"name\": \"Keyless\", \"kind\": \"webhook\", \"events\": [], \"settings\":"
	            " {\"url\": \"%s\"}}",
	            url("/k")));
}

/* --- setup ------------------------------------------------------------------------- */

static void configure_worker(void)
{
	char *const noenv[] = {NULL};
	struct config c;
	struct buf text, msg;

	buf_init(&text, 8192);
	buf_init(&msg, 1024);
	buf_printf(&text, "[redis]\nurl = \"%s\"\nprefix = \"test_notify_%d:\"\n",
	           testenv_redis_url(), (int)getpid());
	buf_printf(&text,
	           "[auth]\nsecret_key = %s\n[notifications]\ntimeout = 5s\nca_file = %s\n"
	           "[library]\nmissing_grace = 0\n[images]\nenabled = false\n[storage]\npath = "
	           "%s/storage\n",
	           KEY, cert, base);
	assert_true(buf_ok(&text));
	if (config_load_text(&c, text.data, text.len, "test_notify.conf", noenv, &msg)) {
		fprintf(stderr, "config: %s\n", msg.data);
		exit(1);
	}
	notify_kinds_configure(&c);
	library_kinds_configure(&c);
	config_release(&c);
	buf_release(&text);
	buf_release(&msg);
}

static int setup(void **state)
{
	const char *u = testenv_new_database(NULL);
	char real[PATH_MAX];

	(void)state;
	snprintf(db_url, sizeof(db_url), "%s", u);
	log_setup(LL_ERROR, LOG_FMT_LOGFMT, 2);
	snprintf(log_path, sizeof(log_path), "%s/log/test_notify.log", testenv_stack_dir());
	snprintf(base, sizeof(base), "%s/notify-XXXXXX", testenv_stack_dir());
	if (!mkdtemp(base) || !realpath(base, real) || strlen(real) >= sizeof(base))
		return -1;
	memcpy(base, real, strlen(real) + 1);
	snprintf(cert, sizeof(cert), "%s/smtp-cert.pem", base);
	snprintf(certkey, sizeof(certkey), "%s/smtp-key.pem", base);
	snprintf(mail_plain, sizeof(mail_plain), "%s/mail-plain", base);
	snprintf(mail_tls, sizeof(mail_tls), "%s/mail-tls", base);
	if (system(
	        api_fmt("openssl req -x509 -newkey rsa:2048 -nodes -keyout '%s' -out '%s' -days 1"
	                " -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null",
	                certkey, cert)) != 0)
		return -1;
	if (!(rx = receiver_start()))
		return -1;
	port_plain = test_free_port();
	port_tls = test_free_port();
	if ((smtp_plain =
	         smtp_sink_start(port_plain, mail_plain, NULL, NULL, NULL, NULL, log_path)) < 0 ||
	    (smtp_tls = smtp_sink_start(port_tls, mail_tls, cert, certkey, SMTP_USER, SMTP_PASSWORD,
	                                log_path)) < 0) {
		fprintf(stderr, "the SMTP sink did not start (python3-aiosmtpd installed?)\n");
		return -1;
	}
	pg = testenv_connect(u);
	api_pg = pg;
	db = db_new(u, 5000, 30000);
	ar = arena_new(1 << 16, 256 << 20);
	configure_worker();

	snprintf(sock, sizeof(sock), "/tmp/revenge-notify-%d.sock", (int)getpid());
	snprintf(conf, sizeof(conf), "%s/revenge.conf", base);
	api_sock = sock;
	testenv_write_config(conf, u, sock,
	                     "pool_size = 2\n" TESTENV_FAST_AUTH "[auth]\nsecret_key = " KEY "\n");
	server = server_start(conf, sock, log_path);
	if (server <= 0)
		return -1;
	api_new_user(&admin, "notify_admin", "admin");
	api_new_user(&plain, "notify_plain", NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (server > 0 && waitpid(server, NULL, WNOHANG) == 0)
		server_stop(server, 5000);
	smtp_sink_stop(smtp_plain);
	smtp_sink_stop(smtp_tls);
	receiver_stop(rx);
	cJSON_Delete(api_last_json);
	arena_free(ar);
	db_free(db);
	PQfinish(pg);
	tmdb_thread_release();
	if (base[0] && system(api_fmt("rm -rf '%s'", base)) != 0)
		print_message("could not remove the tree\n");
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(refused),
	    cmocka_unit_test(crud),
	    cmocka_unit_test(secrets_sealed),
	    cmocka_unit_test(webhook_exact),
	    cmocka_unit_test(discord_and_gotify),
	    cmocka_unit_test(email_plain),
	    cmocka_unit_test(email_starttls_auth),
	    cmocka_unit_test(retries),
	    cmocka_unit_test(events_auth),
	    cmocka_unit_test(events_library),
	    cmocka_unit_test(no_key),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
