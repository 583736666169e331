#include "metadata/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notify/notify.h"

/* --- shared pieces ------------------------------------------------------- */

static const struct db_stmt q_lock = {
    "store_lock", "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", 1, false};

/* the file (locked) and the item it is linked to now */
static const struct db_stmt q_file_movie = {
    "store_file_movie",
    "SELECT m.id, m.identified_by, m.tmdb_id FROM media_files f"
    " LEFT JOIN movies m ON m.id = f.movie_id WHERE f.id = $1 FOR UPDATE OF f",
    1, false};
static const struct db_stmt q_file_series = {
    "store_file_series",
    "SELECT s.id, s.identified_by, s.tmdb_id FROM media_files f"
    " LEFT JOIN series s ON s.id = f.series_id WHERE f.id = $1 FOR UPDATE OF f",
    1, false};

static const struct db_stmt q_link = {
    "store_link",
    "UPDATE media_files SET movie_id = $2::uuid, series_id = $3::uuid, match_status = $4,"
    " match_strategy = $5, match_confidence = $6::real, match_candidates = $7::jsonb,"
    " updated_at = now() WHERE id = $1",
    7, false};

static const struct db_stmt q_drop_local_movie = {
    "store_drop_local_movie",
    "DELETE FROM movies m WHERE id = $1 AND identified_by = 'local'"
    " AND NOT EXISTS (SELECT 1 FROM media_files f WHERE f.movie_id = m.id)",
    1, false};
static const struct db_stmt q_drop_local_series = {
    "store_drop_local_series",
    "DELETE FROM series s WHERE id = $1 AND identified_by = 'local'"
    " AND NOT EXISTS (SELECT 1 FROM media_files f WHERE f.series_id = s.id)",
    1, false};

/* translations of the configured languages, one per language (the
 * language's own country first, en-US for English) */
#define I18N_LATERAL(ARR, TITLE)                                                                   \
	" LATERAL (SELECT coalesce(jsonb_object_agg(l, ti) FILTER (WHERE ti IS NOT NULL), '{}') AS tis," \
	" coalesce(jsonb_object_agg(l, ov) FILTER (WHERE ov IS NOT NULL), '{}') AS ovs,"            \
	" coalesce(jsonb_object_agg(l, tg) FILTER (WHERE tg IS NOT NULL), '{}') AS tgs"              \
	" FROM (SELECT DISTINCT ON (tr->>'iso_639_1') tr->>'iso_639_1' AS l,"                       \
	" nullif(tr->'data'->>'" TITLE "', '') AS ti, nullif(tr->'data'->>'overview', '') AS ov,"   \
	" nullif(tr->'data'->>'tagline', '') AS tg"                                                 \
	" FROM jsonb_array_elements(CASE WHEN jsonb_typeof(" ARR ") = 'array' THEN " ARR          \
	" ELSE '[]' END) tr WHERE tr->>'iso_639_1' = ANY($3::text[])"                               \
	" ORDER BY tr->>'iso_639_1', (tr->>'iso_3166_1' = upper(tr->>'iso_639_1')"                \
	" OR tr->>'iso_3166_1' = 'US') DESC) s) t"

#define DATE_OF(E) "CASE WHEN " E " ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN (" E ")::date END"
#define YEAR_OF(E) "CASE WHEN " E " ~ '^[0-9]{4}-' THEN substr(" E ", 1, 4)::int END"
#define IMDB_OF(E) "CASE WHEN " E " ~ '^tt[0-9]{7,10}$' THEN " E " END"

/* people of a credits object (movie credits or tv aggregate_credits) */
#define PEOPLE_SQL(PATH)                                                                           \
	"INSERT INTO people (tmdb_id, name, original_name, gender, known_for_department,"           \
	" profile_path, popularity) SELECT DISTINCT ON ((p->>'id')::int) (p->>'id')::int,"          \
	" p->>'name', p->>'original_name', (p->>'gender')::smallint, p->>'known_for_department',"   \
	" p->>'profile_path', (p->>'popularity')::float8 FROM ("                                     \
	" SELECT p FROM jsonb_array_elements(coalesce($1::jsonb->'" PATH "'->'cast', '[]')) p"      \
	"  WHERE coalesce((p->>'order')::int, 0) < 100"                                             \
	" UNION ALL SELECT p FROM jsonb_array_elements(coalesce($1::jsonb->'" PATH "'->'crew', '[]')) p" \
	" ) z WHERE jsonb_typeof(p->'id') = 'number' AND coalesce(p->>'name', '') <> ''"           \
	" ON CONFLICT (tmdb_id) DO UPDATE SET name = EXCLUDED.name,"                                \
	" original_name = EXCLUDED.original_name, gender = EXCLUDED.gender,"                        \
	" known_for_department = EXCLUDED.known_for_department,"                                    \
	" profile_path = EXCLUDED.profile_path, popularity = EXCLUDED.popularity, updated_at = now()"

#define CREDITS_SQL(TABLE, COL, PATH)                                                              \
	"INSERT INTO " TABLE " (" COL ", person_id, credit_id, kind, character, job, department, ord)" \
	" SELECT $1, pe.id, c.cid, c.kind, c.ch, c.job, c.dep, c.ord FROM ("                       \
	" SELECT coalesce(p->>'credit_id', p->'roles'->0->>'credit_id') AS cid, 'cast' AS kind,"    \
	"  (p->>'id')::int AS pid, coalesce(p->>'character', p->'roles'->0->>'character') AS ch,"   \
	"  NULL::text AS job, NULL::text AS dep, coalesce((p->>'order')::int, 0) AS ord"            \
	"  FROM jsonb_array_elements(coalesce($2::jsonb->'" PATH "'->'cast', '[]')) p"              \
	"  WHERE coalesce((p->>'order')::int, 0) < 100 AND jsonb_typeof(p->'id') = 'number'"        \
	" UNION ALL SELECT coalesce(p->>'credit_id', p->'jobs'->0->>'credit_id'), 'crew',"          \
	"  (p->>'id')::int, NULL, coalesce(p->>'job', p->'jobs'->0->>'job'), p->>'department', 0"   \
	"  FROM jsonb_array_elements(coalesce($2::jsonb->'" PATH "'->'crew', '[]')) p"              \
	"  WHERE jsonb_typeof(p->'id') = 'number'"                                                  \
	" ) c JOIN people pe ON pe.tmdb_id = c.pid WHERE c.cid IS NOT NULL ON CONFLICT DO NOTHING"

#define GENRES_SQL(TABLE, COL, KIND)                                                               \
	"WITH g AS (INSERT INTO genres (kind, tmdb_id, name) SELECT '" KIND "', (e->>'id')::int,"   \
	" e->>'name' FROM jsonb_array_elements(coalesce($2::jsonb->'genres', '[]')) e"             \
	" WHERE jsonb_typeof(e->'id') = 'number' AND coalesce(e->>'name', '') <> ''"                \
	" ON CONFLICT (kind, tmdb_id) DO UPDATE SET name = EXCLUDED.name RETURNING id)"             \
	" INSERT INTO " TABLE " (" COL ", genre_id) SELECT $1, id FROM g ON CONFLICT DO NOTHING"

/* image rows for the item's pictures and the top of its cast, with one
 * low-priority fetch job per picture not seen before */
#define IMAGES_SQL(WANT)                                                                           \
	"WITH w(k, p) AS (" WANT "), ins AS (INSERT INTO images (kind, provider_path)"              \
	" SELECT DISTINCT k, p FROM w WHERE $2 AND p ~ '^/[A-Za-z0-9_-]{1,128}\\.(jpg|png|svg|webp)$'" \
	" ON CONFLICT (kind, provider_path) DO NOTHING RETURNING id)"                               \
	" INSERT INTO jobs (kind, args, priority, unique_key)"                                      \
	" SELECT 'image.fetch', jsonb_build_object('image_id', id), 3, 'image.fetch:' || id FROM ins"

/* --- movies -------------------------------------------------------------- */

static const struct db_stmt q_movie_by_tmdb = {
    "store_movie_by_tmdb", "SELECT id, match_locked FROM movies WHERE library_id = $1 AND tmdb_id = $2",
    2, false};
static const struct db_stmt q_movie_insert = {
    "store_movie_insert",
    "INSERT INTO movies (library_id, tmdb_id, title, identified_by)"
    " VALUES ($1, $2::int, $3, 'provider') RETURNING id",
    3, false};
static const struct db_stmt q_movie_claim_local = {
    "store_movie_claim_local", "UPDATE movies SET tmdb_id = $2::int WHERE id = $1", 2, false};
static const struct db_stmt q_movie_update = {
    "store_movie_update",
    "UPDATE movies m SET tmdb_id = (d->>'id')::int, imdb_id = " IMDB_OF("d->>'imdb_id'") ","
    " title = coalesce(nullif(d->>'title', ''), m.title), original_title = d->>'original_title',"
    " original_language = d->>'original_language', year = " YEAR_OF("d->>'release_date'") ","
    " release_date = " DATE_OF("d->>'release_date'") ", runtime = nullif((d->>'runtime')::int, 0),"
    " overview = nullif(d->>'overview', ''), tagline = nullif(d->>'tagline', ''),"
    " status = d->>'status', vote_average = (d->>'vote_average')::float8,"
    " vote_count = (d->>'vote_count')::int, popularity = (d->>'popularity')::float8,"
    " budget = nullif((d->>'budget')::bigint, 0), revenue = nullif((d->>'revenue')::bigint, 0),"
    " poster_path = d->>'poster_path', backdrop_path = d->>'backdrop_path',"
    " homepage = nullif(d->>'homepage', ''),"
    " titles_i18n = jsonb_strip_nulls(jsonb_build_object('en', nullif(d->>'title', ''))) || t.tis,"
    " overviews_i18n = jsonb_strip_nulls(jsonb_build_object('en', nullif(d->>'overview', ''))) || t.ovs,"
    " taglines_i18n = jsonb_strip_nulls(jsonb_build_object('en', nullif(d->>'tagline', ''))) || t.tgs,"
    " identified_by = 'provider', match_locked = m.match_locked OR $4::bool,"
    " metadata_refreshed_at = now(), updated_at = now()"
    " FROM (SELECT $2::jsonb AS d) x," I18N_LATERAL("d->'translations'->'translations'", "title")
    " WHERE m.id = $1",
    4, false};
static const struct db_stmt q_movie_ratings_clear = {
    "store_movie_ratings_clear", "DELETE FROM movie_age_ratings WHERE movie_id = $1", 1, false};
#define MOVIE_CERTS                                                                                \
	"SELECT DISTINCT ON (c) c, cert FROM (SELECT rr->>'iso_3166_1' AS c,"                       \
	" trim(rd->>'certification') AS cert, coalesce((rd->>'type')::int, 9) AS ty"                \
	" FROM jsonb_array_elements(coalesce($2::jsonb->'release_dates'->'results', '[]')) rr,"     \
	" jsonb_array_elements(coalesce(rr->'release_dates', '[]')) rd"                             \
	" WHERE trim(coalesce(rd->>'certification', '')) <> '' AND rr->>'iso_3166_1' ~ '^[A-Z]{2}$'" \
	" AND length(rd->>'certification') <= 32) z ORDER BY c, (ty = 3) DESC, ty"
static const struct db_stmt q_movie_ratings = {
    "store_movie_ratings",
    "INSERT INTO movie_age_ratings (movie_id, country, system, certification, min_age)"
    " SELECT $1, r.c, rating_system(r.c, false), r.cert, ce.min_age FROM (" MOVIE_CERTS ") r"
    " LEFT JOIN certifications ce ON ce.country = r.c AND ce.certification = r.cert",
    2, false};
static const struct db_stmt q_movie_ratings_json = {
    "store_movie_ratings_json",
    "UPDATE movies SET age_ratings = coalesce((SELECT jsonb_object_agg(country,"
    " jsonb_build_object(system, certification)) FROM movie_age_ratings WHERE movie_id = $1), '{}')"
    " WHERE id = $1",
    1, false};
static const struct db_stmt q_movie_genres_clear = {
    "store_movie_genres_clear", "DELETE FROM movie_genres WHERE movie_id = $1", 1, false};
static const struct db_stmt q_movie_genres = {
    "store_movie_genres", GENRES_SQL("movie_genres", "movie_id", "movie"), 2, false};
static const struct db_stmt q_movie_people = {"store_movie_people", PEOPLE_SQL("credits"), 1, false};
static const struct db_stmt q_movie_credits_clear = {
    "store_movie_credits_clear", "DELETE FROM movie_credits WHERE movie_id = $1", 1, false};
/* the search text follows the credits just written (migration 0007) */
static const struct db_stmt q_movie_search = {
    "store_movie_search", "SELECT movie_search_refresh($1)", 1, false};
static const struct db_stmt q_movie_credits = {
    "store_movie_credits", CREDITS_SQL("movie_credits", "movie_id", "credits"), 2, false};
static const struct db_stmt q_movie_collection = {
    "store_movie_collection",
    "WITH c AS (INSERT INTO collections (tmdb_id, name, poster_path, backdrop_path)"
    " SELECT (b->>'id')::int, b->>'name', b->>'poster_path', b->>'backdrop_path'"
    " FROM (SELECT $2::jsonb->'belongs_to_collection' AS b) x"
    " WHERE jsonb_typeof(b) = 'object' AND jsonb_typeof(b->'id') = 'number'"
    " AND coalesce(b->>'name', '') <> ''"
    " ON CONFLICT (tmdb_id) DO UPDATE SET name = EXCLUDED.name, poster_path = EXCLUDED.poster_path,"
    " backdrop_path = EXCLUDED.backdrop_path, updated_at = now() RETURNING id)"
    " UPDATE movies SET collection_id = (SELECT id FROM c) WHERE id = $1",
    2, false};
static const struct db_stmt q_movie_images = {
    "store_movie_images",
    IMAGES_SQL("SELECT 'poster', poster_path FROM movies WHERE id = $1"
	       " UNION ALL SELECT 'backdrop', backdrop_path FROM movies WHERE id = $1"
	       " UNION ALL SELECT 'profile', pe.profile_path FROM movie_credits mc"
	       " JOIN people pe ON pe.id = mc.person_id WHERE mc.movie_id = $1"
	       " AND mc.kind = 'cast' AND mc.ord < 10"),
    2, false};

static const struct db_stmt q_local_movie_find = {
    "store_local_movie_find",
    "SELECT id FROM movies WHERE library_id = $1 AND lower(title) = lower($2)"
    " AND year IS NOT DISTINCT FROM $3::int ORDER BY identified_by = 'provider' DESC, added_at"
    " LIMIT 1",
    3, false};
static const struct db_stmt q_local_movie_insert = {
    "store_local_movie_insert",
    "INSERT INTO movies (library_id, title, original_title, year, overview, runtime,"
    " titles_i18n, identified_by) VALUES ($1, $2, nullif($4::jsonb->>'originaltitle', ''), $3::int,"
    " nullif($4::jsonb->>'plot', ''), nullif($4::jsonb->>'runtime', '')::int, '{}', 'local')"
    " RETURNING id",
    4, false};

static char *num(struct arena *a, long long v)
{
	return arena_printf(a, "%lld", v);
}

static enum app_err lock_item(struct db *db, struct arena *a, const char *library_id,
			      const char *what)
{
	const char *p[] = {arena_printf(a, "%s:%s", library_id, what)};
	return db_query(db, a, &q_lock, p, NULL);
}

static enum app_err link_file(struct db *db, struct arena *a, const struct store_link *l,
			      const char *movie_id, const char *series_id)
{
	const char *p[] = {l->file_id,  movie_id,   series_id,
			   l->status,   l->strategy, l->confidence >= 0 ? num(a, l->confidence) : NULL,
			   l->candidates};
	return db_query(db, a, &q_link, p, NULL);
}


/* --- series -------------------------------------------------------------- */

static const struct db_stmt q_series_by_tmdb = {
    "store_series_by_tmdb",
    "SELECT id, match_locked FROM series WHERE library_id = $1 AND tmdb_id = $2", 2, false};
static const struct db_stmt q_series_insert = {
    "store_series_insert",
    "INSERT INTO series (library_id, tmdb_id, title, identified_by)"
    " VALUES ($1, $2::int, $3, 'provider') RETURNING id",
    3, false};
static const struct db_stmt q_series_claim_local = {
    "store_series_claim_local", "UPDATE series SET tmdb_id = $2::int WHERE id = $1", 2, false};
static const struct db_stmt q_series_update = {
    "store_series_update",
    "UPDATE series s SET tmdb_id = (d->>'id')::int,"
    " imdb_id = " IMDB_OF("d->'external_ids'->>'imdb_id'") ","
    " tvdb_id = (d->'external_ids'->>'tvdb_id')::int,"
    " title = coalesce(nullif(d->>'name', ''), s.title), original_title = d->>'original_name',"
    " original_language = d->>'original_language', year = " YEAR_OF("d->>'first_air_date'") ","
    " first_air_date = " DATE_OF("d->>'first_air_date'") ","
    " last_air_date = " DATE_OF("d->>'last_air_date'") ","
    " overview = nullif(d->>'overview', ''), tagline = nullif(d->>'tagline', ''),"
    " status = d->>'status', type = d->>'type',"
    " networks = coalesce((SELECT jsonb_agg(jsonb_build_object('id', n->'id', 'name', n->'name'))"
    "   FROM jsonb_array_elements(CASE WHEN jsonb_typeof(d->'networks') = 'array'"
    "   THEN d->'networks' ELSE '[]' END) n), '[]'),"
    " vote_average = (d->>'vote_average')::float8, vote_count = (d->>'vote_count')::int,"
    " popularity = (d->>'popularity')::float8, poster_path = d->>'poster_path',"
    " backdrop_path = d->>'backdrop_path',"
    " titles_i18n = jsonb_strip_nulls(jsonb_build_object('en', nullif(d->>'name', ''))) || t.tis,"
    " overviews_i18n = jsonb_strip_nulls(jsonb_build_object('en', nullif(d->>'overview', ''))) || t.ovs,"
    " taglines_i18n = jsonb_strip_nulls(jsonb_build_object('en', nullif(d->>'tagline', ''))) || t.tgs,"
    " identified_by = 'provider', match_locked = s.match_locked OR $4::bool,"
    " metadata_refreshed_at = now(), updated_at = now()"
    " FROM (SELECT $2::jsonb AS d) x," I18N_LATERAL("d->'translations'->'translations'", "name")
    " WHERE s.id = $1",
    4, false};
static const struct db_stmt q_series_ratings_clear = {
    "store_series_ratings_clear", "DELETE FROM series_age_ratings WHERE series_id = $1", 1, false};
static const struct db_stmt q_series_ratings = {
    "store_series_ratings",
    "INSERT INTO series_age_ratings (series_id, country, system, certification, min_age)"
    " SELECT DISTINCT ON (r.c) $1, r.c, rating_system(r.c, true), r.cert, ce.min_age FROM ("
    " SELECT x->>'iso_3166_1' AS c, trim(x->>'rating') AS cert FROM jsonb_array_elements("
    " coalesce($2::jsonb->'content_ratings'->'results', '[]')) x"
    " WHERE x->>'iso_3166_1' ~ '^[A-Z]{2}$' AND trim(coalesce(x->>'rating', '')) <> ''"
    " AND length(x->>'rating') <= 32) r"
    " LEFT JOIN certifications ce ON ce.country = r.c AND ce.certification = r.cert",
    2, false};
static const struct db_stmt q_series_ratings_json = {
    "store_series_ratings_json",
    "UPDATE series SET age_ratings = coalesce((SELECT jsonb_object_agg(country,"
    " jsonb_build_object(system, certification)) FROM series_age_ratings WHERE series_id = $1),"
    " '{}') WHERE id = $1",
    1, false};
static const struct db_stmt q_series_genres_clear = {
    "store_series_genres_clear", "DELETE FROM series_genres WHERE series_id = $1", 1, false};
static const struct db_stmt q_series_genres = {
    "store_series_genres", GENRES_SQL("series_genres", "series_id", "tv"), 2, false};
static const struct db_stmt q_series_people = {
    "store_series_people", PEOPLE_SQL("aggregate_credits"), 1, false};
static const struct db_stmt q_series_credits_clear = {
    "store_series_credits_clear", "DELETE FROM series_credits WHERE series_id = $1", 1, false};
static const struct db_stmt q_series_credits = {
    "store_series_credits", CREDITS_SQL("series_credits", "series_id", "aggregate_credits"), 2,
    false};
static const struct db_stmt q_series_images = {
    "store_series_images",
    IMAGES_SQL("SELECT 'poster', poster_path FROM series WHERE id = $1"
	       " UNION ALL SELECT 'backdrop', backdrop_path FROM series WHERE id = $1"
	       " UNION ALL SELECT 'poster', poster_path FROM seasons WHERE series_id = $1"
	       " UNION ALL SELECT 'still', still_path FROM episodes e JOIN media_file_episodes fe"
	       " ON fe.episode_id = e.id WHERE e.series_id = $1"),
    2, false};

/* the season: from the season details when there are some, else bare */
static const struct db_stmt q_season_upsert = {
    "store_season_upsert",
    "INSERT INTO seasons AS s (series_id, season_number, tmdb_id, name, overview, air_date,"
    " poster_path, names_i18n, overviews_i18n, metadata_refreshed_at)"
    " SELECT $1, $2::int, (d->>'id')::int, nullif(d->>'name', ''), nullif(d->>'overview', ''),"
    " " DATE_OF("d->>'air_date'") ", d->>'poster_path',"
    " jsonb_strip_nulls(jsonb_build_object('en', nullif(d->>'name', ''))) || t.tis,"
    " jsonb_strip_nulls(jsonb_build_object('en', nullif(d->>'overview', ''))) || t.ovs,"
    " CASE WHEN d IS NULL THEN NULL ELSE now() END"
    " FROM (SELECT $4::jsonb AS d) x," I18N_LATERAL("d->'translations'->'translations'", "name")
    " ON CONFLICT (series_id, season_number) DO UPDATE SET"
    " tmdb_id = coalesce(EXCLUDED.tmdb_id, s.tmdb_id), name = coalesce(EXCLUDED.name, s.name),"
    " overview = coalesce(EXCLUDED.overview, s.overview),"
    " air_date = coalesce(EXCLUDED.air_date, s.air_date),"
    " poster_path = coalesce(EXCLUDED.poster_path, s.poster_path),"
    " names_i18n = s.names_i18n || EXCLUDED.names_i18n,"
    " overviews_i18n = s.overviews_i18n || EXCLUDED.overviews_i18n,"
    " metadata_refreshed_at = coalesce(EXCLUDED.metadata_refreshed_at, s.metadata_refreshed_at)"
    " RETURNING id",
    4, false};
/* every episode the season details list, with the names and overviews of
 * the other languages ($5, episodes.h's translations; joined on the number
 * as text, so a malformed number never fails the cast) */
static const struct db_stmt q_episodes_upsert = {
    "store_episodes_upsert",
    "WITH tr AS (SELECT t->>'e' AS e,"
    " jsonb_object_agg(t->>'l', t->>'n') FILTER (WHERE jsonb_typeof(t->'n') = 'string') AS tis,"
    " jsonb_object_agg(t->>'l', t->>'o') FILTER (WHERE jsonb_typeof(t->'o') = 'string') AS ovs"
    " FROM jsonb_array_elements(CASE WHEN jsonb_typeof($5::jsonb) = 'array' THEN $5::jsonb"
    " ELSE '[]' END) t WHERE t->>'l' = ANY($6::text[]) GROUP BY t->>'e')"
    " INSERT INTO episodes AS e (series_id, season_id, season_number, episode_number, tmdb_id,"
    " title, titles_i18n, overview, overviews_i18n, air_date, runtime, still_path, vote_average,"
    " guest_stars, metadata_refreshed_at)"
    " SELECT $1, $2, $3::int, (ep->>'episode_number')::int, (ep->>'id')::int,"
    " nullif(ep->>'name', ''), jsonb_strip_nulls(jsonb_build_object('en', nullif(ep->>'name', '')))"
    " || coalesce(tr.tis, '{}'), nullif(ep->>'overview', ''),"
    " jsonb_strip_nulls(jsonb_build_object('en', nullif(ep->>'overview', '')))"
    " || coalesce(tr.ovs, '{}'),"
    " " DATE_OF("ep->>'air_date'") ", (ep->>'runtime')::int, ep->>'still_path',"
    " (ep->>'vote_average')::float8,"
    " coalesce((SELECT jsonb_agg(jsonb_build_object('tmdb_id', g->'id', 'name', g->'name',"
    "   'character', g->'character')) FROM jsonb_array_elements(CASE WHEN"
    "   jsonb_typeof(ep->'guest_stars') = 'array' THEN ep->'guest_stars' ELSE '[]' END) g), '[]'),"
    " now()"
    " FROM jsonb_array_elements(CASE WHEN jsonb_typeof($4::jsonb->'episodes') = 'array'"
    " THEN $4::jsonb->'episodes' ELSE '[]' END) ep LEFT JOIN tr ON tr.e = ep->>'episode_number'"
    " WHERE jsonb_typeof(ep->'episode_number') = 'number'"
    " ON CONFLICT (series_id, season_number, episode_number) DO UPDATE SET"
    " tmdb_id = EXCLUDED.tmdb_id, title = EXCLUDED.title,"
    " titles_i18n = e.titles_i18n || EXCLUDED.titles_i18n, overview = EXCLUDED.overview,"
    " overviews_i18n = e.overviews_i18n || EXCLUDED.overviews_i18n, air_date = EXCLUDED.air_date,"
    " runtime = EXCLUDED.runtime, still_path = EXCLUDED.still_path,"
    " vote_average = EXCLUDED.vote_average, guest_stars = EXCLUDED.guest_stars,"
    " metadata_refreshed_at = now()",
    6, false};
/* absolute numbers of the season's episodes (episodes.h's absolute) */
static const struct db_stmt q_episodes_absolute = {
    "store_episodes_absolute",
    "UPDATE episodes e SET absolute_number = (x->>'a')::int"
    " FROM jsonb_array_elements(CASE WHEN jsonb_typeof($3::jsonb) = 'array' THEN $3::jsonb"
    " ELSE '[]' END) x"
    " WHERE e.series_id = $1 AND e.season_number = $2::int AND jsonb_typeof(x->'a') = 'number'"
    " AND e.episode_number::text = x->>'e'"
    " AND e.absolute_number IS DISTINCT FROM (x->>'a')::int",
    3, false};
/* the file's episodes that the provider does not list (yet) */
static const struct db_stmt q_episodes_bare = {
    "store_episodes_bare",
    "INSERT INTO episodes (series_id, season_id, season_number, episode_number, title, titles_i18n)"
    " SELECT $1, $2, $3::int, n, $5::text, CASE WHEN $5::text IS NULL THEN '{}' ELSE"
    " jsonb_build_object('en', $5::text) END FROM unnest($4::int[]) n ON CONFLICT DO NOTHING",
    5, false};
static const struct db_stmt q_file_episodes_clear = {
    "store_file_episodes_clear", "DELETE FROM media_file_episodes WHERE file_id = $1", 1, false};
static const struct db_stmt q_file_episodes = {
    "store_file_episodes",
    "INSERT INTO media_file_episodes (file_id, episode_id) SELECT $1, id FROM episodes"
    " WHERE series_id = $2 AND season_number = $3::int AND episode_number = ANY($4::int[])"
    " ON CONFLICT DO NOTHING",
    4, false};
static const struct db_stmt q_local_series_find = {
    "store_local_series_find",
    "SELECT id FROM series WHERE library_id = $1 AND lower(title) = lower($2)"
    " AND ($3::int IS NULL OR year IS NULL OR year = $3::int)"
    " ORDER BY identified_by = 'provider' DESC, added_at LIMIT 1",
    3, false};
static const struct db_stmt q_local_series_insert = {
    "store_local_series_insert",
    "INSERT INTO series (library_id, title, year, identified_by) VALUES ($1, $2, $3::int, 'local')"
    " RETURNING id",
    3, false};

static enum app_err link_episodes(struct db *db, struct arena *a, const struct store_link *l,
				  const char *series, const struct store_episodes *ep)
{
	PGresult *r;
	enum app_err e;
	const char *sn = num(a, ep->season);
	const char *numbers = ep->numbers ? ep->numbers : "{}";
	const char *ps[] = {series, sn, l->languages, ep->details};
	const char *pf[] = {l->file_id};

	if ((e = db_query(db, a, &q_file_episodes_clear, pf, NULL)))
		return e;
	if (ep->season < 0)
		return APP_OK;
	if ((e = db_query(db, a, &q_season_upsert, ps, &r)))
		return e;
	const char *season_id = PQgetvalue(r, 0, 0);
	const char *pe[] = {series, season_id, sn, ep->details, ep->translations, l->languages};
	if (ep->details && (e = db_query(db, a, &q_episodes_upsert, pe, NULL)))
		return e;
	const char *pb[] = {series, season_id, sn, numbers,
			    ep->title && ep->title[0] ? ep->title : NULL};
	const char *pa[] = {series, sn, ep->absolute};
	const char *pl[] = {l->file_id, series, sn, numbers};
	if ((e = db_query(db, a, &q_episodes_bare, pb, NULL)) ||
	    (ep->absolute && (e = db_query(db, a, &q_episodes_absolute, pa, NULL))) ||
	    (e = db_query(db, a, &q_file_episodes, pl, NULL)))
		return e;
	return APP_OK;
}
/* --- what differs between movies and series -------------------------------- */

/* Parameters a fill statement takes. */
enum shape {
	S_UPDATE,     /* id, details, languages, manual */
	S_ID,         /* id */
	S_ID_DETAILS, /* id, details */
	S_DETAILS,    /* details */
	S_IMAGES,     /* id, images wanted */
};

struct step {
	const struct db_stmt *st;
	enum shape shape;
};

#define MAX_STEPS 14

struct kind {
	const char *lock;      /* advisory lock prefix */
	const char *title_key; /* the provider's title member */
	const struct db_stmt *file, *by_tmdb, *claim_local, *insert, *drop_local;
	const struct db_stmt *local_find, *local_insert;
	struct step fill[MAX_STEPS]; /* in order; ends at st NULL */
};

static const struct kind movie_kind = {
    "movie", "title", &q_file_movie, &q_movie_by_tmdb, &q_movie_claim_local, &q_movie_insert,
    &q_drop_local_movie, &q_local_movie_find, &q_local_movie_insert,
    {{&q_movie_update, S_UPDATE},
     {&q_movie_ratings_clear, S_ID},
     {&q_movie_ratings, S_ID_DETAILS},
     {&q_movie_ratings_json, S_ID},
     {&q_movie_genres_clear, S_ID},
     {&q_movie_genres, S_ID_DETAILS},
     {&q_movie_people, S_DETAILS},
     {&q_movie_credits_clear, S_ID},
     {&q_movie_credits, S_ID_DETAILS},
     {&q_movie_search, S_ID},
     {&q_movie_collection, S_ID_DETAILS},
     {&q_movie_images, S_IMAGES}}};

static const struct kind series_kind = {
    "series", "name", &q_file_series, &q_series_by_tmdb, &q_series_claim_local, &q_series_insert,
    &q_drop_local_series, &q_local_series_find, &q_local_series_insert,
    {{&q_series_update, S_UPDATE},
     {&q_series_ratings_clear, S_ID},
     {&q_series_ratings, S_ID_DETAILS},
     {&q_series_ratings_json, S_ID},
     {&q_series_genres_clear, S_ID},
     {&q_series_genres, S_ID_DETAILS},
     {&q_series_people, S_DETAILS},
     {&q_series_credits_clear, S_ID},
     {&q_series_credits, S_ID_DETAILS}}};

static enum app_err fill(struct db *db, struct arena *a, const struct store_link *l,
			 const struct kind *k, const char *id, const char *details)
{
	const char *up[] = {id, details, l->languages, l->manual ? "true" : "false"};
	const char *one[] = {id};
	const char *two[] = {id, details};
	const char *det[] = {details};
	const char *img[] = {id, l->images ? "true" : "false"};
	const char *const *by_shape[] = {up, one, two, det, img};
	enum app_err e;

	for (int i = 0; i < MAX_STEPS && k->fill[i].st; i++)
		if ((e = db_query(db, a, k->fill[i].st, by_shape[k->fill[i].shape], NULL)))
			return e;
	return APP_OK;
}

/* The provider id (0 when unusable) and title of a details object. */
static int details_id(const cJSON *d, const char *key, const char **title)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, "id"),
		    *t = cJSON_GetObjectItemCaseSensitive(d, key);
	*title = cJSON_IsString(t) && t->valuestring[0] ? t->valuestring : "?";
	return cJSON_IsNumber(v) && v->valuedouble >= 1 && v->valuedouble < 2147483647
		       ? (int)v->valuedouble
		       : 0;
}

/* content.added (notify/notify.h) for an item new to its library: one per
 * item, since the item's lock serialises its creation. date: "YYYY-…" or
 * NULL. */
static enum app_err added(struct db *db, struct arena *a, const struct store_link *l,
			  const struct kind *k, const char *id, const char *title, const char *date,
			  int tmdb)
{
	bool movie = !strcmp(k->lock, "movie");
	char year[8] = "";

	if (date && strlen(date) >= 4 && strspn(date, "0123456789") >= 4)
		snprintf(year, sizeof(year), " (%.4s)", date);
	return notify_event(
	    db, a, "content.added",
	    notify_payload(a, arena_printf(a, "Added: %s%s", title, year),
	                   arena_printf(a, "The %s %s%s is new in the library.",
	                                movie ? "movie" : "series", title, year),
	                   (const char *const[]){"kind", movie ? "movie" : "series", "id", id,
	                                         "title", title, "library_id", l->library_id,
	                                         "tmdb_id", tmdb ? num(a, tmdb) : NULL, NULL}),
	    NULL);
}

/*
 * Inside the caller's transaction: lock the item, find the file and what it
 * is linked to, and make *target the provider item (existing, the local
 * item upgraded in place, or new), filled from details unless locked.
 * *old is the item the file was linked to before (NULL for none).
 */
static enum app_err place_item(struct db *db, struct arena *a, const struct store_link *l,
			       const struct kind *k, const cJSON *details, const char **target,
			       const char **old)
{
	const char *title;
	char *text;
	int tmdb = details_id(details, k->title_key, &title);
	const char *pf[] = {l->file_id};
	PGresult *cur, *ex, *r;
	enum app_err e;

	if (!tmdb)
		return APP_ERR_UNPROCESSABLE;
	if (!(text = cJSON_PrintUnformatted(details)))
		return APP_ERR_NOMEM;
	if (arena_defer(a, cJSON_free, text) < 0) {
		cJSON_free(text);
		return APP_ERR_NOMEM;
	}
	const char *pt[] = {l->library_id, num(a, tmdb)};
	if ((e = lock_item(db, a, l->library_id, arena_printf(a, "%s:%d", k->lock, tmdb))) ||
	    (e = db_query(db, a, k->file, pf, &cur)))
		return e;
	if (PQntuples(cur) != 1)
		return APP_ERR_NOT_FOUND;
	if ((e = db_query(db, a, k->by_tmdb, pt, &ex)))
		return e;
	*old = PQgetisnull(cur, 0, 0) ? NULL : PQgetvalue(cur, 0, 0);
	if (PQntuples(ex)) {
		*target = PQgetvalue(ex, 0, 0);
		if (PQgetvalue(ex, 0, 1)[0] == 't' && !l->manual)
			return APP_OK; /* an admin's choice: left as it is */
	} else if (*old && !strcmp(PQgetvalue(cur, 0, 1), "local")) {
		const char *pc[] = {*old, num(a, tmdb)};
		*target = *old;
		if ((e = db_query(db, a, k->claim_local, pc, NULL)))
			return e;
	} else {
		const char *pi[] = {l->library_id, num(a, tmdb), title};
		const cJSON *date = cJSON_GetObjectItemCaseSensitive(
		    details, strcmp(k->lock, "movie") ? "first_air_date" : "release_date");
		if ((e = db_query(db, a, k->insert, pi, &r)))
			return e;
		*target = PQgetvalue(r, 0, 0);
		if ((e = added(db, a, l, k, *target, title, cJSON_GetStringValue(date), tmdb)))
			return e;
	}
	return fill(db, a, l, k, *target, text);
}

/* Drop the local item the file left (when no file is left on it) and
 * commit; the caller's transaction ends either way. */
static enum app_err finish(struct db *db, struct arena *a, const struct kind *k, const char *old,
			   const char *target, char id_out[37])
{
	if (old && strcmp(old, target)) {
		const char *po[] = {old};
		enum app_err e = db_query(db, a, k->drop_local, po, NULL);
		if (e) {
			db_rollback(db);
			return e;
		}
	}
	snprintf(id_out, 37, "%s", target);
	return db_commit(db);
}

/* Inside the caller's transaction: the item the file is linked to, else a
 * local item of the same title (and year), else a new local item. */
static enum app_err place_local(struct db *db, struct arena *a, const struct store_link *l,
				const struct kind *k, const char *lock, const char *const *find,
				const char *const *insert, const char **target)
{
	const char *pf[] = {l->file_id};
	PGresult *cur, *r;
	enum app_err e;

	if ((e = lock_item(db, a, l->library_id, lock)) || (e = db_query(db, a, k->file, pf, &cur)))
		return e;
	if (PQntuples(cur) != 1)
		return APP_ERR_NOT_FOUND;
	if (!PQgetisnull(cur, 0, 0)) {
		*target = PQgetvalue(cur, 0, 0);
		return APP_OK;
	}
	if ((e = db_query(db, a, k->local_find, find, &r)))
		return e;
	if (PQntuples(r)) {
		*target = PQgetvalue(r, 0, 0);
		return APP_OK;
	}
	if ((e = db_query(db, a, k->local_insert, insert, &r)))
		return e;
	*target = PQgetvalue(r, 0, 0);
	return added(db, a, l, k, *target, find[1], find[2], 0);
}

/* --- storing movies --------------------------------------------------- */

enum app_err store_movie(struct db *db, struct arena *a, const struct store_link *l,
			 const cJSON *details, char movie_id[37])
{
	const char *target = NULL, *old = NULL;
	enum app_err e;

	if ((e = db_begin(db)))
		return e;
	if ((e = place_item(db, a, l, &movie_kind, details, &target, &old)) ||
	    (e = link_file(db, a, l, target, NULL))) {
		db_rollback(db);
		return e;
	}
	return finish(db, a, &movie_kind, old, target, movie_id);
}

enum app_err store_local_movie(struct db *db, struct arena *a, const struct store_link *l,
			       const char *title, int year, const char *nfo, char movie_id[37])
{
	const char *y = year ? num(a, year) : NULL;
	const char *find[] = {l->library_id, title, y};
	const char *insert[] = {l->library_id, title, y, nfo ? nfo : "{}"};
	const char *target = NULL;
	enum app_err e;

	if ((e = db_begin(db)))
		return e;
	if ((e = place_local(db, a, l, &movie_kind, arena_printf(a, "local:%s:%d", title, year), find,
			     insert, &target)) ||
	    (e = link_file(db, a, l, target, NULL))) {
		db_rollback(db);
		return e;
	}
	return finish(db, a, &movie_kind, NULL, target, movie_id);
}

/* --- storing series --------------------------------------------------- */

enum app_err store_series(struct db *db, struct arena *a, const struct store_link *l,
			  const cJSON *tv, const struct store_episodes *ep, char series_id[37])
{
	const char *target = NULL, *old = NULL;
	enum app_err e;

	if ((e = db_begin(db)))
		return e;
	if ((e = place_item(db, a, l, &series_kind, tv, &target, &old)) ||
	    (e = link_file(db, a, l, NULL, target)) ||
	    (e = link_episodes(db, a, l, target, ep))) {
		db_rollback(db);
		return e;
	}
	/* after the episodes, so their stills are among the pictures */
	const char *pim[] = {target, l->images ? "true" : "false"};
	if ((e = db_query(db, a, &q_series_images, pim, NULL))) {
		db_rollback(db);
		return e;
	}
	return finish(db, a, &series_kind, old, target, series_id);
}

enum app_err store_local_series(struct db *db, struct arena *a, const struct store_link *l,
				const char *title, int year, const struct store_episodes *ep,
				char series_id[37])
{
	const char *find[] = {l->library_id, title, year ? num(a, year) : NULL};
	const char *target = NULL;
	enum app_err e;

	if ((e = db_begin(db)))
		return e;
	/* one lock per title, so episodes of a new show make one series */
	if ((e = place_local(db, a, l, &series_kind, arena_printf(a, "localtv:%s", title), find, find,
			     &target)) ||
	    (e = link_file(db, a, l, NULL, target)) ||
	    (e = link_episodes(db, a, l, target, ep))) {
		db_rollback(db);
		return e;
	}
	return finish(db, a, &series_kind, NULL, target, series_id);
}
