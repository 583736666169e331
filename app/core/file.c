#include "core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

enum file_read file_read_capped(const char *path, size_t max, char **data, size_t *len)
{
	/* O_NONBLOCK: opening a FIFO planted in a library must not block */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	enum file_read rc;
	struct stat sb;
	size_t got = 0, size;
	char *p = NULL;

	*data = NULL;
	*len = 0;
	if (fd < 0)
		return errno == ELOOP ? FILE_READ_SYMLINK : FILE_READ_UNREADABLE;
	if (fstat(fd, &sb) < 0) {
		rc = FILE_READ_UNREADABLE;
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		rc = FILE_READ_NOT_REGULAR;
		goto out;
	}
	if (sb.st_size < 0 || (uint64_t)sb.st_size > max) {
		rc = FILE_READ_TOO_BIG;
		goto out;
	}
	size = (size_t)sb.st_size;
	if (!(p = malloc(size + 1))) {
		rc = FILE_READ_NOMEM;
		goto out;
	}
	while (got < size) {
		ssize_t r = read(fd, p + got, size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = FILE_READ_UNREADABLE;
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	if (got != size) {
		rc = FILE_READ_CHANGED;
		goto out;
	}
	p[got] = 0;
	*data = p;
	*len = got;
	p = NULL;
	rc = FILE_READ_OK;
out:
	free(p);
	close(fd);
	return rc;
}

const char *file_read_why(enum file_read r)
{
	switch (r) {
	case FILE_READ_OK:
		return "read";
	case FILE_READ_SYMLINK:
		return "a symlink";
	case FILE_READ_UNREADABLE:
		return "cannot be read";
	case FILE_READ_NOT_REGULAR:
		return "not a regular file";
	case FILE_READ_TOO_BIG:
		return "too big";
	case FILE_READ_CHANGED:
		return "changed while read";
	case FILE_READ_NOMEM:
		return "out of memory";
	}
	return "cannot be read";
}
