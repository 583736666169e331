/*
 * The leader (workers/leader.c) and the maintenance kinds
 * (workers/maintenance.c) against a real PostgreSQL.
 *
 * Two revenge-worker processes compete, with a 100 ms leader tick
 * (RV_LEADER_TICK_MS) and both schedules at "* * * * *". Which one leads
 * is read from the database, as an operator would: pg_locks (the advisory
 * lock) -> pg_stat_activity.application_name ("revenge-leader pid=<pid>
 * ..."). Periods are made "new" without waiting for the clock by deleting
 * their periodic_runs rows and jobs, which is exactly the state a new
 * period starts from. The maintenance handlers are also called directly
 * from this binary (it links the worker objects) for the cases a worker process
 * cannot show: batches, stop requests, configuration fallbacks.
 *
 * What is proved:
 *   - exactly one of the two leads; the other stays a candidate;
 *   - every (name, period) gets exactly one job, with unique key
 *     "periodic:<name>:<unix>" and the job id recorded in periodic_runs,
 *     period after period, with both racing;
 *   - a recorded later period stops an earlier one from being enqueued;
 *   - after kill -9 of the leader the other takes over within seconds and
 *     does not enqueue the current period again, but does enqueue the next
 *     one, once; the restarted process does not take the lead back;
 *   - a SIGTERM'd leader resigns (lock released at once) and is replaced;
 *   - a leader whose session is terminated notices, logs leader.lost and
 *     competes again; someone leads again within seconds;
 *   - the rescuer: an expired running job becomes retryable with the error
 *     appended and is run again (attempt 2) by a worker, is discarded at
 *     max attempts, cancelled when a cancel was requested; a live lease is
 *     left alone; nothing is rescued twice;
 *   - maintenance.retention and maintenance.sessions enqueued with
 *     job_enqueue are completed by a worker and remove the old rows only;
 *   - the maintenance handlers delete exactly the old rows, in batches,
 *     honour args overrides, reject bad args, keep the newest periodic run
 *     of each schedule, handle library_scans only once it exists, and stop
 *     when asked.
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
#include "core/buf.h"
#include "core/config.h"
#include "core/json.h"
#include "core/log.h"
#include "core/text.h"
#include "db/db.h"
#include "handler.h"
#include "jobs/jobs.h"
#include "leader.h"
#include "maintenance.h"
#include "server.h"
#include "jobrun.h"
#include "testenv.h"

extern char **environ;

#define TICK_MS "100"
#define TAKEOVER_MS 5000

static char conf[256], logs[2][256];
static const char *db_url;
static PGconn *pg;
static pid_t kids[2] = {-1, -1};
static struct db *hdb; /* this test's own handle, for job_enqueue and handlers */
static struct arena *harena;

/* --- SQL helpers ---------------------------------------------------------- */

static void sql(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static long long sql_int(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void sql(const char *fmt, ...)
{
	char q[4096];
	va_list ap;
	PGresult *r;

	va_start(ap, fmt);
	vsnprintf(q, sizeof(q), fmt, ap);
	va_end(ap);
	r = PQexec(pg, q);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", q, PQresultErrorMessage(r));
	PQclear(r);
}

/* One integer (or -1 for NULL / no row). */
static long long sql_int(const char *fmt, ...)
{
	char q[4096];
	va_list ap;
	PGresult *r;
	long long v = -1;

	va_start(ap, fmt);
	vsnprintf(q, sizeof(q), fmt, ap);
	va_end(ap);
	r = PQexec(pg, q);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", q, PQresultErrorMessage(r));
	if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
		v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return v;
}

/* --- the competing processes --------------------------------------------- */

/* Start revenge-worker number n (0 or 1), its output in logs[n]. */
static pid_t start_kid(int n)
{
	int fd = open(logs[n], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	pid_t pid;

	close(fd);
	pid = fork();
	if (pid == 0) {
		fd = open(logs[n], O_WRONLY | O_APPEND);
		dup2(fd, 1);
		dup2(fd, 2);
		execl(testenv_bin("revenge-worker"), "revenge-worker", "--config", conf,
		      (char *)NULL);
		_exit(127);
	}
	assert_true(pid > 0);
	kids[n] = pid;
	return pid;
}

static void reap(int n, int sig)
{
	if (kids[n] <= 0)
		return;
	kill(kids[n], sig);
	if (server_wait(kids[n], 5000) < 0) {
		kill(kids[n], SIGKILL);
		waitpid(kids[n], NULL, 0);
	}
	kids[n] = -1;
}

static int kid_index(pid_t pid)
{
	return pid == kids[0] ? 0 : pid == kids[1] ? 1 : -1;
}

static int log_count(int n, const char *needle)
{
	static char buf[1 << 20];
	FILE *f = fopen(logs[n], "r");
	size_t got = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	int count = 0;

	if (f)
		fclose(f);
	buf[got] = '\0';
	for (const char *p = buf; (p = strstr(p, needle)) != NULL; p++)
		count++;
	return count;
}

/* The process whose backend holds the leader lock in this database, from
 * the application_name the leader sets; 0 when nobody holds it. */
static pid_t holder(void)
{
	unsigned long long key = (unsigned long long)LEADER_LOCK_KEY;
	char q[1024];
	PGresult *r;
	pid_t pid = 0;

	snprintf(
	    q, sizeof(q),
	    "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
	    " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
	    " AND l.classid = %llu AND l.objid = %llu"
	    " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
	    key >> 32, key & 0xffffffffu);
	r = PQexec(pg, q);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s", PQresultErrorMessage(r));
	if (PQntuples(r) > 1)
		fail_msg("%d sessions hold the leader lock", PQntuples(r));
	if (PQntuples(r) == 1) {
		const char *app = PQgetvalue(r, 0, 0), *p = strstr(app, "pid=");
		if (strncmp(app, LEADER_APP_NAME, strlen(LEADER_APP_NAME)) || !p)
			fail_msg("lock holder has application_name \"%s\"", app);
		pid = (pid_t)strtol(p + 4, NULL, 10);
	}
	PQclear(r);
	return pid;
}

/* Wait (<= ms) for a holder other than `not`; returns it or 0. */
static pid_t wait_holder(pid_t not, int ms)
{
	for (int waited = 0; waited <= ms; waited += 20) {
		pid_t h = holder();
		if (h && h != not )
			return h;
		sleep_ms(20);
	}
	return 0;
}

/* --- periodic invariants -------------------------------------------------- */

/* Every periodic job matches exactly one periodic_runs row and the other
 * way round, with the documented unique key, kind and options. */
static void check_one_job_per_period(void)
{
	long long dup = sql_int("SELECT count(*) FROM (SELECT unique_key FROM jobs"
	                        " WHERE unique_key LIKE 'periodic:%%' GROUP BY unique_key"
	                        " HAVING count(*) > 1) d");
	long long rows_bad = sql_int(
	    "SELECT count(*) FROM periodic_runs r LEFT JOIN jobs j ON j.id = r.job_id"
	    " WHERE r.name IN ('retention', 'sessions') AND (j.id IS NULL"
	    " OR j.unique_key <> 'periodic:' || r.name || ':' || extract(epoch FROM "
	    "r.period_start)::bigint"
	    " OR j.kind <> 'maintenance.' || r.name OR j.priority <> 3 OR j.max_attempts <> %d"
	    " OR j.args <> '{}')",
	    LEADER_PERIODIC_ATTEMPTS);
	long long orphans =
	    sql_int("SELECT count(*) FROM jobs j WHERE unique_key LIKE 'periodic:%%'"
	            " AND NOT EXISTS (SELECT 1 FROM periodic_runs r WHERE r.job_id = j.id)");
	long long minute_ok =
	    sql_int("SELECT count(*) FROM periodic_runs WHERE name IN ('retention', 'sessions')"
	            " AND period_start <> date_trunc('minute', period_start)");

	assert_int_equal(dup, 0);
	assert_int_equal(rows_bad, 0);
	assert_int_equal(orphans, 0);
	assert_int_equal(minute_ok, 0);
}

/* Both schedules have their current period (the minute of now, or the one
 * before when the clock just turned) recorded with a job. */
static int current_periods_enqueued(void)
{
	return sql_int("SELECT count(DISTINCT name) FROM periodic_runs"
	               " WHERE name IN ('retention', 'sessions') AND job_id IS NOT NULL"
	               " AND period_start >= date_trunc('minute', now()) - interval '1 minute'") ==
	       2;
}

static int wait_current_periods(int ms)
{
	for (int waited = 0; waited <= ms; waited += 20) {
		if (current_periods_enqueued())
			return 1;
		sleep_ms(20);
	}
	return 0;
}

/* What a new period looks like to the leader: no row, no job. */
static void forget_periods(void)
{
	sql("BEGIN; DELETE FROM jobs WHERE unique_key LIKE 'periodic:%%';"
	    " DELETE FROM periodic_runs; COMMIT");
}

/* The jobs of the two every-minute schedules. The others (library scans
 * every 5 minutes, the daily metadata refresh) also get a job after
 * forget_periods() and another when their boundary passes, so counting
 * them made the bounds below depend on the clock. */
static long long periodic_jobs(void)
{
	return sql_int("SELECT count(*) FROM jobs WHERE unique_key LIKE 'periodic:retention:%%'"
	               " OR unique_key LIKE 'periodic:sessions:%%'");
}

/* --- tests ---------------------------------------------------------------- */

static void one_leader_one_job_per_period(void **state)
{
	pid_t h;
	(void)state;

	start_kid(0);
	start_kid(1);
	h = wait_holder(0, TAKEOVER_MS);
	assert_true(h > 0);
	assert_true(kid_index(h) >= 0);
	assert_true(wait_current_periods(3000));
	check_one_job_per_period();

	/* new periods, over and over, while both race */
	for (int round = 0; round < 8; round++) {
		forget_periods();
		assert_true(wait_current_periods(3000));
		sleep_ms(250); /* a few more ticks: nothing more may come */
		check_one_job_per_period();
		/* 2, or up to 4 when the minute turned during the round */
		long long n = periodic_jobs();
		assert_true(n >= 2 && n <= 4);
	}
	/* exactly one of them ever led, and only the leader enqueued */
	assert_int_equal(log_count(0, "leader.elected") + log_count(1, "leader.elected"), 1);
	assert_int_equal(log_count(1 - kid_index(h), "leader.enqueued"), 0);
	assert_true(log_count(kid_index(h), "leader.enqueued") >= 18);
	assert_int_equal(holder(), h);
}

static long long count_retention(void)
{
	return sql_int("SELECT count(*) FROM periodic_runs WHERE name = 'retention'"
	               " AND job_id IS NOT NULL");
}

static void later_period_blocks_earlier(void **state)
{
	(void)state;
	/* a recorded period in the future: the current one is behind it */
	sql("BEGIN; DELETE FROM jobs WHERE unique_key LIKE 'periodic:%%';"
	    " DELETE FROM periodic_runs; INSERT INTO periodic_runs (name, period_start)"
	    " VALUES ('sessions', date_trunc('minute', now()) + interval '1 hour'); COMMIT");
	/* the other schedule goes on as before (one more row if the minute
	 * turns meanwhile) */
	for (int waited = 0; waited < 3000 && !count_retention(); waited += 20)
		sleep_ms(20);
	sleep_ms(500);
	assert_true(count_retention() >= 1);
	assert_int_equal(sql_int("SELECT count(*) FROM periodic_runs WHERE name = 'sessions'"), 1);
	assert_int_equal(sql_int("SELECT count(*) FROM jobs WHERE kind = 'maintenance.sessions'"),
	                 0);
	forget_periods();
	assert_true(wait_current_periods(3000));
}

static void failover_after_kill(void **state)
{
	pid_t old = holder(), fresh;
	int oi = kid_index(old), ni = 1 - oi;
	long long before;
	double t0;
	struct timespec ts;
	(void)state;

	assert_true(oi >= 0);
	assert_true(wait_current_periods(3000));
	before = periodic_jobs();
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = (double)ts.tv_sec * 1000 + (double)ts.tv_nsec / 1e6;
	kill(old, SIGKILL);
	waitpid(old, NULL, 0);
	kids[oi] = -1;
	fresh = wait_holder(old, TAKEOVER_MS);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	print_message("takeover after %.0f ms\n",
	              (double)ts.tv_sec * 1000 + (double)ts.tv_nsec / 1e6 - t0);
	assert_int_equal(fresh, kids[ni]);
	assert_int_equal(log_count(ni, "leader.elected"), 1);

	/* the current period was enqueued by the old leader: not again (unless
	 * the minute turned meanwhile, which adds exactly one per schedule) */
	sleep_ms(500);
	check_one_job_per_period();
	long long after = periodic_jobs();
	assert_true(after >= before && after <= before + 2);

	/* the next period: enqueued once, by the new leader */
	int enq = log_count(ni, "leader.enqueued");
	forget_periods();
	assert_true(wait_current_periods(3000));
	sleep_ms(300);
	check_one_job_per_period();
	assert_true(log_count(ni, "leader.enqueued") >= enq + 2);

	/* the killed worker comes back as a candidate; the lead stays */
	start_kid(oi);
	sleep_ms(800);
	assert_int_equal(holder(), fresh);
	assert_int_equal(log_count(oi, "leader.elected"), 0);
}

static void resign_on_stop(void **state)
{
	pid_t old = holder();
	int oi = kid_index(old);
	(void)state;

	assert_true(oi >= 0);
	reap(oi, SIGTERM);
	assert_int_equal(log_count(oi, "leader.resigned"), 1);
	/* the lock went with the closed session: the other leads at its next tick */
	assert_int_equal(wait_holder(old, 1000), kids[1 - oi]);
	start_kid(oi);
}

/* The leader's session is killed under it (a network cut, a DBA's
 * pg_terminate_backend): it notices at its next tick, says so, reconnects
 * and competes again; somebody leads again within seconds and periods
 * still get one job each. */
static void connection_loss(void **state)
{
	unsigned long long key = (unsigned long long)LEADER_LOCK_KEY;
	pid_t old = holder();
	int oi = kid_index(old);
	(void)state;

	assert_true(oi >= 0);
	assert_int_equal(log_count(oi, "leader.lost"), 0);
	assert_int_equal(
	    sql_int("SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_locks"
	            " WHERE locktype = 'advisory' AND granted AND objsubid = 1"
	            " AND classid = %llu AND objid = %llu) t",
	            key >> 32, key & 0xffffffffu),
	    1);
	for (int waited = 0; waited < 3000 && !log_count(oi, "leader.lost"); waited += 20)
		sleep_ms(20);
	assert_int_equal(log_count(oi, "leader.lost"), 1);
	assert_true(wait_holder(0, TAKEOVER_MS) > 0);
	forget_periods();
	assert_true(wait_current_periods(3000));
	sleep_ms(300);
	check_one_job_per_period();
}

/* A job some worker "gone" claimed; tagged by args.t. */
static void insert_running(const char *tag, int attempt, int max_attempts, const char *lease,
                           bool cancel)
{
	sql("INSERT INTO jobs (kind, args, state, attempt, max_attempts, locked_by, lease_until,"
	    " attempted_at, cancel_requested, errors) VALUES ('noop', '{\"t\":\"%s\"}', 'running',"
	    " %d, %d, 'gone', now() + interval '%s', now() - interval '1 minute', %s,"
	    " '[{\"attempt\":0,\"at\":\"x\",\"error\":\"earlier\"}]')",
	    tag, attempt, max_attempts, lease, cancel ? "true" : "false");
}

static long long rescued(const char *tag, const char *cond)
{
	return sql_int("SELECT count(*) FROM jobs WHERE args->>'t' = '%s' AND %s", tag, cond);
}

static void rescuer(void **state)
{
	static const char lease_error[] =
	    "errors->1->>'error' = 'lease expired (worker gone gone)'"
	    " AND errors->0->>'error' = 'earlier'"
	    " AND errors->1->>'at' ~ '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$'";
	(void)state;

	/* a channel that wants to hear of dead workers (nobody listens at its
	 * address; what is checked is what the rescuer queued) */
	sql("INSERT INTO notification_channels (id, name, kind, events, settings) VALUES"
	    " ('00000000-0000-4000-8000-0000000000d1', 'down', 'webhook', '{system.worker_down}',"
	    " '{\"url\": \"http://127.0.0.1:9/down\"}')");
	insert_running("retry", 1, 25, "-10 seconds", false);
	insert_running("discard", 3, 3, "-1 second", false);
	insert_running("cancel", 2, 25, "-1 second", true);
	insert_running("live", 1, 25, "1 hour", false);

	/* retry: rescued, then claimed and run again by a live worker */
	for (int waited = 0; waited < 8000 && !rescued("retry", "state = 'completed'");
	     waited += 50)
		sleep_ms(50);
	assert_int_equal(rescued("retry", "state = 'completed' AND attempt = 2"
	                                  " AND jsonb_array_length(errors) = 2"
	                                  " AND (errors->1->>'attempt')::int = 1"),
	                 1);
	assert_int_equal(rescued("retry", lease_error), 1);
	assert_int_equal(rescued("discard",
	                         "state = 'discarded' AND finalized_at IS NOT NULL"
	                         " AND locked_by IS NULL AND lease_until IS NULL AND attempt = 3"
	                         " AND jsonb_array_length(errors) = 2"
	                         " AND (errors->1->>'attempt')::int = 3"),
	                 1);
	assert_int_equal(rescued("discard", lease_error), 1);
	assert_int_equal(rescued("cancel", "state = 'cancelled' AND finalized_at IS NOT NULL"
	                                   " AND jsonb_array_length(errors) = 2"),
	                 1);
	assert_int_equal(rescued("cancel", lease_error), 1);
	assert_int_equal(rescued("live", "state = 'running' AND locked_by = 'gone'"
	                                 " AND jsonb_array_length(errors) = 1"),
	                 1);
	/* a rescued job is not rescued again */
	sleep_ms(1200);
	assert_int_equal(sql_int("SELECT count(*) FROM jobs WHERE args ? 't'"
	                         " AND jsonb_array_length(errors) > 2"),
	                 0);
	/* system.worker_down for "gone", counting the three jobs taken back
	 * (in one event, or more when a rescue ran between the inserts) */
	assert_int_equal(sql_int("SELECT sum((payload->'data'->>'jobs')::int) FROM"
	                         " notification_deliveries WHERE event = 'system.worker_down'"
	                         " AND payload->'data'->>'worker' = 'gone'"
	                         " AND payload->>'title' = 'Worker down: gone'"),
	                 3);
	sql("DELETE FROM notification_channels WHERE id = '00000000-0000-4000-8000-0000000000d1'");
	sql("DELETE FROM jobs WHERE args ? 't'");
}

/* --- the maintenance handlers, called directly ---------------------------- */

static enum job_outcome run_handler(job_handler_fn fn, const char *args, volatile int *cancel,
                                    struct job_result *res)
{
	return jobrun(fn, hdb, harena, args, cancel, res);
}

static long long count_where(const char *table, const char *cond)
{
	return sql_int("SELECT count(*) FROM %s WHERE %s", table, cond);
}

static int64_t enqueue(const char *kind)
{
	struct job_spec spec = {0};
	int64_t id = 0;

	spec.kind = kind;
	spec.priority = JOB_HIGH;
	assert_int_equal(job_enqueue(hdb, harena, &spec, &id, NULL), APP_OK);
	arena_reset(harena);
	return id;
}

static void wait_completed(int64_t id)
{
	for (int waited = 0; waited < 10000; waited += 50) {
		if (sql_int("SELECT count(*) FROM jobs WHERE id = %lld AND state = 'completed'",
		            (long long)id) == 1)
			return;
		sleep_ms(50);
	}
	fail_msg("job %lld not completed: state %lld", (long long)id,
	         sql_int("SELECT count(*) FROM jobs WHERE id = %lld", (long long)id));
}

static void seed_sessions(void);

static void worker_runs_maintenance(void **state)
{
	int64_t r, s;
	(void)state;

	sql("INSERT INTO audit_log (at, action) VALUES (now() - interval '100 days', 'e2e.old'),"
	    " (now() - interval '10 days', 'e2e.new')");
	sql("INSERT INTO jobs (kind, state, finalized_at) VALUES"
	    " ('e2e.done_old', 'completed', now() - interval '8 days'),"
	    " ('e2e.done_new', 'completed', now() - interval '1 day')");
	seed_sessions();
	r = enqueue("maintenance.retention");
	s = enqueue("maintenance.sessions");
	wait_completed(r);
	wait_completed(s);
	assert_int_equal(count_where("audit_log", "action = 'e2e.old'"), 0);
	assert_int_equal(count_where("audit_log", "action = 'e2e.new'"), 1);
	assert_int_equal(count_where("jobs", "kind = 'e2e.done_old'"), 0);
	assert_int_equal(count_where("jobs", "kind = 'e2e.done_new'"), 1);
	assert_int_equal(count_where("sessions", "device_name IN ('exp8', 'rev8')"), 0);
	assert_int_equal(
	    count_where("sessions", "device_name IN ('exp6', 'exp1m', 'rev1', 'live')"), 4);
	assert_int_equal(count_where("api_keys", "name IN ('rev8', 'exp8')"), 0);
	assert_int_equal(count_where("login_failures", "username_key = 'old8'"), 0);
	assert_int_equal(count_where("login_failures", "username_key = 'mid6'"), 1);
	/* none of the periodic runs the workers did along the way failed */
	assert_int_equal(sql_int("SELECT count(*) FROM jobs WHERE unique_key LIKE 'periodic:%%'"
	                         " AND state IN ('discarded', 'cancelled')"),
	                 0);
	assert_true(sql_int("SELECT count(*) FROM jobs WHERE unique_key LIKE 'periodic:%%'"
	                    " AND state = 'completed'") > 0);
}

static void seed_retention(void)
{
	sql("DELETE FROM audit_log; DELETE FROM jobs; DELETE FROM periodic_runs");
	sql("INSERT INTO audit_log (at, action) SELECT now() - interval '100 days', 'test.old'"
	    " FROM generate_series(1, 25000)");
	sql("INSERT INTO audit_log (at, action) SELECT now() - interval '10 days', 'test.recent'"
	    " FROM generate_series(1, 10)");
	sql("INSERT INTO audit_log (at, action) VALUES (now() - interval '89 days', 'test.edge')");
	sql("INSERT INTO jobs (kind, state, created_at, finalized_at) VALUES"
	    " ('t.completed_old', 'completed', now() - interval '9 days', now() - interval '8 "
	    "days'),"
	    " ('t.completed_new', 'completed', now() - interval '9 days', now() - interval '6 "
	    "days'),"
	    " ('t.discarded_old', 'discarded', now() - interval '40 days', now() - interval '31 "
	    "days'),"
	    " ('t.cancelled_old', 'cancelled', now() - interval '40 days', now() - interval '31 "
	    "days'),"
	    " ('t.discarded_new', 'discarded', now() - interval '40 days', now() - interval '29 "
	    "days'),"
	    " ('t.running_old', 'running', now() - interval '100 days', NULL),"
	    " ('t.available_old', 'available', now() - interval '100 days', NULL),"
	    " ('t.retryable_old', 'retryable', now() - interval '100 days', NULL)");
	sql("INSERT INTO periodic_runs (name, period_start) VALUES"
	    " ('old', now() - interval '100 days'), ('old', now() - interval '50 days'),"
	    " ('yearly', now() - interval '200 days'),"
	    " ('fresh', now() - interval '40 days'), ('fresh', now() - interval '1 day')");
	sql("DELETE FROM webhook_receipts");
	sql("INSERT INTO webhook_receipts (kind, event_type, body_sha256, received_at) VALUES"
	    " ('radarr', 'old', '\\x01', now() - interval '8 days'),"
	    " ('radarr', 'new', '\\x02', now() - interval '6 days')");
	sql("INSERT INTO notification_channels (id, name, kind) VALUES"
	    " ('00000000-0000-4000-8000-0000000000c1', 'retention', 'webhook')");
	sql("INSERT INTO notification_deliveries (channel_id, event, created_at) VALUES"
	    " ('00000000-0000-4000-8000-0000000000c1', 'old', now() - interval '31 days'),"
	    " ('00000000-0000-4000-8000-0000000000c1', 'new', now() - interval '29 days')");
}

static void retention_handler(void **state)
{
	struct job_result res;
	volatile int cancel = 0;
	(void)state;

	/* the workers are done with: nobody else writes periodic_runs now */
	reap(0, SIGTERM);
	reap(1, SIGTERM);

	seed_retention();
	/* nobody called maintenance_configure(): the configuration defaults
	 * apply (audit 90, completed 7, discarded 30 days) */
	assert_int_equal(run_handler(maintenance_retention, "{}", &cancel, &res), JOB_OK);
	assert_int_equal(count_where("audit_log", "action = 'test.old'"), 0);
	assert_int_equal(count_where("audit_log", "action = 'test.recent'"), 10);
	assert_int_equal(count_where("audit_log", "action = 'test.edge'"), 1);
	assert_int_equal(count_where("jobs", "kind IN ('t.completed_old', 't.discarded_old',"
	                                     " 't.cancelled_old')"),
	                 0);
	assert_int_equal(count_where("jobs",
	                             "kind IN ('t.completed_new', 't.discarded_new',"
	                             " 't.running_old', 't.available_old', 't.retryable_old')"),
	                 5);
	assert_int_equal(count_where("periodic_runs", "name = 'old'"), 1);
	assert_int_equal(count_where("periodic_runs",
	                             "name = 'old'"
	                             " AND period_start > now() - interval '51 days'"),
	                 1);
	assert_int_equal(count_where("periodic_runs", "name = 'yearly'"), 1);
	/* webhook receipts: a week */
	assert_int_equal(count_where("webhook_receipts", "event_type = 'old'"), 0);
	assert_int_equal(count_where("webhook_receipts", "event_type = 'new'"), 1);
	/* notification deliveries: 30 days */
	assert_int_equal(count_where("notification_deliveries", "event = 'old'"), 0);
	assert_int_equal(count_where("notification_deliveries", "event = 'new'"), 1);
	assert_int_equal(count_where("periodic_runs", "name = 'fresh'"), 1);
	assert_int_equal(count_where("periodic_runs",
	                             "name = 'fresh'"
	                             " AND period_start > now() - interval '2 days'"),
	                 1);

	/* scan history: old finished scans go, a scan still running stays */
	sql("INSERT INTO libraries (id, name, type, paths) VALUES"
	    " ('00000000-0000-4000-8000-00000000000a', 'retention', 'movie', ARRAY['/nonexistent'])");
	sql("INSERT INTO library_scans (library_id, scan_type, status, finished_at) VALUES"
	    " ('00000000-0000-4000-8000-00000000000a', 'full', 'completed', now() - interval '31 days'),"
	    " ('00000000-0000-4000-8000-00000000000a', 'full', 'completed', now() - interval '29 days'),"
	    " ('00000000-0000-4000-8000-00000000000a', 'full', 'running', NULL)");
	assert_int_equal(run_handler(maintenance_retention, "{}", &cancel, &res), JOB_OK);
	assert_int_equal(count_where("library_scans", "true"), 2);
	assert_int_equal(count_where("library_scans", "finished_at < now() - interval '30 days'"),
	                 0);
	sql("DELETE FROM libraries WHERE name = 'retention'");

	/* args override the configuration */
	assert_int_equal(run_handler(maintenance_retention, "{\"audit_days\":5}", &cancel, &res),
	                 JOB_OK);
	assert_int_equal(count_where("audit_log", "action = 'test.recent'"), 0);
	assert_int_equal(count_where("audit_log", "action = 'test.edge'"), 0);
	assert_int_equal(
	    run_handler(maintenance_retention, "{\"completed_jobs_days\":0}", &cancel, &res),
	    JOB_OK);
	assert_int_equal(count_where("jobs", "state = 'completed'"), 0);
	assert_int_equal(count_where("jobs", "state = 'discarded'"), 1);

	/* maintenance_configure() replaces the defaults */
	{
		static const char text[] = "[retention]\ndiscarded_jobs_days = 1\n";
		struct config cfg;
		assert_int_equal(config_load_text(&cfg, text, strlen(text), "t", NULL, NULL),
		                 APP_OK);
		maintenance_configure(&cfg);
		config_release(&cfg);
		assert_int_equal(run_handler(maintenance_retention, "{}", &cancel, &res), JOB_OK);
		assert_int_equal(count_where("jobs", "state = 'discarded'"), 0);
		assert_int_equal(config_load_text(&cfg, NULL, 0, "defaults", NULL, NULL), APP_OK);
		maintenance_configure(&cfg);
		config_release(&cfg);
	}

	/* bad args fail for good, naming the field */
	assert_int_equal(
	    run_handler(maintenance_retention, "{\"audit_days\":\"x\"}", &cancel, &res), JOB_FAIL);
	assert_non_null(strstr(res.error, "args.audit_days"));
	assert_int_equal(
	    run_handler(maintenance_sessions, "{\"expired_sessions_days\":40000}", &cancel, &res),
	    JOB_FAIL);
	assert_non_null(strstr(res.error, "args.expired_sessions_days"));

	/* told to stop: returns before deleting anything more */
	sql("INSERT INTO audit_log (at, action) VALUES (now() - interval '100 days', 'test.old')");
	cancel = 1;
	assert_int_equal(run_handler(maintenance_retention, "{}", &cancel, &res), JOB_CANCEL);
	assert_non_null(strstr(res.error, "stopped during audit_log"));
	assert_int_equal(count_where("audit_log", "action = 'test.old'"), 1);
}

static void seed_sessions(void)
{
	sql("DELETE FROM sessions; DELETE FROM api_keys; DELETE FROM login_failures;"
	    " DELETE FROM users WHERE username = 'retention_user'");
	sql("INSERT INTO users (username, email, password_hash)"
	    " VALUES ('retention_user', 'r@example.com', 'x')");
	sql("INSERT INTO sessions (user_id, token_hash, refresh_hash, device_name, expires_at,"
	    " refresh_expires_at, revoked_at)"
	    " SELECT (SELECT id FROM users WHERE username = 'retention_user'),"
	    " sha256(convert_to('t' || d, 'UTF8')), sha256(convert_to('r' || d, 'UTF8')), d, e, "
	    "re, rv"
	    " FROM (VALUES"
	    " ('exp8', now() - interval '9 days', now() - interval '8 days', NULL::timestamptz),"
	    " ('exp6', now() - interval '7 days', now() - interval '6 days', NULL),"
	    " ('exp1m', now() - interval '1 hour', now() - interval '1 minute', NULL),"
	    " ('rev8', now() + interval '1 hour', now() + interval '10 days', now() - interval '8 "
	    "days'),"
	    " ('rev1', now() + interval '1 hour', now() + interval '10 days', now() - interval '1 "
	    "day'),"
	    " ('live', now() + interval '1 hour', now() + interval '10 days', NULL)"
	    ") AS v (d, e, re, rv)");
	sql("INSERT INTO api_keys (user_id, name, prefix, key_hash, scopes, expires_at, revoked_at)"
	    " SELECT (SELECT id FROM users WHERE username = 'retention_user'), n, 'abcdefgh',"
	    " sha256(convert_to(n, 'UTF8')), '{read}', e, rv"
	    " FROM (VALUES"
	    " ('rev8', NULL::timestamptz, now() - interval '8 days'),"
	    " ('exp8', now() - interval '8 days', NULL::timestamptz),"
	    " ('exp6', now() - interval '6 days', NULL),"
	    " ('rev1', NULL, now() - interval '1 day'),"
	    " ('live', NULL, NULL)"
	    ") AS v (n, e, rv)");
	sql("INSERT INTO login_failures (username_key, at) VALUES"
	    " ('old8', now() - interval '8 days'), ('mid6', now() - interval '6 days'),"
	    " ('two', now() - interval '2 days'), ('new', now() - interval '2 hours')");
	sql("INSERT INTO mfa_challenges (token_hash, user_id, device_name, expires_at)"
	    " SELECT sha256(convert_to(d, 'UTF8')),"
	    " (SELECT id FROM users WHERE username = 'retention_user'), d, e"
	    " FROM (VALUES ('old8', now() - interval '8 days'), ('mid6', now() - interval '6 days'),"
	    " ('live', now() + interval '5 minutes')) AS v (d, e)");
}

static void sessions_handler(void **state)
{
	struct job_result res;
	volatile int cancel = 0;
	(void)state;

	seed_sessions();
	/* the default: 7 days */
	assert_int_equal(run_handler(maintenance_sessions, "{}", &cancel, &res), JOB_OK);
	assert_int_equal(count_where("sessions", "device_name IN ('exp8', 'rev8')"), 0);
	assert_int_equal(
	    count_where("sessions", "device_name IN ('exp6', 'exp1m', 'rev1', 'live')"), 4);
	assert_int_equal(count_where("api_keys", "name IN ('rev8', 'exp8')"), 0);
	assert_int_equal(count_where("api_keys", "name IN ('exp6', 'rev1', 'live')"), 3);
	assert_int_equal(count_where("mfa_challenges", "device_name = 'old8'"), 0);
	assert_int_equal(count_where("mfa_challenges", "device_name IN ('mid6', 'live')"), 2);
	assert_int_equal(count_where("login_failures", "username_key = 'old8'"), 0);
	assert_int_equal(count_where("login_failures", "username_key IN ('mid6', 'two', 'new')"),
	                 3);

	/* 0 days: everything expired or revoked goes, but login failures stay
	 * a day (the longest lockout window) */
	assert_int_equal(
	    run_handler(maintenance_sessions, "{\"expired_sessions_days\":0}", &cancel, &res),
	    JOB_OK);
	assert_int_equal(count_where("sessions", "true"), 1);
	assert_int_equal(count_where("sessions", "device_name = 'live'"), 1);
	assert_int_equal(count_where("api_keys", "true"), 1);
	assert_int_equal(count_where("api_keys", "name = 'live'"), 1);
	assert_int_equal(count_where("login_failures", "true"), 1);
	assert_int_equal(count_where("login_failures", "username_key = 'new'"), 1);
}

static void bad_schedule_refused(void **state)
{
	char bad[300], out[300], buf[4096] = {0};
	FILE *f;
	pid_t pid;
	(void)state;

	snprintf(bad, sizeof(bad), "%s.bad", conf);
	snprintf(out, sizeof(out), "%s/log/test_leader_bad.log", testenv_stack_dir());
	testenv_write_config(bad, db_url, "/tmp/unused.sock",
	                     "[schedule]\nsession_cleanup = \"*/15 * * * mon-sun\"\n");
	pid = fork();
	if (pid == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
		execl(testenv_bin("revenge-worker"), "revenge-worker", "--config", bad,
		      (char *)NULL);
		_exit(127);
	}
	assert_int_equal(server_wait(pid, 5000), 78);
	f = fopen(out, "r");
	assert_non_null(f);
	if (fread(buf, 1, sizeof(buf) - 1, f) == 0)
		buf[0] = '\0';
	fclose(f);
	unlink(bad);
	if (!strstr(buf, "schedule.session_cleanup: not a valid cron expression: day-of-week"))
		fail_msg("unexpected output: %s", buf);
}

static int stop_kids(void **state)
{
	(void)state;
	reap(0, SIGKILL);
	reap(1, SIGKILL);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(one_leader_one_job_per_period),
	    cmocka_unit_test(later_period_blocks_earlier),
	    cmocka_unit_test(failover_after_kill),
	    cmocka_unit_test(resign_on_stop),
	    cmocka_unit_test(connection_loss),
	    cmocka_unit_test(rescuer),
	    cmocka_unit_test(worker_runs_maintenance),
	    cmocka_unit_test(retention_handler),
	    cmocka_unit_test(sessions_handler),
	    cmocka_unit_test(bad_schedule_refused),
	};
	FILE *f;
	int rc;

	signal(SIGPIPE, SIG_IGN);
	setenv("RV_LEADER_TICK_MS", TICK_MS, 1);
	snprintf(conf, sizeof(conf), "/tmp/revenge-leader-%d.conf", (int)getpid());
	for (int i = 0; i < 2; i++)
		snprintf(logs[i], sizeof(logs[i]), "%s/log/test_leader_%c.log", testenv_stack_dir(),
		         'a' + i);
	db_url = testenv_new_database(NULL);
	testenv_write_config(conf, db_url, "/tmp/unused.sock", "");
	f = fopen(conf, "a");
	fputs("[log]\nlevel = info\n[worker]\nexecutors = 2\n"
	      "[schedule]\nretention = \"* * * * *\"\nsession_cleanup = \"* * * * *\"\n",
	      f);
	fclose(f);
	pg = testenv_connect(db_url);
	hdb = db_new(db_url, 5000, 30000);
	harena = arena_new(64 * 1024, 16 * 1024 * 1024);
	rc = cmocka_run_group_tests(tests, NULL, stop_kids);
	db_free(hdb);
	arena_free(harena);
	PQfinish(pg);
	unlink(conf);
	return rc;
}
