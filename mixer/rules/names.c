/* SPDX-License-Identifier: EUPL-1.2 */
/* The API's names of the enums, both ways. */
#include "rules.h"

#include <string.h>

static const char *const interlock_names[] = {"no-override", "override", "free"};
static const char *const idle_names[] = {"floor", "silence"};
static const char *const mic_names[] = {"off", "on", "muted"};
static const char *const quality_names[] = {"floor", "+", "-"};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char *name_of(const char *const *names, int count, int value)
{
    return value >= 0 && value < count ? names[value] : NULL;
}

static int index_of(const char *const *names, int count, const char *s)
{
    for (int i = 0; s && i < count; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

const char *tolk_interlock_name(tolk_interlock v)
{
    return name_of(interlock_names, COUNT(interlock_names), (int)v);
}

const char *tolk_idle_name(tolk_idle v)
{
    return name_of(idle_names, COUNT(idle_names), (int)v);
}

const char *tolk_mic_name(tolk_mic v)
{
    return name_of(mic_names, COUNT(mic_names), (int)v);
}

/* TOLK_QUALITY_NONE (a silent idle channel) has no tag: the API shows null. */
const char *tolk_quality_name(tolk_quality v)
{
    return name_of(quality_names, COUNT(quality_names), (int)v);
}

bool tolk_interlock_parse(const char *s, tolk_interlock *out)
{
    int i = index_of(interlock_names, COUNT(interlock_names), s);
    if (i >= 0 && out)
        *out = (tolk_interlock)i;
    return i >= 0;
}

bool tolk_idle_parse(const char *s, tolk_idle *out)
{
    int i = index_of(idle_names, COUNT(idle_names), s);
    if (i >= 0 && out)
        *out = (tolk_idle)i;
    return i >= 0;
}

bool tolk_mic_parse(const char *s, tolk_mic *out)
{
    int i = index_of(mic_names, COUNT(mic_names), s);
    if (i >= 0 && out)
        *out = (tolk_mic)i;
    return i >= 0;
}
