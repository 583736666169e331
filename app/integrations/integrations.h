/*
 * integrations: Radarr and Sonarr — their settings (admin) and their
 * webhooks (SPEC §8; docs/internals/integrations.md).
 *
 * GET    /api/v1/admin/integrations          both, configured or not
 * GET    /api/v1/admin/integrations/{kind}   one, with its last webhooks
 * PUT    /api/v1/admin/integrations/{kind}   create or change; a new one
 *        without "webhook_secret" gets a generated secret, shown once
 * DELETE /api/v1/admin/integrations/{kind}   remove (its path hints stay)
 *
 * POST /api/v1/webhooks/{radarr|sonarr}: the secret as HTTP basic auth
 * (the password; what Radarr's and Sonarr's webhook form sends) or the
 * header X-Webhook-Secret, compared in constant time with the stored
 * SHA-256. Then, in order: the body (at most 256 KiB; 413), JSON (400),
 * the event (arr.h; 422 naming the member), the folder inside an enabled
 * library of the right type (422 naming the member), and a body seen
 * before (409, for events that write). One transaction writes the receipt
 * and, for content events, the integration.event job: 202 {"event",
 * "action", "job_id"}. A wrong or missing secret, or an integration not
 * set up or disabled, is 401 and writes nothing.
 */
#ifndef REVENGE_INTEGRATIONS_INTEGRATIONS_H
#define REVENGE_INTEGRATIONS_INTEGRATIONS_H

#include "http/http.h"

#define WEBHOOK_MAX_BODY (256 * 1024)

extern const struct body_field integrations_put_body[];
extern const struct body_field integrations_sync_body[];

enum app_err integrations_list(struct request *req, struct response *res, struct field_error *fe);
enum app_err integrations_get(struct request *req, struct response *res, struct field_error *fe);
enum app_err integrations_put(struct request *req, struct response *res, struct field_error *fe);
enum app_err integrations_delete(struct request *req, struct response *res, struct field_error *fe);
/* GET {kind}/status, quality-profiles, root-folders: asked of the *arr
 * itself (arr_api.h); 409 naming base_url/api_key when one is not set or
 * the key does not open, 422 naming api_key when the *arr refuses it, 503
 * naming base_url when it does not answer. POST {kind}/sync {item_id?}:
 * 202 with an integration.sync job (one full sync queued at a time). */
enum app_err integrations_status(struct request *req, struct response *res, struct field_error *fe);
enum app_err integrations_quality_profiles(struct request *req, struct response *res,
                                           struct field_error *fe);
enum app_err integrations_root_folders(struct request *req, struct response *res,
                                       struct field_error *fe);
enum app_err integrations_sync(struct request *req, struct response *res, struct field_error *fe);
enum app_err webhooks_receive(struct request *req, struct response *res, struct field_error *fe);

#endif
