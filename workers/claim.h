/*
 * claim: the worker's SQL on the jobs table (docs/internals/queue.md).
 *
 * A claim moves due jobs to `running` with this worker in locked_by, a
 * fresh lease, attempt + 1 and attempted_at = the claim's time. The pair
 * (attempt, attempted_at) names that one claim: every later write about the
 * job (complete, fail, snooze, cancel, release) is guarded by
 *     id = … AND state = 'running' AND locked_by = me
 *     AND attempt = … AND attempted_at = …
 * so it changes nothing once the job has been rescued from under this
 * worker, even if this same worker has claimed it again since. Each write
 * reports whether it applied.
 *
 * All functions run on the caller's connection (inside its transaction when
 * one is open) and return APP_OK or the db_query error (APP_ERR_DB when the
 * connection failed: whether the statement took effect is then unknown).
 */
#ifndef REVENGE_WORKERS_CLAIM_H
#define REVENGE_WORKERS_CLAIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"
#include "db/sql.h"

/* One claim of one job. */
struct claim_ref {
	int64_t id;
	int attempt;
	int64_t at_us; /* attempted_at, microseconds since the Unix epoch */
};

/* A claimed job; strings point into a result held by the arena. */
struct claim_row {
	struct claim_ref ref;
	const char *kind;
	const char *args;       /* JSON object text */
	const char *request_id; /* NULL when none */
	int max_attempts;
	int priority;
	int64_t run_at_us;
	bool cancel_requested; /* cancelled while it ran before (e.g. rescued) */
	bool rerun;            /* attempted before */
	bool started;          /* marked started by the claim (jobs.started) */
};

/*
 * The SET list that takes a claim of a gone worker back, used by the
 * leader's rescuer (expired lease) and at a worker's start-up (same
 * identity). A claim that started (jobs.started) counts as a failed
 * attempt: retryable, discarded when attempt >= max_attempts, or cancelled
 * when asked, with {attempt, at, error: <reason, an SQL text expression>}
 * appended to errors. A claim that never started spends nothing: it
 * becomes available (cancelled when asked) with attempt - 1 and no error.
 */
#define CLAIM_RESCUE_SET(reason)                                                                   \
	" state = (CASE WHEN cancel_requested THEN 'cancelled'"                                    \
	" WHEN NOT started THEN 'available'"                                                \
	" WHEN attempt >= max_attempts THEN 'discarded' ELSE 'retryable' END)::job_state,"        \
	" finalized_at = CASE WHEN cancel_requested"                                               \
	" OR (started AND attempt >= max_attempts) THEN now() END,"                \
	" errors = CASE WHEN NOT started THEN errors"                                       \
	" ELSE errors || jsonb_build_array(jsonb_build_object('attempt', attempt,"                \
	" 'at', " SQL_TS("now()") ","                                                              \
	" 'error', " reason ")) END,"                                                              \
	" attempt = CASE WHEN NOT started THEN greatest(attempt - 1, 0) ELSE attempt END,"  \
	" run_at = now(), locked_by = NULL, lease_until = NULL, started = true"

/*
 * Claim up to limit due jobs (available, scheduled or retryable with run_at
 * <= now()) whose priority bit is set in allowed (bit p = priority p), in
 * claim order: priority, then run_at, then id. Rows locked by another
 * claimer are skipped (FOR UPDATE SKIP LOCKED), so concurrent claimers never
 * take the same job. *rows (arena) receives them in claim order, *n their
 * number. The first start_now of them (in claim order) are marked started
 * by the claim itself (row->started): the caller has that many idle
 * executors that start them at once; the others must be marked with
 * claim_mark_started before their handler runs.
 */
enum app_err claim_jobs(struct db *db, struct arena *a, const char *me, unsigned allowed, int limit,
			int start_now, int64_t lease_ms, struct claim_row **rows, int *n);

/* Record that the handler of this claim starts (jobs.started) before it
 * runs: from then on a rescue counts the attempt. *applied is false when
 * the claim is no longer ours. */
enum app_err claim_mark_started(struct db *db, struct arena *a, const char *me,
				const struct claim_ref *ref, bool *applied);

/* Advisory lock class of worker identities ("RVWI"): a worker holds
 * (class, hashtext("host/slot")) on a session of its own for its life. */
#define CLAIM_IDENTITY_LOCK_CLASS 0x52565749

/* Take back every running claim whose locked_by starts with "identity:"
 * (an earlier process of this worker identity, "host/slot") and is not me,
 * as the rescuer does (CLAIM_RESCUE_SET). The caller must hold the
 * identity's lock (the statement takes it again, so a session that lost it
 * changes nothing). *res: (id, kind, new state, attempt, "t" when the
 * claim never started). */
enum app_err claim_release_identity(struct db *db, struct arena *a, const char *identity,
				    const char *me, PGresult **res);

/* Mark n claims completed in one statement. applied[i] (caller's array of
 * n) tells whether refs[i] was still this worker's claim and is now
 * completed. */
enum app_err claim_complete(struct db *db, struct arena *a, const char *me,
			    const struct claim_ref *refs, size_t n, bool *applied);

enum claim_op {
	CLAIM_RETRY,   /* failed attempt: retryable after delay_ms, or discarded when
			  attempt >= max_attempts; error appended */
	CLAIM_DISCARD, /* failed for good: discarded now; error appended */
	CLAIM_CANCEL,  /* cancelled now */
	CLAIM_SNOOZE,  /* scheduled again after delay_ms; attempt not counted */
	CLAIM_RELEASE, /* back to available now, attempt not counted (cancelled
			  instead when a cancel was requested meanwhile) */
};

/* Apply op to one claim. *applied tells whether it was still ours; *state
 * (may be NULL) receives the job's new state name ("retryable",
 * "discarded", …; static storage) when applied. error is used by RETRY and
 * DISCARD (NULL: "failed"). */
enum app_err claim_finish(struct db *db, struct arena *a, const char *me,
			  const struct claim_ref *ref, enum claim_op op, const char *error,
			  int64_t delay_ms, bool *applied, const char **state);

/* Renew the lease of every running job locked by me. *res receives rows
 * (id, cancel_requested as "t"/"f", attempt, attempted_at as at_us): the
 * claims that are still ours. */
enum app_err claim_heartbeat(struct db *db, struct arena *a, const char *me, int64_t lease_ms,
			     PGresult **res);

/* Release a running job locked by me that this worker has no record of
 * (a claim whose reply was lost with the connection). */
enum app_err claim_release_orphan(struct db *db, struct arena *a, const char *me, int64_t id);

/* Retry delay after failed attempt n (n >= 1): 1 s x 2^n, at most 1 h, then
 * scaled by 0.9 + 0.2 x r for r in [0, 1) (the jitter). */
int64_t claim_backoff_ms(int attempt, double r);

#endif
