/*
 * nfo: a small single-pass XML reader specialised for .nfo sidecars.
 * See nfo.h for the contract and docs/internals/nfo.md for the design.
 */
#include "library/nfo.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"

/* Text of one field element is gathered here; larger than any field so
 * truncation happens once, on a character boundary, when it is stored. */
#define NFO_SCRATCH 8192
#define NFO_ATTR_MAX 32

enum id_prio { PRIO_NONE = 0, PRIO_ID = 1, PRIO_NAMED = 2, PRIO_DEFAULT = 3 };

struct span {
	const char *p;
	size_t n;
};

struct rd {
	const char *s;
	size_t len;
	size_t i;
	size_t base; /* bytes skipped before s (a BOM), for offsets */
	char *err;
	size_t errlen;
	struct nfo *out;
	struct span stack[NFO_DEPTH_MAX];
	int depth;
	bool root_done;
	/* the field element being read (a direct child of the root) */
	char text[NFO_SCRATCH];
	size_t text_n;
	char uid_type[NFO_ATTR_MAX];
	bool uid_default;
	enum id_prio tmdb_prio, imdb_prio, tvdb_prio;
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static enum app_err
fail(struct rd *r, const char *fmt, ...)
{
	if (r->err && r->errlen > 0) {
		va_list ap;
		int n;

		va_start(ap, fmt);
		n = vsnprintf(r->err, r->errlen, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < r->errlen)
			snprintf(r->err + n, r->errlen - (size_t)n, " at byte %zu", r->base + r->i);
		/* element names are quoted from the input, and a short err
		 * buffer cuts anywhere: keep the reason valid UTF-8 for logs */
		size_t len = strlen(r->err);
		while (len > 0 && !utf8_valid(r->err, len))
			len--;
		r->err[len] = '\0';
	}
	return APP_ERR_UNPROCESSABLE;
}

/* Length of the well-formed UTF-8 sequence at s[0..n), or 0. Rejects
 * overlongs, surrogates and code points past U+10FFFF. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t need;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		need = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < need)
		return 0;
	for (size_t k = 1; k < need; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3f);
	}
	if ((need == 3 && cp < 0x800) || (need == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need;
}

/* The whole input must be UTF-8 without C0 controls other than TAB, LF and
 * CR (XML 1.0 forbids them; binary garbage fails here, cheaply). */
static enum app_err check_bytes(struct rd *r)
{
	const unsigned char *s = (const unsigned char *)r->s;

	for (size_t i = 0; i < r->len;) {
		size_t k = utf8_seq(s + i, r->len - i);

		r->i = i;
		if (k == 0)
			return fail(r, "invalid UTF-8");
		if (s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return fail(r, "control byte 0x%02x", s[i]);
		i += k;
	}
	return APP_OK;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_name_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	       c >= 0x80;
}

static bool is_name_char(unsigned char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static bool starts(const struct rd *r, const char *lit)
{
	size_t n = strlen(lit);
	return r->len - r->i >= n && memcmp(r->s + r->i, lit, n) == 0;
}

static bool span_is(struct span a, const char *lit)
{
	size_t n = strlen(lit);
	if (a.n != n)
		return false;
	for (size_t k = 0; k < n; k++) {
		char c = a.p[k];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != lit[k])
			return false;
	}
	return true;
}

/* How much of an element name to quote in an error: at most 40 bytes, cut
 * on a character boundary (the input is valid UTF-8 by then). */
static size_t clip(struct span a)
{
	size_t n = a.n > 40 ? 40 : a.n;
	while (n > 0 && n < a.n && ((unsigned char)a.p[n] & 0xc0) == 0x80)
		n--;
	return n;
}

/* Find lit at or after from; returns its offset or len. */
static size_t find(const struct rd *r, size_t from, const char *lit)
{
	size_t n = strlen(lit);
	for (size_t i = from; i + n <= r->len; i++)
		if (memcmp(r->s + i, lit, n) == 0)
			return i;
	return r->len;
}

static void put_utf8(unsigned cp, char *o, size_t *k)
{
	if (cp < 0x80) {
		o[(*k)++] = (char)cp;
	} else if (cp < 0x800) {
		o[(*k)++] = (char)(0xc0 | (cp >> 6));
		o[(*k)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		o[(*k)++] = (char)(0xe0 | (cp >> 12));
		o[(*k)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[(*k)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		o[(*k)++] = (char)(0xf0 | (cp >> 18));
		o[(*k)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		o[(*k)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[(*k)++] = (char)(0x80 | (cp & 0x3f));
	}
}

/* Decode the entity at r->i ('&'), leaving its UTF-8 in o[0..*k) (at most
 * 4 bytes) and r->i after the ';'. */
static enum app_err entity(struct rd *r, char *o, size_t *k)
{
	static const struct {
		const char *name;
		char c;
	} named[] = {{"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}, {"quot;", '"'}, {"apos;", '\''}};
	size_t j = r->i + 1;
	uint64_t cp = 0;
	int digits = 0;

	*k = 0;
	for (size_t e = 0; e < sizeof(named) / sizeof(named[0]); e++) {
		size_t n = strlen(named[e].name);
		if (r->len - j >= n && memcmp(r->s + j, named[e].name, n) == 0) {
			o[(*k)++] = named[e].c;
			r->i = j + n;
			return APP_OK;
		}
	}
	if (j >= r->len || r->s[j] != '#')
		return fail(r, "unknown entity");
	j++;
	if (j < r->len && (r->s[j] == 'x' || r->s[j] == 'X')) {
		for (j++; j < r->len && digits <= 8; j++, digits++) {
			char c = r->s[j];
			unsigned v;
			if (c >= '0' && c <= '9')
				v = (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				v = (unsigned)(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				v = (unsigned)(c - 'A' + 10);
			else
				break;
			cp = cp * 16 + v;
		}
	} else {
		for (; j < r->len && digits <= 8 && r->s[j] >= '0' && r->s[j] <= '9'; j++, digits++)
			cp = cp * 10 + (uint64_t)(r->s[j] - '0');
	}
	if (digits == 0 || digits > 8 || j >= r->len || r->s[j] != ';')
		return fail(r, "malformed character reference");
	/* XML 1.0 Char: no NUL or C0 controls but TAB/LF/CR, no surrogates,
	 * no U+FFFE/U+FFFF, nothing past U+10FFFF. */
	if ((cp < 0x20 && cp != 0x9 && cp != 0xa && cp != 0xd) || (cp >= 0xd800 && cp <= 0xdfff) ||
	    cp == 0xfffe || cp == 0xffff || cp > 0x10ffff)
		return fail(r, "invalid code point U+%04llX", (unsigned long long)cp);
	put_utf8((unsigned)cp, o, k);
	r->i = j + 1;
	return APP_OK;
}

static bool collecting(const struct rd *r)
{
	return r->depth == 2 && !r->root_done;
}

static void collect(struct rd *r, const char *p, size_t n)
{
	if (!collecting(r))
		return;
	if (n > sizeof(r->text) - 1 - r->text_n)
		n = sizeof(r->text) - 1 - r->text_n;
	memcpy(r->text + r->text_n, p, n);
	r->text_n += n;
}

/* Character data up to the next '<'. Outside the root only whitespace is
 * allowed before it; after it, the text is kept for the URL scan. */
static enum app_err chars(struct rd *r)
{
	while (r->i < r->len && r->s[r->i] != '<') {
		char c = r->s[r->i];
		if (c == '&') {
			char o[4];
			size_t k;
			enum app_err e = entity(r, o, &k);
			if (e)
				return e;
			collect(r, o, k);
			continue;
		}
		if (r->depth == 0 && !r->root_done && !is_space(c))
			return fail(r, "text before the root element");
		collect(r, &r->s[r->i], 1);
		r->i++;
	}
	return APP_OK;
}

/* Parse attributes of a start tag; keeps type/default of a field element. */
static enum app_err attributes(struct rd *r, bool keep, bool *empty)
{
	for (;;) {
		struct span name;
		char q, val[NFO_ATTR_MAX];
		size_t vn = 0;
		bool had_space = false;

		while (r->i < r->len && is_space(r->s[r->i])) {
			r->i++;
			had_space = true;
		}
		if (r->i >= r->len)
			return fail(r, "unterminated start tag");
		if (r->s[r->i] == '>') {
			r->i++;
			*empty = false;
			return APP_OK;
		}
		if (starts(r, "/>")) {
			r->i += 2;
			*empty = true;
			return APP_OK;
		}
		if (!had_space || !is_name_start((unsigned char)r->s[r->i]))
			return fail(r, "malformed attribute");
		name.p = r->s + r->i;
		while (r->i < r->len && is_name_char((unsigned char)r->s[r->i]))
			r->i++;
		name.n = (size_t)(r->s + r->i - name.p);
		while (r->i < r->len && is_space(r->s[r->i]))
			r->i++;
		if (r->i >= r->len || r->s[r->i] != '=')
			return fail(r, "attribute without value");
		r->i++;
		while (r->i < r->len && is_space(r->s[r->i]))
			r->i++;
		if (r->i >= r->len || (r->s[r->i] != '"' && r->s[r->i] != '\''))
			return fail(r, "unquoted attribute value");
		q = r->s[r->i++];
		while (r->i < r->len && r->s[r->i] != q) {
			char o[4];
			size_t k = 1;
			if (r->s[r->i] == '<')
				return fail(r, "'<' in attribute value");
			if (r->s[r->i] == '&') {
				enum app_err e = entity(r, o, &k);
				if (e)
					return e;
			} else {
				o[0] = r->s[r->i++];
			}
			if (vn + k < sizeof(val)) {
				memcpy(val + vn, o, k);
				vn += k;
			}
		}
		if (r->i >= r->len)
			return fail(r, "unterminated attribute value");
		r->i++;
		val[vn] = '\0';
		if (!keep)
			continue;
		if (span_is(name, "type")) {
			memcpy(r->uid_type, val, vn + 1);
		} else if (span_is(name, "default")) {
			r->uid_default = ascii_ieq(val, "true");
		}
	}
}

/* ---- storing field values ---- */

/* Copy s[0..n), trimmed, into dst[cap], cut on a UTF-8 boundary. */
static void store(char *dst, size_t cap, const char *s, size_t n)
{
	while (n > 0 && is_space(s[0])) {
		s++;
		n--;
	}
	while (n > 0 && is_space(s[n - 1]))
		n--;
	if (n > cap - 1) {
		n = cap - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static bool number(const char *s, int64_t min, int64_t max, int64_t *v)
{
	return *s >= '0' && *s <= '9' && parse_int64(s, min, max, v) == 0;
}

static bool imdb_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 9 || n > 12 || s[0] != 't' || s[1] != 't')
		return false;
	for (size_t k = 2; k < n; k++)
		if (s[k] < '0' || s[k] > '9')
			return false;
	return true;
}

/* Which id a value belongs to: "tmdb", "imdb", "tvdb". */
static void set_id(struct rd *r, const char *which, const char *v, enum id_prio prio)
{
	struct nfo *o = r->out;
	int64_t x;

	if (strcmp(which, "imdb") == 0) {
		if (imdb_ok(v) && prio > r->imdb_prio) {
			memcpy(o->imdb_id, v, strlen(v) + 1);
			r->imdb_prio = prio;
		}
		return;
	}
	if (!number(v, 1, INT64_MAX, &x))
		return;
	if (strcmp(which, "tmdb") == 0 && prio > r->tmdb_prio) {
		o->tmdb_id = x;
		r->tmdb_prio = prio;
	} else if (strcmp(which, "tvdb") == 0 && prio > r->tvdb_prio) {
		o->tvdb_id = x;
		r->tvdb_prio = prio;
	}
}

static bool date_ok(const char *v)
{
	for (int k = 0; k < 10; k++) {
		bool dash = k == 4 || k == 7;
		if (dash ? v[k] != '-' : (v[k] < '0' || v[k] > '9'))
			return false;
	}
	return v[10] == '\0';
}

/* A field element (direct child of the root) closed. */
static void field(struct rd *r, struct span name)
{
	struct nfo *o = r->out;
	char v[NFO_PLOT_MAX];
	int64_t x;

	store(v, sizeof(v), r->text, r->text_n);
	if (span_is(name, "title")) {
		store(o->title, sizeof(o->title), v, strlen(v));
	} else if (span_is(name, "originaltitle")) {
		store(o->originaltitle, sizeof(o->originaltitle), v, strlen(v));
	} else if (span_is(name, "sorttitle")) {
		store(o->sorttitle, sizeof(o->sorttitle), v, strlen(v));
	} else if (span_is(name, "plot")) {
		store(o->plot, sizeof(o->plot), v, strlen(v));
	} else if (span_is(name, "year")) {
		if (number(v, 1800, 2200, &x))
			o->year = (int)x;
	} else if (span_is(name, "premiered") || span_is(name, "aired")) {
		if (!o->premiered[0] && date_ok(v))
			memcpy(o->premiered, v, 11);
	} else if (span_is(name, "runtime")) {
		if (number(v, 1, 100000, &x))
			o->runtime = (int)x;
	} else if (span_is(name, "mpaa")) {
		store(o->mpaa, sizeof(o->mpaa), v, strlen(v));
	} else if (span_is(name, "certification")) {
		if (!o->mpaa[0])
			store(o->mpaa, sizeof(o->mpaa), v, strlen(v));
	} else if (span_is(name, "uniqueid")) {
		char t[NFO_ATTR_MAX];
		size_t k;
		for (k = 0; r->uid_type[k]; k++)
			t[k] = (r->uid_type[k] >= 'A' && r->uid_type[k] <= 'Z')
			           ? (char)(r->uid_type[k] - 'A' + 'a')
			           : r->uid_type[k];
		t[k] = '\0';
		set_id(r, t, v, r->uid_default ? PRIO_DEFAULT : PRIO_NAMED);
	} else if (span_is(name, "tmdbid")) {
		set_id(r, "tmdb", v, PRIO_NAMED);
	} else if (span_is(name, "imdbid") || span_is(name, "imdb_id")) {
		set_id(r, "imdb", v, PRIO_NAMED);
	} else if (span_is(name, "tvdbid")) {
		set_id(r, "tvdb", v, PRIO_NAMED);
	} else if (span_is(name, "id")) {
		if (v[0] == 't')
			set_id(r, "imdb", v, PRIO_ID);
		else
			set_id(r, o->kind == NFO_MOVIE ? "tmdb" : "tvdb", v, PRIO_ID);
	} else if (span_is(name, "season")) {
		if (o->kind == NFO_EPISODE && number(v, 0, 9999, &x))
			o->season = (int)x;
	} else if (span_is(name, "episode")) {
		if (o->kind == NFO_EPISODE && number(v, 0, 99999, &x))
			o->episode = (int)x;
	} else if (span_is(name, "genre")) {
		if (v[0] && o->genre_count < NFO_GENRES_MAX) {
			store(o->genres[o->genre_count], NFO_GENRE_MAX, v, strlen(v));
			o->genre_count++;
		}
	} else if (span_is(name, "lockdata")) {
		o->lockdata = ascii_ieq(v, "true");
	}
}

/* ---- URL NFOs ---- */

static size_t digits_at(const char *s, size_t n, size_t i)
{
	size_t k = i;
	while (k < n && k - i < 18 && s[k] >= '0' && s[k] <= '9')
		k++;
	return k - i;
}

/* Copy an 18-digit-at-most run into a NUL-terminated buffer. */
static void digits_str(const char *s, size_t n, char *buf)
{
	memcpy(buf, s, n);
	buf[n] = '\0';
}

/* Scan s[0..n) for themoviedb/imdb/thetvdb URLs; fill absent ids. Returns
 * true when at least one id was found. */
static bool scan_urls(struct rd *r, const char *s, size_t n, bool set_kind)
{
	static const struct {
		const char *lit, *which;
		enum nfo_kind kind;
	} pat[] = {
	    {"themoviedb.org/movie/", "tmdb", NFO_MOVIE},
	    {"themoviedb.org/tv/", "tmdb", NFO_TVSHOW},
	    {"imdb.com/title/", "imdb", NFO_URL},
	    {"thetvdb.com/?tab=series&id=", "tvdb", NFO_TVSHOW},
	    {"thetvdb.com/?id=", "tvdb", NFO_TVSHOW},
	    {"thetvdb.com/dereferrer/series/", "tvdb", NFO_TVSHOW},
	};
	bool found = false;

	for (size_t p = 0; p < sizeof(pat) / sizeof(pat[0]); p++) {
		size_t ln = strlen(pat[p].lit);
		for (size_t i = 0; i + ln <= n; i++) {
			char buf[24];
			size_t d, at = i + ln;

			if (memcmp(s + i, pat[p].lit, ln) != 0)
				continue;
			if (strcmp(pat[p].which, "imdb") == 0) {
				if (n - at < 2 || s[at] != 't' || s[at + 1] != 't')
					continue;
				d = digits_at(s, n, at + 2);
				if (d < 7 || d > 10)
					continue;
				digits_str(s + at, d + 2, buf);
			} else {
				d = digits_at(s, n, at);
				if (d == 0 || d > 18)
					continue;
				digits_str(s + at, d, buf);
			}
			set_id(r, pat[p].which, buf, PRIO_ID);
			if (set_kind && !found)
				r->out->kind = NFO_URL;
			found = true;
			break;
		}
	}
	return found;
}

/* ---- the document ---- */

static enum app_err end_tag(struct rd *r)
{
	struct span name, top;
	size_t at = r->i;

	r->i += 2;
	name.p = r->s + r->i;
	while (r->i < r->len && is_name_char((unsigned char)r->s[r->i]))
		r->i++;
	name.n = (size_t)(r->s + r->i - name.p);
	while (r->i < r->len && is_space(r->s[r->i]))
		r->i++;
	if (r->i >= r->len || r->s[r->i] != '>')
		return fail(r, "malformed end tag");
	r->i = at; /* report the tag's start */
	if (r->depth == 0)
		return fail(r, "end tag without start tag");
	top = r->stack[r->depth - 1];
	if (name.n != top.n || memcmp(name.p, top.p, name.n) != 0)
		return fail(r, "mismatched end tag </%.*s> for <%.*s>", (int)clip(name), name.p,
		            (int)clip(top), top.p);
	r->i = (size_t)(name.p + name.n - r->s);
	while (r->s[r->i] != '>')
		r->i++;
	r->i++;
	if (r->depth == 2 && !r->root_done)
		field(r, top);
	r->depth--;
	if (r->depth == 0)
		r->root_done = true;
	return APP_OK;
}

static enum app_err start_tag(struct rd *r)
{
	struct span name;
	bool empty = false, first = r->depth == 0 && !r->root_done;
	size_t at = r->i;
	enum app_err e;

	name.p = r->s + at + 1;
	if (at + 1 >= r->len || !is_name_start((unsigned char)r->s[at + 1]))
		return fail(r, "malformed tag");
	r->i = at + 1;
	while (r->i < r->len && is_name_char((unsigned char)r->s[r->i]))
		r->i++;
	name.n = (size_t)(r->s + r->i - name.p);
	r->i = at; /* tag-level errors report the '<' */
	if (r->depth >= NFO_DEPTH_MAX)
		return fail(r, "nesting deeper than %d", NFO_DEPTH_MAX);
	if (first) {
		if (span_is(name, "movie"))
			r->out->kind = NFO_MOVIE;
		else if (span_is(name, "tvshow"))
			r->out->kind = NFO_TVSHOW;
		else if (span_is(name, "episodedetails"))
			r->out->kind = NFO_EPISODE;
		else
			return fail(r, "unknown root element <%.*s>", (int)clip(name), name.p);
	}
	r->i = (size_t)(name.p + name.n - r->s);
	if (r->depth == 1 && !r->root_done) {
		r->text_n = 0;
		r->uid_type[0] = '\0';
		r->uid_default = false;
	}
	e = attributes(r, r->depth == 1 && !r->root_done, &empty);
	if (e)
		return e;
	r->stack[r->depth++] = name;
	if (empty) {
		r->depth--;
		if (r->depth == 1 && !r->root_done)
			field(r, name);
		if (r->depth == 0)
			r->root_done = true;
	}
	return APP_OK;
}

static enum app_err markup(struct rd *r)
{
	size_t end;

	if (starts(r, "<!--")) {
		end = find(r, r->i + 4, "-->");
		if (end == r->len)
			return fail(r, "unterminated comment");
		r->i = end + 3;
	} else if (starts(r, "<![CDATA[")) {
		if (r->depth == 0)
			return fail(r, "CDATA outside the root element");
		end = find(r, r->i + 9, "]]>");
		if (end == r->len)
			return fail(r, "unterminated CDATA section");
		collect(r, r->s + r->i + 9, end - r->i - 9);
		r->i = end + 3;
	} else if (starts(r, "<?")) {
		end = find(r, r->i + 2, "?>");
		if (end == r->len)
			return fail(r, "unterminated processing instruction");
		r->i = end + 2;
	} else if (starts(r, "<!DOCTYPE")) {
		if (r->depth != 0 || r->root_done)
			return fail(r, "misplaced DOCTYPE");
		end = find(r, r->i, ">");
		if (end == r->len)
			return fail(r, "unterminated DOCTYPE");
		if (memchr(r->s + r->i, '[', end - r->i))
			return fail(r, "DOCTYPE internal subsets are not supported");
		r->i = end + 1;
	} else if (starts(r, "</")) {
		return end_tag(r);
	} else {
		return start_tag(r);
	}
	return APP_OK;
}

static void init(struct nfo *o)
{
	memset(o, 0, sizeof(*o));
	o->kind = NFO_MOVIE;
	o->season = -1;
	o->episode = -1;
}

static enum app_err document(struct rd *r)
{
	size_t tail = 0;
	enum app_err e;

	while (r->i < r->len && is_space(r->s[r->i]))
		r->i++;
	if (r->i == r->len)
		return fail(r, "empty document");
	if (r->s[r->i] != '<') {
		if (!scan_urls(r, r->s, r->len, true))
			return fail(r, "no root element and no recognised URL");
		return APP_OK;
	}
	while (r->i < r->len) {
		if (r->root_done && r->depth == 0 && tail == 0)
			tail = r->i;
		if (r->s[r->i] == '<')
			e = markup(r);
		else
			e = chars(r);
		if (e)
			return e;
	}
	if (r->depth > 0)
		return fail(r, "unclosed element <%.*s>", (int)clip(r->stack[r->depth - 1]),
		            r->stack[r->depth - 1].p);
	if (!r->root_done)
		return fail(r, "no root element");
	if (tail)
		scan_urls(r, r->s + tail, r->len - tail, false);
	if (!r->out->year && r->out->premiered[0])
		r->out->year = (r->out->premiered[0] - '0') * 1000 +
		               (r->out->premiered[1] - '0') * 100 +
		               (r->out->premiered[2] - '0') * 10 + (r->out->premiered[3] - '0');
	return APP_OK;
}

enum app_err nfo_parse(const char *text, size_t len, struct nfo *out, char *err, size_t errlen)
{
	/* The reader holds an 8 KiB scratch buffer; keep it off small stacks. */
	static _Thread_local struct rd r;
	enum app_err e;

	if (err && errlen)
		err[0] = '\0';
	if (!out)
		return APP_ERR_VALIDATION;
	init(out);
	if (!text && len > 0)
		return APP_ERR_VALIDATION;
	memset(&r, 0, sizeof(r));
	r.s = text ? text : "";
	r.len = len;
	r.err = err;
	r.errlen = errlen;
	r.out = out;
	if (len > NFO_INPUT_MAX) {
		if (err && errlen)
			snprintf(err, errlen, "file larger than %d bytes", NFO_INPUT_MAX);
		return APP_ERR_TOO_LARGE;
	}
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		r.s += 3;
		r.len -= 3;
		r.base = 3;
	}
	e = check_bytes(&r);
	if (!e) {
		r.i = 0;
		e = document(&r);
	}
	if (e)
		init(out);
	return e;
}

void nfo_json(const struct nfo *n, struct jw *w)
{
	static const char *const kinds[] = {"movie", "tvshow", "episode", "url"};

#define KSTR(k, v) ((v)[0] ? jw_kstr(w, k, v) : jw_knull(w, k))
#define KNUM(k, v, absent) ((v) != (absent) ? jw_kint(w, k, v) : jw_knull(w, k))
	jw_obj_open(w);
	jw_kstr(w, "kind", (unsigned)n->kind < 4 ? kinds[n->kind] : "movie");
	KSTR("title", n->title);
	KSTR("originaltitle", n->originaltitle);
	KSTR("sorttitle", n->sorttitle);
	KNUM("year", n->year, 0);
	KSTR("premiered", n->premiered);
	KSTR("plot", n->plot);
	KNUM("runtime", n->runtime, 0);
	KSTR("mpaa", n->mpaa);
	KNUM("tmdb_id", n->tmdb_id, 0);
	KSTR("imdb_id", n->imdb_id);
	KNUM("tvdb_id", n->tvdb_id, 0);
	KNUM("season", n->season, -1);
	KNUM("episode", n->episode, -1);
	jw_key(w, "genres");
	jw_arr_open(w);
	for (int k = 0; k < n->genre_count && k < NFO_GENRES_MAX; k++)
		jw_str(w, n->genres[k]);
	jw_arr_close(w);
	jw_kbool(w, "lockdata", n->lockdata);
	jw_obj_close(w);
#undef KSTR
#undef KNUM
}
