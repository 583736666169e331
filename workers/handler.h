/*
 * handler: the contract between the worker and the code that does a job's
 * work (SPEC §6). A kind is a name, a handler function and two options; the
 * registry of kinds is the table in workers/kinds.c.
 *
 * A handler runs on one executor thread. It gets the job, a context with
 * the executor's own database connection and a per-job arena, and a result
 * to fill. It returns what should happen to the job:
 *
 *   JOB_OK      done: the job becomes `completed`.
 *   JOB_RETRY   this attempt failed (set an error): `retryable` again after
 *               1 s x 2^attempt (+-10 %, at most 1 h), or `discarded` once
 *               attempt reaches max_attempts. Every failed attempt appends
 *               {"attempt":n,"at":"...","error":"..."} to the job's errors.
 *   JOB_SNOOZE  not now: `scheduled` again in snooze_ms; the attempt is not
 *               counted (the next run sees the same attempt number, with
 *               job->rerun set).
 *   JOB_CANCEL  stop for good: `cancelled` (the handler noticed
 *               job_should_stop() after an operator cancelled the job).
 *   JOB_FAIL    failed for good: `discarded` now, the error appended.
 *
 * Memory: everything the handler allocates from ctx->arena is freed after
 * the job (the arena is reset per job; register PGresult/cJSON with
 * arena_defer, db_query does it for results). job and its strings belong to
 * the executor and live until the handler returns.
 *
 * Database: ctx->db is the executor's connection, not shared with any other
 * thread. For a kind marked `transactional` the executor opens a
 * transaction before the handler runs and, when the handler returns JOB_OK,
 * marks the job completed inside that same transaction and commits: the
 * handler's writes and the completion are one atomic unit (either both
 * happen or neither). Any other outcome rolls the transaction back. Such a
 * handler must not BEGIN/COMMIT itself, and must return at once when a
 * statement fails (the transaction is gone; a later statement would run on
 * a fresh connection outside it).
 *
 * Time: each job has a deadline (the kind's timeout_ms, else
 * worker.job_timeout). A thread cannot be killed safely, so the deadline is
 * cooperative: handlers that loop or wait check job_should_stop() or use
 * job_sleep(), which return early once the deadline passes or the job must
 * stop. In a transactional kind the executor also sets the transaction's
 * statement_timeout to the time left, so a long query is cancelled by
 * PostgreSQL at the deadline. A handler that returns after its deadline has
 * failed that attempt ("timeout"), whatever it returns. One that still has
 * not returned a grace period later (a tenth of the timeout, 1 s to 30 s)
 * gets its attempt recorded as failed by the worker's watchdog; its result
 * is then ignored whenever it comes back, and the executor stays occupied
 * until it does (at shutdown it is abandoned).
 *
 * Stopping: *ctx->cancel_requested becomes non-zero when an operator
 * cancels the job, when the deadline passes, when the job's lease was lost
 * (another worker may run it) and when the worker shuts down past its
 * shutdown timeout. The handler should return soon after, normally with
 * JOB_CANCEL; the executor decides what that means for each cause (only an
 * operator's cancel makes the job `cancelled`).
 */
#ifndef REVENGE_WORKERS_HANDLER_H
#define REVENGE_WORKERS_HANDLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "core/arena.h"
#include "db/db.h"

struct job {
	int64_t id;
	const char *kind;
	const cJSON *args;      /* the job's args object (never NULL) */
	int attempt;            /* 1 on the first run; snoozes and releases do not count */
	int max_attempts;
	int priority;           /* enum job_priority: 0 critical .. 4 bulk */
	const char *request_id; /* the request that enqueued the job, or NULL */
	int64_t deadline_us;    /* CLOCK_MONOTONIC microseconds, as now_mono_us() */
	bool rerun;             /* ran before: after a snooze, a failed attempt, a
				   release at shutdown or a rescue */
};

struct job_ctx {
	struct db *db;                   /* the executor's connection */
	struct arena *arena;             /* reset after each job */
	volatile int *cancel_requested;  /* read with job_should_stop() */
	const struct job *job;
	const char *worker_id;           /* this worker, as in jobs.locked_by */
};

enum job_outcome {
	JOB_OK = 0,
	JOB_RETRY,
	JOB_SNOOZE,
	JOB_CANCEL,
	JOB_FAIL,
};

#define JOB_ERROR_MAX 1024

struct job_result {
	char error[JOB_ERROR_MAX]; /* for JOB_RETRY / JOB_FAIL; "" gives a generic text */
	int64_t snooze_ms;         /* for JOB_SNOOZE; 0 = 1 s */
};

typedef enum job_outcome (*job_handler_fn)(struct job_ctx *ctx, const struct job *job,
					   struct job_result *res);

struct job_kind {
	const char *kind;   /* as enqueued: ^[a-z][a-z0-9_.]{0,63}$ */
	job_handler_fn fn;
	int64_t timeout_ms; /* 0 = worker.job_timeout */
	bool transactional; /* run inside one transaction with the completion */
};

/* True once the job should stop: cancel requested (for any of the causes
 * above) or deadline passed. Cheap; call it in every loop. */
bool job_should_stop(const struct job_ctx *ctx);

/* Milliseconds left before the deadline (0 when passed). */
int64_t job_remaining_ms(const struct job_ctx *ctx);

/* Sleep ms milliseconds in short steps, returning early when
 * job_should_stop(). 0 when the whole time was slept, -1 when cut short. */
int job_sleep(const struct job_ctx *ctx, int64_t ms);

/* Write a printf-formatted error into res and return o; for
 * `return job_error(res, JOB_RETRY, "tmdb: HTTP %d", status);`. */
enum job_outcome job_error(struct job_result *res, enum job_outcome o, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Ask for the job to run again in ms milliseconds (attempt not counted). */
enum job_outcome job_snooze(struct job_result *res, int64_t ms);

#endif
