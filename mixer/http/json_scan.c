/* SPDX-License-Identifier: EUPL-1.2 */
#include "json_scan.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

/* One open object or array. */
typedef struct {
    bool object;
    GHashTable *keys; /* objects: the decoded keys seen, owned */
    const char *key;  /* objects: the member being read (owned by keys), NULL before the first */
    bool want_key;    /* objects: the next string is a key */
    size_t index;     /* arrays: the item being read */
} scan_frame;

typedef struct {
    const char *data;
    size_t len, pos;
    scan_frame *frames;
    int depth, max_depth;
    GString *text; /* the string being decoded */
    tolk_error *err;
} json_scanner;

/* "booths[1].language": the path of the value being read, in json_check's spelling. */
static void scan_path(const json_scanner *s, int depth, char *out, size_t size)
{
    out[0] = '\0';
    for (int i = 0; i < depth; i++) {
        const scan_frame *f = &s->frames[i];
        char part[80];
        if (!f->object)
            snprintf(part, sizeof part, "[%zu]", f->index);
        else if (f->key)
            snprintf(part, sizeof part, "%s%s", out[0] ? "." : "", f->key);
        else
            continue;
        g_strlcat(out, part, size);
    }
}

static bool malformed(json_scanner *s)
{
    tolk_error_set(s->err, TOLK_ERROR_INVALID, "invalid_json", "", "The request body is not valid JSON.");
    return false;
}

static int hex4(const char *p)
{
    int value = 0;
    for (int i = 0; i < 4; i++) {
        int digit = g_ascii_xdigit_value(p[i]);
        if (digit < 0)
            return -1;
        value = value * 16 + digit;
    }
    return value;
}

/* \uXXXX at s->pos (after the backslash and u), a surrogate pair taken as one character.
 * An unpaired surrogate is not a character: json-c makes it U+FFFD, the scan refuses it. */
static bool decode_unicode_escape(json_scanner *s, gunichar *out, bool *paired)
{
    *paired = true;
    if (s->len - s->pos < 4 || (*out = (gunichar)hex4(s->data + s->pos)) == (gunichar)-1)
        return malformed(s);
    s->pos += 4;
    if (*out >= 0xDC00 && *out <= 0xDFFF) {
        *paired = false;
        return true;
    }
    if (*out < 0xD800 || *out > 0xDBFF)
        return true;
    int low;
    if (s->len - s->pos < 6 || s->data[s->pos] != '\\' || s->data[s->pos + 1] != 'u' ||
        (low = hex4(s->data + s->pos + 2)) < 0xDC00 || low > 0xDFFF) {
        *paired = false;
        return true;
    }
    s->pos += 6;
    *out = 0x10000 + ((*out - 0xD800) << 10) + (gunichar)(low - 0xDC00);
    return true;
}

static bool decode_escape(json_scanner *s, bool *paired)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    *paired = true;
    if (s->pos >= s->len)
        return malformed(s);
    char c = s->data[s->pos++];
    const char *simple = c ? strchr(from, c) : NULL;
    if (simple) {
        g_string_append_c(s->text, to[simple - from]);
        return true;
    }
    if (c != 'u')
        return malformed(s);
    gunichar u;
    if (!decode_unicode_escape(s, &u, paired))
        return false;
    if (*paired)
        g_string_append_unichar(s->text, u);
    return true;
}

/* Decodes the string whose opening quote is at s->pos into s->text; *unpaired tells
 * whether it held an unpaired surrogate escape. */
static bool decode_string(json_scanner *s, bool *unpaired)
{
    g_string_truncate(s->text, 0);
    *unpaired = false;
    s->pos++;
    while (s->pos < s->len) {
        char c = s->data[s->pos++];
        if (c == '"')
            return true;
        if (c != '\\') {
            g_string_append_c(s->text, c);
            continue;
        }
        bool paired;
        if (!decode_escape(s, &paired))
            return false;
        *unpaired |= !paired;
    }
    return malformed(s);
}

static bool refuse_text(json_scanner *s, bool is_key, const char *why)
{
    /* A key is named by the object it is in: the member before it is not at fault. */
    char path[96];
    scan_path(s, is_key ? s->depth - 1 : s->depth, path, sizeof path);
    if (is_key)
        tolk_error_set(s->err, TOLK_ERROR_INVALID, "invalid_text", path, "A field name %s%s%s %s.",
                             path[0] ? "in \"" : "at the top level", path, path[0] ? "\"" : "", why);
    else
        tolk_error_set(s->err, TOLK_ERROR_INVALID, "invalid_text", path, "Field \"%s\" %s.", path, why);
    return false;
}

static bool take_key(json_scanner *s, scan_frame *f)
{
    if (g_hash_table_contains(f->keys, s->text->str)) {
        f->key = g_hash_table_lookup(f->keys, s->text->str);
        char path[96];
        scan_path(s, s->depth, path, sizeof path);
        tolk_error_set(s->err, TOLK_ERROR_INVALID, "duplicate_field", path, "Field \"%s\" appears more than once.",
                             path);
        return false;
    }
    char *key = g_strdup(s->text->str);
    g_hash_table_add(f->keys, key);
    f->key = key;
    f->want_key = false;
    return true;
}

static bool scan_string(json_scanner *s)
{
    scan_frame *f = s->depth ? &s->frames[s->depth - 1] : NULL;
    bool is_key = f && f->object && f->want_key;
    bool unpaired;
    if (!decode_string(s, &unpaired))
        return false;
    char why[64];
    if (unpaired)
        return refuse_text(s, is_key, "is not valid Unicode (an unpaired surrogate escape)");
    /* An SDP's value carries its CRLF line ends (RFC 4566); every other string is one line. */
    bool lines = !is_key && f && f->object && f->key && strcmp(f->key, TOLK_JSON_LINES_FIELD) == 0;
    if (!(lines ? tolk_lines_check(s->text->str, s->text->len, why, sizeof why)
                : tolk_text_check(s->text->str, s->text->len, why, sizeof why)))
        return refuse_text(s, is_key, why);
    return !is_key || take_key(s, f);
}

static bool open_container(json_scanner *s, bool object)
{
    if (s->depth == s->max_depth)
        return malformed(s);
    scan_frame *f = &s->frames[s->depth++];
    *f = (scan_frame){.object = object, .want_key = object};
    if (object)
        f->keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return true;
}

static bool close_container(json_scanner *s, bool object)
{
    if (s->depth == 0 || s->frames[s->depth - 1].object != object)
        return malformed(s);
    scan_frame *f = &s->frames[--s->depth];
    if (f->keys)
        g_hash_table_destroy(f->keys);
    f->keys = NULL;
    return true;
}

static bool next_member(json_scanner *s)
{
    if (s->depth == 0)
        return malformed(s);
    scan_frame *f = &s->frames[s->depth - 1];
    if (f->object)
        f->want_key = true;
    else
        f->index++;
    return true;
}

static bool scan_step(json_scanner *s)
{
    switch (s->data[s->pos]) {
    case '"':
        return scan_string(s);
    case '{':
    case '[':
        s->pos++;
        return open_container(s, s->data[s->pos - 1] == '{');
    case '}':
    case ']':
        s->pos++;
        return close_container(s, s->data[s->pos - 1] == '}');
    case ',':
        s->pos++;
        return next_member(s);
    default: /* whitespace, ':', numbers, true, false, null: json-c has judged them */
        s->pos++;
        return true;
    }
}

bool tolk_json_scan(const char *data, size_t len, int max_depth, tolk_error *err)
{
    json_scanner s = {
        .data = data,
        .len = len,
        .frames = g_new0(scan_frame, max_depth > 0 ? max_depth : 1),
        .max_depth = max_depth,
        .text = g_string_new(NULL),
        .err = err,
    };
    bool ok = true;
    while (ok && s.pos < s.len)
        ok = scan_step(&s);
    if (ok && s.depth != 0)
        ok = malformed(&s);
    for (int i = 0; i < s.depth; i++)
        if (s.frames[i].keys)
            g_hash_table_destroy(s.frames[i].keys);
    g_free(s.frames);
    g_string_free(s.text, TRUE);
    return ok;
}
