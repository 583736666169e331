#include "http/headers.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"

/* Is the two-letter code lang one of "en,de,fr"? */
static bool listed(const char *languages, const char *lang)
{
	if (!languages)
		return false;
	for (const char *p = languages; *p;) {
		size_t n = strcspn(p, ",");
		while (n && p[n - 1] == ' ')
			n--;
		if (n == 2 && !memcmp(p, lang, 2))
			return true;
		p += strcspn(p, ",");
		p += *p == ',';
		while (*p == ' ')
			p++;
	}
	return false;
}

/* q of ";q=0.8" parameters (RFC 9110 §12.4.2): 0..1000, -1 when malformed. */
static int qvalue(const char *s, size_t n)
{
	int q = 1000;

	for (size_t i = 0; i < n;) {
		while (i < n && (s[i] == ';' || s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i + 1 < n && (s[i] == 'q' || s[i] == 'Q') && s[i + 1] == '=') {
			i += 2;
			if (i >= n || (s[i] != '0' && s[i] != '1'))
				return -1;
			q = (s[i++] - '0') * 1000;
			if (i < n && s[i] == '.') {
				int scale = 100;
				for (i++; i < n && isdigit((unsigned char)s[i]) && scale; i++, scale /= 10)
					q += (s[i] - '0') * scale;
			}
			if (q > 1000)
				return -1;
		}
		while (i < n && s[i] != ';')
			i++;
	}
	return q;
}

void http_accept_language(const char *header, const char *languages, char out[3])
{
	int best = 0;

	out[0] = '\0';
	for (const char *p = header; p && *p;) {
		size_t n = strcspn(p, ",");
		const char *t = p;
		while (n && (*t == ' ' || *t == '\t'))
			t++, n--;
		size_t tag = strcspn(t, ";,");
		if (tag > n)
			tag = n;
		int q = qvalue(t + tag, n - tag);
		/* "de", "de-AT", "DE_at": the primary subtag, case-insensitive */
		if (tag >= 2 && isalpha((unsigned char)t[0]) && isalpha((unsigned char)t[1]) &&
		    (tag == 2 || t[2] == '-' || t[2] == '_' || t[2] == ' ') && q > best) {
			char l[3] = {(char)tolower((unsigned char)t[0]), (char)tolower((unsigned char)t[1]),
			             '\0'};
			if (listed(languages, l)) {
				best = q;
				memcpy(out, l, 3);
			}
		}
		p = t + n;
		p += *p == ',';
	}
}


int http_range_check(const char *h, long long size)
{
	bool any = false;

	if (!h)
		return 0;
	if (strncasecmp(h, "bytes=", 6))
		return -1;
	for (const char *p = h + 6;;) {
		long long a = -1, b = -1;
		char *end;
		while (*p == ' ')
			p++;
		if (isdigit((unsigned char)*p)) {
			a = strtoll(p, &end, 10);
			p = end;
		}
		if (*p++ != '-')
			return -1;
		if (isdigit((unsigned char)*p)) {
			b = strtoll(p, &end, 10);
			p = end;
		}
		if (a < 0 && b < 0)
			return -1;
		if (a >= 0 && b >= 0 && b < a)
			return -1;
		if ((a >= 0 && a < size) || (a < 0 && b > 0 && size > 0))
			any = true;
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		if (*p++ != ',')
			return -1;
	}
	return any ? 0 : -1;
}

size_t http_header_clean(const char *in, size_t n, char *out, size_t cap)
{
	static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
	size_t o = 0;

	if (cap == 0)
		return 0;
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)in[i];
		const char *emit = in + i;
		size_t k = 1, used = 1;

		if (c == '\t') {
			emit = " ";
		} else if (c < 0x20 || c == 0x7f) {
			i++;
			continue;
		} else if (c >= 0x80) {
			used = k = buf_utf8_seq_len(in + i, n - i);
			if (k == 0) {
				emit = replacement;
				k = 3;
				used = 1;
			} else if (k == 2 && c == 0xc2 && (unsigned char)in[i + 1] < 0xa0) {
				i += 2; /* C1 control, U+0080..U+009F */
				continue;
			}
		}
		if (o + k > cap - 1)
			break; /* never half a character */
		memcpy(out + o, emit, k);
		o += k;
		i += used;
	}
	out[o] = '\0';
	return o;
}

bool http_media_type_is(const char *ct, const char *type)
{
	size_t n = strlen(type);

	if (!ct)
		return false;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, type, n))
		return false;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}
