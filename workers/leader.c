#include "leader.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/log.h"
#include "core/text.h"
#include "db/db.h"
#include "db/sql.h"
#include "jobs/cron.h"
#include "jobs/jobs.h"
#include "notify/notify.h"
#include "claim.h"
#include "maintenance.h"

#define DEFAULT_TICK_MS 1000
#define RESCUE_TICKS 5
#define RESCUE_BATCH 1000
#define RESCUE_ROUNDS 20 /* batches per rescue at most; the rest waits a tick */
#define RESCUE_LOG_ROWS 20
#define APP_NAME_MAX 63 /* PostgreSQL keeps NAMEDATALEN - 1 bytes */

struct periodic {
	const char *name; /* periodic_runs.name */
	const char *kind;
	struct cron cron;
};

/* The schedules and what they enqueue (see leader.h). */
static const struct {
	const char *name, *kind;
	size_t cfg_off; /* of the cron string in struct config */
} periodic_table[] = {
    {"retention", "maintenance.retention", offsetof(struct config, schedule_retention)},
    {"sessions", "maintenance.sessions", offsetof(struct config, schedule_session_cleanup)},
    {"library_scans", "library.scan_due", offsetof(struct config, schedule_library_scans)},
    {"metadata_refresh", "metadata.refresh_stale", offsetof(struct config, schedule_metadata_refresh)},
    {"integration_sync", "integration.sync_due", offsetof(struct config, schedule_integration_sync)},
};
#define NPERIODIC (sizeof(periodic_table) / sizeof(periodic_table[0]))

struct leader {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cond; /* CLOCK_MONOTONIC; signalled by leader_stop */
	bool stop;           /* [mu] */
	atomic_bool leading;

	/* the thread's own, untouched by other threads after start */
	struct db *db;
	struct arena *arena;
	char *worker_id;
	char app_name[APP_NAME_MAX + 1];
	int64_t tick_ms, rescue_ms;
	struct periodic periodic[NPERIODIC];
	int lock_pid;  /* backend that holds the lock while leading */
	int named_pid; /* backend whose application_name is set */
	bool db_down;  /* the outage is logged */
	int64_t next_rescue_us;
	char classid[16], objid[16]; /* the key as pg_locks shows it */
};

static const struct db_stmt q_app_name = {
    "leader_app_name", "SELECT set_config('application_name', $1, false)", 1, false};

static const struct db_stmt q_try_lock = {"leader_try_lock",
                                          "SELECT pg_try_advisory_lock($1::bigint)", 1, false};

/* This backend holds the lock; $1 and $2 of every statement that uses
 * it carry classid and objid. Every write the leader makes is conditioned
 * on it in the same statement: db reconnects silently when it finds its
 * connection broken, and a statement on such a fresh session must not act
 * as leader. */
#define HOLDS_LOCK                                                                                 \
	"EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"    \
	" AND granted AND classid = $1::oid AND objid = $2::oid AND objsubid = 1)"

/* The per-tick proof of leadership, with the database clock: every
 * worker computes periods from the same clock whatever its host's says. */
static const struct db_stmt q_check = {
    "leader_check", "SELECT " HOLDS_LOCK ", floor(extract(epoch FROM now()))::bigint", 2, false};

/* $1 name, $2 period start (unix s). A period at or before a recorded
 * one is done: never enqueue backwards. */
static const struct db_stmt q_known = {
    "leader_period_known",
    "SELECT 1 FROM periodic_runs WHERE name = $1 AND period_start >= to_timestamp($2::bigint)"
    " LIMIT 1",
    2, false};

static const struct db_stmt q_claim_period = {
    "leader_claim_period",
    "INSERT INTO periodic_runs (name, period_start)"
    " SELECT $3::text, to_timestamp($4::bigint) WHERE " HOLDS_LOCK
    " AND NOT EXISTS (SELECT 1 FROM periodic_runs WHERE name = $3::text"
    " AND period_start > to_timestamp($4::bigint))"
    " ON CONFLICT (name, period_start) DO NOTHING RETURNING 1",
    4, false};

static const struct db_stmt q_record_job = {
    "leader_record_job",
    "UPDATE periodic_runs SET job_id = $3::bigint"
    " WHERE name = $1 AND period_start = to_timestamp($2::bigint)",
    3, false};

/* The error entry has the shape and time format of the worker's own
 * (workers/claim.c), so the admin API shows one kind of list. */
static const struct db_stmt q_rescue = {
    "leader_rescue",
    "UPDATE jobs j SET"
    CLAIM_RESCUE_SET("'lease expired (worker ' || coalesce(s.old, 'unknown') || ' gone)'")
    " FROM (SELECT id, locked_by AS old, NOT started AS unstarted FROM jobs"
    " WHERE state = 'running' AND lease_until < now()"
    " AND " HOLDS_LOCK " ORDER BY lease_until LIMIT $3::int FOR UPDATE SKIP LOCKED) s"
    " WHERE j.id = s.id"
    " RETURNING j.id, j.kind, j.state::text, coalesce(s.old, 'unknown'), j.attempt, s.unstarted",
    3, false};

static bool stopping(struct leader *l)
{
	bool s;

	pthread_mutex_lock(&l->mu);
	s = l->stop;
	pthread_mutex_unlock(&l->mu);
	return s;
}

/* Sleep until the next tick or until leader_stop. */
static void wait_tick(struct leader *l)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += l->tick_ms / 1000;
	ts.tv_nsec += (l->tick_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&l->mu);
	while (!l->stop && pthread_cond_timedwait(&l->cond, &l->mu, &ts) == 0)
		;
	pthread_mutex_unlock(&l->mu);
}

/* The connection's backend pid, connecting when needed; 0 when the
 * database cannot be reached (logged once per outage). */
static int connection(struct leader *l)
{
	PGconn *c = db_conn(l->db);

	if (!c) {
		if (!l->db_down)
			log_warn("leader.db", "database unreachable; the leader election waits");
		l->db_down = true;
		return 0;
	}
	if (l->db_down)
		log_info("leader.db", "database reachable again");
	l->db_down = false;
	return PQbackendPID(c);
}

static void lose(struct leader *l, const char *why)
{
	log_warn("leader.lost", "worker %s is no longer leader: %s; competing again", l->worker_id,
	         why);
	atomic_store(&l->leading, false);
	l->lock_pid = 0;
	/* whatever the session still holds goes with it */
	db_disconnect(l->db);
	l->named_pid = 0;
}

/* Try to become leader; true when this tick made us leader. */
static bool compete(struct leader *l)
{
	char key[24];
	const char *kp[] = {key};
	const char *np[] = {l->app_name};
	PGresult *r;
	int pid = connection(l);

	if (!pid)
		return false;
	if (pid != l->named_pid) {
		if (db_query(l->db, l->arena, &q_app_name, np, NULL))
			return false;
		l->named_pid = pid;
	}
	snprintf(key, sizeof(key), "%lld", (long long)LEADER_LOCK_KEY);
	if (db_query(l->db, l->arena, &q_try_lock, kp, &r) || strcmp(PQgetvalue(r, 0, 0), "t"))
		return false;
	/* the statement ran on the connection we have now (db never resends a
	 * non-idempotent statement), and the first check proves it anyway */
	l->lock_pid = connection(l);
	atomic_store(&l->leading, true);
	l->next_rescue_us = 0;
	log_info("leader.elected", "worker %s is now leader (backend pid %d)", l->worker_id,
	         l->lock_pid);
	return true;
}

/* Still leader? *now_s receives the database clock. */
static bool check(struct leader *l, int64_t *now_s)
{
	const char *p[] = {l->classid, l->objid};
	PGresult *r;
	int pid = connection(l);

	if (!pid || pid != l->lock_pid) {
		lose(l, pid ? "the database connection was re-established"
		            : "the database connection is gone");
		return false;
	}
	if (db_query(l->db, l->arena, &q_check, p, &r)) {
		lose(l, "the leadership check failed");
		return false;
	}
	if (strcmp(PQgetvalue(r, 0, 0), "t")) {
		lose(l, "the session no longer holds the lock");
		return false;
	}
	if (db_get_int64(r, 0, 1, now_s)) {
		lose(l, "the leadership check answered no time");
		return false;
	}
	return true;
}

static const char *iso_utc(int64_t t, char out[24])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (!gmtime_r(&tt, &tm) || !strftime(out, 24, "%Y-%m-%dT%H:%MZ", &tm))
		snprintf(out, 24, "%lld", (long long)t);
	return out;
}

/* One transaction: record the period, enqueue its job, note the job id.
 * Nothing happens when the period is recorded already, a later one is, or
 * this session does not hold the lock. */
static enum app_err enqueue_period(struct leader *l, const struct periodic *p, int64_t start)
{
	char ps[24], idtxt[24], key[160], when[24];
	const char *cp[] = {l->classid, l->objid, p->name, ps};
	const char *rp[] = {p->name, ps, idtxt};
	struct job_spec spec = {0};
	PGresult *r;
	int64_t id = 0;
	bool dup = false;
	enum app_err e;

	snprintf(ps, sizeof(ps), "%lld", (long long)start);
	snprintf(key, sizeof(key), "periodic:%s:%lld", p->name, (long long)start);
	spec.kind = p->kind;
	spec.args = "{}";
	spec.priority = JOB_LOW;
	spec.max_attempts = LEADER_PERIODIC_ATTEMPTS;
	spec.unique_key = key;
	if ((e = db_begin(l->db)))
		return e;
	if ((e = db_query(l->db, l->arena, &q_claim_period, cp, &r)))
		goto fail;
	if (PQntuples(r) == 0) {
		db_rollback(l->db);
		return APP_OK;
	}
	if ((e = job_enqueue(l->db, l->arena, &spec, &id, &dup)))
		goto fail;
	snprintf(idtxt, sizeof(idtxt), "%lld", (long long)id);
	if ((e = db_query(l->db, l->arena, &q_record_job, rp, NULL)) || (e = db_commit(l->db)))
		goto fail;
	log_info("leader.enqueued", "%s: job %lld (%s%s) for the period starting %s", p->name,
	         (long long)id, p->kind, dup ? ", already queued" : "", iso_utc(start, when));
	return APP_OK;
fail:
	db_rollback(l->db);
	log_warn("leader.periodic", "%s: enqueueing the period starting %s failed (%s)", p->name,
	         iso_utc(start, when), app_err_slug(e));
	return e;
}

static enum app_err run_schedules(struct leader *l, int64_t now_s)
{
	for (size_t i = 0; i < NPERIODIC; i++) {
		const struct periodic *p = &l->periodic[i];
		int64_t start = cron_prev(&p->cron, now_s);
		char ps[24];
		const char *kp[] = {p->name, ps};
		PGresult *r;
		enum app_err e;

		if (start < 0)
			continue;
		snprintf(ps, sizeof(ps), "%lld", (long long)start);
		if ((e = db_query(l->db, l->arena, &q_known, kp, &r)))
			return e;
		if (PQntuples(r) == 0 && (e = enqueue_period(l, p, start)))
			return e;
	}
	return APP_OK;
}

/* system.worker_down (notify/notify.h), once per worker whose jobs one
 * rescue round took back: the rescuer is what notices a worker that died
 * while it held jobs (an idle worker that dies leaves nothing to notice). */
static void workers_down(struct leader *l, const PGresult *r)
{
	const char *seen[RESCUE_BATCH];
	int nseen = 0;

	for (int i = 0; i < PQntuples(r) && nseen < RESCUE_BATCH; i++) {
		const char *w = PQgetvalue(r, i, 3);
		int jobs = 0, k;
		for (k = 0; k < nseen && strcmp(seen[k], w); k++)
			;
		if (k < nseen)
			continue;
		seen[nseen++] = w;
		for (int j = i; j < PQntuples(r); j++)
			jobs += !strcmp(PQgetvalue(r, j, 3), w);
		const char *payload = notify_payload(
		    l->arena, arena_printf(l->arena, "Worker down: %s", w),
		    arena_printf(
		        l->arena,
		        "The worker %s stopped renewing its jobs' leases; %d of its jobs were "
		        "put back in the queue.",
		        w, jobs),
		    (const char *const[]){"worker", w, "jobs", arena_printf(l->arena, "%d", jobs),
		                          NULL});
		if (notify_event(l->db, l->arena, "system.worker_down", payload, NULL))
			log_warn("notify.event", "system.worker_down for %s was not queued", w);
	}
}

static enum app_err rescue(struct leader *l)
{
	char limit[16];
	const char *p[] = {l->classid, l->objid, limit};
	int logged = 0, total = 0;

	snprintf(limit, sizeof(limit), "%d", RESCUE_BATCH);
	for (int round = 0; round < RESCUE_ROUNDS; round++) {
		PGresult *r;
		enum app_err e = db_query(l->db, l->arena, &q_rescue, p, &r);
		int n;

		if (e)
			return e;
		n = PQntuples(r);
		for (int i = 0; i < n && logged < RESCUE_LOG_ROWS; i++, logged++)
			log_warn("leader.rescued",
			         "job %s (%s, attempt %s): lease expired (worker %s gone); now %s%s",
			         PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 4),
			         PQgetvalue(r, i, 3), PQgetvalue(r, i, 2),
			         PQgetvalue(r, i, 5)[0] == 't' ? " (never started: attempt not counted)"
			                                       : "");
		total += n;
		workers_down(l, r);
		if (n < RESCUE_BATCH)
			break;
	}
	if (total > logged)
		log_warn("leader.rescued", "%d jobs with expired leases rescued (%d listed)", total,
		         logged);
	return APP_OK;
}

static void tick(struct leader *l)
{
	int64_t now_s;

	if (!atomic_load(&l->leading) && !compete(l))
		return;
	if (!check(l, &now_s))
		return;
	/* a failed action is retried next tick; the check there decides
	 * whether we are still leader */
	if (run_schedules(l, now_s))
		return;
	if (now_mono_us() >= l->next_rescue_us) {
		if (rescue(l))
			return;
		l->next_rescue_us = now_mono_us() + l->rescue_ms * 1000;
	}
}

static void *leader_main(void *arg)
{
	struct leader *l = arg;

	log_info("leader.start", "worker %s competes for leadership every %lld ms", l->worker_id,
	         (long long)l->tick_ms);
	while (!stopping(l)) {
		tick(l);
		arena_reset(l->arena);
		wait_tick(l);
	}
	return NULL;
}

/* application_name: printable ASCII only, cut to what PostgreSQL keeps. */
static void set_app_name(struct leader *l)
{
	char raw[256];

	snprintf(raw, sizeof(raw), "%s pid=%d %s", LEADER_APP_NAME, (int)getpid(), l->worker_id);
	for (size_t i = 0; i < APP_NAME_MAX && raw[i]; i++) {
		l->app_name[i] = raw[i] >= 0x20 && raw[i] < 0x7f ? raw[i] : '?';
		l->app_name[i + 1] = '\0';
	}
}

static int64_t tick_from_env(void)
{
	const char *s = getenv("RV_LEADER_TICK_MS");
	int64_t v;

	if (!s || !*s)
		return DEFAULT_TICK_MS;
	if (parse_int64(s, 10, 60000, &v) < 0) {
		log_warn("leader.config", "RV_LEADER_TICK_MS must be 10..60000; using %d",
		         DEFAULT_TICK_MS);
		return DEFAULT_TICK_MS;
	}
	return v;
}

static void leader_free(struct leader *l)
{
	db_free(l->db);
	arena_free(l->arena);
	free(l->worker_id);
	pthread_cond_destroy(&l->cond);
	pthread_mutex_destroy(&l->mu);
	free(l);
}

struct leader *leader_start(const struct config *cfg, const char *worker_id)
{
	struct leader *l = calloc(1, sizeof(*l));
	pthread_condattr_t ca;
	uint64_t key = (uint64_t)LEADER_LOCK_KEY;
	char why[160];

	if (!l)
		goto nomem;
	for (size_t i = 0; i < NPERIODIC; i++) {
		const char *expr =
		    *(char *const *)(const void *)((const char *)cfg + periodic_table[i].cfg_off);
		if (cron_parse(expr, &l->periodic[i].cron, why, sizeof(why)) < 0) {
			log_error("leader.config", "schedule for %s: %s", periodic_table[i].name,
			          why);
			free(l);
			return NULL;
		}
		l->periodic[i].name = periodic_table[i].name;
		l->periodic[i].kind = periodic_table[i].kind;
	}
	pthread_mutex_init(&l->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&l->cond, &ca);
	pthread_condattr_destroy(&ca);
	l->worker_id = strdup(worker_id ? worker_id : "unknown");
	l->db = db_new(cfg->database_url, (int)cfg->database_connect_timeout,
	               (int)cfg->database_statement_timeout);
	l->arena = arena_new(16 * 1024, 4 * 1024 * 1024);
	if (!l->worker_id || !l->db || !l->arena) {
		leader_free(l);
		goto nomem;
	}
	set_app_name(l);
	snprintf(l->classid, sizeof(l->classid), "%u", (unsigned)(key >> 32));
	snprintf(l->objid, sizeof(l->objid), "%u", (unsigned)(key & 0xffffffffu));
	l->tick_ms = tick_from_env();
	/* rescue every few ticks, but at least twice per lease so a short
	 * lease (tests, chaos runs) is rescued promptly */
	l->rescue_ms = RESCUE_TICKS * l->tick_ms;
	if (cfg->worker_lease / 2 < l->rescue_ms)
		l->rescue_ms =
		    cfg->worker_lease / 2 > l->tick_ms ? cfg->worker_lease / 2 : l->tick_ms;
	maintenance_configure(cfg);
	if (pthread_create(&l->thread, NULL, leader_main, l)) {
		log_error("leader.start", "cannot start the leader thread");
		leader_free(l);
		return NULL;
	}
	return l;
nomem:
	log_error("leader.start", "out of memory");
	return NULL;
}

void leader_stop(struct leader *l)
{
	if (!l)
		return;
	pthread_mutex_lock(&l->mu);
	l->stop = true;
	pthread_cond_signal(&l->cond);
	pthread_mutex_unlock(&l->mu);
	pthread_join(l->thread, NULL);
	if (atomic_load(&l->leading))
		log_info("leader.resigned", "worker %s stops being leader", l->worker_id);
	leader_free(l);
}

bool leader_is_leader(const struct leader *l)
{
	return l && atomic_load(&l->leading);
}
