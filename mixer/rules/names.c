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

const char *tolk_interlock_name(tolk_interlock v)
{
    return name_of(&interlocks, (int)v);
}

const char *tolk_idle_name(tolk_idle v)
{
    return name_of(&idles, (int)v);
}

const char *tolk_mic_name(tolk_mic v)
{
    return name_of(&mics, (int)v);
}

const char *tolk_output_name(tolk_output v)
{
    return name_of(&outputs, (int)v);
}

const char *tolk_output_key_name(tolk_output_key v)
{
    return name_of(&output_keys, (int)v);
}

const char *tolk_grant_kind_name(tolk_grant_kind v)
{
    return name_of(&grant_kinds, (int)v);
}

const char *tolk_signal_kind_name(tolk_signal_kind v)
{
    return name_of(&signal_kinds, (int)v);
}

/* TOLK_QUALITY_NONE (a silent idle channel) has no tag: the API shows null. */
const char *tolk_quality_name(tolk_quality v)
{
    return name_of(&qualities, (int)v);
}

/* One parser per enum type; the macro keeps them from drifting apart. */
#define DEFINE_PARSE(fn, type, vocab)              \
    bool fn(const char *s, type *out)              \
    {                                              \
        int value = value_of(&(vocab), s);         \
        if (value >= 0 && out)                     \
            *out = (type)value;                    \
        return value >= 0;                         \
    }

DEFINE_PARSE(tolk_interlock_parse, tolk_interlock, interlocks)
DEFINE_PARSE(tolk_idle_parse, tolk_idle, idles)
DEFINE_PARSE(tolk_mic_parse, tolk_mic, mics)
DEFINE_PARSE(tolk_output_parse, tolk_output, outputs)
DEFINE_PARSE(tolk_output_key_parse, tolk_output_key, output_keys)
DEFINE_PARSE(tolk_grant_kind_parse, tolk_grant_kind, grant_kinds)
DEFINE_PARSE(tolk_signal_kind_parse, tolk_signal_kind, signal_kinds)

bool tolk_is_language_code(const char *s)
{
    size_t n = 0;
    for (; n < TOLK_LANG_SIZE && s[n]; n++)
        if (s[n] < 'a' || s[n] > 'z')
            return false;
    return n >= 2 && n < TOLK_LANG_SIZE;
}
