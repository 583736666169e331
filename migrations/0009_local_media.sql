-- Local artwork and multiple versions (issue 13, item 6).

-- Multiple versions: the same movie in several files (1080p and 2160p, an
-- edition) is one item with several media_files; each file carries a label
-- a client can show to choose one. The label is the resolution class of
-- the probed video (else the screen size in the name) and the edition from
-- the name: "2160p", "1080p Director's Cut", "SD", NULL when neither is
-- known. A generated column, so it follows every rescan of the file and
-- every row has one from the start.
CREATE FUNCTION rv_version_label(width integer, height integer, parsed jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT nullif(trim(coalesce(CASE r WHEN 'sd' THEN 'SD' ELSE r END, '') || ' ' || coalesce(e, '')), '')
	FROM (SELECT coalesce(rv_resolution(width, height), nullif(parsed->>'screen_size', '')) AS r,
		nullif(parsed->>'edition', '') AS e) x
$$;

ALTER TABLE media_files ADD COLUMN version text
	GENERATED ALWAYS AS (rv_version_label(width, height, parsed)) STORED;

-- Local artwork: pictures found next to the media (poster.jpg, fanart.jpg,
-- <name>-poster.jpg ...) are stored like the provider's, as images rows of
-- provider 'local' whose provider_path names their content
-- ("/local-<sha256>.jpg"), so one picture is stored once however many
-- items show it and a changed picture is a new key (keys stay immutable
-- for nginx's caching). The item points at its local pictures; the API
-- shows the provider's picture once stored, else the local one.
ALTER TABLE images ADD COLUMN provider text NOT NULL DEFAULT 'tmdb'
	CHECK (provider IN ('tmdb', 'local'));

ALTER TABLE movies
	ADD COLUMN local_poster_id bigint REFERENCES images (id) ON DELETE SET NULL,
	ADD COLUMN local_backdrop_id bigint REFERENCES images (id) ON DELETE SET NULL;
ALTER TABLE series
	ADD COLUMN local_poster_id bigint REFERENCES images (id) ON DELETE SET NULL,
	ADD COLUMN local_backdrop_id bigint REFERENCES images (id) ON DELETE SET NULL;
