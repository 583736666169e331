/*
 * notify: raising notification events (SPEC §8;
 * docs/internals/notifications.md). Callable from a handler, a job or the
 * CLI: it takes a database handle, never a request.
 *
 * An event is a name from notify_event_names and a payload
 * {"title", "message", "data": {...}}. notify_event() queues, in the
 * caller's transaction, one notification_deliveries row and one
 * notify.deliver job (workers/notify_kinds.c) per enabled channel that
 * subscribed to the event; the job renders the payload for its channel
 * and sends it. So a notification goes out only for a change that
 * committed, and a slow or dead receiver never slows the caller.
 */
#ifndef REVENGE_NOTIFY_NOTIFY_H
#define REVENGE_NOTIFY_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"

/* The events a channel can subscribe to, NULL-terminated:
 *   content.added          a movie or series new to a library
 *   content.removed        a movie or series gone with its last file
 *   library.scan_finished  a full or incremental library scan completed
 *   library.scan_failed    a library scan failed for good
 *   user.created           an account was made (registration, invitation,
 *                          admin, CLI)
 *   auth.lockout           failed logins locked an account or an address
 *   auth.new_login         a password login opened a session
 *   system.worker_down     a worker died holding jobs (the rescuer found
 *                          their leases expired)
 *   system.tmdb_failing    TMDb kept failing an identification (at most
 *                          one per channel an hour)
 *   test                   the "send test" action (never subscribed: sent
 *                          to the one channel tested)
 */
extern const char *const notify_event_names[];

/* notify.deliver jobs are queued with this many attempts (the queue's
 * backoff: 2 s, 4 s, … about 17 minutes in all). */
#define NOTIFY_MAX_ATTEMPTS 10

/*
 * Queue event for every enabled channel subscribed to it. payload is a
 * JSON object as text (notify_payload() builds one). One statement, so it
 * is atomic outside a transaction too. *queued (may be NULL) receives the
 * number of deliveries queued. Errors: those of db_query
 * (APP_ERR_VALIDATION for a payload that is not a JSON object).
 */
enum app_err notify_event(struct db *db, struct arena *a, const char *event, const char *payload,
                          int *queued);

/* notify_event, except for a channel that got the same event less than
 * per_s seconds ago: for events that repeat while a condition lasts. */
enum app_err notify_event_throttled(struct db *db, struct arena *a, const char *event,
                                    const char *payload, int64_t per_s, int *queued);

/* Queue the "test" event for one channel (enabled or not), saying who
 * asked (requested_by: a user id, may be NULL): the id of the delivery
 * and of its job. APP_ERR_NOT_FOUND when there is no such channel. */
enum app_err notify_test(struct db *db, struct arena *a, const char *channel_id,
                         const char *requested_by, int64_t *delivery_id, int64_t *job_id);

/*
 * A payload {"title", "message", "data": {k1: v1, …}} from data, key/value
 * string pairs ending at a NULL key (a NULL value is JSON null; data may
 * be NULL). In a; NULL when out of memory.
 *   notify_payload(a, "Library scan finished", msg,
 *                  (const char *const[]){"library_id", id, NULL})
 */
const char *notify_payload(struct arena *a, const char *title, const char *message,
                           const char *const *data);

/* Whether some enabled channel wants event: a cheap check before
 * building many payloads (content.removed for a whole scan). */
bool notify_wanted(struct db *db, struct arena *a, const char *event);

#endif
