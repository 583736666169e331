/*
 * channels: the admin API of notification channels (SPEC §8;
 * docs/internals/notifications.md). Permissions notifications:list, get,
 * create, update, delete (the route table names them).
 *
 * A channel is {"id", "name", "kind", "enabled", "events", "settings",
 * "secret_set", "created_at", "updated_at", "last_delivery"}. Its secret
 * (the webhook's auth value, the Discord webhook URL, the Gotify
 * application token, the SMTP password) is written, never read back:
 * answers and the activity log say only whether one is set. It is sealed
 * with auth.secret_key (core/crypto.h, aad "notification:<id>:secret");
 * storing one without that key is a 400 naming `secret`.
 *
 * settings by kind (members of another kind are a 400 naming them;
 * defaults are filled in and shown):
 *   webhook  url (http/https, required), method (POST, PUT, PATCH;
 *            POST), headers ({name: value}, at most 20; not Host,
 *            Content-Length, Transfer-Encoding, Connection, Expect,
 *            Upgrade, TE, Trailer), auth (none, bearer, basic, header;
 *            none: any other needs the secret), auth_header (the header's
 *            name for auth header; required then), template (template.h;
 *            it must render to JSON, checked with a sample event)
 *   discord  username (optional); the secret is the webhook URL (required)
 *   gotify   url (the server, required), priority (0..10; 5); the secret
 *            is the application token (required)
 *   email    smtp_host (required), smtp_port (587, 465 with security tls),
 *            security (starttls, starttls_optional, tls, none; starttls),
 *            from, to (1..20 addresses, required), username (the secret
 *            is then the password, required)
 *
 * Every change is one transaction with its activity row
 * (notification.create, .update, .delete, .test), whose values carry no
 * secret and no header value.
 */
#ifndef REVENGE_NOTIFY_CHANNELS_H
#define REVENGE_NOTIFY_CHANNELS_H

#include "http/http.h"

/* GET /api/v1/admin/notifications: {"items": [channel, …]} by name. */
enum app_err notifications_list(struct request *req, struct response *res, struct field_error *fe);

/* POST /api/v1/admin/notifications {"name", "kind", "enabled"?,
 * "events", "settings", "secret"?}: 201 with the channel; 409 naming
 * name when another channel has it (case-insensitively). */
extern const struct body_field notifications_create_body[];
enum app_err notifications_create(struct request *req, struct response *res,
                                  struct field_error *fe);

/* GET /api/v1/admin/notifications/{id}: the channel; 404 naming id. */
enum app_err notifications_get(struct request *req, struct response *res, struct field_error *fe);

/* PUT /api/v1/admin/notifications/{id} {"name"?, "enabled"?, "events"?,
 * "settings"?, "secret"?}: the members given change (settings as a
 * whole; secret null removes it); the kind stays. 200 with the channel. */
extern const struct body_field notifications_update_body[];
enum app_err notifications_update(struct request *req, struct response *res,
                                  struct field_error *fe);

/* DELETE /api/v1/admin/notifications/{id}: 204; its deliveries go too. */
enum app_err notifications_delete(struct request *req, struct response *res,
                                  struct field_error *fe);

/* POST /api/v1/admin/notifications/{id}/test: queue the "test" event for
 * this channel (enabled or not): 202 {"delivery_id", "job_id"}. */
enum app_err notifications_test(struct request *req, struct response *res, struct field_error *fe);

/* GET /api/v1/admin/notifications/{id}/deliveries: the channel's
 * deliveries, newest first (paged). */
extern const struct param_spec notifications_deliveries_query[];
enum app_err notifications_deliveries(struct request *req, struct response *res,
                                      struct field_error *fe);

#endif
