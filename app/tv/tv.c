/*
 * Series and seasons (SPEC §5): browsing, detail, relations, stats and
 * refresh, over the catalog kinds catalog_series and catalog_season.
 */
#include "tv/tv.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "auth/auth.h"
#include "catalog/items.h"
#include "catalog/kind.h"
#include "catalog/request.h"
#include "library/libraries.h"
#include "tv/view.h"

/* --- query parameters ------------------------------------------------------ */

static const char *const sort_names[] = {"title", "year", "added", "rating", "popularity", NULL};
static const char *const episode_sorts[] = {"number", "aired", NULL};

const struct param_spec tv_lang_query[] = {TV_LANG_PARAM, {0}};
const struct param_spec tv_page_query[] = {PAGE_PARAMS, TV_LANG_PARAM, {0}};
const struct param_spec tv_plain_page_query[] = {PAGE_PARAMS, {0}};
const struct param_spec tv_list_query[] = {
    PAGE_PARAMS,
    TV_LANG_PARAM,
    TV_FILTER_PARAMS,
    {.name = "sort", .type = PT_ENUM, .choices = sort_names,
     .doc = "Sort key (default added); title sorts by the localised title."},
    {.name = "order", .type = PT_ENUM, .choices = catalog_orders,
     .doc = "asc or desc (default desc for added, rating and popularity, else asc)."},
    {0}};
const struct param_spec tv_episodes_query[] = {
    PAGE_PARAMS,
    TV_LANG_PARAM,
    {.name = "season", .type = PT_INT, .min = 0, .max = 10000,
     .doc = "Only this season number (0: specials)."},
    {.name = "sort", .type = PT_ENUM, .choices = episode_sorts,
     .doc = "number (season, then episode; the default) or aired (air date)."},
    {.name = "order", .type = PT_ENUM, .choices = catalog_orders,
     .doc = "asc or desc (default asc for number, desc for aired)."},
    {0}};

/* clang-format off */
#define SERIES_FROM " FROM v, series m WHERE " TV_VISIBLE("m")

static const struct db_stmt q_visible = {
	"tv_visible", CAT_VIEW_CTE " SELECT 1" SERIES_FROM TV_ONE, CAT_NPARAMS + 1, true};

static const struct db_stmt q_get = {
	"tv_get",
	CAT_VIEW_CTE " SELECT (" CAT_SERIES_ITEM "::jsonb || jsonb_build_object("
	" 'language', v.lang, 'tagline', coalesce(" CAT_I18N("m.taglines_i18n", "m.original_language")
	", m.tagline), 'type', m.type, 'imdb_id', m.imdb_id, 'networks', m.networks,"
	" 'backdrop_url', " CAT_ART("backdrop", "m") ", 'identified_by', m.identified_by,"
	" 'match_locked', m.match_locked, 'sonarr_id', m.sonarr_id,"
	" 'metadata_refreshed_at', " SQL_TS("m.metadata_refreshed_at") ","
	" 'titles', m.titles_i18n, 'age_ratings', m.age_ratings,"
	" 'age_rating', (SELECT json_build_object('country', ar.country, 'system', ar.system,"
	"  'certification', ar.certification, 'min_age', ar.min_age) FROM series_age_ratings ar"
	"  WHERE ar.series_id = m.id AND ar.country = v.country),"
	" 'genres', coalesce((SELECT json_agg(" CAT_GENRE_ITEM " ORDER BY g.name) FROM series_genres sg"
	"  JOIN genres g ON g.id = sg.genre_id WHERE sg.series_id = m.id), '[]'),"
	" 'seasons', coalesce((SELECT json_agg(json_build_object('id', se.id, 'season_number',"
	"  se.season_number, 'name', " CAT_NAME("se") ", 'air_date', se.air_date, 'episode_count',"
	"  (SELECT count(*) FROM episodes e WHERE e.season_id = se.id)) ORDER BY se.season_number)"
	"  FROM seasons se WHERE se.series_id = m.id), '[]'),"
	" 'episode_count', (SELECT count(*) FROM episodes e WHERE e.series_id = m.id"
	"  AND e.season_number > 0),"
	" 'user_data', json_build_object('watched_episodes', (SELECT count(*) FROM episode_watch w"
	"  JOIN episodes e ON e.id = w.episode_id AND e.season_number > 0"
	"  WHERE w.user_id = $1::uuid AND w.series_id = m.id AND w.watched),"
	"  'last_played_at', (SELECT " SQL_TS("max(w.last_played_at)") " FROM episode_watch w"
	"  WHERE w.user_id = $1::uuid AND w.series_id = m.id))))::text"
	SERIES_FROM TV_ONE,
	CAT_NPARAMS + 1, true};

#define CREDITS_FROM(kind)                                                                         \
	" FROM v, series m JOIN series_credits c ON c.series_id = m.id AND c.kind = '" kind "'"    \
	" JOIN people p ON p.id = c.person_id WHERE " TV_VISIBLE("m") TV_ONE
static const struct db_stmt q_cast = {
	"tv_cast",
	CAT_VIEW_CTE " SELECT " CAT_CREDIT_ITEM ", c.ord::text, c.credit_id" CREDITS_FROM("cast")
	CAT_KEYSET("c.ord", "int", "c.credit_id", "text", ">")
	" ORDER BY c.ord, c.credit_id LIMIT $8 OFFSET $9",
	CAT_NPARAMS + 5, true};
static const struct db_stmt q_cast_count = {
	"tv_cast_count", CAT_VIEW_CTE " SELECT count(*)" CREDITS_FROM("cast"), CAT_NPARAMS + 1, true};
static const struct db_stmt q_crew = {
	"tv_crew",
	CAT_VIEW_CTE " SELECT " CAT_CREDIT_ITEM ", " CAT_CREW_KEY ", c.credit_id" CREDITS_FROM("crew")
	CAT_KEYSET(CAT_CREW_KEY, "text", "c.credit_id", "text", ">")
	" ORDER BY " CAT_CREW_KEY ", c.credit_id LIMIT $8 OFFSET $9",
	CAT_NPARAMS + 5, true};
static const struct db_stmt q_crew_count = {
	"tv_crew_count", CAT_VIEW_CTE " SELECT count(*)" CREDITS_FROM("crew"), CAT_NPARAMS + 1, true};

#define GENRES_FROM                                                                                \
	" FROM v, series m JOIN series_genres sg ON sg.series_id = m.id JOIN genres g"             \
	" ON g.id = sg.genre_id WHERE " TV_VISIBLE("m") TV_ONE
static const struct db_stmt q_genres = {
	"tv_genres",
	CAT_VIEW_CTE " SELECT " CAT_GENRE_ITEM ", " CAT_NAME("g") ", g.id" GENRES_FROM
	CAT_KEYSET(CAT_NAME("g"), "text", "g.id", "int", ">")
	" ORDER BY " CAT_NAME("g") ", g.id LIMIT $8 OFFSET $9",
	CAT_NPARAMS + 5, true};
static const struct db_stmt q_genres_count = {
	"tv_genres_count", CAT_VIEW_CTE " SELECT count(*)" GENRES_FROM, CAT_NPARAMS + 1, true};

/* networks: the series' list as TMDb gives it (store.c keeps id and name),
 * in its order */
#define NETWORKS_FROM                                                                              \
	" FROM v, series m CROSS JOIN LATERAL jsonb_array_elements(m.networks) WITH ORDINALITY"     \
	" o(n, i) WHERE " TV_VISIBLE("m") TV_ONE
static const struct db_stmt q_networks = {
	"tv_networks",
	CAT_VIEW_CTE " SELECT json_build_object('id', o.n->'id', 'name', o.n->>'name'), o.i::text,"
	" o.i::text" NETWORKS_FROM CAT_KEYSET("o.i", "bigint", "o.i", "bigint", ">")
	" ORDER BY o.i LIMIT $8 OFFSET $9",
	CAT_NPARAMS + 5, true};
static const struct db_stmt q_networks_count = {
	"tv_networks_count", CAT_VIEW_CTE " SELECT count(*)" NETWORKS_FROM, CAT_NPARAMS + 1, true};

/* recently added: series by their newest present file, so a series a new
 * episode arrived for comes first */
#define RECENT_FROM                                                                                \
	" FROM v, series m CROSS JOIN LATERAL (SELECT max(f.created_at) AS k FROM media_files f"    \
	" WHERE f.series_id = m.id AND f.state = 'present') x WHERE " TV_VISIBLE("m")             \
	" AND x.k IS NOT NULL"
static const struct db_stmt q_recent = {
	"tv_recent",
	CAT_VIEW_CTE " SELECT " CAT_SERIES_ITEM ", x.k::text, m.id" RECENT_FROM
	" AND ($5::text IS NULL OR (x.k, m.id) < ($5::timestamptz, $6::uuid))"
	" ORDER BY x.k DESC, m.id DESC LIMIT $7 OFFSET $8",
	CAT_NPARAMS + 4, true};
static const struct db_stmt q_recent_count = {
	"tv_recent_count", CAT_VIEW_CTE " SELECT count(*)" RECENT_FROM, CAT_NPARAMS, true};

static const struct db_stmt q_stats = {
	"tv_stats",
	CAT_VIEW_CTE ", vis AS MATERIALIZED (SELECT m.id, m.library_id, m.status" SERIES_FROM "),"
	" eps AS MATERIALIZED (SELECT e.id, e.season_number, e.runtime FROM vis"
	"  JOIN episodes e ON e.series_id = vis.id),"
	" fl AS MATERIALIZED (SELECT DISTINCT f.id, f.size, f.width, f.height FROM vis"
	"  JOIN media_files f ON f.series_id = vis.id AND f.state = 'present')"
	" SELECT json_build_object('series', (SELECT count(*) FROM vis),"
	" 'seasons', (SELECT count(*) FROM vis JOIN seasons se ON se.series_id = vis.id),"
	" 'episodes', (SELECT count(*) FROM eps),"
	" 'specials', (SELECT count(*) FROM eps WHERE season_number = 0),"
	" 'episodes_with_files', (SELECT count(DISTINCT fe.episode_id) FROM eps"
	"  JOIN media_file_episodes fe ON fe.episode_id = eps.id JOIN media_files f ON"
	"  f.id = fe.file_id AND f.state = 'present'),"
	" 'files', (SELECT count(*) FROM fl), 'total_size', (SELECT coalesce(sum(size), 0) FROM fl),"
	" 'total_runtime_minutes', (SELECT coalesce(sum(runtime), 0) FROM eps),"
	" 'watched_episodes', (SELECT count(*) FROM eps JOIN episode_watch w ON w.episode_id = eps.id"
	"  AND w.user_id = $1::uuid AND w.watched),"
	" 'in_progress', (SELECT count(*) FROM eps JOIN episode_watch w ON w.episode_id = eps.id"
	"  AND w.user_id = $1::uuid AND NOT w.watched AND w.position_seconds > 0),"
	" 'by_status', (SELECT coalesce(json_object_agg(s, n), '{}') FROM (SELECT"
	"  coalesce(status, 'unknown') s, count(*) n FROM vis GROUP BY 1) x),"
	" 'by_resolution', (SELECT coalesce(json_object_agg(r, n), '{}') FROM (SELECT"
	"  coalesce(rv_resolution(width, height), 'unknown') r, count(*) n FROM fl GROUP BY 1) x),"
	" 'by_library', (SELECT coalesce(json_object_agg(library_id, n), '{}') FROM (SELECT"
	"  library_id, count(*) n FROM vis GROUP BY 1) x))::text",
	CAT_NPARAMS, true};

/* a season and its series */
#define SEASON_FROM " FROM v, seasons m JOIN series s ON s.id = m.series_id WHERE " TV_VISIBLE("s")
static const struct db_stmt q_season_visible = {
	"tv_season_visible", CAT_VIEW_CTE " SELECT 1" SEASON_FROM TV_ONE, CAT_NPARAMS + 1, true};
static const struct db_stmt q_season_get = {
	"tv_season_get",
	CAT_VIEW_CTE " SELECT (" CAT_SEASON_ITEM "::jsonb || jsonb_build_object('language', v.lang,"
	" 'series', json_build_object('id', s.id, 'title', " CAT_TITLE_CHAIN("s.titles_i18n",
	"s.original_language", "s.original_title", "s.title") ", 'poster_url', " CAT_ART("poster", "s")
	"), 'watched_episodes', (SELECT count(*) FROM episode_watch w JOIN episodes e"
	"  ON e.id = w.episode_id WHERE w.user_id = $1::uuid AND e.season_id = m.id AND w.watched)))::text"
	SEASON_FROM TV_ONE,
	CAT_NPARAMS + 1, true};

/* TV genres with the number of series the viewer can see in each (the
 * series keep their genre ids, migration 0018) */
#define TV_GENRES_FROM " FROM v, genres g WHERE g.kind = 'tv'"
static const struct db_stmt q_all_genres = {
	"tv_genres_list",
	CAT_VIEW_CTE " SELECT json_build_object('id', g.id, 'tmdb_id', g.tmdb_id, 'name', "
	CAT_NAME("g") ", 'series_count', (SELECT count(*) FROM series m WHERE g.id = ANY (m.genre_ids)"
	" AND " TV_VISIBLE("m") ")), " CAT_NAME("g") ", g.id" TV_GENRES_FROM
	" AND ($5::text IS NULL OR (" CAT_NAME("g") ", g.id) > ($5::text, $6::int))"
	" ORDER BY " CAT_NAME("g") ", g.id LIMIT $7 OFFSET $8",
	CAT_NPARAMS + 4, true};
static const struct db_stmt q_all_genres_count = {
	"tv_genres_list_count", CAT_VIEW_CTE " SELECT count(*)" TV_GENRES_FROM, CAT_NPARAMS, true};

static const struct db_stmt q_refresh_target = {
	"tv_refresh_target",
	CAT_VIEW_CTE " SELECT m.library_id" SERIES_FROM TV_ONE, CAT_NPARAMS + 1, false};
/* clang-format on */

/* --- browse ----------------------------------------------------------------- */

enum app_err tv_filters(struct request *req, const char **p, struct field_error *fe)
{
	const struct param_value *ymin = req_query(req, "year_min"), *ymax = req_query(req, "year_max");
	const struct param_value *has = req_query(req, "has_file");
	enum app_err e;

	if (ymin && ymax && ymin->num > ymax->num)
		return field_fail(fe, APP_ERR_VALIDATION, "year_min", "must not be above year_max");
	p[4] = catalog_query_str(req, "library_id");
	if (p[4] && (e = library_access_fe(req, p[4], "view", "library_id", fe)))
		return e;
	p[5] = catalog_query_str(req, "genre");
	p[6] = ymin ? ymin->str : NULL;
	p[7] = ymax ? ymax->str : NULL;
	p[8] = catalog_query_str(req, "status");
	p[9] = has ? (has->num ? "true" : "false") : NULL;
	p[10] = catalog_query_str(req, "max_age");
	return APP_OK;
}

enum app_err tv_list(struct request *req, struct response *res, struct field_error *fe)
{
	const char *p[CAT_NPARAMS + CATALOG_MAX_FILTERS + 4];
	enum app_err e;

	if ((e = catalog_viewer(req, p, fe)) || (e = tv_filters(req, p, fe)))
		return e;
	return catalog_sorted_page(req, res, &catalog_series, sort_names, p, fe);
}

enum app_err tv_get(struct request *req, struct response *res, struct field_error *fe)
{
	return catalog_one_by_id(req, res, &q_get, TV_NOT_SERIES, fe);
}

enum app_err tv_require(struct request *req, const char **p, struct field_error *fe)
{
	PGresult *r;
	return catalog_by_path_id(req, p, &q_visible, TV_NOT_SERIES, &r, fe);
}

enum app_err tv_seasons(struct request *req, struct response *res, struct field_error *fe)
{
	const char *p[CAT_NPARAMS + CATALOG_MAX_FILTERS + 4] = {0};
	struct catalog_shape s = {.kind = &catalog_season, .filters = 1u << TV_SEASON_BY_SERIES};
	enum app_err e;

	if ((e = catalog_viewer(req, p, fe)) || (e = tv_require(req, p, fe)))
		return e;
	return catalog_page(req, res, s, p, "number|asc|", fe);
}

/* Episodes of the series or season p[CAT_NPARAMS] (filter by: its index
 * among catalog_episode's filters), with ?season when given. */
static enum app_err episodes_of(struct request *req, struct response *res, const char **p,
                                int by, struct field_error *fe)
{
	const struct param_value *season = req_query(req, "season");
	const char *id = p[CAT_NPARAMS];

	for (int i = 0; i < CATALOG_MAX_FILTERS; i++)
		p[CAT_NPARAMS + i] = NULL;
	p[CAT_NPARAMS + by] = id;
	p[CAT_NPARAMS + TV_EPISODE_BY_NUMBER] = season ? season->str : NULL;
	return catalog_sorted_page(req, res, &catalog_episode, episode_sorts, p, fe);
}

enum app_err tv_series_episodes(struct request *req, struct response *res, struct field_error *fe)
{
	const char *p[CAT_NPARAMS + CATALOG_MAX_FILTERS + 4];
	enum app_err e;

	if ((e = catalog_viewer(req, p, fe)) || (e = tv_require(req, p, fe)))
		return e;
	return episodes_of(req, res, p, TV_EPISODE_BY_SERIES, fe);
}

enum app_err tv_cast(struct request *req, struct response *res, struct field_error *fe)
{
	return catalog_relation(req, res, &q_visible, TV_NOT_SERIES, &q_cast, &q_cast_count, fe);
}

enum app_err tv_crew(struct request *req, struct response *res, struct field_error *fe)
{
	return catalog_relation(req, res, &q_visible, TV_NOT_SERIES, &q_crew, &q_crew_count, fe);
}

enum app_err tv_genres(struct request *req, struct response *res, struct field_error *fe)
{
	return catalog_relation(req, res, &q_visible, TV_NOT_SERIES, &q_genres, &q_genres_count, fe);
}

enum app_err tv_networks(struct request *req, struct response *res, struct field_error *fe)
{
	return catalog_relation(req, res, &q_visible, TV_NOT_SERIES, &q_networks, &q_networks_count,
	                        fe);
}

enum app_err tv_all_genres(struct request *req, struct response *res, struct field_error *fe)
{
	return catalog_viewer_page(req, res, &q_all_genres, &q_all_genres_count, fe);
}

enum app_err tv_recently_added(struct request *req, struct response *res, struct field_error *fe)
{
	return catalog_viewer_page(req, res, &q_recent, &q_recent_count, fe);
}

enum app_err tv_stats(struct request *req, struct response *res, struct field_error *fe)
{
	return catalog_viewer_json(req, res, &q_stats, fe);
}

enum app_err tv_season_get(struct request *req, struct response *res, struct field_error *fe)
{
	return catalog_one_by_id(req, res, &q_season_get, TV_NOT_SEASON, fe);
}

enum app_err tv_season_episodes(struct request *req, struct response *res, struct field_error *fe)
{
	const char *p[CAT_NPARAMS + CATALOG_MAX_FILTERS + 4];
	PGresult *r;
	enum app_err e;

	if ((e = catalog_viewer(req, p, fe)) ||
	    (e = catalog_by_path_id(req, p, &q_season_visible, TV_NOT_SEASON, &r, fe)))
		return e;
	return episodes_of(req, res, p, TV_EPISODE_BY_SEASON, fe);
}

/* --- refresh ---------------------------------------------------------------- */

enum app_err tv_refresh(struct request *req, struct response *res, struct field_error *fe)
{
	const char *p[CAT_NPARAMS + 1];
	PGresult *r;
	enum app_err e;

	if ((e = catalog_viewer(req, p, fe)) ||
	    (e = catalog_by_path_id(req, p, &q_refresh_target, TV_NOT_SERIES, &r, fe)))
		return e;
	return catalog_refresh(req, res, "series", p[CAT_NPARAMS], PQgetvalue(r, 0, 0), fe);
}
