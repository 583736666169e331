/*
 * /metrics of a fresh stack: the text passes `promtool check metrics`
 * (the Prometheus project's linter; any lint problem fails the test),
 * every series is there at 0 before anything happened, and the counters
 * move after the events they count: a response-cache miss then a hit in
 * the pool, and a job and a library scan run by a real revenge-worker
 * (whose counters reach /metrics through the database).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "api.h"
#include "fcgi_client.h"
#include "server.h"
#include "testenv.h"
#include "version.h"

static char conf[256], sock[256], log_path[256], worker_log[256], media[256];
static const char *db_url;
static PGconn *pg;
static pid_t pool = -1, worker = -1;

static struct fcgi_response scraped;

static void scrape(void)
{
	assert_int_equal(fcgi_call(sock, "GET", "/metrics", NULL, NULL, &scraped), 0);
	assert_int_equal(scraped.status, 200);
	/* a body filling the client's buffer could be cut short */
	assert_true(strlen(scraped.body) < sizeof(scraped.body) - 1);
}

/* promtool check metrics on the last scrape: exit 0 and no output. */
static void promtool_passes(void)
{
	char path[128], cmd[512], out[4096] = "";
	snprintf(path, sizeof(path), "/tmp/revenge-metrics-%d.txt", (int)getpid());
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(scraped.body, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "promtool check metrics < %s 2>&1", path);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	int rc = pclose(p);
	unlink(path);
	if (rc != 0 || n != 0)
		fail_msg("promtool check metrics (exit %d): %s", WEXITSTATUS(rc), out);
}

/* The value of the sample "NAME{labels}" in the last scrape; -1 when the
 * series is absent. */
static double value(const char *series)
{
	char needle[256];
	snprintf(needle, sizeof(needle), "\n%s ", series);
	const char *p = strstr(scraped.body, needle);
	return p ? strtod(p + strlen(needle), NULL) : -1;
}

#define AT(series, want)                                                                           \
	do {                                                                                       \
		double got_ = value(series);                                                       \
		if (got_ != (want))                                                                \
			fail_msg("%s: %g, want %g", series, got_, (double)(want));                 \
	} while (0)

static const char *const zero_at_start[] = {
    "revenge_http_response_cache_hits_total",
    "revenge_http_response_cache_misses_total",
    "revenge_db_errors_total",
    "revenge_redis_errors_total",
    "revenge_jobs_started_total",
    "revenge_jobs_completed_total",
    "revenge_jobs_released_total",
    "revenge_jobs_duration_seconds_total",
    "revenge_scans_total{outcome=\"completed\"}",
    "revenge_scans_total{outcome=\"failed\"}",
    "revenge_scan_duration_seconds_sum",
    "revenge_scan_duration_seconds_count",
    "revenge_scan_files_total",
    "revenge_scan_errors_total",
    "revenge_worker_db_errors_total",
    "revenge_worker_redis_errors_total",
    "revenge_worker_tmdb_errors_total",
    "revenge_watcher_events_total",
    "revenge_watcher_scans_total",
    "revenge_watcher_watches",
    "revenge_watcher_fallback_libraries",
    "revenge_watcher_remote_folders",
    "revenge_jobs_by_kind_total{kind=\"library.scan\",outcome=\"completed\"}",
    "revenge_jobs_by_kind_total{kind=\"library.scan\",outcome=\"lost\"}",
    "revenge_jobs_by_kind_total{kind=\"noop\",outcome=\"completed\"}",
    "revenge_jobs_by_kind_total{kind=\"image.fetch\",outcome=\"retried\"}",
    "revenge_jobs_by_kind_total{kind=\"metadata.refresh_stale\",outcome=\"discarded\"}",
    "revenge_jobs{priority=\"critical\",state=\"running\"}",
    "revenge_jobs{priority=\"bulk\",state=\"retryable\"}",
};

static void fresh_stack_lints_and_declares_every_series(void **state)
{
	char build_info[160];
	(void)state;
	scrape();
	promtool_passes();
	for (size_t i = 0; i < sizeof(zero_at_start) / sizeof(zero_at_start[0]); i++)
		AT(zero_at_start[i], 0);
	snprintf(build_info, sizeof(build_info), "\nrevenge_build_info{version=\"%s\",commit=\"",
	         REVENGE_VERSION);
	const char *b = strstr(scraped.body, build_info);
	assert_non_null(b);
	b = strchr(b + strlen(build_info), '"');
	assert_non_null(b);
	assert_true(!strncmp(b, "\"} 1\n", 5));
}

/* The movies list is a cached response: the first request misses (and
 * stores it), the second is answered from Redis. */
static void response_cache_miss_then_hit(void **state)
{
	struct api_user u;
	(void)state;
	api_new_user(&u, "metrics1", NULL);
	EXPECT(api_call("GET", "/api/v1/movies", u.token, NULL), 200);
	scrape();
	AT("revenge_http_response_cache_misses_total", 1);
	AT("revenge_http_response_cache_hits_total", 0);
	EXPECT(api_call("GET", "/api/v1/movies", u.token, NULL), 200);
	scrape();
	AT("revenge_http_response_cache_misses_total", 1);
	AT("revenge_http_response_cache_hits_total", 1);
	promtool_passes();
}

static long long qint(const char *sql)
{
	PGresult *r = PQexec(pg, sql);
	long long v = -1;
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
		v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	else if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fprintf(stderr, "%s: %s", sql, PQerrorMessage(pg));
	PQclear(r);
	return v;
}

static bool wait_until(const char *sql, int timeout_ms)
{
	for (int waited = 0; waited < timeout_ms; waited += 50) {
		if (qint(sql) == 1)
			return true;
		sleep_ms(50);
	}
	return false;
}

static void touch(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", media, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("not really a video", f);
	fclose(f);
}

/* A noop job and a scan of a library of two files, run by a worker: the
 * per-kind, job and scan counters count them once the worker has flushed
 * (at the latest when it stops). */
static void job_and_scan_are_counted(void **state)
{
	char sql[1024];
	(void)state;
	touch("Metropolis (1927).mkv");
	touch("Nosferatu (1922).mkv");
	PQclear(PQexec(pg, "INSERT INTO jobs (kind, args) VALUES ('noop', '{}')"));
	snprintf(sql, sizeof(sql),
	         "WITH l AS (INSERT INTO libraries (name, type, scan_interval_minutes, paths) "
	         "VALUES ('Metrics', 'movie', 0,"
	         " ARRAY['%s']) RETURNING id),"
	         " s AS (INSERT INTO library_scans (library_id, scan_type) SELECT id, 'full' FROM l"
	         " RETURNING id, library_id)"
	         " INSERT INTO jobs (kind, args) SELECT 'library.scan', jsonb_build_object("
	         "'library_id', library_id::text, 'scan_id', id, 'scan_type', 'full') FROM s"
	         " RETURNING id",
	         media);
	PGresult *r = PQexec(pg, sql);
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	PQclear(r);

	int fd = open(worker_log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	close(fd);
	worker = fork();
	if (worker == 0) {
		fd = open(worker_log, O_WRONLY | O_APPEND);
		dup2(fd, 1);
		dup2(fd, 2);
		execl(testenv_bin("revenge-worker"), "revenge-worker", "--config", conf,
		      (char *)NULL);
		_exit(127);
	}
	assert_true(worker > 0);
	assert_true(wait_until("SELECT (count(*) = 2)::int FROM jobs WHERE state = 'completed'"
	                       " AND kind IN ('noop', 'library.scan')",
	                       20000));
	assert_int_equal(server_stop(worker, 10000), 0); /* flushes its counters */
	worker = -1;

	scrape();
	promtool_passes();
	AT("revenge_jobs_by_kind_total{kind=\"noop\",outcome=\"completed\"}", 1);
	AT("revenge_jobs_by_kind_total{kind=\"library.scan\",outcome=\"completed\"}", 1);
	AT("revenge_scans_total{outcome=\"completed\"}", 1);
	AT("revenge_scans_total{outcome=\"failed\"}", 0);
	AT("revenge_scan_duration_seconds_count", 1);
	assert_true(value("revenge_scan_files_total") >= 2);
	assert_true(value("revenge_jobs_completed_total") >= 2);
	assert_true(value("revenge_jobs_started_total") >= 2);
}

static int group_teardown(void **state)
{
	(void)state;
	if (worker > 0) {
		kill(worker, SIGKILL);
		waitpid(worker, NULL, 0);
	}
	if (pool > 0)
		server_stop(pool, 5000);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(fresh_stack_lints_and_declares_every_series),
	    cmocka_unit_test(response_cache_miss_then_hit),
	    cmocka_unit_test(job_and_scan_are_counted),
	};
	char extra[512];

	snprintf(conf, sizeof(conf), "/tmp/revenge-metrics-%d.conf", (int)getpid());
	snprintf(sock, sizeof(sock), "/tmp/revenge-metrics-%d.sock", (int)getpid());
	snprintf(media, sizeof(media), "/tmp/revenge-metrics-media-%d", (int)getpid());
	snprintf(log_path, sizeof(log_path), "%s/log/test_metrics.log", testenv_stack_dir());
	snprintf(worker_log, sizeof(worker_log), "%s/log/test_metrics.worker.log",
	         testenv_stack_dir());
	mkdir(media, 0755);
	db_url = testenv_new_database(NULL);
	pg = testenv_connect(db_url);
	snprintf(extra, sizeof(extra),
	         "pool_size = 1\n" TESTENV_FAST_AUTH
	         "[worker]\nexecutors = 2\npoll_interval = 50ms\n"
	         "[log]\nlevel = info\n");
	testenv_write_config(conf, db_url, sock, extra);
	pool = server_start(conf, sock, log_path);
	if (pool <= 0) {
		fprintf(stderr, "the pool did not start (see %s)\n", log_path);
		return 1;
	}
	api_sock = sock;
	api_pg = pg;
	int rc = cmocka_run_group_tests(tests, NULL, group_teardown);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", media);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", media);
	unlink(conf);
	PQfinish(pg);
	return rc;
}
