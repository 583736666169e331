/* send: HTTP and SMTP through libcurl for notifications (see send.h). */
#include "notify/send.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <curl/curl.h>

#include "version.h"

#define CONNECT_TIMEOUT_MAX_MS 10000
#define ANSWER_KEPT 512 /* bytes of an HTTP answer kept for the error */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_ok;

static void curl_init_once(void)
{
	/* not thread-safe everywhere: once, here (libcurl counts the calls,
	 * so the TMDb client's own is harmless) */
	curl_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

static CURL *handle(char *err, size_t errlen)
{
	CURL *h;

	pthread_once(&curl_once, curl_init_once);
	if (!curl_ok || !(h = curl_easy_init())) {
		snprintf(err, errlen, "cannot create a libcurl handle");
		return NULL;
	}
	return h;
}

static void common_options(CURL *h, long timeout_ms, const char *ca_file)
{
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
	                 timeout_ms < CONNECT_TIMEOUT_MAX_MS ? timeout_ms
	                                                     : (long)CONNECT_TIMEOUT_MAX_MS);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	if (ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, ca_file);
}

/* Errors a later attempt cannot cure: the address or the peer's
 * certificate is wrong until someone changes the settings. */
static bool permanent(CURLcode rc)
{
	return rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL ||
	       rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_LOGIN_DENIED ||
	       rc == CURLE_USE_SSL_FAILED || rc == CURLE_SSL_CACERT_BADFILE;
}

/* --- HTTP ---------------------------------------------------------------------- */

struct answer {
	char text[ANSWER_KEPT + 1];
	size_t len;
};

static size_t on_answer(char *p, size_t size, size_t n, void *arg)
{
	struct answer *a = arg;
	size_t len = size * n, room = ANSWER_KEPT - a->len;

	/* the rest is read and dropped: only the start explains a refusal */
	memcpy(a->text + a->len, p, len < room ? len : room);
	a->len += len < room ? len : room;
	return len;
}

enum notify_send notify_http_send(const struct notify_http *r, long *status, char *err,
                                  size_t errlen)
{
	struct curl_slist *hdr = NULL, *next;
	struct answer ans = {{0}, 0};
	enum notify_send out;
	CURLcode rc;
	CURL *h;

	*status = 0;
	if (!(h = handle(err, errlen)))
		return NOTIFY_RETRY;
	/* no "Expect: 100-continue" round trip for a large body */
	static const char *const fixed[] = {"Expect:", NULL};
	for (int pass = 0; pass < 2; pass++)
		for (const char *const *l = pass ? r->headers : fixed; l && *l; l++) {
			if (!(next = curl_slist_append(hdr, *l))) {
				curl_slist_free_all(hdr);
				curl_easy_cleanup(h);
				snprintf(err, errlen, "out of memory");
				return NOTIFY_RETRY;
			}
			hdr = next;
		}
	common_options(h, r->timeout_ms, r->ca_file);
	curl_easy_setopt(h, CURLOPT_URL, r->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_USERAGENT, "Revenge/" REVENGE_VERSION);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
	if (strcmp(r->method, "POST"))
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_answer);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &ans);
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(h);
	curl_slist_free_all(hdr);

	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%s", curl_easy_strerror(rc));
		return permanent(rc) ? NOTIFY_GIVE_UP : NOTIFY_RETRY;
	}
	if (*status >= 200 && *status < 300)
		return NOTIFY_SENT;
	for (size_t i = 0; i < ans.len; i++)
		if ((unsigned char)ans.text[i] < 0x20 || ans.text[i] == 0x7f)
			ans.text[i] = ' ';
	ans.text[ans.len] = 0;
	snprintf(err, errlen, "HTTP %ld%s%s", *status, ans.len ? ": " : "", ans.text);
	out = *status >= 500 || *status == 408 || *status == 429 ? NOTIFY_RETRY : NOTIFY_GIVE_UP;
	return out;
}

/* --- SMTP ------------------------------------------------------------------------- */

struct upload {
	const char *p;
	size_t left;
};

static size_t on_read(char *dst, size_t size, size_t n, void *arg)
{
	struct upload *u = arg;
	size_t len = size * n < u->left ? size * n : u->left;

	memcpy(dst, u->p, len);
	u->p += len;
	u->left -= len;
	return len;
}

enum notify_send notify_smtp_send(const struct notify_smtp *s, long *status, char *err,
                                  size_t errlen)
{
	struct curl_slist *rcpt = NULL, *next;
	struct upload up = {s->message, s->message_len};
	char url[600], from[300], to[300];
	CURLcode rc;
	CURL *h;

	*status = 0;
	if (snprintf(url, sizeof(url), "%s://%s:%d",
	             s->tls == NOTIFY_TLS_IMPLICIT ? "smtps" : "smtp", s->host,
	             s->port) >= (int)sizeof(url)) {
		snprintf(err, errlen, "the SMTP host is too long");
		return NOTIFY_GIVE_UP;
	}
	if (!(h = handle(err, errlen)))
		return NOTIFY_RETRY;
	for (int i = 0; i < s->n; i++) {
		snprintf(to, sizeof(to), "<%s>", s->to[i]);
		if (!(next = curl_slist_append(rcpt, to))) {
			curl_slist_free_all(rcpt);
			curl_easy_cleanup(h);
			snprintf(err, errlen, "out of memory");
			return NOTIFY_RETRY;
		}
		rcpt = next;
	}
	snprintf(from, sizeof(from), "<%s>", s->from);
	common_options(h, s->timeout_ms, s->ca_file);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(h, CURLOPT_USE_SSL,
	                 s->tls == NOTIFY_TLS_STARTTLS            ? (long)CURLUSESSL_ALL
	                 : s->tls == NOTIFY_TLS_STARTTLS_OPTIONAL ? (long)CURLUSESSL_TRY
	                 : s->tls == NOTIFY_TLS_IMPLICIT          ? (long)CURLUSESSL_ALL
	                                                          : (long)CURLUSESSL_NONE);
	if (s->username) {
		curl_easy_setopt(h, CURLOPT_USERNAME, s->username);
		curl_easy_setopt(h, CURLOPT_PASSWORD, s->password ? s->password : "");
	}
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(h, CURLOPT_READDATA, &up);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)s->message_len);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	/* the handle keeps the password until it is freed: now */
	curl_easy_cleanup(h);
	curl_slist_free_all(rcpt);

	if (rc == CURLE_OK)
		return NOTIFY_SENT;
	if (*status)
		snprintf(err, errlen, "%s (SMTP %ld)", curl_easy_strerror(rc), *status);
	else
		snprintf(err, errlen, "%s", curl_easy_strerror(rc));
	/* SMTP's own scale: 4xx is "try again later", 5xx is "no" */
	if (permanent(rc) || (*status >= 500 && *status < 600))
		return NOTIFY_GIVE_UP;
	return NOTIFY_RETRY;
}
