/*
 * episodes: which episodes of a provider series a file holds, and the
 * season data to store them with (SPEC §5, §7.1). Used by identify.c once
 * the series is known; store.c writes what it gives.
 *
 * A file names its episodes in one of four ways, tried in this order:
 *
 *   season + numbers   S01E02, 1x02, a "Season 1" folder, an episode NFO,
 *                      S00E01 or a Specials/ folder (season 0)
 *   air date           a daily show, 2024.03.05: the episode(s) of the
 *                      series with that air_date. The season is the last
 *                      regular one that began on or before the date (or
 *                      the first), then the one after it, since TMDb's
 *                      season air_date may lie a day after its first
 *                      episode; at most two seasons are fetched
 *   numbers alone      absolute numbering (anime, "One Piece - 1071"):
 *                      through the series' episode group of type 2
 *                      ("Absolute") when TMDb has one (its groups in
 *                      "order", each group's episodes in "order", counted
 *                      from 1), else by counting the episodes of the
 *                      regular seasons in turn (tv details' episode_count),
 *                      else season 1 as given
 *   nothing            the file is linked to the series only
 *
 * What it costs (each answer cached in Redis for tmdb.details_ttl, so the
 * other files of a season cost nothing while the cache holds):
 *   per series         tv details (identify.c), plus one /tv/episode_group
 *                      request for files numbered absolutely when the
 *                      series has an absolute group
 *   per season         1 request in TMDb's default language with the
 *                      season's own translations appended, plus 1 per
 *                      other configured metadata language (TMDb has no
 *                      way to get several languages' episode names in one
 *                      request; its episode translations are per episode).
 *                      With the default en,de,fr,es,ja: 5 per season,
 *                      never one per episode.
 */
#ifndef REVENGE_METADATA_EPISODES_H
#define REVENGE_METADATA_EPISODES_H

#include <stdbool.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "core/arena.h"
#include "core/err.h"

#define EPISODES_MAX 16 /* episode numbers of one file */

/* What the file says. */
struct episode_want {
	int season;                /* -1: not given */
	int numbers[EPISODES_MAX]; /* episode numbers, absolute when season < 0 */
	int n;
	char date[11]; /* "YYYY-MM-DD" of a daily show, "" none */
};

/* Where it lands, and what to store the season with. */
struct episode_place {
	int season;                /* -1: the series only */
	int numbers[EPISODES_MAX]; /* the file's episodes in that season */
	int n;
	const char *how;    /* "number", "date", "absolute_group",
	                     * "absolute_count", "absolute_season1", "none" */
	cJSON *details;     /* the season (tmdb_season), arena-owned; NULL
	                     * when TMDb has no such season */
	char *translations; /* JSON array text (arena) of the episodes'
	                     * names/overviews in the other languages:
	                     * [{"l":"de","e":1,"n":"...","o":"..."}], or NULL */
	char *absolute;     /* JSON array text (arena) of absolute numbers
	                     * of this season's episodes [{"e":1,"a":1}],
	                     * or NULL */
};

/*
 * Place w in the provider series tv_id whose details are tv (tmdb_tv's
 * answer), fetching what that takes from TMDb (see above). The languages
 * are tmdb_languages(); "en" is TMDb's default and costs nothing extra.
 * APP_OK also when nothing matches (out->season -1 or no numbers);
 * otherwise the first provider error other than 404 (APP_ERR_UNAVAILABLE,
 * APP_ERR_UNPROCESSABLE, ...), with err set, and out must not be stored.
 */
enum app_err episodes_place(struct arena *a, int64_t tv_id, const cJSON *tv,
                            const struct episode_want *w, struct episode_place *out, char *err,
                            size_t errlen);

/* --- the pure steps, for the unit tests ------------------------------------ */

/* The id of the series' absolute episode group (type 2; the one with the
 * most episodes when there are several) in tv's episode_groups, or NULL. */
const char *episodes_absolute_group(const cJSON *tv);

/* Absolute number n (from 1) through an episode group answer: 0 with the
 * aired *season and *episode, -1 when n is outside the group. */
int episodes_absolute_in_group(const cJSON *group, int n, int *season, int *episode);

/* Absolute number n by counting the regular seasons' episode_count in tv
 * details: 0 with *season, *episode and *offset (the absolute number of the
 * season's episode 0), -1 when n is past the last counted episode. */
int episodes_absolute_by_count(const cJSON *tv, int n, int *season, int *episode, int *offset);

/* The regular seasons to look for an air date in, best first (at most 2,
 * into out); returns how many. */
int episodes_date_seasons(const cJSON *tv, const char *date, int out[2]);

/* The numbers of the episodes of a season answer that aired on date (at
 * most max, into out); returns how many. */
int episodes_on_date(const cJSON *season, const char *date, int *out, int max);

/* Whether name is TMDb's stand-in for a missing translation: one word, a
 * space, and the episode's own number ("Episode 9", "Folge 9"). */
bool episodes_placeholder_name(const char *name, int number);

#endif
