/*
 * parse: file names to titles, years and episode numbers (see parse.h).
 *
 * Each path segment is scanned on its own (parse_scan.c); here the results
 * are resolved: which 4-digit number is the year, which trailing token is
 * the release group, whether a bare number is an episode; parse_title.c
 * finds the title span and its text. The file name gives the facts and the
 * folders fill gaps: a "Season 2" folder gives the season, the folder above
 * it the series, and a "Title (Year)" folder the movie's title and year.
 */
#include <ctype.h>
#include <string.h>

#include "core/text.h"
#include "core/unicode.h"
#include "library/parse_int.h"

#define MAX_FOLDERS 4
#define YEAR_MIN 1900
#define YEAR_MAX 2039

/* What resolve() learned about one segment beyond the parsed_name fields. */
struct seg_view {
	int tb, te;     /* title tokens [tb, te) */
	int anime;      /* opens with a plain [Group] bracket */
	int numbered;   /* an episode came from a bare number */
	int special;    /* a special or extra without an episode number */
};

static void name_init(struct parsed_name *r)
{
	memset(r, 0, sizeof(*r));
	r->season = -1;
}

static int is_year_tok(const struct seg *g, int i)
{
	int v = tok_num(g, i);
	return g->t[i].len == 4 && v >= YEAR_MIN && v <= YEAR_MAX;
}

/* Year: the last candidate before the first other recognised token (so
 * "Blade Runner 2049 2017" keeps 2049 in the title); a leading number is
 * a title ("2001 A Space Odyssey 1968"), unless it is bracketed. */
static void pick_year(struct seg *g, int tb, struct parsed_name *r)
{
	int first_tech = g->n, chosen = -1;

	for (int i = tb; i < g->n; i++)
		if (g->t[i].kind != K_NONE) {
			first_tech = i;
			break;
		}
	for (int i = tb; i < g->n; i++) {
		if (g->t[i].kind != K_NONE || !is_year_tok(g, i) || (i == tb && !g->t[i].brk))
			continue;
		if (chosen >= 0 && g->t[chosen].brk && !g->t[i].brk)
			continue; /* "(1999)" beats a bare year later on */
		if (i < first_tech)
			chosen = i;
		else if (chosen < 0) {
			chosen = i;
			break;
		}
	}
	if (chosen >= 0) {
		r->year = tok_num(g, chosen);
		g->t[chosen].kind = K_YEAR;
	}
}

static void set_group(struct seg *g, int b, int e, struct parsed_name *r)
{
	size_t off = g->t[b].off, end = (size_t)g->t[e].off + g->t[e].len;

	copy_utf8(r->release_group, sizeof(r->release_group), g->s + off, end - off);
	for (int k = b; k <= e; k++)
		g->t[k].kind = K_GROUP;
}

static int all_plain(const struct seg *g, int b, int e)
{
	for (int k = b; k <= e; k++)
		if (g->t[k].kind != K_NONE)
			return 0;
	return b <= e;
}

/* Release group: "...x264-GROUP", "...XviD-[ZeaL]", "[Group] Show - 01". */
static void pick_group(struct seg *g, int tb, struct parsed_name *r)
{
	int end = g->n - 1, tail_b = -1, tail_e = -1;

	if (end < 0)
		return;
	if (g->t[end].brk && g->t[end].grp != g->lead_grp) {
		int gb = end;
		while (gb > 0 && g->t[gb - 1].grp == g->t[end].grp)
			gb--;
		if (g->t[gb].dash && gb > 0 && g->t[gb - 1].kind != K_NONE && all_plain(g, gb, end)) {
			set_group(g, gb, end, r);
			return;
		}
		if (gb == end && g->t[end].kind == K_NONE) {
			tail_b = gb;
			tail_e = end;
		}
		end = gb - 1;
		/* a second trailing bracket ("[XviD-AC3][by.Oswald]") is rarer; stop */
	}
	/* "xvid-2hd.eng.srt": a trailing subtitle language */
	while (end > tb && g->t[end].kind == K_LANG && !g->t[end].dash && !g->t[end].brk)
		end--;
	if (end > tb && g->t[end].kind == K_NONE && !g->t[end].brk) {
		int b = end;
		while (b - 1 > tb && g->t[b].dash && g->t[b - 1].kind == K_NONE && !g->t[b - 1].brk &&
		       (size_t)g->t[b - 1].off + g->t[b - 1].len + 1 == g->t[b].off)
			b--;
		size_t gap = b > 0 ? g->t[b].off - ((size_t)g->t[b - 1].off + g->t[b - 1].len) : 0;
		int pk = b > 0 ? g->t[b - 1].kind : K_NONE;
		/* "x264-GROUP"; after a spaced dash only behind release facts, so
		 * "Show - 1x02 - Title" keeps its episode title */
		int fact = pk != K_NONE && pk != K_GROUP && pk != K_EPISODE && pk != K_DATE &&
			   (gap == 1 || pk != K_YEAR);
		/* without a dash: "x264.HDBRiSe", "DTS WiKi", "XViD.Etc-Group" */
		if (fact && (g->t[b].dash || pk != K_YEAR)) {
			set_group(g, b, end, r);
			return;
		}
	}
	if (g->lead_grp && g->t[0].grp == g->lead_grp) {
		int e = 0, plain = 1;
		while (e + 1 < g->n && g->t[e + 1].grp == g->lead_grp)
			e++;
		for (int k = 0; k <= e; k++)
			plain &= g->t[k].kind == K_NONE || g->t[k].kind == K_OTHER;
		if (plain) {
			/* the whole bracket: "[PuyaSubs!]" */
			size_t to = (size_t)g->t[e].off + g->t[e].len;
			while (to < g->len && g->s[to] != ']' && g->s[to] != ')' && g->s[to] != '}')
				to++;
			while (to > g->t[0].off && g->s[to - 1] == ' ')
				to--;
			copy_utf8(r->release_group, sizeof(r->release_group), g->s + g->t[0].off,
				  to - g->t[0].off);
			for (int k = 0; k <= e; k++)
				g->t[k].kind = K_GROUP;
			return;
		}
	}
	if (tail_b >= 0 && tail_b > tb)
		set_group(g, tail_b, tail_e, r);
}

/* A plain number after a dash somewhere from token i on. */
static int later_dash_number(const struct seg *g, int i)
{
	for (; i < g->n && (g->t[i].kind == K_NONE || g->t[i].kind == K_YEAR); i++)
		if (g->t[i].dash && tok_numx(g, i) >= 0 && !is_year_tok(g, i))
			return 1;
	return 0;
}

/*
 * A bare number right after the title as an episode: "[Group] Show - 123"
 * (absolute), "FooBar.307.PDTV" (season 3, episode 7), "Show - 05",
 * "Test.13.HDTV", "[Group] 01 - Show". hint: the folders say "series".
 * Returns the token index used, -1 when there is none.
 */
static int number_episode(struct seg *g, int tb, int hint, int anime, struct parsed_name *r)
{
	int v, e;

	/* a leading number: "[DeadFish] 01 - Tari Tari", "03-Criminal.Minds",
	 * "003-004. Show Name", "05 - Name.mkv" in a season folder */
	if ((v = tok_numx(g, tb)) >= 0 && g->t[tb].len <= 5 && !is_year_tok(g, tb) && tb + 1 < g->n) {
		int j = tb + 1;
		if ((e = range_to(g, j, v)) >= 0 && g->t[j].dash)
			j++;
		if (j < g->n && g->t[j].kind == K_NONE && tok_num(g, j) < 0 &&
		    (anime || g->t[j].dash || hint ||
		     (g->t[tb].len == 3 && g->s[g->t[tb].off] == '0'))) {
			ep_add(r, v);
			if (j > tb + 1)
				ep_add_range(r, v, e);
			r->absolute = r->season < 0;
			for (int k = tb; k < j; k++)
				g->t[k].kind = K_EPISODE;
			return j - 1;
		}
	}
	/* "SupNat-11_06", "office_03_19": season_episode joined by '_' */
	for (int i = tb + 1; i + 1 < g->n && r->season < 0 && !anime; i++) {
		if (g->t[i].kind != K_NONE && g->t[i].kind != K_YEAR)
			break;
		if (g->t[i].len != 2 || g->t[i + 1].len != 2 || g->t[i].brk ||
		    (v = tok_num(g, i)) < 0 || (e = tok_num(g, i + 1)) < 0 ||
		    (size_t)g->t[i].off + 3 != g->t[i + 1].off || g->s[g->t[i].off + 2] != '_' ||
		    (i + 2 < g->n && tok_num(g, i + 2) >= 0))
			continue;
		r->season = v;
		ep_add(r, e);
		g->t[i].kind = g->t[i + 1].kind = K_EPISODE;
		return i + 1;
	}
	/* "Show - 123", "[Group] Show 2 - 11": a number after a dash wins */
	for (int i = tb + 1; i < g->n && (g->t[i].kind == K_NONE || g->t[i].kind == K_YEAR ||
					  g->t[i].kind == K_EPISODE);
	     i++) {
		if (g->t[i].kind == K_EPISODE)
			continue; /* "Show S2 - 11": the season came first */
		if (!g->t[i].dash || ((v = tok_numx(g, i)) < 0 && (v = tok_part(g, i)) < 0) ||
		    is_year_tok(g, i) ||
		    (g->t[i].brk && !anime) ||
		    (tok_num(g, i - 1) >= 0 &&
		     (size_t)g->t[i - 1].off + g->t[i - 1].len + 1 == g->t[i].off))
			continue; /* the end of a range "16-20" */
		if (i + 1 < g->n && g->t[i + 1].kind == K_NONE && !g->t[i + 1].brk &&
		    !g->t[i + 1].dash && tok_num(g, i + 1) < 0 && later_dash_number(g, i + 1))
			continue; /* "Fairy Tail - 100 Years Quest - 05": a title word */
		if (g->t[i].len >= 2 && tok_fraction(g, i))
			return i + special_number(g, i, r) - 1; /* "Sora no Woto - 07.5 - Title" */
		if (g->t[i].len == 3 && tok_num(g, i) >= 0 && r->season < 0 && !anime &&
		    (i + 1 == g->n || hint)) {
			/* "One Piece - 102" alone, "Duckman - 101 (01)" in a series folder */
			r->season = v / 100;
			ep_add(r, v % 100);
			g->t[i].kind = K_EPISODE;
			return i;
		}
		ep_add(r, v);
		r->absolute = r->season < 0;
		g->t[i].kind = K_EPISODE;
		/* "- 13-16", "- 01 ~ 12", "- (01-04)" */
		while (i + 1 < g->n && (e = range_to(g, i + 1, v)) >= 0 && g->t[i + 1].range) {
			ep_add_range(r, v, e);
			g->t[++i].kind = K_EPISODE;
		}
		return i;
	}
	for (int i = tb + 1; i < g->n; i++) {
		int len = g->t[i].len, nxt = i + 1;
		if (g->t[i].kind == K_YEAR)
			continue;
		if (g->t[i].kind != K_NONE)
			return -1;
		if ((v = tok_numx(g, i)) < 0 || is_year_tok(g, i))
			continue;
		while (nxt < g->n && g->t[nxt].kind == K_CRC)
			nxt++;
		int digits = 0;
		while (digits < len && isdigit((unsigned char)g->s[g->t[i].off + digits]))
			digits++;
		/* "1 of 6", "14.of.21" */
		if (tok_is(g, nxt, "of") && tok_num(g, nxt + 1) >= v) {
			ep_add(r, v);
			g->t[i].kind = g->t[nxt].kind = g->t[nxt + 1].kind = K_EPISODE;
			return nxt + 1;
		}
		/* what follows: release facts, a bracket, or nothing */
		int kind = nxt < g->n ? g->t[nxt].kind : K_NONE;
		int next_tech = nxt >= g->n || (kind != K_NONE && kind != K_YEAR) ||
				(g->t[nxt].brk && !g->t[i].brk);
		int next_year = nxt < g->n && (kind == K_YEAR || is_year_tok(g, nxt));
		int range = nxt < g->n && (e = range_to(g, nxt, v)) >= 0 && g->t[nxt].dash;
		if (g->t[i].brk && g->t[i].grp != g->t[tb].grp && !hint && !anime)
			continue;
		if (next_year)
			continue;
		if ((anime || hint) && digits >= 2 && tok_fraction(g, i))
			return i + special_number(g, i, r) - 1; /* "Magikarte_02.5_[902BB314]" */
		if (anime) {
			ep_add(r, v);
			r->absolute = r->season < 0;
		} else if ((digits == 3 || (digits == 4 && g->s[g->t[i].off] == '0')) &&
			   (next_tech || hint || r->date[0] || g->t[i - 1].kind == K_YEAR)) {
			r->season = v / 100;
			ep_add(r, v % 100);
		} else if (digits == 2 && (next_tech || hint || range)) {
			ep_add(r, v);
		} else if (digits == 1 && (kind == K_SOURCE || hint || range)) {
			ep_add(r, v);
		} else {
			continue;
		}
		g->t[i].kind = K_EPISODE;
		while (i + 1 < g->n && (e = range_to(g, i + 1, v)) >= 0 && g->t[i + 1].dash &&
		       r->season < 0) {
			ep_add_range(r, v, e);
			g->t[++i].kind = K_EPISODE;
		}
		return i;
	}
	return -1;
}

/* Scan and resolve one segment; hint: the folders say "series". */
static void resolve(struct seg *g, const char *s, size_t len, int is_file, int hint,
		    struct parsed_name *r, struct seg_view *v)
{
	seg_scan(g, s, len, r);
	v->tb = title_begin(g);
	pick_year(g, v->tb, r);
	v->numbered = 0;
	if (is_file && !r->episode_count && !g->special) {
		int e = 0;
		while (e < g->n && g->t[e].grp == g->lead_grp && g->lead_grp)
			e++;
		v->anime = g->lead_grp && e > 0;
		for (int k = 0; k < e; k++)
			if (g->t[k].kind != K_NONE && g->t[k].kind != K_OTHER && g->t[k].kind != K_SITE)
				v->anime = 0;
		int at = number_episode(g, v->tb, hint || r->season >= 0, v->anime, r);
		v->numbered = at >= 0;
		if (at >= v->tb && g->t[v->tb].kind == K_EPISODE) {
			/* "05 - Name.mkv" in a season folder names the episode, not the
			 * show; "[Group] 01 - Show" names the show */
			v->tb = at + 1;
			if (hint && !v->anime)
				v->tb = g->n;
		}
	}
	pick_group(g, v->tb, r);
	v->te = title_end(g, v->tb);
	/* "Queen - A Kind of Magic", "Kaamelott - Livre V - Ep 23": the title
	 * is the part before a spaced dash; fansub names keep theirs whole up
	 * to the number ("[SubsPlease] Fairy Tail - 100 Years Quest - 05") */
	for (int k = v->tb + 1; k < v->te && !(v->anime && v->numbered); k++) {
		size_t gap = g->t[k].off - ((size_t)g->t[k - 1].off + g->t[k - 1].len);
		if (g->t[k].dash && gap >= 2) {
			v->te = k;
			break;
		}
	}
	/* "h265 - HEVC Riddick ...": release facts first, title after them */
	if (is_file && v->te == v->tb && !r->episode_count && !r->date[0]) {
		int k = v->tb;
		while (k < g->n && (g->t[k].kind != K_NONE || g->t[k].brk))
			k++;
		if (k < g->n) {
			v->tb = k;
			v->te = title_end(g, k);
		}
	}
	{
		int b = v->tb, e = v->te;
		if (is_file || r->episode_count || r->season >= 0) {
			bracket_title(g, &b, &e);
			alternative_title(g, &b, &e);
		}
		title_text(g, b, e, r->title, sizeof(r->title));
	}
	if (r->episode_count || r->date[0] || g->special)
		episode_title(g, v->te > v->tb ? v->te : 0, r);
	v->special = g->special;
}

/* Folder names that say nothing about the title, as matching keys
 * (core/unicode.h: "TV-Shows", "Séries" and "__ Incomplete __" are
 * "tv shows", "series" and "incomplete"). */
static const char *const generic_folders[] = {
	"movies", "movie", "films", "film", "series", "serie", "tv", "tv shows", "tvshows", "shows",
	"videos", "video", "downloads", "download", "media", "anime", "mnt", "data", "home",
	"incoming", "torrents", "completed", "complete", "new", "hd", "sd", "serien",
	"tv series", "documentaries", "kids", "library", "storage", "share", "public", "volumes",
	"srv", "nas", "incomplete", NULL};
static const char *const specials_folders[] = {"specials", "special", NULL};
static const char *const series_folders[] = {"series", "tv", "tv shows", "tvshows", "shows",
					     "anime", "serien", "tv series", "serie", NULL};

/* The matching key of a title: case, width, diacritics and punctuation
 * folded (uni_fold). Room for the key of any title the parser keeps. */
#define KEY_MAX (4 * NAME_TITLE_MAX)

static size_t title_key(const char *title, char *key, size_t cap)
{
	return uni_fold(title, strlen(title), key, cap);
}

/* 1 when title's key is one of list's. */
static int key_in(const char *title, const char *const *list)
{
	char key[32];

	/* a key that fills the buffer is longer than every entry */
	if (title_key(title, key, sizeof(key)) + 1 >= sizeof(key))
		return 0;
	for (int k = 0; list[k]; k++)
		if (!strcmp(key, list[k]))
			return 1;
	return 0;
}

static int generic_folder(const char *title)
{
	return key_in(title, generic_folders);
}

static int series_folder(const char *title)
{
	return key_in(title, series_folders);
}

/* Extensions that end a file name (containers, subtitles, sidecars). */
static size_t strip_extension(const char *s, size_t len)
{
	static const char *const exts[] = {
		"mkv", "avi", "mp4", "m4v", "mov", "wmv", "flv", "webm", "mpg", "mpeg", "3gp", "ts",
		"m2ts", "vob", "ogv", "ogm", "divx", "iso", "img", "srt", "ass", "ssa", "vtt", "sub",
		"idx", "nfo", "rmvb", "rm", "asf", "mk3d", "wtv", "strm", "nzb", "torrent", NULL};
	const char *dot = NULL;

	for (size_t k = len; k > 0 && len - k <= 8; k--)
		if (s[k - 1] == '.') {
			dot = s + k - 1;
			break;
		}
	if (!dot)
		return len;
	size_t el = len - (size_t)(dot - s) - 1;
	for (int k = 0; exts[k]; k++)
		if (el == strlen(exts[k]) && !strncasecmp(dot + 1, exts[k], el))
			return (size_t)(dot - s);
	return len;
}

/* Copy with invalid UTF-8 bytes as '?' and control bytes as spaces. */
static size_t sanitize(char *dst, const char *src, size_t n)
{
	size_t o = 0;

	for (size_t k = 0; k < n;) {
		size_t l = buf_utf8_seq_len(src + k, n - k);
		if (!l) {
			dst[o++] = '?';
			k++;
		} else if (l == 1 && (unsigned char)src[k] < 0x20) {
			dst[o++] = ' ';
			k++;
		} else {
			memcpy(dst + o, src + k, l);
			o += l;
			k += l;
		}
	}
	dst[o] = '\0';
	return o;
}

/*
 * Turn the folder separators of s into NULs. '\\' always separates; '/'
 * does unless it is text: next to a space ("Черное зеркало / Black Mirror",
 * "Despair / Humanity's Comeback") or inside brackets ("[720p/MKV]",
 * "[Title/Alt Title]"), which folder names on disk do not have.
 */
static void mark_folders(char *s, size_t len)
{
	int depth = 0;

	for (size_t k = 0; k < len; k++) {
		char c = s[k];
		if (c == '[' || c == '(' || c == '{' || (k + 2 < len && !memcmp(s + k, "\xe3\x80\x90", 3)))
			depth++;
		else if ((c == ']' || c == ')' || c == '}' ||
			  (k + 2 < len && !memcmp(s + k, "\xe3\x80\x91", 3))) && depth > 0)
			depth--;
		else if (c == '\\' ||
			 (c == '/' && !depth && (k == 0 || s[k - 1] != ' ') && (k + 1 >= len || s[k + 1] != ' '))) {
			s[k] = '\0';
			depth = 0;
		}
	}
}

/* 1 when a and b are the same title once folded, spaces aside
 * ("Star.Wars" is "StarWars", "Amélie" is "AMELIE"). */
static int same_title(const char *a, const char *b)
{
	char ka[KEY_MAX], kb[KEY_MAX];
	const char *x = ka, *y = kb;

	title_key(a, ka, sizeof(ka));
	title_key(b, kb, sizeof(kb));
	for (;; x++, y++) {
		while (*x == ' ')
			x++;
		while (*y == ' ')
			y++;
		if (*x != *y)
			return 0;
		if (!*x)
			return 1;
	}
}

/* 1 when the folded title a contains the folded title b. */
static int title_contains(const char *a, const char *b)
{
	char ka[KEY_MAX], kb[KEY_MAX];

	title_key(a, ka, sizeof(ka));
	title_key(b, kb, sizeof(kb));
	return kb[0] && strstr(ka, kb) != NULL;
}

int name_parse(const char *path, struct parsed_name *out)
{
	static _Thread_local char work[NAME_INPUT_MAX + 1];
	static _Thread_local struct seg g;
	struct parsed_name folder[MAX_FOLDERS];
	struct seg_view v;
	const char *segs[MAX_FOLDERS + 1];
	size_t seglen[MAX_FOLDERS + 1];
	int nseg = 0, hint = 0, nf;
	size_t len;

	name_init(out);
	if (!path || !*path || (len = strnlen(path, NAME_INPUT_MAX + 1)) > NAME_INPUT_MAX)
		return -1;
	len = sanitize(work, path, len);
	mark_folders(work, len);
	/* the last MAX_FOLDERS + 1 segments, file name first */
	for (size_t e = len; nseg <= MAX_FOLDERS;) {
		while (e > 0 && work[e - 1] == '\0')
			e--;
		if (!e)
			break;
		size_t b = e;
		while (b > 0 && work[b - 1] != '\0')
			b--;
		segs[nseg] = work + b;
		seglen[nseg++] = e - b;
		e = b;
	}
	if (!nseg)
		return 0;
	nf = nseg - 1;
	for (int k = 0; k < nf; k++) {
		name_init(&folder[k]);
		resolve(&g, segs[k + 1], seglen[k + 1], 0, 0, &folder[k], &v);
		if (folder[k].season < 0 && key_in(folder[k].title, specials_folders)) {
			folder[k].season = 0; /* Jellyfin's "Specials" folder is season 0 */
			folder[k].title[0] = '\0';
		}
		if (folder[k].season >= 0 || series_folder(folder[k].title))
			hint = 1;
	}
	resolve(&g, segs[0], strip_extension(segs[0], seglen[0]), 1, hint, out, &v);

	/* a file named like a hash inside a release folder: the folder knows */
	if ((!out->episode_count || v.numbered) && !v.special) {
		for (int k = 0; k < nf; k++) {
			struct parsed_name *f = &folder[k];
			if (!f->episode_count)
				continue;
			out->season = f->season;
			out->episode_count = f->episode_count;
			out->episode_total = f->episode_total;
			out->episode_last = f->episode_last;
			memcpy(out->episodes, f->episodes, sizeof(out->episodes));
			memcpy(out->title, f->title, sizeof(out->title));
			if (!out->episode_title[0])
				memcpy(out->episode_title, f->episode_title, sizeof(out->episode_title));
			break;
		}
	}
	/* "Show.S06E09.Title.DVDRip-GRP/show.s06e09.dvdrip-grp.avi" */
	for (int k = 0; k < nf && !out->episode_title[0] && out->episode_count; k++)
		if (folder[k].episode_count && folder[k].season == out->season &&
		    folder[k].episodes[0] == out->episodes[0])
			memcpy(out->episode_title, folder[k].episode_title, sizeof(out->episode_title));
	/* release facts the file name lacks come from release folders
	 * ("Show.S01.720p.HDTV.x264-Group/show.name.0106.mkv") */
	for (int k = 0; k < nf; k++) {
		const struct parsed_name *f = &folder[k];
		int release = f->source || f->video_codec || f->screen_size || f->audio_codec;
		if (!release)
			continue;
		out->screen_size = out->screen_size ? out->screen_size : f->screen_size;
		out->source = out->source ? out->source : f->source;
		out->video_codec = out->video_codec ? out->video_codec : f->video_codec;
		out->audio_codec = out->audio_codec ? out->audio_codec : f->audio_codec;
		out->hdr = out->hdr ? out->hdr : f->hdr;
		out->edition = out->edition ? out->edition : f->edition;
		if (!out->release_group[0])
			memcpy(out->release_group, f->release_group, sizeof(out->release_group));
		break;
	}
	/* "Movies/The Matrix (1999) [tmdbid-603]/The Matrix (1999).mkv" */
	for (int k = 0; k < nf; k++) {
		if (!out->tmdb_id)
			out->tmdb_id = folder[k].tmdb_id;
		if (!out->imdb_id[0])
			memcpy(out->imdb_id, folder[k].imdb_id, sizeof(out->imdb_id));
	}
	/* guessit's vocabulary: a 2160p Blu-ray is an Ultra HD Blu-ray */
	if (out->source && !strcmp(out->source, "Blu-ray") && out->screen_size &&
	    !strcmp(out->screen_size, "2160p"))
		out->source = "Ultra HD Blu-ray";
	if (out->extra) {
		out->episode_count = out->episode_total = out->episode_last = 0; /* "NCED2" is no episode 2 */
		out->absolute = 0;
	}
	int episodic = out->episode_count > 0 || out->date[0] || out->season >= 0 || out->extra;
	for (int k = 0; k < nf && episodic && out->season < 0; k++)
		if (folder[k].season >= 0 && !folder[k].episode_count)
			out->season = folder[k].season;
	out->type = episodic ? NAME_EPISODE : NAME_MOVIE;

	/* title from the nearest meaningful folder when the file has none, or
	 * the folder's spelling when both name the same thing; for a movie a
	 * release or "Title (Year)" folder beats an abbreviated file name */
	for (int k = 0; k < nf; k++) {
		struct parsed_name *f = &folder[k];
		if (!f->title[0] || generic_folder(f->title))
			continue;
		if (f->season >= 0 && !f->episode_count && out->title[0])
			continue; /* "Season 2" or "Show Season 2" when the file has a title */
		int same = out->title[0] && same_title(out->title, f->title);
		int release = f->year || f->source || f->video_codec || f->screen_size;
		if (!out->title[0] || same ||
		    (!episodic && release && (!out->year || title_contains(out->title, f->title)))) {
			memcpy(out->title, f->title, sizeof(out->title));
			if (!out->year)
				out->year = f->year;
		}
		/* "Title/Title.mkv" inside a release folder: look one further up */
		if (same && !release && !episodic)
			continue;
		break;
	}
	return 0;
}

void name_parse_json(const struct parsed_name *p, struct jw *w)
{
	jw_obj_open(w);
	jw_kstr(w, "type", p->type == NAME_EPISODE ? "episode" : "movie");
	jw_kstr(w, "title", p->title[0] ? p->title : NULL);
	if (p->year)
		jw_kint(w, "year", p->year);
	else
		jw_knull(w, "year");
	if (p->season >= 0)
		jw_kint(w, "season", p->season);
	else
		jw_knull(w, "season");
	jw_key(w, "episode");
	if (p->episode_total == 1) {
		jw_int(w, p->episodes[0]);
	} else if (p->episode_total > 1) {
		jw_arr_open(w);
		for (int k = 0; k < p->episode_count; k++)
			jw_int(w, p->episodes[k]);
		/* the run past the array, up to episode_last (parse.h) */
		for (int k = 1; k <= p->episode_total - p->episode_count; k++)
			jw_int(w, p->episodes[p->episode_count - 1] + k);
		jw_arr_close(w);
	} else {
		jw_null(w);
	}
	jw_kstr(w, "episode_title", p->episode_title[0] ? p->episode_title : NULL);
	jw_kstr(w, "date", p->date[0] ? p->date : NULL);
	jw_kstr(w, "screen_size", p->screen_size);
	jw_kstr(w, "source", p->source);
	jw_kstr(w, "video_codec", p->video_codec);
	jw_kstr(w, "audio_codec", p->audio_codec);
	jw_kstr(w, "release_group", p->release_group[0] ? p->release_group : NULL);
	jw_kstr(w, "edition", p->edition);
	if (p->tmdb_id)
		jw_kint(w, "tmdb_id", p->tmdb_id);
	else
		jw_knull(w, "tmdb_id");
	jw_kstr(w, "imdb_id", p->imdb_id[0] ? p->imdb_id : NULL);
	jw_obj_close(w);
}
