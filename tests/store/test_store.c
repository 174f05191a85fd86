/* SPDX-License-Identifier: EUPL-1.2 */
/* The state store on real files: what is put is there after a reopen, in order; the folder
 * and the file are private and checked; a file that is not a Tolk state is left alone and
 * every write to it fails with a clear error; a second daemon on the folder is refused. */
#include "store.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
    char *dir; /* the state folder, inside a temporary one */
    char *root;
} fixture;

static void set_up(fixture *f, gconstpointer data)
{
    (void)data;
    f->root = g_dir_make_tmp("tolk-store-XXXXXX", NULL);
    g_assert_nonnull(f->root);
    f->dir = g_build_filename(f->root, "state", NULL);
}

static void remove_tree(const char *path)
{
    GDir *dir = g_dir_open(path, 0, NULL);
    if (dir) {
        const char *name;
        while ((name = g_dir_read_name(dir))) {
            char *child = g_build_filename(path, name, NULL);
            remove_tree(child);
            g_free(child);
        }
        g_dir_close(dir);
    }
    g_remove(path);
}

static void tear_down(fixture *f, gconstpointer data)
{
    (void)data;
    remove_tree(f->root);
    g_free(f->dir);
    g_free(f->root);
}

static char *state_file(fixture *f)
{
    return g_build_filename(f->dir, TOLK_STORE_FILE, NULL);
}

static unsigned mode_of(const char *path)
{
    struct stat st;
    g_assert_cmpint(g_stat(path, &st), ==, 0);
    return st.st_mode & 07777;
}

static void collect(const char *id, const char *text, void *ctx)
{
    g_string_append_printf(ctx, "%s=%s;", id, text);
}

static char *load(tolk_store *store, const char *kind)
{
    GString *out = g_string_new("");
    tolk_store_load(store, kind, collect, out);
    return g_string_free(out, FALSE);
}

static tolk_store *open_ok(fixture *f)
{
    tolk_error err = {0};
    tolk_store *store = tolk_store_open(f->dir, &err);
    if (!store)
        g_error("open: %s", err.message);
    return store;
}

static void put_ok(tolk_store *store, const char *kind, const char *id, const char *text)
{
    tolk_error err = {0};
    g_assert_true(tolk_store_wait(store, tolk_store_put(store, kind, id, text), &err));
}

static void test_round_trip_in_order(fixture *f, gconstpointer data)
{
    (void)data;
    tolk_store *store = open_ok(f);
    g_assert_cmpuint(mode_of(f->dir), ==, 0700);
    char *path = state_file(f);
    g_assert_cmpuint(mode_of(path), ==, 0600);
    g_assert_null(tolk_store_fault(store));
    put_ok(store, "sitting", "b", "{\"n\":1}");
    put_ok(store, "sitting", "a", "{\"n\":2}");
    put_ok(store, "sitting", "b", "{\"n\":3}"); /* an update keeps its place */
    put_ok(store, "sitting", "c", "{}");
    put_ok(store, "sitting", "c", NULL);          /* deleted */
    put_ok(store, "counters", "a", "x");
    /* A burst without waits: the latest text of a record wins. */
    for (int i = 0; i < 100; i++) {
        char text[16];
        g_snprintf(text, sizeof text, "v%d", i);
        tolk_store_put(store, "counters", "b", text);
    }
    tolk_store_close(store); /* a clean stop writes what is queued */

    store = open_ok(f);
    char *sittings = load(store, "sitting");
    g_assert_cmpstr(sittings, ==, "b={\"n\":3};a={\"n\":2};");
    char *counters = load(store, "counters");
    g_assert_cmpstr(counters, ==, "a=x;b=v99;");
    g_assert_cmpuint(mode_of(path), ==, 0600);
    tolk_store_close(store);
    g_free(sittings);
    g_free(counters);
    g_free(path);
}

static void expect_refused(fixture *f, const char *needle)
{
    tolk_error err = {0};
    g_assert_null(tolk_store_open(f->dir, &err));
    if (!strstr(err.message, needle))
        g_error("'%s' does not say '%s'", err.message, needle);
}

static void test_open_folder_is_refused(fixture *f, gconstpointer data)
{
    (void)data;
    g_assert_cmpint(g_mkdir_with_parents(f->dir, 0700), ==, 0);
    g_assert_cmpint(g_chmod(f->dir, 0755), ==, 0);
    expect_refused(f, "chmod 700");
}

static void test_open_file_is_refused(fixture *f, gconstpointer data)
{
    (void)data;
    tolk_store_close(open_ok(f));
    char *path = state_file(f);
    g_assert_cmpint(g_chmod(path, 0644), ==, 0);
    expect_refused(f, "chmod 600");
    g_free(path);
}

static void test_second_daemon_is_refused(fixture *f, gconstpointer data)
{
    (void)data;
    tolk_store *first = open_ok(f);
    expect_refused(f, "another tolk uses this state folder");
    tolk_store_close(first);
    tolk_store_close(open_ok(f)); /* free again once the first has stopped */
}

/* The store opens in fault for good; the file keeps its bytes. */
static void expect_unusable(fixture *f, const char *needle)
{
    char *path = state_file(f);
    char *before = NULL;
    gsize before_len = 0;
    g_assert_true(g_file_get_contents(path, &before, &before_len, NULL));
    tolk_store *store = open_ok(f);
    g_assert_true(tolk_store_refused(store));
    char *fault = tolk_store_fault(store);
    g_assert_nonnull(fault);
    if (!strstr(fault, needle) || !strstr(fault, path))
        g_error("'%s' does not name %s and '%s'", fault, path, needle);
    char *loaded = load(store, "sitting");
    g_assert_cmpstr(loaded, ==, "");
    tolk_error err = {0};
    g_assert_false(tolk_store_wait(store, tolk_store_put(store, "sitting", "a", "{}"), &err));
    g_assert_cmpstr(err.code, ==, "state_unwritable");
    g_assert_nonnull(strstr(err.message, path));
    tolk_store_close(store);
    char *after = NULL;
    gsize after_len = 0;
    g_assert_true(g_file_get_contents(path, &after, &after_len, NULL));
    g_assert_cmpmem(before, before_len, after, after_len);
    g_free(before);
    g_free(after);
    g_free(loaded);
    g_free(fault);
    g_free(path);
}

static void test_corrupt_file_is_left_alone(fixture *f, gconstpointer data)
{
    (void)data;
    tolk_store_close(open_ok(f));
    char *path = state_file(f);
    char garbage[4096];
    for (size_t i = 0; i < sizeof garbage; i++)
        garbage[i] = (char)(i * 37 + 11);
    g_assert_true(g_file_set_contents(path, garbage, sizeof garbage, NULL));
    g_assert_cmpint(g_chmod(path, 0600), ==, 0);
    expect_unusable(f, "not a database");
    g_free(path);
}

static void test_newer_schema_is_refused(fixture *f, gconstpointer data)
{
    (void)data;
    tolk_store_close(open_ok(f));
    char *path = state_file(f);
    sqlite3 *db = NULL;
    g_assert_cmpint(sqlite3_open(path, &db), ==, SQLITE_OK);
    g_assert_cmpint(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close(db);
    expect_unusable(f, "newer Tolk (schema 99");
    g_free(path);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, fixture, NULL, set_up, fn, tear_down)
    ADD("/store/round-trip-in-order", test_round_trip_in_order);
    ADD("/store/open-folder-refused", test_open_folder_is_refused);
    ADD("/store/open-file-refused", test_open_file_is_refused);
    ADD("/store/second-daemon-refused", test_second_daemon_is_refused);
    ADD("/store/corrupt-file-left-alone", test_corrupt_file_is_left_alone);
    ADD("/store/newer-schema-refused", test_newer_schema_is_refused);
    return g_test_run();
}
