/*
 * terms: which search words are common — in so many rows of a kind's table
 * that ranking every match would read most of it ("the", "a", "de"). Read
 * from PostgreSQL's own statistics of the search column (pg_stats, kept by
 * ANALYZE and autovacuum), at most once a minute per process, so choosing
 * the plan of a search costs no query.
 */
#ifndef REVENGE_CATALOG_TERMS_H
#define REVENGE_CATALOG_TERMS_H

#include <stdbool.h>

#include "core/arena.h"
#include "db/db.h"

/* Rows a word must be in to count as common. */
#define CATALOG_COMMON_ROWS 1000

/*
 * Is every word of q common in the movies' search documents? Words are
 * split at ASCII punctuation and blanks and compared lower-cased; a word
 * with bytes beyond ASCII counts as common only when PostgreSQL's folded
 * form is the same bytes. false when there are no statistics (a small or
 * new table) or they cannot be read: the exact, ranked search is the
 * default.
 */
bool catalog_common_query(struct db *db, struct arena *a, const char *q);

/* The decision for q against common, a sorted list of folded words (what
 * catalog_common_query applies to the statistics it read). */
bool catalog_words_common(const char *q, const char *const *common, int ncommon);

#endif
