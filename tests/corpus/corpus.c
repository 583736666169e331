/*
 * corpus: measure name_parse() against public corpora (`make corpus`).
 *
 *   corpus FIXTURES_DIR     (normally tests/fixtures)
 *
 * Reads guessit's movies.yml and episodes.yml (a minimal reader for the
 * subset described in tests/fixtures/guessit/README.md), PTN's JSON files,
 * anitomy's data.json and our hand-labelled releases/episodes.yml, parses
 * every input, and prints per-field accuracy as counts and percentages per
 * corpus (PTN split into its movie and episode names), the same summed over
 * every episode corpus, and the two targets:
 *   title+year both right on guessit movies       >= 95 %
 *   season+episode both right on guessit episodes >= 95 %
 * "core" is a whole-name figure: a name counts when every core field its
 * fixture lists (type, title, season, episode, date, absolute) is right.
 *
 * Scoring rules (kept independent of the parser's choices):
 * - only properties the fixture lists are checked, as upstream does;
 * - negated cases ("? -name") and cases carrying `options:` (type forcing,
 *   title hints, number preferences the parser has no switch for) are
 *   skipped and counted as such; negated properties are ignored;
 * - titles compare case-insensitively with ASCII punctuation folded: an
 *   apostrophe disappears, other punctuation becomes a space, runs of
 *   spaces collapse;
 * - a list-valued expectation matches a list output exactly (episodes);
 *   for a field the parser reports as one value (audio_codec: [DTS-HD,
 *   LPCM]) the value must be one of the list;
 * - PTN vocabulary is mapped onto guessit's where the meaning is the same
 *   (quality BRRip -> source Blu-ray, audio "Dolby Digital 5.1" -> "Dolby
 *   Digital", encoder -> release_group); PTN values with no counterpart
 *   (quality Screener, audio Dual) are not scored;
 * - anitomy: anime_title -> title, anime_season -> season, anime_year ->
 *   year, episode_number -> episode (a list of two is the range between
 *   them; "02.5" or "01b" can never match), video_resolution -> screen
 *   size ("1280x720" is 720p, non-standard sizes are not scored); an entry
 *   with an episode number is an episode, anime_type Movie a movie; entries
 *   with option_* keys are skipped.
 * Exit status 0 whatever the accuracy: this measures, it does not assert.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "library/parse.h"

#define MAX_PROPS 48
#define MAX_VALS 32
#define MAX_KEYS 16

struct prop {
	char key[40];
	char *vals[MAX_VALS];
	int nv;
	int is_list;
};

struct ycase {
	char *inputs[MAX_KEYS];
	int ninputs;
	struct prop props[MAX_PROPS];
	int np;
	int has_options;
};

enum field {
	F_TYPE, F_TITLE, F_YEAR, F_SEASON, F_EPISODE, F_EPISODE_TITLE, F_DATE, F_SCREEN, F_SOURCE,
	F_VCODEC, F_ACODEC, F_GROUP, F_EDITION, F_ABSOLUTE, F_COUNT
};
static const char *const field_names[F_COUNT] = {
	"type", "title", "year", "season", "episode", "episode_title", "date", "screen_size",
	"source", "video_codec", "audio_codec", "release_group", "edition", "absolute"};

/* The fields of the whole-name "core" figure. */
static int is_core(enum field f)
{
	return f == F_TYPE || f == F_TITLE || f == F_SEASON || f == F_EPISODE || f == F_DATE ||
	       f == F_ABSOLUTE;
}

struct score {
	const char *name;
	int cases, skipped;
	int total[F_COUNT], right[F_COUNT];
	int target_total, target_right;
	int core_total, core_right;
};

/* Count one field result (-1: not listed) into s. */
static void tally(struct score *s, enum field f, int ok)
{
	if (ok < 0)
		return;
	s->total[f]++;
	s->right[f] += ok;
}

/* Count one name into the core figure: ok[] as from check_field. */
static void tally_core(struct score *s, const int *ok)
{
	int listed = 0, right = 1;
	for (int f = 0; f < F_COUNT; f++)
		if (is_core((enum field)f) && ok[f] >= 0) {
			listed = 1;
			right &= ok[f];
		}
	if (listed) {
		s->core_total++;
		s->core_right += right;
	}
}

static void score_add(struct score *to, const struct score *from)
{
	to->cases += from->cases;
	to->skipped += from->skipped;
	for (int f = 0; f < F_COUNT; f++) {
		to->total[f] += from->total[f];
		to->right[f] += from->right[f];
	}
	to->core_total += from->core_total;
	to->core_right += from->core_right;
}

/* ---- small string helpers ---- */

static char *xstrdup(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (!d) {
		perror("corpus");
		exit(1);
	}
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static char *trim(char *s)
{
	size_t n = strlen(s);
	while (*s == ' ' || *s == '\t')
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = '\0';
	return s;
}

/* YAML scalar: strip quotes (double quotes honour \" and \\). */
static char *scalar(const char *s)
{
	size_t n = strlen(s);
	if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) {
		char *d = xstrdup(s + 1, n - 2), *o = d;
		for (char *p = d; *p; p++) {
			if (s[0] == '"' && *p == '\\' && p[1])
				p++;
			*o++ = *p;
		}
		*o = '\0';
		return d;
	}
	return xstrdup(s, n);
}

/* Normalise a title for comparison (see the header comment). */
static void fold(const char *s, char *out, size_t cap)
{
	size_t o = 0;
	for (; *s && o + 1 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\'')
			continue;
		if (c < 0x80 && !isalnum(c))
			c = ' ';
		if (c == ' ' && (o == 0 || out[o - 1] == ' '))
			continue;
		out[o++] = (char)tolower(c);
	}
	while (o && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
}

static int title_eq(const char *a, const char *b)
{
	char fa[1024], fb[1024];
	if (!a || !b)
		return 0;
	fold(a, fa, sizeof(fa));
	fold(b, fb, sizeof(fb));
	return strcmp(fa, fb) == 0;
}

/* ---- guessit YAML subset ---- */

static void add_val(struct prop *p, const char *v)
{
	if (p->nv < MAX_VALS)
		p->vals[p->nv++] = scalar(v);
}

/* "value" or "[a, b]" into p */
static void set_value(struct prop *p, char *v)
{
	v = trim(v);
	if (*v == '#') /* a comment, the value follows as "- item" lines */
		return;
	if (*v == '[') {
		char *end = strrchr(v, ']');
		if (end)
			*end = '\0';
		p->is_list = 1;
		for (char *tok = strtok(v + 1, ","); tok; tok = strtok(NULL, ","))
			if (*trim(tok))
				add_val(p, trim(tok));
	} else if (*v) {
		add_val(p, v);
	}
}

static void prop_line(struct ycase *c, char *line)
{
	char *colon;
	line = trim(line);
	if (!*line || *line == '#')
		return;
	if (!strcmp(line, "options:") || !strncmp(line, "options:", 8)) {
		c->has_options = 1;
		return;
	}
	if (*line == '-' && c->np > 0 && line[1] == ' ') { /* "- item" of the last list */
		struct prop *p = &c->props[c->np - 1];
		p->is_list = 1;
		add_val(p, trim(line + 2));
		return;
	}
	if (!(colon = strstr(line, ":")))
		return;
	*colon = '\0';
	if (c->np >= MAX_PROPS)
		return;
	struct prop *p = &c->props[c->np++];
	memset(p, 0, sizeof(*p));
	snprintf(p->key, sizeof(p->key), "%s", trim(line));
	set_value(p, colon + 1);
}

static const struct prop *find_prop(const struct ycase *c, const struct ycase *def, const char *k)
{
	for (int i = 0; i < c->np; i++)
		if (!strcmp(c->props[i].key, k))
			return &c->props[i];
	if (def)
		for (int i = 0; i < def->np; i++)
			if (!strcmp(def->props[i].key, k))
				return &def->props[i];
	return NULL;
}

static int num_in(const struct prop *p, int v)
{
	for (int i = 0; i < p->nv; i++)
		if (atoi(p->vals[i]) == v && isdigit((unsigned char)p->vals[i][0]))
			return 1;
	return 0;
}

static int str_in(const struct prop *p, const char *v)
{
	if (!v)
		return 0;
	for (int i = 0; i < p->nv; i++)
		if (!strcasecmp(p->vals[i], v))
			return 1;
	return 0;
}

static const char *field_str(const struct parsed_name *r, enum field f)
{
	switch (f) {
	case F_TYPE: return r->type == NAME_EPISODE ? "episode" : "movie";
	case F_EPISODE_TITLE: return r->episode_title[0] ? r->episode_title : NULL;
	case F_DATE: return r->date[0] ? r->date : NULL;
	case F_SCREEN: return r->screen_size;
	case F_SOURCE: return r->source;
	case F_VCODEC: return r->video_codec;
	case F_ACODEC: return r->audio_codec;
	case F_GROUP: return r->release_group[0] ? r->release_group : NULL;
	case F_EDITION: return r->edition;
	default: return NULL;
	}
}

/* The i-th episode number the name gives: stored, or past the array on
 * the run up to episode_last (parse.h). */
static int episode_at(const struct parsed_name *r, int i)
{
	return i < r->episode_count ? r->episodes[i]
				    : r->episodes[r->episode_count - 1] + i - r->episode_count + 1;
}

static int episodes_eq(const struct prop *p, const struct parsed_name *r)
{
	if (p->nv != r->episode_total)
		return 0;
	for (int i = 0; i < p->nv; i++)
		if (atoi(p->vals[i]) != episode_at(r, i))
			return 0;
	return 1;
}

/* Score one field; -1 when the fixture does not list it. */
static int check_field(const struct prop *p, const struct parsed_name *r, enum field f)
{
	if (!p || !p->nv)
		return -1;
	switch (f) {
	case F_TITLE: return title_eq(p->vals[0], r->title[0] ? r->title : NULL);
	case F_EPISODE_TITLE: return title_eq(p->vals[0], field_str(r, f));
	case F_YEAR: return num_in(p, r->year);
	case F_SEASON: return r->season >= 0 && num_in(p, r->season);
	case F_EPISODE: return episodes_eq(p, r);
	case F_ABSOLUTE: return (!strcasecmp(p->vals[0], "true")) == (r->absolute && r->episode_count > 0);
	default: return str_in(p, field_str(r, f));
	}
}

static void score_yaml_case(struct score *s, const struct ycase *c, const struct ycase *def,
			    const char *input, int movies)
{
	struct parsed_name r;
	int ok[F_COUNT];

	name_parse(input, &r);
	for (int f = 0; f < F_COUNT; f++) {
		ok[f] = check_field(find_prop(c, def, field_names[f]), &r, (enum field)f);
		tally(s, (enum field)f, ok[f]);
	}
	tally_core(s, ok);
	if (getenv("CORPUS_VERBOSE")) {
		for (int f = 0; f < F_COUNT; f++)
			if (ok[f] == 0) {
				const struct prop *p = find_prop(c, def, field_names[f]);
				const char *got = field_str(&r, (enum field)f);
				char num[32] = "";
				if (f == F_TITLE)
					got = r.title;
				else if (f == F_YEAR || f == F_SEASON || f == F_EPISODE) {
					snprintf(num, sizeof(num), "%d",
						 f == F_YEAR ? r.year : f == F_SEASON ? r.season
						 : r.episode_count ? r.episodes[0] : -1);
					got = num;
				}
				printf("MISS %s %s: want '%s' got '%s' in %s\n", s->name, field_names[f],
				       p->vals[0], got ? got : "(null)", input);
			}
	}
	if (movies) {
		if (ok[F_TITLE] >= 0) {
			s->target_total++;
			s->target_right += ok[F_TITLE] == 1 && ok[F_YEAR] != 0;
		}
	} else if (ok[F_SEASON] >= 0 || ok[F_EPISODE] >= 0) {
		s->target_total++;
		s->target_right += ok[F_SEASON] != 0 && ok[F_EPISODE] != 0;
	}
}

static void free_case(struct ycase *c)
{
	for (int i = 0; i < c->ninputs; i++)
		free(c->inputs[i]);
	for (int i = 0; i < c->np; i++)
		for (int k = 0; k < c->props[i].nv; k++)
			free(c->props[i].vals[k]);
	memset(c, 0, sizeof(*c));
}

static void flush_case(struct score *s, struct ycase *c, struct ycase *def, int movies)
{
	if (c->ninputs == 1 && !strcmp(c->inputs[0], "__default__")) {
		free_case(def);
		*def = *c;
		memset(c, 0, sizeof(*c));
		return;
	}
	for (int i = 0; i < c->ninputs; i++) {
		s->cases++;
		if (c->inputs[i][0] == '-' || c->has_options)
			s->skipped++;
		else
			score_yaml_case(s, c, def, c->inputs[i][0] == '+' ? c->inputs[i] + 1 : c->inputs[i],
					movies);
	}
	free_case(c);
}

static int run_yaml(const char *path, struct score *s, int movies)
{
	FILE *f = fopen(path, "r");
	static struct ycase cur, def;
	char *line = NULL;
	size_t cap = 0;
	int in_value = 0;

	if (!f) {
		perror(path);
		return -1;
	}
	memset(&cur, 0, sizeof(cur));
	memset(&def, 0, sizeof(def));
	while (getline(&line, &cap, f) >= 0) {
		if (line[0] == '#')
			continue;
		if (line[0] == '?' && (line[1] == ' ' || line[1] == '\n')) {
			if (in_value) {
				flush_case(s, &cur, &def, movies);
				in_value = 0;
			}
			if (cur.ninputs < MAX_KEYS)
				cur.inputs[cur.ninputs++] = scalar(trim(line + 1));
		} else if (line[0] == ':' ) {
			in_value = 1;
			prop_line(&cur, line + 1);
		} else if (in_value && (line[0] == ' ' || line[0] == '\t')) {
			prop_line(&cur, line);
		}
	}
	if (cur.ninputs)
		flush_case(s, &cur, &def, movies);
	free_case(&def);
	free(line);
	fclose(f);
	return 0;
}

/* ---- PTN ---- */

static cJSON *load_json(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *text;
	long n;
	cJSON *j;

	if (!f) {
		perror(path);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	text = malloc((size_t)n + 1);
	if (!text || fread(text, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(text);
		return NULL;
	}
	text[n] = '\0';
	fclose(f);
	j = cJSON_Parse(text);
	free(text);
	return j;
}

static const char *ptn_source(const char *q)
{
	static const struct {
		const char *ptn, *ours;
	} map[] = {{"Blu-ray", "Blu-ray"}, {"BRRip", "Blu-ray"},   {"BDRip", "Blu-ray"},
		   {"WEB-DL", "Web"},      {"WEBRip", "Web"},       {"HDTV", "HDTV"},
		   {"DVD-Rip", "DVD"},     {"DVD", "DVD"},          {"Cam", "Camera"},
		   {"Telesync", "Telesync"}, {"PDTV", "Digital TV"}, {"DSRip", "Satellite"},
		   {"AHDTV", "Analog HDTV"}, {"HD DVD", "HD-DVD"}};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(q, map[i].ptn))
			return map[i].ours;
	return NULL;
}

/* "Dolby Digital 5.1" -> "Dolby Digital"; NULL when there is no codec. */
static const char *ptn_audio(const char *a, char *tmp, size_t cap)
{
	size_t n;
	snprintf(tmp, cap, "%s", a);
	n = strlen(tmp);
	if (n > 4 && tmp[n - 4] == ' ' && isdigit((unsigned char)tmp[n - 3]) && tmp[n - 2] == '.')
		tmp[n - 4] = '\0';
	if (!strcmp(tmp, "AAC-LC") || !strcmp(tmp, "HE-AAC"))
		return "AAC";
	if (!strcmp(tmp, "DTS-HD MA"))
		return "DTS-HD";
	if (!strcmp(tmp, "Dolby Digital EX"))
		return "Dolby Digital";
	if (!strcmp(tmp, "DTS-ES"))
		return "DTS";
	if (!strcmp(tmp, "Dual") || !strcmp(tmp, "LiNE") || !strcmp(tmp, "Mono") ||
	    !strcmp(tmp, "Custom") || !strcmp(tmp, "5.1"))
		return NULL;
	return tmp;
}

/* PTN numbers: a number or a list; returns 1/0, -1 when not listed. */
static int ptn_num(enum field f, const cJSON *exp, int got, const struct parsed_name *r)
{
	int ok = 0;
	if (!exp)
		return -1;
	if (cJSON_IsNumber(exp)) {
		ok = f == F_EPISODE ? r->episode_total == 1 && r->episodes[0] == exp->valueint
				    : got == exp->valueint;
	} else if (cJSON_IsArray(exp)) {
		int n = cJSON_GetArraySize(exp), i = 0;
		const cJSON *it;
		if (f == F_EPISODE) {
			ok = n == r->episode_total;
			cJSON_ArrayForEach(it, exp) ok = ok && episode_at(r, i++) == it->valueint;
		} else {
			cJSON_ArrayForEach(it, exp) ok = ok || it->valueint == got;
		}
	} else {
		return -1;
	}
	if (getenv("CORPUS_VERBOSE") && !ok)
		printf("MISS ptn %s: got %d\n", field_names[f],
		       f == F_EPISODE ? (r->episode_count ? r->episodes[0] : -1) : got);
	return ok;
}

/* PTN strings: returns 1/0, -1 when not listed. */
static int ptn_str(enum field f, const char *want, const char *got)
{
	int ok;
	if (!want)
		return -1;
	ok = f == F_TITLE ? title_eq(want, got) : (got && !strcasecmp(want, got));
	if (getenv("CORPUS_VERBOSE") && !ok)
		printf("MISS ptn %s: want '%s' got '%s'\n", field_names[f], want, got ? got : "(null)");
	return ok;
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* PTN's names with a season or an episode go to epi, the others to mov. */
static int run_ptn(const char *dir, struct score *mov, struct score *epi)
{
	char p[1024];
	cJSON *in, *raw, *std;
	int rc = -1;

	snprintf(p, sizeof(p), "%s/ptn/input.json", dir);
	in = load_json(p);
	snprintf(p, sizeof(p), "%s/ptn/output_raw.json", dir);
	raw = load_json(p);
	snprintf(p, sizeof(p), "%s/ptn/output_standard.json", dir);
	std = load_json(p);
	if (!in || !raw || !std)
		goto out;
	for (int i = 0; i < cJSON_GetArraySize(in); i++) {
		const cJSON *name = cJSON_GetArrayItem(in, i), *ro = cJSON_GetArrayItem(raw, i),
			    *so = cJSON_GetArrayItem(std, i);
		struct parsed_name r;
		struct score *s;
		char tmp[128];
		const char *v;
		int ok[F_COUNT];

		if (!cJSON_IsString(name) || !ro || !so)
			continue;
		s = cJSON_GetObjectItem(ro, "season") || cJSON_GetObjectItem(ro, "episode") ? epi : mov;
		s->cases++;
		for (int f = 0; f < F_COUNT; f++)
			ok[f] = -1;
		name_parse(name->valuestring, &r);
		if (getenv("CORPUS_VERBOSE"))
			printf("PTN %s\n", name->valuestring);
		ok[F_TITLE] = ptn_str(F_TITLE, jstr(so, "title") ? jstr(so, "title") : jstr(ro, "title"),
				      r.title);
		ok[F_YEAR] = ptn_num(F_YEAR, cJSON_GetObjectItem(ro, "year"), r.year, &r);
		ok[F_SEASON] = ptn_num(F_SEASON, cJSON_GetObjectItem(ro, "season"), r.season, &r);
		ok[F_EPISODE] = ptn_num(F_EPISODE, cJSON_GetObjectItem(ro, "episode"), 0, &r);
		v = jstr(so, "resolution") ? jstr(so, "resolution") : jstr(ro, "resolution");
		if (v && !strcasecmp(v, "4K"))
			v = "2160p";
		ok[F_SCREEN] = ptn_str(F_SCREEN, v, r.screen_size);
		v = jstr(so, "quality") ? jstr(so, "quality") : jstr(ro, "quality");
		if (v && (v = ptn_source(v)))
			ok[F_SOURCE] = ptn_str(F_SOURCE, v, r.source);
		v = jstr(so, "codec") ? jstr(so, "codec") : jstr(ro, "codec");
		ok[F_VCODEC] = ptn_str(F_VCODEC, v, r.video_codec);
		v = jstr(so, "audio") ? jstr(so, "audio") : jstr(ro, "audio");
		if (v && (v = ptn_audio(v, tmp, sizeof(tmp))))
			ok[F_ACODEC] = ptn_str(F_ACODEC, v, r.audio_codec);
		ok[F_GROUP] = ptn_str(F_GROUP, jstr(ro, "encoder"),
				      r.release_group[0] ? r.release_group : NULL);
		for (int f = 0; f < F_COUNT; f++)
			tally(s, (enum field)f, ok[f]);
		tally_core(s, ok);
	}
	rc = 0;
out:
	cJSON_Delete(in);
	cJSON_Delete(raw);
	cJSON_Delete(std);
	return rc;
}

/* ---- anitomy ---- */

/* "01" -> 1; -1 unless the whole string is 1..5 digits. */
static int ani_int(const char *v)
{
	int n = 0, d = 0;
	for (; v && *v; v++, d++) {
		if (!isdigit((unsigned char)*v) || d >= 5)
			return -1;
		n = n * 10 + (*v - '0');
	}
	return d ? n : -1;
}

/* anitomy's episode_number: "05", ["13", "15"] (a range) or "02.5". */
static int ani_episode(const cJSON *e, const struct parsed_name *r)
{
	int from, to;

	if (cJSON_IsString(e)) {
		from = to = ani_int(e->valuestring);
	} else if (cJSON_IsArray(e) && cJSON_GetArraySize(e) == 2) {
		from = ani_int(cJSON_GetArrayItem(e, 0)->valuestring);
		to = ani_int(cJSON_GetArrayItem(e, 1)->valuestring);
	} else {
		return -1;
	}
	if (from < 0 || to < from)
		return 0; /* "02.5", "01b": no integer counterpart */
	if (r->episode_total != to - from + 1)
		return 0;
	for (int k = 0; k < r->episode_total; k++)
		if (episode_at(r, k) != from + k)
			return 0;
	return 1;
}

/* "1280x720" -> "720p", "720p"/"480P" -> lower case; NULL: not scored. */
static const char *ani_screen(const char *v, char *tmp, size_t cap)
{
	const char *x;
	int h;

	if (!v)
		return NULL;
	if ((x = strpbrk(v, "xX")) && (h = ani_int(x + 1)) > 0) {
		if (h != 360 && h != 480 && h != 540 && h != 576 && h != 720 && h != 1080 && h != 2160)
			return NULL;
		snprintf(tmp, cap, "%dp", h);
		return tmp;
	}
	snprintf(tmp, cap, "%s", v);
	for (char *c = tmp; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return tmp[0] && tmp[strlen(tmp) - 1] == 'p' ? tmp : NULL;
}

static int ani_num(const cJSON *o, const char *k, int got)
{
	const char *v = jstr(o, k);
	if (!v)
		return -1;
	return ani_int(v) == got;
}

static int run_anitomy(const char *dir, struct score *s)
{
	char p[1024], tmp[32];
	cJSON *all, *it;

	snprintf(p, sizeof(p), "%s/anitomy/data.json", dir);
	if (!(all = load_json(p)))
		return -1;
	cJSON_ArrayForEach(it, all) {
		const char *name = jstr(it, "file_name"), *type = jstr(it, "anime_type");
		const cJSON *ep = cJSON_GetObjectItem(it, "episode_number"), *kv;
		struct parsed_name r;
		int ok[F_COUNT], options = 0;

		if (!name)
			continue;
		s->cases++;
		cJSON_ArrayForEach(kv, it) options |= !strncmp(kv->string, "option_", 7);
		if (options) {
			s->skipped++;
			continue;
		}
		for (int f = 0; f < F_COUNT; f++)
			ok[f] = -1;
		name_parse(name, &r);
		if (jstr(it, "anime_title"))
			ok[F_TITLE] = title_eq(jstr(it, "anime_title"), r.title[0] ? r.title : NULL);
		if (ep)
			ok[F_EPISODE] = ani_episode(ep, &r);
		if (jstr(it, "anime_season"))
			ok[F_SEASON] = r.season >= 0 && ani_num(it, "anime_season", r.season);
		ok[F_YEAR] = ani_num(it, "anime_year", r.year);
		if (jstr(it, "episode_title"))
			ok[F_EPISODE_TITLE] =
				title_eq(jstr(it, "episode_title"), r.episode_title[0] ? r.episode_title : NULL);
		if (jstr(it, "release_group"))
			ok[F_GROUP] = title_eq(jstr(it, "release_group"),
					       r.release_group[0] ? r.release_group : NULL);
		if (ani_screen(jstr(it, "video_resolution"), tmp, sizeof(tmp)))
			ok[F_SCREEN] = r.screen_size && !strcmp(tmp, r.screen_size);
		if (ep)
			ok[F_TYPE] = r.type == NAME_EPISODE;
		else if (type && !strcmp(type, "Movie"))
			ok[F_TYPE] = r.type == NAME_MOVIE;
		for (int f = 0; f < F_COUNT; f++) {
			tally(s, (enum field)f, ok[f]);
			if (ok[f] == 0 && getenv("CORPUS_VERBOSE"))
				printf("MISS anitomy %s: got title '%s' ep %d season %d in %s\n",
				       field_names[f], r.title, r.episode_count ? r.episodes[0] : -1,
				       r.season, name);
		}
		tally_core(s, ok);
	}
	cJSON_Delete(all);
	return 0;
}

static void print_score(const struct score *s)
{
	printf("\n%s: %d cases", s->name, s->cases);
	if (s->skipped)
		printf(" (%d skipped: negated or with options)", s->skipped);
	printf("\n");
	for (int f = 0; f < F_COUNT; f++)
		if (s->total[f])
			printf("  %-14s %5d / %-5d %6.1f %%\n", field_names[f], s->right[f], s->total[f],
			       100.0 * s->right[f] / s->total[f]);
	if (s->core_total)
		printf("  %-14s %5d / %-5d %6.1f %%  (every core field the fixture lists)\n", "core",
		       s->core_right, s->core_total, 100.0 * s->core_right / s->core_total);
}

static void print_target(const char *what, const struct score *s)
{
	double pct = s->target_total ? 100.0 * s->target_right / s->target_total : 0;
	printf("target %-40s %4d / %-4d %6.1f %% (>= 95 %%) %s\n", what, s->target_right,
	       s->target_total, pct, pct >= 95.0 ? "met" : "MISSED");
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "tests/fixtures";
	static struct score mov = {.name = "guessit movies"}, epi = {.name = "guessit episodes"},
			    ptn_mov = {.name = "ptn movies"}, ptn_epi = {.name = "ptn episodes"},
			    ani = {.name = "anitomy (anime)"}, rel = {.name = "releases (hand-labelled)"},
			    all_epi = {.name = "all episode corpora"};
	char p[1024];

	snprintf(p, sizeof(p), "%s/guessit/movies.yml", dir);
	if (run_yaml(p, &mov, 1))
		return 1;
	snprintf(p, sizeof(p), "%s/guessit/episodes.yml", dir);
	if (run_yaml(p, &epi, 0))
		return 1;
	if (run_ptn(dir, &ptn_mov, &ptn_epi))
		return 1;
	if (run_anitomy(dir, &ani))
		return 1;
	snprintf(p, sizeof(p), "%s/releases/episodes.yml", dir);
	if (run_yaml(p, &rel, 0))
		return 1;
	score_add(&all_epi, &epi);
	score_add(&all_epi, &ptn_epi);
	score_add(&all_epi, &ani);
	score_add(&all_epi, &rel);
	print_score(&mov);
	print_score(&ptn_mov);
	print_score(&epi);
	print_score(&ptn_epi);
	print_score(&ani);
	print_score(&rel);
	print_score(&all_epi);
	printf("\n");
	print_target("title+year, guessit movies", &mov);
	print_target("season+episode, guessit episodes", &epi);
	return 0;
}
