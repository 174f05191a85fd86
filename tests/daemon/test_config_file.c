/* SPDX-License-Identifier: EUPL-1.2 */
/* The configuration file: the parser (keys, values, comments, quotes, and the messages,
 * file and line, of what it refuses), and applying a file to a getopt table (the command
 * line's options skipped, flags, keys a file may not set). The daemon's own keys:
 * tests/e2e/test_config_file.py. */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "config_file.h"

static int failures;

#define CHECK(cond, ...)                                      \
    do {                                                      \
        if (!(cond)) {                                        \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                     \
            fputc('\n', stderr);                              \
            failures++;                                       \
        }                                                     \
    } while (0)

static void expect_entry(const tolk_config_file *c, size_t i, const char *key, const char *value, int line)
{
    CHECK(i < c->count, "entry %zu missing (%zu entries)", i, c->count);
    if (i >= c->count)
        return;
    CHECK(strcmp(c->entries[i].key, key) == 0, "entry %zu: key '%s', want '%s'", i, c->entries[i].key, key);
    CHECK(strcmp(c->entries[i].value, value) == 0, "entry %zu: value '%s', want '%s'", i, c->entries[i].value,
          value);
    CHECK(c->entries[i].line == line, "entry %zu: line %d, want %d", i, c->entries[i].line, line);
}

static void test_accepts(void)
{
    static const char text[] =
        "# a comment\n"
        "\n"
        "listen = 0.0.0.0:443\n"
        "   token=abc  \n"
        "cors-origin = https://a.example # the parliament\n"
        "cors-origin = https://b.example\n"
        "turn-server = turn://u:p#w@host:3478\n"
        "web-dir = \"/srv/my pages #2 \"  # quoted\n"
        "max_sessions = 4\r\n"
        "demo =\n"
        "\t# indented comment\n";
    tolk_config_file c;
    char err[256] = "";
    CHECK(tolk_config_file_parse("t.conf", text, &c, err, sizeof err), "refused: %s", err);
    CHECK(c.count == 8, "%zu entries, want 8", c.count);
    expect_entry(&c, 0, "listen", "0.0.0.0:443", 3);
    expect_entry(&c, 1, "token", "abc", 4);
    expect_entry(&c, 2, "cors-origin", "https://a.example", 5);
    expect_entry(&c, 3, "cors-origin", "https://b.example", 6);
    expect_entry(&c, 4, "turn-server", "turn://u:p#w@host:3478", 7); /* '#' not after a blank */
    expect_entry(&c, 5, "web-dir", "/srv/my pages #2 ", 8);
    expect_entry(&c, 6, "max-sessions", "4", 9);
    expect_entry(&c, 7, "demo", "", 10);
    CHECK(strcmp(c.path, "t.conf") == 0, "path '%s'", c.path);
    tolk_config_file_clear(&c);
}

static void expect_refused(const char *text, const char *mention)
{
    tolk_config_file c;
    char err[256] = "";
    bool ok = tolk_config_file_parse("/etc/tolk/tolk.conf", text, &c, err, sizeof err);
    CHECK(!ok, "accepted: %s", text);
    CHECK(strstr(err, mention) != NULL, "message '%s' does not say '%s'", err, mention);
    CHECK(c.count == 0 && c.entries == NULL, "entries left after a refusal");
}

static void test_refuses(void)
{
    expect_refused("listen = a\nno equals sign\n", "/etc/tolk/tolk.conf:2: expected 'key = value'");
    expect_refused("= 5\n", "/etc/tolk/tolk.conf:1: a value without a key");
    expect_refused("max sessions = 5\n", ":1: not a key");
    expect_refused("\n\ntoken = \"abc\n", ":3: unterminated quote in the value of token");
    expect_refused("token = \"abc\" def\n", ":1: text after the quoted value of token");
    expect_refused("token = \xff\xfe\n", "not UTF-8");
}

static void test_load(void)
{
    tolk_config_file c;
    char err[512] = "";
    CHECK(!tolk_config_file_load("/nonexistent/tolk.conf", &c, err, sizeof err), "a missing file loaded");
    CHECK(strstr(err, "/nonexistent/tolk.conf: cannot be read") != NULL, "message '%s'", err);

    gchar *dir = g_dir_make_tmp("tolk-config-XXXXXX", NULL);
    CHECK(!tolk_config_file_load(dir, &c, err, sizeof err), "a folder loaded");
    CHECK(strstr(err, "cannot be read") != NULL, "folder: message '%s'", err);

    gchar *path = g_build_filename(dir, "tolk.conf", NULL);
    CHECK(g_file_set_contents(path, "listen = 127.0.0.1:9\n", -1, NULL), "write");
    CHECK(tolk_config_file_load(path, &c, err, sizeof err), "refused: %s", err);
    expect_entry(&c, 0, "listen", "127.0.0.1:9", 1);
    tolk_config_file_clear(&c);

    CHECK(g_file_set_contents(path, "listen = a\0b\n", 12, NULL), "write");
    CHECK(!tolk_config_file_load(path, &c, err, sizeof err), "a NUL byte loaded");
    CHECK(strstr(err, "NUL") != NULL, "NUL: message '%s'", err);

    gchar *big = g_malloc(2 * 1024 * 1024);
    memset(big, '#', 2 * 1024 * 1024);
    CHECK(g_file_set_contents(path, big, 2 * 1024 * 1024, NULL), "write");
    CHECK(!tolk_config_file_load(path, &c, err, sizeof err), "a 2 MiB file loaded");
    CHECK(strstr(err, "over 1 MiB") != NULL, "big: message '%s'", err);
    g_free(big);

    g_unlink(path);
    g_rmdir(dir);
    g_free(path);
    g_free(dir);
}

/* A getopt table of three options and a flag, and what reached "apply". */
enum { OPT_NAME = 1, OPT_COLOUR, OPT_LOUD, OPT_CONFIG };
static const struct option table[] = {
    {"name", required_argument, NULL, OPT_NAME},
    {"colour", required_argument, NULL, OPT_COLOUR},
    {"loud", no_argument, NULL, OPT_LOUD},
    {"config", required_argument, NULL, OPT_CONFIG},
    {NULL, 0, NULL, 0},
};
static const int not_in_files[] = {OPT_CONFIG, 0};

static bool record(int option, const char *arg, void *data)
{
    GString *applied = data;
    if (option == OPT_COLOUR && strcmp(arg, "plaid") == 0)
        return false;
    g_string_append_printf(applied, "%d=%s;", option, arg ? arg : "(flag)");
    return true;
}

static bool apply_text(const char *text, const bool *on_command_line, GString *applied)
{
    gchar *dir = g_dir_make_tmp("tolk-config-XXXXXX", NULL);
    gchar *path = g_build_filename(dir, "t.conf", NULL);
    g_file_set_contents(path, text, -1, NULL);
    g_chmod(path, 0600);
    tolk_config_target target = {table, on_command_line, not_in_files, record, applied};
    g_string_truncate(applied, 0);
    bool ok = tolk_config_file_apply(path, true, &target);
    g_unlink(path);
    g_rmdir(dir);
    g_free(path);
    g_free(dir);
    return ok;
}

static void test_apply(void)
{
    GString *applied = g_string_new(NULL);
    bool none[5] = {false}, name_given[5] = {true, false, false, false, false};
    CHECK(apply_text("name = a\ncolour = red\nloud = yes\nname = b\n", none, applied), "refused");
    CHECK(strcmp(applied->str, "1=a;2=red;3=(flag);1=b;") == 0, "applied '%s'", applied->str);
    CHECK(apply_text("name = a\ncolour = red\nloud = no\n", name_given, applied), "refused");
    CHECK(strcmp(applied->str, "2=red;") == 0, "the command line's name not skipped: '%s'", applied->str);
    CHECK(!apply_text("colour = plaid\n", none, applied), "a bad value applied");
    CHECK(!apply_text("loud = maybe\n", none, applied), "a flag took 'maybe'");
    CHECK(!apply_text("config = other.conf\n", none, applied), "config set from a file");
    CHECK(!apply_text("name = a\nsize = 3\n", none, applied), "an unknown key applied");
    CHECK(strcmp(applied->str, "1=a;") == 0, "applied '%s'", applied->str);
    tolk_config_target target = {table, none, not_in_files, record, applied};
    CHECK(tolk_config_file_apply("/nonexistent/t.conf", false, &target), "a missing default file refused");
    CHECK(!tolk_config_file_apply("/nonexistent/t.conf", true, &target), "a missing --config accepted");
    g_string_free(applied, TRUE);
}

int main(void)
{
    test_accepts();
    test_refuses();
    test_load();
    test_apply();
    if (failures) {
        fprintf(stderr, "%d failures\n", failures);
        return 1;
    }
    puts("config file parser: ok");
    return 0;
}
