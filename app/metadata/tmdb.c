/*
 * tmdb: settings, input checks, the Redis response cache and the public
 * calls of the TMDb client. The transport (handles, rate limit, retries)
 * is in tmdb_http.c.
 */
#include "metadata/tmdb.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include <openssl/crypto.h>

#include "core/crypto.h"
#include "core/json.h"
#include "core/lang.h"
#include "core/log.h"
#include "core/text.h"
#include "metadata/tmdb_int.h"

#define MAX_PATH_LEN 256
#define MAX_QUERY_LEN 2048
#define MAX_TITLE_LEN 300
#define JSON_MAX_DEPTH 64

static pthread_mutex_t settings_mu = PTHREAD_MUTEX_INITIALIZER;
static struct tmdb_settings *current;
static unsigned long generation;

/* --- settings ----------------------------------------------------------- */

static void settings_free(struct tmdb_settings *s)
{
	if (!s)
		return;
	if (s->api_key_q) {
		OPENSSL_cleanse(s->api_key_q, strlen(s->api_key_q));
		free(s->api_key_q);
	}
	free(s->base_url);
	free(s->image_base_url);
	free(s->redis_url);
	free(s->redis_prefix);
	free(s->ring);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* Hold a reference to the current settings (NULL before any configure). */
static struct tmdb_settings *settings_get(void)
{
	struct tmdb_settings *s;

	pthread_mutex_lock(&settings_mu);
	s = current;
	if (s)
		s->refs++;
	pthread_mutex_unlock(&settings_mu);
	return s;
}

static void settings_put(struct tmdb_settings *s)
{
	int last;

	if (!s)
		return;
	pthread_mutex_lock(&settings_mu);
	last = --s->refs == 0;
	pthread_mutex_unlock(&settings_mu);
	if (last)
		settings_free(s);
}

static char *dup_url(const char *u)
{
	size_t n = u ? strlen(u) : 0;
	char *d;

	while (n && u[n - 1] == '/')
		n--;
	d = malloc(n + 1);
	if (d) {
		memcpy(d, u ? u : "", n);
		d[n] = '\0';
	}
	return d;
}

/* "en, de,xx-YY,fr" -> en de fr: ISO 639-1 codes (two lower-case letters),
 * duplicates and malformed entries skipped. An empty result means "en". */
static void parse_languages(struct tmdb_settings *s, const char *list)
{
	const char *p = list ? list : "";

	s->nlang = 0;
	while (*p) {
		const char *b, *e;
		size_t n;
		int dup = 0;

		while (*p == ' ' || *p == ',')
			p++;
		b = p;
		while (*p && *p != ',')
			p++;
		e = p;
		while (e > b && e[-1] == ' ')
			e--;
		n = (size_t)(e - b);
		if (!n)
			continue;
		if (n != 2 || b[0] < 'a' || b[0] > 'z' || b[1] < 'a' || b[1] > 'z') {
			log_warn("tmdb.config",
			         "metadata.languages: skipping \"%.*s\" (not an "
			         "ISO 639-1 code)",
			         (int)(n > 32 ? 32 : n), b);
			continue;
		}
		for (int i = 0; i < s->nlang; i++)
			dup |= !memcmp(s->lang[i], b, 2);
		if (dup)
			continue;
		if (s->nlang == TMDB_MAX_LANGS) {
			log_warn("tmdb.config",
			         "metadata.languages: more than %d, the rest ignored",
			         TMDB_MAX_LANGS);
			break;
		}
		memcpy(s->lang[s->nlang++], b, 2);
	}
	if (!s->nlang)
		memcpy(s->lang[s->nlang++], "en", 3);
	/* image_langs is sized for 16 x "xx," + "null" */
	char *w = s->image_langs;
	for (int i = 0; i < s->nlang; i++) {
		s->lang_ptr[i] = s->lang[i];
		memcpy(w, s->lang[i], 2);
		w[2] = ',';
		w += 3;
	}
	memcpy(w, "null", 5);
}

void tmdb_configure(const struct config *cfg)
{
	struct tmdb_settings *s = calloc(1, sizeof(*s)), *old;

	if (!s) {
		log_error("tmdb.config", "out of memory; TMDb settings unchanged");
		return;
	}
	pthread_mutex_init(&s->mu, NULL);
	s->refs = 1;
	s->base_url = dup_url(cfg->tmdb_base_url);
	s->image_base_url = dup_url(cfg->tmdb_image_base_url);
	s->redis_url = cfg->redis_url ? strdup(cfg->redis_url) : NULL;
	s->redis_prefix = strdup(cfg->redis_prefix ? cfg->redis_prefix : "");
	s->redis_timeout_ms = cfg->redis_timeout > 0 ? cfg->redis_timeout : 500;
	s->timeout_ms = cfg->tmdb_timeout > 0 ? cfg->tmdb_timeout : 30000;
	s->rate = cfg->tmdb_rate > 0 ? cfg->tmdb_rate : 1;
	s->window_ms = cfg->tmdb_rate_window > 0 ? cfg->tmdb_rate_window : 1000;
	s->max_retries = cfg->tmdb_max_retries >= 0 ? cfg->tmdb_max_retries : 0;
	s->details_ttl_ms = cfg->tmdb_details_ttl;
	s->search_ttl_ms = cfg->tmdb_search_ttl;
	s->ring = calloc((size_t)s->rate, sizeof(*s->ring));
	if (cfg->tmdb_api_key && *cfg->tmdb_api_key)
		s->api_key_q = curl_easy_escape(NULL, cfg->tmdb_api_key, 0);
	/* curl_easy_escape's result must go back through curl_free; copy it
	 * into malloc'd memory so settings_free has one rule */
	if (s->api_key_q) {
		char *k = strdup(s->api_key_q);
		OPENSSL_cleanse(s->api_key_q, strlen(s->api_key_q));
		curl_free(s->api_key_q);
		s->api_key_q = k;
	}
	parse_languages(s, cfg->metadata_languages);
	if (!s->base_url || !s->image_base_url || !s->redis_prefix || !s->ring ||
	    (cfg->redis_url && !s->redis_url) ||
	    (cfg->tmdb_api_key && *cfg->tmdb_api_key && !s->api_key_q)) {
		log_error("tmdb.config", "out of memory; TMDb settings unchanged");
		settings_free(s);
		return;
	}
	pthread_mutex_lock(&settings_mu);
	s->gen = ++generation;
	old = current;
	current = s;
	pthread_mutex_unlock(&settings_mu);
	settings_put(old);
}

bool tmdb_enabled(void)
{
	struct tmdb_settings *s = settings_get();
	bool on = s && s->api_key_q;

	settings_put(s);
	return on;
}

const char *const *tmdb_languages(int *n)
{
	static const char *const fallback[] = {"en"};
	const char *const *l;

	/* the array lives in the current settings, which stay until the next
	 * tmdb_configure, as the header promises */
	pthread_mutex_lock(&settings_mu);
	if (current) {
		*n = current->nlang;
		l = current->lang_ptr;
	} else {
		*n = 1;
		l = fallback;
	}
	pthread_mutex_unlock(&settings_mu);
	return l;
}

/* --- checks --------------------------------------------------------------- */

static bool path_ok(const char *p)
{
	size_t n = p ? strlen(p) : 0;

	if (n < 2 || n > MAX_PATH_LEN || p[0] != '/' || strstr(p, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '/' || c == '_' || c == '-' || c == '.'))
			return false;
	}
	return true;
}

/* An already-encoded query: visible ASCII without '#', and no api_key of
 * its own (the key is added here only). */
static bool query_ok(const char *q)
{
	size_t n = strlen(q);

	if (n > MAX_QUERY_LEN || !strncmp(q, "api_key=", 8) || strstr(q, "&api_key="))
		return false;
	for (size_t i = 0; i < n; i++)
		if (q[i] <= ' ' || q[i] > '~' || q[i] == '#')
			return false;
	return true;
}

static void fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void json_delete(void *p)
{
	cJSON_Delete(p);
}

/* --- the cache ------------------------------------------------------------ */

/* prefix + "tmdb:" + hex(sha256(path[?query])) into key. */
static void cache_name(const struct tmdb_settings *s, const char *ident, char *key, size_t cap)
{
	unsigned char h[32];
	char hex[65];

	crypto_sha256(ident, strlen(ident), h);
	hex_encode(h, sizeof(h), hex);
	snprintf(key, cap, "%stmdb:%s", s->redis_prefix, hex);
}

/* A cached body that parses to an object, or NULL (miss, Redis down, or a
 * stale entry that no longer parses). */
static cJSON *cache_lookup(struct cache *c, const char *key, const struct json_limits *lim)
{
	const char *argv[] = {"GET", key};
	redisReply *r = NULL;
	cJSON *j = NULL;

	if (!c || !cache_up(c) || cache_cmd(c, NULL, &r, 2, argv, NULL))
		return NULL;
	if (r->type == REDIS_REPLY_STRING &&
	    (json_parse(r->str, r->len, lim, &j, NULL) || !cJSON_IsObject(j))) {
		cJSON_Delete(j);
		j = NULL;
	}
	freeReplyObject(r);
	return j;
}

static void cache_store(struct cache *c, const char *key, const struct buf *body, int64_t ttl_ms)
{
	char ttl[24];
	const char *argv[] = {"SET", key, body->data, "PX", ttl};
	size_t lens[] = {3, strlen(key), body->len, 2, 0};

	if (!c || !cache_up(c))
		return;
	snprintf(ttl, sizeof(ttl), "%lld", (long long)ttl_ms);
	lens[4] = strlen(ttl);
	(void)cache_cmd(c, NULL, NULL, 5, argv, lens);
}

/* --- requests ------------------------------------------------------------- */

enum app_err tmdb_get(struct arena *a, const char *path, const char *query, int64_t ttl_ms,
                      cJSON **out, char *err, size_t errlen)
{
	const struct json_limits lim = {TMDB_MAX_BODY, JSON_MAX_DEPTH};
	struct tmdb_settings *s = NULL;
	struct buf ident, url, body;
	struct cache *c = NULL;
	char key[320];
	cJSON *j = NULL;
	enum app_err e;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	buf_init(&ident, MAX_PATH_LEN + MAX_QUERY_LEN + 2);
	buf_init(&url, 8192);
	buf_init(&body, TMDB_MAX_BODY);
	if (!path_ok(path) || (query && !query_ok(query))) {
		fail(err, errlen, "TMDb request refused: bad path or query");
		e = APP_ERR_VALIDATION;
		goto out;
	}
	s = settings_get();
	if (!s || !s->api_key_q) {
		fail(err, errlen, "TMDb is not configured (no API key)");
		e = APP_ERR_UNAVAILABLE;
		goto out;
	}
	buf_puts(&ident, path);
	if (query && *query)
		buf_printf(&ident, "?%s", query);
	if (ttl_ms > 0) {
		c = tmdb_http_cache(s);
		cache_name(s, ident.data, key, sizeof(key));
		if ((j = cache_lookup(c, key, &lim))) {
			log_debug("tmdb.cache", "hit %s", path);
			e = APP_OK;
			goto done;
		}
	}
	buf_printf(&url, "%s%s%capi_key=%s", s->base_url, ident.data, query && *query ? '&' : '?',
	           s->api_key_q);
	if (!buf_ok(&ident) || !buf_ok(&url)) {
		fail(err, errlen, "TMDb %s: request too long", path);
		e = APP_ERR_INTERNAL;
		goto out;
	}
	const struct tmdb_req r = {url.data, path, true, TMDB_MAX_BODY, "application/json"};
	if ((e = tmdb_http_fetch(s, &r, &body, err, errlen)))
		goto out;
	if (json_parse(body.data, body.len, &lim, &j, NULL) || !cJSON_IsObject(j)) {
		log_warn("tmdb.error", "GET %s: the answer is not a JSON object (%zu bytes)", path,
		         body.len);
		fail(err, errlen, "TMDb %s: the answer is not a JSON object", path);
		e = APP_ERR_UNPROCESSABLE;
		goto out;
	}
	if (ttl_ms > 0)
		cache_store(c, key, &body, ttl_ms);
done:
	if (arena_defer(a, json_delete, j) < 0) {
		j = NULL; /* already deleted by arena_defer */
		fail(err, errlen, "TMDb %s: out of memory", path);
		e = APP_ERR_NOMEM;
		goto out;
	}
	*out = j;
	j = NULL;
out:
	cJSON_Delete(j);
	OPENSSL_cleanse(url.data, url.len);
	buf_release(&url);
	buf_release(&ident);
	buf_release(&body);
	settings_put(s);
	return e;
}

/* Details and searches need the TTLs of the current settings. */
static int64_t ttl_of(bool details)
{
	struct tmdb_settings *s = settings_get();
	int64_t t = s ? (details ? s->details_ttl_ms : s->search_ttl_ms) : 0;

	settings_put(s);
	return t;
}

static enum app_err search(struct arena *a, const char *kind, const char *year_param,
                           const char *title, int year, cJSON **out, char *err, size_t errlen)
{
	char path[32], q[MAX_QUERY_LEN + 1], *t;
	size_t n = title ? strlen(title) : 0;
	enum app_err e;

	*out = NULL;
	if (!n || n > MAX_TITLE_LEN || !utf8_valid(title, n) || has_control(title, n) || year < 0 ||
	    (year && (year < 1800 || year > 2200))) {
		fail(err, errlen, "TMDb search: bad title or year");
		return APP_ERR_VALIDATION;
	}
	if (!(t = curl_easy_escape(NULL, title, (int)n))) {
		fail(err, errlen, "TMDb search: out of memory");
		return APP_ERR_NOMEM;
	}
	snprintf(path, sizeof(path), "/search/%s", kind);
	if (year)
		snprintf(q, sizeof(q), "query=%s&%s=%d&include_adult=false", t, year_param, year);
	else
		snprintf(q, sizeof(q), "query=%s&include_adult=false", t);
	curl_free(t);
	e = tmdb_get(a, path, q, ttl_of(false), out, err, errlen);
	return e;
}

enum app_err tmdb_search_movie(struct arena *a, const char *title, int year, cJSON **out, char *err,
                               size_t errlen)
{
	return search(a, "movie", "year", title, year, out, err, errlen);
}

enum app_err tmdb_search_tv(struct arena *a, const char *title, int first_air_year, cJSON **out,
                            char *err, size_t errlen)
{
	return search(a, "tv", "first_air_date_year", title, first_air_year, out, err, errlen);
}

static bool external_id_ok(const char *id, const char *source)
{
	size_t n = id ? strlen(id) : 0, i = 0;

	if (!strcmp(source, "imdb_id")) {
		/* tt0137523 (titles), nm... (people) */
		if (n < 3 || n > 14 || !(id[0] == 't' || id[0] == 'n') ||
		    !(id[1] == 't' || id[1] == 'm'))
			return false;
		i = 2;
	} else if (n < 1 || n > 12) {
		return false;
	}
	for (; i < n; i++)
		if (id[i] < '0' || id[i] > '9')
			return false;
	return true;
}

enum app_err tmdb_find(struct arena *a, const char *external_id, const char *source, cJSON **out,
                       char *err, size_t errlen)
{
	char path[48], q[48];

	*out = NULL;
	if (!source || (strcmp(source, "imdb_id") && strcmp(source, "tvdb_id")) ||
	    !external_id_ok(external_id, source)) {
		fail(err, errlen, "TMDb find: bad external id or source");
		return APP_ERR_VALIDATION;
	}
	snprintf(path, sizeof(path), "/find/%s", external_id);
	snprintf(q, sizeof(q), "external_source=%s", source);
	return tmdb_get(a, path, q, ttl_of(true), out, err, errlen);
}

static bool id_ok(int64_t id, char *err, size_t errlen)
{
	if (id > 0 && id <= 1000000000000LL)
		return true;
	fail(err, errlen, "TMDb: bad id");
	return false;
}

/* include_image_language for the current languages ("en,de,null"). */
static void image_langs(char *out, size_t cap)
{
	struct tmdb_settings *s = settings_get();

	snprintf(out, cap, "%s", s ? s->image_langs : "en,null");
	settings_put(s);
}

/* /<kind>/<id> with the members it appends and the image languages. */
static enum app_err details(struct arena *a, const char *kind, int64_t id, const char *append,
                            cJSON **out, char *err, size_t errlen)
{
	char path[48], q[256], il[TMDB_MAX_LANGS * 3 + 8];

	*out = NULL;
	if (!id_ok(id, err, errlen))
		return APP_ERR_VALIDATION;
	image_langs(il, sizeof(il));
	snprintf(path, sizeof(path), "/%s/%lld", kind, (long long)id);
	snprintf(q, sizeof(q), "append_to_response=%s&include_image_language=%s", append, il);
	return tmdb_get(a, path, q, ttl_of(true), out, err, errlen);
}

enum app_err tmdb_movie(struct arena *a, int64_t id, cJSON **out, char *err, size_t errlen)
{
	return details(a, "movie", id,
	               "credits,release_dates,translations,images,external_ids,alternative_titles", out,
	               err, errlen);
}

enum app_err tmdb_tv(struct arena *a, int64_t id, cJSON **out, char *err, size_t errlen)
{
	return details(a, "tv", id,
	               "aggregate_credits,content_ratings,translations,images,external_ids,"
	               "alternative_titles,episode_groups",
	               out, err, errlen);
}

/* /tv/<id>/season/<n> into path, or false (err set) for a bad id or number. */
static bool season_path(int64_t tv_id, int season, char *path, size_t cap, char *err,
                        size_t errlen)
{
	if (!id_ok(tv_id, err, errlen))
		return false;
	if (season < 0 || season > 10000) {
		fail(err, errlen, "TMDb: bad season number");
		return false;
	}
	snprintf(path, cap, "/tv/%lld/season/%d", (long long)tv_id, season);
	return true;
}

enum app_err tmdb_season(struct arena *a, int64_t tv_id, int season, cJSON **out, char *err,
                         size_t errlen)
{
	char path[64];

	*out = NULL;
	if (!season_path(tv_id, season, path, sizeof(path), err, errlen))
		return APP_ERR_VALIDATION;
	return tmdb_get(a, path, "append_to_response=translations", ttl_of(true), out, err, errlen);
}

enum app_err tmdb_season_language(struct arena *a, int64_t tv_id, int season, const char *lang,
                                  cJSON **out, char *err, size_t errlen)
{
	char path[64], q[16];

	*out = NULL;
	if (!season_path(tv_id, season, path, sizeof(path), err, errlen))
		return APP_ERR_VALIDATION;
	if (!lang_is_iso639_1(lang)) {
		fail(err, errlen, "TMDb: bad language");
		return APP_ERR_VALIDATION;
	}
	snprintf(q, sizeof(q), "language=%s", lang);
	return tmdb_get(a, path, q, ttl_of(true), out, err, errlen);
}

enum app_err tmdb_episode_group(struct arena *a, const char *group_id, cJSON **out, char *err,
                                size_t errlen)
{
	char path[64];
	size_t n = group_id ? strlen(group_id) : 0;

	*out = NULL;
	for (size_t i = 0; i < n; i++)
		if (!((group_id[i] >= '0' && group_id[i] <= '9') ||
		      (group_id[i] >= 'a' && group_id[i] <= 'f')))
			n = 0;
	if (n < 1 || n > 32) {
		fail(err, errlen, "TMDb: bad episode group id");
		return APP_ERR_VALIDATION;
	}
	snprintf(path, sizeof(path), "/tv/episode_group/%s", group_id);
	return tmdb_get(a, path, NULL, ttl_of(true), out, err, errlen);
}

/* --- images --------------------------------------------------------------- */

static bool image_size_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n < 1 || n > 16)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

/* ^/[A-Za-z0-9_-]{1,128}\.(jpg|png|webp|svg)$ */
static bool image_path_ok(const char *p)
{
	static const char *const ext[] = {"jpg", "png", "webp", "svg"};
	const char *dot;
	size_t n;

	if (!p || p[0] != '/' || !(dot = strrchr(p, '.')))
		return false;
	n = (size_t)(dot - p - 1);
	if (n < 1 || n > 128)
		return false;
	for (size_t i = 1; i <= n; i++) {
		char c = p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return false;
	}
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
		if (!strcmp(dot + 1, ext[i]))
			return true;
	return false;
}

static bool image_magic_ok(const unsigned char *p, size_t n)
{
	if (n >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
		return true;
	if (n >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8))
		return true;
	return n >= 12 && !memcmp(p, "RIFF", 4) && !memcmp(p + 8, "WEBP", 4);
}

enum app_err tmdb_image(const char *size, const char *path, struct buf *out, char *err,
                        size_t errlen)
{
	struct tmdb_settings *s = NULL;
	struct buf url;
	size_t start = out->len;
	enum app_err e;

	if (err && errlen)
		err[0] = '\0';
	buf_init(&url, 4096);
	if (!image_size_ok(size) || !image_path_ok(path)) {
		fail(err, errlen, "TMDb image: bad size or path");
		e = APP_ERR_VALIDATION;
		goto out;
	}
	s = settings_get();
	if (!s || !s->api_key_q) {
		fail(err, errlen, "TMDb is not configured (no API key)");
		e = APP_ERR_UNAVAILABLE;
		goto out;
	}
	buf_printf(&url, "%s/%s%s", s->image_base_url, size, path);
	if (!buf_ok(&url)) {
		fail(err, errlen, "TMDb image %s: URL too long", path);
		e = APP_ERR_INTERNAL;
		goto out;
	}
	const struct tmdb_req r = {url.data, path, false, TMDB_MAX_IMAGE, "image/*"};
	if ((e = tmdb_http_fetch(s, &r, out, err, errlen)))
		goto out;
	if (!image_magic_ok((const unsigned char *)out->data + start, out->len - start)) {
		buf_truncate(out, start);
		log_warn("tmdb.error", "image %s: not a JPEG, PNG or WebP", path);
		fail(err, errlen, "TMDb image %s: not a JPEG, PNG or WebP", path);
		e = APP_ERR_UNPROCESSABLE;
	}
out:
	buf_release(&url);
	settings_put(s);
	return e;
}
