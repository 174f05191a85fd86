/* SPDX-License-Identifier: EUPL-1.2 */
#include "recordings_dir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ogg_opus_writer.h"
#include "video_file.h"

#define TAIL_BYTES 65536 /* a page is at most 65307 bytes: the last whole one starts in here */
#define OGG_HEADER 27
#define MAX_SUFFIX 99

static const char *const extensions[] = {[TOLK_RECORDING_AUDIO] = ".opus", [TOLK_RECORDING_WEBM] = ".webm",
                                         [TOLK_RECORDING_MP4] = ".mp4"};

void tolk_recording_name(gint64 start_unix_us, int suffix, char out[TOLK_RECORDING_NAME_SIZE])
{
    tolk_recording_kind_name(TOLK_RECORDING_AUDIO, start_unix_us, suffix, out);
}

void tolk_recording_kind_name(tolk_recording_kind kind, gint64 start_unix_us, int suffix,
                              char out[TOLK_RECORDING_NAME_SIZE])
{
    time_t t = (time_t)(start_unix_us / G_USEC_PER_SEC);
    struct tm tm;
    gmtime_r(&t, &tm);
    char stamp[24];
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H-%M-%SZ", &tm);
    if (suffix > 0)
        snprintf(out, TOLK_RECORDING_NAME_SIZE, "%s-%d%s", stamp, suffix, extensions[kind]);
    else
        snprintf(out, TOLK_RECORDING_NAME_SIZE, "%s%s", stamp, extensions[kind]);
}

tolk_recording_kind tolk_recording_kind_of(const char *name)
{
    for (size_t k = 0; k < G_N_ELEMENTS(extensions); k++) {
        if (g_str_has_suffix(name, extensions[k]))
            return (tolk_recording_kind)k;
    }
    return TOLK_RECORDING_AUDIO;
}

const char *tolk_recording_mime_type(tolk_recording_kind kind)
{
    return kind == TOLK_RECORDING_WEBM ? "video/webm" : kind == TOLK_RECORDING_MP4 ? "video/mp4" : "audio/ogg";
}

const char *tolk_recording_kind_word(tolk_recording_kind kind)
{
    return kind == TOLK_RECORDING_AUDIO ? "audio" : "video";
}

static bool known_extension(const char *rest)
{
    for (size_t k = 0; k < G_N_ELEMENTS(extensions); k++) {
        if (strcmp(rest, extensions[k]) == 0)
            return true;
    }
    return false;
}

bool tolk_recording_name_parse(const char *name, gint64 *start_unix_s)
{
    /* "YYYY-MM-DDTHH-MM-SSZ" then ".opus" or "-N.opus" (N 1..99); or .webm, .mp4 */
    static const char shape[] = "dddd-dd-ddTdd-dd-ddZ";
    size_t len = strlen(name);
    if (len < sizeof shape - 1 + 4 || len >= TOLK_RECORDING_NAME_SIZE) /* ".mp4" the shortest */
        return false;
    for (size_t i = 0; i < sizeof shape - 1; i++) {
        if (shape[i] == 'd' ? !g_ascii_isdigit(name[i]) : name[i] != shape[i])
            return false;
    }
    const char *rest = name + sizeof shape - 1;
    if (rest[0] == '-') {
        int digits = 0;
        while (g_ascii_isdigit(rest[1 + digits]))
            digits++;
        if (digits < 1 || digits > 2 || rest[1] == '0')
            return false;
        rest += 1 + digits;
    }
    if (!known_extension(rest))
        return false;
    struct tm tm = {0};
    if (sscanf(name, "%4d-%2d-%2dT%2d-%2d-%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
               &tm.tm_sec) != 6 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
        tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
        return false;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    if (start_unix_s)
        *start_unix_s = (gint64)timegm(&tm);
    return true;
}

bool tolk_recording_segment_valid(const char *segment)
{
    size_t len = segment ? strlen(segment) : 0;
    if (len == 0 || len > 32 || segment[0] == '-')
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = segment[i];
        if (!(g_ascii_islower(c) || g_ascii_isdigit(c) || c == '-'))
            return false;
    }
    return true;
}

/* A folder below parent, never through a link. */
static int open_folder(int parent, const char *name)
{
    return openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* Whether a whole page starts at p (len bytes to the end of what was read). */
static bool whole_page(const guint8 *p, size_t len)
{
    if (len < OGG_HEADER || memcmp(p, "OggS", 4) != 0 || p[4] != 0)
        return false;
    size_t segments = p[26];
    if (len < OGG_HEADER + segments)
        return false;
    size_t body = 0;
    for (size_t i = 0; i < segments; i++)
        body += p[OGG_HEADER + i];
    return OGG_HEADER + segments + body <= len;
}

double tolk_ogg_file_duration(int fd, guint64 size)
{
    size_t want = size < TAIL_BYTES ? (size_t)size : TAIL_BYTES;
    guint8 *tail = g_malloc(want ? want : 1);
    ssize_t got = want ? pread(fd, tail, want, (off_t)(size - want)) : 0;
    double seconds = 0;
    for (ssize_t at = got - OGG_HEADER; at >= 0; at--) {
        if (!whole_page(tail + at, (size_t)(got - at)))
            continue;
        guint64 granule = 0;
        for (int i = 7; i >= 0; i--)
            granule = granule << 8 | tail[at + 6 + i];
        if (granule != G_MAXUINT64 && granule > TOLK_OGG_PRE_SKIP)
            seconds = (double)(granule - TOLK_OGG_PRE_SKIP) / 48000.0;
        break;
    }
    g_free(tail);
    return seconds;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of an open folder that pass check, sorted; closes dfd. */
static GPtrArray *folder_names(int dfd, bool (*check)(const char *))
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        if (dfd >= 0)
            close(dfd);
        return names;
    }
    for (struct dirent *e; (e = readdir(d));) {
        if (check(e->d_name))
            g_ptr_array_add(names, g_strdup(e->d_name));
    }
    closedir(d);
    qsort(names->pdata, names->len, sizeof(gpointer), compare_names);
    return names;
}

static bool is_segment_name(const char *name)
{
    return tolk_recording_name_parse(name, NULL);
}

static void scan_channel(int chfd, tolk_recording_entry *entry, tolk_recording_fn fn, void *ctx)
{
    GPtrArray *files = folder_names(dup(chfd), is_segment_name);
    for (guint i = 0; i < files->len; i++) {
        entry->name = g_ptr_array_index(files, i);
        int fd = openat(chfd, entry->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        struct stat st;
        /* a video file with nothing yet: open, waiting for the picture (removed if none comes) */
        bool empty_video = tolk_recording_kind_of(entry->name) != TOLK_RECORDING_AUDIO && fd >= 0 &&
                           fstat(fd, &st) == 0 && st.st_size == 0;
        if (fd >= 0 && !empty_video && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
            tolk_recording_name_parse(entry->name, &entry->start_unix_s);
            entry->bytes = (guint64)st.st_size;
            entry->kind = tolk_recording_kind_of(entry->name);
            entry->duration_s = entry->kind == TOLK_RECORDING_AUDIO ? tolk_ogg_file_duration(fd, entry->bytes)
                                : tolk_video_file_duration(fd, entry->bytes, entry->kind == TOLK_RECORDING_MP4);
            fn(entry, ctx);
        }
        if (fd >= 0)
            close(fd);
    }
    g_ptr_array_unref(files);
}

static void scan_sitting(int sfd, const char *sitting, tolk_recording_fn fn, void *ctx)
{
    GPtrArray *channels = folder_names(dup(sfd), tolk_recording_segment_valid);
    for (guint i = 0; i < channels->len; i++) {
        tolk_recording_entry entry = {.sitting = sitting, .channel = g_ptr_array_index(channels, i)};
        int chfd = open_folder(sfd, entry.channel);
        if (chfd >= 0) {
            scan_channel(chfd, &entry, fn, ctx);
            close(chfd);
        }
    }
    g_ptr_array_unref(channels);
}

void tolk_recordings_scan(const char *dir, const char *sitting, tolk_recording_fn fn, void *ctx)
{
    int root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        return;
    GPtrArray *sittings = folder_names(dup(root), tolk_recording_segment_valid);
    for (guint i = 0; i < sittings->len; i++) {
        const char *sid = g_ptr_array_index(sittings, i);
        if (sitting && strcmp(sitting, sid) != 0)
            continue;
        int sfd = open_folder(root, sid);
        if (sfd >= 0) {
            scan_sitting(sfd, sid, fn, ctx);
            close(sfd);
        }
    }
    g_ptr_array_unref(sittings);
    close(root);
}

int tolk_recordings_open(const char *dir, const char *sitting, const char *channel, const char *name,
                         guint64 *bytes)
{
    if (!tolk_recording_segment_valid(sitting) || !tolk_recording_segment_valid(channel) ||
        !tolk_recording_name_parse(name, NULL))
        return -1;
    int root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int sfd = root >= 0 ? open_folder(root, sitting) : -1;
    int chfd = sfd >= 0 ? open_folder(sfd, channel) : -1;
    int fd = chfd >= 0 ? openat(chfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK) : -1;
    const int folders[] = {root, sfd, chfd};
    for (size_t i = 0; i < G_N_ELEMENTS(folders); i++) {
        if (folders[i] >= 0)
            close(folders[i]);
    }
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
        close(fd);
        fd = -1;
    }
    if (fd >= 0) {
        fcntl(fd, F_SETFL, 0); /* O_NONBLOCK only kept a FIFO from blocking the open */
        *bytes = (guint64)st.st_size;
    }
    return fd;
}

int tolk_recording_create(const char *dir, const char *sitting, const char *folder, tolk_recording_kind kind,
                          gint64 now_us, char name[TOLK_RECORDING_NAME_SIZE], char **path)
{
    char *where = g_build_filename(dir, sitting, folder, NULL);
    int fd = -1;
    errno = 0;
    if (g_mkdir_with_parents(where, 0750) == 0) {
        for (int suffix = 0; suffix <= MAX_SUFFIX; suffix++) {
            tolk_recording_kind_name(kind, now_us, suffix, name);
            char *candidate = g_build_filename(where, name, NULL);
            fd = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0640);
            if (fd >= 0) {
                *path = candidate;
                break;
            }
            g_free(candidate);
            if (errno != EEXIST)
                break;
        }
    }
    int saved = errno ? errno : EIO;
    g_free(where);
    if (fd >= 0)
        fchmod(fd, 0640); /* whatever the umask: the operators' group reads the record */
    errno = saved;
    return fd;
}
