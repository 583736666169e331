/*
 * image: what a picture is, judged by its bytes, never by its name.
 *
 * Pictures come from outside (a provider's CDN, a poster.jpg in a media
 * folder, later an avatar upload) and are served by nginx with a type
 * taken from the stored key's extension, so the extension must be the one
 * the bytes deserve. image_sniff() accepts the three formats clients can
 * show everywhere and reads the header far enough to find positive
 * dimensions, so a text file, an HTML error page or a truncated header
 * renamed to poster.jpg is refused. It does not decode the pixels: a
 * picture damaged after its header is still accepted (as the provider's
 * are).
 */
#ifndef REVENGE_CORE_IMAGE_H
#define REVENGE_CORE_IMAGE_H

#include <stddef.h>

struct image_info {
	const char *ext;    /* "jpg", "png" or "webp" (static strings) */
	const char *mime;   /* "image/jpeg", "image/png", "image/webp" */
	unsigned width, height; /* from the header, both >= 1 */
};

/*
 * Look at p[0..n): 0 with *out filled when it is a JPEG (baseline,
 * progressive or lossless frame), PNG (IHDR first) or WebP (VP8, VP8L or
 * VP8X) whose header gives both dimensions; -1 otherwise (out is then
 * zeroed). Pure, thread-safe, reads nothing past p + n.
 */
int image_sniff(const void *p, size_t n, struct image_info *out);

#endif
