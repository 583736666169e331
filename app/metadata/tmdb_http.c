/*
 * tmdb_http: the transport under the TMDb client — one libcurl easy handle
 * and one Redis connection per thread, the rate limit shared through Redis
 * (with a per-process fallback), and the retry loop.
 */
#include "metadata/tmdb_int.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>

#include "core/log.h"
#include "core/text.h"
#include "metadata/tmdb.h"
#include "version.h"

#define BACKOFF_BASE_MS 500
#define BACKOFF_MAX_MS 30000
#define RETRY_AFTER_MAX_S 60
#define RATE_WAIT_MAX_MS 30000
#define CONNECT_TIMEOUT_MAX_MS 10000

static atomic_ulong requests_sent, requests_failed;

/* --- per-thread state ------------------------------------------------- */

struct tmdb_thread {
	CURL *curl;
	struct cache *cache;
	unsigned long cache_gen;
};

static pthread_key_t thread_key;
static pthread_once_t thread_once = PTHREAD_ONCE_INIT;
static int thread_key_ok;

static void thread_state_free(void *p)
{
	struct tmdb_thread *t = p;

	if (!t)
		return;
	if (t->curl)
		curl_easy_cleanup(t->curl);
	cache_free(t->cache);
	free(t);
}

static void thread_init_once(void)
{
	/* curl_global_init is not thread-safe everywhere: once, here */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return;
	thread_key_ok = pthread_key_create(&thread_key, thread_state_free) == 0;
}

static struct tmdb_thread *thread_state(void)
{
	struct tmdb_thread *t;

	pthread_once(&thread_once, thread_init_once);
	if (!thread_key_ok)
		return NULL;
	t = pthread_getspecific(thread_key);
	if (t)
		return t;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	if (pthread_setspecific(thread_key, t) != 0) {
		free(t);
		return NULL;
	}
	return t;
}

void tmdb_thread_release(void)
{
	struct tmdb_thread *t;

	pthread_once(&thread_once, thread_init_once);
	if (!thread_key_ok || !(t = pthread_getspecific(thread_key)))
		return;
	pthread_setspecific(thread_key, NULL);
	thread_state_free(t);
}

struct cache *tmdb_http_cache(struct tmdb_settings *s)
{
	struct tmdb_thread *t = thread_state();

	if (!t)
		return NULL;
	if (t->cache && t->cache_gen != s->gen) {
		cache_free(t->cache);
		t->cache = NULL;
	}
	if (!t->cache && s->redis_url) {
		t->cache = cache_new(s->redis_url, (int)s->redis_timeout_ms, s->redis_prefix);
		t->cache_gen = s->gen;
	}
	return t->cache;
}

unsigned long tmdb_requests_sent(void)
{
	return atomic_load(&requests_sent);
}

unsigned long tmdb_requests_failed(void)
{
	return atomic_load(&requests_failed);
}

static void sleep_for_ms(int64_t ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

	while (ms > 0 && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* --- rate limit --------------------------------------------------------- */

/*
 * A sliding-window log, so that no window of window_ms ever holds more than
 * rate requests (a token bucket would let a full burst follow a drained
 * one). KEYS[1] sorted set of send times (ms, Redis clock, so every worker
 * agrees); ARGV[1] rate, ARGV[2] window ms, ARGV[3] a unique member.
 * Returns 0 (taken) or the ms to wait before asking again.
 */
static const char window_lua[] =
    "local t = redis.call('TIME')\n"
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
    "local rate, win = tonumber(ARGV[1]), tonumber(ARGV[2])\n"
    "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - win)\n"
    "if redis.call('ZCARD', KEYS[1]) < rate then\n"
    "  redis.call('ZADD', KEYS[1], now, ARGV[3])\n"
    "  redis.call('PEXPIRE', KEYS[1], win + 1000)\n"
    "  return 0\n"
    "end\n"
    "local o = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')\n"
    "local w = tonumber(o[2]) + win - now + 1\n"
    "if w < 1 then w = 1 end\n"
    "return w\n";

/* 0 taken, > 0 ms to wait, -1 Redis unavailable. */
static int64_t rate_take_redis(struct tmdb_settings *s)
{
	static atomic_ulong seq;
	struct cache *c = tmdb_http_cache(s);
	char rate[24], win[24], member[64], key[256];
	redisReply *r = NULL;
	int64_t wait = -1;

	if (!c || !cache_up(c))
		return -1;
	snprintf(rate, sizeof(rate), "%lld", (long long)s->rate);
	snprintf(win, sizeof(win), "%lld", (long long)s->window_ms);
	snprintf(member, sizeof(member), "%ld:%lu:%lld", (long)getpid(), atomic_fetch_add(&seq, 1),
	         (long long)now_real_us());
	if (snprintf(key, sizeof(key), "%stmdb:rate", s->redis_prefix) >= (int)sizeof(key))
		return -1;
	const char *argv[] = {"EVAL", window_lua, "1", key, rate, win, member};
	if (cache_cmd(c, NULL, &r, 7, argv, NULL))
		return -1;
	if (r->type == REDIS_REPLY_INTEGER && r->integer >= 0)
		wait = r->integer;
	freeReplyObject(r);
	return wait;
}

/* The same window in this process only: with Redis down each process keeps
 * to the budget by itself, so several workers together may pass it for as
 * long as the outage lasts. */
static int64_t rate_take_local(struct tmdb_settings *s)
{
	int64_t now = now_mono_us(), win = s->window_ms * 1000, wait = 0;

	pthread_mutex_lock(&s->mu);
	if (s->ring_count < s->rate) {
		s->ring[(s->ring_head + s->ring_count) % s->rate] = now;
		s->ring_count++;
	} else if (now - s->ring[s->ring_head] >= win) {
		s->ring[s->ring_head] = now;
		s->ring_head = (s->ring_head + 1) % s->rate;
	} else {
		wait = (s->ring[s->ring_head] + win - now) / 1000 + 1;
	}
	pthread_mutex_unlock(&s->mu);
	return wait;
}

static enum app_err rate_wait(struct tmdb_settings *s, const char *log_path, char *err,
                              size_t errlen)
{
	int64_t deadline = now_mono_us() + (int64_t)RATE_WAIT_MAX_MS * 1000;

	for (;;) {
		int64_t wait = rate_take_redis(s), left;

		if (wait < 0)
			wait = rate_take_local(s);
		if (wait == 0)
			return APP_OK;
		left = (deadline - now_mono_us()) / 1000;
		if (wait > left) {
			snprintf(err, errlen, "TMDb %s: rate limit still exhausted after %d s",
			         log_path, RATE_WAIT_MAX_MS / 1000);
			return APP_ERR_UNAVAILABLE;
		}
		/* a little spread so waiting threads do not all ask at once */
		sleep_for_ms(wait + now_mono_us() % 17);
	}
}

/* --- one attempt -------------------------------------------------------- */

struct sink {
	struct buf *b;
	size_t start;
	size_t max;
	bool over;
	long retry_after; /* seconds, -1 when absent */
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct sink *k = arg;
	size_t len = size * n;

	if (k->b->len - k->start + len > k->max || buf_append(k->b, p, len) < 0) {
		k->over = true;
		return 0; /* aborts the transfer */
	}
	return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct sink *k = arg;
	size_t len = size * n;
	static const char name[] = "retry-after:";
	char v[16];
	size_t i = sizeof(name) - 1, j = 0;
	int64_t secs;

	if (len <= i || strncasecmp(p, name, i))
		return len;
	while (i < len && (p[i] == ' ' || p[i] == '\t'))
		i++;
	while (i < len && j + 1 < sizeof(v) && p[i] >= '0' && p[i] <= '9')
		v[j++] = p[i++];
	v[j] = '\0';
	/* only delta-seconds; an HTTP-date falls back to the normal backoff */
	if (j && !parse_int64(v, 0, 1000000, &secs))
		k->retry_after = (long)(secs > RETRY_AFTER_MAX_S ? RETRY_AFTER_MAX_S : secs);
	return len;
}

static CURLcode perform(CURL *h, const struct tmdb_settings *s, const struct tmdb_req *r,
                        struct sink *k, long *status)
{
	struct curl_slist *hdr = NULL, *h2;
	char accept[128];
	CURLcode rc;

	snprintf(accept, sizeof(accept), "Accept: %s", r->accept);
	h2 = curl_slist_append(hdr, accept);
	if (!h2)
		return CURLE_OUT_OF_MEMORY;
	hdr = h2;
	/* reset drops every option of the previous request but keeps the
	 * connection cache, so keep-alive to TMDb still works */
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, r->url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "Revenge/" REVENGE_VERSION);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)s->timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
	                 (long)(s->timeout_ms < CONNECT_TIMEOUT_MAX_MS ? s->timeout_ms
	                                                               : CONNECT_TIMEOUT_MAX_MS));
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, k);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, k);
	rc = curl_easy_perform(h);
	*status = 0;
	if (rc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	/* the handle keeps a pointer to the URL (with the key) until the next
	 * request; point it somewhere harmless */
	curl_easy_setopt(h, CURLOPT_URL, "http://invalid./");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdr);
	return rc;
}

static bool was_sent(CURLcode rc)
{
	return rc != CURLE_COULDNT_RESOLVE_HOST && rc != CURLE_COULDNT_CONNECT &&
	       rc != CURLE_OUT_OF_MEMORY && rc != CURLE_URL_MALFORMAT &&
	       rc != CURLE_UNSUPPORTED_PROTOCOL;
}

static enum app_err final_status(const struct tmdb_req *r, long status, char *err, size_t errlen)
{
	snprintf(err, errlen, "TMDb %s: HTTP %ld", r->log_path, status);
	if (status == 404)
		return APP_ERR_NOT_FOUND;
	if (status == 401)
		return APP_ERR_UNAUTHORIZED;
	return APP_ERR_UNPROCESSABLE;
}

enum app_err tmdb_http_fetch(struct tmdb_settings *s, const struct tmdb_req *r, struct buf *body,
                             char *err, size_t errlen)
{
	struct tmdb_thread *t = thread_state();
	struct sink k = {body, body->len, r->max_bytes, false, -1};
	enum app_err e;

	if (!t || (!t->curl && !(t->curl = curl_easy_init()))) {
		snprintf(err, errlen, "TMDb %s: cannot create an HTTP handle", r->log_path);
		return APP_ERR_NOMEM;
	}
	for (int64_t attempt = 0;; attempt++) {
		long status = 0;
		int64_t t0, delay;
		CURLcode rc;

		if (r->rate_limited && (e = rate_wait(s, r->log_path, err, errlen)))
			return e;
		buf_truncate(body, k.start);
		body->failed = 0;
		k.over = false;
		k.retry_after = -1;
		t0 = now_mono_us();
		rc = perform(t->curl, s, r, &k, &status);
		if (was_sent(rc))
			atomic_fetch_add(&requests_sent, 1);
		log_debug("tmdb.request", "GET %s -> %ld (%s, %lld ms)", r->log_path, status,
		          curl_easy_strerror(rc), (long long)(now_mono_us() - t0) / 1000);
		if (k.over) {
			buf_truncate(body, k.start);
			body->failed = 0;
			atomic_fetch_add(&requests_failed, 1);
			snprintf(err, errlen, "TMDb %s: answer larger than %zu bytes", r->log_path,
			         r->max_bytes);
			return APP_ERR_UNPROCESSABLE;
		}
		if (rc == CURLE_OK && status == 200)
			return APP_OK;
		if (rc == CURLE_OK && status != 429 && status < 500) {
			buf_truncate(body, k.start);
			if (status != 404)
				atomic_fetch_add(&requests_failed, 1);
			log_warn("tmdb.error", "GET %s -> HTTP %ld", r->log_path, status);
			return final_status(r, status, err, errlen);
		}
		if (rc != CURLE_OK)
			snprintf(err, errlen, "TMDb %s: %s", r->log_path, curl_easy_strerror(rc));
		else
			snprintf(err, errlen, "TMDb %s: HTTP %ld", r->log_path, status);
		if (attempt >= s->max_retries) {
			buf_truncate(body, k.start);
			atomic_fetch_add(&requests_failed, 1);
			log_warn("tmdb.error", "GET %s failed after %lld attempts: %s", r->log_path,
			         (long long)attempt + 1, err);
			size_t used = strlen(err);
			if (used + 1 < errlen)
				snprintf(err + used, errlen - used, " (after %lld attempts)",
				         (long long)attempt + 1);
			return APP_ERR_UNAVAILABLE;
		}
		if (k.retry_after >= 0)
			delay = (int64_t)k.retry_after * 1000;
		else
			delay = attempt >= 6 ? BACKOFF_MAX_MS : (int64_t)BACKOFF_BASE_MS << attempt;
		if (delay > BACKOFF_MAX_MS && k.retry_after < 0)
			delay = BACKOFF_MAX_MS;
		log_info("tmdb.retry", "GET %s: %s, retrying in %lld ms", r->log_path, err,
		         (long long)delay);
		sleep_for_ms(delay);
	}
}
