/* template: notification templates and message bodies (see template.h). */
#include "notify/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

#define NAME_MAX_LEN 64

/* --- helpers ------------------------------------------------------------- */

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/* s JSON-escaped without the quotes: what goes inside a string literal */
static int put_escaped(struct buf *out, const char *s, size_t n)
{
	size_t at = out->len;

	if (buf_json_str(out, s, n) < 0)
		return -1;
	memmove(out->data + at, out->data + at + 1, out->len - at - 2);
	buf_truncate(out, out->len - 2);
	return 0;
}

/* the JSON text of v (malloc'd) or NULL */
static char *json_text(const cJSON *v)
{
	return v ? cJSON_PrintUnformatted(v) : NULL;
}

int notify_payload_json(const struct notify_msg *m, struct buf *out)
{
	struct jw w;
	char *data = cJSON_IsObject(m->data) ? json_text(m->data) : NULL;

	jw_init(&w, out);
	jw_obj_open(&w);
	jw_kstr(&w, "event", or_empty(m->event));
	jw_kstr(&w, "title", or_empty(m->title));
	jw_kstr(&w, "message", or_empty(m->message));
	jw_kstr(&w, "time", or_empty(m->time));
	jw_key(&w, "data");
	if (data)
		jw_raw(&w, data, strlen(data));
	else
		jw_raw(&w, "{}", 2);
	jw_obj_close(&w);
	free(data);
	return buf_ok(out) ? 0 : -1;
}

/* --- templates ------------------------------------------------------------ */

/* One data member as template text: strings escaped, other values as
 * their JSON text escaped (so they stay inside the literal), null and
 * missing as nothing. */
static int put_data_member(struct buf *out, const cJSON *data, const char *name)
{
	const cJSON *v = cJSON_IsObject(data) ? cJSON_GetObjectItemCaseSensitive(data, name) : NULL;
	char *text;
	int rc;

	if (!v || cJSON_IsNull(v))
		return 0;
	if (cJSON_IsString(v))
		return put_escaped(out, v->valuestring, strlen(v->valuestring));
	if (!(text = json_text(v)))
		return -1;
	rc = put_escaped(out, text, strlen(text));
	free(text);
	return rc;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.';
}

/* Write the value of placeholder name[0..n); 1 when name is unknown. */
static int put_placeholder(struct buf *out, const struct notify_msg *m, const char *name, size_t n)
{
	static const char *const fields[] = {"event", "title", "message", "time"};
	const char *const values[] = {m->event, m->title, m->message, m->time};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (n == strlen(fields[i]) && !memcmp(name, fields[i], n))
			return put_escaped(out, or_empty(values[i]), strlen(or_empty(values[i])));
	if (n == 7 && !memcmp(name, "payload", 7))
		return notify_payload_json(m, out);
	if (n == 4 && !memcmp(name, "data", 4)) {
		char *data = cJSON_IsObject(m->data) ? json_text(m->data) : NULL;
		int rc = buf_puts(out, data ? data : "{}");
		free(data);
		return rc;
	}
	if (n > 5 && !memcmp(name, "data.", 5) && !memchr(name + 5, '.', n - 5)) {
		char key[NAME_MAX_LEN + 1];
		memcpy(key, name + 5, n - 5);
		key[n - 5] = 0;
		return put_data_member(out, m->data, key);
	}
	return 1;
}

int notify_render(const char *tmpl, const struct notify_msg *m, struct buf *out, char *err,
                  size_t errlen)
{
	const char *p = tmpl;

	if (strlen(tmpl) > NOTIFY_TEMPLATE_MAX) {
		snprintf(err, errlen, "is longer than %d bytes", NOTIFY_TEMPLATE_MAX);
		return -1;
	}
	while (*p) {
		const char *open = strstr(p, "{{");
		if (!open) {
			buf_puts(out, p);
			break;
		}
		buf_append(out, p, (size_t)(open - p));
		const char *s = open + 2, *e;
		while (*s == ' ' || *s == '\t')
			s++;
		for (e = s; name_char(*e); e++)
			;
		size_t n = (size_t)(e - s);
		while (*e == ' ' || *e == '\t')
			e++;
		if (e[0] != '}' || e[1] != '}') {
			snprintf(err, errlen, "has a {{ at byte %zu that is not a closed {{name}}",
			         (size_t)(open - tmpl));
			return -1;
		}
		int rc = n && n <= NAME_MAX_LEN ? put_placeholder(out, m, s, n) : 1;
		if (rc > 0) {
			snprintf(err, errlen, "has an unknown placeholder {{%.*s}} at byte %zu",
			         (int)(n > 40 ? 40 : n), s, (size_t)(open - tmpl));
			return -1;
		}
		p = e + 2;
	}
	if (!buf_ok(out)) {
		snprintf(err, errlen, "renders to more than %zu bytes", out->max);
		return -1;
	}
	return 0;
}

int notify_render_check(const char *tmpl, const struct notify_msg *m, struct buf *out, char *err,
                        size_t errlen)
{
	size_t at = out->len;
	struct json_limits lim = {NOTIFY_RENDER_MAX, 64};
	struct field_error fe;
	cJSON *j = NULL;

	if (notify_render(tmpl, m, out, err, errlen))
		return -1;
	if (json_parse(out->data + at, out->len - at, &lim, &j, &fe)) {
		snprintf(err, errlen, "does not render to JSON (%s)", fe.detail);
		return -1;
	}
	cJSON_Delete(j);
	return 0;
}

/* --- Discord and Gotify ------------------------------------------------------- */

bool notify_event_is_alert(const char *event)
{
	static const char *const alerts[] = {"library.scan_failed", "auth.lockout",
	                                     "system.worker_down", "system.tmdb_failing"};

	for (size_t i = 0; event && i < sizeof(alerts) / sizeof(alerts[0]); i++)
		if (!strcmp(event, alerts[i]))
			return true;
	return false;
}

/* s cut to at most max characters (UTF-8 sequences kept whole), with "…"
 * in place of the last one when cut, written as a JSON string */
static void jw_cut(struct jw *w, const char *s, size_t max)
{
	size_t n = strlen(s), i = 0, chars = 0, keep = 0;

	while (i < n) {
		size_t k = buf_utf8_seq_len(s + i, n - i);
		if (!k)
			k = 1;
		if (chars == max - 1)
			keep = i;
		if (++chars > max)
			break;
		i += k;
	}
	if (i >= n) {
		jw_str(w, s);
		return;
	}
	char *t = malloc(keep + 4);
	if (!t) {
		w->b->failed = 1;
		return;
	}
	memcpy(t, s, keep);
	memcpy(t + keep, "\xe2\x80\xa6", 4); /* … */
	jw_str(w, t);
	free(t);
}

int notify_discord_body(const struct notify_msg *m, const char *username, struct buf *out)
{
	struct jw w;
	const char *title = m->title && m->title[0] ? m->title : or_empty(m->event);

	jw_init(&w, out);
	jw_obj_open(&w);
	if (username && username[0])
		jw_kstr(&w, "username", username);
	jw_key(&w, "content");
	jw_cut(&w, title, 2000);
	jw_key(&w, "embeds");
	jw_arr_open(&w);
	jw_obj_open(&w);
	jw_key(&w, "title");
	jw_cut(&w, title, 256);
	if (m->message && m->message[0]) {
		jw_key(&w, "description");
		jw_cut(&w, m->message, 4096);
	}
	if (m->time && m->time[0])
		jw_kstr(&w, "timestamp", m->time);
	jw_kint(&w, "color",
	        notify_event_is_alert(m->event)                  ? 0xE74C3C
	        : m->event && !strcmp(m->event, "content.added") ? 0x2ECC71
	                                                         : 0x3498DB);
	jw_key(&w, "footer");
	jw_obj_open(&w);
	jw_key(&w, "text");
	jw_cut(&w, or_empty(m->event), 2048);
	jw_obj_close(&w);
	jw_obj_close(&w);
	jw_arr_close(&w);
	/* names from files and payloads must never ping anyone */
	jw_key(&w, "allowed_mentions");
	jw_obj_open(&w);
	jw_key(&w, "parse");
	jw_arr_open(&w);
	jw_arr_close(&w);
	jw_obj_close(&w);
	jw_obj_close(&w);
	return buf_ok(out) ? 0 : -1;
}

int notify_gotify_body(const struct notify_msg *m, int priority, struct buf *out)
{
	struct jw w;

	if (priority < 0)
		priority = 0;
	if (priority > 10)
		priority = 10;
	if (notify_event_is_alert(m->event) && priority < 8)
		priority = 8;
	jw_init(&w, out);
	jw_obj_open(&w);
	jw_kstr(&w, "title", m->title && m->title[0] ? m->title : or_empty(m->event));
	jw_kstr(&w, "message", m->message && m->message[0] ? m->message : or_empty(m->title));
	jw_kint(&w, "priority", priority);
	jw_obj_close(&w);
	return buf_ok(out) ? 0 : -1;
}

/* --- e-mail ----------------------------------------------------------------- */

bool notify_email_ok(const char *s)
{
	const char *at = s ? strchr(s, '@') : NULL;
	size_t n = s ? strlen(s) : 0;

	if (n < 3 || n > 254 || !at || at == s || !at[1] || strchr(at + 1, '@') ||
	    !strchr(at + 1, '.') || at[1] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= ' ' || c == 0x7f || strchr("<>\"(),;:\\[]", c))
			return false;
	}
	return true;
}

static void base64(struct buf *out, const unsigned char *p, size_t n)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
		             (i + 2 < n ? p[i + 2] : 0);
		char q[4] = {t[v >> 18 & 63], t[v >> 12 & 63], i + 1 < n ? t[v >> 6 & 63] : '=',
		             i + 2 < n ? t[v & 63] : '='};
		buf_append(out, q, 4);
	}
}

static bool ascii_text(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

void notify_email_header(struct buf *out, const char *name, const char *text)
{
	char s[640];
	size_t n = (size_t)snprintf(s, sizeof(s), "%.600s", text ? text : "");

	if (n >= sizeof(s))
		n = sizeof(s) - 1;
	/* a cut inside a sequence drops its start */
	while (n && ((unsigned char)s[n - 1] & 0xC0) == 0x80)
		n--;
	if (n && (unsigned char)s[n - 1] >= 0xC0)
		n--;
	s[n] = 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			s[i] = ' ';
	buf_printf(out, "%s: ", name);
	if (ascii_text(s, n)) {
		buf_append(out, s, n);
	} else {
		size_t i = 0;
		while (i < n) {
			size_t start = i;
			while (i < n) {
				size_t k = buf_utf8_seq_len(s + i, n - i);
				if (!k)
					k = 1;
				if (i + k - start > 45)
					break;
				i += k;
			}
			if (i == start)
				i++; /* cannot happen with k <= 4; never loop forever */
			if (start)
				buf_puts(out, "\r\n ");
			buf_puts(out, "=?UTF-8?B?");
			base64(out, (const unsigned char *)s + start, i - start);
			buf_puts(out, "?=");
		}
	}
	buf_puts(out, "\r\n");
}

void notify_email_base64(struct buf *out, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i += 57) {
		base64(out, (const unsigned char *)p + i, n - i < 57 ? n - i : 57);
		buf_puts(out, "\r\n");
	}
}

/* The Subject header: "[Revenge] title", as notify_email_header writes it. */
static void put_subject(struct buf *out, const char *title)
{
	char s[640];

	snprintf(s, sizeof(s), "[Revenge] %.600s", title);
	notify_email_header(out, "Subject", s);
}

/* The body with CRLF line ends: the message, a blank line, the event. */
static void body_text(const struct notify_msg *m, struct buf *b)
{
	const char *s = or_empty(m->message);

	for (; *s; s++) {
		if (*s == '\r' && s[1] == '\n')
			continue;
		if (*s == '\r' || *s == '\n')
			buf_puts(b, "\r\n");
		else
			buf_putc(b, *s);
	}
	buf_printf(b, "\r\n\r\n-- \r\nRevenge: %s at %s\r\n", or_empty(m->event),
	           or_empty(m->time));
}

/* 7bit when ASCII without controls (tab and line ends aside) and no line
 * passes 998 bytes */
static bool seven_bit(const struct buf *b)
{
	size_t line = 0;

	for (size_t i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->data[i];
		if (c == '\n') {
			line = 0;
			continue;
		}
		if (c >= 0x80 || c == 0x7f || (c < 0x20 && c != '\t' && c != '\r') || ++line > 998)
			return false;
	}
	return true;
}

int notify_email_text(const struct notify_msg *m, const char *from, const char *const *to, int n,
                      const char *date, const char *message_id, struct buf *out)
{
	struct buf body;

	buf_init(&body, out->max);
	body_text(m, &body);
	buf_printf(out, "Date: %s\r\nFrom: Revenge <%s>\r\nTo: ", date, from);
	for (int i = 0; i < n; i++)
		buf_printf(out, "%s<%s>", i ? ",\r\n " : "", to[i]);
	buf_puts(out, "\r\n");
	put_subject(out, m->title && m->title[0] ? m->title : or_empty(m->event));
	buf_printf(out,
	           "Message-ID: <%s>\r\nMIME-Version: 1.0\r\n"
	           "Content-Type: text/plain; charset=utf-8\r\n",
	           message_id);
	bool plain = seven_bit(&body);
	buf_printf(out,
	           "Content-Transfer-Encoding: %s\r\nAuto-Submitted: auto-generated\r\n"
	           "X-Revenge-Event: ",
	           plain ? "7bit" : "base64");
	for (const char *e = or_empty(m->event); *e; e++)
		buf_putc(out, (unsigned char)*e < 0x20 || *e == 0x7f ? ' ' : *e);
	buf_puts(out, "\r\n\r\n");
	if (plain) {
		buf_append(out, body.data, body.len);
	} else {
		notify_email_base64(out, body.data, body.len);
	}
	int ok = buf_ok(&body) && buf_ok(out);
	buf_release(&body);
	return ok ? 0 : -1;
}
