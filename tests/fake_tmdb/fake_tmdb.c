/*
 * fake_tmdb: a local stand-in for the TMDb API v3 and image server, for the
 * client's integration tests.
 *
 *   fake_tmdb --fixtures DIR --port-file FILE [--key KEY]
 *
 * Binds 127.0.0.1 on an ephemeral port, writes the port to FILE and serves
 * HTTP/1.1 (keep-alive, several connections, one process, poll) until
 * SIGTERM. Answers come from the recorded responses in DIR (see
 * tests/fixtures/tmdb/README.md): details of movie 550 and series 1399 with
 * their append_to_response members composed in, seasons 1 and 0 of 1399,
 * searches over every movie or series object found in the recordings,
 * /find by IMDb id, the episode group in tv-episode-group-details.json, a
 * generated JPEG/PNG under /t/p/{size}/, and resource-not-found for
 * everything else.
 *
 * A season asked for with ?language=xx (other than en) answers
 * tv-season-N-xx.json when there is one; otherwise the season with what
 * TMDb sends for a language without translations: every overview "" and
 * every name the stand-in "Episode N".
 * With --key, an /3 request without that api_key gets invalid-api-key (401).
 *
 * Control endpoints (not counted in the stats):
 *   POST /__fail?status=429&count=N&retry_after=S&prefix=/3/movie
 *        the next N requests whose path starts with prefix answer status
 *   POST /__garbage?count=N&kind=html|json   the next N answer 200 garbage
 *   GET  /__stats  {"requests": n, "by_path": {path: n}, "times": [ms, ...]}
 *   POST /__reset  clears the above
 * Every request is logged to stderr as one line: method, path, status.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cjson/cJSON.h>

#define MAX_CONNS 64
#define MAX_REQUEST (64 * 1024)
#define MAX_FIXTURE (4 * 1024 * 1024)
#define MAX_TIMES 100000

struct conn {
	int fd;
	char in[MAX_REQUEST];
	size_t inlen;
	char *out;
	size_t outlen, outoff;
	bool close_after;
};

struct response {
	int status;
	const char *type;
	char *body; /* malloc'd */
	size_t len;
	int retry_after; /* < 0: none */
};

static volatile sig_atomic_t stopping;
static const char *fixtures_dir;
static const char *api_key;

/* composed answers and search pools, built once at start */
static cJSON *movie_550, *tv_1399, *season_1, *season_0, *episode_1, *episode_group, *movie_pool,
    *tv_pool;
static char *not_found_body, *invalid_key_body, *truncated_json;

/* control state */
static struct {
	int status, count, retry_after;
	char prefix[256];
} fail_rule;
static struct {
	int count;
	bool html;
} garbage_rule;
static long total_requests;
static cJSON *by_path;
static int64_t times_ms[MAX_TIMES];
static size_t ntimes;

static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void die(const char *what)
{
	fprintf(stderr, "fake_tmdb: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* --- fixtures ------------------------------------------------------------- */

static char *read_fixture(const char *name, size_t *len)
{
	char path[1024];
	FILE *f;
	char *d;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", fixtures_dir, name);
	if (!(f = fopen(path, "rb")))
		return NULL;
	d = malloc(MAX_FIXTURE + 1);
	if (!d) {
		fclose(f);
		return NULL;
	}
	n = fread(d, 1, MAX_FIXTURE, f);
	fclose(f);
	d[n] = '\0';
	if (len)
		*len = n;
	return d;
}

static cJSON *load_json(const char *name, bool required)
{
	char *t = read_fixture(name, NULL);
	cJSON *j = t ? cJSON_Parse(t) : NULL;

	free(t);
	if (!j && required) {
		fprintf(stderr, "fake_tmdb: cannot load %s/%s\n", fixtures_dir, name);
		exit(1);
	}
	return j;
}

/* A sub-response as an append_to_response member: its own "id" goes. */
static cJSON *member(const char *file, const char *empty_json)
{
	cJSON *j = load_json(file, false);

	if (!j)
		j = cJSON_Parse(empty_json);
	cJSON_DeleteItemFromObjectCaseSensitive(j, "id");
	return j;
}

struct member_file {
	const char *name, *file, *empty;
};

static const struct member_file movie_members[] = {
    {"credits", "movie-credits.json", "{\"cast\":[],\"crew\":[]}"},
    {"release_dates", "movie-release-dates.json", "{\"results\":[]}"},
    {"translations", "movie-translations.json", "{\"translations\":[]}"},
    {"images", "movie-images.json", "{\"backdrops\":[],\"logos\":[],\"posters\":[]}"},
    {"external_ids", "movie-external-ids.json", "{}"},
    {"alternative_titles", "movie-alternative-titles.json", "{\"titles\":[]}"},
    {NULL, NULL, NULL},
};

static const struct member_file tv_members[] = {
    {"aggregate_credits", "tv-aggregate-credits.json", "{\"cast\":[],\"crew\":[]}"},
    {"content_ratings", "tv-content-ratings.json", "{\"results\":[]}"},
    {"images", "tv-images.json", "{\"backdrops\":[],\"logos\":[],\"posters\":[]}"},
    {"translations", "tv-translations.json", "{\"translations\":[]}"},
    {"external_ids", "tv-external-ids.json", "{}"},
    {"alternative_titles", "tv-alternative-titles.json", "{\"results\":[]}"},
    {"episode_groups", "tv-episode-groups.json", "{\"results\":[]}"},
    {NULL, NULL, NULL},
};

static const struct member_file season_members[] = {
    {"translations", "tv-season-translations.json", "{\"translations\":[]}"},
    {NULL, NULL, NULL},
};

/* season 0 has no recorded translations of its own */
static const struct member_file season0_members[] = {
    {"translations", "no-such-file.json", "{\"translations\":[]}"},
    {NULL, NULL, NULL},
};

/* The details object with every known member under "__members" (taken out
 * again per request, by what append_to_response asks for). */
static cJSON *compose(const char *file, const struct member_file *m)
{
	cJSON *d = load_json(file, true), *all = cJSON_CreateObject();

	for (; m->name; m++)
		cJSON_AddItemToObject(all, m->name, member(m->file, m->empty));
	cJSON_AddItemToObject(d, "__members", all);
	return d;
}

static bool has_id(const cJSON *pool, double id)
{
	const cJSON *o;

	cJSON_ArrayForEach(o, pool)
	{
		const cJSON *i = cJSON_GetObjectItemCaseSensitive(o, "id");
		if (cJSON_IsNumber(i) && i->valuedouble == id)
			return true;
	}
	return false;
}

static void pool_add(cJSON *pool, const cJSON *o, const char *title_key)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");

	if (!cJSON_IsObject(o) || !cJSON_IsNumber(id) ||
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, title_key)) ||
	    has_id(pool, id->valuedouble))
		return;
	cJSON *c = cJSON_Duplicate(o, true);
	cJSON_DeleteItemFromObjectCaseSensitive(c, "__members");
	cJSON_AddItemToArray(pool, c);
}

static void pool_add_results(cJSON *pool, const char *file, const char *title_key)
{
	cJSON *j = load_json(file, false);
	const cJSON *o;

	cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(j, "results"))
	    pool_add(pool, o, title_key);
	cJSON_Delete(j);
}

static void load_fixtures(void)
{
	static const char *const movie_lists[] = {
	    "search-movie.json",          "movie-popular.json",
	    "movie-top-rated.json",       "movie-now-playing.json",
	    "movie-upcoming.json",        "movie-similar.json",
	    "movie-recommendations.json", NULL};
	static const char *const tv_lists[] = {"search-tv.json", "search-tv-rick-and-morty.json",
	                                       "tv-popular.json", "tv-similar.json", NULL};
	size_t n;

	movie_550 = compose("movie-details.json", movie_members);
	tv_1399 = compose("tv-details.json", tv_members);
	season_1 = compose("tv-season-details.json", season_members);
	season_0 = compose("tv-season-0-details.json", season0_members);
	episode_1 = load_json("tv-episode-details.json", true);
	episode_group = load_json("tv-episode-group-details.json", true);
	movie_pool = cJSON_CreateArray();
	tv_pool = cJSON_CreateArray();
	pool_add(movie_pool, movie_550, "title");
	for (int i = 0; movie_lists[i]; i++)
		pool_add_results(movie_pool, movie_lists[i], "title");
	pool_add(tv_pool, tv_1399, "name");
	for (int i = 0; tv_lists[i]; i++)
		pool_add_results(tv_pool, tv_lists[i], "name");
	if (!(not_found_body = read_fixture("resource-not-found.json", NULL)) ||
	    !(invalid_key_body = read_fixture("invalid-api-key.json", NULL)) ||
	    !(truncated_json = read_fixture("movie-details.json", &n))) {
		fprintf(stderr, "fake_tmdb: error bodies missing in %s\n", fixtures_dir);
		exit(1);
	}
	truncated_json[n / 2] = '\0';
	by_path = cJSON_CreateObject();
}

/* --- generated images ----------------------------------------------------- */

/* A 1x1 grey baseline JPEG: one quantisation table, one-code Huffman tables
 * (DC category 0, AC end-of-block), and two entropy-coded bits. */
/* clang-format off */
static const unsigned char tiny_jpeg[] = {
	0xFF, 0xD8,                                     /* SOI */
	0xFF, 0xDB, 0x00, 0x43, 0x00,                   /* DQT: table 0, 64 x 1 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x01, 0x00, /* SOF0: 8 bit, 1 x 1, */
	0x01, 0x01, 0x01, 0x11, 0x00,                   /* one component, table 0 */
	0xFF, 0xC4, 0x00, 0x14, 0x00,                   /* DHT DC 0: one code of */
	1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* length 1 for */
	0x00,                                           /* category 0 */
	0xFF, 0xC4, 0x00, 0x14, 0x10,                   /* DHT AC 0: one code of */
	1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* length 1 for */
	0x00,                                           /* end-of-block */
	0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00,       /* SOS */
	0x00, 0x3F, 0x00,
	0x3F,                                           /* "0" DC, "0" EOB, 1-padding */
	0xFF, 0xD9,                                     /* EOI */
};
/* clang-format on */

static uint32_t crc32_of(const unsigned char *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;

	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
	}
	return ~c;
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* A 1x1 grey PNG; the chunk CRCs are computed, the zlib stream is one
 * stored block. Returns its length (out holds at least 80 bytes). */
static size_t tiny_png(unsigned char *out)
{
	static const unsigned char ihdr[] = {0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0};
	static const unsigned char idat[] = {0x78, 0x01, 0x01, 0x02, 0x00, 0xFD, 0xFF,
	                                     0x00, 0x00, 0x00, 0x02, 0x00, 0x01};
	const struct {
		const char *type;
		const unsigned char *d;
		size_t n;
	} chunks[] = {
	    {"IHDR", ihdr, sizeof(ihdr)}, {"IDAT", idat, sizeof(idat)}, {"IEND", NULL, 0}};
	size_t len = 8;

	memcpy(out, "\x89PNG\r\n\x1a\n", 8);
	for (size_t i = 0; i < 3; i++) {
		put32(out + len, (uint32_t)chunks[i].n);
		memcpy(out + len + 4, chunks[i].type, 4);
		if (chunks[i].n)
			memcpy(out + len + 8, chunks[i].d, chunks[i].n);
		put32(out + len + 8 + chunks[i].n, crc32_of(out + len + 4, chunks[i].n + 4));
		len += 12 + chunks[i].n;
	}
	return len;
}

/* --- requests ------------------------------------------------------------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Value of name in the query string q, URL-decoded into out; false when
 * absent. */
static bool query_param(const char *q, const char *name, char *out, size_t cap)
{
	size_t nl = strlen(name);

	while (q && *q) {
		const char *end = strchr(q, '&');
		size_t seg = end ? (size_t)(end - q) : strlen(q);

		if (seg > nl && !strncmp(q, name, nl) && q[nl] == '=') {
			size_t o = 0;
			for (size_t i = nl + 1; i < seg && o + 1 < cap; i++) {
				int h, l;
				if (q[i] == '+') {
					out[o++] = ' ';
				} else if (q[i] == '%' && i + 2 < seg + 1 &&
				           (h = hexval(q[i + 1])) >= 0 &&
				           (l = hexval(q[i + 2])) >= 0) {
					out[o++] = (char)(h * 16 + l);
					i += 2;
				} else {
					out[o++] = q[i];
				}
			}
			out[o] = '\0';
			return true;
		}
		q = end ? end + 1 : NULL;
	}
	return false;
}

static int query_int(const char *q, const char *name, int def)
{
	char v[32], *end;
	long n;

	if (!query_param(q, name, v, sizeof(v)))
		return def;
	errno = 0;
	n = strtol(v, &end, 10);
	return errno || *end || end == v || n < 0 || n > 1000000 ? def : (int)n;
}

static void set_body(struct response *r, int status, const char *type, const void *d, size_t n)
{
	r->status = status;
	r->type = type;
	r->body = malloc(n + 1);
	if (!r->body) {
		fprintf(stderr, "fake_tmdb: out of memory\n");
		exit(1);
	}
	memcpy(r->body, d, n);
	r->body[n] = '\0';
	r->len = n;
}

static void set_text(struct response *r, int status, const char *text)
{
	set_body(r, status, "application/json;charset=utf-8", text, strlen(text));
}

static void set_json(struct response *r, int status, cJSON *j)
{
	char *t = cJSON_PrintUnformatted(j);

	set_text(r, status, t ? t : "{}");
	free(t);
}

/* Copy of a composed details object with the members append_to_response
 * asks for. */
static void details(struct response *r, const cJSON *d, const char *query)
{
	char want[512];
	cJSON *c = cJSON_Duplicate(d, true);
	cJSON *all = cJSON_DetachItemFromObjectCaseSensitive(c, "__members");

	if (query_param(query, "append_to_response", want, sizeof(want))) {
		for (char *save = NULL, *tok = strtok_r(want, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			const cJSON *m = cJSON_GetObjectItemCaseSensitive(all, tok);
			if (m && !cJSON_GetObjectItemCaseSensitive(c, tok))
				cJSON_AddItemToObject(c, tok, cJSON_Duplicate(m, true));
		}
	}
	set_json(r, 200, c);
	cJSON_Delete(all);
	cJSON_Delete(c);
}

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

static bool words_in(const char *words, const cJSON *o, const char *k1, const char *k2)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, k1);
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(o, k2);
	char ta[512] = "", tb[512] = "", w[512];
	bool all = true;

	if (cJSON_IsString(a))
		snprintf(ta, sizeof(ta), "%s", a->valuestring);
	if (cJSON_IsString(b))
		snprintf(tb, sizeof(tb), "%s", b->valuestring);
	lower(ta);
	lower(tb);
	snprintf(w, sizeof(w), "%s", words);
	lower(w);
	for (char *save = NULL, *tok = strtok_r(w, " ", &save); tok && all;
	     tok = strtok_r(NULL, " ", &save))
		all = strstr(ta, tok) || strstr(tb, tok);
	return all;
}

static double popularity(const cJSON *o)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "popularity");
	return cJSON_IsNumber(p) ? p->valuedouble : 0;
}

static int by_popularity(const void *x, const void *y)
{
	double a = popularity(*(const cJSON *const *)x), b = popularity(*(const cJSON *const *)y);
	return a < b ? 1 : a > b ? -1 : 0;
}

static void search(struct response *r, const cJSON *pool, const char *query, bool tv)
{
	const char *tk = tv ? "name" : "title", *otk = tv ? "original_name" : "original_title";
	const char *dk = tv ? "first_air_date" : "release_date";
	char words[512] = "";
	int year = query_int(query, tv ? "first_air_date_year" : "year", 0), n = 0;
	const cJSON *o;
	const cJSON *hits[1024];
	cJSON *out = cJSON_CreateObject(), *res = cJSON_CreateArray();

	query_param(query, "query", words, sizeof(words));
	cJSON_ArrayForEach(o, pool)
	{
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, dk);
		if (n == 1024 || !words_in(words, o, tk, otk))
			continue;
		if (year && !(cJSON_IsString(d) && strlen(d->valuestring) >= 4 &&
		              atoi(d->valuestring) == year))
			continue;
		hits[n++] = o;
	}
	qsort(hits, (size_t)n, sizeof(hits[0]), by_popularity);
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(res, cJSON_Duplicate(hits[i], true));
	cJSON_AddNumberToObject(out, "page", 1);
	cJSON_AddItemToObject(out, "results", res);
	cJSON_AddNumberToObject(out, "total_pages", n ? 1 : 0);
	cJSON_AddNumberToObject(out, "total_results", n);
	set_json(r, 200, out);
	cJSON_Delete(out);
}

static void find(struct response *r, const char *id, const char *query)
{
	char src[32] = "";
	cJSON *out = cJSON_CreateObject(), *movies = cJSON_CreateArray();
	const cJSON *o;

	query_param(query, "external_source", src, sizeof(src));
	if (!strcmp(src, "imdb_id")) {
		cJSON_ArrayForEach(o, movie_pool)
		{
			const cJSON *i = cJSON_GetObjectItemCaseSensitive(o, "imdb_id");
			if (cJSON_IsString(i) && !strcmp(i->valuestring, id))
				cJSON_AddItemToArray(movies, cJSON_Duplicate(o, true));
		}
	}
	cJSON_AddItemToObject(out, "movie_results", movies);
	cJSON_AddItemToObject(out, "person_results", cJSON_CreateArray());
	cJSON_AddItemToObject(out, "tv_results", cJSON_CreateArray());
	cJSON_AddItemToObject(out, "tv_episode_results", cJSON_CreateArray());
	cJSON_AddItemToObject(out, "tv_season_results", cJSON_CreateArray());
	set_json(r, 200, out);
	cJSON_Delete(out);
}

/* A season in another language (see the top of this file). */
static void season_language(struct response *r, const cJSON *season, int number,
                            const char *lang)
{
	char file[64], name[32];
	cJSON *c, *ep;

	snprintf(file, sizeof(file), "tv-season-%d-%s.json", number, lang);
	if ((c = load_json(file, false))) {
		set_json(r, 200, c);
		cJSON_Delete(c);
		return;
	}
	c = cJSON_Duplicate(season, true);
	cJSON_DeleteItemFromObjectCaseSensitive(c, "__members");
	cJSON_ArrayForEach(ep, cJSON_GetObjectItemCaseSensitive(c, "episodes"))
	{
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(ep, "episode_number");
		snprintf(name, sizeof(name), "Episode %d", cJSON_IsNumber(n) ? n->valueint : 0);
		cJSON_ReplaceItemInObjectCaseSensitive(ep, "name", cJSON_CreateString(name));
		cJSON_ReplaceItemInObjectCaseSensitive(ep, "overview", cJSON_CreateString(""));
	}
	set_json(r, 200, c);
	cJSON_Delete(c);
}

static void season(struct response *r, const char *query, int number)
{
	const cJSON *s = number == 1 ? season_1 : number == 0 ? season_0 : NULL;
	char lang[8];

	if (!s)
		set_text(r, 404, not_found_body);
	else if (query_param(query, "language", lang, sizeof(lang)) && strncmp(lang, "en", 2))
		season_language(r, s, number, lang);
	else
		details(r, s, query);
}

static void api(struct response *r, const char *path, const char *query)
{
	char key[256], id[64];
	int n = 0, sn = -1;

	if (api_key && (!query_param(query, "api_key", key, sizeof(key)) || strcmp(key, api_key))) {
		set_text(r, 401, invalid_key_body);
		return;
	}
	if (!strcmp(path, "/3/movie/550"))
		details(r, movie_550, query);
	else if (!strcmp(path, "/3/tv/1399"))
		details(r, tv_1399, query);
	else if (sscanf(path, "/3/tv/1399/season/%d%n", &sn, &n) == 1 && path[n] == '\0')
		season(r, query, sn);
	else if (sscanf(path, "/3/tv/episode_group/%63[0-9a-f]%n", id, &n) == 1 &&
	         path[n] == '\0' &&
	         !strcmp(cJSON_GetObjectItemCaseSensitive(episode_group, "id")->valuestring, id))
		set_json(r, 200, episode_group);
	else if (!strcmp(path, "/3/tv/1399/season/1/episode/1"))
		set_json(r, 200, episode_1);
	else if (!strcmp(path, "/3/search/movie"))
		search(r, movie_pool, query, false);
	else if (!strcmp(path, "/3/search/tv"))
		search(r, tv_pool, query, true);
	else if (sscanf(path, "/3/find/%63[a-z0-9]%n", id, &n) == 1 && path[n] == '\0')
		find(r, id, query);
	else
		set_text(r, 404, not_found_body);
}

static void image(struct response *r, const char *path)
{
	static const char *const sizes[] = {"w45",  "w92",  "w154",  "w185", "w300",     "w342",
	                                    "w500", "w780", "w1280", "h632", "original", NULL};
	char size[32], file[160];
	int n = 0;
	bool size_ok = false;

	if (sscanf(path, "/t/p/%31[a-z0-9]/%159[A-Za-z0-9_.-]%n", size, file, &n) == 2 &&
	    path[n] == '\0') {
		for (int i = 0; sizes[i]; i++)
			size_ok |= !strcmp(size, sizes[i]);
		size_t fl = strlen(file);
		if (size_ok && fl > 4 && !strcmp(file + fl - 4, ".jpg")) {
			set_body(r, 200, "image/jpeg", tiny_jpeg, sizeof(tiny_jpeg));
			return;
		}
		if (size_ok && fl > 4 && !strcmp(file + fl - 4, ".png")) {
			unsigned char png[128];
			set_body(r, 200, "image/png", png, tiny_png(png));
			return;
		}
	}
	set_body(r, 404, "text/html", "<html><body>404 Not Found</body></html>", 39);
}

static void stats(struct response *r)
{
	cJSON *o = cJSON_CreateObject(), *t = cJSON_CreateArray();

	cJSON_AddNumberToObject(o, "requests", (double)total_requests);
	cJSON_AddItemToObject(o, "by_path", cJSON_Duplicate(by_path, true));
	for (size_t i = 0; i < ntimes; i++)
		cJSON_AddItemToArray(t, cJSON_CreateNumber((double)times_ms[i]));
	cJSON_AddItemToObject(o, "times", t);
	set_json(r, 200, o);
	cJSON_Delete(o);
}

static void count(const char *path)
{
	cJSON *n = cJSON_GetObjectItemCaseSensitive(by_path, path);

	total_requests++;
	if (ntimes < MAX_TIMES)
		times_ms[ntimes++] = now_ms();
	if (n)
		cJSON_SetNumberValue(n, n->valuedouble + 1);
	else
		cJSON_AddNumberToObject(by_path, path, 1);
}

static bool control(struct response *r, const char *method, const char *path, const char *query)
{
	if (!strcmp(path, "/__stats")) {
		stats(r);
	} else if (!strcmp(method, "POST") && !strcmp(path, "/__fail")) {
		fail_rule.status = query_int(query, "status", 503);
		fail_rule.count = query_int(query, "count", 1);
		fail_rule.retry_after = query_int(query, "retry_after", -1);
		if (!query_param(query, "prefix", fail_rule.prefix, sizeof(fail_rule.prefix)))
			snprintf(fail_rule.prefix, sizeof(fail_rule.prefix), "/");
		set_text(r, 200, "{\"ok\":true}");
	} else if (!strcmp(method, "POST") && !strcmp(path, "/__garbage")) {
		char kind[16] = "html";
		query_param(query, "kind", kind, sizeof(kind));
		garbage_rule.count = query_int(query, "count", 1);
		garbage_rule.html = strcmp(kind, "json") != 0;
		set_text(r, 200, "{\"ok\":true}");
	} else if (!strcmp(method, "POST") && !strcmp(path, "/__reset")) {
		memset(&fail_rule, 0, sizeof(fail_rule));
		memset(&garbage_rule, 0, sizeof(garbage_rule));
		total_requests = 0;
		ntimes = 0;
		cJSON_Delete(by_path);
		by_path = cJSON_CreateObject();
		set_text(r, 200, "{\"ok\":true}");
	} else {
		return false;
	}
	return true;
}

static void handle(struct response *r, const char *method, const char *path, const char *query)
{
	static const char html[] =
	    "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
	    "<body><h1>Bad Gateway</h1><p>cloudfront</p></body></html>";

	r->retry_after = -1;
	if (!strncmp(path, "/__", 3) && control(r, method, path, query))
		return;
	if (strncmp(path, "/3/", 3) && strncmp(path, "/t/p/", 5)) {
		set_text(r, 404, not_found_body);
		return;
	}
	count(path);
	if (fail_rule.count > 0 && !strncmp(path, fail_rule.prefix, strlen(fail_rule.prefix))) {
		fail_rule.count--;
		r->retry_after = fail_rule.retry_after;
		set_text(
		    r, fail_rule.status,
		    fail_rule.status == 429
		        ? "{\"status_code\":25,\"status_message\":\"Your request count is over "
		          "the allowed limit.\"}"
		        : "{\"status_code\":11,\"status_message\":\"Internal error.\"}");
		return;
	}
	if (garbage_rule.count > 0) {
		garbage_rule.count--;
		if (garbage_rule.html)
			set_body(r, 200, "text/html", html, sizeof(html) - 1);
		else
			set_text(r, 200, truncated_json);
		return;
	}
	if (strcmp(method, "GET"))
		set_text(r, 404, not_found_body);
	else if (!strncmp(path, "/3/", 3))
		api(r, path, query);
	else
		image(r, path);
}

/* --- connections ---------------------------------------------------------- */

static void conn_close(struct conn *c)
{
	close(c->fd);
	free(c->out);
	c->fd = -1;
	c->out = NULL;
	c->inlen = c->outlen = c->outoff = 0;
	c->close_after = false;
}

static void queue_response(struct conn *c, const struct response *r)
{
	char head[512];
	int hn;
	char ra[48] = "";

	if (r->retry_after >= 0)
		snprintf(ra, sizeof(ra), "Retry-After: %d\r\n", r->retry_after);
	hn = snprintf(head, sizeof(head),
	              "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
	              "Connection: %s\r\n\r\n",
	              r->status,
	              r->status == 200   ? "OK"
	              : r->status == 401 ? "Unauthorized"
	              : r->status == 404 ? "Not Found"
	              : r->status == 429 ? "Too Many Requests"
	              : r->status == 400 ? "Bad Request"
	                                 : "Error",
	              r->type, r->len, ra, c->close_after ? "close" : "keep-alive");
	c->out = malloc((size_t)hn + r->len);
	if (!c->out) {
		fprintf(stderr, "fake_tmdb: out of memory\n");
		exit(1);
	}
	memcpy(c->out, head, (size_t)hn);
	memcpy(c->out + hn, r->body, r->len);
	c->outlen = (size_t)hn + r->len;
	c->outoff = 0;
}

static bool header_is(const char *line, const char *name, const char *value)
{
	size_t n = strlen(name);

	if (strncasecmp(line, name, n) || line[n] != ':')
		return false;
	line += n + 1;
	while (*line == ' ')
		line++;
	return value ? !strncasecmp(line, value, strlen(value)) : true;
}

/* Take one complete request off c->in and queue its answer; false when the
 * request is not complete yet. */
static bool process(struct conn *c)
{
	static char head[MAX_REQUEST];
	char *end, *line, *save = NULL, method[16], target[4096], version[16];
	size_t head_len, body_len = 0, used;
	struct response r = {0};
	char *q;

	c->in[c->inlen] = '\0';
	if (!(end = strstr(c->in, "\r\n\r\n")))
		return false;
	head_len = (size_t)(end - c->in) + 4;
	/* tokenise a copy, so an incomplete body leaves c->in as it was */
	memcpy(head, c->in, head_len - 4);
	head[head_len - 4] = '\0';
	line = strtok_r(head, "\r\n", &save);
	r.retry_after = -1;
	if (!line || sscanf(line, "%15s %4095s %15s", method, target, version) != 3) {
		c->close_after = true;
		set_text(&r, 400, "{}");
		queue_response(c, &r);
		free(r.body);
		c->inlen = 0;
		return true;
	}
	c->close_after = !strcmp(version, "HTTP/1.0");
	while ((line = strtok_r(NULL, "\r\n", &save))) {
		if (header_is(line, "Content-Length", NULL))
			body_len = (size_t)strtoul(strchr(line, ':') + 1, NULL, 10);
		else if (header_is(line, "Connection", "close"))
			c->close_after = true;
	}
	if (head_len + body_len > sizeof(c->in) - 1) {
		c->close_after = true;
		body_len = 0;
	} else if (c->inlen < head_len + body_len) {
		return false;
	}
	if ((q = strchr(target, '?')))
		*q++ = '\0';
	handle(&r, method, target, q ? q : "");
	fprintf(stderr, "fake_tmdb: %s %s -> %d\n", method, target, r.status);
	queue_response(c, &r);
	free(r.body);
	used = head_len + body_len;
	if (used > c->inlen)
		used = c->inlen;
	memmove(c->in, c->in + used, c->inlen - used);
	c->inlen -= used;
	return true;
}

static void serve(int lfd)
{
	static struct conn conns[MAX_CONNS];
	struct pollfd pfd[MAX_CONNS + 1];

	for (int i = 0; i < MAX_CONNS; i++)
		conns[i].fd = -1;
	while (!stopping) {
		int n = 0, idx[MAX_CONNS];

		pfd[n++] = (struct pollfd){lfd, POLLIN, 0};
		for (int i = 0; i < MAX_CONNS; i++) {
			if (conns[i].fd < 0)
				continue;
			idx[n - 1] = i;
			pfd[n++] = (struct pollfd){conns[i].fd, conns[i].out ? POLLOUT : POLLIN, 0};
		}
		if (poll(pfd, (nfds_t)n, 200) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if (pfd[0].revents & POLLIN) {
			int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
			int slot = -1;
			for (int i = 0; fd >= 0 && i < MAX_CONNS && slot < 0; i++)
				if (conns[i].fd < 0)
					slot = i;
			if (fd >= 0 && slot < 0)
				close(fd);
			else if (fd >= 0)
				conns[slot].fd = fd;
		}
		for (int p = 1; p < n; p++) {
			struct conn *c = &conns[idx[p - 1]];
			if (!pfd[p].revents)
				continue;
			if (c->out) {
				ssize_t w = write(c->fd, c->out + c->outoff, c->outlen - c->outoff);
				if (w < 0 && errno != EAGAIN && errno != EINTR) {
					conn_close(c);
					continue;
				}
				if (w > 0)
					c->outoff += (size_t)w;
				if (c->outoff == c->outlen) {
					free(c->out);
					c->out = NULL;
					if (c->close_after)
						conn_close(c);
					else if (c->inlen)
						process(c); /* a pipelined request */
				}
				continue;
			}
			ssize_t rd = read(c->fd, c->in + c->inlen, sizeof(c->in) - 1 - c->inlen);
			if (rd == 0 || (rd < 0 && errno != EAGAIN && errno != EINTR)) {
				conn_close(c);
				continue;
			}
			if (rd > 0)
				c->inlen += (size_t)rd;
			if (!process(c) && c->inlen == sizeof(c->in) - 1)
				conn_close(c); /* a request larger than the buffer */
		}
	}
	for (int i = 0; i < MAX_CONNS; i++)
		if (conns[i].fd >= 0)
			conn_close(&conns[i]);
}

static void usage(void)
{
	fprintf(stderr, "usage: fake_tmdb --fixtures DIR --port-file FILE [--key KEY]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *port_file = NULL;
	struct sockaddr_in sa = {0};
	socklen_t sl = sizeof(sa);
	struct sigaction act = {0};
	char tmp[1100];
	FILE *f;
	int lfd, one = 1;

	for (int i = 1; i < argc; i++) {
		if (i + 1 < argc && !strcmp(argv[i], "--fixtures"))
			fixtures_dir = argv[++i];
		else if (i + 1 < argc && !strcmp(argv[i], "--port-file"))
			port_file = argv[++i];
		else if (i + 1 < argc && !strcmp(argv[i], "--key"))
			api_key = argv[++i];
		else
			usage();
	}
	if (!fixtures_dir || !port_file)
		usage();
	act.sa_handler = on_term;
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGINT, &act, NULL);
	signal(SIGPIPE, SIG_IGN);
	load_fixtures();

	if ((lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 64) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &sl) < 0)
		die("bind");
	/* written whole then renamed, so a reader never sees half a number */
	snprintf(tmp, sizeof(tmp), "%s.tmp", port_file);
	if (!(f = fopen(tmp, "w")) || fprintf(f, "%d\n", ntohs(sa.sin_port)) < 0 || fclose(f) ||
	    rename(tmp, port_file))
		die(port_file);
	fprintf(stderr, "fake_tmdb: listening on 127.0.0.1:%d\n", ntohs(sa.sin_port));
	serve(lfd);
	close(lfd);
	cJSON_Delete(movie_550);
	cJSON_Delete(tv_1399);
	cJSON_Delete(season_1);
	cJSON_Delete(season_0);
	cJSON_Delete(episode_1);
	cJSON_Delete(episode_group);
	cJSON_Delete(movie_pool);
	cJSON_Delete(tv_pool);
	cJSON_Delete(by_path);
	free(not_found_body);
	free(invalid_key_body);
	free(truncated_json);
	return 0;
}
