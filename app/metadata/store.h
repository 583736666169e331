/*
 * store: write what identification found into the catalogue (SPEC §4.1,
 * §4.4, §5): movies, series, seasons, episodes with their translations
 * (hybrid JSONB: base columns in the provider's default language, the
 * *_i18n maps for every configured language), genres, credits, collection,
 * age ratings per country (each with its minimum age from the
 * certifications table) and pending image fetches; and link the file.
 *
 * Each call is one transaction, serialised per (library, item) by an
 * advisory lock, so two files of one movie or two episodes of one new
 * series matched at the same time never create the item twice.
 *
 * An item is upgraded in place: when the file was linked to a locally
 * identified item and the provider item is new to the library, the local
 * row becomes the provider item (same id, so watch state survives);
 * when the provider item already exists, the file moves to it and the
 * local row goes once no file is left on it. A match_locked item (an
 * admin's manual choice) is only rewritten by another manual match.
 * Provider JSON is read by PostgreSQL (jsonb), never interpolated.
 */
#ifndef REVENGE_METADATA_STORE_H
#define REVENGE_METADATA_STORE_H

#include <stdbool.h>
#include <cjson/cJSON.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"

struct store_link {
	const char *library_id;
	const char *file_id;
	const char *status;     /* matched | manual | local | unmatched | error */
	const char *strategy;   /* id | manual | existing | search | search_title | local */
	int confidence;         /* 0..100, or -1 for none */
	const char *candidates; /* JSON array text or NULL */
	bool manual;            /* an admin chose: lock the item */
	const char *languages;  /* "{en,de,fr}" (a text[] literal) */
	bool images;            /* queue image fetches */
};

/* Movie from TMDb details (tmdb_movie's answer). movie_id (37 bytes)
 * receives the item's id. APP_ERR_UNPROCESSABLE when details carry no id. */
enum app_err store_movie(struct db *db, struct arena *a, const struct store_link *l,
			 const cJSON *details, char movie_id[37]);

/* A locally identified movie: title (required), year (0 none), and the
 * NFO's JSON (nfo_json shape) or NULL for overview/runtime/original title. */
enum app_err store_local_movie(struct db *db, struct arena *a, const struct store_link *l,
			       const char *title, int year, const char *nfo, char movie_id[37]);

/* Where a file lies in a series: its season and episodes, and the
 * provider's season to store them with (episodes.h builds these). */
struct store_episodes {
	int season;               /* -1: the file is linked to the series only */
	const char *numbers;      /* the file's episodes: "{1,2}" (an int[] literal) */
	const char *details;      /* the season, tmdb_season's answer as JSON text,
				   * or NULL (no provider, or TMDb has no such season) */
	const char *translations; /* the episodes' names and overviews in other
				   * languages, [{"l","e","n","o"}] (episodes.h), or NULL */
	const char *absolute;     /* absolute numbers of the season's episodes,
				   * [{"e","a"}], or NULL */
	const char *title;        /* the file's episode title, for an episode the
				   * provider does not list; NULL for none */
};

/* Series from TMDb tv details and the file's episodes: the season row
 * (names/overviews of the configured languages from the season's
 * translations), every episode the season lists (titles/overviews in the
 * configured languages: the default from the season, the others from
 * ep->translations; stills), episodes the file names that the provider does
 * not list as bare rows, absolute numbers, and the file linked to each of
 * its episodes (media_file_episodes). */
enum app_err store_series(struct db *db, struct arena *a, const struct store_link *l,
			  const cJSON *tv, const struct store_episodes *ep, char series_id[37]);

/* A locally identified series with the file's season/episodes (ep->details,
 * translations and absolute are ignored when NULL, as they are without a
 * provider). */
enum app_err store_local_series(struct db *db, struct arena *a, const struct store_link *l,
				const char *title, int year, const struct store_episodes *ep,
				char series_id[37]);

#endif
