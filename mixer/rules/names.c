/* SPDX-License-Identifier: EUPL-1.2 */
/* The API's names of the enums, both ways: the one place each name is spelled. */
#include "rules.h"

#include <string.h>

/* A vocabulary: names in the API's order, and the enum value of each (NULL when the
 * order is the enum's). */
typedef struct {
    const char *const *names;
    const int *values;
} vocabulary;

const char *const tolk_interlock_names[] = {"no-override", "override", "free", NULL};
const char *const tolk_idle_names[] = {"floor", "silence", NULL};
/* docs/api.md lists "on" first; the enum starts with off, the state of a new console. */
const char *const tolk_mic_names[] = {"on", "off", "muted", NULL};
static const int mic_values[] = {TOLK_MIC_ON, TOLK_MIC_OFF, TOLK_MIC_MUTED};
const char *const tolk_output_names[] = {"A", "B", NULL};
const char *const tolk_output_key_names[] = {"shared", "own", NULL};
const char *const tolk_grant_kind_names[] = {"console", "listener", "floor", NULL};
const char *const tolk_signal_kind_names[] = {"slower", "technician", "handover_request", "handover_accept", NULL};
static const char *const quality_names[] = {"floor", "+", "-", NULL};

static const vocabulary interlocks = {tolk_interlock_names, NULL};
static const vocabulary idles = {tolk_idle_names, NULL};
static const vocabulary mics = {tolk_mic_names, mic_values};
static const vocabulary outputs = {tolk_output_names, NULL};
static const vocabulary output_keys = {tolk_output_key_names, NULL};
static const vocabulary grant_kinds = {tolk_grant_kind_names, NULL};
static const vocabulary signal_kinds = {tolk_signal_kind_names, NULL};
static const vocabulary qualities = {quality_names, NULL};

static int value_at(const vocabulary *v, int i)
{
    return v->values ? v->values[i] : i;
}

static const char *name_of(const vocabulary *v, int value)
{
    for (int i = 0; v->names[i]; i++)
        if (value_at(v, i) == value)
            return v->names[i];
    return NULL;
}

/* The enum value of s, -1 when s is none of the names. */
static int value_of(const vocabulary *v, const char *s)
{
    for (int i = 0; s && v->names[i]; i++)
        if (strcmp(v->names[i], s) == 0)
            return value_at(v, i);
    return -1;
}

/* TOLK_QUALITY_NONE (a silent idle channel) has no tag: the API shows null. */
const char *tolk_quality_name(tolk_quality v)
{
    return name_of(&qualities, (int)v);
}

/* type##_name() and type##_parse() of one enum type: written once, so they cannot drift apart. */
#define DEFINE_VOCABULARY(type, vocab)             \
    const char *type##_name(type v)                \
    {                                              \
        return name_of(&(vocab), (int)v);          \
    }                                              \
    bool type##_parse(const char *s, type *out)    \
    {                                              \
        int value = value_of(&(vocab), s);         \
        if (value >= 0 && out)                     \
            *out = (type)value;                    \
        return value >= 0;                         \
    }

DEFINE_VOCABULARY(tolk_interlock, interlocks)
DEFINE_VOCABULARY(tolk_idle, idles)
DEFINE_VOCABULARY(tolk_mic, mics)
DEFINE_VOCABULARY(tolk_output, outputs)
DEFINE_VOCABULARY(tolk_output_key, output_keys)
DEFINE_VOCABULARY(tolk_grant_kind, grant_kinds)
DEFINE_VOCABULARY(tolk_signal_kind, signal_kinds)

bool tolk_is_language_code(const char *s)
{
    size_t n = 0;
    for (; n < TOLK_LANG_SIZE && s[n]; n++)
        if (s[n] < 'a' || s[n] > 'z')
            return false;
    return n >= 2 && n < TOLK_LANG_SIZE;
}
