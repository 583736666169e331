/*
 * The library pipeline end to end against real PostgreSQL and Redis and the
 * local fake TMDb (tests/fake_tmdb replaying recorded answers): a generated
 * library with tricky names is scanned (walk, parse, NFO, probe), every file
 * is identified (match against the fake, details with translations, age
 * ratings, credits, images queued), rescans touch nothing, changes on disk
 * are followed, an unreadable root empties nothing, and files identified
 * offline are upgraded in place once the provider answers.
 *
 * Media files are generated here with ffmpeg (a Debian package the stack
 * installs), never committed.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/config.h"
#include "core/log.h"
#include "db/db.h"
#include "fake_tmdb_proc.h"
#include "library/scan.h"
#include "metadata/identify.h"
#include "metadata/tmdb.h"
#include "core/json.h"
#include "core/text.h"
#include "jobrun.h"
#include "library_kinds.h"
#include "storage/storage.h"
#include "testenv.h"

#define KEY "pipeline-key"

static struct fake_tmdb fake;
static struct db *db;
static PGconn *pg;
static struct arena *ar;
static char root[600];   /* movies library root */
static char tvroot[600]; /* tv library root */
static char movie_lib[37], tv_lib[37];
static char media[640]; /* one generated clip every video is a copy of */

static void configure(bool with_key)
{
	char *const noenv[] = {NULL};
	struct config c;
	struct buf text, msg;

	buf_init(&text, 8192);
	buf_init(&msg, 1024);
	buf_printf(&text, "[redis]\nurl = \"%s\"\nprefix = \"test_pipeline_%d:\"\n",
		   testenv_redis_url(), (int)getpid());
	buf_printf(&text, "[tmdb]\nbase_url = \"%s\"\nimage_base_url = \"%s\"\n", fake.base_url,
		   fake.image_base);
	if (with_key)
		buf_printf(&text, "api_key = \"%s\"\n", KEY);
	buf_puts(&text, "rate = 1000\nrate_window = 1s\nmax_retries = 2\ntimeout = 5s\n"
			"details_ttl = 0\nsearch_ttl = 0\n");
	assert_true(buf_ok(&text));
	if (config_load_text(&c, text.data, text.len, "test_pipeline.conf", noenv, &msg)) {
		fprintf(stderr, "config: %s\n", msg.data);
		fail();
	}
	tmdb_configure(&c);
	identify_configure(&c);
	config_release(&c);
	buf_release(&text);
	buf_release(&msg);
}

static const char *q1(const char *sql, const char *a, const char *b)
{
	static char out[8][4096];
	static int slot;
	const char *p[2] = {a, b};
	int n = (a ? 1 : 0) + (b ? 1 : 0);
	PGresult *r = PQexecParams(pg, sql, n, NULL, p, NULL, NULL, 0);
	char *o = out[slot++ % 8];

	if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
		fprintf(stderr, "SQL failed: %s\n%s\n", sql, PQerrorMessage(pg));
		PQclear(r);
		fail();
	}
	snprintf(o, 4096, "%s", PQntuples(r) && PQnfields(r) ? PQgetvalue(r, 0, 0) : "");
	PQclear(r);
	return o;
}

static long qn(const char *sql, const char *a, const char *b)
{
	return strtol(q1(sql, a, b), NULL, 10);
}

static void sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0) {
		fprintf(stderr, "command failed: %s\n", cmd);
		fail();
	}
}

static void put_video(const char *dir, const char *rel)
{
	sh("mkdir -p \"$(dirname '%s/%s')\" && cp '%s' '%s/%s'", dir, rel, media, dir, rel);
}

static void put_text(const char *dir, const char *rel, const char *text)
{
	char path[1024];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static int64_t new_scan(const char *lib)
{
	return qn("INSERT INTO library_scans (library_id, scan_type) VALUES ($1, 'incremental')"
		  " RETURNING id",
		  lib, NULL);
}

static enum app_err scan(const char *lib, int64_t grace_ms, struct scan_stats *st)
{
	char err[256];
	int64_t id = new_scan(lib);
	struct scan_opts o = {.library_id = lib, .scan_id = id, .type = SCAN_INCREMENTAL,
			      .batch = 2, .grace_ms = grace_ms, .threads = 2};
	enum app_err e = scan_run(db, ar, &o, st, err, sizeof(err));
	arena_reset(ar);
	return e;
}

/* Identify every file a match job was queued for (as the worker would),
 * consuming those jobs. */
static int identify_pending(void)
{
	PGresult *r = PQexec(pg, "DELETE FROM jobs WHERE kind = 'library.match'"
				 " RETURNING args->>'file_id', coalesce((args->>'refresh')::bool, false)");
	int n = PQntuples(r);

	for (int i = 0; i < n; i++) {
		struct identify_args a = {.file_id = PQgetvalue(r, i, 0),
					  .refresh = PQgetvalue(r, i, 1)[0] == 't'};
		struct identify_result res;
		char err[256];
		assert_int_equal(identify_file(db, ar, &a, &res, err, sizeof(err)), APP_OK);
		arena_reset(ar);
	}
	PQclear(r);
	return n;
}

static const char *file_col(const char *rel, const char *col)
{
	char sql[256];
	snprintf(sql, sizeof(sql), "SELECT (%s)::text FROM media_files WHERE rel_path = $1", col);
	return q1(sql, rel, NULL);
}

#define FIGHT "Fight Club (1999)/Fight.Club.1999.1080p.BluRay.x264-GRP.mkv"
#define ZZYZX "Zzyzx Qwerty Plumbus (2011)/Zzyzx.Qwerty.Plumbus.2011.720p.mkv"
#define BROKEN "Broken (2005)/Broken.2005.mkv"
#define TAGGED "Whatever Name {tmdb-550}/movie.mkv"

static void scan_identify_and_enrich(void **state)
{
	struct scan_stats st;
	(void)state;

	put_video(root, FIGHT);
	put_text(root, "Fight Club (1999)/Fight.Club.1999.1080p.BluRay.x264-GRP.en.srt", "1\n");
	put_text(root, "Fight Club (1999)/Fight.Club.1999.1080p.BluRay.x264-GRP.de.forced.srt", "1\n");
	put_text(root, "Fight Club (1999)/poster.jpg", "x");
	put_video(root, ZZYZX);
	/* an NFO that is not XML: recorded, the file still counts */
	put_text(root, "Zzyzx Qwerty Plumbus (2011)/Zzyzx.Qwerty.Plumbus.2011.720p.nfo",
		 "<movie><title>Unclosed");
	sh("mkdir -p '%s/Broken (2005)' && head -c 5000 /dev/urandom > '%s/%s'", root, root, BROKEN);
	put_video(root, "Sample/sample.mkv");
	put_video(root, ".hidden/secret.mkv");
	put_video(root, "Fight Club (1999)/Fight.Club-sample.mkv");
	put_video(root, "Extras/behind.mkv");
	sh("cd '%s' && printf x > \"$(printf 'Bad\\377Name.mkv')\"", root);
	sh("ln -s /etc/hostname '%s/escape.mkv'", root);

	assert_int_equal(scan(movie_lib, 3600000, &st), APP_OK);
	assert_int_equal(st.added, 3);
	assert_int_equal(st.seen, 3);
	/* broken probe, malformed NFO, bad UTF-8, symlink out of the root */
	assert_true(st.errors >= 4);
	assert_int_equal(qn("SELECT count(*) FROM media_files WHERE library_id = $1", movie_lib, NULL),
			 3);
	assert_string_equal(q1("SELECT status FROM library_scans WHERE library_id = $1"
			       " ORDER BY id DESC LIMIT 1",
			       movie_lib, NULL),
			    "completed");
	assert_true(qn("SELECT error_count FROM library_scans WHERE library_id = $1"
		       " ORDER BY id DESC LIMIT 1",
		       movie_lib, NULL) >= 4);
	assert_string_equal(
	    q1("SELECT count(*) FROM library_scans s, jsonb_array_elements(s.errors) e"
	       " WHERE s.library_id = $1 AND e->>'error' LIKE 'symlink%'",
	       movie_lib, NULL),
	    "1");
	/* probe facts and sidecars */
	assert_string_equal(file_col(FIGHT, "width"), "64");
	assert_string_equal(file_col(FIGHT, "video_codec"), "h264");
	assert_string_equal(file_col(FIGHT, "dynamic_range"), "SDR");
	assert_string_equal(file_col(FIGHT, "subtitle_languages"), "{de,en}");
	assert_string_equal(file_col(FIGHT, "parsed->>'title'"), "Fight Club");
	assert_string_equal(file_col(FIGHT, "sidecars->'images'->>0"), "poster.jpg");
	assert_string_equal(file_col(BROKEN, "probe IS NULL"), "true");
	assert_true(strlen(file_col(BROKEN, "probe_error")) > 0);
	/* one match job per new file, queued with the batches */
	assert_int_equal(qn("SELECT count(*) FROM jobs WHERE kind = 'library.match'", NULL, NULL), 3);

	assert_int_equal(identify_pending(), 3);
	/* Fight Club: searched, scored, matched, enriched */
	assert_string_equal(file_col(FIGHT, "match_status"), "matched");
	assert_string_equal(file_col(FIGHT, "match_strategy"), "search");
	char mid[37];
	snprintf(mid, sizeof(mid), "%s", file_col(FIGHT, "movie_id"));
	assert_string_equal(q1("SELECT tmdb_id FROM movies WHERE id = $1", mid, NULL), "550");
	assert_string_equal(q1("SELECT imdb_id FROM movies WHERE id = $1", mid, NULL), "tt0137523");
	assert_string_equal(q1("SELECT identified_by FROM movies WHERE id = $1", mid, NULL), "provider");
	/* Spain's Spanish title, not Mexico's; German keeps no title of its own */
	assert_string_equal(q1("SELECT titles_i18n->>'es' FROM movies WHERE id = $1", mid, NULL),
			    "El club de la lucha");
	assert_string_equal(q1("SELECT titles_i18n->>'ja' FROM movies WHERE id = $1", mid, NULL),
			    "\xe3\x83\x95\xe3\x82\xa1\xe3\x82\xa4\xe3\x83\x88\xe3\x83\xbb\xe3\x82\xaf\xe3\x83\xa9\xe3\x83\x96");
	assert_string_equal(q1("SELECT titles_i18n ? 'de' FROM movies WHERE id = $1", mid, NULL), "f");
	assert_true(strlen(q1("SELECT overviews_i18n->>'de' FROM movies WHERE id = $1", mid, NULL)) > 20);
	assert_true(strlen(q1("SELECT overviews_i18n->>'fr' FROM movies WHERE id = $1", mid, NULL)) > 20);
	assert_true(strlen(q1("SELECT overviews_i18n->>'ja' FROM movies WHERE id = $1", mid, NULL)) > 5);
	assert_string_equal(q1("SELECT min_age FROM movie_age_ratings WHERE movie_id = $1"
			       " AND country = 'US'", mid, NULL), "17");
	assert_string_equal(q1("SELECT age_ratings->'US'->>'MPAA' FROM movies WHERE id = $1", mid, NULL),
			    "R");
	assert_string_equal(q1("SELECT system FROM movie_age_ratings WHERE movie_id = $1"
			       " AND country = 'DE'", mid, NULL), "FSK");
	assert_true(qn("SELECT count(*) FROM movie_age_ratings WHERE movie_id = $1", mid, NULL) > 10);
	assert_string_equal(q1("SELECT g.name FROM movie_genres mg JOIN genres g ON g.id = mg.genre_id"
			       " WHERE mg.movie_id = $1", mid, NULL), "Drama");
	assert_string_equal(q1("SELECT p.name FROM movie_credits c JOIN people p ON p.id = c.person_id"
			       " WHERE c.movie_id = $1 AND c.kind = 'cast' ORDER BY c.ord LIMIT 1",
			       mid, NULL),
			    "Edward Norton");
	assert_string_equal(q1("SELECT p.name FROM movie_credits c JOIN people p ON p.id = c.person_id"
			       " WHERE c.movie_id = $1 AND c.job = 'Director'", mid, NULL),
			    "David Fincher");
	/* the search text follows the credits and every stored title, folded */
	assert_int_equal(qn("SELECT count(*) FROM movies WHERE id = $1 AND search_people LIKE"
			    " '%edward norton%' AND search_people LIKE '%david fincher%'"
			    " AND search_doc @@ plainto_tsquery('simple', 'fincher')"
			    " AND search_titles LIKE '%fight club%'", mid, NULL),
			 1);
	assert_true(qn("SELECT count(*) FROM images WHERE kind IN ('poster', 'backdrop')", NULL, NULL) >= 2);
	assert_true(qn("SELECT count(*) FROM jobs WHERE kind = 'image.fetch'", NULL, NULL) >= 2);
	/* Zzyzx: nothing scores high enough: unmatched, yet browsable */
	assert_string_equal(file_col(ZZYZX, "match_status"), "unmatched");
	char zid[37];
	snprintf(zid, sizeof(zid), "%s", file_col(ZZYZX, "movie_id"));
	assert_string_equal(q1("SELECT identified_by || ' ' || title || ' ' || year FROM movies"
			       " WHERE id = $1", zid, NULL),
			    "local Zzyzx Qwerty Plumbus 2011");

	/* a rescan of an unchanged library writes nothing and queues nothing */
	char before[64];
	snprintf(before, sizeof(before), "%s", q1("SELECT max(updated_at)::text FROM media_files", NULL, NULL));
	assert_int_equal(scan(movie_lib, 3600000, &st), APP_OK);
	assert_int_equal(st.unchanged, 3);
	assert_int_equal(st.added + st.changed + st.missing + st.removed, 0);
	assert_string_equal(q1("SELECT max(updated_at)::text FROM media_files", NULL, NULL), before);
	assert_int_equal(qn("SELECT count(*) FROM jobs WHERE kind = 'library.match'", NULL, NULL), 0);

	/* an id in the folder name wins over the (unhelpful) name */
	put_video(root, TAGGED);
	assert_int_equal(scan(movie_lib, 3600000, &st), APP_OK);
	assert_int_equal(st.added, 1);
	assert_int_equal(identify_pending(), 1);
	assert_string_equal(file_col(TAGGED, "match_strategy"), "id");
	/* the same movie in the library: one item, two files */
	assert_string_equal(file_col(TAGGED, "movie_id"), mid);
	assert_int_equal(qn("SELECT count(*) FROM movies WHERE tmdb_id = 550", NULL, NULL), 1);
}

static void changes_and_unmounts(void **state)
{
	struct scan_stats st;
	char moved[700];
	(void)state;

	/* delete one, rename one, change one */
	sh("rm -rf '%s/Zzyzx Qwerty Plumbus (2011)'", root);
	sh("mv '%s/%s' '%s/Broken (2005)/Broken.2005.Renamed.mkv'", root, BROKEN, root);
	sh("head -c 100 /dev/urandom >> '%s/%s'", root, TAGGED);
	char broken_id[37];
	snprintf(broken_id, sizeof(broken_id), "%s", file_col(BROKEN, "id"));
	assert_int_equal(scan(movie_lib, 3600000, &st), APP_OK);
	/* issue 17: a rename inside the library keeps the file's row (same
	 * size and mtime, old path gone), so it is a change, not a new file
	 * and a missing one */
	assert_int_equal(st.added, 0);
	assert_int_equal(st.changed, 2); /* the renamed and the appended one */
	assert_int_equal(st.missing, 1); /* zzyzx, kept for the grace period */
	assert_int_equal(st.removed, 0);
	assert_string_equal(file_col("Broken (2005)/Broken.2005.Renamed.mkv", "id"), broken_id);
	assert_string_equal(file_col(ZZYZX, "state"), "missing");
	assert_int_equal(qn("SELECT count(*) FROM movies WHERE title = 'Zzyzx Qwerty Plumbus'", NULL, NULL), 1);
	identify_pending();

	/* the root is gone (an unmounted share): the scan fails, nothing changes */
	snprintf(moved, sizeof(moved), "%s.away", root);
	assert_int_equal(rename(root, moved), 0);
	long present = qn("SELECT count(*) FROM media_files WHERE state = 'present'", NULL, NULL);
	assert_int_equal(scan(movie_lib, 0, &st), APP_ERR_UNAVAILABLE);
	assert_int_equal(qn("SELECT count(*) FROM media_files WHERE state = 'present'", NULL, NULL),
			 present);
	assert_string_equal(q1("SELECT status FROM library_scans WHERE library_id = $1"
			       " ORDER BY id DESC LIMIT 1", movie_lib, NULL),
			    "failed");
	assert_int_equal(rename(moved, root), 0);

	/* past the grace period the missing files and their orphaned item go */
	assert_int_equal(scan(movie_lib, 0, &st), APP_OK);
	assert_int_equal(st.removed, 1);
	assert_int_equal(qn("SELECT count(*) FROM movies WHERE title = 'Zzyzx Qwerty Plumbus'", NULL, NULL), 0);
	assert_int_equal(qn("SELECT count(*) FROM media_files WHERE library_id = $1", movie_lib, NULL), 3);
}

static void offline_then_upgraded_in_place(void **state)
{
	struct scan_stats st;
	(void)state;

	configure(false);
	sh("rm -rf '%s'/*", root);
	put_video(root, "Fight Club 1999/Fight.Club.1999.DVDRip.XviD.avi");
	q1("DELETE FROM media_files", NULL, NULL);
	q1("DELETE FROM movies", NULL, NULL);
	assert_int_equal(scan(movie_lib, 0, &st), APP_OK);
	long before = fake_tmdb_requests(&fake);
	assert_int_equal(identify_pending(), 1);
	assert_int_equal(fake_tmdb_requests(&fake), before); /* nothing was asked */
	const char *rel = "Fight Club 1999/Fight.Club.1999.DVDRip.XviD.avi";
	assert_string_equal(file_col(rel, "match_status"), "local");
	char local_id[37];
	snprintf(local_id, sizeof(local_id), "%s", file_col(rel, "movie_id"));
	assert_string_equal(q1("SELECT identified_by FROM movies WHERE id = $1", local_id, NULL), "local");

	/* the provider is back (and first answers 429 once): a refresh upgrades
	 * the same row */
	configure(true);
	assert_int_equal(fake_tmdb_fail(&fake, 429, 1, 0, "/3/search"), 0);
	q1("INSERT INTO jobs (kind, args) SELECT 'library.match', jsonb_build_object('file_id', id,"
	   " 'refresh', true) FROM media_files", NULL, NULL);
	assert_int_equal(identify_pending(), 1);
	assert_string_equal(file_col(rel, "match_status"), "matched");
	assert_string_equal(file_col(rel, "movie_id"), local_id);
	assert_string_equal(q1("SELECT identified_by || ' ' || tmdb_id FROM movies WHERE id = $1",
			       local_id, NULL),
			    "provider 550");
	assert_int_equal(qn("SELECT count(*) FROM movies", NULL, NULL), 1);

	/* garbage from the provider: the file stays browsable, marked */
	put_video(root, "Fight Club 1999/Fight.Club.1999.Part2.avi");
	assert_int_equal(scan(movie_lib, 0, &st), APP_OK);
	assert_int_equal(fake_tmdb_garbage(&fake, 20, "html"), 0);
	assert_int_equal(identify_pending(), 1);
	assert_int_equal(fake_tmdb_reset(&fake), 0);
	const char *st2 = file_col("Fight Club 1999/Fight.Club.1999.Part2.avi", "match_status");
	assert_true(!strcmp(st2, "error") || !strcmp(st2, "local"));
	assert_true(strlen(file_col("Fight Club 1999/Fight.Club.1999.Part2.avi", "movie_id")) == 36);
}

static void manual_match_is_kept(void **state)
{
	struct scan_stats st;
	struct identify_result res;
	char err[256], fid[37];
	(void)state;

	put_video(root, "Some Home Video (2010)/Some.Home.Video.2010.mkv");
	assert_int_equal(scan(movie_lib, 0, &st), APP_OK);
	identify_pending();
	const char *rel = "Some Home Video (2010)/Some.Home.Video.2010.mkv";
	assert_string_equal(file_col(rel, "match_status"), "unmatched");
	snprintf(fid, sizeof(fid), "%s", file_col(rel, "id"));

	/* an admin says it is movie 550 */
	struct identify_args m = {.file_id = fid, .tmdb_id = 550, .manual = true};
	assert_int_equal(identify_file(db, ar, &m, &res, err, sizeof(err)), APP_OK);
	arena_reset(ar);
	assert_string_equal(file_col(rel, "match_status"), "manual");
	assert_string_equal(file_col(rel, "match_strategy"), "manual");
	assert_string_equal(q1("SELECT m.tmdb_id || ' ' || m.match_locked FROM movies m JOIN media_files f"
			       " ON f.movie_id = m.id WHERE f.id = $1", fid, NULL),
			    "550 true");
	/* a rescan of a changed file and an automatic identification keep it */
	sh("head -c 10 /dev/urandom >> '%s/%s'", root, rel);
	assert_int_equal(scan(movie_lib, 0, &st), APP_OK);
	assert_int_equal(st.changed, 1);
	identify_pending();
	struct identify_args r = {.file_id = fid, .refresh = true};
	assert_int_equal(identify_file(db, ar, &r, &res, err, sizeof(err)), APP_OK);
	arena_reset(ar);
	assert_string_equal(file_col(rel, "match_status"), "manual");
	assert_string_equal(q1("SELECT m.tmdb_id FROM movies m JOIN media_files f ON f.movie_id = m.id"
			       " WHERE f.id = $1", fid, NULL),
			    "550");
}

/* Paths past PATH_MAX and names at NAME_MAX: recorded or handled, never a
 * crash, and the scan finishes. */
static void hostile_tree(void **state)
{
	struct scan_stats st;
	char name[300];
	(void)state;

	/* perl, because a shell cannot cd past PATH_MAX */
	sh("perl -e 'chdir $ARGV[0] or die; mkdir \"Deep\"; chdir \"Deep\" or die; my $d = \"x\" x 250;"
	   " for (1 .. 18) { mkdir $d or die; chdir $d or die }"
	   " system(\"cp\", $ARGV[1], \"movie.mkv\") == 0 or die' '%s' '%s'",
	   root, media);
	/* a 255-byte file name (the most Linux allows) is an ordinary file */
	memset(name, 'L', 251);
	memcpy(name + 251, ".mkv", 5);
	sh("mkdir -p '%s/Long' && cp '%s' '%s/Long/%s'", root, media, root, name);
	long before = qn("SELECT count(*) FROM media_files", NULL, NULL);
	assert_int_equal(scan(movie_lib, 3600000, &st), APP_OK);
	assert_int_equal(st.added, 1);
	assert_int_equal(qn("SELECT count(*) FROM media_files", NULL, NULL), before + 1);
	assert_int_equal(qn("SELECT count(*) FROM library_scans s, jsonb_array_elements(s.errors) e"
			    " WHERE s.library_id = $1 AND e->>'error' = 'path too long'"
			    " AND s.id = (SELECT max(id) FROM library_scans WHERE library_id = $1)",
			    movie_lib, NULL),
			 1);
	sh("rm -rf '%s/Deep' '%s/Long'", root, root);
	assert_int_equal(scan(movie_lib, 0, &st), APP_OK);
	identify_pending();
}

static void episodes_of_a_series(void **state)
{
	struct scan_stats st;
	(void)state;

	put_video(tvroot, "Game of Thrones/Season 1/Game.of.Thrones.S01E01.720p.HDTV.x264.mkv");
	put_video(tvroot, "Game of Thrones/Season 1/Game.of.Thrones.S01E02E03.720p.HDTV.x264.mkv");
	assert_int_equal(scan(tv_lib, 0, &st), APP_OK);
	assert_int_equal(st.added, 2);
	assert_int_equal(identify_pending(), 2);
	assert_int_equal(qn("SELECT count(*) FROM series WHERE library_id = $1", tv_lib, NULL), 1);
	char sid[37];
	snprintf(sid, sizeof(sid), "%s", q1("SELECT id FROM series WHERE library_id = $1", tv_lib, NULL));
	assert_string_equal(q1("SELECT tmdb_id FROM series WHERE id = $1", sid, NULL), "1399");
	assert_string_equal(q1("SELECT min_age FROM series_age_ratings WHERE series_id = $1"
			       " AND country = 'US'", sid, NULL), "17");
	assert_int_equal(qn("SELECT count(*) FROM episodes WHERE series_id = $1 AND season_number = 1",
			    sid, NULL),
			 10);
	assert_string_equal(q1("SELECT e.title FROM media_file_episodes fe JOIN episodes e"
			       " ON e.id = fe.episode_id JOIN media_files f ON f.id = fe.file_id"
			       " WHERE f.rel_path LIKE '%S01E01%'", NULL, NULL),
			    "Winter Is Coming");
	assert_int_equal(qn("SELECT count(*) FROM media_file_episodes fe JOIN media_files f"
			    " ON f.id = fe.file_id WHERE f.rel_path LIKE '%S01E02E03%'", NULL, NULL),
			 2);
	assert_true(qn("SELECT count(*) FROM series_credits WHERE series_id = $1", sid, NULL) > 5);
}

static enum job_outcome run_kind(job_handler_fn fn, const char *args, struct job_result *res)
{
	volatile int cancel = 0;
	return jobrun(fn, db, ar, args, &cancel, res);
}

/* The worker's job kinds around the same domain code. */
static void worker_kinds(void **state)
{
	struct job_result res;
	char args[512], store[700];
	(void)state;

	/* storage for the image jobs: the kinds configure every module */
	snprintf(store, sizeof(store), "%s.storage", root);
	{
		char *const noenv[] = {NULL};
		struct config c;
		struct buf text;
		buf_init(&text, 4096);
		buf_printf(&text, "[redis]\nurl = \"%s\"\nprefix = \"test_pipeline_%d:\"\n[tmdb]\n"
			   "api_key = \"%s\"\nbase_url = \"%s\"\nimage_base_url = \"%s\"\n"
			   "[storage]\npath = \"%s\"\n",
			   testenv_redis_url(), (int)getpid(), KEY, fake.base_url, fake.image_base, store);
		assert_int_equal(config_load_text(&c, text.data, text.len, "kinds.conf", noenv, NULL), APP_OK);
		library_kinds_configure(&c);
		config_release(&c);
		buf_release(&text);
	}
	/* bad args fail for good, naming what is wrong */
	assert_int_equal(run_kind(kind_library_scan, "{}", &res), JOB_FAIL);
	assert_non_null(strstr(res.error, "library_id"));
	assert_int_equal(run_kind(kind_library_match, "{\"file_id\":\"nope\"}", &res), JOB_FAIL);
	assert_int_equal(run_kind(kind_metadata_refresh, "{}", &res), JOB_FAIL);

	/* a scan through its job */
	put_video(root, "Nosferatu (1922)/Nosferatu.1922.mkv");
	snprintf(args, sizeof(args), "{\"library_id\":\"%s\",\"scan_id\":%lld,\"scan_type\":\"incremental\"}",
		 movie_lib, (long long)new_scan(movie_lib));
	assert_int_equal(run_kind(kind_library_scan, args, &res), JOB_OK);
	assert_string_equal(file_col("Nosferatu (1922)/Nosferatu.1922.mkv", "state"), "present");
	/* an unknown scan is not retried */
	snprintf(args, sizeof(args), "{\"library_id\":\"%s\",\"scan_id\":999999}", movie_lib);
	assert_int_equal(run_kind(kind_library_scan, args, &res), JOB_FAIL);
	identify_pending();

	/* refresh of one movie queues its files again */
	char mid[37];
	snprintf(mid, sizeof(mid), "%s", q1("SELECT movie_id FROM media_files WHERE movie_id IS NOT NULL"
					    " AND library_id = $1 LIMIT 1", movie_lib, NULL));
	snprintf(args, sizeof(args), "{\"movie_id\":\"%s\"}", mid);
	assert_int_equal(run_kind(kind_metadata_refresh, args, &res), JOB_OK);
	assert_true(qn("SELECT count(*) FROM jobs WHERE kind = 'library.match'"
		       " AND (args->>'refresh')::bool", NULL, NULL) >= 1);
	identify_pending();

	/* an image job stores the picture where nginx serves it from */
	const char *img = q1("SELECT id FROM images WHERE kind = 'poster' ORDER BY id LIMIT 1", NULL, NULL);
	assert_true(img[0]);
	snprintf(args, sizeof(args), "{\"image_id\":%s}", img);
	assert_int_equal(run_kind(kind_image_fetch, args, &res), JOB_OK);
	const char *key = q1("SELECT storage_key FROM images WHERE id = $1::bigint AND state = 'stored'", img, NULL);
	if (strncmp(key, "images/poster/w780/", 19))
		fprintf(stderr, "image %s: %s\n", img,
			q1("SELECT state || ' ' || coalesce(error, '') || ' ' || provider_path FROM images WHERE id = $1::bigint", img, NULL));
	assert_true(strncmp(key, "images/poster/w780/", 19) == 0);
	assert_true(storage_exists(key));

	/* the periodic check starts a scan of a library that is due, once */
	q1("UPDATE libraries SET scan_interval_minutes = 1, last_scan_at = now() - interval '1 hour'"
	   " WHERE id = $1", movie_lib, NULL);
	q1("DELETE FROM jobs WHERE kind = 'library.scan'", NULL, NULL);
	assert_int_equal(run_kind(kind_library_scan_due, "{}", &res), JOB_OK);
	assert_int_equal(run_kind(kind_library_scan_due, "{}", &res), JOB_OK);
	assert_int_equal(qn("SELECT count(*) FROM jobs WHERE kind = 'library.scan'"
			    " AND unique_key = 'library.scan:' || $1", movie_lib, NULL), 1);
	assert_int_equal(qn("SELECT count(*) FROM library_scans WHERE library_id = $1"
			    " AND status = 'queued' AND job_id IS NOT NULL", movie_lib, NULL), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(scan_identify_and_enrich),
	    cmocka_unit_test(changes_and_unmounts),
	    cmocka_unit_test(offline_then_upgraded_in_place),
	    cmocka_unit_test(manual_match_is_kept),
	    cmocka_unit_test(hostile_tree),
	    cmocka_unit_test(episodes_of_a_series),
	    cmocka_unit_test(worker_kinds),
	};
	char log[512], dir[512];
	const char *stack = testenv_stack_dir();
	const char *url = testenv_new_database(NULL);
	int rc;

	log_setup(LL_ERROR, LOG_FMT_LOGFMT, 2);
	signal(SIGPIPE, SIG_IGN);
	snprintf(log, sizeof(log), "%s/log/fake_tmdb_pipeline.log", stack);
	if (fake_tmdb_start(&fake, KEY, log)) {
		fprintf(stderr, "test_pipeline: the fake TMDb server did not start\n");
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s/pipeline-XXXXXX", stack);
	if (!mkdtemp(dir))
		return 1;
	snprintf(root, sizeof(root), "%s/movies", dir);
	snprintf(tvroot, sizeof(tvroot), "%s/tv", dir);
	snprintf(media, sizeof(media), "%s/clip.mkv", dir);
	mkdir(root, 0755);
	mkdir(tvroot, 0755);
	char cmd[1024];
	snprintf(cmd, sizeof(cmd),
		 "ffmpeg -loglevel error -y -f lavfi -i testsrc=size=64x36:rate=24 -f lavfi"
		 " -i sine=frequency=440 -t 1 -c:v libx264 -preset ultrafast -c:a aac -shortest '%s'",
		 media);
	if (system(cmd) != 0) {
		fprintf(stderr, "test_pipeline: ffmpeg could not make a clip\n");
		return 1;
	}
	pg = testenv_connect(url);
	db = db_new(url, 5000, 30000);
	ar = arena_new(1 << 16, 256 << 20);
	configure(true);
	snprintf(movie_lib, sizeof(movie_lib), "%s",
		 q1("INSERT INTO libraries (name, type, paths) VALUES ('Movies', 'movie',"
		    " ARRAY[$1]) RETURNING id", root, NULL));
	snprintf(tv_lib, sizeof(tv_lib), "%s",
		 q1("INSERT INTO libraries (name, type, paths) VALUES ('TV', 'tvshow', ARRAY[$1])"
		    " RETURNING id", tvroot, NULL));
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	arena_free(ar);
	db_free(db);
	PQfinish(pg);
	tmdb_thread_release();
	fake_tmdb_stop(&fake);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		rc = rc ? rc : 1;
	return rc;
}
