/*
 * watch: per-user watch state of any kind the kind table gives a watch
 * table (SPEC §4.2): the resume position, whether it is watched, how many
 * times it was played to the end, continue watching and the history. The
 * movies API binds it to movies; the TV API binds it to episodes once their
 * tables exist (a kind with watch == NULL has no watch state).
 *
 * A play completes when a reported position passes 90 % of the duration
 * (the item's kind->duration: its longest present file, else its runtime;
 * else what the client sends); it counts once, when a position crosses
 * that line, however many reports follow above it. Continue watching lists
 * the items between 5 % and 90 %, most recently played first.
 *
 * Statements are built from the kind table on first use and kept for the
 * life of the process.
 */
#ifndef REVENGE_CATALOG_WATCH_H
#define REVENGE_CATALOG_WATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "catalog/kind.h"
#include "db/db.h"
#include "http/http.h"

#define WATCH_POSITION_MAX 1000000000

/* --- domain functions: no request, for handlers, jobs and tests --------- */

/*
 * Record a reported position of item id of kind k for user_id, with
 * duration dur (0: unknown; the caller picks it, see catalog_watch_basis),
 * in one transaction: the state row, and a "completed" history event when
 * this report crosses 90 %. A position past dur is stored as dur.
 * APP_ERR_INTERNAL when k has no watch table; database errors.
 */
enum app_err catalog_watch_report(struct db *db, struct arena *a, const struct catalog_kind *k,
                                  const char *user_id, const char *id, int64_t pos, int64_t dur);

/* Mark item id watched (mark) or unwatched, with its history event, in one
 * transaction. Errors as catalog_watch_report. */
enum app_err catalog_watch_set(struct db *db, struct arena *a, const struct catalog_kind *k,
                               const char *user_id, const char *id, bool mark);

/* Forget the resume position of item id (watched and play count stay). */
enum app_err catalog_watch_reset(struct db *db, struct arena *a, const struct catalog_kind *k,
                                 const char *user_id, const char *id);

/* --- request level: the item is the path's `id`, the user the caller -------- */

/* The item is visible to the caller (404 naming `id` with k->missing
 * otherwise); *basis receives its duration basis in seconds (0: unknown). */
enum app_err catalog_watch_basis(struct request *req, const struct catalog_kind *k, int64_t *basis,
                                 struct field_error *fe);

/* GET progress: the caller's state of the item as the body. */
enum app_err catalog_progress_get(struct request *req, struct response *res,
                                  const struct catalog_kind *k, struct field_error *fe);

/* PUT progress from the body's position_seconds and optional
 * duration_seconds (checked by the route's body spec, WATCH_PROGRESS_BODY);
 * answers the new state. */
enum app_err catalog_progress_put(struct request *req, struct response *res,
                                  const struct catalog_kind *k, struct field_error *fe);

/* DELETE progress: 204. */
enum app_err catalog_progress_delete(struct request *req, struct response *res,
                                     const struct catalog_kind *k, struct field_error *fe);

/* POST (mark) / DELETE watched: answers the new state. */
enum app_err catalog_watched(struct request *req, struct response *res,
                             const struct catalog_kind *k, bool mark, struct field_error *fe);

/* Continue watching and the history of kind k: pages (page_run) of the
 * kind's list items, the history's events wrapping them under k->name. */
enum app_err catalog_continue(struct request *req, struct response *res,
                              const struct catalog_kind *k, struct field_error *fe);
enum app_err catalog_history(struct request *req, struct response *res,
                             const struct catalog_kind *k, struct field_error *fe);

/* The body spec of a progress PUT route. */
extern const struct body_field catalog_progress_body[];

#endif
