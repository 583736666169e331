/*
 * sigv4: AWS Signature Version 4. See sigv4.h for the rules; this file
 * only follows them.
 */
#include "storage/sigv4.h"

#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "core/crypto.h"

static bool unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

/* p[0..n) percent-encoded; "/" kept when keep_slash. */
static int encode(struct buf *out, const char *p, size_t n, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (unreserved(c) || (keep_slash && c == '/')) {
			buf_putc(out, (char)c);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			buf_append(out, e, 3);
		}
	}
	return buf_ok(out) ? 0 : -1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode p[0..n) into out ("+" stays "+"); -1 on a bad escape. */
static int decode(struct buf *out, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != '%') {
			buf_putc(out, p[i]);
			continue;
		}
		int hi, lo;

		if (i + 2 >= n || (hi = hexval(p[i + 1])) < 0 || (lo = hexval(p[i + 2])) < 0)
			return -1;
		buf_putc(out, (char)(hi << 4 | lo));
		i += 2;
	}
	return buf_ok(out) ? 0 : -1;
}

/* --- canonical URI ------------------------------------------------------- */

#define MAX_SEGMENTS 128

static int canonical_uri(struct buf *out, const char *path, bool normalize)
{
	const char *seg[MAX_SEGMENTS];
	size_t len[MAX_SEGMENTS], nseg = 0;
	size_t n = strlen(path);

	if (path[0] != '/')
		return -1;
	if (!normalize)
		return encode(out, path, n, true);
	for (const char *p = path; *p;) {
		const char *s, *e;

		while (*p == '/')
			p++;
		s = p;
		while (*p && *p != '/')
			p++;
		e = p;
		if (e == s || (e - s == 1 && s[0] == '.'))
			continue;
		if (e - s == 2 && s[0] == '.' && s[1] == '.') {
			if (nseg)
				nseg--;
			continue;
		}
		if (nseg == MAX_SEGMENTS)
			return -1;
		seg[nseg] = s;
		len[nseg++] = (size_t)(e - s);
	}
	buf_putc(out, '/');
	for (size_t i = 0; i < nseg; i++) {
		if (i)
			buf_putc(out, '/');
		if (encode(out, seg[i], len[i], false))
			return -1;
	}
	if (nseg && path[n - 1] == '/')
		buf_putc(out, '/');
	return buf_ok(out) ? 0 : -1;
}

/* --- canonical query ----------------------------------------------------- */

#define MAX_PARAMS 64
#define QUERY_MAX (16 * 1024)

struct pair {
	size_t name, name_len, value, value_len; /* offsets into the scratch buffer */
};

static int pair_cmp(const struct buf *b, const struct pair *x, const struct pair *y)
{
	size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
	int c = memcmp(b->data + x->name, b->data + y->name, n);

	if (c || x->name_len != y->name_len)
		return c ? c : (x->name_len < y->name_len ? -1 : 1);
	n = x->value_len < y->value_len ? x->value_len : y->value_len;
	c = memcmp(b->data + x->value, b->data + y->value, n);
	if (c || x->value_len == y->value_len)
		return c;
	return x->value_len < y->value_len ? -1 : 1;
}

/* Append p[0..n) decoded, then encoded, to enc; its offset and length. */
static int query_piece(struct buf *enc, const char *p, size_t n, size_t *off, size_t *len)
{
	struct buf raw;
	int rc;

	buf_init(&raw, QUERY_MAX);
	*off = enc->len;
	rc = decode(&raw, p, n);
	if (!rc)
		rc = encode(enc, raw.data, raw.len, false);
	*len = enc->len - *off;
	buf_release(&raw);
	return rc;
}

static int canonical_query(struct buf *out, const char *q)
{
	struct pair pairs[MAX_PARAMS];
	size_t np = 0;
	struct buf enc;
	int rc = -1;

	if (!q || !*q)
		return 0;
	buf_init(&enc, 3 * QUERY_MAX);
	for (const char *p = q; *p;) {
		const char *amp = strchr(p, '&'), *end = amp ? amp : p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(end - p));
		struct pair *x;

		if (end == p) { /* "a&&b" */
			p = amp ? amp + 1 : end;
			continue;
		}
		if (np == MAX_PARAMS)
			goto out;
		x = &pairs[np++];
		if (query_piece(&enc, p, (size_t)((eq ? eq : end) - p), &x->name, &x->name_len) ||
		    query_piece(&enc, eq ? eq + 1 : end, eq ? (size_t)(end - eq - 1) : 0, &x->value,
		                &x->value_len))
			goto out;
		p = amp ? amp + 1 : end;
	}
	/* insertion sort: a handful of parameters */
	for (size_t i = 1; i < np; i++) {
		struct pair t = pairs[i];
		size_t j = i;

		while (j > 0 && pair_cmp(&enc, &pairs[j - 1], &t) > 0) {
			pairs[j] = pairs[j - 1];
			j--;
		}
		pairs[j] = t;
	}
	for (size_t i = 0; i < np; i++) {
		if (i)
			buf_putc(out, '&');
		buf_append(out, enc.data + pairs[i].name, pairs[i].name_len);
		buf_putc(out, '=');
		buf_append(out, enc.data + pairs[i].value, pairs[i].value_len);
	}
	rc = buf_ok(out) ? 0 : -1;
out:
	buf_release(&enc);
	return rc;
}

/* --- canonical headers --------------------------------------------------- */

static bool header_name_ok(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == ':' || *s == 0x7f)
			return false;
	return true;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* value trimmed, inner blank runs folded to one space */
static void put_value(struct buf *out, const char *v)
{
	bool gap = false;

	while (blank(*v))
		v++;
	for (; *v; v++) {
		if (blank(*v)) {
			gap = true;
			continue;
		}
		if (gap)
			buf_putc(out, ' ');
		gap = false;
		buf_putc(out, *v);
	}
}

static void put_lower(struct buf *out, const char *s)
{
	for (; *s; s++)
		buf_putc(out, (*s >= 'A' && *s <= 'Z') ? (char)(*s + 32) : *s);
}

int sigv4_canonical_request(const struct sigv4_request *r, struct buf *out, struct buf *signed_)
{
	size_t order[SIGV4_MAX_HEADERS], n = r->nheaders;
	struct buf names;
	int rc = -1;

	if (!r->method || !r->path || !r->payload_hash || n > SIGV4_MAX_HEADERS)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!header_name_ok(r->headers[i].name) || !r->headers[i].value)
			return -1;
		/* stable insertion sort by name: repeated names keep their order */
		size_t j = i;
		while (j > 0 && strcasecmp(r->headers[order[j - 1]].name, r->headers[i].name) > 0) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
	buf_init(&names, 4096);
	buf_puts(out, r->method);
	buf_putc(out, '\n');
	if (canonical_uri(out, r->path, r->normalize))
		goto out;
	buf_putc(out, '\n');
	if (canonical_query(out, r->query))
		goto out;
	buf_putc(out, '\n');
	for (size_t i = 0; i < n; i++) {
		const struct sigv4_header *h = &r->headers[order[i]];

		if (i && !strcasecmp(r->headers[order[i - 1]].name, h->name)) {
			buf_putc(out, ',');
			put_value(out, h->value);
			continue;
		}
		if (i) {
			buf_putc(out, '\n');
			buf_putc(&names, ';');
		}
		put_lower(out, h->name);
		put_lower(&names, h->name);
		buf_putc(out, ':');
		put_value(out, h->value);
	}
	if (n)
		buf_putc(out, '\n');
	buf_putc(out, '\n');
	buf_append(out, names.data, names.len);
	buf_putc(out, '\n');
	buf_puts(out, r->payload_hash);
	if (signed_)
		buf_append(signed_, names.data, names.len);
	rc = buf_ok(out) && (!signed_ || buf_ok(signed_)) ? 0 : -1;
out:
	buf_release(&names);
	return rc;
}

/* --- signing ------------------------------------------------------------- */

static bool date_ok(const char *d)
{
	if (!d || strlen(d) != 16 || d[8] != 'T' || d[15] != 'Z')
		return false;
	for (int i = 0; i < 15; i++)
		if (i != 8 && (d[i] < '0' || d[i] > '9'))
			return false;
	return true;
}

static bool key_ok(const struct sigv4_key *k)
{
	return date_ok(k->amz_date) && k->access_key && k->secret_key && k->region && *k->region &&
	       k->service && *k->service;
}

static void put_scope(struct buf *out, const struct sigv4_key *k)
{
	buf_printf(out, "%.8s/%s/%s/aws4_request", k->amz_date, k->region, k->service);
}

void sigv4_payload_hash(const void *p, size_t n, char hex[65])
{
	crypto_sha256_hex(n ? p : "", n, hex);
}

int sigv4_string_to_sign(const struct sigv4_key *k, const char *canonical, struct buf *out)
{
	char hash[65];

	if (!key_ok(k) || !canonical)
		return -1;
	sigv4_payload_hash(canonical, strlen(canonical), hash);
	buf_puts(out, SIGV4_ALGORITHM "\n");
	buf_puts(out, k->amz_date);
	buf_putc(out, '\n');
	put_scope(out, k);
	buf_putc(out, '\n');
	buf_puts(out, hash);
	return buf_ok(out) ? 0 : -1;
}

/* k = HMAC(k, msg): one link of the signing-key chain */
static void chain(unsigned char k[32], const char *msg, size_t n)
{
	unsigned char next[32];

	crypto_hmac_sha256(k, 32, msg, n, next);
	memcpy(k, next, 32);
	OPENSSL_cleanse(next, sizeof(next));
}

int sigv4_signature(const struct sigv4_key *k, const char *string_to_sign, char hex[65])
{
	unsigned char kd[32], sig[32];
	struct buf first;
	int rc = -1;

	if (!key_ok(k) || !string_to_sign)
		return -1;
	buf_init(&first, 4 + 1024);
	buf_puts(&first, "AWS4");
	buf_puts(&first, k->secret_key);
	if (buf_ok(&first)) {
		crypto_hmac_sha256(first.data, first.len, k->amz_date, 8, kd);
		chain(kd, k->region, strlen(k->region));
		chain(kd, k->service, strlen(k->service));
		chain(kd, "aws4_request", 12);
		crypto_hmac_sha256(kd, 32, string_to_sign, strlen(string_to_sign), sig);
		hex_encode(sig, sizeof(sig), hex);
		hex[64] = '\0';
		rc = 0;
	}
	if (first.len)
		OPENSSL_cleanse(first.data, first.len);
	OPENSSL_cleanse(kd, sizeof(kd));
	buf_release(&first);
	return rc;
}

int sigv4_authorization(const struct sigv4_key *k, const struct sigv4_request *r, struct buf *out)
{
	struct buf canon, names, sts;
	char sig[65];
	int rc = -1;

	buf_init(&canon, 64 * 1024);
	buf_init(&names, 4096);
	buf_init(&sts, 1024);
	if (sigv4_canonical_request(r, &canon, &names) ||
	    sigv4_string_to_sign(k, canon.data, &sts) || sigv4_signature(k, sts.data, sig))
		goto out;
	buf_printf(out, SIGV4_ALGORITHM " Credential=%s/", k->access_key);
	put_scope(out, k);
	buf_printf(out, ", SignedHeaders=%s, Signature=%s", names.data, sig);
	rc = buf_ok(out) ? 0 : -1;
out:
	buf_release(&canon);
	buf_release(&names);
	buf_release(&sts);
	return rc;
}
