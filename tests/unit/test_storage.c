/* storage: key validation and the local backend's atomic writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/config.h"
#include "storage/storage.h"

static char dir[64];

static void keys(void **state)
{
	char longkey[300];
	(void)state;
	assert_true(storage_key_valid("images/poster/w780/pB8BM7pd.jpg"));
	assert_true(storage_key_valid("avatars/1/v2.webp"));
	assert_false(storage_key_valid(""));
	assert_false(storage_key_valid(NULL));
	assert_false(storage_key_valid("/etc/passwd"));
	assert_false(storage_key_valid("images/../../etc/passwd"));
	assert_false(storage_key_valid("images/./x.jpg"));
	assert_false(storage_key_valid("images//x.jpg"));
	assert_false(storage_key_valid("images/x.jpg/"));
	assert_false(storage_key_valid("Images/x.jpg"));
	assert_false(storage_key_valid("images/x y.jpg"));
	assert_false(storage_key_valid("images/x\\y.jpg"));
	memset(longkey, 'a', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = 0;
	assert_false(storage_key_valid(longkey));
}

static void put_replace_remove(void **state)
{
	char path[256], buf[16] = {0};
	FILE *f;
	(void)state;
	assert_int_equal(storage_put("images/poster/w780/a.jpg", "one", 3), APP_OK);
	assert_true(storage_exists("images/poster/w780/a.jpg"));
	assert_int_equal(storage_put("images/poster/w780/a.jpg", "second", 6), APP_OK);
	snprintf(path, sizeof(path), "%s/images/poster/w780/a.jpg", dir);
	assert_non_null(f = fopen(path, "r"));
	assert_int_equal(fread(buf, 1, sizeof(buf) - 1, f), 6);
	fclose(f);
	assert_string_equal(buf, "second");
	/* no temporary file is left next to it */
	snprintf(path, sizeof(path), "ls -A '%s/images/poster/w780' | wc -l | grep -qx 1", dir);
	assert_int_equal(system(path), 0);
	assert_int_equal(storage_put("../x", "x", 1), APP_ERR_VALIDATION);
	assert_int_equal(storage_remove("images/poster/w780/a.jpg"), APP_OK);
	assert_false(storage_exists("images/poster/w780/a.jpg"));
	assert_int_equal(storage_remove("images/poster/w780/a.jpg"), APP_OK);
	assert_int_equal(storage_remove("/abs"), APP_ERR_VALIDATION);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(keys), cmocka_unit_test(put_replace_remove)};
	char text[128], cmd[128];
	struct config c;
	char *const noenv[] = {NULL};
	int rc;

	snprintf(dir, sizeof(dir), "/tmp/test_storage.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	snprintf(text, sizeof(text), "[storage]\npath = \"%s\"\n", dir);
	if (config_load_text(&c, text, strlen(text), "t", noenv, NULL))
		return 1;
	storage_configure(&c);
	config_release(&c);
	assert_string_equal(storage_root(), dir);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		rc = rc ? rc : 1;
	return rc;
}
