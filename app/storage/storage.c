/*
 * storage: the local directory backend. See storage.h for the contract.
 *
 * Atomicity comes from rename(2) within one directory: the temporary file
 * is a sibling of the target, so the rename never crosses file systems.
 * Temporary names start with "." and keys never have a segment that does,
 * so a key can never name (or be served as) a half-written file.
 */
#include "storage/storage.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/crypto.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char root[PATH_MAX] = "/var/lib/revenge/storage";

void storage_configure(const struct config *cfg)
{
	size_t n;

	if (!cfg->storage_path)
		return;
	pthread_mutex_lock(&lock);
	snprintf(root, sizeof(root), "%s", cfg->storage_path);
	/* "/srv/storage/" and "/srv/storage" are one root */
	n = strlen(root);
	while (n > 1 && root[n - 1] == '/')
		root[--n] = '\0';
	pthread_mutex_unlock(&lock);
}

const char *storage_root(void)
{
	return root;
}

static bool key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-' || c == '/';
}

bool storage_key_valid(const char *key)
{
	size_t n, i;

	if (!key)
		return false;
	n = strnlen(key, STORAGE_KEY_MAX + 1);
	if (n == 0 || n > STORAGE_KEY_MAX)
		return false;
	if (!((key[0] >= 'a' && key[0] <= 'z') || (key[0] >= '0' && key[0] <= '9')))
		return false;
	if (key[n - 1] == '/' || strstr(key, "..") || strstr(key, "//") || strstr(key, "/."))
		return false;
	for (i = 0; i < n; i++)
		if (!key_char(key[i]))
			return false;
	return true;
}

/* root + "/" + key into out; false when it does not fit. */
static bool full_path(const char *key, char *out, size_t cap)
{
	int n;

	pthread_mutex_lock(&lock);
	n = snprintf(out, cap, "%s/%s", root, key);
	pthread_mutex_unlock(&lock);
	return n > 0 && (size_t)n < cap;
}

/* mkdir -p of every directory above the file at path, each new one 0755
 * whatever the umask (nginx's user must traverse them). */
static int make_parents(char *path)
{
	char *p;

	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) == 0) {
			if (chmod(path, 0755)) {
				*p = '/';
				return -1;
			}
		} else if (errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Make the rename durable. Best effort: the object is already in place and
 * complete, so a failure here is not reported as a failed put. */
static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

enum app_err storage_put(const char *key, const void *data, size_t len)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	unsigned char rnd[8];
	char hex[2 * sizeof(rnd) + 1];
	char *slash;
	enum app_err e = APP_ERR_UNAVAILABLE;
	int fd = -1, n;

	if (!storage_key_valid(key) || !full_path(key, path, sizeof(path)))
		return APP_ERR_VALIDATION;
	/* a hidden sibling: ".tmp-<random>" fits NAME_MAX whatever the key */
	slash = strrchr(path, '/');
	if (crypto_random(rnd, sizeof(rnd)))
		return APP_ERR_UNAVAILABLE;
	hex_encode(rnd, sizeof(rnd), hex);
	n = snprintf(tmp, sizeof(tmp), "%.*s/.tmp-%s", (int)(slash - path), path, hex);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return APP_ERR_VALIDATION;
	if (make_parents(path))
		return APP_ERR_UNAVAILABLE;

	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return APP_ERR_UNAVAILABLE;
	if ((len && write_all(fd, data, len)) || fchmod(fd, 0644) || fsync(fd))
		goto out;
	n = close(fd);
	fd = -1;
	if (n || rename(tmp, path))
		goto out;
	*slash = '\0';
	sync_dir(path);
	e = APP_OK;
out:
	if (fd >= 0)
		close(fd);
	if (e)
		unlink(tmp);
	return e;
}

bool storage_exists(const char *key)
{
	char path[PATH_MAX];
	struct stat sb;

	return storage_key_valid(key) && full_path(key, path, sizeof(path)) &&
	       stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
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
