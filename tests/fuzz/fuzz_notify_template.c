/*
 * libFuzzer target for the notification templates and message bodies of
 * app/notify/template.c.
 *
 * fuzz-sources: app/core app/notify/template.c
 * fuzz-libs: -lcjson -lm -lcrypto -lutf8proc
 *
 * Input: up to four parts separated by NUL bytes: a template, a title, a
 * message, and a JSON object for the event's data (read with json_parse,
 * as a delivery's payload is).
 *
 * Oracles beyond "no crash, no sanitizer report":
 *   - notify_render gives 0, or -1 with a reason; the same input renders
 *     the same text twice
 *   - a string placeholder inside quotes always renders to a JSON string
 *     that reads back as the value ("{{title}}", "{{message}}" and a data
 *     member), whatever bytes the value holds (valid UTF-8)
 *   - {{payload}} is always JSON, and the default template passes
 *     notify_render_check
 *   - the Discord and Gotify bodies are JSON objects; Discord's content
 *     stays within 2000 characters
 *   - an e-mail's header block has no line that is not a known header or a
 *     folded continuation (a title cannot inject a header), and no bare LF
 *
 * fuzz-seed: {"t": "{{title}}", "m": "{{message}}", "d": {{data}}}\x00Scan "done"\x00line 1\nline
 * 2\x00{"a": "x", "n": 3} fuzz-seed: {{payload}}\x00\xc3\xa9\xe2\x80\xa6\x00\x01\x7f\x00{}
 * fuzz-seed: {{ data.a }} {{data.n}} {{nope}}\x00t\x00m\x00{"a": {"b": [1, "\\""]}}
 * fuzz-seed: {{title\x00Bad\r\nBcc: x@y.z\x00.\r\n.\x00{}
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/text.h"
#include "notify/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define oracle(ok) check((ok), #ok)

static void check(int ok, const char *what)
{
	if (ok)
		return;
	fprintf(stderr, "fuzz_notify_template: oracle failed: %s\n", what);
	abort();
}

/* rendering tmpl for m reads back, inside quotes, as want */
static void string_round_trip(const struct notify_msg *m, const char *tmpl, const char *want)
{
	char err[160];
	struct buf b;

	buf_init(&b, NOTIFY_RENDER_MAX);
	oracle(notify_render(tmpl, m, &b, err, sizeof(err)) == 0);
	cJSON *j = cJSON_Parse(b.data);
	oracle(cJSON_IsString(j) && !strcmp(j->valuestring, want));
	cJSON_Delete(j);
	buf_release(&b);
}

static bool is_json(const struct buf *b)
{
	cJSON *j = cJSON_Parse(b->data);
	bool ok = j != NULL;
	cJSON_Delete(j);
	return ok;
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0, len = strlen(s);
	for (size_t i = 0; i < len; n++) {
		size_t k = buf_utf8_seq_len(s + i, len - i);
		i += k ? k : 1;
	}
	return n;
}

static void email_headers_ok(const struct buf *b)
{
	static const char *const names[] = {
	    "Date:",           "From:",           "To:",           "Subject:",
	    "Message-ID:",     "MIME-Version:",   "Content-Type:", "Content-Transfer-Encoding:",
	    "Auto-Submitted:", "X-Revenge-Event:"};
	const char *end = strstr(b->data, "\r\n\r\n"), *line = b->data;

	oracle(end != NULL);
	for (size_t i = 0; i < b->len; i++)
		oracle(b->data[i] != '\n' || (i > 0 && b->data[i - 1] == '\r'));
	while (line < end) {
		bool known = line[0] == ' ';
		for (size_t i = 0; !known && i < sizeof(names) / sizeof(names[0]); i++)
			known = !strncmp(line, names[i], strlen(names[i]));
		oracle(known);
		line = strstr(line, "\r\n") + 2;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 4), *part[4] = {"", "", "", ""}, err[160];
	struct buf b1, b2;

	if (!text)
		return 0;
	memcpy(text, data, size);
	memset(text + size, 0, 4);
	part[0] = text;
	for (int k = 1; k < 4; k++) {
		char *z = part[k - 1] + strlen(part[k - 1]);
		if (z >= text + size)
			break;
		part[k] = z + 1;
	}
	/* parsed as a delivery's payload is: strictly (valid UTF-8, no NUL) */
	struct json_limits lim = {NOTIFY_RENDER_MAX, 32};
	cJSON *obj = NULL;
	if (json_parse(part[3], strlen(part[3]), &lim, &obj, NULL))
		obj = NULL;
	struct notify_msg m = {"content.added", part[1], part[2], "2025-01-01T00:00:00.000Z",
	                       cJSON_IsObject(obj) ? obj : NULL};

	buf_init(&b1, NOTIFY_RENDER_MAX);
	buf_init(&b2, NOTIFY_RENDER_MAX);
	int r1 = notify_render(part[0], &m, &b1, err, sizeof(err));
	oracle(r1 == 0 || (r1 == -1 && err[0]));
	int r2 = notify_render(part[0], &m, &b2, err, sizeof(err));
	oracle(r1 == r2 && (r1 || (b1.len == b2.len && !memcmp(b1.data, b2.data, b1.len))));

	bool title_ok = utf8_valid(part[1], strlen(part[1]));
	bool message_ok = utf8_valid(part[2], strlen(part[2]));
	if (title_ok)
		string_round_trip(&m, "\"{{title}}\"", part[1]);
	if (message_ok)
		string_round_trip(&m, "\"{{ message }}\"", part[2]);
	const cJSON *first = m.data ? m.data->child : NULL;
	if (cJSON_IsString(first) && first->string && strlen(first->string) <= 40 &&
	    strspn(first->string, "abcdefghijklmnopqrstuvwxyz0123456789_") ==
	        strlen(first->string) &&
	    first->string[0]) {
		char tmpl[64];
		snprintf(tmpl, sizeof(tmpl), "\"{{data.%s}}\"", first->string);
		/* the getter sees the first of duplicated keys, as the renderer */
		if (cJSON_GetObjectItemCaseSensitive(m.data, first->string) == first)
			string_round_trip(&m, tmpl, first->valuestring);
	}
	if (title_ok && message_ok) {
		buf_reset(&b1);
		oracle(notify_render_check(NOTIFY_DEFAULT_TEMPLATE, &m, &b1, err, sizeof(err)) ==
		       0);
		buf_reset(&b1);
		oracle(notify_discord_body(&m, part[2], &b1) == 0 && is_json(&b1));
		cJSON *d = cJSON_Parse(b1.data);
		oracle(utf8_chars(cJSON_GetObjectItem(d, "content")->valuestring) <= 2000);
		cJSON_Delete(d);
		buf_reset(&b1);
		oracle(notify_gotify_body(&m, (int)(size % 20) - 5, &b1) == 0 && is_json(&b1));
	}
	const char *to[] = {"a@example.org"};
	buf_reset(&b1);
	if (!notify_email_text(&m, "r@example.org", to, 1, "Wed, 01 Jan 2025 00:00:00 +0000",
	                       "x@example.org", &b1))
		email_headers_ok(&b1);

	buf_release(&b1);
	buf_release(&b2);
	cJSON_Delete(obj);
	free(text);
	return 0;
}
