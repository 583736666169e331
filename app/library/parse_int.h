/*
 * parse_int: internals shared by parse.c (segments, combining), parse_scan.c
 * (tokens and markers), parse_title.c (titles) and parse_vocab.c (the token
 * vocabulary). Not part of the public API.
 */
#ifndef REVENGE_LIBRARY_PARSE_INT_H
#define REVENGE_LIBRARY_PARSE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "library/parse.h"

#define SEG_TOKENS 160

enum tok_kind {
	K_NONE = 0,
	K_SCREEN,
	K_SOURCE,
	K_VCODEC,
	K_ACODEC,
	K_HDR,
	K_EDITION,
	K_LANG,
	K_OTHER,   /* release noise that ends a title: proper, repack, 10bit... */
	K_EPISODE, /* episode / season markers */
	K_DATE,
	K_YEAR,
	K_ID,
	K_CRC,
	K_GROUP,
	K_SITE,
	K_FILM, /* "-f21-": a film number in a franchise; the title follows */
};

struct tok {
	uint16_t off, len; /* byte span in the segment */
	uint8_t brk;       /* inside brackets */
	uint8_t grp;       /* bracket group number (1 = first), 0 outside */
	uint8_t dash;      /* the separator run before this token holds a '-' */
	uint8_t kind;      /* enum tok_kind */
	uint8_t plain;     /* a vocabulary word used as a title word ("Spiders.Web.2019") */
	uint8_t range;     /* the separator run before holds '-', '+' or '~' ("01 ~ 12") */
	uint8_t alt;       /* the separator run before holds '/' ("Title / Alt Title") */
};

struct seg {
	const char *s;
	size_t len;
	struct tok t[SEG_TOKENS];
	int n;
	int lead_grp; /* bracket group that opens the segment, 0 none */
	int special;  /* a special or extra without an episode number was read
			 ("07.5", "NCOP"): no other number is an episode */
};

/* Tokenize s[0..len) into g (g keeps pointing into s) and classify the
 * tokens, filling r with what they say (r must be initialised). */
void seg_scan(struct seg *g, const char *s, size_t len, struct parsed_name *r);

/* A range longer than this ("1-99999") is not read as one, nor one that
 * ends further than this past the first episode; nor are more numbers than
 * this counted past the array (the JSON of a name stays small). */
#define EP_RANGE_MAX 999

/* Append an episode number (duplicates ignored; past NAME_EPISODES_MAX only
 * episode_last + 1 counts, see parse.h); a range adds from+1..to (from is
 * already there), nothing when longer than EP_RANGE_MAX. Both keep
 * episode_total and episode_last. */
void ep_add(struct parsed_name *r, int ep);
void ep_add_range(struct parsed_name *r, int from, int to);
/* Token j (a number after a range separator) as the end of a range from
 * from: its value, else -1. Up to EP_RANGE_MAX past from when written
 * tight or with '~' ("01-26", "101-124", "01 ~ 26"), 19 after a spaced
 * dash ("Show - 05 - 300 Spartans" names an episode). */
int range_to(const struct seg *g, int j, int from);

/* Token i is the first of the name proper (first, or right after the
 * leading bracket group). */
int name_start(const struct seg *g, int i);
/* Tokens i and i + 1 are written "N.NN" with nothing else between. */
int dotted_pair(const struct seg *g, int i);
/* Mark tokens [i, i + n) as episode markers; returns n. */
int mark_episode(struct seg *g, int i, int n);

/* Case-insensitive compare of token i with the ASCII word w. */
int tok_is(const struct seg *g, int i, const char *w);
/* The token is all digits (1..9 of them): its value, else -1. */
int tok_num(const struct seg *g, int i);

/* Digits with an optional "v2" revision or "of5" count ("07v2", "2of5"):
 * the number, else -1. At most 4 digits. */
int tok_numx(const struct seg *g, int i);
/* Roman numeral I..XX as a number, else -1. */
int tok_roman(const struct seg *g, int i);
/* Token i is an ambiguous vocabulary word that is also common in titles. */
int vocab_weak(const struct seg *g, int i);

/*
 * Match the vocabulary at token i: on success store the value in r (the
 * first value of a kind wins) and mark the tokens; returns the number of
 * tokens consumed, 0 when nothing matched.
 */
int vocab_match(struct seg *g, int i, struct parsed_name *r);

/* parse_special.c */

/* Specials and extras at token i ("SP01", "Special 3", "OVA_01", "EX01",
 * "OVA3.5", "EP07.5", "NCOP", "ED2"): fills r (season 0 and the episode,
 * or r->extra) and g->special; returns the tokens consumed, 0 for none. */
int special_at(struct seg *g, int i, struct parsed_name *r);
/* Token i is 1-3 digits followed by ".D" ("07.5", "02.5"): a fractional
 * anime number. */
int tok_fraction(const struct seg *g, int i);
/* Digits with one part letter a-c ("01b", "111C"): the number, else -1. */
int tok_part(const struct seg *g, int i);
/* Tokens i, i + 1 are a fractional number ("07.5"): mark them, season 0,
 * no episode (the providers number such specials their own way);
 * returns 2. */
int special_number(struct seg *g, int i, struct parsed_name *r);

/* parse_title.c */

/* Copy n bytes of src to dst (cap bytes, NUL included), cut on a UTF-8
 * character boundary when it does not fit. */
void copy_utf8(char *dst, size_t cap, const char *src, size_t n);
/* First title token of g: past a leading [group] / [website] bracket, a
 * "Site.com -" prefix, a leading one-token date and release facts. */
int title_begin(const struct seg *g);
/* End (exclusive) of the title that starts at token tb: the plain tokens
 * up to the first recognised or bracketed one, or tb's own bracket. */
int title_end(const struct seg *g, int tb);
/* Title text of tokens [b, e) into dst (cap bytes): separators as spaces,
 * stray punctuation trimmed, "Simpsons, The" turned round; "" when b >= e. */
void title_text(const struct seg *g, int b, int e, char *dst, size_t cap);
/* Fansub bracket runs ("[Group][国漫][西行纪][The Westward Ⅱ][17]"): move
 * [*tb, *te) to the last plain bracket in Latin script, if any. */
void bracket_title(const struct seg *g, int *tb, int *te);
/* '/'-separated alternatives in [*tb, *te): narrow to the first in Latin
 * script, else the first. */
void alternative_title(const struct seg *g, int *tb, int *te);
/* r->episode_title from the plain tokens after the episode markers or
 * date, not before token te (the title's end); a year read there ("S07E22
 * - 2000 Light Years") is taken back from r->year. */
void episode_title(struct seg *g, int te, struct parsed_name *r);

#endif
