/*
 * jobs: enqueueing background work (SPEC §6), used by both binaries. The
 * consumer (claiming, running, retrying) lives in workers/.
 *
 * An enqueue runs on the caller's database handle: inside the caller's
 * open transaction when there is one, so a job never exists for a change
 * that rolled back; NOTIFY is delivered at commit.
 */
#ifndef REVENGE_JOBS_JOBS_H
#define REVENGE_JOBS_JOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"

enum job_priority {
	JOB_CRITICAL = 0,
	JOB_HIGH = 1,
	JOB_DEFAULT = 2,
	JOB_LOW = 3,
	JOB_BULK = 4,
};
#define JOB_PRIORITIES 5

/* "critical" … "bulk" <-> enum; -1 for an unknown name. */
int job_priority_parse(const char *s);
const char *job_priority_name(int p);

/* The kinds a worker of this version runs (its registry, workers/kinds.c,
 * debug kinds excluded) and the outcomes it counts per kind: the label
 * sets /metrics declares at 0 before any job ran. */
extern const char *const job_kind_names[];
extern const size_t job_kind_names_count;
extern const char *const job_outcome_names[];
extern const size_t job_outcome_names_count;

struct job_spec {
	const char *kind;       /* ^[a-z][a-z0-9_.]{0,63}$ */
	const char *args;       /* a JSON object as text; NULL = {} */
	int priority;           /* enum job_priority */
	int64_t delay_ms;       /* run no earlier than now + delay (0 = now) */
	int max_attempts;       /* 0 = 25 */
	const char *unique_key; /* NULL = not unique */
	const char *request_id; /* the API request that caused it, for logs */
};

/*
 * Enqueue one job. *id receives its id; with a unique key that already
 * names a non-final job, no job is added, *id is the existing job's id and
 * *duplicate (may be NULL) is set. APP_ERR_VALIDATION for a bad kind,
 * priority, attempts or args (not a JSON object).
 */
enum app_err job_enqueue(struct db *db, struct arena *a, const struct job_spec *spec, int64_t *id,
			 bool *duplicate);

/* Enqueue n jobs in one statement (no unique keys). *first_id (may be
 * NULL) receives the smallest new id. */
enum app_err job_enqueue_bulk(struct db *db, struct arena *a, const struct job_spec *specs,
			      size_t n, int64_t *first_id);

/* Ask a job to stop: a non-running job becomes cancelled at once; a
 * running one gets cancel_requested, which its handler observes.
 * APP_ERR_NOT_FOUND, or APP_ERR_CONFLICT for a job already final. */
enum app_err job_cancel(struct db *db, struct arena *a, int64_t id);

/* Make a discarded or cancelled job available again (attempt budget
 * renewed); APP_ERR_CONFLICT for any other state. */
enum app_err job_retry(struct db *db, struct arena *a, int64_t id);

#endif
