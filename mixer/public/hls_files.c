/* SPDX-License-Identifier: EUPL-1.2 */
/* The files of a channel's HLS folder. */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hls_files.h"
#include "hls_playlist.h"

#define PUBLIC_DIR_MODE 0755
#define PUBLIC_FILE_MODE 0644

/* Makes dir after its missing parents, each readable by all whatever the umask; folders
 * that exist are left as the operator made them. */
static bool make_public(const char *dir)
{
    if (g_file_test(dir, G_FILE_TEST_IS_DIR))
        return true;
    char *parent = g_path_get_dirname(dir);
    bool ok = strcmp(parent, dir) != 0 && make_public(parent);
    g_free(parent);
    return ok && (mkdir(dir, PUBLIC_DIR_MODE) == 0 || errno == EEXIST) && chmod(dir, PUBLIC_DIR_MODE) == 0;
}

bool tolk_hls_dir_make(const char *dir, tolk_error *err)
{
    if (!make_public(dir)) {
        tolk_error_set(err, TOLK_ERROR_UNAVAILABLE, "hls_unavailable", NULL, "cannot make the HLS folder %s: %s",
                       dir, g_strerror(errno));
        return false;
    }
    return true;
}

void tolk_hls_dir_clean(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    if (!d)
        return;
    const char *name;
    while ((name = g_dir_read_name(d)))
        if (tolk_hls_name_valid(name))
            tolk_hls_file_remove(dir, name);
    g_dir_close(d);
}

static int create_at(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, PUBLIC_FILE_MODE);
    if (fd >= 0 && fchmod(fd, PUBLIC_FILE_MODE) != 0) { /* the umask took bits a web server needs */
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int tolk_hls_file_create(const char *dir, const char *name)
{
    char *path = g_build_filename(dir, name, NULL);
    int fd = create_at(path);
    g_free(path);
    return fd;
}

static bool write_all(int fd, const char *text, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, text, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        text += n;
        len -= (size_t)n;
    }
    return true;
}

bool tolk_hls_file_replace(const char *dir, const char *name, const char *text)
{
    char *path = g_build_filename(dir, name, NULL);
    char *tmp = g_strconcat(path, ".tmp", NULL); /* not a valid name: never served */
    int fd = create_at(tmp);
    bool ok = fd >= 0 && write_all(fd, text, strlen(text));
    if (fd >= 0 && close(fd) != 0)
        ok = false;
    ok = ok && rename(tmp, path) == 0;
    int saved = errno;
    if (!ok)
        g_unlink(tmp);
    g_free(tmp);
    g_free(path);
    errno = saved;
    return ok;
}

void tolk_hls_file_remove(const char *dir, const char *name)
{
    char *path = g_build_filename(dir, name, NULL);
    g_unlink(path);
    g_free(path);
}
