/*
 * rcache: the per-user response cache in Redis (a GET answered from a
 * stored body). The key covers the route, its path parameters, the query
 * string and a `vary` string the domain supplies: whatever else the
 * response depends on (the caller, the language pick, whether it sees
 * every library, and a generation that changes whenever the data behind
 * the response does). A cache never makes a response wrong, only stale for
 * at most the TTL when a write commits between reading the generation and
 * storing the body. Redis down: no cache, nothing fails. A response the
 * cache answered carries X-Cache: hit, one it stored X-Cache: miss (the
 * benchmark counts the hit rate from them).
 */
#ifndef REVENGE_HTTP_RCACHE_H
#define REVENGE_HTTP_RCACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "http/http.h"

struct rcache {
	const char *key; /* NULL: this response is not cached */
	int64_t ttl_ms;
	bool hit;
};

/*
 * With ttl_ms > 0 and Redis up: on a hit writes the cached body into res
 * with its validators and returns true; on a miss remembers the key in c
 * for rcache_fill and returns false. ttl_ms <= 0 or vary NULL: false,
 * nothing cached.
 */
bool rcache_hit(struct request *req, struct response *res, int64_t ttl_ms, const char *vary,
		struct rcache *c);

/* Store a 200 body under c's key (when there is one), then add the
 * validators (http_validators) whatever happened. */
void rcache_fill(struct request *req, struct response *res, const struct rcache *c);

#endif
