/*
 * arr_api: Radarr's and Sonarr's API v3, and the sync built on it (SPEC §8;
 * docs/internals/integrations.md, "Sync").
 *
 * The client is one GET of {base_url}/api/v3/{path} with the integration's
 * key in X-Api-Key (libcurl, a handle per call: admin pages and periodic
 * syncs, not a hot path), JSON back. The key is stored sealed
 * (core/crypto.h) and opened only for the call.
 *
 * The sync reads every movie (Radarr) or series (Sonarr) with its folder,
 * maps the folder through the integration's path map and, for each one in
 * an enabled library of the right type, keeps its ids as path hints
 * (exact matches for identification, as webhooks do), identifies the
 * folder's files again when the ids changed, and scans the folder when
 * Radarr/Sonarr have files there this server does not know. Hints of
 * items the *arr no longer has are dropped (a full sync only).
 */
#ifndef REVENGE_INTEGRATIONS_ARR_API_H
#define REVENGE_INTEGRATIONS_ARR_API_H

#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/json.h"
#include "db/db.h"

/* An integration's connection, read from its row with the key opened. */
struct arr_conn {
	const char *kind;     /* "radarr" | "sonarr" */
	const char *base_url; /* without a trailing slash */
	char *api_key;        /* opened (arena); wiped by arr_conn_wipe */
	const cJSON *path_map;
	cJSON *map_owned;
};

/*
 * Load kind's connection; secret_key is auth.secret_key (64 hex digits). APP_ERR_NOT_FOUND when it
 * is not set up; APP_ERR_CONFLICT with fe naming "base_url" or "api_key" when one is not set, or
 * "api_key" when it does not open (auth.secret_key unset or changed). fe may be NULL.
 */
enum app_err arr_conn_load(struct db *db, struct arena *a, const char *secret_key, const char *kind,
                           struct arr_conn *c, struct field_error *fe);
void arr_conn_wipe(struct arr_conn *c);

/*
 * GET api/v3/<path> (path may carry a query). *out owns the parsed JSON
 * (cJSON_Delete). APP_ERR_UNAVAILABLE when the server is not reached, times
 * out or answers 5xx; APP_ERR_UNPROCESSABLE when it refuses the key (401,
 * 403); APP_ERR_NOT_FOUND for 404; APP_ERR_BAD_REQUEST for another status
 * or a body that is not JSON. err says what happened, for the problem's
 * detail and the logs (never the key).
 */
enum app_err arr_api_get(const struct arr_conn *c, const char *path, long timeout_ms, cJSON **out,
                         char *err, size_t errlen);

struct arr_sync_stats {
	int64_t items, in_library, hinted, changed, scans, forgotten, outside;
};

/*
 * Sync kind (one item when item_id > 0: its Radarr movie / Sonarr series
 * id). Writes path_hints, queues library.match and library.scan_path jobs
 * and records the outcome on the integration (last_sync_at, last_sync), in
 * one transaction after the HTTP calls.
 */
enum app_err arr_sync(struct db *db, struct arena *a, const char *secret_key, const char *kind,
                      int64_t item_id, const char *request_id, struct arr_sync_stats *st, char *err,
                      size_t errlen);

#endif
