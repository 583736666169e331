/*
 * unicode: code-point iteration and the matching key of a title
 * (app/core/unicode.c on libutf8proc).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/text.h"
#include "core/unicode.h"

/* The key of s (a C string) in a buffer that always fits. */
static const char *key(const char *s)
{
	static char out[2][1024];
	static int turn;
	char *o = out[turn ^= 1];
	size_t n = uni_fold(s, strlen(s), o, sizeof(out[0]));
	assert_int_equal(n, strlen(o));
	assert_true(utf8_valid(o, n));
	return o;
}

static void same(const char *a, const char *b)
{
	assert_string_equal(key(a), key(b));
}

static void differ(const char *a, const char *b)
{
	assert_string_not_equal(key(a), key(b));
}

static void next_decodes(const char *s, size_t n, uint32_t want, size_t want_len)
{
	uint32_t cp;
	assert_int_equal(uni_next(s, n, &cp), want_len);
	assert_int_equal(cp, want);
}

static void iteration(void **state)
{
	(void)state;
	next_decodes("A", 1, 'A', 1);
	next_decodes("é", 2, 0xE9, 2);
	next_decodes("€", 3, 0x20AC, 3);
	next_decodes("😀", 4, 0x1F600, 4);
	next_decodes("\xf4\x8f\xbf\xbf", 4, 0x10FFFF, 4);
	/* ill-formed: each byte alone, as its escape */
	next_decodes("\x80", 1, UNI_ESCAPE_BASE + 0x80, 1);             /* lone continuation */
	next_decodes("\xc3", 1, UNI_ESCAPE_BASE + 0xC3, 1);             /* truncated */
	next_decodes("\xe2\x82", 2, UNI_ESCAPE_BASE + 0xE2, 1);         /* truncated */
	next_decodes("\xc3(", 2, UNI_ESCAPE_BASE + 0xC3, 1);            /* bad continuation */
	next_decodes("\xc0\x80", 2, UNI_ESCAPE_BASE + 0xC0, 1);         /* overlong NUL */
	next_decodes("\xe0\x80\xaf", 3, UNI_ESCAPE_BASE + 0xE0, 1);     /* overlong '/' */
	next_decodes("\xed\xa0\x80", 3, UNI_ESCAPE_BASE + 0xED, 1);     /* surrogate D800 */
	next_decodes("\xf4\x90\x80\x80", 4, UNI_ESCAPE_BASE + 0xF4, 1); /* past U+10FFFF */
	next_decodes("\xff", 1, UNI_ESCAPE_BASE + 0xFF, 1);
	assert_true(uni_is_escape(UNI_ESCAPE_BASE + 0x80));
	assert_true(uni_is_escape(UNI_ESCAPE_BASE + 0xFF));
	assert_false(uni_is_escape(UNI_ESCAPE_BASE + 0x7F));
	assert_false(uni_is_escape(0xE9));

	/* a whole string; an invalid byte is one code point of its own */
	uint32_t cps[8];
	const char *s = "Ame\xcc\x81l\xe9";
	assert_int_equal(uni_decode(s, strlen(s), cps, 8), 6);
	assert_int_equal(cps[3], 0x301);
	assert_int_equal(cps[5], UNI_ESCAPE_BASE + 0xE9);
	assert_int_equal(uni_decode(s, strlen(s), cps, 2), 2);
	assert_int_equal(uni_decode(s, strlen(s), cps, 0), 0);
	assert_int_equal(uni_decode("", 0, cps, 8), 0);
}

static void case_and_width(void **state)
{
	(void)state;
	same("МОСКВА", "Москва");
	assert_string_equal(key("МОСКВА"), "москва");
	same("Ζ", "ζ");
	/* final sigma folds like the others */
	same("ΟΔΥΣΣΕΥΣ", "οδυσσευς");
	same("ＡＫＩＲＡ", "AKIRA");
	assert_string_equal(key("ＡＫＩＲＡ"), "akira");
	same("İstanbul", "istanbul");
	/* NFKC: ligatures, Roman numeral signs, superscripts, circled digits */
	same("ﬁnal", "final");
	same("Rocky Ⅱ", "Rocky II");
	same("x²", "x2");
	same("①", "1");
	/* half-width katakana recomposes its voicing mark */
	same("ｶﾞﾝﾀﾞﾑ", "ガンダム");
	/* Hangul decomposed (as macOS writes it) = precomposed */
	same("\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab", "한");
}

static void marks(void **state)
{
	(void)state;
	/* decomposed (macOS, SMB) = precomposed = plain */
	same("Ame\xcc\x81lie", "Amélie");
	same("Amélie", "Amelie");
	assert_string_equal(key("Ame\xcc\x81lie"), "amelie");
	/* comma below, cedilla, stacked Vietnamese marks, diaeresis */
	same("Taț", "Tat");
	same("Ţară", "Tara");
	same("Tiếng Việt", "Tieng Viet");
	same("Ёлки", "Елки");
	/* Hebrew points */
	same("שָׁלוֹם", "שלום");
	/* marks that make another letter stay: が is not か, Hindi keeps its
	 * vowel signs and virama */
	differ("が", "か");
	assert_string_equal(key("हिन्दी"), "हिन्दी");
	/* kept marks in either order are the same text (canonical order:
	 * nukta, class 7, before virama, class 9) */
	same("\xe0\xa4\x95\xe0\xa4\xbc\xe0\xa5\x8d", "\xe0\xa4\x95\xe0\xa5\x8d\xe0\xa4\xbc");
	/* a pile of marks on one letter (more than a word buffer) */
	char zalgo[1 + 2 * 3000 + 1];
	zalgo[0] = 'e';
	for (int i = 0; i < 3000; i++)
		memcpy(zalgo + 1 + 2 * i, "\xcc\x81", 2);
	zalgo[sizeof(zalgo) - 1] = 0;
	assert_string_equal(key(zalgo), "e");
}

static void letters_and_ligatures(void **state)
{
	(void)state;
	/* decided: NFKC leaves Œ and Æ alone, so they are spelled oe and ae;
	 * ß is ss by Unicode case folding */
	same("Œuvre", "OEuvre");
	same("Œuvre", "oeuvre");
	assert_string_equal(key("Œuvre"), "oeuvre");
	same("Ærø", "aero");
	same("Straße", "STRASSE");
	same("ẞ", "ss");
	same("Łódź", "Lodz");
	same("Þór", "Thor");
	same("Đorđe", "Dorde");
	same("ı", "i");
	same("col·lecció", "col leccio");
	same("Ŀ", "l");
}

static void separators_and_apostrophes(void **state)
{
	(void)state;
	assert_string_equal(key("  WALL·E  "), "wall e");
	assert_string_equal(key("Léon: The Professional"), "leon the professional");
	assert_string_equal(key("Fast & Furious"), "fast and furious");
	same("Fast ＆ Furious", "Fast and Furious");
	same("Schindler's List", "Schindlers List");
	same("Schindler’s List", "Schindlers List");
	same("Schindler´s List", "Schindlers List");
	same("Hawaiʻi", "Hawaii");
	/* symbols separate, even the ones NFKC spells with letters */
	assert_string_equal(key("WALL-E™"), "wall e");
	assert_string_equal(key("Love 💔 Actually"), "love actually");
	/* default-ignorables vanish inside words */
	same("soft\xc2\xadhyphen", "softhyphen");
	same("a\xe2\x80\x8b"
	     "b",
	     "ab");
	assert_string_equal(key(""), "");
	assert_string_equal(key(" -- ! "), "");
	/* embedded NUL and controls separate */
	char out[32];
	assert_int_equal(uni_fold("a\0b\tc", 5, out, sizeof(out)), 5);
	assert_string_equal(out, "a b c");
}

static void invalid_utf8(void **state)
{
	(void)state;
	/* invalid bytes read as Windows-1252: Latin-1 names from old shares */
	same("Am\xe9lie", "Amélie");
	same("Schindler\x92s List", "Schindlers List");
	same("\x8cuvre", "oeuvre");
	/* the five bytes 1252 leaves undefined separate */
	assert_string_equal(key("a\x81"
	                        "b"),
	                    "a b");
	/* truncated and overlong sequences never crash and give valid UTF-8 */
	assert_string_equal(key("\xc3"), "a");
	key("\xe2\x82");
	key("\xed\xa0\x80\xf4\x90\x80\x80\xc0\x80\xff\xfe");
	/* every byte value, in every position */
	char all[256 * 2];
	for (int i = 0; i < 256; i++) {
		all[2 * i] = (char)i;
		all[2 * i + 1] = (char)(255 - i);
	}
	char out[2048];
	size_t n = uni_fold(all, sizeof(all), out, sizeof(out));
	assert_true(n < sizeof(out));
	assert_true(utf8_valid(out, n));
	assert_int_equal(strlen(out), n);
}

static void capped_output(void **state)
{
	char out[8];
	(void)state;

	/* cap 0 writes nothing */
	out[0] = 'x';
	assert_int_equal(uni_fold("abc", 3, out, 0), 0);
	assert_int_equal(out[0], 'x');
	assert_int_equal(uni_fold("abc", 3, out, 1), 0);
	assert_string_equal(out, "");
	/* never a split character, never a later character after a gap */
	assert_int_equal(uni_fold("日本語", strlen("日本語"), out, 7), 6);
	assert_string_equal(out, "日本");
	assert_int_equal(uni_fold("日本語", strlen("日本語"), out, 6), 3);
	assert_string_equal(out, "日");
	assert_int_equal(uni_fold("ab 日 c", strlen("ab 日 c"), out, 6), 2);
	assert_string_equal(out, "ab");
	/* a cut key is a prefix of the whole key */
	const char *t = "Le Fabuleux Destin d'Amélie Poulain";
	char whole[64];
	size_t wn = uni_fold(t, strlen(t), whole, sizeof(whole));
	for (size_t cap = 1; cap <= wn + 1; cap++) {
		char part[64];
		size_t pn = uni_fold(t, strlen(t), part, cap);
		assert_true(pn < cap);
		assert_memory_equal(part, whole, pn);
	}
	/* a word longer than the word buffer is kept whole */
	char *big = malloc(3 * UNI_WORD_MAX + 1), *kb = malloc(3 * UNI_WORD_MAX + 1);
	assert_non_null(big);
	assert_non_null(kb);
	memset(big, 'A', 3 * UNI_WORD_MAX);
	big[3 * UNI_WORD_MAX] = 0;
	assert_int_equal(uni_fold(big, strlen(big), kb, 3 * UNI_WORD_MAX + 1), 3 * UNI_WORD_MAX);
	assert_int_equal(kb[0], 'a');
	assert_int_equal(kb[3 * UNI_WORD_MAX - 1], 'a');
	free(big);
	free(kb);
}

static void encode_and_1252(void **state)
{
	char out[4];
	uint32_t back;
	(void)state;

	/* every length, and each decodes back to itself */
	const uint32_t cps[] = {0x41, 0xE9, 0x20AC, 0x1F600, 0x7F, 0x80, 0x7FF, 0x800, 0xFFFF,
	                        0x10000, 0x10FFFF};
	const size_t lens[] = {1, 2, 3, 4, 1, 2, 2, 3, 3, 4, 4};
	for (size_t i = 0; i < sizeof(cps) / sizeof(cps[0]); i++) {
		assert_int_equal(uni_encode(cps[i], out), lens[i]);
		assert_int_equal(uni_next(out, lens[i], &back), lens[i]);
		assert_int_equal(back, cps[i]);
	}
	/* surrogates and values past U+10FFFF are U+FFFD */
	assert_int_equal(uni_encode(0xD800, out), 3);
	assert_memory_equal(out, "\xef\xbf\xbd", 3);
	assert_int_equal(uni_encode(0x110000, out), 3);
	assert_memory_equal(out, "\xef\xbf\xbd", 3);
	/* Windows-1252: ASCII and Latin-1 as they are, the C1 row its own */
	assert_int_equal(uni_from_1252('a'), 'a');
	assert_int_equal(uni_from_1252(0xE9), 0xE9);
	assert_int_equal(uni_from_1252(0x80), 0x20AC);
	assert_int_equal(uni_from_1252(0x92), 0x2019);
	assert_int_equal(uni_from_1252(0x9F), 0x178);
	assert_int_equal(uni_from_1252(0x81), 0xFFFD);
	assert_int_equal(uni_from_1252(0x9D), 0xFFFD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(iteration),
	    cmocka_unit_test(case_and_width),
	    cmocka_unit_test(marks),
	    cmocka_unit_test(letters_and_ligatures),
	    cmocka_unit_test(separators_and_apostrophes),
	    cmocka_unit_test(invalid_utf8),
	    cmocka_unit_test(capped_output),
	    cmocka_unit_test(encode_and_1252),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
