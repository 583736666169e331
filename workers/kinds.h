/*
 * kinds: the registry of job kinds the worker can run (the table is in
 * kinds.c; debug kinds for tests in debug_kinds.c).
 */
#ifndef REVENGE_WORKERS_KINDS_H
#define REVENGE_WORKERS_KINDS_H

#include <stdbool.h>

#include "handler.h"

/* The kind named name, or NULL when this worker does not know it (the job
 * is then discarded with the error "unknown kind"). The debug kinds are
 * found only after kinds_enable_debug(true). */
const struct job_kind *kinds_find(const char *name);

/* Counting per kind (stats.c): a slot for every registered kind (debug
 * kinds included) and one, the last, named "other" for names this worker
 * does not run. */
#define KINDS_SLOTS 32
int kinds_slot(const char *name);
/* The kind name of slot i (0 <= i < KINDS_SLOTS; "other" for the last and
 * for unused slots). */
const char *kinds_slot_name(int i);

/* The i-th kind of the production registry (debug kinds excluded), NULL
 * past the end: for checking that app/jobs' list (job_kind_names) matches. */
const char *kinds_name(int i);

/* Turn the debug kinds on or off; call before the executors start (the
 * flag is read without locking). */
void kinds_enable_debug(bool on);
bool kinds_debug_enabled(void);

/* The debug kinds (debug_kinds.c) and how many there are. */
extern const struct job_kind debug_kinds[];
extern const int debug_kinds_count;

/* SQL that creates the table the debug.record kind writes to (run once at
 * start when debug kinds are on). */
extern const char debug_kinds_setup_sql[];

/* Built-in "noop": does nothing, or sleeps args.sleep_ms (for benchmarks and
 * health checks). */
enum job_outcome kind_noop(struct job_ctx *ctx, const struct job *job, struct job_result *res);

#endif
