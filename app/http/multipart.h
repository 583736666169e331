/*
 * multipart: the one part of a multipart/form-data body (RFC 7578) that
 * an upload route takes, found without copying the body and without I/O
 * (the fuzzer and the unit tests drive it directly).
 *
 * Deliberately narrow, what browsers (FormData) and curl (-F) send:
 *   - the boundary comes from the Content-Type's boundary parameter (a
 *     token or a quoted string without backslashes, 1 to 70 bytes);
 *   - the body starts with "--boundary" CRLF (no preamble);
 *   - the part's headers end at the first CRLF CRLF within 8 KiB; it must
 *     have "Content-Disposition: form-data" with a name parameter (1 to 64
 *     bytes); its Content-Type is kept when given; other headers ignored;
 *   - the part's content ends at CRLF "--boundary", which must be the
 *     closing delimiter ("--boundary--"): a second part is refused; what
 *     follows the closing delimiter (the epilogue) is ignored.
 */
#ifndef REVENGE_HTTP_MULTIPART_H
#define REVENGE_HTTP_MULTIPART_H

#include <stddef.h>

#define MULTIPART_NAME_MAX 64
#define MULTIPART_TYPE_MAX 128
#define MULTIPART_HEADERS_MAX 8192

struct multipart_part {
	char name[MULTIPART_NAME_MAX + 1]; /* the form field's name */
	char type[MULTIPART_TYPE_MAX + 1]; /* its Content-Type, "" when none */
	const char *data;                  /* inside the body given */
	size_t len;
};

/*
 * Find the single part of body[0..n) (any bytes) sent with content_type
 * (a multipart/form-data value). 0 with *out filled; -1 with *why set to
 * a short static sentence ("has no boundary parameter", "holds more than
 * one part", …) otherwise (out is then zeroed).
 */
int multipart_single(const char *content_type, const char *body, size_t n,
                     struct multipart_part *out, const char **why);

#endif
