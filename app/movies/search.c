/*
 * Movie search (SPEC §10): full text over the folded (lower case, no
 * accents) titles in every stored language, the original title, the top of
 * the cast and the directors (movies.search_doc, kept by the database),
 * and, for a query that matches nothing, the same search with each word
 * replaced by the closest word the documents contain (trigram similarity
 * over search_words: "matirx" finds The Matrix). Results pass the viewer's
 * library and age checks and the list filters. Design and plans:
 * docs/internals/catalog.md.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "auth/auth.h"
#include "movies/filter.h"
#include "movies/movies.h"
#include "movies/view.h"
#include "catalog/kind.h"
#include "catalog/request.h"
#include "catalog/terms.h"

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
/* $14: the query text; $15 (statements with CANDIDATES): the words it is
 * matched by, without its common ones (catalog_selective_words) */
#define T "rv_fold($14::text)"
#define TSQ "plainto_tsquery('simple', " T ")"
#define MATCH_TSQ "plainto_tsquery('simple', rv_fold($15::text))"
#define POP_RANK "ln(2 + coalesce(m.popularity, 0)) / 1000"
/* Full-text rank: titles weigh more than people (search_doc's weights),
 * popularity breaks ties. */
#define FT_RANK "round((ts_rank(m.search_doc, " TSQ ") * 4 + " POP_RANK ")::numeric, 6)"
/* Candidates of a selective query with their rank: the full-text matches;
 * only when there are none (a typo, a word missing), the matches of the
 * query with every word replaced by the closest known word (search_words,
 * migration 0010; fx is computed only then). Each branch is one index
 * scan, filtered to what the viewer may see, and ranked (materialised:
 * inlined, the planner may rank the whole table to sort it). */
#define CANDIDATES                                                                                 \
	" fx AS MATERIALIZED (SELECT rv_corrected_tsquery($14::text) AS q),"                       \
	" c AS MATERIALIZED (SELECT m.id, " FT_RANK " AS rank FROM v, movies m"                    \
	" WHERE m.search_doc @@ " MATCH_TSQ " AND " MV_VISIBLE("m") LIST_FILTERS                    \
	" UNION ALL SELECT m.id, round((ts_rank(m.search_doc, fx.q) * 4 + " POP_RANK ")::numeric, 6)" \
	" FROM v, fx, movies m WHERE NOT EXISTS (SELECT 1 FROM movies x WHERE x.search_doc @@ "     \
	MATCH_TSQ ") AND m.search_doc @@ fx.q AND " MV_VISIBLE("m") LIST_FILTERS ")"
static const struct db_stmt q_search = {
	"movies_search",
	MV_VIEW_CTE "," CANDIDATES " SELECT " MV_ITEM_PLUS("m", "'score', c.rank") ","
	" c.rank::text, m.id FROM v, (SELECT * FROM c ORDER BY c.rank DESC, c.id DESC"
	" LIMIT $16 OFFSET $17) c CROSS JOIN LATERAL (SELECT * FROM movies m WHERE m.id = c.id) m"
	" ORDER BY c.rank DESC, m.id DESC",
	MV_NPARAMS + LIST_NFILTERS + 4, true};
static const struct db_stmt q_search_after = {
	"movies_search_after",
	MV_VIEW_CTE "," CANDIDATES " SELECT " MV_ITEM_PLUS("m", "'score', c.rank") ","
	" c.rank::text, m.id FROM v, (SELECT * FROM c WHERE (c.rank, c.id) < ($16::numeric,"
	" $17::uuid) ORDER BY c.rank DESC, c.id DESC LIMIT $18 OFFSET $19) c CROSS JOIN LATERAL"
	" (SELECT * FROM movies m WHERE m.id = c.id) m ORDER BY c.rank DESC, m.id DESC",
	MV_NPARAMS + LIST_NFILTERS + 6, true};
static const struct db_stmt q_search_count = {
	"movies_search_count", MV_VIEW_CTE "," CANDIDATES " SELECT count(*) FROM c",
	MV_NPARAMS + LIST_NFILTERS + 2, true};

/* A query whose every word is in most titles ("the", "a"): ranking every
 * match would read most of the table, and the ranks barely differ. Its
 * matches come in popularity order instead, from that order's index,
 * stopping after the page. */
#define COMMON_KEY "coalesce(m.popularity, -1)"
/* ts_match_vq is @@ in a form no index answers: walking the popularity
 * order and testing each row is the plan, whatever the generic plan would
 * guess of the words' frequency */
#define COMMON_FROM                                                                                \
	" FROM v, movies m WHERE ts_match_vq(m.search_doc, " TSQ ") AND " MV_VISIBLE("m") LIST_FILTERS
#define COMMON_ITEM                                                                                \
	" SELECT " MV_ITEM_PLUS("m", "'score', " FT_RANK) ", "                                   \
	COMMON_KEY "::text, m.id" COMMON_FROM
static const struct db_stmt q_common = {
	"movies_search_common",
	MV_VIEW_CTE COMMON_ITEM " ORDER BY " COMMON_KEY " DESC, m.id DESC LIMIT $15 OFFSET $16",
	MV_NPARAMS + LIST_NFILTERS + 3, true};
static const struct db_stmt q_common_after = {
	"movies_search_common_after",
	MV_VIEW_CTE COMMON_ITEM " AND (" COMMON_KEY ", m.id) < ($15::float8, $16::uuid)"
	" ORDER BY " COMMON_KEY " DESC, m.id DESC LIMIT $17 OFFSET $18",
	MV_NPARAMS + LIST_NFILTERS + 5, true};
static const struct db_stmt q_common_count = {
	"movies_search_common_count", MV_VIEW_CTE " SELECT count(*)" COMMON_FROM,
	MV_NPARAMS + LIST_NFILTERS + 1, true};

/*
 * Autocomplete, $5 the text, $6 the limit, $7 whether word prefixes are
 * worth looking up: titles in the viewer's language that begin with the
 * text (a range of catalog_titles' index, alphabetical), then, when those
 * are fewer than the limit and $7, titles in any language with a word
 * beginning with each word typed (the search document's title lexemes, by
 * popularity), then for three letters or more, the titles matching the
 * words as the closest known words (typos). $7 is false
 * for one or two letters and for common words, whose prefixes are in most
 * documents: those stay a range scan.
 */
#define AT "rv_fold($5::text)"
#define AK "rv_sort_title($5::text)"
#define PREFIX_TSQ                                                                                 \
	"(SELECT to_tsquery('simple', string_agg(quote_literal(w) || ':*A', ' & ')) FROM"          \
	" regexp_split_to_table(regexp_replace(" AT ", '[^[:alnum:]]+', ' ', 'g'), ' ') w"          \
	" WHERE w <> '')"
/* Word prefixes ("gar" in "The Secret Garden") are looked for among the
 * AC_WALK most popular movies first, in popularity order, stopping at the
 * page: a common prefix is in thousands of documents, whose bitmap the
 * index would build and sort. Only when those hold too few (AC_ENOUGH
 * false) are all the documents searched. Either way the page is the most
 * popular matches. */
#define AC_WALK "2000"
#define AC_ENOUGH "((SELECT count(*) FROM p2w) + (SELECT count(*) FROM p1) >= $6)"
#define AC_ITEM                                                                                    \
	"json_build_object('id', m.id, 'title', " MV_TITLE("m") ", 'year', m.year, 'poster_url', "   \
	MV_ART("poster", "m") ")"
static const struct db_stmt q_autocomplete = {
	"movies_autocomplete",
	MV_VIEW_CTE ", p1 AS MATERIALIZED (SELECT t.item_id AS id, 1 AS pri, row_number() OVER ()"
	" AS ord FROM v CROSS JOIN LATERAL (SELECT t.item_id FROM catalog_titles t JOIN movies m"
	" ON m.id = t.item_id WHERE t.kind = 'movie' AND t.lang = v.sort_lang AND t.key >= " AK
	" AND t.key < " AK " || chr(1114111) AND " MV_VISIBLE("m") " ORDER BY t.key, t.item_id"
	" LIMIT $6) t),"
	" p2w AS MATERIALIZED (SELECT x.* FROM v CROSS JOIN LATERAL (SELECT m.id, m.popularity FROM"
	" (SELECT m.id, m.popularity, m.search_doc, m.library_id, m.min_ages FROM movies m ORDER BY"
	" m.popularity DESC NULLS LAST, m.id LIMIT " AC_WALK ") m WHERE $7::boolean AND"
	" (SELECT count(*) FROM p1) < $6 AND ts_match_vq(m.search_doc, " PREFIX_TSQ ") AND m.id"
	" NOT IN (SELECT id FROM p1) AND " MV_VISIBLE("m") " ORDER BY m.popularity DESC NULLS LAST,"
	" m.id LIMIT $6) x),"
	" p2 AS MATERIALIZED (SELECT x.id, 2 AS pri, row_number() OVER (ORDER BY x.popularity"
	" DESC NULLS LAST, x.id) AS ord FROM (SELECT id, popularity FROM p2w WHERE " AC_ENOUGH
	" UNION ALL (SELECT m.id, m.popularity FROM v, movies m WHERE $7::boolean AND NOT " AC_ENOUGH
	" AND (SELECT count(*) FROM p1) < $6 AND m.search_doc @@ " PREFIX_TSQ " AND m.id NOT IN"
	" (SELECT id FROM p1) AND " MV_VISIBLE("m") " ORDER BY m.popularity DESC NULLS LAST, m.id"
	" LIMIT $6)) x),"
	" p3 AS MATERIALIZED (SELECT m.id, 3 AS pri, row_number() OVER (ORDER BY m.popularity"
	" DESC NULLS LAST, m.id) AS ord FROM v, movies m WHERE length(" AT ") >= 3 AND $7::boolean"
	" AND (SELECT count(*) FROM p1) + (SELECT count(*) FROM p2) < $6"
	" AND m.search_doc @@ rv_corrected_tsquery($5::text) AND m.id NOT IN (SELECT id FROM p1"
	" UNION ALL SELECT id FROM p2) AND " MV_VISIBLE("m") " ORDER BY m.popularity DESC NULLS LAST,"
	" m.id LIMIT $6)"
	" SELECT " AC_ITEM " FROM v, (SELECT * FROM p1 UNION ALL SELECT * FROM p2 UNION ALL"
	" SELECT * FROM p3 ORDER BY pri, ord LIMIT $6) a JOIN movies m ON m.id = a.id"
	" ORDER BY a.pri, a.ord",
	MV_NPARAMS + 3, true};

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
	MV_NPARAMS + LIST_NFILTERS + 2, true};
/* clang-format on */

enum app_err movies_search(struct request *req, struct response *res, struct field_error *fe)
{
	const char *p[MV_NPARAMS + LIST_NFILTERS + 6];
	const char *q = req_query(req, "q")->str;
	struct page pg;
	bool common;
	enum app_err e;

	if ((e = catalog_viewer(req, p, fe)) || (e = mv_filters(req, p, fe)))
		return e;
	p[MV_NPARAMS + LIST_NFILTERS] = q;
	const char *prefix;
	if ((e = catalog_search_start(req, q, &pg, &common, &prefix, fe)))
		return e;
	const struct db_stmt *list = common ? (pg.after ? &q_common_after : &q_common)
	                                    : (pg.after ? &q_search_after : &q_search);
	const struct db_stmt *count = common ? &q_common_count : &q_search_count;
	unsigned mask = catalog_filter_mask(&catalog_movie, p + MV_NPARAMS);
	if (!(list = catalog_masked(list, &catalog_movie, MV_NPARAMS + 1, mask, req->arena)) ||
	    !(count = catalog_masked(count, &catalog_movie, MV_NPARAMS + 1, mask, req->arena)))
		return APP_ERR_NOMEM;
	if (!common &&
	    !(p[MV_NPARAMS + LIST_NFILTERS + 1] = catalog_selective_words(req->app->db, req->arena, q)))
		return APP_ERR_NOMEM;
	return catalog_cached_page(req, res, &pg, list, count, p,
	                           MV_NPARAMS + LIST_NFILTERS + (common ? 1 : 2), prefix, fe);
}

enum app_err movies_autocomplete(struct request *req, struct response *res,
                                 struct field_error *fe)
{
	const char *p[MV_NPARAMS + 3];
	const struct param_value *limit = req_query(req, "limit");
	PGresult *r;
	struct jw w;
	enum app_err e;

	struct rcache cache;

	if ((e = catalog_viewer(req, p, fe)))
		return e;
	if (catalog_cache_hit(req, res, p, &cache))
		return APP_OK;
	p[MV_NPARAMS] = req_query(req, "q")->str;
	p[MV_NPARAMS + 1] = limit ? limit->str : "10";
	p[MV_NPARAMS + 2] = strlen(p[MV_NPARAMS]) >= 3 &&
	                            !catalog_common_query(req->app->db, req->arena, p[MV_NPARAMS])
	                        ? "true"
	                        : "false";
	if ((e = db_query(req->app->db, req->arena, &q_autocomplete, p, &r)))
		return e;
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	jw_key(&w, "items");
	jw_arr_open(&w);
	for (int i = 0; i < PQntuples(r); i++)
		jw_pg_json(&w, PQgetvalue(r, i, 0), (size_t)PQgetlength(r, i, 0));
	jw_arr_close(&w);
	jw_obj_close(&w);
	rcache_fill(req, res, &cache);
	return APP_OK;
}

enum app_err movies_facets(struct request *req, struct response *res, struct field_error *fe)
{
	const char *p[MV_NPARAMS + LIST_NFILTERS + 2];
	const struct param_value *q = req_query(req, "q");
	PGresult *r;
	enum app_err e;

	struct rcache cache;

	if ((e = catalog_viewer(req, p, fe)) || (e = mv_filters(req, p, fe)))
		return e;
	if (catalog_cache_hit(req, res, p, &cache))
		return APP_OK;
	p[MV_NPARAMS + LIST_NFILTERS] = q ? q->str : NULL;
	p[MV_NPARAMS + LIST_NFILTERS + 1] =
	        q ? catalog_selective_words(req->app->db, req->arena, q->str) : NULL;
	if (q && !p[MV_NPARAMS + LIST_NFILTERS + 1])
		return APP_ERR_NOMEM;
	const struct db_stmt *st = catalog_masked(&q_facets, &catalog_movie, MV_NPARAMS + 1,
	                                          catalog_filter_mask(&catalog_movie, p + MV_NPARAMS),
	                                          req->arena);
	if (!st)
		return APP_ERR_NOMEM;
	if ((e = db_query(req->app->db, req->arena, st, p, &r)))
		return e;
	catalog_body_json(res, r);
	rcache_fill(req, res, &cache);
	return APP_OK;
}
