/*
 * scan_int: what the pieces of the scanner share (not part of the API; see
 * scan.h for the contract). One scan is one struct scan, owned by
 * scan_run() in scan.c and handed to the other pieces:
 *
 *   scan.c           the driver: the library row, what the database knows
 *                    (a hash table of paths), the roots, settling vanished
 *                    files, finishing the scan row
 *   scan_walk.c      the directory walk: which entries count, parsing, and
 *                    queuing a new or changed file into the batch
 *   scan_sidecars.c  a video's sidecar files: subtitles, images, NFO and the
 *                    series folder's tvshow.nfo
 *   scan_probe.c     probing a batch on a small pool of threads
 *   scan_store.c     writing a batch: one upsert, its match jobs and the
 *                    progress counters in one transaction
 *
 * Everything here runs on the scan's thread except the probe of one item,
 * which touches only that item (scan_probe.c).
 */
#ifndef REVENGE_LIBRARY_SCAN_INT_H
#define REVENGE_LIBRARY_SCAN_INT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "library/probe.h"
#include "library/scan.h"

#define MAX_ROOTS 16
#define MAX_EXTS 32
#define MAX_EXCLUDES 64
#define ERRORS_KEPT 100
#define MAX_DEPTH 32

/* What the database knows: the library's files by path. */
struct known {
	PGresult *rows; /* path, id, size, mtime_ns, missing, missing_ms */
	int n;
	int *slots; /* open addressing: row index + 1, 0 = empty */
	size_t nslots;
	unsigned char *seen;
};

/* One new or changed file waiting in the batch. */
struct item {
	char *path, *rel;
	int64_t size, mtime_ns;
	char *parsed, *nfo, *sidecars; /* JSON texts (malloc'd); nfo may be NULL */
	struct probe_result probe;
	char probe_err[160];
	enum app_err probe_rc;
	bool is_new;
};

struct scan {
	struct db *db;
	struct arena *a;
	const struct scan_opts *o;
	struct scan_stats *st;
	bool tv;
	const char *exts[MAX_EXTS + 1];
	bool custom_exts;
	const char *excludes[MAX_EXCLUDES + 1];
	struct known known;
	struct item *batch;
	int nbatch;
	struct buf errors; /* JSON array body of the first errors */
	int errors_kept;
	struct buf present_ids; /* "{uuid,uuid}" of returning unchanged files */
	bool stopped;
	bool db_failed;
	/* the tvshow.nfo of the directory seen last (tvshow_for) */
	char tv_dir[PATH_MAX];
	bool tv_dir_set;
	char *tv_nfo;
	char root[PATH_MAX];
	size_t rootlen;
};

/* --- scan.c ---------------------------------------------------------------- */

/* Count an error on one entry and keep the first ERRORS_KEPT for the scan
 * row (a name that is not UTF-8 is shown with its bad bytes replaced). */
void scan_record_error(struct scan *s, const char *path, const char *what);

/* dir + "/" + name into out; false when it does not fit. */
bool scan_join(char *out, size_t cap, const char *dir, const char *name);

/* Whether the scan stops now: asked to (should_stop, polled here) or the
 * database failed. */
bool scan_stop_now(struct scan *s);

/* The row of path in the known files, or -1. */
int scan_known_find(const struct known *k, const char *path);

/* --- scan_walk.c ------------------------------------------------------------- */

/* The extension of a file name (after the last dot, not a leading one), or
 * NULL. */
const char *scan_ext_of(const char *name);

/* Walk dir (depth folders below the root) into the batch, flushing full
 * batches. Problems are recorded on the scan. */
void scan_walk_dir(struct scan *s, const char *dir, int depth);

/* --- scan_sidecars.c --------------------------------------------------------- */

/* The sidecars of the video `name` among its directory's entries
 * names[0..n), as JSON text (malloc'd; NULL when out of memory):
 * {"subtitles": [...], "images": [...], "nfo"?: name, "tvshow"?: {...}}.
 * *nfo_out receives the parsed NFO as JSON text (malloc'd) when there is
 * a usable one. */
char *scan_sidecars_json(struct scan *s, const char *dir, const char *name, char **names, int n,
			 char **nfo_out);

/* --- scan_probe.c ------------------------------------------------------------ */

/* Probe every item of the batch (probe, probe_err, probe_rc), on up to
 * o->threads threads (at most 8). */
void scan_probe_batch(struct scan *s);

/* --- scan_store.c ------------------------------------------------------------ */

/* Free an item's strings and clear it. */
void scan_item_release(struct item *it);

/* Probe, upsert and enqueue the batch and write the progress in one
 * transaction; the batch is empty afterwards. A database failure sets
 * s->db_failed (the batch is lost; the next scan finds its files). */
enum app_err scan_flush_batch(struct scan *s);

/* seen, added, changed, unchanged, errors as decimal text into num[0..5)
 * and p[0..5). */
void scan_progress_params(struct scan *s, char num[][24], const char **p);

/* The kept errors as a JSON array text (arena). */
char *scan_errors_text(struct scan *s);

#endif
