/*
 * Direct play's pieces that need no server (http/accel.c): the
 * X-Accel-Redirect URI encoding, the check that a resolved file lies in one
 * of its library's roots (a symlink out of the library is refused), the
 * media types by extension; and the declared body of the progress routes
 * (catalog/watch.c), which the dispatcher checks before the handler.
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

#include "catalog/watch.h"
#include "core/arena.h"
#include "http/accel.h"
#include "http/body.h"

static void uri_encoding(void **state)
{
	struct arena *a = arena_new(4096, 1 << 20);
	(void)state;

	assert_string_equal(accel_uri(a, "/srv/Movies/The_Matrix-1999.mkv"),
			    "/_media/srv/Movies/The_Matrix-1999.mkv");
	assert_string_equal(accel_uri(a, "/srv/a b/100%?#.mkv"), "/_media/srv/a%20b/100%25%3F%23.mkv");
	assert_string_equal(accel_uri(a, "/srv/Am\xc3\xa9lie.mkv"), "/_media/srv/Am%C3%A9lie.mkv");
	assert_string_equal(accel_uri(a, ""), "/_media");
	arena_free(a);
}

static void media_types(void **state)
{
	(void)state;
	assert_string_equal(accel_media_type("/x/a.MKV"), "video/x-matroska");
	assert_string_equal(accel_media_type("/x/a.en.srt"), "application/x-subrip");
	assert_string_equal(accel_media_type("/x/a.mp4"), "video/mp4");
	assert_string_equal(accel_media_type("/x.mkv/noext"), "application/octet-stream");
	assert_string_equal(accel_media_type("/x/a.unknown"), "application/octet-stream");
}

static void inside_roots(void **state)
{
	char tmpl[] = "/tmp/accel_XXXXXX", lib[256], other[256], real[PATH_MAX];
	char roots[2 * PATH_MAX], file[PATH_MAX], link[PATH_MAX], sib[PATH_MAX];
	(void)state;

	assert_non_null(mkdtemp(tmpl));
	snprintf(lib, sizeof(lib), "%s/lib", tmpl);
	snprintf(other, sizeof(other), "%s/lib2", tmpl); /* shares lib's prefix */
	assert_int_equal(mkdir(lib, 0700), 0);
	assert_int_equal(mkdir(other, 0700), 0);
	snprintf(file, sizeof(file), "%s/a.mkv", lib);
	snprintf(sib, sizeof(sib), "%s/b.mkv", other);
	fclose(fopen(file, "w"));
	fclose(fopen(sib, "w"));
	snprintf(link, sizeof(link), "%s/out.mkv", lib);
	assert_int_equal(symlink(sib, link), 0);
	snprintf(roots, sizeof(roots), "[\"%s\"]", lib);

	assert_non_null(realpath(file, real));
	assert_true(accel_inside_roots(real, roots));
	/* a symlink in the library to a file outside it resolves outside */
	assert_non_null(realpath(link, real));
	assert_false(accel_inside_roots(real, roots));
	/* a directory whose name begins with the root's is not inside it */
	assert_non_null(realpath(sib, real));
	assert_false(accel_inside_roots(real, roots));
	assert_false(accel_inside_roots(real, "not json"));
	assert_false(accel_inside_roots(real, "[1, null]"));
	assert_true(accel_inside_roots(real, "[\"/\"]"));

	unlink(link);
	unlink(file);
	unlink(sib);
	rmdir(lib);
	rmdir(other);
	rmdir(tmpl);
}

static enum app_err progress(const char *json, const char **field)
{
	static struct field_error fe;
	cJSON *o = cJSON_Parse(json);
	memset(&fe, 0, sizeof(fe));
	enum app_err e = body_validate(catalog_progress_body, o, &fe);
	cJSON_Delete(o);
	*field = fe.field;
	return e;
}

static void progress_body(void **state)
{
	const char *field;
	(void)state;

	assert_int_equal(progress("{\"position_seconds\":5}", &field), APP_OK);
	assert_int_equal(progress("{\"position_seconds\":0,\"duration_seconds\":60}", &field),
			 APP_OK);
	assert_int_equal(progress("{\"position_seconds\":-1}", &field), APP_ERR_VALIDATION);
	assert_string_equal(field, "position_seconds");
	assert_int_equal(progress("{\"position_seconds\":\"ten\"}", &field), APP_ERR_VALIDATION);
	assert_string_equal(field, "position_seconds");
	assert_int_equal(progress("{\"position_seconds\":1.5}", &field), APP_ERR_VALIDATION);
	assert_string_equal(field, "position_seconds");
	assert_int_equal(progress("{\"duration_seconds\":10}", &field), APP_ERR_VALIDATION);
	assert_string_equal(field, "position_seconds");
	assert_int_equal(progress("{\"position_seconds\":1,\"duration_seconds\":0}", &field),
			 APP_ERR_VALIDATION);
	assert_string_equal(field, "duration_seconds");
	assert_int_equal(progress("{\"position_seconds\":1000000001}", &field),
			 APP_ERR_VALIDATION);
	assert_int_equal(progress("{\"position\":1}", &field), APP_ERR_VALIDATION);
	assert_string_equal(field, "position");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(uri_encoding),
	    cmocka_unit_test(media_types),
	    cmocka_unit_test(inside_roots),
	    cmocka_unit_test(progress_body),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
