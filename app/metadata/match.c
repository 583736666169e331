#include "metadata/match.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

/* Decode one UTF-8 character at s (n bytes left); *len receives its length.
 * Invalid bytes decode as themselves, one byte long. */
static uint32_t utf8_next(const unsigned char *s, size_t n, size_t *len)
{
	if (s[0] < 0x80 || n < 2) {
		*len = 1;
		return s[0];
	}
	if ((s[0] & 0xE0) == 0xC0 && (s[1] & 0xC0) == 0x80) {
		*len = 2;
		return ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
	}
	if ((s[0] & 0xF0) == 0xE0 && n >= 3 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
		*len = 3;
		return ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
	}
	if ((s[0] & 0xF8) == 0xF0 && n >= 4 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80 &&
	    (s[3] & 0xC0) == 0x80) {
		*len = 4;
		return ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
		       ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
	}
	*len = 1;
	return s[0];
}

/* Latin-1 Supplement and Latin Extended-A letters to ASCII (lower case);
 * NULL when the code point is not one of them. */
static const char *fold_latin(uint32_t c, char one[2])
{
	static const char *const l1[64] = {
	    /* C0 */ "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	    /* D0 */ "d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "ss",
	    /* E0 */ "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	    /* F0 */ "d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "y"};
	/* U+0100..U+017F, pairs of upper/lower case */
	static const char ext_a[] = "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiijjjjkkkllllll"
				    "llllnnnnnnnnnoooooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";

	if (c >= 0xC0 && c <= 0xFF)
		return l1[c - 0xC0];
	if (c >= 0x100 && c <= 0x17F && c - 0x100 < sizeof(ext_a) - 1) {
		one[0] = ext_a[c - 0x100];
		one[1] = 0;
		return one;
	}
	return NULL;
}

void title_normalize(const char *in, char *out, size_t cap)
{
	const unsigned char *s = (const unsigned char *)(in ? in : "");
	size_t n = strlen((const char *)s), o = 0;
	bool space = true; /* at the start: no leading blank */

	if (!cap)
		return;
	for (size_t i = 0; i < n;) {
		size_t len;
		uint32_t c = utf8_next(s + i, n - i, &len);
		const char *rep = NULL;
		char one[2] = {0, 0};

		if (c < 0x80) {
			if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
				one[0] = (char)c;
				rep = one;
			} else if (c >= 'A' && c <= 'Z') {
				one[0] = (char)(c | 0x20);
				rep = one;
			} else if (c == '&') {
				rep = " and ";
			} else if (c == '\'') {
				rep = ""; /* "Schindler's" = "schindlers" */
			} else {
				rep = " ";
			}
		} else if ((rep = fold_latin(c, one))) {
			/* folded */
		} else if (c == 0x2019 || c == 0x2018) {
			rep = "";
		} else if ((c >= 0x2000 && c <= 0x206F) || c == 0xB7 || c == 0x3000 || c == 0x30FB ||
			   c == 0xFF1A) {
			rep = " "; /* general punctuation and CJK separators */
		}
		if (rep) {
			for (const char *r = rep; *r; r++) {
				if (*r == ' ') {
					if (!space && o + 1 < cap) {
						out[o++] = ' ';
						space = true;
					}
				} else if (o + 1 < cap) {
					out[o++] = *r;
					space = false;
				}
			}
		} else if (o + len < cap) {
			/* another script: kept as it is */
			memcpy(out + o, s + i, len);
			o += len;
			space = false;
		}
		i += len;
	}
	while (o && out[o - 1] == ' ')
		o--;
	out[o] = 0;
	static const char *const articles[] = {"the ", "a ", "an ", NULL};
	for (int k = 0; articles[k]; k++) {
		size_t al = strlen(articles[k]);
		if (o > al && !strncmp(out, articles[k], al)) {
			memmove(out, out + al, o - al + 1);
			break;
		}
	}
}

static size_t decode_all(const char *s, uint32_t *cp, size_t max)
{
	size_t n = strlen(s), k = 0;
	for (size_t i = 0; i < n && k < max;) {
		size_t len;
		cp[k++] = utf8_next((const unsigned char *)s + i, n - i, &len);
		i += len;
	}
	return k;
}

double title_similarity(const char *a, const char *b)
{
	char na[MATCH_TITLE_MAX], nb[MATCH_TITLE_MAX];
	uint32_t ca[MATCH_TITLE_MAX], cb[MATCH_TITLE_MAX];
	unsigned row[MATCH_TITLE_MAX + 1];

	title_normalize(a, na, sizeof(na));
	title_normalize(b, nb, sizeof(nb));
	size_t la = decode_all(na, ca, MATCH_TITLE_MAX), lb = decode_all(nb, cb, MATCH_TITLE_MAX);
	if (!la && !lb)
		return 0.0;
	if (!la || !lb)
		return 0.0;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned diag = row[0];
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned up = row[j];
			unsigned best = diag + (ca[i - 1] != cb[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	size_t longer = la > lb ? la : lb;
	return 1.0 - (double)row[lb] / (double)longer;
}

int year_of(const char *date)
{
	int y = 0;
	if (!date)
		return 0;
	for (int i = 0; i < 4; i++) {
		if (date[i] < '0' || date[i] > '9')
			return 0;
		y = y * 10 + (date[i] - '0');
	}
	if (date[4] && date[4] != '-')
		return 0;
	return y >= 1870 && y <= 2200 ? y : 0;
}

static const char *str_member(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double num_member(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : 0.0;
}

static double best_sim(const char *title, const char *cand, double best)
{
	if (cand && cand[0]) {
		double s = title_similarity(title, cand);
		if (s > best)
			return s;
	}
	return best;
}

int match_confidence(const char *title, int year, const cJSON *c, bool tv,
		     const char *const *alt_titles)
{
	double sim = 0.0, pop;
	int score, cy;

	if (!cJSON_IsObject(c) || !title || !title[0])
		return 0;
	sim = best_sim(title, str_member(c, tv ? "name" : "title"), sim);
	sim = best_sim(title, str_member(c, tv ? "original_name" : "original_title"), sim);
	for (int i = 0; alt_titles && alt_titles[i]; i++)
		sim = best_sim(title, alt_titles[i], sim);
	score = (int)lround(sim * 80.0);
	cy = year_of(str_member(c, tv ? "first_air_date" : "release_date"));
	if (year && cy) {
		int d = abs(year - cy);
		score += d == 0 ? 20 : d == 1 ? 10 : -20;
	}
	pop = num_member(c, "popularity");
	if (pop > 0)
		score += pop >= 100 ? 2 : pop >= 10 ? 1 : 0;
	return score < 0 ? 0 : score > 100 ? 100 : score;
}

struct scored {
	int index, conf;
	double pop;
};

static int by_score(const void *a, const void *b)
{
	const struct scored *x = a, *y = b;
	if (x->conf != y->conf)
		return y->conf - x->conf;
	return (y->pop > x->pop) - (y->pop < x->pop);
}

int match_pick(const cJSON *results, const char *title, int year, bool tv, int *best,
	       struct buf *candidates)
{
	struct scored sc[64];
	int n = 0, i = 0;
	const cJSON *it;

	*best = -1;
	cJSON_ArrayForEach(it, results)
	{
		if (n < 64 && cJSON_IsObject(it) && cJSON_IsNumber(cJSON_GetObjectItem(it, "id"))) {
			sc[n].index = i;
			sc[n].conf = match_confidence(title, year, it, tv, NULL);
			sc[n].pop = num_member(it, "popularity");
			n++;
		}
		i++;
	}
	if (!n)
		return 0;
	qsort(sc, (size_t)n, sizeof(sc[0]), by_score);
	*best = sc[0].index;
	if (candidates) {
		struct jw w;
		jw_init(&w, candidates);
		jw_arr_open(&w);
		for (int k = 0; k < n && k < 5; k++) {
			const cJSON *c = cJSON_GetArrayItem(results, sc[k].index);
			jw_obj_open(&w);
			jw_kint(&w, "tmdb_id", (int64_t)num_member(c, "id"));
			jw_kstr(&w, "title", str_member(c, tv ? "name" : "title"));
			int y = year_of(str_member(c, tv ? "first_air_date" : "release_date"));
			if (y)
				jw_kint(&w, "year", y);
			else
				jw_knull(&w, "year");
			jw_kint(&w, "confidence", sc[k].conf);
			jw_obj_close(&w);
		}
		jw_arr_close(&w);
	}
	return sc[0].conf;
}
