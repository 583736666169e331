/*
 * worker: the revenge-worker daemon (SPEC §6; docs/internals/queue.md).
 *
 * Loads and checks the configuration, starts the threads (executors in
 * pools, the listener, the heartbeat, the completer, the leader), and runs
 * the main loop: signals, reloads, statistics, shutdown.
 *
 * Signals (the handlers only set flags; every other thread blocks them):
 *   SIGTERM, SIGINT  stop claiming; let running jobs finish for up to
 *                    worker.shutdown_timeout; release the rest back to the
 *                    queue (available now, attempt not counted); exit 0.
 *   SIGHUP           reload the configuration: pool sizes, fetch batch,
 *                    poll interval, lease, heartbeat, job timeout, shutdown
 *                    timeout, retention and schedules apply at once;
 *                    database and log settings need a restart (logged). A
 *                    configuration that does not load is refused (logged)
 *                    and the old one stays.
 *
 * Environment: RV_WORKER_DEBUG_KINDS=1 registers the debug kinds (tests).
 */
#ifndef REVENGE_WORKERS_WORKER_H
#define REVENGE_WORKERS_WORKER_H

/* Run the daemon with the configuration at path (NULL: the default
 * lookup). Returns the process exit status: 0 after a clean stop, 78 for a
 * configuration error (written to stderr), 1 when it cannot start. */
int worker_run(const char *config_path);

#endif
