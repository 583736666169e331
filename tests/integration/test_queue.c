/*
 * The job queue end to end (SPEC §6): jobs enqueued through the
 * application's API (app/jobs) into a fresh database, run by real
 * build/revenge-worker processes with the debug kinds on
 * (RV_WORKER_DEBUG_KINDS=1), observed through the jobs table, the
 * debug_job_runs table (debug.record writes one row per run in the
 * transaction that completes the job) and the worker's log.
 *
 * Each test gets its own database and its own worker with short poll,
 * lease and heartbeat settings; the worker's log is kept under
 * STACK/log/test_queue.<test>.log.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/arena.h"
#include "db/db.h"
#include "jobs/jobs.h"
#include "kinds.h"
#include "server.h"
#include "testenv.h"

/* every test's worker starts from these; a test's own lines follow and win */
#define BASE_WORKER                                                                                \
	"[log]\nlevel = info\n"                                                                    \
	"[worker]\nexecutors = 2\nreserved_critical = 0\nreserved_bulk = 0\n"                      \
	"poll_interval = 50ms\nlease = 5s\nheartbeat = 100ms\nshutdown_timeout = 2s\n"

static char conf[256], log_path[512];
static char *db_url;
static PGconn *pg;
static struct db *adb;
static struct arena *ar;
static pid_t worker = -1;
static int test_no;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* ---- SQL helpers (the SQL is the test's own; values are integers) ------ */

static PGresult *q(const char *fmt, va_list ap)
{
	char sql[2048];
	vsnprintf(sql, sizeof(sql), fmt, ap);
	if (PQstatus(pg) != CONNECTION_OK)
		PQreset(pg);
	return PQexec(pg, sql);
}

/* One value as an integer (a boolean as 1/0); -1 for NULL or an error
 * (which is printed). */
static long long qint(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static long long qint(const char *fmt, ...)
{
	va_list ap;
	long long v = -1;

	va_start(ap, fmt);
	PGresult *r = q(fmt, ap);
	va_end(ap);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0)) {
		const char *s = PQgetvalue(r, 0, 0);
		v = !strcmp(s, "t") ? 1 : !strcmp(s, "f") ? 0 : strtoll(s, NULL, 10);
	} else if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fprintf(stderr, "test_queue: %s", PQresultErrorMessage(r));
	PQclear(r);
	return v;
}

static double qdouble(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static double qdouble(const char *fmt, ...)
{
	va_list ap;
	double v = -1e9;

	va_start(ap, fmt);
	PGresult *r = q(fmt, ap);
	va_end(ap);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
		v = strtod(PQgetvalue(r, 0, 0), NULL);
	PQclear(r);
	return v;
}

/* One value as text into out ("" for NULL or none). */
static const char *qstr(char *out, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static const char *qstr(char *out, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	PGresult *r = q(fmt, ap);
	va_end(ap);
	out[0] = '\0';
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
		snprintf(out, n, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return out;
}

static void qexec(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void qexec(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	PGresult *r = q(fmt, ap);
	va_end(ap);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("SQL failed: %s", PQresultErrorMessage(r));
	PQclear(r);
}

/* Poll (every 20 ms, up to timeout_ms) until the query gives 1. */
static bool wait_for(int timeout_ms, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool wait_for(int timeout_ms, const char *fmt, ...)
{
	char sql[2048];
	va_list ap;
	double end = now_ms() + timeout_ms;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	do {
		if (qint("%s", sql) == 1)
			return true;
		sleep_ms(20);
	} while (now_ms() < end);
	return false;
}

static const char *job_state(long long id)
{
	static char s[32];
	return qstr(s, sizeof(s), "SELECT state FROM jobs WHERE id = %lld", id);
}

/* ---- enqueueing through the application's API ---------------------------- */

static int64_t enqueue_full(const char *kind, const char *args, int prio, int64_t delay_ms,
			    int max_attempts, const char *unique, const char *rid, bool *dup)
{
	struct job_spec s = {kind, args, prio, delay_ms, max_attempts, unique, rid};
	int64_t id = 0;

	assert_int_equal(job_enqueue(adb, ar, &s, &id, dup), APP_OK);
	arena_reset(ar);
	return id;
}

static int64_t enqueue(const char *kind, const char *args, int prio)
{
	return enqueue_full(kind, args, prio, 0, 0, NULL, NULL, NULL);
}

/* ---- the worker under test ---------------------------------------------- */

static bool log_has(const char *a, const char *b)
{
	FILE *f = fopen(log_path, "r");
	char line[16384];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, a) && (!b || strstr(line, b));
	fclose(f);
	return found;
}

static bool wait_log(int timeout_ms, const char *a, const char *b)
{
	double end = now_ms() + timeout_ms;
	do {
		if (log_has(a, b))
			return true;
		sleep_ms(20);
	} while (now_ms() < end);
	return false;
}

static void write_conf(const char *lines)
{
	testenv_write_config(conf, db_url, "/tmp/unused.sock", "");
	FILE *f = fopen(conf, "a");
	assert_non_null(f);
	fputs(BASE_WORKER, f);
	fputs(lines ? lines : "", f);
	fclose(f);
}

/* Start a worker with the base settings plus lines; wait until it listens
 * for notifications (its first claim has happened by then or is under
 * way). */
static void start_worker(const char *lines)
{
	write_conf(lines);
	int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	close(fd);
	worker = fork();
	if (worker == 0) {
		fd = open(log_path, O_WRONLY | O_APPEND);
		dup2(fd, 1);
		dup2(fd, 2);
		setenv("RV_WORKER_DEBUG_KINDS", "1", 1);
		execl(testenv_bin("revenge-worker"), "revenge-worker", "--config", conf, (char *)NULL);
		_exit(127);
	}
	assert_true(worker > 0);
	if (!wait_log(5000, "event=worker.listener", "listening"))
		fail_msg("the worker did not start (see %s)", log_path);
}

/* SIGTERM the worker; its exit status (-1: killed after timeout_ms). */
static int stop_worker(int timeout_ms)
{
	int rc = server_stop(worker, timeout_ms);
	worker = -1;
	return rc;
}

static int setup(void **state)
{
	const char *name = *state ? *state : "test";
	(void)state;
	db_url = strdup(testenv_new_database(NULL));
	pg = testenv_connect(db_url);
	/* the worker creates it too; the test may look before the worker does */
	PQclear(PQexec(pg, debug_kinds_setup_sql));
	adb = db_new(db_url, 5000, 30000);
	ar = arena_new(64 * 1024, 16u << 20);
	snprintf(log_path, sizeof(log_path), "%s/log/test_queue.%02d.%s.log", testenv_stack_dir(),
		 ++test_no, name);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (worker > 0 && waitpid(worker, NULL, WNOHANG) == 0) {
		kill(worker, SIGKILL);
		waitpid(worker, NULL, 0);
	}
	worker = -1;
	PQfinish(pg);
	db_free(adb);
	arena_free(ar);
	free(db_url);
	return 0;
}

/* ---- tests ---------------------------------------------------------------- */

/* One shared executor, nothing reserved: with low, bulk, default, high and
 * critical jobs waiting (enqueued in that order), they run highest
 * priority first. */
static void priority_order(void **state)
{
	char order[64];
	(void)state;
	enqueue("debug.record", NULL, JOB_LOW);
	enqueue("debug.record", NULL, JOB_BULK);
	enqueue("debug.record", NULL, JOB_DEFAULT);
	enqueue("debug.record", NULL, JOB_HIGH);
	enqueue("debug.record", NULL, JOB_CRITICAL);
	start_worker("executors = 1\n");
	assert_true(wait_for(5000, "SELECT count(*) = 5 FROM debug_job_runs"));
	qstr(order, sizeof(order),
	     "SELECT string_agg(j.priority::text, ',' ORDER BY r.at)"
	     " FROM debug_job_runs r JOIN jobs j ON j.id = r.job_id");
	assert_string_equal(order, "0,1,2,3,4");
	assert_int_equal(stop_worker(3000), 0);
}

/* A flood of critical work on the one shared executor does not starve
 * bulk jobs: the reserved bulk executor finishes them during the flood. */
static void no_starvation(void **state)
{
	(void)state;
	for (int i = 0; i < 60; i++)
		enqueue("noop", "{\"sleep_ms\":50}", JOB_CRITICAL);
	for (int i = 0; i < 3; i++)
		enqueue("debug.record", NULL, JOB_BULK);
	start_worker("executors = 1\nreserved_bulk = 1\n");
	assert_true(wait_for(2500, "SELECT count(*) = 3 FROM debug_job_runs"));
	long long critical_done =
		qint("SELECT count(*) FROM jobs WHERE priority = 0 AND state = 'completed'");
	assert_true(critical_done < 60);
	assert_int_equal(stop_worker(3000), 0);
}

/* And a critical job is not stuck behind a long bulk one: the reserved
 * critical executor takes it at once (woken by NOTIFY). */
static void critical_not_stuck(void **state)
{
	(void)state;
	start_worker("executors = 1\nreserved_critical = 1\npoll_interval = 30s\n");
	long long bulk = enqueue("noop", "{\"sleep_ms\":4000}", JOB_BULK);
	assert_true(wait_for(2000, "SELECT state = 'running' FROM jobs WHERE id = %lld", bulk));
	double t0 = now_ms();
	long long crit = enqueue("debug.record", NULL, JOB_CRITICAL);
	assert_true(wait_for(2000, "SELECT state = 'completed' FROM jobs WHERE id = %lld", crit));
	assert_true(now_ms() - t0 < 2000);
	assert_string_equal(job_state(bulk), "running");
	assert_int_equal(stop_worker(8000), 0);
}

/* A unique key names at most one unfinished job; once it finished the key
 * is free again. */
static void unique_keys(void **state)
{
	bool dup = true;
	(void)state;
	int64_t a = enqueue_full("debug.record", NULL, JOB_DEFAULT, 0, 0, "scan:lib-1", NULL, &dup);
	assert_false(dup);
	int64_t b = enqueue_full("debug.record", NULL, JOB_DEFAULT, 0, 0, "scan:lib-1", NULL, &dup);
	assert_true(dup);
	assert_int_equal(a, b);
	start_worker(NULL);
	assert_true(wait_for(3000, "SELECT state = 'completed' FROM jobs WHERE id = %lld", (long long)a));
	int64_t c = enqueue_full("debug.record", NULL, JOB_DEFAULT, 0, 0, "scan:lib-1", NULL, &dup);
	assert_false(dup);
	assert_true(c != a);
	assert_true(wait_for(3000, "SELECT state = 'completed' FROM jobs WHERE id = %lld", (long long)c));
	assert_int_equal(qint("SELECT count(*) FROM debug_job_runs"), 2);
	assert_int_equal(stop_worker(3000), 0);
}

/* A job enqueued with a delay does not run before its time, and runs soon
 * after (found by polling: no notification is due then). */
static void scheduled_run_at(void **state)
{
	(void)state;
	start_worker(NULL);
	long long id = enqueue_full("debug.record", NULL, JOB_DEFAULT, 1500, 0, NULL, NULL, NULL);
	sleep_ms(1000);
	assert_string_equal(job_state(id), "scheduled");
	assert_int_equal(qint("SELECT count(*) FROM debug_job_runs"), 0);
	assert_true(wait_for(3000, "SELECT state = 'completed' FROM jobs WHERE id = %lld", id));
	assert_int_equal(qint("SELECT r.at >= j.created_at + interval '1500 ms'"
			      " FROM debug_job_runs r JOIN jobs j ON j.id = r.job_id"),
			 1);
	assert_int_equal(stop_worker(3000), 0);
}

/* Seconds between the last error's time and run_at. */
static double backoff_s(long long id)
{
	return qdouble("SELECT extract(epoch FROM run_at - (errors->-1->>'at')::timestamptz)"
		       " FROM jobs WHERE id = %lld",
		       id);
}

/* Failed attempts back off 2^attempt s (+-10 %), each error is kept, and
 * after max_attempts the job is discarded. A permanent failure and an
 * unknown kind are discarded at once. */
static void backoff_and_discard(void **state)
{
	char s[256];
	(void)state;
	start_worker(NULL);
	long long id = enqueue_full("debug.fail", "{\"error\":\"boom\"}", JOB_DEFAULT, 0, 3, NULL,
				    NULL, NULL);
	for (int attempt = 1; attempt <= 2; attempt++) {
		assert_true(wait_for(3000,
				     "SELECT state = 'retryable' AND attempt = %d FROM jobs WHERE id = %lld",
				     attempt, id));
		assert_int_equal(qint("SELECT jsonb_array_length(errors) FROM jobs WHERE id = %lld", id),
				 attempt);
		assert_int_equal(qint("SELECT (errors->-1->>'attempt')::int FROM jobs WHERE id = %lld", id),
				 attempt);
		assert_string_equal(qstr(s, sizeof(s), "SELECT errors->-1->>'error' FROM jobs WHERE id = %lld",
					 id),
				    "boom");
		double want = attempt == 1 ? 2.0 : 4.0, got = backoff_s(id);
		if (got < want * 0.9 - 0.01 || got > want * 1.1 + 0.01)
			fail_msg("attempt %d: retry after %.3f s, want %.1f s +-10%%", attempt, got, want);
		/* skip the wait: due now */
		qexec("UPDATE jobs SET run_at = now() WHERE id = %lld", id);
	}
	assert_true(wait_for(3000, "SELECT state = 'discarded' FROM jobs WHERE id = %lld", id));
	assert_int_equal(qint("SELECT jsonb_array_length(errors) FROM jobs WHERE id = %lld", id), 3);
	assert_int_equal(qint("SELECT attempt FROM jobs WHERE id = %lld", id), 3);
	assert_int_equal(qint("SELECT (finalized_at IS NOT NULL AND locked_by IS NULL)::int"
			      " FROM jobs WHERE id = %lld",
			      id),
			 1);

	long long perm = enqueue("debug.fail", "{\"error\":\"bad input\",\"permanent\":true}", JOB_HIGH);
	long long unknown = enqueue("no.such_kind", NULL, JOB_HIGH);
	assert_true(wait_for(3000, "SELECT state = 'discarded' FROM jobs WHERE id = %lld", perm));
	assert_true(wait_for(3000, "SELECT state = 'discarded' FROM jobs WHERE id = %lld", unknown));
	assert_int_equal(qint("SELECT jsonb_array_length(errors) FROM jobs WHERE id = %lld", perm), 1);
	assert_string_equal(qstr(s, sizeof(s), "SELECT errors->0->>'error' FROM jobs WHERE id = %lld",
				 unknown),
			    "unknown kind");
	assert_int_equal(stop_worker(3000), 0);
}

/* Cancelling a waiting job makes it cancelled at once and it never runs;
 * cancelling a running one reaches its handler (through the heartbeat),
 * which stops, and the job ends cancelled. */
static void cancel_jobs(void **state)
{
	(void)state;
	start_worker(NULL);
	long long waiting = enqueue_full("debug.record", NULL, JOB_DEFAULT, 60000, 0, NULL, NULL, NULL);
	assert_int_equal(job_cancel(adb, ar, waiting), APP_OK);
	assert_string_equal(job_state(waiting), "cancelled");

	long long running = enqueue("debug.cancel_me", "{\"max_ms\":20000}", JOB_DEFAULT);
	assert_true(wait_for(3000, "SELECT state = 'running' FROM jobs WHERE id = %lld", running));
	/* the heartbeat renews the lease (5 s) of the running job */
	assert_true(wait_for(1500,
			     "SELECT lease_until > attempted_at + interval '5050 ms' FROM jobs"
			     " WHERE id = %lld",
			     running));
	double t0 = now_ms();
	assert_int_equal(job_cancel(adb, ar, running), APP_OK);
	assert_true(wait_for(3000, "SELECT state = 'cancelled' FROM jobs WHERE id = %lld", running));
	assert_true(now_ms() - t0 < 3000);
	assert_int_equal(qint("SELECT attempt FROM jobs WHERE id = %lld", running), 1);
	assert_int_equal(qint("SELECT jsonb_array_length(errors) FROM jobs WHERE id = %lld", running),
			 0);
	sleep_ms(300);
	assert_string_equal(job_state(waiting), "cancelled");
	assert_int_equal(qint("SELECT count(*) FROM debug_job_runs"), 0);
	assert_true(log_has("event=job.cancelled", "job_id="));
	assert_int_equal(stop_worker(3000), 0);
}

/* A snoozed job goes back to scheduled later without counting the
 * attempt, then completes. */
static void snooze(void **state)
{
	(void)state;
	start_worker(NULL);
	long long id = enqueue("debug.snooze", "{\"ms\":1000}", JOB_DEFAULT);
	assert_true(wait_for(3000,
			     "SELECT state = 'scheduled' AND attempted_at IS NOT NULL FROM jobs"
			     " WHERE id = %lld",
			     id));
	assert_int_equal(qint("SELECT attempt FROM jobs WHERE id = %lld", id), 0);
	assert_int_equal(qint("SELECT run_at > now() + interval '500 ms' FROM jobs WHERE id = %lld", id),
			 1);
	assert_true(wait_for(3000, "SELECT state = 'completed' FROM jobs WHERE id = %lld", id));
	assert_int_equal(qint("SELECT attempt FROM jobs WHERE id = %lld", id), 1);
	assert_int_equal(qint("SELECT jsonb_array_length(errors) FROM jobs WHERE id = %lld", id), 0);
	assert_int_equal(stop_worker(3000), 0);
}

/* An enqueue inside a transaction that rolls back leaves no job and wakes
 * nobody; one that commits is run at once — with a 30 s poll interval,
 * only the notification can have woken the worker. */
static void transactional_enqueue(void **state)
{
	(void)state;
	start_worker("poll_interval = 30s\n");
	sleep_ms(200); /* the first claim after start is over */
	assert_int_equal(db_begin(adb), APP_OK);
	long long gone = enqueue("debug.record", NULL, JOB_DEFAULT);
	db_rollback(adb);
	assert_int_equal(qint("SELECT count(*) FROM jobs WHERE id = %lld", gone), 0);

	assert_int_equal(db_begin(adb), APP_OK);
	long long kept = enqueue("debug.record", NULL, JOB_DEFAULT);
	sleep_ms(200); /* not visible, not notified yet */
	assert_int_equal(qint("SELECT count(*) FROM debug_job_runs"), 0);
	double t0 = now_ms();
	assert_int_equal(db_commit(adb), APP_OK);
	assert_true(wait_for(2000, "SELECT state = 'completed' FROM jobs WHERE id = %lld", kept));
	assert_true(now_ms() - t0 < 2000);
	assert_int_equal(qint("SELECT count(*) FROM debug_job_runs"), 1);
	assert_int_equal(qint("SELECT count(*) FROM debug_job_runs WHERE job_id = %lld", gone), 0);
	assert_int_equal(stop_worker(3000), 0);
}

/* SIGTERM lets a short job finish within the shutdown timeout. */
static void shutdown_finishes_running_job(void **state)
{
	(void)state;
	start_worker("shutdown_timeout = 3s\n");
	long long id = enqueue("debug.sleep", "{\"ms\":800}", JOB_DEFAULT);
	assert_true(wait_for(3000, "SELECT state = 'running' FROM jobs WHERE id = %lld", id));
	/* claimed is not started: a stop before an executor takes the job
	 * hands it back unstarted (shutdown_releases_long_job says why) */
	assert_true(wait_log(3000, "event=job.start", "kind=debug.sleep"));
	assert_int_equal(stop_worker(5000), 0);
	assert_string_equal(job_state(id), "completed");
	assert_int_equal(qint("SELECT attempt FROM jobs WHERE id = %lld", id), 1);
}

/* A job that outlasts the shutdown timeout goes back to the queue
 * (available, attempt not counted, unlocked) and the worker exits 0
 * promptly. */
static void shutdown_releases_long_job(void **state)
{
	(void)state;
	start_worker("shutdown_timeout = 500ms\n");
	long long id = enqueue("debug.sleep", "{\"ms\":10000}", JOB_DEFAULT);
	assert_true(wait_for(3000, "SELECT state = 'running' FROM jobs WHERE id = %lld", id));
	/* 'running' is written by the claim, before an executor takes the job
	 * from its pool's queue; a stop in between hands the job back from the
	 * queue (no worker.release line). Wait for its handler to start. */
	assert_true(wait_log(3000, "event=job.start", "kind=debug.sleep"));
	double t0 = now_ms();
	assert_int_equal(stop_worker(3000), 0);
	double took = now_ms() - t0;
	if (took > 1500)
		fail_msg("the worker took %.0f ms to stop", took);
	assert_string_equal(job_state(id), "available");
	assert_int_equal(qint("SELECT attempt FROM jobs WHERE id = %lld", id), 0);
	assert_int_equal(qint("SELECT (locked_by IS NULL AND lease_until IS NULL"
			      " AND jsonb_array_length(errors) = 0)::int FROM jobs WHERE id = %lld",
			      id),
			 1);
	assert_true(log_has("event=worker.release", NULL));
	assert_true(log_has("event=worker.stop", NULL));
}

/* Every log line of a job carries its request id (or job-<id>). */
static void request_id_in_log(void **state)
{
	char want[64];
	(void)state;
	start_worker(NULL);
	long long a = enqueue_full("noop", NULL, JOB_DEFAULT, 0, 0, NULL, "rq-123", NULL);
	long long b = enqueue("debug.fail", "{\"error\":\"x\",\"permanent\":true}", JOB_DEFAULT);
	assert_true(wait_for(3000, "SELECT state = 'completed' FROM jobs WHERE id = %lld", a));
	assert_true(wait_for(3000, "SELECT state = 'discarded' FROM jobs WHERE id = %lld", b));
	assert_int_equal(stop_worker(3000), 0);
	assert_true(log_has("request_id=rq-123 event=job.start", "kind=noop"));
	assert_true(log_has("request_id=rq-123 event=job.done", "duration_ms="));
	snprintf(want, sizeof(want), "request_id=job-%lld event=job.failed", b);
	assert_true(log_has(want, "attempt=1"));
}

/* PostgreSQL restarts while 500 debug.record jobs run: the executors,
 * listener, heartbeat and completer reconnect, every job ends completed,
 * and each has exactly one run row (the row and the completion commit
 * together). */
static void pg_restart_during_processing(void **state)
{
	struct job_spec specs[500];
	(void)state;
	for (int i = 0; i < 500; i++)
		specs[i] = (struct job_spec){"debug.record", "{\"sleep_ms\":20}", JOB_DEFAULT, 0, 0,
					     NULL, NULL};
	assert_int_equal(job_enqueue_bulk(adb, ar, specs, 500, NULL), APP_OK);
	arena_reset(ar);
	start_worker("executors = 4\n");
	assert_true(wait_for(10000, "SELECT count(*) >= 40 FROM debug_job_runs"));
	assert_int_equal(testenv_stack("pg-restart"), 0);
	PQreset(pg);
	long long done_at_restart = qint("SELECT count(*) FROM jobs WHERE kind = 'debug.record'"
					 " AND state = 'completed'");
	if (!wait_for(60000, "SELECT count(*) = 500 FROM jobs WHERE kind = 'debug.record'"
			     " AND state = 'completed'"))
		fail_msg("not all jobs completed: %lld of 500 (%lld at the restart)",
			 qint("SELECT count(*) FROM jobs WHERE kind = 'debug.record'"
			      " AND state = 'completed'"),
			 done_at_restart);
	assert_true(done_at_restart < 500); /* the restart did hit the run */
	assert_int_equal(qint("SELECT count(*) FROM debug_job_runs"), 500);
	assert_int_equal(qint("SELECT count(DISTINCT job_id) FROM debug_job_runs"), 500);
	assert_int_equal(waitpid(worker, NULL, WNOHANG), 0); /* still alive */
	assert_int_equal(stop_worker(5000), 0);
}

/* A job rescued from under its executor and claimed again (here by the
 * same worker, the hardest case for the guard) is not completed by the
 * first, slow run: only the second claim completes it. */
static void rescue_scenario(const char *lines, const char *lost_log)
{
	start_worker(lines);
	long long id = enqueue("debug.sleep", "{\"ms\":2000,\"ignore_deadline\":true}", JOB_DEFAULT);
	assert_true(wait_for(3000, "SELECT state = 'running' FROM jobs WHERE id = %lld", id));
	sleep_ms(300);
	/* what the leader's rescuer does to an expired lease, made available */
	qexec("UPDATE jobs SET state = 'available', run_at = now(), locked_by = NULL,"
	      " lease_until = NULL WHERE id = %lld",
	      id);
	assert_true(wait_for(2000, "SELECT state = 'running' AND attempt = 2 FROM jobs WHERE id = %lld",
			     id));
	assert_true(wait_for(6000, "SELECT state = 'completed' FROM jobs WHERE id = %lld", id));
	/* completed by the second run: a full 2 s after its claim */
	assert_int_equal(qint("SELECT finalized_at >= attempted_at + interval '1900 ms'"
			      " FROM jobs WHERE id = %lld",
			      id),
			 1);
	assert_int_equal(qint("SELECT attempt FROM jobs WHERE id = %lld", id), 2);
	assert_true(log_has("event=job.lost", lost_log));
	assert_int_equal(stop_worker(5000), 0);
}

/* The first run ends before any heartbeat: the completion's guard
 * (attempt and attempted_at of the claim) refuses it. */
static void rescued_job_refused_by_guard(void **state)
{
	(void)state;
	rescue_scenario("lease = 10s\nheartbeat = 5s\n", "completion");
}

/* A heartbeat sees the claim is gone: the handler is told to stop and its
 * result is dropped. */
static void rescued_job_noticed_by_heartbeat(void **state)
{
	(void)state;
	rescue_scenario("lease = 2s\nheartbeat = 200ms\n", "lease lost while it runs");
}

/* Timeouts: a handler that honours its deadline fails the attempt with a
 * timeout error; one that ignores it gets its attempt recorded as failed
 * by the watchdog (deadline + grace) before it returns, and its late
 * result is dropped. */
static void job_timeouts(void **state)
{
	char s[256];
	(void)state;
	start_worker("job_timeout = 1s\n");
	long long coop = enqueue_full("debug.sleep", "{\"ms\":5000}", JOB_DEFAULT, 0, 1, NULL, NULL,
				      NULL);
	long long stuck = enqueue_full("debug.sleep", "{\"ms\":4000,\"ignore_deadline\":true}",
				       JOB_DEFAULT, 0, 1, NULL, NULL, NULL);
	double t0 = now_ms();
	assert_true(wait_for(3000, "SELECT state = 'discarded' FROM jobs WHERE id = %lld", coop));
	qstr(s, sizeof(s), "SELECT errors->0->>'error' FROM jobs WHERE id = %lld", coop);
	assert_non_null(strstr(s, "timeout"));
	/* deadline 1 s + grace 1 s */
	assert_true(wait_for(3000, "SELECT state = 'discarded' FROM jobs WHERE id = %lld", stuck));
	assert_true(now_ms() - t0 < 3500);
	qstr(s, sizeof(s), "SELECT errors->0->>'error' FROM jobs WHERE id = %lld", stuck);
	assert_non_null(strstr(s, "did not return"));
	/* the handler comes back at 4 s: its success changes nothing */
	assert_true(wait_log(4000, "event=job.abandoned", NULL));
	assert_string_equal(job_state(stuck), "discarded");
	assert_int_equal(stop_worker(3000), 0);
}

/* SIGHUP resizes the pools: from one executor to three running at once. */
static void reload_resizes_pools(void **state)
{
	(void)state;
	start_worker("executors = 1\n");
	write_conf("executors = 3\n");
	kill(worker, SIGHUP);
	assert_true(wait_log(3000, "event=worker.reload", "executors 3 shared"));
	for (int i = 0; i < 3; i++)
		enqueue("debug.sleep", "{\"ms\":1500}", JOB_DEFAULT);
	assert_true(wait_for(2000, "SELECT count(*) = 3 FROM jobs WHERE kind = 'debug.sleep'"
				   " AND state = 'running'"));
	/* and back down: the executors retire after their jobs */
	write_conf("executors = 1\n");
	kill(worker, SIGHUP);
	assert_true(wait_log(3000, "event=worker.reload", "executors 1 shared"));
	/* a bound, not a speed: 1.5 s jobs, then a batched completion, which
	 * under the sanitizers on two busy cores took past 4 s once */
	assert_true(wait_for(15000, "SELECT count(*) = 3 FROM jobs WHERE kind = 'debug.sleep'"
				    " AND state = 'completed'"));
	assert_int_equal(stop_worker(3000), 0);
}

/* the worker's counters reach job_counters, summed over its lifetime */
static void counters_flushed(void **state)
{
	(void)state;
	start_worker(NULL);
	for (int i = 0; i < 20; i++)
		enqueue("noop", NULL, 2);
	enqueue("debug.fail", "{\"error\":\"nope\",\"permanent\":true}", 2);
	assert_true(wait_for(5000, "SELECT count(*) = 20 FROM jobs WHERE kind = 'noop' AND state = 'completed'"));
	/* the failing job is enqueued last: an executor may still hold it
	 * (under ASan on two busy cores it had not run when the noops were
	 * done), and a stopping worker hands back what has not started */
	assert_true(wait_for(5000, "SELECT count(*) = 1 FROM jobs WHERE kind = 'debug.fail' AND state = 'discarded'"));
	assert_int_equal(stop_worker(5000), 0);
	/* flushed at exit at the latest */
	assert_true(qint("SELECT value FROM job_counters WHERE name = 'completed'") >= 20);
	assert_true(qint("SELECT value FROM job_counters WHERE name = 'discarded'") >= 1);
	assert_true(qint("SELECT value FROM job_counters WHERE name = 'started'") >= 21);
}

/* ---- claims of gone workers (workers/identity.h, CLAIM_RESCUE_SET) ------- */

/* A running row as a worker that is gone left it: claimed (attempt 1),
 * started or only queued, with its lease as given. */
static long long insert_claimed(const char *locked_by, bool started, const char *lease)
{
	return qint("INSERT INTO jobs (kind, args, state, attempt, attempted_at, locked_by,"
		    " lease_until, started) VALUES ('debug.record', '{}', 'running', 1,"
		    " now() - interval '1 minute', '%s', now() + interval '%s', %s) RETURNING id",
		    locked_by, lease, started ? "true" : "false");
}

/* The leader's rescuer: an expired claim that never started goes back
 * without spending an attempt or adding an error; one that started counts
 * as a failed attempt, as before. */
static void rescue_spends_no_attempt_unstarted(void **state)
{
	(void)state;
	long long unstarted = insert_claimed("elsewhere/0:1:00000000", false, "-1 second");
	long long started = insert_claimed("elsewhere/0:1:00000000", true, "-1 second");
	start_worker("lease = 2s\n");
	assert_true(wait_for(10000, "SELECT count(*) = 2 FROM jobs WHERE state = 'completed'"
				    " AND id IN (%lld, %lld)",
			     unstarted, started));
	assert_int_equal(qint("SELECT attempt FROM jobs WHERE id = %lld", unstarted), 1);
	assert_int_equal(qint("SELECT jsonb_array_length(errors) FROM jobs WHERE id = %lld", unstarted),
			 0);
	assert_int_equal(qint("SELECT attempt FROM jobs WHERE id = %lld", started), 2);
	assert_int_equal(qint("SELECT (errors->0->>'error' LIKE 'lease expired%%')::int FROM jobs"
			      " WHERE id = %lld",
			      started),
			 1);
	assert_true(log_has("event=leader.rescued", "never started: attempt not counted"));
	assert_int_equal(stop_worker(5000), 0);
}

/* A worker killed with claims outstanding (one running, one only queued;
 * the periodic jobs its leader enqueued may be queued behind the running
 * one too) and started again on the same host takes the same identity and
 * releases them at once, long before their 60 s lease would let the
 * rescuer. */
static void restart_releases_claims_at_once(void **state)
{
	char who[160];
	(void)state;
	start_worker("lease = 60s\nexecutors = 1\n");
	long long running = enqueue("debug.sleep", "{\"ms\":30000}", JOB_DEFAULT);
	assert_true(wait_log(3000, "event=job.start", "kind=debug.sleep"));
	PGresult *r = PQexec(pg, "SELECT locked_by FROM jobs WHERE kind = 'debug.sleep'");
	assert_int_equal(PQntuples(r), 1);
	snprintf(who, sizeof(who), "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	assert_non_null(strstr(who, "/0:")); /* the first slot of this host */
	long long queued = insert_claimed(who, false, "60 seconds");

	kill(worker, SIGKILL);
	waitpid(worker, NULL, 0);
	worker = -1;
	/* its sessions end with it; the identity lock goes with them */
	assert_true(wait_for(5000, "SELECT count(*) = 0 FROM pg_locks WHERE locktype = 'advisory'"
				   " AND classid = %u",
			     0x52565749u));
	double t0 = now_ms();
	/* two executors: one takes the long job again, one the others */
	start_worker("lease = 60s\nexecutors = 2\n");
	assert_true(wait_for(5000, "SELECT state = 'completed' FROM jobs WHERE id = %lld", queued));
	assert_true(wait_for(5000,
			     "SELECT locked_by IS DISTINCT FROM '%s' AND jsonb_array_length(errors) = 1"
			     " FROM jobs WHERE id = %lld",
			     who, running));
	if (now_ms() - t0 > 5000)
		fail_msg("the claims were released only after %.0f ms", now_ms() - t0);
	/* queued: no attempt spent; running: one failed attempt, named */
	assert_int_equal(qint("SELECT attempt FROM jobs WHERE id = %lld", queued), 1);
	assert_int_equal(qint("SELECT jsonb_array_length(errors) FROM jobs WHERE id = %lld", queued), 0);
	assert_int_equal(qint("SELECT (errors->0->>'error' = 'worker %s restarted')::int FROM jobs"
			      " WHERE id = %lld",
			      who, running),
			 1);
	assert_true(log_has("event=worker.released_at_start", "never started"));
	assert_true(log_has("event=worker.identity", "/0:"));
	stop_worker(5000);
}

/* A second live worker on the same host takes the next slot and leaves
 * the first one's claims alone. */
static void live_worker_keeps_its_claims(void **state)
{
	char second_log[600];
	(void)state;
	start_worker("lease = 60s\nexecutors = 1\n");
	long long id = enqueue("debug.sleep", "{\"ms\":30000}", JOB_DEFAULT);
	assert_true(wait_log(3000, "event=job.start", "kind=debug.sleep"));
	long long attempt = qint("SELECT attempt FROM jobs WHERE id = %lld", id);

	snprintf(second_log, sizeof(second_log), "%s.second", log_path);
	unlink(second_log); /* an earlier run's lines are not this worker's */
	pid_t other = fork();
	if (other == 0) {
		int fd = open(second_log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
		setenv("RV_WORKER_DEBUG_KINDS", "1", 1);
		execl(testenv_bin("revenge-worker"), "revenge-worker", "--config", conf, (char *)NULL);
		_exit(127);
	}
	assert_true(other > 0);
	bool up = false;
	for (int i = 0; i < 250 && !up; i++) {
		FILE *f = fopen(second_log, "r");
		char line[4096];
		while (f && !up && fgets(line, sizeof(line), f))
			up = strstr(line, "event=worker.listener") != NULL;
		if (f)
			fclose(f);
		if (!up)
			sleep_ms(20);
	}
	int rc = server_stop(other, 5000);
	assert_true(up);
	assert_int_equal(rc, 0);
	/* it ran under the next slot */
	FILE *f = fopen(second_log, "r");
	char line[4096];
	bool slot1 = false;
	while (f && !slot1 && fgets(line, sizeof(line), f))
		slot1 = strstr(line, "event=worker.identity") && strstr(line, "/1:");
	if (f)
		fclose(f);
	assert_true(slot1);
	assert_int_equal(qint("SELECT (state = 'running' AND attempt = %lld AND started)::int"
			      " FROM jobs WHERE id = %lld",
			      attempt, id),
			 1);
	stop_worker(5000);
}

#define T(fn) cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, (void *)#fn)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(priority_order),
		T(no_starvation),
		T(critical_not_stuck),
		T(unique_keys),
		T(scheduled_run_at),
		T(backoff_and_discard),
		T(cancel_jobs),
		T(snooze),
		T(transactional_enqueue),
		T(shutdown_finishes_running_job),
		T(shutdown_releases_long_job),
		T(request_id_in_log),
		T(rescued_job_refused_by_guard),
		T(rescued_job_noticed_by_heartbeat),
		T(job_timeouts),
		T(reload_resizes_pools),
		T(pg_restart_during_processing),
		T(counters_flushed),
		T(rescue_spends_no_attempt_unstarted),
		T(restart_releases_claims_at_once),
		T(live_worker_keeps_its_claims),
	};
	snprintf(conf, sizeof(conf), "/tmp/revenge-queue-%d.conf", (int)getpid());
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(conf);
	return rc;
}
