/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Table-driven validation of JSON request objects. Each request body has one table of
 * tolk_json_field; tolk_json_check() walks it and reports the first problem with the
 * path of the field at fault ("booths[1].b_channels[0]"). Fields not in the table are
 * errors, so a typo never passes silently. Cross-field rules (a booth's language must
 * be a channel...) are the parser's job, after the table passed.
 */
#ifndef TOLK_HTTP_JSON_CHECK_H
#define TOLK_HTTP_JSON_CHECK_H

#include "error.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

/* Whether s[0..len) is text a request may carry: strict UTF-8 (no overlong forms, no
 * surrogates, nothing above U+10FFFF) without control characters (C0 U+0000-U+001F, DEL,
 * C1 U+0080-U+009F). A TAB or line break in a name breaks the lines it is written into
 * (SDP s=, logs, CSV exports) and shows as nothing. On false, why (if not NULL) gets the
 * problem as a phrase: "is not valid UTF-8", "contains the control character U+0009". */
bool tolk_text_check(const char *s, size_t len, char *why, size_t why_size);

/* The same for text of several lines (an SDP): each line on its own, CR, LF and TAB between. */
bool tolk_lines_check(const char *s, size_t len, char *why, size_t why_size);
/* The one field of the API whose value is such text, wherever it appears. */
#define TOLK_JSON_LINES_FIELD "sdp"

typedef enum {
    TOLK_JSON_STRING,
    TOLK_JSON_STRING_OR_NULL,
    TOLK_JSON_INTEGER,
    TOLK_JSON_NUMBER,
    TOLK_JSON_NUMBER_OR_NULL,
    TOLK_JSON_BOOLEAN,
    TOLK_JSON_STRING_ARRAY,
    TOLK_JSON_OBJECT_ARRAY,
    TOLK_JSON_OBJECT,
} tolk_json_type;

#define TOLK_JSON_DEFAULT_MAX_LENGTH 255 /* bytes, for strings without max_length */

typedef struct tolk_json_field {
    const char *name; /* NULL ends a table */
    tolk_json_type type;
    bool required;
    /* Strings and the items of string arrays. */
    size_t max_length;               /* bytes; 0: TOLK_JSON_DEFAULT_MAX_LENGTH */
    const char *const *one_of;       /* NULL-terminated allowed values, or NULL */
    bool (*valid)(const char *value); /* or NULL */
    const char *expected;            /* what valid() accepts, for the message: "a language code" */
    bool lines;                      /* text of several lines (an SDP): CR, LF and TAB allowed */
    /* Integers and numbers. */
    bool ranged;
    double min, max;
    /* Arrays. */
    int min_items, max_items;        /* max_items 0: no limit */
    bool unique;                     /* string arrays: no value twice */
    /* Objects and the items of object arrays. */
    const struct tolk_json_field *fields;
} tolk_json_field;

/* Checks obj against a table. On failure fills *err (kind invalid) and returns false. */
bool tolk_json_check(json_object *obj, const tolk_json_field *fields, tolk_error *err);

#endif
