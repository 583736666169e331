-- 0005: libraries, scans, media files and the metadata they are matched to
-- (SPEC §3, §4.1, §4.4, §5, §7).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE libraries (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	type text NOT NULL CHECK (type IN ('movie', 'tvshow')),
	-- absolute, normalised root paths; none nested in another (checked by the API)
	paths text[] NOT NULL CHECK (cardinality(paths) BETWEEN 1 AND 16),
	enabled boolean NOT NULL DEFAULT true,
	visibility text NOT NULL DEFAULT 'all' CHECK (visibility IN ('all', 'granted')),
	-- minutes between periodic incremental scans; 0 = never
	scan_interval_minutes integer NOT NULL DEFAULT 360 CHECK (scan_interval_minutes BETWEEN 0 AND 10080),
	metadata_language text NOT NULL DEFAULT 'en' CHECK (metadata_language ~ '^[a-z]{2}$'),
	-- scanner options: video extensions (NULL = SPEC §3.2 list), excluded name patterns
	extensions text[],
	exclude_patterns text[] NOT NULL DEFAULT '{}',
	last_scan_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX libraries_name_idx ON libraries (lower(name));

ALTER TABLE library_grants ADD CONSTRAINT library_grants_library_fk
	FOREIGN KEY (library_id) REFERENCES libraries (id) ON DELETE CASCADE;
CREATE INDEX library_grants_library_idx ON library_grants (library_id);

CREATE TABLE library_scans (
	id bigserial PRIMARY KEY,
	library_id uuid NOT NULL REFERENCES libraries (id) ON DELETE CASCADE,
	scan_type text NOT NULL CHECK (scan_type IN ('full', 'incremental', 'metadata')),
	status text NOT NULL DEFAULT 'queued'
		CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
	job_id bigint,
	requested_by uuid REFERENCES users (id) ON DELETE SET NULL,
	files_seen integer NOT NULL DEFAULT 0,
	files_added integer NOT NULL DEFAULT 0,
	files_changed integer NOT NULL DEFAULT 0,
	files_unchanged integer NOT NULL DEFAULT 0,
	files_missing integer NOT NULL DEFAULT 0,
	files_removed integer NOT NULL DEFAULT 0,
	error_count integer NOT NULL DEFAULT 0,
	-- the first errors, [{"path": "...", "error": "..."}] (at most 100 kept)
	errors jsonb NOT NULL DEFAULT '[]',
	dirs_walked integer NOT NULL DEFAULT 0,
	message text,
	created_at timestamptz NOT NULL DEFAULT now(),
	started_at timestamptz,
	finished_at timestamptz,
	duration_ms bigint
);
-- at most one scan in flight per library
CREATE UNIQUE INDEX library_scans_active_idx ON library_scans (library_id)
	WHERE status IN ('queued', 'running');
CREATE INDEX library_scans_library_idx ON library_scans (library_id, id DESC);
CREATE INDEX library_scans_finished_idx ON library_scans (finished_at);

-- age ratings: each (country, certification) maps to a minimum age
CREATE TABLE certifications (
	country char(2) NOT NULL,
	system text NOT NULL,
	certification text NOT NULL,
	min_age smallint NOT NULL CHECK (min_age BETWEEN 0 AND 21),
	PRIMARY KEY (country, certification)
);

CREATE TABLE genres (
	id serial PRIMARY KEY,
	kind text NOT NULL CHECK (kind IN ('movie', 'tv')),
	tmdb_id integer NOT NULL,
	name text NOT NULL,
	names_i18n jsonb NOT NULL DEFAULT '{}',
	UNIQUE (kind, tmdb_id)
);

CREATE TABLE people (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	tmdb_id integer NOT NULL UNIQUE,
	name text NOT NULL,
	original_name text,
	gender smallint,
	known_for_department text,
	profile_path text,
	popularity double precision,
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX people_name_trgm_idx ON people USING gin (name gin_trgm_ops);

CREATE TABLE collections (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	tmdb_id integer NOT NULL UNIQUE,
	name text NOT NULL,
	names_i18n jsonb NOT NULL DEFAULT '{}',
	overview text,
	poster_path text,
	backdrop_path text,
	updated_at timestamptz NOT NULL DEFAULT now()
);

-- identified_by: 'provider' (matched to TMDb) or 'local' (built from the
-- file name and NFO while no provider answered). match_locked: an admin's
-- manual match, which a refresh never overwrites.
CREATE TABLE movies (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	library_id uuid NOT NULL REFERENCES libraries (id) ON DELETE CASCADE,
	tmdb_id integer,
	imdb_id text CHECK (imdb_id ~ '^tt[0-9]{7,10}$'),
	title text NOT NULL,
	original_title text,
	original_language text,
	year integer,
	release_date date,
	runtime integer,
	overview text,
	tagline text,
	status text,
	vote_average double precision,
	vote_count integer,
	popularity double precision,
	budget bigint,
	revenue bigint,
	poster_path text,
	backdrop_path text,
	trailer_url text,
	homepage text,
	collection_id uuid REFERENCES collections (id) ON DELETE SET NULL,
	titles_i18n jsonb NOT NULL DEFAULT '{}',
	overviews_i18n jsonb NOT NULL DEFAULT '{}',
	taglines_i18n jsonb NOT NULL DEFAULT '{}',
	-- {country: {system: certification}}; min ages in movie_age_ratings
	age_ratings jsonb NOT NULL DEFAULT '{}',
	identified_by text NOT NULL DEFAULT 'local' CHECK (identified_by IN ('provider', 'local')),
	match_locked boolean NOT NULL DEFAULT false,
	radarr_id integer,
	added_at timestamptz NOT NULL DEFAULT now(),
	metadata_refreshed_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX movies_tmdb_idx ON movies (library_id, tmdb_id) WHERE tmdb_id IS NOT NULL;
CREATE INDEX movies_library_idx ON movies (library_id, added_at DESC);
CREATE INDEX movies_title_trgm_idx ON movies USING gin (lower(title) gin_trgm_ops);
CREATE INDEX movies_refreshed_idx ON movies (metadata_refreshed_at);

CREATE TABLE movie_age_ratings (
	movie_id uuid NOT NULL REFERENCES movies (id) ON DELETE CASCADE,
	country char(2) NOT NULL,
	system text NOT NULL,
	certification text NOT NULL,
	min_age smallint, -- NULL: a certification the table does not know
	PRIMARY KEY (movie_id, country)
);

CREATE TABLE movie_genres (
	movie_id uuid NOT NULL REFERENCES movies (id) ON DELETE CASCADE,
	genre_id integer NOT NULL REFERENCES genres (id) ON DELETE CASCADE,
	PRIMARY KEY (movie_id, genre_id)
);
CREATE INDEX movie_genres_genre_idx ON movie_genres (genre_id);

CREATE TABLE movie_credits (
	movie_id uuid NOT NULL REFERENCES movies (id) ON DELETE CASCADE,
	person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
	credit_id text NOT NULL,
	kind text NOT NULL CHECK (kind IN ('cast', 'crew')),
	character text,
	job text,
	department text,
	ord integer NOT NULL DEFAULT 0,
	PRIMARY KEY (movie_id, credit_id)
);
CREATE INDEX movie_credits_person_idx ON movie_credits (person_id);

CREATE TABLE series (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	library_id uuid NOT NULL REFERENCES libraries (id) ON DELETE CASCADE,
	tmdb_id integer,
	tvdb_id integer,
	imdb_id text CHECK (imdb_id ~ '^tt[0-9]{7,10}$'),
	title text NOT NULL,
	original_title text,
	original_language text,
	year integer,
	first_air_date date,
	last_air_date date,
	overview text,
	tagline text,
	status text,
	type text,
	networks jsonb NOT NULL DEFAULT '[]',
	vote_average double precision,
	vote_count integer,
	popularity double precision,
	poster_path text,
	backdrop_path text,
	titles_i18n jsonb NOT NULL DEFAULT '{}',
	overviews_i18n jsonb NOT NULL DEFAULT '{}',
	taglines_i18n jsonb NOT NULL DEFAULT '{}',
	age_ratings jsonb NOT NULL DEFAULT '{}',
	identified_by text NOT NULL DEFAULT 'local' CHECK (identified_by IN ('provider', 'local')),
	match_locked boolean NOT NULL DEFAULT false,
	sonarr_id integer,
	added_at timestamptz NOT NULL DEFAULT now(),
	metadata_refreshed_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX series_tmdb_idx ON series (library_id, tmdb_id) WHERE tmdb_id IS NOT NULL;
CREATE INDEX series_library_idx ON series (library_id, added_at DESC);
CREATE INDEX series_title_idx ON series (library_id, lower(title));

CREATE TABLE series_age_ratings (
	series_id uuid NOT NULL REFERENCES series (id) ON DELETE CASCADE,
	country char(2) NOT NULL,
	system text NOT NULL,
	certification text NOT NULL,
	min_age smallint,
	PRIMARY KEY (series_id, country)
);

CREATE TABLE series_genres (
	series_id uuid NOT NULL REFERENCES series (id) ON DELETE CASCADE,
	genre_id integer NOT NULL REFERENCES genres (id) ON DELETE CASCADE,
	PRIMARY KEY (series_id, genre_id)
);

CREATE TABLE series_credits (
	series_id uuid NOT NULL REFERENCES series (id) ON DELETE CASCADE,
	person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
	credit_id text NOT NULL,
	kind text NOT NULL CHECK (kind IN ('cast', 'crew')),
	character text,
	job text,
	department text,
	ord integer NOT NULL DEFAULT 0,
	PRIMARY KEY (series_id, credit_id)
);

CREATE TABLE seasons (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	series_id uuid NOT NULL REFERENCES series (id) ON DELETE CASCADE,
	season_number integer NOT NULL CHECK (season_number >= 0), -- 0 = specials
	tmdb_id integer,
	name text,
	names_i18n jsonb NOT NULL DEFAULT '{}',
	overview text,
	overviews_i18n jsonb NOT NULL DEFAULT '{}',
	air_date date,
	poster_path text,
	metadata_refreshed_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	UNIQUE (series_id, season_number)
);

CREATE TABLE episodes (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	series_id uuid NOT NULL REFERENCES series (id) ON DELETE CASCADE,
	season_id uuid NOT NULL REFERENCES seasons (id) ON DELETE CASCADE,
	season_number integer NOT NULL,
	episode_number integer NOT NULL,
	absolute_number integer,
	tmdb_id integer,
	title text,
	titles_i18n jsonb NOT NULL DEFAULT '{}',
	overview text,
	overviews_i18n jsonb NOT NULL DEFAULT '{}',
	air_date date,
	runtime integer,
	still_path text,
	vote_average double precision,
	guest_stars jsonb NOT NULL DEFAULT '[]',
	metadata_refreshed_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	UNIQUE (series_id, season_number, episode_number)
);

-- One row per video file under a library root. state 'missing' keeps the
-- row (and what it was matched to) through a grace period.
-- match_status: pending (not yet tried), matched (provider), local (built
-- from the name/NFO), unmatched (below the threshold: listed for manual
-- matching), manual (an admin chose; never overwritten), error.
CREATE TABLE media_files (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	library_id uuid NOT NULL REFERENCES libraries (id) ON DELETE CASCADE,
	path text NOT NULL,
	rel_path text NOT NULL,
	size bigint NOT NULL,
	mtime_ns bigint NOT NULL,
	state text NOT NULL DEFAULT 'present' CHECK (state IN ('present', 'missing')),
	missing_since timestamptz,
	parsed jsonb NOT NULL DEFAULT '{}',
	nfo jsonb,
	sidecars jsonb NOT NULL DEFAULT '{}',
	probe jsonb,
	probe_error text,
	container text,
	duration_ms bigint,
	bit_rate bigint,
	video_codec text,
	width integer,
	height integer,
	frame_rate double precision,
	dynamic_range text,
	audio_channels integer,
	audio_languages text[] NOT NULL DEFAULT '{}',
	subtitle_languages text[] NOT NULL DEFAULT '{}',
	match_status text NOT NULL DEFAULT 'pending'
		CHECK (match_status IN ('pending', 'matched', 'local', 'unmatched', 'manual', 'error')),
	match_strategy text,
	match_confidence real,
	match_candidates jsonb,
	movie_id uuid REFERENCES movies (id) ON DELETE SET NULL,
	series_id uuid REFERENCES series (id) ON DELETE SET NULL,
	last_scan_id bigint,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	UNIQUE (library_id, path)
);
CREATE INDEX media_files_movie_idx ON media_files (movie_id) WHERE movie_id IS NOT NULL;
CREATE INDEX media_files_series_idx ON media_files (series_id) WHERE series_id IS NOT NULL;
CREATE INDEX media_files_match_idx ON media_files (library_id, match_status);
CREATE INDEX media_files_missing_idx ON media_files (library_id, missing_since) WHERE state = 'missing';

-- a file can hold several episodes (S01E01E02)
CREATE TABLE media_file_episodes (
	file_id uuid NOT NULL REFERENCES media_files (id) ON DELETE CASCADE,
	episode_id uuid NOT NULL REFERENCES episodes (id) ON DELETE CASCADE,
	PRIMARY KEY (file_id, episode_id)
);
CREATE INDEX media_file_episodes_episode_idx ON media_file_episodes (episode_id);

-- images fetched once from the provider into storage (SPEC §7.4); the
-- storage key is derived from the provider path, so every item showing the
-- same picture shares one object
CREATE TABLE images (
	id bigserial PRIMARY KEY,
	kind text NOT NULL CHECK (kind IN ('poster', 'backdrop', 'still', 'profile', 'logo')),
	provider_path text NOT NULL CHECK (provider_path ~ '^/[A-Za-z0-9_-]{1,128}\.(jpg|png|svg|webp)$'),
	state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'stored', 'failed')),
	storage_key text,
	bytes integer,
	error text,
	attempts integer NOT NULL DEFAULT 0,
	created_at timestamptz NOT NULL DEFAULT now(),
	fetched_at timestamptz,
	UNIQUE (kind, provider_path)
);

-- the rating system of a country's certifications (SPEC §4.4); others are
-- named by their country code
CREATE FUNCTION rating_system(country text, tv boolean) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE country
		WHEN 'US' THEN CASE WHEN tv THEN 'US TV' ELSE 'MPAA' END
		WHEN 'DE' THEN 'FSK' WHEN 'GB' THEN 'BBFC' WHEN 'FR' THEN 'CNC'
		WHEN 'JP' THEN 'Eirin' WHEN 'KR' THEN 'KMRB' WHEN 'BR' THEN 'DJCTQ'
		WHEN 'AU' THEN 'ACB' ELSE country END
$$;
