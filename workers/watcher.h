/*
 * watcher: change detection for the libraries (issue 17). Design note:
 * docs/internals/watcher.md.
 *
 * One thread per worker process; it does anything only while its worker
 * is leader (leader.h) and library.watch is on, so across all workers on a
 * database one watcher runs. While active it:
 *
 *   - watches every enabled library's roots recursively with inotify
 *     (watch_tree.h) and re-reads the library list every
 *     WATCHER_REFRESH_MS, so a new, changed, disabled or deleted library
 *     is picked up;
 *   - turns events into folders: a file created (with content already),
 *     written and closed, moved in or out, deleted or touched -> its
 *     folder; a directory created or moved in -> that directory (watched
 *     at once); a directory deleted or moved away -> that path (the scan
 *     marks its files missing). Hidden entries, what the scanner skips and
 *     files without a video extension of the library are ignored;
 *   - waits for each folder to be quiet for library.watch_debounce
 *     (watch_pending.h), then enqueues one `library.scan_path` job with
 *     {"library_id", "path", "settle": true} and the unique key
 *     "watch:<library>:<hash of the folder>" (watch_fs.h), so a burst of
 *     events makes one pending job per folder. A file still being copied
 *     is left by the scan's settle rule (library.settle_seconds), which
 *     queues the scan again;
 *   - does not watch a root (or a folder below it) on a network or
 *     userspace filesystem (watch_fs.h), whose changes inotify does not
 *     see: it gets a scan of its own every library.poll_interval instead,
 *     logged once;
 *   - when the watch limit is reached (fs.inotify.max_user_watches, ENOSPC)
 *     while watching a library, removes that library's watches, logs a
 *     warning and scans its roots every library.poll_interval; it tries to
 *     watch the library again every WATCHER_RETRY_MS;
 *   - when it becomes active (worker start, failover, library.watch turned
 *     on) and when it starts watching a library, enqueues one incremental
 *     scan of each root, so what changed while nobody watched is found.
 *
 * Metrics: events handled and scans enqueued are counted through
 * stats_watch(); the gauges watcher_watches, watcher_fallback_libraries
 * and watcher_remote_folders are written to job_counters by this thread
 * (when they change, at least every 30 s while active, and 0 when it stops
 * being active), which /metrics shows as revenge_watcher_*.
 *
 * Logs: watcher.start, watcher.stop, watcher.remote, watcher.limit,
 * watcher.retry, watcher.root_gone, watcher.root_back, watcher.overflow,
 * watcher.inotify, watcher.enqueue, watcher.db.
 *
 * Tests: RV_WATCHER_MAX_WATCHES in the environment (0 .. 10^9) caps the
 * watches this process places, as if fs.inotify.max_user_watches were
 * that low; it is read by watcher_start().
 */
#ifndef REVENGE_WORKERS_WATCHER_H
#define REVENGE_WORKERS_WATCHER_H

#include <stdbool.h>

#include "core/config.h"

#define WATCHER_REFRESH_MS (10 * 1000)    /* re-read the library list */
#define WATCHER_RETRY_MS (15 * 60 * 1000) /* watch a fallback library again */
#define WATCHER_MAX_PENDING 4096          /* folders waiting for quiet */

struct watcher;

/* Start the thread (idle until watcher_set_leading(w, true)). cfg is read
 * during the call (database settings, the [library] keys). NULL on out of
 * memory or thread failure (logged). */
struct watcher *watcher_start(const struct config *cfg);

/* Take the [library] keys of a reloaded configuration (watch,
 * watch_debounce, poll_interval); turning watch off stops watching. */
void watcher_configure(struct watcher *w, const struct config *cfg);

/* Tell the watcher whether its worker leads now; it starts or stops
 * watching accordingly. Cheap: call it on every tick. NULL is accepted. */
void watcher_set_leading(struct watcher *w, bool leading);

/* Stop watching, stop the thread and free w. NULL is accepted. */
void watcher_stop(struct watcher *w);

#endif
