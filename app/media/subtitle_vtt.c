#include "media/subtitle_vtt.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "core/unicode.h"

/* ---- encodings ----------------------------------------------------------- */

static void put_cp(struct buf *b, uint32_t cp)
{
	char u[4];

	buf_append(b, u, uni_encode(cp, u));
}

static void from_utf16(const unsigned char *p, size_t n, bool be, struct buf *b)
{
	size_t i = 0;

#define UNIT(k) (be ? (uint32_t)p[k] << 8 | p[(k) + 1] : (uint32_t)p[(k) + 1] << 8 | p[k])
	while (i + 1 < n) {
		uint32_t u = UNIT(i);
		i += 2;
		if (u >= 0xD800 && u <= 0xDBFF && i + 1 < n) {
			uint32_t low = UNIT(i);
			if (low >= 0xDC00 && low <= 0xDFFF) {
				u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00);
				i += 2;
			}
		}
		put_cp(b, u); /* an unpaired surrogate is written as U+FFFD */
	}
#undef UNIT
	if (i < n)
		put_cp(b, 0xFFFD);
}

/* in[0..n) as UTF-8 into b, whose cap must allow 3 bytes per input byte
 * (a Windows-1252 byte or an ill-formed one can become 3). */
static void decode(const char *in, size_t n, struct buf *b)
{
	const unsigned char *p = (const unsigned char *)in;

	if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
		if (utf8_valid(in + 3, n - 3)) {
			buf_append(b, in + 3, n - 3);
			return;
		}
		for (size_t i = 3; i < n;) {
			uint32_t cp;
			i += uni_next(in + i, n - i, &cp);
			put_cp(b, uni_is_escape(cp) ? 0xFFFD : cp);
		}
	} else if (n >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF))) {
		from_utf16(p + 2, n - 2, p[0] == 0xFE, b);
	} else if (utf8_valid(in, n)) {
		buf_append(b, in, n);
	} else {
		for (size_t i = 0; i < n; i++)
			put_cp(b, uni_from_1252(p[i]));
	}
}

/* ---- lines and small parsers --------------------------------------------- */

struct line {
	const char *s;
	size_t n;
};

/* The line at t[*pos..len) without its end (LF, CR LF or CR); false at the
 * end of the text. */
static bool next_line(const char *t, size_t len, size_t *pos, struct line *l)
{
	size_t i = *pos, e = i;

	if (i >= len)
		return false;
	while (e < len && t[e] != '\n' && t[e] != '\r')
		e++;
	l->s = t + i;
	l->n = e - i;
	if (e + 1 < len && t[e] == '\r' && t[e + 1] == '\n')
		e++;
	*pos = e < len ? e + 1 : e;
	return true;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static struct line trim(struct line l)
{
	while (l.n && blank(l.s[0]))
		l.s++, l.n--;
	while (l.n && blank(l.s[l.n - 1]))
		l.n--;
	return l;
}

static bool ieq(struct line l, const char *word)
{
	size_t n = strlen(word);

	if (l.n != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char a = l.s[i], b = word[i];
		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (char)(b - 'A' + 'a');
		if (a != b)
			return false;
	}
	return true;
}

/* min..max decimal digits at s[*i..n) into *v (at most 3 digits: no
 * overflow); *count says how many. */
static bool digits(const char *s, size_t n, size_t *i, int min, int max, int64_t *v, int *count)
{
	int k = 0;

	*v = 0;
	while (*i < n && s[*i] >= '0' && s[*i] <= '9') {
		if (++k > max)
			return false;
		*v = *v * 10 + (s[*i] - '0');
		(*i)++;
	}
	*count = k;
	return k >= min;
}

/*
 * A time at s[*i..n): H:MM:SS (1 to 3 hour digits, 1 or 2 for minutes and
 * seconds, both below 60), then optionally "," or "." and 1 to 3 digits of
 * fraction ("5" is 500 ms, "50" too, as ASS writes centiseconds).
 * Milliseconds in *ms, at most 999:59:59.999: no overflow is possible.
 */
static bool parse_time(const char *s, size_t n, size_t *i, int64_t *ms)
{
	int64_t h, m, sec, frac = 0;
	int k;

	if (!digits(s, n, i, 1, 3, &h, &k) || *i >= n || s[(*i)++] != ':' ||
	    !digits(s, n, i, 1, 2, &m, &k) || *i >= n || s[(*i)++] != ':' ||
	    !digits(s, n, i, 1, 2, &sec, &k))
		return false;
	if (*i < n && (s[*i] == ',' || s[*i] == '.')) {
		(*i)++;
		if (!digits(s, n, i, 1, 3, &frac, &k))
			return false;
		frac *= k == 1 ? 100 : k == 2 ? 10 : 1;
	}
	if (m > 59 || sec > 59)
		return false;
	*ms = ((h * 60 + m) * 60 + sec) * 1000 + frac;
	return true;
}

/* An SRT timing line "start --> end[ anything]". */
static bool srt_timing(struct line l, int64_t *start, int64_t *end)
{
	size_t i = 0;

	while (i < l.n && blank(l.s[i]))
		i++;
	if (!parse_time(l.s, l.n, &i, start))
		return false;
	while (i < l.n && blank(l.s[i]))
		i++;
	if (l.n - i < 3 || memcmp(l.s + i, "-->", 3))
		return false;
	i += 3;
	while (i < l.n && blank(l.s[i]))
		i++;
	if (!parse_time(l.s, l.n, &i, end))
		return false;
	return i == l.n || blank(l.s[i]);
}

/* ---- cues ------------------------------------------------------------------ */

struct cue {
	int64_t start, end;
	size_t off, len; /* its text in conv.text */
	size_t seq;      /* order of appearance, for a stable sort */
};

struct conv {
	struct cue *cues;
	size_t ncues, cap;
	struct buf text; /* every cue's text, one after the other */
	struct cue cur;  /* the cue being read, when open */
	bool open;
	int lines;         /* text lines of cur so far */
	size_t line_start; /* where the current text line began in text */
	enum app_err err;  /* APP_OK, or the first failure */
};

/* Close the cue being read: kept when it has text and a positive duration. */
static void cue_end(struct conv *c)
{
	if (!c->open)
		return;
	c->open = false;
	if (!c->lines || c->cur.end <= c->cur.start) {
		buf_truncate(&c->text, c->cur.off);
		return;
	}
	if (c->ncues == SUBTITLE_VTT_MAX_CUES) {
		c->err = APP_ERR_TOO_LARGE;
		return;
	}
	if (c->ncues == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		struct cue *more = realloc(c->cues, cap * sizeof(*more));
		if (!more) {
			c->err = APP_ERR_NOMEM;
			return;
		}
		c->cues = more;
		c->cap = cap;
	}
	c->cur.len = c->text.len - c->cur.off;
	c->cur.seq = c->ncues;
	c->cues[c->ncues++] = c->cur;
}

static void cue_begin(struct conv *c, int64_t start, int64_t end)
{
	cue_end(c);
	c->cur = (struct cue){.start = start, .end = end, .off = c->text.len};
	c->open = true;
	c->lines = 0;
}

static void line_begin(struct conv *c)
{
	if (c->lines)
		buf_putc(&c->text, '\n');
	c->line_start = c->text.len;
}

/* A line with nothing but blanks is taken back (with its line break): an
 * empty line would end the cue in WebVTT. */
static void line_end(struct conv *c)
{
	for (size_t i = c->line_start; i < c->text.len; i++)
		if (!blank(c->text.data[i])) {
			c->lines++;
			return;
		}
	buf_truncate(&c->text, c->lines ? c->line_start - 1 : c->line_start);
}

/* One character of cue text: & < > escaped, control characters dropped. */
static void put_text(struct buf *b, char ch)
{
	if (ch == '&')
		buf_puts(b, "&amp;");
	else if (ch == '<')
		buf_puts(b, "&lt;");
	else if (ch == '>')
		buf_puts(b, "&gt;");
	else if (((unsigned char)ch >= 0x20 && ch != 0x7F) || ch == '\t')
		buf_putc(b, ch);
}

/*
 * The end (exclusive) of an override block "{...}" opening at s[i], or 0
 * when no "}" follows. *close caches the last "}" found, so a line full of
 * "{" without a "}" is searched once, not once per "{".
 */
static size_t block_end(const char *s, size_t n, size_t i, const char **close, bool *none)
{
	if (*none)
		return 0;
	if (!*close || *close < s + i) {
		*close = memchr(s + i, '}', n - i);
		if (!*close) {
			*none = true;
			return 0;
		}
	}
	return (size_t)(*close - s) + 1;
}

/* ---- SRT ------------------------------------------------------------------- */

/* Longest tag read: "<font color=...>" fits with room to spare. */
#define TAG_MAX 256

/* The length of the tag at s[0] == '<' ("<x...>" or "</x...>", a letter
 * first, no "<" inside, at most TAG_MAX bytes), or 0 when it is not one. */
static size_t tag_len(const char *s, size_t n)
{
	size_t i = 1;

	if (i < n && s[i] == '/')
		i++;
	if (i >= n || !((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
		return 0;
	for (; i < n && i < TAG_MAX; i++) {
		if (s[i] == '>')
			return i + 1;
		if (s[i] == '<')
			return 0;
	}
	return 0;
}

/* The WebVTT spelling of a kept tag s[0..k), or NULL to drop it. */
static const char *kept_tag(const char *s, size_t k)
{
	static const char *const kept[] = {"<i>", "<b>", "<u>", "</i>", "</b>", "</u>"};

	for (size_t t = 0; t < sizeof(kept) / sizeof(kept[0]); t++)
		if (ieq((struct line){s, k}, kept[t]))
			return kept[t];
	return NULL;
}

static void srt_text(struct conv *c, struct line l)
{
	const char *close = NULL;
	bool none = false;

	line_begin(c);
	for (size_t i = 0; i < l.n; i++) {
		size_t k;

		if (l.s[i] == '<' && (k = tag_len(l.s + i, l.n - i))) {
			const char *keep = kept_tag(l.s + i, k);
			if (keep)
				buf_puts(&c->text, keep);
			i += k - 1;
			continue;
		}
		if (l.s[i] == '{' && i + 1 < l.n && l.s[i + 1] == '\\' &&
		    (k = block_end(l.s, l.n, i, &close, &none))) {
			i = k - 1;
			continue;
		}
		put_text(&c->text, l.s[i]);
	}
	line_end(c);
}

static bool all_digits(struct line l)
{
	l = trim(l);
	for (size_t i = 0; i < l.n; i++)
		if (l.s[i] < '0' || l.s[i] > '9')
			return false;
	return l.n > 0;
}

static void read_srt(struct conv *c, const char *t, size_t len)
{
	size_t pos = 0;
	struct line l;
	int64_t start, end;

	while (!c->err && buf_ok(&c->text) && next_line(t, len, &pos, &l)) {
		if (srt_timing(l, &start, &end)) {
			cue_begin(c, start, end);
			continue;
		}
		if (!c->open || !trim(l).n)
			continue; /* before the first cue, or between cues */
		if (all_digits(l)) {
			/* the next cue's number, even without a blank line before it */
			size_t peek = pos;
			struct line next;
			int64_t a, b;
			if (next_line(t, len, &peek, &next) && srt_timing(next, &a, &b))
				continue;
		}
		srt_text(c, l);
	}
	cue_end(c);
}

/* ---- ASS/SSA --------------------------------------------------------------- */

/* Where Start, End and Text are among a Dialogue line's nfields columns. */
struct ass_format {
	size_t nfields, start, end, text;
	bool usable;
};

/* Both versions' default: Layer (v4+) or Marked (v4), Start, End, Style,
 * Name, MarginL, MarginR, MarginV, Effect, Text. */
static const struct ass_format ass_default = {10, 1, 2, 9, true};

/* "Key:" at the start of l (case-insensitive, blanks allowed before the
 * colon): the value after it in *value. */
static bool ass_key(struct line l, const char *key, struct line *value)
{
	size_t k = strlen(key), i;

	if (l.n < k || !ieq((struct line){l.s, k}, key))
		return false;
	for (i = k; i < l.n && blank(l.s[i]); i++)
		;
	if (i == l.n || l.s[i] != ':')
		return false;
	*value = (struct line){l.s + i + 1, l.n - i - 1};
	return true;
}

static struct ass_format ass_read_format(struct line v)
{
	struct ass_format f = {0, 0, 0, 0, false};
	bool has_start = false, has_end = false, has_text = false;
	size_t from = 0;

	for (size_t i = 0; i <= v.n; i++) {
		if (i < v.n && v.s[i] != ',')
			continue;
		struct line name = trim((struct line){v.s + from, i - from});
		if (ieq(name, "start"))
			f.start = f.nfields, has_start = true;
		else if (ieq(name, "end"))
			f.end = f.nfields, has_end = true;
		else if (ieq(name, "text"))
			f.text = f.nfields, has_text = true;
		f.nfields++;
		from = i + 1;
	}
	f.usable = has_start && has_end && has_text;
	return f;
}

static void ass_text(struct conv *c, struct line l)
{
	const char *close = NULL;
	bool none = false;

	line_begin(c);
	for (size_t i = 0; i < l.n; i++) {
		size_t k;

		if (l.s[i] == '{' && (k = block_end(l.s, l.n, i, &close, &none))) {
			i = k - 1;
			continue;
		}
		if (l.s[i] == '\\' && i + 1 < l.n) {
			char e = l.s[i + 1];
			if (e == 'N' || e == 'n') {
				line_end(c);
				line_begin(c);
				i++;
				continue;
			}
			if (e == 'h') {
				buf_putc(&c->text, ' ');
				i++;
				continue;
			}
		}
		put_text(&c->text, l.s[i]);
	}
	line_end(c);
}

/* A time column: the whole (blank-trimmed) field must be a time. */
static bool ass_time(struct line field, int64_t *ms)
{
	size_t i = 0;

	field = trim(field);
	return parse_time(field.s, field.n, &i, ms) && i == field.n;
}

/* A Dialogue line's value: nfields columns, the last taking the rest of the
 * line (so a Text column written last keeps its commas). */
static void ass_dialogue(struct conv *c, const struct ass_format *f, struct line v)
{
	struct line col[3] = {{NULL, 0}, {NULL, 0}, {NULL, 0}};
	const size_t want[3] = {f->start, f->end, f->text};
	size_t field = 0, from = 0;
	bool found[3] = {false, false, false};
	int64_t start, end;

	for (size_t i = 0; i <= v.n; i++) {
		bool last = field + 1 == f->nfields;
		if (i < v.n && (v.s[i] != ',' || last))
			continue;
		for (int k = 0; k < 3; k++)
			if (want[k] == field)
				col[k] = (struct line){v.s + from, i - from}, found[k] = true;
		field++;
		from = i + 1;
		if (last)
			break;
	}
	if (!found[0] || !found[1] || !found[2] || !ass_time(col[0], &start) ||
	    !ass_time(col[1], &end))
		return;
	cue_begin(c, start, end);
	ass_text(c, col[2]);
	cue_end(c);
}

static void read_ass(struct conv *c, const char *t, size_t len)
{
	struct ass_format f = ass_default;
	bool events = false;
	size_t pos = 0;
	struct line l, v;

	while (!c->err && buf_ok(&c->text) && next_line(t, len, &pos, &l)) {
		l = trim(l);
		if (l.n && l.s[0] == '[') {
			events = ieq(l, "[events]");
			f = ass_default;
		} else if (!events) {
			continue;
		} else if (ass_key(l, "format", &v)) {
			f = ass_read_format(v);
		} else if (f.usable && ass_key(l, "dialogue", &v)) {
			ass_dialogue(c, &f, v);
		}
	}
}

static bool is_ass(const char *t, size_t len)
{
	size_t pos = 0;
	struct line l;

	while (next_line(t, len, &pos, &l)) {
		l = trim(l);
		if (ieq(l, "[events]") || ieq(l, "[script info]"))
			return true;
	}
	return false;
}

/* ---- output ---------------------------------------------------------------- */

static bool is_vtt(const char *t, size_t len)
{
	return len >= 6 && !memcmp(t, "WEBVTT", 6) &&
	       (len == 6 || t[6] == ' ' || t[6] == '\t' || t[6] == '\n' || t[6] == '\r');
}

static int by_start(const void *a, const void *b)
{
	const struct cue *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void put_time(struct buf *out, int64_t ms)
{
	buf_printf(out, "%02lld:%02d:%02d.%03d", (long long)(ms / 3600000), (int)(ms / 60000 % 60),
	           (int)(ms / 1000 % 60), (int)(ms % 1000));
}

static void write_cues(const struct conv *c, struct buf *out)
{
	buf_puts(out, "WEBVTT\n\n");
	for (size_t i = 0; i < c->ncues; i++) {
		const struct cue *q = &c->cues[i];
		put_time(out, q->start);
		buf_puts(out, " --> ");
		put_time(out, q->end);
		buf_putc(out, '\n');
		buf_append(out, c->text.data + q->off, q->len);
		buf_puts(out, "\n\n");
	}
}

enum app_err subtitle_to_vtt(const char *in, size_t n, struct buf *out)
{
	struct buf utf8;
	struct conv c = {0};
	enum app_err e = APP_OK;

	if (n > SUBTITLE_VTT_MAX_INPUT)
		return APP_ERR_TOO_LARGE;
	buf_init(&utf8, 3 * n + 4);
	decode(in, n, &utf8);
	if (!buf_ok(&utf8)) {
		e = APP_ERR_NOMEM;
		goto out;
	}
	if (is_vtt(utf8.data, utf8.len)) {
		if (!memmem(utf8.data, utf8.len, "-->", 3))
			e = APP_ERR_UNPROCESSABLE;
		else if (buf_append(out, utf8.data, utf8.len) < 0)
			e = APP_ERR_TOO_LARGE;
		goto out;
	}
	/* the cues' text never needs more than the output may hold */
	buf_init(&c.text, out->max);
	if (is_ass(utf8.data, utf8.len))
		read_ass(&c, utf8.data, utf8.len);
	else
		read_srt(&c, utf8.data, utf8.len);
	if (c.err) {
		e = c.err;
	} else if (!buf_ok(&c.text)) {
		e = APP_ERR_TOO_LARGE;
	} else if (!c.ncues) {
		e = APP_ERR_UNPROCESSABLE;
	} else {
		qsort(c.cues, c.ncues, sizeof(*c.cues), by_start);
		write_cues(&c, out);
		if (!buf_ok(out))
			e = APP_ERR_TOO_LARGE;
	}
out:
	free(c.cues);
	buf_release(&c.text);
	buf_release(&utf8);
	return e;
}
