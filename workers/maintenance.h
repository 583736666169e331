/*
 * maintenance: the built-in periodic clean-ups (SPEC §6), run as ordinary
 * jobs by any worker; the leader enqueues them on the [schedule] crons
 * (workers/leader.h).
 *
 *   maintenance.retention  activity log rows older than audit_days; jobs
 *                          completed more than completed_jobs_days ago;
 *                          discarded and cancelled jobs finalized more than
 *                          discarded_jobs_days ago; library scan history
 *                          (table library_scans, when it exists) finished
 *                          more than scan_history_days ago; periodic_runs
 *                          rows older than 30 days except the newest one
 *                          per schedule (which the leader still needs);
 *                          webhook receipts older than 7 days; the
 *                          notification delivery log older than 30 days.
 *   maintenance.sessions   sessions whose refresh token expired, or that
 *                          were revoked, more than expired_sessions_days
 *                          ago; API keys revoked or expired that long ago;
 *                          login failures older than expired_sessions_days
 *                          but never younger than one day (the longest
 *                          lockout window), so a clean-up cannot unlock an
 *                          account early.
 *
 * Rows go in batches of MAINTENANCE_BATCH per statement, each its own
 * transaction, so a large backlog never holds locks for long and the work
 * done survives a crash or a timeout (the next run continues). Between
 * batches the handler checks job_should_stop() and returns JOB_CANCEL when
 * told to stop. Running two of the same kind at once is harmless.
 *
 * The retention periods come from the job's args when given (integers,
 * 0..36500, named like the [retention] keys: "audit_days",
 * "completed_jobs_days", "discarded_jobs_days", "scan_history_days",
 * "expired_sessions_days"), else from the configuration last passed to
 * maintenance_configure(), else from the configuration defaults. An arg
 * of the wrong type or range fails the job for good (JOB_FAIL).
 */
#ifndef REVENGE_WORKERS_MAINTENANCE_H
#define REVENGE_WORKERS_MAINTENANCE_H

#include "core/config.h"
#include "handler.h"

#define MAINTENANCE_BATCH 10000

/* Periodic runs are kept this long (the newest per schedule always). */
#define MAINTENANCE_PERIODIC_RUNS_DAYS 30
/* webhook receipts are kept this long: a replay of an older body gets in */
#define MAINTENANCE_WEBHOOK_RECEIPTS_DAYS 7
/* the notification delivery log is kept this long */
#define MAINTENANCE_NOTIFICATION_DELIVERIES_DAYS 30

/* Use cfg's [retention] values from now on (copied; cfg need not outlive
 * the call). Thread-safe; leader_start() calls it, and a daemon that
 * reloads its configuration should call it again. */
void maintenance_configure(const struct config *cfg);

/* Handlers for the kinds above (not transactional: each batch commits). */
enum job_outcome maintenance_retention(struct job_ctx *ctx, const struct job *job,
                                       struct job_result *res);
enum job_outcome maintenance_sessions(struct job_ctx *ctx, const struct job *job,
                                      struct job_result *res);

#endif
