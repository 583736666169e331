/*
 * unicode: code-point iteration and the matching key of a title, on top of
 * libutf8proc (the Unicode tables: decomposition, case folding, categories,
 * composition). This is the only file that includes <utf8proc.h>; the rest
 * of the program sees code points as uint32_t and strings as UTF-8.
 *
 * Ill-formed UTF-8 never makes a function fail. A byte that does not start
 * a well-formed sequence (bad lead byte, truncated sequence, overlong form,
 * encoded surrogate, past U+10FFFF) decodes alone, as an "escape": the
 * code point UNI_ESCAPE_BASE + byte (U+DC80..U+DCFF, lone low surrogates
 * that well-formed UTF-8 can never yield, the convention of Python's
 * "surrogateescape"). Iteration is therefore lossless and distinguishes
 * every invalid byte from every character.
 *
 * Pure functions of their arguments: no allocation, no global state,
 * thread-safe.
 */
#ifndef REVENGE_CORE_UNICODE_H
#define REVENGE_CORE_UNICODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UNI_ESCAPE_BASE 0xDC00u

/* true when cp is the escape of an invalid byte (its byte: cp & 0xFF). */
static inline bool uni_is_escape(uint32_t cp)
{
	return cp >= UNI_ESCAPE_BASE + 0x80 && cp <= UNI_ESCAPE_BASE + 0xFF;
}

/* Decode the character at s[0..n), n >= 1, into *cp. Returns its length
 * in bytes (1..4). An ill-formed byte gives its escape and length 1. */
size_t uni_next(const char *s, size_t n, uint32_t *cp);

/* Decode s[0..n) into cps[0..max): the number of code points stored.
 * Decoding stops when max code points have been stored (max 0 stores
 * nothing). */
size_t uni_decode(const char *s, size_t n, uint32_t *cps, size_t max);

/* cp as UTF-8 in out[0..4): its length, 1..4. A surrogate or a value
 * past U+10FFFF is written as U+FFFD (3 bytes), so the output is always
 * well-formed. */
size_t uni_encode(uint32_t cp, char out[4]);

/* The character byte b stands for in Windows-1252: 0x00..0x7F and
 * 0xA0..0xFF are themselves (Latin-1), 0x80..0x9F the 1252 punctuation and
 * letters (U+20AC for 0x80, U+2019 for 0x92...), U+FFFD for the five
 * bytes 1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D). */
uint32_t uni_from_1252(unsigned char b);

/* The matching key of s[0..n) in out[0..cap), NUL-terminated (nothing is
 * written when cap is 0). Returns the key's length in bytes, NUL
 * excluded. Two titles a person would call the same spelling give the
 * same key:
 *
 *   - compatibility normalisation (NFKC): full-width and half-width forms,
 *     ligatures (ﬁ), superscripts, Roman numeral signs (Ⅱ = ii), circled
 *     digits become their plain letters and digits;
 *   - Unicode full case folding: МОСКВА = москва, Ζ = ζ, final ς = σ,
 *     ß and ẞ = ss, İ = i;
 *   - diacritics removed: the marks of the Combining Diacritical Marks
 *     blocks (é, ț with comma below, ệ, ё), Cyrillic combining marks,
 *     Hebrew points and Arabic harakat. Marks that spell a different
 *     letter in their script are kept: Japanese voicing marks (が is not
 *     か), Indic vowel signs and viramas, Thai vowels. Decomposed input
 *     (macOS and SMB write "e" + U+0301) gives the same key as
 *     precomposed input, and the kept marks are recomposed (NFC), so
 *     half-width ｶﾞ = ガ;
 *   - Latin letters that Unicode does not decompose are spelled in ASCII:
 *     æ = ae, œ = oe, ø = o, ł = l, đ = ð = d, þ = th, ı = i, ħ = h,
 *     ŧ = t, ŋ = n, ĸ = k, ŀ = l, and the Latin Extended-B letters with
 *     stroke (ƀ ƒ ǥ ɨ ʉ ƶ);
 *   - apostrophes (' ’ ‘ ʼ ʻ ` ´ ＇) vanish: "Schindler's" = "schindlers";
 *   - "&" (and its full-width and small forms) is the word "and";
 *   - every run of anything else that is not a letter, digit or kept mark
 *     (spaces, punctuation, controls, symbols and emoji, ™ and № too
 *     though NFKC would spell them with letters) is one space; the key
 *     has no leading or trailing space. Default-ignorable characters
 *     (soft hyphen, zero-width joiners, variation selectors) vanish.
 *
 * Escapes (invalid bytes) are read as Windows-1252 (the encoding of most
 * non-UTF-8 names on SMB shares), so "Am\xe9lie" = "Amélie"; the five
 * bytes 1252 leaves undefined are separators. The key is always
 * well-formed UTF-8.
 *
 * The key is cut on a character boundary when it does not fit: it holds
 * every character that fits, in order, and nothing after the first one
 * that did not. Words of more than UNI_WORD_MAX code points after
 * decomposition are composed in pieces, which only pathological input
 * (thousands of stacked marks) can tell apart.
 *
 * Not done: script conversions (Hiragana/Katakana, Traditional/Simplified
 * Chinese, transliteration of Cyrillic or Greek into Latin); marks of
 * other scripts than those listed are kept. */
size_t uni_fold(const char *s, size_t n, char *out, size_t cap);

/* Code points of decomposed text one word is composed in at a time. */
#define UNI_WORD_MAX 512

#endif
