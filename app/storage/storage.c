#include "storage/storage.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/crypto.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char root[PATH_MAX] = "/var/lib/revenge/storage";

void storage_configure(const struct config *cfg)
{
	pthread_mutex_lock(&lock);
	if (cfg->storage_path)
		snprintf(root, sizeof(root), "%s", cfg->storage_path);
	pthread_mutex_unlock(&lock);
}

const char *storage_root(void)
{
	return root;
}

bool storage_key_valid(const char *key)
{
	size_t n = key ? strlen(key) : 0;

	if (!n || n > 255 || !((key[0] >= 'a' && key[0] <= 'z') || (key[0] >= '0' && key[0] <= '9')))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = key[i];
		/* provider file names are mixed case ("/pB8BM7pd….jpg") */
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-' || c == '/'))
			return false;
		if (c == '/' && (key[i + 1] == '/' || !key[i + 1]))
			return false;
		/* no "." or ".." segment */
		if (c == '.' && (i == 0 || key[i - 1] == '/') &&
		    (!key[i + 1] || key[i + 1] == '/' || (key[i + 1] == '.' && (!key[i + 2] || key[i + 2] == '/'))))
			return false;
	}
	return true;
}

static bool full_path(const char *key, char *out, size_t cap)
{
	pthread_mutex_lock(&lock);
	int n = snprintf(out, cap, "%s/%s", root, key);
	pthread_mutex_unlock(&lock);
	return n > 0 && (size_t)n < cap;
}

static int make_parents(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		int r = mkdir(path, 0755);
		*p = '/';
		if (r && errno != EEXIST)
			return -1;
	}
	return 0;
}

enum app_err storage_put(const char *key, const void *data, size_t len)
{
	char path[PATH_MAX], tmp[PATH_MAX + 32];
	unsigned char rnd[8];
	char hex[17];
	int fd;

	if (!storage_key_valid(key) || !full_path(key, path, sizeof(path)))
		return APP_ERR_VALIDATION;
	if (make_parents(path))
		return APP_ERR_UNAVAILABLE;
	if (crypto_random(rnd, sizeof(rnd)))
		return APP_ERR_UNAVAILABLE;
	hex_encode(rnd, sizeof(rnd), hex);
	snprintf(tmp, sizeof(tmp), "%s.%s.tmp", path, hex);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0)
		return APP_ERR_UNAVAILABLE;
	const char *p = data;
	size_t left = len;
	while (left) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		p += w;
		left -= (size_t)w;
	}
	if (left || fsync(fd) || close(fd) || rename(tmp, path)) {
		if (left)
			close(fd);
		unlink(tmp);
		return APP_ERR_UNAVAILABLE;
	}
	return APP_OK;
}

bool storage_exists(const char *key)
{
	char path[PATH_MAX];
	struct stat sb;
	return storage_key_valid(key) && full_path(key, path, sizeof(path)) && !stat(path, &sb) &&
	       S_ISREG(sb.st_mode);
}

enum app_err storage_remove(const char *key)
{
	char path[PATH_MAX];
	if (!storage_key_valid(key) || !full_path(key, path, sizeof(path)))
		return APP_ERR_VALIDATION;
	if (unlink(path) && errno != ENOENT)
		return APP_ERR_UNAVAILABLE;
	return APP_OK;
}
