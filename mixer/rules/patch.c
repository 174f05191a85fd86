/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Console changes: PATCH (rules 4, 5, 6) and loss of input (rule 8).
 *
 * A patch is judged in three steps: its values alone, then the console as it
 * would be, then the session as it would be (handover, interlock) on a copy of
 * the live state. Only a patch that passes all three is committed, in one copy.
 */
#include "rules_internal.h"

#include <string.h>

/* Consoles that a patch switches off, and why. */
typedef struct {
    int count;
    struct {
        int booth, console;
        tolk_event_kind reason; /* TOLK_EVENT_HANDOVER or TOLK_EVENT_OVERRIDDEN */
    } item[TOLK_MAX_BOOTHS + 1];
} displaced;

static tolk_result invalid(const char *code, const char *field, const char *message)
{
    return tolk_result_error(TOLK_ERR_INVALID, code, field, "%s", message);
}

static bool b_channel_allowed(const tolk_booth_config *booth, int channel)
{
    for (int i = 0; i < booth->b_count; i++)
        if (booth->b_channels[i] == channel)
            return true;
    return false;
}

static tolk_result check_values(const tolk_matrix_config *cfg, int booth, const tolk_console_patch *p)
{
    if (p->has_mic && (unsigned)p->mic > TOLK_MIC_MUTED)
        return invalid("invalid_mic", "mic", "mic must be on, off or muted");
    if (p->has_output && (unsigned)p->output > TOLK_OUTPUT_B)
        return invalid("invalid_output", "output", "output must be A or B");
    if (p->has_b_channel && !b_channel_allowed(&cfg->booths[booth], p->b_channel))
        return tolk_result_error(TOLK_ERR_INVALID, "invalid_b_channel", "b_channel",
                                 "b_channel is not one of the B channels of booth %s",
                                 cfg->channels[cfg->booths[booth].channel]);
    if (p->has_listen && (p->listen < TOLK_LISTEN_AUTO || p->listen > cfg->channel_count))
        return invalid("invalid_listen", "listen", "listen must be floor, auto or a channel of the session");
    return tolk_result_ok();
}

static tolk_console_state apply_fields(tolk_console_state cs, const tolk_console_patch *p)
{
    if (p->has_mic)
        cs.mic = p->mic;
    if (p->has_output)
        cs.output = p->output;
    if (p->has_b_channel)
        cs.b_channel = p->b_channel;
    if (p->has_listen)
        cs.listen = p->listen;
    if (p->has_partner_listen)
        cs.partner_listen = p->partner_listen;
    return cs;
}

/* Rule 6 is checked against the output as it will be, live or not, so that a
 * console can never be switched on into the channel in its own ears. */
static tolk_result check_console(const tolk_matrix_config *cfg, int booth, int console,
                                 const tolk_console_state *next)
{
    if (next->output == TOLK_OUTPUT_B && cfg->booths[booth].b_count == 0)
        return tolk_result_error(TOLK_ERR_INVALID, "invalid_output", "output",
                                 "output B needs a B channel and booth %s has none",
                                 cfg->channels[cfg->booths[booth].channel]);
    int own = tolk_output_channel(cfg, booth, next);
    if (next->listen == own) {
        char id[TOLK_CONSOLE_ID_SIZE];
        tolk_console_id(cfg, booth, console, id, sizeof id);
        return tolk_result_error(TOLK_ERR_INVALID, "listen_own_channel", "listen",
                                 "console %s cannot listen to channel %s, which it speaks into",
                                 id, cfg->channels[own]);
    }
    return tolk_result_ok();
}

static void switch_off(tolk_live *live, int booth, int console, tolk_event_kind reason, displaced *out)
{
    int slot = TOLK_SLOT(booth, console);
    live->console[slot].mic = TOLK_MIC_OFF;
    live->engaged_at[slot] = 0;
    if (out->count < (int)(sizeof out->item / sizeof out->item[0])) {
        out->item[out->count].booth = booth;
        out->item[out->count].console = console;
        out->item[out->count].reason = reason;
        out->count++;
    }
}

/* Rule 4: the partner who was live in this booth goes off in the same step. */
static void hand_over(const tolk_matrix_config *cfg, tolk_live *next, int booth, int console, displaced *out)
{
    for (int i = 0; i < cfg->booths[booth].console_count; i++)
        if (i != console && tolk_mic_is_live(next->console[TOLK_SLOT(booth, i)].mic))
            switch_off(next, booth, i, TOLK_EVENT_HANDOVER, out);
}

/* The first console of another booth live on `channel`, or false. */
static bool find_other_carrier(const tolk_matrix_config *cfg, const tolk_live *live, int booth,
                               int channel, int *other_booth, int *other_console)
{
    for (int b = 0; b < cfg->booth_count; b++) {
        if (b == booth)
            continue;
        for (int i = 0; i < cfg->booths[b].console_count; i++) {
            const tolk_console_state *cs = &live->console[TOLK_SLOT(b, i)];
            if (tolk_mic_is_live(cs->mic) && tolk_output_channel(cfg, b, cs) == channel) {
                *other_booth = b;
                *other_console = i;
                return true;
            }
        }
    }
    return false;
}

/* Rule 5: between booths the session's interlock decides. */
static tolk_result apply_interlock(const tolk_matrix_config *cfg, tolk_live *next, int booth,
                                   int channel, displaced *out)
{
    int ob, oc;
    if (cfg->interlock == TOLK_INTERLOCK_FREE || !find_other_carrier(cfg, next, booth, channel, &ob, &oc))
        return tolk_result_ok();
    if (cfg->interlock == TOLK_INTERLOCK_NO_OVERRIDE) {
        char id[TOLK_CONSOLE_ID_SIZE];
        tolk_console_id(cfg, ob, oc, id, sizeof id);
        return tolk_result_error(TOLK_ERR_ENGAGED, "channel_engaged", NULL,
                                 "channel %s is engaged by console %s", cfg->channels[channel], id);
    }
    /* Override: every carrier goes, there may be several if the session was free before. */
    do
        switch_off(next, ob, oc, TOLK_EVENT_OVERRIDDEN, out);
    while (find_other_carrier(cfg, next, booth, channel, &ob, &oc));
    return tolk_result_ok();
}

/* Puts the console's new state into `next` and resolves what its going live
 * (or moving to another channel while live) does to the others. Staying on
 * the same channel (cough, unmute, a new listen source) engages nothing new. */
static tolk_result engage(const tolk_matrix *m, tolk_live *next, int booth, int console,
                          const tolk_console_state *wanted, displaced *out)
{
    const tolk_matrix_config *cfg = &m->config;
    int slot = TOLK_SLOT(booth, console);
    const tolk_console_state *was = &m->live.console[slot];
    next->console[slot] = *wanted;
    if (!tolk_mic_is_live(wanted->mic)) {
        next->engaged_at[slot] = 0;
        return tolk_result_ok();
    }
    int channel = tolk_output_channel(cfg, booth, wanted);
    if (tolk_mic_is_live(was->mic) && tolk_output_channel(cfg, booth, was) == channel)
        return tolk_result_ok();
    hand_over(cfg, next, booth, console, out);
    tolk_result r = apply_interlock(cfg, next, booth, channel, out);
    if (r.status != TOLK_OK)
        return r;
    next->engaged_at[slot] = ++next->clock;
    return tolk_result_ok();
}

static void report(tolk_events *events, const tolk_matrix *m, int booth, int console,
                   tolk_mic mic_before, const displaced *gone)
{
    if (m->live.console[TOLK_SLOT(booth, console)].mic != mic_before)
        tolk_events_push(events, TOLK_EVENT_MIC, booth, console, -1, -1);
    for (int i = 0; i < gone->count; i++) {
        int gb = gone->item[i].booth, gc = gone->item[i].console;
        tolk_events_push(events, gone->item[i].reason, gb, gc, booth, console);
        tolk_events_push(events, TOLK_EVENT_MIC, gb, gc, -1, -1);
    }
    for (int i = 0; i < gone->count; i++)
        if (gone->item[i].reason == TOLK_EVENT_OVERRIDDEN)
            tolk_events_push(events, TOLK_EVENT_TOOK_OVER, booth, console,
                             gone->item[i].booth, gone->item[i].console);
}

static void commit(tolk_matrix *m, const tolk_live *next, int booth, int console,
                   const displaced *gone, tolk_events *events)
{
    tolk_channel_states before, after;
    tolk_plan_channels(&m->config, &m->live, &before);
    tolk_mic mic_before = m->live.console[TOLK_SLOT(booth, console)].mic;
    memcpy(&m->live, next, sizeof m->live);
    tolk_plan_channels(&m->config, &m->live, &after);
    report(events, m, booth, console, mic_before, gone);
    tolk_events_push_channel_changes(events, &before, &after, m->config.channel_count);
}

static tolk_result check_address(const tolk_matrix_config *cfg, int booth, int console)
{
    if (booth < 0 || booth >= cfg->booth_count)
        return tolk_result_error(TOLK_ERR_NOT_FOUND, "not_found", NULL,
                                 "there is no booth number %d", booth + 1);
    if (!tolk_console_exists(cfg, booth, console))
        return tolk_result_error(TOLK_ERR_NOT_FOUND, "not_found", NULL,
                                 "booth %s has no console %d",
                                 cfg->channels[cfg->booths[booth].channel], console + 1);
    return tolk_result_ok();
}

tolk_result tolk_matrix_patch_console(tolk_matrix *m, int booth, int console,
                                      const tolk_console_patch *patch, tolk_events *events)
{
    tolk_events_reset(events);
    const tolk_matrix_config *cfg = &m->config;
    tolk_result r = check_address(cfg, booth, console);
    if (r.status != TOLK_OK || !patch)
        return r;
    r = check_values(cfg, booth, patch);
    if (r.status != TOLK_OK)
        return r;
    tolk_console_state wanted = apply_fields(m->live.console[TOLK_SLOT(booth, console)], patch);
    r = check_console(cfg, booth, console, &wanted);
    if (r.status != TOLK_OK)
        return r;

    tolk_live next;
    memcpy(&next, &m->live, sizeof next);
    displaced gone = {0};
    r = engage(m, &next, booth, console, &wanted, &gone);
    if (r.status != TOLK_OK)
        return r;
    commit(m, &next, booth, console, &gone, events);
    return r;
}

void tolk_matrix_console_lost(tolk_matrix *m, int booth, int console, tolk_events *events)
{
    tolk_events_reset(events);
    if (!tolk_matrix_console_is_live(m, booth, console))
        return;
    tolk_live next;
    memcpy(&next, &m->live, sizeof next);
    displaced none = {0};
    next.console[TOLK_SLOT(booth, console)].mic = TOLK_MIC_OFF;
    next.engaged_at[TOLK_SLOT(booth, console)] = 0;
    tolk_events_push(events, TOLK_EVENT_CONSOLE_LOST, booth, console, -1, -1);
    commit(m, &next, booth, console, &none, events);
}
