/*
 * The queue under crashes (SPEC §6, crash safety): two revenge-worker
 * processes share 20 000 jobs while one of them is killed with SIGKILL and
 * restarted over and over; after the last kill it stays down, so the
 * survivor alone has to take over leadership and rescue what the dead one
 * held. Afterwards every job is completed, none is lost and none ran to
 * completion twice.
 *
 * The jobs are of the debug kind `debug.record` (registered only when
 * RV_WORKER_DEBUG_KINDS=1): it inserts a row into debug_job_runs in the
 * same transaction that completes the job, so a completed job has exactly
 * one row and a killed run leaves none. Short leases let the leader's
 * rescuer hand the jobs of a killed worker to the survivor quickly.
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
#include "server.h"
#include "testenv.h"

#define JOBS 20000
#define SLOW_JOBS 400 /* the last ones enqueued sleep SLOW_ARGS in their transaction */
#define SLOW_ARGS "{\"sleep_ms\":50}"
#define MIN_KILLS 15
#define MAX_KILLS 40
#define CHAOS_MAX_MS 30000 /* kills stop after this even below MIN_KILLS */
#define FIRST_JOB_MS 15000 /* the worker must complete a first job by then */
#define DRAIN_MS 120000    /* bound on the wait for every job to be final */

static char conf[256], log_path[256];
static const char *db_url;
static PGconn *pg;
static pid_t steady = -1, victim = -1; /* the never-killed worker, the killed one */

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* One integer from a query, or -1 on any error (reported). */
static long long sql_int(const char *sql)
{
	PGresult *r = PQexec(pg, sql);
	long long v = -1;

	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
		v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	else
		fprintf(stderr, "chaos: %s: %s\n", sql, PQresultErrorMessage(r));
	PQclear(r);
	return v;
}

static void sql_exec(const char *sql)
{
	PGresult *r = PQexec(pg, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
}

/* Print a query's rows (diagnostics on failure). */
static void sql_print(const char *title, const char *sql)
{
	PGresult *r = PQexec(pg, sql);

	fprintf(stderr, "chaos: %s\n", title);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		fprintf(stderr, "  (%s)\n", PQresultErrorMessage(r));
	} else {
		for (int i = 0; i < PQntuples(r); i++) {
			fputs("  ", stderr);
			for (int j = 0; j < PQnfields(r); j++)
				fprintf(stderr, "%s%s=%s", j ? " " : "", PQfname(r, j),
				        PQgetisnull(r, i, j) ? "NULL" : PQgetvalue(r, i, j));
			fputc('\n', stderr);
		}
	}
	PQclear(r);
}

static void print_log_tail(void)
{
	char buf[4096];
	FILE *f = fopen(log_path, "r");
	size_t n;

	if (!f)
		return;
	if (fseek(f, -(long)(sizeof(buf) - 1), SEEK_END) != 0)
		rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	fprintf(stderr, "chaos: last lines of %s:\n%s\n", log_path, buf);
}

static void diagnostics(void)
{
	sql_print(
	    "jobs by kind and state",
	    "SELECT kind, state, count(*) FROM jobs GROUP BY kind, state ORDER BY kind, state");
	sql_print(
	    "jobs completed more than once (first 10)",
	    "SELECT job_id, count(*) AS runs, string_agg(worker, ',') AS workers "
	    "FROM debug_job_runs GROUP BY job_id HAVING count(*) > 1 ORDER BY job_id LIMIT 10");
	sql_print(
	    "non-final jobs (first 10)",
	    "SELECT id, state, attempt, locked_by, lease_until, run_at, errors::text FROM jobs "
	    "WHERE state NOT IN ('completed', 'discarded', 'cancelled') ORDER BY id LIMIT 10");
	sql_print("discarded or cancelled (first 5)",
	          "SELECT id, state, attempt, errors::text FROM jobs "
	          "WHERE state IN ('discarded', 'cancelled') ORDER BY id LIMIT 5");
	print_log_tail();
}

/* A worker in its own process group, so SIGKILL reaches whatever it
 * may have started, as a machine losing the process would. */
static pid_t start_worker(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
		setpgid(0, 0);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		setenv("RV_WORKER_DEBUG_KINDS", "1", 1);
		execl(testenv_bin("revenge-worker"), "revenge-worker", "--config", conf,
		      (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		setpgid(pid, pid); /* also here: no race with the kill below */
	return pid;
}

static void crash_worker(pid_t pid)
{
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* SIGTERM, then SIGKILL after 10 s; -1 is ignored. */
static void stop_worker(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	if (server_wait(pid, 10000) < 0) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

/* the quick jobs (no sleep) not yet final */
static const char *QUICK_LEFT =
    "SELECT count(*) FROM jobs WHERE kind = 'debug.record' "
    "AND args = '{}' AND state IN ('available', 'scheduled', 'running', 'retryable')";

/* our jobs only: the leader enqueues periodic jobs of its own meanwhile */
static const char *NON_FINAL = "SELECT count(*) FROM jobs WHERE kind = 'debug.record' "
                               "AND state IN ('available', 'scheduled', 'running', 'retryable')";

static void enqueue_all(void)
{
	struct db *db = db_new(db_url, 5000, 60000);
	struct arena *a = arena_new(4096, 1 << 20);
	struct job_spec *specs = calloc(JOBS, sizeof(*specs));
	int64_t first = 0;

	assert_non_null(db);
	assert_non_null(a);
	assert_non_null(specs);
	for (int i = 0; i < JOBS; i++) {
		specs[i].kind = "debug.record";
		specs[i].priority = JOB_DEFAULT;
		specs[i].args = i >= JOBS - SLOW_JOBS ? SLOW_ARGS : NULL;
	}
	assert_int_equal(job_enqueue_bulk(db, a, specs, JOBS, &first), APP_OK);
	assert_true(first > 0);
	free(specs);
	arena_free(a);
	db_free(db);
}

static void jobs_survive_killed_workers(void **state)
{
	int kills = 0;
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	double t0, t_first, t_chaos_end, t_end;
	long long left = -1, done, running_at_last_kill;

	(void)state;
	/* the table the debug kind writes to (the worker creates it too, the
	 * same way): no unique constraint, so a second completion shows up as
	 * a second row instead of an error */
	sql_exec("CREATE TABLE IF NOT EXISTS debug_job_runs (job_id bigint, worker text, at "
	         "timestamptz)");

	t0 = now_ms();
	steady = start_worker();
	victim = start_worker();
	assert_true(steady > 0 && victim > 0);
	enqueue_all();
	assert_int_equal(sql_int("SELECT count(*) FROM jobs WHERE kind = 'debug.record'"), JOBS);

	/* the worker must be able to run the kind at all before chaos means
	 * anything */
	for (done = 0; done <= 0 && now_ms() - t0 < FIRST_JOB_MS;) {
		sleep_ms(50);
		done = sql_int("SELECT count(*) FROM jobs WHERE kind = 'debug.record' AND state = "
		               "'completed'");
	}
	if (done <= 0) {
		diagnostics();
		fail_msg(
		    "no debug.record job completed within %d s of starting two workers with "
		    "RV_WORKER_DEBUG_KINDS=1: the worker does not process the queue (or lacks the "
		    "debug kind); log: %s",
		    FIRST_JOB_MS / 1000, log_path);
	}
	t_first = now_ms();

	/* SIGKILL the same worker every 300-700 ms and start it again: at
	 * least MIN_KILLS times, and on while the quick jobs last (bounded).
	 * The last kill is not followed by a restart: it lands among the slow
	 * jobs at the end of the queue, and the survivor alone (leader by now,
	 * whoever led before) must rescue what the dead one held. */
	for (;;) {
		sleep_ms(300 + (int)(rand_r(&seed) % 401));
		crash_worker(victim);
		victim = -1;
		kills++;
		if (waitpid(steady, NULL, WNOHANG) == steady) {
			steady = -1;
			diagnostics();
			fail_msg("the worker that was never killed exited by itself (log: %s)",
			         log_path);
		}
		if (kills >= MAX_KILLS || now_ms() - t_first >= CHAOS_MAX_MS ||
		    (kills >= MIN_KILLS && sql_int(QUICK_LEFT) == 0))
			break;
		victim = start_worker();
		assert_true(victim > 0);
	}
	t_chaos_end = now_ms();
	running_at_last_kill = sql_int("SELECT count(*) FROM jobs WHERE kind = 'debug.record' "
	                               "AND state = 'running'");

	/* the survivor runs until nothing is left to do */
	while (now_ms() - t_chaos_end < DRAIN_MS) {
		left = sql_int(NON_FINAL);
		if (left == 0)
			break;
		sleep_ms(200);
	}
	t_end = now_ms();
	printf("chaos: %d SIGKILLs (seed %u) over %.1f s; first job done %.1f s after start; "
	       "%lld jobs running at the last kill; drained %.1f s after it; %.1f s in all\n",
	       kills, seed, (t_chaos_end - t_first) / 1000, (t_first - t0) / 1000,
	       running_at_last_kill, (t_end - t_chaos_end) / 1000, (t_end - t0) / 1000);
	fflush(stdout);

	long long total = sql_int("SELECT count(*) FROM jobs WHERE kind = 'debug.record'");
	long long completed = sql_int(
	    "SELECT count(*) FROM jobs WHERE kind = 'debug.record' AND state = 'completed'");
	long long dup = sql_int("SELECT count(*) FROM (SELECT job_id FROM debug_job_runs "
	                        "GROUP BY job_id HAVING count(*) > 1) d");
	long long runs = sql_int("SELECT count(*) FROM debug_job_runs");
	long long distinct_runs = sql_int("SELECT count(DISTINCT job_id) FROM debug_job_runs");
	long long completed_unrecorded = sql_int(
	    "SELECT count(*) FROM jobs j WHERE kind = 'debug.record' AND state = 'completed' "
	    "AND NOT EXISTS (SELECT 1 FROM debug_job_runs r WHERE r.job_id = j.id)");
	long long rescued =
	    sql_int("SELECT count(*) FROM jobs WHERE kind = 'debug.record' AND attempt > 1");

	printf(
	    "chaos: jobs %lld, completed %lld, runs recorded %lld (distinct %lld), "
	    "completed twice %lld, completed without a run %lld, jobs that needed a retry %lld\n",
	    total, completed, runs, distinct_runs, dup, completed_unrecorded, rescued);
	fflush(stdout);

	stop_worker(steady);
	stop_worker(victim);
	steady = victim = -1;

	if (left != 0 || total != JOBS || completed != JOBS || dup != 0 || runs != JOBS ||
	    distinct_runs != JOBS || completed_unrecorded != 0)
		diagnostics();
	assert_int_equal(left, 0);
	assert_int_equal(total, JOBS);
	assert_int_equal(completed, JOBS);
	assert_int_equal(dup, 0);
	assert_int_equal(runs, JOBS);
	assert_int_equal(distinct_runs, JOBS);
	assert_int_equal(completed_unrecorded, 0);
	assert_true(kills >= MIN_KILLS);
}

/* also after a failed assertion: no worker outlives the test */
static int stop_workers(void **state)
{
	(void)state;
	stop_worker(steady);
	stop_worker(victim);
	steady = victim = -1;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(jobs_survive_killed_workers, stop_workers),
	};
	/* short lease and heartbeat: jobs of a killed worker are rescued
	 * within seconds; frequent polling so retries are picked up soon */
	static const char extra[] =
	    "[worker]\nlease = 2s\nheartbeat = 500ms\npoll_interval = 200ms\n"
	    "shutdown_timeout = 5s\n";
	int rc;

	signal(SIGPIPE, SIG_IGN);
	snprintf(conf, sizeof(conf), "/tmp/revenge-chaos-%d.conf", (int)getpid());
	snprintf(log_path, sizeof(log_path), "%s/log/test_queue_chaos.log", testenv_stack_dir());
	unlink(log_path);
	db_url = testenv_new_database(NULL);
	testenv_write_config(conf, db_url, "/tmp/unused-chaos.sock", extra);
	pg = testenv_connect(db_url);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	PQfinish(pg);
	unlink(conf);
	return rc;
}
