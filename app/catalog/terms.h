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
 * Is every word of q common in the movies' search documents, and are all
 * of them together in more rows than catalog_common_threshold (estimated
 * from each word's share, catalog_words_rows)? Words are
 * split at ASCII punctuation and blanks and compared lower-cased; a word
 * with bytes beyond ASCII counts as common only when PostgreSQL's folded
 * form is the same bytes. false when there are no statistics (a small or
 * new table) or they cannot be read: the exact, ranked search is the
 * default.
 */
bool catalog_common_query(struct db *db, struct arena *a, const char *q);

/*
 * catalog_common_query for a search page: also true when the words are
 * each common and, though the statistics estimate them in few rows
 * together, a count finds them in more than catalog_common_threshold
 * (words that go together: "sao paulo"). The count is one more query,
 * only for queries of several common words. false when it fails.
 */
bool catalog_common_search(struct db *db, struct arena *a, const char *q);

/*
 * For a query catalog_common_search found common: whether want most
 * popular matches are found cheaper by walking the popularity order and
 * testing each row (about want * rows / matches rows) than by reading
 * every match the index finds. true when the statistics estimate more
 * matches than sqrt(want * rows).
 */
bool catalog_walk_pays(struct db *db, struct arena *a, const char *q, int want);

/*
 * q without the words in more than CATALOG_STOP_SHARE of the rows, for
 * matching (a search still ranks by all of them): "lighthouse of oslo"
 * matches on lighthouse and oslo, as most documents have "of" anyway and
 * intersecting its list costs more than the rest of the search. q itself
 * when no word is that common, no statistics could be read, or every word
 * is; NULL when out of memory. In a's memory.
 */
const char *catalog_selective_words(struct db *db, struct arena *a, const char *q);

/* Matches above which a query is answered in popularity order: the fewer
 * of CATALOG_COMMON_ROWS and sqrt(20 * all), for a table of all rows. */
double catalog_common_threshold(double all);

/* A word in more than this share of the rows is left out of matching. */
#define CATALOG_STOP_SHARE 0.25

/* What catalog_selective_words applies to the statistics it read: list
 * (sorted) the common words, nrows[i] the rows list[i] is in, all the rows
 * of the table. */
const char *catalog_words_selective(struct arena *a, const char *q, const char *const *list,
				    const double *nrows, int n, double all);

/* The rows all of q's words are in together, estimated as if they were
 * independent; -1 when a word is not in list (rarer than the common ones)
 * or q has no words. */
double catalog_words_rows(const char *q, const char *const *list, const double *nrows, int n,
			  double all);

/* The decision for q against common, a sorted list of folded words (what
 * catalog_common_query applies to the statistics it read). */
bool catalog_words_common(const char *q, const char *const *common, int ncommon);

#endif
