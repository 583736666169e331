/*
 * settings: what a notification channel's settings and secret must be,
 * kind by kind (the rules are listed in channels.h). Shared by the routes'
 * body tables and their handlers; no I/O.
 */
#ifndef REVENGE_NOTIFY_SETTINGS_H
#define REVENGE_NOTIFY_SETTINGS_H

#include <stdbool.h>
#include <cjson/cJSON.h>

#include "core/arena.h"
#include "core/err.h"
#include "http/http.h"

/* "webhook", "discord", "gotify", "email", NULL. */
extern const char *const notify_kind_choices[];

/* An item of a channel's events: one of notify_event_names but "test". */
extern const struct body_field notify_event_item;

/* The members of a channel's settings, every kind's together, with their
 * types, bounds and checks (http(s) URLs, e-mail addresses, host and
 * header names); {NULL}-terminated. Which of them a kind takes is
 * notify_settings_check()'s to say. */
extern const struct body_field notify_settings_fields[];

/*
 * Check settings s (an object that passed notify_settings_fields, owned by
 * the caller) against kind, with has_secret saying whether the channel
 * will have a secret and secret the one given now (NULL: none given), and
 * fill in the kind's defaults. APP_ERR_VALIDATION with fe naming the
 * member ("settings.smtp_host", "settings.headers.Host",
 * "settings.template", "secret"); names are made in a.
 */
enum app_err notify_settings_check(struct arena *a, const char *kind, cJSON *s, bool has_secret,
                                   const char *secret, struct field_error *fe);

#endif
