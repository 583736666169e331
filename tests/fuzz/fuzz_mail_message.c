/*
 * libFuzzer target for the account mails of app/mail/message.c.
 *
 * fuzz-sources: app/core app/notify/template.c app/mail/message.c
 * fuzz-libs: -lcjson -lm -lcrypto -lutf8proc
 *
 * Input: up to five parts separated by NUL bytes: the name to greet, the
 * link, the language, the sender's display name and the recipient. Name,
 * link and sender name come from the database (a display name, the
 * configuration); the renderer must hold whatever bytes they are.
 *
 * Oracles beyond "no crash, no sanitizer report":
 *   - mail_render gives 0 or -1, and the same input renders the same text
 *     twice
 *   - a rendered message has CRLF line ends only, no line past 998 bytes,
 *     and a header block of known headers and folded continuations only
 *     (nothing from the inputs can add a header)
 *   - the language is one of en, de, fr
 *
 * fuzz-seed: Ann\x00https://x.test/reset-password?token=rvm_a\x00de\x00Revenge\x00a@b.cd
 * fuzz-seed: <b>\r\nBcc: e@x.y\x00"><script>\x00fr\x00M\xc3\xa9dia "x"\x00a@b.cd
 * fuzz-seed: \xff\xfe\x00\x00xx\x00\x00a b@c.d
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "mail/message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define oracle(ok) check((ok), #ok)

static void check(int ok, const char *what)
{
	if (ok)
		return;
	fprintf(stderr, "fuzz_mail_message: oracle failed: %s\n", what);
	abort();
}

static void well_formed(const struct buf *b)
{
	static const char *const names[] = {"Date:",
	                                    "From:",
	                                    "To:",
	                                    "Subject:",
	                                    "Message-ID:",
	                                    "MIME-Version:",
	                                    "Content-Language:",
	                                    "Auto-Submitted:",
	                                    "X-Revenge-Mail:",
	                                    "Content-Type:"};
	const char *end = strstr(b->data, "\r\n\r\n"), *line = b->data;
	size_t len = 0;

	oracle(end != NULL);
	for (size_t i = 0; i < b->len; i++) {
		oracle(b->data[i] != '\n' || (i > 0 && b->data[i - 1] == '\r'));
		len = b->data[i] == '\n' ? 0 : len + 1;
		oracle(len <= 998);
	}
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
	char *text = malloc(size + 5), *part[5] = {"", "", "", "", ""};
	struct buf b1, b2;

	if (!text)
		return 0;
	memcpy(text, data, size);
	memset(text + size, 0, 5);
	part[0] = text;
	for (int k = 1; k < 5; k++) {
		char *z = part[k - 1] + strlen(part[k - 1]);
		if (z >= text + size)
			break;
		part[k] = z + 1;
	}
	const char *lang = mail_language(part[2]);
	oracle(!strcmp(lang, "en") || !strcmp(lang, "de") || !strcmp(lang, "fr"));
	for (int k = 0; k < MAIL_KINDS; k++) {
		struct mail_msg m = {.kind = (enum mail_kind)k,
		                     .lang = part[2],
		                     .name = part[0],
		                     .link = part[1],
		                     .from = "revenge@example.org",
		                     .from_name = part[3],
		                     .to = part[4],
		                     .date = "Sun, 06 Dec 2026 23:00:00 +0000",
		                     .message_id = "1@example.org",
		                     .boundary = "=_rv01"};
		buf_init(&b1, 256 * 1024);
		buf_init(&b2, 256 * 1024);
		int r1 = mail_render(&m, &b1), r2 = mail_render(&m, &b2);
		oracle(r1 == 0 || r1 == -1);
		oracle(r1 == r2 && (r1 || (b1.len == b2.len && !memcmp(b1.data, b2.data, b1.len))));
		if (!r1)
			well_formed(&b1);
		buf_release(&b1);
		buf_release(&b2);
	}
	free(text);
	return 0;
}
