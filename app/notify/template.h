/*
 * template: the pure parts of an outgoing notification (SPEC §8;
 * docs/internals/notifications.md) — a generic webhook's JSON template and
 * the bodies Discord, Gotify and e-mail take. No I/O, no clock, no
 * randomness: unit-tested (tests/unit/test_notify_template.c) and fuzzed
 * (tests/fuzz/fuzz_notify_template.c).
 *
 * Template syntax (a generic webhook's settings.template): any text, in
 * which placeholders {{name}} (blanks inside the braces allowed) are
 * replaced:
 *
 *   {{event}} {{title}} {{message}} {{time}} {{data.NAME}}
 *       the value JSON-escaped without quotes, for use inside a JSON
 *       string literal ("text": "{{title}}"); a data member that is a
 *       number or boolean gives its JSON text, an object or array its JSON
 *       text escaped, a missing one or null the empty string
 *   {{payload}} {{data}}
 *       raw JSON (the whole {"event","title","message","time","data"}
 *       object, or just data), for use outside quotes
 *
 * Anything else between {{ and }}, or a {{ that is never closed, is an
 * error; a single { or } is plain text. The rendered text must be JSON
 * (checked by the caller: notify_render_check()).
 */
#ifndef REVENGE_NOTIFY_TEMPLATE_H
#define REVENGE_NOTIFY_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "core/buf.h"

#define NOTIFY_TEMPLATE_MAX 16384      /* bytes of a template */
#define NOTIFY_RENDER_MAX (256 * 1024) /* bytes a rendering may produce */

/* What one event says; every string is UTF-8 without NUL. */
struct notify_msg {
	const char *event;   /* "library.scan_finished" */
	const char *title;   /* one line */
	const char *message; /* may hold newlines */
	const char *time;    /* ISO-8601 UTC, "2025-07-01T12:00:00.000Z" */
	const cJSON *data;   /* the event's details (an object) or NULL */
};

/* The template a webhook without one uses: the payload as it is. */
#define NOTIFY_DEFAULT_TEMPLATE "{{payload}}"

/*
 * Render tmpl (NUL-terminated) for m, appending to out (whose cap bounds
 * the result). 0, or -1 with a short reason in err ("unknown placeholder
 * {{foo}}", "{{ at byte 4 is never closed", "longer than N bytes").
 */
int notify_render(const char *tmpl, const struct notify_msg *m, struct buf *out, char *err,
                  size_t errlen);

/* notify_render, then the result must parse as JSON: the check a template
 * passes before it is stored (with a sample message) and before it is
 * sent. 0 or -1 with err. */
int notify_render_check(const char *tmpl, const struct notify_msg *m, struct buf *out, char *err,
                        size_t errlen);

/* The {"event","title","message","time","data"} object of m, appended to
 * out; -1 when out's cap is passed. */
int notify_payload_json(const struct notify_msg *m, struct buf *out);

/* Whether an event reports something gone wrong (a failed scan, a lockout,
 * a dead worker, a failing provider): red in Discord, urgent elsewhere. */
bool notify_event_is_alert(const char *event);

/*
 * Discord webhook body: {"content": title, "embeds": [{"title",
 * "description": message, "timestamp", "color", "footer": {"text":
 * event}}], "allowed_mentions": {"parse": []}} (no @everyone from a file
 * name), with "username" when given; texts cut to Discord's limits
 * (content 2000, embed title 256, description 4096 characters, with "…").
 */
int notify_discord_body(const struct notify_msg *m, const char *username, struct buf *out);

/* Gotify message body: {"title", "message", "priority"} (priority 0..10;
 * alerts get at least 8). */
int notify_gotify_body(const struct notify_msg *m, int priority, struct buf *out);

/*
 * An RFC 5322 message (CRLF line ends) for m: Date (date, as RFC 5322
 * writes it), From (Revenge <from>), To (to, n addresses), Subject
 * ("[Revenge] " + title, control characters as blanks, RFC 2047 encoded
 * when not ASCII), Message-ID (<message_id>), MIME-Version, Content-Type
 * text/plain UTF-8 (7bit when the body is short-lined ASCII, else
 * base64), Auto-Submitted and X-Revenge-Event; the body is the message
 * and a line with the event and its time. The addresses must have passed
 * notify_email_ok(). -1 when out's cap is passed.
 */
int notify_email_text(const struct notify_msg *m, const char *from, const char *const *to, int n,
                      const char *date, const char *message_id, struct buf *out);

/* One header line "name: text\r\n": control characters as blanks, at most
 * 600 bytes of text (cut between UTF-8 sequences), as RFC 2047 encoded
 * words (base64, each under 75 characters, folded) when not ASCII. */
void notify_email_header(struct buf *out, const char *name, const char *text);

/* p[0..n) in base64, 76 characters a line, each ended by CRLF (a body
 * with Content-Transfer-Encoding: base64). */
void notify_email_base64(struct buf *out, const void *p, size_t n);

/* Whether s is an address fit for an SMTP envelope and a header: 3..254
 * bytes, one @ with something on each side, a dot in the domain, no blank,
 * control, quote, comma, semicolon or angle bracket. */
bool notify_email_ok(const char *s);

#endif
