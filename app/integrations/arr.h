/*
 * arr: what a Radarr or Sonarr webhook body asks of the library (SPEC §8;
 * docs/internals/integrations.md). Pure: no I/O, so it is unit-tested and
 * fuzzed (tests/unit/test_arr.c, tests/fuzz/fuzz_arr.c).
 *
 * A body becomes one struct arr_event: what to log, which folder the
 * Radarr/Sonarr item lives in (mapped from its paths to ours through the
 * integration's path map), the ids it gives for that folder, the files it
 * deleted, and the folder to scan again.
 *
 *   Radarr  Download (import, upgrade)  hint, drop deletedFiles, scan the file's folder,
 * re-identify Rename                      hint, scan the movie's folder (moves keep their rows)
 *           MovieAdded                  hint only (no file yet)
 *           MovieFileDelete             drop the file, scan its folder
 *           MovieDelete                 forget the hint, scan the folder (gone files go missing)
 *   Sonarr  Download                    hint (series), drop deletedFiles, scan the file's folder,
 * re-identify Rename                      hint, scan the series folder SeriesAdd hint only
 *           EpisodeFileDelete           drop the file, scan its folder
 *           SeriesDelete                forget the hint, scan the series folder
 *   both    Grab, Health, HealthRestored, ApplicationUpdate, Test, and any
 *           event this server does not know: logged, nothing written
 */
#ifndef REVENGE_INTEGRATIONS_ARR_H
#define REVENGE_INTEGRATIONS_ARR_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/json.h"

enum arr_kind { ARR_RADARR, ARR_SONARR };

/* SQL: the enabled library of type `type` whose folders hold the folder
 * `folder` (two SQL expressions), the oldest when several do, or NULL:
 * where a webhook's or a sync's folder belongs. */
#define ARR_LIBRARY_OF(folder, type)                                                               \
	"(SELECT l.id FROM libraries l WHERE l.enabled AND l.type = " type " AND EXISTS (SELECT 1" \
	" FROM unnest(l.paths) r WHERE " folder " = r OR starts_with(" folder ", rtrim(r, '/')"   \
	" || '/')) ORDER BY l.created_at LIMIT 1)"

/* "radarr" / "sonarr" -> kind; -1 otherwise. */
int arr_kind_parse(const char *s);
const char *arr_kind_name(enum arr_kind k);

enum arr_action {
	ARR_LOG,  /* acknowledged and logged */
	ARR_HINT, /* the folder's ids are stored; nothing to scan */
	ARR_SYNC, /* a job: hint or forget, drop, scan */
};

#define ARR_MAX_DROP 64

struct arr_event {
	const char *event; /* eventType as sent */
	enum arr_action action;
	/* the library type the paths must be in: "movie" or "tvshow" */
	const char *library_type;
	/* the item's folder (mapped) and the member that named it */
	const char *folder;
	const char *folder_field;
	const char *scan;               /* the folder to scan (ARR_SYNC) */
	const char *drop[ARR_MAX_DROP]; /* files it deleted (mapped) */
	int ndrop;
	int64_t tmdb_id, tvdb_id; /* 0: none */
	const char *imdb_id;      /* NULL: none */
	bool forget;              /* the item left Radarr/Sonarr: drop its hint */
	bool rematch;             /* identify the folder's files again */
	const char *title;        /* for the log; may be NULL */
};

/*
 * Read a webhook body (a JSON object). path_map is the integration's
 * [{"remote", "local"}] array (may be NULL). APP_ERR_VALIDATION with fe
 * naming the member ("eventType", "movie.folderPath",
 * "episodeFile.relativePath", "deletedFiles[1].relativePath") when a member
 * the event needs is missing or not a safe path. Strings live in a.
 */
enum app_err arr_event_read(struct arena *a, enum arr_kind kind, const cJSON *body,
                            const cJSON *path_map, struct arr_event *ev, struct field_error *fe);

/*
 * A remote path through the map: the rule with the longest remote prefix
 * that matches whole segments rewrites it; no rule, unchanged. NULL when
 * the result is not an absolute path without ".", ".." or empty segments
 * (a trailing slash is dropped). In a.
 */
const char *arr_map_path(struct arena *a, const cJSON *path_map, const char *remote);

/* Whether rel is a relative path without ".", ".." or empty segments. */
bool arr_safe_relative(const char *rel);

#endif
