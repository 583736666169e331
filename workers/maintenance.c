#include "maintenance.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/log.h"

/* The retention periods in days, as in the [retention] section. */
struct policy {
	int64_t audit_days;
	int64_t completed_jobs_days;
	int64_t discarded_jobs_days;
	int64_t scan_history_days;
	int64_t expired_sessions_days;
};

static pthread_mutex_t policy_lock = PTHREAD_MUTEX_INITIALIZER;
static struct policy configured;
static int have_configured;

static void policy_from(struct policy *p, const struct config *cfg)
{
	p->audit_days = cfg->retention_audit_days;
	p->completed_jobs_days = cfg->retention_completed_jobs_days;
	p->discarded_jobs_days = cfg->retention_discarded_jobs_days;
	p->scan_history_days = cfg->retention_scan_history_days;
	p->expired_sessions_days = cfg->retention_expired_sessions_days;
}

void maintenance_configure(const struct config *cfg)
{
	pthread_mutex_lock(&policy_lock);
	policy_from(&configured, cfg);
	have_configured = 1;
	pthread_mutex_unlock(&policy_lock);
}

/* The configured policy, or the configuration's defaults when nobody
 * configured one (taken from the key table, so they cannot drift). */
static int current_policy(struct policy *out)
{
	int rc = 0;

	pthread_mutex_lock(&policy_lock);
	if (!have_configured) {
		struct config defaults;
		if (config_load_text(&defaults, NULL, 0, "defaults", NULL, NULL) == APP_OK) {
			policy_from(&configured, &defaults);
			config_release(&defaults);
			have_configured = 1;
		} else {
			rc = -1;
		}
	}
	*out = configured;
	pthread_mutex_unlock(&policy_lock);
	return rc;
}

/* Overrides from the job's args; the field name of a bad one into err. */
static int policy_args(struct policy *p, const cJSON *args, char *err, size_t errlen)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
	    {"audit_days", offsetof(struct policy, audit_days)},
	    {"completed_jobs_days", offsetof(struct policy, completed_jobs_days)},
	    {"discarded_jobs_days", offsetof(struct policy, discarded_jobs_days)},
	    {"scan_history_days", offsetof(struct policy, scan_history_days)},
	    {"expired_sessions_days", offsetof(struct policy, expired_sessions_days)},
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		int64_t *v = (int64_t *)(void *)((char *)p + keys[i].off);
		if (json_get_int(args, keys[i].key, false, 0, 36500, v, NULL)) {
			snprintf(err, errlen, "args.%s must be an integer between 0 and 36500",
			         keys[i].key);
			return -1;
		}
	}
	return 0;
}

/*
 * Each statement deletes at most one batch, chosen through an index where
 * the table has one, and reports how many rows went. $1 is a number of
 * days. The batch is locked with SKIP LOCKED: two clean-ups running at
 * once (a manual run beside the periodic one) split the rows instead of
 * deadlocking on them, and a row another transaction is busy with waits
 * for the next run rather than stalling this one.
 */
#define STR_(x) #x
#define STR(x) STR_(x)
/* closes the batch subquery of every statement below */
#define BATCH " LIMIT " STR(MAINTENANCE_BATCH) " FOR UPDATE SKIP LOCKED)"

static const struct db_stmt q_audit = {
    "maint_audit",
    "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log"
    " WHERE at < now() - $1::int * interval '1 day' ORDER BY at " BATCH,
    1, false};

/* webhook receipts (migration 0023): a replay older than this is let in */
static const struct db_stmt q_receipts = {
    "maint_webhook_receipts",
    "DELETE FROM webhook_receipts WHERE id IN (SELECT id FROM webhook_receipts"
    " WHERE received_at < now() - $1::int * interval '1 day' ORDER BY received_at " BATCH,
    1, false};

/* the notification delivery log (migration 0025) */
static const struct db_stmt q_deliveries = {
    "maint_notification_deliveries",
    "DELETE FROM notification_deliveries WHERE id IN (SELECT id FROM notification_deliveries"
    " WHERE created_at < now() - $1::int * interval '1 day' ORDER BY created_at " BATCH,
    1, false};

static const struct db_stmt q_completed = {
    "maint_completed_jobs",
    "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE state = 'completed'"
    " AND finalized_at < now() - $1::int * interval '1 day' " BATCH " AND state = 'completed'",
    1, false};

static const struct db_stmt q_discarded = {
    "maint_discarded_jobs",
    "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE state IN ('discarded', 'cancelled')"
    " AND finalized_at < now() - $1::int * interval '1 day' " BATCH
    " AND state IN ('discarded', 'cancelled')",
    1, false};

/* The newest row of each schedule stays whatever its age: the leader
 * compares the current period with it, and a yearly schedule's last period
 * is older than the cut-off. */
static const struct db_stmt q_periodic = {
    "maint_periodic_runs",
    "DELETE FROM periodic_runs WHERE (name, period_start) IN ("
    "SELECT name, period_start FROM periodic_runs p"
    " WHERE period_start < now() - $1::int * interval '1 day'"
    " AND period_start < (SELECT max(period_start) FROM periodic_runs q WHERE q.name = "
    "p.name)" BATCH,
    1, false};

/* library_scans arrives with the library issue; until it does (or if it
 * lacks the columns relied on) the scan history is skipped. */
static const struct db_stmt q_has_scans = {
    "maint_has_scans",
    "SELECT count(*) = 2 FROM pg_attribute WHERE attrelid = to_regclass('library_scans')"
    " AND attname IN ('id', 'finished_at') AND NOT attisdropped",
    0, true};

static const struct db_stmt q_scans = {
    "maint_library_scans",
    "DELETE FROM library_scans WHERE id IN (SELECT id FROM library_scans"
    " WHERE finished_at < now() - $1::int * interval '1 day' " BATCH,
    1, false};

static const struct db_stmt q_sessions = {
    "maint_sessions",
    "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions"
    " WHERE refresh_expires_at < now() - $1::int * interval '1 day'"
    " OR revoked_at < now() - $1::int * interval '1 day' " BATCH,
    1, false};

static const struct db_stmt q_api_keys = {
    "maint_api_keys",
    "DELETE FROM api_keys WHERE id IN (SELECT id FROM api_keys"
    " WHERE expires_at < now() - $1::int * interval '1 day'"
    " OR revoked_at < now() - $1::int * interval '1 day' " BATCH,
    1, false};

static const struct db_stmt q_login_failures = {
    "maint_login_failures",
    "DELETE FROM login_failures WHERE id IN (SELECT id FROM login_failures"
    " WHERE at < now() - greatest($1::int, 1) * interval '1 day' " BATCH,
    1, false};

/* MFA challenges (migration 0027): dead once expired; kept a while like
 * login failures, the audit log has their story */
static const struct db_stmt q_mfa_challenges = {
    "maint_mfa_challenges",
    "DELETE FROM mfa_challenges WHERE id IN (SELECT id FROM mfa_challenges"
    " WHERE expires_at < now() - greatest($1::int, 1) * interval '1 day' " BATCH,
    1, false};

enum step_rc { STEP_DONE, STEP_STOPPED, STEP_FAILED };

/* Run st with `days` until a batch comes back short; the rows deleted are
 * added to *count. */
static enum step_rc drain(struct job_ctx *ctx, const struct db_stmt *st, int64_t days,
                          int64_t *count)
{
	char d[24];
	const char *params[] = {d};

	snprintf(d, sizeof(d), "%lld", (long long)days);
	for (;;) {
		PGresult *r;
		int64_t n;

		if (job_should_stop(ctx))
			return STEP_STOPPED;
		if (db_query(ctx->db, ctx->arena, st, params, &r))
			return STEP_FAILED;
		if (db_cmd_tuples(r, &n))
			return STEP_FAILED;
		*count += n;
		if (n < MAINTENANCE_BATCH)
			return STEP_DONE;
	}
}

struct step {
	const char *what; /* for logs and errors */
	const struct db_stmt *st;
	int64_t days;
	int64_t count;
};

/* Run the steps in order; the outcome of the job. */
static enum job_outcome run_steps(struct job_ctx *ctx, const char *event, struct step *steps,
                                  size_t n, struct job_result *res)
{
	char summary[512];
	size_t used = 0;
	enum step_rc rc = STEP_DONE;
	size_t i;

	for (i = 0; i < n && rc == STEP_DONE; i++)
		if (steps[i].st)
			rc = drain(ctx, steps[i].st, steps[i].days, &steps[i].count);
	summary[0] = '\0';
	for (size_t k = 0; k < n && used < sizeof(summary); k++) {
		int w = snprintf(summary + used, sizeof(summary) - used, "%s%s=%lld", k ? " " : "",
		                 steps[k].what, (long long)steps[k].count);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	switch (rc) {
	case STEP_DONE:
		log_info(event, "removed %s", summary);
		return JOB_OK;
	case STEP_STOPPED:
		log_warn(event, "stopped during %s; removed %s", steps[i - 1].what, summary);
		return job_error(res, JOB_CANCEL, "stopped during %s (removed %s)",
		                 steps[i - 1].what, summary);
	case STEP_FAILED:
	default:
		log_warn(event, "failed during %s; removed %s", steps[i - 1].what, summary);
		return job_error(res, JOB_RETRY, "%s: database error (%s); removed %s",
		                 steps[i - 1].what, db_last_sqlstate(ctx->db), summary);
	}
}

static int load_policy(const struct job *job, struct policy *p, struct job_result *res)
{
	if (current_policy(p) < 0) {
		snprintf(res->error, sizeof(res->error), "no retention configuration");
		return -1;
	}
	return policy_args(p, job->args, res->error, sizeof(res->error));
}

enum job_outcome maintenance_retention(struct job_ctx *ctx, const struct job *job,
                                       struct job_result *res)
{
	struct policy p;
	PGresult *r;

	if (load_policy(job, &p, res) < 0)
		return JOB_FAIL;
	if (db_query(ctx->db, ctx->arena, &q_has_scans, NULL, &r))
		return job_error(res, JOB_RETRY, "library_scans lookup: database error");
	struct step steps[] = {
	    {"audit_log", &q_audit, p.audit_days, 0},
	    {"completed_jobs", &q_completed, p.completed_jobs_days, 0},
	    {"discarded_jobs", &q_discarded, p.discarded_jobs_days, 0},
	    {"library_scans", strcmp(PQgetvalue(r, 0, 0), "t") ? NULL : &q_scans,
	     p.scan_history_days, 0},
	    {"periodic_runs", &q_periodic, MAINTENANCE_PERIODIC_RUNS_DAYS, 0},
	    {"webhook_receipts", &q_receipts, MAINTENANCE_WEBHOOK_RECEIPTS_DAYS, 0},
	    {"notification_deliveries", &q_deliveries, MAINTENANCE_NOTIFICATION_DELIVERIES_DAYS, 0},
	};
	return run_steps(ctx, "maintenance.retention", steps, sizeof(steps) / sizeof(steps[0]),
	                 res);
}

enum job_outcome maintenance_sessions(struct job_ctx *ctx, const struct job *job,
                                      struct job_result *res)
{
	struct policy p;

	if (load_policy(job, &p, res) < 0)
		return JOB_FAIL;
	struct step steps[] = {
	    {"sessions", &q_sessions, p.expired_sessions_days, 0},
	    {"api_keys", &q_api_keys, p.expired_sessions_days, 0},
	    {"login_failures", &q_login_failures, p.expired_sessions_days, 0},
	    {"mfa_challenges", &q_mfa_challenges, p.expired_sessions_days, 0},
	};
	return run_steps(ctx, "maintenance.sessions", steps, sizeof(steps) / sizeof(steps[0]), res);
}
