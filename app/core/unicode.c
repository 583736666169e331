#include "core/unicode.h"

#include <assert.h>
#include <utf8proc.h>

size_t uni_next(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned c = p[0];
	size_t need;
	uint32_t v, lowest;

	assert(n >= 1);
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	/* lead bytes C0, C1 and F5..FF can only start overlong or
	 * out-of-range forms; the checks below refuse those anyway */
	if ((c & 0xE0) == 0xC0) {
		need = 1, v = c & 0x1F, lowest = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		need = 2, v = c & 0x0F, lowest = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		need = 3, v = c & 0x07, lowest = 0x10000;
	} else {
		goto escape;
	}
	if (n <= need)
		goto escape;
	for (size_t k = 1; k <= need; k++) {
		if ((p[k] & 0xC0) != 0x80)
			goto escape;
		v = (v << 6) | (p[k] & 0x3F);
	}
	if (v < lowest || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		goto escape;
	*cp = v;
	return need + 1;
escape:
	*cp = UNI_ESCAPE_BASE + c;
	return 1;
}

size_t uni_decode(const char *s, size_t n, uint32_t *cps, size_t max)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k < max;)
		i += uni_next(s + i, n - i, &cps[k++]);
	return k;
}

size_t uni_encode(uint32_t cp, char out[4])
{
	unsigned char *o = (unsigned char *)out;

	if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		cp = 0xFFFD;
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/* ---- the matching key -------------------------------------------------- */

/* NFKD with full case folding, default-ignorables dropped; the marks are
 * filtered and the rest recomposed word by word (flush_word). */
#define DECOMPOSE (UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE)

/* Longest decomposition of one code point (U+FDFA gives 18). */
#define DECOMP_MAX 32

struct fold {
	char *out;
	size_t cap, o;
	bool sep;  /* a separator is pending before the next character */
	bool full; /* a character did not fit: write nothing more */
	size_t n;  /* code points in w */
	utf8proc_int32_t w[UNI_WORD_MAX];
};

uint32_t uni_from_1252(unsigned char b)
{
	static const uint16_t c1[32] = {
	    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
	    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
	    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};
	return b >= 0x80 && b < 0xA0 ? c1[b - 0x80] : b;
}

/* Characters written as apostrophes in titles: they join, never split. */
static bool apostrophe(uint32_t c)
{
	return c == '\'' || c == '`' || c == 0xB4 || c == 0x2018 || c == 0x2019 || c == 0x201B ||
	       c == 0x02BB || c == 0x02BC || c == 0xFF07;
}

/* Diacritics a reader may omit without changing the word: the generic
 * combining blocks (Latin, Greek, Cyrillic use them), Cyrillic titlo and
 * friends, Hebrew points, Arabic harakat. Script-specific marks that make
 * another letter (kana voicing, Indic vowel signs) are not listed. */
static bool diacritic(uint32_t c)
{
	return (c >= 0x0300 && c <= 0x036F) || (c >= 0x0483 && c <= 0x0489) ||
	       (c >= 0x0591 && c <= 0x05C7 &&
	        utf8proc_category((utf8proc_int32_t)c) == UTF8PROC_CATEGORY_MN) ||
	       (c >= 0x0610 && c <= 0x061A) || (c >= 0x064B && c <= 0x065F) || c == 0x0670 ||
	       (c >= 0x1AB0 && c <= 0x1AFF) || (c >= 0x1DC0 && c <= 0x1DFF) ||
	       (c >= 0x20D0 && c <= 0x20FF) || (c >= 0xFE20 && c <= 0xFE2F);
}

/* Lower-case Latin letters Unicode gives no decomposition, in ASCII. */
static const char *latin_letter(uint32_t c)
{
	static const struct {
		uint16_t cp;
		char s[3];
	} t[] = {{0x00E6, "ae"}, {0x00F0, "d"}, {0x00F8, "o"}, {0x00FE, "th"}, {0x0111, "d"},
	         {0x0127, "h"},  {0x0131, "i"}, {0x0138, "k"}, {0x0142, "l"},  {0x014B, "n"},
	         {0x0153, "oe"}, {0x0167, "t"}, {0x0180, "b"}, {0x0192, "f"},  {0x01B6, "z"},
	         {0x01E5, "g"},  {0x0268, "i"}, {0x0289, "u"}};

	if (c < 0xE6 || c > 0x289)
		return NULL;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].cp == c)
			return t[i].s;
	return NULL;
}

/* Letters, digits and marks make words; so do unassigned and private-use
 * code points (they may be letters of a newer Unicode or a private
 * script); everything else separates. */
static bool word_char(uint32_t c)
{
	switch (utf8proc_category((utf8proc_int32_t)c)) {
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
	case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC:
	case UTF8PROC_CATEGORY_ME:
	case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO:
	case UTF8PROC_CATEGORY_CN:
	case UTF8PROC_CATEGORY_CO:
		return true;
	default:
		return false;
	}
}

/* Symbols separate words even when NFKC spells them with letters. */
static bool symbol(uint32_t c)
{
	utf8proc_category_t k = utf8proc_category((utf8proc_int32_t)c);
	return k == UTF8PROC_CATEGORY_SM || k == UTF8PROC_CATEGORY_SC ||
	       k == UTF8PROC_CATEGORY_SK || k == UTF8PROC_CATEGORY_SO;
}

/* Append bytes of one character (or an ASCII spelling), after the pending
 * separator; once something does not fit, nothing more is written. */
static void emit(struct fold *f, const char *b, size_t len)
{
	size_t space = f->sep && f->o;

	if (f->full)
		return;
	if (f->o + space + len + 1 > f->cap) {
		f->full = true;
		return;
	}
	if (space)
		f->out[f->o++] = ' ';
	for (size_t i = 0; i < len; i++)
		f->out[f->o++] = b[i];
	f->sep = false;
}

/* Canonical ordering (stable sort of each run of non-starters by
 * combining class), which per-character decomposition does not do. */
static void reorder(utf8proc_int32_t *w, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		int cc = utf8proc_get_property(w[i])->combining_class;
		if (!cc)
			continue;
		for (size_t j = i; j > 0; j--) {
			int prev = utf8proc_get_property(w[j - 1])->combining_class;
			if (!prev || prev <= cc)
				break;
			utf8proc_int32_t t = w[j];
			w[j] = w[j - 1];
			w[j - 1] = t;
		}
	}
}

/* Drop the diacritics of the decomposed word, recompose what is left
 * (NFC), spell it out. */
static void flush_word(struct fold *f)
{
	size_t k = 0;

	for (size_t i = 0; i < f->n; i++)
		if (!diacritic((uint32_t)f->w[i]))
			f->w[k++] = f->w[i];
	f->n = 0;
	if (!k)
		return;
	reorder(f->w, k);
	utf8proc_ssize_t m =
	    utf8proc_normalize_utf32(f->w, (utf8proc_ssize_t)k, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
	for (utf8proc_ssize_t i = 0; i < m && !f->full; i++) {
		const char *ascii = latin_letter((uint32_t)f->w[i]);
		utf8proc_uint8_t b[4];

		if (ascii) {
			size_t len = ascii[1] ? 2 : 1;
			emit(f, ascii, len);
		} else {
			utf8proc_ssize_t len = utf8proc_encode_char(f->w[i], b);
			emit(f, (const char *)b, (size_t)len);
		}
	}
}

/* One code point of the decomposed text. */
static void take(struct fold *f, uint32_t c)
{
	if (apostrophe(c))
		return;
	if (c == '&') {
		flush_word(f);
		f->sep = true;
		emit(f, "and", 3);
		f->sep = true;
		return;
	}
	if (!word_char(c)) {
		flush_word(f);
		f->sep = true;
		return;
	}
	if (f->n == UNI_WORD_MAX)
		flush_word(f);
	f->w[f->n++] = (utf8proc_int32_t)c;
}

size_t uni_fold(const char *s, size_t n, char *out, size_t cap)
{
	struct fold f = {.out = out, .cap = cap};

	if (!cap)
		return 0;
	for (size_t i = 0; i < n && !f.full;) {
		uint32_t c;
		utf8proc_int32_t d[DECOMP_MAX];

		i += uni_next(s + i, n - i, &c);
		if (uni_is_escape(c))
			c = uni_from_1252((unsigned char)(c & 0xFF));
		if (c == 0x013F || c == 0x0140)
			c = 'l'; /* ŀ is "l" + middle dot, and the dot would split the word */
		if (apostrophe(c))
			continue; /* before decomposition: ´ decomposes into space + mark */
		if (symbol(c)) {
			take(&f, ' '); /* before decomposition: ™ would be the letters "tm" */
			continue;
		}
		utf8proc_ssize_t k = utf8proc_decompose_char((utf8proc_int32_t)c, d, DECOMP_MAX,
		                                             (utf8proc_option_t)DECOMPOSE, NULL);
		if (k < 0 || k > DECOMP_MAX) {
			take(&f, ' ');
			continue;
		}
		for (utf8proc_ssize_t j = 0; j < k; j++)
			take(&f, (uint32_t)d[j]);
	}
	flush_word(&f);
	out[f.o] = '\0';
	return f.o;
}
