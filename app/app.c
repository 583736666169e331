#include "app.h"

#include <string.h>
#include <openssl/crypto.h>

#include "auth/auth.h"
#include "auth/ratelimit.h"
#include "core/crypto.h"
#include "core/log.h"
#include "http/cors.h"
#include "jobs/cron.h"
#include "library/roots.h"
#include "storage/storage.h"

enum app_err app_init(struct app *app, const struct config *cfg, struct metrics *m)
{
	memset(app, 0, sizeof(*app));
	app->cfg = cfg;
	app->metrics = m;
	app->db = db_new(cfg->database_url, (int)cfg->database_connect_timeout,
			 (int)cfg->database_statement_timeout);
	app->cache = cache_new(cfg->redis_url, (int)cfg->redis_timeout, cfg->redis_prefix);
	app->router = router_new(app_routes, app_routes_count);
	storage_configure(cfg); /* avatars are stored by the API */
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

/* The rule deploy/stack.sh applies before it pastes the name into
 * nginx.conf: 1..253 of [A-Za-z0-9.-], not starting or ending in '.'/'-'. */
static bool host_name_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > 253 || s[0] == '.' || s[0] == '-' || s[n - 1] == '.' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '-'))
			return false;
	return true;
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
	if (!host_name_valid(cfg->http_server_name)) {
		buf_puts(err, "http.server_name: must be a host name or IPv4 address (letters, digits, "
			      "'.' and '-'; it is written into nginx.conf)");
		return APP_ERR_VALIDATION;
	}
	char cors_why[160];
	if (cors_origins_check(cfg->http_cors_origins, cors_why, sizeof(cors_why)) < 0) {
		buf_printf(err, "http.cors_origins: %s", cors_why);
		return APP_ERR_VALIDATION;
	}
	if (cfg->http_public_url &&
	    (strchr(cfg->http_public_url, ',') ||
	     cors_origins_check(cfg->http_public_url, cors_why, sizeof(cors_why)) < 0)) {
		buf_printf(err, "http.public_url: must be one origin, scheme://host[:port]");
		return APP_ERR_VALIDATION;
	}
	/* a bad schedule must stop start-up, not surface as a leader that
	 * silently never enqueues */
	const struct {
		const char *key, *expr;
	} crons[] = {{"schedule.retention", cfg->schedule_retention},
		     {"schedule.session_cleanup", cfg->schedule_session_cleanup},
		     {"schedule.library_scans", cfg->schedule_library_scans},
		     {"schedule.metadata_refresh", cfg->schedule_metadata_refresh},
		     {"schedule.integration_sync", cfg->schedule_integration_sync}};
	for (size_t i = 0; i < sizeof(crons) / sizeof(crons[0]); i++) {
		struct cron c;
		char why[160];
		if (cron_parse(crons[i].expr, &c, why, sizeof(why)) < 0) {
			buf_printf(err, "%s: not a valid cron expression: %s", crons[i].key, why);
			return APP_ERR_VALIDATION;
		}
	}
	unsigned char key[32];
	if (cfg->auth_secret_key && crypto_key_parse(cfg->auth_secret_key, key)) {
		buf_puts(err, "auth.secret_key: must be 64 hex digits (openssl rand -hex 32)");
		return APP_ERR_VALIDATION;
	}
	OPENSSL_cleanse(key, sizeof(key));
	if (cfg->notifications_ca_file && cfg->notifications_ca_file[0] != '/') {
		buf_puts(err, "notifications.ca_file: must be an absolute path");
		return APP_ERR_VALIDATION;
	}
	if (storage_config_check(cfg, err))
		return APP_ERR_VALIDATION;
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
