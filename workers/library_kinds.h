/*
 * library_kinds: the job kinds of the library pipeline (SPEC §3, §7). Thin:
 * each reads its args and calls the domain code in app/library and
 * app/metadata.
 *
 *   library.scan           {library_id, scan_id, scan_type}: walk and upsert
 *   library.scan_path      {library_id, path, rematch?, settle?}: a targeted
 *                          scan of one folder (webhooks, the watcher); with
 *                          settle, files modified in the last
 *                          library.settle_seconds wait for a later run
 *   integration.event      {source, event, library_id, folder, scan, drop[],
 *                          forget, rematch}: a Radarr/Sonarr webhook's work
 *                          (integrations/arr.h): drop the files it deleted,
 *                          forget the folder's ids, then scan `scan`
 *   integration.sync       {kind, item_id?}: Radarr/Sonarr's items through their
 *                          API v3 (integrations/arr_api.h)
 *   integration.sync_due   periodic: the syncs whose interval passed
 *   library.match          {file_id, tmdb_id?, manual?, refresh?}: identify
 *   image.fetch            {image_id}: fetch one picture into storage
 *   image.local            {movie_id|series_id}: store and link the pictures
 *                          found next to the item's files (library/artwork.h);
 *                          queued by library.match
 *   library.scan_due       periodic: start the scans whose interval passed
 *   metadata.refresh       {movie_id|series_id|season_id|episode_id}: fetch
 *                          that item's metadata again (its files re-identified)
 *   metadata.refresh_stale periodic: re-identify local and stale items
 *
 * Scans of one library (library.scan, library.scan_path) never run at
 * once, on any worker: each holds an advisory lock keyed by the library
 * while it runs, and one that finds it taken is snoozed for a second.
 */
#ifndef REVENGE_WORKERS_LIBRARY_KINDS_H
#define REVENGE_WORKERS_LIBRARY_KINDS_H

#include "core/config.h"
#include "handler.h"

/* Take the pipeline's settings from cfg (copied; thread-safe). */
void library_kinds_configure(const struct config *cfg);

enum job_outcome kind_library_scan(struct job_ctx *ctx, const struct job *job,
				   struct job_result *res);
enum job_outcome kind_library_scan_path(struct job_ctx *ctx, const struct job *job,
					struct job_result *res);
enum job_outcome kind_integration_event(struct job_ctx *ctx, const struct job *job,
					struct job_result *res);
enum job_outcome kind_integration_sync(struct job_ctx *ctx, const struct job *job,
				       struct job_result *res);
enum job_outcome kind_integration_sync_due(struct job_ctx *ctx, const struct job *job,
					   struct job_result *res);
enum job_outcome kind_library_match(struct job_ctx *ctx, const struct job *job,
				    struct job_result *res);
enum job_outcome kind_image_fetch(struct job_ctx *ctx, const struct job *job,
				  struct job_result *res);
enum job_outcome kind_image_local(struct job_ctx *ctx, const struct job *job,
				  struct job_result *res);
enum job_outcome kind_library_scan_due(struct job_ctx *ctx, const struct job *job,
				       struct job_result *res);
enum job_outcome kind_metadata_refresh(struct job_ctx *ctx, const struct job *job,
				       struct job_result *res);
enum job_outcome kind_metadata_refresh_stale(struct job_ctx *ctx, const struct job *job,
					     struct job_result *res);

#endif
