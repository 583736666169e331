#include "app.h"

#include <string.h>

#include "auth/auth.h"
#include "auth/ratelimit.h"
#include "core/log.h"
#include "jobs/cron.h"
#include "library/roots.h"

enum app_err app_init(struct app *app, const struct config *cfg, struct metrics *m)
{
	memset(app, 0, sizeof(*app));
	app->cfg = cfg;
	app->metrics = m;
	app->db = db_new(cfg->database_url, (int)cfg->database_connect_timeout,
			 (int)cfg->database_statement_timeout);
	app->cache = cache_new(cfg->redis_url, (int)cfg->redis_timeout, cfg->redis_prefix);
	app->router = router_new(app_routes, app_routes_count);
	app->authorize = auth_check_route;
	app->rate_limit = ratelimit_check;
	if (!app->db || !app->router) {
		app_release(app);
		return APP_ERR_NOMEM;
	}
	if (!app->cache) {
		log_error("config.invalid", "redis.url is not a valid Redis URL");
		app_release(app);
		return APP_ERR_VALIDATION;
	}
	return APP_OK;
}

enum app_err app_config_check(const struct config *cfg, struct buf *err)
{
	struct cache_url u;

	if (cache_url_parse(cfg->redis_url, &u) < 0) {
		buf_puts(err, "redis.url: not a valid Redis URL (redis://[:password@]host[:port][/db] "
			      "or unix:///path[?db=N])");
		return APP_ERR_VALIDATION;
	}
	cache_url_release(&u);
	/* the body is read into the request's arena, so the arena must hold it */
	if (cfg->server_request_memory < cfg->server_max_body_size + 256 * 1024) {
		buf_puts(err, "server.request_memory: must exceed server.max_body_size by at least 256k");
		return APP_ERR_VALIDATION;
	}
	/* a bad schedule must stop start-up, not surface as a leader that
	 * silently never enqueues */
	const struct {
		const char *key, *expr;
	} crons[] = {{"schedule.retention", cfg->schedule_retention},
		     {"schedule.session_cleanup", cfg->schedule_session_cleanup},
		     {"schedule.library_scans", cfg->schedule_library_scans},
		     {"schedule.metadata_refresh", cfg->schedule_metadata_refresh}};
	for (size_t i = 0; i < sizeof(crons) / sizeof(crons[0]); i++) {
		struct cron c;
		char why[160];
		if (cron_parse(crons[i].expr, &c, why, sizeof(why)) < 0) {
			buf_printf(err, "%s: not a valid cron expression: %s", crons[i].key, why);
			return APP_ERR_VALIDATION;
		}
	}
	return library_roots_config_check(cfg, err);
}

void app_release(struct app *app)
{
	db_free(app->db);
	cache_free(app->cache);
	router_free(app->router);
	app->db = NULL;
	app->cache = NULL;
	app->router = NULL;
}

void app_flush_counters(struct app *app)
{
	unsigned long d = db_error_count(app->db), c = cache_error_count(app->cache);

	metrics_add(app->metrics, MC_DB_ERRORS, d - app->db_errors_seen);
	metrics_add(app->metrics, MC_REDIS_ERRORS, c - app->cache_errors_seen);
	app->db_errors_seen = d;
	app->cache_errors_seen = c;
}
