/*
 * s3: S3-compatible requests for the storage backend. See s3.h.
 */
#include "storage/s3.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "core/buf.h"
#include "storage/sigv4.h"
#include "version.h"

#define ERROR_BODY_MAX (16 * 1024)

static _Thread_local char last_error[256];

const char *s3_last_error(void)
{
	return last_error;
}

/* --- one request --------------------------------------------------------- */

struct upload {
	const char *p;
	size_t left;
};

static size_t read_cb(char *dst, size_t size, size_t nmemb, void *ud)
{
	struct upload *u = ud;
	size_t n = size * nmemb < u->left ? size * nmemb : u->left;

	memcpy(dst, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

/* an error document is kept (capped) for its <Code>; anything else dropped */
static size_t write_cb(char *p, size_t size, size_t nmemb, void *ud)
{
	buf_append(ud, p, size * nmemb); /* past the cap the rest is dropped */
	return size * nmemb;
}

/* "host[:port]" of the endpoint ("http://h:9000" → "h:9000"). */
static const char *endpoint_host(const char *endpoint, const char **scheme_end)
{
	const char *h = strstr(endpoint, "://");

	*scheme_end = h ? h : endpoint;
	return h ? h + 3 : endpoint;
}

/*
 * Send method for key; *status is the HTTP status (0 when none came).
 * body/len/content_type only for PUT. 0 when an answer came, -1 otherwise
 * (last_error says why).
 */
static int request(const struct s3_target *t, const char *method, const char *key, const void *body,
                   size_t len, const char *content_type, long *status)
{
	const char *scheme_end, *host = endpoint_host(t->endpoint, &scheme_end);
	char date[17], hash[65], hosthdr[640], path[1024], url[2048], line[768];
	struct sigv4_header h[4];
	size_t nh = 0;
	struct buf auth, errbody;
	struct curl_slist *hl = NULL;
	struct upload up = {body, len};
	struct tm tm;
	time_t now = time(NULL);
	CURL *curl;
	CURLcode rc;
	int ret = -1;

	*status = 0;
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y%m%dT%H%M%SZ", &tm);
	sigv4_payload_hash(body, body ? len : 0, hash);
	if (t->path_style) {
		snprintf(hosthdr, sizeof(hosthdr), "%s", host);
		snprintf(path, sizeof(path), "/%s/%s", t->bucket, key);
	} else {
		snprintf(hosthdr, sizeof(hosthdr), "%s.%s", t->bucket, host);
		snprintf(path, sizeof(path), "/%s", key);
	}
	snprintf(url, sizeof(url), "%.*s://%s%s", (int)(scheme_end - t->endpoint), t->endpoint,
	         hosthdr, path);
	h[nh++] = (struct sigv4_header){"host", hosthdr};
	if (content_type)
		h[nh++] = (struct sigv4_header){"content-type", content_type};
	h[nh++] = (struct sigv4_header){"x-amz-content-sha256", hash};
	h[nh++] = (struct sigv4_header){"x-amz-date", date};
	/* keys are [A-Za-z0-9_.-/] (storage_key_valid): nothing to escape, and
	 * S3 signs the path as given, so no normalisation */
	struct sigv4_request r = {method, path, NULL, h, nh, hash, false};
	struct sigv4_key k = {t->access_key, t->secret_key, t->region, "s3", date};

	buf_init(&auth, 1024);
	buf_init(&errbody, ERROR_BODY_MAX);
	buf_puts(&auth, "Authorization: ");
	if (sigv4_authorization(&k, &r, &auth)) {
		snprintf(last_error, sizeof(last_error), "%s %s: cannot sign the request", method,
		         key);
		goto out;
	}
	if (!(curl = curl_easy_init())) {
		snprintf(last_error, sizeof(last_error), "%s %s: out of memory", method, key);
		goto out;
	}
	hl = curl_slist_append(hl, auth.data);
	for (size_t i = 1; i < nh; i++) { /* curl writes Host from the URL */
		snprintf(line, sizeof(line), "%s: %s", h[i].name, h[i].value);
		hl = curl_slist_append(hl, line);
	}
	hl = curl_slist_append(hl, "Expect:"); /* no 100-continue round trip */
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &errbody);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, t->timeout_ms);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
	                 t->timeout_ms < 5000 ? t->timeout_ms : 5000L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "Revenge/" REVENGE_VERSION);
	if (!strcmp(method, "PUT")) {
		curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_cb);
		curl_easy_setopt(curl, CURLOPT_READDATA, &up);
		curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	} else if (!strcmp(method, "HEAD")) {
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	} else {
		curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	}
	rc = curl_easy_perform(curl);
	if (rc != CURLE_OK) {
		snprintf(last_error, sizeof(last_error), "%s %s: %s", method, key,
		         curl_easy_strerror(rc));
	} else {
		char code[64];

		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
		s3_error_code(errbody.data, errbody.len, code, sizeof(code));
		snprintf(last_error, sizeof(last_error), "%s %s: HTTP %ld%s%s", method, key,
		         *status, code[0] ? " " : "", code);
		ret = 0;
	}
	curl_slist_free_all(hl);
	curl_easy_cleanup(curl);
out:
	OPENSSL_cleanse(auth.data, auth.len);
	buf_release(&auth);
	buf_release(&errbody);
	return ret;
}

enum app_err s3_put(const struct s3_target *t, const char *key, const void *data, size_t len,
                    const char *content_type)
{
	long st;

	if (request(t, "PUT", key, data ? data : "", len, content_type, &st) || st < 200 ||
	    st > 299)
		return APP_ERR_UNAVAILABLE;
	last_error[0] = '\0';
	return APP_OK;
}

int s3_head(const struct s3_target *t, const char *key)
{
	long st;

	if (request(t, "HEAD", key, NULL, 0, NULL, &st))
		return -1;
	if (st >= 200 && st <= 299)
		return 1;
	return st == 404 ? 0 : -1;
}

enum app_err s3_delete(const struct s3_target *t, const char *key)
{
	long st;

	/* S3 answers 204 whether or not the object was there; some servers 404 */
	if (request(t, "DELETE", key, NULL, 0, NULL, &st) ||
	    !((st >= 200 && st <= 299) || st == 404))
		return APP_ERR_UNAVAILABLE;
	last_error[0] = '\0';
	return APP_OK;
}
