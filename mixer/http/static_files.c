/* SPDX-License-Identifier: EUPL-1.2 */
/* Serves the browser pages. The request path is mapped to a file strictly: each segment
 * is decoded on its own and refused if it could name anything but a plain entry of the
 * directory (dot segments, hidden files, encoded slashes); the resolved file must still
 * lie inside the directory, which catches symlinks pointing out of it. */
#include "static_files.h"

#include "url.h"

#define TOLK_LOG_MODULE "http"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Same-origin pages only: scripts, styles and fetches from this server; media may be
 * blob: URLs (recorded audio), images data: URLs. No inline script or style. */
#define CONTENT_SECURITY_POLICY                                                               \
    "default-src 'self'; media-src 'self' blob:; connect-src 'self'; img-src 'self' data:; " \
    "style-src 'self'; script-src 'self'; base-uri 'none'; form-action 'self'"

typedef struct {
    char *prefix;   /* "/console/"; for a redirect the exact path */
    char *target;   /* the directory's real path, or the redirect's Location */
    bool redirect;
} mount;

struct http_static {
    GPtrArray *mounts;
};

static void mount_free(gpointer p)
{
    mount *m = p;
    g_free(m->prefix);
    g_free(m->target);
    g_free(m);
}

http_static *http_static_new(void)
{
    http_static *files = g_new0(http_static, 1);
    files->mounts = g_ptr_array_new_with_free_func(mount_free);
    return files;
}

void http_static_free(http_static *files)
{
    if (!files)
        return;
    g_ptr_array_free(files->mounts, TRUE);
    g_free(files);
}

static void add_mount(http_static *files, const char *prefix, const char *target, bool redirect)
{
    mount *m = g_new0(mount, 1);
    m->prefix = g_strdup(prefix);
    m->target = g_strdup(target);
    m->redirect = redirect;
    g_ptr_array_add(files->mounts, m);
}

bool http_static_add_dir(http_static *files, const char *prefix, const char *directory)
{
    if (prefix[0] != '/' || !g_str_has_suffix(prefix, "/"))
        return false;
    /* The real path, so that resolved files can be checked against it by prefix. */
    char *root = realpath(directory, NULL);
    struct stat st;
    bool ok = root && stat(root, &st) == 0 && S_ISDIR(st.st_mode);
    if (ok)
        add_mount(files, prefix, root, false);
    free(root);
    return ok;
}

void http_static_add_redirect(http_static *files, const char *path, const char *location)
{
    add_mount(files, path, location, true);
}

static const char *content_type_for(const char *name)
{
    static const char *const types[][2] = {
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript"},
        {".css", "text/css"},                  {".svg", "image/svg+xml"},
        {".png", "image/png"},                 {".json", "application/json"},
        {".wav", "audio/wav"},                 {".ico", "image/x-icon"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(types); i++)
        if (g_str_has_suffix(name, types[i][0]))
            return types[i][1];
    return "application/octet-stream";
}

/* A decoded segment that can only name an entry of the current directory. Hidden
 * names are refused as well: nothing under web/ starts with a dot, .git might. */
static bool safe_name(const char *name)
{
    return name[0] != '\0' && name[0] != '.' && !strchr(name, '/') && !strchr(name, '\\');
}

/* The file a raw path below the prefix names, relative to the directory; NULL when the
 * path is not acceptable. A trailing '/' (or nothing at all) means index.html. */
static char *relative_path(const char *raw)
{
    if (raw[0] == '\0') /* g_strsplit() gives no segment at all for "" */
        return g_strdup("index.html");
    char **segments = g_strsplit(raw, "/", -1);
    GString *path = g_string_new(NULL);
    bool ok = true;
    for (int i = 0; ok && segments[i]; i++) {
        if (segments[i][0] == '\0' && !segments[i + 1]) {
            g_string_append_printf(path, "%sindex.html", i ? "/" : "");
            break;
        }
        char *name = tolk_url_decode(segments[i], strlen(segments[i]));
        ok = name && safe_name(name);
        if (ok)
            g_string_append_printf(path, "%s%s", i ? "/" : "", name);
        g_free(name);
    }
    g_strfreev(segments);
    return g_string_free(path, !ok);
}

/* Opens the file if, symlinks resolved, it is a regular file inside root. -1 if not. */
static int open_inside(const char *root, const char *relative, struct stat *st)
{
    char *joined = g_build_filename(root, relative, NULL);
    char *real = realpath(joined, NULL);
    g_free(joined);
    size_t root_len = strlen(root);
    int fd = -1;
    if (real && strncmp(real, root, root_len) == 0 && real[root_len] == '/')
        fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    free(real);
    if (fd >= 0 && (fstat(fd, st) != 0 || !S_ISREG(st->st_mode))) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* Reads the whole file (the size is capped by the caller); NULL on a read error. */
static char *read_all(int fd, size_t size, size_t *len)
{
    char *data = g_malloc(size ? size : 1);
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, data + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            g_free(data);
            return NULL;
        }
        if (n == 0)
            break; /* the file shrank meanwhile: send what is there */
        got += (size_t)n;
    }
    *len = got;
    return data;
}

static void reply_not_found(tolk_http_response *resp, const char *path)
{
    tolk_http_reply_error(resp, 404, "not_found", "There is nothing at %.200s.", path);
}

static void add_page_headers(tolk_http_response *resp)
{
    /* Pages change with upgrades: revalidate rather than keep a stale one. */
    tolk_http_reply_header(resp, "Cache-Control", "no-cache");
    tolk_http_reply_header(resp, "Referrer-Policy", "no-referrer");
    tolk_http_reply_header(resp, "Content-Security-Policy", CONTENT_SECURITY_POLICY);
}

static void serve_file(const mount *m, const char *path, tolk_http_response *resp)
{
    char *relative = relative_path(path + strlen(m->prefix));
    struct stat st;
    int fd = relative ? open_inside(m->target, relative, &st) : -1;
    if (fd < 0 || st.st_size > TOLK_HTTP_MAX_FILE) {
        if (fd >= 0)
            LOG_WARN("%s is over %d bytes: not served", relative, TOLK_HTTP_MAX_FILE);
        reply_not_found(resp, path);
    } else {
        size_t len;
        char *data = read_all(fd, (size_t)st.st_size, &len);
        if (data) {
            tolk_http_reply_bytes(resp, 200, content_type_for(relative), data, len);
            add_page_headers(resp);
        } else {
            reply_not_found(resp, path);
        }
        g_free(data);
    }
    if (fd >= 0)
        close(fd);
    g_free(relative);
}

static void reply_redirect(tolk_http_response *resp, int status, const char *location)
{
    tolk_http_reply_empty(resp, status);
    tolk_http_reply_header(resp, "Location", location);
}

/* Whether m answers path; *needs_slash when path is the prefix without its final '/'. */
static bool mount_matches(const mount *m, const char *path, bool *needs_slash)
{
    *needs_slash = false;
    if (m->redirect)
        return strcmp(path, m->prefix) == 0;
    size_t len = strlen(m->prefix) - 1;
    *needs_slash = len > 0 && strlen(path) == len && strncmp(path, m->prefix, len) == 0;
    return *needs_slash || g_str_has_prefix(path, m->prefix);
}

static const mount *find_mount(const http_static *files, const char *path, bool *needs_slash)
{
    for (guint i = 0; i < files->mounts->len; i++) {
        const mount *m = g_ptr_array_index(files->mounts, i);
        if (mount_matches(m, path, needs_slash))
            return m;
    }
    return NULL;
}

bool http_static_serve(const http_static *files, const char *method, const char *path,
                       tolk_http_response *resp)
{
    bool needs_slash;
    const mount *m = find_mount(files, path, &needs_slash);
    if (!m)
        return false;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        tolk_http_reply_error(resp, 405, "method_not_allowed", "%s is not allowed on %.200s.", method,
                              path);
        tolk_http_reply_header(resp, "Allow", "GET, HEAD");
    } else if (m->redirect) {
        reply_redirect(resp, 302, m->target);
    } else if (needs_slash) {
        reply_redirect(resp, 301, m->prefix); /* so that relative links in index.html resolve */
    } else {
        serve_file(m, path, resp);
    }
    return true;
}
