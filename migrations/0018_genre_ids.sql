-- 0018: each movie's and series' genre ids on its own row, for the genre
-- filter of lists and search (docs/internals/catalog.md, "Shapes"). The
-- filter probed movie_genres once for every row a page's order walked,
-- beside the probe of the row itself: a list filtered by a common genre
-- cost twice a plain one. Kept by statement triggers on the link tables,
-- which the metadata store rewrites as a whole per item.
ALTER TABLE movies ADD COLUMN genre_ids integer[] NOT NULL DEFAULT '{}';
ALTER TABLE series ADD COLUMN genre_ids integer[] NOT NULL DEFAULT '{}';

-- TG_ARGV[0]: the item table, TG_ARGV[1]: the link table's item column
CREATE FUNCTION catalog_genre_ids_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE ids uuid[];
BEGIN
	IF TG_OP = 'INSERT' THEN
		EXECUTE format('SELECT array_agg(DISTINCT %I) FROM came', TG_ARGV[1]) INTO ids;
	ELSIF TG_OP = 'DELETE' THEN
		EXECUTE format('SELECT array_agg(DISTINCT %I) FROM went', TG_ARGV[1]) INTO ids;
	ELSE
		EXECUTE format('SELECT array_agg(DISTINCT x) FROM (SELECT %1$I x FROM came'
			' UNION ALL SELECT %1$I FROM went) u', TG_ARGV[1]) INTO ids;
	END IF;
	EXECUTE format('UPDATE %1$I t SET genre_ids = x.g FROM (SELECT i.id, ARRAY(SELECT l.genre_id'
		' FROM %2$I l WHERE l.%3$I = i.id ORDER BY 1) g FROM unnest($1) i(id)) x'
		' WHERE t.id = x.id AND t.genre_ids IS DISTINCT FROM x.g',
		TG_ARGV[0], TG_TABLE_NAME, TG_ARGV[1]) USING ids;
	RETURN NULL;
END $$;

DO $$
DECLARE t record;
BEGIN
	FOR t IN SELECT * FROM (VALUES ('movie_genres', 'movies', 'movie_id'),
			('series_genres', 'series', 'series_id')) v(link, item, col) LOOP
		EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS came'
			' FOR EACH STATEMENT EXECUTE FUNCTION catalog_genre_ids_sync(%L, %L)',
			t.link || '_ids_ins', t.link, t.item, t.col);
		EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS went'
			' FOR EACH STATEMENT EXECUTE FUNCTION catalog_genre_ids_sync(%L, %L)',
			t.link || '_ids_del', t.link, t.item, t.col);
		EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING NEW TABLE AS came'
			' OLD TABLE AS went FOR EACH STATEMENT EXECUTE FUNCTION catalog_genre_ids_sync(%L, %L)',
			t.link || '_ids_upd', t.link, t.item, t.col);
	END LOOP;
END $$;

UPDATE movies m SET genre_ids = x.g FROM (SELECT movie_id, array_agg(genre_id ORDER BY genre_id) g
	FROM movie_genres GROUP BY 1) x WHERE x.movie_id = m.id;
UPDATE series s SET genre_ids = x.g FROM (SELECT series_id, array_agg(genre_id ORDER BY genre_id) g
	FROM series_genres GROUP BY 1) x WHERE x.series_id = s.id;
