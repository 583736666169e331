/* deliver: sending one queued notification (see deliver.h). */
#include "notify/deliver.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/crypto.h"
#include "core/json.h"
#include "core/log.h"
#include "db/sql.h"
#include "notify/send.h"
#include "notify/template.h"

#define DEFAULT_TIMEOUT_MS 15000

static pthread_mutex_t cfg_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char secret_key[32];
static bool have_key;
static long timeout_ms = DEFAULT_TIMEOUT_MS;
static char ca_file[1024];

void notify_configure(const struct config *cfg)
{
	pthread_mutex_lock(&cfg_lock);
	have_key = cfg->auth_secret_key && !crypto_key_parse(cfg->auth_secret_key, secret_key);
	if (!have_key)
		OPENSSL_cleanse(secret_key, sizeof(secret_key));
	timeout_ms = (long)cfg->notifications_timeout;
	snprintf(ca_file, sizeof(ca_file), "%s",
	         cfg->notifications_ca_file ? cfg->notifications_ca_file : "");
	pthread_mutex_unlock(&cfg_lock);
}

const char *notify_secret_aad(struct arena *a, const char *channel_id)
{
	return arena_printf(a, "notification:%s:secret", channel_id);
}

/* clang-format off */
static const struct db_stmt q_load = {
    "notify_deliver_load",
    "SELECT d.status, d.event, d.payload::text, " SQL_TS("d.created_at") ", c.id, c.kind,"
    " c.enabled, c.settings::text, c.secret FROM notification_deliveries d"
    " JOIN notification_channels c ON c.id = d.channel_id WHERE d.id = $1",
    1, true};
/* clang-format on */
enum {
	L_STATUS,
	L_EVENT,
	L_PAYLOAD,
	L_CREATED,
	L_CHANNEL,
	L_KIND,
	L_ENABLED,
	L_SETTINGS,
	L_SECRET
};

static const struct db_stmt q_record = {
    "notify_deliver_record",
    "UPDATE notification_deliveries SET attempts = attempts + 1, status = $2,"
    " last_error = $3, response_status = $4::int,"
    " sent_at = CASE WHEN $2 = 'sent' THEN now() END WHERE id = $1 AND status = 'pending'",
    4, false};

/* What one delivery needs, read from its row. */
struct sending {
	const char *channel;
	const char *kind;
	const cJSON *settings;
	char *secret; /* opened; malloc'd, wiped and freed by the caller */
	struct notify_msg msg;
	long timeout_ms;
	const char *ca_file; /* NULL: the system's */
	char *err;
	size_t errlen;
};

static const char *setting(const struct sending *j, const char *name, const char *def)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j->settings, name));
	return v ? v : def;
}

static int64_t setting_int(const struct sending *j, const char *name, int64_t def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j->settings, name);
	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : def;
}

static enum notify_send post_json(struct sending *j, const char *method, const char *url,
                                  const char *const *headers, const struct buf *body, long *status)
{
	struct notify_http r = {method,    url,           headers,   body->data,
	                        body->len, j->timeout_ms, j->ca_file};
	return notify_http_send(&r, status, j->err, j->errlen);
}

static enum notify_send send_webhook(struct sending *j, struct arena *a, long *status)
{
	const char *auth = setting(j, "auth", "none"), *lines[32];
	const cJSON *extra = cJSON_GetObjectItemCaseSensitive(j->settings, "headers"), *h;
	char *secret_line = NULL; /* wiped after the request */
	bool typed = false;
	int n = 0;
	struct buf body;
	enum notify_send rc;

	cJSON_ArrayForEach(h, extra)
	{
		if (n < 24 && cJSON_IsString(h) && h->string) {
			lines[n++] = arena_printf(a, "%s: %s", h->string, h->valuestring);
			typed |= !strcasecmp(h->string, "Content-Type");
		}
	}
	if (!typed)
		lines[n++] = "Content-Type: application/json";
	if (strcmp(auth, "none") && !j->secret) {
		snprintf(j->err, j->errlen, "the channel has no secret for its %s auth", auth);
		return NOTIFY_GIVE_UP;
	}
	if (!strcmp(auth, "bearer")) {
		lines[n++] = secret_line = arena_printf(a, "Authorization: Bearer %s", j->secret);
	} else if (!strcmp(auth, "basic")) {
		size_t len = strlen(j->secret);
		char *b64 = arena_alloc(a, 4 * (len / 3 + 1) + 1);
		if (b64) {
			EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)j->secret,
			                (int)len);
			secret_line = arena_printf(a, "Authorization: Basic %s", b64);
			OPENSSL_cleanse(b64, strlen(b64));
		}
		lines[n++] = secret_line;
	} else if (!strcmp(auth, "header")) {
		lines[n++] = secret_line =
		    arena_printf(a, "%s: %s", setting(j, "auth_header", "X-Auth-Token"), j->secret);
	}
	lines[n] = NULL;
	for (int i = 0; i < n; i++)
		if (!lines[i]) {
			snprintf(j->err, j->errlen, "out of memory");
			return NOTIFY_RETRY;
		}
	buf_init(&body, NOTIFY_RENDER_MAX);
	if (notify_render_check(setting(j, "template", NOTIFY_DEFAULT_TEMPLATE), &j->msg, &body,
	                        j->err, j->errlen)) {
		buf_release(&body);
		return NOTIFY_GIVE_UP; /* the template as stored no longer renders */
	}
	rc =
	    post_json(j, setting(j, "method", "POST"), setting(j, "url", ""), lines, &body, status);
	if (secret_line)
		OPENSSL_cleanse(secret_line, strlen(secret_line));
	buf_release(&body);
	return rc;
}

static enum notify_send send_discord(struct sending *j, struct arena *a, long *status)
{
	const char *lines[] = {"Content-Type: application/json", NULL};
	struct buf body;
	enum notify_send rc;

	(void)a;
	if (!j->secret) {
		snprintf(j->err, j->errlen, "the channel has no Discord webhook URL");
		return NOTIFY_GIVE_UP;
	}
	buf_init(&body, NOTIFY_RENDER_MAX);
	if (notify_discord_body(&j->msg, setting(j, "username", NULL), &body)) {
		buf_release(&body);
		snprintf(j->err, j->errlen, "the message is too large");
		return NOTIFY_GIVE_UP;
	}
	rc = post_json(j, "POST", j->secret, lines, &body, status);
	buf_release(&body);
	return rc;
}

static enum notify_send send_gotify(struct sending *j, struct arena *a, long *status)
{
	const char *base = setting(j, "url", "");
	size_t n = strlen(base);
	const char *url =
	    arena_printf(a, "%.*s/message", (int)(n && base[n - 1] == '/' ? n - 1 : n), base);
	char *key = j->secret ? arena_printf(a, "X-Gotify-Key: %s", j->secret) : NULL;
	const char *lines[] = {"Content-Type: application/json", key, NULL};
	struct buf body;
	enum notify_send rc;

	if (!j->secret) {
		snprintf(j->err, j->errlen, "the channel has no Gotify application token");
		return NOTIFY_GIVE_UP;
	}
	if (!url || !key) {
		snprintf(j->err, j->errlen, "out of memory");
		return NOTIFY_RETRY;
	}
	buf_init(&body, NOTIFY_RENDER_MAX);
	if (notify_gotify_body(&j->msg, (int)setting_int(j, "priority", 5), &body)) {
		buf_release(&body);
		snprintf(j->err, j->errlen, "the message is too large");
		return NOTIFY_GIVE_UP;
	}
	rc = post_json(j, "POST", url, lines, &body, status);
	OPENSSL_cleanse(key, strlen(key));
	buf_release(&body);
	return rc;
}

static enum notify_tls tls_mode(const char *s)
{
	if (!strcmp(s, "starttls_optional"))
		return NOTIFY_TLS_STARTTLS_OPTIONAL;
	if (!strcmp(s, "tls"))
		return NOTIFY_TLS_IMPLICIT;
	if (!strcmp(s, "none"))
		return NOTIFY_TLS_NONE;
	return NOTIFY_TLS_STARTTLS;
}

static enum notify_send send_email(struct sending *j, struct arena *a, long *status)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(j->settings, "to"), *it;
	const char *to[32], *from = setting(j, "from", ""), *user = setting(j, "username", NULL);
	int n = 0;
	char date[64], id[37];
	struct tm tm;
	time_t now = time(NULL);
	struct buf text;
	enum notify_send rc;

	cJSON_ArrayForEach(it, list)
	{
		if (n < 32 && cJSON_IsString(it) && notify_email_ok(it->valuestring))
			to[n++] = it->valuestring;
	}
	if (!n || !notify_email_ok(from)) {
		snprintf(j->err, j->errlen, "the channel's from or to address is not valid");
		return NOTIFY_GIVE_UP;
	}
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	if (uuid_v4(id)) {
		snprintf(j->err, j->errlen, "no randomness for a Message-ID");
		return NOTIFY_RETRY;
	}
	buf_init(&text, NOTIFY_RENDER_MAX);
	if (notify_email_text(&j->msg, from, to, n, date,
	                      arena_printf(a, "%s@%s", id, strchr(from, '@') + 1), &text)) {
		buf_release(&text);
		snprintf(j->err, j->errlen, "the message is too large");
		return NOTIFY_GIVE_UP;
	}
	struct notify_smtp s = {.host = setting(j, "smtp_host", ""),
	                        .port = (int)setting_int(j, "smtp_port", 587),
	                        .tls = tls_mode(setting(j, "security", "starttls")),
	                        .username = user,
	                        .password = user ? j->secret : NULL,
	                        .from = from,
	                        .to = to,
	                        .n = n,
	                        .message = text.data,
	                        .message_len = text.len,
	                        .timeout_ms = j->timeout_ms,
	                        .ca_file = j->ca_file};
	rc = notify_smtp_send(&s, status, j->err, j->errlen);
	buf_release(&text);
	return rc;
}

static void json_delete(void *p)
{
	cJSON_Delete(p);
}

static const struct {
	const char *kind;
	enum notify_send (*fn)(struct sending *j, struct arena *a, long *status);
} senders[] = {
    {"webhook", send_webhook},
    {"discord", send_discord},
    {"gotify", send_gotify},
    {"email", send_email},
};

/* The delivery's message from its row (strings in a). */
static int read_msg(struct arena *a, const PGresult *r, struct notify_msg *m)
{
	struct json_limits lim = {1 << 20, 32};
	cJSON *p = NULL;

	/* a failed arena_defer has deleted p already */
	if (json_parse(PQgetvalue(r, 0, L_PAYLOAD), (size_t)PQgetlength(r, 0, L_PAYLOAD), &lim, &p,
	               NULL) ||
	    arena_defer(a, json_delete, p) < 0)
		return -1;
	m->event = PQgetvalue(r, 0, L_EVENT);
	m->time = PQgetvalue(r, 0, L_CREATED);
	m->title = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "title"));
	m->message = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "message"));
	m->data = cJSON_GetObjectItemCaseSensitive(p, "data");
	return 0;
}

static enum notify_outcome record(struct db *db, struct arena *a, const char *ids,
                                  const char *status, const char *error, long http)
{
	char code[24];
	snprintf(code, sizeof(code), "%ld", http);
	const char *p[] = {ids, status, error, http ? code : NULL};
	return db_query(db, a, &q_record, p, NULL) ? NOTIFY_DB : NOTIFY_DONE;
}

/* Open the channel's secret into j (NULL when it has none); -1 with err
 * when it cannot be opened. */
static int open_secret(struct sending *j, struct arena *a, const PGresult *r)
{
	unsigned char key[32];
	bool keyed;

	j->secret = NULL;
	if (PQgetisnull(r, 0, L_SECRET))
		return 0;
	pthread_mutex_lock(&cfg_lock);
	keyed = have_key;
	memcpy(key, secret_key, sizeof(key));
	pthread_mutex_unlock(&cfg_lock);
	if (!keyed) {
		snprintf(j->err, j->errlen,
		         "auth.secret_key is not set: the secret cannot be opened");
		OPENSSL_cleanse(key, sizeof(key));
		return -1;
	}
	j->secret =
	    crypto_open_text(key, notify_secret_aad(a, j->channel), PQgetvalue(r, 0, L_SECRET));
	OPENSSL_cleanse(key, sizeof(key));
	if (!j->secret) {
		snprintf(j->err, j->errlen,
		         "the secret does not open (auth.secret_key changed?): enter it again");
		return -1;
	}
	return 0;
}

enum notify_outcome notify_deliver(struct db *db, struct arena *a, int64_t id, bool last, char *err,
                                   size_t errlen)
{
	char ids[24];
	PGresult *r;
	struct json_limits lim = {1 << 20, 32};
	cJSON *settings = NULL;
	struct sending j = {.err = err, .errlen = errlen};
	long status = 0;
	enum notify_send rc;
	enum notify_outcome out;

	err[0] = 0;
	snprintf(ids, sizeof(ids), "%lld", (long long)id);
	const char *p[] = {ids};
	if (db_query(db, a, &q_load, p, &r)) {
		snprintf(err, errlen, "database error");
		return NOTIFY_DB;
	}
	if (PQntuples(r) != 1 || strcmp(PQgetvalue(r, 0, L_STATUS), "pending"))
		return NOTIFY_DONE; /* gone with its channel, or finished by an earlier run */
	j.channel = PQgetvalue(r, 0, L_CHANNEL);
	j.kind = PQgetvalue(r, 0, L_KIND);
	if (PQgetvalue(r, 0, L_ENABLED)[0] != 't' && strcmp(PQgetvalue(r, 0, L_EVENT), "test")) {
		snprintf(err, errlen, "the channel was disabled before the delivery");
		return record(db, a, ids, "failed", err, 0) == NOTIFY_DB ? NOTIFY_DB : NOTIFY_DONE;
	}
	pthread_mutex_lock(&cfg_lock);
	j.timeout_ms = timeout_ms;
	j.ca_file = ca_file[0] ? arena_strdup(a, ca_file) : NULL;
	pthread_mutex_unlock(&cfg_lock);
	if (json_parse(PQgetvalue(r, 0, L_SETTINGS), (size_t)PQgetlength(r, 0, L_SETTINGS), &lim,
	               &settings, NULL) ||
	    read_msg(a, r, &j.msg)) {
		cJSON_Delete(settings);
		snprintf(err, errlen,
		         "the delivery's payload or the channel's settings do not read");
		return record(db, a, ids, "failed", err, 0) == NOTIFY_DB ? NOTIFY_DB
		                                                         : NOTIFY_FAILED;
	}
	j.settings = settings;
	if (open_secret(&j, a, r)) {
		cJSON_Delete(settings);
		return record(db, a, ids, "failed", err, 0) == NOTIFY_DB ? NOTIFY_DB
		                                                         : NOTIFY_FAILED;
	}
	snprintf(err, errlen, "unknown channel kind %s", j.kind);
	rc = NOTIFY_GIVE_UP;
	for (size_t i = 0; i < sizeof(senders) / sizeof(senders[0]); i++)
		if (!strcmp(j.kind, senders[i].kind)) {
			err[0] = 0;
			rc = senders[i].fn(&j, a, &status);
		}
	if (j.secret) {
		OPENSSL_cleanse(j.secret, strlen(j.secret));
		free(j.secret);
	}
	cJSON_Delete(settings);
	if (rc == NOTIFY_SENT) {
		log_info("notify.sent", "delivery %s (%s) to %s channel %s: %ld", ids, j.msg.event,
		         j.kind, j.channel, status);
		return record(db, a, ids, "sent", NULL, status);
	}
	bool final = rc == NOTIFY_GIVE_UP || last;
	log_warn("notify.failed", "delivery %s (%s) to %s channel %s: %s%s", ids, j.msg.event,
	         j.kind, j.channel, err, final ? " (given up)" : " (will retry)");
	out = record(db, a, ids, final ? "failed" : "pending", err, status);
	if (out == NOTIFY_DB)
		return NOTIFY_DB;
	return final ? NOTIFY_FAILED : NOTIFY_AGAIN;
}
