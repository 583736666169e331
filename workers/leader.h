/*
 * leader: the one worker, among all revenge-worker processes on a database,
 * that enqueues periodic jobs and rescues jobs of dead workers (SPEC §6).
 * Design note: docs/internals/queue.md, "Leader, periodic jobs, rescuer,
 * retention".
 *
 * Election. Every worker runs one leader thread with a connection of its
 * own. Each tick (1 s) a thread that is not leader calls
 * pg_try_advisory_lock(LEADER_LOCK_KEY); the one that gets it is leader
 * for as long as that session lives. The lock is session-scoped, so when
 * the leader's process dies or its connection breaks PostgreSQL releases
 * it, and another worker takes over at its next tick.
 *
 * While leader, each tick first proves the lock is still held: one query
 * on the same connection that finds the lock in pg_locks for this backend
 * (and reads the database clock). A failed query, a reconnected session
 * (different backend pid) or a missing lock means leadership is lost: the
 * thread logs it, closes the connection (dropping anything the session
 * might still hold) and competes again from the next tick. Nothing is done
 * as leader without a successful check in the same tick, and every write
 * the leader makes (a period, a rescue) repeats the pg_locks condition in
 * its own statement, so a session that lost the lock between the check
 * and the write — or a connection db reopened silently — changes nothing.
 * A leader whose session was killed may still believe it leads until its
 * next tick; it cannot act on that belief.
 *
 * Periodic jobs (the [schedule] section):
 *     name       cron key                   kind
 *     retention  schedule.retention         maintenance.retention
 *     sessions   schedule.session_cleanup   maintenance.sessions
 * The current period of a schedule starts at its latest fire time at or
 * before now (database clock, UTC). When periodic_runs has no row for
 * (name, period start), one transaction inserts it — only if this backend
 * holds the lock and no later period of the same name is recorded — and
 * enqueues the job with unique key "periodic:<name>:<period start, unix
 * seconds>", then records the job id. The primary key makes a period
 * enqueue at most once whatever happens in a failover; periods missed while
 * no leader ran are not made up, only the latest one runs.
 *
 * Rescuer. Every 5 ticks (sooner with a short worker.lease: every
 * lease / 2, at least one tick) running jobs whose lease_until has passed
 * become `retryable` again at once (their attempt was counted at claim), or
 * `discarded` when attempt >= max_attempts, or `cancelled` when a cancel
 * was requested; {"attempt","at","error":"lease expired (worker <locked_by>
 * gone)"} is appended to errors and locked_by/lease_until are cleared.
 *
 * Logs: leader.start, leader.elected, leader.lost, leader.resigned (at
 * stop), leader.enqueued, leader.periodic (an enqueue failed; retried next
 * tick), leader.rescued, leader.db (database unreachable, once per outage).
 *
 * Tests: RV_LEADER_TICK_MS in the environment (10 .. 60000) replaces the
 * 1 s tick; it is read by leader_start().
 */
#ifndef REVENGE_WORKERS_LEADER_H
#define REVENGE_WORKERS_LEADER_H

#include <stdbool.h>

#include "core/config.h"

/* pg_try_advisory_lock key ("REVLEAD"). In pg_locks it shows as
 * classid = key >> 32, objid = key & 0xffffffff, objsubid = 1. */
#define LEADER_LOCK_KEY 0x5245564c454144LL

/* The leader connection's application_name starts with this, followed by
 * "pid=<process id> <worker id>" (so an operator, or a test, can tell
 * which process holds the lock: pg_locks.pid -> pg_stat_activity). */
#define LEADER_APP_NAME "revenge-leader"

/* Periodic jobs are enqueued with this many attempts. */
#define LEADER_PERIODIC_ATTEMPTS 5

struct leader;

/*
 * Start the leader thread of this process. cfg is read during the call
 * only (database settings, schedules, worker.lease; the [retention] values
 * are handed to maintenance_configure()); worker_id is copied and appears
 * in logs and in application_name. The database need not be reachable:
 * the thread keeps trying. NULL when a schedule does not parse (the
 * configuration check prevents that), or on out of memory or thread
 * failure (logged).
 */
struct leader *leader_start(const struct config *cfg, const char *worker_id);

/* Stop the thread (waits for its current statement, bounded by
 * database.statement_timeout), close its connection — which releases the
 * lock at once, so another worker takes over within a tick — and free l.
 * NULL is accepted. */
void leader_stop(struct leader *l);

/* Whether this process is leader right now (as of its last tick). */
bool leader_is_leader(const struct leader *l);

#endif
