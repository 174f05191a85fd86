/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * A channel's HLS folder on disk: created readable by all (a web server serves it),
 * its files written 0644 whatever the daemon's umask, the playlist replaced atomically
 * (a reader sees the old or the new text, never half of one).
 *
 * Threads: any thread but a media one (these calls do I/O); the owner serialises them
 * per folder.
 */
#ifndef TOLK_HLS_FILES_H
#define TOLK_HLS_FILES_H

#include <stdbool.h>

#include "error.h"

/* Makes dir and its missing parents, each 0755 (those that exist stay as they are). */
bool tolk_hls_dir_make(const char *dir, tolk_error *err);
/* Removes what a previous run left (only names tolk_hls_name_valid accepts). */
void tolk_hls_dir_clean(const char *dir);
/* A new file dir/name, mode 0644, open for writing: its descriptor, or -1 (errno). */
int tolk_hls_file_create(const char *dir, const char *name);
/* Replaces dir/name with text through a temporary file and a rename. False (errno) when
 * that failed: the old file stays. */
bool tolk_hls_file_replace(const char *dir, const char *name, const char *text);
void tolk_hls_file_remove(const char *dir, const char *name);

#endif
