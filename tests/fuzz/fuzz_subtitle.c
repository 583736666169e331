/*
 * libFuzzer target for the subtitle converter of app/media/subtitle_vtt.c:
 * subtitle_to_vtt() on any bytes (SRT, ASS/SSA, WebVTT; UTF-8, UTF-16,
 * Windows-1252).
 *
 * fuzz-sources: app/core app/media/subtitle_vtt.c
 * fuzz-libs: -lcjson -lm -lcrypto -lutf8proc
 *
 * Input: the bytes are the file (a copy of exactly size bytes, so ASan
 * catches any read past the end).
 *
 * Oracles beyond "no crash, no sanitizer report":
 *   - the result is APP_OK, APP_ERR_UNPROCESSABLE, APP_ERR_TOO_LARGE or
 *     APP_ERR_NOMEM; the output is valid UTF-8 on success
 *   - WebVTT input (after a byte order mark) is passed through: the output
 *     starts with "WEBVTT" and holds "-->"; plain UTF-8 comes back byte
 *     for byte
 *   - anything else comes out in the strict shape the converter writes:
 *     "WEBVTT", a blank line, then cues of a timing line
 *     "HH:MM:SS.mmm --> HH:MM:SS.mmm" (end after start, starts in order),
 *     one or more non-empty text lines without "-->" or control bytes
 *     other than tab, where every "<" opens <i> <b> <u> or their closers
 *     and every "&" an entity &amp; &lt; &gt;, and a blank line
 *   - that output converts again to itself (it is WebVTT now)
 *   - the same bytes twice give the same output
 *
 * fuzz-seed: 1\n00:00:01,000 --> 00:00:02,500\n<i>Hello</i> & {\\an8}you\n\n2\n00:00:03,000 -->
 * 00:00:04,000\nTwo\nlines\n fuzz-seed: \xef\xbb\xbf1\r\n0:00:01.5-->100:00:02\r\n<font
 * color="red">x</font>\r\n fuzz-seed: [Script Info]\nScriptType: v4.00+\n[Events]\nFormat: Layer,
 * Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\nDialogue:
 * 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,{\\i1}a, b\\Nc\\hd\n fuzz-seed: [Events]\nFormat: End,
 * Start, Text\nDialogue: 0:00:02.00,0:00:01.00,x\n fuzz-seed: WEBVTT\n\n00:01.000 --> 00:02.000\n<v
 * A>Hi</v>\n fuzz-seed: \xff\xfe1\x00\n\x000\x00:\x000\x000\x00:\x000\x001\x00,\x000\x00
 * \x00-\x00-\x00>\x00 \x000\x00:\x000\x000\x00:\x000\x002\x00\n\x00\xe9\x00 fuzz-seed:
 * 1\n00:00:01,000 --> 00:00:02,000\nAm\xe9lie \x93\x94\n
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/text.h"
#include "media/subtitle_vtt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OUT_CAP ((size_t)1 << 20)
#define oracle(ok) check((ok), #ok)

static void check(int ok, const char *what)
{
	if (ok)
		return;
	fprintf(stderr, "fuzz_subtitle: oracle failed: %s\n", what);
	abort();
}

static int sep(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Is the input WebVTT as the converter decides it: "WEBVTT" first (after
 * a byte order mark), then a separator or the end? *plain: UTF-8 that must
 * come back as it is, from *skip on. The separator is ASCII, which every
 * encoding here reads as itself. */
static int vtt_input(const uint8_t *p, size_t n, int *plain, size_t *skip)
{
	*plain = 0;
	*skip = 0;
	if (n >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF))) {
		int be = p[0] == 0xFE;
		if (n < 2 + 12)
			return 0;
		for (int k = 0; k < 6; k++) {
			const uint8_t *u = p + 2 + 2 * k;
			if ((be ? u[0] : u[1]) != 0 || (be ? u[1] : u[0]) != (uint8_t) "WEBVTT"[k])
				return 0;
		}
		if (n == 14)
			return 1;
		if (n == 15)
			return 0; /* a lone last byte: U+FFFD */
		const uint8_t *u = p + 14;
		return (be ? u[0] : u[1]) == 0 && sep(be ? u[1] : u[0]);
	}
	if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
		/* ill-formed bytes become U+FFFD, never a separator */
		*skip = 3;
		*plain = utf8_valid((const char *)p + 3, n - 3);
	} else {
		*plain = utf8_valid((const char *)p, n);
	}
	p += *skip;
	n -= *skip;
	return n >= 6 && !memcmp(p, "WEBVTT", 6) && (n == 6 || sep(p[6]));
}

/* "HH:MM:SS.mmm" (2 or 3 hour digits) at s: its milliseconds, or -1. */
static long long vtt_time(const char *s, size_t *len)
{
	long long v[4] = {0};
	const char *p = s;
	int hd = 0;

	while (*p >= '0' && *p <= '9' && hd < 4)
		v[0] = v[0] * 10 + (*p++ - '0'), hd++;
	if (hd < 2 || hd > 3 || *p++ != ':')
		return -1;
	for (int f = 1; f < 4; f++) {
		int want = f == 3 ? 3 : 2;
		for (int k = 0; k < want; k++, p++) {
			if (*p < '0' || *p > '9')
				return -1;
			v[f] = v[f] * 10 + (*p - '0');
		}
		if (f < 3 && *p++ != (f == 2 ? '.' : ':'))
			return -1;
	}
	if (v[1] > 59 || v[2] > 59)
		return -1;
	*len = (size_t)(p - s);
	return ((v[0] * 60 + v[1]) * 60 + v[2]) * 1000 + v[3];
}

static void text_line(const char *s, size_t n)
{
	static const char *const tags[] = {"<i>", "<b>", "<u>", "</i>", "</b>", "</u>"};
	static const char *const ents[] = {"&amp;", "&lt;", "&gt;"};

	oracle(n > 0);
	oracle(!memmem(s, n, "-->", 3));
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		oracle((c >= 0x20 && c != 0x7F) || c == '\t');
		oracle(c != '>');
		if (c == '<') {
			size_t k = 0;
			for (size_t t = 0; t < 6 && !k; t++)
				if (!strncmp(s + i, tags[t], strlen(tags[t])) &&
				    i + strlen(tags[t]) <= n)
					k = strlen(tags[t]);
			oracle(k > 0);
			i += k - 1;
		} else if (c == '&') {
			size_t k = 0;
			for (size_t t = 0; t < 3 && !k; t++)
				if (!strncmp(s + i, ents[t], strlen(ents[t])) &&
				    i + strlen(ents[t]) <= n)
					k = strlen(ents[t]);
			oracle(k > 0);
			i += k - 1;
		}
	}
}

/* The strict shape of converted output (see the header comment). */
static void check_shape(const char *o, size_t n)
{
	long long last = -1;
	const char *p = o, *end = o + n;

	oracle(n >= 8 && !memcmp(o, "WEBVTT\n\n", 8));
	p += 8;
	oracle(p < end); /* at least one cue */
	while (p < end) {
		size_t a, b;
		long long start = vtt_time(p, &a);
		oracle(start >= 0);
		p += a;
		oracle(end - p > 5 && !memcmp(p, " --> ", 5));
		p += 5;
		long long stop = vtt_time(p, &b);
		oracle(stop > start);
		oracle(start >= last);
		last = start;
		p += b;
		oracle(p < end && *p == '\n');
		p++;
		int lines = 0;
		for (;;) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			oracle(nl != NULL);
			if (nl == p) {
				p++; /* the blank line that ends the cue */
				break;
			}
			text_line(p, (size_t)(nl - p));
			lines++;
			p = nl + 1;
		}
		oracle(lines > 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size ? size : 1);
	struct buf out, again;
	int plain;
	size_t skip;
	enum app_err e;

	if (!in)
		return 0;
	memcpy(in, data, size);
	buf_init(&out, OUT_CAP);
	buf_init(&again, OUT_CAP);
	e = subtitle_to_vtt(in, size, &out);
	oracle(e == APP_OK || e == APP_ERR_UNPROCESSABLE || e == APP_ERR_TOO_LARGE ||
	       e == APP_ERR_NOMEM);
	if (e == APP_OK) {
		int vtt = vtt_input(data, size, &plain, &skip);
		oracle(utf8_valid(out.data, out.len));
		if (vtt) {
			oracle(out.len >= 6 && !memcmp(out.data, "WEBVTT", 6));
			oracle(memmem(out.data, out.len, "-->", 3) != NULL);
			if (plain)
				oracle(out.len == size - skip &&
				       !memcmp(out.data, in + skip, out.len));
		} else {
			check_shape(out.data, out.len);
			/* WebVTT now: passed through as it is */
			oracle(subtitle_to_vtt(out.data, out.len, &again) == APP_OK);
			oracle(again.len == out.len && !memcmp(again.data, out.data, out.len));
		}
	}
	buf_reset(&again);
	oracle(subtitle_to_vtt(in, size, &again) == e);
	if (e == APP_OK)
		oracle(again.len == out.len && !memcmp(again.data, out.data, out.len));
	buf_release(&again);
	buf_release(&out);
	free(in);
	return 0;
}
