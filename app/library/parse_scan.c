/*
 * parse_scan: one path segment to classified tokens — the tokenizer and the
 * markers that are not plain vocabulary (episode markers, dates, ids, CRCs).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"
#include "library/parse_int.h"

/* Characters that separate tokens. Apostrophes and '&' stay inside tokens. */
static int is_sep(unsigned char c)
{
	return c == ' ' || c == '.' || c == '_' || c == '-' || c == ',' || c == '+' || c == '~' ||
	       c == ';' || c == '!' || c == '#' || c == '[' || c == ']' || c == '(' || c == ')' ||
	       c == '{' || c == '}' || c == '\t' || c == '=' || c == '|' || c == ':' || c == '/';
}

static int is_open(char c)
{
	return c == '[' || c == '(' || c == '{';
}

static int is_close(char c)
{
	return c == ']' || c == ')' || c == '}';
}

/*
 * Separators outside ASCII that fansub and tracker names use: CJK and
 * full-width brackets, the dashes, '★' between tags, '№'. Returns the byte
 * length of the one at s[i] (0: none) and its role in *role: '(' opens,
 * ')' closes, '-' a dash, '~' a range mark, ' ' a plain separator.
 */
static size_t mb_sep(const char *s, size_t i, size_t len, char *role)
{
	static const struct {
		const char *utf8;
		char role;
	} seps[] = {
		{"\xe3\x80\x90", '('}, {"\xe3\x80\x91", ')'}, /* 【 】 */
		{"\xe3\x80\x8c", '('}, {"\xe3\x80\x8d", ')'}, /* 「 」 */
		{"\xe3\x80\x8e", '('}, {"\xe3\x80\x8f", ')'}, /* 『 』 */
		{"\xef\xbc\x88", '('}, {"\xef\xbc\x89", ')'}, /* （ ） */
		{"\xef\xbc\xbb", '('}, {"\xef\xbc\xbd", ')'}, /* ［ ］ */
		{"\xe2\x80\x92", '-'}, {"\xe2\x80\x93", '-'}, /* ‒ – */
		{"\xe2\x80\x94", '-'}, {"\xef\xbd\x9e", '~'}, /* — ～ */
		{"\xe2\x98\x85", ' '}, {"\xe2\x84\x96", ' '}, /* ★ № */
		{"\xef\xbc\x8f", '/'},                          /* ／ */
	};

	if ((unsigned char)s[i] < 0x80)
		return 0;
	for (size_t k = 0; k < sizeof(seps) / sizeof(seps[0]); k++)
		if (i + 3 <= len && !memcmp(s + i, seps[k].utf8, 3)) {
			*role = seps[k].role;
			return 3;
		}
	return 0;
}

static void tokenize(struct seg *g, const char *s, size_t len)
{
	int depth = 0, grp = 0, dash = 0, range = 0, alt = 0, leading = 1;
	size_t i = 0, ml;
	char role;

	memset(g, 0, sizeof(*g));
	g->s = s;
	g->len = len;
	while (i < len) {
		char c = s[i];
		ml = mb_sep(s, i, len, &role);
		if (ml || is_sep((unsigned char)c)) {
			if (!ml)
				role = is_open(c) ? '(' : is_close(c) ? ')' : c;
			if (role == '(') {
				if (depth++ == 0) {
					grp = grp < 255 ? grp + 1 : grp;
					if (leading)
						g->lead_grp = grp;
				}
			} else if (role == ')') {
				depth = depth > 0 ? depth - 1 : 0;
			} else if (role == '-' || role == '+') {
				dash = range = 1; /* "S01E01+02" joins like "S01E01-02" */
			} else if (role == '~') {
				range = 1; /* "01 ~ 12"; not a dash: "Last Exile ~Fam~" */
			} else if (role == '/') {
				alt = 1;
			}
			i += ml ? ml : 1;
			continue;
		}
		leading = 0;
		size_t b = i;
		while (i < len && !is_sep((unsigned char)s[i]) && !mb_sep(s, i, len, &role))
			i++;
		if (g->n < SEG_TOKENS && i - b <= UINT16_MAX && b <= UINT16_MAX) {
			struct tok *t = &g->t[g->n++];
			t->off = (uint16_t)b;
			t->len = (uint16_t)(i - b);
			t->brk = depth > 0;
			t->grp = depth > 0 ? (uint8_t)grp : 0;
			t->dash = (uint8_t)dash;
			t->range = (uint8_t)range;
			t->alt = (uint8_t)alt;
		}
		dash = range = alt = 0;
	}
}

/* digits of the token from offset k on, or -1 when something else follows */
static int digits_at(const struct seg *g, int i, size_t k, size_t maxd)
{
	const char *t = g->s + g->t[i].off;
	size_t n = g->t[i].len;
	int v = 0;

	if (k >= n || n - k > maxd)
		return -1;
	for (; k < n; k++) {
		if (!isdigit((unsigned char)t[k]))
			return -1;
		v = v * 10 + (t[k] - '0');
	}
	return v;
}

void ep_add(struct parsed_name *r, int ep)
{
	for (int k = 0; k < r->episode_count; k++)
		if (r->episodes[k] == ep)
			return;
	if (r->episode_count < NAME_EPISODES_MAX)
		r->episodes[r->episode_count++] = ep;
	else if (ep != r->episode_last + 1 || r->episode_total - r->episode_count >= EP_RANGE_MAX)
		return; /* past the array only the run that continues it counts */
	r->episode_total++;
	r->episode_last = ep;
}

/* Ranges: "E01-E03" / "E01-03" after a first episode means 1, 2, 3; past
 * NAME_EPISODES_MAX the rest of the run is counted, not stored. */
void ep_add_range(struct parsed_name *r, int from, int to)
{
	int e = from + 1;

	if (to - from > EP_RANGE_MAX || (r->episode_count && to - r->episodes[0] > EP_RANGE_MAX))
		return;
	for (; e <= to && r->episode_count < NAME_EPISODES_MAX; e++)
		ep_add(r, e);
	if (e <= to && to > r->episode_last && e <= r->episode_last + 1 &&
	    r->episode_total - r->episode_count + (to - r->episode_last) <= EP_RANGE_MAX) {
		r->episode_total += to - r->episode_last;
		r->episode_last = to;
	}
}

int range_to(const struct seg *g, int j, int from)
{
	int e = tok_num(g, j);

	if (j <= 0 || j >= g->n || e <= from)
		return -1;
	size_t gap = g->t[j].off - ((size_t)g->t[j - 1].off + g->t[j - 1].len);
	return e - from <= (gap == 1 || !g->t[j].dash ? EP_RANGE_MAX : 19) ? e : -1;
}

/*
 * Parse a token that starts with a season/episode marker: S01E02, S01E02E03,
 * S01E02-E03, S06xE01, S01, E05, 1x02, 1x02x03, Ep05. Returns the tokens
 * consumed (0 = no marker); r gets season and episodes.
 */
static int episode_marker(struct seg *g, int i, struct parsed_name *r)
{
	const char *t = g->s + g->t[i].off;
	size_t n = g->t[i].len, k = 0;
	int season = -1, used = 1, ep = -1;

	if (n < 2)
		return 0;
	int tee = (t[0] == 't' || t[0] == 'T') && isdigit((unsigned char)t[1]);
	if (((t[0] == 's' || t[0] == 'S') && isdigit((unsigned char)t[1])) || tee) {
		k = 1;
		season = 0;
		while (k < n && isdigit((unsigned char)t[k]) && k < 6)
			season = season * 10 + (t[k++] - '0');
		if (k < n && (t[k] == 'x' || t[k] == 'X'))
			k++;
		/* Spanish and Portuguese "T02E22", "T01XE08": only with an E */
		if (tee && (k >= n || (t[k] != 'e' && t[k] != 'E') || season > 99))
			return 0;
		if (season >= 1900 && !r->year)
			r->year = season; /* "S2014E18" */
		if (k == n) {
			/* S01 alone, maybe "S01 E02" or "S01-E02" */
			r->season = season;
			g->t[i].kind = K_EPISODE;
			if (i + 1 < g->n && (g->s[g->t[i + 1].off] == 'e' || g->s[g->t[i + 1].off] == 'E') &&
			    (ep = digits_at(g, i + 1, 1, 4)) >= 0) {
				ep_add(r, ep);
				g->t[i + 1].kind = K_EPISODE;
				used = 2;
				goto tail; /* "S01 E01-10" */
			}
			/* "Breaking Bad S02 03": a bare number right after */
			if (i + 1 < g->n && (ep = tok_num(g, i + 1)) >= 0 && g->t[i + 1].len <= 3 &&
			    !g->t[i + 1].dash && g->t[i + 1].grp == g->t[i].grp) {
				ep_add(r, ep);
				g->t[i + 1].kind = K_EPISODE;
				used = 2;
			}
			return used;
		}
		if ((t[k] == 'd' || t[k] == 'D') && k + 1 < n && isdigit((unsigned char)t[k + 1])) {
			/* S07D1: a season's disc */
			r->season = season;
			g->t[i].kind = K_EPISODE;
			while (i + used < g->n && g->t[i + used].dash && tok_num(g, i + used) >= 0)
				g->t[i + used++].kind = K_EPISODE;
			return used;
		}
		if (t[k] != 'e' && t[k] != 'E')
			return 0;
	} else if (t[0] == 'e' || t[0] == 'E') {
		k = 0; /* "E05", "Ep05", "E01E02" */
	} else if (isdigit((unsigned char)t[0])) {
		/* 1x02 / 01x02x03 */
		season = 0;
		while (k < n && isdigit((unsigned char)t[k]) && k < 4)
			season = season * 10 + (t[k++] - '0');
		if (k == 3 || (k == 4 && (season < 1900 || season > 2039)))
			return 0;
		if (k < n && (t[k] == 'x' || t[k] == 'X') && k + 4 == n && !strncasecmp(t + k + 1, "all", 3) &&
		    season < 100) {
			r->season = season; /* "1xAll": the whole season */
			g->t[i].kind = K_EPISODE;
			return 1;
		}
		if (k >= n || (t[k] != 'x' && t[k] != 'X') || k + 1 >= n ||
		    !isdigit((unsigned char)t[k + 1]))
			return 0;
		int eps[NAME_EPISODES_MAX], ne = 0;
		while (k < n && (t[k] == 'x' || t[k] == 'X')) {
			int e = 0, d = 0;
			k++;
			while (k < n && isdigit((unsigned char)t[k]) && d < 4) {
				e = e * 10 + (t[k++] - '0');
				d++;
			}
			if (!d)
				return 0;
			if (ne < NAME_EPISODES_MAX)
				eps[ne++] = e;
		}
		if (k != n || !ne || (season > 99 && eps[0] > 99) || (season == 0 && eps[0] > 99))
			return 0; /* "[0x539]" is a group name, not special 539 */
		r->season = season;
		for (int q = 0; q < ne; q++)
			ep_add(r, eps[q]);
		g->t[i].kind = K_EPISODE;
		goto tail;
	} else {
		return 0;
	}
	/* one or more "E<digits>" from k, committed only when the whole token
	 * is a marker */
	{
		int eps[NAME_EPISODES_MAX], ne = 0;
		while (k < n && (t[k] == 'e' || t[k] == 'E')) {
			int e = 0, d = 0;
			k++;
			if (k < n && (t[k] == 'p' || t[k] == 'P'))
				k++;
			while (k < n && isdigit((unsigned char)t[k]) && d < 4) {
				e = e * 10 + (t[k++] - '0');
				d++;
			}
			if (!d)
				return 0;
			if (ne < NAME_EPISODES_MAX)
				eps[ne++] = e;
			/* "S01E22c" (a part), "S01E06v2" (a revision) */
			if (k + 1 == n && t[k] >= 'a' && t[k] <= 'd' && season >= 0)
				k++;
			else if (k + 2 == n && (t[k] == 'v' || t[k] == 'V') && isdigit((unsigned char)t[k + 1]))
				k += 2;
		}
		if (!ne || k != n)
			return 0;
		for (int q = 0; q < ne; q++)
			ep_add(r, eps[q]);
	}
	if (season >= 0)
		r->season = season;
	g->t[i].kind = K_EPISODE;
tail:
	/* "-E03", "-03", "-1x03", "E04" following: more episodes */
	while (i + used < g->n && r->episode_count > 0) {
		int j = i + used, last = r->episode_last, e;
		const char *u = g->s + g->t[j].off;
		if ((u[0] == 'e' || u[0] == 'E') && (e = digits_at(g, j, 1, 4)) >= 0) {
			if (g->t[j].dash && e > last)
				ep_add_range(r, last, e);
			else
				ep_add(r, e);
		} else if (g->t[j].dash && (e = range_to(g, j, last)) >= 0 && g->t[j].len <= 3) {
			ep_add_range(r, last, e);
		} else if ((e = tok_num(g, j)) > last && e - last < 20 && g->t[j].len <= 3 &&
			   (size_t)g->t[j - 1].off + g->t[j - 1].len + 1 == g->t[j].off &&
			   g->s[g->t[j].off - 1] == '_') {
			ep_add_range(r, last, e); /* "3x04_05" */
		} else if (isdigit((unsigned char)u[0]) && g->t[j].dash) {
			struct parsed_name tmp;
			memset(&tmp, 0, sizeof(tmp));
			tmp.season = -1;
			struct seg one = *g;
			if (!episode_marker(&one, j, &tmp) || tmp.season != r->season || !tmp.episode_count)
				break;
			ep_add_range(r, last, tmp.episodes[0]);
		} else {
			break;
		}
		g->t[j].kind = K_EPISODE;
		used++;
	}
	return used;
}

/* Season and episode words, in the languages release names use. A word
 * list is searched with tok_is (ASCII case folding; other scripts are
 * listed in both cases). */
static const char *const season_before_num[] = {
	"season", "saison", "temporada", "staffel", "series", "seizoen", "stagione", "seasons",
	"saisons", "temp", "tem", "sezon", "sezona", "\xd1\x81\xd0\xb5\xd0\xb7\xd0\xbe\xd0\xbd",
	"\xd0\xa1\xd0\xb5\xd0\xb7\xd0\xbe\xd0\xbd", /* сезон Сезон */
	NULL};
static const char *const season_after_num[] = {
	"season", "saison", "temporada", "staffel", "stagione", "seizoen", "sezon", "sez", "sezona",
	"\xd1\x81\xd0\xb5\xd0\xb7\xd0\xbe\xd0\xbd", "\xd0\xa1\xd0\xb5\xd0\xb7\xd0\xbe\xd0\xbd", NULL};
static const char *const episode_before_num[] = {
	"episode", "episodes", "ep", "eps", "\xc3\xa9pisode", "episodio", "capitulo", "folge", "afl",
	"aflevering", "puntata", "b\xc3\xb6l\xc3\xbcm", "B\xc3\xb6l\xc3\xbcm", "bolum",
	"\xd1\x81\xd0\xb5\xd1\x80\xd0\xb8\xd1\x8f", "\xd0\xa1\xd0\xb5\xd1\x80\xd0\xb8\xd1\x8f", /* серия */
	"\xd1\x81\xd0\xb5\xd1\x80\xd0\xb8\xd0\xb8", "\xd0\xa1\xd0\xb5\xd1\x80\xd0\xb8\xd0\xb8", /* серии */
	"\xd1\x8d\xd0\xbf\xd0\xb8\xd0\xb7\xd0\xbe\xd0\xb4", "\xd0\xad\xd0\xbf\xd0\xb8\xd0\xb7\xd0\xbe\xd0\xb4", /* эпизод */
	NULL};
static const char *const episode_after_num[] = {
	"b\xc3\xb6l\xc3\xbcm", "B\xc3\xb6l\xc3\xbcm", "bolum", "ser", "serija", "seriya", "seria",
	"\xd1\x81\xd0\xb5\xd1\x80\xd0\xb8\xd1\x8f", "\xd0\xa1\xd0\xb5\xd1\x80\xd0\xb8\xd1\x8f", NULL};

static int word_in(const struct seg *g, int i, const char *const *list)
{
	for (int w = 0; list[w]; w++)
		if (tok_is(g, i, list[w]))
			return 1;
	return 0;
}

/* "2nd", "3rd", "10th", "04ª", "3º": the number, else -1. At most 2 digits. */
static int tok_ordinal(const struct seg *g, int i)
{
	const char *t;
	size_t n, k = 0;
	int v = 0;

	if (i < 0 || i >= g->n)
		return -1;
	t = g->s + g->t[i].off;
	n = g->t[i].len;
	while (k < n && k < 3 && isdigit((unsigned char)t[k]))
		v = v * 10 + (t[k++] - '0');
	if (k == 0 || k > 2)
		return -1;
	if (k + 2 == n && (!strncasecmp(t + k, "st", 2) || !strncasecmp(t + k, "nd", 2) ||
			   !strncasecmp(t + k, "rd", 2) || !strncasecmp(t + k, "th", 2)))
		return v;
	if (k + 2 == n && (unsigned char)t[k] == 0xC2 &&
	    ((unsigned char)t[k + 1] == 0xAA || (unsigned char)t[k + 1] == 0xBA))
		return v; /* "1ª", "3º" */
	return -1;
}

int dotted_pair(const struct seg *g, int i)
{
	return i + 1 < g->n && (size_t)g->t[i].off + g->t[i].len + 1 == g->t[i + 1].off &&
	       g->s[g->t[i + 1].off - 1] == '.';
}

int mark_episode(struct seg *g, int i, int n)
{
	for (int k = 0; k < n && i + k < g->n; k++)
		g->t[i + k].kind = K_EPISODE;
	return n;
}

/* After the first episode v at token j: "-03", "-3-4", "~ 12" ranges. */
static int episode_range(struct seg *g, int j, struct parsed_name *r)
{
	int used = 0, e;

	while ((e = tok_num(g, j + used)) > r->episode_last && g->t[j + used].range &&
	       e - r->episodes[0] < 100 && g->t[j + used].len <= 4) {
		ep_add_range(r, r->episode_last, e);
		g->t[j + used++].kind = K_EPISODE;
	}
	return used;
}

/*
 * Number first: "2.Sezon.7.Bölüm", "8.sez.21.ser", "2 сезон 24 серия",
 * "3 Temporada", "04ª Temporada", "2nd Season", "10 th season". An
 * ordinal before a season word is always a season; a plain number only
 * when the season word is not itself followed by a number ("Show 2 Season
 * 3" is season 3), unless that number is an episode ("2 Sezon 7 Bölüm").
 */
static int number_words(struct seg *g, int i, struct parsed_name *r)
{
	int v, w, ord = tok_ordinal(g, i) >= 0;

	if (ord)
		v = tok_ordinal(g, i);
	else if ((v = tok_num(g, i)) < 0 || g->t[i].len > 2)
		return 0;
	w = i + 1;
	if (!ord && (tok_is(g, w, "th") || tok_is(g, w, "st") || tok_is(g, w, "nd") || tok_is(g, w, "rd")))
		w++, ord = 1;
	if (word_in(g, w, season_after_num)) {
		int after = tok_num(g, w + 1);
		if (!ord && after >= 0 && !word_in(g, w + 2, episode_after_num))
			return 0;
		if (g->t[w].brk != g->t[i].brk)
			return 0;
		r->season = v;
		return mark_episode(g, i, w - i + 1);
	}
	if (!ord && word_in(g, w, episode_after_num) && !r->episode_count) {
		ep_add(r, v);
		return mark_episode(g, i, 2);
	}
	return 0;
}

/* "Season 2", "Saison 3", "Episode 5", "Ep 5", "Temporada 1", "Staffel 2",
 * "Сезон 4 / Серии 1-6", "Se.1 afl.2-3-4", "Episode 1.22". */
static int episode_words(struct seg *g, int i, struct parsed_name *r)
{
	int v, used;

	if (word_in(g, i, season_before_num) || (tok_is(g, i, "se") && g->t[i + 1 < g->n ? i + 1 : i].len <= 2)) {
		if ((v = tok_numx(g, i + 1)) < 0 && (v = tok_roman(g, i + 1)) < 0)
			return 0;
		/* "Series 2" only counts as a season next to an episode word */
		if (tok_is(g, i, "series") && !(tok_is(g, i + 2, "episode") || tok_is(g, i + 2, "ep")))
			return 0;
		r->season = v;
		g->t[i].kind = g->t[i + 1].kind = K_EPISODE;
		used = 2;
		/* "Season.2.1of4": the episode as "N of M" */
		if (i + 2 < g->n && (v = tok_numx(g, i + 2)) >= 0 && tok_num(g, i + 2) < 0 &&
		    memchr(g->s + g->t[i + 2].off, 'o', g->t[i + 2].len)) {
			ep_add(r, v);
			g->t[i + 2].kind = K_EPISODE;
			used = 3;
		}
		/* "Season 1-3" / "Season 1 2 3" packs keep the first */
		return used;
	}
	if (tok_is(g, i, "cap") && (v = tok_num(g, i + 1)) >= 100 && g->t[i + 1].len >= 3 &&
	    g->t[i + 1].len <= 4) {
		/* Spanish "Cap.102": season 1, episode 2 */
		r->season = v / 100;
		ep_add(r, v % 100);
		g->t[i].kind = g->t[i + 1].kind = K_EPISODE;
		/* "Cap.102_104": a range within the season */
		int e = tok_num(g, i + 2);
		if (e > v && e - v < 20 && g->t[i + 2].len == g->t[i + 1].len) {
			ep_add_range(r, v % 100, e % 100);
			g->t[i + 2].kind = K_EPISODE;
			return 3;
		}
		return 2;
	}
	if (!word_in(g, i, episode_before_num) || (v = tok_numx(g, i + 1)) < 0 || r->episode_count)
		return 0;
	/* "Episode 1.22": season 1, episode 22 */
	if (dotted_pair(g, i + 1) && tok_num(g, i + 1) >= 0 && g->t[i + 1].len <= 2 &&
	    tok_num(g, i + 2) >= 0 && g->t[i + 2].len >= 2 && g->t[i + 2].len <= 3) {
		r->season = v;
		ep_add(r, tok_num(g, i + 2));
		return mark_episode(g, i, 3);
	}
	ep_add(r, v);
	g->t[i].kind = g->t[i + 1].kind = K_EPISODE;
	return 2 + episode_range(g, i + 2, r);
}

/*
 * "6.01", "[5.01]", "[5.134]": season.episode written with a dot, read
 * only where nothing else fits it: alone in a bracket, or between spaced
 * dashes. "5.1" (one digit after the dot), "Evangelion 1.11 You Are" (no
 * dash) and "15.03.2014" (a third part) stay what they are.
 */
static int dotted_at(struct seg *g, int i, struct parsed_name *r)
{
	if (i < 0 || i + 1 >= g->n)
		return 0;
	int s = tok_num(g, i), e = tok_num(g, i + 1), j = i + 2;

	if (s < 0 || e < 0 || r->episode_count || g->t[i].len > 2 || g->t[i + 1].len < 2 ||
	    g->t[i + 1].len > 3 || !dotted_pair(g, i))
		return 0;
	int alone = g->t[i].brk && g->t[i].grp == g->t[i + 1].grp &&
		    (i == 0 || g->t[i - 1].grp != g->t[i].grp) && (j >= g->n || g->t[j].grp != g->t[i].grp);
	/* i + 1 < g->n (checked above): cppcheck does not follow it */
	/* cppcheck-suppress arrayIndexOutOfBoundsCond */
	size_t gap = i > 0 ? g->t[i].off - ((size_t)g->t[i - 1].off + g->t[i - 1].len) : 0;
	int spaced = g->t[i].dash && gap >= 2 && !g->t[i].brk &&
		     (j >= g->n || (g->t[j].dash && g->t[j].off - ((size_t)g->t[j - 1].off + g->t[j - 1].len) >= 2));
	if (!alone && !spaced)
		return 0;
	r->season = s;
	ep_add(r, e);
	return mark_episode(g, i, 2);
}

static int valid_date(int y, int m, int d)
{
	return y >= 1900 && y <= 2099 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/* "Nov", "november" -> 11, else 0. */
static int month_at(const struct seg *g, int i)
{
	static const char *const names[] = {"january", "february", "march", "april", "may", "june",
					    "july", "august", "september", "october", "november",
					    "december"};
	if (i < 0 || i >= g->n || g->t[i].len < 3)
		return 0;
	for (int m = 0; m < 12; m++) {
		size_t n = g->t[i].len;
		if (n <= strlen(names[m]) && !strncasecmp(g->s + g->t[i].off, names[m], n) &&
		    (n == 3 || n == strlen(names[m]) || (m == 8 && n == 4)))
			return m + 1;
	}
	return 0;
}

/* A day of the month: "3", "03", "3rd", "21st". */
static int day_at(const struct seg *g, int i)
{
	int v = tok_num(g, i);
	if (v < 0 && i >= 0 && i < g->n && g->t[i].len >= 3 && g->t[i].len <= 4) {
		const char *t = g->s + g->t[i].off;
		size_t k = 0;
		v = 0;
		while (k < 2 && isdigit((unsigned char)t[k]))
			v = v * 10 + (t[k++] - '0');
		if (!k || k + 2 != g->t[i].len)
			return -1;
		if (strncasecmp(t + k, "st", 2) && strncasecmp(t + k, "nd", 2) &&
		    strncasecmp(t + k, "rd", 2) && strncasecmp(t + k, "th", 2))
			return -1;
	} else if (v >= 0 && g->t[i].len > 2) {
		return -1;
	}
	return v >= 1 && v <= 31 ? v : -1;
}

int name_start(const struct seg *g, int i)
{
	if (i == 0)
		return 1;
	return g->lead_grp && g->t[i - 1].grp == g->lead_grp && !g->t[i].brk;
}

/* 2014.03.15, 15.03.2014, 20140315, "3rd Nov 2014", "Nov 3 2014", and a
 * leading "180506" (YYMMDD, Korean broadcasts): a daily show's date. */
static int date_at(struct seg *g, int i, struct parsed_name *r)
{
	int a = tok_num(g, i), b = tok_num(g, i + 1), c = tok_num(g, i + 2);
	int y = 0, m = 0, d = 0, used = 3, mo;

	if (a >= 0 && g->t[i].len == 8 && valid_date(a / 10000, a / 100 % 100, a % 100)) {
		y = a / 10000, m = a / 100 % 100, d = a % 100;
		used = 1;
	} else if (a >= 0 && g->t[i].len == 6 && name_start(g, i) && i + 1 < g->n && b < 0 &&
		   valid_date(2000 + a / 10000, a / 100 % 100, a % 100)) {
		/* "180506 Running Man": only first, and before words */
		y = 2000 + a / 10000, m = a / 100 % 100, d = a % 100;
		used = 1;
	} else if ((d = day_at(g, i)) > 0 && (mo = month_at(g, i + 1)) && c >= 1900 &&
		   g->t[i + 2].len == 4 && valid_date(c, mo, d)) {
		y = c, m = mo;
	} else if ((mo = month_at(g, i)) && (d = day_at(g, i + 1)) > 0 && c >= 1900 &&
		   g->t[i + 2].len == 4 && valid_date(c, mo, d)) {
		y = c, m = mo;
	} else if (a < 0 || b < 0 || c < 0 || g->t[i + 1].len > 2 || g->t[i + 1].grp != g->t[i].grp ||
		   g->t[i + 2].grp != g->t[i].grp) {
		return 0;
	} else if (g->t[i].len == 4 && g->t[i + 2].len <= 2 && valid_date(a, b, c)) {
		y = a, m = b, d = c;
	} else if (g->t[i + 2].len == 4 && g->t[i].len <= 2 && valid_date(c, b, a)) {
		y = c, m = b, d = a;
	} else if (g->t[i + 2].len == 4 && g->t[i].len <= 2 && valid_date(c, a, b)) {
		y = c, m = a, d = b;
	} else {
		return 0;
	}
	snprintf(r->date, sizeof(r->date), "%04d-%02d-%02d", y, m, d);
	for (int k = 0; k < used; k++)
		g->t[i + k].kind = K_DATE;
	return used;
}

/* {tmdb-603}, [tmdbid-603], tmdbid=603, {imdb-tt0133093}, tt0133093 */
static int id_at(struct seg *g, int i, struct parsed_name *r)
{
	const char *t = g->s + g->t[i].off;
	int v;

	if (tok_is(g, i, "tmdb") || tok_is(g, i, "tmdbid")) {
		if ((v = tok_num(g, i + 1)) <= 0)
			return 0;
		r->tmdb_id = v;
		g->t[i].kind = g->t[i + 1].kind = K_ID;
		return 2;
	}
	if (tok_is(g, i, "tvdb") || tok_is(g, i, "tvdbid")) {
		if (tok_num(g, i + 1) <= 0)
			return 0;
		g->t[i].kind = g->t[i + 1].kind = K_ID;
		return 2;
	}
	if (tok_is(g, i, "imdb") || tok_is(g, i, "imdbid")) {
		if (i + 1 >= g->n || !id_at(g, i + 1, r))
			return 0;
		g->t[i].kind = K_ID;
		return 2;
	}
	if (g->t[i].len >= 9 && g->t[i].len <= 11 && (t[0] == 't' || t[0] == 'T') &&
	    (t[1] == 't' || t[1] == 'T') && digits_at(g, i, 2, 9) >= 0) {
		r->imdb_id[0] = 't';
		r->imdb_id[1] = 't';
		memcpy(r->imdb_id + 2, t + 2, g->t[i].len - 2u);
		r->imdb_id[g->t[i].len] = '\0';
		g->t[i].kind = K_ID;
		return 1;
	}
	return 0;
}

static int is_crc(const struct seg *g, int i)
{
	const char *t = g->s + g->t[i].off;
	int digits = 0;

	if (g->t[i].len != 8 || !g->t[i].brk)
		return 0;
	for (int k = 0; k < 8; k++) {
		if (!isxdigit((unsigned char)t[k]))
			return 0;
		digits += isdigit((unsigned char)t[k]) != 0;
	}
	return digits > 0 && digits < 8;
}

/* Classify every token of g, filling r with what the tokens say. */
/* A weak vocabulary word between two plain words is a title word:
 * "The.Girl.in.the.Spiders.Web.2019", "The_Italian_Job". */
static int demote_weak(struct seg *g)
{
	int any = 0;

	for (int i = 0; i + 1 < g->n; i++) {
		if (g->t[i].kind == K_NONE || (i > 0 && g->t[i - 1].kind != K_NONE) ||
		    g->t[i + 1].kind != K_NONE || (i > 0 && g->t[i - 1].brk) || g->t[i + 1].brk ||
		    g->t[i].brk || !vocab_weak(g, i))
			continue;
		int v = tok_num(g, i + 1), again = 0;
		/* "Immersion.French.2011...FRENCH": named again later, so a title word */
		for (int j = i + 2; j < g->n && g->t[i].kind == K_LANG; j++)
			again |= g->t[j].len == g->t[i].len &&
				 !strncasecmp(g->s + g->t[j].off, g->s + g->t[i].off, g->t[i].len);
		if (g->t[i + 1].len == 4 && v >= 1900 && v <= 2039 && g->t[i].kind != K_SOURCE && !again)
			continue;
		g->t[i].plain = 1;
		any = 1;
	}
	return any;
}

static void classify(struct seg *g, struct parsed_name *r);

void seg_scan(struct seg *g, const char *s, size_t len, struct parsed_name *r)
{
	static _Thread_local struct parsed_name start;

	start = *r;
	tokenize(g, s, len);
	classify(g, r);
	if (demote_weak(g)) {
		*r = start;
		g->special = 0;
		for (int i = 0; i < g->n; i++)
			g->t[i].kind = K_NONE;
		classify(g, r);
	}
}

static void classify(struct seg *g, struct parsed_name *r)
{
	for (int i = 0; i < g->n;) {
		int used;
		if (g->t[i].plain) {
			i++;
			continue;
		}
		if ((used = id_at(g, i, r)) || (used = special_at(g, i, r)) ||
		    (used = episode_marker(g, i, r)) ||
		    (used = episode_words(g, i, r)) || (used = date_at(g, i, r)) ||
		    (used = number_words(g, i, r)) || (used = dotted_at(g, i, r)) ||
		    (used = vocab_match(g, i, r))) {
			i += used;
			continue;
		}
		if (tok_is(g, i, "part") && (tok_num(g, i + 1) > 0 || tok_roman(g, i + 1) > 0) && i > 0) {
			g->t[i].kind = g->t[i + 1].kind = K_OTHER;
			i += 2;
			continue;
		}
		const char *t = g->s + g->t[i].off;
		if (is_crc(g, i))
			g->t[i].kind = K_CRC;
		else if ((t[0] == 'x' || t[0] == 'X') && g->t[i].len == 3 && isdigit((unsigned char)t[1]) &&
			 isdigit((unsigned char)t[2]) && g->t[i].dash)
			g->t[i].kind = K_OTHER; /* "-x02-": a DVD extra */
		else if ((t[0] == 'f' || t[0] == 'F') && g->t[i].len <= 3 && g->t[i].len >= 2 &&
			 tok_num(g, i) < 0 && digits_at(g, i, 1, 2) >= 0 && g->t[i].dash &&
			 i + 1 < g->n && g->t[i + 1].dash)
			g->t[i].kind = K_FILM; /* "James_Bond-f21-Casino_Royale": film 21 */
		else if (tok_is(g, i, "www") ||
			 (i > 0 && g->t[i - 1].off + g->t[i - 1].len + 1 == g->t[i].off &&
			  g->s[g->t[i].off - 1] == '.' &&
			  (tok_is(g, i, "com") || tok_is(g, i, "org") || tok_is(g, i, "net"))))
			g->t[i].kind = K_SITE;
		i++;
	}
}

