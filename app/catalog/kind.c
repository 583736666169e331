#include "catalog/kind.h"

#include <string.h>

#include "catalog/catalog.h"
#include "catalog/items.h"

/* clang-format off */
#define AGE_FILTER(ages) CAT_MIN_AGE(ages) " <= {}::int"
/* the genre's ids are found once (an uncorrelated array), then each row
 * tests its own genre ids (migration 0018) */
#define GENRE_FILTER                                                                               \
	"m.genre_ids && ARRAY(SELECT g.id FROM genres g WHERE g.id::text = {}::text"                \
	" OR lower(g.name) = lower({}::text) OR EXISTS (SELECT 1 FROM jsonb_each_text(g.names_i18n)" \
	" gn WHERE lower(gn.value) = lower({}::text)))"
/* ranges on the sort expressions, so the order's index answers them; the
 * upper bounds keep excluding unknown values */
#define RANGE_MIN(expr) expr " >= {}"
#define RANGE_MAX(expr, col) expr " <= {} AND " col " IS NOT NULL"
/* a scalar subquery, not EXISTS: the planner must not turn it into a
 * semi-join over every file; it runs for the rows the order walks */
#define FILE_RESOLUTION(fk)                                                                        \
	"(SELECT true FROM media_files f WHERE f." fk " = m.id AND f.state = 'present'"             \
	" AND rv_resolution(f.width, f.height) = {}::text LIMIT 1)"
/* the length of an item in seconds: its longest present file (the probed
 * duration), else its runtime; files is a SELECT of max(f.duration_ms) */
#define FILE_DURATION(files)                                                                       \
	"coalesce((" files " AND f.state = 'present') / 1000, m.runtime * 60)::int"
/* title keys in the viewer's language (catalog_titles, migration 0008) */
#define TITLE_SORT(kind)                                                                           \
	{"title", "t.key", "text", " JOIN catalog_titles t ON t.item_id = m.id AND t.kind = '" kind \
	 "' AND t.lang = v.sort_lang", "t.item_id", false, "catalog_title_walk m",                  \
	 "m.kind = '" kind "' AND m.lang = v.sort_lang AND ", "m.key"}

/* --- movie ------------------------------------------------------------------ */


static const struct catalog_sort movie_sorts[] = {
	TITLE_SORT("movie"),
	{"year", "coalesce(m.year, 0)", "int", "", "m.id", false},
	{"added", "m.added_at", "timestamptz", "", "m.id", true},
	{"rating", "coalesce(m.vote_average, -1)", "float8", "", "m.id", true},
	{"popularity", "coalesce(m.popularity, -1)", "float8", "", "m.id", true},
	{"runtime", "coalesce(m.runtime, 0)", "int", "", "m.id", false},
};

static const struct catalog_filter movie_filters[] = {
	{"library_id", "m.library_id = {}::uuid", NULL, true},
	{"genre", GENRE_FILTER, NULL, true},
	{"year_min", RANGE_MIN("coalesce(m.year, 0)") "::int", "year", true},
	{"year_max", RANGE_MAX("coalesce(m.year, 0)", "m.year"), "year", true},
	{"rating_min", RANGE_MIN("coalesce(m.vote_average, -1)") "::float8", "rating", true},
	{"rating_max", RANGE_MAX("coalesce(m.vote_average, -1)", "m.vote_average"), "rating", true},
	{"has_file", "(m.file_count > 0) = {}::boolean"},
	{"resolution", FILE_RESOLUTION("movie_id"), NULL, true},
	{"max_age", AGE_FILTER("m.min_ages"), NULL, true},
};

const struct catalog_kind catalog_movie = {
	.name = "movie",
	.from = "movies m",
	.library = "m.library_id",
	.ages = "m.min_ages",
	.counts = "movie",
	.item = CAT_MOVIE_ITEM_BY_ID,
	.columns = "m.id",
	.sorts = movie_sorts,
	.nsorts = sizeof(movie_sorts) / sizeof(movie_sorts[0]),
	.default_sort = 2,
	.filters = movie_filters,
	.nfilters = sizeof(movie_filters) / sizeof(movie_filters[0]),
	.missing = "is not a movie",
	.watch = "movie_watch",
	.history = "movie_watch_history",
	.watch_id = "movie_id",
	.duration = FILE_DURATION("SELECT max(f.duration_ms) FROM media_files f WHERE f.movie_id = m.id"),
};

/* --- series ------------------------------------------------------------------- */


static const struct catalog_sort series_sorts[] = {
	TITLE_SORT("series"),
	{"year", "coalesce(m.year, 0)", "int", "", "m.id", false},
	{"added", "m.added_at", "timestamptz", "", "m.id", true},
	{"rating", "coalesce(m.vote_average, -1)", "float8", "", "m.id", true},
	{"popularity", "coalesce(m.popularity, -1)", "float8", "", "m.id", true},
};

static const struct catalog_filter series_filters[] = {
	{"library_id", "m.library_id = {}::uuid", NULL, true},
	{"genre", GENRE_FILTER, NULL, true},
	{"year_min", RANGE_MIN("coalesce(m.year, 0)") "::int", "year", true},
	{"year_max", RANGE_MAX("coalesce(m.year, 0)", "m.year"), "year", true},
	{"status", "m.status = {}::text"},
	{"has_file", "(m.file_count > 0) = {}::boolean"},
	{"max_age", AGE_FILTER("m.min_ages"), NULL, true},
};

const struct catalog_kind catalog_series = {
	.name = "series",
	.from = "series m",
	.library = "m.library_id",
	.ages = "m.min_ages",
	.counts = "series",
	.item = CAT_SERIES_ITEM,
	.sorts = series_sorts,
	.nsorts = sizeof(series_sorts) / sizeof(series_sorts[0]),
	.default_sort = 2,
	.filters = series_filters,
	.nfilters = sizeof(series_filters) / sizeof(series_filters[0]),
	.missing = "is not a series",
};

/* --- season and episode: their series decides library and age ------------------ */

static const struct catalog_sort season_sorts[] = {
	{"number", "m.season_number", "int", "", "m.id", false},
};

static const struct catalog_filter season_filters[] = {
	{"series_id", "m.series_id = {}::uuid"},
	{"library_id", "s.library_id = {}::uuid"},
	{"max_age", AGE_FILTER("s.min_ages")},
};

const struct catalog_kind catalog_season = {
	.name = "season",
	.from = "seasons m JOIN series s ON s.id = m.series_id",
	.library = "s.library_id",
	.ages = "s.min_ages",
	.item = CAT_SEASON_ITEM,
	.sorts = season_sorts,
	.nsorts = 1,
	.default_sort = 0,
	.filters = season_filters,
	.nfilters = sizeof(season_filters) / sizeof(season_filters[0]),
	.missing = "is not a season",
};

static const struct catalog_sort episode_sorts[] = {
	{"number", "(m.season_number * 100000 + m.episode_number)", "int", "", "m.id", false},
	{"aired", "coalesce(m.air_date, '0001-01-01'::date)", "date", "", "m.id", true},
};

static const struct catalog_filter episode_filters[] = {
	{"series_id", "m.series_id = {}::uuid"},
	{"season_id", "m.season_id = {}::uuid"},
	{"library_id", "s.library_id = {}::uuid"},
	{"max_age", AGE_FILTER("s.min_ages")},
	{"season", "m.season_number = {}::int"},
};

const struct catalog_kind catalog_episode = {
	.name = "episode",
	.from = "episodes m JOIN series s ON s.id = m.series_id",
	.library = "s.library_id",
	.ages = "s.min_ages",
	.item = CAT_EPISODE_ITEM,
	.sorts = episode_sorts,
	.nsorts = sizeof(episode_sorts) / sizeof(episode_sorts[0]),
	.default_sort = 0,
	.filters = episode_filters,
	.nfilters = sizeof(episode_filters) / sizeof(episode_filters[0]),
	.missing = "is not an episode",
	.watch = "episode_watch",
	.history = "episode_watch_history",
	.watch_id = "episode_id",
	.duration = FILE_DURATION("SELECT max(f.duration_ms) FROM media_file_episodes fe"
				  " JOIN media_files f ON f.id = fe.file_id WHERE fe.episode_id = m.id"),
};
/* clang-format on */

int catalog_sort_index(const struct catalog_kind *k, const char *name)
{
	for (int i = 0; i < k->nsorts; i++)
		if (!strcmp(k->sorts[i].name, name))
			return i;
	return -1;
}
