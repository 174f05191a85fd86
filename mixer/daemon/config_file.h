/* SPDX-License-Identifier: EUPL-1.2 */
/* The configuration file of the daemon (tolk.conf): `key = value` lines, `#` comments.
 * A pure parser: it knows no keys; options.c checks each against the long options.
 * Thread contract: loaded once, on the main thread before anything else starts; the
 * entries are read-only afterwards and live as long as the options that point into them. */
#ifndef TOLK_CONFIG_FILE_H
#define TOLK_CONFIG_FILE_H

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

#endif
