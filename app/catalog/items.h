/*
 * items: the JSON of one item of each kind as lists show it, over the alias
 * m (and the viewer v, catalog.h). Macros, so statements of the domains
 * (relations, watch lists) embed the same item their lists show.
 */
#ifndef REVENGE_CATALOG_ITEMS_H
#define REVENGE_CATALOG_ITEMS_H

#include "catalog/catalog.h"
#include "users/user.h" /* SQL_TS */

/* clang-format off */
#define CAT_TITLE_CHAIN(i18n, orig_lang, orig_title, title)                                                  \
	"coalesce(" CAT_I18N(i18n, orig_lang) ", " orig_title ", " title ")"
#define CAT_USER_DATA(table, fk)                                                                       \
	"(SELECT json_build_object('position_seconds', w.position_seconds, 'watched', w.watched,"  \
	" 'play_count', w.play_count, 'last_played_at', " SQL_TS("w.last_played_at") ") FROM "     \
	table " w WHERE w.user_id = $1::uuid AND w." fk " = m.id)"
#define CAT_SERIES_TITLE CAT_TITLE_CHAIN("m.titles_i18n", "m.original_language", "m.original_title", "m.title")
#define CAT_MOVIE_TITLE CAT_TITLE_CHAIN("m.titles_i18n", "m.original_language", "m.original_title", "m.title")
/* A movie's list item: its card in the viewer's language (migration 0017:
 * the object up to added_at, rendered by the store), rendered here by the
 * same function when the language has none, then file_count, user_data and
 * the closing brace. Text, not json: the page writes it as it is. */
#define CAT_MOVIE_CARD                                                                             \
	"coalesce((SELECT c.card FROM catalog_cards c WHERE c.item_id = m.id AND c.lang = v.lang),"  \
	" (SELECT rv_movie_card(x, v.lang) FROM movies x WHERE x.id = m.id))"
#define CAT_MOVIE_ITEM_HEAD_FC(file_count)                                                         \
	CAT_MOVIE_CARD " || ', \"file_count\" : ' || " file_count " || ', \"user_data\" : ' ||"       \
	" coalesce(" CAT_USER_DATA("movie_watch", "movie_id") "::text, 'null')"
#define CAT_MOVIE_ITEM_HEAD CAT_MOVIE_ITEM_HEAD_FC("m.file_count")
#define CAT_MOVIE_ITEM "(" CAT_MOVIE_ITEM_HEAD " || '}')"
/* The item over a row that holds only the movie's id (a list's walk, which
 * reads no more of the movie than its indexes hold, migration 0020). */
#define CAT_MOVIE_ITEM_BY_ID                                                                       \
	"(" CAT_MOVIE_ITEM_HEAD_FC("(SELECT f.file_count FROM movies f WHERE f.id = m.id)") " || '}')"
/* The item with more fields: PAIRS is "'key', value, ..." (at most 100
 * arguments), appended as one json_build_object's members. */
#define CAT_MOVIE_ITEM_PLUS(pairs)                                                                 \
	"(" CAT_MOVIE_ITEM_HEAD " || ', ' || substr(json_build_object(" pairs ")::text, 2))"

#define CAT_SERIES_ITEM \
	"json_build_object('id', m.id, 'library_id', m.library_id, 'tmdb_id', m.tmdb_id," \
		" 'tvdb_id', m.tvdb_id, 'title', " CAT_SERIES_TITLE ", 'original_title', m.original_title," \
		" 'original_language', m.original_language, 'year', m.year, 'first_air_date'," \
		" m.first_air_date, 'last_air_date', m.last_air_date, 'status', m.status, 'overview'," \
		" coalesce(" CAT_I18N("m.overviews_i18n", "m.original_language") ", m.overview)," \
		" 'vote_average', m.vote_average, 'vote_count', m.vote_count, 'popularity'," \
		" m.popularity, 'poster_path', m.poster_path, 'poster_url', " \
		CAT_ART("poster", "m") ", 'added_at', " SQL_TS("m.added_at") "," \
		" 'file_count', m.file_count)"

#define CAT_SEASON_ITEM \
	"json_build_object('id', m.id, 'series_id', m.series_id, 'season_number'," \
		" m.season_number, 'name', " CAT_NAME("m") ", 'overview', coalesce(nullif(" \
		"m.overviews_i18n->>v.lang, ''), nullif(m.overviews_i18n->>'en', ''), m.overview)," \
		" 'air_date', m.air_date, 'poster_path', m.poster_path, 'poster_url', " \
		CAT_IMAGE("poster", "m.poster_path") ", 'episode_count', (SELECT count(*) FROM" \
		" episodes e WHERE e.season_id = m.id))"

/* An episode over m (its row only: lists walk the episodes alone), with
 * its series' title and poster (for rows that mix series), whether a file
 * holds it, and the caller's watch state. */
/* a scalar subquery, not EXISTS: the planner may turn an EXISTS in the
 * select list into a hash of every file, built for a page of 20 */
#define CAT_EPISODE_HAS_FILE \
	"coalesce((SELECT true FROM media_file_episodes fe JOIN media_files f ON f.id = fe.file_id" \
	" AND f.state = 'present' WHERE fe.episode_id = m.id LIMIT 1), false)"
#define CAT_EPISODE_ITEM \
	"json_build_object('id', m.id, 'series_id', m.series_id, 'series_title', (SELECT " \
		CAT_TITLE_CHAIN("s.titles_i18n", "s.original_language", "s.original_title", "s.title") \
		" FROM series s WHERE s.id = m.series_id), 'season_id', m.season_id," \
		" 'season_number', m.season_number, 'episode_number', m.episode_number," \
		" 'absolute_number', m.absolute_number, 'title', coalesce(" \
		CAT_I18N("m.titles_i18n", "'en'") ", m.title), 'overview', coalesce(" \
		CAT_I18N("m.overviews_i18n", "'en'") ", m.overview), 'air_date', m.air_date," \
		" 'runtime', m.runtime, 'still_path', m.still_path, 'still_url', " \
		CAT_IMAGE("still", "m.still_path") ", 'series_poster_url', (SELECT " CAT_ART("poster", "s") \
		" FROM series s WHERE s.id = m.series_id)," \
		" 'vote_average', m.vote_average, 'has_file', " CAT_EPISODE_HAS_FILE "," \
		" 'user_data', " CAT_USER_DATA("episode_watch", "episode_id") ")"

/* A relation of one item ($5): rows after the cursor ($6 key, $7 id) in
 * the order (key, id) op, then $8 limit and $9 offset. */
#define CAT_KEYSET(key, cast, id, idcast, op) \
	" AND ($6::text IS NULL OR (" key ", " id ") " op " ($6::" cast ", $7::" idcast "))"

/* A credit c of person p, and the crew's order: department (Directing,
 * Writing, ...), then job and name. */
#define CAT_CREDIT_ITEM \
	"json_build_object('person_id', p.id, 'tmdb_id', p.tmdb_id, 'name', p.name," \
	" 'original_name', p.original_name, 'character', c.character, 'job', c.job," \
	" 'department', c.department, 'order', c.ord, 'credit_id', c.credit_id," \
	" 'profile_path', p.profile_path, 'profile_url', " CAT_IMAGE("profile", "p.profile_path") ")"
#define CAT_CREW_KEY "(coalesce(c.department, '') || '|' || coalesce(c.job, '') || '|' || p.name)"

/* A genre g in the viewer's language. */
#define CAT_GENRE_ITEM "json_build_object('id', g.id, 'tmdb_id', g.tmdb_id, 'name', " CAT_NAME("g") ")"

/* A present file f of item m as its files routes list it; base is the SQL
 * of the item's URL ("'/api/v1/movies/' || m.id"), which its stream and
 * subtitle URLs extend. */
#define CAT_FILE_ITEM(base) \
	"json_build_object('id', f.id, 'rel_path', f.rel_path, 'size', f.size," \
	" 'container', f.container, 'duration_ms', f.duration_ms, 'bit_rate', f.bit_rate," \
	" 'video_codec', f.video_codec, 'width', f.width, 'height', f.height," \
	" 'resolution', rv_resolution(f.width, f.height), 'frame_rate', f.frame_rate," \
	" 'dynamic_range', f.dynamic_range, 'audio_channels', f.audio_channels," \
	" 'audio_languages', f.audio_languages, 'subtitle_languages', f.subtitle_languages," \
	" 'audio', f.probe->'audio', 'embedded_subtitles', f.probe->'subtitles'," \
	" 'subtitles', coalesce((SELECT json_agg(json_build_object('index', o.i - 1," \
	"  'language', o.s->>'language', 'forced', coalesce((o.s->>'forced')::boolean, false)," \
	"  'format', lower(substring(o.s->>'file' from '[^.]+$')), 'url', " base \
	"  || '/files/' || f.id || '/subtitles/' || (o.i - 1)) ORDER BY o.i)" \
	"  FROM jsonb_array_elements(CASE WHEN jsonb_typeof(f.sidecars->'subtitles') = 'array'" \
	"  THEN f.sidecars->'subtitles' ELSE '[]' END) WITH ORDINALITY o(s, i)), '[]')," \
	" 'probe_error', f.probe_error, 'version', f.version," \
	" 'stream_url', " base " || '/files/' || f.id || '/stream'," \
	" 'added_at', " SQL_TS("f.created_at") ")"

/* clang-format on */

#endif
