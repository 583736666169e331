/*
 * cache: one Redis connection (hiredis), connected lazily, with a degraded
 * mode. After a failure the connection is dropped and no new attempt is made
 * for a short back-off, so while Redis is down every caller gets a fast
 * APP_ERR_CACHE and falls back (sessions to PostgreSQL, rate limits to the
 * process), instead of each request waiting for a connect timeout.
 *
 * Commands go only in argv form: data never becomes a command.
 */
#ifndef REVENGE_CACHE_CACHE_H
#define REVENGE_CACHE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <hiredis/hiredis.h>

#include "core/arena.h"
#include "core/err.h"

struct cache;

/* Parse url (redis://[:password@]host[:port][/db] or unix:///path[?db=N])
 * and return a handle that connects on first use; NULL when the URL is
 * malformed or memory is short. timeout_ms bounds connect and each command.
 * prefix is prepended by cache_key(). */
struct cache *cache_new(const char *url, int timeout_ms, const char *prefix);
void cache_free(struct cache *c);

/* Run one command. On success *out (when not NULL) receives the reply,
 * registered for cleanup in arena a (NULL a: caller frees with
 * freeReplyObject). An error reply from Redis is APP_ERR_CACHE too. */
enum app_err cache_cmd(struct cache *c, struct arena *a, redisReply **out, int argc,
		       const char **argv, const size_t *argvlen);

/* SET key value PX ttl_ms, but only while guard_key still holds guard
 * (a missing guard_key counts as "0"); atomic (one Lua script). *stored
 * (may be NULL) tells whether it was written. Writers of derived data read
 * the guard before reading the source; invalidations INCR it, so a fill
 * that raced with an invalidation is dropped instead of caching old data. */
enum app_err cache_set_guarded(struct cache *c, const char *guard_key, const char *guard,
			       const char *key, const char *value, long long ttl_ms, int *stored);

/* PING; APP_OK when Redis answers PONG. */
enum app_err cache_ping(struct cache *c);

/* prefix + name, in arena a. */
char *cache_key(struct cache *c, struct arena *a, const char *name);

/* false while in the back-off after a failure. */
bool cache_up(const struct cache *c);
unsigned long cache_error_count(const struct cache *c);
/* Errors of every handle of this process (thread-safe), for metrics. */
unsigned long cache_error_total(void);

/* Parse a Redis URL into its parts (exposed for tests). Returns 0 or -1.
 * host or path is set (malloc'd, caller frees), password malloc'd or NULL. */
struct cache_url {
	char *host;
	int port;
	char *path;
	char *password;
	int db;
};
int cache_url_parse(const char *url, struct cache_url *out);
void cache_url_release(struct cache_url *u);

#endif
