-- tests/bench/movies_seed.sql — the movie library of the movies API
-- benchmark (tests/bench/movies.sh, README.md): one movie library, 10 000
-- movies with English, German, French and Japanese titles, overviews and
-- taglines, 30 000 people, 10 cast credits and a director per movie, 19
-- genres (2 or 3 per movie), a US certification for 90 % of the movies and
-- one 1080p Matroska file per movie.
--
--   psql -X -v ON_ERROR_STOP=1 -v media_dir=/abs/media/dir -f tests/bench/movies_seed.sql
--
-- media_dir becomes the library's only root; every file path lies under it
-- (the files themselves need not exist, only the one the stream benchmark
-- points at). Deterministic: every value, uuids included, is a function of
-- the row number (generate_series), nothing is random, so two runs build
-- the same library and the same responses. Expects a migrated database
-- without movies (a fresh stack). Columns as in migrations 0005 and 0007.

\set ON_ERROR_STOP on
-- n_movies: how many (default 10 000; -v n_movies=100000 for the large row)
\if :{?n_movies}
\else
\set n_movies 10000
\endif
SET client_min_messages = warning;

BEGIN;

DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM movies) THEN
		RAISE EXCEPTION 'movies_seed.sql expects a database without movies';
	END IF;
END $$;

-- the vocabulary; titles are "The <noun> of <place>" (29 x 41 = 1189
-- combinations, a roman numeral for the later ones), names "<first>
-- [<initial>.] <last>"; accents on purpose (search folds them)
CREATE TEMP TABLE bench_words ON COMMIT DROP AS SELECT
	ARRAY['River', 'Night', 'Garden', 'Winter', 'Summer', 'Forest', 'Castle', 'Heart',
	      'Star', 'Window', 'King', 'Queen', 'Station', 'Harbour', 'Island', 'Mountain',
	      'Shadow', 'Mirror', 'Letter', 'Bridge', 'Storm', 'Road', 'Tower', 'Lighthouse',
	      'Wolf', 'Dream', 'Secret', 'Promise', 'Hunter', 'Stranger', 'Orchestra',
	      'Detective', 'Daughter', 'Ghost', 'Machine', 'Festival', 'Silence', 'Empire',
	      'Voyage', 'Engine', 'Clockmaker'] AS noun_en,
	ARRAY['Der Fluss', 'Die Nacht', 'Der Garten', 'Der Winter', 'Der Sommer', 'Der Wald',
	      'Das Schloss', 'Das Herz', 'Der Stern', 'Das Fenster', 'Der König', 'Die Königin',
	      'Der Bahnhof', 'Der Hafen', 'Die Insel', 'Der Berg', 'Der Schatten', 'Der Spiegel',
	      'Der Brief', 'Die Brücke', 'Der Sturm', 'Die Straße', 'Der Turm', 'Der Leuchtturm',
	      'Der Wolf', 'Der Traum', 'Das Geheimnis', 'Das Versprechen', 'Der Jäger',
	      'Der Fremde', 'Das Orchester', 'Der Detektiv', 'Die Tochter', 'Der Geist',
	      'Die Maschine', 'Das Fest', 'Die Stille', 'Das Reich', 'Die Reise', 'Der Motor',
	      'Der Uhrmacher'] AS noun_de,
	ARRAY['La Rivière', 'La Nuit', 'Le Jardin', 'L''Hiver', 'L''Été', 'La Forêt',
	      'Le Château', 'Le Cœur', 'L''Étoile', 'La Fenêtre', 'Le Roi', 'La Reine', 'La Gare',
	      'Le Port', 'L''Île', 'La Montagne', 'L''Ombre', 'Le Miroir', 'La Lettre', 'Le Pont',
	      'La Tempête', 'La Route', 'La Tour', 'Le Phare', 'Le Loup', 'Le Rêve', 'Le Secret',
	      'La Promesse', 'Le Chasseur', 'L''Étranger', 'L''Orchestre', 'Le Détective',
	      'La Fille', 'Le Fantôme', 'La Machine', 'La Fête', 'Le Silence', 'L''Empire',
	      'Le Voyage', 'Le Moteur', 'L''Horloger'] AS noun_fr,
	ARRAY['川', '夜', '庭', '冬', '夏', '森', '城', '心', '星', '窓', '王', '女王', '駅', '港',
	      '島', '山', '影', '鏡', '手紙', '橋', '嵐', '道', '塔', '灯台', '狼', '夢', '秘密',
	      '約束', '狩人', '異邦人', '楽団', '探偵', '娘', '幽霊', '機械', '祭り', '沈黙',
	      '帝国', '旅', 'エンジン', '時計師'] AS noun_ja,
	ARRAY['Kyoto', 'Montréal', 'Zürich', 'São Paulo', 'Kraków', 'Reykjavík', 'Málaga',
	      'Bogotá', 'Düsseldorf', 'Osaka', 'Berlin', 'Marseille', 'Toronto', 'Chicago',
	      'Dublin', 'Oslo', 'Havana', 'Nairobi', 'Istanbul', 'Sapporo', 'Tangier',
	      'Valparaíso', 'Göteborg', 'Lyon', 'Tbilisi', 'Hamburg', 'Porto', 'Avignon',
	      'Nantes'] AS place,
	ARRAY['京都', 'モントリオール', 'チューリッヒ', 'サンパウロ', 'クラクフ', 'レイキャビク',
	      'マラガ', 'ボゴタ', 'デュッセルドルフ', '大阪', 'ベルリン', 'マルセイユ', 'トロント',
	      'シカゴ', 'ダブリン', 'オスロ', 'ハバナ', 'ナイロビ', 'イスタンブール', '札幌',
	      'タンジール', 'バルパライソ', 'ヨーテボリ', 'リヨン', 'トビリシ', 'ハンブルク',
	      'ポルト', 'アヴィニョン', 'ナント'] AS place_ja,
	ARRAY['love', 'loss', 'courage', 'betrayal', 'friendship', 'revenge', 'memory',
	      'ambition', 'family', 'faith', 'music', 'hope', 'fear'] AS theme_en,
	ARRAY['Liebe', 'Verlust', 'Mut', 'Verrat', 'Freundschaft', 'Rache', 'Erinnerung',
	      'Ehrgeiz', 'Familie', 'Glaube', 'Musik', 'Hoffnung', 'Angst'] AS theme_de,
	ARRAY['l''amour', 'la perte', 'le courage', 'la trahison', 'l''amitié', 'la vengeance',
	      'la mémoire', 'l''ambition', 'la famille', 'la foi', 'la musique', 'l''espoir',
	      'la peur'] AS theme_fr,
	ARRAY['愛', '喪失', '勇気', '裏切り', '友情', '復讐', '記憶', '野心', '家族', '信仰', '音楽',
	      '希望', '恐怖'] AS theme_ja,
	ARRAY['', ' II', ' III', ' IV', ' V', ' VI', ' VII', ' VIII', ' IX'] AS numeral,
	ARRAY['Anna', 'José', 'Zoë', 'Björn', 'Søren', 'Chloé', 'Agnès', 'Renée', 'Łukasz',
	      'Günter', 'Inés', 'Noémie', 'François', 'Hiroshi', 'Yuki', 'Maria', 'David',
	      'Sarah', 'Michael', 'Emma', 'Thomas', 'Laura', 'Daniel', 'Julia', 'Samuel', 'Ingrid',
	      'Mateo', 'Amélie', 'Kenji', 'Aiko', 'Oliver', 'Nora', 'Lucas', 'Elena', 'Viktor',
	      'Hana', 'Pedro', 'Astrid', 'Rafael', 'Mei', 'Jonas'] AS first_name,
	ARRAY['Müller', 'Dubois', 'García', 'Nakamura', 'Østergaard', 'Šimić', 'Lefèvre',
	      'Bäcker', 'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Miller', 'Davis',
	      'Wilson', 'Anderson', 'Taylor', 'Moore', 'Martin', 'Thompson', 'White', 'Harris',
	      'Clark', 'Lewis', 'Walker', 'Hall', 'Young', 'King', 'Wright', 'Scott', 'Green',
	      'Baker', 'Adams', 'Nelson', 'Hill', 'Campbell', 'Mitchell', 'Roberts', 'Carter',
	      'Phillips', 'Evans', 'Turner', 'Torres', 'Parker', 'Collins', 'Edwards', 'Stewart',
	      'Morris', 'Tanaka', 'Rossi', 'Novak', 'Kowalski'] AS last_name;

-- one row per movie with what the inserts below derive from it
CREATE TEMP TABLE bench_movie ON COMMIT DROP AS
SELECT i,
       md5('bench-movie:' || i)::uuid AS id,
       md5('bench-file:' || i)::uuid AS file_id,
       t.*,
       -- 90 % rated, the rating independent of the language
       CASE WHEN (i / 7) % 10 = 0 THEN NULL
            ELSE (ARRAY['G', 'PG', 'PG', 'PG-13', 'PG-13', 'PG-13', 'R', 'R', 'NC-17'])[(i / 7) % 10]
       END AS cert
FROM generate_series(0, :n_movies - 1) AS i, bench_words w,
LATERAL (SELECT
	w.noun_en[1 + i % 41] AS n_en, w.noun_de[1 + i % 41] AS n_de,
	w.noun_fr[1 + i % 41] AS n_fr, w.noun_ja[1 + i % 41] AS n_ja,
	w.place[1 + i % 29] AS pl, w.place_ja[1 + i % 29] AS pl_ja,
	coalesce(w.numeral[1 + i / 1189], ' ' || (1 + i / 1189)::text) AS num,
	w.theme_en[1 + i % 13] AS t1_en, w.theme_en[1 + (i % 13 + 1 + (i / 13) % 12) % 13] AS t2_en,
	w.theme_de[1 + i % 13] AS t1_de, w.theme_de[1 + (i % 13 + 1 + (i / 13) % 12) % 13] AS t2_de,
	w.theme_fr[1 + i % 13] AS t1_fr, w.theme_fr[1 + (i % 13 + 1 + (i / 13) % 12) % 13] AS t2_fr,
	w.theme_ja[1 + i % 13] AS t1_ja, w.theme_ja[1 + (i % 13 + 1 + (i / 13) % 12) % 13] AS t2_ja,
	(ARRAY['en', 'en', 'en', 'en', 'en', 'en', 'fr', 'de', 'ja', 'en'])[1 + i % 10] AS lang,
	-- 1920..2025, more recent years more often (a modulus of its own, so
	-- the year does not follow the order of addition below)
	2025 - floor(106 * power(((i * 7727) % 9973) / 9973.0, 2))::int AS yr,
	-- a permutation of 0..n-1 (7919 is prime to 10 000 and 100 000): the order the
	-- movies were added in is not the order of their ids
	(i * 7919) % :n_movies AS added_rank
) t;

CREATE TEMP TABLE bench_text ON COMMIT DROP AS
SELECT m.*,
       'The ' || n_en || ' of ' || pl || num AS ti_en,
       n_de || ' von ' || pl || num AS ti_de,
       n_fr || CASE WHEN pl ~ '^[AEIOUÉ]' THEN ' d''' ELSE ' de ' END || pl || num AS ti_fr,
       pl_ja || 'の' || n_ja || num AS ti_ja,
       format('When a %s comes to %s in %s, nothing stays the way it was. A story of %s and %s, '
              'of the people who stay and the ones who leave, told over one long season. '
              'The %s of %s follows them from the first night to the last.',
              lower(n_en), pl, yr, t1_en, t2_en, n_en, pl) AS ov_en,
       format('Als %s %s erreicht, bleibt nichts, wie es war. Eine Geschichte über %s und %s, '
              'über die, die bleiben, und die, die gehen, erzählt über eine lange Saison.',
              lower(left(n_de, 1)) || substr(n_de, 2), pl, t1_de, t2_de) AS ov_de,
       format('À %s, rien ne reste comme avant quand %s arrive. Une histoire de %s et de %s, '
              'de ceux qui restent et de ceux qui partent, racontée au fil d''une longue saison.',
              pl, lower(left(n_fr, 1)) || substr(n_fr, 2), t1_fr, t2_fr) AS ov_fr,
       format('%sに%sが訪れたとき、何もかもが変わってしまう。%sと%s、残る者と去る者の、長い季節の物語。',
              pl_ja, n_ja, t1_ja, t2_ja) AS ov_ja,
       format('Every %s keeps a %s.', lower(n_en), 'secret of ' || t1_en) AS tg_en,
       format('Jede Geschichte beginnt mit %s.', t1_de) AS tg_de,
       format('Tout commence par %s.', t1_fr) AS tg_fr,
       format('すべては%sから始まる。', t1_ja) AS tg_ja
FROM bench_movie m;

INSERT INTO libraries (id, name, type, paths, scan_interval_minutes, metadata_language,
                       last_scan_at)
-- no periodic scan: the files (all but the stream's) do not exist
VALUES (md5('bench-library')::uuid, 'Bench Movies', 'movie', ARRAY[:'media_dir'], 0, 'en', now());

INSERT INTO genres (kind, tmdb_id, name, names_i18n)
SELECT 'movie', g.tmdb_id, g.en, jsonb_build_object('en', g.en, 'de', g.de, 'fr', g.fr, 'ja', g.ja)
FROM (VALUES
	(28, 'Action', 'Action', 'Action', 'アクション'),
	(12, 'Adventure', 'Abenteuer', 'Aventure', 'アドベンチャー'),
	(16, 'Animation', 'Animation', 'Animation', 'アニメーション'),
	(35, 'Comedy', 'Komödie', 'Comédie', 'コメディ'),
	(80, 'Crime', 'Krimi', 'Crime', '犯罪'),
	(99, 'Documentary', 'Dokumentarfilm', 'Documentaire', 'ドキュメンタリー'),
	(18, 'Drama', 'Drama', 'Drame', 'ドラマ'),
	(10751, 'Family', 'Familie', 'Familial', 'ファミリー'),
	(14, 'Fantasy', 'Fantasy', 'Fantastique', 'ファンタジー'),
	(36, 'History', 'Historie', 'Histoire', '歴史'),
	(27, 'Horror', 'Horror', 'Horreur', 'ホラー'),
	(10402, 'Music', 'Musik', 'Musique', '音楽'),
	(9648, 'Mystery', 'Mystery', 'Mystère', 'ミステリー'),
	(10749, 'Romance', 'Liebesfilm', 'Romance', 'ロマンス'),
	(878, 'Science Fiction', 'Science Fiction', 'Science-Fiction', 'サイエンスフィクション'),
	(10770, 'TV Movie', 'TV-Film', 'Téléfilm', 'テレビ映画'),
	(53, 'Thriller', 'Thriller', 'Thriller', 'スリラー'),
	(10752, 'War', 'Kriegsfilm', 'Guerre', '戦争'),
	(37, 'Western', 'Western', 'Western', '西部劇')
) AS g (tmdb_id, en, de, fr, ja);

INSERT INTO movies (id, library_id, tmdb_id, imdb_id, title, original_title, original_language,
                    year, release_date, runtime, overview, tagline, status, vote_average,
                    vote_count, popularity, budget, revenue, poster_path, backdrop_path,
                    titles_i18n, overviews_i18n, taglines_i18n, age_ratings, identified_by,
                    added_at, metadata_refreshed_at, created_at, updated_at)
SELECT id, md5('bench-library')::uuid, 100000 + i, 'tt' || (1000000 + i),
       ti_en,
       CASE lang WHEN 'fr' THEN ti_fr WHEN 'de' THEN ti_de WHEN 'ja' THEN ti_ja ELSE ti_en END,
       lang, yr, make_date(yr, 1 + i % 12, 1 + i % 28), 80 + (i * 37) % 100,
       ov_en, tg_en, 'Released',
       round((3.5 + ((i * 53) % 55) / 10.0)::numeric, 1)::float8,
       (i * 7907) % 25000, round((0.6 + ((i * 4099) % 100000) / 1000.0)::numeric, 3)::float8,
       1000000 * (1 + (i * 131) % 200), 1000000 * ((i * 211) % 900),
       '/' || substr(md5('poster:' || i), 1, 27) || '.jpg',
       '/' || substr(md5('backdrop:' || i), 1, 27) || '.jpg',
       jsonb_build_object('en', ti_en, 'de', ti_de, 'fr', ti_fr, 'ja', ti_ja),
       jsonb_build_object('en', ov_en, 'de', ov_de, 'fr', ov_fr, 'ja', ov_ja),
       jsonb_build_object('en', tg_en, 'de', tg_de, 'fr', tg_fr, 'ja', tg_ja),
       CASE WHEN cert IS NULL THEN '{}'::jsonb
            ELSE jsonb_build_object('US', jsonb_build_object('MPAA', cert)) END,
       'provider',
       -- one movie every ~6 h over ~7 years
       timestamptz '2018-01-01 00:00:00+00' + added_rank * interval '6 hours 7 minutes',
       now(), now(), now()
FROM bench_text;

INSERT INTO movie_age_ratings (movie_id, country, system, certification, min_age)
SELECT m.id, 'US', c.system, c.certification, c.min_age
FROM bench_movie m JOIN certifications c
  ON c.country = 'US' AND c.system = 'MPAA' AND c.certification = m.cert;

-- genres: i % 19, another one 1..17 further on, and every third movie a
-- third one 18 further on (never the same twice)
INSERT INTO movie_genres (movie_id, genre_id)
SELECT m.id, g.id
FROM bench_movie m
CROSS JOIN LATERAL (VALUES (m.i % 19), ((m.i % 19 + 1 + (m.i / 19) % 17) % 19),
                           (CASE WHEN m.i % 3 = 0 THEN (m.i % 19 + 18) % 19 END)) AS k (n)
JOIN (SELECT id, row_number() OVER (ORDER BY tmdb_id) - 1 AS n FROM genres WHERE kind = 'movie') g
  ON g.n = k.n;

-- people 1..28000 act, 28001..30000 direct
INSERT INTO people (id, tmdb_id, name, original_name, gender, known_for_department, profile_path,
                    popularity)
SELECT md5('bench-person:' || p)::uuid, 500000 + p, nm, nm, 1 + p % 2,
       CASE WHEN p <= 28000 THEN 'Acting' ELSE 'Directing' END,
       CASE WHEN p % 5 <> 0 THEN '/' || substr(md5('profile:' || p), 1, 27) || '.jpg' END,
       round((0.1 + ((p * 613) % 50000) / 1000.0)::numeric, 3)::float8
FROM generate_series(1, 30000) AS p, bench_words w,
LATERAL (SELECT w.first_name[1 + p % 41]
                || CASE WHEN p / 2173 > 0 THEN ' ' || chr(64 + p / 2173) || '.' ELSE '' END
                || ' ' || w.last_name[1 + (p / 41) % 53] AS nm) n;

-- 10 cast (ord 0..9, ten different actors: 2803 * k < 28000) and the director
INSERT INTO movie_credits (movie_id, person_id, credit_id, kind, character, job, department, ord)
SELECT m.id, md5('bench-person:' || (1 + (m.i * 131 + k * 2803) % 28000))::uuid,
       substr(md5('bench-cast:' || m.i || ':' || k), 1, 24), 'cast',
       w.first_name[1 + (m.i * 3 + k) % 41] || ' ' || w.last_name[1 + (m.i * 7 + k * 11) % 53],
       NULL, NULL, k
FROM bench_movie m, bench_words w, generate_series(0, 9) AS k
UNION ALL
SELECT m.id, md5('bench-person:' || (28001 + (m.i * 17) % 2000))::uuid,
       substr(md5('bench-director:' || m.i), 1, 24), 'crew', NULL, 'Director', 'Directing', 0
FROM bench_movie m;

INSERT INTO media_files (id, library_id, path, rel_path, size, mtime_ns, state, parsed, container,
                         duration_ms, bit_rate, video_codec, width, height, frame_rate,
                         dynamic_range, audio_channels, audio_languages, subtitle_languages,
                         match_status, match_strategy, match_confidence, movie_id, created_at,
                         updated_at)
SELECT f.file_id, md5('bench-library')::uuid, :'media_dir' || '/' || f.rel, f.rel, f.size,
       (extract(epoch FROM timestamptz '2018-01-01 00:00:00+00'
                       + f.added_rank * interval '6 hours 7 minutes')::bigint - 3600) * 1000000000,
       'present', jsonb_build_object('title', f.ti_en, 'year', f.yr), 'matroska',
       f.runtime_ms, f.size * 8000 / f.runtime_ms,
       CASE WHEN f.i % 3 = 0 THEN 'h264' ELSE 'hevc' END, 1920, 1080, 23.976,
       CASE WHEN f.i % 4 = 0 THEN 'hdr10' ELSE 'sdr' END, CASE WHEN f.i % 2 = 0 THEN 6 ELSE 2 END,
       CASE WHEN f.lang = 'en' THEN ARRAY['en'] ELSE ARRAY[f.lang, 'en'] END,
       ARRAY['en', 'de', 'fr'], 'matched', 'search', 0.9 + (f.i % 10) / 100.0, f.id, now(), now()
FROM (SELECT m.*, format('%s (%s)/%s (%s) 1080p.mkv', ti_en, yr, ti_en, yr) AS rel,
             1500000000::bigint + ((i * 7919) % 28500)::bigint * 1000000 AS size,
             (80 + (i * 37) % 100)::bigint * 60000 AS runtime_ms
      FROM bench_text m) f;

-- what the metadata store does after writing the credits (0007): the
-- people part of the search text, movie by movie
DO $$ BEGIN PERFORM movie_search_refresh(id) FROM movies; END $$;

COMMIT;

-- planner statistics and the visibility map, as autovacuum would leave them
VACUUM ANALYZE libraries, genres, movies, movie_age_ratings, movie_genres, people,
	movie_credits, media_files, catalog_titles, catalog_cards, catalog_counts, search_words;
