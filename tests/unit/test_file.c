/*
 * Reading a small untrusted file whole (core/file.c), as local artwork,
 * NFO sidecars and subtitle conversion do: the cap, symlinks, FIFOs and
 * directories refused without blocking, the bytes NUL-terminated.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/file.h"

static char dir[] = "/tmp/revenge-file-XXXXXX";

static const char *at(const char *name)
{
	static char path[2][PATH_MAX];
	static int turn;
	char *p = path[turn++ % 2];
	snprintf(p, PATH_MAX, "%s/%s", dir, name);
	return p;
}

static void put(const char *name, const char *bytes, size_t n)
{
	FILE *f = fopen(at(name), "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(bytes, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	put("small.srt", "1\n00:00:01,000 --> 00:00:02,000\nHi\n", 35);
	put("empty.nfo", "", 0);
	put("bin", "a\0b", 3);
	if (symlink(at("small.srt"), at("link.srt")) || mkfifo(at("fifo.srt"), 0600) ||
	    mkdir(at("sub.srt"), 0700))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void reads_whole_files_under_the_cap(void **state)
{
	char *data;
	size_t len;
	(void)state;

	assert_int_equal(file_read_capped(at("small.srt"), 35, &data, &len), FILE_READ_OK);
	assert_int_equal(len, 35);
	assert_memory_equal(data, "1\n00:00:01,000 --> 00:00:02,000\nHi\n", 35);
	assert_int_equal(data[35], 0);
	free(data);

	/* NUL bytes inside are kept; the length says where it ends */
	assert_int_equal(file_read_capped(at("bin"), 3, &data, &len), FILE_READ_OK);
	assert_int_equal(len, 3);
	assert_memory_equal(data, "a\0b", 3);
	free(data);

	/* an empty file is read (what it means is the caller's) */
	assert_int_equal(file_read_capped(at("empty.nfo"), 10, &data, &len), FILE_READ_OK);
	assert_int_equal(len, 0);
	assert_string_equal(data, "");
	free(data);
}

static void refuses_what_is_not_a_small_regular_file(void **state)
{
	char *data = (char *)1;
	size_t len = 99;
	(void)state;

	assert_int_equal(file_read_capped(at("small.srt"), 34, &data, &len), FILE_READ_TOO_BIG);
	assert_null(data);
	assert_int_equal(len, 0);
	assert_int_equal(file_read_capped(at("link.srt"), 1 << 20, &data, &len), FILE_READ_SYMLINK);
	assert_null(data);
	/* opened without blocking although nobody writes to it */
	assert_int_equal(file_read_capped(at("fifo.srt"), 1 << 20, &data, &len),
	                 FILE_READ_NOT_REGULAR);
	assert_int_equal(file_read_capped(at("sub.srt"), 1 << 20, &data, &len),
	                 FILE_READ_NOT_REGULAR);
	assert_int_equal(file_read_capped(at("missing.srt"), 1 << 20, &data, &len),
	                 FILE_READ_UNREADABLE);
	assert_null(data);

	assert_string_equal(file_read_why(FILE_READ_SYMLINK), "a symlink");
	assert_string_equal(file_read_why(FILE_READ_TOO_BIG), "too big");
	assert_string_equal(file_read_why(FILE_READ_NOT_REGULAR), "not a regular file");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(reads_whole_files_under_the_cap),
	    cmocka_unit_test(refuses_what_is_not_a_small_regular_file),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
