/*
 * view: what the TV handlers share over the catalog read layer — the
 * visibility of a series (its library and age limit decide for its seasons
 * and episodes), the 404 messages, the positions of the kinds' filters the
 * handlers fill, and the query parameters of lists.
 */
#ifndef REVENGE_TV_VIEW_H
#define REVENGE_TV_VIEW_H

#include "catalog/catalog.h"
#include "catalog/request.h"
#include "http/http.h"

#define TV_VISIBLE(s) CAT_VISIBLE(s ".library_id", s ".min_ages")
#define TV_ONE " AND m.id = $5::uuid"

#define TV_NOT_SERIES "is not a series"
#define TV_NOT_SEASON "is not a season"
#define TV_NOT_EPISODE "is not an episode"

/* indexes into catalog_season's and catalog_episode's filters (kind.c) */
#define TV_SEASON_BY_SERIES 0
#define TV_EPISODE_BY_SERIES 0
#define TV_EPISODE_BY_SEASON 1
#define TV_EPISODE_BY_NUMBER 4

#define TV_LANG_PARAM CATALOG_LANG_PARAM

/* the filters of GET /tvshows and its search, in catalog_series' order */
#define TV_FILTER_PARAMS \
    {.name = "library_id", .type = PT_UUID, .doc = "Only this library."}, \
    {.name = "genre", .type = PT_STRING, .min = 1, .max = 64, \
     .doc = "A genre id or name, in any stored language."}, \
    {.name = "year_min", .type = PT_INT, .min = 1800, .max = 2200, \
     .doc = "First aired in or after."}, \
    {.name = "year_max", .type = PT_INT, .min = 1800, .max = 2200, \
     .doc = "First aired in or before."}, \
    {.name = "status", .type = PT_STRING, .min = 1, .max = 64, \
     .doc = "TMDb status (\"Returning Series\", \"Ended\", \"Canceled\", ...)."}, \
    {.name = "has_file", .type = PT_BOOL, .doc = "With (true) or without (false) a present file."}, \
    {.name = "max_age", .type = PT_INT, .min = 0, .max = 21, \
     .doc = "Minimum age at most this, for the user's rating country (within the user's own" \
            " limit)."}
#define TV_NFILTERS 7

/* The list filters (TV_FILTER_PARAMS) into p[4..10], in catalog_series'
 * order, checked: a year range upside down, a library the caller cannot
 * see. */
enum app_err tv_filters(struct request *req, const char **p, struct field_error *fe);

/* The path's series is visible to the caller: APP_OK with p[CAT_NPARAMS]
 * its id (p holds the viewer's parameters), else 404 naming `id`. */
enum app_err tv_require(struct request *req, const char **p, struct field_error *fe);

#endif
