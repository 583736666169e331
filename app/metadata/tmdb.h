/*
 * tmdb: the TMDb API v3 client (SPEC §7.1), used by the worker's match,
 * refresh and image jobs.
 *
 * Every request goes through one path (tmdb_get): the API key is added
 * here and never leaves the server (it is not logged, not stored, not put
 * in an error text); a response cache in Redis (details 24 h, searches
 * 15 min, configurable) answers repeated requests; a rate limit shared by
 * every worker through Redis (tmdb.rate requests per tmdb.rate_window,
 * falling back to a per-process limit while Redis is down) is waited for
 * before each request actually sent; 429 and 5xx answers and transport
 * failures are retried with exponential backoff (honouring Retry-After,
 * capped) up to tmdb.max_retries times; every request has the tmdb.timeout
 * limit. A body that is not a JSON object (garbage, an HTML error page) is
 * an error, never a crash.
 *
 * Threads: settings are process-wide (tmdb_configure, under a lock); each
 * thread that calls the client gets its own libcurl handle and Redis
 * connection, created on first use and freed when the thread exits.
 */
#ifndef REVENGE_METADATA_TMDB_H
#define REVENGE_METADATA_TMDB_H

#include <stdbool.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/err.h"

/* Take the [tmdb], [metadata] and [redis] settings from cfg (copied; call
 * at start and after a reload). Thread-safe. */
void tmdb_configure(const struct config *cfg);

/* Whether an API key is configured: without one every call below answers
 * APP_ERR_UNAVAILABLE at once and the pipeline identifies files locally. */
bool tmdb_enabled(void);

/* The configured metadata languages ("en", "de", ...), at most 16, valid
 * until the next tmdb_configure; *n receives the count. */
const char *const *tmdb_languages(int *n);

/*
 * GET base_url + path ("/movie/550") with query (already URL-encoded
 * "a=1&b=2", or NULL) plus the API key. ttl_ms > 0 caches the body in
 * Redis under a key derived from path and query (not the key).
 *
 * On success *out is the parsed object, registered for cleanup in arena a.
 * Errors (with a short reason in err, NUL-terminated, never the key):
 *   APP_ERR_UNAVAILABLE   no API key configured; network failure, timeout,
 *                         429 or 5xx after the retries
 *   APP_ERR_NOT_FOUND     404 (the id does not exist)
 *   APP_ERR_UNAUTHORIZED  401 (the key is invalid)
 *   APP_ERR_UNPROCESSABLE the body is not a JSON object (HTML, garbage,
 *                         oversize past 8 MiB), or another 4xx
 *   APP_ERR_VALIDATION    a malformed argument (path outside [A-Za-z0-9/_.-],
 *                         a query with its own api_key, and in the calls
 *                         below a bad id, title, year, size or image path);
 *                         nothing is sent
 * A cached body is served whatever key is configured now (the key is not
 * part of the cache key). Blocks for the rate limit at most 30 s (then
 * APP_ERR_UNAVAILABLE) plus the retries' backoff.
 */
enum app_err tmdb_get(struct arena *a, const char *path, const char *query, int64_t ttl_ms,
		      cJSON **out, char *err, size_t errlen);

/* Search (cached for tmdb.search_ttl). year 0 = any. The answer is TMDb's
 * {"page", "results": [...], ...} object. */
enum app_err tmdb_search_movie(struct arena *a, const char *title, int year, cJSON **out,
			       char *err, size_t errlen);
enum app_err tmdb_search_tv(struct arena *a, const char *title, int first_air_year, cJSON **out,
			    char *err, size_t errlen);

/* /find/{external_id}?external_source=imdb_id|tvdb_id (cached as details). */
enum app_err tmdb_find(struct arena *a, const char *external_id, const char *source, cJSON **out,
		       char *err, size_t errlen);

/* Details in one request each (cached for tmdb.details_ttl):
 * movie:  append_to_response=credits,release_dates,translations,images,
 *         external_ids,alternative_titles
 * tv:     append_to_response=aggregate_credits,content_ratings,translations,
 *         images,external_ids,alternative_titles,episode_groups (the list of
 *         the series' episode groups, without their episodes)
 * season: append_to_response=translations, in TMDb's default language
 *         (en-US). The episodes come with the season; its translations
 *         member holds the season's own name and overview per language,
 *         not the episodes' (TMDb keeps those per episode only). */
enum app_err tmdb_movie(struct arena *a, int64_t id, cJSON **out, char *err, size_t errlen);
enum app_err tmdb_tv(struct arena *a, int64_t id, cJSON **out, char *err, size_t errlen);
enum app_err tmdb_season(struct arena *a, int64_t tv_id, int season, cJSON **out, char *err,
			 size_t errlen);

/* The season again in one more language (?language=xx, a two-letter ISO
 * 639-1 code): the episodes' names and overviews in that language, one
 * request for the whole season instead of one /translations request per
 * episode. Where TMDb has no translation the overview is "" and the name a
 * generic placeholder ("Episode 9"); callers must not take those for
 * titles. Cached like details. */
enum app_err tmdb_season_language(struct arena *a, int64_t tv_id, int season, const char *lang,
				  cJSON **out, char *err, size_t errlen);

/* /tv/episode_group/{id}: one episode group with its groups and episodes
 * (each episode with its aired season_number and episode_number, and its
 * "order" within its group). group_id is TMDb's hex id (1..32 of
 * [0-9a-f]). Cached like details. */
enum app_err tmdb_episode_group(struct arena *a, const char *group_id, cJSON **out, char *err,
				size_t errlen);

/* Download image_base_url + "/" + size + path (path like "/abc.jpg") into
 * out (at most 20 MiB; not cached in Redis, not rate limited by the API
 * budget but retried like API calls). Errors as tmdb_get, and
 * APP_ERR_UNPROCESSABLE when the bytes are not a JPEG, PNG or WebP. */
enum app_err tmdb_image(const char *size, const char *path, struct buf *out, char *err,
			size_t errlen);

/* Requests this process actually sent (cache hits excluded), for tests
 * and metrics. */
unsigned long tmdb_requests_sent(void);

/* Requests of this process that ended in an error (after the retries:
 * network failure, timeout, 429/5xx, a 4xx other than 404, an oversize
 * answer), for metrics. */
unsigned long tmdb_requests_failed(void);

/* Free the calling thread's libcurl handle and Redis connection now
 * (otherwise freed when the thread exits; the main thread calls this
 * before exiting so nothing is left to the leak checker). The next call
 * from this thread creates them again. */
void tmdb_thread_release(void);

#endif
