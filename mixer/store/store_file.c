/* SPDX-License-Identifier: EUPL-1.2 */
#include "store_file.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define TOLK_LOG_MODULE "state"
#include "log.h"

/* Schema n+1 is made from schema n by migrations[n]: a file of an older Tolk is brought up
 * to date inside one transaction at open; one of a newer Tolk is refused. */
static const char *const migrations[TOLK_STORE_SCHEMA] = {
    "CREATE TABLE records (kind TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL,"
    " updated_us INTEGER NOT NULL, PRIMARY KEY (kind, id));",
};

static void refuse(tolk_error *err, const char *fmt, const char *path, const char *detail)
{
    tolk_error_set(err, TOLK_ERROR_UNAVAILABLE, "state_refused", NULL, fmt, path, detail);
}

/* Private: a folder or file of the daemon's user that nobody else may read or write (the
 * SRTP keys and the tokens are in it). */
static bool check_private(const char *path, bool folder, tolk_error *err)
{
    struct stat st;
    if (g_stat(path, &st) != 0) {
        refuse(err, "cannot read %s: %s", path, g_strerror(errno));
        return false;
    }
    if (folder ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
        refuse(err, "%s is not a %s", path, folder ? "folder" : "regular file");
        return false;
    }
    if (st.st_uid != geteuid()) {
        refuse(err, "%s belongs to another user: give it to the daemon's user (chown)%s", path, "");
        return false;
    }
    if (st.st_mode & 077) {
        char fix[64];
        g_snprintf(fix, sizeof fix, "(mode %04o): chmod %s", (unsigned)(st.st_mode & 07777), folder ? "700" : "600");
        refuse(err, "%s is open to other users %s", path, fix);
        return false;
    }
    return true;
}

static bool prepare_folder(const char *dir, tolk_error *err)
{
    if (g_mkdir_with_parents(dir, 0700) != 0) {
        refuse(err, "cannot make the state folder %s: %s", dir, g_strerror(errno));
        return false;
    }
    return check_private(dir, true, err);
}

/* One daemon per state folder: a second would overwrite the first one's sittings. */
static bool take_lock(tolk_store_file *file, const char *dir, tolk_error *err)
{
    char *path = g_build_filename(dir, TOLK_STORE_LOCK_FILE, NULL);
    file->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    bool ok = file->lock_fd >= 0 && flock(file->lock_fd, LOCK_EX | LOCK_NB) == 0;
    if (!ok)
        refuse(err, "%s: %s", path,
               file->lock_fd >= 0 ? "another tolk uses this state folder" : g_strerror(errno));
    g_free(path);
    return ok;
}

/* Made here, not by SQLite, so that it is 0600 from its first moment (SQLite gives its
 * -wal and -shm files the database file's mode). */
static bool prepare_file(const char *path, tolk_error *err)
{
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        close(fd);
        return true;
    }
    if (errno != EEXIST) {
        refuse(err, "cannot make the state file %s: %s", path, g_strerror(errno));
        return false;
    }
    return check_private(path, false, err);
}

static bool exec(sqlite3 *db, const char *sql, char **why)
{
    char *message = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &message) == SQLITE_OK)
        return true;
    *why = g_strdup(message ? message : sqlite3_errmsg(db));
    sqlite3_free(message);
    return false;
}

static int schema_version(sqlite3 *db, char **why)
{
    sqlite3_stmt *stmt = NULL;
    int version = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW)
        version = sqlite3_column_int(stmt, 0);
    else
        *why = g_strdup(sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    return version;
}

static bool intact(sqlite3 *db, char **why)
{
    sqlite3_stmt *stmt = NULL;
    bool ok = sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &stmt, NULL) == SQLITE_OK &&
              sqlite3_step(stmt) == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(stmt, 0), "ok") == 0;
    if (!ok)
        *why = g_strdup(stmt && sqlite3_column_text(stmt, 0) ? (const char *)sqlite3_column_text(stmt, 0)
                                                             : sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    return ok;
}

static bool migrate(sqlite3 *db, int from, char **why)
{
    if (from == TOLK_STORE_SCHEMA)
        return true;
    if (!exec(db, "BEGIN IMMEDIATE", why))
        return false;
    for (int v = from; v < TOLK_STORE_SCHEMA; v++) {
        if (!exec(db, migrations[v], why)) {
            char *ignored = NULL;
            exec(db, "ROLLBACK", &ignored);
            g_free(ignored);
            return false;
        }
    }
    char *set = g_strdup_printf("PRAGMA user_version = %d; COMMIT", TOLK_STORE_SCHEMA);
    bool ok = exec(db, set, why);
    g_free(set);
    if (ok && from > 0)
        LOG_INFO("state file %s brought from schema %d to %d", sqlite3_db_filename(db, "main"), from,
                 TOLK_STORE_SCHEMA);
    return ok;
}

/* WAL with a full sync: a commit is on the disk when it returns, and readers never wait. */
static bool open_database(tolk_store_file *file, char **why)
{
    if (sqlite3_open_v2(file->path, &file->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
        *why = g_strdup(file->db ? sqlite3_errmsg(file->db) : "out of memory");
        return false;
    }
    sqlite3_busy_timeout(file->db, 1000);
    int version = schema_version(file->db, why);
    if (version < 0)
        return false;
    if (version > TOLK_STORE_SCHEMA) {
        *why = g_strdup_printf("it was written by a newer Tolk (schema %d; this one knows up to %d): run that "
                               "version, or move the file away to start empty",
                               version, TOLK_STORE_SCHEMA);
        return false;
    }
    /* secure_delete: a record's old text (keys, tokens, an Icecast password) is zeroed when it is
     * replaced or deleted, not left in the page's free space */
    return intact(file->db, why) &&
           exec(file->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA secure_delete = ON", why) &&
           migrate(file->db, version, why) &&
           sqlite3_prepare_v2(file->db,
                              "INSERT INTO records (kind, id, body, updated_us) VALUES (?1, ?2, ?3, ?4)"
                              " ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body, updated_us = excluded.updated_us",
                              -1, &file->upsert, NULL) == SQLITE_OK &&
           sqlite3_prepare_v2(file->db, "DELETE FROM records WHERE kind = ?1 AND id = ?2", -1, &file->remove,
                              NULL) == SQLITE_OK;
}

tolk_store_file_result tolk_store_file_open(tolk_store_file *file, const char *dir, tolk_error *err)
{
    memset(file, 0, sizeof *file);
    file->lock_fd = -1;
    file->path = g_build_filename(dir, TOLK_STORE_FILE, NULL);
    if (!prepare_folder(dir, err) || !take_lock(file, dir, err) || !prepare_file(file->path, err))
        return TOLK_STORE_FILE_REFUSED;
    char *why = NULL;
    if (open_database(file, &why))
        return TOLK_STORE_FILE_OK;
    tolk_error_set(err, TOLK_ERROR_UNAVAILABLE, "state_unwritable", NULL, "the state file %s cannot be used: %s",
                   file->path, why ? why : sqlite3_errmsg(file->db));
    g_free(why);
    sqlite3_finalize(file->upsert);
    sqlite3_finalize(file->remove);
    sqlite3_close(file->db);
    file->db = NULL;
    file->upsert = file->remove = NULL;
    return TOLK_STORE_FILE_FAULT;
}

void tolk_store_file_close(tolk_store_file *file)
{
    sqlite3_finalize(file->upsert);
    sqlite3_finalize(file->remove);
    sqlite3_close(file->db);
    if (file->lock_fd >= 0)
        close(file->lock_fd); /* releases the lock */
    g_free(file->path);
    memset(file, 0, sizeof *file);
    file->lock_fd = -1;
}

bool tolk_store_file_load(tolk_store_file *file, const char *kind, tolk_store_record_fn fn, void *ctx)
{
    if (!file->db)
        return false;
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(file->db, "SELECT id, body FROM records WHERE kind = ?1 ORDER BY rowid", -1, &stmt,
                           NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text(stmt, 1, kind, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        fn((const char *)sqlite3_column_text(stmt, 0), (const char *)sqlite3_column_text(stmt, 1), ctx);
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE;
}

static bool write_item(tolk_store_file *file, const tolk_store_item *item)
{
    sqlite3_stmt *stmt = item->text ? file->upsert : file->remove;
    sqlite3_reset(stmt);
    sqlite3_bind_text(stmt, 1, item->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, item->id, -1, SQLITE_STATIC);
    if (item->text) {
        sqlite3_bind_text(stmt, 3, item->text, -1, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 4, g_get_real_time());
    }
    bool ok = sqlite3_step(stmt) == SQLITE_DONE;
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return ok;
}

bool tolk_store_file_write(tolk_store_file *file, const tolk_store_item *items, unsigned count, char **why)
{
    if (!exec(file->db, "BEGIN IMMEDIATE", why))
        return false;
    for (unsigned i = 0; i < count; i++) {
        if (!write_item(file, &items[i])) {
            *why = g_strdup(sqlite3_errmsg(file->db));
            char *ignored = NULL;
            exec(file->db, "ROLLBACK", &ignored);
            g_free(ignored);
            return false;
        }
    }
    if (exec(file->db, "COMMIT", why))
        return true;
    char *ignored = NULL;
    exec(file->db, "ROLLBACK", &ignored);
    g_free(ignored);
    return false;
}
