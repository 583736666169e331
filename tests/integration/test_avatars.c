/*
 * Avatars end to end over the pool's socket (POST/DELETE
 * /api/v1/users/me/avatar), once with the local directory backend and once
 * with the S3 backend against s3rver (tests/s3/server.mjs): versioned keys,
 * the object's bytes, the previous version removed, avatar_url in the
 * account, bad pictures refused with nothing written, a failed database
 * step removing the object it had stored, and an admin's delete removing
 * the picture.
 */
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
#include <unistd.h>
#include <cmocka.h>
#include <cjson/cJSON.h>

#include "api.h"
#include "fcgi_client.h"
#include "s3_proc.h"
#include "server.h"
#include "testenv.h"

#define AVATAR_MAX (2 * 1024 * 1024)

static char conf[256], sock[256], log_path[256], db_url[1024], store[512];
static pid_t server = -1;
static struct s3_proc s3;
static bool on_s3;

/* --- the backend under test ---------------------------------------------- */

static void start_server(bool s3_backend)
{
	char extra[2048];

	on_s3 = s3_backend;
	if (s3_backend)
		snprintf(extra, sizeof(extra),
		         "pool_size = 2\n" TESTENV_FAST_AUTH
		         "[storage]\nbackend = s3\ns3_endpoint = \"%s\"\ns3_bucket = \"%s\"\n"
		         "s3_access_key = S3RVER\ns3_secret_key = S3RVER\n",
		         s3.endpoint, s3.bucket);
	else
		snprintf(extra, sizeof(extra),
		         "pool_size = 2\n" TESTENV_FAST_AUTH "[storage]\npath = \"%s\"\n", store);
	testenv_write_config(conf, db_url, sock, extra);
	server = server_start(conf, sock, log_path);
	assert_true(server > 0);
}

static void stop_server(void)
{
	if (server > 0)
		server_stop(server, 5000);
	server = -1;
}

/* Stored avatar objects of the backend under test. */
static int objects(void)
{
	if (on_s3)
		return s3_proc_count(&s3);
	FILE *p =
	    popen(api_fmt("find '%s/images/avatars' -type f 2>/dev/null | wc -l", store), "r");
	int n = -1;
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

/* The object behind avatar_url ("/images/<key>"): 1 and its bytes, or 0. */
static int object(const char *url, char **data, size_t *len, char *type, size_t cap)
{
	assert_true(!strncmp(url, "/images/", 8));
	const char *key = url + 1;
	if (on_s3)
		return s3_proc_get(&s3, key, data, len, type, cap) == 200;
	FILE *f = fopen(api_fmt("%s/%s", store, key), "rb");
	if (!f)
		return 0;
	*data = malloc(AVATAR_MAX + 1);
	*len = fread(*data, 1, AVATAR_MAX + 1, f);
	fclose(f);
	if (type)
		snprintf(type, cap, "-");
	return 1;
}

/* --- requests ------------------------------------------------------------ */

static char *fixture(const char *name, size_t *len)
{
	const char *root = getenv("TEST_ROOT");
	char path[1024];
	FILE *f;
	char *p = malloc(AVATAR_MAX + 64);

	snprintf(path, sizeof(path), "%s/tests/fixtures/avatars/%s", root ? root : ".", name);
	assert_non_null(f = fopen(path, "rb"));
	*len = fread(p, 1, AVATAR_MAX + 64, f);
	fclose(f);
	return p;
}

/* POST the picture with Content-Type type (NULL: none). */
static int upload(const struct api_user *u, const char *type, const void *data, size_t len)
{
	char auth[256], ct[256];
	const char *params[3] = {auth, NULL, NULL};
	size_t cap = len + 64 * 1024;
	unsigned char *out = malloc(cap);
	int fd;

	snprintf(auth, sizeof(auth), "HTTP_AUTHORIZATION=Bearer %s", u->token);
	if (type) {
		snprintf(ct, sizeof(ct), "CONTENT_TYPE=%s", type);
		params[1] = ct;
	}
	assert_non_null(out);
	size_t n = fcgi_encode(out, cap, "POST", "/api/v1/users/me/avatar", params, data, len, 0);
	assert_true((fd = fcgi_connect(sock)) >= 0);
	assert_int_equal(fcgi_send(fd, out, n), 0);
	memset(&api_last, 0, sizeof(api_last));
	assert_int_equal(fcgi_read(fd, &api_last, 20000), 0);
	close(fd);
	free(out);
	cJSON_Delete(api_last_json);
	api_last_json = cJSON_Parse(api_last.body);
	return api_last.status;
}

static const char *avatar_path(const struct api_user *u)
{
	return api_value(api_pg, "SELECT coalesce(avatar_path, '<null>') FROM users WHERE id = $1",
	                 u->id, (const char *)0);
}

static long audits(const struct api_user *u, const char *action)
{
	return strtol(
	    api_value(api_pg,
	              "SELECT count(*) FROM audit_log WHERE resource_id = $1 AND action = $2",
	              u->id, action, (const char *)0),
	    NULL, 10);
}

/* avatar_url of GET /users/me ("" when null) */
static const char *me_url(const struct api_user *u)
{
	static char out[512];

	EXPECT(api_call("GET", "/api/v1/users/me", u->token, NULL), 200);
	const char *s = api_str(api_last_json, "avatar_url");
	snprintf(out, sizeof(out), "%s", s ? s : "");
	return out;
}

/* "/images/avatars/<id>/<16 hex>.<ext>" */
static void check_url(const char *url, const struct api_user *u, const char *ext)
{
	const char *prefix = api_fmt("/images/avatars/%s/", u->id);
	size_t pl = strlen(prefix);

	if (strncmp(url, prefix, pl) || strlen(url) != pl + 16 + 1 + strlen(ext) ||
	    strspn(url + pl, "0123456789abcdef") != 16 || strcmp(url + pl + 17, ext))
		fail_msg("avatar_url %s is not %s<16 hex>.%s", url, prefix, ext);
}

#define FORM_TYPE "multipart/form-data; boundary=----revengeFormBoundary7MA4YWxk"
#define FORM_BOUNDARY "------revengeFormBoundary7MA4YWxk"

/* A multipart/form-data body as a browser's FormData makes it: one file
 * part (name, type), and with second a text part after it. */
static char *form_body(const char *name, const char *type, const void *data, size_t len,
                       bool second, size_t *out_len)
{
	char head[512], tail[512];
	int hl = snprintf(head, sizeof(head),
	                  FORM_BOUNDARY "\r\nContent-Disposition: form-data; name=\"%s\";"
	                                " filename=\"me.img\"\r\nContent-Type: %s\r\n\r\n",
	                  name, type);
	int tl = snprintf(tail, sizeof(tail), "\r\n%s" FORM_BOUNDARY "--\r\n",
	                  second ? FORM_BOUNDARY "\r\nContent-Disposition: form-data; "
	                                         "name=\"note\"\r\n\r\nhello\r\n"
	                         : "");
	char *b = malloc((size_t)hl + len + (size_t)tl);

	assert_non_null(b);
	memcpy(b, head, (size_t)hl);
	memcpy(b + hl, data, len);
	memcpy(b + hl + len, tail, (size_t)tl);
	*out_len = (size_t)hl + len + (size_t)tl;
	return b;
}

/* --- the scenario, once per backend -------------------------------------- */

static void refused(const struct api_user *u, const char *why, const char *type, const void *data,
                    size_t len, int status, const char *field)
{
	const char *was = api_fmt("%s", avatar_path(u));
	int before = objects();
	long a = audits(u, "user.avatar.update");
	int st = upload(u, type, data, len);

	if (st != status || strcmp(api_problem_field(), field))
		fail_msg("%s: %d naming \"%s\", want %d naming \"%s\": %s", why, st,
		         api_problem_field(), status, field, api_last.body);
	assert_non_null(strstr(api_last.head, "application/problem+json"));
	assert_string_equal(avatar_path(u), was);
	assert_int_equal(objects(), before);
	assert_int_equal(audits(u, "user.avatar.update"), a);
}

static void scenario(const char *tag)
{
	struct api_user u, admin;
	size_t png_len, jpg_len, webp_len, gif_len, tiny_len, wide_len, got_len;
	char *png = fixture("avatar-64.png", &png_len), *jpg = fixture("avatar-48.jpg", &jpg_len);
	char *webp = fixture("avatar-32.webp", &webp_len),
	     *gif = fixture("avatar-32.gif", &gif_len);
	char *tiny = fixture("tiny-8.png", &tiny_len), *wide = fixture("wide-5000.png", &wide_len);
	char *got, type[128], first[512], second[512];

	api_sock = sock;
	api_new_user(&u, api_fmt("ava_%s", tag), NULL);
	api_new_user(&admin, api_fmt("adm_%s", tag), "admin");
	assert_string_equal(me_url(&u), ""); /* cached in the session entry now */
	assert_int_equal(objects(), 0);

	/* a PNG: stored as it came, under a versioned key */
	EXPECT(upload(&u, "image/png", png, png_len), 200);
	snprintf(first, sizeof(first), "%s", api_str(api_last_json, "avatar_url"));
	check_url(first, &u, "png");
	assert_string_equal(api_str(api_last_json, "id"), u.id);
	assert_string_equal(me_url(&u), first); /* the cached account was dropped */
	assert_string_equal(avatar_path(&u), first + 1);
	assert_true(object(first, &got, &got_len, type, sizeof(type)));
	assert_int_equal(got_len, png_len);
	assert_memory_equal(got, png, png_len);
	if (on_s3)
		assert_string_equal(type, "image/png");
	free(got);
	assert_int_equal(objects(), 1);
	assert_int_equal(audits(&u, "user.avatar.update"), 1);
	/* the public profile shows it too */
	EXPECT(api_call("GET", api_fmt("/api/v1/users/%s", u.id), admin.token, NULL), 200);
	assert_string_equal(api_str(api_last_json, "avatar_url"), first);

	/* a JPEG declared as PNG: the bytes decide; the PNG is removed */
	EXPECT(upload(&u, "image/png", jpg, jpg_len), 200);
	snprintf(second, sizeof(second), "%s", api_str(api_last_json, "avatar_url"));
	check_url(second, &u, "jpg");
	assert_false(object(first, &got, &got_len, NULL, 0));
	assert_true(object(second, &got, &got_len, type, sizeof(type)));
	assert_memory_equal(got, jpg, jpg_len);
	if (on_s3)
		assert_string_equal(type, "image/jpeg");
	free(got);
	assert_int_equal(objects(), 1);

	/* the same picture again still gets a new URL (caches never go stale) */
	EXPECT(upload(&u, "application/octet-stream", jpg, jpg_len), 200);
	assert_string_not_equal(api_str(api_last_json, "avatar_url"), second);
	check_url(api_str(api_last_json, "avatar_url"), &u, "jpg");
	assert_false(object(second, &got, &got_len, NULL, 0));
	EXPECT(upload(&u, "image/webp", webp, webp_len), 200);
	check_url(api_str(api_last_json, "avatar_url"), &u, "webp");
	assert_string_equal(me_url(&u), api_fmt("/%s", avatar_path(&u)));
	assert_int_equal(objects(), 1);
	assert_int_equal(audits(&u, "user.avatar.update"), 4);

	/* a form with one part named avatar (FormData, curl -F) */
	size_t flen;
	char *form = form_body("avatar", "image/png", png, png_len, false, &flen);
	EXPECT(upload(&u, FORM_TYPE, form, flen), 200);
	check_url(api_str(api_last_json, "avatar_url"), &u, "png");
	assert_true(object(api_str(api_last_json, "avatar_url"), &got, &got_len, NULL, 0));
	assert_int_equal(got_len, png_len);
	assert_memory_equal(got, png, png_len);
	free(got);
	free(form);
	assert_int_equal(objects(), 1);
	form = form_body("file", "image/png", png, png_len, false, &flen);
	refused(&u, "form part not named avatar", FORM_TYPE, form, flen, 400, "avatar");
	free(form);
	form = form_body("avatar", "image/png", png, png_len, true, &flen);
	refused(&u, "form of two parts", FORM_TYPE, form, flen, 400, "avatar");
	free(form);
	form = form_body("avatar", "text/plain", png, png_len, false, &flen);
	refused(&u, "form part of another type", FORM_TYPE, form, flen, 415, "avatar");
	free(form);
	form = form_body("avatar", "image/png", gif, gif_len, false, &flen);
	refused(&u, "GIF in a form", FORM_TYPE, form, flen, 415, "avatar");
	free(form);

	/* bad pictures: a 4xx naming what is wrong, nothing written */
	refused(&u, "GIF", "image/png", gif, gif_len, 415, "avatar");
	refused(&u, "text", "image/png", "just some text, not a picture", 29, 415, "avatar");
	refused(&u, "truncated PNG header", "image/png", png, 20, 415, "avatar");
	refused(&u, "truncated JPEG", "image/jpeg", jpg, 12, 415, "avatar");
	refused(&u, "8x8", "image/png", tiny, tiny_len, 400, "avatar");
	refused(&u, "5000 wide", "image/png", wide, wide_len, 400, "avatar");
	refused(&u, "empty", "image/png", "", 0, 400, "avatar");
	refused(&u, "text/plain", "text/plain", png, png_len, 415, "Content-Type");
	refused(&u, "multipart without its boundary", "multipart/form-data; boundary=x", png,
	        png_len, 400, "avatar");
	refused(&u, "no type", NULL, png, png_len, 415, "Content-Type");
	refused(&u, "JSON", "application/json", "{\"avatar\":\"x\"}", 14, 415, "Content-Type");
	/* over 2 MiB: 413; exactly 2 MiB of a valid picture: accepted */
	char *big = calloc(1, AVATAR_MAX + 1);
	assert_non_null(big);
	memcpy(big, png, png_len);
	refused(&u, "2 MiB + 1", "image/png", big, AVATAR_MAX + 1, 413, "avatar");
	char *huge = calloc(1, AVATAR_MAX + 17 * 1024);
	assert_non_null(huge);
	refused(&u, "past the route's limit", "image/png", huge, AVATAR_MAX + 16 * 1024 + 1, 413,
	        "body");
	free(huge);
	EXPECT(upload(&u, "image/png", big, AVATAR_MAX), 200);
	assert_true(object(api_str(api_last_json, "avatar_url"), &got, &got_len, NULL, 0));
	assert_int_equal(got_len, AVATAR_MAX);
	free(got);
	free(big);
	assert_int_equal(objects(), 1);

	/* the database step fails: the object just stored is removed again */
	const char *kept = api_fmt("%s", avatar_path(&u));
	api_exec("CREATE FUNCTION avatar_refuse() RETURNS trigger LANGUAGE plpgsql AS"
	         " $$BEGIN RAISE EXCEPTION 'refused by the test'; END$$");
	api_exec("CREATE TRIGGER avatar_refuse BEFORE UPDATE OF avatar_path ON users"
	         " FOR EACH ROW EXECUTE FUNCTION avatar_refuse()");
	int st = upload(&u, "image/png", png, png_len);
	assert_true(st >= 500);
	assert_string_equal(avatar_path(&u), kept);
	assert_int_equal(objects(), 1);
	assert_true(object(api_fmt("/%s", kept), &got, &got_len, NULL, 0));
	free(got);
	api_exec("DROP TRIGGER avatar_refuse ON users");
	api_exec("DROP FUNCTION avatar_refuse()");

	/* delete: the column cleared, then the object removed; twice is fine */
	long d = audits(&u, "user.avatar.delete");
	EXPECT(api_call("DELETE", "/api/v1/users/me/avatar", u.token, NULL), 204);
	assert_string_equal(avatar_path(&u), "<null>");
	assert_string_equal(me_url(&u), "");
	assert_int_equal(objects(), 0);
	assert_int_equal(audits(&u, "user.avatar.delete"), d + 1);
	EXPECT(api_call("DELETE", "/api/v1/users/me/avatar", u.token, NULL), 204);
	assert_int_equal(audits(&u, "user.avatar.delete"), d + 1);

	/* anonymous callers are refused before anything is read */
	EXPECT(api_call("DELETE", "/api/v1/users/me/avatar", NULL, NULL), 401);

	/* an admin's delete of the account removes its picture */
	EXPECT(upload(&u, "image/png", png, png_len), 200);
	assert_int_equal(objects(), 1);
	EXPECT(api_call("DELETE", api_fmt("/api/v1/admin/users/%s", u.id), admin.token, NULL), 204);
	assert_int_equal(objects(), 0);
	assert_string_equal(avatar_path(&u), "<null>");

	free(png);
	free(jpg);
	free(webp);
	free(gif);
	free(tiny);
	free(wide);
}

static void local_backend(void **state)
{
	(void)state;
	start_server(false);
	scenario("local");
	stop_server();
}

static void s3_backend(void **state)
{
	(void)state;
	start_server(true);
	scenario("s3");
	/* S3 unavailable: 503 and nothing changes */
	struct api_user u;
	size_t len;
	char *png = fixture("avatar-64.png", &len);
	api_new_user(&u, "ava_s3_down", NULL);
	assert_int_equal(s3_proc_control(&s3, "cut", 1), 0);
	EXPECT(upload(&u, "image/png", png, len), 503);
	assert_string_equal(avatar_path(&u), "<null>");
	assert_int_equal(objects(), 0);
	assert_int_equal(s3_proc_control(&s3, "fail", 1), 0);
	EXPECT(upload(&u, "image/png", png, len), 503);
	assert_int_equal(objects(), 0);
	EXPECT(upload(&u, "image/png", png, len), 200);
	assert_int_equal(objects(), 1);
	free(png);
	stop_server();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(local_backend),
	    cmocka_unit_test(s3_backend),
	};
	int rc;

	signal(SIGPIPE, SIG_IGN);
	snprintf(conf, sizeof(conf), "/tmp/revenge-avatars-%d.conf", (int)getpid());
	snprintf(sock, sizeof(sock), "/tmp/revenge-avatars-%d.sock", (int)getpid());
	snprintf(log_path, sizeof(log_path), "%s/log/test_avatars.log", testenv_stack_dir());
	snprintf(store, sizeof(store), "%s/avatars-XXXXXX", testenv_stack_dir());
	if (!mkdtemp(store))
		return 1;
	snprintf(db_url, sizeof(db_url), "%s", testenv_new_database(NULL));
	api_pg = testenv_connect(db_url);
	if (s3_proc_start(&s3, "avatars-test")) {
		fprintf(stderr, "test_avatars: s3rver did not start (make "
		                "tests/s3/node_modules/.package-lock.json)\n");
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	s3_proc_stop(&s3);
	PQfinish(api_pg);
	unlink(conf);
	api_sh("rm -rf '%s'", store);
	return rc;
}
