/*
 * fake_tmdb_proc: run tests/fake_tmdb (the local TMDb stand-in) from a test
 * and drive its control endpoints.
 */
#ifndef REVENGE_TESTS_FAKE_TMDB_PROC_H
#define REVENGE_TESTS_FAKE_TMDB_PROC_H

#include <sys/types.h>
#include <cjson/cJSON.h>

struct fake_tmdb {
	pid_t pid;
	int port;
	char root[64];       /* http://127.0.0.1:PORT (control endpoints) */
	char base_url[64];   /* http://127.0.0.1:PORT/3 (tmdb.base_url) */
	char image_base[64]; /* http://127.0.0.1:PORT/t/p (tmdb.image_base_url) */
	char dir[128];       /* private temporary directory (port file) */
};

/* Start TEST_BUILD_DIR/tests/fake_tmdb on the fixtures in
 * $TEST_ROOT/tests/fixtures/tmdb, requiring api key `key` (NULL: any), and
 * wait (≤ 5 s) for its port. Its stderr goes to log (NULL: /dev/null).
 * 0, or -1 when it did not come up (nothing left running). */
int fake_tmdb_start(struct fake_tmdb *f, const char *key, const char *log);

/* SIGTERM, wait (≤ 2 s, then SIGKILL), remove the temporary directory. */
void fake_tmdb_stop(struct fake_tmdb *f);

/* The next count requests whose path starts with prefix (e.g. "/3/movie")
 * answer status, with Retry-After: retry_after when >= 0. 0 or -1. */
int fake_tmdb_fail(struct fake_tmdb *f, int status, int count, int retry_after, const char *prefix);
/* The next count requests answer 200 with an HTML page (kind "html") or
 * cut-off JSON ("json"). 0 or -1. */
int fake_tmdb_garbage(struct fake_tmdb *f, int count, const char *kind);
/* Clear failures, garbage and the counters. 0 or -1. */
int fake_tmdb_reset(struct fake_tmdb *f);

/* GET /__stats: {"requests", "by_path", "times"} (the caller deletes it),
 * or NULL. */
cJSON *fake_tmdb_stats(struct fake_tmdb *f);
/* "requests" of the stats, or -1. */
long fake_tmdb_requests(struct fake_tmdb *f);

#endif
