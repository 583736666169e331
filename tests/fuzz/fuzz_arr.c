/*
 * libFuzzer target for the Radarr/Sonarr webhook reader of
 * app/integrations/arr.c: json_parse() of the body as the webhook route
 * does it, then arr_event_read() for both kinds with a path map.
 *
 * fuzz-sources: app/core app/integrations/arr.c
 * fuzz-libs: -lcjson -lm -lcrypto -lutf8proc
 *
 * Input: the first byte picks Radarr (even) or Sonarr (odd); the rest is
 * the body.
 *
 * Oracles beyond "no crash, no sanitizer report":
 *   - the result is APP_OK or APP_ERR_VALIDATION; an error names a field
 *   - a read event has a non-empty eventType; a hint or sync event has an
 *     absolute folder without "." or ".." segments, and a sync event a scan
 *     folder that is that folder or below it; every dropped file is below
 *     the folder; ids are positive or 0
 *   - reading is deterministic (the same body twice gives the same event)
 *
 * fuzz-seed: \x00{"eventType":"Download","movie":{"folderPath":"/data/movies/A
 * (2001)","tmdbId":5},"movieFile":{"relativePath":"a.mkv"},"deletedFiles":[{"relativePath":"b.mkv"}]}
 * fuzz-seed:
 * \x01{"eventType":"EpisodeFileDelete","series":{"path":"/data/tv/S","tvdbId":7},"episodeFile":{"relativePath":"Season
 * 1/e.mkv"}} fuzz-seed:
 * \x00{"eventType":"MovieDelete","movie":{"folderPath":"/m/B"},"deletedFiles":true} fuzz-seed:
 * \x01{"eventType":"Rename","series":{"path":"/data/tv/../x"}} fuzz-seed: \x00{"eventType":"Test"}
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "core/arena.h"
#include "core/json.h"
#include "integrations/arr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define oracle(ok) check((ok), #ok)

static void check(int ok, const char *what)
{
	if (ok)
		return;
	fprintf(stderr, "fuzz_arr: oracle failed: %s\n", what);
	abort();
}

static bool below(const char *path, const char *folder)
{
	size_t n = strlen(folder);
	return !strcmp(folder, "/") ? path[0] == '/'
	                            : !strncmp(path, folder, n) && (path[n] == '/' || !path[n]);
}

static void event_ok(const struct arr_event *ev)
{
	oracle(ev->event && ev->event[0]);
	oracle(ev->tmdb_id >= 0 && ev->tvdb_id >= 0);
	if (ev->action == ARR_LOG)
		return;
	oracle(ev->folder && ev->folder[0] == '/');
	oracle(!strstr(ev->folder, "/../") && !strstr(ev->folder, "/./") &&
	       !strstr(ev->folder, "//"));
	if (ev->action == ARR_SYNC)
		oracle(ev->scan && below(ev->scan, ev->folder));
	oracle(ev->ndrop >= 0 && ev->ndrop <= ARR_MAX_DROP);
	for (int i = 0; i < ev->ndrop; i++)
		oracle(below(ev->drop[i], ev->folder) && !strstr(ev->drop[i], "/../"));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena *a;
	static cJSON *map;
	struct json_limits lim = {256 * 1024, 64};
	struct field_error fe = {{0}, {0}};
	struct arr_event e1, e2;
	cJSON *body = NULL;

	if (!size)
		return 0;
	if (!a) {
		a = arena_new(1 << 16, 64 << 20);
		map = cJSON_Parse("[{\"remote\": \"/data/movies\", \"local\": \"/srv/m\"},"
		                  " {\"remote\": \"/data\", \"local\": \"/mnt/d\"}]");
	}
	enum arr_kind kind = data[0] & 1 ? ARR_SONARR : ARR_RADARR;
	if (json_parse((const char *)data + 1, size - 1, &lim, &body, &fe) != APP_OK)
		return 0;
	enum app_err r1 = arr_event_read(a, kind, body, map, &e1, &fe);
	oracle(r1 == APP_OK || r1 == APP_ERR_VALIDATION);
	if (r1) {
		oracle(fe.field[0] != '\0');
	} else {
		event_ok(&e1);
		enum app_err r2 = arr_event_read(a, kind, body, map, &e2, &fe);
		oracle(r2 == APP_OK && e1.action == e2.action && e1.ndrop == e2.ndrop);
		oracle(!strcmp(e1.event, e2.event));
		oracle((!e1.folder && !e2.folder) || !strcmp(e1.folder, e2.folder));
	}
	cJSON_Delete(body);
	arena_reset(a);
	return 0;
}
