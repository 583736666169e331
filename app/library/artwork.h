/*
 * artwork: pictures next to the media become the item's images when the
 * provider has none (issue 13, item 6; design note: docs/internals/scan.md).
 *
 * Which files count, per kind (names case-insensitive; extensions jpg,
 * jpeg, png, webp), best first:
 *   poster    <video name>-poster.*, <video name>.*, poster.*, folder.*, cover.*
 *   backdrop  <video name>-fanart.*, <video name>-backdrop.*, fanart.*, backdrop.*
 * For a movie they are looked for next to each of its present files (in
 * rel_path order; the best name wins, ties go to the first file); the
 * folder-wide names (poster.*, fanart.* ...) only count in a folder of its
 * own, not for a file lying directly in a library root, where poster.jpg
 * would belong to no movie in particular. For a series they are looked
 * for in the series folder (the first folder under the root of its first
 * file), the folder-wide names only.
 *
 * A candidate is read (at most ARTWORK_MAX_BYTES; a symlink, a device or a
 * bigger file is refused), must be a JPEG, PNG or WebP by its bytes
 * (image_sniff), and is stored through app/storage under
 * images/<kind>/local/<sha256>.<ext> (atomically; content-addressed, so
 * the same picture is written once and a key never changes meaning) with
 * an images row of provider 'local', kind poster|backdrop, state stored.
 * The row and the item's link (movies/series.local_poster_id,
 * local_backdrop_id) are written in one transaction. A refused candidate
 * is logged and the next one tried; a kind without any usable candidate
 * has its link cleared (the picture was removed or replaced by a non-image).
 * The provider's pictures are never touched: the API shows the provider's
 * once stored, else the local one.
 */
#ifndef REVENGE_LIBRARY_ARTWORK_H
#define REVENGE_LIBRARY_ARTWORK_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"

#define ARTWORK_MAX_BYTES (20u * 1024 * 1024)

struct artwork_result {
	bool poster, backdrop; /* the item has a local picture of that kind now */
	int stored;            /* pictures written to storage by this call (0..2) */
	int refused;           /* candidates that were not readable images */
};

/*
 * Queue one low-priority image.local job ({"movie_id"} or {"series_id"},
 * unique per item while pending) for the item file_id is linked to, when
 * there may be something to do: a movie whose file has sidecar images or
 * which has local pictures already (they may have changed), a series
 * without local pictures yet, or any item when refresh is set. Nothing
 * when the file is not linked. Runs on the caller's handle (in its
 * transaction if one is open). APP_ERR_DB, APP_ERR_VALIDATION (not a
 * uuid).
 */
enum app_err artwork_enqueue(struct db *db, struct arena *a, const char *file_id, bool refresh,
			     const char *request_id);

/*
 * Find, check, store and link the local pictures of one item: movie_id or
 * series_id (exactly one non-NULL; a uuid). res gets what happened; err a
 * short reason on error. APP_OK also when the item has no present file or
 * no picture; APP_ERR_NOT_FOUND when the item does not exist;
 * APP_ERR_UNAVAILABLE when storage refused a write (worth a retry; the
 * links are left as they were); APP_ERR_DB; APP_ERR_VALIDATION for a bad
 * id.
 */
enum app_err artwork_ingest(struct db *db, struct arena *a, const char *movie_id,
			    const char *series_id, struct artwork_result *res, char *err,
			    size_t errlen);

#endif
