/*
 * The folder watcher (workers/watcher.h) in real revenge-worker processes
 * against real PostgreSQL, on a real movie library in a temporary folder
 * with a real video (made by ffmpeg here, never committed):
 *
 *   - a file copied in slowly (written in chunks over about 4 s, so its
 *     modification time keeps moving) is left alone while it grows (the
 *     settle rule) and probed exactly once after it settled: one
 *     media_files row with the whole file's probe, one library.match job;
 *   - renamed, then moved into another folder of the library, the file
 *     keeps its media_files row, its movie and the movie's watch state;
 *   - deleted, it becomes missing;
 *   - a change made while no worker ran is found when one starts (each
 *     root is scanned at start), only the leader of two workers watches,
 *     and the other takes over when the leader dies;
 *   - past the watch limit (RV_WATCHER_MAX_WATCHES=1), the worker logs the
 *     fallback, /metrics of the pool says so, and a new file is still
 *     found by the periodic scan.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "fcgi_client.h"
#include "server.h"
#include "testenv.h"

#define SETTLE_S 2
#define SLOW_MOVIE "Slow Movie (2001)"
#define SLOW_FILE "Slow.Movie.2001.1080p.mkv"

static char conf[256], sock[256], dir[512], root[600], clip[640];
static char log_path[2][512], pool_log[512], history_path[512];
static char lib[37];
static PGconn *pg;
static pid_t workers[2] = {-1, -1}, pool = -1;

/* ---- helpers -------------------------------------------------------------------- */

static const char *q(const char *sql, const char *a, const char *b)
{
	static char out[8][1024];
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
	snprintf(o, 1024, "%s", PQntuples(r) && PQnfields(r) ? PQgetvalue(r, 0, 0) : "");
	PQclear(r);
	return o;
}

static long qn(const char *sql, const char *a, const char *b)
{
	return strtol(q(sql, a, b), NULL, 10);
}

/* Poll until sql (one row, one boolean) is true or timeout_ms passes. */
static bool wait_true(const char *sql, const char *a, int timeout_ms)
{
	for (int waited = 0; waited < timeout_ms; waited += 100) {
		if (!strcmp(q(sql, a, NULL), "t"))
			return true;
		sleep_ms(100);
	}
	return false;
}

static void sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

static char *slurp(const char *path)
{
	static char buf[1 << 20];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = '\0';
	return buf;
}

static int log_count(int i, const char *needle)
{
	int n = 0;

	for (const char *p = slurp(log_path[i]); (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static bool wait_log(int i, const char *needle, int timeout_ms)
{
	for (int waited = 0; waited < timeout_ms; waited += 50) {
		if (log_count(i, needle))
			return true;
		sleep_ms(50);
	}
	return false;
}

/* Start worker i; extra_env "NAME=value" or NULL. Its log starts empty
 * (what the last worker of that log wrote goes to history_path first). */
static void start_worker(int i, const char *extra_env)
{
	FILE *h = fopen(history_path, "a");
	int fd;

	if (h) {
		fputs(slurp(log_path[i]), h);
		fclose(h);
	}
	fd = open(log_path[i], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	close(fd);
	pid_t pid = fork();
	if (pid == 0) {
		fd = open(log_path[i], O_WRONLY | O_APPEND);
		dup2(fd, 1);
		dup2(fd, 2);
		/* a quick leader election: the watcher starts within 100 ms */
		setenv("RV_LEADER_TICK_MS", "100", 1);
		const char *eq = extra_env ? strchr(extra_env, '=') : NULL;
		if (eq) {
			char name[64];
			snprintf(name, sizeof(name), "%.*s", (int)(eq - extra_env), extra_env);
			setenv(name, eq + 1, 1);
		}
		execl(testenv_bin("revenge-worker"), "revenge-worker", "--config", conf,
		      (char *)NULL);
		_exit(127);
	}
	assert_true(pid > 0);
	workers[i] = pid;
}

static void stop_worker(int i)
{
	if (workers[i] > 0)
		assert_int_equal(server_stop(workers[i], 15000), 0);
	workers[i] = -1;
}

/* No scan of the library queued or running (settle follow-ups included). */
static bool scans_idle(void)
{
	return !strcmp(q("SELECT NOT EXISTS (SELECT 1 FROM jobs WHERE kind IN ('library.scan_path',"
	                 " 'library.scan', 'library.match') AND state IN ('available', 'scheduled',"
	                 " 'running', 'retryable'))",
	                 NULL, NULL),
	               "t");
}

static void wait_idle(int timeout_ms)
{
	for (int waited = 0; waited < timeout_ms; waited += 100) {
		if (scans_idle())
			return;
		sleep_ms(100);
	}
	fail_msg("scans still pending after %d ms", timeout_ms);
}

static const char *file_id(const char *rel)
{
	return q("SELECT id FROM media_files WHERE library_id = $1 AND rel_path = $2", lib, rel);
}

/* ---- (a) a slow copy is probed once, after it settled ------------------------------ */

static void slow_copy_is_probed_once(void **state)
{
	char dst[1024], rel[256], fid[37];
	static unsigned char data[4 << 20];
	(void)state;

	start_worker(0, NULL);
	assert_true(wait_log(0, "event=watcher.start", 10000));
	/* the start scan of the (empty) root, done */
	assert_true(wait_true("SELECT count(*) = 1 FROM jobs WHERE kind = 'library.scan_path'"
	                      " AND state = 'completed'",
	                      NULL, 10000));

	FILE *in = fopen(clip, "rb");
	assert_non_null(in);
	size_t size = fread(data, 1, sizeof(data), in);
	fclose(in);
	assert_true(size > 1000 && size < sizeof(data));

	snprintf(dst, sizeof(dst), "%s/%s", root, SLOW_MOVIE);
	assert_int_equal(mkdir(dst, 0755), 0);
	snprintf(dst, sizeof(dst), "%s/%s/%s", root, SLOW_MOVIE, SLOW_FILE);
	int fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	/* 20 chunks, 200 ms apart: the copy takes 4 s, longer than the settle
	 * time, and the file's mtime moves with every chunk */
	size_t chunk = (size + 19) / 20;
	for (size_t off = 0; off < size; off += chunk) {
		size_t n = size - off < chunk ? size - off : chunk;
		assert_int_equal(write(fd, data + off, n), (ssize_t)n);
		sleep_ms(200);
	}
	close(fd);

	snprintf(rel, sizeof(rel), "%s/%s", SLOW_MOVIE, SLOW_FILE);
	assert_true(wait_true("SELECT count(*) = 1 FROM media_files WHERE probe IS NOT NULL"
	                      " AND rel_path = $1",
	                      rel, 20000));
	wait_idle(20000);
	sleep_ms(1500); /* anything still on its way would be queued by now */
	wait_idle(20000);
	snprintf(fid, sizeof(fid), "%s", file_id(rel));
	assert_int_equal(qn("SELECT count(*) FROM media_files WHERE library_id = $1", lib, NULL),
	                 1);
	/* the whole file's probe, and one identification: had the partial file
	 * been probed, the finished one would be a change with a match of its own */
	assert_int_equal(qn("SELECT size FROM media_files WHERE id = $1", fid, NULL), (long)size);
	assert_string_equal(q("SELECT video_codec FROM media_files WHERE id = $1", fid, NULL),
	                    "h264");
	assert_int_equal(qn("SELECT count(*) FROM jobs WHERE kind = 'library.match'"
	                    " AND args->>'file_id' = $1",
	                    fid, NULL),
	                 1);
	/* the copy in progress was seen and left for later */
	assert_true(log_count(0, "unsettled=1") >= 1);
	assert_true(
	    wait_true("SELECT movie_id IS NOT NULL FROM media_files WHERE id = $1", fid, 10000));
	assert_int_equal(qn("SELECT count(*) FROM jobs WHERE kind = 'library.scan_path'"
	                    " AND state <> 'completed'",
	                    NULL, NULL),
	                 0);
}

/* ---- (b) moves keep the row, the movie and the watch state ------------------------- */

static void moves_keep_identity(void **state)
{
	char fid[37], mid[37], uid[37];
	(void)state;

	snprintf(fid, sizeof(fid), "%s", file_id(SLOW_MOVIE "/" SLOW_FILE));
	assert_int_equal(strlen(fid), 36);
	snprintf(mid, sizeof(mid), "%s",
	         q("SELECT movie_id FROM media_files WHERE id = $1", fid, NULL));
	snprintf(uid, sizeof(uid), "%s",
	         q("INSERT INTO users (username, email, password_hash) VALUES ('watcher',"
	           " 'watcher@example.com', 'x') RETURNING id",
	           NULL, NULL));
	q("INSERT INTO movie_watch (user_id, movie_id, position_seconds, watched, play_count)"
	  " VALUES ($1, $2, 42, true, 1)",
	  uid, mid);

	/* renamed in its folder */
	sh("mv '%s/%s/%s' '%s/%s/Slow.Movie.2001.mkv'", root, SLOW_MOVIE, SLOW_FILE, root,
	   SLOW_MOVIE);
	assert_true(wait_true("SELECT rel_path = '" SLOW_MOVIE "/Slow.Movie.2001.mkv'"
	                      " AND state = 'present' FROM media_files WHERE id = $1",
	                      fid, 20000));
	wait_idle(20000);
	/* moved into a new folder */
	sh("mkdir -p '%s/Archive/Slow Movie' && mv '%s/%s/Slow.Movie.2001.mkv' '%s/Archive/Slow "
	   "Movie/'",
	   root, root, SLOW_MOVIE, root);
	assert_true(wait_true("SELECT rel_path = 'Archive/Slow Movie/Slow.Movie.2001.mkv'"
	                      " AND state = 'present' FROM media_files WHERE id = $1",
	                      fid, 20000));
	wait_idle(20000);
	assert_int_equal(qn("SELECT count(*) FROM media_files WHERE library_id = $1", lib, NULL),
	                 1);
	assert_string_equal(q("SELECT movie_id FROM media_files WHERE id = $1", fid, NULL), mid);
	assert_string_equal(q("SELECT position_seconds || ' ' || watched || ' ' || play_count"
	                      " FROM movie_watch WHERE movie_id = $1",
	                      mid, NULL),
	                    "42 true 1");
}

/* ---- (c) a deleted file becomes missing -------------------------------------------- */

static void deleted_becomes_missing(void **state)
{
	(void)state;
	const char *fid = file_id("Archive/Slow Movie/Slow.Movie.2001.mkv");
	char id[37];

	snprintf(id, sizeof(id), "%s", fid);
	sh("rm '%s/Archive/Slow Movie/Slow.Movie.2001.mkv'", root);
	assert_true(wait_true("SELECT state = 'missing' AND missing_since IS NOT NULL"
	                      " FROM media_files WHERE id = $1",
	                      id, 20000));
	/* a whole folder deleted: its files too */
	sh("mkdir -p '%s/Gone (1999)' && cp '%s' '%s/Gone (1999)/Gone.1999.mkv'"
	   " && touch -d '1 minute ago' '%s/Gone (1999)/Gone.1999.mkv'",
	   root, clip, root, root);
	assert_true(wait_true("SELECT count(*) = 1 FROM media_files WHERE rel_path ="
	                      " 'Gone (1999)/Gone.1999.mkv' AND state = 'present'",
	                      NULL, 20000));
	wait_idle(20000);
	sh("rm -r '%s/Gone (1999)'", root);
	assert_true(wait_true("SELECT state = 'missing' FROM media_files WHERE rel_path ="
	                      " 'Gone (1999)/Gone.1999.mkv'",
	                      NULL, 20000));
	stop_worker(0);
}

/* ---- restarts and leadership -------------------------------------------------------- */

static void restart_finds_changes_and_one_leader_watches(void **state)
{
	(void)state;
	/* made while no worker runs */
	sh("mkdir -p '%s/Offline (2010)' && cp '%s' '%s/Offline (2010)/Offline.2010.mkv'"
	   " && touch -d '1 minute ago' '%s/Offline (2010)/Offline.2010.mkv'",
	   root, clip, root, root);
	start_worker(0, NULL);
	assert_true(wait_log(0, "event=watcher.start", 10000));
	start_worker(1, NULL);
	assert_true(wait_log(1, "event=worker.start", 10000));
	assert_true(wait_true("SELECT count(*) = 1 FROM media_files WHERE rel_path ="
	                      " 'Offline (2010)/Offline.2010.mkv' AND state = 'present'",
	                      NULL, 20000));
	sleep_ms(500);
	assert_int_equal(log_count(1, "event=watcher.start"), 0);

	/* the leader dies: the other one watches */
	kill(workers[0], SIGKILL);
	waitpid(workers[0], NULL, 0);
	workers[0] = -1;
	assert_true(wait_log(1, "event=watcher.start", 10000));
	sh("mkdir -p '%s/Failover (2012)' && cp '%s' '%s/Failover (2012)/Failover.2012.mkv'", root,
	   clip, root);
	assert_true(wait_true("SELECT count(*) = 1 FROM media_files WHERE rel_path ="
	                      " 'Failover (2012)/Failover.2012.mkv' AND state = 'present'",
	                      NULL, 20000));
	stop_worker(1);
}

/* ---- (d) past the watch limit -------------------------------------------------------- */

static double metric(const struct fcgi_response *res, const char *name)
{
	char needle[128];
	const char *p;

	snprintf(needle, sizeof(needle), "\n%s ", name);
	p = strstr(res->body, needle);
	return p ? strtod(p + strlen(needle), NULL) : -1;
}

static void watch_limit_falls_back_to_polling(void **state)
{
	struct fcgi_response res;
	bool seen = false;
	(void)state;

	wait_idle(20000);
	start_worker(0, "RV_WATCHER_MAX_WATCHES=1");
	assert_true(wait_log(0, "event=watcher.limit", 10000));
	assert_true(wait_log(0, "event=watcher.start", 10000));
	for (int waited = 0; waited < 10000 && !seen; waited += 100) {
		assert_int_equal(fcgi_call(sock, "GET", "/metrics", NULL, NULL, &res), 0);
		assert_int_equal(res.status, 200);
		seen = metric(&res, "revenge_watcher_fallback_libraries") == 1;
		if (!seen)
			sleep_ms(100);
	}
	assert_true(seen);
	assert_true(metric(&res, "revenge_watcher_watches") == 0);
	assert_true(metric(&res, "revenge_watcher_scans_total") >= 0);

	/* no watch: the periodic scan (library.poll_interval = 2s) finds it */
	sh("mkdir -p '%s/Polled (2005)' && cp '%s' '%s/Polled (2005)/Polled.2005.mkv'", root, clip,
	   root);
	assert_true(wait_true("SELECT count(*) = 1 FROM media_files WHERE rel_path ="
	                      " 'Polled (2005)/Polled.2005.mkv' AND state = 'present'"
	                      " AND probe IS NOT NULL",
	                      NULL, 20000));
	stop_worker(0);
	/* the stopping watcher set its gauges back to 0 */
	assert_int_equal(fcgi_call(sock, "GET", "/metrics", NULL, NULL, &res), 0);
	assert_true(metric(&res, "revenge_watcher_fallback_libraries") == 0);
	assert_true(metric(&res, "revenge_watcher_events_total") > 0);
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < 2; i++)
		if (workers[i] > 0) {
			kill(workers[i], SIGKILL);
			waitpid(workers[i], NULL, 0);
			workers[i] = -1;
		}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(slow_copy_is_probed_once),
	    cmocka_unit_test(moves_keep_identity),
	    cmocka_unit_test(deleted_becomes_missing),
	    cmocka_unit_test(restart_finds_changes_and_one_leader_watches),
	    cmocka_unit_test(watch_limit_falls_back_to_polling),
	};
	const char *stack = testenv_stack_dir();
	char extra[512], cmd[1024];
	int rc;

	signal(SIGPIPE, SIG_IGN);
	snprintf(dir, sizeof(dir), "%s/watcher-XXXXXX", stack);
	if (!mkdtemp(dir))
		return 1;
	snprintf(root, sizeof(root), "%s/movies", dir);
	snprintf(clip, sizeof(clip), "%s/clip.mkv", dir);
	mkdir(root, 0755);
	snprintf(
	    cmd, sizeof(cmd),
	    "ffmpeg -loglevel error -y -f lavfi -i testsrc=size=320x180:rate=24 -f lavfi"
	    " -i sine=frequency=440 -t 4 -c:v libx264 -preset ultrafast -c:a aac -shortest '%s'",
	    clip);
	if (system(cmd) != 0) {
		fprintf(stderr, "test_watcher: ffmpeg could not make a clip\n");
		return 1;
	}
	snprintf(conf, sizeof(conf), "/tmp/revenge-watcher-%d.conf", (int)getpid());
	snprintf(sock, sizeof(sock), "/tmp/revenge-watcher-%d.sock", (int)getpid());
	for (int i = 0; i < 2; i++)
		snprintf(log_path[i], sizeof(log_path[i]), "%s/log/test_watcher.worker%d.log",
		         stack, i);
	snprintf(pool_log, sizeof(pool_log), "%s/log/test_watcher.pool.log", stack);
	snprintf(history_path, sizeof(history_path), "%s/log/test_watcher.workers.log", stack);
	unlink(history_path);
	for (int i = 0; i < 2; i++)
		unlink(log_path[i]);
	const char *url = testenv_new_database(NULL);
	pg = testenv_connect(url);
	snprintf(extra, sizeof(extra),
	         "pool_size = 1\n" TESTENV_FAST_AUTH
	         "[worker]\nexecutors = 2\npoll_interval = 50ms\n"
	         "[log]\nlevel = info\n"
	         "[library]\nsettle_seconds = %d\nwatch_debounce = 300ms\npoll_interval = 2s\n",
	         SETTLE_S);
	testenv_write_config(conf, url, sock, extra);
	snprintf(lib, sizeof(lib), "%s",
	         q("INSERT INTO libraries (name, type, paths, scan_interval_minutes)"
	           " VALUES ('Movies', 'movie', ARRAY[$1], 0) RETURNING id",
	           root, NULL));
	pool = server_start(conf, sock, pool_log);
	if (pool <= 0) {
		fprintf(stderr, "test_watcher: the pool did not start (see %s)\n", pool_log);
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	teardown(NULL);
	FILE *h = fopen(history_path, "a");
	for (int i = 0; h && i < 2; i++)
		fputs(slurp(log_path[i]), h);
	if (h)
		fclose(h);
	server_stop(pool, 5000);
	PQfinish(pg);
	unlink(conf);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		rc = rc ? rc : 1;
	return rc;
}
