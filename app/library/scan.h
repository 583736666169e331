/*
 * scan: walk a library's roots and bring media_files in line with the disk
 * (SPEC §3.2). Design note: docs/internals/scan.md.
 *
 * One scan is one job (library.scan). It reads what the database already
 * knows about the library into a hash table, walks every root once, and:
 *   - a file whose size and mtime are unchanged is not touched (no write at
 *     all, unless it comes back from `missing` or the scan is `full`);
 *   - a new or changed file is parsed (name, NFO), probed (libavformat, in
 *     parallel on scan.threads threads) and upserted, in batches of
 *     library.scan_batch files per transaction, each batch enqueueing one
 *     library.match job per new or changed file and updating the scan's
 *     progress in the same transaction;
 *   - a file that vanished is marked missing (missing_since), and removed
 *     only once missing for longer than library.missing_grace; files under a
 *     root that cannot be read this time are left alone entirely, so an
 *     unmounted share never empties a library.
 * Problems with single entries (unreadable directories, invalid UTF-8
 * names, over-long paths, symlinks leaving the root, files vanishing
 * mid-scan, unprobeable files) are recorded on the scan and skipped.
 */
#ifndef REVENGE_LIBRARY_SCAN_H
#define REVENGE_LIBRARY_SCAN_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/err.h"
#include "db/db.h"

enum scan_type { SCAN_INCREMENTAL = 0, SCAN_FULL = 1, SCAN_METADATA = 2 };

/* "incremental"|"full"|"metadata" -> enum; -1 otherwise. */
int scan_type_parse(const char *s);

struct scan_stats {
	int64_t seen, added, changed, unchanged, missing, removed, errors, dirs;
	/* files left for later by settle_ms, and how long until the newest of
	 * them has settled */
	int64_t unsettled, settle_wait_ms;
};

struct scan_opts {
	const char *library_id;
	/* the library_scans row (status queued or running); 0 for a targeted
	 * scan, which keeps no row (its counts are the caller's to log) */
	int64_t scan_id;
	/* NULL: every root. Else a targeted scan of one folder inside a root
	 * (a file: its folder): only the files below it are walked, compared
	 * and marked missing. A folder that is gone marks its files missing
	 * when its root is readable. */
	const char *path;
	/* a file modified less than this long ago is not processed (a copy
	 * in progress); counted in unsettled. 0: every file */
	int64_t settle_ms;
	enum scan_type type;
	int64_t batch;    /* files per transaction */
	int64_t grace_ms; /* library.missing_grace */
	int threads;      /* probe threads (>= 1) */
	const char *request_id;
	/* polled between entries; true stops the scan (status cancelled) */
	bool (*should_stop)(void *arg);
	void *stop_arg;
};

/*
 * Run one scan. Marks the scan running, walks, and finishes the scan row
 * (completed, failed or cancelled, with counts and duration) and the
 * library's last_scan_at. Returns APP_OK when the scan ran to its end
 * (errors on single entries are counted, not returned); APP_ERR_NOT_FOUND
 * for an unknown library or scan, or a path outside every root; APP_ERR_UNAVAILABLE when every root is
 * unreadable (the scan is marked failed, nothing changes); APP_ERR_DB when
 * the database failed (the caller retries; batches already committed stay).
 * err receives a short reason.
 */
enum app_err scan_run(struct db *db, struct arena *a, const struct scan_opts *o,
		      struct scan_stats *st, char *err, size_t errlen);

/* Whether name (a file name) has a video extension of the default list
 * (SPEC §3.2), or of exts (NULL-terminated, lower case) when given. */
bool scan_is_video(const char *name, const char *const *exts);

/* Whether a directory of this name is skipped (hidden, samples, extras,
 * trailers, system folders). */
bool scan_skip_dir(const char *name);

/* Whether a video file of this name is a sample or extra to skip. */
bool scan_skip_file(const char *name);

#endif
