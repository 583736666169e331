/*
 * tmdb_int: internals shared by tmdb.c (settings, validation, the cache,
 * the public calls) and tmdb_http.c (per-thread libcurl handle and Redis
 * connection, the shared rate limit, retries). Not part of the public API.
 */
#ifndef REVENGE_METADATA_TMDB_INT_H
#define REVENGE_METADATA_TMDB_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache/cache.h"
#include "core/buf.h"
#include "core/err.h"

#define TMDB_MAX_LANGS 16
#define TMDB_MAX_BODY (8u << 20)   /* API answers */
#define TMDB_MAX_IMAGE (20u << 20) /* image downloads */

/*
 * One immutable snapshot of the settings. tmdb_configure() builds a new one
 * and swaps it in; a caller holds a reference for the whole request, so a
 * reload never changes settings under a request in flight. Only the
 * fallback limiter (ring, under mu) changes after construction.
 */
struct tmdb_settings {
	int refs;             /* under the settings lock in tmdb.c */
	unsigned long gen;    /* increases with every tmdb_configure() */
	char *api_key_q;      /* URL-encoded key, NULL when disabled; wiped on free */
	char *base_url;       /* no trailing '/' */
	char *image_base_url; /* no trailing '/' */
	char *redis_url;
	char *redis_prefix;
	int64_t redis_timeout_ms;
	int64_t timeout_ms;
	int64_t rate;
	int64_t window_ms;
	int64_t max_retries;
	int64_t details_ttl_ms;
	int64_t search_ttl_ms;
	char lang[TMDB_MAX_LANGS][3];
	const char *lang_ptr[TMDB_MAX_LANGS];
	int nlang;
	char image_langs[TMDB_MAX_LANGS * 3 + 8]; /* "en,de,null" */

	/* per-process fallback limiter while Redis is down: the send times
	 * (monotonic µs) of the last `rate` requests, oldest at ring_head */
	pthread_mutex_t mu;
	int64_t *ring;
	int64_t ring_count;
	int64_t ring_head;
};

/* What one download is: the full URL (may hold the key: never logged),
 * the path to log instead, whether it counts against the API rate limit,
 * and the byte cap of the answer. */
struct tmdb_req {
	const char *url;
	const char *log_path;
	bool rate_limited;
	size_t max_bytes;
	const char *accept; /* Accept header value */
};

/*
 * GET r->url with the thread's handle: waits for the rate limit when
 * r->rate_limited, retries 429/5xx/transport failures with backoff up to
 * s->max_retries times. On APP_OK the 200 answer's bytes were appended to
 * body (after the length it had on entry; earlier attempts' bytes are cut
 * off again). Errors as tmdb_get() documents, minus the JSON ones;
 * APP_ERR_UNPROCESSABLE also for an answer past max_bytes.
 */
enum app_err tmdb_http_fetch(struct tmdb_settings *s, const struct tmdb_req *r, struct buf *body,
                             char *err, size_t errlen);

/* The calling thread's Redis handle for the settings s (made on first use,
 * remade after a reconfigure); NULL when it cannot be created. */
struct cache *tmdb_http_cache(struct tmdb_settings *s);

#endif
