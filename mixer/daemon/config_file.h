/* SPDX-License-Identifier: EUPL-1.2 */
/* The configuration file of the daemon (tolk.conf): `key = value` lines, `#` comments,
 * the keys being the long options of getopt's table. The parser knows no keys; applying a
 * file checks each against the table the options give.
 * Thread contract: loaded once, on the main thread before anything else starts; the
 * entries are read-only afterwards and live as long as the options that point into them. */
#ifndef TOLK_CONFIG_FILE_H
#define TOLK_CONFIG_FILE_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *key;   /* a long option name without "--" (not checked here) */
    char *value; /* "" when the line has none */
    int line;    /* 1-based, for messages */
} tolk_config_entry;

typedef struct {
    char *path;
    tolk_config_entry *entries;
    size_t count;
} tolk_config_file;

/* Reads and splits the file. On failure writes "PATH:LINE: why" (or "PATH: why")
 * to err and returns false; out is then empty. */
bool tolk_config_file_load(const char *path, tolk_config_file *out, char *err, size_t err_size);

/* Parses text as if it came from the file `path`; tolk_config_file_load's core. */
bool tolk_config_file_parse(const char *path, const char *text, tolk_config_file *out, char *err,
                            size_t err_size);

void tolk_config_file_clear(tolk_config_file *config);

/* What applying a file needs from the options. */
typedef struct {
    const struct option *options; /* getopt_long's table, ending in a NULL name */
    const bool *on_command_line;  /* by index into options: the file's lines for these are skipped */
    const int *not_in_files;      /* option values a file may not set (help, config...), ending in 0 */
    bool (*apply)(int option, const char *arg, void *data); /* arg NULL for a flag that is on */
    void *data;
} tolk_config_target;

/* Loads the file and applies its lines in order, but those of options the command line
 * set: the command line wins, and its values of a repeatable option replace the file's.
 * A missing file is no error unless explicit (--config). Says why on stderr (file, line,
 * key) and returns false on the first bad line. Warns when a secret is in a file every
 * user may read. The values stay allocated until exit: the options point into them. */
bool tolk_config_file_apply(const char *path, bool explicit, const tolk_config_target *target);

#endif
