/* send: the work of a mail.send job (see send.h). */
#include "mail/send.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>

#include "core/crypto.h"
#include "core/log.h"
#include "mail/flows.h"
#include "mail/message.h"
#include "notify/send.h"
#include "notify/template.h"

#define MAIL_MAX (256 * 1024)

/* What the job needs of the configuration, copied under the lock. */
static pthread_mutex_t cfg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	bool enabled;
	unsigned char key[32];
	char host[256], username[256], password[256], from[256], from_name[256];
	char link[1024], ca_file[1024];
	int port;
	enum notify_tls tls;
	long timeout_ms;
} conf;

static void copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

void mail_configure(const struct config *cfg)
{
	pthread_mutex_lock(&cfg_lock);
	OPENSSL_cleanse(&conf, sizeof(conf));
	conf.enabled = mail_enabled(cfg) && !crypto_key_parse(cfg->auth_secret_key, conf.key);
	copy(conf.host, sizeof(conf.host), cfg->mail_smtp_host);
	copy(conf.username, sizeof(conf.username), cfg->mail_username);
	copy(conf.password, sizeof(conf.password), cfg->mail_password);
	copy(conf.from, sizeof(conf.from), cfg->mail_from);
	copy(conf.from_name, sizeof(conf.from_name), cfg->mail_from_name);
	copy(conf.ca_file, sizeof(conf.ca_file), cfg->notifications_ca_file);
	if (cfg->mail_link_url && *cfg->mail_link_url)
		copy(conf.link, sizeof(conf.link), cfg->mail_link_url);
	else if (cfg->http_public_url && *cfg->http_public_url)
		copy(conf.link, sizeof(conf.link), cfg->http_public_url);
	else
		snprintf(conf.link, sizeof(conf.link), "https://%s",
		         cfg->http_server_name ? cfg->http_server_name : "localhost");
	size_t n = strlen(conf.link);
	while (n && conf.link[n - 1] == '/')
		conf.link[--n] = 0;
	conf.port = (int)cfg->mail_smtp_port;
	conf.tls = (enum notify_tls)cfg->mail_security; /* the same order */
	conf.timeout_ms = (long)cfg->mail_timeout;
	pthread_mutex_unlock(&cfg_lock);
}

/* clang-format off */
static const struct db_stmt q_load = {
    "mail_send_load",
    "SELECT t.purpose, t.email, t.used_at IS NULL AND t.revoked_at IS NULL"
    " AND t.expires_at > now(), lower(t.email) = lower(u.email),"
    " coalesce(u.display_name, u.username), coalesce(p.display_language, 'en')"
    " FROM email_tokens t JOIN users u ON u.id = t.user_id AND u.deleted_at IS NULL"
    " LEFT JOIN user_preferences p ON p.user_id = u.id WHERE t.id = $1::uuid",
    1, true};
/* clang-format on */

static const char *const pages[MAIL_KINDS] = {"reset-password", "verify-email"};

/* Render and send; the token is in the link only, and the link and the
 * message are wiped before they are freed. */
static enum mail_outcome deliver(struct arena *a, enum mail_kind k, const char *to,
                                 const char *name, const char *lang, const char *token, char *err,
                                 size_t errlen)
{
	char date[64], id[37], boundary[40], rnd[16], hex[33], *link;
	struct tm tm;
	time_t now = time(NULL);
	struct buf text;
	long status = 0;
	enum notify_send rc;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	if (uuid_v4(id) || crypto_random(rnd, sizeof(rnd))) {
		snprintf(err, errlen, "no randomness for the message");
		return MAIL_AGAIN;
	}
	hex_encode(rnd, sizeof(rnd), hex);
	snprintf(boundary, sizeof(boundary), "=_rv%s", hex);
	pthread_mutex_lock(&cfg_lock);
	/* the page is a route of the web client's hash router; the fragment is
	 * never sent to a server, so the token stays out of access logs and
	 * Referer headers on the way to the page */
	link = arena_printf(a, "%s/#/%s?token=%s", conf.link, pages[k], token);
	struct mail_msg m = {
	    .kind = k,
	    .lang = lang,
	    .name = name,
	    .link = link,
	    .from = arena_strdup(a, conf.from),
	    .from_name = arena_strdup(a, conf.from_name),
	    .to = to,
	    .date = date,
	    .message_id = arena_printf(
	        a, "%s@%s", id, strchr(conf.from, '@') ? strchr(conf.from, '@') + 1 : "localhost"),
	    .boundary = boundary};
	struct notify_smtp s = {
	    .host = arena_strdup(a, conf.host),
	    .port = conf.port,
	    .tls = conf.tls,
	    .username = conf.username[0] ? arena_strdup(a, conf.username) : NULL,
	    .password = conf.username[0] ? arena_strdup(a, conf.password) : NULL,
	    .from = m.from,
	    .to = (const char *const[]){to},
	    .n = 1,
	    .timeout_ms = conf.timeout_ms,
	    .ca_file = conf.ca_file[0] ? arena_strdup(a, conf.ca_file) : NULL};
	pthread_mutex_unlock(&cfg_lock);
	if (!link || !m.from || !m.message_id || !s.host) {
		snprintf(err, errlen, "out of memory");
		return MAIL_AGAIN;
	}
	buf_init(&text, MAIL_MAX);
	if (mail_render(&m, &text)) {
		OPENSSL_cleanse(link, strlen(link));
		OPENSSL_cleanse(text.data, text.len);
		buf_release(&text);
		snprintf(err, errlen, "the mail does not render (mail.from %s or the address %s)",
		         notify_email_ok(m.from) ? "is fine" : "is not an address",
		         notify_email_ok(to) ? "is fine" : "is not one SMTP takes");
		return MAIL_FAILED;
	}
	s.message = text.data;
	s.message_len = text.len;
	rc = notify_smtp_send(&s, &status, err, errlen);
	OPENSSL_cleanse(link, strlen(link));
	OPENSSL_cleanse(text.data, text.len);
	buf_release(&text);
	if (s.password)
		OPENSSL_cleanse((char *)(uintptr_t)s.password, strlen(s.password));
	return rc == NOTIFY_SENT ? MAIL_SENT : rc == NOTIFY_RETRY ? MAIL_AGAIN : MAIL_FAILED;
}

enum mail_outcome mail_send(struct db *db, struct arena *a, const char *token_id,
                            const char *sealed, char *err, size_t errlen)
{
	const char *p[] = {token_id};
	unsigned char key[32];
	bool enabled;
	char *token;
	PGresult *r;
	enum mail_outcome out;

	err[0] = 0;
	if (db_query(db, a, &q_load, p, &r)) {
		snprintf(err, errlen, "database error");
		return MAIL_AGAIN;
	}
	int k = PQntuples(r) == 1 ? mail_kind_parse(PQgetvalue(r, 0, 0)) : -1;
	if (k < 0 || PQgetvalue(r, 0, 2)[0] != 't') {
		log_info("mail.skipped",
		         "token %s is gone, used, revoked or expired: nothing to send", token_id);
		return MAIL_SENT;
	}
	if (k == MAIL_VERIFY_EMAIL && PQgetvalue(r, 0, 3)[0] != 't') {
		log_info("mail.skipped", "token %s: the account's address changed; not sent",
		         token_id);
		return MAIL_SENT;
	}
	pthread_mutex_lock(&cfg_lock);
	enabled = conf.enabled;
	memcpy(key, conf.key, sizeof(key));
	pthread_mutex_unlock(&cfg_lock);
	if (!enabled) {
		OPENSSL_cleanse(key, sizeof(key));
		snprintf(err, errlen,
		         "mail is not configured on this worker (mail.smtp_host, mail.from and "
		         "auth.secret_key are needed)");
		log_error("mail.not_configured", "%s", err);
		return MAIL_FAILED;
	}
	token = crypto_open_text(key, mail_token_aad(a, token_id), sealed);
	OPENSSL_cleanse(key, sizeof(key));
	if (!token || strlen(token) != MAIL_TOKEN_LEN) {
		if (token) {
			OPENSSL_cleanse(token, strlen(token));
			free(token);
		}
		snprintf(err, errlen, "the sealed token does not open (auth.secret_key changed?)");
		return MAIL_FAILED;
	}
	out = deliver(a, (enum mail_kind)k, PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 4),
	              mail_language(PQgetvalue(r, 0, 5)), token, err, errlen);
	OPENSSL_cleanse(token, strlen(token));
	free(token);
	if (out == MAIL_SENT)
		log_info("mail.sent", "%s mail for token %s sent",
		         mail_kind_name((enum mail_kind)k), token_id);
	return out;
}
