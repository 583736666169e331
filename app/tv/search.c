/*
 * Series search and multi-search (SPEC §10): full text over the folded
 * titles in every stored language and the top of the cast (series
 * search_doc, migration 0021), episode titles in every language, and
 * movies' documents; a query that matches nothing anywhere is searched
 * again with each word replaced by the closest known word (search_words,
 * typos). Results pass the viewer's library and age checks. Ranks are on
 * one scale for every kind (title matches weigh most, popularity breaks
 * ties; an episode ranks a tenth below a series with the same words), so a
 * multi-search page is one order across kinds.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/auth.h"
#include "catalog/items.h"
#include "catalog/kind.h"
#include "catalog/list.h"
#include "catalog/terms.h"
#include "tv/tv.h"
#include "tv/view.h"

#define Q_PARAM                                                                                    \
	{.name = "q", .type = PT_STRING, .required = true, .min = 1, .max = 200,                   \
	 .doc = "What to look for: words of a title (any language) or a cast member; typos are"    \
	        " forgiven."}

const struct param_spec tv_search_query[] = {PAGE_PARAMS, Q_PARAM, TV_LANG_PARAM,
                                             TV_FILTER_PARAMS, {0}};
const struct param_spec multi_search_query[] = {PAGE_PARAMS, Q_PARAM, TV_LANG_PARAM, {0}};

/* clang-format off */
#define RANK(doc, q, pop, weight)                                                                  \
	"round((ts_rank(" doc ", " q ") * 4 * " weight " + ln(2 + coalesce(" pop ", 0)) / 1000)::numeric, 6)"
#define PLAIN(n) "plainto_tsquery('simple', rv_fold($" n "::text))"
/* the query, or when nothing anywhere matches it, its corrected form */
#define QUERY(n, any)                                                                              \
	" tq AS MATERIALIZED (SELECT CASE WHEN " any " THEN " PLAIN(n) " ELSE"                      \
	" rv_corrected_tsquery($" n "::text) END AS q)"

/* series: $5..$11 the filters, $12 the text, then key, id, limit, offset */
#define SERIES_ANY "EXISTS (SELECT 1 FROM series x WHERE x.search_doc @@ " PLAIN("12") ")"
#define SERIES_CANDIDATES                                                                          \
	"," QUERY("12", SERIES_ANY) ", c AS MATERIALIZED (SELECT m.id, "                            \
	RANK("m.search_doc", "tq.q", "m.popularity", "1") " AS rank FROM v, tq, series m"           \
	" WHERE m.search_doc @@ tq.q AND " TV_VISIBLE("m") CATALOG_FILTERS ")"
static const struct db_stmt q_series = {
	"tv_search",
	CAT_VIEW_CTE SERIES_CANDIDATES " SELECT (" CAT_SERIES_ITEM "::jsonb || jsonb_build_object("
	"'score', c.rank))::text, c.rank::text, m.id FROM v, c JOIN series m ON m.id = c.id"
	" WHERE ($13::text IS NULL OR (c.rank, c.id) < ($13::numeric, $14::uuid))"
	" ORDER BY c.rank DESC, c.id DESC LIMIT $15 OFFSET $16",
	CAT_NPARAMS + TV_NFILTERS + 5, true};
static const struct db_stmt q_series_count = {
	"tv_search_count", CAT_VIEW_CTE SERIES_CANDIDATES " SELECT count(*) FROM c",
	CAT_NPARAMS + TV_NFILTERS + 1, true};

/* multi: $5 the text, $6 whether the caller may list series (the route
 * needs movies:list), then key, id, limit, offset. Each kind brings at most
 * MULTI_KIND_CAP of its matches, ranked with the others: a word in
 * thousands of titles ("storm" is in 1 648 episode titles of the
 * benchmark's library) would otherwise have every one of them fetched and
 * ranked for a page of 20, while a query with fewer matches than that
 * (what a user types to find something) is answered exactly. Matches are
 * found through the GIN index, which stops at the cap, also for a query
 * of common words only: read in table order instead, a word common in
 * movies' cast ("anna muller") read all 155 000 episodes at 100 000 movies
 * to find none, where the index found "the" in every episode title and
 * stopped at 200 in 2 ms. Such a query walks the movies in popularity
 * order (catalog/terms.h) and keeps the MULTI_CAP most popular matches. */
#define MULTI_KIND_CAP "200"
#define MULTI_CAP "100"
/* the matches of kind (a subquery of id, search_doc, popularity) of the
 * query in CTE q, ranked */
#define RANKED(type, weight, q, matches)                                                           \
	" SELECT '" type "' AS type, x.id, " RANK("x.search_doc", q ".q", "x.popularity", weight)   \
	" AS rank FROM " q ", (" matches ") x"
/* the visible movies whose document matches the query in CTE q (cond:
 * GIN(q), answered by the index, or TESTED(q), @@ as a function, which no
 * index answers), then tail (order, limit) */
#define GIN(q) "m.search_doc @@ " q ".q"
#define TESTED(q) "ts_match_vq(m.search_doc, " q ".q)"
#define MOVIES_MATCHING(q, cond, tail)                                                             \
	RANKED("movie", "1", q, "SELECT m.id, m.search_doc, m.popularity FROM v, " q ", movies m"   \
	" WHERE " cond " AND " CAT_VISIBLE("m.library_id", "m.min_ages") tail)
#define MOVIES_RANKED(q) MOVIES_MATCHING(q, GIN(q), " LIMIT " MULTI_KIND_CAP)
#define MOVIES_POPULAR(q)                                                                          \
	MOVIES_MATCHING(q, TESTED(q), " ORDER BY m.popularity DESC NULLS LAST, m.id LIMIT " MULTI_CAP)
/* The same MULTI_CAP movies, for words in fewer rows than a walk would
 * test (catalog_walk_pays): the index's matches, sorted. The order is an
 * expression no index answers, so the plan is the match and a top-N sort
 * whatever a generic plan guesses of the words. */
#define MOVIES_POPULAR_MATCHED(q)                                                                  \
	MOVIES_MATCHING(q, GIN(q), " ORDER BY coalesce(m.popularity, -1) + 0 DESC, m.id LIMIT "     \
	MULTI_CAP)
#define SERIES_RANKED(q)                                                                           \
	RANKED("series", "1", q, "SELECT m.id, m.search_doc, m.popularity FROM v, " q ", series m"  \
	" WHERE $6::boolean AND m.search_doc @@ " q ".q AND " TV_VISIBLE("m")                       \
	" LIMIT " MULTI_KIND_CAP)
#define EPISODES_RANKED(q)                                                                         \
	RANKED("episode", "0.9", q, "SELECT m.id, m.search_doc, s.popularity FROM v, " q ","        \
	" episodes m JOIN series s ON s.id = m.series_id WHERE $6::boolean AND m.search_doc @@ "    \
	q ".q AND " TV_VISIBLE("s") " LIMIT " MULTI_KIND_CAP)
#define KINDS(movies, q) movies(q) " UNION ALL" SERIES_RANKED(q) " UNION ALL" EPISODES_RANKED(q)
/* c: the candidates of the query (tq) of every kind; only when none of
 * them matched, those of the query with each word replaced by the closest
 * known word (fq, computed only then). A word that is in some document is
 * its own closest word, so a query matching only what the viewer may not
 * see finds nothing either way. Each index's bitmap is built once. */
#define MULTI_CANDIDATES(movies)                                                                   \
	CAT_VIEW_CTE ", tq AS MATERIALIZED (SELECT " PLAIN("5") " AS q), c0 AS MATERIALIZED ("      \
	KINDS(movies, "tq") "), fq AS MATERIALIZED (SELECT rv_corrected_tsquery($5::text) AS q"      \
	" WHERE NOT EXISTS (SELECT 1 FROM c0)), c AS MATERIALIZED (SELECT * FROM c0 UNION ALL"      \
	KINDS(movies, "fq") ")"
/* a query of common words (catalog_common_search) matches: no correction */
#define MULTI_COMMON_CANDIDATES(movies)                                                            \
	CAT_VIEW_CTE ", tq AS MATERIALIZED (SELECT " PLAIN("5") " AS q), c AS MATERIALIZED ("       \
	KINDS(movies, "tq") ")"
#define MULTI(candidates)                                                                          \
	candidates                                                                                  \
	" SELECT json_build_object('type', c.type, 'score', c.rank, 'item', CASE c.type"           \
	" WHEN 'movie' THEN (SELECT " CAT_MOVIE_ITEM "::json FROM movies m WHERE m.id = c.id)"       \
	" WHEN 'series' THEN (SELECT " CAT_SERIES_ITEM " FROM series m WHERE m.id = c.id)"           \
	" ELSE (SELECT " CAT_EPISODE_ITEM " FROM episodes m WHERE m.id = c.id) END), c.rank::text,"  \
	" c.id FROM v, c WHERE ($7::text IS NULL OR (c.rank, c.id) < ($7::numeric, $8::uuid))"     \
	" ORDER BY c.rank DESC, c.id DESC LIMIT $9 OFFSET $10"
static const struct db_stmt q_multi = {
	"multi_search", MULTI(MULTI_CANDIDATES(MOVIES_RANKED)), CAT_NPARAMS + 6, true};
static const struct db_stmt q_multi_count = {
	"multi_search_count", MULTI_CANDIDATES(MOVIES_RANKED) " SELECT count(*) FROM c",
	CAT_NPARAMS + 2, true};
static const struct db_stmt q_multi_common = {
	"multi_search_common", MULTI(MULTI_COMMON_CANDIDATES(MOVIES_POPULAR)), CAT_NPARAMS + 6, true};
static const struct db_stmt q_multi_common_count = {
	"multi_search_common_count", MULTI_COMMON_CANDIDATES(MOVIES_POPULAR)
	" SELECT count(*) FROM c", CAT_NPARAMS + 2, true};
static const struct db_stmt q_multi_matched = {
	"multi_search_matched", MULTI(MULTI_COMMON_CANDIDATES(MOVIES_POPULAR_MATCHED)),
	CAT_NPARAMS + 6, true};
static const struct db_stmt q_multi_matched_count = {
	"multi_search_matched_count", MULTI_COMMON_CANDIDATES(MOVIES_POPULAR_MATCHED)
	" SELECT count(*) FROM c", CAT_NPARAMS + 2, true};
/* clang-format on */

enum app_err tv_search(struct request *req, struct response *res, struct field_error *fe)
{
	const char *p[CAT_NPARAMS + TV_NFILTERS + 5];
	const char *q = req_query(req, "q")->str;
	enum app_err e;

	if ((e = catalog_viewer(req, p, fe)) || (e = tv_filters(req, p, fe)))
		return e;
	p[CAT_NPARAMS + TV_NFILTERS] = q;
	unsigned mask = catalog_filter_mask(&catalog_series, p + CAT_NPARAMS);
	const struct db_stmt *list, *count;
	const char *prefix;
	struct page pg;
	bool common; /* series are few: always ranked */
	if ((e = catalog_search_start(req, q, &pg, &common, &prefix, fe)))
		return e;
	if (!(list = catalog_masked(&q_series, &catalog_series, CAT_NPARAMS + 1, mask, req->arena)) ||
	    !(count = catalog_masked(&q_series_count, &catalog_series, CAT_NPARAMS + 1, mask,
	                             req->arena)))
		return APP_ERR_NOMEM;
	return catalog_cached_page(req, res, &pg, list, count, p, CAT_NPARAMS + TV_NFILTERS + 1,
				   prefix, fe);
}

enum app_err multi_search(struct request *req, struct response *res, struct field_error *fe)
{
	const char *p[CAT_NPARAMS + 6];
	const char *q = req_query(req, "q")->str;
	struct page pg;
	bool common;
	enum app_err e;

	if ((e = catalog_viewer(req, p, fe)))
		return e;
	p[CAT_NPARAMS] = q;
	/* the route needs movies:list; series and episodes need tvshows:list */
	p[CAT_NPARAMS + 1] = auth_has(req->who, "tvshows:list") ? "true" : "false";
	const char *prefix;
	if ((e = catalog_search_start(req, q, &pg, &common, &prefix, fe)))
		return e;
	const struct db_stmt *list = &q_multi, *count = &q_multi_count;
	if (common && catalog_walk_pays(req->app->db, req->arena, q, atoi(MULTI_CAP))) {
		list = &q_multi_common;
		count = &q_multi_common_count;
	} else if (common) {
		list = &q_multi_matched;
		count = &q_multi_matched_count;
	}
	return catalog_cached_page(req, res, &pg, list, count, p, CAT_NPARAMS + 2, prefix, fe);
}
