/* oidc_client: discovery, key sets and the code exchange (see oidc_client.h). */
#include "auth/oidc_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/buf.h"
#include "core/json.h"
#include "version.h"

static const struct json_limits meta_json = {OIDC_MAX_RESPONSE, 16};

bool oidc_url_allowed(const char *url)
{
	static const char *const loopback[] = {"127.0.0.1", "[::1]", "localhost"};

	if (!url || strlen(url) > 500 || strpbrk(url, " \t\r\n\"<>\\^`{|}"))
		return false;
	if (!strncmp(url, "https://", 8))
		return url[8] && url[8] != '/';
	if (strncmp(url, "http://", 7))
		return false;
	for (size_t i = 0; i < sizeof(loopback) / sizeof(*loopback); i++) {
		size_t n = strlen(loopback[i]);
		if (!strncmp(url + 7, loopback[i], n) &&
		    (url[7 + n] == 0 || url[7 + n] == ':' || url[7 + n] == '/'))
			return true;
	}
	return false;
}

static size_t collect(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	buf_append(b, p, size * n);
	return buf_ok(b) ? size * n : 0;
}

/* GET url, or POST form to it with header (may be NULL); the status and a
 * JSON object answer. APP_ERR_UNAVAILABLE when there is no answer or it is
 * not a JSON object. */
static enum app_err fetch(const char *url, const char *form, const char *header, long *status,
                          cJSON **out, char *err, size_t errlen)
{
	struct curl_slist *h = NULL;
	struct buf b;
	CURLcode rc;
	CURL *curl;
	enum app_err e = APP_OK;

	*out = NULL;
	*status = 0;
	if (!(curl = curl_easy_init()))
		return APP_ERR_NOMEM;
	buf_init(&b, OIDC_MAX_RESPONSE);
	h = curl_slist_append(h, "Accept: application/json");
	if (header)
		h = curl_slist_append(h, header);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, OIDC_TIMEOUT_MS);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "Revenge/" REVENGE_VERSION);
	if (form)
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, form);
	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "the provider did not answer: %s", curl_easy_strerror(rc));
		e = APP_ERR_UNAVAILABLE;
	} else if (!buf_ok(&b) || json_parse(b.data ? b.data : "", b.len, &meta_json, out, NULL) ||
	           !cJSON_IsObject(*out)) {
		cJSON_Delete(*out);
		*out = NULL;
		snprintf(err, errlen, "the provider answered HTTP %ld without a JSON object",
		         *status);
		e = APP_ERR_UNAVAILABLE;
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(curl);
	buf_release(&b);
	return e;
}

/* --- the process cache ------------------------------------------------------------ */

#define CACHE_SLOTS 8

struct slot {
	char *issuer;
	cJSON *meta;
	time_t meta_at;
	cJSON *jwks;
	time_t jwks_at;
};
static struct slot cache[CACHE_SLOTS];

static void slot_clear(struct slot *s)
{
	free(s->issuer);
	cJSON_Delete(s->meta);
	cJSON_Delete(s->jwks);
	memset(s, 0, sizeof(*s));
}

void oidc_cache_clear(void)
{
	for (int i = 0; i < CACHE_SLOTS; i++)
		slot_clear(&cache[i]);
}

static struct slot *slot_for(const char *issuer)
{
	struct slot *pick = NULL;

	for (int i = 0; i < CACHE_SLOTS; i++)
		if (cache[i].issuer && !strcmp(cache[i].issuer, issuer))
			return &cache[i];
	/* a free slot, else the one fetched longest ago */
	for (int i = 0; i < CACHE_SLOTS; i++) {
		if (!cache[i].issuer) {
			pick = &cache[i];
			break;
		}
		if (!pick || cache[i].meta_at < pick->meta_at)
			pick = &cache[i];
	}
	slot_clear(pick);
	return pick;
}

static const char *str_member(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool has_string(const cJSON *arr, const char *s)
{
	const cJSON *v;
	cJSON_ArrayForEach(v, arr) if (cJSON_IsString(v) && !strcmp(v->valuestring, s)) return true;
	return false;
}

/* Fill m from a document; false when a member is missing or not allowed. */
static bool meta_read(const cJSON *doc, struct oidc_meta *m, char *err, size_t errlen)
{
	const cJSON *methods =
	    cJSON_GetObjectItemCaseSensitive(doc, "token_endpoint_auth_methods_supported");

	m->issuer = str_member(doc, "issuer");
	m->authorization_endpoint = str_member(doc, "authorization_endpoint");
	m->token_endpoint = str_member(doc, "token_endpoint");
	m->jwks_uri = str_member(doc, "jwks_uri");
	/* the default of the discovery specification is client_secret_basic */
	m->secret_post = cJSON_IsArray(methods) && !has_string(methods, "client_secret_basic") &&
	                 has_string(methods, "client_secret_post");
	if (!oidc_url_allowed(m->authorization_endpoint) || !oidc_url_allowed(m->token_endpoint) ||
	    !oidc_url_allowed(m->jwks_uri)) {
		snprintf(err, errlen,
		         "the provider's discovery document lacks an endpoint or names "
		         "one that is not https");
		return false;
	}
	return true;
}

enum app_err oidc_discover(const char *issuer, struct oidc_meta *m, char *err, size_t errlen)
{
	struct slot *s = slot_for(issuer);
	time_t now = time(NULL);
	cJSON *doc;
	long status;
	enum app_err e;

	memset(m, 0, sizeof(*m));
	if (s->issuer && s->meta && now - s->meta_at < OIDC_CACHE_TTL_S &&
	    meta_read(s->meta, m, err, errlen))
		return APP_OK;
	size_t n = strlen(issuer);
	while (n && issuer[n - 1] == '/')
		n--;
	char url[600];
	snprintf(url, sizeof(url), "%.*s/.well-known/openid-configuration", (int)n, issuer);
	if ((e = fetch(url, NULL, NULL, &status, &doc, err, errlen)))
		return e;
	const char *iss = str_member(doc, "issuer");
	if (status != 200) {
		snprintf(err, errlen, "the provider's discovery document answered HTTP %ld",
		         status);
		cJSON_Delete(doc);
		return APP_ERR_UNAVAILABLE;
	}
	/* OpenID Connect Discovery §4.3: a document for another issuer is
	 * an impersonation attempt (or a misconfiguration) */
	if (!iss || strcmp(iss, issuer)) {
		snprintf(err, errlen, "the discovery document names another issuer");
		cJSON_Delete(doc);
		return APP_ERR_UNAVAILABLE;
	}
	if (!meta_read(doc, m, err, errlen)) {
		cJSON_Delete(doc);
		return APP_ERR_UNAVAILABLE;
	}
	if (!s->issuer && !(s->issuer = strdup(issuer))) {
		cJSON_Delete(doc);
		return APP_ERR_NOMEM;
	}
	cJSON_Delete(s->meta);
	s->meta = doc;
	s->meta_at = now;
	/* a new document may name another key set */
	cJSON_Delete(s->jwks);
	s->jwks = NULL;
	return APP_OK;
}

enum app_err oidc_jwks(const struct oidc_meta *m, bool refresh, const cJSON **out, char *err,
                       size_t errlen)
{
	struct slot *s = slot_for(m->issuer);
	time_t now = time(NULL);
	cJSON *doc;
	long status;
	enum app_err e;

	*out = NULL;
	if (!refresh && s->jwks && now - s->jwks_at < OIDC_CACHE_TTL_S) {
		*out = s->jwks;
		return APP_OK;
	}
	if ((e = fetch(m->jwks_uri, NULL, NULL, &status, &doc, err, errlen)))
		return e;
	if (status != 200 || !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(doc, "keys"))) {
		snprintf(err, errlen, "the provider's key set answered HTTP %ld without keys",
		         status);
		cJSON_Delete(doc);
		return APP_ERR_UNAVAILABLE;
	}
	cJSON_Delete(s->jwks);
	s->jwks = doc;
	s->jwks_at = now;
	*out = doc;
	return APP_OK;
}

/* "name=value" url-encoded onto b, with & before all but the first. */
static void form_add(struct buf *b, CURL *curl, const char *name, const char *value)
{
	char *v = curl_easy_escape(curl, value, 0);
	buf_printf(b, "%s%s=%s", b->len ? "&" : "", name, v ? v : "");
	curl_free(v);
}

enum app_err oidc_exchange_code(const struct oidc_meta *m, const char *client_id,
                                const char *secret, const char *code, const char *redirect_uri,
                                const char *verifier, cJSON **out, char *err, size_t errlen)
{
	CURL *esc = curl_easy_init();
	struct buf form, cred, hdr;
	long status;
	enum app_err e;

	*out = NULL;
	if (!esc)
		return APP_ERR_NOMEM;
	buf_init(&form, 16 * 1024);
	buf_init(&cred, 4096);
	buf_init(&hdr, 8192);
	form_add(&form, esc, "grant_type", "authorization_code");
	form_add(&form, esc, "code", code);
	form_add(&form, esc, "redirect_uri", redirect_uri);
	form_add(&form, esc, "code_verifier", verifier);
	if (!secret || m->secret_post)
		form_add(&form, esc, "client_id", client_id);
	if (secret && m->secret_post)
		form_add(&form, esc, "client_secret", secret);
	if (secret && !m->secret_post) {
		/* RFC 6749 §2.3.1: both form-encoded, then Basic */
		char *u = curl_easy_escape(esc, client_id, 0),
		     *p = curl_easy_escape(esc, secret, 0);
		buf_printf(&cred, "%s:%s", u ? u : "", p ? p : "");
		curl_free(u);
		if (p) {
			OPENSSL_cleanse(p, strlen(p));
			curl_free(p);
		}
		unsigned char *b64 = malloc(4 * (cred.len / 3 + 1) + 1);
		if (b64 && buf_ok(&cred)) {
			EVP_EncodeBlock(b64, (const unsigned char *)cred.data, (int)cred.len);
			buf_printf(&hdr, "Authorization: Basic %s", (char *)b64);
			OPENSSL_cleanse(b64, strlen((char *)b64));
		}
		free(b64);
	}
	if (!buf_ok(&form) || !buf_ok(&cred) || !buf_ok(&hdr)) {
		e = APP_ERR_NOMEM;
		goto out;
	}
	e = fetch(m->token_endpoint, form.data, hdr.len ? hdr.data : NULL, &status, out, err,
	          errlen);
	if (!e && status != 200) {
		const char *oe = str_member(*out, "error");
		snprintf(err, errlen, "the provider refused the code (HTTP %ld, %.60s)", status,
		         oe ? oe : "no error code");
		cJSON_Delete(*out);
		*out = NULL;
		e = status >= 400 && status < 500 ? APP_ERR_UNAUTHORIZED : APP_ERR_UNAVAILABLE;
	} else if (e == APP_ERR_UNAVAILABLE && status >= 400 && status < 500) {
		snprintf(err, errlen, "the provider refused the code (HTTP %ld)", status);
		e = APP_ERR_UNAUTHORIZED;
	}
out:
	if (form.data)
		OPENSSL_cleanse(form.data, form.len);
	if (cred.data)
		OPENSSL_cleanse(cred.data, cred.len);
	if (hdr.data)
		OPENSSL_cleanse(hdr.data, hdr.len);
	buf_release(&form);
	buf_release(&cred);
	buf_release(&hdr);
	curl_easy_cleanup(esc);
	return e;
}
