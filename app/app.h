/*
 * app: what one FastCGI child (or one worker thread) holds for its whole
 * life. Everything here is owned by that process; nothing is shared with
 * other children except the metrics region.
 */
#ifndef REVENGE_APP_H
#define REVENGE_APP_H

#include <stdbool.h>

#include "cache/cache.h"
#include "core/config.h"
#include "db/db.h"
#include "http/metrics.h"
#include "http/router.h"

struct app {
	const struct config *cfg;
	struct db *db;
	struct cache *cache;
	struct metrics *metrics;
	struct router *router;
	/* set by app_init to auth_check_route and ratelimit_check; a NULL
	 * authorize refuses every non-public route, a NULL rate_limit lets
	 * everything through */
	http_authorize_fn authorize;
	http_rate_limit_fn rate_limit;
	bool schema_current; /* set once this process saw no pending migrations */
	unsigned long db_errors_seen, cache_errors_seen;
};

/* The route table (app/routes.c) and its length. */
extern const struct route app_routes[];
extern const size_t app_routes_count;

/* Build db, cache and router from cfg (connections are made lazily).
 * APP_ERR_NOMEM or APP_ERR_VALIDATION (bad Redis URL) otherwise. */
enum app_err app_init(struct app *app, const struct config *cfg, struct metrics *m);
void app_release(struct app *app);

/* Checks beyond the key table that need domain knowledge (the Redis URL
 * syntax, the arena/body sizes, the [schedule] cron expressions,
 * library.allowed_roots, the http.server_name and http.cors_origins
 * syntax).
 * APP_ERR_VALIDATION with one line naming the key in err. */
enum app_err app_config_check(const struct config *cfg, struct buf *err);

/* Push this process's DB/Redis error counts into the shared metrics. */
void app_flush_counters(struct app *app);

#endif
