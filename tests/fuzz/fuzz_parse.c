/*
 * libFuzzer target for the filename parser of app/library/parse*.c:
 * name_parse() and name_parse_json().
 *
 * fuzz-sources: app/core app/library/parse.c app/library/parse_scan.c app/library/parse_title.c app/library/parse_vocab.c
 * fuzz-libs: -lcjson -lm -lcrypto -lutf8proc
 *
 * Input: the bytes, cut at the first NUL, are the name (any bytes: invalid
 * UTF-8, control bytes, names longer than NAME_INPUT_MAX).
 *
 * Oracles beyond "no crash, no sanitizer report":
 *   - name_parse refuses exactly the empty and the over-long names
 *   - every text field is NUL-terminated inside its array and valid UTF-8
 *   - episode_count is within 0..NAME_EPISODES_MAX, season >= -1; past
 *     the array the numbers run on to episode_last (episode_total -
 *     episode_count == episode_last - the last stored number), at most
 *     999 of them
 *   - the JSON episode holds episode_total numbers: the stored ones, then
 *     the run up to episode_last
 *   - the JSON written by name_parse_json re-parses with cJSON into an
 *     object with exactly the 15 documented keys, and its strings are the
 *     struct's strings
 *   - parsing is deterministic (the same name twice gives the same JSON)
 *
 * fuzz-seed: The.Matrix.1999.1080p.BluRay.x264-GROUP.mkv
 * fuzz-seed: Movies/The Matrix (1999)/The Matrix (1999) {tmdb-603}.mkv
 * fuzz-seed: Series/Show/Season 2/Show.S02E03E04.720p.WEB-DL.DD5.1.H.264-GRP.mkv
 * fuzz-seed: [Group] Show - 123 [1080p][ABCD1234].mkv
 * fuzz-seed: The.Daily.Show.2014.03.15.HDTV.x264-W4F
 * fuzz-seed: Show Season 1 Episode 2 - Title.avi
 * fuzz-seed: Caf\xc3.\xff\xfe.Movie.2010.mkv
 * fuzz-seed: [異域字幕組][漆黑的子彈][Black Bullet][11][1280x720][繁体].mp4
 * fuzz-seed: 【喵萌奶茶屋】★01月新番★[別對映像研出手！/Eizouken ni wa Te wo Dasu na!][01][1080p]
 * fuzz-seed: [Group] Show - 1-99999 [720p].mkv
 * fuzz-seed: [Group] Show - 12-01 ~ 99999999999999 [720p].mkv
 * fuzz-seed: Show.3x04_05_06_07.S01E01-E99999E4E6.mkv
 * fuzz-seed: The.White.Lotus.2.Sezon.7.Bölüm.99999999999.Сезон №9. Серия №180.mkv
 * fuzz-seed: 180506 Show 3rd Nov 2014 Nov 31 2014 999999.mkv
 * fuzz-seed: [www.site.net] - www.site.com - 9-1-1.1923.Catch-22.S02.mkv
 * fuzz-seed: [[[[[[[[【【【【（（（Show 6.01 [5.134]]]]】】\xe3\x80 / a / b\xff.mkv
 * fuzz-seed: [G] Show - SP 2 OVA3.5 EP07.5.9 NCED 99 - ED - OP4a 01b 111C Special 999999 07.5.mkv
 * fuzz-seed: Show.S01E05-GRP/Specials/[G]_Show_-_EX01_-_02.5_-_NCOP1v2_-_OVA_-_01.mkv
 * fuzz-seed: [G] Show - 01-26 (101-124) S01E01-E999-E1998-E2997 E01E03E05E07E09E11E13E15E17E19E21E23E25E27E29E31E33-E40 Ep 1-999.mkv
 * fuzz-seed: [Batch]/Show 01-999/[G] Show - 01 ~ 026 ~ 1024 ~ 2000/x.mkv
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/text.h"
#include "library/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define oracle(ok) check((ok), #ok)

static void check(int ok, const char *what)
{
	if (ok)
		return;
	fprintf(stderr, "fuzz_parse: oracle failed: %s\n", what);
	abort();
}

static void text_ok(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);
	oracle(n < cap);
	oracle(utf8_valid(s, n));
}

static void str_matches(const cJSON *o, const char *key, const char *want)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!want || !*want) {
		oracle(cJSON_IsNull(v));
		return;
	}
	oracle(cJSON_IsString(v) && strcmp(v->valuestring, want) == 0);
}

static char *to_json(const struct parsed_name *p)
{
	struct buf b;
	struct jw w;

	buf_init(&b, 1 << 16);
	jw_init(&w, &b);
	name_parse_json(p, &w);
	oracle(buf_ok(&b));
	return buf_detach(&b, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {
		"type",        "title",  "year",        "season",      "episode",
		"episode_title", "date", "screen_size", "source",      "video_codec",
		"audio_codec", "release_group", "edition", "tmdb_id", "imdb_id"};
	struct parsed_name p, q;
	char *name = malloc(size + 1), *j1, *j2;
	size_t len;
	int rc;

	if (!name)
		return 0;
	memcpy(name, data, size);
	name[size] = '\0';
	len = strlen(name);

	rc = name_parse(name, &p);
	oracle(rc == ((len == 0 || len > NAME_INPUT_MAX) ? -1 : 0));
	text_ok(p.title, sizeof(p.title));
	text_ok(p.episode_title, sizeof(p.episode_title));
	text_ok(p.date, sizeof(p.date));
	text_ok(p.release_group, sizeof(p.release_group));
	text_ok(p.imdb_id, sizeof(p.imdb_id));
	oracle(p.episode_count >= 0 && p.episode_count <= NAME_EPISODES_MAX);
	oracle(p.episode_total >= p.episode_count);
	oracle(p.episode_count ? p.episode_last == p.episodes[p.episode_count - 1] +
							  (p.episode_total - p.episode_count)
			       : p.episode_total == 0 && p.episode_last == 0);
	oracle(p.episode_total - p.episode_count <= 999);
	oracle(p.season >= -1);
	oracle(p.language_count >= 0 && p.language_count <= NAME_LANGS_MAX);

	j1 = to_json(&p);
	cJSON *o = cJSON_Parse(j1);
	oracle(cJSON_IsObject(o));
	oracle(cJSON_GetArraySize(o) == (int)(sizeof(keys) / sizeof(keys[0])));
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		oracle(cJSON_GetObjectItemCaseSensitive(o, keys[k]) != NULL);
	str_matches(o, "title", p.title);
	str_matches(o, "episode_title", p.episode_title);
	str_matches(o, "release_group", p.release_group);
	str_matches(o, "screen_size", p.screen_size);
	str_matches(o, "source", p.source);
	const cJSON *ep = cJSON_GetObjectItemCaseSensitive(o, "episode");
	oracle(p.episode_total == 0 ? cJSON_IsNull(ep)
	       : p.episode_total == 1 ? cJSON_IsNumber(ep) && ep->valueint == p.episodes[0]
				       : cJSON_IsArray(ep) && cJSON_GetArraySize(ep) == p.episode_total);
	if (cJSON_IsArray(ep)) {
		const cJSON *it;
		int k = 0;
		cJSON_ArrayForEach(it, ep) {
			oracle(cJSON_IsNumber(it) &&
			       it->valueint == (k < p.episode_count ? p.episodes[k]
							     : p.episodes[p.episode_count - 1] + k - p.episode_count + 1));
			k++;
		}
	}
	cJSON_Delete(o);

	name_parse(name, &q);
	j2 = to_json(&q);
	oracle(strcmp(j1, j2) == 0);

	free(j1);
	free(j2);
	free(name);
	return 0;
}
