/*
 * parse_title: where a segment's title starts and ends, its text, the
 * episode title after the markers, and which of several titles a fansub or
 * tracker name gives is kept (bracket runs, '/'-separated alternatives).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "library/parse_int.h"

/* Copy n bytes to dst (size cap) cutting on a UTF-8 character boundary. */
void copy_utf8(char *dst, size_t cap, const char *src, size_t n)
{
	if (n >= cap) {
		n = cap - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}


/* First title token: past a leading [group] / [website] bracket. */
int title_begin(const struct seg *g)
{
	int i = 0;

	for (int k = 0; k < g->n; k++)
		if (g->t[k].kind == K_FILM)
			return k + 1;
	if (g->lead_grp)
		while (i < g->n && g->t[i].grp == g->lead_grp)
			i++;
	/* "www.Torrenting.com - Title", "Site.com - Title": a website first */
	for (int k = i; k < g->n && k < i + 4; k++) {
		if (k > i && g->t[k].dash) {
			if (tok_is(g, i, "www") || g->t[k - 1].kind == K_SITE)
				i = k;
			break;
		}
	}
	/* "180506 Running Man": a leading one-token date */
	if (i + 1 < g->n && g->t[i].kind == K_DATE && g->t[i + 1].kind == K_NONE &&
	    (i + 1 >= g->n || g->t[i + 1].kind != K_DATE))
		i++;
	/* "[BD][1080p] Title 08", "h265 - HEVC Title": facts before the title */
	int k = i;
	while (k < g->n && g->t[k].kind != K_NONE && g->t[k].kind != K_EPISODE &&
	       g->t[k].kind != K_DATE && g->t[k].kind != K_YEAR && g->t[k].kind != K_ID)
		k++;
	if (k < g->n && g->t[k].kind == K_NONE)
		i = k;
	return i;
}

int title_end(const struct seg *g, int tb)
{
	int i = tb;

	if (i < g->n && g->t[i].brk) {
		/* "[Group][Title][720p]": the title is a bracket of its own */
		while (i < g->n && g->t[i].grp == g->t[tb].grp && g->t[i].kind == K_NONE)
			i++;
		return i;
	}
	while (i < g->n && g->t[i].kind == K_NONE && !g->t[i].brk)
		i++;
	return i;
}


/* Title text of tokens [b, e): dots and underscores as spaces when the name
 * uses them as separators, spaces collapsed, stray punctuation trimmed,
 * "Simpsons, The" turned round. */
void title_text(const struct seg *g, int b, int e, char *dst, size_t cap)
{
	char tmp[NAME_TITLE_MAX * 2];
	size_t o = 0, from, to;
	int spaced;

	dst[0] = '\0';
	if (b >= e)
		return;
	from = g->t[b].off;
	to = (size_t)g->t[e - 1].off + g->t[e - 1].len;
	while (to < g->len && g->s[to] == '!' && to - from < sizeof(tmp) - 1)
		to++; /* "K-ON!", "Sabagebu!": '!' ends the title, it is part of it */
	spaced = memchr(g->s + from, ' ', to - from) != NULL;
	for (size_t k = from; k < to && o + 1 < sizeof(tmp); k++) {
		char c = g->s[k];
		if (c == '_' || (c == '.' && !spaced) || c == '\t')
			c = ' ';
		if (c == ' ' && (o == 0 || tmp[o - 1] == ' '))
			continue;
		tmp[o++] = c;
	}
	while (o && strchr(" -.,:;([{/", tmp[o - 1]))
		o--;
	tmp[o] = '\0';
	/* "Simpsons, The" -> "The Simpsons" */
	static const char *const arts[] = {", The", ", A", ", An", NULL};
	for (int a = 0; arts[a]; a++) {
		size_t al = strlen(arts[a]);
		if (o > al && strcasecmp(tmp + o - al, arts[a]) == 0) {
			char swapped[sizeof(tmp)];
			snprintf(swapped, sizeof(swapped), "%s %.*s", tmp + o - al + 2, (int)(o - al), tmp);
			copy_utf8(dst, cap, swapped, strlen(swapped));
			return;
		}
	}
	copy_utf8(dst, cap, tmp, o);
}

/* Episode title: plain tokens after the last episode marker or date. */
static int plain_run(const struct seg *g, int b, struct parsed_name *r)
{
	int e = b;

	for (;; e++) {
		if (e >= g->n || g->t[e].brk)
			break;
		if (g->t[e].kind == K_YEAR && e + 1 < g->n && g->t[e + 1].kind == K_NONE &&
		    !g->t[e + 1].brk) {
			/* "S07E22 - 2000 Light Years from Home": a number, not the year */
			if (r->year == tok_num(g, e))
				r->year = 0;
			continue;
		}
		if (g->t[e].kind != K_NONE)
			break;
	}
	return e;
}

/* Episode title: plain tokens after the first episode marker (or, when
 * there are none there, after the last marker or date). */
void episode_title(struct seg *g, int te, struct parsed_name *r)
{
	int first = -1, last = -1, b, e;

	for (int i = 0; i < g->n; i++)
		if (g->t[i].kind == K_EPISODE || g->t[i].kind == K_DATE) {
			if (first < 0)
				first = i;
			last = i;
		}
	if (first < 0)
		return;
	while (first + 1 < g->n && (g->t[first + 1].kind == K_EPISODE || g->t[first + 1].kind == K_DATE))
		first++;
	b = first + 1 > te ? first + 1 : te;
	e = plain_run(g, b, r);
	if (e == b && last > first) {
		b = last + 1 > te ? last + 1 : te;
		e = plain_run(g, b, r);
	}
	if (e > b)
		title_text(g, b, e, r->episode_title, sizeof(r->episode_title));
}

/* Tokens [b, e) read as Latin script: at least two ASCII letters and more
 * of them than characters of other scripts. */
static int latin(const struct seg *g, int b, int e)
{
	int ascii = 0, other = 0;

	for (int k = b; k < e; k++)
		for (uint16_t j = 0; j < g->t[k].len; j++) {
			unsigned char c = (unsigned char)g->s[g->t[k].off + j];
			ascii += isalpha(c) != 0;
			other += c >= 0xC0; /* one per UTF-8 lead byte */
		}
	return ascii >= 2 && ascii > other;
}

/*
 * Fansub layouts name the show several times: "[Group][国漫][西行纪][The
 * Westward Ⅱ][17]", "【Group】★01月新番★[Rebirth][01]". Among the plain
 * bracket groups that start at the title (or follow a title in another
 * script), the last one in Latin script is the title, so it matches the
 * metadata providers' titles.
 */
void bracket_title(const struct seg *g, int *tb, int *te)
{
	int b = *tb, best_b = -1, best_e = -1;

	if (b >= g->n)
		return;
	if (!g->t[b].brk) {
		if (latin(g, *tb, *te))
			return;
		b = *te;
	}
	while (b < g->n && g->t[b].brk) {
		int e = b, plain = 1, numeric = 1;
		while (e < g->n && g->t[e].grp == g->t[b].grp) {
			plain &= g->t[e].kind == K_NONE;
			numeric &= tok_numx(g, e) >= 0;
			e++;
		}
		if (!plain || numeric)
			break;
		if (latin(g, b, e))
			best_b = b, best_e = e;
		b = e;
	}
	if (best_b >= 0 && !(best_b == *tb && best_e == *te)) {
		*tb = best_b;
		*te = best_e;
	}
}

/* "Черное зеркало / Black Mirror", "別對映像研出手！/…/Eizouken ni wa Te wo
 * Dasu na!": of '/'-separated alternatives keep the first in Latin script
 * (else the first). */
void alternative_title(const struct seg *g, int *tb, int *te)
{
	int b = *tb;

	for (int k = *tb + 1; k <= *te; k++) {
		if (k < *te && !g->t[k].alt)
			continue;
		if (latin(g, b, k)) {
			if (b != *tb || k != *te) {
				*tb = b;
				*te = k;
			}
			return;
		}
		b = k;
	}
	for (int k = *tb + 1; k < *te; k++)
		if (g->t[k].alt) {
			*te = k;
			return;
		}
}
