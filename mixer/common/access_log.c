/* SPDX-License-Identifier: EUPL-1.2 */
#include "access_log.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log_internal.h"

#define TOLK_LOG_MODULE "access"

static GMutex lock;
static int fd = -1;
static char *file_path;

/* 0640: the log names client addresses and token ids, which are for the technician. */
static int open_file(const char *path)
{
    return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
}

bool tolk_access_log_open(const char *path, char *err, size_t err_size)
{
    int opened = open_file(path);
    if (opened < 0) {
        snprintf(err, err_size, "--access-log %s cannot be opened for appending: %s", path, g_strerror(errno));
        return false;
    }
    g_mutex_lock(&lock);
    fd = opened;
    g_free(file_path);
    file_path = g_strdup(path);
    g_mutex_unlock(&lock);
    return true;
}

void tolk_access_log_reopen(void)
{
    g_mutex_lock(&lock);
    if (file_path) {
        int opened = open_file(file_path);
        if (opened >= 0) {
            close(fd);
            fd = opened;
        } else {
            LOG_ERROR("the access log %s cannot be reopened (%s): writing on to the old file", file_path,
                      g_strerror(errno));
        }
    }
    g_mutex_unlock(&lock);
}

void tolk_access_log_close(void)
{
    g_mutex_lock(&lock);
    if (fd >= 0)
        close(fd);
    fd = -1;
    g_free(file_path);
    file_path = NULL;
    g_mutex_unlock(&lock);
}

static void write_file(const char *line, size_t len)
{
    g_mutex_lock(&lock);
    if (fd >= 0 && write(fd, line, len) < 0) {
        int failure = errno;
        g_mutex_unlock(&lock);
        static tolk_log_limit limit;
        uint64_t unlogged;
        if (tolk_log_limit_pass(&limit, g_get_monotonic_time(), &unlogged))
            LOG_ERROR("the access log cannot be written: %s (%llu more since the last line)", g_strerror(failure),
                      (unsigned long long)unlogged);
        return;
    }
    g_mutex_unlock(&lock);
}

void tolk_access_log_write(const tolk_log_where *where, const tolk_access_entry *e)
{
    char message[512], status[8];
    snprintf(status, sizeof status, "%d", e->status);
    snprintf(message, sizeof message, "%s from %s: %s %s -> %d", e->who, e->address, e->method, e->path, e->status);
    const char *const fields[] = {"who",    e->who,    "method",  e->method,  "path", e->path,
                                  "status", status,    "address", e->address, NULL};
    tolk_log_record rec = {TOLK_LOG_INFO, TOLK_LOG_MODULE, __FILE__, __LINE__, __func__, where, fields, message};
    bool to_file;
    g_mutex_lock(&lock);
    to_file = fd >= 0;
    g_mutex_unlock(&lock);
    char line[TOLK_LOG_LINE_MAX + 1];
    tolk_log_emit(&rec, tolk_log_enabled(TOLK_LOG_INFO), to_file ? line : NULL, sizeof line - 1);
    if (!to_file)
        return;
    size_t len = strlen(line);
    line[len] = '\n';
    write_file(line, len + 1);
}
