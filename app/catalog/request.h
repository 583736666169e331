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
 * otherwise, with its validators. What mv_page, catalog_page and the
 * search share once they have picked their statement.
 */
enum app_err catalog_cached_page(struct request *req, struct response *res, const struct page *p,
				 const struct db_stmt *list, const struct db_stmt *count,
				 const char **params, int nparams, const char *key_prefix,
				 struct field_error *fe);

#endif
