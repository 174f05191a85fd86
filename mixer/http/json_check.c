/* SPDX-License-Identifier: EUPL-1.2 */
#include "json_check.h"

#include <glib.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static bool is_control(gunichar c)
{
    return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

bool tolk_text_check(const char *s, size_t len, char *why, size_t why_size)
{
    char scratch[64];
    if (!why) {
        why = scratch;
        why_size = sizeof scratch;
    }
    /* GLib's validator is strict: overlong forms, surrogates and > U+10FFFF are refused;
     * it refuses NUL too, which is better named as the control character it is. */
    if (memchr(s, '\0', len)) {
        g_strlcpy(why, "contains the control character U+0000", why_size);
        return false;
    }
    if (!g_utf8_validate_len(s, len, NULL)) {
        g_strlcpy(why, "is not valid UTF-8", why_size);
        return false;
    }
    for (const char *p = s; p < s + len; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (is_control(c)) {
            snprintf(why, why_size, "contains the control character U+%04X", (unsigned)c);
            return false;
        }
    }
    return true;
}

static const char *type_phrase(tolk_json_type type)
{
    switch (type) {
    case TOLK_JSON_STRING: return "a string";
    case TOLK_JSON_STRING_OR_NULL: return "a string or null";
    case TOLK_JSON_INTEGER: return "an integer";
    case TOLK_JSON_NUMBER: return "a number";
    case TOLK_JSON_NUMBER_OR_NULL: return "a number or null";
    case TOLK_JSON_BOOLEAN: return "true or false";
    case TOLK_JSON_STRING_ARRAY: return "an array of strings";
    case TOLK_JSON_OBJECT_ARRAY: return "an array of objects";
    case TOLK_JSON_OBJECT: return "an object";
    }
    return "a value";
}

static bool has_json_type(json_object *value, tolk_json_type type)
{
    switch (type) {
    case TOLK_JSON_STRING_OR_NULL:
        return !value || json_object_is_type(value, json_type_string);
    case TOLK_JSON_STRING:
        return json_object_is_type(value, json_type_string);
    case TOLK_JSON_INTEGER:
        return json_object_is_type(value, json_type_int);
    case TOLK_JSON_NUMBER_OR_NULL:
        if (!value)
            return true;
        /* fall through */
    case TOLK_JSON_NUMBER:
        return json_object_is_type(value, json_type_int) || json_object_is_type(value, json_type_double);
    case TOLK_JSON_BOOLEAN:
        return json_object_is_type(value, json_type_boolean);
    case TOLK_JSON_STRING_ARRAY:
    case TOLK_JSON_OBJECT_ARRAY:
        return json_object_is_type(value, json_type_array);
    case TOLK_JSON_OBJECT:
        return json_object_is_type(value, json_type_object);
    }
    return false;
}

static bool invalid_type(const char *path, tolk_json_type type, tolk_error *err)
{
    tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_type", path, "Field \"%s\" must be %s.", path,
                         type_phrase(type));
    return false;
}

static void one_of_phrase(const char *const *one_of, char *out, size_t size)
{
    out[0] = '\0';
    for (int i = 0; one_of[i]; i++) {
        if (i)
            g_strlcat(out, one_of[i + 1] ? ", " : " or ", size);
        g_strlcat(out, "\"", size);
        g_strlcat(out, one_of[i], size);
        g_strlcat(out, "\"", size);
    }
}

static bool is_one_of(const char *value, const char *const *one_of)
{
    for (int i = 0; one_of[i]; i++)
        if (strcmp(value, one_of[i]) == 0)
            return true;
    return false;
}

/* Each line of s on its own: the line ends and TABs between them are allowed. */
bool tolk_lines_check(const char *s, size_t len, char *why, size_t why_size)
{
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] != '\r' && s[i] != '\n' && s[i] != '\t')
            continue;
        if (!tolk_text_check(s + start, i - start, why, why_size))
            return false;
        start = i + 1;
    }
    return true;
}

static bool check_string(json_object *value, const tolk_json_field *spec, const char *path,
                         tolk_error *err)
{
    const char *s = json_object_get_string(value);
    size_t len = (size_t)json_object_get_string_len(value);
    size_t max = spec->max_length ? spec->max_length : TOLK_JSON_DEFAULT_MAX_LENGTH;
    char why[64];
    if (!(spec->lines ? tolk_lines_check(s, len, why, sizeof why) : tolk_text_check(s, len, why, sizeof why))) {
        tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_text", path, "Field \"%s\" %s.", path, why);
        return false;
    }
    if (len > max) {
        tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_value", path, "Field \"%s\" must be at most %zu bytes long.",
                             path, max);
        return false;
    }
    if (spec->one_of && !is_one_of(s, spec->one_of)) {
        char allowed[120];
        one_of_phrase(spec->one_of, allowed, sizeof allowed);
        tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_value", path, "Field \"%s\" must be %s.", path, allowed);
        return false;
    }
    if (spec->valid && !spec->valid(s)) {
        tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_value", path, "Field \"%s\" must be %s.", path,
                             spec->expected ? spec->expected : "valid");
        return false;
    }
    return true;
}

static bool check_number(json_object *value, const tolk_json_field *spec, const char *path,
                         tolk_error *err)
{
    double number = json_object_is_type(value, json_type_int) ? (double)json_object_get_int64(value)
                                                              : json_object_get_double(value);
    if (!isfinite(number) || (spec->ranged && (number < spec->min || number > spec->max))) {
        if (spec->ranged)
            tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_value", path, "Field \"%s\" must be from %g to %g.",
                                 path, spec->min, spec->max);
        else
            tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_value", path, "Field \"%s\" must be a finite number.",
                                 path);
        return false;
    }
    return true;
}

static bool check_value(json_object *value, const tolk_json_field *spec, const char *path,
                        tolk_error *err);

static bool check_unique(json_object *array, size_t index, const char *path, tolk_error *err)
{
    const char *s = json_object_get_string(json_object_array_get_idx(array, index));
    for (size_t j = 0; j < index; j++) {
        if (strcmp(s, json_object_get_string(json_object_array_get_idx(array, j))) == 0) {
            tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_value", path, "Field \"%s\" repeats \"%s\".", path, s);
            return false;
        }
    }
    return true;
}

static bool check_item_count(size_t count, const tolk_json_field *spec, const char *path,
                             tolk_error *err)
{
    if ((int)count < spec->min_items) {
        if (spec->min_items == 1)
            tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_value", path, "Field \"%s\" must not be empty.", path);
        else
            tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_value", path, "Field \"%s\" must have at least %d items.",
                                 path, spec->min_items);
        return false;
    }
    if (spec->max_items && count > (size_t)spec->max_items) {
        tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_value", path, "Field \"%s\" must have at most %d items.",
                             path, spec->max_items);
        return false;
    }
    return true;
}

static bool check_array(json_object *array, const tolk_json_field *spec, const char *path,
                        tolk_error *err)
{
    size_t count = json_object_array_length(array);
    if (!check_item_count(count, spec, path, err))
        return false;
    /* Items are checked with the array's own rules (one_of, valid, fields) as scalars/objects. */
    tolk_json_field item = *spec;
    item.type = spec->type == TOLK_JSON_STRING_ARRAY ? TOLK_JSON_STRING : TOLK_JSON_OBJECT;
    for (size_t i = 0; i < count; i++) {
        char item_path[96];
        snprintf(item_path, sizeof item_path, "%s[%zu]", path, i);
        if (!check_value(json_object_array_get_idx(array, i), &item, item_path, err))
            return false;
        if (spec->unique && spec->type == TOLK_JSON_STRING_ARRAY &&
            !check_unique(array, i, item_path, err))
            return false;
    }
    return true;
}

static bool check_object(json_object *obj, const tolk_json_field *fields, const char *prefix,
                         tolk_error *err);

static bool check_value(json_object *value, const tolk_json_field *spec, const char *path,
                        tolk_error *err)
{
    if (!has_json_type(value, spec->type))
        return invalid_type(path, spec->type, err);
    if (!value)
        return true; /* an accepted null */
    switch (spec->type) {
    case TOLK_JSON_STRING:
    case TOLK_JSON_STRING_OR_NULL:
        return check_string(value, spec, path, err);
    case TOLK_JSON_INTEGER:
    case TOLK_JSON_NUMBER:
    case TOLK_JSON_NUMBER_OR_NULL:
        return check_number(value, spec, path, err);
    case TOLK_JSON_STRING_ARRAY:
    case TOLK_JSON_OBJECT_ARRAY:
        return check_array(value, spec, path, err);
    case TOLK_JSON_OBJECT:
        return check_object(value, spec->fields, path, err);
    case TOLK_JSON_BOOLEAN:
        break;
    }
    return true;
}

static void join_path(const char *prefix, const char *name, char *out, size_t size)
{
    if (prefix[0])
        snprintf(out, size, "%s.%s", prefix, name);
    else
        snprintf(out, size, "%s", name);
}

static bool is_known(const tolk_json_field *fields, const char *key)
{
    for (const tolk_json_field *f = fields; f->name; f++)
        if (strcmp(f->name, key) == 0)
            return true;
    return false;
}

static bool check_object(json_object *obj, const tolk_json_field *fields, const char *prefix,
                         tolk_error *err)
{
    char path[96];
    /* Unknown fields first: a misspelt required field reads better as "unknown" than "missing". */
    json_object_object_foreach(obj, key, unused) {
        (void)unused;
        if (!is_known(fields, key)) {
            join_path(prefix, key, path, sizeof path);
            tolk_error_set(err, TOLK_ERROR_INVALID, "unknown_field", path, "Unknown field \"%s\".", path);
            return false;
        }
    }
    for (const tolk_json_field *spec = fields; spec->name; spec++) {
        join_path(prefix, spec->name, path, sizeof path);
        json_object *value;
        if (!json_object_object_get_ex(obj, spec->name, &value)) {
            if (!spec->required)
                continue;
            tolk_error_set(err, TOLK_ERROR_INVALID, "missing_field", path, "Field \"%s\" is required.", path);
            return false;
        }
        if (!check_value(value, spec, path, err))
            return false;
    }
    return true;
}

bool tolk_json_check(json_object *obj, const tolk_json_field *fields, tolk_error *err)
{
    if (!json_object_is_type(obj, json_type_object)) {
        tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_json", "", "The request body must be a JSON object.");
        return false;
    }
    return check_object(obj, fields, "", err);
}
