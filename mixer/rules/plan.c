/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * What follows from a state: which channel each console hears, the state and
 * quality tag of every channel, and the gains of the mix. Pure functions of
 * (config, live), so that a patch can be judged on a copy before it is applied.
 */
#include "rules_internal.h"

#include <math.h>
#include <string.h>

bool tolk_console_exists(const tolk_matrix_config *cfg, int booth, int console)
{
    return booth >= 0 && booth < cfg->booth_count && console >= 0 &&
           console < cfg->booths[booth].console_count;
}

bool tolk_mic_is_live(tolk_mic mic)
{
    return mic == TOLK_MIC_ON || mic == TOLK_MIC_MUTED;
}

int tolk_output_channel(const tolk_matrix_config *cfg, int booth, const tolk_console_state *cs)
{
    return cs->output == TOLK_OUTPUT_B ? cs->b_channel : cfg->booths[booth].channel;
}

/* Who is on air, computed once per plan. Rule 4 leaves at most one live
 * console per booth, so a booth speaks into one channel at most. */
typedef struct {
    int booth_channel[TOLK_MAX_BOOTHS]; /* channel of the booth's live console, -1 when none */
    /* Latest engagement of a live console speaking into the channel as its B
     * (a retour); 0 when no retour is live there. */
    unsigned long long retour_since[TOLK_MAX_CHANNELS + 1];
} on_air;

static void on_air_build(const tolk_matrix_config *cfg, const tolk_live *live, on_air *air)
{
    memset(air->retour_since, 0, sizeof air->retour_since);
    for (int b = 0; b < cfg->booth_count; b++) {
        air->booth_channel[b] = -1;
        for (int i = 0; i < cfg->booths[b].console_count; i++) {
            int slot = TOLK_SLOT(b, i);
            const tolk_console_state *cs = &live->console[slot];
            if (!tolk_mic_is_live(cs->mic))
                continue;
            int ch = tolk_output_channel(cfg, b, cs);
            air->booth_channel[b] = ch;
            if (cs->output == TOLK_OUTPUT_B && live->engaged_at[slot] > air->retour_since[ch])
                air->retour_since[ch] = live->engaged_at[slot];
        }
    }
}

/* Auto-relay: the most recent retour this console may hear, else the floor.
 * A booth producing a retour does not hear it, and neither does a console
 * whose own output is that channel (live or not): rule 6 holds for auto too. */
static int resolve_auto(const tolk_matrix_config *cfg, const tolk_live *live, const on_air *air,
                        int booth, int console)
{
    int own = tolk_output_channel(cfg, booth, &live->console[TOLK_SLOT(booth, console)]);
    int best = TOLK_FLOOR;
    unsigned long long best_since = 0;
    for (int c = 1; c <= cfg->channel_count; c++) {
        unsigned long long since = air->retour_since[c];
        if (since <= best_since || c == own || air->booth_channel[booth] == c)
            continue;
        best = c;
        best_since = since;
    }
    return best;
}

static int hears(const tolk_matrix_config *cfg, const tolk_live *live, const on_air *air,
                 int booth, int console)
{
    int listen = live->console[TOLK_SLOT(booth, console)].listen;
    return listen == TOLK_LISTEN_AUTO ? resolve_auto(cfg, live, air, booth, console) : listen;
}

int tolk_plan_hears(const tolk_matrix_config *cfg, const tolk_live *live, int booth, int console)
{
    on_air air;
    on_air_build(cfg, live, &air);
    return hears(cfg, live, &air, booth, console);
}

static tolk_channel_state idle_state(const tolk_matrix_config *cfg, int channel)
{
    tolk_channel_state st = {TOLK_SOURCE_FLOOR, -1, -1, TOLK_QUALITY_FLOOR};
    if (channel != TOLK_FLOOR && cfg->idle_channel == TOLK_IDLE_SILENCE) {
        st.source = TOLK_SOURCE_SILENCE;
        st.quality = TOLK_QUALITY_NONE;
    }
    return st;
}

/* '+' only for an interpreter who hears the original: the floor itself or an
 * idle channel carrying it. Anything else (another interpretation, however far
 * down a relay chain, or silence) is at least one hop further: '-'. Since the
 * answer depends only on whether the heard channel is carried, not on its own
 * tag, no recursion is needed and relay cycles cannot loop. */
static tolk_quality carrier_quality(const tolk_matrix_config *cfg, const bool carried[], int heard)
{
    if (heard == TOLK_FLOOR)
        return TOLK_QUALITY_PLUS;
    if (!carried[heard] && cfg->idle_channel == TOLK_IDLE_FLOOR)
        return TOLK_QUALITY_PLUS;
    return TOLK_QUALITY_MINUS;
}

/* In free mode several booths carry one channel: the tag is the worst of them. */
static tolk_quality worst(tolk_quality a, tolk_quality b)
{
    return a > b ? a : b;
}

void tolk_plan_channels(const tolk_matrix_config *cfg, const tolk_live *live, tolk_channel_states *out)
{
    on_air air;
    on_air_build(cfg, live, &air);
    bool carried[TOLK_MAX_CHANNELS + 1] = {false};
    for (int b = 0; b < cfg->booth_count; b++)
        if (air.booth_channel[b] > 0)
            carried[air.booth_channel[b]] = true;

    for (int c = 0; c <= cfg->channel_count; c++)
        out->channel[c] = idle_state(cfg, c);
    for (int b = 0; b < cfg->booth_count; b++) {
        int ch = air.booth_channel[b];
        if (ch < 1)
            continue;
        int console = 0;
        while (!tolk_mic_is_live(live->console[TOLK_SLOT(b, console)].mic))
            console++;
        tolk_quality q = carrier_quality(cfg, carried, hears(cfg, live, &air, b, console));
        tolk_channel_state *st = &out->channel[ch];
        if (st->source == TOLK_SOURCE_CONSOLE) {
            st->quality = worst(st->quality, q);
            continue;
        }
        tolk_channel_state first = {TOLK_SOURCE_CONSOLE, b, console, q};
        *st = first;
    }
}

static void plan_channel_mix(const tolk_matrix_config *cfg, const tolk_live *live,
                             const on_air *air, int channel, tolk_mix *mix)
{
    bool carried = false;
    for (int b = 0; b < cfg->booth_count; b++) {
        if (air->booth_channel[b] != channel)
            continue;
        carried = true;
        for (int i = 0; i < cfg->booths[b].console_count; i++) {
            const tolk_console_state *cs = &live->console[TOLK_SLOT(b, i)];
            /* A coughing console keeps the channel: it carries silence, gain 0. */
            if (cs->mic == TOLK_MIC_ON)
                mix->console_gain[TOLK_SLOT(b, i)] = 1.0f;
        }
    }
    if (carried)
        mix->floor_gain = cfg->original_under ? (float)pow(10.0, cfg->original_under_db / 20.0) : 0.0f;
    else
        mix->floor_gain = cfg->idle_channel == TOLK_IDLE_FLOOR ? 1.0f : 0.0f;
}

/* Partner listen: the live console of the same booth, other than this one, is heard at
 * the gain it has on air (1 while on, 0 while it coughs). Rule 4 leaves one at most. */
static void add_partner(const tolk_matrix_config *cfg, const tolk_live *live, int booth, int console,
                        tolk_mix *feed)
{
    if (!live->console[TOLK_SLOT(booth, console)].partner_listen)
        return;
    for (int i = 0; i < cfg->booths[booth].console_count; i++) {
        tolk_mic mic = live->console[TOLK_SLOT(booth, i)].mic;
        if (i != console && tolk_mic_is_live(mic))
            feed->console_gain[TOLK_SLOT(booth, i)] = mic == TOLK_MIC_ON ? 1.0f : 0.0f;
    }
}

void tolk_plan_route(const tolk_matrix_config *cfg, const tolk_live *live, tolk_route *route)
{
    on_air air;
    on_air_build(cfg, live, &air);
    memset(route, 0, sizeof *route);
    route->channel[TOLK_FLOOR].floor_gain = 1.0f;
    for (int c = 1; c <= cfg->channel_count; c++)
        plan_channel_mix(cfg, live, &air, c, &route->channel[c]);
    for (int b = 0; b < cfg->booth_count; b++)
        for (int i = 0; i < cfg->booths[b].console_count; i++) {
            int slot = TOLK_SLOT(b, i);
            route->console_hears[slot] = hears(cfg, live, &air, b, i);
            route->feed[slot] = route->channel[route->console_hears[slot]];
            add_partner(cfg, live, b, i, &route->feed[slot]);
        }
}
