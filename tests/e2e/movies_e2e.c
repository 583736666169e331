/*
 * The movies API end to end: HTTPS through nginx to the pool, against a
 * library seeded in PostgreSQL (and real files on disk for the streams).
 * Run by tests/e2e/t_movies.sh with BASE and the stack's PG* variables;
 * prints one "ok NAME" / "FAIL NAME: why" line per assertion, like
 * tests/e2e/lib.sh, and exits 0 (the runner counts the lines).
 *
 * What it covers: every filter and sort, both pagination modes (each page
 * walked; rows inserted between cursor pages cause no duplicates or gaps),
 * the localisation chain for each language and Accept-Language, search
 * with typos, accents, non-Latin scripts and people, autocomplete and
 * facets, age limits and library grants on every endpoint (404, never a
 * count), watch state, validators (304), refresh, and direct play: a
 * ranged stream with the exact bytes, 401/403/404/416.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <libpq-fe.h>

static const char *base;
static char run_tag[16];
static PGconn *pg;
static int failures;

/* --- reporting ------------------------------------------------------------------ */

static void ok(const char *name)
{
	printf("ok %s\n", name);
}

static void fail(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(const char *name, const char *fmt, ...)
{
	char why[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	for (char *p = why; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	printf("FAIL %s: %s\n", name, why);
	failures++;
}

static void check(const char *name, bool cond, const char *why)
{
	if (cond)
		ok(name);
	else
		fail(name, "%s", why);
}

static const char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static const char *fmt(const char *f, ...)
{
	static char out[16][4096];
	static int turn;
	char *o = out[turn++ % 16];
	va_list ap;

	va_start(ap, f);
	vsnprintf(o, sizeof(out[0]), f, ap);
	va_end(ap);
	return o;
}

/* --- SQL ------------------------------------------------------------------------- */

#define SQL_NULL "\001"

/* First value of the first row (a copy in rotating storage); exits on error. */
static const char *sql(const char *q, ...)
{
	static char out[8][256];
	static int turn;
	const char *params[16] = {0};
	int n = 0;
	va_list ap;

	va_start(ap, q);
	/* NULL ends the list; SQL_NULL stands for a NULL value */
	for (const char *p; n < 16 && (p = va_arg(ap, const char *));)
		params[n++] = strcmp(p, SQL_NULL) ? p : NULL;
	va_end(ap);
	PGresult *r = PQexecParams(pg, q, n, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
		printf("FAIL seed: %s: %s\n", q, PQerrorMessage(pg));
		exit(0);
	}
	char *o = out[turn++ % 8];
	snprintf(o, sizeof(out[0]), "%s", PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
	PQclear(r);
	return o;
}

/* --- HTTP ------------------------------------------------------------------------ */

struct res {
	long status;
	char *body;
	size_t len;
	char headers[8192];
	cJSON *json;
};
static struct res R;

static size_t on_body(char *p, size_t sz, size_t n, void *u)
{
	struct res *r = u;
	char *nb = realloc(r->body, r->len + sz * n + 1);
	if (!nb)
		return 0;
	r->body = nb;
	memcpy(r->body + r->len, p, sz * n);
	r->len += sz * n;
	r->body[r->len] = '\0';
	return sz * n;
}

static size_t on_header(char *p, size_t sz, size_t n, void *u)
{
	struct res *r = u;
	size_t have = strlen(r->headers);
	if (!strncmp(p, "HTTP/", 5))
		have = r->headers[0] = '\0';
	if (have + sz * n + 1 < sizeof(r->headers)) {
		memcpy(r->headers + have, p, sz * n);
		r->headers[have + sz * n] = '\0';
	}
	return sz * n;
}

/* One request; hdrs are extra "Name: value" lines (NULL-terminated list). */
static long call(const char *method, const char *path, const char *token, const char *body,
                 const char *const *hdrs)
{
	static CURL *c;
	struct curl_slist *h = NULL;
	char err[CURL_ERROR_SIZE] = "";

	/* one handle: its connection is kept alive between requests */
	if (!c)
		c = curl_easy_init();
	else
		curl_easy_reset(c);

	free(R.body);
	cJSON_Delete(R.json);
	memset(&R, 0, sizeof(R));
	curl_easy_setopt(c, CURLOPT_URL, fmt("%s%s", base, path));
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &R);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &R);
	if (token)
		h = curl_slist_append(h, fmt("Authorization: Bearer %s", token));
	if (body) {
		h = curl_slist_append(h, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	}
	for (int i = 0; hdrs && hdrs[i]; i++)
		h = curl_slist_append(h, hdrs[i]);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	if (curl_easy_perform(c) != CURLE_OK) {
		R.status = -1;
		printf("# %s %s: %s\n", method, path, err);
	} else {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &R.status);
	}
	curl_slist_free_all(h);
	if (R.body)
		R.json = cJSON_Parse(R.body);
	return R.status;
}

static long get(const char *path, const char *token)
{
	return call("GET", path, token, NULL, NULL);
}

/* The value of response header name (case-insensitive), or "". */
static const char *header(const char *name)
{
	static char out[1024];
	size_t n = strlen(name);

	for (const char *p = R.headers; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (!strncasecmp(p, name, n) && p[n] == ':') {
			const char *v = p + n + 1;
			while (*v == ' ')
				v++;
			size_t l = strcspn(v, "\r\n");
			snprintf(out, sizeof(out), "%.*s", (int)l, v);
			return out;
		}
	}
	return "";
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double jnum(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : -1e9;
}

static const cJSON *items(void)
{
	return cJSON_GetObjectItemCaseSensitive(R.json, "items");
}

static int nitems(void)
{
	return cJSON_GetArraySize(items());
}

/* Does the last list hold an item with id? */
static bool has_id(const char *id)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, items())
	{
		const char *v = jstr(it, "id");
		const cJSON *mv = cJSON_GetObjectItemCaseSensitive(it, "movie");
		if ((v && !strcmp(v, id)) || (mv && jstr(mv, "id") && !strcmp(jstr(mv, "id"), id)))
			return true;
	}
	return false;
}

/* status and, for problems, the field named */
static void expect(const char *name, long want, const char *field)
{
	const char *got = jstr(R.json, "field");
	if (R.status != want)
		fail(name, "status %ld, want %ld: %.200s", R.status, want, R.body ? R.body : "");
	else if (field && (!got || strcmp(got, field)))
		fail(name, "field %s, want %s", got ? got : "(none)", field);
	else if (want >= 400 && strncmp(header("Content-Type"), "application/problem+json", 24) &&
	         want != 416)
		fail(name, "content type %s", header("Content-Type"));
	else
		ok(name);
}

/* --- the seeded library ---------------------------------------------------------- */

#define NPLAIN 24
static char lib_a[37], lib_b[37], action[16], drama[16], coll[37];
static char matrix[37], amelie[37], boot[37], secret[37], rated_r[37], untitled[37];
static char plain[NPLAIN][37];
static char matrix_file[37], secret_file[37], boot_file[37];
static char dir_a[512], dir_b[512], matrix_path[600], boot_path[600];
static char admin_tok[128], kid_tok[128], grant_tok[128], nostream_tok[128];
static char kid_id[37], grant_id[37];
static unsigned char payload[4096];

static const char *movie(const char *lib, const char *title, const char *orig,
                         const char *lang, int year, int runtime, double vote, int votes,
                         double pop, const char *titles, const char *overviews, int added_min)
{
	return sql("INSERT INTO movies (library_id, tmdb_id, title, original_title,"
	           " original_language, year, runtime, vote_average, vote_count, popularity,"
	           " titles_i18n, overviews_i18n, overview, identified_by, added_at)"
	           " VALUES ($1, nextval('e2e_tmdb'), $2, $3, $4, $5::int, $6::int,"
	           " $7::float8, $8::int, $9::float8, $10::jsonb, $11::jsonb, 'base overview',"
	           " 'provider', now() - make_interval(mins => $12::int)) RETURNING id",
	           lib, title, orig ? orig : SQL_NULL, lang, fmt("%d", year), fmt("%d", runtime), fmt("%g", vote),
	           fmt("%d", votes), fmt("%g", pop), titles, overviews, fmt("%d", added_min), NULL);
}

static void file_row(char *out, const char *lib, const char *mv, const char *path,
                     const char *rel, int w, int h, long long size, const char *sidecars)
{
	snprintf(out, 37, "%s",
	         sql("INSERT INTO media_files (library_id, path, rel_path, size, mtime_ns, movie_id,"
	             " container, width, height, duration_ms, sidecars, match_status)"
	             " VALUES ($1, $2, $3, $4::bigint, 1, $5, 'matroska', $6::int, $7::int,"
	             " 6000000, $8::jsonb, 'matched') RETURNING id",
	             lib, path, rel, fmt("%lld", size), mv, fmt("%d", w), fmt("%d", h),
	             sidecars, NULL));
}

static void write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, n, f) != n) {
		printf("FAIL seed: cannot write %s\n", path);
		exit(0);
	}
	fclose(f);
	chmod(path, 0644);
}

/* Register name; its id into id. */
static void login(char *id, const char *name)
{
	const char *body = fmt("{\"username\":\"%s\",\"email\":\"%s@example.com\","
	                       "\"password\":\"pw-%s-long-enough\"}", name, name, name);
	if (call("POST", "/api/v1/auth/register", NULL, body, NULL) != 201) {
		printf("FAIL seed: register %s: %ld %s\n", name, R.status, R.body ? R.body : "");
		exit(0);
	}
	snprintf(id, 37, "%s", jstr(R.json, "id"));
}

static void token(char *tok, const char *name)
{
	call("POST", "/api/v1/auth/login", NULL,
	     fmt("{\"username\":\"%s\",\"password\":\"pw-%s-long-enough\"}", name, name), NULL);
	if (R.status != 200 || !jstr(R.json, "access_token")) {
		printf("FAIL seed: login %s: %ld\n", name, R.status);
		exit(0);
	}
	snprintf(tok, 128, "%s", jstr(R.json, "access_token"));
}

static void seed(const char *stack, const char *tag)
{
	char id[37];

	/* under the stack's media folder, one of its library.allowed_roots:
	 * files elsewhere are not streamed */
	snprintf(dir_a, sizeof(dir_a), "%s/media/e2e-movies-%s/a", stack, tag);
	snprintf(dir_b, sizeof(dir_b), "%s/media/e2e-movies-%s/b", stack, tag);
	mkdir(fmt("%s/media", stack), 0755);
	mkdir(fmt("%s/media/e2e-movies-%s", stack, tag), 0755);
	mkdir(dir_a, 0755);
	mkdir(dir_b, 0755);
	mkdir(fmt("%s/The Matrix (1999)", dir_a), 0755);
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (unsigned char)((i * 7 + i / 256) & 0xff);
	snprintf(matrix_path, sizeof(matrix_path), "%s/The Matrix (1999)/The Matrix (1999) 100%%.mkv",
	         dir_a);
	write_file(matrix_path, payload, sizeof(payload));
	write_file(fmt("%s/The Matrix (1999)/The Matrix (1999) 100%%.en.srt", dir_a),
	           "1\n00:00:01,000 --> 00:00:02,000\nWake up, Neo.\n", 46);
	snprintf(boot_path, sizeof(boot_path), "%s/Das Boot (1981).mp4", dir_a);
	write_file(boot_path, payload, 1000);
	/* ASS in Windows-1252 (commas and an override block in the text), and
	 * a "subtitle" that is no subtitle, for ?format=vtt */
	const char *ass = "[Script Info]\r\nScriptType: v4.00+\r\n\r\n[Events]\r\n"
	                  "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect,"
	                  " Text\r\nDialogue: 0,0:00:01.50,0:00:03.00,Default,,0,0,0,,"
	                  "{\\i1}\xdc" "ber, alles\\Nzwei\r\n";
	write_file(fmt("%s/Das Boot (1981).de.ass", dir_a), ass, strlen(ass));
	write_file(fmt("%s/Das Boot (1981).xx.srt", dir_a), payload, 300);
	/* one byte past the 8 MiB the server converts (sparse: no disk used) */
	write_file(fmt("%s/Das Boot (1981).big.srt", dir_a), "", 0);
	if (truncate(fmt("%s/Das Boot (1981).big.srt", dir_a), (8 << 20) + 1))
		printf("FAIL seed: truncate\n");
	write_file(fmt("%s/Secret (2001).mkv", dir_b), payload, 2000);
	/* outside every library root: a link to it must not be served */
	write_file(fmt("%s/media/e2e-movies-%s/outside.mkv", stack, tag), payload, 10);
	unlink(fmt("%s/escape.mkv", dir_a));
	if (symlink(fmt("%s/media/e2e-movies-%s/outside.mkv", stack, tag), fmt("%s/escape.mkv", dir_a)))
		printf("FAIL seed: symlink\n");

	sql("CREATE SEQUENCE IF NOT EXISTS e2e_tmdb START 900000", NULL);
	snprintf(lib_a, 37, "%s",
	         sql("INSERT INTO libraries (name, type, paths, scan_interval_minutes) VALUES"
	             " ($1, 'movie', ARRAY[$2], 0) RETURNING id",
	             fmt("E2E movies %s", tag), dir_a, NULL));
	snprintf(lib_b, 37, "%s",
	         sql("INSERT INTO libraries (name, type, paths, visibility, scan_interval_minutes)"
	             " VALUES ($1, 'movie', ARRAY[$2], 'granted', 0) RETURNING id",
	             fmt("E2E private %s", tag), dir_b, NULL));
	snprintf(action, 16, "%s",
	         sql("INSERT INTO genres (kind, tmdb_id, name, names_i18n) VALUES ('movie',"
	             " nextval('e2e_tmdb'), $1, $2::jsonb) RETURNING id",
	             fmt("Action %s", tag), fmt("{\"de\":\"Aktion %s\"}", tag), NULL));
	snprintf(drama, 16, "%s",
	         sql("INSERT INTO genres (kind, tmdb_id, name) VALUES ('movie', nextval('e2e_tmdb'),"
	             " $1) RETURNING id",
	             fmt("Drama %s", tag), NULL));
	snprintf(coll, 37, "%s",
	         sql("INSERT INTO collections (tmdb_id, name, names_i18n) VALUES"
	             " (nextval('e2e_tmdb'), 'The Matrix Collection',"
	             " '{\"de\":\"Matrix Filmreihe\"}') RETURNING id",
	             NULL));

	snprintf(matrix, 37, "%s",
	         movie(lib_a, "The Matrix", "The Matrix", "en", 1999, 136, 8.2, 25000, 80,
	               "{\"en\":\"The Matrix\",\"de\":\"Matrix\",\"ja\":\"マトリックス\"}",
	               "{\"en\":\"A hacker learns the truth.\",\"de\":\"Ein Hacker erfährt die"
	               " Wahrheit.\"}",
	               1));
	snprintf(amelie, 37, "%s",
	         movie(lib_a, "Amélie", "Le Fabuleux Destin d'Amélie Poulain", "fr", 2001, 122, 7.9,
	               11000, 40, "{\"fr\":\"Le Fabuleux Destin d'Amélie Poulain\",\"en\":\"Amélie\"}",
	               "{\"fr\":\"Une serveuse.\"}", 2));
	/* no localised titles at all: the original title, then the base */
	snprintf(boot, 37, "%s",
	         movie(lib_a, "The Boat", "Das Boot", "de", 1981, 149, 8.4, 4000, 30, "{}", "{}", 3));
	snprintf(untitled, 37, "%s",
	         movie(lib_a, "Base Only", NULL, "it", 1960, 100, 6.0, 50, 2, "{}", "{}", 4));
	snprintf(rated_r, 37, "%s",
	         movie(lib_a, "Rated R Film", "Rated R Film", "en", 2010, 110, 7.0, 900, 20,
	               "{\"en\":\"Rated R Film\"}", "{}", 5));
	snprintf(secret, 37, "%s",
	         movie(lib_b, "Secret Screening", "Secret Screening", "en", 2002, 90, 5.5, 200, 5,
	               "{}", "{}", 6));
	for (int i = 0; i < NPLAIN; i++)
		snprintf(plain[i], 37, "%s",
		         movie(lib_a, fmt("Quokka %02d", i), fmt("Quokka %02d", i), "en", 1970 + i,
		               80 + i, (i % 10) + 0.5, 100 + i * 10, i, fmt("{\"en\":\"Quokka %02d\"}", i),
		               "{}", 10 + i));
	sql("UPDATE movies SET collection_id = $1 WHERE id IN ($2, $3)", coll, matrix, rated_r, NULL);
	sql("INSERT INTO movie_genres VALUES ($1, $2::int), ($3, $2::int), ($4, $2::int)", matrix,
	    action, rated_r, plain[0], NULL);
	sql("INSERT INTO movie_genres VALUES ($1, $2::int), ($3, $2::int)", amelie, drama, boot,
	    NULL);
	/* the US minimum ages: R is 17, the Matrix PG-13 (13) */
	sql("INSERT INTO movie_age_ratings VALUES ($1, 'US', 'MPAA', 'R', 17),"
	    " ($2, 'US', 'MPAA', 'PG-13', 13), ($3, 'US', 'MPAA', 'PG', 10)",
	    rated_r, matrix, amelie, NULL);
	snprintf(id, 37, "%s",
	         sql("INSERT INTO people (tmdb_id, name) VALUES (nextval('e2e_tmdb'), 'Keanu Reeves')"
	             " RETURNING id",
	             NULL));
	sql("INSERT INTO movie_credits VALUES ($1, $2, 'e2e-c1', 'cast', 'Neo', NULL, NULL, 0)",
	    matrix, id, NULL);
	snprintf(id, 37, "%s",
	         sql("INSERT INTO people (tmdb_id, name) VALUES (nextval('e2e_tmdb'),"
	             " 'Wolfgang Petersen') RETURNING id",
	             NULL));
	sql("INSERT INTO movie_credits VALUES ($1, $2, 'e2e-c2', 'crew', NULL, 'Director',"
	    " 'Directing', 0)",
	    boot, id, NULL);
	file_row(matrix_file, lib_a, matrix, matrix_path, "The Matrix (1999)/The Matrix (1999) 100%.mkv",
	         3840, 2160, sizeof(payload),
	         "{\"subtitles\":[{\"file\":\"The Matrix (1999) 100%.en.srt\",\"language\":\"en\","
	         "\"forced\":false}]}");
	file_row(boot_file, lib_a, boot, boot_path, "Das Boot (1981).mp4", 1920, 1080, 1000,
	         "{\"subtitles\":[{\"file\":\"Das Boot (1981).de.ass\",\"language\":\"de\"},"
	         "{\"file\":\"Das Boot (1981).xx.srt\",\"language\":\"xx\"},"
	         "{\"file\":\"Das Boot (1981).big.srt\",\"language\":\"en\"}]}");
	file_row(secret_file, lib_b, secret, fmt("%s/Secret (2001).mkv", dir_b), "Secret (2001).mkv",
	         1280, 720, 2000, "{}");
	file_row(id, lib_a, rated_r, fmt("%s/escape.mkv", dir_a), "escape.mkv", 640, 480, 10, "{}");
	sql("SELECT movie_search_refresh(id) FROM movies WHERE library_id IN ($1, $2)", lib_a, lib_b,
	    NULL);

	char aid[37];
	login(aid, fmt("e2eadm%s", tag));
	sql("INSERT INTO user_roles (user_id, role_id) SELECT $1, id FROM roles WHERE name = 'admin'",
	    aid, NULL);
	token(admin_tok, fmt("e2eadm%s", tag));
	login(kid_id, fmt("e2ekid%s", tag));
	token(kid_tok, fmt("e2ekid%s", tag));
	login(grant_id, fmt("e2egrt%s", tag));
	token(grant_tok, fmt("e2egrt%s", tag));
	char nid[37];
	login(nid, fmt("e2ens%s", tag));
	/* an account that may browse but not stream */
	sql("INSERT INTO roles (name, description) VALUES ($1, 'browse only') ON CONFLICT DO NOTHING",
	    fmt("browse%s", tag), NULL);
	sql("INSERT INTO role_permissions (role_id, permission) SELECT id, p FROM roles,"
	    " unnest(ARRAY['movies:list', 'movies:get', 'profile:read']) p WHERE name = $1",
	    fmt("browse%s", tag), NULL);
	sql("DELETE FROM user_roles WHERE user_id = $1", nid, NULL);
	sql("INSERT INTO user_roles (user_id, role_id) SELECT $1, id FROM roles WHERE name = $2", nid,
	    fmt("browse%s", tag), NULL);
	token(nostream_tok, fmt("e2ens%s", tag));
	sql("INSERT INTO library_grants (library_id, user_id, level) VALUES ($1, $2, 'view')", lib_b,
	    grant_id, NULL);
	/* the kid: at most 12 in the US, unrated allowed */
	call("PUT", "/api/v1/users/me/preferences", kid_tok,
	     "{\"max_age_rating\":12,\"rating_country\":\"US\",\"allow_unrated\":true}", NULL);
	expect("kid preferences saved", 200, NULL);
}

/* --- lists, filters, sorts ---------------------------------------------------------- */

static const char *L(const char *q)
{
	return fmt("/api/v1/movies?library_id=%s&limit=100%s", lib_a, q);
}

static void filters(void)
{
	get(L(""), admin_tok);
	expect("list: 200", 200, NULL);
	check("list: every movie of the library", nitems() == NPLAIN + 5,
	      fmt("%d items", nitems()));
	check("list: compact JSON", R.body && !strstr(R.body, "\" : "), "spaces between tokens");
	get(L(fmt("&genre=%s", action)), admin_tok);
	check("filter genre by id", nitems() == 3 && has_id(matrix) && has_id(plain[0]),
	      fmt("%d items", nitems()));
	get(L(fmt("&genre=aktion%%20%s", run_tag)), admin_tok);
	check("filter genre by its localised name, any case", nitems() == 3 && has_id(rated_r),
	      fmt("%d items", nitems()));
	get(L("&year_min=1990&year_max=1993"), admin_tok);
	check("filter years 1990..1993", nitems() == 4, fmt("%d items", nitems()));
	get(L("&rating_min=7.9&rating_max=8.4"), admin_tok);
	check("filter rating 7.9..8.4", nitems() == 3 && has_id(matrix) && has_id(amelie) &&
	                                    has_id(boot),
	      fmt("%d items", nitems()));
	get(L("&has_file=true"), admin_tok);
	check("filter has_file", nitems() == 3 && has_id(matrix) && has_id(boot),
	      fmt("%d items", nitems()));
	get(L("&has_file=false"), admin_tok);
	check("filter has_file=false", nitems() == NPLAIN + 2 && !has_id(matrix),
	      fmt("%d items", nitems()));
	get(L("&resolution=2160p"), admin_tok);
	check("filter resolution 2160p", nitems() == 1 && has_id(matrix), fmt("%d", nitems()));
	get(L("&resolution=1080p"), admin_tok);
	check("filter resolution 1080p", nitems() == 1 && has_id(boot), fmt("%d", nitems()));
	get(L("&max_age=12"), admin_tok);
	check("filter max_age 12", !has_id(matrix) && !has_id(rated_r) && has_id(amelie) &&
	                               has_id(boot),
	      fmt("%d", nitems()));
	get(fmt("/api/v1/movies?limit=100&library_id=%s", lib_b), admin_tok);
	check("filter library", nitems() == 1 && has_id(secret), fmt("%d", nitems()));

	/* bad input */
	get(L("&year_min=2000&year_max=1990"), admin_tok);
	expect("conflicting years", 400, "year_min");
	get(L("&rating_min=9&rating_max=3"), admin_tok);
	expect("conflicting ratings", 400, "rating_min");
	get(L("&rating_min=eleven"), admin_tok);
	expect("rating not a number", 400, "rating_min");
	get(L("&rating_max=11"), admin_tok);
	expect("rating above 10", 400, "rating_max");
	get(L("&has_file=false&resolution=720p"), admin_tok);
	expect("resolution without a file", 400, "resolution");
	get(L("&sort=director"), admin_tok);
	expect("unknown sort", 400, "sort");
	get(L("&order=sideways"), admin_tok);
	expect("unknown order", 400, "order");
	get("/api/v1/movies?limit=0", admin_tok);
	expect("limit 0", 400, "limit");
	get("/api/v1/movies?limit=101", admin_tok);
	expect("limit 101", 400, "limit");
	get("/api/v1/movies?library_id=nope", admin_tok);
	expect("library_id not a uuid", 400, "library_id");
	get("/api/v1/movies?language=eng", admin_tok);
	expect("language not ISO 639-1", 400, "language");
	get("/api/v1/movies?language=EN", admin_tok);
	expect("language upper case", 400, "language");
	/* two lower-case letters that are no ISO 639-1 code (core/lang.h's table) */
	get("/api/v1/movies?language=zz", admin_tok);
	expect("language zz is no ISO 639-1 code", 400, "language");
	get("/api/v1/movies/search?q=river&language=qq", admin_tok);
	expect("search: language qq is no ISO 639-1 code", 400, "language");
	get("/api/v1/movies/123", admin_tok);
	expect("movie id not a uuid", 400, "id");
	get("/api/v1/movies?bogus=1", admin_tok);
	expect("unknown parameter", 400, "bogus");
	get(fmt("/api/v1/movies?library_id=%s", lib_b), kid_tok);
	expect("a library the caller cannot see", 404, "library_id");
}

/* A title as it sorts: without a leading "The ", "A " or "An " (the
 * other keys as they are). */
static const char *sort_form(const char *key, const char *s)
{
	static const char *const articles[] = {"the ", "a ", "an "};
	if (!s)
		return "";
	if (strcmp(key, "title"))
		return s;
	for (size_t i = 0; i < 3; i++)
		if (!strncasecmp(s, articles[i], strlen(articles[i])))
			return s + strlen(articles[i]);
	return s;
}

/* Are the items in order by key (numbers or text), asc or desc? */
static bool ordered(const char *key, bool desc, bool text)
{
	const cJSON *prev = NULL, *it;
	cJSON_ArrayForEach(it, items())
	{
		if (prev) {
			int c;
			if (text) {
				const char *a = jstr(prev, key), *b = jstr(it, key);
				c = strcasecmp(sort_form(key, a), sort_form(key, b));
			} else {
				double a = jnum(prev, key), b = jnum(it, key);
				c = a < b ? -1 : a > b;
			}
			if (desc ? c < 0 : c > 0)
				return false;
		}
		prev = it;
	}
	return true;
}

static void sorts(void)
{
	static const struct {
		const char *sort, *key;
		bool text;
	} s[] = {{"title", "title", true},     {"year", "year", false},
	         {"rating", "vote_average", false}, {"popularity", "popularity", false},
	         {"runtime", "runtime", false},  {"added", "added_at", true}};
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		for (int d = 0; d < 2; d++) {
			get(L(fmt("&sort=%s&order=%s", s[i].sort, d ? "desc" : "asc")), admin_tok);
			check(fmt("sort %s %s", s[i].sort, d ? "desc" : "asc"),
			      R.status == 200 && nitems() == NPLAIN + 5 &&
			          ordered(s[i].key, d, s[i].text),
			      fmt("status %ld, %d items or out of order", R.status, nitems()));
		}
	get(L(""), admin_tok);
	check("default sort: newest added first", ordered("added_at", true, true) &&
	                                              !strcmp(jstr(cJSON_GetArrayItem(items(), 0), "id"), matrix),
	      "not added desc");
	/* titles sort without a leading article ("The Matrix" under M) and in
	 * the language asked for (in Japanese after every Latin title) */
	int at = -1, i = 0;
	const cJSON *it;
	get(L("&sort=title"), admin_tok);
	cJSON_ArrayForEach(it, items())
	{
		if (!strcmp(jstr(it, "id"), matrix))
			at = i;
		i++;
	}
	const cJSON *before = at > 0 ? cJSON_GetArrayItem(items(), at - 1) : NULL;
	check("sort by title: \"The Matrix\" under M", before && !strcmp(jstr(before, "title"), "Das Boot"),
	      fmt("Matrix at %d", at));
	get(L("&sort=title&language=ja"), admin_tok);
	const cJSON *last = cJSON_GetArrayItem(items(), nitems() - 1);
	check("sort by the localised title", last && !strcmp(jstr(last, "id"), matrix) &&
	                                         !strcmp(jstr(last, "title"), "マトリックス"),
	      R.body);
}

/* Walk every page; with `insert`, add movies between pages (cursor mode). */
static void walk(const char *name, const char *sort, bool offset_mode, bool insert)
{
	static char seen[2000][37];
	int nseen = 0, pages = 0, dups = 0;
	char cursor[600] = "";
	long total = -1;

	for (int off = 0; pages < 100; pages++) {
		const char *q = offset_mode ? fmt("&sort=%s&limit=4&offset=%d", sort, off)
		                            : fmt("&sort=%s&limit=4%s%s", sort, cursor[0] ? "&cursor=" : "", cursor);
		get(fmt("/api/v1/movies?library_id=%s%s", lib_a, q), admin_tok);
		if (R.status != 200) {
			fail(name, "page %d: %ld %s", pages, R.status, R.body);
			return;
		}
		const cJSON *it;
		cJSON_ArrayForEach(it, items())
		{
			bool dup = false;
			for (int k = 0; k < nseen; k++)
				dup |= !strcmp(seen[k], jstr(it, "id"));
			dups += dup;
			if (!dup && nseen < (int)(sizeof(seen) / sizeof(seen[0])))
				snprintf(seen[nseen++], 37, "%s", jstr(it, "id"));
		}
		if (offset_mode) {
			total = (long)jnum(R.json, "total");
			off += 4;
			if (off >= total)
				break;
		} else {
			const char *next = jstr(R.json, "next_cursor");
			if (!next)
				break;
			snprintf(cursor, sizeof(cursor), "%s", next);
			if (insert) /* a title before and after, and a newer one */
				for (int k = 0; k < 2; k++)
					movie(lib_a, fmt("%c inserted %d", k ? 'Z' : 'A', pages),
					      NULL, "en", 2000, 90, 5, 10, 1, "{}", "{}", -pages - 1);
		}
	}
	int missing = 0;
	const char *want[NPLAIN + 5] = {matrix, amelie, boot, untitled, rated_r};
	for (int i = 0; i < NPLAIN; i++)
		want[5 + i] = plain[i];
	for (int i = 0; i < NPLAIN + 5; i++) {
		bool found = false;
		for (int k = 0; k < nseen; k++)
			found |= !strcmp(seen[k], want[i]);
		missing += !found;
	}
	if (dups || missing || (offset_mode && total != nseen))
		fail(name, "%d duplicates, %d missing, %d seen, total %ld over %d pages", dups, missing,
		     nseen, total, pages + 1);
	else
		ok(name);
}

static void pagination(void)
{
	walk("offset pages: every movie once, total right", "title", true, false);
	walk("cursor pages by title: stable under inserts", "title", false, true);
	walk("cursor pages by year: stable under inserts", "year", false, true);
	walk("cursor pages by added: stable under inserts", "added", false, true);
	walk("cursor pages by rating", "rating", false, false);
	/* the cursor is signed and bound to its order */
	get(fmt("/api/v1/movies?library_id=%s&limit=2&sort=title", lib_a), admin_tok);
	char c[600];
	snprintf(c, sizeof(c), "%s", jstr(R.json, "next_cursor") ? jstr(R.json, "next_cursor") : "");
	check("a cursor is issued", c[0] != '\0', "no next_cursor");
	get(fmt("/api/v1/movies?library_id=%s&limit=2&sort=year&cursor=%s", lib_a, c), admin_tok);
	expect("cursor of another order", 400, "cursor");
	c[3] = c[3] == 'A' ? 'B' : 'A';
	get(fmt("/api/v1/movies?library_id=%s&limit=2&sort=title&cursor=%s", lib_a, c), admin_tok);
	expect("tampered cursor", 400, "cursor");
	get(fmt("%s&cursor=x&offset=2", L("")), admin_tok);
	expect("cursor with offset", 400, "offset");
	get("/api/v1/movies?offset=-1", admin_tok);
	expect("negative offset", 400, "offset");
}

/* --- localisation -------------------------------------------------------------------- */

static const char *title_of(const char *id, const char *lang, const char *accept,
                            const char *tok)
{
	static char out[4][256];
	static int turn;
	const char *h[] = {accept ? fmt("Accept-Language: %s", accept) : NULL, NULL};
	call("GET", fmt("/api/v1/movies/%s%s%s", id, lang ? "?language=" : "", lang ? lang : ""),
	     tok, NULL, h);
	char *o = out[turn++ % 4];
	snprintf(o, 256, "%s", R.status == 200 && jstr(R.json, "title") ? jstr(R.json, "title") : "?");
	return o;
}

static void localisation(void)
{
	check("language=de", !strcmp(title_of(matrix, "de", NULL, admin_tok), "Matrix"),
	      "not Matrix");
	check("language=de overview", jstr(R.json, "overview") &&
	                                  !strcmp(jstr(R.json, "overview"), "Ein Hacker erfährt die Wahrheit."),
	      "German overview missing");
	check("language=ja (non-Latin)", !strcmp(title_of(matrix, "ja", NULL, admin_tok), "マトリックス"),
	      "not katakana");
	check("language=es falls back to en", !strcmp(title_of(matrix, "es", NULL, admin_tok), "The Matrix"),
	      "no en fallback");
	check("language=de without de: en", !strcmp(title_of(amelie, "de", NULL, admin_tok), "Amélie"),
	      R.body);
	check("overview: requested, en, original language",
	      jstr(R.json, "overview") && !strcmp(jstr(R.json, "overview"), "Une serveuse."),
	      "not the original language's overview");
	check("no localised titles: original title",
	      !strcmp(title_of(boot, "fr", NULL, admin_tok), "Das Boot"), "not the original title");
	check("overview: the base column last",
	      jstr(R.json, "overview") && !strcmp(jstr(R.json, "overview"), "base overview"), "");
	check("nothing but the base title", !strcmp(title_of(untitled, "ja", NULL, admin_tok), "Base Only"),
	      "not the base title");
	check("Accept-Language q-values", !strcmp(title_of(matrix, NULL, "fr;q=0.5, de;q=0.9, en;q=0.1", admin_tok), "Matrix"),
	      "de has the highest q");
	check("Accept-Language region subtags", !strcmp(title_of(matrix, NULL, "ja-JP", admin_tok), "マトリックス"),
	      "ja-JP not ja");
	check("Accept-Language unknown languages skipped",
	      !strcmp(title_of(matrix, NULL, "xx, zz;q=0.9, de;q=0.2", admin_tok), "Matrix"), "");
	check("no language at all: en", !strcmp(title_of(amelie, NULL, NULL, admin_tok), "Amélie"), "");
	call("PUT", "/api/v1/users/me/preferences", admin_tok, "{\"metadata_language\":\"ja\"}", NULL);
	check("the user's metadata_language beats Accept-Language",
	      !strcmp(title_of(matrix, NULL, "de", admin_tok), "マトリックス"), "");
	check("?language beats the user's preference",
	      !strcmp(title_of(matrix, "de", "en", admin_tok), "Matrix"), "");
	call("PUT", "/api/v1/users/me/preferences", admin_tok, "{\"metadata_language\":null}", NULL);
	check("preference cleared: Accept-Language again",
	      !strcmp(title_of(matrix, NULL, "de", admin_tok), "Matrix"), "");
	get(fmt("/api/v1/movies/%s/genres?language=de", matrix), admin_tok);
	check("genre names localised", nitems() == 1 &&
	                                   !strncmp(jstr(cJSON_GetArrayItem(items(), 0), "name"), "Aktion", 6),
	      R.body);
	get(fmt("/api/v1/collections/%s?language=de", coll), admin_tok);
	check("collection name localised", jstr(R.json, "name") && !strcmp(jstr(R.json, "name"), "Matrix Filmreihe"),
	      R.body);
}

/* --- search -------------------------------------------------------------------------- */

static void search_for(const char *name, const char *q, const char *want, const char *tok)
{
	get(fmt("/api/v1/movies/search?q=%s&library_id=%s", q, lib_a), tok);
	bool first = nitems() > 0 && !strcmp(jstr(cJSON_GetArrayItem(items(), 0), "id"), want);
	check(name, R.status == 200 && first, fmt("%ld %.300s", R.status, R.body ? R.body : ""));
}

static void search(void)
{
	search_for("search: exact title", "the%20matrix", matrix, admin_tok);
	search_for("search: typo matirx", "matirx", matrix, admin_tok);
	search_for("search: without accents", "amelie", amelie, admin_tok);
	search_for("search: with accents, upper case", "AM%C3%89LIE", amelie, admin_tok);
	search_for("search: original title", "fabuleux%20destin", amelie, admin_tok);
	search_for("search: localised title", "matrix", matrix, admin_tok);
	search_for("search: Japanese title", "%E3%83%9E%E3%83%88%E3%83%AA%E3%83%83%E3%82%AF%E3%82%B9",
	           matrix, admin_tok);
	search_for("search: cast", "keanu%20reeves", matrix, admin_tok);
	search_for("search: director", "petersen", boot, admin_tok);
	search_for("search: typo in a name", "keanu%20reves", matrix, admin_tok);
	get(fmt("/api/v1/search/movies?q=quokka&limit=5&library_id=%s", lib_a), admin_tok);
	check("search: pages", nitems() == 5 && jstr(R.json, "next_cursor"), fmt("%d", nitems()));
	get(fmt("/api/v1/search/movies?q=quokka&offset=0&library_id=%s", lib_a), admin_tok);
	check("search: total", jnum(R.json, "total") == NPLAIN, fmt("%g", jnum(R.json, "total")));
	get(fmt("/api/v1/search/movies?q=quokka&year_min=1990&library_id=%s", lib_a), admin_tok);
	check("search: with filters", nitems() == 4, fmt("%d", nitems()));
	get("/api/v1/movies/search?q=zzqqxxnothing", admin_tok);
	check("search: nothing", R.status == 200 && nitems() == 0, R.body);
	get("/api/v1/movies/search", admin_tok);
	expect("search: q required", 400, "q");
	get("/api/v1/movies/search?q=", admin_tok);
	expect("search: empty q", 400, "q");
	get("/api/v1/search/movies/autocomplete?q=mat", admin_tok);
	check("autocomplete: prefix", R.status == 200 && has_id(matrix), R.body);
	get("/api/v1/search/movies/autocomplete?q=fabul", admin_tok);
	check("autocomplete: prefix of the original title", has_id(amelie), R.body);
	get("/api/v1/search/movies/autocomplete?q=mat&limit=21", admin_tok);
	expect("autocomplete: limit 21", 400, "limit");
	get(fmt("/api/v1/search/movies/facets?library_id=%s", lib_a), admin_tok);
	const cJSON *hf = cJSON_GetObjectItemCaseSensitive(R.json, "has_file");
	check("facets: total and has_file", jnum(R.json, "total") == NPLAIN + 5 && jnum(hf, "true") == 3,
	      R.body);
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(R.json, "resolutions"), *it;
	int n2160 = 0;
	cJSON_ArrayForEach(it, res) if (!strcmp(jstr(it, "resolution"), "2160p")) n2160 = (int)jnum(it, "count");
	check("facets: resolutions", n2160 == 1, R.body);
	get(fmt("/api/v1/search/movies/facets?q=matrix&library_id=%s", lib_a), admin_tok);
	check("facets of a query", jnum(R.json, "total") == 1, R.body);
}

/* --- parental control and library access ----------------------------------------------- */

static void access_rules(void)
{
	/* the kid (max 12): not the Matrix (13), not the R film (17); the
	 * unrated and Amélie (10) yes; never library B */
	get(L(""), kid_tok);
	check("kid list: below the age limit only",
	      !has_id(matrix) && !has_id(rated_r) && has_id(amelie) && has_id(boot) &&
	          nitems() == NPLAIN + 3,
	      fmt("%d items", nitems()));
	get(fmt("/api/v1/movies?limit=100&offset=0&library_id=%s", lib_a), kid_tok);
	check("kid list: total counts what the kid sees", jnum(R.json, "total") == NPLAIN + 3,
	      fmt("%g", jnum(R.json, "total")));
	char st[80], su[80];
	snprintf(st, sizeof(st), "/files/%s/stream", matrix_file);
	snprintf(su, sizeof(su), "/files/%s/subtitles/0", matrix_file);
	const char *paths[] = {"",          "/files",   "/cast",     "/crew", "/genres",
	                       "/collection", "/similar", "/progress", st,      su};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		get(fmt("/api/v1/movies/%s%s", matrix, paths[i]), kid_tok);
		expect(fmt("kid: 404 for GET /movies/{id}%s above the age limit", paths[i]), 404, "id");
		check(fmt("kid: nothing about the title in %s", paths[i]),
		      R.body && !strstr(R.body, "Matrix"), "title leaked");
	}
	call("PUT", fmt("/api/v1/movies/%s/progress", matrix), kid_tok, "{\"position_seconds\":5}",
	     NULL);
	expect("kid: 404 for progress above the age limit", 404, "id");
	call("POST", fmt("/api/v1/movies/%s/watched", matrix), kid_tok, NULL, NULL);
	expect("kid: 404 for watched above the age limit", 404, "id");
	get("/api/v1/movies/search?q=matrix", kid_tok);
	check("kid search: hidden", R.status == 200 && !has_id(matrix), R.body);
	get("/api/v1/search/movies/autocomplete?q=matr", kid_tok);
	check("kid autocomplete: hidden", R.status == 200 && !has_id(matrix), R.body);
	get(fmt("/api/v1/search/movies/facets?library_id=%s", lib_a), kid_tok);
	check("kid facets: counts what the kid sees", jnum(R.json, "total") == NPLAIN + 3, R.body);
	get(fmt("/api/v1/collections/%s", coll), kid_tok);
	expect("kid: a collection of hidden movies is 404", 404, "id");
	get("/api/v1/genres?limit=100", kid_tok);
	const cJSON *it;
	double act = -1;
	cJSON_ArrayForEach(it, items()) if (!strcmp(fmt("%g", jnum(it, "id")), action)) act = jnum(it, "movie_count");
	check("kid genres: counts what the kid sees", act == 1, fmt("%g", act));
	get("/api/v1/movies/stats", kid_tok);
	double kid_movies = jnum(R.json, "movies");
	get("/api/v1/movies/stats", admin_tok);
	check("stats: the kid counts fewer", kid_movies >= 0 && jnum(R.json, "movies") - kid_movies >= 3,
	      fmt("%g vs %g", kid_movies, jnum(R.json, "movies")));
	get(fmt("/api/v1/movies/%s/similar", plain[0]), kid_tok);
	check("kid similar: no hidden movie", R.status == 200 && !has_id(matrix) && !has_id(rated_r),
	      R.body);
	get(fmt("/api/v1/movies/%s/similar", plain[0]), admin_tok);
	check("similar: shared genre", has_id(matrix) && has_id(rated_r), R.body);
	get(fmt("/api/v1/movies/%s/similar", matrix), admin_tok);
	const cJSON *first = cJSON_GetArrayItem(items(), 0);
	check("similar: the collection first", first && !strcmp(jstr(first, "id"), rated_r), R.body);

	/* unrated titles follow the setting */
	call("PUT", "/api/v1/users/me/preferences", kid_tok, "{\"allow_unrated\":false}", NULL);
	get(fmt("/api/v1/movies/%s", boot), kid_tok);
	expect("kid: unrated hidden when not allowed", 404, "id");
	call("PUT", "/api/v1/users/me/preferences", kid_tok, "{\"allow_unrated\":true}", NULL);
	get(fmt("/api/v1/movies/%s", boot), kid_tok);
	expect("kid: unrated shown when allowed", 200, NULL);
	/* another rating country: the US ratings do not apply (unrated) */
	call("PUT", "/api/v1/users/me/preferences", kid_tok, "{\"rating_country\":\"DE\"}", NULL);
	get(fmt("/api/v1/movies/%s", matrix), kid_tok);
	expect("kid in DE: no DE rating, unrated allowed", 200, NULL);
	call("PUT", "/api/v1/users/me/preferences", kid_tok, "{\"rating_country\":\"US\"}", NULL);

	/* library grants */
	get(fmt("/api/v1/movies/%s", secret), kid_tok);
	expect("no grant: 404", 404, "id");
	get(fmt("/api/v1/movies/%s/files/%s/stream", secret, secret_file), kid_tok);
	expect("no grant: stream 404", 404, "id");
	get("/api/v1/movies/search?q=secret%20screening", kid_tok);
	check("no grant: not found by search", !has_id(secret), R.body);
	get(fmt("/api/v1/movies/%s", secret), grant_tok);
	expect("grant: the movie", 200, NULL);
	get("/api/v1/movies/search?q=secret%20screening", grant_tok);
	check("grant: found by search", has_id(secret), R.body);
	get(fmt("/api/v1/movies?limit=100&library_id=%s", lib_b), grant_tok);
	check("grant: listed", nitems() == 1 && has_id(secret), R.body);
	get(fmt("/api/v1/movies/%s", secret), admin_tok);
	expect("admin: every library", 200, NULL);
}

/* --- watch state --------------------------------------------------------------------- */

static void watch(void)
{
	char p[100];
	snprintf(p, sizeof(p), "/api/v1/movies/%s/progress", matrix);
	get(p, admin_tok);
	check("progress: never played", R.status == 200 && jnum(R.json, "position_seconds") == 0 &&
	                                    jnum(R.json, "play_count") == 0,
	      R.body);
	/* the file lasts 6000 s: 50 % resumes, 95 % completes once */
	call("PUT", p, admin_tok, "{\"position_seconds\":3000}", NULL);
	check("progress: 50 %", R.status == 200 && jnum(R.json, "percent") == 50 &&
	                            cJSON_IsFalse(cJSON_GetObjectItem(R.json, "watched")),
	      R.body);
	get("/api/v1/movies/continue-watching", admin_tok);
	check("continue watching: listed", has_id(matrix), R.body);
	get(L(""), admin_tok);
	const cJSON *it, *ud = NULL;
	cJSON_ArrayForEach(it, items()) if (!strcmp(jstr(it, "id"), matrix)) ud = cJSON_GetObjectItem(it, "user_data");
	check("list items carry the user's position", ud && jnum(ud, "position_seconds") == 3000, R.body);
	call("PUT", p, admin_tok, "{\"position_seconds\":5700}", NULL);
	check("progress: 95 % completes", cJSON_IsTrue(cJSON_GetObjectItem(R.json, "watched")) &&
	                                      jnum(R.json, "play_count") == 1,
	      R.body);
	call("PUT", p, admin_tok, "{\"position_seconds\":5900}", NULL);
	check("progress: counted once above 90 %", jnum(R.json, "play_count") == 1, R.body);
	get("/api/v1/movies/continue-watching", admin_tok);
	check("continue watching: not after 90 %", !has_id(matrix), R.body);
	call("PUT", p, admin_tok, "{\"position_seconds\":100}", NULL);
	get("/api/v1/movies/continue-watching", admin_tok);
	check("continue watching: not below 5 %", !has_id(matrix), R.body);
	call("PUT", p, admin_tok, "{\"position_seconds\":5800}", NULL);
	check("progress: a second play counts", jnum(R.json, "play_count") == 2, R.body);
	get("/api/v1/movies/watch-history", admin_tok);
	check("history: two completed plays", nitems() == 2 && has_id(matrix), R.body);
	call("DELETE", fmt("/api/v1/movies/%s/watched", matrix), admin_tok, NULL, NULL);
	check("unmark: unwatched, plays reset", R.status == 200 &&
	                                            cJSON_IsFalse(cJSON_GetObjectItem(R.json, "watched")) &&
	                                            jnum(R.json, "play_count") == 0,
	      R.body);
	call("POST", fmt("/api/v1/movies/%s/watched", boot), admin_tok, NULL, NULL);
	check("mark watched", R.status == 200 && cJSON_IsTrue(cJSON_GetObjectItem(R.json, "watched")) &&
	                          jnum(R.json, "play_count") == 1,
	      R.body);
	get("/api/v1/movies/watch-history", admin_tok);
	const cJSON *h0 = cJSON_GetArrayItem(items(), 0);
	check("history: newest first", h0 && !strcmp(jstr(h0, "event"), "marked"), R.body);
	/* several movies in progress: newest first */
	call("PUT", fmt("/api/v1/movies/%s/progress", boot), admin_tok,
	     "{\"position_seconds\":1000,\"duration_seconds\":4000}", NULL);
	call("PUT", p, admin_tok, "{\"position_seconds\":2000}", NULL);
	get("/api/v1/movies/continue-watching", admin_tok);
	check("continue watching: most recent first",
	      nitems() == 2 && !strcmp(jstr(cJSON_GetArrayItem(items(), 0), "id"), matrix), R.body);
	call("DELETE", p, admin_tok, NULL, NULL);
	expect("progress: delete", 204, NULL);
	get(p, admin_tok);
	check("progress: deleted position", jnum(R.json, "position_seconds") == 0, R.body);
	call("PUT", p, admin_tok, "{\"position_seconds\":-1}", NULL);
	expect("progress: negative", 400, "position_seconds");
	call("PUT", p, admin_tok, "{\"position_seconds\":\"ten\"}", NULL);
	expect("progress: a string", 400, "position_seconds");
	call("PUT", p, admin_tok, "{\"position\":1}", NULL);
	expect("progress: unknown member", 400, "position");
	call("PUT", p, nostream_tok, "{\"position_seconds\":1}", NULL);
	expect("progress: without playback:progress", 403, NULL);
	/* watch state is per user */
	get(fmt("/api/v1/movies/%s/progress", boot), grant_tok);
	check("progress: per user", jnum(R.json, "play_count") == 0, R.body);
}

/* --- direct play ------------------------------------------------------------------------ */

static void stream(void)
{
	char s[200];
	snprintf(s, sizeof(s), "/api/v1/movies/%s/files/%s/stream", matrix, matrix_file);
	const char *r1[] = {"Range: bytes=100-199", NULL};
	call("GET", s, admin_tok, NULL, r1);
	check("stream: 206", R.status == 206, fmt("%ld %.200s", R.status, R.body ? R.body : ""));
	check("stream: exactly bytes 100-199", R.len == 100 && !memcmp(R.body, payload + 100, 100),
	      fmt("%zu bytes", R.len));
	check("stream: Content-Range", !strcmp(header("Content-Range"), fmt("bytes 100-199/%zu", sizeof(payload))),
	      header("Content-Range"));
	check("stream: Matroska type", !strcmp(header("Content-Type"), "video/x-matroska"),
	      header("Content-Type"));
	check("stream: no internal path", !*header("X-Accel-Redirect"), "X-Accel-Redirect leaked");
	get(s, admin_tok);
	check("stream: the whole file", R.status == 200 && R.len == sizeof(payload) &&
	                                    !memcmp(R.body, payload, sizeof(payload)),
	      fmt("%ld %zu", R.status, R.len));
	check("stream: ranges announced", !strcmp(header("Accept-Ranges"), "bytes"), header("Accept-Ranges"));
	const char *r2[] = {"Range: bytes=-10", NULL};
	call("GET", s, admin_tok, NULL, r2);
	check("stream: suffix range", R.status == 206 && R.len == 10 &&
	                                  !memcmp(R.body, payload + sizeof(payload) - 10, 10),
	      fmt("%ld", R.status));
	const char *r3[] = {"Range: bytes=5000-6000", NULL};
	call("GET", s, admin_tok, NULL, r3);
	check("stream: range beyond the file 416", R.status == 416, fmt("%ld", R.status));
	const char *r4[] = {"Range: bytes=abc", NULL};
	call("GET", s, admin_tok, NULL, r4);
	expect("stream: malformed range 416", 416, "Range");
	const char *r5[] = {"Range: bytes=300-200", NULL};
	call("GET", s, admin_tok, NULL, r5);
	expect("stream: reversed range 416", 416, "Range");
	get(s, NULL);
	expect("stream: no session 401", 401, NULL);
	get(s, "rvs_not-a-token");
	expect("stream: bad token 401", 401, NULL);
	get(s, nostream_tok);
	expect("stream: without playback:stream 403", 403, NULL);
	get(fmt("/api/v1/movies/%s/files/%s/stream", matrix, boot_file), admin_tok);
	expect("stream: a file of another movie 404", 404, "file_id");
	get(fmt("/api/v1/movies/%s/files/00000000-0000-0000-0000-000000000000/stream", matrix),
	    admin_tok);
	expect("stream: no such file 404", 404, "file_id");
	get(fmt("/api/v1/movies/%s/files/nope/stream", matrix), admin_tok);
	expect("stream: file id not a uuid 400", 400, "file_id");
	char esc[37];
	snprintf(esc, 37, "%s", sql("SELECT id FROM media_files WHERE rel_path = 'escape.mkv' AND library_id = $1", lib_a, NULL));
	get(fmt("/api/v1/movies/%s/files/%s/stream", rated_r, esc), admin_tok);
	expect("stream: a link out of the library root 404", 404, "file_id");
	/* a library written straight into the database over a folder outside
	 * library.allowed_roots (as one made before the key existed): its
	 * files are not streamed (issue 14 item 1) */
	{
		char odir[256], opath[320], olib[37], omv[37], ofile[37];
		snprintf(odir, sizeof(odir), "/tmp/revenge-e2e-outside-%s", run_tag);
		snprintf(opath, sizeof(opath), "%s/Outside (2001).mkv", odir);
		mkdir(odir, 0755);
		write_file(opath, payload, sizeof(payload));
		snprintf(olib, 37, "%s",
		         sql("INSERT INTO libraries (name, type, paths, scan_interval_minutes) VALUES"
		             " ($1, 'movie', ARRAY[$2], 0) RETURNING id",
		             fmt("E2E outside %s", run_tag), odir, NULL));
		snprintf(omv, 37, "%s", movie(olib, "Outside", NULL, "en", 2001, 90, 5, 10, 1, "{}", "{}", 5));
		file_row(ofile, olib, omv, opath, "Outside (2001).mkv", 640, 480, sizeof(payload), "{}");
		get(fmt("/api/v1/movies/%s/files/%s/stream", omv, ofile), admin_tok);
		expect("stream: a file outside library.allowed_roots 404", 404, "file_id");
		sql("DELETE FROM libraries WHERE id = $1", olib, NULL);
		unlink(opath);
		rmdir(odir);
	}
	get(fmt("/api/v1/movies/%s/files/%s/stream", boot, boot_file), admin_tok);
	check("stream: MP4 type", R.status == 200 && !strcmp(header("Content-Type"), "video/mp4"),
	      header("Content-Type"));
	/* external subtitles */
	get(fmt("/api/v1/movies/%s/files", matrix), admin_tok);
	const cJSON *f = cJSON_GetArrayItem(items(), 0);
	const cJSON *sub = cJSON_GetArrayItem(cJSON_GetObjectItem(f, "subtitles"), 0);
	check("files: probe facts", f && jnum(f, "width") == 3840 && !strcmp(jstr(f, "resolution"), "2160p"),
	      R.body);
	check("files: subtitle listed", sub && !strcmp(jstr(sub, "language"), "en"), R.body);
	get(fmt("/api/v1/movies/%s/files/%s/subtitles/0", matrix, matrix_file), admin_tok);
	check("subtitle: served", R.status == 200 && R.body && strstr(R.body, "Wake up, Neo."),
	      fmt("%ld", R.status));
	check("subtitle: SubRip type", !strcmp(header("Content-Type"), "application/x-subrip"),
	      header("Content-Type"));
	get(fmt("/api/v1/movies/%s/files/%s/subtitles/1", matrix, matrix_file), admin_tok);
	expect("subtitle: no such index", 404, "index");
	/* ?format=vtt: converted by the server, for a browser's <track> */
	get(fmt("/api/v1/movies/%s/files/%s/subtitles/0?format=vtt", matrix, matrix_file), admin_tok);
	check("subtitle vtt: 200 WebVTT", R.status == 200 && R.body && !strncmp(R.body, "WEBVTT\n", 7),
	      fmt("%ld %.100s", R.status, R.body ? R.body : ""));
	check("subtitle vtt: type", !strcmp(header("Content-Type"), "text/vtt; charset=utf-8"),
	      header("Content-Type"));
	check("subtitle vtt: SRT cue converted",
	      R.body && strstr(R.body, "\n00:00:01.000 --> 00:00:02.000\nWake up, Neo.\n"), R.body);
	check("subtitle vtt: not handed to nginx", !*header("X-Accel-Redirect") && !*header("Accept-Ranges"),
	      header("Accept-Ranges"));
	get(fmt("/api/v1/movies/%s/files/%s/subtitles/0?format=vtt", boot, boot_file), admin_tok);
	check("subtitle vtt: ASS in Windows-1252",
	      R.status == 200 && R.body &&
	          strstr(R.body, "\n00:00:01.500 --> 00:00:03.000\n\xc3\x9c" "ber, alles\nzwei\n"),
	      R.body ? R.body : "");
	get(fmt("/api/v1/movies/%s/files/%s/subtitles/1?format=vtt", boot, boot_file), admin_tok);
	expect("subtitle vtt: not a subtitle 422", 422, "index");
	get(fmt("/api/v1/movies/%s/files/%s/subtitles/2?format=vtt", boot, boot_file), admin_tok);
	expect("subtitle vtt: past 8 MiB 422", 422, "index");
	check("subtitle vtt: the size is the reason",
	      R.body && strstr(R.body, "larger than the 8 MiB"), R.body ? R.body : "");
	get(fmt("/api/v1/movies/%s/files/%s/subtitles/0?format=srt", matrix, matrix_file), admin_tok);
	expect("subtitle vtt: format=srt 400", 400, "format");
	get(fmt("/api/v1/movies/%s/files/%s/subtitles/0?format=vtt", matrix, matrix_file), kid_tok);
	expect("subtitle vtt: the age limit still hides the movie", 404, "id");
}

/* --- detail, relations, validators, refresh --------------------------------------------- */

static void detail(void)
{
	get(fmt("/api/v1/movies/%s", matrix), admin_tok);
	expect("detail: 200", 200, NULL);
	const cJSON *ar = cJSON_GetObjectItem(R.json, "age_rating");
	const cJSON *c = cJSON_GetObjectItem(R.json, "collection");
	check("detail: age rating of the user's country",
	      ar && !strcmp(jstr(ar, "certification"), "PG-13") && jnum(ar, "min_age") == 13, R.body);
	check("detail: collection", c && !strcmp(jstr(c, "id"), coll), R.body);
	check("detail: genres", cJSON_GetArraySize(cJSON_GetObjectItem(R.json, "genres")) == 1, R.body);
	char etag[128];
	snprintf(etag, sizeof(etag), "%s", header("ETag"));
	check("detail: weak ETag", !strncmp(etag, "W/\"", 3), etag);
	check("detail: private revalidation", !strcmp(header("Cache-Control"), "private, no-cache"),
	      header("Cache-Control"));
	const char *inm[] = {fmt("If-None-Match: %s", etag), NULL};
	call("GET", fmt("/api/v1/movies/%s", matrix), admin_tok, NULL, inm);
	check("detail: 304 when unchanged", R.status == 304 && R.len == 0, fmt("%ld", R.status));
	call("GET", fmt("/api/v1/movies/%s?language=de", matrix), admin_tok, NULL, inm);
	check("detail: 200 in another language", R.status == 200, fmt("%ld", R.status));
	get(L(""), admin_tok);
	snprintf(etag, sizeof(etag), "%s", header("ETag"));
	movie(lib_a, "Newly Added", NULL, "en", 2020, 90, 5, 10, 1, "{}", "{}", -100);
	const char *inm2[] = {fmt("If-None-Match: %s", etag), NULL};
	call("GET", L(""), admin_tok, NULL, inm2);
	check("list: 200 after a change", R.status == 200, fmt("%ld", R.status));

	/* the response cache follows every writer, psql included */
	check("cached detail: before a direct write", !strcmp(title_of(boot, "en", NULL, admin_tok), "Das Boot"), "");
	sql("UPDATE movies SET titles_i18n = '{\"en\":\"The Boat (1981)\"}' WHERE id = $1", boot, NULL);
	check("cached detail: a direct write shows at once",
	      !strcmp(title_of(boot, "en", NULL, admin_tok), "The Boat (1981)"), R.body);
	sql("UPDATE movies SET titles_i18n = '{}' WHERE id = $1", boot, NULL);
	sql("UPDATE library_grants SET level = 'view' WHERE user_id = $1", kid_id, NULL);
	get(fmt("/api/v1/movies/%s", secret), kid_tok);
	expect("cached: no grant, still 404", 404, "id");
	sql("INSERT INTO library_grants (library_id, user_id, level) VALUES ($1, $2, 'view')", lib_b,
	    kid_id, NULL);
	get(fmt("/api/v1/movies?limit=100&library_id=%s", lib_b), kid_tok);
	check("cached: a new grant shows at once", R.status == 200 && has_id(secret), R.body);
	sql("DELETE FROM library_grants WHERE user_id = $1", kid_id, NULL);
	get(fmt("/api/v1/movies?limit=100&library_id=%s", lib_b), kid_tok);
	expect("cached: a revoked grant hides at once", 404, "library_id");

	get(fmt("/api/v1/movies/%s/cast", matrix), admin_tok);
	check("cast", nitems() == 1 && !strcmp(jstr(cJSON_GetArrayItem(items(), 0), "character"), "Neo"), R.body);
	get(fmt("/api/v1/movies/%s/crew", boot), admin_tok);
	check("crew", nitems() == 1 && !strcmp(jstr(cJSON_GetArrayItem(items(), 0), "job"), "Director"), R.body);
	get(fmt("/api/v1/movies/%s/collection", matrix), admin_tok);
	check("movie's collection", R.status == 200 && jnum(R.json, "movie_count") == 2, R.body);
	get(fmt("/api/v1/movies/%s/collection", boot), admin_tok);
	expect("no collection: 404", 404, "collection");
	get(fmt("/api/v1/collections/%s/movies", coll), admin_tok);
	check("collection movies in release order", nitems() == 2 &&
	                                                !strcmp(jstr(cJSON_GetArrayItem(items(), 0), "id"), matrix),
	      R.body);
	get("/api/v1/movies/recently-added?limit=3", admin_tok);
	check("recently added", nitems() == 3 && ordered("added_at", true, true) && jstr(R.json, "next_cursor"), R.body);
	get("/api/v1/movies/top-rated?min_votes=1000&limit=100", admin_tok);
	check("top rated: best first, minimum votes", R.status == 200 && ordered("vote_average", true, false) &&
	                                                  has_id(boot) && !has_id(untitled),
	      R.body);
	int pb = -1, pm = -1, pa = -1, k = 0;
	const cJSON *t;
	cJSON_ArrayForEach(t, items())
	{
		pb = !strcmp(jstr(t, "id"), boot) ? k : pb;
		pm = !strcmp(jstr(t, "id"), matrix) ? k : pm;
		pa = !strcmp(jstr(t, "id"), amelie) ? k : pa;
		k++;
	}
	check("top rated: 8.4 before 8.2 before 7.9", pb >= 0 && pb < pm && pm < pa,
	      fmt("%d %d %d", pb, pm, pa));
	get("/api/v1/movies/stats", admin_tok);
	check("stats", R.status == 200 && jnum(R.json, "movies") >= NPLAIN + 6 && jnum(R.json, "files") >= 4, R.body);
	get(fmt("/api/v1/movies/%s", "00000000-0000-0000-0000-000000000000"), admin_tok);
	expect("detail: no such movie", 404, "id");

	call("POST", fmt("/api/v1/movies/%s/refresh", matrix), admin_tok, NULL, NULL);
	check("refresh: 202 with the job", R.status == 202 && jnum(R.json, "job_id") > 0, R.body);
	const char *job = fmt("%g", jnum(R.json, "job_id"));
	check("refresh: a metadata.refresh job for the movie",
	      !strcmp(sql("SELECT args->>'movie_id' FROM jobs WHERE id = $1::bigint AND kind = 'metadata.refresh'", job, NULL),
	              matrix),
	      "no such job");
	call("POST", fmt("/api/v1/movies/%s/refresh", boot), kid_tok, NULL, NULL);
	expect("refresh: without movies:update 403", 403, NULL);
	call("POST", fmt("/api/v1/movies/%s/refresh", secret), kid_tok, NULL, NULL);
	expect("refresh: invisible movie 403 before 404 (permission first)", 403, NULL);
}

static void quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

int main(int argc, char **argv)
{
	const char *stack = getenv("STACK_DIR");
	char tag[16];

	base = getenv("BASE");
	if (!base || !stack || argc != 1) {
		fprintf(stderr, "usage: BASE=https://... STACK_DIR=... PG*=... movies_e2e\n");
		return 2;
	}
	(void)argv;
	snprintf(tag, sizeof(tag), "%x", (unsigned)getpid());
	snprintf(run_tag, sizeof(run_tag), "%s", tag);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	pg = PQconnectdb("");
	if (PQstatus(pg) != CONNECTION_OK) {
		printf("FAIL movies: PostgreSQL: %s\n", PQerrorMessage(pg));
		return 0;
	}
	PQsetNoticeProcessor(pg, quiet, NULL);
	seed(stack, tag);
	filters();
	sorts();
	localisation();
	search();
	access_rules();
	watch();
	stream();
	detail();
	pagination();
	free(R.body);
	cJSON_Delete(R.json);
	PQfinish(pg);
	curl_global_cleanup();
	return 0;
}
