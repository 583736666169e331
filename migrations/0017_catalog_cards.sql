-- 0017: each movie's list item, rendered once per catalog language by the
-- store instead of by every read (docs/internals/catalog.md, "Cards").
--
-- Building an item read two localised jsonb columns three times each,
-- probed the images table twice and formatted a timestamp: about 9 us of
-- a page's 50 items each, half of what a list page cost the database. A
-- card is that JSON object's text without its closing brace and without
-- what changes per viewer or per file: the reader appends file_count,
-- user_data (and a route's extra fields) and the brace (app/catalog/items.h).
-- A viewer whose language has no card (one outside catalog_languages) gets
-- the same text from rv_movie_card at read time.
--
-- Kept by triggers: a movie's own columns (insert, update of a column the
-- card shows), its poster once the worker stored it (images), and a
-- language catalog_languages_sync adds.

CREATE TABLE catalog_cards (
	kind text NOT NULL CHECK (kind IN ('movie', 'series')),
	item_id uuid NOT NULL,
	lang text NOT NULL,
	card text NOT NULL,
	PRIMARY KEY (item_id, lang)
);

-- the movie list item of app/catalog/items.h up to added_at, in lang. The
-- SET pins how numbers are written whoever renders (a trigger in a writer's
-- session, a read), and keeps the planner from parsing the body of a
-- function it could not inline anyway each time it plans a read.
CREATE FUNCTION rv_movie_card(m movies, lang text) RETURNS text
LANGUAGE sql STABLE SET extra_float_digits = 1 AS $$
	SELECT left(json_build_object('id', m.id, 'library_id', m.library_id, 'tmdb_id', m.tmdb_id,
		'imdb_id', m.imdb_id, 'title', rv_title_in(m.titles_i18n, lang, m.original_language,
		m.original_title, m.title), 'original_title', m.original_title, 'original_language',
		m.original_language, 'year', m.year, 'release_date', m.release_date, 'runtime',
		m.runtime, 'overview', coalesce(nullif(m.overviews_i18n->>lang, ''),
		nullif(m.overviews_i18n->>'en', ''), nullif(m.overviews_i18n->>m.original_language, ''),
		m.overview), 'vote_average', m.vote_average, 'vote_count', m.vote_count, 'popularity',
		m.popularity, 'poster_path', m.poster_path, 'poster_url', coalesce((SELECT '/' ||
		i.storage_key FROM images i WHERE i.kind = 'poster' AND i.provider_path = m.poster_path
		AND i.state = 'stored'), (SELECT '/' || i.storage_key FROM images i
		WHERE i.id = m.local_poster_id AND i.state = 'stored')), 'backdrop_path', m.backdrop_path,
		'added_at', to_char(m.added_at AT TIME ZONE 'UTC',
		'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::text, -1)
$$;

-- (re)render the cards of these movies in every catalog language; a card
-- that did not change is not rewritten
CREATE FUNCTION catalog_cards_movies(ids uuid[]) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO catalog_cards (kind, item_id, lang, card)
	SELECT 'movie', m.id, l.lang, rv_movie_card(m, l.lang)
	FROM movies m, catalog_languages l WHERE m.id = ANY (ids)
	ON CONFLICT (item_id, lang) DO UPDATE SET card = EXCLUDED.card
		WHERE catalog_cards.card IS DISTINCT FROM EXCLUDED.card
$$;

CREATE FUNCTION catalog_cards_movies_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO catalog_cards (kind, item_id, lang, card)
	SELECT 'movie', n.id, l.lang, rv_movie_card(n, l.lang) FROM added n, catalog_languages l
	ON CONFLICT (item_id, lang) DO UPDATE SET card = EXCLUDED.card;
	RETURN NULL;
END $$;
CREATE TRIGGER movies_cards_added AFTER INSERT ON movies REFERENCING NEW TABLE AS added
	FOR EACH STATEMENT EXECUTE FUNCTION catalog_cards_movies_added();

CREATE FUNCTION catalog_cards_movie_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM catalog_cards_movies(ARRAY[NEW.id]);
	RETURN NULL;
END $$;
-- the columns rv_movie_card reads; file_count, which every scan moves, is
-- not one of them
CREATE TRIGGER movies_cards_changed AFTER UPDATE OF library_id, tmdb_id, imdb_id, titles_i18n,
	original_language, original_title, title, year, release_date, runtime, overviews_i18n,
	overview, vote_average, vote_count, popularity, poster_path, local_poster_id, backdrop_path,
	added_at ON movies FOR EACH ROW
	WHEN ((OLD.library_id, OLD.tmdb_id, OLD.imdb_id, OLD.titles_i18n, OLD.original_language,
		OLD.original_title, OLD.title, OLD.year, OLD.release_date, OLD.runtime,
		OLD.overviews_i18n, OLD.overview, OLD.vote_average, OLD.vote_count, OLD.popularity,
		OLD.poster_path, OLD.local_poster_id, OLD.backdrop_path, OLD.added_at)
	IS DISTINCT FROM (NEW.library_id, NEW.tmdb_id, NEW.imdb_id, NEW.titles_i18n,
		NEW.original_language, NEW.original_title, NEW.title, NEW.year, NEW.release_date,
		NEW.runtime, NEW.overviews_i18n, NEW.overview, NEW.vote_average, NEW.vote_count,
		NEW.popularity, NEW.poster_path, NEW.local_poster_id, NEW.backdrop_path, NEW.added_at))
	EXECUTE FUNCTION catalog_cards_movie_changed();

CREATE FUNCTION catalog_cards_drop() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM catalog_cards WHERE item_id IN (SELECT id FROM gone);
	RETURN NULL;
END $$;
CREATE TRIGGER movies_cards_gone AFTER DELETE ON movies REFERENCING OLD TABLE AS gone
	FOR EACH STATEMENT EXECUTE FUNCTION catalog_cards_drop();

-- a poster stored, replaced or dropped: the cards showing its URL
CREATE INDEX movies_poster_path_idx ON movies (poster_path) WHERE poster_path IS NOT NULL;
CREATE INDEX movies_local_poster_idx ON movies (local_poster_id) WHERE local_poster_id IS NOT NULL;
CREATE FUNCTION catalog_cards_image_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE r images := CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
BEGIN
	IF TG_OP = 'UPDATE' AND (OLD.kind, OLD.provider_path, OLD.state, OLD.storage_key)
			IS NOT DISTINCT FROM (NEW.kind, NEW.provider_path, NEW.state, NEW.storage_key) THEN
		RETURN NULL;
	END IF;
	IF TG_OP <> 'INSERT' AND OLD.provider_path IS DISTINCT FROM NEW.provider_path
			AND OLD.kind = 'poster' THEN
		PERFORM catalog_cards_movies(ARRAY(SELECT m.id FROM movies m
			WHERE m.poster_path = OLD.provider_path));
	END IF;
	PERFORM catalog_cards_movies(ARRAY(SELECT m.id FROM movies m WHERE r.kind = 'poster'
		AND m.poster_path = r.provider_path UNION SELECT m.id FROM movies m
		WHERE m.local_poster_id = r.id));
	RETURN NULL;
END $$;
CREATE TRIGGER images_cards AFTER INSERT OR UPDATE OR DELETE ON images
	FOR EACH ROW EXECUTE FUNCTION catalog_cards_image_changed();

-- a language catalog_languages_sync adds: every movie's card in it
CREATE FUNCTION catalog_cards_language_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO catalog_cards (kind, item_id, lang, card)
	SELECT 'movie', m.id, NEW.lang, rv_movie_card(m, NEW.lang) FROM movies m
	ON CONFLICT (item_id, lang) DO UPDATE SET card = EXCLUDED.card;
	RETURN NULL;
END $$;
CREATE TRIGGER catalog_languages_cards AFTER INSERT ON catalog_languages
	FOR EACH ROW EXECUTE FUNCTION catalog_cards_language_added();

INSERT INTO catalog_cards (kind, item_id, lang, card)
SELECT 'movie', m.id, l.lang, rv_movie_card(m, l.lang) FROM movies m, catalog_languages l;
