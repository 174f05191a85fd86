/* SPDX-License-Identifier: EUPL-1.2 */
#include "config_file.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A configuration file is a few hundred bytes; a bigger one is a wrong path
 * (a log, an image), refused before it is read whole. */
#define TOLK_CONFIG_MAX_BYTES (1024 * 1024)

static bool fail(char *err, size_t err_size, const char *path, int line, const char *why, const char *what)
{
    if (line > 0)
        snprintf(err, err_size, "%s:%d: %s%s", path, line, why, what ? what : "");
    else
        snprintf(err, err_size, "%s: %s%s", path, why, what ? what : "");
    return false;
}

static bool is_key_char(char c)
{
    return g_ascii_isalnum(c) || c == '-' || c == '_';
}

/* The value after '=': "quoted" verbatim (for a value with a '#' after a blank, or
 * blanks at its ends), else up to a blank followed by '#' (a comment after the value). */
static bool take_value(char *s, char **value, const char **why)
{
    s = g_strstrip(s);
    if (*s == '"') {
        char *close = strchr(s + 1, '"'); /* no escapes: a value holds no '"' */
        if (!close) {
            *why = "unterminated quote in the value of ";
            return false;
        }
        char *rest = g_strstrip(close + 1);
        if (*rest && *rest != '#') {
            *why = "text after the quoted value of ";
            return false;
        }
        *close = '\0';
        *value = s + 1;
        return true;
    }
    for (char *p = s; *p; p++) {
        if (*p == '#' && (p == s || g_ascii_isspace(p[-1]))) {
            *p = '\0';
            break;
        }
    }
    *value = g_strstrip(s);
    return true;
}

/* One line, already cut at its end; blank and comment lines add nothing. */
static bool parse_line(const char *path, int number, char *line, GArray *entries, char *err, size_t err_size)
{
    char *s = g_strstrip(line);
    if (*s == '\0' || *s == '#')
        return true;
    char *eq = strchr(s, '=');
    if (!eq)
        return fail(err, err_size, path, number, "expected 'key = value', got: ", s);
    *eq = '\0';
    char *key = g_strstrip(s);
    if (*key == '\0')
        return fail(err, err_size, path, number, "a value without a key", NULL);
    for (const char *k = key; *k; k++) {
        if (!is_key_char(*k))
            return fail(err, err_size, path, number, "not a key (letters, digits and '-'): ", key);
    }
    char *value;
    const char *why;
    if (!take_value(eq + 1, &value, &why))
        return fail(err, err_size, path, number, why, key);
    tolk_config_entry entry = {g_strdup(key), g_strdup(value), number};
    g_strdelimit(entry.key, "_", '-'); /* max_sessions reads as max-sessions */
    g_array_append_val(entries, entry);
    return true;
}

bool tolk_config_file_parse(const char *path, const char *text, tolk_config_file *out, char *err,
                            size_t err_size)
{
    memset(out, 0, sizeof *out);
    if (!g_utf8_validate(text, -1, NULL))
        return fail(err, err_size, path, 0, "not UTF-8 text", NULL);
    GArray *entries = g_array_new(FALSE, FALSE, sizeof(tolk_config_entry));
    gchar **lines = g_strsplit(text, "\n", -1);
    bool ok = true;
    for (int i = 0; ok && lines[i]; i++)
        ok = parse_line(path, i + 1, lines[i], entries, err, err_size);
    g_strfreev(lines);
    out->path = g_strdup(path);
    out->count = entries->len;
    out->entries = (tolk_config_entry *)(void *)g_array_free(entries, FALSE);
    if (!ok)
        tolk_config_file_clear(out);
    return ok;
}

bool tolk_config_file_load(const char *path, tolk_config_file *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "r");
    if (!f)
        return fail(err, err_size, path, 0, "cannot be read: ", g_strerror(errno));
    GString *text = g_string_new(NULL);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0 && text->len <= TOLK_CONFIG_MAX_BYTES)
        g_string_append_len(text, buf, (gssize)n);
    bool read_error = ferror(f) != 0;
    fclose(f);
    bool ok;
    if (read_error)
        ok = fail(err, err_size, path, 0, "cannot be read (a directory?)", NULL);
    else if (text->len > TOLK_CONFIG_MAX_BYTES)
        ok = fail(err, err_size, path, 0, "is over 1 MiB: not a configuration file", NULL);
    else if (memchr(text->str, '\0', text->len))
        ok = fail(err, err_size, path, 0, "holds a NUL byte: not a configuration file", NULL);
    else
        ok = tolk_config_file_parse(path, text->str, out, err, err_size);
    g_string_free(text, TRUE);
    return ok;
}

void tolk_config_file_clear(tolk_config_file *config)
{
    for (size_t i = 0; i < config->count; i++) {
        g_free(config->entries[i].key);
        g_free(config->entries[i].value);
    }
    g_free(config->entries);
    g_free(config->path);
    memset(config, 0, sizeof *config);
}

static const struct option *find_option(const tolk_config_target *target, const char *name)
{
    for (const struct option *o = target->options; o->name; o++) {
        if (strcmp(o->name, name) == 0)
            return o;
    }
    return NULL;
}

static bool settable_in_files(const tolk_config_target *target, const struct option *o)
{
    for (const int *no = target->not_in_files; *no; no++) {
        if (o->val == *no)
            return false;
    }
    return true;
}

static bool parse_flag(const char *s, bool *on)
{
    *on = strcmp(s, "yes") == 0 || strcmp(s, "true") == 0 || strcmp(s, "1") == 0;
    return *on || strcmp(s, "no") == 0 || strcmp(s, "false") == 0 || strcmp(s, "0") == 0;
}

static bool apply_entry(const tolk_config_file *config, const tolk_config_entry *e, const tolk_config_target *target)
{
    const struct option *o = find_option(target, e->key);
    if (!o) {
        fprintf(stderr, "tolk: %s:%d: unknown key '%s' (the keys are the long options without '--'; see tolk --help)\n",
                config->path, e->line, e->key);
        return false;
    }
    if (!settable_in_files(target, o)) {
        fprintf(stderr, "tolk: %s:%d: '%s' cannot be set in a configuration file\n", config->path, e->line, e->key);
        return false;
    }
    if (target->on_command_line[o - target->options])
        return true;
    bool on = true;
    if (o->has_arg == no_argument && !parse_flag(e->value, &on)) {
        fprintf(stderr, "tolk: %s:%d: invalid value for %s: '%s' (yes or no)\n", config->path, e->line, e->key,
                e->value);
        return false;
    }
    const char *arg = o->has_arg == no_argument ? NULL : e->value;
    if (on && !target->apply(o->val, arg, target->data)) {
        fprintf(stderr, "tolk: %s:%d: invalid value for %s: '%s'\n", config->path, e->line, e->key, e->value);
        return false;
    }
    return true;
}

/* A token or TURN password in a file every user may read is everybody's: said at start. */
static void warn_if_secrets_readable(const tolk_config_file *config)
{
    static const char *const secret_keys[] = {"token", "metrics-token", "turn-server"};
    struct stat st;
    if (stat(config->path, &st) != 0 || !(st.st_mode & S_IROTH))
        return;
    for (size_t i = 0; i < config->count; i++) {
        for (size_t k = 0; k < G_N_ELEMENTS(secret_keys); k++) {
            if (strcmp(config->entries[i].key, secret_keys[k]) == 0) {
                fprintf(stderr, "tolk: warning: %s:%d: %s is a secret, and every user may read this file: "
                        "chown root:tolk %s && chmod 0640 %s\n", config->path, config->entries[i].line,
                        secret_keys[k], config->path, config->path);
                return;
            }
        }
    }
}

bool tolk_config_file_apply(const char *path, bool explicit, const tolk_config_target *target)
{
    static GPtrArray *loaded; /* every file applied: the options point into them until exit */
    if (!explicit && access(path, F_OK) != 0 && errno == ENOENT)
        return true;
    char err[1024];
    tolk_config_file *config = g_new0(tolk_config_file, 1);
    if (!loaded)
        loaded = g_ptr_array_new();
    g_ptr_array_add(loaded, config);
    if (!tolk_config_file_load(path, config, err, sizeof err)) {
        fprintf(stderr, "tolk: configuration file %s\n", err);
        return false;
    }
    warn_if_secrets_readable(config);
    for (size_t i = 0; i < config->count; i++) {
        if (!apply_entry(config, &config->entries[i], target))
            return false;
    }
    return true;
}
