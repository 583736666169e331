/*
 * filter: the list filters that GET /movies, search and facets share
 * (SPEC §4.2): statement parameters $5..$13 after the viewer's four.
 */
#ifndef REVENGE_MOVIES_FILTER_H
#define REVENGE_MOVIES_FILTER_H

#include "catalog/list.h"
#include "movies/view.h"

extern const char *const mv_resolutions[];

/* $5..$13: library, genre, years, ratings, has_file, resolution, max_age
 * (catalog_movie's filters, in its order): a statement names them with
 * LIST_FILTERS and runs as catalog_masked(stmt, &catalog_movie, 5, mask),
 * which puts in only those given. */
#define LIST_FILTERS CATALOG_FILTERS
#define LIST_NFILTERS 9

/* Their query parameters (param_spec entries). */
#define MV_FILTER_PARAMS \
    {.name = "library_id", .type = PT_UUID, .doc = "Only this library."}, \
    {.name = "genre", .type = PT_STRING, .min = 1, .max = 64, \
     .doc = "A genre id (GET /genres) or name, in any stored language."}, \
    {.name = "year_min", .type = PT_INT, .min = 1800, .max = 2200, .doc = "Released in or after."}, \
    {.name = "year_max", .type = PT_INT, .min = 1800, .max = 2200, .doc = "Released in or before."}, \
    {.name = "rating_min", .type = PT_STRING, .min = 1, .max = 8, \
     .doc = "Vote average at least (0 to 10)."}, \
    {.name = "rating_max", .type = PT_STRING, .min = 1, .max = 8, \
     .doc = "Vote average at most (0 to 10)."}, \
    {.name = "has_file", .type = PT_BOOL, .doc = "With (true) or without (false) a present file."}, \
    {.name = "resolution", .type = PT_ENUM, .choices = mv_resolutions, \
     .doc = "With a file of this resolution class."}, \
    {.name = "max_age", .type = PT_INT, .min = 0, .max = 21, \
     .doc = "Minimum age at most this, for the user's rating country (within the user's own" \
            " limit)."}

/* Read and check the filters into p[4..12]: conflicting ranges, a
 * resolution with has_file=false, a library the caller cannot see. */
enum app_err mv_filters(struct request *req, const char **p, struct field_error *fe);

#endif
