-- tests/bench/tv_seed.sql — the TV library of the API benchmark
-- (tests/bench/movies.sh, README.md), seeded after movies_seed.sql (it
-- reuses its people and genres): n_series series (default 500) with English,
-- German and French titles, a special and three seasons of ten episodes
-- each, one 1080p file per episode, eight cast credits, two or three
-- genres, and a US TV rating for 90 % of them. The newest series' last
-- episodes air in the coming weeks (upcoming episodes).
--
--   psql -X -v ON_ERROR_STOP=1 -v media_dir=/abs/dir -v n_series=500 -f tests/bench/tv_seed.sql
--
-- Deterministic like movies_seed.sql: every value is a function of the row
-- numbers. Columns as in migrations 0005 and 0021.

\set ON_ERROR_STOP on
\if :{?n_series}
\else
\set n_series 500
\endif
SET client_min_messages = warning;

BEGIN;

INSERT INTO libraries (id, name, type, paths, scan_interval_minutes, metadata_language,
                       last_scan_at)
VALUES (md5('bench-library-tv')::uuid, 'Bench TV', 'tvshow', ARRAY[:'media_dir'], 0, 'en', now());

CREATE TEMP TABLE bench_tv_words ON COMMIT DROP AS SELECT
	ARRAY['River', 'Night', 'Garden', 'Winter', 'Summer', 'Forest', 'Castle', 'Heart',
	      'Star', 'Window', 'King', 'Queen', 'Station', 'Harbour', 'Island', 'Mountain',
	      'Shadow', 'Mirror', 'Letter', 'Bridge', 'Storm', 'Road', 'Tower', 'Lighthouse',
	      'Wolf', 'Dream', 'Secret', 'Promise', 'Hunter', 'Stranger', 'Orchestra'] AS noun_en,
	ARRAY['Fluss', 'Nacht', 'Garten', 'Winter', 'Sommer', 'Wald', 'Schloss', 'Herz',
	      'Stern', 'Fenster', 'König', 'Königin', 'Bahnhof', 'Hafen', 'Insel', 'Berg',
	      'Schatten', 'Spiegel', 'Brief', 'Brücke', 'Sturm', 'Straße', 'Turm', 'Leuchtturm',
	      'Wolf', 'Traum', 'Geheimnis', 'Versprechen', 'Jäger', 'Fremde', 'Orchester'] AS noun_de,
	ARRAY['Rivière', 'Nuit', 'Jardin', 'Hiver', 'Été', 'Forêt', 'Château', 'Cœur',
	      'Étoile', 'Fenêtre', 'Roi', 'Reine', 'Gare', 'Port', 'Île', 'Montagne', 'Ombre',
	      'Miroir', 'Lettre', 'Pont', 'Tempête', 'Route', 'Tour', 'Phare', 'Loup', 'Rêve',
	      'Secret', 'Promesse', 'Chasseur', 'Étranger', 'Orchestre'] AS noun_fr,
	ARRAY['Kyoto', 'Montréal', 'Zürich', 'São Paulo', 'Kraków', 'Reykjavík', 'Málaga',
	      'Bogotá', 'Düsseldorf', 'Osaka', 'Berlin', 'Marseille', 'Toronto', 'Chicago',
	      'Dublin', 'Oslo', 'Havana', 'Nairobi', 'Istanbul', 'Sapporo', 'Tangier',
	      'Valparaíso', 'Göteborg'] AS place,
	ARRAY['Arrival', 'Departure', 'Crossing', 'Reckoning', 'Return', 'Visitor', 'Letter',
	      'Fire', 'Silence', 'Bargain', 'Storm', 'Promise', 'Harvest'] AS beat;

CREATE TEMP TABLE bench_series ON COMMIT DROP AS
SELECT i, md5('bench-series:' || i)::uuid AS id,
       w.noun_en[1 + i % 31] AS n_en, w.noun_de[1 + i % 31] AS n_de, w.noun_fr[1 + i % 31] AS n_fr,
       w.place[1 + (i / 31) % 23] AS pl,
       CASE WHEN i / 713 > 0 THEN ' ' || (1 + i / 713)::text ELSE '' END AS num,
       -- first aired 1990..2025, the newest series added last
       (date '1990-01-01' + ((i * 7727) % 9973) * 365 * 35 / 9973)::date AS first_air,
       CASE WHEN (i / 3) % 10 = 0 THEN NULL
            ELSE (ARRAY['TV-Y', 'TV-G', 'TV-PG', 'TV-PG', 'TV-14', 'TV-14', 'TV-14', 'TV-MA',
                        'TV-MA'])[(i / 3) % 10] END AS cert,
       (i * 7919) % :n_series AS added_rank
FROM generate_series(0, :n_series - 1) AS i, bench_tv_words w;

INSERT INTO series (id, library_id, tmdb_id, title, original_title, original_language, year,
                    first_air_date, last_air_date, overview, status, type, networks,
                    vote_average, vote_count, popularity, titles_i18n, overviews_i18n,
                    identified_by, added_at, metadata_refreshed_at)
SELECT s.id, md5('bench-library-tv')::uuid, 300000 + s.i,
       'The ' || s.n_en || ' of ' || s.pl || s.num, 'The ' || s.n_en || ' of ' || s.pl || s.num,
       'en', extract(year FROM s.first_air)::int, s.first_air, s.first_air + 3 * 365,
       'A series about the ' || lower(s.n_en) || ' of ' || s.pl || '.',
       CASE WHEN s.i % 4 = 0 THEN 'Ended' ELSE 'Returning Series' END, 'Scripted',
       jsonb_build_array(jsonb_build_object('id', 40 + s.i % 9, 'name',
                         (ARRAY['HBO', 'BBC One', 'Netflix', 'ARD', 'Canal+', 'NHK', 'AMC', 'FX',
                                'ZDF'])[1 + s.i % 9])),
       round((4 + (s.i * 37 % 60) / 10.0)::numeric, 1)::float8, 10 + (s.i * 97) % 5000,
       round((0.5 + ((s.i * 613) % 20000) / 100.0)::numeric, 3)::float8,
       jsonb_build_object('en', 'The ' || s.n_en || ' of ' || s.pl || s.num,
                          'de', s.n_de || ' von ' || s.pl || s.num,
                          'fr', s.n_fr || ' de ' || s.pl || s.num),
       jsonb_build_object('de', 'Eine Serie über ' || s.n_de || '.'),
       'provider', timestamptz '2018-01-01 00:00:00+00' + s.added_rank * interval '17 hours',
       now()
FROM bench_series s;

INSERT INTO series_age_ratings (series_id, country, system, certification, min_age)
SELECT s.id, 'US', 'US TV', s.cert,
       CASE s.cert WHEN 'TV-Y' THEN 0 WHEN 'TV-G' THEN 0 WHEN 'TV-PG' THEN 10
                   WHEN 'TV-14' THEN 14 ELSE 17 END
FROM bench_series s WHERE s.cert IS NOT NULL;

INSERT INTO series_genres (series_id, genre_id)
SELECT s.id, g.id
FROM bench_series s, generate_series(0, 2) AS k,
     (SELECT id, row_number() OVER (ORDER BY tmdb_id) - 1 AS n FROM genres WHERE kind = 'movie') g
WHERE g.n = (s.i * 7 + k * 5) % 19 AND (k < 2 OR s.i % 2 = 0);

-- eight cast members from movies_seed's actors
INSERT INTO series_credits (series_id, person_id, credit_id, kind, character, ord)
SELECT s.id, md5('bench-person:' || (1 + (s.i * 173 + k * 3301) % 28000))::uuid,
       substr(md5('bench-series-cast:' || s.i || ':' || k), 1, 24), 'cast', 'Role ' || k, k
FROM bench_series s, generate_series(0, 7) AS k;

INSERT INTO seasons (id, series_id, season_number, name, names_i18n, air_date)
SELECT md5('bench-season:' || s.i || ':' || n)::uuid, s.id, n,
       CASE n WHEN 0 THEN 'Specials' ELSE 'Season ' || n END,
       CASE n WHEN 0 THEN '{"de": "Specials"}'::jsonb ELSE jsonb_build_object('de', 'Staffel ' || n) END,
       s.first_air + (greatest(n, 1) - 1) * 365
FROM bench_series s, generate_series(0, 3) AS n;

-- a special and ten episodes a season, a week apart; the newest series air
-- into the coming weeks
CREATE TEMP TABLE bench_episode ON COMMIT DROP AS
SELECT s.i, n AS sn, e AS en, md5('bench-episode:' || s.i || ':' || n || ':' || e)::uuid AS id,
       md5('bench-season:' || s.i || ':' || n)::uuid AS season_id, s.id AS series_id,
       w.beat[1 + (s.i + n * 10 + e) % 13] || ' at the ' || w.noun_en[1 + (s.i * 3 + e) % 31] AS title,
       CASE WHEN s.first_air > current_date - 3 * 365
            THEN current_date - 200 + n * 60 + e * 7
            ELSE s.first_air + (greatest(n, 1) - 1) * 365 + e * 7 END AS air,
       s.pl, s.n_en, s.num
FROM bench_series s, bench_tv_words w, generate_series(0, 3) AS n, generate_series(1, 10) AS e
WHERE n > 0 OR e = 1;

INSERT INTO episodes (id, series_id, season_id, season_number, episode_number, tmdb_id, title,
                      titles_i18n, overview, air_date, runtime, vote_average)
SELECT e.id, e.series_id, e.season_id, e.sn, e.en, 2000000 + e.i * 100 + e.sn * 20 + e.en,
       e.title, jsonb_build_object('de', 'Folge ' || e.en), 'Episode ' || e.en || '.', e.air,
       42 + e.en % 10, 6 + (e.i + e.en) % 30 / 10.0
FROM bench_episode e;

INSERT INTO media_files (id, library_id, path, rel_path, size, mtime_ns, state, container,
                         duration_ms, video_codec, width, height, audio_channels, match_status,
                         series_id, created_at, updated_at)
SELECT md5('bench-episode-file:' || e.id)::uuid, md5('bench-library-tv')::uuid,
       :'media_dir' || '/' || f.rel, f.rel, 700000000, 1700000000000000000, 'present', 'matroska',
       (42 + e.en % 10) * 60000, 'hevc', 1920, 1080, 6, 'matched', e.series_id,
       timestamptz '2018-01-01 00:00:00+00' + (e.i * 7919 % :n_series) * interval '17 hours'
         + e.sn * interval '20 days' + e.en * interval '2 days', now()
FROM bench_episode e,
LATERAL (SELECT format('The %s of %s%s/Season %s/The %s of %s%s S%sE%s 1080p.mkv', e.n_en, e.pl,
                       e.num, lpad(e.sn::text, 2, '0'), e.n_en, e.pl, e.num,
                       lpad(e.sn::text, 2, '0'), lpad(e.en::text, 2, '0')) AS rel) f;

INSERT INTO media_file_episodes (file_id, episode_id)
SELECT md5('bench-episode-file:' || e.id)::uuid, e.id FROM bench_episode e;

COMMIT;

VACUUM ANALYZE series, series_age_ratings, series_genres, series_credits, seasons, episodes,
	media_files, media_file_episodes, catalog_titles, catalog_counts, search_words;
