/*
 * deliver: sending one queued notification (the work of a notify.deliver
 * job, workers/notify_kinds.c; docs/internals/notifications.md).
 *
 * notify_deliver() reads the delivery and its channel, opens the channel's
 * secret, renders the payload as the channel's kind wants it (template.h),
 * sends it (send.h) and records the attempt on the delivery row:
 * attempts + 1, the receiver's status, and the error; `sent` with sent_at,
 * `failed` when the receiver refused for good or this was the last
 * attempt, else still `pending`.
 *
 * Per kind:
 *   webhook  settings.method (POST, PUT, PATCH) to settings.url, body
 *            settings.template rendered (default {{payload}}), headers
 *            Content-Type: application/json + settings.headers + the
 *            secret by settings.auth: bearer (Authorization: Bearer
 *            <secret>), basic (Authorization: Basic base64(<secret>), the
 *            secret being user:password) or header (settings.auth_header:
 *            <secret>)
 *   discord  POST to the secret (the Discord webhook URL) of
 *            notify_discord_body(settings.username)
 *   gotify   POST settings.url + /message, X-Gotify-Key: <secret>,
 *            notify_gotify_body(settings.priority)
 *   email    SMTP to settings.smtp_host:smtp_port (settings.security:
 *            starttls, starttls_optional, tls, none), AUTH as
 *            settings.username with the secret when a username is set,
 *            from settings.from to settings.to, notify_email_text()
 */
#ifndef REVENGE_NOTIFY_DELIVER_H
#define REVENGE_NOTIFY_DELIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/config.h"
#include "db/db.h"

/* Take auth.secret_key, notifications.timeout and notifications.ca_file
 * from cfg (copied; thread-safe). Until called, secrets cannot be opened
 * and the defaults apply. */
void notify_configure(const struct config *cfg);

enum notify_outcome {
	NOTIFY_DONE,   /* sent, or nothing left to do (row or channel gone,
	                  already sent, channel disabled: recorded) */
	NOTIFY_AGAIN,  /* not sent, worth another attempt (recorded) */
	NOTIFY_FAILED, /* not sent and never will be (recorded as failed) */
	NOTIFY_DB,     /* the database failed: nothing recorded */
};

/* Deliver notification_deliveries row `id` once. last: this is the last
 * attempt (a failure is final). err gets a short reason for anything but
 * NOTIFY_DONE; it never holds the secret. */
enum notify_outcome notify_deliver(struct db *db, struct arena *a, int64_t id, bool last, char *err,
                                   size_t errlen);

/* The aad a channel's secret is sealed with: "notification:<id>:secret"
 * (in a). */
const char *notify_secret_aad(struct arena *a, const char *channel_id);

#endif
