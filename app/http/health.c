#include "http/health.h"

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "db/migrate.h"
#include "jobs/jobs.h"
#include "http/dispatch.h"
#include "http/validators.h"
#include "version.h"

const struct param_spec health_ready_query[] = {
	{.name = "verbose", .type = PT_BOOL, .doc = "Include every check in the response."},
	{0},
};

enum app_err health_live(struct request *req, struct response *res, struct field_error *fe)
{
	(void)req, (void)fe;
	buf_puts(&res->body, "{\"status\":\"ok\"}");
	return APP_OK;
}

/* "ok" or a short reason. Checks the live connection and that every
 * migration this binary carries is applied with the same checksum. */
static const char *check_database(struct app *app, int *pending)
{
	struct migrate_status st;
	struct buf err;
	PGconn *conn = db_conn(app->db);
	enum app_err e;

	*pending = 0;
	if (!conn)
		return "unreachable";
	buf_init(&err, 512);
	e = migrate_check(conn, migrations_builtin, migrations_builtin_count, &st, &err);
	if (e == APP_ERR_DB) {
		/* a connection broken by a server restart fails its first query:
		 * reconnect once before calling the database unreachable */
		db_disconnect(app->db);
		if ((conn = db_conn(app->db))) {
			buf_reset(&err);
			e = migrate_check(conn, migrations_builtin, migrations_builtin_count, &st, &err);
		}
	}
	buf_release(&err);
	if (e == APP_ERR_DB)
		return "unreachable";
	if (e)
		return "schema mismatch";
	*pending = st.pending;
	return "ok";
}

enum app_err health_ready(struct request *req, struct response *res, struct field_error *fe)
{
	struct app *app = req->app;
	int pending = 0;
	const char *database = check_database(app, &pending);
	const char *redis = cache_ping(app->cache) == APP_OK ? "ok" : "unreachable";
	const char *migrations = strcmp(database, "ok") ? "unknown" : pending ? "pending" : "ok";
	int ready = !strcmp(database, "ok") && !strcmp(redis, "ok") && !pending;
	const struct param_value *verbose = req_query(req, "verbose");
	struct buf checks;
	struct jw w;

	(void)fe;
	if (ready)
		app->schema_current = true;
	buf_init(&checks, 1024);
	jw_init(&w, &checks);
	buf_puts(&checks, "\"checks\":");
	jw_obj_open(&w);
	jw_kstr(&w, "database", database);
	jw_kstr(&w, "redis", redis);
	jw_kstr(&w, "migrations", migrations);
	if (verbose && verbose->num)
		jw_kint(&w, "pending_migrations", pending);
	jw_obj_close(&w);
	if (ready) {
		buf_puts(&res->body, "{\"status\":\"ready\",");
		buf_append(&res->body, checks.data, checks.len);
		buf_putc(&res->body, '}');
	} else {
		struct field_error why = {{0}, "a dependency is not ready"};
		http_problem(req, res, APP_ERR_UNAVAILABLE, &why, checks.data);
	}
	buf_release(&checks);
	return APP_OK;
}

enum app_err health_startup(struct request *req, struct response *res, struct field_error *fe)
{
	struct app *app = req->app;
	int pending = 0;

	if (!app->schema_current) {
		if (strcmp(check_database(app, &pending), "ok") || pending)
			return field_fail(fe, APP_ERR_UNAVAILABLE, "",
					  "still starting: the database is not ready");
		app->schema_current = true;
	}
	buf_puts(&res->body, "{\"status\":\"started\"}");
	return APP_OK;
}

static const struct db_stmt q_job_depth = {
	"metrics_job_depth",
	"SELECT priority, state::text, count(*) FROM jobs"
	" WHERE state IN ('available', 'scheduled', 'running', 'retryable') GROUP BY 1, 2",
	0, true};

static const struct db_stmt q_job_counters = {
	"metrics_job_counters",
	"SELECT name, value FROM job_counters UNION ALL"
	" SELECT 'enqueued', last_value FROM jobs_id_seq ORDER BY 1",
	0, true};

/* Queue depth and the workers' counters from the database: every scrape
 * sees the same numbers, whichever child answers and however many workers
 * there are. */
static void job_depth(struct request *req, struct buf *out)
{
	PGresult *r;

	if (!db_query(req->app->db, req->arena, &q_job_counters, NULL, &r)) {
		for (int i = 0; i < PQntuples(r); i++) {
			const char *name = PQgetvalue(r, i, 0);
			int64_t ms;
			/* enqueued: ids handed out, so an approximation (a unique
			 * key that was already queued still takes an id) */
			if (!strcmp(name, "duration_ms")) {
				if (!db_get_int64(r, i, 1, &ms))
					buf_printf(out, "# TYPE revenge_jobs_duration_seconds_total counter\n"
							"revenge_jobs_duration_seconds_total %.3f\n",
						   (double)ms / 1000.0);
			} else
				buf_printf(out, "# TYPE revenge_jobs_%s_total counter\nrevenge_jobs_%s_total %s\n",
					   name, name, PQgetvalue(r, i, 1));
		}
	}
	if (db_query(req->app->db, req->arena, &q_job_depth, NULL, &r))
		return;
	buf_puts(out, "# HELP revenge_jobs Jobs not yet final, by priority and state.\n"
		      "# TYPE revenge_jobs gauge\n");
	for (int i = 0; i < PQntuples(r); i++) {
		int prio;
		if (!db_get_int(r, i, 0, &prio))
			buf_printf(out, "revenge_jobs{priority=\"%s\",state=\"%s\"} %s\n",
				   job_priority_name(prio), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2));
	}
}

enum app_err health_metrics(struct request *req, struct response *res, struct field_error *fe)
{
	struct app *app = req->app;

	(void)fe;
	/* nginx only forwards /metrics from loopback; this second check keeps
	 * the rule when the pool is reached some other way */
	if (!app->cfg->metrics_enabled || !http_is_loopback(req->remote_addr))
		return APP_ERR_NOT_FOUND;
	res->content_type = "text/plain; version=0.0.4";
	metrics_render(app->metrics, app_routes, app_routes_count, &res->body);
	job_depth(req, &res->body);
	return buf_ok(&res->body) ? APP_OK : APP_ERR_NOMEM;
}

enum app_err system_info(struct request *req, struct response *res, struct field_error *fe)
{
	struct jw w;

	(void)req, (void)fe;
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	jw_kstr(&w, "name", "Revenge");
	jw_kstr(&w, "version", REVENGE_VERSION);
	jw_kstr(&w, "api_version", "v1");
	jw_obj_close(&w);
	res_header(res, "Cache-Control", "public, max-age=60");
	return APP_OK;
}

/* docs/openapi.yaml as built in (build/gen/openapi_data.c, made by
 * deploy/embed-text.sh): the description always matches the binary. */
extern const char openapi_yaml[];
extern const size_t openapi_yaml_len;

enum app_err system_openapi(struct request *req, struct response *res, struct field_error *fe)
{
	(void)fe;
	/* RFC 9512; nginx compresses it (gzip_types) */
	res->content_type = "application/yaml";
	buf_append(&res->body, openapi_yaml, openapi_yaml_len);
	if (!buf_ok(&res->body))
		return APP_ERR_NOMEM;
	http_validators(req, res);
	return APP_OK;
}
