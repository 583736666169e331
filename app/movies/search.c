/*
 * Movie search (SPEC §10): full text over the folded (lower case, no
 * accents) titles in every stored language, the original title, the top of
 * the cast and the directors (movies.search_doc, kept by the database),
 * plus trigram word similarity over the titles and names for typos
 * ("matirx" finds The Matrix; pg_trgm.word_similarity_threshold is set for
 * every connection, app/db). Results pass the viewer's library and age
 * checks and the list filters.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "auth/auth.h"
#include "core/crypto.h"
#include "movies/filter.h"
#include "movies/movies.h"
#include "movies/view.h"

#define Q_PARAM(req)                                                                               \
	{.name = "q", .type = PT_STRING, .required = req, .min = 1, .max = 200,                    \
	 .doc = "What to look for: words of a title (any language), a cast member or a director;" \
	        " typos are forgiven."}

const struct param_spec movies_search_query[] = {
    PAGE_PARAMS, Q_PARAM(true),
    {.name = "language", .type = PT_STRING, .min = 1, .max = 16,
     .doc = "ISO 639-1 language of the returned titles."},
    MV_FILTER_PARAMS, {0}};
const struct param_spec movies_autocomplete_query[] = {
    Q_PARAM(true),
    {.name = "limit", .type = PT_INT, .min = 1, .max = 20, .doc = "Suggestions (default 10)."},
    {.name = "language", .type = PT_STRING, .min = 1, .max = 16,
     .doc = "ISO 639-1 language of the returned titles."},
    {0}};
const struct param_spec movies_facets_query[] = {
    Q_PARAM(false),
    {.name = "language", .type = PT_STRING, .min = 1, .max = 16,
     .doc = "ISO 639-1 language of genre names."},
    MV_FILTER_PARAMS, {0}};

/* clang-format off */
/* $14: the query text */
#define T "rv_fold($14::text)"
#define TSQ "plainto_tsquery('simple', " T ")"
/* full-text rank (titles weigh more than people: search_doc's weights),
 * then closeness of spelling to a title, then popularity */
#define RANK                                                                                       \
	"(ts_rank(m.search_doc, " TSQ ") * 4 + word_similarity(" T ", m.search_titles) * 2"         \
	" + word_similarity(" T ", m.search_people) + ln(2 + coalesce(m.popularity, 0)) / 1000)"
/* Candidates with their rank: the full-text matches; only when there are
 * none (a typo, a word missing) the titles and names whose spelling is
 * close. Each branch is one index scan, and the rank is computed for the
 * candidates only (materialised: inlined, the planner may rank the whole
 * table to sort it). */
#define CANDIDATES                                                                                 \
	" c AS MATERIALIZED (SELECT m.id, round(" RANK "::numeric, 6) AS rank FROM movies m"        \
	" WHERE m.search_doc @@ " TSQ " UNION ALL SELECT m.id, round(" RANK "::numeric, 6)"         \
	" FROM movies m WHERE NOT EXISTS (SELECT 1 FROM movies x WHERE x.search_doc @@ " TSQ ")"   \
	" AND (" T " <% m.search_titles OR " T " <% m.search_people))"
#define SEARCH_FROM " FROM v, c JOIN movies m ON m.id = c.id WHERE " MV_VISIBLE("m") LIST_FILTERS
static const struct db_stmt q_search = {
	"movies_search",
	MV_VIEW_CTE "," CANDIDATES
	" SELECT " MV_ITEM("m") "::jsonb || jsonb_build_object('score', c.rank), c.rank::text, m.id"
	SEARCH_FROM " AND ($15::text IS NULL OR (c.rank, m.id) < ($15::numeric, $16::uuid))"
	" ORDER BY c.rank DESC, m.id DESC LIMIT $17 OFFSET $18",
	MV_NPARAMS + LIST_NFILTERS + 5, true};
static const struct db_stmt q_search_count = {
	"movies_search_count", MV_VIEW_CTE "," CANDIDATES " SELECT count(*)" SEARCH_FROM,
	MV_NPARAMS + LIST_NFILTERS + 1, true};

/* autocomplete: every word a prefix, over titles only; $5 text, $6 limit */
#define AT "rv_fold($5::text)"
#define PREFIX_TSQ                                                                                 \
	"(SELECT to_tsquery('simple', string_agg(w || ':*', ' & ')) FROM regexp_split_to_table("   \
	"regexp_replace(" AT ", '[^[:alnum:]]+', ' ', 'g'), ' ') w WHERE w <> '')"
static const struct db_stmt q_autocomplete = {
	"movies_autocomplete",
	MV_VIEW_CTE " SELECT json_build_object('id', m.id, 'title', " MV_TITLE("m") ", 'year', m.year,"
	" 'poster_url', " MV_ART("poster", "m") ")"
	" FROM v, movies m WHERE " MV_VISIBLE("m")
	" AND (setweight(to_tsvector('simple', m.search_titles), 'A') @@ " PREFIX_TSQ
	"  OR " AT " <% m.search_titles)"
	" ORDER BY (CASE WHEN rv_fold(" MV_TITLE("m") ") LIKE replace(replace(replace(" AT ", '\\', '\\\\'),"
	" '%', '\\%'), '_', '\\_') || '%' THEN 1 ELSE 0 END) DESC,"
	" word_similarity(" AT ", m.search_titles) DESC, m.popularity DESC NULLS LAST, m.id LIMIT $6",
	MV_NPARAMS + 2, true};

/* facets of the filtered (and, with q, matched) visible movies */
#define FACET_MATCH " AND ($14::text IS NULL OR m.id IN (SELECT id FROM c))"
static const struct db_stmt q_facets = {
	"movies_facets",
	MV_VIEW_CTE "," CANDIDATES ", s AS (SELECT m.id, m.year FROM v, movies m WHERE " MV_VISIBLE("m")
	LIST_FILTERS FACET_MATCH "),"
	" fl AS (SELECT DISTINCT s.id, rv_resolution(f.width, f.height) AS r FROM s"
	"  JOIN media_files f ON f.movie_id = s.id AND f.state = 'present')"
	" SELECT json_build_object('total', (SELECT count(*) FROM s),"
	" 'genres', coalesce((SELECT json_agg(json_build_object('id', g.id, 'name', " MV_NAME("g") ","
	"  'count', x.n) ORDER BY x.n DESC, g.name) FROM v, (SELECT mg.genre_id, count(*) n FROM s"
	"  JOIN movie_genres mg ON mg.movie_id = s.id GROUP BY 1) x JOIN genres g ON g.id = x.genre_id), '[]'),"
	" 'years', coalesce((SELECT json_agg(json_build_object('year', year, 'count', n) ORDER BY year DESC)"
	"  FROM (SELECT year, count(*) n FROM s WHERE year IS NOT NULL GROUP BY 1) y), '[]'),"
	" 'decades', coalesce((SELECT json_agg(json_build_object('decade', d, 'count', n) ORDER BY d DESC)"
	"  FROM (SELECT year / 10 * 10 d, count(*) n FROM s WHERE year IS NOT NULL GROUP BY 1) y), '[]'),"
	" 'resolutions', coalesce((SELECT json_agg(json_build_object('resolution', r, 'count', n)"
	"  ORDER BY n DESC, r) FROM (SELECT coalesce(r, 'unknown') r, count(DISTINCT id) n FROM fl"
	"  GROUP BY 1) z), '[]'),"
	" 'has_file', json_build_object('true', (SELECT count(DISTINCT id) FROM fl),"
	"  'false', (SELECT count(*) FROM s) - (SELECT count(DISTINCT id) FROM fl)))::text",
	MV_NPARAMS + LIST_NFILTERS + 1, true};
/* clang-format on */

enum app_err movies_search(struct request *req, struct response *res, struct field_error *fe)
{
	const char *p[MV_NPARAMS + LIST_NFILTERS + 5];
	const char *q = req_query(req, "q")->str;
	enum app_err e;

	if ((e = mv_viewer(req, p, fe)) || (e = mv_filters(req, p, fe)))
		return e;
	p[MV_NPARAMS + LIST_NFILTERS] = q;
	/* a cursor belongs to its query: the order is the query's ranking */
	unsigned char h[32];
	char hex[17], prefix[20];
	crypto_sha256(q, strlen(q), h);
	hex_encode(h, 8, hex);
	snprintf(prefix, sizeof(prefix), "%.16s|", hex);
	return mv_page(req, res, &q_search, &q_search_count, p, prefix, fe);
}

enum app_err movies_autocomplete(struct request *req, struct response *res,
                                 struct field_error *fe)
{
	const char *p[MV_NPARAMS + 2];
	const struct param_value *limit = req_query(req, "limit");
	PGresult *r;
	struct jw w;
	enum app_err e;

	struct mv_cache cache;

	if ((e = mv_viewer(req, p, fe)))
		return e;
	if (mv_cache_hit(req, res, &cache))
		return APP_OK;
	p[MV_NPARAMS] = req_query(req, "q")->str;
	p[MV_NPARAMS + 1] = limit ? limit->str : "10";
	if ((e = db_query(req->app->db, req->arena, &q_autocomplete, p, &r)))
		return e;
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	jw_key(&w, "items");
	jw_arr_open(&w);
	for (int i = 0; i < PQntuples(r); i++)
		mv_raw(&w, PQgetvalue(r, i, 0), (size_t)PQgetlength(r, i, 0));
	jw_arr_close(&w);
	jw_obj_close(&w);
	mv_cache_fill(req, res, &cache);
	return APP_OK;
}

enum app_err movies_facets(struct request *req, struct response *res, struct field_error *fe)
{
	const char *p[MV_NPARAMS + LIST_NFILTERS + 1];
	const struct param_value *q = req_query(req, "q");
	PGresult *r;
	enum app_err e;

	struct mv_cache cache;

	if ((e = mv_viewer(req, p, fe)) || (e = mv_filters(req, p, fe)))
		return e;
	if (mv_cache_hit(req, res, &cache))
		return APP_OK;
	p[MV_NPARAMS + LIST_NFILTERS] = q ? q->str : NULL;
	if ((e = db_query(req->app->db, req->arena, &q_facets, p, &r)))
		return e;
	mv_body_json(res, r);
	mv_cache_fill(req, res, &cache);
	return APP_OK;
}
