/*
 * media/subtitle_vtt.h: SRT, ASS/SSA and WebVTT in UTF-8, UTF-16 and
 * Windows-1252 to WebVTT, and what malformed input gets.
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
#include "core/text.h"
#include "media/subtitle_vtt.h"

static struct buf out;

/* in[0..n) converted with a 1 MiB output cap: the result must be want; the
 * output (valid UTF-8 when converted) stays in `out`. */
static const char *convert_n(const char *in, size_t n, enum app_err want)
{
	buf_release(&out);
	buf_init(&out, 1 << 20);
	assert_int_equal(subtitle_to_vtt(in, n, &out), want);
	if (want == APP_OK)
		assert_true(utf8_valid(out.data, out.len));
	return out.data;
}

static const char *convert(const char *in)
{
	return convert_n(in, strlen(in), APP_OK);
}

static void refused(const char *in, enum app_err want)
{
	convert_n(in, strlen(in), want);
}

static void srt_basic(void **state)
{
	(void)state;
	assert_string_equal(convert("1\n00:00:01,000 --> 00:00:02,500\nHello.\n\n"
	                            "2\n00:00:03,000 --> 00:01:04,042\nTwo\nlines\n"),
	                    "WEBVTT\n\n"
	                    "00:00:01.000 --> 00:00:02.500\nHello.\n\n"
	                    "00:00:03.000 --> 00:01:04.042\nTwo\nlines\n\n");
}

static void srt_crlf_bom_and_no_final_blank(void **state)
{
	(void)state;
	const char *want = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nWake up, Neo.\n\n"
	                   "00:00:03.000 --> 00:00:04.000\nFollow the white rabbit.\n\n";
	assert_string_equal(
	    convert("\xef\xbb\xbf"
	            "1\r\n00:00:01,000 --> 00:00:02,000\r\nWake up, Neo.\r\n\r\n"
	            "2\r\n00:00:03,000 --> 00:00:04,000\r\nFollow the white rabbit."),
	    want);
	/* old Mac line ends, and trailing blanks on the lines */
	assert_string_equal(convert("1\r00:00:01,000 --> 00:00:02,000  \rWake up, Neo.\r\r"
	                            "2\r00:00:03,000 --> 00:00:04,000\rFollow the white rabbit.\r"),
	                    want);
}

static void srt_tags_and_codes(void **state)
{
	(void)state;
	assert_string_equal(
	    convert("1\n00:00:01,000 --> 00:00:02,000\n"
	            "{\\an8}<I>It</I> <b>is</b> <u>so</u> <font color=\"#ffff00\">red</font>\n"
	            "Tom & Jerry <3 a>b {not a code} <s>struck</s>\n"),
	    "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n"
	    "<i>It</i> <b>is</b> <u>so</u> red\n"
	    "Tom &amp; Jerry &lt;3 a&gt;b {not a code} struck\n\n");
	/* a line that was nothing but codes goes; it would end the cue */
	assert_string_equal(convert("1\n00:00:01,000 --> 00:00:02,000\n{\\an8}\n<font x>\nText\n"),
	                    "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nText\n\n");
	/* "-->" in text cannot become a timing line; controls go, tabs stay */
	assert_string_equal(convert("1\n00:00:01,000 --> 00:00:02,000\nA --> B\x01\x7f\tC\n"),
	                    "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nA --&gt; B\tC\n\n");
	/* a "<" without its ">" on the line is text */
	assert_string_equal(convert("1\n00:00:01,000 --> 00:00:02,000\n<i unfinished\n"),
	                    "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n&lt;i unfinished\n\n");
}

static void srt_odd_spacing_and_times(void **state)
{
	(void)state;
	/* blank lines before, between and inside; no blank line before the
	 * next number; hours of 1 and 3 digits, "." as separator, no
	 * fraction, a short fraction, positions after the end time */
	assert_string_equal(
	    convert(
	        "\n\n\n1\n0:00:01,5-->0:00:02,25\nFirst\n2\n"
	        "00:00:03.000 --> 00:00:04.000 X1:10 X2:20 Y1:5 Y2:9\nSecond\n\n\n\nstill second\n"
	        "\n\n3\n100:00:00,000 --> 100:00:01\nThird\n\n\n"),
	    "WEBVTT\n\n"
	    "00:00:01.500 --> 00:00:02.250\nFirst\n\n"
	    "00:00:03.000 --> 00:00:04.000\nSecond\nstill second\n\n"
	    "100:00:00.000 --> 100:00:01.000\nThird\n\n");
	/* a number that is text: not followed by a timing line */
	assert_string_equal(convert("1\n00:00:01,000 --> 00:00:02,000\n42\n\n"
	                            "2\n00:00:03,000 --> 00:00:04,000\nx\n"),
	                    "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n42\n\n"
	                    "00:00:03.000 --> 00:00:04.000\nx\n\n");
}

static void srt_order_and_dropped_cues(void **state)
{
	(void)state;
	/* sorted by start, equal starts in file order; an end not after the
	 * start and a cue without text are dropped */
	assert_string_equal(convert("1\n00:00:05,000 --> 00:00:06,000\nlate\n\n"
	                            "2\n00:00:01,000 --> 00:00:02,000\nearly a\n\n"
	                            "3\n00:00:01,000 --> 00:00:03,000\nearly b\n\n"
	                            "4\n00:00:04,000 --> 00:00:04,000\nzero\n\n"
	                            "5\n00:00:04,000 --> 00:00:03,000\nbackwards\n\n"
	                            "6\n00:00:07,000 --> 00:00:08,000\n\n"),
	                    "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nearly a\n\n"
	                    "00:00:01.000 --> 00:00:03.000\nearly b\n\n"
	                    "00:00:05.000 --> 00:00:06.000\nlate\n\n");
}

static const char ass_head[] =
    "[Script Info]\nTitle: test\nScriptType: v4.00+\n\n"
    "[V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour, Bold\n"
    "Style: Default,Arial,20,&H00FFFFFF,0\n\n";

static void ass_events(void **state)
{
	char in[2048];
	(void)state;

	snprintf(
	    in, sizeof(in),
	    "%s[Events]\r\n"
	    "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\r\n"
	    "Comment: 0,0:00:00.00,0:00:09.00,Default,,0,0,0,,not shown\r\n"
	    "Dialogue: 0,0:00:03.50,0:00:05.00,Default,,0,0,0,,Well, well, well.\r\n"
	    "Dialogue: 0,0:00:01.00,0:00:02.25,Default,Neo,0,0,0,,{\\i1}Hello{\\i0}, "
	    "world.\\NSecond line\\nthird\\hword {a comment}& <x>\r\n"
	    "Dialogue: 0,0:00:06.00,0:00:07.00,Default,,0,0,0,,{\\pos(1,2)}\r\n"
	    "Dialogue: 0,10:00:00.00,10:00:01.00,Default,,0,0,0,,{unclosed\r\n",
	    ass_head);
	assert_string_equal(convert(in),
	                    "WEBVTT\n\n"
	                    "00:00:01.000 --> 00:00:02.250\nHello, world.\nSecond line\nthird word "
	                    "&amp; &lt;x&gt;\n\n"
	                    "00:00:03.500 --> 00:00:05.000\nWell, well, well.\n\n"
	                    "10:00:00.000 --> 10:00:01.000\n{unclosed\n\n");
}

static void ass_column_order(void **state)
{
	(void)state;
	/* the Format line decides: End before Start, fewer columns */
	assert_string_equal(convert("[Events]\nFormat: Layer, End, Start, Style, Text\n"
	                            "Dialogue: 0,0:00:02.00,0:00:01.00,Default,a, b\n"),
	                    "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\na, b\n\n");
	/* SSA v4 without a Format line: Marked first, Text tenth */
	assert_string_equal(
	    convert("[Script Info]\nScriptType: v4.00\n[Events]\n"
	            "Dialogue: Marked=0,0:00:01.00,0:00:02.00,*Default,,0000,0000,0000,,Hi, "
	            "there\n"),
	    "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHi, there\n\n");
	/* a Format line without Text makes the section's dialogues unreadable;
	 * a line with too few columns or a bad time is skipped */
	refused("[Events]\nFormat: Layer, Start, End\nDialogue: 0,0:00:01.00,0:00:02.00\n",
	        APP_ERR_UNPROCESSABLE);
	refused("[Events]\nDialogue: 0,0:00:01.00,0:00:02.00,Default\n"
	        "Dialogue: 0,0:00:01.00,0:0x:02.00,Default,,0,0,0,,text\n",
	        APP_ERR_UNPROCESSABLE);
	/* dialogues outside [Events] are not events */
	refused("[Script Info]\nDialogue: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,text\n",
	        APP_ERR_UNPROCESSABLE);
}

static void vtt_passthrough(void **state)
{
	(void)state;
	const char *vtt = "WEBVTT - a title\n\nNOTE kept\n\n1\n00:01.000 --> 00:02.000 line:0\n"
	                  "<v Neo>Hi</v>\n";
	assert_string_equal(convert(vtt), vtt);
	char bom[256];
	snprintf(bom, sizeof(bom), "\xef\xbb\xbf%s", vtt);
	assert_string_equal(convert(bom), vtt);
	/* a header without cues, or not followed by a separator, is no WebVTT */
	refused("WEBVTT\n\n", APP_ERR_UNPROCESSABLE);
	refused("WEBVTTX\n\n00:01.000 --> 00:02.000\nHi\n", APP_ERR_UNPROCESSABLE);
}

/* s (ASCII and the UTF-8 of BMP and astral characters) as UTF-16 with a
 * byte order mark into out; returns its length. */
static size_t utf16(const char *s, int be, char *o)
{
	size_t n = 0, len = strlen(s);
	uint32_t cps[256];
	size_t k = 0;

	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		int more = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
		uint32_t cp = more == 0   ? c
		              : more == 1 ? c & 0x1F
		              : more == 2 ? c & 0x0F
		                          : c & 0x07;
		for (int m = 1; m <= more; m++)
			cp = cp << 6 | ((unsigned char)s[i + m] & 0x3F);
		cps[k++] = cp;
		i += (size_t)more + 1;
	}
#define PUT(u)                                                                                     \
	do {                                                                                       \
		o[n++] = (char)(be ? (u) >> 8 : (u)&0xFF);                                         \
		o[n++] = (char)(be ? (u)&0xFF : (u) >> 8);                                         \
	} while (0)
	PUT(0xFEFFu);
	for (size_t i = 0; i < k; i++) {
		if (cps[i] >= 0x10000) {
			PUT(0xD800u + ((cps[i] - 0x10000) >> 10));
			PUT(0xDC00u + ((cps[i] - 0x10000) & 0x3FF));
		} else {
			PUT(cps[i]);
		}
	}
#undef PUT
	return n;
}

static void utf16_with_bom(void **state)
{
	char in[512];
	(void)state;
	const char *srt = "1\r\n00:00:01,000 --> 00:00:02,000\r\nCafé ♪ 😀\r\n";
	const char *want = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nCafé ♪ 😀\n\n";

	assert_string_equal(convert_n(in, utf16(srt, 0, in), APP_OK), want);
	assert_string_equal(convert_n(in, utf16(srt, 1, in), APP_OK), want);
	/* WebVTT in UTF-16 comes out in UTF-8 */
	assert_string_equal(
	    convert_n(in, utf16("WEBVTT\n\n00:01.000 --> 00:02.000\né\n", 0, in), APP_OK),
	    "WEBVTT\n\n00:01.000 --> 00:02.000\né\n");
	/* an unpaired surrogate and a lone last byte are U+FFFD */
	size_t n = utf16("1\n00:00:01,000 --> 00:00:02,000\nab", 0, in);
	in[n - 2] = 0x00;
	in[n - 1] = (char)0xD8; /* "b" became a high surrogate with nothing after it */
	in[n++] = 'x';          /* and a last odd byte */
	assert_string_equal(
	    convert_n(in, n, APP_OK),
	    "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\na\xef\xbf\xbd\xef\xbf\xbd\n\n");
}

static void windows_1252(void **state)
{
	(void)state;
	/* not UTF-8: read as Windows-1252 */
	assert_string_equal(
	    convert_n("1\n00:00:01,000 --> 00:00:02,000\nAm\xe9lie \x93quoted\x94 \x80 "
	              "\x81\n",
	              strlen("1\n00:00:01,000 --> 00:00:02,000\nAm\xe9lie \x93quoted\x94 "
	                     "\x80 \x81\n"),
	              APP_OK),
	    "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nAmélie “quoted” € \xef\xbf\xbd\n\n");
	/* well-formed UTF-8 is left alone, mojibake included */
	assert_string_equal(convert("1\n00:00:01,000 --> 00:00:02,000\nCafÃ© and café\n"),
	                    "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nCafÃ© and café\n\n");
	/* the decision is for the whole file: one stray byte makes every
	 * byte 1252, so the UTF-8 pair C3 A9 reads "Ã©" */
	assert_string_equal(convert("1\n00:00:01,000 --> 00:00:02,000\n\xc3\xa9 \xe9\n"),
	                    "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nÃ© é\n\n");
	/* a UTF-8 mark with an ill-formed byte: U+FFFD there, UTF-8 elsewhere */
	assert_string_equal(convert("\xef\xbb\xbf"
	                            "1\n00:00:01,000 --> 00:00:02,000\né\xff\n"),
	                    "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\né\xef\xbf\xbd\n\n");
}

static void malformed_and_truncated(void **state)
{
	static const char *const bad[] = {
	    "",
	    "\xef\xbb\xbf",
	    "\xff\xfe",
	    "\xfe\xff\x00",
	    "1",
	    "1\n00:00:01,000 -->",
	    "1\n00:00:01,000 --> \n",
	    "1\n00:00:01,000 --> 00:00:02,000",             /* no text */
	    "1\n00:00:01,000 --> 00:00:02,000\n\n\n",       /* no text */
	    "1\n00:60:01,000 --> 00:61:02,000\ntext\n",     /* minutes past 59 */
	    "1\n00:00:61,000 --> 00:00:62,000\ntext\n",     /* seconds past 59 */
	    "1\n1000:00:01,000 --> 1000:00:02,000\ntext\n", /* 4 hour digits */
	    "1\n00:00:01,0000 --> 00:00:02,000\ntext\n",    /* 4 fraction digits */
	    "1\n99999999999999999999:00:01,000 --> 0:0:2\ntext\n",
	    "1\n00:00:01,000 -> 00:00:02,000\ntext\n",
	    "1\n00:00:01,000 --> 00:00:02,000x\ntext\n",
	    "1\n:00:01,000 --> 00:00:02,000\ntext\n",
	    "1\n00:00:01, --> 00:00:02,000\ntext\n",
	    "{1}{25}MicroDVD is not read\n",
	    "[Events]\n",
	    "[Events]\nFormat:\nDialogue:\n",
	    "[Events]\nDialogue: 0,0:00:01.00\n",
	    "[Events]\nDialogue: 0,0:00:02.00,0:00:01.00,Default,,0,0,0,,backwards\n",
	    "[Events]\nFormat: ,,,,\nDialogue: ,,,,\n",
	    "WEBVTT",
	    "WEBVTT\n\n00:01.000 -",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		convert_n(bad[i], strlen(bad[i]), APP_ERR_UNPROCESSABLE);
	/* bytes the string literals cannot hold: NULs and binary */
	static const char nul[] = "1\n00:00:01,000\0 --> 00:00:02,000\ntext\n";
	convert_n(nul, sizeof(nul) - 1, APP_ERR_UNPROCESSABLE);
	static const char inner_nul[] = "1\n00:00:01,000 --> 00:00:02,000\nte\0xt\n";
	assert_string_equal(convert_n(inner_nul, sizeof(inner_nul) - 1, APP_OK),
	                    "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\ntext\n\n");
	char bin[4096];
	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (char)((i * 7919u) >> 3);
	convert_n(bin, sizeof(bin), APP_ERR_UNPROCESSABLE);
	/* every prefix of a valid file converts or is refused, never more */
	const char *whole = "1\r\n00:00:01,000 --> 00:00:02,000\r\n<i>a</i>\r\n\r\n2\r\n"
	                    "00:00:03,000 --> 00:00:04,000\r\nb";
	for (size_t n = 0; n <= strlen(whole); n++) {
		buf_release(&out);
		buf_init(&out, 1 << 20);
		enum app_err e = subtitle_to_vtt(whole, n, &out);
		assert_true(e == APP_OK || e == APP_ERR_UNPROCESSABLE);
		if (e == APP_OK)
			assert_memory_equal(out.data, "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n",
			                    38);
	}
}

static void limits(void **state)
{
	(void)state;
	/* past the input cap: refused before anything is read */
	char *big = malloc(SUBTITLE_VTT_MAX_INPUT + 1);
	assert_non_null(big);
	memset(big, 'a', SUBTITLE_VTT_MAX_INPUT + 1);
	convert_n(big, SUBTITLE_VTT_MAX_INPUT + 1, APP_ERR_TOO_LARGE);
	/* a line of 8 MiB of "{" (ASS) and of "<" (SRT) ends in bounded time */
	memcpy(big, "[Events]\nDialogue: 0,0:00:01.00,0:00:02.00,D,,0,0,0,,", 53);
	memset(big + 53, '{', SUBTITLE_VTT_MAX_INPUT - 53);
	convert_n(big, SUBTITLE_VTT_MAX_INPUT, APP_ERR_TOO_LARGE); /* 8 MiB of "{" > 1 MiB */
	memcpy(big, "1\n00:00:01,000 --> 00:00:02,000\n", 32);
	for (size_t i = 32; i < SUBTITLE_VTT_MAX_INPUT; i++)
		big[i] = i % 2 ? '<' : 'a';
	convert_n(big, SUBTITLE_VTT_MAX_INPUT, APP_ERR_TOO_LARGE);
	free(big);
	/* the output cap of the caller's buffer */
	struct buf small;
	buf_init(&small, 40);
	assert_int_equal(
	    subtitle_to_vtt("1\n00:00:01,000 --> 00:00:02,000\nHello there\n", 44, &small),
	    APP_ERR_TOO_LARGE);
	buf_release(&small);
	buf_init(&small, 40);
	assert_int_equal(
	    subtitle_to_vtt("WEBVTT\n\n00:01.000 --> 00:02.000\nHello there, you\n", 49, &small),
	    APP_ERR_TOO_LARGE);
	buf_release(&small);
}

static int teardown(void **state)
{
	(void)state;
	buf_release(&out);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(srt_basic),
	    cmocka_unit_test(srt_crlf_bom_and_no_final_blank),
	    cmocka_unit_test(srt_tags_and_codes),
	    cmocka_unit_test(srt_odd_spacing_and_times),
	    cmocka_unit_test(srt_order_and_dropped_cues),
	    cmocka_unit_test(ass_events),
	    cmocka_unit_test(ass_column_order),
	    cmocka_unit_test(vtt_passthrough),
	    cmocka_unit_test(utf16_with_bom),
	    cmocka_unit_test(windows_1252),
	    cmocka_unit_test(malformed_and_truncated),
	    cmocka_unit_test(limits),
	};
	buf_init(&out, 1 << 20);
	return cmocka_run_group_tests(tests, NULL, teardown);
}
