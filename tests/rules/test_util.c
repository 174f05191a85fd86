/* SPDX-License-Identifier: EUPL-1.2 */
#include "test_util.h"

#include <stdlib.h>

int test_failures;

int run_tests(const test_case *tests, int count)
{
    for (int i = 0; i < count; i++) {
        int before = test_failures;
        tests[i].fn();
        printf("%s %s\n", test_failures == before ? "ok  " : "FAIL", tests[i].name);
    }
    return test_failures ? EXIT_FAILURE : EXIT_SUCCESS;
}

void config_channels(tolk_matrix_config *cfg, const char *space_separated)
{
    char copy[512];
    snprintf(copy, sizeof copy, "%s", space_separated);
    cfg->channel_count = 0;
    for (char *save = NULL, *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        cfg->channel_count++;
        snprintf(cfg->channels[cfg->channel_count], TOLK_LANG_SIZE, "%s", tok);
    }
}

void config_booth(tolk_matrix_config *cfg, int channel, int consoles, int b_count, const int *b_channels)
{
    tolk_booth_config *b = &cfg->booths[cfg->booth_count++];
    b->channel = channel;
    b->console_count = consoles;
    b->b_count = b_count;
    for (int i = 0; i < b_count; i++)
        b->b_channels[i] = b_channels[i];
}

tolk_matrix_config plenary_config(void)
{
    tolk_matrix_config cfg;
    memset(&cfg, 0, sizeof cfg);
    config_channels(&cfg, "de en fr mt fi");
    config_booth(&cfg, EN, 3, 1, (int[]){FR});
    config_booth(&cfg, FR, 2, 0, NULL);
    config_booth(&cfg, MT, 2, 1, (int[]){EN});
    config_booth(&cfg, FI, 2, 0, NULL);
    config_booth(&cfg, DE, 2, 2, (int[]){EN, FR});
    return cfg;
}

tolk_matrix *plenary(tolk_interlock interlock)
{
    tolk_matrix_config cfg = plenary_config();
    cfg.interlock = interlock;
    tolk_result err;
    tolk_matrix *m = tolk_matrix_new(&cfg, &err);
    if (!m) {
        fprintf(stderr, "fixture config refused: %s\n", err.message);
        abort();
    }
    return m;
}

static tolk_result patch(tolk_matrix *m, int booth, int console, tolk_console_patch p, tolk_events *ev)
{
    return tolk_matrix_patch_console(m, booth, console, &p, ev);
}

tolk_result set_mic(tolk_matrix *m, int booth, int console, tolk_mic mic, tolk_events *ev)
{
    return patch(m, booth, console, (tolk_console_patch){.has_mic = true, .mic = mic}, ev);
}

tolk_result set_listen(tolk_matrix *m, int booth, int console, int listen, tolk_events *ev)
{
    return patch(m, booth, console, (tolk_console_patch){.has_listen = true, .listen = listen}, ev);
}

tolk_result set_output(tolk_matrix *m, int booth, int console, tolk_output output, tolk_events *ev)
{
    return patch(m, booth, console, (tolk_console_patch){.has_output = true, .output = output}, ev);
}

tolk_result set_b_channel(tolk_matrix *m, int booth, int console, int channel, tolk_events *ev)
{
    return patch(m, booth, console, (tolk_console_patch){.has_b_channel = true, .b_channel = channel}, ev);
}

int count_events(const tolk_events *ev, tolk_event_kind kind)
{
    int n = 0;
    for (int i = 0; i < ev->count; i++)
        n += ev->events[i].kind == kind;
    return n;
}

bool has_event(const tolk_events *ev, tolk_event_kind kind, int booth, int console, int other_booth,
               int other_console)
{
    for (int i = 0; i < ev->count; i++) {
        const tolk_event *e = &ev->events[i];
        if (e->kind == kind && e->booth == booth && e->console == console &&
            e->other_booth == other_booth && e->other_console == other_console && e->channel == -1)
            return true;
    }
    return false;
}

bool has_channel_event(const tolk_events *ev, int channel)
{
    for (int i = 0; i < ev->count; i++) {
        const tolk_event *e = &ev->events[i];
        if (e->kind == TOLK_EVENT_CHANNEL && e->channel == channel && e->booth == -1 && e->console == -1)
            return true;
    }
    return false;
}

bool channel_is(const tolk_matrix *m, int channel, tolk_source_kind source, int booth, int console,
                tolk_quality quality)
{
    tolk_channel_state st = tolk_matrix_channel(m, channel);
    bool ok = st.source == source && st.quality == quality;
    if (source == TOLK_SOURCE_CONSOLE)
        ok = ok && st.booth == booth && st.console == console;
    if (!ok)
        fprintf(stderr, "  channel %d: source %d booth %d console %d quality %d\n", channel,
                (int)st.source, st.booth, st.console, (int)st.quality);
    return ok;
}

int live_count(const tolk_matrix *m)
{
    const tolk_matrix_config *cfg = tolk_matrix_config_get(m);
    int n = 0;
    for (int b = 0; b < cfg->booth_count; b++)
        for (int c = 0; c < cfg->booths[b].console_count; c++)
            n += tolk_matrix_console_is_live(m, b, c);
    return n;
}
