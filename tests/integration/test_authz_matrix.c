/*
 * The authorization matrix (issue 14): every route of the router table
 * (app_routes, iterated at run time) is called against real rows with no
 * credentials, as a guest, a user, a moderator and an admin (sessions), and
 * with two API keys (an admin's read-only key, a moderator's read-write
 * key), and every answer is checked against what the route declares:
 *
 *   - no credentials on a non-public route         -> 401
 *   - the role lacks the route's permission         -> 403
 *   - an API key whose scopes do not cover the route -> 403
 *   - the role has it, but the item lives in a library the role cannot
 *     see (visibility 'granted', no grant, not a library manager)
 *                                                   -> 404
 *   - a session or API key id of another account    -> 404
 *   - otherwise                                     -> 2xx
 *   - never a 5xx, for anyone.
 *
 * The expectation is computed, not listed: the route's permission comes
 * from the table, the role's permissions from role_permissions in the
 * database (admin:* holds all), and "sees every library" is the rule of
 * app/library/libraries.h (admin:* or libraries:update). Only EXCEPTIONS
 * below lists answers that differ, each with its reason.
 *
 * Path parameters are filled with ids of rows that exist, chosen by the
 * literal segment before the parameter and its name (FILLERS in fill()):
 * "libraries/{id}" is a library, "movies/{id}" a movie, "sessions/{id}" one
 * of the caller's own sessions, and so on. A route with a parameter the
 * matrix does not know how to fill FAILS the test naming it: a new route
 * cannot ship unchecked, its author adds a filler.
 *
 * Routes whose parameters point into a library (library, movie, file,
 * collection, scan) are called on rows of an open library, again on rows
 * of a 'granted' library the caller holds no grant on, and (for roles that
 * do not see every library) once more by a caller holding a view grant on
 * it, who must get the open rows' answer. Every 2xx body shown to a caller
 * who does not see every library is also searched for the ids and title
 * of the hidden rows, which must not leak into lists, counts or searches.
 * Routes taking one of the caller's own sessions or keys are called again
 * with another account's.
 *
 * Side effects. Every call is made by a caller created for that call (a
 * fresh account holding exactly the role, logged in once), so logging out,
 * revoking all sessions or changing the password never affects another
 * call. GET reads seeded rows; every other method works on rows made for
 * that one call (a throwaway library, movie, file, account, role, job,
 * grant), so a DELETE or a scan never breaks the next caller's call.
 *
 * Bodies. A JSON route needs a valid body to reach its 2xx; body_for()
 * holds a minimal one per route. A JSON route missing there is sent "{}":
 * roles without the permission must still get 401/403, and an allowed
 * role may get a 2xx or a validation answer (400, 409, 422) — never 401,
 * 403, 404 or a 5xx — so a new route is covered at once and made strict by
 * adding its body. Required query parameters are filled from the route's
 * declared query spec (first enum choice, minimum integer, "quokka": a
 * word of both seeded titles, so a search leaking the hidden movie shows).
 */
#include <errno.h>
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

#include "api.h"
#include "app.h"
#include "auth/password.h"
#include "core/config.h"
#include "server.h"
#include "testenv.h"

#define PW "matrix-password-1"
/* Who calls: a built-in role with a session (bearer token), or with an
 * API key of the given scopes (auth.h: read covers GET, write the other
 * methods, and routes whose permission the `user` role lacks need admin).
 * Index 0: no credentials. */
static const struct principal_def {
	const char *role;
	const char *scopes; /* NULL: a session */
} principals[] = {
    {NULL, NULL},
    {"guest", NULL},
    {"user", NULL},
    {"moderator", NULL},
    {"admin", NULL},
    {"admin", "{read}"},
    {"moderator", "{read,write}"},
};
#define NPRINC (sizeof(principals) / sizeof(principals[0]))

static char conf[256], sock[256], log_path[256], db_url[1024], base[PATH_MAX];
static pid_t server = -1;
static PGconn *pg;
static char pw_hash[256];
static int serial;

/* rows the GET calls read: [0] in an open library, [1] in a hidden one */
struct seeded {
	char lib[37], movie[37], file[37], coll[37], scan[24], dir[PATH_MAX], title[64];
	char series[37], season[37], episode[37], efile[37]; /* a series named title */
};
static struct seeded seed[2];
static char target_user[37], target_name[40], target_session[37], target_key[37];
static char seed_job[24];

/* --- SQL ------------------------------------------------------------------ */

/* An SQL NULL among sql()'s parameters (a NULL pointer ends the list). */
static const char SQL_NULL[] = "NULL";

/* Run sql with text parameters (NULL-terminated list); the first column of
 * the first row, copied to rotating storage ("" without rows). Fails the
 * test on an SQL error. */
static const char *sql(const char *q, ...)
{
	static char out[8][256];
	static int turn;
	const char *params[16];
	int n = 0;
	va_list ap;

	va_start(ap, q);
	for (const char *p; n < 16 && (p = va_arg(ap, const char *));)
		params[n++] = p == SQL_NULL ? NULL : p;
	va_end(ap);
	PGresult *r = PQexecParams(pg, q, n, NULL, params, NULL, NULL, 0);
	char *o = out[turn++ % 8];
	if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK)
		fail_msg("SQL failed: %s: %s", q, PQresultErrorMessage(r));
	snprintf(o, sizeof(out[0]), "%s", PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
	PQclear(r);
	return o;
}

/* Does the built-in role hold perm (admin:* holds every permission)? */
static int role_has(const char *role, const char *perm)
{
	return sql("SELECT 1 FROM roles ro JOIN role_permissions rp ON rp.role_id = ro.id"
	           " WHERE ro.name = $1 AND (rp.permission = $2 OR rp.permission = 'admin:*')",
	           role, perm, NULL)[0] == '1';
}

/* Does role hold perm itself (admin:* not counted)? */
static int role_has_exactly(const char *role, const char *perm)
{
	return sql("SELECT 1 FROM roles ro JOIN role_permissions rp ON rp.role_id = ro.id"
	           " WHERE ro.name = $1 AND rp.permission = $2",
	           role, perm, NULL)[0] == '1';
}

/* libraries.h: managers (admin:* or libraries:update) see every library. */
static int sees_all(const char *role)
{
	return role_has(role, "libraries:update");
}

/* --- rows ----------------------------------------------------------------- */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0)
		fail_msg("cannot write %s: %s", path, strerror(errno));
	fclose(f);
}

static const char *new_dir(void)
{
	const char *d = api_fmt("%s/d%d", base, ++serial);
	if (mkdir(d, 0755) && errno != EEXIST)
		fail_msg("mkdir %s: %s", d, strerror(errno));
	return d;
}

/* An account holding role ("user" for throwaway targets); its id in id
 * and its name in name (≥ 40 bytes). */
static void new_account(const char *role, char *id, char *name)
{
	snprintf(name, 40, "mx%d_%s", ++serial, role);
	snprintf(id, 37, "%s",
	         sql("INSERT INTO users (username, email, password_hash) VALUES ($1, $1 ||"
	             " '@example.com', $2) RETURNING id",
	             name, pw_hash, NULL));
	sql("INSERT INTO user_preferences (user_id) VALUES ($1)", id, NULL);
	sql("INSERT INTO user_roles (user_id, role_id) SELECT $1, id FROM roles WHERE name = $2",
	    id, role, NULL);
}

static const char *new_user(void)
{
	static char id[4][37];
	static int turn;
	char name[40], *o = id[turn++ % 4];
	new_account("user", o, name);
	return o;
}

static const char *new_library(int hidden)
{
	return sql("INSERT INTO libraries (name, type, paths, visibility, scan_interval_minutes)"
	           " VALUES ($1, 'movie', ARRAY[$2], $3, 0) RETURNING id",
	           api_fmt("mx-lib-%d", serial + 1), new_dir(), hidden ? "granted" : "all", NULL);
}

static const char *new_movie(const char *lib, const char *title, const char *coll)
{
	return sql("INSERT INTO movies (library_id, title, original_title, original_language, year,"
	           " collection_id) VALUES ($1, $2, $2, 'en', 2001, $3) RETURNING id",
	           lib, title, coll ? coll : SQL_NULL, NULL);
}

/* A media file of lib (of movie, or unmatched when movie is NULL) at path. */
static const char *new_file(const char *lib, const char *movie, const char *path,
                            const char *sidecars)
{
	const char *rel = strrchr(path, '/') + 1;
	return sql("INSERT INTO media_files (library_id, path, rel_path, size, mtime_ns, movie_id,"
	           " container, sidecars, match_status) VALUES ($1, $2, $3, 10, 1, $4, 'matroska',"
	           " $5::jsonb, CASE WHEN $4::uuid IS NULL THEN 'unmatched' ELSE 'matched' END)"
	           " RETURNING id",
	           lib, path, rel, movie ? movie : SQL_NULL, sidecars ? sidecars : "{}", NULL);
}

static const char *new_job(const char *state)
{
	return sql("INSERT INTO jobs (kind, state, attempt, finalized_at) VALUES ('matrix.probe',"
	           " $1::job_state, 1, CASE WHEN $1 IN ('completed', 'discarded', 'cancelled')"
	           " THEN now() END) RETURNING id",
	           state, NULL);
}

static const char *new_apikey(const char *user)
{
	return sql("INSERT INTO api_keys (user_id, name, prefix, key_hash, scopes) VALUES ($1,"
	           " 'matrix', 'abcdefgh', gen_random_bytes(32), '{read}') RETURNING id",
	           user, NULL);
}

/* --- callers -------------------------------------------------------------- */

struct caller {
	const char *role;
	const char *scopes; /* calls with key (an API key of these scopes) */
	char id[37], name[40], token[128], refresh[128], session[37], key[72];
};

static struct caller seed_admin; /* makes rows only the API can make */

static void login(struct caller *c)
{
	const char *body = api_fmt("{\"username\":\"%s\",\"password\":\"%s\"}", c->name, PW);
	if (api_call("POST", "/api/v1/auth/login", NULL, body) != 200)
		fail_msg("login of %s: %d %.300s", c->name, api_last.status, api_last.body);
	snprintf(c->token, sizeof(c->token), "%s", api_str(api_last_json, "access_token"));
	snprintf(c->refresh, sizeof(c->refresh), "%s", api_str(api_last_json, "refresh_token"));
	snprintf(c->session, sizeof(c->session), "%s", api_str(api_last_json, "session_id"));
}

static void new_caller(struct caller *c, const char *role)
{
	memset(c, 0, sizeof(*c));
	c->role = role;
	new_account(role, c->id, c->name);
	login(c);
}

/* An API key of c with scopes (a SQL array), as apikeys.h makes them. */
static void give_key(struct caller *c, const char *scopes)
{
	c->scopes = scopes;
	snprintf(c->key, sizeof(c->key), "%s",
	         sql("SELECT 'rv_' || encode(gen_random_bytes(32), 'hex')", NULL));
	sql("INSERT INTO api_keys (user_id, name, prefix, key_hash, scopes) VALUES ($1, 'matrix',"
	    " substr($2, 4, 8), digest($2, 'sha256'), $3::text[])",
	    c->id, c->key, scopes, NULL);
}

/* Send one request as c (NULL: no credentials) into api_last. */
static int call_as(const struct caller *c, const char *method, const char *uri, const char *body)
{
	char hdr[256];
	const char *params[2] = {NULL, NULL};

	if (c && c->scopes)
		snprintf(hdr, sizeof(hdr), "HTTP_X_API_KEY=%s", c->key);
	else if (c)
		snprintf(hdr, sizeof(hdr), "HTTP_AUTHORIZATION=Bearer %s", c->token);
	if (c)
		params[0] = hdr;
	assert_int_equal(fcgi_call(api_sock, method, uri, params, body, &api_last), 0);
	cJSON_Delete(api_last_json);
	api_last_json = cJSON_Parse(api_last.body);
	return api_last.status;
}

/* Do the key's scopes cover rt (auth.h)? Admin routes are those whose
 * permission the built-in `user` role does not hold, read from the
 * database like every permission here. */
static int scopes_cover(const char *scopes, const struct route *rt)
{
	int safe = rt->method == HTTP_GET || rt->method == HTTP_HEAD;
	int admin = strstr(scopes, "admin") != NULL;

	if (!admin && !role_has_exactly("user", rt->permission))
		return 0;
	return safe || admin || strstr(scopes, "write");
}

/* An admin invitation (its id), made through the API. */
static const char *new_invitation(void)
{
	static char id[64];
	if (api_call("POST", "/api/v1/admin/invitations", seed_admin.token, "{\"role\":\"user\"}") /
	            100 !=
	        2 ||
	    !api_str(api_last_json, "id"))
		fail_msg("the matrix could not make an invitation to fill {id}: %d %.300s",
		         api_last.status, api_last.body);
	snprintf(id, sizeof(id), "%s", api_str(api_last_json, "id"));
	return id;
}

/* A notification channel (a webhook to a port nobody listens on), made
 * with SQL: a fresh one per call that may change it. */
static const char *new_channel(void)
{
	return sql("INSERT INTO notification_channels (id, name, kind, events, settings)"
		   " VALUES (gen_random_uuid(), $1, 'webhook', '{content.added}',"
		   " '{\"url\": \"http://127.0.0.1:9/x\", \"method\": \"POST\","
		   " \"auth\": \"none\"}') RETURNING id",
		   api_fmt("mx-channel-%d", ++serial), NULL);
}

/* --- one call ------------------------------------------------------------- */

struct call {
	const struct route *rt;
	int hidden;         /* rows of the hidden library */
	int granted;        /* the caller holds a view grant on it */
	int hideable;       /* a parameter points into a library */
	int foreign;        /* self-service ids of another account */
	int owned;          /* a parameter is a self-service id */
	struct caller *who; /* NULL: no credentials */
	char lib[37], movie[37], user[37], episode[37];
	char path[1024];
	char why[512]; /* set when a parameter cannot be filled */
};

static int is_get(const struct call *c)
{
	return c->rt->method == HTTP_GET;
}

/* The owner of a self-service resource: the caller, or the seeded target
 * account for the foreign variant and without credentials (401 whatever
 * the id). */
static const char *owner(const struct call *c)
{
	return c->who && !c->foreign ? c->who->id : target_user;
}

/*
 * FILLERS: the value of parameter `name` following the literal segment
 * `lit` (the next literal is `next`, NULL at the end). Writes out (≥ 64
 * bytes); 0 when the matrix does not know the parameter.
 */
static int fill(struct call *c, const char *lit, const char *name, const char *next, char *out)
{
	int fresh = !is_get(c);
	const struct seeded *s = &seed[c->hidden];

#define IS(l, n) (!strcmp(lit, l) && !strcmp(name, n))
	if (IS("users", "id")) {
		/* any account; changes go to a throwaway one */
		snprintf(c->user, 37, "%s", fresh ? new_user() : target_user);
		snprintf(out, 64, "%s", c->user);
	} else if (IS("roles", "role")) {
		/* a role the account filled before holds (throwaways hold "user") */
		snprintf(out, 64, "user");
	} else if (IS("roles", "name")) {
		if (fresh) {
			const char *n = api_fmt("mx-role-%d", ++serial);
			sql("INSERT INTO roles (name, description) VALUES ($1, 'matrix')", n, NULL);
			sql("INSERT INTO role_permissions (role_id, permission) SELECT id, "
			    "'movies:list'"
			    " FROM roles WHERE name = $1",
			    n, NULL);
			snprintf(out, 64, "%s", n);
		} else {
			snprintf(out, 64, "user");
		}
	} else if (IS("libraries", "id")) {
		c->hideable = 1;
		snprintf(c->lib, 37, "%s", fresh ? new_library(c->hidden) : s->lib);
		snprintf(out, 64, "%s", c->lib);
	} else if (IS("scans", "scan_id")) {
		c->hideable = 1;
		snprintf(out, 64, "%s",
		         fresh || strcmp(c->lib, s->lib)
		             ? sql("INSERT INTO library_scans (library_id, scan_type, status)"
		                   " VALUES ($1, 'full', 'completed') RETURNING id",
		                   c->lib, NULL)
		             : s->scan);
	} else if (IS("permissions", "user_id")) {
		/* a grant on the library filled before, of a throwaway account */
		const char *u = new_user();
		sql("INSERT INTO library_grants (user_id, library_id, level) VALUES ($1, $2, "
		    "'view')",
		    u, c->lib, NULL);
		snprintf(out, 64, "%s", u);
	} else if (IS("movies", "id")) {
		c->hideable = 1;
		snprintf(c->movie, 37, "%s",
		         fresh ? new_movie(s->lib, api_fmt("Throwaway %d", ++serial), NULL) : s->movie);
		snprintf(out, 64, "%s", c->movie);
	} else if (IS("tvshows", "id")) {
		c->hideable = 1;
		snprintf(out, 64, "%s", s->series);
	} else if (IS("seasons", "id")) {
		c->hideable = 1;
		snprintf(out, 64, "%s", s->season);
	} else if (IS("episodes", "id")) {
		/* watch state changes are the caller's own */
		c->hideable = 1;
		snprintf(c->episode, 37, "%s", s->episode);
		snprintf(out, 64, "%s", s->episode);
	} else if (IS("files", "file_id") && c->episode[0]) {
		/* the file of the episode filled before */
		c->hideable = 1;
		snprintf(out, 64, "%s", s->efile);
	} else if (IS("files", "file_id")) {
		/* a file of the movie filled before */
		c->hideable = 1;
		snprintf(
		    out, 64, "%s",
		    !strcmp(c->movie, s->movie)
		        ? s->file
		        : new_file(s->lib, c->movie, api_fmt("%s/f%d.mkv", s->dir, ++serial), NULL));
	} else if (IS("files", "id")) {
		c->hideable = 1;
		snprintf(out, 64, "%s",
		         fresh ? new_file(s->lib, NULL, api_fmt("%s/u%d.mkv", s->dir, ++serial), NULL)
		               : s->file);
	} else if (IS("subtitles", "index")) {
		snprintf(out, 64, "0"); /* the seeded file has one external subtitle */
	} else if (IS("collections", "id")) {
		c->hideable = 1;
		snprintf(out, 64, "%s", s->coll);
	} else if (IS("jobs", "id")) {
		/* retry needs a finished job, cancel a live one */
		const char *state = next && !strcmp(next, "retry")    ? "discarded"
		                    : next && !strcmp(next, "cancel") ? "available"
		                                                      : NULL;
		snprintf(out, 64, "%s",
		         state   ? new_job(state)
		         : fresh ? new_job("completed")
		                 : seed_job);
	} else if (IS("sessions", "id")) {
		/* self-service: another live session of the caller (foreign: of
		 * the target account) */
		c->owned = 1;
		if (c->who) {
			struct caller again = *c->who;
			if (c->foreign)
				snprintf(again.name, sizeof(again.name), "%s", target_name);
			login(&again);
			snprintf(out, 64, "%s", again.session);
		} else {
			snprintf(out, 64, "%s", target_session);
		}
	} else if (IS("apikeys", "id")) {
		/* self-service: one of the caller's keys (foreign: the target's) */
		c->owned = 1;
		snprintf(out, 64, "%s", c->who ? new_apikey(owner(c)) : target_key);
	} else if (IS("server", "key")) {
		snprintf(out, 64, "server.name");
	} else if (IS("user", "key")) {
		/* self-service: one of the caller's settings */
		sql("INSERT INTO user_settings (user_id, key, value)"
		    " VALUES ($1, 'matrix.pref', '1') ON CONFLICT DO NOTHING",
		    owner(c), NULL);
		snprintf(out, 64, "matrix.pref");
	} else if (IS("invitations", "id")) {
		/* issue 14 item 7: an invitation made by the seeded admin */
		snprintf(out, 64, "%s", new_invitation());
	} else if (IS("notifications", "id")) {
		static char seeded[37];
		if (!seeded[0])
			snprintf(seeded, sizeof(seeded), "%s", new_channel());
		snprintf(out, 64, "%s", fresh ? new_channel() : seeded);
	} else if (IS("integrations", "kind")) {
		/* Radarr, set up (again, after a DELETE took it) with a webhook
		 * secret and no API key: nothing to ask, see EXCEPTIONS */
		sql("INSERT INTO integrations (kind, webhook_secret_sha256) VALUES ('radarr',"
		    " sha256('matrix-secret-0123456789')) ON CONFLICT DO NOTHING",
		    NULL, NULL);
		snprintf(out, 64, "radarr");
	} else if (IS("oidc", "slug")) {
		/* a disabled provider: no OpenID provider runs here (test_oidc
		 * drives the flow), see EXCEPTIONS */
		sql("INSERT INTO oidc_providers (slug, display_name, issuer, client_id, enabled)"
		    " VALUES ('matrix-off', 'Off', 'https://idp.invalid', 'c', false)"
		    " ON CONFLICT DO NOTHING",
		    NULL, NULL);
		snprintf(out, 64, "matrix-off");
	} else if (IS("providers", "slug")) {
		/* a provider; changes go to a throwaway one */
		const char *slug = fresh ? api_fmt("mx-idp-%d", ++serial) : "matrix";
		sql("INSERT INTO oidc_providers (slug, display_name, issuer, client_id)"
		    " VALUES ($1, 'Matrix', 'https://idp.invalid', 'c') ON CONFLICT DO NOTHING",
		    slug, NULL);
		snprintf(out, 64, "%s", slug);
	} else if (IS("identities", "id")) {
		/* self-service: an identity of the caller (foreign: the target's) */
		c->owned = 1;
		sql("INSERT INTO oidc_providers (slug, display_name, issuer, client_id)"
		    " VALUES ('matrix', 'Matrix', 'https://idp.invalid', 'c') ON CONFLICT DO NOTHING",
		    NULL, NULL);
		snprintf(out, 64, "%s",
		         sql("INSERT INTO user_identities (user_id, provider_id, subject) SELECT $1, id,"
		             " $2 FROM oidc_providers WHERE slug = 'matrix' ON CONFLICT (provider_id,"
		             " user_id) DO UPDATE SET email = NULL RETURNING id",
		             owner(c), api_fmt("mx-sub-%d", ++serial), NULL));
	} else if (IS("resources", "type")) {
		snprintf(out, 64, "library");
	} else if (IS("resources", "id")) {
		snprintf(out, 64, "%s", seed[0].lib); /* the seeded audit record's resource */
	} else {
		return 0;
	}
#undef IS
	return 1;
}

/* Required query parameters, filled from their declared type. */
static void fill_query(const struct route *rt, char *out, size_t cap)
{
	size_t o = 0;

	out[0] = '\0';
	for (const struct param_spec *q = rt->query; q && q->name; q++) {
		if (!q->required)
			continue;
		const char *v = q->type == PT_ENUM   ? q->choices[0]
		                : q->type == PT_INT  ? api_fmt("%lld", (long long)q->min)
		                : q->type == PT_BOOL ? "true"
		                : q->type == PT_UUID ? seed[0].movie
		                                     : "quokka"; /* the seeded titles */
		o += (size_t)snprintf(out + o, cap - o, "%c%s=%s", o ? '&' : '?', q->name, v);
	}
}

/* The concrete path of c->rt; 0 (c->why set) when a parameter is unknown. */
static int build_path(struct call *c)
{
	const char *p = c->rt->pattern;
	char lit[128] = "", query[512];
	size_t o = 0;

	while (*p) {
		const char *end = strchr(p + 1, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char seg[128];
		snprintf(seg, sizeof(seg), "%.*s", (int)(n - 1), p + 1);
		if (seg[0] == '{') {
			char name[64], next[128] = "", val[64];
			const char *colon = strchr(seg, ':');
			snprintf(name, sizeof(name), "%.*s", (int)(colon - seg - 1), seg + 1);
			/* the next literal segment, for a verb after the id */
			if (end) {
				const char *e2 = strchr(end + 1, '/');
				snprintf(next, sizeof(next), "%.*s",
				         (int)(e2 ? (size_t)(e2 - end - 1) : strlen(end + 1)),
				         end + 1);
			}
			if (!fill(c, lit, name, next[0] && next[0] != '{' ? next : NULL, val)) {
				snprintf(
				    c->why, sizeof(c->why),
				    "%s %s: the matrix does not know how to fill {%s} after \"%s\";"
				    " add a filler in fill() of %s",
				    http_method_name(c->rt->method), c->rt->pattern, name, lit,
				    __FILE__);
				return 0;
			}
			o += (size_t)snprintf(c->path + o, sizeof(c->path) - o, "/%s", val);
		} else {
			snprintf(lit, sizeof(lit), "%s", seg);
			o += (size_t)snprintf(c->path + o, sizeof(c->path) - o, "/%s", seg);
		}
		p += n;
	}
	fill_query(c->rt, query, sizeof(query));
	snprintf(c->path + o, sizeof(c->path) - o, "%s", query);
	return 1;
}

/* --- bodies --------------------------------------------------------------- */

static const char *body_for(const struct call *c)
{
	const struct route *rt = c->rt;
	const char *m = http_method_name(rt->method);
	int k = ++serial;

#define ROUTE(mm, pp) (!strcmp(m, mm) && !strcmp(rt->pattern, pp))
	if (ROUTE("POST", "/api/v1/auth/register"))
		return api_fmt("{\"username\":\"mxreg%d\",\"email\":\"mxreg%d@example.com\","
		           "\"password\":\"%s\"}",
		           k, k, PW);
	if (ROUTE("POST", "/api/v1/auth/login") || ROUTE("POST", "/api/v1/auth/refresh")) {
		/* the caller's own credentials; anonymous: a fresh account's */
		struct caller tmp;
		const struct caller *w = c->who;
		if (!w) {
			new_caller(&tmp, "user");
			w = &tmp;
		}
		if (strstr(rt->pattern, "login"))
			return api_fmt("{\"username\":\"%s\",\"password\":\"%s\"}", w->name, PW);
		return api_fmt("{\"refresh_token\":\"%s\"}", w->refresh);
	}
	if (ROUTE("POST", "/api/v1/auth/change-password"))
		return "{\"current_password\":\"" PW "\",\"new_password\":\"matrix-password-2\"}";
	if (ROUTE("PUT", "/api/v1/users/me"))
		return "{\"display_name\":\"Matrix Caller\"}";
	if (ROUTE("PUT", "/api/v1/users/me/preferences"))
		return "{\"theme\":\"dark\"}";
	if (ROUTE("PATCH", "/api/v1/admin/users/{id:uuid}"))
		return "{\"display_name\":\"Matrix Target\"}";
	if (ROUTE("POST", "/api/v1/apikeys"))
		return "{\"name\":\"matrix\",\"scopes\":[\"read\"]}";
	if (ROUTE("POST", "/api/v1/rbac/roles"))
		return api_fmt("{\"name\":\"mx-new-%d\",\"permissions\":[\"movies:list\"]}", k);
	if (ROUTE("PUT", "/api/v1/rbac/roles/{name:str}/permissions"))
		return "{\"permissions\":[\"movies:get\"]}";
	if (ROUTE("POST", "/api/v1/rbac/users/{id:uuid}/roles"))
		return "{\"role\":\"guest\"}";
	if (ROUTE("PUT", "/api/v1/settings/server/{key:str}"))
		return "{\"value\":\"Revenge\"}";
	if (ROUTE("PUT", "/api/v1/settings/user/{key:str}"))
		return "{\"value\":1}";
	if (ROUTE("POST", "/api/v1/libraries"))
		return api_fmt("{\"name\":\"mx-new-lib-%d\",\"type\":\"movie\",\"paths\":[\"%s\"]}", k,
		           new_dir());
	if (ROUTE("PUT", "/api/v1/libraries/{id:uuid}"))
		return api_fmt("{\"name\":\"mx-renamed-%d\"}", k);
	if (ROUTE("POST", "/api/v1/libraries/{id:uuid}/scan"))
		return "{}";
	if (ROUTE("POST", "/api/v1/libraries/{id:uuid}/permissions"))
		return api_fmt("{\"user_id\":\"%s\",\"level\":\"view\"}", new_user());
	if (ROUTE("POST", "/api/v1/files/{id:uuid}/match"))
		return "{\"tmdb_id\":603}";
	if (ROUTE("PUT", "/api/v1/movies/{id:uuid}/progress") ||
	    ROUTE("PUT", "/api/v1/tvshows/episodes/{id:uuid}/progress"))
		return "{\"position_seconds\":60}";
	if (ROUTE("POST", "/api/v1/tvshows/episodes/bulk-watched"))
		return api_fmt("{\"series_id\":\"%s\"}", seed[0].series);
	if (ROUTE("POST", "/api/v1/admin/notifications"))
		return api_fmt("{\"name\":\"mx-new-channel-%d\",\"kind\":\"webhook\",\"events\":"
		               "[\"content.added\"],\"settings\":{\"url\":\"http://127.0.0.1:9/x\"}}",
		               k);
	if (ROUTE("PUT", "/api/v1/admin/notifications/{id:uuid}"))
		return "{\"enabled\":false}";
	if (ROUTE("PUT", "/api/v1/admin/integrations/{kind:str}"))
		return "{\"enabled\":true}";
	if (ROUTE("POST", "/api/v1/admin/integrations/{kind:str}/sync"))
		return "{}";
	/* e-mail flows: an address nobody has; a well-shaped token nobody holds */
	if (ROUTE("POST", "/api/v1/auth/forgot-password"))
		return "{\"email\":\"nobody@example.com\"}";
	if (ROUTE("POST", "/api/v1/auth/reset-password"))
		return "{\"token\":\"rvm_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\","
		       "\"password\":\"matrix-password-3\"}";
	if (ROUTE("POST", "/api/v1/auth/verify-email"))
		return "{\"token\":\"rvm_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}";
	if (ROUTE("PUT", "/api/v1/rbac/roles/{name:str}/mfa"))
		return "{\"mfa_required\":true}"; /* a throwaway role: no holder is affected */
	if (ROUTE("POST", "/api/v1/admin/auth/providers"))
		return api_fmt("{\"slug\":\"mx-new-idp-%d\",\"display_name\":\"Matrix\","
		               "\"issuer\":\"https://idp.invalid\",\"client_id\":\"c\"}",
		               k);
	if (ROUTE("PUT", "/api/v1/admin/auth/providers/{slug:str}"))
		return "{\"display_name\":\"Matrix renamed\"}";
	if (ROUTE("POST", "/api/v1/users/me/identities")) {
		/* the disabled provider: see EXCEPTIONS */
		sql("INSERT INTO oidc_providers (slug, display_name, issuer, client_id, enabled)"
		    " VALUES ('matrix-off', 'Off', 'https://idp.invalid', 'c', false)"
		    " ON CONFLICT DO NOTHING",
		    NULL, NULL);
		return "{\"provider\":\"matrix-off\"}";
	}
#undef ROUTE
	return NULL;
}

/*
 * EXCEPTIONS: answers an allowed caller gets that are not a 2xx, each for
 * a documented reason. role NULL: every role; key: applies to callers with
 * an API key (1) or to the others (0).
 */
static const struct exception {
	const char *method, *pattern, *role;
	int key, status;
	const char *why;
} exceptions[] = {
    /* docs/openapi.yaml (logout): a key is revoked, not logged out */
    {"POST", "/api/v1/auth/logout", NULL, 1, 400, "API keys do not log out"},
    /* sessions_api.h: a request made with a key has no current session */
    {"GET", "/api/v1/sessions/current", NULL, 1, 404, "an API key has no session"},
    {"DELETE", "/api/v1/sessions/current", NULL, 1, 404, "an API key has no session"},
    /* integrations.h: asking Radarr needs its API key; the matrix's Radarr
     * has none (test_arr_sync asks a stand-in) */
#define NO_KEY(m, p)                                                                               \
	{m, p, NULL, 0, 409, "Radarr has no API key here"},                                        \
	{                                                                                          \
		m, p, NULL, 1, 409, "Radarr has no API key here"                                   \
	}
    NO_KEY("GET", "/api/v1/admin/integrations/{kind:str}/status"),
    NO_KEY("GET", "/api/v1/admin/integrations/{kind:str}/quality-profiles"),
    NO_KEY("GET", "/api/v1/admin/integrations/{kind:str}/root-folders"),
    NO_KEY("POST", "/api/v1/admin/integrations/{kind:str}/sync"),
    /* a webhook is authenticated by the integration's secret, not by a
     * session or key (test_webhooks, t_webhooks.sh) */
#define SECRET_ONLY(p)                                                                             \
	{"POST", p, NULL, 0, 401, "webhooks take the integration's secret"},                      \
	{                                                                                          \
		"POST", p, NULL, 1, 401, "webhooks take the integration's secret"                  \
	}
    SECRET_ONLY("/api/v1/webhooks/radarr"),
    SECRET_ONLY("/api/v1/webhooks/sonarr"),
    /* mail/flows.h: the matrix holds no mailed token (test_mail_flows
     * redeems real ones), and its server has no SMTP configured */
#define EVERY_CALLER(m, p, st, why)                                                                \
	{m, p, NULL, 0, st, why},                                                                  \
	{                                                                                          \
		m, p, NULL, 1, st, why                                                             \
	}
    EVERY_CALLER("POST", "/api/v1/auth/reset-password", 400, "no mailed token here"),
    EVERY_CALLER("POST", "/api/v1/auth/verify-email", 400, "no mailed token here"),
    EVERY_CALLER("POST", "/api/v1/users/me/verify-email", 409, "no SMTP configured here"),
#undef EVERY_CALLER
    /* auth/mfa.h: the second factor is managed from a session, never with
     * a key (DELETE and regenerate reach the handler with "{}") */
    {"POST", "/api/v1/mfa/totp/setup", NULL, 1, 403, "MFA is managed from a session"},
    {"DELETE", "/api/v1/mfa/totp", NULL, 1, 403, "MFA is managed from a session"},
    {"POST", "/api/v1/mfa/backup-codes/regenerate", NULL, 1, 403,
     "MFA is managed from a session"},
    /* oidc.h: no OpenID provider runs in the matrix (test_oidc drives the
     * flow against a real one); the provider it names is disabled */
#define NO_IDP(m, p, st)                                                                           \
	{m, p, NULL, 0, st, "no OpenID provider runs here"},                                       \
	{                                                                                          \
		m, p, NULL, 1, st, "no OpenID provider runs here"                                  \
	}
    NO_IDP("GET", "/api/v1/auth/oidc/{slug:str}/authorize", 404),
    NO_IDP("GET", "/api/v1/auth/oidc/{slug:str}/callback", 404),
    {"POST", "/api/v1/users/me/identities", NULL, 0, 400, "no OpenID provider runs here"},
    /* oidc_flow.c: linking is for a logged-in person, not a key */
    {"POST", "/api/v1/users/me/identities", NULL, 1, 403, "an API key cannot link"},
#undef NO_IDP
#undef NO_KEY
#undef SECRET_ONLY
    /* users/avatar.h: the body is an image, which the matrix does not send
     * (no body, no Content-Type); test_avatars uploads real ones */
    {"POST", "/api/v1/users/me/avatar", NULL, 0, 415, "the matrix sends no image"},
    {"POST", "/api/v1/users/me/avatar", NULL, 1, 415, "the matrix sends no image"},
    {NULL, NULL, NULL, 0, 0, NULL},
};

static const struct exception *exception_for(const struct route *rt, const struct caller *who)
{
	for (const struct exception *x = exceptions; x->method; x++)
		if (!strcmp(x->method, http_method_name(rt->method)) &&
		    !strcmp(x->pattern, rt->pattern) &&
		    (!x->role || (who && !strcmp(x->role, who->role))) &&
		    x->key == (who && who->scopes))
			return x;
	return NULL;
}

/* --- the walk ------------------------------------------------------------- */

static int checked, failures;

static void report(const struct call *c, int status, const char *want, const char *body)
{
	failures++;
	print_error("MATRIX FAIL %s %s (%s) as %s%s%s%s: got %d, want %s: %.300s\n",
	            http_method_name(c->rt->method), c->rt->pattern, c->rt->permission,
	            c->who ? c->who->role : "anonymous",
	            c->who && c->who->scopes ? " with a key " : "",
	            c->who && c->who->scopes ? c->who->scopes : "",
	            c->foreign   ? " on another account's ids"
	            : c->granted ? " with a grant on the hidden rows"
	            : c->hidden  ? " on hidden rows"
	                         : "",
	            status, want, body);
}

/* Hidden ids and titles in a body shown to a caller who cannot see them. */
static const char *leak(const char *body)
{
	const char *needles[] = {seed[1].lib,    seed[1].movie,   seed[1].file,
	                         seed[1].coll,   seed[1].title,   seed[1].series,
	                         seed[1].season, seed[1].episode, seed[1].efile};
	for (size_t i = 0; i < sizeof(needles) / sizeof(needles[0]); i++)
		if (strstr(body, needles[i]))
			return needles[i];
	return NULL;
}

/* The variants of a call: plain; on the hidden library's rows; the same
 * by a caller holding a view grant on that library; with self-service ids
 * (sessions, keys) of another account. */
enum variant { V_OPEN, V_HIDDEN, V_GRANTED, V_FOREIGN };
static const char *const variant_names[] = {"open", "hidden", "granted", "foreign"};

/* Bits run_one() returns: which further variants the route's parameters
 * make worth a call. */
#define R_HIDEABLE 1
#define R_OWNED 2

/* One call of route rt by principal k in variant v; R_* bits, or -1 when
 * the route's parameters cannot be filled. */
static int run_one(const struct route *rt, size_t k, enum variant v)
{
	int hidden = v == V_HIDDEN || v == V_GRANTED, granted = v == V_GRANTED;
	static struct call c;
	struct caller who;
	const char *role = principals[k].role, *body;
	int pub = !strcmp(rt->permission, PERM_PUBLIC);

	memset(&c, 0, sizeof(c));
	c.rt = rt;
	c.hidden = hidden;
	c.granted = granted;
	c.foreign = v == V_FOREIGN;
	if (role) {
		new_caller(&who, role);
		c.who = &who;
		if (principals[k].scopes)
			give_key(&who, principals[k].scopes);
		if (granted)
			sql("INSERT INTO library_grants (user_id, library_id, level)"
			    " VALUES ($1, $2, 'view')",
			    who.id, seed[1].lib, NULL);
	}
	if (!build_path(&c)) {
		failures++;
		print_error("MATRIX FAIL %s\n", c.why);
		return -1;
	}
	body = rt->body == BODY_JSON ? body_for(&c) : NULL;
	int lenient = rt->body == BODY_JSON && !body;
	if (lenient)
		body = "{}";
	int st = call_as(c.who, http_method_name(rt->method), c.path, body);
	int ret = (c.hideable ? R_HIDEABLE : 0) | (c.owned ? R_OWNED : 0);
	checked++;
	if (getenv("MATRIX_VERBOSE"))
		print_message("%-6s %-70s %-9s %-12s %-7s %d\n", http_method_name(rt->method),
		              c.path, role ? role : "anonymous",
		              principals[k].scopes ? principals[k].scopes : "session",
		              variant_names[v], st);

	if (st >= 500) {
		report(&c, st, "no 5xx", api_last.body);
		return ret;
	}
	if (!pub && !role) {
		if (st != 401)
			report(&c, st, "401", api_last.body);
		return ret;
	}
	if (!pub && !role_has(role, rt->permission)) {
		if (st != 403)
			report(&c, st, "403", api_last.body);
		return ret;
	}
	if (!pub && principals[k].scopes && !scopes_cover(principals[k].scopes, rt)) {
		if (st != 403)
			report(&c, st, "403 (the key's scopes)", api_last.body);
		return ret;
	}
	if (hidden && !granted && !sees_all(role)) {
		if (st != 404)
			report(&c, st, "404 (hidden library)", api_last.body);
		return ret;
	}
	if (c.foreign) {
		/* another account's session or key is answered like an unknown
		 * id, whatever the caller's role (admins included) */
		if (st != 404)
			report(&c, st, "404 (another account's own resource)", api_last.body);
		return ret;
	}
	const struct exception *x = exception_for(rt, c.who);
	if (x) {
		if (st != x->status)
			report(&c, st, api_fmt("%d (%s)", x->status, x->why), api_last.body);
	} else if (lenient) {
		if (!(st / 100 == 2 || st == 400 || st == 409 || st == 422))
			report(&c, st, "2xx or 400/409/422 (no body in BODIES)", api_last.body);
	} else if (st / 100 != 2) {
		report(&c, st, "2xx", api_last.body);
	}
	const char *l;
	if (st / 100 == 2 && role && !granted && !sees_all(role) && (l = leak(api_last.body)))
		report(&c, st, api_fmt("no trace of the hidden \"%s\"", l), api_last.body);
	return ret;
}

static void matrix(void **state)
{
	size_t routes = 0;

	(void)state;
	for (size_t i = 0; i < app_routes_count; i++) {
		const struct route *rt = &app_routes[i];
		routes++;
		for (size_t k = 0; k < NPRINC; k++) {
			int r = run_one(rt, k, V_OPEN);
			if (r < 0)
				break; /* reported once for the route */
			if (r & R_OWNED)
				run_one(rt, k, V_FOREIGN);
			if (!(r & R_HIDEABLE))
				continue;
			run_one(rt, k, V_HIDDEN);
			/* a grant makes the hidden rows visible: the 404 above
			 * is the library's visibility, nothing else */
			if (principals[k].role && !principals[k].scopes &&
			    !sees_all(principals[k].role))
				run_one(rt, k, V_GRANTED);
		}
	}
	print_message("authorization matrix: %zu routes, %d calls, %d wrong\n", routes, checked,
	              failures);
	assert_true(routes == app_routes_count);
	if (!failures)
		assert_true(checked >= (int)(NPRINC * routes));
	if (failures)
		fail_msg("%d answers of the authorization matrix are wrong (MATRIX FAIL lines)",
		         failures);
}

/* --- setup ---------------------------------------------------------------- */

static void seed_library(int i)
{
	struct seeded *s = &seed[i];
	const char *name = i ? "Hidden" : "Open";

	snprintf(s->dir, sizeof(s->dir), "%s", new_dir());
	snprintf(s->title, sizeof(s->title), "%s Quokka Picture", name);
	mkdir(api_fmt("%s/%s (2001)", s->dir, s->title), 0755);
	const char *video = api_fmt("%s/%s (2001)/%s (2001).mkv", s->dir, s->title, s->title);
	write_file(video, "not really a video, but bytes to stream");
	write_file(api_fmt("%s/%s (2001)/%s (2001).en.srt", s->dir, s->title, s->title),
	           "1\n00:00:01,000 --> 00:00:02,000\nHello.\n");
	snprintf(s->lib, 37, "%s",
	         sql("INSERT INTO libraries (name, type, paths, visibility, scan_interval_minutes)"
	             " VALUES ($1, 'movie', ARRAY[$2], $3, 0) RETURNING id",
	             api_fmt("%s library", name), s->dir, i ? "granted" : "all", NULL));
	snprintf(s->coll, 37, "%s",
	         sql("INSERT INTO collections (tmdb_id, name) VALUES ($1::int, $2) RETURNING id",
	             i ? "900002" : "900001", api_fmt("%s Collection", name), NULL));
	snprintf(s->movie, 37, "%s", new_movie(s->lib, s->title, s->coll));
	snprintf(s->file, 37, "%s",
	         new_file(s->lib, s->movie, video,
	                  api_fmt("{\"subtitles\":[{\"file\":\"%s (2001).en.srt\",\"language\":\"en\","
	                      "\"forced\":false}]}",
	                      s->title)));
	/* a series of the same name, a season, an episode and its file */
	mkdir(api_fmt("%s/%s", s->dir, s->title), 0755);
	const char *ep = api_fmt("%s/%s/%s S01E01.mkv", s->dir, s->title, s->title);
	write_file(ep, "not really an episode either");
	write_file(api_fmt("%s/%s/%s S01E01.en.srt", s->dir, s->title, s->title),
	           "1\n00:00:01,000 --> 00:00:02,000\nHello.\n");
	snprintf(s->series, 37, "%s",
	         sql("INSERT INTO series (library_id, title, original_language, year) VALUES"
	             " ($1, $2, 'en', 2001) RETURNING id",
	             s->lib, s->title, NULL));
	snprintf(s->season, 37, "%s",
	         sql("INSERT INTO seasons (series_id, season_number, name) VALUES ($1, 1,"
	             " 'Season 1') RETURNING id",
	             s->series, NULL));
	snprintf(s->episode, 37, "%s",
	         sql("INSERT INTO episodes (series_id, season_id, season_number, episode_number,"
	             " title, air_date) VALUES ($1, $2, 1, 1, $3, '2001-01-01') RETURNING id",
	             s->series, s->season, api_fmt("%s Pilot", s->title), NULL));
	snprintf(s->efile, 37, "%s",
	         sql("INSERT INTO media_files (library_id, path, rel_path, size, mtime_ns, series_id,"
	             " container, sidecars, match_status) VALUES ($1, $2, $3, 10, 1, $4, 'matroska',"
	             " $5::jsonb, 'matched') RETURNING id",
	             s->lib, ep, strrchr(ep, '/') + 1, s->series,
	             api_fmt("{\"subtitles\":[{\"file\":\"%s S01E01.en.srt\",\"language\":\"en\","
	                 "\"forced\":false}]}",
	                 s->title),
	             NULL));
	sql("INSERT INTO media_file_episodes (file_id, episode_id) VALUES ($1, $2)", s->efile,
	    s->episode, NULL);
	snprintf(s->scan, sizeof(s->scan), "%s",
	         sql("INSERT INTO library_scans (library_id, scan_type, status, finished_at)"
	             " VALUES ($1, 'full', 'completed', now()) RETURNING id",
	             s->lib, NULL));
}

static int setup(void **state)
{
	char extra[PATH_MAX + 1024], *h = NULL;
	struct config cfg = {0};

	(void)state;
	snprintf(base, sizeof(base), "/tmp/revenge-matrix-%d", (int)getpid());
	if (mkdir(base, 0755) && errno != EEXIST)
		return -1;
	char real[PATH_MAX];
	if (!realpath(base, real))
		return -1;
	snprintf(base, sizeof(base), "%s", real);
	snprintf(extra, sizeof(extra), "pool_size = 2\n" TESTENV_FAST_AUTH);
	/* MFA setup seals its secret with auth.secret_key (503 without one) */
	snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
	         "[auth]\nsecret_key = %064d\n", 7);
	/* issue 14 item 1: where the server restricts library roots, allow
	 * this test's directory (POST /libraries makes roots inside it) */
	size_t nkeys;
	const struct config_key *keys = config_keys(&nkeys);
	for (size_t i = 0; i < nkeys; i++)
		if (!strcmp(keys[i].section, "library") && !strcmp(keys[i].name, "allowed_roots"))
			snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
			         "[library]\nallowed_roots = \"%s\"\n", base);
	snprintf(db_url, sizeof(db_url), "%s", testenv_new_database(NULL));
	testenv_write_config(conf, db_url, sock, extra);
	pg = testenv_connect(db_url);
	api_pg = pg;
	api_sock = sock;

	cfg.auth_argon2_memory = 1024 * 1024;
	cfg.auth_argon2_iterations = 1;
	cfg.auth_argon2_parallelism = 1;
	if (password_hash(&cfg, PW, strlen(PW), &h))
		return -1;
	snprintf(pw_hash, sizeof(pw_hash), "%s", h);
	free(h);

	/* the register route is public: open it whatever the default is */
	sql("INSERT INTO server_settings (key, value) VALUES ('auth.registration_enabled', 'true')"
	    " ON CONFLICT (key) DO UPDATE SET value = 'true'",
	    NULL);
	seed_library(0);
	seed_library(1);
	new_account("user", target_user, target_name);
	snprintf(target_key, 37, "%s", new_apikey(target_user));
	snprintf(seed_job, sizeof(seed_job), "%s", new_job("completed"));
	sql("INSERT INTO audit_log (user_id, action, resource_type, resource_id) VALUES ($1,"
	    " 'library.create', 'library', $2)",
	    target_user, seed[0].lib, NULL);

	server = server_start(conf, sock, log_path);
	if (server <= 0)
		return -1;
	struct caller t = {.role = "user"};
	snprintf(t.name, sizeof(t.name), "%s", target_name);
	login(&t);
	snprintf(target_session, 37, "%s", t.session);
	new_caller(&seed_admin, "admin");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (server > 0)
		server_stop(server, 5000);
	PQfinish(pg);
	unlink(conf);
	if (base[0] && strstr(base, "/revenge-matrix-") && system(api_fmt("rm -rf '%s'", base)) != 0)
		print_error("could not remove %s\n", base);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(matrix),
	};
	snprintf(conf, sizeof(conf), "/tmp/revenge-matrix-%d.conf", (int)getpid());
	snprintf(sock, sizeof(sock), "/tmp/revenge-matrix-%d.sock", (int)getpid());
	snprintf(log_path, sizeof(log_path), "%s/log/test_authz_matrix.log", testenv_stack_dir());
	return cmocka_run_group_tests(tests, setup, teardown);
}
