/*
 * notify/template: webhook templates (placeholders, escaping, errors) and
 * the bodies Discord, Gotify and e-mail are sent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/buf.h"
#include "notify/template.h"

static cJSON *DATA;
static struct notify_msg MSG;

static int setup(void **state)
{
	(void)state;
	DATA = cJSON_Parse("{\"library_id\":\"abc\",\"count\":3,\"ok\":true,\"none\":null,"
	                   "\"nested\":{\"a\":\"q\\\"\"},\"name\":\"Films \\\"HD\\\"\\n\"}");
	MSG = (struct notify_msg){"library.scan_finished", "Scan \"finished\"",
	                          "line 1\nline 2\t\\ \x01", "2025-07-01T12:00:00.000Z", DATA};
	return DATA ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	cJSON_Delete(DATA);
	return 0;
}

/* the rendering of tmpl for MSG (static storage), or NULL with err */
static const char *render(const char *tmpl, char *err, size_t errlen)
{
	static char out[8192];
	struct buf b;
	int rc;

	buf_init(&b, sizeof(out) - 1);
	rc = notify_render(tmpl, &MSG, &b, err, errlen);
	snprintf(out, sizeof(out), "%s", b.data);
	buf_release(&b);
	return rc ? NULL : out;
}

static void placeholders(void **state)
{
	char err[160] = "";
	(void)state;

	assert_string_equal(
	    render("{\"e\": \"{{event}}\", \"t\": \"{{ title }}\"}", err, sizeof(err)),
	    "{\"e\": \"library.scan_finished\", \"t\": \"Scan \\\"finished\\\"\"}");
	/* newline, tab, backslash and a control byte escaped */
	assert_string_equal(render("\"{{message}}\"", err, sizeof(err)),
	                    "\"line 1\\nline 2\\t\\\\ \\u0001\"");
	assert_string_equal(render("{{time}}", err, sizeof(err)), "2025-07-01T12:00:00.000Z");
	/* data members: strings escaped, other values as JSON text, absent empty */
	assert_string_equal(render("{{data.library_id}}|{{data.count}}|{{data.ok}}|{{data.none}}|"
	                           "{{data.missing}}|{{data.name}}",
	                           err, sizeof(err)),
	                    "abc|3|true|||Films \\\"HD\\\"\\n");
	assert_string_equal(render("\"{{data.nested}}\"", err, sizeof(err)),
	                    "\"{\\\"a\\\":\\\"q\\\\\\\"\\\"}\"");
	/* raw JSON */
	assert_string_equal(render("{{data}}", err, sizeof(err)),
	                    "{\"library_id\":\"abc\",\"count\":3,\"ok\":true,\"none\":null,"
	                    "\"nested\":{\"a\":\"q\\\"\"},\"name\":\"Films \\\"HD\\\"\\n\"}");
	const char *p = render("{{payload}}", err, sizeof(err));
	cJSON *j = cJSON_Parse(p);
	assert_non_null(j);
	assert_string_equal(cJSON_GetObjectItem(j, "event")->valuestring, "library.scan_finished");
	assert_string_equal(cJSON_GetObjectItem(j, "message")->valuestring, MSG.message);
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "data"), "count")->valueint, 3);
	cJSON_Delete(j);
	/* lone braces are text */
	assert_string_equal(render("{ } {x} }} {", err, sizeof(err)), "{ } {x} }} {");
	assert_string_equal(render("", err, sizeof(err)), "");
}

static void template_errors(void **state)
{
	char err[160];
	(void)state;

	assert_null(render("{{nope}}", err, sizeof(err)));
	assert_non_null(strstr(err, "unknown placeholder {{nope}}"));
	assert_null(render("x {{title", err, sizeof(err)));
	assert_non_null(strstr(err, "at byte 2"));
	assert_null(render("{{title}", err, sizeof(err)));
	assert_null(render("{{data.a.b}}", err, sizeof(err)));
	assert_null(render("{{data.}}", err, sizeof(err)));
	assert_null(render("{{}}", err, sizeof(err)));
	assert_null(render("{{ti tle}}", err, sizeof(err)));
	char *big = malloc(NOTIFY_TEMPLATE_MAX + 2);
	memset(big, 'x', NOTIFY_TEMPLATE_MAX + 1);
	big[NOTIFY_TEMPLATE_MAX + 1] = 0;
	assert_null(render(big, err, sizeof(err)));
	assert_non_null(strstr(err, "longer than"));
	free(big);

	/* a rendering past the buffer's cap fails, not truncates */
	struct buf b;
	buf_init(&b, 10);
	assert_int_equal(notify_render("{{payload}}", &MSG, &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "more than 10 bytes"));
	buf_release(&b);
}

static void render_check(void **state)
{
	char err[160];
	struct buf b;
	(void)state;

	buf_init(&b, 1 << 16);
	assert_int_equal(notify_render_check("{\"content\": \"{{title}}: {{message}}\"}", &MSG, &b,
	                                     err, sizeof(err)),
	                 0);
	buf_reset(&b);
	/* a placeholder outside quotes does not make JSON */
	assert_int_equal(notify_render_check("{\"t\": {{title}}}", &MSG, &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "does not render to JSON"));
	buf_reset(&b);
	assert_int_equal(notify_render_check(NOTIFY_DEFAULT_TEMPLATE, &MSG, &b, err, sizeof(err)),
	                 0);
	buf_release(&b);
}

static cJSON *parse_buf(struct buf *b)
{
	cJSON *j = cJSON_Parse(b->data);
	assert_non_null(j);
	return j;
}

static void discord(void **state)
{
	struct buf b;
	(void)state;

	buf_init(&b, 1 << 16);
	assert_int_equal(notify_discord_body(&MSG, "Revenge", &b), 0);
	cJSON *j = parse_buf(&b), *embed = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "embeds"), 0);
	assert_string_equal(cJSON_GetObjectItem(j, "username")->valuestring, "Revenge");
	assert_string_equal(cJSON_GetObjectItem(j, "content")->valuestring, MSG.title);
	assert_string_equal(cJSON_GetObjectItem(embed, "title")->valuestring, MSG.title);
	assert_string_equal(cJSON_GetObjectItem(embed, "description")->valuestring, MSG.message);
	assert_string_equal(cJSON_GetObjectItem(embed, "timestamp")->valuestring, MSG.time);
	assert_int_equal(cJSON_GetObjectItem(embed, "color")->valueint, 0x3498DB);
	assert_string_equal(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(embed, "footer"), "text")->valuestring,
	    "library.scan_finished");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(
	                     cJSON_GetObjectItem(j, "allowed_mentions"), "parse")),
	                 0);
	cJSON_Delete(j);

	/* long texts are cut to Discord's limits in characters, with an ellipsis */
	char title[1200] = "";
	for (int i = 0; i < 300; i++)
		strcat(title, "\xc3\xa9"); /* é: two bytes, one character */
	struct notify_msg m = {"library.scan_failed", title, NULL, NULL, NULL};
	buf_reset(&b);
	assert_int_equal(notify_discord_body(&m, NULL, &b), 0);
	j = parse_buf(&b);
	embed = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "embeds"), 0);
	const char *t = cJSON_GetObjectItem(embed, "title")->valuestring;
	assert_int_equal(strlen(t), 255 * 2 + 3);
	assert_string_equal(t + 255 * 2, "\xe2\x80\xa6");
	assert_string_equal(cJSON_GetObjectItem(j, "content")->valuestring, title);
	assert_null(cJSON_GetObjectItem(j, "username"));
	assert_null(cJSON_GetObjectItem(embed, "description"));
	assert_int_equal(cJSON_GetObjectItem(embed, "color")->valueint, 0xE74C3C);
	cJSON_Delete(j);
	buf_release(&b);
}

static void gotify(void **state)
{
	struct buf b;
	(void)state;

	buf_init(&b, 1 << 16);
	assert_int_equal(notify_gotify_body(&MSG, 5, &b), 0);
	cJSON *j = parse_buf(&b);
	assert_string_equal(cJSON_GetObjectItem(j, "title")->valuestring, MSG.title);
	assert_string_equal(cJSON_GetObjectItem(j, "message")->valuestring, MSG.message);
	assert_int_equal(cJSON_GetObjectItem(j, "priority")->valueint, 5);
	cJSON_Delete(j);
	/* alerts are urgent; priorities stay within 0..10 */
	struct notify_msg alert = {"auth.lockout", "Locked", "m", NULL, NULL};
	buf_reset(&b);
	notify_gotify_body(&alert, 2, &b);
	j = parse_buf(&b);
	assert_int_equal(cJSON_GetObjectItem(j, "priority")->valueint, 8);
	cJSON_Delete(j);
	buf_reset(&b);
	notify_gotify_body(&MSG, 99, &b);
	j = parse_buf(&b);
	assert_int_equal(cJSON_GetObjectItem(j, "priority")->valueint, 10);
	cJSON_Delete(j);
	buf_release(&b);
}

static void email(void **state)
{
	const char *to[] = {"a@example.org", "b@example.org"};
	struct buf b;
	(void)state;

	buf_init(&b, 1 << 16);
	struct notify_msg m = {"content.added", "Added: Heat (1995)", "First line\r\nsecond\nthird",
	                       "2025-07-01T12:00:00.000Z", NULL};
	assert_int_equal(notify_email_text(&m, "revenge@example.org", to, 2,
	                                   "Tue, 01 Jul 2025 12:00:00 +0000", "id1@example.org",
	                                   &b),
	                 0);
	assert_string_equal(b.data, "Date: Tue, 01 Jul 2025 12:00:00 +0000\r\n"
	                            "From: Revenge <revenge@example.org>\r\n"
	                            "To: <a@example.org>,\r\n <b@example.org>\r\n"
	                            "Subject: [Revenge] Added: Heat (1995)\r\n"
	                            "Message-ID: <id1@example.org>\r\n"
	                            "MIME-Version: 1.0\r\n"
	                            "Content-Type: text/plain; charset=utf-8\r\n"
	                            "Content-Transfer-Encoding: 7bit\r\n"
	                            "Auto-Submitted: auto-generated\r\n"
	                            "X-Revenge-Event: content.added\r\n"
	                            "\r\n"
	                            "First line\r\nsecond\r\nthird\r\n\r\n-- \r\n"
	                            "Revenge: content.added at 2025-07-01T12:00:00.000Z\r\n");

	/* a header cannot be injected through the title; UTF-8 is encoded */
	struct notify_msg evil = {"auth.lockout", "Bad\r\nBcc: x@y.z", "ok", "t", NULL};
	buf_reset(&b);
	notify_email_text(&evil, "r@e.org", to, 1, "d", "i@e.org", &b);
	assert_non_null(strstr(b.data, "Subject: [Revenge] Bad  Bcc: x@y.z\r\n"));
	assert_null(strstr(b.data, "\r\nBcc:"));
	struct notify_msg utf = {"content.added", "Am\xc3\xa9lie", "Caf\xc3\xa9", "t", NULL};
	buf_reset(&b);
	notify_email_text(&utf, "r@e.org", to, 1, "d", "i@e.org", &b);
	assert_non_null(strstr(b.data, "Subject: =?UTF-8?B?W1JldmVuZ2VdIEFtw6lsaWU=?=\r\n"));
	assert_non_null(strstr(b.data, "Content-Transfer-Encoding: base64\r\n"));
	/* "Café\r\n\r\n-- \r\nRevenge: content.added at t\r\n" */
	assert_non_null(strstr(
	    b.data, "\r\n\r\nQ2Fmw6kNCg0KLS0gDQpSZXZlbmdlOiBjb250ZW50LmFkZGVkIGF0IHQNCg==\r\n"));
	buf_release(&b);
}

static void email_addresses(void **state)
{
	(void)state;
	assert_true(notify_email_ok("a@b.co"));
	assert_true(notify_email_ok("first.last+tag@mail.example.org"));
	assert_false(notify_email_ok("ab"));
	assert_false(notify_email_ok("a@b"));
	assert_false(notify_email_ok("@b.co"));
	assert_false(notify_email_ok("a@.co"));
	assert_false(notify_email_ok("a@b.co."));
	assert_false(notify_email_ok("a@@b.co"));
	assert_false(notify_email_ok("a b@c.co"));
	assert_false(notify_email_ok("a@b.co\r\nRCPT TO:<x@y.z>"));
	assert_false(notify_email_ok("<a@b.co>"));
	assert_false(notify_email_ok("a,b@c.co"));
	assert_false(notify_email_ok(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(placeholders),    cmocka_unit_test(template_errors),
	    cmocka_unit_test(render_check),    cmocka_unit_test(discord),
	    cmocka_unit_test(gotify),          cmocka_unit_test(email),
	    cmocka_unit_test(email_addresses),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
