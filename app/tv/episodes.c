/*
 * Episodes (SPEC §5): detail and files, recent and upcoming by air date,
 * the caller's watch state (the catalog's, bound to episodes), marking a
 * season or a series at once, next up, and direct play.
 *
 * Next up: for each series the caller has watched an episode of, the
 * first unwatched episode with a file after the one they marked or
 * finished last, most recently watched series first; specials (season 0)
 * neither count as the last watched nor come next unless asked for.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/auth.h"
#include "catalog/files.h"
#include "catalog/items.h"
#include "catalog/kind.h"
#include "catalog/watch.h"
#include "http/validators.h"
#include "tv/tv.h"
#include "tv/view.h"

#define SPECIALS_PARAM                                                                             \
	{.name = "include_specials", .type = PT_BOOL,                                              \
	 .doc = "Let specials (season 0) be the last watched or the next episode (default false)."}
const struct param_spec tv_next_up_query[] = {PAGE_PARAMS, TV_LANG_PARAM, SPECIALS_PARAM, {0}};
const struct param_spec tv_next_episode_query[] = {TV_LANG_PARAM, SPECIALS_PARAM, {0}};

static const struct body_field uuid_item = {.type = BT_UUID};
const struct body_field tv_bulk_watched_body[] = {
    {.name = "series_id", .type = BT_UUID, .doc = "Every episode of this series."},
    {.name = "season_id", .type = BT_UUID, .doc = "Every episode of this season."},
    {.name = "episode_ids", .type = BT_ARRAY, .min = 1, .max = 500, .unique = true,
     .items = &uuid_item, .doc = "These episodes."},
    {.name = "watched", .type = BT_BOOL, .doc = "Mark watched (true, the default) or unwatched."},
    {0}};

/* clang-format off */
#define EPISODE_FROM                                                                               \
	" FROM v, episodes m JOIN series s ON s.id = m.series_id WHERE " TV_VISIBLE("s")
/* the neighbour of m in episode order, specials apart from the seasons */
#define NEIGHBOUR(op, dir)                                                                         \
	"(SELECT e.id FROM episodes e WHERE e.series_id = m.series_id AND (e.season_number,"        \
	" e.episode_number) " op " (m.season_number, m.episode_number) AND (e.season_number > 0)"   \
	" = (m.season_number > 0) ORDER BY e.season_number " dir ", e.episode_number " dir " LIMIT 1)"
#define EPISODE_FILES(m)                                                                           \
	" media_file_episodes fe JOIN media_files f ON f.id = fe.file_id AND f.state = 'present'"  \
	" WHERE fe.episode_id = " m ".id"
#define EPISODE_URL "'/api/v1/tvshows/episodes/' || m.id"

static const struct db_stmt q_visible = {
	"tv_episode_visible", CAT_VIEW_CTE " SELECT 1" EPISODE_FROM TV_ONE, CAT_NPARAMS + 1, true};

static const struct db_stmt q_get = {
	"tv_episode_get",
	CAT_VIEW_CTE " SELECT (" CAT_EPISODE_ITEM "::jsonb || jsonb_build_object('language', v.lang,"
	" 'titles', m.titles_i18n, 'guest_stars', m.guest_stars, 'tmdb_id', m.tmdb_id,"
	" 'season', (SELECT json_build_object('id', se.id, 'season_number', se.season_number,"
	"  'name', " CAT_NAME("se") ") FROM seasons se WHERE se.id = m.season_id),"
	" 'previous_id', " NEIGHBOUR("<", "DESC") ", 'next_id', " NEIGHBOUR(">", "ASC") ","
	" 'versions', coalesce((SELECT json_agg(json_build_object('file_id', f.id, 'label', f.version,"
	"  'stream_url', " EPISODE_URL " || '/files/' || f.id || '/stream') ORDER BY f.height DESC"
	"  NULLS LAST, f.rel_path, f.id) FROM" EPISODE_FILES("m") "), '[]')))::text"
	EPISODE_FROM TV_ONE,
	CAT_NPARAMS + 1, true};

#define FILES_FROM                                                                                 \
	" FROM v, episodes m JOIN series s ON s.id = m.series_id JOIN media_file_episodes fe"       \
	" ON fe.episode_id = m.id JOIN media_files f ON f.id = fe.file_id AND f.state = 'present'"  \
	" WHERE " TV_VISIBLE("s") TV_ONE
static const struct db_stmt q_files = {
	"tv_episode_files",
	CAT_VIEW_CTE " SELECT " CAT_FILE_ITEM(EPISODE_URL) ", f.rel_path, f.id" FILES_FROM
	CAT_KEYSET("f.rel_path", "text", "f.id", "uuid", ">")
	" ORDER BY f.rel_path, f.id LIMIT $8 OFFSET $9",
	CAT_NPARAMS + 5, true};
static const struct db_stmt q_files_count = {
	"tv_episode_files_count", CAT_VIEW_CTE " SELECT count(*)" FILES_FROM, CAT_NPARAMS + 1, true};

/* the caller's day, in their time zone */
#define TODAY "rv_today((SELECT u.timezone FROM users u WHERE u.id = $1::uuid))"
#define AIRED "coalesce(m.air_date, '0001-01-01'::date)"
static const struct db_stmt q_recent = {
	"tv_episodes_recent",
	CAT_VIEW_CTE " SELECT " CAT_EPISODE_ITEM ", m.air_date::text, m.id" EPISODE_FROM
	" AND m.air_date IS NOT NULL AND " AIRED " < " TODAY
	" AND ($5::text IS NULL OR (" AIRED ", m.id) < ($5::date, $6::uuid))"
	" ORDER BY " AIRED " DESC, m.id DESC LIMIT $7 OFFSET $8",
	CAT_NPARAMS + 4, true};
static const struct db_stmt q_recent_count = {
	"tv_episodes_recent_count",
	CAT_VIEW_CTE " SELECT count(*)" EPISODE_FROM " AND m.air_date IS NOT NULL AND " AIRED " < " TODAY,
	CAT_NPARAMS, true};
static const struct db_stmt q_upcoming = {
	"tv_episodes_upcoming",
	CAT_VIEW_CTE " SELECT " CAT_EPISODE_ITEM ", m.air_date::text, m.id" EPISODE_FROM
	" AND " AIRED " >= " TODAY
	" AND ($5::text IS NULL OR (" AIRED ", m.id) > ($5::date, $6::uuid))"
	" ORDER BY " AIRED ", m.id LIMIT $7 OFFSET $8",
	CAT_NPARAMS + 4, true};
static const struct db_stmt q_upcoming_count = {
	"tv_episodes_upcoming_count",
	CAT_VIEW_CTE " SELECT count(*)" EPISODE_FROM " AND " AIRED " >= " TODAY, CAT_NPARAMS, true};

/* $5: specials count. The last episode the caller watched of each series
 * (marked or finished), then the first unwatched episode with a file after
 * it. */
#define UNWATCHED(e)                                                                               \
	" NOT EXISTS (SELECT 1 FROM episode_watch x WHERE x.user_id = $1::uuid"                     \
	" AND x.episode_id = " e ".id AND x.watched)"
#define NEXT_UP_FROM                                                                               \
	", last AS MATERIALIZED (SELECT DISTINCT ON (w.series_id) w.series_id,"                     \
	" e.season_number AS sn, e.episode_number AS en, w.last_played_at AS at"                    \
	" FROM episode_watch w JOIN episodes e ON e.id = w.episode_id WHERE w.user_id = $1::uuid"  \
	" AND w.watched AND ($5::boolean OR e.season_number > 0)"                                   \
	" ORDER BY w.series_id, w.last_played_at DESC NULLS LAST, e.season_number DESC,"            \
	" e.episode_number DESC)"                                                                   \
	" SELECT " CAT_EPISODE_ITEM ", l.at::text, m.id FROM v, last l JOIN series s"               \
	" ON s.id = l.series_id CROSS JOIN LATERAL (SELECT e.* FROM episodes e"                     \
	" WHERE e.series_id = l.series_id AND (e.season_number, e.episode_number) > (l.sn, l.en)"   \
	" AND ($5::boolean OR e.season_number > 0) AND" UNWATCHED("e")                             \
	" AND EXISTS (SELECT 1 FROM" EPISODE_FILES("e") ")"                                         \
	" ORDER BY e.season_number, e.episode_number LIMIT 1) m WHERE " TV_VISIBLE("s")
static const struct db_stmt q_next_up = {
	"tv_next_up",
	CAT_VIEW_CTE NEXT_UP_FROM
	" AND ($6::text IS NULL OR (l.at, m.id) < ($6::timestamptz, $7::uuid))"
	" ORDER BY l.at DESC, m.id DESC LIMIT $8 OFFSET $9",
	CAT_NPARAMS + 5, true};
static const struct db_stmt q_next_up_count = {
	"tv_next_up_count",
	"SELECT count(*) FROM (" CAT_VIEW_CTE NEXT_UP_FROM ") x", CAT_NPARAMS + 1, true};

/* $5 the series, $6 specials count: the first unwatched episode after the
 * last watched one, or the first one */
static const struct db_stmt q_next_episode = {
	"tv_next_episode",
	CAT_VIEW_CTE ", last AS (SELECT e.season_number AS sn, e.episode_number AS en"
	" FROM episode_watch w JOIN episodes e ON e.id = w.episode_id WHERE w.user_id = $1::uuid"
	" AND w.series_id = $5::uuid AND w.watched AND ($6::boolean OR e.season_number > 0)"
	" ORDER BY w.last_played_at DESC NULLS LAST, e.season_number DESC, e.episode_number DESC"
	" LIMIT 1)"
	" SELECT " CAT_EPISODE_ITEM "::text FROM v, series s JOIN episodes m ON m.series_id = s.id"
	" WHERE s.id = $5::uuid AND " TV_VISIBLE("s") " AND ($6::boolean OR m.season_number > 0)"
	" AND (NOT EXISTS (SELECT 1 FROM last) OR (m.season_number, m.episode_number) >"
	" (SELECT sn, en FROM last)) AND" UNWATCHED("m")
	" ORDER BY m.season_number, m.episode_number LIMIT 1",
	CAT_NPARAMS + 2, true};

/* bulk: $5 series, $6 season, $7 episode ids. One statement: the visible
 * episodes named, whether the series, the season or every episode named is
 * there for the caller, and the write, which only happens when it is; it
 * answers (episodes named, series there, season there, changed). */
#define BULK_TARGET                                                                                \
	", target AS MATERIALIZED (SELECT m.id" EPISODE_FROM " AND (m.series_id = $5::uuid"          \
	" OR m.season_id = $6::uuid OR m.id = ANY ($7::uuid[])))"                                  \
	", ok AS (SELECT (SELECT count(*) FROM target) AS n, ($5::uuid IS NULL OR EXISTS (SELECT 1" \
	" FROM v, series s WHERE s.id = $5::uuid AND " TV_VISIBLE("s") ")) AS series_ok,"            \
	" ($6::uuid IS NULL OR EXISTS (SELECT 1 FROM v, seasons se JOIN series s ON"                 \
	" s.id = se.series_id WHERE se.id = $6::uuid AND " TV_VISIBLE("s") ")) AS season_ok)"        \
	", go AS (SELECT t.id FROM target t, ok WHERE ok.series_ok AND ok.season_ok"               \
	" AND ($7::uuid[] IS NULL OR ok.n = cardinality($7::uuid[])))"
#define BULK_ANSWER(event)                                                                         \
	", h AS (INSERT INTO episode_watch_history (user_id, episode_id, event)"                   \
	" SELECT $1::uuid, episode_id, '" event "' FROM up)"                                       \
	" SELECT ok.n, ok.series_ok, ok.season_ok, (SELECT count(*) FROM up) FROM ok"
static const struct db_stmt q_bulk_mark = {
	"tv_bulk_mark",
	CAT_VIEW_CTE BULK_TARGET ", up AS (INSERT INTO episode_watch AS w (user_id, episode_id,"
	" watched, play_count, last_played_at, watched_at) SELECT $1::uuid, id, true, 1, now(),"
	" now() FROM go ON CONFLICT (user_id, episode_id) DO UPDATE SET watched = true,"
	" position_seconds = 0, play_count = w.play_count + 1, last_played_at = now(),"
	" watched_at = now(), updated_at = now() WHERE NOT w.watched RETURNING w.episode_id)"
	BULK_ANSWER("marked"),
	CAT_NPARAMS + 3, false};
static const struct db_stmt q_bulk_unmark = {
	"tv_bulk_unmark",
	CAT_VIEW_CTE BULK_TARGET ", up AS (UPDATE episode_watch w SET watched = false, play_count = 0,"
	" position_seconds = 0, watched_at = NULL, updated_at = now() FROM go"
	" WHERE w.user_id = $1::uuid AND w.episode_id = go.id AND (w.watched"
	" OR w.position_seconds > 0) RETURNING w.episode_id)" BULK_ANSWER("unmarked"),
	CAT_NPARAMS + 3, false};

/* $5 episode, $6 file: its path, its library's roots, its sidecars */
static const struct db_stmt q_file = {
	"tv_stream_file",
	CAT_VIEW_CTE " SELECT f.path, array_to_json(l.paths)::text, f.sidecars::text"
	" FROM v, episodes m JOIN series s ON s.id = m.series_id JOIN media_file_episodes fe"
	" ON fe.episode_id = m.id JOIN media_files f ON f.id = fe.file_id AND f.state = 'present'"
	" JOIN libraries l ON l.id = f.library_id"
	" WHERE " TV_VISIBLE("s") " AND m.id = $5::uuid AND f.id = $6::uuid",
	CAT_NPARAMS + 2, true};
/* clang-format on */

enum app_err tv_episode_get(struct request *req, struct response *res, struct field_error *fe)
{
	return catalog_one_by_id(req, res, &q_get, TV_NOT_EPISODE, fe);
}

enum app_err tv_episode_files(struct request *req, struct response *res, struct field_error *fe)
{
	return catalog_relation(req, res, &q_visible, TV_NOT_EPISODE, &q_files, &q_files_count, fe);
}

enum app_err tv_episodes_recent(struct request *req, struct response *res, struct field_error *fe)
{
	return catalog_viewer_page(req, res, &q_recent, &q_recent_count, fe);
}

enum app_err tv_episodes_upcoming(struct request *req, struct response *res,
                                  struct field_error *fe)
{
	return catalog_viewer_page(req, res, &q_upcoming, &q_upcoming_count, fe);
}

/* --- watch state ------------------------------------------------------------ */

enum app_err tv_progress_get(struct request *req, struct response *res, struct field_error *fe)
{
	return catalog_progress_get(req, res, &catalog_episode, fe);
}

enum app_err tv_progress_put(struct request *req, struct response *res, struct field_error *fe)
{
	return catalog_progress_put(req, res, &catalog_episode, fe);
}

enum app_err tv_progress_delete(struct request *req, struct response *res, struct field_error *fe)
{
	return catalog_progress_delete(req, res, &catalog_episode, fe);
}

enum app_err tv_watched_add(struct request *req, struct response *res, struct field_error *fe)
{
	return catalog_watched(req, res, &catalog_episode, true, fe);
}

enum app_err tv_watched_remove(struct request *req, struct response *res, struct field_error *fe)
{
	return catalog_watched(req, res, &catalog_episode, false, fe);
}

enum app_err tv_continue(struct request *req, struct response *res, struct field_error *fe)
{
	return catalog_continue(req, res, &catalog_episode, fe);
}

enum app_err tv_history(struct request *req, struct response *res, struct field_error *fe)
{
	return catalog_history(req, res, &catalog_episode, fe);
}

/* A uuid array member (checked by the body spec) as a PostgreSQL array
 * literal, in the arena; NULL when out of memory. */
static const char *uuid_array(struct request *req, const cJSON *arr)
{
	size_t n = (size_t)cJSON_GetArraySize(arr), o = 0;
	char *s = arena_alloc(req->arena, 2 + n * 37 + 1);
	const cJSON *it;

	if (!s)
		return NULL;
	s[o++] = '{';
	cJSON_ArrayForEach(it, arr)
	{
		if (o > 1)
			s[o++] = ',';
		memcpy(s + o, it->valuestring, 36);
		o += 36;
	}
	s[o++] = '}';
	s[o] = 0;
	return s;
}

enum app_err tv_bulk_watched(struct request *req, struct response *res, struct field_error *fe)
{
	const char *p[CAT_NPARAMS + 3];
	const cJSON *ids = req_body(req, "episode_ids");
	bool mark = true;
	PGresult *r;
	struct jw w;
	enum app_err e;

	if ((e = catalog_viewer(req, p, fe)))
		return e;
	req_body_bool(req, "watched", &mark);
	p[CAT_NPARAMS] = req_body_str(req, "series_id");
	p[CAT_NPARAMS + 1] = req_body_str(req, "season_id");
	p[CAT_NPARAMS + 2] = NULL;
	if (ids && !cJSON_IsNull(ids) && !(p[CAT_NPARAMS + 2] = uuid_array(req, ids)))
		return APP_ERR_NOMEM;
	int given = !!p[CAT_NPARAMS] + !!p[CAT_NPARAMS + 1] + !!p[CAT_NPARAMS + 2];
	if (given != 1)
		return field_fail(fe, APP_ERR_VALIDATION, given ? "season_id" : "series_id",
		                  "give exactly one of series_id, season_id and episode_ids");
	if ((e = db_query(req->app->db, req->arena, mark ? &q_bulk_mark : &q_bulk_unmark, p, &r)))
		return e;
	/* everything named must be there for the caller, or nothing was written */
	if (p[CAT_NPARAMS] && strcmp(PQgetvalue(r, 0, 1), "t"))
		return field_fail(fe, APP_ERR_NOT_FOUND, "series_id", TV_NOT_SERIES);
	if (p[CAT_NPARAMS + 1] && strcmp(PQgetvalue(r, 0, 2), "t"))
		return field_fail(fe, APP_ERR_NOT_FOUND, "season_id", TV_NOT_SEASON);
	int64_t n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	if (p[CAT_NPARAMS + 2] && n != cJSON_GetArraySize(ids))
		return field_fail(fe, APP_ERR_NOT_FOUND, "episode_ids", "names an episode that is not one");
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	jw_kbool(&w, "watched", mark);
	jw_kint(&w, "episodes", n);
	jw_kint(&w, "changed", strtoll(PQgetvalue(r, 0, 3), NULL, 10));
	jw_obj_close(&w);
	return APP_OK;
}

enum app_err tv_next_up(struct request *req, struct response *res, struct field_error *fe)
{
	const char *p[CAT_NPARAMS + 5];
	const struct param_value *sp = req_query(req, "include_specials");
	enum app_err e;

	if ((e = catalog_viewer(req, p, fe)))
		return e;
	p[CAT_NPARAMS] = sp && sp->num ? "true" : "false";
	/* a cursor keeps to the list it was issued for, with or without specials */
	return catalog_fixed_page(req, res, &q_next_up, &q_next_up_count, p,
	                          sp && sp->num ? "s|" : "n|", fe);
}

enum app_err tv_next_episode(struct request *req, struct response *res, struct field_error *fe)
{
	const char *p[CAT_NPARAMS + 2];
	const struct param_value *sp = req_query(req, "include_specials");
	PGresult *r;
	struct jw w;
	enum app_err e;

	if ((e = catalog_viewer(req, p, fe)) || (e = tv_require(req, p, fe)))
		return e;
	p[CAT_NPARAMS + 1] = sp && sp->num ? "true" : "false";
	if ((e = db_query(req->app->db, req->arena, &q_next_episode, p, &r)))
		return e;
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	jw_key(&w, "episode");
	if (PQntuples(r))
		jw_pg_json(&w, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
	else
		jw_null(&w);
	jw_obj_close(&w);
	return APP_OK;
}

/* --- direct play ------------------------------------------------------------ */

enum app_err tv_stream(struct request *req, struct response *res, struct field_error *fe)
{
	return catalog_play(req, res, &q_visible, TV_NOT_EPISODE, &q_file,
			    "is not a file of this episode", false, fe);
}

enum app_err tv_subtitle(struct request *req, struct response *res, struct field_error *fe)
{
	return catalog_play(req, res, &q_visible, TV_NOT_EPISODE, &q_file,
			    "is not a file of this episode", true, fe);
}
