/*
 * mail/message: the account mails as RFC 5322 text — structure, encoded
 * headers, HTML escaping, languages and refusals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/evp.h>

#include "core/buf.h"
#include "mail/message.h"

#define LINK "https://media.example.test/#/reset-password?token=rvm_abc-DEF_123"

static struct mail_msg base(void)
{
	return (struct mail_msg){.kind = MAIL_PASSWORD_RESET,
	                         .lang = "de",
	                         .name = "Ann <b>&\"'\r\nBcc: evil@example.org",
	                         .link = LINK,
	                         .from = "revenge@example.org",
	                         .from_name = "Revenge M\xc3\xa9"
	                                      "diath\xc3\xa8que",
	                         .to = "ann@example.org",
	                         .date = "Sun, 06 Dec 2026 23:00:00 +0000",
	                         .message_id = "1234@example.org",
	                         .boundary = "=_rv0123abcd"};
}

/* the rendering of m (static storage), or NULL when refused */
static const char *render(const struct mail_msg *m)
{
	static char out[65536];
	struct buf b;

	buf_init(&b, sizeof(out) - 1);
	int rc = mail_render(m, &b);
	if (!rc)
		memcpy(out, b.data, b.len + 1);
	buf_release(&b);
	return rc ? NULL : out;
}

/* base64 from p up to the next "--", decoded (static storage) */
static const char *decode_part(const char *msg, const char *type)
{
	static char out[2][16384];
	static int turn;
	char *o = out[turn++ % 2], b64[16384];
	char head[128];
	size_t n = 0;

	snprintf(head, sizeof(head), "Content-Type: %s; charset=utf-8\r\n", type);
	const char *p = strstr(msg, head);
	assert_non_null(p);
	p = strstr(p, "\r\n\r\n");
	assert_non_null(p);
	for (p += 4; *p && *p != '-'; p++)
		if (*p != '\r' && *p != '\n')
			b64[n++] = *p;
	b64[n] = 0;
	int len = EVP_DecodeBlock((unsigned char *)o, (const unsigned char *)b64, (int)n);
	assert_true(len >= 0);
	while (len > 0 && !o[len - 1])
		len--;
	o[len] = 0;
	return o;
}

/* the encoded words of header name, decoded and joined (static storage) */
static const char *decode_header(const char *msg, const char *name)
{
	static char out[1024];
	char key[64];
	size_t o = 0;

	snprintf(key, sizeof(key), "\r\n%s: ", name);
	const char *p = strstr(msg, key);
	assert_non_null(p);
	p += strlen(key);
	if (strncmp(p, "=?", 2)) { /* not encoded */
		const char *end = strstr(p, "\r\n");
		snprintf(out, sizeof(out), "%.*s", (int)(end - p), p);
		return out;
	}
	while (!strncmp(p, "=?UTF-8?B?", 10)) {
		const char *end = strstr(p + 10, "?=");
		char b64[128];
		assert_non_null(end);
		assert_true(end - p + 2 <= 75); /* RFC 2047: an encoded word is at most 75 */
		snprintf(b64, sizeof(b64), "%.*s", (int)(end - p - 10), p + 10);
		int len = EVP_DecodeBlock((unsigned char *)out + o, (const unsigned char *)b64,
		                          (int)strlen(b64));
		assert_true(len > 0);
		o += (size_t)len;
		while (o && !out[o - 1])
			o--;
		p = end + 2;
		if (!strncmp(p, "\r\n ", 3))
			p += 3;
	}
	out[o] = 0;
	return out;
}

static void structure(void **state)
{
	(void)state;
	struct mail_msg m = base();
	const char *s = render(&m);

	assert_non_null(s);
	/* headers, then the two parts between the boundaries */
	const char *body = strstr(s, "\r\n\r\n");
	assert_non_null(body);
	assert_non_null(strstr(s, "Date: Sun, 06 Dec 2026 23:00:00 +0000\r\n"));
	assert_non_null(strstr(s, "\r\nTo: <ann@example.org>\r\n"));
	assert_non_null(strstr(s, "\r\nMessage-ID: <1234@example.org>\r\n"));
	assert_non_null(strstr(s, "\r\nMIME-Version: 1.0\r\n"));
	assert_non_null(strstr(s, "\r\nContent-Language: de\r\n"));
	assert_non_null(
	    strstr(s, "\r\nContent-Type: multipart/alternative; boundary=\"=_rv0123abcd\"\r\n"));
	assert_non_null(strstr(body, "\r\n--=_rv0123abcd\r\nContent-Type: text/plain;"));
	assert_non_null(strstr(body, "\r\n--=_rv0123abcd\r\nContent-Type: text/html;"));
	assert_true(strstr(body, "text/plain") < strstr(body, "text/html"));
	size_t n = strlen(s);
	assert_string_equal(s + n - strlen("\r\n--=_rv0123abcd--\r\n"), "\r\n--=_rv0123abcd--\r\n");
	/* CRLF only, and every line within 998 (base64 lines 76) */
	for (size_t i = 0, line = 0; i < n; i++) {
		if (s[i] == '\n') {
			assert_true(i > 0 && s[i - 1] == '\r');
			line = 0;
		} else {
			assert_true(++line <= 998);
		}
	}
	/* the name is nowhere in the header block: no header injection */
	assert_null(memmem(s, (size_t)(body - s), "Bcc", 3));
	assert_null(strstr(s, "evil@"));
}

static void encoded_headers(void **state)
{
	(void)state;
	struct mail_msg m = base();
	const char *s = render(&m);

	assert_non_null(strstr(s, "\r\nSubject: =?UTF-8?B?"));
	assert_string_equal(decode_header(s, "Subject"), mail_subject(MAIL_PASSWORD_RESET, "de"));
	assert_string_equal(decode_header(s, "From"), "Revenge M\xc3\xa9"
	                                              "diath\xc3\xa8que");
	assert_non_null(strstr(s, "?= <revenge@example.org>\r\n"));
	/* ASCII stays readable; a plain sender name is a quoted string */
	m.lang = "en";
	m.from_name = "Revenge";
	s = render(&m);
	assert_non_null(strstr(s, "\r\nSubject: Reset your Revenge password\r\n"));
	assert_non_null(strstr(s, "\r\nFrom: \"Revenge\" <revenge@example.org>\r\n"));
	m.from_name = "";
	s = render(&m);
	assert_non_null(strstr(s, "\r\nFrom: <revenge@example.org>\r\n"));
	m.from_name = "Say \"hi\" \\o/\r\nBcc: x@y.z";
	s = render(&m);
	assert_non_null(
	    strstr(s, "\r\nFrom: \"Say \\\"hi\\\" \\\\o/  Bcc: x@y.z\" <revenge@example.org>\r\n"));
}

static void escaping(void **state)
{
	(void)state;
	struct mail_msg m = base();
	const char *s = render(&m);
	const char *text = decode_part(s, "text/plain"), *html = decode_part(s, "text/html");

	/* text: the name with its line break as blanks, the link as it is */
	assert_non_null(strstr(text, "Hallo Ann <b>&\"'  Bcc: evil@example.org,\r\n"));
	assert_non_null(strstr(text, "\r\n" LINK "\r\n"));
	/* HTML: every value escaped */
	assert_non_null(strstr(html, "Ann &lt;b&gt;&amp;&quot;&#39;  Bcc: evil@example.org,"));
	assert_null(strstr(html, "<b>"));
	assert_non_null(strstr(html, "<a href=\"" LINK "\""));
	assert_non_null(strstr(html, "<html lang=\"de\">"));
	/* a link with markup in it cannot leave its attribute */
	m.link = "https://x.test/r?token=a\"><script>";
	html = decode_part(render(&m), "text/html");
	assert_null(strstr(html, "<script>"));
	assert_non_null(strstr(html, "href=\"https://x.test/r?token=a&quot;&gt;&lt;script&gt;\""));

	struct buf b;
	buf_init(&b, 256);
	mail_html_escape(&b, "a&b<c>d\"e'f");
	assert_string_equal(b.data, "a&amp;b&lt;c&gt;d&quot;e&#39;f");
	buf_release(&b);
}

static void languages(void **state)
{
	(void)state;
	struct mail_msg m = base();

	assert_string_equal(mail_language("de"), "de");
	assert_string_equal(mail_language("fr"), "fr");
	assert_string_equal(mail_language("en"), "en");
	assert_string_equal(mail_language("ja"), "en");
	assert_string_equal(mail_language(NULL), "en");
	assert_string_equal(mail_language("DE"), "en");
	m.lang = "fr";
	m.kind = MAIL_VERIFY_EMAIL;
	const char *s = render(&m);
	assert_non_null(strstr(s, "\r\nContent-Language: fr\r\n"));
	assert_string_equal(decode_header(s, "Subject"),
	                    "Confirmez votre adresse e-mail pour Revenge");
	assert_non_null(strstr(decode_part(s, "text/plain"), "Bonjour "));
	m.lang = "ja";
	s = render(&m);
	assert_non_null(strstr(s, "\r\nContent-Language: en\r\n"));
	assert_non_null(strstr(s, "\r\nSubject: Confirm your e-mail address for Revenge\r\n"));
	assert_non_null(strstr(decode_part(s, "text/plain"), "valid for 24 hours"));
	m.kind = MAIL_PASSWORD_RESET;
	s = render(&m);
	assert_non_null(strstr(decode_part(s, "text/plain"), "valid for one hour"));
	/* every kind has a text in every language */
	const char *const ls[] = {"en", "de", "fr"};
	for (int k = 0; k < MAIL_KINDS; k++)
		for (size_t i = 0; i < 3; i++)
			assert_true(strlen(mail_subject((enum mail_kind)k, ls[i])) > 10);
	assert_string_not_equal(mail_subject(MAIL_VERIFY_EMAIL, "de"),
	                        mail_subject(MAIL_VERIFY_EMAIL, "en"));
}

static void kinds(void **state)
{
	(void)state;
	assert_int_equal(mail_kind_parse("password_reset"), MAIL_PASSWORD_RESET);
	assert_int_equal(mail_kind_parse("verify_email"), MAIL_VERIFY_EMAIL);
	assert_int_equal(mail_kind_parse("verify"), -1);
	assert_int_equal(mail_kind_parse(NULL), -1);
	assert_string_equal(mail_kind_name(MAIL_VERIFY_EMAIL), "verify_email");
}

static void refused(void **state)
{
	(void)state;
	struct mail_msg m;
	struct buf b;

	m = base();
	m.to = "ann example.org";
	assert_null(render(&m));
	m = base();
	m.to = "a@b.c>\r\nBcc: x@y.z";
	assert_null(render(&m));
	m = base();
	m.from = "";
	assert_null(render(&m));
	m = base();
	m.boundary = "plain";
	assert_null(render(&m));
	m = base();
	m.boundary = "=_a b";
	assert_null(render(&m));
	m = base();
	m.link = NULL;
	assert_null(render(&m));
	m = base();
	m.kind = MAIL_KINDS;
	assert_null(render(&m));
	/* past the cap */
	m = base();
	buf_init(&b, 512);
	assert_int_equal(mail_render(&m, &b), -1);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(structure), cmocka_unit_test(encoded_headers),
	    cmocka_unit_test(escaping),  cmocka_unit_test(languages),
	    cmocka_unit_test(kinds),     cmocka_unit_test(refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
