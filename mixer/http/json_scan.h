/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * A structural scan of a raw JSON body for what json-c lets through: it keeps the last of
 * duplicate keys, stores overlong and surrogate UTF-8 as it came, takes raw control
 * characters in strings and turns an escaped NUL in a key into the end of the key. The
 * scan decodes every string, keys included, by its own escapes, and refuses the body when
 * a string is not strict UTF-8 text (tolk_text_check) or an object repeats a key.
 * Pure function of its input; any thread.
 */
#ifndef TOLK_HTTP_JSON_SCAN_H
#define TOLK_HTTP_JSON_SCAN_H

#include "json_check.h"

#include <stdbool.h>
#include <stddef.h>

/* Scans data[0..len), a body json-c has parsed with at most max_depth nesting. False with
 * *err filled (kind invalid: invalid_text, duplicate_field, or invalid_json for what is not JSON
 * after all) naming the field at fault by its path ("booths[1].language"). */
bool tolk_json_scan(const char *data, size_t len, int max_depth, tolk_error *err);

#endif
