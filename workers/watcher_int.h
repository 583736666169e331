/*
 * watcher_int: what the two files of the folder watcher share (not part of
 * the API; see watcher.h for the contract and docs/internals/watcher.md for
 * the design):
 *
 *   watcher.c        the thread, leadership, events -> folders, the
 *                    debounce, enqueueing scans, periodic scans, gauges
 *   watcher_libs.c   the libraries as the watcher knows them: reading the
 *                    list, watching (or polling) their roots, the watch
 *                    limit's fallback, roots that went away
 *
 * Everything here belongs to the watcher thread except the fields of
 * struct watcher marked [mu] and `leading`.
 */
#ifndef REVENGE_WORKERS_WATCHER_INT_H
#define REVENGE_WORKERS_WATCHER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "db/db.h"
#include "watch_pending.h"
#include "watch_tree.h"

#define MAX_ROOTS 16 /* as the scanner reads them */
#define MAX_EXTS 32
#define DB_RETRY_US (2LL * 1000 * 1000)

/* A folder scanned every library.poll_interval instead of watched. */
struct poll_target {
	char *path;
	const char *fs; /* the network filesystem; NULL: the library is past the watch limit */
	int64_t next_us;
};

/* An enabled library as the watcher knows it. */
struct wlib {
	int handle; /* stable for the life of this entry (watch_tree, watch_pending) */
	char id[37];
	char *sig; /* its paths and extensions as read: a change rebuilds the entry */
	char *roots[MAX_ROOTS];
	bool gone[MAX_ROOTS]; /* not a readable folder when last looked at */
	int nroots;
	char *exts[MAX_EXTS + 1];
	bool custom_exts;
	bool fallback;     /* past the watch limit (or no inotify): polled */
	bool limit_logged; /* the warning is out */
	int64_t retry_us;  /* when to try watching it again */
	struct poll_target *polls;
	size_t npolls;
	bool seen; /* in the library list just read */
};

enum gauge { G_WATCHES, G_FALLBACK, G_REMOTE, G__COUNT };

struct watcher {
	pthread_t thread;
	pthread_mutex_t mu;
	bool stop;                    /* [mu] */
	bool enabled;                 /* [mu] library.watch */
	int64_t debounce_ms, poll_ms; /* [mu] */
	atomic_bool leading;
	int wake_fd;

	/* the thread's own */
	struct db *db;
	struct arena *arena;
	int64_t max_watches; /* RV_WATCHER_MAX_WATCHES; -1: the kernel's only */
	bool active;
	bool start_logged;
	struct watch_tree *tree; /* NULL while inotify cannot start */
	int64_t inotify_retry_us;
	struct watch_pending pending;
	struct wlib **libs;
	size_t nlibs;
	int next_handle;
	int64_t debounce_us, poll_us;
	int64_t next_refresh_us, next_gauges_us;
	int64_t now_us; /* of the current step, for watch_tree's callback */
	int64_t gauges[G__COUNT];
	bool gauges_known; /* gauges[] is what the table holds */
	bool db_down;
};

/* ---- watcher.c ---------------------------------------------------------------- */

/* The database failed (logged once per outage) / answered again. */
void watcher_db_trouble(struct watcher *w);
void watcher_db_fine(struct watcher *w);

/* A folder of library L changed at now: its scan waits for quiet
 * (watch_pending.h); a full table becomes a scan of the library's root. */
void watcher_pend(struct watcher *w, struct wlib *L, const char *folder, int64_t now);

/* ---- watcher_libs.c ------------------------------------------------------------- */

/* The library of handle, or NULL (dropped meanwhile). */
struct wlib *watcher_lib(const struct watcher *w, int handle);

/* The index of the root path names, or -1. */
int watcher_root_index(const struct wlib *L, const char *path);

/* The root path lies in (the root itself or below), or NULL. */
const char *watcher_root_of(const struct wlib *L, const char *path);

/* Watch dir (depth folders below its root) and below; reaching the watch
 * limit makes the library fall back to periodic scans. Nothing for a
 * library that is polled already. */
void watcher_watch_dir(struct watcher *w, struct wlib *L, const char *dir, int depth, int64_t now);

/* Read the library list and follow it (new, changed, gone libraries;
 * roots back; libraries past the limit tried again when due). Sets
 * w->next_refresh_us. */
void watcher_refresh(struct watcher *w, int64_t now);

/* Forget every library (their watches and waiting folders with them). */
void watcher_drop_all(struct watcher *w);

#endif
