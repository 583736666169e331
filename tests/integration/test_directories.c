/*
 * GET /api/v1/admin/directories (the folder picker, library/dirs.h)
 * through the real FastCGI pool, on a temporary tree:
 *
 *   base/media          allowed root: Movies/{Action, Drama, file.mkv},
 *                       Zeta, alpha, .hidden, readme.txt, link_in ->
 *                       Movies/Action, link_out -> outside, link_file ->
 *                       Movies/file.mkv, locked (mode 000)
 *   base/tv             allowed root
 *   base/missing        allowed root that does not exist
 *   base                allowed root holding the server's state:
 *   base/etc            the configuration's directory
 *   base/storage        storage.path
 *   many                allowed root in /tmp (short paths) with 1005
 *                       directories, for the cap
 *   outside             in no allowed root, with a directory inside
 */
#include <limits.h>
#include <setjmp.h>
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
#include <cjson/cJSON.h>

#include "api.h"
#include "fcgi_client.h"
#include "server.h"
#include "testenv.h"

static char conf[1200], sock[256], log_path[PATH_MAX];
static char base[1024], media[1100], many[64], outside[64];
static pid_t server = -1;
static PGconn *pg;
static struct api_user admin, moder, plain;

static void mk(const char *p)
{
	if (mkdir(p, 0755) < 0)
		fail_msg("mkdir %s failed", p);
}

static void touch(const char *p)
{
	FILE *f = fopen(p, "w");
	if (!f)
		fail_msg("cannot create %s", p);
	fclose(f);
}

/* GET the listing of path (NULL: the roots) as token; the status. */
static int list(const char *token, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	char uri[12288] = "/api/v1/admin/directories";
	size_t o = strlen(uri);

	if (path) {
		memcpy(uri + o, "?path=", 6);
		o += 6;
		for (const unsigned char *p = (const unsigned char *)path;
		     *p && o + 4 < sizeof(uri); p++) {
			if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || strchr("/-_.~", *p)) {
				uri[o++] = (char)*p;
			} else {
				uri[o++] = '%';
				uri[o++] = hex[*p >> 4];
				uri[o++] = hex[*p & 15];
			}
		}
		uri[o] = '\0';
	}
	return api_call("GET", uri, token, NULL);
}

static const cJSON *dirs(void)
{
	return api_get(api_last_json, "directories");
}

/* The names listed, joined with ",". */
static const char *names(void)
{
	static char out[16384];
	const cJSON *it;
	size_t o = 0;

	out[0] = '\0';
	cJSON_ArrayForEach(it, dirs())
	{
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s", o ? "," : "",
		                      api_str(it, "name"));
		if (o >= sizeof(out))
			break;
	}
	return out;
}

static const cJSON *entry(const char *name)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, dirs())
	{
		if (!strcmp(api_str(it, "name"), name))
			return it;
	}
	return NULL;
}

static bool is_null(const char *key)
{
	return cJSON_IsNull(api_get(api_last_json, key));
}

/* --- setup ------------------------------------------------------------------ */

static int setup(void **state)
{
	const char *db = testenv_new_database(NULL);
	char real[PATH_MAX];

	(void)state;
	snprintf(base, sizeof(base), "%s/dirs-XXXXXX", testenv_stack_dir());
	snprintf(many, sizeof(many), "/tmp/rvd-XXXXXX");
	snprintf(outside, sizeof(outside), "/tmp/rvd-out-XXXXXX");
	if (!mkdtemp(base) || !realpath(base, real) || !mkdtemp(many) || !mkdtemp(outside))
		return -1;
	if (strlen(real) >= sizeof(base))
		return -1;
	memcpy(base, real, strlen(real) + 1);
	if (!realpath(many, real) || strlen(real) >= sizeof(many))
		return -1;
	memcpy(many, real, strlen(real) + 1);
	snprintf(media, sizeof(media), "%s/media", base);
	mk(media);
	mk(api_fmt("%s/Movies", media));
	mk(api_fmt("%s/Movies/Action", media));
	mk(api_fmt("%s/Movies/Drama", media));
	touch(api_fmt("%s/Movies/file.mkv", media));
	mk(api_fmt("%s/Zeta", media));
	mk(api_fmt("%s/alpha", media));
	mk(api_fmt("%s/.hidden", media));
	mk(api_fmt("%s/locked", media));
	chmod(api_fmt("%s/locked", media), 0);
	touch(api_fmt("%s/readme.txt", media));
	if (symlink(api_fmt("%s/Movies/Action", media), api_fmt("%s/link_in", media)) < 0 ||
	    symlink(outside, api_fmt("%s/link_out", media)) < 0 ||
	    symlink(api_fmt("%s/Movies/file.mkv", media), api_fmt("%s/link_file", media)) < 0)
		return -1;
	mk(api_fmt("%s/secret", outside));
	mk(api_fmt("%s/tv", base));
	mk(api_fmt("%s/etc", base));
	mk(api_fmt("%s/etc/inner", base));
	mk(api_fmt("%s/storage", base));
	for (int i = 0; i < 1005; i++)
		mk(api_fmt("%s/d%04d", many, 1004 - i)); /* made in reverse order */

	snprintf(sock, sizeof(sock), "/tmp/revenge-dirs-%d.sock", (int)getpid());
	snprintf(log_path, sizeof(log_path), "%s/log/test_directories.log", testenv_stack_dir());
	snprintf(conf, sizeof(conf), "%s/etc/revenge.conf", base);
	pg = testenv_connect(db);
	api_pg = pg;
	api_sock = sock;
	testenv_write_config(conf, db, sock,
	                     api_fmt("pool_size = 2\n" TESTENV_FAST_AUTH
	                         "[library]\nallowed_roots = %s, %s/tv, %s/missing, %s, %s\n"
	                         "[storage]\npath = %s/storage\n",
	                         media, base, base, base, many, base));
	server = server_start(conf, sock, log_path);
	if (server <= 0)
		return -1;
	api_new_user(&admin, "dirs_admin", "admin");
	api_new_user(&moder, "dirs_moderator", "moderator");
	api_new_user(&plain, "dirs_plain", NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (server > 0 && waitpid(server, NULL, WNOHANG) == 0)
		server_stop(server, 5000);
	cJSON_Delete(api_last_json);
	PQfinish(pg);
	if (media[0])
		chmod(api_fmt("%s/locked", media), 0755);
	if (base[0] && system(api_fmt("rm -rf '%s' '%s' '%s'", base, many, outside)) != 0)
		print_message("could not remove the tree\n");
	return 0;
}

/* --- tests ------------------------------------------------------------------ */

static void roots(void **state)
{
	(void)state;
	EXPECT(list(moder.token, NULL), 200);
	assert_true(is_null("path"));
	assert_true(is_null("parent"));
	assert_true(cJSON_IsFalse(api_get(api_last_json, "truncated")));
	/* the configured order; base/missing does not exist and is left out */
	assert_int_equal(cJSON_GetArraySize(dirs()), 4);
	assert_string_equal(names(), api_fmt("%s,%s/tv,%s,%s", media, base, base, many));
	assert_string_equal(api_str(entry(media), "path"), media);
}

static void nested_with_parent(void **state)
{
	(void)state;
	EXPECT(list(admin.token, media), 200);
	assert_string_equal(api_str(api_last_json, "path"), media);
	/* base is an allowed root too: the parent may be shown */
	assert_string_equal(api_str(api_last_json, "parent"), base);
	/* directories and links to directories inside, byte order; no .hidden,
	 * no files, no link to a file, no link out of the roots */
	assert_string_equal(names(), "Movies,Zeta,alpha,link_in,locked");
	assert_string_equal(api_str(entry("Movies"), "path"), api_fmt("%s/Movies", media));
	assert_string_equal(api_str(entry("link_in"), "path"), api_fmt("%s/link_in", media));
	assert_true(cJSON_IsFalse(api_get(api_last_json, "truncated")));

	EXPECT(list(admin.token, api_fmt("%s/Movies", media)), 200);
	assert_string_equal(names(), "Action,Drama");
	assert_string_equal(api_str(api_last_json, "parent"), media);
	/* a trailing slash and a doubled one resolve away; a link lists its target */
	EXPECT(list(admin.token, api_fmt("%s//Movies/", media)), 200);
	assert_string_equal(api_str(api_last_json, "path"), api_fmt("%s/Movies", media));
	EXPECT(list(admin.token, api_fmt("%s/link_in", media)), 200);
	assert_string_equal(api_str(api_last_json, "path"), api_fmt("%s/Movies/Action", media));
	assert_int_equal(cJSON_GetArraySize(dirs()), 0);
	/* ".." inside the roots is fine once resolved */
	EXPECT(list(admin.token, api_fmt("%s/Movies/Action/../Drama", media)), 200);
	assert_string_equal(api_str(api_last_json, "path"), api_fmt("%s/Movies/Drama", media));
	/* at a root whose parent is in no root: parent null */
	EXPECT(list(admin.token, base), 200);
	assert_true(is_null("parent"));
	/* the server's own files are not shown inside base */
	assert_string_equal(names(), "media,tv");
}

static void refusals(void **state)
{
	(void)state;
	/* not absolute, empty, too long, NUL: 400 */
	EXPECT_FIELD(list(admin.token, "media/Movies"), 400, "path");
	EXPECT_FIELD(api_call("GET", "/api/v1/admin/directories?path=", admin.token, NULL), 400,
	             "path");
	EXPECT_FIELD(api_call("GET", api_fmt("/api/v1/admin/directories?path=%s%%00x", media),
	                      admin.token, NULL),
	             400, "path");
	char longp[4200];
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	EXPECT_FIELD(list(admin.token, longp), 400, "path");
	EXPECT_FIELD(api_call("GET", "/api/v1/admin/directories?dir=/", admin.token, NULL), 400,
	             "dir");
	/* outside the roots: 403, whether it exists or not */
	EXPECT_FIELD(list(admin.token, "/etc"), 403, "path");
	assert_non_null(strstr(api_str(api_last_json, "detail"), "library.allowed_roots"));
	EXPECT_FIELD(list(admin.token, "/"), 403, "path");
	EXPECT_FIELD(list(admin.token, "/no/such/dir/anywhere"), 403, "path");
	EXPECT_FIELD(list(admin.token, outside), 403, "path");
	/* ".." out of a root, and links out */
	EXPECT_FIELD(list(admin.token, api_fmt("%s/../../../../../../../../etc", media)), 403, "path");
	EXPECT_FIELD(list(admin.token, api_fmt("%s/link_out", media)), 403, "path");
	EXPECT_FIELD(list(admin.token, api_fmt("%s/link_out/secret", media)), 403, "path");
	/* a detail never names a server path */
	assert_null(strstr(api_str(api_last_json, "detail"), outside));
	assert_null(strstr(api_str(api_last_json, "detail"), media));
	EXPECT_FIELD(list(admin.token, api_fmt("%s/link_out/nope", media)), 403, "path");
	/* the server's state inside an allowed root */
	EXPECT_FIELD(list(admin.token, api_fmt("%s/etc", base)), 403, "path");
	assert_non_null(strstr(api_str(api_last_json, "detail"), "server's own files"));
	EXPECT_FIELD(list(admin.token, api_fmt("%s/etc/inner", base)), 403, "path");
	EXPECT_FIELD(list(admin.token, api_fmt("%s/storage", base)), 403, "path");
	/* inside the roots but missing, or no directory: 404 */
	EXPECT_FIELD(list(admin.token, api_fmt("%s/nope", media)), 404, "path");
	EXPECT_FIELD(list(admin.token, api_fmt("%s/nope/deeper", media)), 404, "path");
	EXPECT_FIELD(list(admin.token, api_fmt("%s/Movies/file.mkv", media)), 404, "path");
	EXPECT_FIELD(list(admin.token, api_fmt("%s/link_file", media)), 404, "path");
	if (geteuid() == 0) {
		/* root reads a mode-000 directory: this one cannot hold as root */
		print_message("skipping the unreadable-directory assertion: running as root\n");
	} else {
		EXPECT_FIELD(list(admin.token, api_fmt("%s/locked", media)), 403, "path");
	}
}

static void capped_at_1000(void **state)
{
	(void)state;
	EXPECT(list(admin.token, many), 200);
	assert_int_equal(cJSON_GetArraySize(dirs()), 1000);
	assert_true(cJSON_IsTrue(api_get(api_last_json, "truncated")));
	/* the first thousand by name, whatever order the disk gives */
	assert_string_equal(api_str(cJSON_GetArrayItem(dirs(), 0), "name"), "d0000");
	assert_string_equal(api_str(cJSON_GetArrayItem(dirs(), 999), "name"), "d0999");
	assert_string_equal(api_str(cJSON_GetArrayItem(dirs(), 999), "path"),
	                    api_fmt("%s/d0999", many));
	for (int i = 1; i < 1000; i++)
		assert_true(strcmp(api_str(cJSON_GetArrayItem(dirs(), i - 1), "name"),
		                   api_str(cJSON_GetArrayItem(dirs(), i), "name")) < 0);
}

static void permission(void **state)
{
	(void)state;
	/* libraries:create: moderators and admins, not users */
	EXPECT(list(plain.token, NULL), 403);
	EXPECT(list(plain.token, media), 403);
	EXPECT(list(NULL, NULL), 401);
	EXPECT(list(moder.token, media), 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(roots),      cmocka_unit_test(nested_with_parent),
	    cmocka_unit_test(refusals),   cmocka_unit_test(capped_at_1000),
	    cmocka_unit_test(permission),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
