/*
 * Local artwork and multiple versions (issue 13, item 6), end to end
 * against real PostgreSQL and Redis, a FastCGI pool answering the movies
 * API and the local fake TMDb: real files in a temporary library are
 * scanned, identified and their pictures stored through the worker's job
 * handlers (tests/lib/jobrun), and the API's JSON is read back.
 *
 *   - poster.jpg / fanart.png / <name>-poster.webp next to a movie become
 *     stored images (the exact bytes, content-addressed keys) shown as
 *     poster_url / backdrop_url when the provider has none (no TMDb key, or
 *     the provider's item has no picture), and not when it has one;
 *   - a poster.jpg that is not an image is refused, the item unharmed;
 *   - a series gets the picture of its series folder;
 *   - the same movie in three files (two folders, an edition) is one movie
 *     with three files labelled "1080p", "1080p Director's Cut" and "SD",
 *     listed as versions, each streamed as itself.
 *
 * Clips and pictures are generated with ffmpeg, never committed.
 */
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "api.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/log.h"
#include "fake_tmdb_proc.h"
#include "jobrun.h"
#include "library_kinds.h"
#include "metadata/tmdb.h"
#include "server.h"
#include "storage/storage.h"
#include "testenv.h"

#define KEY "local-media-key"

static struct fake_tmdb fake;
static struct db *db;
static struct arena *ar;
static pid_t server;
static struct api_user admin;
static char dir[512], root[600], tvroot[600], store[600], conf[600], sock[600];
static char sd_clip[600], hd_clip[600], jpg_a[600], jpg_b[600], png_a[600], webp_a[600];
static char movie_lib[37], tv_lib[37];

/* --- helpers ---------------------------------------------------------------- */


/* Copy src to r/rel, making its folders (names may hold quotes, so no
 * shell). */
static void put(const char *r, const char *rel, const char *src)
{
	char path[2048];
	FILE *in, *out;
	char chunk[65536];
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", r, rel);
	for (char *s = path + strlen(r) + 1; (s = strchr(s, '/')); s++) {
		*s = 0;
		mkdir(path, 0755);
		*s = '/';
	}
	assert_non_null(in = fopen(src, "rb"));
	assert_non_null(out = fopen(path, "wb"));
	while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0)
		assert_int_equal(fwrite(chunk, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

static void put_text(const char *r, const char *rel, const char *text)
{
	char path[2048];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", r, rel);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

/* Whether the files at a and b have the same bytes. */
static bool same_bytes(const char *a, const char *b)
{
	char cmd[4096];
	snprintf(cmd, sizeof(cmd), "cmp -s '%s' '%s'", a, b);
	return system(cmd) == 0;
}

/* Run every queued job of kind through fn (as an executor would); the
 * jobs are consumed. Returns how many ran; each must end JOB_OK. */
static int run_jobs(const char *kind, job_handler_fn fn)
{
	const char *p[] = {kind};
	PGresult *r = PQexecParams(api_pg, "DELETE FROM jobs WHERE kind = $1 RETURNING args::text", 1,
				   NULL, p, NULL, NULL, 0);
	int n = PQntuples(r);

	for (int i = 0; i < n; i++) {
		struct job_result res;
		volatile int cancel = 0;
		enum job_outcome o = jobrun(fn, db, ar, PQgetvalue(r, i, 0), &cancel, &res);
		if (o != JOB_OK)
			fprintf(stderr, "%s %s: %d %s\n", kind, PQgetvalue(r, i, 0), (int)o, res.error);
		assert_int_equal(o, JOB_OK);
	}
	PQclear(r);
	return n;
}

/* A scan of lib through its job, then every file identified through the
 * match job. */
static void scan_and_match(const char *lib)
{
	char args[256];
	struct job_result res;
	volatile int cancel = 0;

	snprintf(args, sizeof(args),
		 "{\"library_id\":\"%s\",\"scan_id\":%s,\"scan_type\":\"incremental\"}", lib,
		 api_q("INSERT INTO library_scans (library_id, scan_type) VALUES ($1, 'incremental')"
		       " RETURNING id",
		       lib, NULL));
	assert_int_equal(jobrun(kind_library_scan, db, ar, args, &cancel, &res), JOB_OK);
	run_jobs("library.match", kind_library_match);
}

/* The worker's settings: storage under store, TMDb with or without key. */
static void configure(bool with_key)
{
	char *const noenv[] = {NULL};
	struct config c;
	struct buf text;

	buf_init(&text, 4096);
	buf_printf(&text, "[redis]\nurl = \"%s\"\nprefix = \"test_local_media_%d:\"\n[tmdb]\n",
		   testenv_redis_url(), (int)getpid());
	if (with_key)
		buf_printf(&text, "api_key = \"%s\"\n", KEY);
	buf_printf(&text, "base_url = \"%s\"\nimage_base_url = \"%s\"\nrate = 1000\n"
			  "rate_window = 1s\nmax_retries = 2\ntimeout = 5s\ndetails_ttl = 0\n"
			  "search_ttl = 0\n[storage]\npath = \"%s\"\n",
		   fake.base_url, fake.image_base, store);
	assert_true(buf_ok(&text));
	assert_int_equal(config_load_text(&c, text.data, text.len, "local_media.conf", noenv, NULL),
			 APP_OK);
	library_kinds_configure(&c);
	config_release(&c);
	buf_release(&text);
}

/* Empty the library on disk and in the database, with its jobs. */
static void reset(const char *r, const char *lib)
{
	api_sh("rm -rf '%s'/*", r);
	api_q("DELETE FROM media_files WHERE library_id = $1", lib, NULL);
	api_q("DELETE FROM movies WHERE library_id = $1", lib, NULL);
	api_q("DELETE FROM series WHERE library_id = $1", lib, NULL);
	api_q("DELETE FROM jobs", NULL, NULL);
}

static const char *movie_of(const char *rel)
{
	return api_q("SELECT movie_id FROM media_files WHERE rel_path = $1", rel, NULL);
}

/* GET /api/v1/movies/{id} as the admin; a member of the answer, "" for
 * null. */
static const char *detail_str(const char *id, const char *member)
{
	static char out[4][1024];
	static int turn;
	char uri[128];
	char *o = out[turn++ % 4];

	snprintf(uri, sizeof(uri), "/api/v1/movies/%s", id);
	EXPECT(api_call("GET", uri, admin.token, NULL), 200);
	const char *v = api_str(api_last_json, member);
	snprintf(o, sizeof(out[0]), "%s", v ? v : "");
	return o;
}

/* "/" + the storage key of the item's local picture of that column. */
static const char *local_url(const char *table, const char *col, const char *id)
{
	static char out[4][512];
	static int turn;
	char sql[256];
	char *o = out[turn++ % 4];

	snprintf(sql, sizeof(sql),
		 "SELECT '/' || i.storage_key FROM %s x JOIN images i ON i.id = x.%s"
		 " WHERE x.id = $1 AND i.provider = 'local' AND i.state = 'stored'",
		 table, col);
	snprintf(o, sizeof(out[0]), "%s", api_q(sql, id, NULL));
	return o;
}

static const char *stored_path(const char *url)
{
	static char out[2048];
	snprintf(out, sizeof(out), "%s%s", store, url);
	return out;
}

/* --- tests ------------------------------------------------------------------- */

#define METRO "Metropolis (1927)/Metropolis (1927).mkv"
#define BROKEN "Broken Art (2001)/Broken Art (2001).mkv"
#define LOOSE "Loose (2003).mkv"

static void local_artwork_offline(void **state)
{
	(void)state;
	configure(false);
	put(root, METRO, sd_clip);
	put(root, "Metropolis (1927)/poster.jpg", jpg_a);
	put(root, "Metropolis (1927)/fanart.png", png_a);
	put(root, BROKEN, sd_clip);
	put_text(root, "Broken Art (2001)/poster.jpg", "<html>this is not a picture</html>\n");
	put(root, LOOSE, sd_clip);
	put(root, "Loose (2003)-poster.webp", webp_a);
	put(root, "poster.jpg", jpg_b); /* in the root: nobody's poster */

	scan_and_match(movie_lib);
	/* one image.local job per movie with pictures next to it */
	assert_int_equal(api_q("SELECT count(*) FROM jobs WHERE kind = 'image.local'", NULL, NULL)[0],
			 '3');
	assert_int_equal(run_jobs("image.local", kind_image_local), 3);

	/* Metropolis: poster and backdrop, the exact bytes, shown by the API */
	char metro[37];
	snprintf(metro, sizeof(metro), "%s", movie_of(METRO));
	char poster[256], backdrop[256];
	snprintf(poster, sizeof(poster), "%s", local_url("movies", "local_poster_id", metro));
	snprintf(backdrop, sizeof(backdrop), "%s", local_url("movies", "local_backdrop_id", metro));
	assert_true(!strncmp(poster, "/images/poster/local/", 21));
	assert_true(strlen(poster) == 21 + 64 + 4 && !strcmp(poster + strlen(poster) - 4, ".jpg"));
	assert_true(!strncmp(backdrop, "/images/backdrop/local/", 23));
	assert_true(!strcmp(backdrop + strlen(backdrop) - 4, ".png"));
	assert_true(same_bytes(stored_path(poster), jpg_a));
	assert_true(same_bytes(stored_path(backdrop), png_a));
	assert_string_equal(detail_str(metro, "poster_url"), poster);
	assert_string_equal(detail_str(metro, "backdrop_url"), backdrop);
	assert_string_equal(api_q("SELECT identified_by FROM movies WHERE id = $1", metro, NULL),
			    "local");
	/* lists show it too */
	char uri[160];
	snprintf(uri, sizeof(uri), "/api/v1/movies?library_id=%s&limit=50", movie_lib);
	EXPECT(api_call("GET", uri, admin.token, NULL), 200);
	const cJSON *it;
	int seen = 0;
	cJSON_ArrayForEach(it, api_get(api_last_json, "items"))
	{
		if (!strcmp(api_str(it, "id"), metro)) {
			assert_string_equal(api_str(it, "poster_url"), poster);
			seen++;
		}
	}
	assert_int_equal(seen, 1);

	/* Broken Art: the fake poster is refused, the movie is fine */
	char broken[37];
	snprintf(broken, sizeof(broken), "%s", movie_of(BROKEN));
	assert_true(strlen(broken) == 36);
	assert_string_equal(local_url("movies", "local_poster_id", broken), "");
	assert_string_equal(detail_str(broken, "poster_url"), "");
	assert_string_equal(
	    api_q("SELECT match_status FROM media_files WHERE rel_path = $1", BROKEN, NULL), "local");

	/* Loose: its own <name>-poster.webp, not the root's poster.jpg */
	char loose[37];
	snprintf(loose, sizeof(loose), "%s", movie_of(LOOSE));
	const char *lp = local_url("movies", "local_poster_id", loose);
	assert_true(!strcmp(lp + strlen(lp) - 5, ".webp"));
	assert_true(same_bytes(stored_path(lp), webp_a));
	assert_string_equal(api_q("SELECT count(*) FROM images WHERE provider = 'local'", NULL, NULL),
			    "3");

	/* again: nothing is written twice */
	char args[128];
	struct job_result res;
	volatile int cancel = 0;
	snprintf(args, sizeof(args), "{\"movie_id\":\"%s\"}", metro);
	assert_int_equal(jobrun(kind_image_local, db, ar, args, &cancel, &res), JOB_OK);
	assert_string_equal(
	    api_q("SELECT sum(attempts) FROM images WHERE provider = 'local'", NULL, NULL), "3");
	assert_string_equal(local_url("movies", "local_poster_id", metro), poster);

	/* a new poster: a new key; a poster turned into garbage: none */
	put(root, "Metropolis (1927)/poster.jpg", jpg_b);
	assert_int_equal(jobrun(kind_image_local, db, ar, args, &cancel, &res), JOB_OK);
	const char *again = local_url("movies", "local_poster_id", metro);
	assert_true(strlen(again) > 21 && strcmp(again, poster));
	assert_true(same_bytes(stored_path(again), jpg_b));
	assert_string_equal(detail_str(metro, "poster_url"), again);
	put_text(root, "Metropolis (1927)/poster.jpg", "GIF89a, not one of ours");
	assert_int_equal(jobrun(kind_image_local, db, ar, args, &cancel, &res), JOB_OK);
	assert_string_equal(detail_str(metro, "poster_url"), "");
	assert_string_equal(detail_str(metro, "backdrop_url"), backdrop);

	/* bad args fail for good */
	assert_int_equal(jobrun(kind_image_local, db, ar, "{}", &cancel, &res), JOB_FAIL);
	snprintf(args, sizeof(args), "{\"movie_id\":\"%s\",\"series_id\":\"%s\"}", metro, metro);
	assert_int_equal(jobrun(kind_image_local, db, ar, args, &cancel, &res), JOB_FAIL);
	/* an item that went meanwhile is nothing to do */
	assert_int_equal(jobrun(kind_image_local, db, ar,
				"{\"movie_id\":\"00000000-0000-0000-0000-000000000000\"}", &cancel,
				&res),
			 JOB_OK);
	reset(root, movie_lib);
}

#define FIGHT "Fight Club (1999)/Fight.Club.1999.1080p.BluRay.x264-GRP.mkv"
#define FIGHT_DC "Fight Club (1999) {edition-Director's Cut}/Fight Club (1999) {edition-Director's Cut}.mkv"

/* With the provider: its picture wins once stored; a second version of the
 * same provider movie joins it. */
static void provider_image_wins(void **state)
{
	(void)state;
	configure(true);
	put(root, FIGHT, hd_clip);
	put(root, "Fight Club (1999)/poster.jpg", jpg_a);
	put(root, FIGHT_DC, sd_clip);
	scan_and_match(movie_lib);
	char mid[37];
	snprintf(mid, sizeof(mid), "%s", movie_of(FIGHT));
	assert_string_equal(api_q("SELECT tmdb_id FROM movies WHERE id = $1", mid, NULL), "550");
	assert_string_equal(movie_of(FIGHT_DC), mid);
	assert_string_equal(
	    api_q("SELECT count(*) FROM media_files WHERE movie_id = $1", mid, NULL), "2");
	assert_string_equal(api_q("SELECT version FROM media_files WHERE rel_path = $1", FIGHT, NULL),
			    "1080p");
	assert_string_equal(api_q("SELECT version FROM media_files WHERE rel_path = $1", FIGHT_DC, NULL),
			    "SD Director's Cut");
	assert_int_equal(run_jobs("image.local", kind_image_local), 1);
	const char *local = local_url("movies", "local_poster_id", mid);
	assert_true(!strncmp(local, "/images/poster/local/", 21));

	/* the provider's poster is not fetched yet: the local one shows */
	assert_string_equal(detail_str(mid, "poster_url"), local);
	/* fetched: the provider's wins */
	PGresult *r = PQexec(api_pg, "DELETE FROM jobs WHERE kind = 'image.fetch' AND args->>'image_id'"
				     " IN (SELECT id::text FROM images WHERE kind IN ('poster', 'backdrop')"
				     " AND provider = 'tmdb') RETURNING args::text");
	assert_true(PQntuples(r) >= 1);
	for (int i = 0; i < PQntuples(r); i++) {
		struct job_result res;
		volatile int cancel = 0;
		assert_int_equal(jobrun(kind_image_fetch, db, ar, PQgetvalue(r, i, 0), &cancel, &res),
				 JOB_OK);
	}
	PQclear(r);
	const char *shown = detail_str(mid, "poster_url");
	assert_true(!strncmp(shown, "/images/poster/w780/", 20));
	assert_string_equal(shown + 1, api_q("SELECT i.storage_key FROM movies m JOIN images i"
					     " ON i.provider_path = m.poster_path AND i.kind = 'poster'"
					     " WHERE m.id = $1", mid, NULL));
	/* a provider item without a poster of its own shows the local one */
	api_q("UPDATE movies SET poster_path = NULL WHERE id = $1", mid, NULL);
	assert_string_equal(detail_str(mid, "poster_url"), local);
	reset(root, movie_lib);
}

/* "%XX" for every byte the stream's X-Accel-Redirect encodes */
static void accel_encode(const char *s, char *out, size_t cap)
{
	size_t o = 0;
	for (; *s && o + 4 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("/._~-", c))
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, cap - o, "%%%02X", c);
	}
	out[o] = 0;
}

#define HEAT_HD "Heat (1995) 1080p/Heat (1995) 1080p.mkv"
#define HEAT_DC "Heat (1995)/Heat (1995) {edition-Director's Cut}.mkv"
#define HEAT_SD "Heat (1995)/Heat (1995).mkv"

static void versions(void **state)
{
	const char *rels[] = {HEAT_HD, HEAT_DC, HEAT_SD};
	const char *labels[] = {"1080p", "1080p Director's Cut", "SD"};
	char uri[256], enc[1024], mid[37];
	(void)state;

	configure(false);
	put(root, HEAT_HD, hd_clip);
	put(root, HEAT_DC, hd_clip);
	put(root, HEAT_SD, sd_clip);
	scan_and_match(movie_lib);
	snprintf(mid, sizeof(mid), "%s", movie_of(HEAT_SD));
	assert_string_equal(api_q("SELECT count(*) FROM movies WHERE title = 'Heat'", NULL, NULL), "1");
	for (int i = 0; i < 3; i++) {
		assert_string_equal(movie_of(rels[i]), mid);
		assert_string_equal(
		    api_q("SELECT version FROM media_files WHERE rel_path = $1", rels[i], NULL),
		    labels[i]);
	}

	/* the detail lists the versions, best first, each with its stream */
	snprintf(uri, sizeof(uri), "/api/v1/movies/%s", mid);
	EXPECT(api_call("GET", uri, admin.token, NULL), 200);
	const cJSON *v = api_get(api_last_json, "versions");
	assert_int_equal(cJSON_GetArraySize(v), 3);
	char fids[3][37], streams[3][160];
	for (int i = 0; i < 3; i++) {
		const cJSON *e = cJSON_GetArrayItem(v, i);
		assert_string_equal(api_str(e, "label"), labels[i]);
		snprintf(fids[i], sizeof(fids[i]), "%s", api_str(e, "file_id"));
		assert_string_equal(fids[i], api_q("SELECT id FROM media_files WHERE rel_path = $1",
						   rels[i], NULL));
		snprintf(streams[i], sizeof(streams[i]), "%s", api_str(e, "stream_url"));
		snprintf(uri, sizeof(uri), "/api/v1/movies/%s/files/%s/stream", mid, fids[i]);
		assert_string_equal(streams[i], uri);
	}
	/* the files list carries each file's label */
	snprintf(uri, sizeof(uri), "/api/v1/movies/%s/files", mid);
	EXPECT(api_call("GET", uri, admin.token, NULL), 200);
	const cJSON *f;
	int n = 0;
	cJSON_ArrayForEach(f, api_get(api_last_json, "items"))
	{
		for (int i = 0; i < 3; i++)
			if (!strcmp(api_str(f, "id"), fids[i]))
				assert_string_equal(api_str(f, "version"), labels[i]);
		n++;
	}
	assert_int_equal(n, 3);
	/* each version's stream hands nginx that version's file */
	for (int i = 0; i < 3; i++) {
		EXPECT(api_call("GET", streams[i], admin.token, NULL), 200);
		accel_encode(rels[i], enc, sizeof(enc));
		assert_non_null(strstr(api_last.head, enc));
		for (int j = 0; j < 3; j++) {
			char other[1024];
			accel_encode(rels[j], other, sizeof(other));
			if (j != i)
				assert_null(strstr(api_last.head, other));
		}
	}
	reset(root, movie_lib);
}

static void series_artwork(void **state)
{
	(void)state;
	configure(false);
	put(tvroot, "Show Name/Season 1/Show.Name.S01E01.mkv", sd_clip);
	put(tvroot, "Show Name/Season 1/Show.Name.S01E02.mkv", sd_clip);
	put(tvroot, "Show Name/poster.jpg", jpg_b);
	put(tvroot, "Show Name/Season 1/poster.jpg", jpg_a); /* a season's, not the series' */
	put(tvroot, "Show Name/backdrop.webp", webp_a);
	scan_and_match(tv_lib);
	/* one job for the series however many episodes were matched */
	assert_int_equal(run_jobs("image.local", kind_image_local), 1);
	char sid[37];
	snprintf(sid, sizeof(sid), "%s", api_q("SELECT id FROM series WHERE library_id = $1", tv_lib,
					       NULL));
	const char *poster = local_url("series", "local_poster_id", sid);
	assert_true(!strncmp(poster, "/images/poster/local/", 21));
	assert_true(same_bytes(stored_path(poster), jpg_b));
	assert_true(same_bytes(stored_path(local_url("series", "local_backdrop_id", sid)), webp_a));
	/* later episodes queue nothing more once the series has its pictures */
	put(tvroot, "Show Name/Season 1/Show.Name.S01E03.mkv", sd_clip);
	scan_and_match(tv_lib);
	assert_string_equal(api_q("SELECT count(*) FROM jobs WHERE kind = 'image.local'", NULL, NULL),
			    "0");
}

/* --- setup -------------------------------------------------------------------- */

static int make_media(void)
{
	char cmd[4096];
	static const char *const gen =
	    "ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc=size=%s:rate=24 -f lavfi"
	    " -i sine=frequency=440 -t 1 -c:v libx264 -preset ultrafast -c:a aac -shortest '%s'";
	static const char *const pic =
	    "ffmpeg -nostdin -loglevel error -y -f lavfi -i %s=size=%s -frames:v 1 %s '%s'";

	snprintf(cmd, sizeof(cmd), gen, "320x180", sd_clip);
	if (system(cmd))
		return -1;
	snprintf(cmd, sizeof(cmd), gen, "1920x1080", hd_clip);
	if (system(cmd))
		return -1;
	snprintf(cmd, sizeof(cmd), pic, "testsrc", "120x180", "", jpg_a);
	if (system(cmd))
		return -1;
	snprintf(cmd, sizeof(cmd), pic, "smptebars", "100x150", "", jpg_b);
	if (system(cmd))
		return -1;
	snprintf(cmd, sizeof(cmd), pic, "testsrc2", "160x90", "", png_a);
	if (system(cmd))
		return -1;
	snprintf(cmd, sizeof(cmd), pic, "rgbtestsrc", "160x90", "-c:v libwebp", webp_a);
	return system(cmd) ? -1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(local_artwork_offline),
	    cmocka_unit_test(provider_image_wins),
	    cmocka_unit_test(versions),
	    cmocka_unit_test(series_artwork),
	};
	char log[1024], tmp[1024], real[PATH_MAX];
	const char *stack = testenv_stack_dir();
	const char *url = testenv_new_database(NULL);
	int rc;

	log_setup(LL_ERROR, LOG_FMT_LOGFMT, 2);
	signal(SIGPIPE, SIG_IGN);
	snprintf(log, sizeof(log), "%s/log/fake_tmdb_local_media.log", stack);
	if (fake_tmdb_start(&fake, KEY, log)) {
		fprintf(stderr, "test_local_media: the fake TMDb server did not start\n");
		return 1;
	}
	/* resolved: the stream route compares real paths with the roots */
	snprintf(tmp, sizeof(tmp), "%s/local-media-XXXXXX", stack);
	if (!mkdtemp(tmp) || !realpath(tmp, real) || strlen(real) >= sizeof(dir))
		return 1;
	memcpy(dir, real, strlen(real) + 1);
	snprintf(root, sizeof(root), "%s/movies", dir);
	snprintf(tvroot, sizeof(tvroot), "%s/tv", dir);
	snprintf(store, sizeof(store), "%s/storage", dir);
	snprintf(sd_clip, sizeof(sd_clip), "%s/sd.mkv", dir);
	snprintf(hd_clip, sizeof(hd_clip), "%s/hd.mkv", dir);
	snprintf(jpg_a, sizeof(jpg_a), "%s/a.jpg", dir);
	snprintf(jpg_b, sizeof(jpg_b), "%s/b.jpg", dir);
	snprintf(png_a, sizeof(png_a), "%s/a.png", dir);
	snprintf(webp_a, sizeof(webp_a), "%s/a.webp", dir);
	mkdir(root, 0755);
	mkdir(tvroot, 0755);
	if (make_media()) {
		fprintf(stderr, "test_local_media: ffmpeg could not make the media\n");
		return 1;
	}
	api_pg = testenv_connect(url);
	db = db_new(url, 5000, 30000);
	ar = arena_new(1 << 16, 256 << 20);
	snprintf(conf, sizeof(conf), "%s/revenge.conf", dir);
	snprintf(sock, sizeof(sock), "/tmp/revenge-local-media-%d.sock", (int)getpid());
	api_sock = sock;
	/* the libraries' folders are the server's library.allowed_roots
	 * (files elsewhere are not streamed) */
	char extra[1600];
	snprintf(extra, sizeof(extra), "pool_size = 2\n" TESTENV_FAST_AUTH "[library]\nallowed_roots = %s, %s\n",
	         root, tvroot);
	testenv_write_config(conf, url, sock, extra);
	snprintf(log, sizeof(log), "%s/log/test_local_media.log", stack);
	if ((server = server_start(conf, sock, log)) <= 0) {
		fprintf(stderr, "test_local_media: the FastCGI pool did not start\n");
		return 1;
	}
	snprintf(movie_lib, sizeof(movie_lib), "%s",
		 api_q("INSERT INTO libraries (name, type, paths) VALUES ('Movies', 'movie',"
		       " ARRAY[$1]) RETURNING id",
		       root, NULL));
	snprintf(tv_lib, sizeof(tv_lib), "%s",
		 api_q("INSERT INTO libraries (name, type, paths) VALUES ('TV', 'tvshow', ARRAY[$1])"
		       " RETURNING id",
		       tvroot, NULL));
	api_new_user(&admin, "media_admin", "admin");
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	server_stop(server, 5000);
	cJSON_Delete(api_last_json);
	arena_free(ar);
	db_free(db);
	PQfinish(api_pg);
	tmdb_thread_release();
	fake_tmdb_stop(&fake);
	unlink(sock);
	snprintf(tmp, sizeof(tmp), "rm -rf '%s'", dir);
	if (system(tmp) != 0)
		rc = rc ? rc : 1;
	return rc;
}
