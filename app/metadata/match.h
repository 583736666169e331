/*
 * match: how well a provider's search result fits what a file says it is
 * (SPEC §7.3). Pure functions, no I/O: the identify step (identify.c) runs
 * the strategies in order and uses these to score provider candidates.
 *
 * Confidence, 0..100:
 *   title   up to 80: the best Unicode-aware similarity (1 - Levenshtein
 *           distance over code points / longer length) between the file's
 *           normalised title and each of the candidate's normalised titles
 *           (title, original title, alternative titles);
 *   year    +20 when equal, +10 when one apart, -20 when further apart,
 *           0 when either side has no year;
 *   popularity breaks ties only (up to +2, logarithmic).
 * A search never means "first result wins": every result is scored and the
 * best one must reach the configured threshold.
 */
#ifndef REVENGE_METADATA_MATCH_H
#define REVENGE_METADATA_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "core/buf.h"

#define MATCH_TITLE_MAX 512

/* The matching key of a title: uni_fold() (core/unicode.h: NFKC, Unicode
 * case folding, diacritics removed, æ -> ae, ß -> ss, "&" -> "and",
 * apostrophes dropped, every other run of punctuation, symbols and spaces
 * one space; invalid UTF-8 read as Windows-1252) without a leading English
 * article ("the", "a", "an"; a title that is only the article keeps it).
 * Writes at most cap bytes (NUL included), never splitting a character. */
void title_normalize(const char *in, char *out, size_t cap);

/* 0.0 .. 1.0: 1 - Levenshtein distance over code points / longer length,
 * of the normalised forms. Two empty titles are 0. */
double title_similarity(const char *a, const char *b);

/* The year of "YYYY-MM-DD" (or "YYYY"), 0 when absent or malformed. */
int year_of(const char *date);

/* Confidence (0..100) that candidate (a TMDb search result object: title/
 * name, original_title/original_name, release_date/first_air_date,
 * popularity) is title/year (year 0 = unknown). alt_titles (may be NULL)
 * are extra titles of the candidate. */
int match_confidence(const char *title, int year, const cJSON *candidate, bool tv,
		     const char *const *alt_titles);

/* Score every object of results; *best receives the index of the best
 * (-1 when none) and its confidence is returned (0 when none). Ties go to
 * the more popular. When candidates is not NULL, the top five are written
 * to it as a JSON array [{"tmdb_id","title","year","confidence"}]. */
int match_pick(const cJSON *results, const char *title, int year, bool tv, int *best,
	       struct buf *candidates);

#endif
