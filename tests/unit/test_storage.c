/* storage: key validation and the local backend's atomic writes, in a
 * temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/config.h"
#include "storage/storage.h"

static char dir[64];

/* Entries in dir/sub (".", ".." excluded), or -1. */
static int entries(const char *sub)
{
	char cmd[256];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A '%s/%s' | wc -l", dir, sub);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (fscanf(p, "%d", &n) != 1)
		n = -1;
	pclose(p);
	return n;
}

/* Temporary files left in dir/sub, or -1. */
static int temporaries(const char *sub)
{
	char cmd[256];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A '%s/%s' | grep -c '^\\.tmp-'", dir, sub);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (fscanf(p, "%d", &n) != 1)
		n = -1;
	pclose(p);
	return n;
}

/* The file's contents into buf (NUL-terminated); returns the length, or -1. */
static long slurp(const char *key, char *buf, size_t cap)
{
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	if (!(f = fopen(path, "rb")))
		return -1;
	n = fread(buf, 1, cap - 1, f);
	fclose(f);
	buf[n] = '\0';
	return (long)n;
}

static mode_t mode_of(const char *rel)
{
	char path[512];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return stat(path, &sb) ? (mode_t)-1 : sb.st_mode & 07777;
}

static void test_keys(void **state)
{
	char key[300];

	(void)state;
	assert_true(storage_key_valid("images/poster/w780/abc.jpg"));
	assert_true(storage_key_valid("images/poster/w780/pB8BM7pd.jpg")); /* provider names */
	assert_true(storage_key_valid("avatars/1/v2.webp"));
	assert_true(storage_key_valid("0/a_b-c.d"));
	assert_true(storage_key_valid("x"));

	assert_false(storage_key_valid(NULL));
	assert_false(storage_key_valid(""));
	/* absolute, parent, current, hidden */
	assert_false(storage_key_valid("/etc/passwd"));
	assert_false(storage_key_valid("../x"));
	assert_false(storage_key_valid("images/../../etc/passwd"));
	assert_false(storage_key_valid("images/.."));
	assert_false(storage_key_valid("images/a..jpg"));
	assert_false(storage_key_valid("images/./x.jpg"));
	assert_false(storage_key_valid("images/.hidden"));
	assert_false(storage_key_valid("images/w780/.tmp-0123456789abcdef"));
	assert_false(storage_key_valid(".x"));
	/* empty segments */
	assert_false(storage_key_valid("images//x.jpg"));
	assert_false(storage_key_valid("images/x.jpg/"));
	/* upper case first, other characters */
	assert_false(storage_key_valid("Images/x.jpg"));
	assert_false(storage_key_valid("IMAGES"));
	assert_false(storage_key_valid("_x"));
	assert_false(storage_key_valid("-x"));
	assert_false(storage_key_valid("images/x y.jpg"));
	assert_false(storage_key_valid("images/x\\y.jpg"));
	assert_false(storage_key_valid("images/x%2e.jpg"));
	assert_false(storage_key_valid("images/\xc3\xa9.jpg"));
	assert_false(storage_key_valid("images/x\n.jpg"));
	assert_false(storage_key_valid("images/x:y"));

	/* 255 bytes is the limit */
	memset(key, 'a', sizeof(key));
	key[STORAGE_KEY_MAX] = '\0';
	assert_true(storage_key_valid(key));
	key[STORAGE_KEY_MAX] = 'a';
	key[STORAGE_KEY_MAX + 1] = '\0';
	assert_false(storage_key_valid(key));
	key[sizeof(key) - 1] = '\0';
	assert_false(storage_key_valid(key));
}

static void test_bad_keys_touch_nothing(void **state)
{
	(void)state;
	assert_int_equal(storage_put("../escape", "x", 1), APP_ERR_VALIDATION);
	assert_int_equal(storage_put("/tmp/escape", "x", 1), APP_ERR_VALIDATION);
	assert_int_equal(storage_put("a//b", "x", 1), APP_ERR_VALIDATION);
	assert_int_equal(storage_put("Upper/x", "x", 1), APP_ERR_VALIDATION);
	assert_int_equal(storage_put(NULL, "x", 1), APP_ERR_VALIDATION);
	assert_int_equal(storage_remove("/abs"), APP_ERR_VALIDATION);
	assert_int_equal(storage_remove("images/../x"), APP_ERR_VALIDATION);
	assert_false(storage_exists("../test_storage"));
	assert_false(storage_exists(NULL));
	assert_int_equal(access("/tmp/escape", F_OK), -1);
}

static void test_put_exists_remove(void **state)
{
	char buf[64];

	(void)state;
	assert_false(storage_exists("images/poster/w780/a.jpg"));
	assert_int_equal(storage_put("images/poster/w780/a.jpg", "one", 3), APP_OK);
	assert_true(storage_exists("images/poster/w780/a.jpg"));
	assert_int_equal(slurp("images/poster/w780/a.jpg", buf, sizeof(buf)), 3);
	assert_string_equal(buf, "one");
	/* a directory is not an object */
	assert_false(storage_exists("images/poster"));
	assert_int_equal(storage_remove("images/poster/w780/a.jpg"), APP_OK);
	assert_false(storage_exists("images/poster/w780/a.jpg"));
	/* removing what is not there is fine */
	assert_int_equal(storage_remove("images/poster/w780/a.jpg"), APP_OK);
	assert_int_equal(storage_remove("never/was"), APP_OK);
	/* an empty object */
	assert_int_equal(storage_put("images/empty", NULL, 0), APP_OK);
	assert_true(storage_exists("images/empty"));
	assert_int_equal(slurp("images/empty", buf, sizeof(buf)), 0);
	assert_int_equal(storage_remove("images/empty"), APP_OK);
}

static void test_atomic_replace(void **state)
{
	static char big[256 * 1024];
	char buf[64];

	(void)state;
	assert_int_equal(storage_put("images/backdrop/w1280/b.jpg", "first version", 13), APP_OK);
	assert_int_equal(storage_put("images/backdrop/w1280/b.jpg", "second", 6), APP_OK);
	assert_int_equal(slurp("images/backdrop/w1280/b.jpg", buf, sizeof(buf)), 6);
	assert_string_equal(buf, "second");
	/* no temporary file is left next to it */
	assert_int_equal(entries("images/backdrop/w1280"), 1);

	memset(big, 'z', sizeof(big));
	assert_int_equal(storage_put("images/backdrop/w1280/b.jpg", big, sizeof(big)), APP_OK);
	{
		struct stat sb;
		char path[512];

		snprintf(path, sizeof(path), "%s/images/backdrop/w1280/b.jpg", dir);
		assert_int_equal(stat(path, &sb), 0);
		assert_int_equal(sb.st_size, (off_t)sizeof(big));
	}
	assert_int_equal(entries("images/backdrop/w1280"), 1);
}

/* Directories are made as needed, 0755, and files are 0644, whatever the
 * umask: nginx's user must read them. */
static void test_directories_and_modes(void **state)
{
	mode_t old = umask(077);

	(void)state;
	assert_int_equal(storage_put("avatars/7/deep/er/v1.png", "png", 3), APP_OK);
	umask(old);
	assert_int_equal(mode_of("avatars"), 0755);
	assert_int_equal(mode_of("avatars/7"), 0755);
	assert_int_equal(mode_of("avatars/7/deep/er"), 0755);
	assert_int_equal(mode_of("avatars/7/deep/er/v1.png"), 0644);
}

static void test_put_fails_cleanly(void **state)
{
	(void)state;
	/* a file where a directory should be */
	assert_int_equal(storage_put("images/file", "f", 1), APP_OK);
	assert_int_equal(storage_put("images/file/x.jpg", "x", 1), APP_ERR_UNAVAILABLE);
	assert_false(storage_exists("images/file/x.jpg"));
	/* a directory where the object should be: rename refuses, the
	 * temporary file goes */
	assert_int_equal(storage_put("images/dir/inner", "i", 1), APP_OK);
	assert_int_equal(storage_put("images/dir", "d", 1), APP_ERR_UNAVAILABLE);
	assert_int_equal(temporaries("images"), 0);
	assert_int_equal(entries("images/dir"), 1);
	if (geteuid() != 0) {
		/* a read-only directory (root would write anyway) */
		char path[512];

		snprintf(path, sizeof(path), "%s/images/dir", dir);
		assert_int_equal(chmod(path, 0555), 0);
		assert_int_equal(storage_put("images/dir/new", "n", 1), APP_ERR_UNAVAILABLE);
		assert_int_equal(chmod(path, 0755), 0);
		assert_int_equal(entries("images/dir"), 1);
	}
}

#define WRITERS 4
#define ROUNDS 50

static void *writer(void *arg)
{
	char payload[4096], key[64];
	int id = (int)(intptr_t)arg;

	/* each writer's payload is uniform, so a torn object would show */
	memset(payload, 'a' + id, sizeof(payload));
	snprintf(key, sizeof(key), "images/race/own-%d", id);
	for (int i = 0; i < ROUNDS; i++)
		if (storage_put("images/race/shared", payload, sizeof(payload)) ||
		    storage_put(key, payload, (size_t)(i + 1)))
			return (void *)1;
	return NULL;
}

static void test_concurrent_puts(void **state)
{
	static char buf[8192];
	pthread_t t[WRITERS];
	void *rv;
	long n;

	(void)state;
	for (int i = 0; i < WRITERS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, writer, (void *)(intptr_t)i), 0);
	for (int i = 0; i < WRITERS; i++) {
		assert_int_equal(pthread_join(t[i], &rv), 0);
		assert_null(rv);
	}
	n = slurp("images/race/shared", buf, sizeof(buf));
	assert_int_equal(n, 4096);
	for (long i = 1; i < n; i++)
		assert_int_equal(buf[i], buf[0]);
	for (int i = 0; i < WRITERS; i++) {
		char key[64];

		snprintf(key, sizeof(key), "images/race/own-%d", i);
		assert_int_equal(slurp(key, buf, sizeof(buf)), ROUNDS);
	}
	assert_int_equal(entries("images/race"), 1 + WRITERS);
}

static void test_configure(void **state)
{
	static const char text[] = "[storage]\npath = \"/srv/elsewhere//\"\n";
	char *const noenv[] = {NULL};
	char saved[64];
	struct config c;

	(void)state;
	snprintf(saved, sizeof(saved), "%s", storage_root());
	assert_int_equal(config_load_text(&c, text, strlen(text), "t", noenv, NULL), APP_OK);
	storage_configure(&c);
	config_release(&c);
	assert_string_equal(storage_root(), "/srv/elsewhere");
	/* the default path applies without a [storage] section */
	assert_int_equal(config_load_text(&c, NULL, 0, "t", noenv, NULL), APP_OK);
	storage_configure(&c);
	config_release(&c);
	assert_string_equal(storage_root(), "/var/lib/revenge/storage");

	{
		char back[128];

		snprintf(back, sizeof(back), "[storage]\npath = \"%s\"\n", saved);
		assert_int_equal(config_load_text(&c, back, strlen(back), "t", noenv, NULL),
		                 APP_OK);
		storage_configure(&c);
		config_release(&c);
	}
	assert_string_equal(storage_root(), dir);
}

/* The type an object is stored and served with comes from its extension. */
static void test_content_type(void **state)
{
	(void)state;
	assert_string_equal(storage_content_type("images/a/b.jpg"), "image/jpeg");
	assert_string_equal(storage_content_type("images/a/b.jpeg"), "image/jpeg");
	assert_string_equal(storage_content_type("images/avatars/u/1.png"), "image/png");
	assert_string_equal(storage_content_type("images/avatars/u/1.webp"), "image/webp");
	assert_string_equal(storage_content_type("images/x.avif"), "image/avif");
	assert_string_equal(storage_content_type("images/x.gif"), "image/gif");
	assert_string_equal(storage_content_type("images/x.svg"), "application/octet-stream");
	assert_string_equal(storage_content_type("images/x.JPG"), "application/octet-stream");
	assert_string_equal(storage_content_type("images.jpg/x"), "application/octet-stream");
	assert_string_equal(storage_content_type("noext"), "application/octet-stream");
	assert_string_equal(storage_content_type(NULL), "application/octet-stream");
}

/* The S3 settings are checked at start-up; the local backend needs none. */
static void test_s3_config_check(void **state)
{
	static const struct {
		const char *text;
		int ok;
	} cases[] = {
	    {"", 1},
	    {"[storage]\nbackend = local\n", 1},
	    {"[storage]\nbackend = s3\ns3_endpoint = \"http://127.0.0.1:9000\"\ns3_bucket = b-1.x\n"
	     "s3_access_key = a\ns3_secret_key = s\n",
	     1},
	    {"[storage]\nbackend = s3\ns3_endpoint = \"https://s3.example.com/\"\ns3_bucket = bkt\n"
	     "s3_access_key = a\ns3_secret_key = s\n",
	     1},
	    {"[storage]\nbackend = s3\ns3_endpoint = \"http://u@h\"\ns3_bucket = bkt\n"
	     "s3_access_key = a\ns3_secret_key = s\n",
	     0},
	    {"[storage]\nbackend = s3\ns3_endpoint = \"http://h?x\"\ns3_bucket = bkt\n"
	     "s3_access_key = a\ns3_secret_key = s\n",
	     0},
	    {"[storage]\nbackend = s3\ns3_endpoint = \"http://h\"\ns3_bucket = ab\n"
	     "s3_access_key = a\ns3_secret_key = s\n",
	     0},
	    {"[storage]\nbackend = s3\ns3_endpoint = \"http://h\"\ns3_bucket = bkt\n"
	     "s3_access_key = a\n",
	     0},
	};
	char *const noenv[] = {NULL};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config c;
		struct buf err;

		buf_init(&err, 512);
		assert_int_equal(
		    config_load_text(&c, cases[i].text, strlen(cases[i].text), "t", noenv, NULL),
		    APP_OK);
		if ((storage_config_check(&c, &err) == 0) != cases[i].ok)
			fail_msg("case %zu: %s", i, err.data);
		assert_true(cases[i].ok ? err.len == 0 : strstr(err.data, "storage.s3_") != NULL);
		config_release(&c);
		buf_release(&err);
	}
	/* checking configures nothing */
	assert_false(storage_is_s3());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_keys),
	    cmocka_unit_test(test_bad_keys_touch_nothing),
	    cmocka_unit_test(test_put_exists_remove),
	    cmocka_unit_test(test_atomic_replace),
	    cmocka_unit_test(test_directories_and_modes),
	    cmocka_unit_test(test_put_fails_cleanly),
	    cmocka_unit_test(test_concurrent_puts),
	    cmocka_unit_test(test_configure),
	    cmocka_unit_test(test_content_type),
	    cmocka_unit_test(test_s3_config_check),
	};
	char text[128], cmd[128];
	struct config c;
	char *const noenv[] = {NULL};
	int rc;

	snprintf(dir, sizeof(dir), "/tmp/test_storage.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	/* the root itself is made by the first put */
	snprintf(text, sizeof(text), "[storage]\npath = \"%s/root\"\n", dir);
	if (config_load_text(&c, text, strlen(text), "t", noenv, NULL))
		return 1;
	storage_configure(&c);
	config_release(&c);
	snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/root");
	if (strcmp(storage_root(), dir))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	dir[strlen(dir) - strlen("/root")] = '\0';
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		rc = rc ? rc : 1;
	return rc;
}
