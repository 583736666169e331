/*
 * watch_fs: what the folder watcher (watcher.h) needs to know about a
 * filesystem and a folder, as pure functions (unit-tested in
 * tests/unit/test_watch_fs.c).
 *
 * inotify sees only the changes made through the kernel it runs on: a file
 * another host writes to an NFS or SMB share, or a FUSE daemon changes
 * behind the kernel's back, makes no event. Such folders are scanned
 * periodically instead of watched; watch_fs_remote() tells them apart by
 * statfs(2)'s f_type.
 */
#ifndef REVENGE_WORKERS_WATCH_FS_H
#define REVENGE_WORKERS_WATCH_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The name of a network or userspace filesystem ("nfs", "cifs", "smb2",
 * "fuse", "9p", "ceph", …) for statfs's f_type, or NULL for a filesystem
 * whose changes inotify reports (ext4, xfs, btrfs, tmpfs, zfs, overlay, …). */
const char *watch_fs_remote(int64_t f_type);

/* The remote filesystem name of the folder at path, or NULL when it is
 * local. A folder statfs cannot read counts as local (the watch on it fails
 * on its own and says why). */
const char *watch_fs_remote_path(const char *path);

/* Whether rel (a path relative to a library root, or a bare name) is
 * something the watcher ignores: a segment the scanner skips as a folder
 * (hidden, samples, extras, system folders; scan_skip_dir). */
bool watch_fs_skipped(const char *rel);

/*
 * The job unique key of a watcher scan of one folder:
 * "watch:<library id>:<16 hex digits of a 64-bit FNV-1a hash of path>"
 * into out (cap >= WATCH_KEY_MAX). A burst of events on one folder thus
 * makes at most one pending job. Returns out.
 */
#define WATCH_KEY_MAX 96
char *watch_fs_key(char *out, size_t cap, const char *library_id, const char *path);

#endif
