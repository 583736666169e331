-- 0021: what the TV routes read (SPEC §5, §10; docs/internals/catalog.md,
-- "TV"): per-user watch state of episodes, search documents of series and
-- episodes, and the catalog generation advanced by TV writes too.

-- Watch state of episodes: the columns of movie_watch (0007), plus the
-- episode's series, copied on insert, so next up and a series' progress
-- read one user's rows of one series from an index instead of joining
-- every episode they watched.
CREATE TABLE episode_watch (
	user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	episode_id uuid NOT NULL REFERENCES episodes (id) ON DELETE CASCADE,
	series_id uuid NOT NULL REFERENCES series (id) ON DELETE CASCADE,
	position_seconds integer NOT NULL DEFAULT 0 CHECK (position_seconds >= 0),
	duration_seconds integer CHECK (duration_seconds > 0),
	watched boolean NOT NULL DEFAULT false,
	play_count integer NOT NULL DEFAULT 0 CHECK (play_count >= 0),
	last_played_at timestamptz,
	watched_at timestamptz,
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, episode_id)
);
CREATE INDEX episode_watch_recent_idx ON episode_watch (user_id, updated_at DESC, episode_id);
CREATE INDEX episode_watch_series_idx ON episode_watch (user_id, series_id, last_played_at DESC);

CREATE TABLE episode_watch_history (
	id bigserial PRIMARY KEY,
	user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	episode_id uuid NOT NULL REFERENCES episodes (id) ON DELETE CASCADE,
	event text NOT NULL CHECK (event IN ('completed', 'marked', 'unmarked')),
	position_seconds integer,
	at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX episode_watch_history_user_idx ON episode_watch_history (user_id, id DESC);

-- the generic watch statements (app/catalog/watch.c) name the user and the
-- episode; the series follows from the episode
CREATE FUNCTION episode_watch_series() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.series_id := (SELECT e.series_id FROM episodes e WHERE e.id = NEW.episode_id);
	RETURN NEW;
END $$;
CREATE TRIGGER episode_watch_series BEFORE INSERT ON episode_watch
	FOR EACH ROW EXECUTE FUNCTION episode_watch_series();

-- Search documents, as for movies (0007): series titles in every stored
-- language and the top of the cast (weight B); episode titles in every
-- language. The series' people follow its credits by a statement trigger,
-- which the metadata store rewrites as a whole per series.
ALTER TABLE series
	ADD COLUMN search_titles text NOT NULL DEFAULT '',
	ADD COLUMN search_people text NOT NULL DEFAULT '',
	ADD COLUMN search_doc tsvector NOT NULL DEFAULT ''::tsvector;
ALTER TABLE episodes
	ADD COLUMN search_doc tsvector NOT NULL DEFAULT ''::tsvector;

CREATE TRIGGER series_search BEFORE INSERT OR UPDATE OF title, original_title, titles_i18n,
	search_people ON series FOR EACH ROW EXECUTE FUNCTION movies_search_fill();
CREATE TRIGGER series_search_words AFTER INSERT OR UPDATE OF title, original_title, titles_i18n,
	search_people ON series FOR EACH ROW EXECUTE FUNCTION search_words_add();

CREATE FUNCTION episodes_search_fill() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.search_doc := setweight(to_tsvector('simple', rv_fold(concat_ws(' ', NEW.title,
		(SELECT string_agg(value, ' ' ORDER BY key) FROM jsonb_each_text(NEW.titles_i18n))))), 'A');
	RETURN NEW;
END $$;
CREATE TRIGGER episodes_search BEFORE INSERT OR UPDATE OF title, titles_i18n ON episodes
	FOR EACH ROW EXECUTE FUNCTION episodes_search_fill();
CREATE TRIGGER episodes_search_words AFTER INSERT OR UPDATE OF title, titles_i18n ON episodes
	FOR EACH ROW EXECUTE FUNCTION search_words_add();

-- the folded names of a series' first 15 cast members and its creators
CREATE FUNCTION series_people(item uuid) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT coalesce(rv_fold(string_agg(DISTINCT p.name, ' ')), '')
	FROM series_credits c JOIN people p ON p.id = c.person_id
	WHERE c.series_id = item
	  AND ((c.kind = 'cast' AND c.ord < 15) OR (c.kind = 'crew' AND c.job = 'Creator'))
$$;

CREATE FUNCTION series_people_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE series s SET search_people = series_people(s.id)
	WHERE s.id IN (SELECT series_id FROM changed);
	RETURN NULL;
END $$;
CREATE TRIGGER series_credits_people_ins AFTER INSERT ON series_credits
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION series_people_sync();
CREATE TRIGGER series_credits_people_del AFTER DELETE ON series_credits
	REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION series_people_sync();

UPDATE series s SET search_people = series_people(s.id);
UPDATE episodes SET title = title;

CREATE INDEX series_search_doc_idx ON series USING gin (search_doc) WITH (fastupdate = off);
CREATE INDEX episodes_search_doc_idx ON episodes USING gin (search_doc) WITH (fastupdate = off);
-- episodes of a series in order (next up, next episode, a series' episodes)
CREATE INDEX episodes_series_order_idx ON episodes (series_id, season_number, episode_number);

-- Every TV write advances the catalog generation (0007), like movie writes.
DO $$
DECLARE t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['series', 'seasons', 'episodes', 'series_genres', 'series_credits',
		'series_age_ratings', 'media_file_episodes']
	LOOP
		EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I'
			' FOR EACH STATEMENT EXECUTE FUNCTION catalog_touch()', t || '_catalog', t);
	END LOOP;
END $$;

-- Today in time zone tz (users.timezone, whose name is checked only for
-- its form when set): UTC's date for a zone PostgreSQL does not know, so a
-- stale or mistyped zone never fails a read.
CREATE FUNCTION rv_today(tz text) RETURNS date
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (now() AT TIME ZONE coalesce(tz, 'UTC'))::date;
EXCEPTION WHEN invalid_parameter_value THEN
	RETURN (now() AT TIME ZONE 'UTC')::date;
END $$;
