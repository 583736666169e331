/*
 * watch_tree: the inotify instance of the folder watcher (watcher.h) and
 * its watches, one per directory of every watched library root, found by
 * watch descriptor. Internal to the watcher thread: not thread-safe.
 *
 * A watch is placed on a directory (never through a symlink) and, going
 * down, on each subdirectory the scanner would walk: hidden folders,
 * samples, extras and system folders (scan_skip_dir), names that are not
 * valid UTF-8 and everything deeper than WATCH_TREE_MAX_DEPTH are left
 * out, as the scan leaves them out. A subdirectory on another device that
 * is a network or userspace filesystem (watch_fs_remote) is not watched
 * either; the caller hears of it through on_remote and scans it
 * periodically.
 *
 * Limits: the kernel's fs.inotify.max_user_watches (inotify_add_watch
 * fails with ENOSPC), or the instance's own cap given at creation (the
 * test hook RV_WATCHER_MAX_WATCHES). Either way watch_tree_add() stops and
 * says WATCH_TREE_LIMIT, leaving the watches it placed; the caller
 * decides (the watcher removes the library's watches and polls it).
 */
#ifndef REVENGE_WORKERS_WATCH_TREE_H
#define REVENGE_WORKERS_WATCH_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WATCH_TREE_MAX_DEPTH 32 /* as the scanner's walk */

/* What each watch reports (the watcher reads IN_ISDIR, IN_Q_OVERFLOW,
 * IN_IGNORED and IN_UNMOUNT too; the kernel always sends those). */
#define WATCH_TREE_MASK                                                                            \
	(IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE | IN_DELETE_SELF |   \
	 IN_MOVE_SELF | IN_ATTRIB | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK)

struct watch_tree;

struct watch_dir {
	int wd;
	int lib;    /* the caller's library handle */
	char *path; /* absolute, owned; NULL marks a free slot */
};

enum watch_tree_add {
	WATCH_TREE_OK,    /* dir and what lies below it are watched */
	WATCH_TREE_GONE,  /* dir is not a readable directory (nothing added) */
	WATCH_TREE_LIMIT, /* the watch limit is reached (some may be added) */
	WATCH_TREE_ERROR, /* out of memory, or inotify refused (errno kept) */
};

/* A subdirectory that is a network mount: path and the filesystem name. */
typedef void (*watch_tree_remote_fn)(void *arg, int lib, const char *path, const char *fs);

/* A new inotify instance (non-blocking, close-on-exec). max_watches < 0:
 * only the kernel's limit. NULL when inotify_init1 fails (errno kept:
 * EMFILE at fs.inotify.max_user_instances) or out of memory. */
struct watch_tree *watch_tree_new(int64_t max_watches);

/* Close the instance (the kernel drops every watch) and free t. NULL is
 * accepted. */
void watch_tree_free(struct watch_tree *t);

/* The descriptor to poll and read inotify events from. */
int watch_tree_fd(const struct watch_tree *t);

/* Watch dir, depth folders below its library root (0: the root, which
 * may be a symlink to its folder), and the directories below it for
 * library lib (see above). on_remote may be NULL. */
enum watch_tree_add watch_tree_add(struct watch_tree *t, int lib, const char *dir, int depth,
                                   watch_tree_remote_fn on_remote, void *arg);

/* The watch of descriptor wd, or NULL. Valid until the next add or
 * removal. */
const struct watch_dir *watch_tree_find(const struct watch_tree *t, int wd);

/* Forget wd without telling the kernel (it sent IN_IGNORED: the watch is
 * gone already). */
void watch_tree_forget(struct watch_tree *t, int wd);

/* Remove the watches of library lib on path and below it. */
void watch_tree_remove_under(struct watch_tree *t, int lib, const char *path);

/* Remove every watch of library lib. */
void watch_tree_remove_lib(struct watch_tree *t, int lib);

/* Watches held, in all and of library lib. */
size_t watch_tree_count(const struct watch_tree *t);
size_t watch_tree_count_lib(const struct watch_tree *t, int lib);

#endif
