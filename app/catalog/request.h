/*
 * request: the catalog at the HTTP edge — the viewer of a request, the
 * response cache's vary string, and a page of a list shape. Handlers of
 * every catalog kind (movies, TV) call these; the catalog itself (list.h,
 * catalog.h) never sees a request.
 */
#ifndef REVENGE_CATALOG_REQUEST_H
#define REVENGE_CATALOG_REQUEST_H

#include "catalog/catalog.h"
#include "catalog/list.h"
#include "http/http.h"
#include "http/page.h"
#include "http/rcache.h"

/* The ?language parameter of catalog routes (a param_spec entry). */
#define CATALOG_LANG_PARAM                                                                         \
	{.name = "language", .type = PT_STRING, .min = 1, .max = 16,                               \
	 .doc = "ISO 639-1 language of titles, overviews and taglines (default: the user's"        \
	        " metadata_language, then Accept-Language, then en)."}

/* The caller as a viewer (user, library rights, ?language, the
 * Accept-Language pick) in the statement parameters p[0..3]
 * (CAT_VIEW_CTE). APP_ERR_VALIDATION naming `language` when ?language is
 * not ISO 639-1. */
enum app_err catalog_viewer(struct request *req, const char **p, struct field_error *fe);

/* The response cache for this request and viewer (p[0..3]) under
 * movies.cache_ttl: true when res was answered from it. A miss leaves c
 * ready for rcache_fill. */
bool catalog_cache_hit(struct request *req, struct response *res, const char *const *p,
		       struct rcache *c);

/*
 * One page of shape s (its `after` decided here from the cursor): params
 * hold the viewer's parameters (catalog_viewer) and the present filters' values
 * (catalog_shape_nparams of them) with room for 4 more. key_prefix binds
 * cursors to the order ("added|desc|"). Cached and validated (ETag).
 */
enum app_err catalog_page(struct request *req, struct response *res, struct catalog_shape s, const char **params, const char *key_prefix,
			  struct field_error *fe);

/*
 * A page of list (after page_start; see page_run for the parameters),
 * answered from the response cache when it holds it and stored there
 * otherwise, with its validators. What catalog_fixed_page, catalog_page and the
 * search share once they have picked their statement.
 */
enum app_err catalog_cached_page(struct request *req, struct response *res, const struct page *p,
				 const struct db_stmt *list, const struct db_stmt *count,
				 const char **params, int nparams, const char *key_prefix,
				 struct field_error *fe);

/*
 * A page of kind k in the order ?sort (an index into names, the sorts the
 * route offers; the kind's default without it) and ?order (asc, desc;
 * the sort's default without it), filtered by the kind's filters whose
 * values are non-NULL among p[CAT_NPARAMS .. CAT_NPARAMS + k->nfilters - 1]
 * (p holds the viewer's parameters first, and room for 4 more). The
 * present filters are moved together, in the kind's order, as the shape
 * wants them.
 */
enum app_err catalog_sorted_page(struct request *req, struct response *res,
				 const struct catalog_kind *k, const char *const *names,
				 const char **p, struct field_error *fe);

/* The ?order choices of sorted lists: asc, desc (NULL-terminated). */
extern const char *const catalog_orders[];

/* One json value of statement st, which takes the viewer's parameters
 * only (counts, stats), cached. */
enum app_err catalog_viewer_json(struct request *req, struct response *res,
				 const struct db_stmt *st, struct field_error *fe);

/* The query parameter's normalised text, or NULL when absent. */
const char *catalog_query_str(struct request *req, const char *name);

/*
 * One page of a list statement with a fixed shape: its columns are (item
 * json, sort key text, id) and its parameters are params[0..n-5] followed
 * by cursor key, cursor id (NULL on the first page), limit, offset; count
 * takes the leading ones. key_prefix binds cursors to the order. Cached
 * and validated.
 */
enum app_err catalog_fixed_page(struct request *req, struct response *res,
				const struct db_stmt *list, const struct db_stmt *count,
				const char **params, const char *key_prefix, struct field_error *fe);

/* A page of a list whose statement takes only the viewer's parameters
 * (then key, id, limit, offset). */
enum app_err catalog_viewer_page(struct request *req, struct response *res,
				 const struct db_stmt *list, const struct db_stmt *count,
				 struct field_error *fe);

/* A single json value (column 0 of row 0 of r) as the response body. */
void catalog_body_json(struct response *res, const PGresult *r);

/* The path's `id`, as a uuid string. */
const char *catalog_path_id(struct request *req);

/*
 * Statement st for the path id: p holds the viewer's parameters
 * (catalog_viewer) and room for one more, which this sets to the path id.
 * APP_OK with the one row in *r, or APP_ERR_NOT_FOUND naming `id` with the
 * message missing.
 */
enum app_err catalog_by_path_id(struct request *req, const char **p, const struct db_stmt *st,
				const char *missing, PGresult **r, struct field_error *fe);

/* One json object by the path id (statement: viewer, id), cached; 404
 * naming `id` with missing when the caller cannot see it. */
enum app_err catalog_one_by_id(struct request *req, struct response *res,
			       const struct db_stmt *st, const char *missing,
			       struct field_error *fe);

/* A relation of one item (the path's id): 404 naming `id` with missing
 * when the visible statement (viewer, id) finds no row, else a page of
 * list (viewer, id, key, id, limit, offset) counted by count (viewer, id). */
enum app_err catalog_relation(struct request *req, struct response *res,
			      const struct db_stmt *visible, const char *missing,
			      const struct db_stmt *list, const struct db_stmt *count,
			      struct field_error *fe);

/*
 * The start of a page of a search for q: cursor pagination bound to the
 * query and to the form it was issued in — ranked, or for a query of
 * common words only (catalog_common_query) in popularity order; a new
 * search decides, a cursor keeps its form even when the statistics moved.
 * *common: the form; *prefix: the cursor prefix of the page's cursors.
 */
enum app_err catalog_search_start(struct request *req, const char *q, struct page *pg,
				  bool *common, const char **prefix, struct field_error *fe);

/* Queue a metadata refresh of item id of kind ("movie", "series") in
 * library_id, which the caller must manage: 202 with the job, audited,
 * in one transaction. */
enum app_err catalog_refresh(struct request *req, struct response *res, const char *kind,
			     const char *id, const char *library_id, struct field_error *fe);

#endif
