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

static const struct db_stmt q_kind_counters = {
	"metrics_kind_counters", "SELECT kind, outcome, value FROM job_kind_counters ORDER BY 1, 2",
	0, true};

/* The workers' job_counters rows as metrics; a row not listed is not shown. */
static const struct {
	const char *row, *metric, *help;
} job_totals[] = {
	{"enqueued", "revenge_jobs_enqueued_total", "Job ids handed out (an approximation of jobs enqueued)."},
	{"started", "revenge_jobs_started_total", "Job handlers started by the workers."},
	{"completed", "revenge_jobs_completed_total", "Jobs completed."},
	{"retried", "revenge_jobs_retried_total", "Failed attempts that will be retried."},
	{"discarded", "revenge_jobs_discarded_total", "Jobs that failed for good."},
	{"cancelled", "revenge_jobs_cancelled_total", "Jobs cancelled while claimed."},
	{"snoozed", "revenge_jobs_snoozed_total", "Jobs that asked to run again later."},
	{"released", "revenge_jobs_released_total", "Claimed jobs handed back without counting an attempt."},
	{"timeouts", "revenge_jobs_timeouts_total", "Job attempts that ran past their deadline."},
	{"scan_files", "revenge_scan_files_total", "Files seen by library scans."},
	{"scan_errors", "revenge_scan_errors_total", "Files library scans could not read or store."},
	{"worker_db_errors", "revenge_worker_db_errors_total", "PostgreSQL connection and query failures in the workers."},
	{"worker_redis_errors", "revenge_worker_redis_errors_total", "Redis connection and command failures in the workers."},
	{"worker_tmdb_errors", "revenge_worker_tmdb_errors_total", "TMDb requests of the workers that failed after their retries."},
	{"watcher_events", "revenge_watcher_events_total", "inotify events the folder watcher handled."},
	{"watcher_scans", "revenge_watcher_scans_total", "Folder scans the folder watcher queued (changes, network mounts, libraries past the watch limit)."},
};
#define NJOB_TOTALS (sizeof(job_totals) / sizeof(job_totals[0]))

/* job_counters rows the one folder watcher sets rather than adds to
 * (workers/watcher.h). */
static const struct {
	const char *row, *metric, *help;
} job_gauges[] = {
	{"watcher_watches", "revenge_watcher_watches", "inotify watches the folder watcher holds (one per watched folder)."},
	{"watcher_fallback_libraries", "revenge_watcher_fallback_libraries", "Libraries past the inotify watch limit, scanned every library.poll_interval instead of watched."},
	{"watcher_remote_folders", "revenge_watcher_remote_folders", "Library folders on network mounts, scanned every library.poll_interval instead of watched."},
};
#define NJOB_GAUGES (sizeof(job_gauges) / sizeof(job_gauges[0]))

static int64_t row_value(PGresult *r, const char *name)
{
	int64_t v = 0;

	for (int i = 0; r && i < PQntuples(r); i++)
		if (!strcmp(PQgetvalue(r, i, 0), name) && !db_get_int64(r, i, 1, &v))
			return v;
	return 0;
}

/* The workers' counters, every series at 0 until counted: totals, scans
 * and errors from job_counters, outcomes by kind from job_kind_counters
 * (the kinds and outcomes of this version declared, plus any other kind
 * found). */
static void job_counters(struct request *req, struct buf *out)
{
	PGresult *r, *k;

	if (db_query(req->app->db, req->arena, &q_job_counters, NULL, &r))
		return;
	for (size_t i = 0; i < NJOB_TOTALS; i++)
		buf_printf(out, "# HELP %s %s\n# TYPE %s counter\n%s %lld\n", job_totals[i].metric,
			   job_totals[i].help, job_totals[i].metric, job_totals[i].metric,
			   (long long)row_value(r, job_totals[i].row));
	for (size_t i = 0; i < NJOB_GAUGES; i++)
		buf_printf(out, "# HELP %s %s\n# TYPE %s gauge\n%s %lld\n", job_gauges[i].metric,
			   job_gauges[i].help, job_gauges[i].metric, job_gauges[i].metric,
			   (long long)row_value(r, job_gauges[i].row));
	buf_printf(out,
		   "# HELP revenge_jobs_duration_seconds_total Time spent in job handlers.\n"
		   "# TYPE revenge_jobs_duration_seconds_total counter\n"
		   "revenge_jobs_duration_seconds_total %.3f\n",
		   (double)row_value(r, "duration_ms") / 1000.0);
	int64_t ok = row_value(r, "scans_completed"), failed = row_value(r, "scans_failed");
	buf_printf(out,
		   "# HELP revenge_scans_total Library scans finished, by outcome.\n"
		   "# TYPE revenge_scans_total counter\n"
		   "revenge_scans_total{outcome=\"completed\"} %lld\n"
		   "revenge_scans_total{outcome=\"failed\"} %lld\n"
		   "# HELP revenge_scan_duration_seconds How long library scans ran.\n"
		   "# TYPE revenge_scan_duration_seconds summary\n"
		   "revenge_scan_duration_seconds_sum %.3f\n"
		   "revenge_scan_duration_seconds_count %lld\n",
		   (long long)ok, (long long)failed,
		   (double)row_value(r, "scan_duration_ms") / 1000.0, (long long)(ok + failed));

	if (db_query(req->app->db, req->arena, &q_kind_counters, NULL, &k))
		return;
	buf_puts(out, "# HELP revenge_jobs_by_kind_total Job outcomes by kind.\n"
		      "# TYPE revenge_jobs_by_kind_total counter\n");
	for (size_t i = 0; i < job_kind_names_count; i++)
		for (size_t o = 0; o < job_outcome_names_count; o++) {
			int64_t v = 0;
			for (int j = 0; j < PQntuples(k); j++)
				if (!strcmp(PQgetvalue(k, j, 0), job_kind_names[i]) &&
				    !strcmp(PQgetvalue(k, j, 1), job_outcome_names[o]) &&
				    db_get_int64(k, j, 2, &v))
					v = 0;
			buf_printf(out, "revenge_jobs_by_kind_total{kind=\"%s\",outcome=\"%s\"} %lld\n",
				   job_kind_names[i], job_outcome_names[o], (long long)v);
		}
	/* kinds this version does not know (debug kinds, a newer worker's):
	 * names and outcomes are checked by the table's constraints */
	for (int j = 0; j < PQntuples(k); j++) {
		const char *kind = PQgetvalue(k, j, 0);
		bool known = false;
		int64_t v;
		for (size_t i = 0; i < job_kind_names_count && !known; i++)
			known = !strcmp(kind, job_kind_names[i]);
		if (!known && !db_get_int64(k, j, 2, &v))
			buf_printf(out, "revenge_jobs_by_kind_total{kind=\"%s\",outcome=\"%s\"} %lld\n",
				   kind, PQgetvalue(k, j, 1), (long long)v);
	}
}

/* Queue depth and the workers' counters from the database: every scrape
 * sees the same numbers, whichever child answers and however many workers
 * there are. */
static void job_depth(struct request *req, struct buf *out)
{
	static const char *const states[] = {"available", "scheduled", "running", "retryable"};
	PGresult *r;

	job_counters(req, out);
	if (db_query(req->app->db, req->arena, &q_job_depth, NULL, &r))
		return;
	buf_puts(out, "# HELP revenge_jobs Jobs not yet final, by priority and state.\n"
		      "# TYPE revenge_jobs gauge\n");
	for (int p = 0; p < JOB_PRIORITIES; p++)
		for (size_t s = 0; s < sizeof(states) / sizeof(states[0]); s++) {
			int64_t n = 0;
			for (int i = 0; i < PQntuples(r); i++) {
				int prio;
				if (!db_get_int(r, i, 0, &prio) && prio == p &&
				    !strcmp(PQgetvalue(r, i, 1), states[s]) &&
				    db_get_int64(r, i, 2, &n))
					n = 0;
			}
			buf_printf(out, "revenge_jobs{priority=\"%s\",state=\"%s\"} %lld\n",
				   job_priority_name(p), states[s], (long long)n);
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
