/*
 * view: what every movie read shares — who is looking (library access,
 * parental control, language) as SQL, the pages of movie lists, and the
 * validators that let clients revalidate instead of downloading again.
 *
 * Statements of app/movies start with MV_VIEW_CTE and take the viewer's
 * four parameters first:
 *   $1 the caller's user id      $2 sees every library ("true"/"false")
 *   $3 ?language (NULL if none)  $4 the Accept-Language pick (NULL if none)
 * The CTE `v` resolves, in one round trip with the statement itself:
 *   v.lang    ?language, else the user's metadata_language, else the
 *             Accept-Language pick, else en (SPEC §1.3)
 *   v.max_age, v.country, v.unrated   the user's parental control
 * MV_VISIBLE(m) is the condition every movie read applies: the movie's
 * library is visible to the caller and its minimum age for the caller's
 * rating country is within the caller's limit (unrated ones as the user
 * chose). A movie that fails it does not exist for the caller (404).
 */
#ifndef REVENGE_MOVIES_VIEW_H
#define REVENGE_MOVIES_VIEW_H

#include "http/http.h"
#include "http/page.h"
#include "library/libraries.h"
#include "users/user.h"

#define MV_VIEW_CTE                                                                                \
	"WITH v AS (SELECT coalesce($3::text, p.metadata_language, $4::text, 'en') AS lang,"       \
	" p.max_age_rating AS max_age, coalesce(p.rating_country, 'US') AS country,"               \
	" coalesce(p.allow_unrated, true) AS unrated FROM (VALUES (1)) one(x)"                     \
	" LEFT JOIN user_preferences p ON p.user_id = $1::uuid)"

/* The minimum age of movie m for the viewer (unrated: 0 or "never"). */
#define MV_MIN_AGE(m)                                                                              \
	"coalesce((SELECT ar.min_age FROM movie_age_ratings ar WHERE ar.movie_id = " m ".id"      \
	" AND ar.country = v.country), CASE WHEN v.unrated THEN 0 ELSE 99 END)"

#define MV_VISIBLE(m)                                                                              \
	"(" LIBRARY_VISIBLE_SQL(m ".library_id", "$1", "$2") " AND (v.max_age IS NULL OR "         \
	MV_MIN_AGE(m) " <= v.max_age))"

/* Localised fields: requested -> en -> original language -> (titles:
 * original title) -> base column. */
#define MV_I18N(m, col)                                                                            \
	"nullif(" m "." col "_i18n->>v.lang, ''), nullif(" m "." col "_i18n->>'en', ''),"          \
	" nullif(" m "." col "_i18n->>" m ".original_language, '')"
#define MV_TITLE(m) "coalesce(" MV_I18N(m, "titles") ", " m ".original_title, " m ".title)"
#define MV_OVERVIEW(m) "coalesce(" MV_I18N(m, "overviews") ", " m ".overview)"
#define MV_TAGLINE(m) "coalesce(" MV_I18N(m, "taglines") ", " m ".tagline)"
/* A genre's or collection's name in the viewer's language. */
#define MV_NAME(g) "coalesce(nullif(" g ".names_i18n->>v.lang, ''), " g ".name)"

/* The public URL of a stored image (null until the worker fetched it). */
#define MV_IMAGE(kind, path)                                                                       \
	"(SELECT '/' || i.storage_key FROM images i WHERE i.kind = '" kind "'"                     \
	" AND i.provider_path = " path " AND i.state = 'stored')"

/* A movie's or series' picture of kind poster|backdrop: the provider's
 * once stored, else the local artwork found next to its files (migration
 * 0009, library/artwork.h). */
#define MV_ART(kind, m)                                                                            \
	"coalesce(" MV_IMAGE(kind, m "." kind "_path") ", (SELECT '/' || i.storage_key FROM images i" \
	" WHERE i.id = " m ".local_" kind "_id AND i.state = 'stored'))"

/* A movie as lists show it, as one json value. */
#define MV_ITEM(m)                                                                                 \
	"json_build_object('id', " m ".id, 'library_id', " m ".library_id, 'tmdb_id', " m          \
	".tmdb_id, 'imdb_id', " m ".imdb_id, 'title', " MV_TITLE(m) ", 'original_title', " m     \
	".original_title, 'original_language', " m ".original_language, 'year', " m ".year,"     \
	" 'release_date', " m ".release_date, 'runtime', " m ".runtime, 'overview', "             \
	MV_OVERVIEW(m) ", 'vote_average', " m ".vote_average, 'vote_count', " m ".vote_count,"   \
	" 'popularity', " m ".popularity, 'poster_path', " m ".poster_path, 'poster_url', "       \
	MV_ART("poster", m) ", 'backdrop_path', " m ".backdrop_path,"                             \
	" 'added_at', " SQL_TS(m ".added_at") ", 'file_count', (SELECT count(*) FROM media_files" \
	" f WHERE f.movie_id = " m ".id AND f.state = 'present'), 'user_data', (SELECT"           \
	" json_build_object('position_seconds', w.position_seconds, 'watched', w.watched,"       \
	" 'play_count', w.play_count, 'last_played_at', " SQL_TS("w.last_played_at") ")"         \
	" FROM movie_watch w WHERE w.user_id = $1::uuid AND w.movie_id = " m ".id))"

#define MV_NPARAMS 4

/* The viewer's parameters ($1..$4) in params[0..3]; APP_ERR_VALIDATION
 * naming `language` when ?language is not ISO 639-1. */
enum app_err mv_viewer(struct request *req, const char **params, struct field_error *fe);

/*
 * One page of a movie list. The statement's columns are (item json, sort
 * key text, id) and its parameters are params[0..nparams-5] followed by
 * cursor key, cursor id, limit, offset (page_fetch fills the last two);
 * count takes the leading ones. key_prefix is stored in the cursor before
 * the key ("added|desc|"), and a cursor whose prefix differs is refused
 * (naming `cursor`): a cursor walks the order it was issued for.
 */
enum app_err mv_page(struct request *req, struct response *res, const struct db_stmt *list,
                     const struct db_stmt *count, const char **params, const char *key_prefix,
                     struct field_error *fe);

/*
 * The per-user response cache (movies.cache_ttl). mv_cache_hit computes
 * the key — route, query string, Accept-Language pick, user, whether the
 * user sees every library, the catalog generation, the user's last watch
 * and preference change — and on a hit writes the cached body and the
 * validators and returns true. mv_cache_fill stores a 200 body and adds
 * the validators (call it instead of mv_validators). Redis or the
 * generation query failing just means no cache.
 */
struct mv_cache {
	const char *key; /* NULL: not cached */
};
bool mv_cache_hit(struct request *req, struct response *res, struct mv_cache *c);
void mv_cache_fill(struct request *req, struct response *res, const struct mv_cache *c);

/* A json value from PostgreSQL as the next value of w, compacted. */
void mv_raw(struct jw *w, const char *json, size_t n);

/* A page of a list whose statement takes only the viewer's parameters
 * (then key, id, limit, offset). */
enum app_err mv_list(struct request *req, struct response *res, const struct db_stmt *list,
                     const struct db_stmt *count, struct field_error *fe);

/* A single json value (column 0 of row 0 of r) as the response body. */
void mv_body_json(struct response *res, const PGresult *r);

/* Weak ETag over the body and private revalidation; a matching
 * If-None-Match turns the response into 304 without a body. Call last,
 * after the body is written. */
void mv_validators(struct request *req, struct response *res);

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
