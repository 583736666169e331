-- 0008: the catalog read layer (docs/internals/catalog.md). What the list,
-- detail and search statements read is kept on the rows they scan, so a
-- page is an index range scan of its sort order and a few key lookups per
-- shown row, whatever the page, the filters or the viewer:
--   min_ages     {country: minimum age} of the item (movies, series), from
--                the age-rating rows, so the parental check is a jsonb
--                lookup instead of a subquery per row
--   file_count   present files of a movie or series
--   catalog_titles  the sort key of every item's localised title in every
--                catalog language, with the fallback chain of SPEC §1.3
--                already applied: title order and one-letter autocomplete
--                are range scans of (kind, lang, key)
-- and an index for every sort expression of the lists.

-- Unicode: compatibility forms (full-width letters, ligatures) and
-- decomposed accents (as macOS and SMB write names) fold like their plain
-- forms. Every generated search column is refilled below.
CREATE OR REPLACE FUNCTION rv_fold(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
	SELECT lower(unaccent('unaccent'::regdictionary, normalize(t, NFKC)))
$$;

-- --- age limits and file counts on the item ---------------------------------

ALTER TABLE movies ADD COLUMN min_ages jsonb NOT NULL DEFAULT '{}',
	ADD COLUMN file_count integer NOT NULL DEFAULT 0;
ALTER TABLE series ADD COLUMN min_ages jsonb NOT NULL DEFAULT '{}',
	ADD COLUMN file_count integer NOT NULL DEFAULT 0;

-- A statement's transition tables exist only for its event (UPDATE has
-- both).
CREATE FUNCTION movie_min_ages(item uuid) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_object_agg(a.country, a.min_age), '{}') FROM movie_age_ratings a
	WHERE a.movie_id = item AND a.min_age IS NOT NULL
$$;

CREATE FUNCTION movie_min_ages_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	-- PL/pgSQL plans a statement when it first runs it: the branch of
	-- another event never names a transition table this one lacks
	IF TG_OP = 'INSERT' THEN
		UPDATE movies x SET min_ages = movie_min_ages(x.id)
		WHERE x.id IN (SELECT movie_id FROM changed_new);
	ELSIF TG_OP = 'DELETE' THEN
		UPDATE movies x SET min_ages = movie_min_ages(x.id)
		WHERE x.id IN (SELECT movie_id FROM changed_old);
	ELSE
		UPDATE movies x SET min_ages = movie_min_ages(x.id)
		WHERE x.id IN (SELECT movie_id FROM changed_new UNION SELECT movie_id FROM changed_old);
	END IF;
	RETURN NULL;
END $$;

CREATE FUNCTION series_min_ages(item uuid) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_object_agg(a.country, a.min_age), '{}') FROM series_age_ratings a
	WHERE a.series_id = item AND a.min_age IS NOT NULL
$$;

CREATE FUNCTION series_min_ages_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	-- PL/pgSQL plans a statement when it first runs it: the branch of
	-- another event never names a transition table this one lacks
	IF TG_OP = 'INSERT' THEN
		UPDATE series x SET min_ages = series_min_ages(x.id)
		WHERE x.id IN (SELECT series_id FROM changed_new);
	ELSIF TG_OP = 'DELETE' THEN
		UPDATE series x SET min_ages = series_min_ages(x.id)
		WHERE x.id IN (SELECT series_id FROM changed_old);
	ELSE
		UPDATE series x SET min_ages = series_min_ages(x.id)
		WHERE x.id IN (SELECT series_id FROM changed_new UNION SELECT series_id FROM changed_old);
	END IF;
	RETURN NULL;
END $$;

-- Transition tables per event (PostgreSQL allows both only on UPDATE).
DO $$
DECLARE t text; f text;
BEGIN
	FOREACH t IN ARRAY ARRAY['movie', 'series'] LOOP
		f := t || '_min_ages_sync';
		EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS changed_new'
			' FOR EACH STATEMENT EXECUTE FUNCTION %I()', t || '_ages_ins', t || '_age_ratings', f);
		EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING NEW TABLE AS changed_new'
			' OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION %I()',
			t || '_ages_upd', t || '_age_ratings', f);
		EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS changed_old'
			' FOR EACH STATEMENT EXECUTE FUNCTION %I()', t || '_ages_del', t || '_age_ratings', f);
	END LOOP;
END $$;

UPDATE movies m SET min_ages = x.ages FROM (SELECT movie_id, jsonb_object_agg(country, min_age) ages
	FROM movie_age_ratings WHERE min_age IS NOT NULL GROUP BY 1) x WHERE x.movie_id = m.id;
UPDATE series s SET min_ages = x.ages FROM (SELECT series_id, jsonb_object_agg(country, min_age) ages
	FROM series_age_ratings WHERE min_age IS NOT NULL GROUP BY 1) x WHERE x.series_id = s.id;

-- file_count follows media_files row by row (a scan batch touches few
-- items; the update is one indexed row each).
CREATE FUNCTION media_files_count_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.state = 'present' THEN
		IF OLD.movie_id IS NOT NULL AND (TG_OP = 'DELETE' OR NEW.state <> 'present'
				OR NEW.movie_id IS DISTINCT FROM OLD.movie_id) THEN
			UPDATE movies SET file_count = file_count - 1 WHERE id = OLD.movie_id;
		END IF;
		IF OLD.series_id IS NOT NULL AND (TG_OP = 'DELETE' OR NEW.state <> 'present'
				OR NEW.series_id IS DISTINCT FROM OLD.series_id) THEN
			UPDATE series SET file_count = file_count - 1 WHERE id = OLD.series_id;
		END IF;
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.state = 'present' THEN
		IF NEW.movie_id IS NOT NULL AND (TG_OP = 'INSERT' OR OLD.state <> 'present'
				OR NEW.movie_id IS DISTINCT FROM OLD.movie_id) THEN
			UPDATE movies SET file_count = file_count + 1 WHERE id = NEW.movie_id;
		END IF;
		IF NEW.series_id IS NOT NULL AND (TG_OP = 'INSERT' OR OLD.state <> 'present'
				OR NEW.series_id IS DISTINCT FROM OLD.series_id) THEN
			UPDATE series SET file_count = file_count + 1 WHERE id = NEW.series_id;
		END IF;
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER media_files_count AFTER INSERT OR DELETE OR UPDATE OF state, movie_id, series_id
	ON media_files FOR EACH ROW EXECUTE FUNCTION media_files_count_sync();

UPDATE movies m SET file_count = x.n FROM (SELECT movie_id, count(*) n FROM media_files
	WHERE state = 'present' AND movie_id IS NOT NULL GROUP BY 1) x WHERE x.movie_id = m.id;
UPDATE series s SET file_count = x.n FROM (SELECT series_id, count(*) n FROM media_files
	WHERE state = 'present' AND series_id IS NOT NULL GROUP BY 1) x WHERE x.series_id = s.id;

-- --- localised title keys -------------------------------------------------------

-- The languages the catalog keeps title keys for: English (the fallback of
-- every other) and every language `revenge migrate` finds in
-- metadata.languages (catalog_languages_sync). A request in another
-- language sorts by the English keys, which is what its fallback chain
-- shows.
CREATE TABLE catalog_languages (
	lang text PRIMARY KEY CHECK (lang ~ '^[a-z]{2}$')
);
INSERT INTO catalog_languages VALUES ('en'), ('de'), ('fr'), ('es'), ('ja');

-- kind: 'movie' or 'series'; key: rv_sort_title of the title shown in
-- lang (requested -> en -> original language -> original title -> title).
CREATE TABLE catalog_titles (
	kind text NOT NULL CHECK (kind IN ('movie', 'series')),
	item_id uuid NOT NULL,
	lang text NOT NULL,
	key text NOT NULL,
	PRIMARY KEY (item_id, lang)
);
CREATE INDEX catalog_titles_order_idx ON catalog_titles (kind, lang, key, item_id);

CREATE FUNCTION rv_title_in(i18n jsonb, lang text, orig_lang text, orig_title text, title text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT coalesce(nullif(i18n->>lang, ''), nullif(i18n->>'en', ''),
		nullif(i18n->>orig_lang, ''), orig_title, title)
$$;

CREATE FUNCTION catalog_titles_fill() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE k text := CASE TG_TABLE_NAME WHEN 'movies' THEN 'movie' ELSE 'series' END;
BEGIN
	INSERT INTO catalog_titles (kind, item_id, lang, key)
	SELECT k, NEW.id, l.lang, rv_sort_title(rv_title_in(NEW.titles_i18n, l.lang,
		NEW.original_language, NEW.original_title, NEW.title))
	FROM catalog_languages l
	ON CONFLICT (item_id, lang) DO UPDATE SET key = EXCLUDED.key
		WHERE catalog_titles.key IS DISTINCT FROM EXCLUDED.key;
	RETURN NULL;
END $$;

CREATE FUNCTION catalog_titles_drop() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM catalog_titles WHERE item_id IN (SELECT id FROM gone);
	RETURN NULL;
END $$;

DO $$
DECLARE t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['movies', 'series'] LOOP
		EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OF title, original_title,'
			' original_language, titles_i18n ON %I FOR EACH ROW'
			' EXECUTE FUNCTION catalog_titles_fill()', t || '_titles', t);
		EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS gone'
			' FOR EACH STATEMENT EXECUTE FUNCTION catalog_titles_drop()', t || '_titles_gone', t);
	END LOOP;
END $$;

-- Make the catalog keep keys for these languages (and English); adds the
-- keys of every item for a language it did not have. Returns how many
-- languages were added.
CREATE FUNCTION catalog_languages_sync(langs text[]) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE added text[];
BEGIN
	WITH ins AS (INSERT INTO catalog_languages
		SELECT DISTINCT l FROM unnest(langs || ARRAY['en']) l WHERE l ~ '^[a-z]{2}$'
		ON CONFLICT DO NOTHING RETURNING lang)
	SELECT coalesce(array_agg(lang), '{}') INTO added FROM ins;
	IF cardinality(added) > 0 THEN
		INSERT INTO catalog_titles (kind, item_id, lang, key)
		SELECT 'movie', m.id, l, rv_sort_title(rv_title_in(m.titles_i18n, l, m.original_language,
			m.original_title, m.title)) FROM movies m, unnest(added) l
		UNION ALL
		SELECT 'series', s.id, l, rv_sort_title(rv_title_in(s.titles_i18n, l, s.original_language,
			s.original_title, s.title)) FROM series s, unnest(added) l
		ON CONFLICT DO NOTHING;
	END IF;
	RETURN cardinality(added);
END $$;

INSERT INTO catalog_titles (kind, item_id, lang, key)
SELECT 'movie', m.id, l.lang, rv_sort_title(rv_title_in(m.titles_i18n, l.lang, m.original_language,
	m.original_title, m.title)) FROM movies m, catalog_languages l
UNION ALL
SELECT 'series', s.id, l.lang, rv_sort_title(rv_title_in(s.titles_i18n, l.lang, s.original_language,
	s.original_title, s.title)) FROM series s, catalog_languages l;

-- --- sort orders ------------------------------------------------------------------

-- One index per list order, on exactly the expression the statements sort
-- by (NULLs as the lowest value, so keyset comparisons work); descending
-- orders scan them backwards.
CREATE INDEX movies_sort_year_idx ON movies ((coalesce(year, 0)), id);
CREATE INDEX movies_sort_rating_idx ON movies ((coalesce(vote_average, -1)), id);
CREATE INDEX movies_sort_popularity_idx ON movies ((coalesce(popularity, -1)), id);
CREATE INDEX movies_sort_runtime_idx ON movies ((coalesce(runtime, 0)), id);
DROP INDEX IF EXISTS movies_year_idx;
DROP INDEX IF EXISTS movies_vote_idx;
DROP INDEX IF EXISTS movies_popularity_idx;
-- counts of what a viewer sees (offset pages' totals) read this alone
CREATE INDEX movies_visibility_idx ON movies (library_id) INCLUDE (min_ages);
CREATE INDEX series_sort_added_idx ON series (added_at, id);
CREATE INDEX series_sort_year_idx ON series ((coalesce(year, 0)), id);
CREATE INDEX series_sort_rating_idx ON series ((coalesce(vote_average, -1)), id);
CREATE INDEX series_sort_popularity_idx ON series ((coalesce(popularity, -1)), id);
CREATE INDEX seasons_sort_idx ON seasons (series_id, season_number, id);
CREATE INDEX episodes_sort_idx ON episodes (season_id, episode_number, id);
CREATE INDEX episodes_air_idx ON episodes ((coalesce(air_date, '0001-01-01'::date)), id);

-- rv_fold changed: refill the folded search text (the trigger recomputes
-- search_titles and search_doc) and rebuild what indexes it.
UPDATE movies SET search_people = search_people;
DO $$ BEGIN PERFORM movie_search_refresh(id) FROM movies; END $$;
REINDEX INDEX movies_search_doc_idx;
REINDEX INDEX movies_search_titles_trgm_idx;
REINDEX INDEX movies_search_people_trgm_idx;
