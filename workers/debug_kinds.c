/*
 * Kinds for tests and benchmarks, registered only when the worker starts
 * with RV_WORKER_DEBUG_KINDS=1 in its environment (not a configuration key:
 * they are not for production). They exercise every outcome of the handler
 * API.
 */
#include <stdio.h>
#include <time.h>

#include "core/json.h"
#include "kinds.h"

const char debug_kinds_setup_sql[] =
	/* one implicit transaction: the lock keeps workers that start together
	 * from racing on the catalog */
	"SELECT pg_advisory_xact_lock(hashtext('revenge.debug_job_runs'));"
	"CREATE TABLE IF NOT EXISTS debug_job_runs (job_id bigint, worker text, at timestamptz);"
	"CREATE INDEX IF NOT EXISTS debug_job_runs_job_idx ON debug_job_runs (job_id)";

static const struct db_stmt q_record = {
	"debug_record",
	"INSERT INTO debug_job_runs (job_id, worker, at) VALUES ($1, $2, clock_timestamp())", 2,
	false};

#define MAX_MS (24LL * 3600 * 1000)

/* debug.record {"sleep_ms":N}: one row per run, written in the job's own
 * transaction (the kind is transactional), so a completed job has exactly
 * one row and a run that did not complete has none. */
static enum job_outcome debug_record(struct job_ctx *ctx, const struct job *job,
				     struct job_result *res)
{
	char id[24];
	int64_t ms = 0;

	if (json_get_int(job->args, "sleep_ms", false, 0, MAX_MS, &ms, NULL))
		return job_error(res, JOB_FAIL, "args.sleep_ms must be an integer");
	snprintf(id, sizeof(id), "%lld", (long long)job->id);
	const char *params[] = {id, ctx->worker_id};
	if (db_query(ctx->db, ctx->arena, &q_record, params, NULL))
		return job_error(res, JOB_RETRY, "debug_job_runs insert failed");
	if (ms > 0 && job_sleep(ctx, ms) < 0)
		return job_error(res, JOB_CANCEL, "stopped");
	return JOB_OK;
}

/* debug.fail {"error":"...","permanent":bool} */
static enum job_outcome debug_fail(struct job_ctx *ctx, const struct job *job,
				   struct job_result *res)
{
	const char *msg = "debug.fail";
	bool permanent = false;

	(void)ctx;
	json_get_str(job->args, "error", false, 0, JOB_ERROR_MAX - 1, &msg, NULL);
	json_get_bool(job->args, "permanent", false, &permanent, NULL);
	return job_error(res, permanent ? JOB_FAIL : JOB_RETRY, "%s", msg);
}

/* debug.snooze {"ms":N}: snoozes on its first run, succeeds on the next. */
static enum job_outcome debug_snooze(struct job_ctx *ctx, const struct job *job,
				     struct job_result *res)
{
	int64_t ms = 1000;

	(void)ctx;
	if (json_get_int(job->args, "ms", false, 1, MAX_MS, &ms, NULL))
		return job_error(res, JOB_FAIL, "args.ms must be a positive integer");
	return job->rerun ? JOB_OK : job_snooze(res, ms);
}

/* debug.cancel_me {"max_ms":N}: waits to be cancelled, checking every
 * 10 ms; completes when nobody cancels it within max_ms. */
static enum job_outcome debug_cancel_me(struct job_ctx *ctx, const struct job *job,
					struct job_result *res)
{
	int64_t ms = 10000;

	if (json_get_int(job->args, "max_ms", false, 0, MAX_MS, &ms, NULL))
		return job_error(res, JOB_FAIL, "args.max_ms must be an integer");
	return job_sleep(ctx, ms) < 0 ? job_error(res, JOB_CANCEL, "cancelled") : JOB_OK;
}

/* debug.sleep {"ms":N,"ignore_deadline":bool}: sleeps, honouring the
 * deadline and cancellation unless told to ignore them (a handler that
 * overruns, for the watchdog). */
static enum job_outcome debug_sleep(struct job_ctx *ctx, const struct job *job,
				    struct job_result *res)
{
	int64_t ms = 0;
	bool ignore = false;

	if (json_get_int(job->args, "ms", false, 0, MAX_MS, &ms, NULL) ||
	    json_get_bool(job->args, "ignore_deadline", false, &ignore, NULL))
		return job_error(res, JOB_FAIL, "bad args");
	if (ignore) {
		struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
		while (nanosleep(&ts, &ts) < 0)
			;
		return JOB_OK;
	}
	return job_sleep(ctx, ms) < 0 ? job_error(res, JOB_CANCEL, "stopped while sleeping")
				      : JOB_OK;
}

const struct job_kind debug_kinds[] = {
	{"debug.record", debug_record, 0, true},
	{"debug.fail", debug_fail, 0, false},
	{"debug.snooze", debug_snooze, 0, false},
	{"debug.cancel_me", debug_cancel_me, 0, false},
	{"debug.sleep", debug_sleep, 0, false},
};
const int debug_kinds_count = (int)(sizeof(debug_kinds) / sizeof(debug_kinds[0]));
