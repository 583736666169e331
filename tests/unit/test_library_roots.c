/*
 * library/roots.h: where a library may point, on a temporary tree
 *   T/media, T/etc (the configuration's directory) with T/etc/media and
 *   T/etc/other, T/storage, T/out-link -> /usr (outside every allowed root)
 * with library.allowed_roots = T, T/etc/media unless a test says otherwise.
 */
#include <limits.h>
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

#include "app.h"
#include "core/config.h"
#include "library/roots.h"

static char top[PATH_MAX];

static const char *at(const char *sub)
{
	static char out[4][PATH_MAX + 64];
	static int turn;
	char *o = out[turn++ % 4];

	snprintf(o, PATH_MAX + 64, "%s%s", top, sub);
	return o;
}

/* A configuration with allowed_roots (NULL: unset), the storage in
 * T/storage and the file read from T/etc/revenge.conf. */
static void load(struct config *c, const char *allowed)
{
	char text[4 * PATH_MAX];
	struct buf err;

	buf_init(&err, 512);
	snprintf(text, sizeof(text), "[storage]\npath = \"%s\"\n%s%s%s\n", at("/storage"),
	         allowed ? "[library]\nallowed_roots = \"" : "", allowed ? allowed : "",
	         allowed ? "\"" : "");
	if (config_load_text(c, text, strlen(text), "test", NULL, &err))
		fail_msg("config: %s", err.data);
	buf_release(&err);
	c->config_file = strdup(at("/etc/revenge.conf"));
}

static int refused(const struct config *c, const char *root, const char *want_detail)
{
	struct field_error fe = {{0}, {0}};
	enum app_err e = library_root_permitted(c, root, "paths[3]", &fe);

	if (e == APP_OK)
		return 0;
	assert_int_equal(e, APP_ERR_UNPROCESSABLE);
	assert_string_equal(fe.field, "paths[3]");
	if (want_detail && !strstr(fe.detail, want_detail))
		fail_msg("detail \"%s\" lacks \"%s\"", fe.detail, want_detail);
	/* a server path is never echoed */
	assert_null(strstr(fe.detail, top));
	return 1;
}

static int setup(void **state)
{
	char tmpl[] = "/tmp/revenge-roots-XXXXXX";

	(void)state;
	if (!mkdtemp(tmpl) || !realpath(tmpl, top))
		return -1;
	const char *dirs[] = {"/media", "/etc", "/etc/media", "/etc/other", "/storage"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (mkdir(at(dirs[i]), 0755) < 0)
			return -1;
	return symlink("/usr", at("/out-link")) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd) == 0 ? 0 : -1;
}

static void unset_refuses_everything(void **state)
{
	struct config c;

	(void)state;
	load(&c, NULL);
	assert_null(c.library_allowed_roots);
	assert_true(refused(&c, at("/media"), "no library.allowed_roots"));
	config_release(&c);
}

static void inside_an_allowed_root_only(void **state)
{
	struct config c;
	char allowed[3 * PATH_MAX];

	(void)state;
	snprintf(allowed, sizeof(allowed), "%s , %s/etc/media/", top, top);
	load(&c, allowed);
	assert_false(refused(&c, at("/media"), NULL));
	assert_true(refused(&c, "/etc", "library.allowed_roots"));
	assert_true(refused(&c, "/usr", "library.allowed_roots"));
	/* a sibling sharing the prefix is not inside */
	char sibling[PATH_MAX + 16];
	snprintf(sibling, sizeof(sibling), "%s-other", top);
	assert_true(refused(&c, sibling, "library.allowed_roots"));
	config_release(&c);
}

static void state_is_off_limits(void **state)
{
	struct config c;
	char allowed[3 * PATH_MAX];

	(void)state;
	snprintf(allowed, sizeof(allowed), "%s, %s/etc/media", top, top);
	load(&c, allowed);
	assert_true(refused(&c, top, "contains"));
	assert_true(refused(&c, at("/etc"), "contains"));
	assert_true(refused(&c, at("/etc/other"), "is inside"));
	assert_true(refused(&c, at("/storage"), "contains"));
	/* an allowed root listed inside the configuration directory opens it */
	assert_false(refused(&c, at("/etc/media"), NULL));
	config_release(&c);
	/* a broad allowed root alone opens nothing of the state */
	load(&c, top);
	assert_true(refused(&c, at("/etc/media"), "is inside"));
	config_release(&c);
}

/* library_scope_browsable on c: true, or false with the reason want. */
static void browse(const struct library_scope *s, const char *real, const char *want)
{
	const char *why = "unset";
	bool ok = library_scope_browsable(s, real, &why);

	if (!want) {
		assert_true(ok);
		assert_null(why);
	} else {
		assert_false(ok);
		assert_string_equal(why, want);
	}
}

static void scope_for_the_picker(void **state)
{
	struct config c;
	struct library_scope s;
	struct arena *a = arena_new(4096, 1 << 20);
	char allowed[5 * PATH_MAX];

	(void)state;
	assert_non_null(a);
	snprintf(allowed, sizeof(allowed), " %s/media , %s/etc/media,%s/nope, %s", top, top, top, top);
	load(&c, allowed);
	assert_int_equal(library_scope_load(&c, a, &s), APP_OK);
	assert_int_equal(s.nroots, 4);
	assert_string_equal(s.written[0], at("/media"));
	assert_string_equal(s.real[1], at("/etc/media"));
	assert_string_equal(s.written[2], at("/nope"));
	assert_null(s.real[2]); /* does not exist: admits nothing */
	assert_int_equal(s.nstate, 2);
	assert_string_equal(s.state[0], at("/etc"));
	assert_string_equal(s.state[1], at("/storage"));
	/* a folder that contains the state may be shown (unlike a root) */
	browse(&s, top, NULL);
	browse(&s, at("/media"), NULL);
	browse(&s, at("/media/deeper/still"), NULL);
	/* inside the state: only below an allowed root listed there */
	browse(&s, at("/etc"), "state");
	browse(&s, at("/etc/other"), "state");
	browse(&s, at("/etc/media"), NULL);
	browse(&s, at("/etc/media/x"), NULL);
	browse(&s, at("/storage"), "state");
	browse(&s, at("/storage/images"), "state");
	/* outside every root; a prefix that is no parent does not count */
	browse(&s, "/usr", "outside");
	browse(&s, "/", "outside");
	char sibling[PATH_MAX + 8];
	snprintf(sibling, sizeof(sibling), "%sx", top);
	browse(&s, sibling, "outside");
	config_release(&c);
	/* unset: nothing */
	load(&c, NULL);
	assert_int_equal(library_scope_load(&c, a, &s), APP_OK);
	assert_int_equal(s.nroots, 0);
	browse(&s, top, "outside");
	config_release(&c);
	arena_free(a);
}

static void config_check(void **state)
{
	struct config c;
	struct buf err;

	(void)state;
	buf_init(&err, 512);
	load(&c, "/srv/media, relative/dir");
	assert_int_equal(library_roots_config_check(&c, &err), APP_ERR_VALIDATION);
	assert_non_null(strstr(err.data, "library.allowed_roots: entry 2"));
	assert_int_equal(app_config_check(&c, &err), APP_ERR_VALIDATION);
	config_release(&c);
	load(&c, "/srv/media,/mnt/films");
	assert_int_equal(library_roots_config_check(&c, &err), APP_OK);
	config_release(&c);
	buf_release(&err);
}

static void extensions(void **state)
{
	(void)state;
	const char *ok[] = {"mkv", "mp4", "m2ts", "srt", "ass", "vtt", "nfo", "jpg", "png", "webp"};
	const char *no[] = {"txt", "pem", "conf", "sh", "key", "db", "log", "json", "", "MKV"};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		assert_true(library_extension_permitted(ok[i]));
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_false(library_extension_permitted(no[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unset_refuses_everything),
	    cmocka_unit_test(inside_an_allowed_root_only),
	    cmocka_unit_test(state_is_off_limits),
	    cmocka_unit_test(scope_for_the_picker),
	    cmocka_unit_test(config_check),
	    cmocka_unit_test(extensions),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
