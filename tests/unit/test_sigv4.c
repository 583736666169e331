/* sigv4: every case of the AWS Signature Version 4 test suite
 * (tests/fixtures/sigv4, header signing): canonical request, string to
 * sign, signature and Authorization header, byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "core/file.h"
#include "storage/sigv4.h"

static char *slurp(const char *dir, const char *name)
{
	const char *root = getenv("TEST_ROOT");
	char path[1024], *data = NULL;
	size_t len;

	snprintf(path, sizeof(path), "%s/tests/fixtures/sigv4/%s/%s", root ? root : ".", dir, name);
	if (file_read_capped(path, 1 << 20, &data, &len) != FILE_READ_OK)
		fail_msg("cannot read %s", path);
	return data;
}

/* One parsed request.txt plus the headers signing adds. */
struct parsed {
	char *text;
	char method[16];
	char *path, *query;
	struct sigv4_header h[SIGV4_MAX_HEADERS];
	size_t nh;
	char hash[65];
};

/* "GET /a b/?x=1 HTTP/1.1\nName:value\n  continued\n\nbody" */
static void parse_request(struct parsed *p, char *text)
{
	char *line = text, *nl, *sp, *target, *end;

	p->text = text;
	nl = strchr(line, '\n');
	assert_non_null(nl);
	*nl = '\0';
	sp = strchr(line, ' ');
	assert_non_null(sp);
	assert_true((size_t)(sp - line) < sizeof(p->method));
	memcpy(p->method, line, (size_t)(sp - line));
	p->method[sp - line] = '\0';
	target = sp + 1;
	end = strstr(target, " HTTP/");
	assert_non_null(end);
	*end = '\0';
	p->query = strchr(target, '?');
	if (p->query)
		*p->query++ = '\0';
	p->path = target;
	p->nh = 0;
	/* the headers end at the blank line before the body */
	for (line = nl + 1; line && *line && *line != '\n';) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (*line == ' ' || *line == '\t') {
			/* a continuation line: glue it back on, folding does the rest */
			assert_true(p->nh > 0);
			line[-1] = '\n';
		} else {
			char *colon = strchr(line, ':');

			assert_non_null(colon);
			*colon = '\0';
			assert_true(p->nh < SIGV4_MAX_HEADERS);
			p->h[p->nh].name = line;
			p->h[p->nh++].value = colon + 1;
		}
		line = nl ? nl + 1 : NULL;
	}
}

static const char *body_of(const char *raw)
{
	const char *b = strstr(raw, "\n\n");

	return b ? b + 2 : "";
}

static void add(struct parsed *p, const char *name, const char *value)
{
	assert_true(p->nh < SIGV4_MAX_HEADERS);
	p->h[p->nh].name = name;
	p->h[p->nh++].value = value;
}

static const char *auth_line(const char *signed_request, char *out, size_t cap)
{
	const char *a = strstr(signed_request, "\nAuthorization:");
	const char *e;

	assert_non_null(a);
	a += strlen("\nAuthorization:");
	e = strchr(a, '\n');
	assert_non_null(e);
	assert_true((size_t)(e - a) < cap);
	memcpy(out, a, (size_t)(e - a));
	out[e - a] = '\0';
	return out;
}

static void check_case(const char *name)
{
	char *ctx_text = slurp(name, "context.json");
	char *raw = slurp(name, "request.txt");
	char *want_canon = slurp(name, "header-canonical-request.txt");
	char *want_sts = slurp(name, "header-string-to-sign.txt");
	char *want_sig = slurp(name, "header-signature.txt");
	char *want_signed = slurp(name, "header-signed-request.txt");
	char *copy = strdup(raw), date[17], want_auth[1024], sig[65];
	cJSON *ctx = cJSON_Parse(ctx_text);
	struct parsed p;
	struct buf canon, names, sts, auth;
	const char *body = body_of(raw);

	assert_non_null(ctx);
	assert_non_null(copy);
	parse_request(&p, copy);

	const cJSON *cred = cJSON_GetObjectItem(ctx, "credentials");
	const char *ts = cJSON_GetObjectItem(ctx, "timestamp")->valuestring;
	const cJSON *tok = cJSON_GetObjectItem(cred, "token");
	bool omit = cJSON_IsTrue(cJSON_GetObjectItem(ctx, "omit_session_token"));
	bool sign_body = cJSON_IsTrue(cJSON_GetObjectItem(ctx, "sign_body"));

	/* "2015-08-30T12:36:00Z" → "20150830T123600Z" */
	snprintf(date, sizeof(date), "%.4s%.2s%.2sT%.2s%.2s%.2sZ", ts, ts + 5, ts + 8, ts + 11,
	         ts + 14, ts + 17);
	add(&p, "X-Amz-Date", date);
	if (tok && !omit)
		add(&p, "X-Amz-Security-Token", tok->valuestring);
	sigv4_payload_hash(body, strlen(body), p.hash);
	if (sign_body)
		add(&p, "x-amz-content-sha256", p.hash);

	struct sigv4_request r = {p.method,
	                          p.path,
	                          p.query,
	                          p.h,
	                          p.nh,
	                          p.hash,
	                          cJSON_IsTrue(cJSON_GetObjectItem(ctx, "normalize"))};
	struct sigv4_key k = {cJSON_GetObjectItem(cred, "access_key_id")->valuestring,
	                      cJSON_GetObjectItem(cred, "secret_access_key")->valuestring,
	                      cJSON_GetObjectItem(ctx, "region")->valuestring,
	                      cJSON_GetObjectItem(ctx, "service")->valuestring, date};

	buf_init(&canon, 1 << 16);
	buf_init(&names, 4096);
	buf_init(&sts, 4096);
	buf_init(&auth, 4096);
	assert_int_equal(sigv4_canonical_request(&r, &canon, &names), 0);
	if (strcmp(canon.data, want_canon))
		fail_msg("%s: canonical request\n%s\n-- want --\n%s", name, canon.data, want_canon);
	assert_int_equal(sigv4_string_to_sign(&k, canon.data, &sts), 0);
	assert_string_equal(sts.data, want_sts);
	assert_int_equal(sigv4_signature(&k, sts.data, sig), 0);
	assert_string_equal(sig, want_sig);
	assert_int_equal(sigv4_authorization(&k, &r, &auth), 0);
	assert_string_equal(auth.data, auth_line(want_signed, want_auth, sizeof(want_auth)));

	buf_release(&canon);
	buf_release(&names);
	buf_release(&sts);
	buf_release(&auth);
	cJSON_Delete(ctx);
	free(copy);
	free(ctx_text);
	free(raw);
	free(want_canon);
	free(want_sts);
	free(want_sig);
	free(want_signed);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every folder of the suite; a new folder is a new case, none is skipped. */
static void test_suite(void **state)
{
	const char *root = getenv("TEST_ROOT");
	char path[1024], *names[128];
	size_t n = 0;
	struct dirent *de;
	DIR *d;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/fixtures/sigv4", root ? root : ".");
	assert_non_null(d = opendir(path));
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "README.md"))
			continue;
		assert_true(n < 128);
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), by_name);
	assert_int_equal(n, 38);
	for (size_t i = 0; i < n; i++) {
		check_case(names[i]);
		free(names[i]);
	}
}

/* The S3 shape the backend sends: a key taken literally (no dot-segment
 * normalisation), UNSIGNED-PAYLOAD never used, the payload hash signed. */
static void test_s3_put_shape(void **state)
{
	char hash[65];
	struct sigv4_header h[] = {{"Host", "127.0.0.1:9000"},
	                           {"Content-Type", "image/png"},
	                           {"x-amz-content-sha256", hash},
	                           {"x-amz-date", "20240101T000000Z"}};
	struct sigv4_request r = {"PUT", "/bucket/images/a/./b.png", NULL, h, 4, hash, false};
	struct buf canon;

	(void)state;
	sigv4_payload_hash("", 0, hash);
	assert_string_equal(hash,
	                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	buf_init(&canon, 4096);
	assert_int_equal(sigv4_canonical_request(&r, &canon, NULL), 0);
	assert_non_null(strstr(canon.data, "PUT\n/bucket/images/a/./b.png\n\n"));
	assert_non_null(
	    strstr(canon.data, "\ncontent-type;host;x-amz-content-sha256;x-amz-date\n"));
	buf_release(&canon);
}

/* Inputs the module refuses instead of signing something else. */
static void test_refused(void **state)
{
	char hash[65] = "UNSIGNED-PAYLOAD";
	struct sigv4_header bad[] = {{"Ho st", "x"}};
	struct sigv4_header ok[] = {{"Host", "x"}};
	struct sigv4_request r = {"GET", "/", NULL, bad, 1, hash, true};
	struct sigv4_key k = {"A", "S", "us-east-1", "s3", "2024-01-01"};
	struct buf b;
	char sig[65];

	(void)state;
	buf_init(&b, 4096);
	assert_int_equal(sigv4_canonical_request(&r, &b, NULL), -1);
	r.headers = ok;
	r.path = "no-slash";
	buf_reset(&b);
	assert_int_equal(sigv4_canonical_request(&r, &b, NULL), -1);
	r.path = "/";
	r.query = "a=%zz";
	buf_reset(&b);
	assert_int_equal(sigv4_canonical_request(&r, &b, NULL), -1);
	r.query = "a=%4";
	buf_reset(&b);
	assert_int_equal(sigv4_canonical_request(&r, &b, NULL), -1);
	r.query = "b&a=%41";
	buf_reset(&b);
	assert_int_equal(sigv4_canonical_request(&r, &b, NULL), 0);
	assert_non_null(strstr(b.data, "\na=A&b=\n"));
	assert_int_equal(sigv4_signature(&k, "x", sig), -1); /* the date's shape */
	k.amz_date = "20240101T000000Z";
	assert_int_equal(sigv4_signature(&k, "x", sig), 0);
	assert_int_equal(strlen(sig), 64);
	/* a capped output buffer is a failure, not a truncated request */
	buf_release(&b);
	buf_init(&b, 8);
	assert_int_equal(sigv4_canonical_request(&r, &b, NULL), -1);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_suite),
	    cmocka_unit_test(test_s3_put_shape),
	    cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
