-- 0007: what the movies API (SPEC §4.2, §10) reads beyond the pipeline's
-- tables: search columns kept by the database, per-user watch state and
-- history, and "follow the client" as the default metadata language.

-- unaccent is a trusted extension (PostgreSQL 13+), like pg_trgm.
CREATE EXTENSION IF NOT EXISTS unaccent;

-- unaccent(text) is only STABLE (it reads its dictionary by search_path);
-- naming the dictionary makes it safe to use in indexes and generated text.
CREATE FUNCTION rv_fold(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
	SELECT lower(unaccent('unaccent'::regdictionary, t))
$$;

-- The key titles sort by: folded, without a leading English article, as
-- media libraries sort ("The Matrix" under M). Only the, a and an: "Die
-- Hard" and "La La Land" keep their first word.
CREATE FUNCTION rv_sort_title(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
	SELECT regexp_replace(rv_fold(t), '^(the|an?)\s+(?=\S)', '')
$$;

-- The resolution class of a video stream (the list filter and the facets).
CREATE FUNCTION rv_resolution(width integer, height integer) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE
		WHEN width IS NULL AND height IS NULL THEN NULL
		WHEN coalesce(width, 0) >= 3200 OR coalesce(height, 0) >= 2000 THEN '2160p'
		WHEN coalesce(width, 0) >= 1700 OR coalesce(height, 0) >= 1000 THEN '1080p'
		WHEN coalesce(width, 0) >= 1200 OR coalesce(height, 0) >= 700 THEN '720p'
		ELSE 'sd' END
$$;

-- Search text, folded (lower case, no accents):
--   search_titles  the base, original and every stored localised title
--   search_people  the first 15 of the cast and the directors
--   search_doc     both as a 'simple' tsvector, titles weighted A, people B
-- search_titles and search_doc follow the row (trigger); search_people is
-- rebuilt from the credits by movie_search_refresh(id), which the metadata
-- store calls after it has written them.
ALTER TABLE movies
	ADD COLUMN search_titles text NOT NULL DEFAULT '',
	ADD COLUMN search_people text NOT NULL DEFAULT '',
	ADD COLUMN search_doc tsvector NOT NULL DEFAULT ''::tsvector;

CREATE FUNCTION movies_search_fill() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.search_titles := rv_fold(concat_ws(' ', NEW.title, NEW.original_title,
		(SELECT string_agg(value, ' ' ORDER BY key) FROM jsonb_each_text(NEW.titles_i18n))));
	NEW.search_doc := setweight(to_tsvector('simple', NEW.search_titles), 'A')
		|| setweight(to_tsvector('simple', NEW.search_people), 'B');
	RETURN NEW;
END $$;
CREATE TRIGGER movies_search BEFORE INSERT OR UPDATE OF title, original_title, titles_i18n,
	search_people ON movies FOR EACH ROW EXECUTE FUNCTION movies_search_fill();

CREATE FUNCTION movie_search_refresh(p_movie uuid) RETURNS void
LANGUAGE sql AS $$
	UPDATE movies m SET search_people = coalesce((
		SELECT rv_fold(string_agg(DISTINCT p.name, ' '))
		FROM movie_credits c JOIN people p ON p.id = c.person_id
		WHERE c.movie_id = m.id
		  AND ((c.kind = 'cast' AND c.ord < 15) OR (c.kind = 'crew' AND c.job = 'Director'))), '')
	WHERE m.id = p_movie
$$;

UPDATE movies SET search_people = search_people; -- fills titles and doc
SELECT movie_search_refresh(id) FROM movies;

CREATE INDEX movies_search_doc_idx ON movies USING gin (search_doc);
CREATE INDEX movies_search_titles_trgm_idx ON movies USING gin (search_titles gin_trgm_ops);
CREATE INDEX movies_search_people_trgm_idx ON movies USING gin (search_people gin_trgm_ops);
DROP INDEX IF EXISTS movies_title_trgm_idx;
-- list sorts that do not depend on the language
CREATE INDEX movies_added_idx ON movies (added_at, id);
CREATE INDEX movies_year_idx ON movies (year, id);
CREATE INDEX movies_vote_idx ON movies (vote_average, id);
CREATE INDEX movies_popularity_idx ON movies (popularity, id);
CREATE INDEX movies_collection_idx ON movies (collection_id) WHERE collection_id IS NOT NULL;
CREATE INDEX movie_credits_movie_idx ON movie_credits (movie_id, kind, ord);

-- Per user and movie: where playback stopped, whether it counts as
-- watched and how often it was completed (SPEC §4.2). A position past 90 %
-- of the duration completes a play: play_count grows by one when a
-- position crosses that line, not on every report above it.
CREATE TABLE movie_watch (
	user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	movie_id uuid NOT NULL REFERENCES movies (id) ON DELETE CASCADE,
	position_seconds integer NOT NULL DEFAULT 0 CHECK (position_seconds >= 0),
	duration_seconds integer CHECK (duration_seconds > 0),
	watched boolean NOT NULL DEFAULT false,
	play_count integer NOT NULL DEFAULT 0 CHECK (play_count >= 0),
	last_played_at timestamptz,
	watched_at timestamptz,
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, movie_id)
);
CREATE INDEX movie_watch_recent_idx ON movie_watch (user_id, updated_at DESC, movie_id);

-- Every completed play and every mark/unmark, newest first per user.
CREATE TABLE movie_watch_history (
	id bigserial PRIMARY KEY,
	user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	movie_id uuid NOT NULL REFERENCES movies (id) ON DELETE CASCADE,
	event text NOT NULL CHECK (event IN ('completed', 'marked', 'unmarked')),
	position_seconds integer,
	at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX movie_watch_history_user_idx ON movie_watch_history (user_id, id DESC);

-- NULL: follow the client (Accept-Language), then English (SPEC §1.3).
ALTER TABLE user_preferences ALTER COLUMN metadata_language DROP NOT NULL,
	ALTER COLUMN metadata_language DROP DEFAULT;

-- The catalog generation: every statement that changes what the movies API
-- shows advances it (a sequence: no row lock, so concurrent scans never
-- wait on each other). The API keys its Redis response cache with it, so a
-- cached answer is never served after a change, whoever made it (API,
-- worker, psql). A change counts when its statement ends, before its
-- transaction commits; the cache TTL bounds a reader that computed an
-- answer in between.
CREATE SEQUENCE catalog_generation;

CREATE FUNCTION catalog_touch() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM nextval('catalog_generation');
	RETURN NULL;
END $$;

DO $$
DECLARE t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['libraries', 'library_grants', 'movies', 'media_files',
		'movie_genres', 'movie_credits', 'movie_age_ratings', 'genres', 'collections',
		'people', 'images']
	LOOP
		EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I'
			' FOR EACH STATEMENT EXECUTE FUNCTION catalog_touch()', t || '_catalog', t);
	END LOOP;
END $$;
