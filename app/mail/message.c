/* message: the account mails as RFC 5322 text (see message.h). */
#include "mail/message.h"

#include <stdio.h>
#include <string.h>

#include "notify/template.h"

/* What one mail says in one language; the greeting is followed by the
 * name and a comma. */
struct texts {
	const char *subject;
	const char *hello;
	const char *intro;
	const char *button;
	const char *validity;
	const char *ignore;
};

static const char *const langs[] = {"en", "de", "fr"};
#define NLANGS (sizeof(langs) / sizeof(langs[0]))

static const struct texts texts[MAIL_KINDS][NLANGS] = {
    [MAIL_PASSWORD_RESET] =
        {
            {"Reset your Revenge password", "Hello",
             "Someone, hopefully you, asked to reset the password of your Revenge account. "
             "To choose a new password, open this link:",
             "Choose a new password", "The link is valid for one hour and works once.",
             "If you did not ask for this, ignore this mail: your password stays as it is."},
            {"Setzen Sie Ihr Revenge-Passwort zur\xc3\xbc"
             "ck",
             "Hallo",
             "Jemand, hoffentlich Sie, m\xc3\xb6"
             "chte das Passwort Ihres Revenge-Kontos zur\xc3\xbc"
             "cksetzen. Um ein neues Passwort zu w\xc3\xa4hlen, \xc3\xb6"
             "ffnen Sie diesen Link:",
             "Neues Passwort w\xc3\xa4hlen",
             "Der Link ist eine Stunde lang g\xc3\xbcltig und funktioniert einmal.",
             "Wenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Ihr Passwort "
             "bleibt unver\xc3\xa4ndert."},
            {"R\xc3\xa9initialisez votre mot de passe Revenge", "Bonjour",
             "Quelqu'un, vous peut-\xc3\xaatre, a demand\xc3\xa9 \xc3\xa0 r\xc3\xa9initialiser le "
             "mot de passe de votre compte Revenge. Pour choisir un nouveau mot de passe, "
             "ouvrez ce lien\xc2\xa0:",
             "Choisir un nouveau mot de passe",
             "Le lien est valable une heure et ne sert qu'une fois.",
             "Si vous n'avez rien demand\xc3\xa9, ignorez ce message\xc2\xa0: votre mot de passe "
             "reste inchang\xc3\xa9."},
        },
    [MAIL_VERIFY_EMAIL] =
        {
            {"Confirm your e-mail address for Revenge", "Hello",
             "Please confirm that this address belongs to your Revenge account by opening "
             "this link:",
             "Confirm the address", "The link is valid for 24 hours and works once.",
             "If you did not give this address to a Revenge account, ignore this mail."},
            {"Best\xc3\xa4tigen Sie Ihre E-Mail-Adresse f\xc3\xbcr Revenge", "Hallo",
             "Bitte best\xc3\xa4tigen Sie, dass diese Adresse zu Ihrem Revenge-Konto geh\xc3\xb6"
             "rt, indem Sie diesen Link \xc3\xb6"
             "ffnen:",
             "Adresse best\xc3\xa4tigen",
             "Der Link ist 24 Stunden lang g\xc3\xbcltig und funktioniert einmal.",
             "Wenn Sie diese Adresse keinem Revenge-Konto gegeben haben, ignorieren Sie diese "
             "E-Mail."},
            {"Confirmez votre adresse e-mail pour Revenge", "Bonjour",
             "Veuillez confirmer que cette adresse appartient \xc3\xa0 votre compte Revenge en "
             "ouvrant ce lien\xc2\xa0:",
             "Confirmer l'adresse", "Le lien est valable 24\xc2\xa0heures et ne sert qu'une fois.",
             "Si vous n'avez pas donn\xc3\xa9 cette adresse \xc3\xa0 un compte Revenge, ignorez ce "
             "message."},
        },
};

static const char *const kind_names[MAIL_KINDS] = {"password_reset", "verify_email"};

int mail_kind_parse(const char *name)
{
	for (int i = 0; name && i < MAIL_KINDS; i++)
		if (!strcmp(name, kind_names[i]))
			return i;
	return -1;
}

const char *mail_kind_name(enum mail_kind k)
{
	return k < MAIL_KINDS ? kind_names[k] : "unknown";
}

static size_t lang_index(const char *lang)
{
	for (size_t i = 0; lang && i < NLANGS; i++)
		if (!strcmp(lang, langs[i]))
			return i;
	return 0;
}

const char *mail_language(const char *lang)
{
	return langs[lang_index(lang)];
}

const char *mail_subject(enum mail_kind k, const char *lang)
{
	return texts[k < MAIL_KINDS ? k : 0][lang_index(lang)].subject;
}

void mail_html_escape(struct buf *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&':
			buf_puts(out, "&amp;");
			break;
		case '<':
			buf_puts(out, "&lt;");
			break;
		case '>':
			buf_puts(out, "&gt;");
			break;
		case '"':
			buf_puts(out, "&quot;");
			break;
		case '\'':
			buf_puts(out, "&#39;");
			break;
		default:
			buf_putc(out, *s);
		}
	}
}

/* s with every control character a blank: the name and the link come from
 * the database, and a line break in them must not shape the text. */
static void put_clean(struct buf *out, const char *s)
{
	for (; s && *s; s++)
		buf_putc(out, (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s);
}

static void text_part(const struct texts *t, const struct mail_msg *m, struct buf *b)
{
	buf_printf(b, "%s ", t->hello);
	put_clean(b, m->name);
	buf_printf(b, ",\r\n\r\n%s\r\n\r\n", t->intro);
	put_clean(b, m->link);
	buf_printf(b, "\r\n\r\n%s\r\n\r\n%s\r\n\r\n-- \r\nRevenge\r\n", t->validity, t->ignore);
}

/* 0, or -1 when a scratch buffer ran past its cap */
static int html_part(const struct texts *t, const struct mail_msg *m, const char *lang,
                     struct buf *b)
{
	struct buf clean;
	int ok;

	buf_init(&clean, b->max);
	buf_printf(b,
	           "<!DOCTYPE html>\r\n<html lang=\"%s\">\r\n<head><meta charset=\"utf-8\">"
	           "<title>",
	           lang);
	mail_html_escape(b, t->subject);
	buf_puts(b, "</title></head>\r\n<body style=\"font-family: sans-serif; line-height: 1.5\">"
	            "\r\n<p>");
	mail_html_escape(b, t->hello);
	buf_putc(b, ' ');
	put_clean(&clean, m->name);
	mail_html_escape(b, clean.data);
	buf_puts(b, ",</p>\r\n<p>");
	mail_html_escape(b, t->intro);
	buf_puts(b, "</p>\r\n<p><a href=\"");
	ok = buf_ok(&clean);
	buf_reset(&clean);
	put_clean(&clean, m->link);
	mail_html_escape(b, clean.data);
	buf_puts(b, "\" style=\"display: inline-block; padding: 0.6em 1.2em; background: #c0392b;"
	            " color: #fff; text-decoration: none; border-radius: 4px\">");
	mail_html_escape(b, t->button);
	buf_puts(b, "</a></p>\r\n<p style=\"font-size: 0.9em\">");
	mail_html_escape(b, clean.data);
	buf_puts(b, "</p>\r\n<p>");
	mail_html_escape(b, t->validity);
	buf_puts(b, "</p>\r\n<p style=\"color: #666\">");
	mail_html_escape(b, t->ignore);
	buf_puts(b, "</p>\r\n</body>\r\n</html>\r\n");
	ok = ok && buf_ok(&clean);
	buf_release(&clean);
	return ok ? 0 : -1;
}

static bool boundary_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n < 3 || n > 60 || strncmp(s, "=_", 2))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789=_.-",
		            s[i]))
			return false;
	return true;
}

/* "From: name <addr>": the name as a quoted string (quotes and
 * backslashes escaped, control characters as blanks) when it is ASCII,
 * else encoded words (notify_email_header does the encoding). */
static void put_from(struct buf *out, const char *name, const char *addr)
{
	bool ascii = true;

	for (const char *p = name; p && *p; p++)
		if ((unsigned char)*p >= 0x80)
			ascii = false;
	if (!name || !*name) {
		buf_printf(out, "From: <%s>\r\n", addr);
	} else if (ascii) {
		buf_puts(out, "From: \"");
		for (const char *p = name; *p && p - name < 200; p++) {
			if (*p == '"' || *p == '\\')
				buf_putc(out, '\\');
			buf_putc(out, (unsigned char)*p < 0x20 || *p == 0x7f ? ' ' : *p);
		}
		buf_printf(out, "\" <%s>\r\n", addr);
	} else {
		struct buf h;
		buf_init(&h, 4096);
		notify_email_header(&h, "From", name); /* "From: =?UTF-8?B?…?=\r\n" */
		if (buf_ok(&h) && h.len >= 2) {
			buf_append(out, h.data, h.len - 2);
			buf_printf(out, " <%s>\r\n", addr);
		} else {
			buf_printf(out, "From: <%s>\r\n", addr);
		}
		buf_release(&h);
	}
}

static void put_part(struct buf *out, const char *boundary, const char *type, const char *lang,
                     const struct buf *body)
{
	buf_printf(
	    out,
	    "--%s\r\nContent-Type: %s; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n"
	    "Content-Language: %s\r\n\r\n",
	    boundary, type, lang);
	notify_email_base64(out, body->data, body->len);
}

int mail_render(const struct mail_msg *m, struct buf *out)
{
	const char *lang = mail_language(m->lang);
	const struct texts *t;
	struct buf text, html;
	int ok;

	if (m->kind >= MAIL_KINDS || !m->link || !m->date || !m->message_id ||
	    !notify_email_ok(m->from) || !notify_email_ok(m->to) || !boundary_ok(m->boundary))
		return -1;
	t = &texts[m->kind][lang_index(lang)];
	buf_init(&text, out->max);
	buf_init(&html, out->max);
	text_part(t, m, &text);
	int html_ok = html_part(t, m, lang, &html) == 0;
	buf_printf(out, "Date: %s\r\n", m->date);
	put_from(out, m->from_name, m->from);
	buf_printf(out, "To: <%s>\r\n", m->to);
	notify_email_header(out, "Subject", t->subject);
	buf_printf(out,
	           "Message-ID: <%s>\r\nMIME-Version: 1.0\r\nContent-Language: %s\r\n"
	           "Auto-Submitted: auto-generated\r\nX-Revenge-Mail: %s\r\n"
	           "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n",
	           m->message_id, lang, kind_names[m->kind], m->boundary);
	put_part(out, m->boundary, "text/plain", lang, &text);
	put_part(out, m->boundary, "text/html", lang, &html);
	buf_printf(out, "--%s--\r\n", m->boundary);
	ok = html_ok && buf_ok(&text) && buf_ok(&html) && buf_ok(out);
	buf_release(&text);
	buf_release(&html);
	return ok ? 0 : -1;
}
