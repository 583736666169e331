/*
 * watch_pending: the folders the watcher has seen change and not yet
 * handed to a scan, each waiting for a moment of quiet (the debounce).
 * Pure bookkeeping, no I/O: tests/unit/test_watch_pending.c.
 *
 * A folder is due once no event touched it for `quiet_us`, or once its
 * first event is `max_wait_us` old (a folder that never goes quiet, say a
 * download client writing many files in turn, is still scanned; a file
 * still being written is then left for later by the scan's settle rule).
 *
 * Folders of one library coalesce: an event on a folder below a pending
 * one only renews the pending one (its scan covers the folder), and a
 * pending folder below a new one is folded into the new one (which keeps
 * the older first-event time). So the table never holds a folder and one
 * of its ancestors in the same library.
 *
 * Bounded: at most `max` entries. An add that needs room when the table is
 * full is refused (WP_FULL); the caller then scans something larger (the
 * library's root, which folds that library's entries away).
 *
 * Not thread-safe (the watcher thread's own). Paths are absolute, without
 * a trailing slash; they are copied.
 */
#ifndef REVENGE_WORKERS_WATCH_PENDING_H
#define REVENGE_WORKERS_WATCH_PENDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct watch_pending_entry {
	int lib;               /* the caller's library handle */
	char *path;            /* owned */
	int64_t first_us;      /* the first event folded into this entry */
	int64_t last_us;       /* the latest */
	int64_t not_before_us; /* not due before this (a deferred entry); 0 */
};

struct watch_pending {
	struct watch_pending_entry *v;
	size_t n, cap, max;
	int64_t quiet_us, max_wait_us;
};

enum watch_pending_add {
	WP_ADDED,  /* a new entry */
	WP_MERGED, /* folded into an entry (the same folder or an ancestor) */
	WP_FULL,   /* refused: the table is full */
	WP_NOMEM,
};

void watch_pending_init(struct watch_pending *p, size_t max, int64_t quiet_us, int64_t max_wait_us);

/* Free every entry (the struct may be initialised again). */
void watch_pending_release(struct watch_pending *p);

/* Note an event on folder path of library lib at now_us. */
enum watch_pending_add watch_pending_add(struct watch_pending *p, int lib, const char *path,
                                         int64_t now_us);

/* When the next entry becomes due (monotonic us); INT64_MAX when none. */
int64_t watch_pending_next(const struct watch_pending *p);

/* Take one entry that is due at now_us: true and *out filled (the caller
 * owns out->path and frees it), false when none is due. */
bool watch_pending_take(struct watch_pending *p, int64_t now_us, struct watch_pending_entry *out);

/* Put an entry back (a scan that could not be enqueued yet), due again at
 * retry_us. Takes ownership of e->path (freed when it merges or fails). */
void watch_pending_defer(struct watch_pending *p, struct watch_pending_entry *e, int64_t retry_us);

/* Drop every entry of library lib. */
void watch_pending_drop_lib(struct watch_pending *p, int lib);

#endif
