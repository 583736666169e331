/*
 * Single sign-on against a real OpenID provider: npm's oidc-provider
 * (tests/oidc/provider.mjs) on a free port, driven through the whole
 * browser flow with libcurl (redirects followed by hand, cookies kept),
 * while Revenge's side runs in the pool over its FastCGI socket.
 *
 * The provider's two clients sign ID tokens with RS256 ("revenge-rs") and
 * ES256 ("revenge-es"); its /__mode control makes the next token response
 * carry a forged ID token (tampered, another audience, expired, another
 * nonce, another issuer, unsigned, HS256, an unpublished key), each of
 * which must be refused with 401 naming id_token and nothing written.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "api.h"
#include "server.h"
#include "testenv.h"

#define SECRET_KEY "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"
#define PUBLIC "https://revenge.test"
#define RS_SECRET "secret-rs-0123456789abcdef"
#define ES_SECRET "secret-es-0123456789abcdef"

static char conf[256], sock[256], log_path[256], issuer[64];
static pid_t server = -1, idp = -1;
static int idp_out = -1;
static PGconn *pg;
static struct api_user admin, plain;

/* --- the provider process ------------------------------------------------------ */

static int idp_start(void)
{
	int fds[2];
	char line[64] = "";
	const char *root = getenv("TEST_ROOT") ? getenv("TEST_ROOT") : ".";
	char script[512];

	snprintf(script, sizeof(script), "%s/tests/oidc/provider.mjs", root);
	if (pipe(fds))
		return -1;
	if ((idp = fork()) == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		execlp("node", "node", script, PUBLIC "/api/v1/auth/oidc",
		       "rs,es,off,manual,rolemap", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	/* the script prints its port once it listens (a minute at most) */
	size_t have = 0;
	struct pollfd pfd = {fds[0], POLLIN, 0};
	int rc = 0;
	ssize_t n = 1;
	while (!strchr(line, '\n') && have < sizeof(line) - 1 &&
	       ((rc = poll(&pfd, 1, 60000)) == 1 || (rc < 0 && errno == EINTR))) {
		if (rc < 0)
			continue;
		if ((n = read(fds[0], line + have, sizeof(line) - 1 - have)) < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
		line[have] = 0;
	}
	idp_out = fds[0]; /* kept open: the provider's later output must not hit EPIPE */
	int port = strncmp(line, "port ", 5) ? 0 : atoi(line + 5);
	if (port <= 0) {
		/* what happened, for the log: the provider's first words, how
		 * the wait ended, and whether the process is gone */
		int status = 0;
		pid_t gone = 0;
		for (int i = 0; i < 20 && !gone; i++)
			if (!(gone = waitpid(idp, &status, WNOHANG)))
				usleep(50000);
		print_message("the OpenID provider did not start (npm ci in tests/oidc?): read \"%s\","
			      " poll %d, read %zd, errno %d, %s %d\n",
			      line, rc, n, errno, gone == idp ? "exited with status" : "still running",
			      gone == idp ? status : 0);
		if (gone == idp)
			idp = -1; /* reaped */
		return -1;
	}
	snprintf(issuer, sizeof(issuer), "http://127.0.0.1:%d", port);
	return 0;
}

static size_t sink(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* POST /__mode to the provider. */
static void idp_mode(const char *mode)
{
	CURL *c = curl_easy_init();
	char body[64];
	long status = 0;

	snprintf(body, sizeof(body), "{\"mode\":\"%s\"}", mode);
	curl_easy_setopt(c, CURLOPT_URL, api_fmt("%s/__mode", issuer));
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	assert_int_equal(status, 204);
	curl_easy_cleanup(c);
}

/* --- HTTP to the pool -------------------------------------------------------------- */

/* The value of header name in the last answer's head (rotating storage), or NULL. */
static const char *last_header(const char *name)
{
	size_t n = strlen(name);

	for (const char *p = api_last.head; p && *p;) {
		const char *end = strstr(p, "\r\n");
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > n + 1 && !strncasecmp(p, name, n) && p[n] == ':')
			return api_fmt("%.*s", (int)(len - n - 2), p + n + 2);
		p = end ? end + 2 : p + len;
	}
	return NULL;
}

/* The value of cookie name set by the last answer, or NULL. */
static const char *last_cookie(const char *name)
{
	size_t n = strlen(name);

	for (const char *p = strstr(api_last.head, "Set-Cookie: "); p;
	     p = strstr(p + 1, "Set-Cookie: ")) {
		const char *v = p + 12;
		if (!strncmp(v, name, n) && v[n] == '=')
			return api_fmt("%.*s", (int)strcspn(v + n + 1, ";\r"), v + n + 1);
	}
	return NULL;
}

/* A GET to the pool with a Cookie header (NULL: none). */
static int call_with(const char *uri, const char *cookies)
{
	char cookie[512];
	const char *params[] = {cookies ? cookie : NULL, NULL};

	snprintf(cookie, sizeof(cookie), "HTTP_COOKIE=%s", cookies ? cookies : "");
	cJSON_Delete(api_last_json);
	api_last_json = NULL;
	assert_int_equal(fcgi_call(api_sock, "GET", uri, params, NULL, &api_last), 0);
	if (api_last.body_len)
		api_last_json = cJSON_Parse(api_last.body);
	return api_last.status;
}

/* A GET to the pool with a session cookie. */
static int call_cookie(const char *uri, const char *session)
{
	return call_with(uri, api_fmt("revenge_session=%s", session));
}

/* --- the browser ---------------------------------------------------------------- */

struct browser {
	CURL *curl;
	char callback[4096]; /* the path and query the provider sent the browser back to */
	char cookie[128];    /* "revenge_oidc=…", as Revenge set it when the flow began */
};

/* The callback, with the flow's browser cookie. */
static int callback(const struct browser *b)
{
	return call_with(b->callback, b->cookie);
}

/* Follow the provider's redirects from url until it sends the browser to
 * Revenge; the interaction logs in `account`. */
static void browse_provider(struct browser *b, const char *url, const char *account)
{
	char next[4096];
	bool named = false;

	snprintf(next, sizeof(next), "%s", url);
	for (int hop = 0; hop < 12; hop++) {
		char *loc = NULL;
		long status = 0;

		if (!strncmp(next, PUBLIC "/", strlen(PUBLIC) + 1)) {
			snprintf(b->callback, sizeof(b->callback), "%s", next + strlen(PUBLIC));
			return;
		}
		assert_true(!strncmp(next, issuer, strlen(issuer)));
		if (strstr(next, "/interaction/") && !named) {
			strncat(next, api_fmt("?account=%s", account),
			        sizeof(next) - strlen(next) - 1);
			named = true;
		}
		curl_easy_setopt(b->curl, CURLOPT_URL, next);
		assert_int_equal(curl_easy_perform(b->curl), CURLE_OK);
		curl_easy_getinfo(b->curl, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_getinfo(b->curl, CURLINFO_REDIRECT_URL, &loc);
		if (!loc)
			fail_msg("the provider answered %ld without a redirect at %s", status,
			         next);
		snprintf(next, sizeof(next), "%s", loc);
	}
	fail_msg("too many redirects");
}

static void browser_open(struct browser *b)
{
	memset(b, 0, sizeof(*b));
	b->curl = curl_easy_init();
	curl_easy_setopt(b->curl, CURLOPT_COOKIEFILE, ""); /* keep cookies */
	curl_easy_setopt(b->curl, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(b->curl, CURLOPT_FOLLOWLOCATION, 0L);
}

/* The whole flow up to the callback (not called): authorize at Revenge,
 * then the provider. */
static void flow_to_callback(struct browser *b, const char *slug, const char *account)
{
	browser_open(b);
	EXPECT(api_call("GET", api_fmt("/api/v1/auth/oidc/%s/authorize?redirect=/movies", slug),
	                NULL, NULL),
	       302);
	const char *loc = last_header("Location");
	assert_non_null(loc);
	assert_string_equal(loc, api_str(api_last_json, "authorization_url"));
	assert_non_null(strstr(loc, "code_challenge_method=S256"));
	assert_non_null(strstr(loc, "nonce="));
	assert_non_null(last_cookie("revenge_oidc"));
	assert_non_null(strstr(api_last.head, "Path=/api/v1/auth/oidc/; Max-Age=600; HttpOnly; "
	                                      "SameSite=Lax"));
	snprintf(b->cookie, sizeof(b->cookie), "revenge_oidc=%s", last_cookie("revenge_oidc"));
	loc = api_fmt("%s", loc);
	browse_provider(b, loc, account);
	curl_easy_cleanup(b->curl);
}

/* A whole login; the callback's status. */
static int sso(const char *slug, const char *account, const char *mode)
{
	struct browser b;

	flow_to_callback(&b, slug, account);
	if (mode)
		idp_mode(mode);
	return callback(&b);
}

static long count(const char *sql)
{
	return strtol(api_q(sql, NULL, NULL), NULL, 10);
}

static void add_provider(const char *slug, const char *client, const char *secret,
                         const char *extra)
{
	EXPECT(api_call("POST", "/api/v1/admin/auth/providers", admin.token,
	                api_fmt("{\"slug\":\"%s\",\"display_name\":\"Test %s\",\"issuer\":\"%s\","
	                        "\"client_id\":\"%s\",\"client_secret\":\"%s\"%s}",
	                        slug, slug, issuer, client, secret, extra)),
	       201);
}

/* --- tests ----------------------------------------------------------------------- */

static void providers_admin(void **state)
{
	(void)state;
	add_provider("rs", "revenge-rs", RS_SECRET, ",\"auto_create\":true,\"is_default\":true");
	assert_string_equal(api_str(api_last_json, "scopes"), "openid profile email");
	assert_true(cJSON_IsTrue(api_get(api_last_json, "has_secret")));
	assert_null(api_get(api_last_json, "client_secret"));
	assert_null(strstr(api_last.body, RS_SECRET));
	/* sealed at rest, bound to its row */
	const char *sealed =
	    api_q("SELECT client_secret_sealed FROM oidc_providers WHERE slug = 'rs'", NULL, NULL);
	assert_int_equal(strncmp(sealed, "gcm1.", 5), 0);
	assert_null(strstr(sealed, RS_SECRET));
	assert_int_equal(
	    count("SELECT count(*) FROM audit_log WHERE action ="
	          " 'admin.oidc_provider.create' AND new_values::text NOT LIKE '%secret-rs%'"),
	    1);
	add_provider("es", "revenge-es", ES_SECRET, ",\"auto_create\":true");
	add_provider("off", "revenge-rs", RS_SECRET, ",\"auto_create\":true,\"enabled\":false");
	add_provider("manual", "revenge-rs", RS_SECRET, "");
	add_provider("rolemap", "revenge-rs", RS_SECRET,
	             ",\"auto_create\":true,\"scopes\":\"openid profile email groups\","
	             "\"roles_claim\":\"groups\",\"role_map\":{\"media-admins\":\"moderator\"}");

	long before = count("SELECT count(*) FROM oidc_providers");
	/* bad input: 4xx naming the member, nothing written */
	EXPECT_FIELD(api_call("POST", "/api/v1/admin/auth/providers", admin.token,
	                      api_fmt("{\"slug\":\"rs\",\"display_name\":\"x\",\"issuer\":\"%s\","
	                              "\"client_id\":\"c\"}",
	                              issuer)),
	             409, "slug");
	EXPECT_FIELD(api_call("POST", "/api/v1/admin/auth/providers", admin.token,
	                      api_fmt("{\"slug\":\"two\",\"display_name\":\"x\",\"issuer\":\"%s\","
	                              "\"client_id\":\"c\",\"is_default\":true}",
	                              issuer)),
	             409, "is_default");
	EXPECT_FIELD(
	    api_call("POST", "/api/v1/admin/auth/providers", admin.token,
	             "{\"slug\":\"x\",\"display_name\":\"x\",\"issuer\":\"http://idp.example\","
	             "\"client_id\":\"c\"}"),
	    400, "issuer");
	EXPECT_FIELD(api_call("POST", "/api/v1/admin/auth/providers", admin.token,
	                      api_fmt("{\"slug\":\"x\",\"display_name\":\"x\",\"issuer\":\"%s\","
	                              "\"client_id\":\"c\",\"scopes\":\"profile email\"}",
	                              issuer)),
	             400, "scopes");
	EXPECT_FIELD(
	    api_call("POST", "/api/v1/admin/auth/providers", admin.token,
	             api_fmt("{\"slug\":\"Bad Slug\",\"display_name\":\"x\",\"issuer\":\"%s\","
	                     "\"client_id\":\"c\"}",
	                     issuer)),
	    400, "slug");
	EXPECT_FIELD(api_call("POST", "/api/v1/admin/auth/providers", admin.token,
	                      api_fmt("{\"slug\":\"x\",\"display_name\":\"x\",\"issuer\":\"%s\","
	                              "\"client_id\":\"c\",\"role_map\":{\"g\":\"no-such-role\"}}",
	                              issuer)),
	             400, "role_map.g");
	EXPECT_FIELD(
	    api_call("POST", "/api/v1/admin/auth/providers", admin.token,
	             api_fmt("{\"slug\":\"x\",\"display_name\":\"x\",\"issuer\":\"%s\"}", issuer)),
	    400, "client_id");
	EXPECT(api_call("POST", "/api/v1/admin/auth/providers", plain.token,
	                api_fmt("{\"slug\":\"x\",\"display_name\":\"x\",\"issuer\":\"%s\","
	                        "\"client_id\":\"c\"}",
	                        issuer)),
	       403);
	assert_int_equal(count("SELECT count(*) FROM oidc_providers"), before);

	/* reads */
	EXPECT(api_call("GET", "/api/v1/admin/auth/providers/rolemap", admin.token, NULL), 200);
	assert_string_equal(api_str(api_last_json, "roles_claim"), "groups");
	assert_string_equal(api_str(api_get(api_last_json, "role_map"), "media-admins"),
	                    "moderator");
	EXPECT(api_call("GET", "/api/v1/admin/auth/providers", admin.token, NULL), 200);
	assert_int_equal(cJSON_GetArraySize(api_get(api_last_json, "items")), 5);
	assert_null(strstr(api_last.body, "secret-"));
	EXPECT_FIELD(api_call("GET", "/api/v1/admin/auth/providers/nope", admin.token, NULL), 404,
	             "slug");
	EXPECT(api_call("GET", "/api/v1/admin/auth/providers", plain.token, NULL), 403);
	/* the login page: enabled ones only, the default first */
	EXPECT(api_call("GET", "/api/v1/auth/providers", NULL, NULL), 200);
	const cJSON *items = api_get(api_last_json, "items");
	assert_int_equal(cJSON_GetArraySize(items), 4);
	assert_string_equal(api_str(cJSON_GetArrayItem(items, 0), "slug"), "rs");
	assert_true(cJSON_IsTrue(api_get(cJSON_GetArrayItem(items, 0), "is_default")));
	assert_null(strstr(api_last.body, "\"off\""));
	assert_null(strstr(api_last.body, "client"));

	/* update: members given change, the secret stays unless given */
	EXPECT(api_call("PUT", "/api/v1/admin/auth/providers/manual", admin.token,
	                "{\"display_name\":\"Manual\"}"),
	       200);
	assert_string_equal(api_str(api_last_json, "display_name"), "Manual");
	assert_true(cJSON_IsTrue(api_get(api_last_json, "has_secret")));
	EXPECT_FIELD(api_call("PUT", "/api/v1/admin/auth/providers/manual", admin.token,
	                      "{\"slug\":\"other\"}"),
	             400, "slug");
	EXPECT_FIELD(api_call("PUT", "/api/v1/admin/auth/providers/es", admin.token,
	                      "{\"is_default\":true}"),
	             409, "is_default");
	/* a provider made and removed */
	add_provider("gone", "revenge-rs", RS_SECRET, "");
	EXPECT(api_call("DELETE", "/api/v1/admin/auth/providers/gone", admin.token, NULL), 204);
	EXPECT(api_call("DELETE", "/api/v1/admin/auth/providers/gone", admin.token, NULL), 404);
	assert_int_equal(count("SELECT count(*) FROM audit_log WHERE action LIKE"
	                       " 'admin.oidc_provider.%'"),
	                 8);
}

static void login_rs256_and_es256(void **state)
{
	(void)state;
	/* RS256: the account is created, linked, logged in with cookies */
	EXPECT(sso("rs", "alice", NULL), 302);
	assert_string_equal(last_header("Location"), "/movies");
	const char *session = last_cookie("revenge_session");
	assert_non_null(session);
	assert_non_null(last_cookie("revenge_csrf"));
	char sess[128];
	snprintf(sess, sizeof(sess), "%s", session);
	const char *uid = api_q("SELECT id FROM users WHERE username = 'alice'", NULL, NULL);
	char alice[37];
	snprintf(alice, sizeof(alice), "%s", uid);
	assert_int_equal(strlen(alice), 36);
	assert_string_equal(api_q("SELECT i.subject || ' ' || u.email || ' ' || u.email_verified"
	                          " FROM user_identities i JOIN users u ON u.id = i.user_id"
	                          " WHERE i.user_id = $1",
	                          alice, NULL),
	                    "alice alice@example.test true");
	assert_string_equal(api_q("SELECT string_agg(r.name, ',') FROM user_roles ur JOIN roles r"
	                          " ON r.id = ur.role_id WHERE ur.user_id = $1",
	                          alice, NULL),
	                    "user");
	assert_int_equal(count("SELECT count(*) FROM audit_log WHERE action = 'user.register'"
	                       " AND new_values->>'provider' = 'rs'"),
	                 1);
	/* the session works */
	EXPECT(call_cookie("/api/v1/users/me", sess), 200);
	assert_string_equal(api_str(api_last_json, "username"), "alice");
	assert_string_equal(api_str(api_last_json, "display_name"), "Test alice");
	/* a second login finds the same account */
	EXPECT(sso("rs", "alice", NULL), 302);
	assert_int_equal(count("SELECT count(*) FROM users WHERE email = 'alice@example.test'"), 1);
	assert_int_equal(count(api_fmt("SELECT count(*) FROM sessions WHERE user_id = '%s'"
	                               " AND via_cookie",
	                               alice)),
	                 2);
	/* ES256 through the other client */
	EXPECT(sso("es", "erin", NULL), 302);
	assert_non_null(last_cookie("revenge_session"));
	assert_int_equal(count("SELECT count(*) FROM user_identities i JOIN oidc_providers p ON"
	                       " p.id = i.provider_id WHERE p.slug = 'es' AND i.subject = 'erin'"),
	                 1);
	/* the same subject at another provider is another identity: erin's
	 * address is taken, so no second account is made for it */
	EXPECT_FIELD(sso("rs", "erin", NULL), 409, "email");
	/* the username is made unique */
	api_exec("UPDATE users SET email = 'someone@example.com' WHERE username = 'erin'");
	EXPECT(sso("rs", "erin", NULL), 302);
	assert_int_equal(count("SELECT count(*) FROM users WHERE username = 'erin-2'"), 1);
}

/* Every forged token: 401 naming id_token, and no account, identity or
 * session made. */
static void forged_tokens(void **state)
{
	static const char *const modes[] = {"tamper",    "wrong_aud", "expired", "wrong_nonce",
	                                    "wrong_iss", "none",      "hs256",   "unknown_kid"};
	static const char *const details[] = {
	    "does not verify", "another audience", "expired",          "nonce",
	    "another issuer",  "alg none",         "other than RS256", "does not publish"};
	(void)state;
	for (size_t i = 0; i < sizeof(modes) / sizeof(*modes); i++) {
		long users = count("SELECT count(*) FROM users"),
		     links = count("SELECT count(*) FROM user_identities"),
		     sessions = count("SELECT count(*) FROM sessions");
		print_message("mode %s\n", modes[i]);
		EXPECT_FIELD(sso(i % 2 ? "es" : "rs", "mallory", modes[i]), 401, "id_token");
		assert_non_null(strstr(api_str(api_last_json, "detail"), details[i]));
		assert_null(last_cookie("revenge_session"));
		assert_null(strstr(api_last.head, "Location"));
		assert_int_equal(count("SELECT count(*) FROM users"), users);
		assert_int_equal(count("SELECT count(*) FROM user_identities"), links);
		assert_int_equal(count("SELECT count(*) FROM sessions"), sessions);
	}
	/* the provider's keys still work after all that */
	EXPECT(sso("rs", "mallory", NULL), 302);
}

static void state_and_providers(void **state)
{
	struct browser b;
	(void)state;

	/* a replayed state is refused (the code too: it was used) */
	flow_to_callback(&b, "rs", "alice");
	/* another browser (the callback URL carried elsewhere: login CSRF),
	 * or none: refused, and the flow stays for its own browser */
	EXPECT_FIELD(
	    call_with(b.callback, "revenge_oidc=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), 401,
	    "state");
	EXPECT_FIELD(call_with(b.callback, NULL), 401, "state");
	EXPECT(callback(&b), 302);
	long sessions = count("SELECT count(*) FROM sessions");
	EXPECT_FIELD(callback(&b), 401, "state");
	assert_int_equal(count("SELECT count(*) FROM sessions"), sessions);
	/* a made-up state, none at all, and one of another provider */
	EXPECT_FIELD(call_with("/api/v1/auth/oidc/rs/callback?code=x&state=made-up", b.cookie), 401,
	             "state");
	EXPECT_FIELD(call_with("/api/v1/auth/oidc/rs/callback?code=x", b.cookie), 400, "state");
	flow_to_callback(&b, "rs", "alice");
	char *other = strdup(b.callback);
	memcpy(strstr(other, "/rs/"), "/es/", 4);
	EXPECT_FIELD(call_with(other, b.cookie), 401, "state");
	free(other);
	/* the provider's refusal */
	EXPECT(callback(&b), 302); /* still unused: works */
	flow_to_callback(&b, "rs", "alice");
	const char *st = strstr(b.callback, "state=");
	EXPECT_FIELD(call_with(api_fmt("/api/v1/auth/oidc/rs/callback?error=access_denied&%.*s",
	                               (int)strcspn(st, "&"), st),
	                       b.cookie),
	             401, "code");
	/* another issuer in the answer (RFC 9207 mix-up) */
	flow_to_callback(&b, "rs", "alice");
	char *mixed = strdup(b.callback);
	char *iss = strstr(mixed, "&iss=");
	assert_non_null(iss);
	*iss = 0;
	EXPECT_FIELD(call_with(api_fmt("%s&iss=https%%3A%%2F%%2Fevil.example", mixed), b.cookie),
	             401, "iss");
	free(mixed);
	/* a code of nobody's */
	flow_to_callback(&b, "rs", "alice");
	char *fake = strdup(b.callback);
	char *code = strstr(fake, "code=") + 5;
	code[0] = code[0] == 'A' ? 'B' : 'A';
	EXPECT_FIELD(call_with(fake, b.cookie), 401, "code");
	free(fake);

	/* unknown and disabled providers */
	EXPECT_FIELD(api_call("GET", "/api/v1/auth/oidc/nope/authorize", NULL, NULL), 404, "slug");
	EXPECT_FIELD(api_call("GET", "/api/v1/auth/oidc/off/authorize", NULL, NULL), 404, "slug");
	EXPECT_FIELD(call_with("/api/v1/auth/oidc/off/callback?code=a&state=b", b.cookie), 404,
	             "slug");
	/* open redirects */
	long states = count("SELECT count(*) FROM oidc_states");
	EXPECT_FIELD(api_call("GET",
	                      "/api/v1/auth/oidc/rs/authorize?redirect=https://evil.example/", NULL,
	                      NULL),
	             400, "redirect");
	EXPECT_FIELD(
	    api_call("GET", "/api/v1/auth/oidc/rs/authorize?redirect=//evil.example/", NULL, NULL),
	    400, "redirect");
	EXPECT_FIELD(
	    api_call("GET", "/api/v1/auth/oidc/rs/authorize?redirect=/%5Cevil.example", NULL, NULL),
	    400, "redirect");
	assert_int_equal(count("SELECT count(*) FROM oidc_states"), states);
	/* only the state's hash is kept */
	flow_to_callback(&b, "rs", "alice");
	st = strstr(b.callback, "state=") + 6;
	char raw[64];
	snprintf(raw, sizeof(raw), "%.*s", (int)strcspn(st, "&"), st);
	assert_int_equal(count(api_fmt("SELECT count(*) FROM oidc_states WHERE state_sha256 ="
	                               " sha256('%s'::bytea)",
	                               raw)),
	                 1);
	assert_int_equal(count(api_fmt("SELECT count(*) FROM oidc_states WHERE position('%s' IN"
	                               " nonce || code_verifier || redirect) > 0",
	                               raw)),
	                 0);
}

static void accounts(void **state)
{
	(void)state;
	/* the role map: a group of the claim gives its role */
	EXPECT(sso("rolemap", "boss1", NULL), 302);
	assert_string_equal(api_q("SELECT string_agg(r.name, ',') FROM users u JOIN user_roles ur"
	                          " ON ur.user_id = u.id JOIN roles r ON r.id = ur.role_id"
	                          " WHERE u.username = 'boss1'",
	                          NULL, NULL),
	                    "moderator");
	EXPECT(sso("rolemap", "worker1", NULL), 302);
	assert_string_equal(api_q("SELECT string_agg(r.name, ',') FROM users u JOIN user_roles ur"
	                          " ON ur.user_id = u.id JOIN roles r ON r.id = ur.role_id"
	                          " WHERE u.username = 'worker1'",
	                          NULL, NULL),
	                    "user");
	/* a provider that does not create accounts */
	long users = count("SELECT count(*) FROM users");
	EXPECT_FIELD(sso("manual", "newcomer", NULL), 403, "");
	assert_int_equal(count("SELECT count(*) FROM users"), users);

	/* a local account with the address: never taken over */
	struct api_user carol;
	api_new_user(&carol, "carol", NULL);
	api_exec("UPDATE users SET email = 'carol@example.test', email_verified = true"
	         " WHERE username = 'carol'");
	EXPECT_FIELD(sso("rs", "carol", NULL), 409, "email");
	assert_int_equal(count("SELECT count(*) FROM user_identities i JOIN users u ON"
	                       " u.id = i.user_id WHERE u.username = 'carol'"),
	                 0);
	assert_int_equal(count("SELECT count(*) FROM users"), users + 1);

	/* carol links it herself, then logs in with it */
	EXPECT(api_call("GET", "/api/v1/users/me/identities", carol.token, NULL), 200);
	assert_int_equal(cJSON_GetArraySize(api_get(api_last_json, "items")), 0);
	EXPECT_FIELD(
	    api_call("POST", "/api/v1/users/me/identities", carol.token, "{\"provider\":\"off\"}"),
	    400, "provider");
	EXPECT(api_call("POST", "/api/v1/users/me/identities", carol.token,
	                "{\"provider\":\"rs\",\"redirect\":\"/profile\"}"),
	       200);
	struct browser b;
	browser_open(&b);
	snprintf(b.cookie, sizeof(b.cookie), "revenge_oidc=%s", last_cookie("revenge_oidc"));
	browse_provider(&b, api_fmt("%s", api_str(api_last_json, "authorization_url")), "carol");
	curl_easy_cleanup(b.curl);
	EXPECT(callback(&b), 302);
	assert_string_equal(last_header("Location"), "/profile");
	assert_null(last_cookie("revenge_session"));
	EXPECT(sso("rs", "carol", NULL), 302);
	EXPECT(call_cookie("/api/v1/users/me", last_cookie("revenge_session")), 200);
	assert_string_equal(api_str(api_last_json, "id"), carol.id);
	EXPECT(api_call("GET", "/api/v1/users/me/identities", carol.token, NULL), 200);
	const cJSON *it = cJSON_GetArrayItem(api_get(api_last_json, "items"), 0);
	assert_string_equal(api_str(it, "provider"), "rs");
	char id[37];
	snprintf(id, sizeof(id), "%s", api_str(it, "id"));
	/* someone else's identity is not theirs to unlink */
	EXPECT_FIELD(
	    api_call("DELETE", api_fmt("/api/v1/users/me/identities/%s", id), plain.token, NULL),
	    404, "id");
	EXPECT(api_call("DELETE", api_fmt("/api/v1/users/me/identities/%s", id), carol.token, NULL),
	       204);
	assert_int_equal(count("SELECT count(*) FROM audit_log WHERE action IN"
	                       " ('user.identity.link', 'user.identity.unlink')"),
	                 2);
	/* a disabled account does not log in through its identity */
	EXPECT(sso("rs", "alice", NULL), 302);
	api_exec("UPDATE users SET is_active = false WHERE username = 'alice'");
	EXPECT_FIELD(sso("rs", "alice", NULL), 403, "");
}

/* --- setup ------------------------------------------------------------------------- */

static int setup(void **state)
{
	const char *url = testenv_new_database(NULL);

	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (idp_start())
		return -1;
	pg = testenv_connect(url);
	api_pg = pg;
	snprintf(sock, sizeof(sock), "/tmp/revenge-oidc-%d.sock", (int)getpid());
	snprintf(log_path, sizeof(log_path), "%s/log/test_oidc.log", testenv_stack_dir());
	snprintf(conf, sizeof(conf), "%s/test_oidc-%d.conf", testenv_stack_dir(), (int)getpid());
	api_sock = sock;
	testenv_write_config(conf, url, sock,
	                     "pool_size = 2\n[auth]\nargon2_memory = 1m\nargon2_iterations = 1\n"
	                     "secret_key = " SECRET_KEY "\n[ratelimit]\nenabled = false\n"
	                     "[http]\npublic_url = " PUBLIC "\n");
	server = server_start(conf, sock, log_path);
	if (server <= 0)
		return -1;
	api_new_user(&admin, "oidc_admin", "admin");
	api_new_user(&plain, "oidc_plain", NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (server > 0 && waitpid(server, NULL, WNOHANG) == 0)
		server_stop(server, 5000);
	if (idp > 0) {
		kill(idp, SIGTERM);
		waitpid(idp, NULL, 0);
	}
	if (idp_out >= 0)
		close(idp_out);
	cJSON_Delete(api_last_json);
	PQfinish(pg);
	unlink(conf);
	curl_global_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(providers_admin), cmocka_unit_test(login_rs256_and_es256),
	    cmocka_unit_test(forged_tokens),   cmocka_unit_test(state_and_providers),
	    cmocka_unit_test(accounts),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
