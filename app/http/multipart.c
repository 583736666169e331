/*
 * multipart: see multipart.h for what is accepted. Every read is bounded
 * by the body's length; nothing is copied but the name and the type.
 */
#include "http/multipart.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "http/headers.h"

#define BOUNDARY_MAX 70

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * The value of parameter `want` in the "; a=b; c=\"d\"" list at p[0..n)
 * (parameter names compare case-insensitively), copied to out (cap >= 1);
 * the length, or -1 when absent, malformed or longer than cap - 1.
 */
static int param(const char *p, size_t n, const char *want, char *out, size_t cap)
{
	size_t i = 0, wl = strlen(want);

	while (i < n) {
		size_t ns, ne, vs, ve;

		while (i < n && (blank(p[i]) || p[i] == ';'))
			i++;
		ns = i;
		while (i < n && p[i] != '=' && p[i] != ';' && !blank(p[i]))
			i++;
		ne = i;
		while (i < n && blank(p[i]))
			i++;
		if (i >= n || p[i] != '=') { /* a bare word ("form-data"): skip it */
			while (i < n && p[i] != ';')
				i++;
			continue;
		}
		i++;
		while (i < n && blank(p[i]))
			i++;
		if (i < n && p[i] == '"') {
			vs = ++i;
			while (i < n && p[i] != '"') {
				if (p[i] == '\\')
					return -1; /* no quoted-pairs: nobody sends them here */
				i++;
			}
			if (i >= n)
				return -1;
			ve = i++;
		} else {
			vs = i;
			while (i < n && p[i] != ';' && !blank(p[i]))
				i++;
			ve = i;
		}
		if (ne - ns == wl && !strncasecmp(p + ns, want, wl)) {
			size_t vl = ve - vs;

			if (vl >= cap)
				return -1;
			for (size_t k = vs; k < ve; k++)
				if ((unsigned char)p[k] < 0x20 || p[k] == 0x7f)
					return -1;
			memcpy(out, p + vs, vl);
			out[vl] = '\0';
			return (int)vl;
		}
		while (i < n && p[i] != ';')
			i++;
	}
	return -1;
}

static const char *find(const char *hay, size_t n, const char *needle, size_t nl)
{
	return nl <= n ? memmem(hay, n, needle, nl) : NULL;
}

static int fail(struct multipart_part *out, const char **why, const char *sentence)
{
	memset(out, 0, sizeof(*out));
	*why = sentence;
	return -1;
}

/* One header line "Name: value" of the part (line[0..n), no CRLF). */
static int part_header(const char *line, size_t n, struct multipart_part *out, bool *disposition,
                       const char **why)
{
	const char *colon = memchr(line, ':', n);
	size_t nl, vs;

	if (!colon)
		return fail(out, why, "has a part header without a colon");
	nl = (size_t)(colon - line);
	vs = nl + 1;
	while (vs < n && blank(line[vs]))
		vs++;
	if (nl == 19 && !strncasecmp(line, "Content-Disposition", 19)) {
		const char *v = line + vs;
		size_t vl = n - vs;

		if (vl < 9 || strncasecmp(v, "form-data", 9) ||
		    (vl > 9 && v[9] != ';' && !blank(v[9])))
			return fail(out, why, "has a part that is not form-data");
		if (param(v + 9, vl - 9, "name", out->name, sizeof(out->name)) <= 0)
			return fail(out, why, "has a part without a name");
		*disposition = true;
	} else if (nl == 12 && !strncasecmp(line, "Content-Type", 12)) {
		size_t vl = n - vs;

		if (vl == 0 || vl > MULTIPART_TYPE_MAX)
			return fail(out, why, "has a part with a bad Content-Type");
		for (size_t k = vs; k < n; k++)
			if ((unsigned char)line[k] < 0x20 || line[k] == 0x7f)
				return fail(out, why, "has a part with a bad Content-Type");
		memcpy(out->type, line + vs, vl);
		out->type[vl] = '\0';
	}
	return 0;
}

int multipart_single(const char *content_type, const char *body, size_t n,
                     struct multipart_part *out, const char **why)
{
	char boundary[BOUNDARY_MAX + 1], delim[BOUNDARY_MAX + 5];
	const char *semi, *p, *end, *hdr_end, *next;
	bool disposition = false;
	size_t dl;
	int bl;

	memset(out, 0, sizeof(*out));
	if (!http_media_type_is(content_type, "multipart/form-data"))
		return fail(out, why, "is not multipart/form-data");
	semi = strchr(content_type, ';');
	bl = semi ? param(semi, strlen(semi), "boundary", boundary, sizeof(boundary)) : -1;
	if (bl <= 0)
		return fail(out, why, "has no usable boundary parameter");
	/* "\r\n--" + boundary: the delimiter inside the body */
	memcpy(delim, "\r\n--", 4);
	memcpy(delim + 4, boundary, (size_t)bl);
	dl = 4 + (size_t)bl;
	if (!body || n < dl - 2 || memcmp(body, delim + 2, dl - 2))
		return fail(out, why, "does not start with its boundary");
	p = body + dl - 2;
	end = body + n;
	if (end - p < 2 || memcmp(p, "\r\n", 2))
		return fail(out, why, "holds no part");
	p += 2;
	hdr_end = find(p,
	               (size_t)(end - p) < MULTIPART_HEADERS_MAX ? (size_t)(end - p)
	                                                         : MULTIPART_HEADERS_MAX,
	               "\r\n\r\n", 4);
	if (!hdr_end)
		return fail(out, why, "has part headers that do not end");
	while (p < hdr_end) {
		const char *eol = find(p, (size_t)(hdr_end - p) + 2, "\r\n", 2);
		if (eol > p && part_header(p, (size_t)(eol - p), out, &disposition, why))
			return -1;
		p = eol + 2;
	}
	if (!disposition)
		return fail(out, why, "has a part without Content-Disposition");
	p = hdr_end + 4;
	next = find(p, (size_t)(end - p), delim, dl);
	if (!next)
		return fail(out, why, "has a part that does not end");
	if ((size_t)(end - next) < dl + 2 || memcmp(next + dl, "--", 2))
		return fail(out, why, "holds more than one part");
	out->data = p;
	out->len = (size_t)(next - p);
	*why = NULL;
	return 0;
}
