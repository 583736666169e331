/*
 * identify: the matching framework (SPEC §7.3) shared by movies and TV.
 * One interface, one list of strategies tried in order, each giving a
 * confidence:
 *
 *   manual     an admin's choice (args tmdb_id + manual)      100, locked
 *   existing   the item the file is already linked to (refresh) 100
 *   id         ids in the name ({tmdb-603}, [imdbid-tt...]) or the NFO
 *              (tvshow.nfo for episodes), imdb/tvdb through /find   100
 *   local      an item of the library from the provider with the same
 *              title (and year)                                    95
 *   search     provider search by title and year, every result scored
 *              (match.h)
 *   title      provider search by title alone
 *
 * Below the threshold (metadata.match_threshold) the file is `unmatched`,
 * keeps its candidates for the admin, and still becomes a browsable item
 * built from its name and NFO. Without a provider (no key, no network) it
 * becomes such a local item with status `local`; a later refresh upgrades
 * it in place. A `manual` file is never re-matched by anything but another
 * manual match.
 */
#ifndef REVENGE_METADATA_IDENTIFY_H
#define REVENGE_METADATA_IDENTIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/err.h"
#include "db/db.h"

/* Take [metadata] and [images] settings (copied; thread-safe). */
void identify_configure(const struct config *cfg);

struct identify_args {
	const char *file_id;
	int64_t tmdb_id; /* 0: none; with manual: the admin's choice */
	bool manual;
	bool refresh; /* fetch the provider's data again even when matched */
};

struct identify_result {
	char status[16];   /* matched | manual | local | unmatched | error */
	char strategy[16]; /* see above */
	int confidence;
	char item_id[37];  /* the movie or series the file is linked to */
	bool retry;        /* a transient provider failure: try again later */
};

/*
 * Identify one file and store the outcome. APP_OK also when the file no
 * longer exists (nothing to do: status ""), when it became a local item,
 * or when the provider failed (res->retry tells the caller to run again
 * later). APP_ERR_DB when the database failed. err gets a short reason.
 */
enum app_err identify_file(struct db *db, struct arena *a, const struct identify_args *args,
			   struct identify_result *res, char *err, size_t errlen);

#endif
