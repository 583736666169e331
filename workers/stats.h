/*
 * stats: what a worker counts, and how the counts reach /metrics.
 *
 * The worker has no HTTP endpoint: every few seconds (and at exit) the
 * main thread adds the deltas since its last flush to two tables that the
 * pool's /metrics reads, so a scrape sees the sum over every worker on
 * every host (docs/operations.md, "Metrics"):
 *   job_counters       name -> value: the job totals (started, completed,
 *                      …, duration_ms), scans, the folder watcher's events
 *                      and scans, and this process's PostgreSQL, Redis and
 *                      TMDb errors
 *   job_kind_counters  (kind, outcome) -> value
 * A flush that fails keeps its deltas for the next one. Counting is
 * lock-free (atomics) and safe from any thread.
 */
#ifndef REVENGE_WORKERS_STATS_H
#define REVENGE_WORKERS_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

struct worker;

/* How one claim ended, per kind. */
enum job_tally {
	JT_COMPLETED,
	JT_RETRIED,
	JT_DISCARDED,
	JT_CANCELLED,
	JT_SNOOZED,
	JT_RELEASED,
	JT_LOST,
	JT__COUNT
};

/* The outcome label of t ("completed", …). */
const char *stats_tally_name(enum job_tally t);

/* Count one outcome of a job of this kind (a kind the registry does not
 * know counts as "other"), in the worker's totals and per kind. */
void stats_count(struct worker *w, const char *kind, enum job_tally t);

/* One library scan finished (ok: completed, else failed), how long it
 * took, the files it saw and the files it could not read. */
void stats_scan(bool ok, int64_t duration_ms, int64_t files, int64_t errors);

/* The folder watcher handled this many inotify events and enqueued this
 * many folder scans (watcher.h). Its gauges (watches, libraries past the
 * watch limit) are written by the watcher itself. */
void stats_watch(int64_t events, int64_t scans);

/* Add everything counted since the last successful flush to the tables
 * on db (main thread only). NULL db: nothing. */
void stats_flush(struct worker *w, struct db *db);

#endif
