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
#include "catalog/request.h"
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

/* The movie $5 is visible to the viewer (a row, or none). */
extern const struct db_stmt mv_q_visible;

#endif
