-- 0022: the title order's walk reads no rows (docs/internals/catalog.md,
-- "Walks that read no rows"). Migration 0020 made the other orders'
-- indexes carry what a filtered or offset page tests; the title order
-- walked catalog_titles and read each movie's row for its library, age and
-- filters. With a genre filter the generic plan was worse still: it
-- guessed the genre kept a few dozen movies, read them all and joined every
-- title key against them (half a million comparisons, 20-40 ms a page).
-- catalog_titles now carries the columns those tests read, kept equal to
-- the item's by the triggers below, and its order index includes them, so
-- the walk is an index-only scan of catalog_titles and only the rows shown
-- are read. file_count stays out, as in 0020: scans move it.
ALTER TABLE catalog_titles
	ADD COLUMN library_id uuid,
	ADD COLUMN min_ages jsonb NOT NULL DEFAULT '{}',
	ADD COLUMN genre_ids integer[] NOT NULL DEFAULT '{}',
	ADD COLUMN year integer,
	ADD COLUMN vote_average double precision;

UPDATE catalog_titles t SET library_id = m.library_id, min_ages = m.min_ages,
	genre_ids = m.genre_ids, year = m.year, vote_average = m.vote_average
FROM movies m WHERE t.kind = 'movie' AND m.id = t.item_id;
UPDATE catalog_titles t SET library_id = s.library_id, min_ages = s.min_ages,
	genre_ids = s.genre_ids, year = s.year, vote_average = s.vote_average
FROM series s WHERE t.kind = 'series' AND s.id = t.item_id;

CREATE INDEX catalog_titles_walk_idx ON catalog_titles (kind, lang, key, item_id)
	INCLUDE (library_id, min_ages, genre_ids, year, vote_average);
DROP INDEX catalog_titles_order_idx;

-- The title order's walk: the item's id under the name every filter uses.
CREATE VIEW catalog_title_walk AS
	SELECT item_id AS id, kind, lang, key, library_id, min_ages, genre_ids, year, vote_average
	FROM catalog_titles;

CREATE OR REPLACE FUNCTION catalog_titles_fill() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE k text := CASE TG_TABLE_NAME WHEN 'movies' THEN 'movie' ELSE 'series' END;
BEGIN
	INSERT INTO catalog_titles (kind, item_id, lang, key, library_id, min_ages, genre_ids,
		year, vote_average)
	SELECT k, NEW.id, l.lang, rv_sort_title(rv_title_in(NEW.titles_i18n, l.lang,
		NEW.original_language, NEW.original_title, NEW.title)), NEW.library_id, NEW.min_ages,
		NEW.genre_ids, NEW.year, NEW.vote_average
	FROM catalog_languages l
	ON CONFLICT (item_id, lang) DO UPDATE SET key = EXCLUDED.key
		WHERE catalog_titles.key IS DISTINCT FROM EXCLUDED.key;
	RETURN NULL;
END $$;

-- the walked columns of an item that moved library, ages, genres, year or
-- rating, in every language's row
CREATE FUNCTION catalog_titles_walk_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE catalog_titles SET library_id = NEW.library_id, min_ages = NEW.min_ages,
		genre_ids = NEW.genre_ids, year = NEW.year, vote_average = NEW.vote_average
	WHERE item_id = NEW.id;
	RETURN NULL;
END $$;

DO $$
DECLARE t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['movies', 'series'] LOOP
		EXECUTE format('CREATE TRIGGER %I AFTER UPDATE OF library_id, min_ages, genre_ids,'
			' year, vote_average ON %I FOR EACH ROW WHEN ((OLD.library_id, OLD.min_ages,'
			' OLD.genre_ids, OLD.year, OLD.vote_average) IS DISTINCT FROM (NEW.library_id,'
			' NEW.min_ages, NEW.genre_ids, NEW.year, NEW.vote_average))'
			' EXECUTE FUNCTION catalog_titles_walk_sync()', t || '_titles_walk', t);
	END LOOP;
END $$;

CREATE OR REPLACE FUNCTION catalog_languages_sync(langs text[]) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE added text[];
BEGIN
	WITH ins AS (INSERT INTO catalog_languages
		SELECT DISTINCT l FROM unnest(langs || ARRAY['en']) l WHERE l ~ '^[a-z]{2}$'
		ON CONFLICT DO NOTHING RETURNING lang)
	SELECT coalesce(array_agg(lang), '{}') INTO added FROM ins;
	IF cardinality(added) > 0 THEN
		INSERT INTO catalog_titles (kind, item_id, lang, key, library_id, min_ages, genre_ids,
			year, vote_average)
		SELECT 'movie', m.id, l, rv_sort_title(rv_title_in(m.titles_i18n, l, m.original_language,
			m.original_title, m.title)), m.library_id, m.min_ages, m.genre_ids, m.year,
			m.vote_average FROM movies m, unnest(added) l
		UNION ALL
		SELECT 'series', s.id, l, rv_sort_title(rv_title_in(s.titles_i18n, l, s.original_language,
			s.original_title, s.title)), s.library_id, s.min_ages, s.genre_ids, s.year,
			s.vote_average FROM series s, unnest(added) l
		ON CONFLICT DO NOTHING;
	END IF;
	RETURN cardinality(added);
END $$;
