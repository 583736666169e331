#include "movies/movies.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/auth.h"
#include "movies/filter.h"
#include "movies/view.h"
#include "catalog/kind.h"
#include "catalog/request.h"

/* --- query parameters ------------------------------------------------------ */

static const char *const sort_names[] = {"title",      "year",    "added", "rating",
                                         "popularity", "runtime", NULL};
const char *const mv_resolutions[] = {"2160p", "1080p", "720p", "sd", NULL};

#define LANG_PARAM CATALOG_LANG_PARAM

const struct param_spec movies_lang_query[] = {LANG_PARAM, {0}};
const struct param_spec movies_page_query[] = {PAGE_PARAMS, LANG_PARAM, {0}};
const struct param_spec movies_plain_page_query[] = {PAGE_PARAMS, {0}};
const struct param_spec movies_top_query[] = {
    PAGE_PARAMS,
    LANG_PARAM,
    {.name = "min_votes", .type = PT_INT, .min = 0, .max = 100000000,
     .doc = "Only movies with at least this many votes (default 100)."},
    {0}};
const struct param_spec movies_list_query[] = {
    PAGE_PARAMS,
    LANG_PARAM,
    MV_FILTER_PARAMS,
    {.name = "sort", .type = PT_ENUM, .choices = sort_names,
     .doc = "Sort key (default added); title sorts by the localised title."},
    {.name = "order", .type = PT_ENUM, .choices = catalog_orders,
     .doc = "asc or desc (default desc for added, rating and popularity, else asc)."},
    {0}};

/* clang-format off */
#define VIEW_FROM " FROM v, movies m WHERE " MV_VISIBLE("m")

#define ONE_MOVIE " AND m.id = $5::uuid"
const struct db_stmt mv_q_visible = {
	"movies_visible", MV_VIEW_CTE " SELECT 1" VIEW_FROM ONE_MOVIE, MV_NPARAMS + 1, true};

static const struct db_stmt q_get = {
	"movies_get",
	MV_VIEW_CTE " SELECT " MV_ITEM_PLUS("m",
	"'language', v.lang, 'tagline', " MV_TAGLINE("m") ", 'status', m.status,"
	" 'budget', m.budget, 'revenue', m.revenue, 'homepage', m.homepage,"
	" 'trailer_url', m.trailer_url, 'backdrop_url', " MV_ART("backdrop", "m") ","
	" 'identified_by', m.identified_by, 'match_locked', m.match_locked,"
	" 'radarr_id', m.radarr_id, 'metadata_refreshed_at', " SQL_TS("m.metadata_refreshed_at") ","
	" 'titles', m.titles_i18n, 'age_ratings', m.age_ratings,"
	" 'age_rating', (SELECT json_build_object('country', ar.country, 'system', ar.system,"
	"  'certification', ar.certification, 'min_age', ar.min_age) FROM movie_age_ratings ar"
	"  WHERE ar.movie_id = m.id AND ar.country = v.country),"
	" 'collection', (SELECT json_build_object('id', c.id, 'tmdb_id', c.tmdb_id, 'name', "
	   MV_NAME("c") ", 'poster_path', c.poster_path) FROM collections c WHERE c.id = m.collection_id),"
	" 'genres', coalesce((SELECT json_agg(json_build_object('id', g.id, 'tmdb_id', g.tmdb_id,"
	"  'name', " MV_NAME("g") ") ORDER BY g.name) FROM movie_genres mg JOIN genres g"
	"  ON g.id = mg.genre_id WHERE mg.movie_id = m.id), '[]'),"
	" 'directors', coalesce((SELECT json_agg(json_build_object('person_id', p.id, 'name', p.name)"
	"  ORDER BY p.name) FROM movie_credits c JOIN people p ON p.id = c.person_id"
	"  WHERE c.movie_id = m.id AND c.kind = 'crew' AND c.job = 'Director'), '[]'),"
	/* multiple versions: each present file with its label, best resolution first */
	" 'versions', coalesce((SELECT json_agg(json_build_object('file_id', f.id, 'label', f.version,"
	"  'stream_url', '/api/v1/movies/' || m.id || '/files/' || f.id || '/stream')"
	"  ORDER BY f.height DESC NULLS LAST, f.rel_path, f.id) FROM media_files f"
	"  WHERE f.movie_id = m.id AND f.state = 'present'), '[]')") "::text"
	VIEW_FROM ONE_MOVIE,
	MV_NPARAMS + 1, true};

/* relations: $5 the movie, then key, id, limit, offset */
static const struct db_stmt q_files = {
	"movies_files",
	MV_VIEW_CTE " SELECT " CAT_FILE_ITEM("'/api/v1/movies/' || m.id") ", f.rel_path, f.id"
	" FROM v, movies m JOIN media_files f ON f.movie_id = m.id AND f.state = 'present'"
	" WHERE " MV_VISIBLE("m") ONE_MOVIE CAT_KEYSET("f.rel_path", "text", "f.id", "uuid", ">")
	" ORDER BY f.rel_path, f.id LIMIT $8 OFFSET $9",
	MV_NPARAMS + 5, true};
static const struct db_stmt q_files_count = {
	"movies_files_count",
	MV_VIEW_CTE " SELECT count(*) FROM v, movies m JOIN media_files f ON f.movie_id = m.id"
	" AND f.state = 'present' WHERE " MV_VISIBLE("m") ONE_MOVIE,
	MV_NPARAMS + 1, true};

#define CREDITS_FROM(kind)                                                                         \
	" FROM v, movies m JOIN movie_credits c ON c.movie_id = m.id AND c.kind = '" kind "'"      \
	" JOIN people p ON p.id = c.person_id WHERE " MV_VISIBLE("m") ONE_MOVIE
static const struct db_stmt q_cast = {
	"movies_cast",
	MV_VIEW_CTE " SELECT " CAT_CREDIT_ITEM ", c.ord::text, c.credit_id" CREDITS_FROM("cast")
	CAT_KEYSET("c.ord", "int", "c.credit_id", "text", ">") " ORDER BY c.ord, c.credit_id LIMIT $8 OFFSET $9",
	MV_NPARAMS + 5, true};
static const struct db_stmt q_cast_count = {
	"movies_cast_count", MV_VIEW_CTE " SELECT count(*)" CREDITS_FROM("cast"), MV_NPARAMS + 1,
	true};
static const struct db_stmt q_crew = {
	"movies_crew",
	MV_VIEW_CTE " SELECT " CAT_CREDIT_ITEM ", " CAT_CREW_KEY ", c.credit_id" CREDITS_FROM("crew")
	CAT_KEYSET(CAT_CREW_KEY, "text", "c.credit_id", "text", ">") " ORDER BY " CAT_CREW_KEY ", c.credit_id"
	" LIMIT $8 OFFSET $9",
	MV_NPARAMS + 5, true};
static const struct db_stmt q_crew_count = {
	"movies_crew_count", MV_VIEW_CTE " SELECT count(*)" CREDITS_FROM("crew"), MV_NPARAMS + 1,
	true};

static const struct db_stmt q_genres = {
	"movies_genres",
	MV_VIEW_CTE " SELECT " CAT_GENRE_ITEM ", " MV_NAME("g") ", g.id"
	" FROM v, movies m JOIN movie_genres mg ON mg.movie_id = m.id JOIN genres g ON g.id = mg.genre_id"
	" WHERE " MV_VISIBLE("m") ONE_MOVIE CAT_KEYSET(MV_NAME("g"), "text", "g.id", "int", ">")
	" ORDER BY " MV_NAME("g") ", g.id LIMIT $8 OFFSET $9",
	MV_NPARAMS + 5, true};
static const struct db_stmt q_genres_count = {
	"movies_genres_count",
	MV_VIEW_CTE " SELECT count(*) FROM v, movies m JOIN movie_genres mg ON mg.movie_id = m.id"
	" WHERE " MV_VISIBLE("m") ONE_MOVIE,
	MV_NPARAMS + 1, true};

/* similar: movies sharing genres or the collection (a collection counts as
 * three shared genres), the viewer's visible ones only */
#define SIMILAR_SCORE                                                                              \
	"((SELECT count(*) FROM movie_genres a JOIN movie_genres b ON b.genre_id = a.genre_id"     \
	" WHERE a.movie_id = src.id AND b.movie_id = m.id)"                                        \
	" + CASE WHEN src.collection_id IS NOT NULL AND m.collection_id = src.collection_id"       \
	" THEN 3 ELSE 0 END)"
#define SIMILAR_FROM                                                                               \
	" FROM v, movies src, LATERAL (SELECT m.*, " SIMILAR_SCORE " AS score FROM movies m"       \
	" WHERE m.id <> src.id AND (m.collection_id = src.collection_id OR EXISTS (SELECT 1"       \
	" FROM movie_genres a JOIN movie_genres b ON b.genre_id = a.genre_id"                       \
	" WHERE a.movie_id = src.id AND b.movie_id = m.id))) m"                                     \
	" WHERE src.id = $5::uuid AND " MV_VISIBLE("m")                                             \
	" AND " LIBRARY_VISIBLE_SQL("src.library_id", "$1", "$2")
#define SIMILAR_KEY "(lpad(m.score::text, 4, '0') || '|' || lpad(((coalesce(m.popularity, 0) * 1000)::bigint)::text, 16, '0'))"
static const struct db_stmt q_similar = {
	"movies_similar",
	MV_VIEW_CTE " SELECT " MV_ITEM("m") ", " SIMILAR_KEY ", m.id" SIMILAR_FROM
	CAT_KEYSET(SIMILAR_KEY, "text", "m.id", "uuid", "<") " ORDER BY " SIMILAR_KEY " DESC, m.id DESC"
	" LIMIT $8 OFFSET $9",
	MV_NPARAMS + 5, true};
static const struct db_stmt q_similar_count = {
	"movies_similar_count", MV_VIEW_CTE " SELECT count(*)" SIMILAR_FROM, MV_NPARAMS + 1, true};

/* lists over all visible movies: $5.. extra, then key, id, limit, offset */
static const struct db_stmt q_recent = {
	"movies_recent",
	MV_VIEW_CTE " SELECT " MV_ITEM("m") ", m.added_at::text, m.id" VIEW_FROM
	" AND ($5::text IS NULL OR (m.added_at, m.id) < ($5::timestamptz, $6::uuid))"
	" ORDER BY m.added_at DESC, m.id DESC LIMIT $7 OFFSET $8",
	MV_NPARAMS + 4, true};
static const struct db_stmt q_recent_count = {
	"movies_recent_count", MV_VIEW_CTE " SELECT count(*)" VIEW_FROM, MV_NPARAMS, true};

#define TOP_FROM VIEW_FROM " AND m.vote_average IS NOT NULL AND coalesce(m.vote_count, 0) >= $5::int"
#define TOP_KEY "(lpad(((m.vote_average * 1000)::bigint)::text, 6, '0') || '|' || lpad(coalesce(m.vote_count, 0)::text, 10, '0'))"
static const struct db_stmt q_top = {
	"movies_top",
	MV_VIEW_CTE " SELECT " MV_ITEM("m") ", " TOP_KEY ", m.id" TOP_FROM
	" AND ($6::text IS NULL OR (" TOP_KEY ", m.id) < ($6::text, $7::uuid))"
	" ORDER BY " TOP_KEY " DESC, m.id DESC LIMIT $8 OFFSET $9",
	MV_NPARAMS + 5, true};
static const struct db_stmt q_top_count = {
	"movies_top_count", MV_VIEW_CTE " SELECT count(*)" TOP_FROM, MV_NPARAMS + 1, true};

static const struct db_stmt q_stats = {
	"movies_stats",
	MV_VIEW_CTE ", vis AS (SELECT m.*" VIEW_FROM "), fl AS (SELECT f.* FROM vis m"
	" JOIN media_files f ON f.movie_id = m.id AND f.state = 'present')"
	" SELECT json_build_object('movies', (SELECT count(*) FROM vis),"
	" 'with_files', (SELECT count(DISTINCT movie_id) FROM fl),"
	" 'files', (SELECT count(*) FROM fl), 'total_size', (SELECT coalesce(sum(size), 0) FROM fl),"
	" 'total_runtime_minutes', (SELECT coalesce(sum(runtime), 0) FROM vis),"
	" 'average_rating', (SELECT round(avg(vote_average)::numeric, 2) FROM vis),"
	" 'watched', (SELECT count(*) FROM vis m JOIN movie_watch w ON w.movie_id = m.id"
	"  AND w.user_id = $1::uuid AND w.watched),"
	" 'in_progress', (SELECT count(*) FROM vis m JOIN movie_watch w ON w.movie_id = m.id"
	"  AND w.user_id = $1::uuid AND NOT w.watched AND w.position_seconds > 0),"
	" 'by_resolution', (SELECT coalesce(json_object_agg(r, n), '{}') FROM (SELECT"
	"  coalesce(rv_resolution(width, height), 'unknown') r, count(*) n FROM fl GROUP BY 1) x),"
	" 'by_decade', (SELECT coalesce(json_object_agg(d, n ORDER BY d), '{}') FROM (SELECT"
	"  (year / 10 * 10)::text || 's' d, count(*) n FROM vis WHERE year IS NOT NULL GROUP BY 1) x),"
	" 'by_library', (SELECT coalesce(json_object_agg(library_id, n), '{}') FROM (SELECT"
	"  library_id, count(*) n FROM vis GROUP BY 1) x))::text",
	MV_NPARAMS, true};

/* collections: visible when one of their movies is */
#define COLL_VISIBLE                                                                               \
	" FROM v, collections c WHERE c.id = $5::uuid AND EXISTS (SELECT 1 FROM movies m"          \
	" WHERE m.collection_id = c.id AND " MV_VISIBLE("m") ")"
static const struct db_stmt q_collection = {
	"collections_get",
	MV_VIEW_CTE " SELECT json_build_object('id', c.id, 'tmdb_id', c.tmdb_id, 'name', "
	MV_NAME("c") ", 'overview', c.overview, 'poster_path', c.poster_path, 'poster_url', "
	MV_IMAGE("poster", "c.poster_path") ", 'backdrop_path', c.backdrop_path,"
	" 'movie_count', (SELECT count(*) FROM movies m WHERE m.collection_id = c.id AND "
	MV_VISIBLE("m") "))::text" COLL_VISIBLE,
	MV_NPARAMS + 1, true};
#define COLL_KEY "(lpad(coalesce(m.year, 0)::text, 4, '0') || '|' || coalesce(m.release_date::text, ''))"
#define COLL_FROM VIEW_FROM " AND m.collection_id = $5::uuid"
static const struct db_stmt q_coll_movies = {
	"collections_movies",
	MV_VIEW_CTE " SELECT " MV_ITEM("m") ", " COLL_KEY ", m.id" COLL_FROM
	CAT_KEYSET(COLL_KEY, "text", "m.id", "uuid", ">") " ORDER BY " COLL_KEY ", m.id LIMIT $8 OFFSET $9",
	MV_NPARAMS + 5, true};
static const struct db_stmt q_coll_count = {
	"collections_movies_count", MV_VIEW_CTE " SELECT count(*)" COLL_FROM, MV_NPARAMS + 1, true};

/* genres with the number of visible movies in each */
#define GENRES_ALL_FROM                                                                            \
	" FROM v, genres g WHERE g.kind = 'movie'"
#define GENRE_COUNT                                                                                \
	"(SELECT count(*) FROM movie_genres mg JOIN movies m ON m.id = mg.movie_id"                \
	" WHERE mg.genre_id = g.id AND " MV_VISIBLE("m") ")"
static const struct db_stmt q_genres_all = {
	"genres_list",
	MV_VIEW_CTE " SELECT json_build_object('id', g.id, 'tmdb_id', g.tmdb_id, 'name', "
	MV_NAME("g") ", 'movie_count', " GENRE_COUNT "), " MV_NAME("g") ", g.id" GENRES_ALL_FROM
	" AND ($5::text IS NULL OR (" MV_NAME("g") ", g.id) > ($5::text, $6::int))"
	" ORDER BY " MV_NAME("g") ", g.id LIMIT $7 OFFSET $8",
	MV_NPARAMS + 4, true};
static const struct db_stmt q_genres_all_count = {
	"genres_list_count", MV_VIEW_CTE " SELECT count(*)" GENRES_ALL_FROM, MV_NPARAMS, true};

static const struct db_stmt q_refresh_target = {
	"movies_refresh_target",
	MV_VIEW_CTE " SELECT m.library_id, m.tmdb_id IS NOT NULL" VIEW_FROM ONE_MOVIE,
	MV_NPARAMS + 1, false};
/* clang-format on */

/* --- helpers -------------------------------------------------------------- */

/* A relation of one movie the caller can see. */
static enum app_err relation(struct request *req, struct response *res, const struct db_stmt *list,
                             const struct db_stmt *count, struct field_error *fe)
{
	return catalog_relation(req, res, &mv_q_visible, "is not a movie", list, count, fe);
}

/* A decimal rating 0..10 from query parameter name, or NULL. */
static enum app_err rating_param(struct request *req, const char *name, const char **out,
                                 double *v, struct field_error *fe)
{
	const struct param_value *pv = req_query(req, name);
	char *end;

	*out = NULL;
	if (!pv)
		return APP_OK;
	*v = strtod(pv->str, &end);
	if (*end || end == pv->str || !isfinite(*v) || *v < 0 || *v > 10)
		return field_fail(fe, APP_ERR_VALIDATION, name, "must be a number from 0 to 10");
	*out = pv->str;
	return APP_OK;
}

/* --- browse ----------------------------------------------------------------- */

enum app_err mv_filters(struct request *req, const char **p, struct field_error *fe)
{
	const struct param_value *ymin = req_query(req, "year_min"), *ymax = req_query(req, "year_max");
	const struct param_value *has = req_query(req, "has_file");
	double rmin = 0, rmax = 10;
	enum app_err e;

	if ((e = rating_param(req, "rating_min", &p[8], &rmin, fe)) ||
	    (e = rating_param(req, "rating_max", &p[9], &rmax, fe)))
		return e;
	if (ymin && ymax && ymin->num > ymax->num)
		return field_fail(fe, APP_ERR_VALIDATION, "year_min", "must not be above year_max");
	if (p[8] && p[9] && rmin > rmax)
		return field_fail(fe, APP_ERR_VALIDATION, "rating_min", "must not be above rating_max");
	if (has && !has->num && req_query(req, "resolution"))
		return field_fail(fe, APP_ERR_VALIDATION, "resolution",
		                  "asks for a file, which has_file=false excludes");
	p[4] = catalog_query_str(req, "library_id");
	if (p[4] && (e = library_access_fe(req, p[4], "view", "library_id", fe)))
		return e;
	p[5] = catalog_query_str(req, "genre");
	p[6] = ymin ? ymin->str : NULL;
	p[7] = ymax ? ymax->str : NULL;
	p[10] = has ? (has->num ? "true" : "false") : NULL;
	p[11] = catalog_query_str(req, "resolution");
	p[12] = catalog_query_str(req, "max_age");
	return APP_OK;
}

enum app_err movies_list(struct request *req, struct response *res, struct field_error *fe)
{
	const char *p[MV_NPARAMS + LIST_NFILTERS + 4];
	enum app_err e;

	if ((e = catalog_viewer(req, p, fe)) || (e = mv_filters(req, p, fe)))
		return e;
	return catalog_sorted_page(req, res, &catalog_movie, sort_names, p, fe);
}

enum app_err movies_get(struct request *req, struct response *res, struct field_error *fe)
{
	return catalog_one_by_id(req, res, &q_get, "is not a movie", fe);
}

enum app_err movies_files(struct request *req, struct response *res, struct field_error *fe)
{
	return relation(req, res, &q_files, &q_files_count, fe);
}

enum app_err movies_cast(struct request *req, struct response *res, struct field_error *fe)
{
	return relation(req, res, &q_cast, &q_cast_count, fe);
}

enum app_err movies_crew(struct request *req, struct response *res, struct field_error *fe)
{
	return relation(req, res, &q_crew, &q_crew_count, fe);
}

enum app_err movies_genres(struct request *req, struct response *res, struct field_error *fe)
{
	return relation(req, res, &q_genres, &q_genres_count, fe);
}

enum app_err movies_similar(struct request *req, struct response *res, struct field_error *fe)
{
	return relation(req, res, &q_similar, &q_similar_count, fe);
}

/* The movie's collection, or 404 naming `collection` when it has none. */
enum app_err movies_collection(struct request *req, struct response *res, struct field_error *fe)
{
	static const struct db_stmt q_coll_of = {
	    "movies_collection_of",
	    MV_VIEW_CTE " SELECT m.collection_id" VIEW_FROM ONE_MOVIE, MV_NPARAMS + 1, true};
	const char *p[MV_NPARAMS + 1];
	PGresult *r;
	enum app_err e;

	if ((e = catalog_viewer(req, p, fe)) ||
	    (e = catalog_by_path_id(req, p, &q_coll_of, "is not a movie", &r, fe)))
		return e;
	if (PQgetisnull(r, 0, 0))
		return field_fail(fe, APP_ERR_NOT_FOUND, "collection",
		                  "this movie belongs to no collection");
	p[MV_NPARAMS] = PQgetvalue(r, 0, 0);
	if ((e = db_query(req->app->db, req->arena, &q_collection, p, &r)))
		return e;
	if (PQntuples(r) != 1)
		return APP_ERR_INTERNAL;
	catalog_body_json(res, r);
	http_validators(req, res);
	return APP_OK;
}

enum app_err movies_recently_added(struct request *req, struct response *res,
                                   struct field_error *fe)
{
	return catalog_viewer_page(req, res, &q_recent, &q_recent_count, fe);
}

enum app_err movies_top_rated(struct request *req, struct response *res, struct field_error *fe)
{
	const char *p[MV_NPARAMS + 5];
	const struct param_value *mv = req_query(req, "min_votes");
	enum app_err e;

	if ((e = catalog_viewer(req, p, fe)))
		return e;
	p[MV_NPARAMS] = mv ? mv->str : "100";
	/* the threshold is part of the order: a cursor keeps its own */
	const char *prefix = arena_printf(req->arena, "%s|", p[MV_NPARAMS]);
	if (!prefix)
		return APP_ERR_NOMEM;
	return catalog_fixed_page(req, res, &q_top, &q_top_count, p, prefix, fe);
}

enum app_err movies_stats(struct request *req, struct response *res, struct field_error *fe)
{
	return catalog_viewer_json(req, res, &q_stats, fe);
}

enum app_err collections_get(struct request *req, struct response *res, struct field_error *fe)
{
	return catalog_one_by_id(req, res, &q_collection, "is not a collection", fe);
}

enum app_err collections_movies(struct request *req, struct response *res, struct field_error *fe)
{
	const char *p[MV_NPARAMS + 5];
	PGresult *r;
	enum app_err e;

	if ((e = catalog_viewer(req, p, fe)) ||
	    (e = catalog_by_path_id(req, p, &q_collection, "is not a collection", &r, fe)))
		return e;
	return catalog_fixed_page(req, res, &q_coll_movies, &q_coll_count, p, "", fe);
}

enum app_err genres_list(struct request *req, struct response *res, struct field_error *fe)
{
	return catalog_viewer_page(req, res, &q_genres_all, &q_genres_all_count, fe);
}

/* --- refresh ---------------------------------------------------------------- */

enum app_err movies_refresh(struct request *req, struct response *res, struct field_error *fe)
{
	const char *p[MV_NPARAMS + 1];
	PGresult *r;
	enum app_err e;

	if ((e = catalog_viewer(req, p, fe)) ||
	    (e = catalog_by_path_id(req, p, &q_refresh_target, "is not a movie", &r, fe)))
		return e;
	return catalog_refresh(req, res, "movie", p[MV_NPARAMS], PQgetvalue(r, 0, 0), fe);
}
