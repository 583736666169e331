/*
 * The S3 storage backend against a real S3-compatible server: s3rver
 * (tests/s3/server.mjs) reached through the production client
 * (storage/s3.c, SigV4) at the configured endpoint. Objects are read back
 * from s3rver itself and compared byte for byte; failures are injected by
 * the launcher's front proxy (an upload cut mid-body, 503 answers), and an
 * image.fetch job is retried until its object lands.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "api.h"
#include "core/config.h"
#include "core/log.h"
#include "db/db.h"
#include "fake_tmdb_proc.h"
#include "jobrun.h"
#include "library_kinds.h"
#include "s3_proc.h"
#include "storage/storage.h"
#include "testenv.h"

#define KEY "s3-test-key"

static struct s3_proc s3;
static struct fake_tmdb fake;
static struct db *db;
static PGconn *pg;
static struct arena *ar;

#define q1(sql, a, b) api_value(pg, sql, a, b, (const char *)0)

/* storage (and the worker's kinds) on the S3 backend at endpoint, with
 * secret as the secret key */
static void configure(const char *endpoint, const char *secret)
{
	char *const noenv[] = {NULL};
	struct config c;
	struct buf text, msg;

	buf_init(&text, 8192);
	buf_init(&msg, 1024);
	buf_printf(&text, "[redis]\nurl = \"%s\"\nprefix = \"test_s3_%d:\"\n", testenv_redis_url(),
	           (int)getpid());
	buf_printf(&text, "[tmdb]\napi_key = \"%s\"\nbase_url = \"%s\"\nimage_base_url = \"%s\"\n",
	           KEY, fake.base_url, fake.image_base);
	buf_printf(&text,
	           "[storage]\nbackend = s3\ns3_endpoint = \"%s\"\ns3_bucket = \"%s\"\n"
	           "s3_access_key = S3RVER\ns3_secret_key = \"%s\"\ns3_timeout = 10s\n",
	           endpoint, s3.bucket, secret);
	assert_true(buf_ok(&text));
	if (config_load_text(&c, text.data, text.len, "test_s3.conf", noenv, &msg))
		fail_msg("config: %s", msg.data);
	buf_reset(&msg);
	if (storage_config_check(&c, &msg))
		fail_msg("storage config: %s", msg.data);
	library_kinds_configure(&c); /* storage_configure included */
	config_release(&c);
	buf_release(&text);
	buf_release(&msg);
}

static void good(void)
{
	configure(s3.endpoint, "S3RVER");
}

/* a picture-sized payload with every byte value */
static char *payload(size_t n)
{
	char *p = malloc(n);

	assert_non_null(p);
	for (size_t i = 0; i < n; i++)
		p[i] = (char)((i * 7 + i / 251) & 0xff);
	return p;
}

static void put_exists_remove(void **state)
{
	char type[128], *got = NULL;
	size_t len = 0, n = 300 * 1024;
	char *data = payload(n);

	(void)state;
	good();
	assert_true(storage_is_s3());
	assert_int_equal(storage_put("images/poster/w780/s3-a.jpg", data, n), APP_OK);
	assert_true(storage_exists("images/poster/w780/s3-a.jpg"));
	assert_false(storage_exists("images/poster/w780/s3-none.jpg"));
	assert_int_equal(
	    s3_proc_get(&s3, "images/poster/w780/s3-a.jpg", &got, &len, type, sizeof(type)), 200);
	assert_int_equal(len, n);
	assert_memory_equal(got, data, n);
	assert_string_equal(type, "image/jpeg");
	free(got);

	/* a new put replaces the whole object */
	assert_int_equal(storage_put("images/poster/w780/s3-a.jpg", "short", 5), APP_OK);
	assert_int_equal(s3_proc_get(&s3, "images/poster/w780/s3-a.jpg", &got, &len, NULL, 0), 200);
	assert_int_equal(len, 5);
	assert_memory_equal(got, "short", 5);
	free(got);

	/* the type follows the extension; an empty object is an object */
	assert_int_equal(storage_put("images/avatars/u/1.webp", NULL, 0), APP_OK);
	assert_int_equal(
	    s3_proc_get(&s3, "images/avatars/u/1.webp", &got, &len, type, sizeof(type)), 200);
	assert_int_equal(len, 0);
	assert_string_equal(type, "image/webp");
	free(got);

	assert_int_equal(storage_remove("images/poster/w780/s3-a.jpg"), APP_OK);
	assert_false(storage_exists("images/poster/w780/s3-a.jpg"));
	assert_int_equal(s3_proc_get(&s3, "images/poster/w780/s3-a.jpg", NULL, NULL, NULL, 0), 404);
	/* removing what is not there is fine */
	assert_int_equal(storage_remove("images/poster/w780/s3-a.jpg"), APP_OK);
	assert_int_equal(storage_remove("images/avatars/u/1.webp"), APP_OK);

	/* keys are checked before anything is sent */
	assert_int_equal(storage_put("../escape.jpg", "x", 1), APP_ERR_VALIDATION);
	assert_int_equal(storage_put("images/a b.jpg", "x", 1), APP_ERR_VALIDATION);
	assert_int_equal(storage_remove("/abs.jpg"), APP_ERR_VALIDATION);
	assert_false(storage_exists("images/.hidden"));
	assert_int_equal(s3_proc_count(&s3), 0);
	free(data);
}

static void bad_credentials_and_endpoints(void **state)
{
	(void)state;
	configure(s3.endpoint, "not-the-secret");
	assert_int_equal(storage_put("images/poster/w780/s3-b.jpg", "data", 4),
	                 APP_ERR_UNAVAILABLE);
	assert_non_null(strstr(storage_last_error(), "HTTP 403"));
	assert_non_null(strstr(storage_last_error(), "SignatureDoesNotMatch"));
	assert_null(strstr(storage_last_error(), "not-the-secret"));
	assert_int_equal(storage_remove("images/poster/w780/s3-b.jpg"), APP_ERR_UNAVAILABLE);
	assert_int_equal(s3_proc_count(&s3), 0);

	/* a bucket that does not exist */
	{
		struct s3_proc other = s3;
		snprintf(s3.bucket, sizeof(s3.bucket), "no-such-bucket");
		configure(s3.endpoint, "S3RVER");
		s3 = other;
	}
	assert_int_equal(storage_put("images/poster/w780/s3-b.jpg", "data", 4),
	                 APP_ERR_UNAVAILABLE);
	assert_non_null(strstr(storage_last_error(), "NoSuchBucket"));

	/* nobody listening: refused at once, no crash, no hang */
	configure("http://127.0.0.1:1", "S3RVER");
	assert_int_equal(storage_put("images/poster/w780/s3-b.jpg", "data", 4),
	                 APP_ERR_UNAVAILABLE);
	assert_false(storage_exists("images/poster/w780/s3-b.jpg"));
	assert_int_equal(storage_remove("images/poster/w780/s3-b.jpg"), APP_ERR_UNAVAILABLE);
	good();
	assert_int_equal(storage_put("images/poster/w780/s3-b.jpg", "data", 4), APP_OK);
	assert_int_equal(storage_last_error()[0], '\0');
	assert_int_equal(storage_remove("images/poster/w780/s3-b.jpg"), APP_OK);
}

/* Settings that cannot work are refused at start-up, naming the key. */
static void config_check(void **state)
{
	static const struct {
		const char *text, *names;
	} bad[] = {
	    {"[storage]\nbackend = s3\n", "s3_endpoint"},
	    {"[storage]\nbackend = s3\ns3_endpoint = \"ftp://h\"\n", "s3_endpoint"},
	    {"[storage]\nbackend = s3\ns3_endpoint = \"http://h:9000/path\"\n", "s3_endpoint"},
	    {"[storage]\nbackend = s3\ns3_endpoint = \"http://h:9000\"\n", "s3_bucket"},
	    {"[storage]\nbackend = s3\ns3_endpoint = \"http://h\"\ns3_bucket = \"Up_Case\"\n",
	     "s3_bucket"},
	    {"[storage]\nbackend = s3\ns3_endpoint = \"http://h\"\ns3_bucket = \"ok-bucket\"\n",
	     "s3_access_key"},
	};
	char *const noenv[] = {NULL};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct config c;
		struct buf msg;

		buf_init(&msg, 1024);
		assert_int_equal(
		    config_load_text(&c, bad[i].text, strlen(bad[i].text), "x.conf", noenv, NULL),
		    APP_OK);
		assert_int_equal(storage_config_check(&c, &msg), -1);
		if (!strstr(msg.data, bad[i].names))
			fail_msg("case %zu: \"%s\" does not name %s", i, msg.data, bad[i].names);
		config_release(&c);
		buf_release(&msg);
	}
}

/* An upload cut mid-body or refused leaves no object, and is unavailable
 * (a job retries it). */
static void failures_leave_nothing(void **state)
{
	size_t n = 512 * 1024;
	char *data = payload(n), *got = NULL;
	size_t len;

	(void)state;
	good();
	assert_int_equal(s3_proc_control(&s3, "cut", 1), 0);
	assert_int_equal(storage_put("images/backdrop/w1280/cut.jpg", data, n),
	                 APP_ERR_UNAVAILABLE);
	assert_non_null(strstr(storage_last_error(), "PUT images/backdrop/w1280/cut.jpg"));
	assert_int_equal(s3_proc_get(&s3, "images/backdrop/w1280/cut.jpg", NULL, NULL, NULL, 0),
	                 404);
	assert_false(storage_exists("images/backdrop/w1280/cut.jpg"));
	assert_int_equal(s3_proc_count(&s3), 0);

	assert_int_equal(s3_proc_control(&s3, "fail", 1), 0);
	assert_int_equal(storage_put("images/backdrop/w1280/cut.jpg", data, n),
	                 APP_ERR_UNAVAILABLE);
	assert_non_null(strstr(storage_last_error(), "HTTP 503 SlowDown"));
	assert_int_equal(s3_proc_count(&s3), 0);

	/* the server is back: the same put lands whole */
	assert_int_equal(storage_put("images/backdrop/w1280/cut.jpg", data, n), APP_OK);
	assert_int_equal(s3_proc_get(&s3, "images/backdrop/w1280/cut.jpg", &got, &len, NULL, 0),
	                 200);
	assert_int_equal(len, n);
	assert_memory_equal(got, data, n);
	free(got);
	assert_int_equal(storage_remove("images/backdrop/w1280/cut.jpg"), APP_OK);
	free(data);
}

/* image.fetch on the S3 backend: retried while S3 fails (cut, then 503),
 * stored once it recovers, its row 'stored' only then. */
static void image_job_retried_until_stored(void **state)
{
	struct job_result res;
	char args[64], *got = NULL, type[64];
	size_t len;

	(void)state;
	good();
	const char *id = q1("INSERT INTO images (kind, provider_path, state)"
	                    " VALUES ('poster', '/s3Poster.jpg', 'pending') RETURNING id",
	                    NULL, NULL);
	snprintf(args, sizeof(args), "{\"image_id\":%s}", id);

	assert_int_equal(s3_proc_control(&s3, "cut", 1), 0);
	assert_int_equal(jobrun_attempt(kind_image_fetch, db, ar, args, 1, 5, &res), JOB_RETRY);
	assert_string_equal(q1("SELECT state FROM images WHERE id = $1::bigint", id, NULL),
	                    "pending");
	assert_int_equal(s3_proc_count(&s3), 0);

	assert_int_equal(s3_proc_control(&s3, "fail", 1), 0);
	assert_int_equal(jobrun_attempt(kind_image_fetch, db, ar, args, 2, 5, &res), JOB_RETRY);
	assert_string_equal(q1("SELECT state FROM images WHERE id = $1::bigint", id, NULL),
	                    "pending");
	assert_string_equal(
	    q1("SELECT storage_key IS NULL FROM images WHERE id = $1::bigint", id, NULL), "t");
	assert_int_equal(s3_proc_count(&s3), 0);

	assert_int_equal(jobrun_attempt(kind_image_fetch, db, ar, args, 3, 5, &res), JOB_OK);
	assert_string_equal(
	    q1("SELECT state || ' ' || storage_key FROM images WHERE id = $1::bigint", id, NULL),
	    "stored images/poster/w780/s3Poster.jpg");
	assert_true(storage_exists("images/poster/w780/s3Poster.jpg"));
	assert_int_equal(
	    s3_proc_get(&s3, "images/poster/w780/s3Poster.jpg", &got, &len, type, sizeof(type)),
	    200);
	assert_string_equal(type, "image/jpeg");
	assert_true(len > 4);
	assert_memory_equal(got, "\xff\xd8\xff", 3); /* the provider's JPEG */
	assert_string_equal(q1("SELECT bytes FROM images WHERE id = $1::bigint", id, NULL),
	                    api_fmt("%zu", len));
	free(got);
	assert_int_equal(storage_remove("images/poster/w780/s3Poster.jpg"), APP_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(put_exists_remove),
	    cmocka_unit_test(bad_credentials_and_endpoints),
	    cmocka_unit_test(config_check),
	    cmocka_unit_test(failures_leave_nothing),
	    cmocka_unit_test(image_job_retried_until_stored),
	};
	char log[512];
	const char *stack = testenv_stack_dir();
	const char *url = testenv_new_database(NULL);
	int rc;

	log_setup(LL_ERROR, LOG_FMT_LOGFMT, 2);
	signal(SIGPIPE, SIG_IGN);
	snprintf(log, sizeof(log), "%s/log/fake_tmdb_s3.log", stack);
	if (fake_tmdb_start(&fake, KEY, log)) {
		fprintf(stderr, "test_storage_s3: the fake TMDb server did not start\n");
		return 1;
	}
	if (s3_proc_start(&s3, "revenge-test")) {
		fprintf(stderr, "test_storage_s3: s3rver did not start (make "
		                "tests/s3/node_modules/.package-lock.json)\n");
		fake_tmdb_stop(&fake);
		return 1;
	}
	pg = testenv_connect(url);
	db = db_new(url, 5000, 30000);
	ar = arena_new(1 << 16, 64 << 20);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	arena_free(ar);
	db_free(db);
	PQfinish(pg);
	s3_proc_stop(&s3);
	fake_tmdb_stop(&fake);
	return rc;
}
