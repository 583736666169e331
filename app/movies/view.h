/*
 * view: the movie statements' vocabulary over the catalog read layer
 * (app/catalog): the viewer CTE and visibility of catalog.h applied to
 * movies, the localised fields, and the few helpers the movie handlers
 * share. Statements of app/movies start with MV_VIEW_CTE and take the
 * viewer's four parameters first (catalog.h); MV_VISIBLE(m) is the
 * condition every movie read applies: a movie that fails it does not exist
 * for the caller (404).
 */
#ifndef REVENGE_MOVIES_VIEW_H
#define REVENGE_MOVIES_VIEW_H

#include "catalog/catalog.h"
#include "catalog/items.h"
#include "http/http.h"
#include "http/page.h"
#include "http/rcache.h"
#include "http/validators.h"
#include "library/libraries.h"
#include "users/user.h"

#define MV_VIEW_CTE CAT_VIEW_CTE
#define MV_NPARAMS CAT_NPARAMS
#define MV_MIN_AGE(m) CAT_MIN_AGE(m ".min_ages")
#define MV_VISIBLE(m) CAT_VISIBLE(m ".library_id", m ".min_ages")
#define MV_TITLE(m) CAT_MOVIE_TITLE /* alias m only */
#define MV_TAGLINE(m) "coalesce(" CAT_I18N(m ".taglines_i18n", m ".original_language") ", " m ".tagline)"
#define MV_NAME(g) CAT_NAME(g)
#define MV_IMAGE(kind, path) CAT_IMAGE(kind, path)
#define MV_ART(kind, m) CAT_ART(kind, m)
#define MV_ITEM(m) CAT_MOVIE_ITEM /* alias m only */
#define MV_ITEM_PLUS(m, extra) CAT_MOVIE_ITEM_PLUS(extra) /* alias m only */

/* The viewer's parameters ($1..$4) in params[0..3] (catalog_viewer). */
enum app_err mv_viewer(struct request *req, const char **params, struct field_error *fe);

/*
 * One page of a movie list statement with a fixed shape: its columns are
 * (item json, sort key text, id) and its parameters are params[0..n-5]
 * followed by cursor key, cursor id (NULL on the first page), limit,
 * offset; count takes the leading ones. key_prefix binds cursors to the
 * order. Cached (catalog_cache_hit) and validated.
 */
enum app_err mv_page(struct request *req, struct response *res, const struct db_stmt *list,
                     const struct db_stmt *count, const char **params, const char *key_prefix,
                     struct field_error *fe);

/* A page of a list whose statement takes only the viewer's parameters
 * (then key, id, limit, offset). */
enum app_err mv_list(struct request *req, struct response *res, const struct db_stmt *list,
                     const struct db_stmt *count, struct field_error *fe);

/* A single json value (column 0 of row 0 of r) as the response body. */
void mv_body_json(struct response *res, const PGresult *r);

/* The movie id of the path, as a uuid string. */
const char *mv_path_id(struct request *req);

/*
 * Statement st for the path id: p holds the viewer's parameters (mv_viewer)
 * and room for one more, which this sets to the path id. APP_OK with the
 * one row in *r, or APP_ERR_NOT_FOUND naming `id` with the message missing.
 */
enum app_err mv_by_path_id(struct request *req, const char **p, const struct db_stmt *st,
                           const char *missing, PGresult **r, struct field_error *fe);

/* One movie the caller may see (mv_by_path_id of the visibility check):
 * APP_OK with p[MV_NPARAMS] set to the movie id, or APP_ERR_NOT_FOUND. */
enum app_err mv_require(struct request *req, const char **p, struct field_error *fe);

#endif
