/*
 * parse_special: anime specials and extras. "SP01", "SP 2", "Special 3",
 * "OVA 2", "OVA_01", "OAD1", "EX01" are specials: season 0 with the number
 * as the episode, the way Sonarr and Jellyfin file them. "NCOP", "NCED2",
 * "OP1", "ED2", "OP4a" are creditless openings and endings: extras, never
 * episode numbers. "07.5", "EP07.5", "OVA3.5" are specials whose number the
 * providers do not share (a recap between 7 and 8): season 0, no episode.
 * "01b", "111C" are parts of an episode and read as that episode.
 */
#include <ctype.h>
#include <string.h>

#include "library/parse_int.h"

/* Longest word part a marker has ("special"), plus the NUL. */
#define WORD_MAX 8

/* What a token spells: ASCII letters, then up to 3 digits, then maybe a
 * "v2" revision or one part letter a-c. */
struct spelled {
	char word[WORD_MAX]; /* the letters, lower case; "" when none */
	int upper;           /* the letters were all upper case */
	int num;             /* the digits, -1 when none */
	int part;            /* a part letter followed the digits */
};

static int spell(const struct seg *g, int i, struct spelled *sp)
{
	const char *t;
	size_t n, k = 0, d;

	memset(sp, 0, sizeof(*sp));
	sp->num = -1;
	sp->upper = 1;
	if (i < 0 || i >= g->n)
		return 0;
	t = g->s + g->t[i].off;
	n = g->t[i].len;
	for (; k < n && isalpha((unsigned char)t[k]); k++) {
		if (k + 1 >= WORD_MAX)
			return 0;
		sp->word[k] = (char)tolower((unsigned char)t[k]);
		sp->upper &= isupper((unsigned char)t[k]) != 0;
	}
	for (d = k; k < n && isdigit((unsigned char)t[k]) && k - d < 4; k++)
		sp->num = (sp->num < 0 ? 0 : sp->num * 10) + (t[k] - '0');
	if (k - d > 3)
		return 0;
	if (sp->num >= 0 && k + 2 == n && (t[k] == 'v' || t[k] == 'V') && isdigit((unsigned char)t[k + 1]))
		k += 2;
	else if (sp->num >= 0 && k + 1 == n && strchr("abcABC", t[k]))
		k++, sp->part = 1;
	return k == n;
}

/* Token i + 1 is ".D" right after token i: one digit 1-9, not the middle
 * of "1.2.3" or "15.03.2014" (versions and dates). */
static int fraction_after(const struct seg *g, int i)
{
	if (i < 0 || i + 1 >= g->n || !dotted_pair(g, i) || g->t[i + 1].len != 1 ||
	    g->s[g->t[i + 1].off] < '1' || g->s[g->t[i + 1].off] > '9' || g->t[i + 1].kind != K_NONE)
		return 0;
	return !(dotted_pair(g, i + 1) && tok_num(g, i + 2) >= 0);
}

int tok_fraction(const struct seg *g, int i)
{
	return tok_num(g, i) >= 0 && g->t[i].len <= 3 && fraction_after(g, i);
}

int tok_part(const struct seg *g, int i)
{
	struct spelled sp;

	if (!spell(g, i, &sp) || sp.word[0] || !sp.part)
		return -1;
	return sp.num;
}

int special_number(struct seg *g, int i, struct parsed_name *r)
{
	r->season = 0;
	r->absolute = 0;
	g->special = 1;
	return mark_episode(g, i, 2);
}

/* "NCOP", "NCED2", "OP1", "ED2", "OP4a", " - OP": an opening or ending. */
static int extra_at(struct seg *g, int i, const struct spelled *sp, struct parsed_name *r)
{
	int used = 1, creditless = !strcmp(sp->word, "ncop") || !strcmp(sp->word, "nced");

	if (!creditless && !(sp->upper && (!strcmp(sp->word, "op") || !strcmp(sp->word, "ed"))))
		return 0;
	/* "OP"/"ED" alone are words ("Ed", One Piece's "OP", a group "-ED")
	 * unless a spaced dash sets them apart or a number is glued on */
	if (!creditless && sp->num < 0 &&
	    (!g->t[i].dash || g->t[i].off - ((size_t)g->t[i - 1].off + g->t[i - 1].len) < 2))
		return 0;
	if (!creditless && r->episode_count)
		return 0;
	/* "NCOP 2", "- ED 1": the number of the opening, not an episode */
	if (sp->num < 0 && tok_num(g, i + 1) >= 0 && g->t[i + 1].len <= 2 && !g->t[i + 1].dash &&
	    g->t[i + 1].brk == g->t[i].brk)
		used = 2;
	r->extra = sp->word[strlen(sp->word) - 2] == 'o' ? "opening" : "ending";
	g->special = 1;
	return mark_episode(g, i, used);
}

/* Special words with the number glued on ("SP01", "OVA3", "EX01"), and
 * those that may stand apart from it ("SP 2", "Special 3", "OVA_01"). */
static int special_word(const struct spelled *sp, int apart)
{
	static const char *const glued[] = {"sp", "ova", "oad", "oav", "ex", NULL};
	static const char *const spaced[] = {"ova", "oad", "oav", "special", NULL};

	if (apart && sp->upper && !strcmp(sp->word, "sp"))
		return 1;
	for (const char *const *w = apart ? spaced : glued; *w; w++)
		if (!strcmp(sp->word, *w))
			return 1;
	return 0;
}

int special_at(struct seg *g, int i, struct parsed_name *r)
{
	struct spelled sp, next;
	int at, used, ep;

	if (!spell(g, i, &sp) || !sp.word[0])
		return 0;
	/* a title may start with "Special" or "OVA"; "Episode 7.5" may start
	 * a name */
	ep = !strcmp(sp.word, "ep") || !strcmp(sp.word, "episode");
	if (name_start(g, i) && !ep)
		return 0;
	if ((used = extra_at(g, i, &sp, r)))
		return used;
	if (sp.part || r->episode_count)
		return 0;
	if (sp.num >= 0) {
		at = i; /* "SP01", "EP07.5" */
	} else if (spell(g, i + 1, &next) && !next.word[0] && next.num >= 0 && !next.part &&
		   !g->t[i + 1].dash && g->t[i + 1].brk == g->t[i].brk) {
		at = i + 1; /* "SP 2", "Ep 07.5"; "OVA - 01" keeps OVA in the title */
	} else {
		return 0;
	}
	if (fraction_after(g, at) && (ep || special_word(&sp, at > i))) {
		/* "OVA3.5", "EP07.5", "Episode 7.5" */
		mark_episode(g, i, at - i);
		return at - i + special_number(g, at, r);
	}
	if (ep || !special_word(&sp, at > i))
		return 0;
	r->season = 0;
	r->absolute = 0;
	ep_add(r, at > i ? next.num : sp.num);
	return mark_episode(g, i, at - i + 1);
}
