/*
 * libFuzzer target for the .nfo reader of app/library/nfo.c: nfo_parse()
 * and nfo_json().
 *
 * fuzz-sources: app/core app/library/nfo.c
 * fuzz-libs: -lcjson -lm -lcrypto -lutf8proc
 *
 * Input: the bytes are the file (any bytes; not NUL-terminated: the copy
 * is exactly size bytes so ASan catches any read past len).
 *
 * Oracles beyond "no crash, no sanitizer report":
 *   - the result is APP_OK, APP_ERR_UNPROCESSABLE or (past NFO_INPUT_MAX)
 *     APP_ERR_TOO_LARGE, and an error comes with a non-empty, valid UTF-8
 *     reason
 *   - on success every text field is NUL-terminated inside its array and
 *     valid UTF-8; counts and numbers are in range
 *   - the JSON written by nfo_json re-parses with cJSON into an object with
 *     exactly the 16 documented keys, title matches and genres has
 *     genre_count items
 *   - parsing is deterministic (the same bytes twice give the same JSON)
 *
 * fuzz-seed: <?xml version="1.0"?><movie><title>The Matrix</title><year>1999</year></movie>
 * fuzz-seed: <movie><uniqueid type="tmdb" default="true">603</uniqueid></movie>
 * fuzz-seed: <tvshow><title>A &amp; B</title><id>81189</id></tvshow>
 * fuzz-seed: <episodedetails><season>1</season><episode>2</episode></episodedetails>
 * fuzz-seed: <episodedetails><aired>2008-01-27</aired><plot><![CDATA[x]]></plot></episodedetails>
 * fuzz-seed: https://www.themoviedb.org/movie/603-the-matrix
 * fuzz-seed: https://www.imdb.com/title/tt0133093/
 * fuzz-seed: \xef\xbb\xbf<movie><!-- c --><title a='1'>&#xE9;&#233;</title></movie>
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/text.h"
#include "library/nfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define oracle(ok) check((ok), #ok)

static void check(int ok, const char *what)
{
	if (ok)
		return;
	fprintf(stderr, "fuzz_nfo: oracle failed: %s\n", what);
	abort();
}

static void text_ok(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);
	oracle(n < cap);
	oracle(utf8_valid(s, n));
}

static char *to_json(const struct nfo *n)
{
	struct buf b;
	struct jw w;

	buf_init(&b, 1 << 20);
	jw_init(&w, &b);
	nfo_json(n, &w);
	oracle(buf_ok(&b));
	return buf_detach(&b, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {"kind",   "title",     "originaltitle", "sorttitle",
	                                   "year",   "premiered", "plot",          "runtime",
	                                   "mpaa",   "tmdb_id",   "imdb_id",       "tvdb_id",
	                                   "season", "episode",   "genres",        "lockdata"};
	static struct nfo n, m;
	char err[128], *j1, *j2;
	char *text = malloc(size ? size : 1);
	enum app_err e;

	if (!text)
		return 0;
	memcpy(text, data, size);
	e = nfo_parse(text, size, &n, err, sizeof(err));
	if (e != APP_OK) {
		oracle(e == APP_ERR_UNPROCESSABLE ||
		       (e == APP_ERR_TOO_LARGE && size > NFO_INPUT_MAX));
		oracle(strnlen(err, sizeof(err)) < sizeof(err) && err[0] != '\0');
		oracle(utf8_valid(err, strlen(err)));
		free(text);
		return 0;
	}
	text_ok(n.title, sizeof(n.title));
	text_ok(n.originaltitle, sizeof(n.originaltitle));
	text_ok(n.sorttitle, sizeof(n.sorttitle));
	text_ok(n.premiered, sizeof(n.premiered));
	text_ok(n.plot, sizeof(n.plot));
	text_ok(n.mpaa, sizeof(n.mpaa));
	text_ok(n.imdb_id, sizeof(n.imdb_id));
	oracle(n.genre_count >= 0 && n.genre_count <= NFO_GENRES_MAX);
	for (int k = 0; k < n.genre_count; k++)
		text_ok(n.genres[k], sizeof(n.genres[k]));
	oracle(n.kind >= NFO_MOVIE && n.kind <= NFO_URL);
	oracle(n.season >= -1 && n.episode >= -1 && n.tmdb_id >= 0 && n.tvdb_id >= 0);
	oracle(n.imdb_id[0] == '\0' || (n.imdb_id[0] == 't' && n.imdb_id[1] == 't'));

	j1 = to_json(&n);
	cJSON *o = cJSON_Parse(j1);
	oracle(cJSON_IsObject(o));
	oracle(cJSON_GetArraySize(o) == (int)(sizeof(keys) / sizeof(keys[0])));
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		oracle(cJSON_GetObjectItemCaseSensitive(o, keys[k]) != NULL);
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "title");
	oracle(n.title[0] ? cJSON_IsString(t) && strcmp(t->valuestring, n.title) == 0
	                  : cJSON_IsNull(t));
	const cJSON *g = cJSON_GetObjectItemCaseSensitive(o, "genres");
	oracle(cJSON_IsArray(g) && cJSON_GetArraySize(g) == n.genre_count);
	cJSON_Delete(o);

	oracle(nfo_parse(text, size, &m, err, sizeof(err)) == APP_OK);
	j2 = to_json(&m);
	oracle(strcmp(j1, j2) == 0);

	free(j1);
	free(j2);
	free(text);
	return 0;
}
