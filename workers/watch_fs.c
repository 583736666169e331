#include "watch_fs.h"

#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>

#include "library/scan.h"

/* f_type values (linux/magic.h and the filesystems' own sources; spelled
 * out so an older kernel header does not drop one) */
static const struct {
	int64_t magic;
	const char *name;
} remote[] = {
    {0x6969, "nfs"},       {0x517B, "smb"},        {0xFF534D42, "cifs"}, {0xFE534D42, "smb2"},
    {0x65735546, "fuse"},  {0x01021997, "9p"},     {0x00C36400, "ceph"}, {0x5346414F, "afs"},
    {0x6B414653, "kafs"},  {0x73757245, "coda"},   {0x564C, "ncp"},      {0x01161970, "gfs2"},
    {0x7461636F, "ocfs2"}, {0x0BD00BD0, "lustre"}, {0x47504653, "gpfs"}, {0x20030528, "orangefs"},
    {0x19830326, "fhgfs"},
};

const char *watch_fs_remote(int64_t f_type)
{
	/* f_type is a signed long on some ABIs: compare its low 32 bits */
	int64_t t = f_type & 0xffffffffLL;

	for (size_t i = 0; i < sizeof(remote) / sizeof(remote[0]); i++)
		if (remote[i].magic == t)
			return remote[i].name;
	return NULL;
}

const char *watch_fs_remote_path(const char *path)
{
	struct statfs sf;

	if (statfs(path, &sf))
		return NULL;
	return watch_fs_remote((int64_t)sf.f_type);
}

bool watch_fs_skipped(const char *rel)
{
	char seg[256];

	while (*rel) {
		const char *end = strchr(rel, '/');
		size_t n = end ? (size_t)(end - rel) : strlen(rel);

		if (n >= sizeof(seg))
			return true; /* longer than any name the kernel allows */
		if (n) {
			memcpy(seg, rel, n);
			seg[n] = '\0';
			if (scan_skip_dir(seg))
				return true;
		}
		if (!end)
			break;
		rel = end + 1;
	}
	return false;
}

char *watch_fs_key(char *out, size_t cap, const char *library_id, const char *path)
{
	uint64_t h = 1469598103934665603ULL;

	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	snprintf(out, cap, "watch:%.40s:%016llx", library_id, (unsigned long long)h);
	return out;
}
