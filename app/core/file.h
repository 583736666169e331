/*
 * file: reading a small untrusted file whole (sidecars, local artwork,
 * subtitles): never following a final symlink, never blocking on a FIFO,
 * never reading past a cap.
 */
#ifndef REVENGE_CORE_FILE_H
#define REVENGE_CORE_FILE_H

#include <stddef.h>

enum file_read {
	FILE_READ_OK = 0,
	FILE_READ_SYMLINK,     /* path is a symbolic link */
	FILE_READ_UNREADABLE,  /* cannot be opened or read (errno says why) */
	FILE_READ_NOT_REGULAR, /* a directory, FIFO, device, socket */
	FILE_READ_TOO_BIG,     /* larger than the cap */
	FILE_READ_CHANGED,     /* shorter than its size when read (changed meanwhile) */
	FILE_READ_NOMEM,
};

/* The regular file at path, of at most max bytes, into *data (malloc'd,
 * NUL-terminated after *len bytes; the caller frees). The size is the open
 * file's, so a file that grows meanwhile cannot push the read past max.
 * *data is NULL unless FILE_READ_OK. */
enum file_read file_read_capped(const char *path, size_t max, char **data, size_t *len);

/* A few words for logs: "a symlink", "too big", … */
const char *file_read_why(enum file_read r);

#endif
