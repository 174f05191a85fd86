/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Property test: thousands of deterministic pseudo-random operations over a
 * 4-booth session, with the invariants of domain.md checked after every step
 * against an independent reading of the public state.
 */
#include "test_util.h"

#include <math.h>
#include <string.h>

enum { STEPS = 6000 };

/* xorshift64*: deterministic, so a failure replays identically. */
static unsigned long long rng_state;
static unsigned rnd(unsigned n)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (unsigned)((rng_state * 2685821657736338717ULL) >> 33) % n;
}
static bool chance(unsigned percent) { return rnd(100) < percent; }

/* Channels 1 de, 2 en, 3 fr, 4 mt, 5 fi, 6 it; fi and it have no booth. */
static tolk_matrix *four_booths(tolk_interlock interlock)
{
    tolk_matrix_config cfg;
    memset(&cfg, 0, sizeof cfg);
    config_channels(&cfg, "de en fr mt fi it");
    config_booth(&cfg, 2, 3, 2, (int[]){3, 1});
    config_booth(&cfg, 3, 2, 1, (int[]){2});
    config_booth(&cfg, 4, 2, 2, (int[]){2, 3});
    config_booth(&cfg, 1, 3, 0, NULL);
    cfg.interlock = interlock;
    return tolk_matrix_new(&cfg, NULL);
}

/* Everything observable, to diff around a step. */
typedef struct {
    tolk_console_state console[TOLK_MAX_SLOTS];
    tolk_channel_state channel[TOLK_MAX_CHANNELS + 1];
} observed;

static void observe(const tolk_matrix *m, observed *o)
{
    const tolk_matrix_config *cfg = tolk_matrix_config_get(m);
    memset(o, 0, sizeof *o);
    for (int b = 0; b < cfg->booth_count; b++)
        for (int c = 0; c < cfg->booths[b].console_count; c++)
            o->console[TOLK_SLOT(b, c)] = *tolk_matrix_console(m, b, c);
    for (int ch = 0; ch <= cfg->channel_count; ch++)
        o->channel[ch] = tolk_matrix_channel(m, ch);
}

static int output_of(const tolk_matrix_config *cfg, int b, const tolk_console_state *cs)
{
    return cs->output == TOLK_OUTPUT_B ? cs->b_channel : cfg->booths[b].channel;
}

static bool live(const tolk_console_state *cs)
{
    return cs->mic == TOLK_MIC_ON || cs->mic == TOLK_MIC_MUTED;
}

static int random_channel_value(const tolk_matrix_config *cfg)
{
    if (chance(3))
        return (int)rnd(5) - 3 + (chance(50) ? cfg->channel_count + 3 : 0); /* out of range */
    return (int)rnd((unsigned)cfg->channel_count + 2) - 1; /* auto, floor or a channel */
}

static tolk_console_patch random_patch(const tolk_matrix_config *cfg, int b)
{
    tolk_console_patch p = {0};
    const tolk_booth_config *booth = &cfg->booths[b];
    if ((p.has_mic = chance(60)))
        p.mic = chance(2) ? (tolk_mic)3 : (tolk_mic)rnd(3);
    if ((p.has_output = chance(20)))
        p.output = chance(2) ? (tolk_output)2 : (tolk_output)rnd(2);
    if ((p.has_b_channel = chance(15)))
        p.b_channel = booth->b_count && chance(80) ? booth->b_channels[rnd((unsigned)booth->b_count)]
                                                   : random_channel_value(cfg);
    if ((p.has_listen = chance(30)))
        p.listen = random_channel_value(cfg);
    if ((p.has_partner_listen = chance(25)))
        p.partner_listen = chance(50);
    return p;
}

/* The return feed mixes what the heard channel mixes and, with partner listen, the live
 * partner of the booth (never the console itself) at its on-air gain. */
static void check_feed(const tolk_matrix *m, const tolk_route *route, int b, int c)
{
    const tolk_matrix_config *cfg = tolk_matrix_config_get(m);
    const tolk_console_state *cs = tolk_matrix_console(m, b, c);
    tolk_mix want = route->channel[route->console_hears[TOLK_SLOT(b, c)]];
    for (int i = 0; cs->partner_listen && i < cfg->booths[b].console_count; i++) {
        const tolk_console_state *partner = tolk_matrix_console(m, b, i);
        if (i != c && live(partner))
            want.console_gain[TOLK_SLOT(b, i)] = partner->mic == TOLK_MIC_ON ? 1.0f : 0.0f;
    }
    const tolk_mix *feed = &route->feed[TOLK_SLOT(b, c)];
    CHECK(memcmp(feed, &want, sizeof want) == 0);
    CHECK(feed->console_gain[TOLK_SLOT(b, c)] == 0.0f);
}

static void check_consoles(const tolk_matrix *m, const tolk_route *route, bool exclusive)
{
    const tolk_matrix_config *cfg = tolk_matrix_config_get(m);
    int carriers[TOLK_MAX_CHANNELS + 1] = {0};
    for (int b = 0; b < cfg->booth_count; b++) {
        int live_in_booth = 0;
        for (int c = 0; c < cfg->booths[b].console_count; c++) {
            const tolk_console_state *cs = tolk_matrix_console(m, b, c);
            int out = output_of(cfg, b, cs);
            int hears = route->console_hears[TOLK_SLOT(b, c)];
            CHECK(out >= 1 && out <= cfg->channel_count);
            CHECK(cs->listen >= TOLK_LISTEN_AUTO && cs->listen <= cfg->channel_count);
            CHECK(cs->listen != out);
            CHECK(hears != out); /* rule 6, auto included */
            CHECK_INT(hears, tolk_matrix_console_hears(m, b, c));
            check_feed(m, route, b, c);
            if (cs->listen != TOLK_LISTEN_AUTO)
                CHECK_INT(hears, cs->listen);
            if (live(cs)) {
                live_in_booth++;
                carriers[out]++;
            }
        }
        CHECK(live_in_booth <= 1); /* rule 4 */
    }
    for (int ch = 1; exclusive && ch <= cfg->channel_count; ch++)
        CHECK(carriers[ch] <= 1); /* rule 5 */
    for (int s = 0; s < TOLK_MAX_SLOTS; s++)
        if (!tolk_console_exists(cfg, s / TOLK_MAX_CONSOLES, s % TOLK_MAX_CONSOLES))
            CHECK_INT(route->console_hears[s], 0);
}

/* An auto listener hears the floor or a channel carried as a B by another booth. */
static void check_auto(const tolk_matrix *m, const tolk_route *route)
{
    const tolk_matrix_config *cfg = tolk_matrix_config_get(m);
    for (int b = 0; b < cfg->booth_count; b++)
        for (int c = 0; c < cfg->booths[b].console_count; c++) {
            if (tolk_matrix_console(m, b, c)->listen != TOLK_LISTEN_AUTO)
                continue;
            int hears = route->console_hears[TOLK_SLOT(b, c)];
            if (hears == TOLK_FLOOR)
                continue;
            bool retour = false;
            for (int ob = 0; ob < cfg->booth_count; ob++)
                for (int oc = 0; oc < cfg->booths[ob].console_count; oc++) {
                    const tolk_console_state *o = tolk_matrix_console(m, ob, oc);
                    if (live(o) && o->output == TOLK_OUTPUT_B && o->b_channel == hears)
                        retour = retour || ob != b;
                    if (live(o) && ob == b)
                        CHECK(output_of(cfg, ob, o) != hears);
                }
            CHECK(retour);
        }
}

/* Rule 1-3 read back from scratch: each channel's state and gains. */
static void check_channel(const tolk_matrix *m, const tolk_route *route, int ch)
{
    const tolk_matrix_config *cfg = tolk_matrix_config_get(m);
    const tolk_mix *mix = &route->channel[ch];
    tolk_channel_state st = tolk_matrix_channel(m, ch);
    bool carried = false;
    tolk_quality worst = TOLK_QUALITY_FLOOR;
    for (int b = 0; b < cfg->booth_count; b++)
        for (int c = 0; c < cfg->booths[b].console_count; c++) {
            const tolk_console_state *cs = tolk_matrix_console(m, b, c);
            float want = 0.0f;
            if (ch != TOLK_FLOOR && live(cs) && output_of(cfg, b, cs) == ch) {
                if (!carried)
                    CHECK(st.source == TOLK_SOURCE_CONSOLE && st.booth == b && st.console == c);
                carried = true;
                int h = route->console_hears[TOLK_SLOT(b, c)];
                bool hears_floor = h == TOLK_FLOOR ||
                                   (tolk_matrix_channel(m, h).source == TOLK_SOURCE_FLOOR);
                tolk_quality q = hears_floor ? TOLK_QUALITY_PLUS : TOLK_QUALITY_MINUS;
                worst = q > worst ? q : worst;
                want = cs->mic == TOLK_MIC_ON ? 1.0f : 0.0f;
            }
            CHECK(mix->console_gain[TOLK_SLOT(b, c)] == want);
        }
    if (carried) {
        CHECK_INT(st.quality, worst);
        CHECK_FLOAT(mix->floor_gain, cfg->original_under ? pow(10.0, cfg->original_under_db / 20.0) : 0.0);
    } else if (ch == TOLK_FLOOR || cfg->idle_channel == TOLK_IDLE_FLOOR) {
        CHECK(st.source == TOLK_SOURCE_FLOOR && st.quality == TOLK_QUALITY_FLOOR);
        CHECK(mix->floor_gain == 1.0f);
    } else {
        CHECK(st.source == TOLK_SOURCE_SILENCE && st.quality == TOLK_QUALITY_NONE);
        CHECK(mix->floor_gain == 0.0f);
    }
}

static void check_invariants(const tolk_matrix *m, bool exclusive)
{
    const tolk_matrix_config *cfg = tolk_matrix_config_get(m);
    tolk_route route;
    tolk_matrix_route(m, &route);
    check_consoles(m, &route, exclusive);
    check_auto(m, &route);
    for (int ch = 0; ch <= cfg->channel_count; ch++)
        check_channel(m, &route, ch);
}

/* Every mic change and every channel change is reported, and nothing else. */
static void check_events(const tolk_matrix *m, const observed *before, const observed *after,
                         const tolk_events *ev)
{
    const tolk_matrix_config *cfg = tolk_matrix_config_get(m);
    CHECK(ev->count >= 0 && ev->count <= TOLK_MAX_EVENTS);
    for (int s = 0; s < TOLK_MAX_SLOTS; s++) {
        bool changed = before->console[s].mic != after->console[s].mic;
        CHECK(changed == has_event(ev, TOLK_EVENT_MIC, s / TOLK_MAX_CONSOLES, s % TOLK_MAX_CONSOLES, -1, -1));
    }
    for (int ch = 0; ch <= cfg->channel_count; ch++) {
        bool changed = memcmp(&before->channel[ch], &after->channel[ch], sizeof after->channel[ch]) != 0;
        CHECK(changed == has_channel_event(ev, ch));
    }
}

static void check_patch_applied(const tolk_console_state *cs, const tolk_console_patch *p)
{
    CHECK(!p->has_mic || cs->mic == p->mic);
    CHECK(!p->has_output || cs->output == p->output);
    CHECK(!p->has_b_channel || cs->b_channel == p->b_channel);
    CHECK(!p->has_listen || cs->listen == p->listen);
    CHECK(!p->has_partner_listen || cs->partner_listen == p->partner_listen);
}

static void step_patch(tolk_matrix *m, tolk_events *ev, int *failures)
{
    const tolk_matrix_config *cfg = tolk_matrix_config_get(m);
    int b = chance(2) ? (int)rnd(6) - 1 : (int)rnd((unsigned)cfg->booth_count);
    int c = chance(2) ? 6 : (int)rnd(TOLK_MAX_CONSOLES / 2);
    tolk_console_patch p = random_patch(cfg, b >= 0 && b < cfg->booth_count ? b : 0);

    static struct tolk_matrix raw_before;
    memcpy(&raw_before, m, sizeof raw_before);
    ev->count = 77;
    tolk_result r = tolk_matrix_patch_console(m, b, c, &p, ev);
    if (r.status != TOLK_OK) {
        (*failures)++;
        CHECK(memcmp(&raw_before, m, sizeof raw_before) == 0);
        CHECK_INT(ev->count, 0);
        CHECK(r.code != NULL && r.message[0] != '\0');
        CHECK((r.status == TOLK_ERR_ENGAGED) == (r.field[0] == '\0' && strcmp(r.code, "channel_engaged") == 0) ||
              r.status == TOLK_ERR_NOT_FOUND);
        if (r.status == TOLK_ERR_ENGAGED)
            CHECK(cfg->interlock == TOLK_INTERLOCK_NO_OVERRIDE);
        return;
    }
    check_patch_applied(tolk_matrix_console(m, b, c), &p);
    /* Only override takes consoles of another booth off air. */
    if (cfg->interlock != TOLK_INTERLOCK_OVERRIDE)
        CHECK_INT(count_events(ev, TOLK_EVENT_OVERRIDDEN), 0);
    CHECK_INT(count_events(ev, TOLK_EVENT_OVERRIDDEN), count_events(ev, TOLK_EVENT_TOOK_OVER));
}

static void step_other(tolk_matrix *m, tolk_events *ev, bool change_interlock)
{
    const tolk_matrix_config *cfg = tolk_matrix_config_get(m);
    unsigned what = rnd(change_interlock ? 4 : 3);
    if (what == 0) {
        int b = (int)rnd((unsigned)cfg->booth_count);
        tolk_matrix_console_lost(m, b, (int)rnd(3), ev);
    } else if (what == 1) {
        tolk_matrix_set_idle_channel(m, (tolk_idle)rnd(2), ev);
    } else if (what == 2) {
        tolk_matrix_set_original_under(m, chance(50), -(double)rnd(61), ev);
    } else {
        tolk_matrix_set_interlock(m, (tolk_interlock)rnd(3), ev);
    }
}

static void run(tolk_interlock interlock, bool change_interlock, unsigned long long seed)
{
    rng_state = seed;
    tolk_matrix *m = four_booths(interlock);
    static tolk_events ev;
    static observed before, after;
    int failures = 0, failures_before = test_failures;
    for (int step = 0; step < STEPS && test_failures == failures_before; step++) {
        observe(m, &before);
        if (chance(88))
            step_patch(m, &ev, &failures);
        else
            step_other(m, &ev, change_interlock);
        observe(m, &after);
        check_events(m, &before, &after, &ev);
        bool exclusive = !change_interlock && interlock != TOLK_INTERLOCK_FREE;
        check_invariants(m, exclusive);
        if (test_failures != failures_before)
            fprintf(stderr, "  seed %llu, step %d\n", seed, step);
    }
    /* The sequence must exercise both outcomes to mean anything. */
    CHECK(failures > STEPS / 20 && failures < STEPS / 2);
    tolk_matrix_free(m);
}

static void random_no_override(void) { run(TOLK_INTERLOCK_NO_OVERRIDE, false, 0x9e3779b97f4a7c15ULL); }
static void random_override(void) { run(TOLK_INTERLOCK_OVERRIDE, false, 0xdeadbeefcafef00dULL); }
static void random_free(void) { run(TOLK_INTERLOCK_FREE, false, 0x0123456789abcdefULL); }
static void random_changing_interlock(void) { run(TOLK_INTERLOCK_FREE, true, 42); }

/* One console's feed for every partner-listen setting, every live console of its booth
 * (itself or each other one, on or coughing) and every listen source it may choose. */
static void check_partner_case(int c, bool partner_listen, int partner, tolk_mic partner_mic, int listen)
{
    tolk_matrix *m = four_booths(TOLK_INTERLOCK_NO_OVERRIDE);
    const tolk_matrix_config *cfg = tolk_matrix_config_get(m);
    tolk_console_patch mine = {.has_listen = true, .listen = listen,
                               .has_partner_listen = true, .partner_listen = partner_listen};
    CHECK_INT(tolk_matrix_patch_console(m, 0, c, &mine, NULL).status, TOLK_OK);
    /* No partner: the console itself is live, and must not hear itself. */
    tolk_console_patch on = {.has_mic = true, .mic = partner_mic};
    CHECK_INT(tolk_matrix_patch_console(m, 0, partner < 0 ? c : partner, &on, NULL).status, TOLK_OK);
    tolk_route route;
    tolk_matrix_route(m, &route);
    check_feed(m, &route, 0, c);
    bool heard = partner_listen && partner >= 0;
    float gain = route.feed[TOLK_SLOT(0, c)].console_gain[TOLK_SLOT(0, partner < 0 ? c : partner)];
    CHECK(gain == (heard && partner_mic == TOLK_MIC_ON ? 1.0f : 0.0f));
    for (int i = 0; i < cfg->booths[0].console_count; i++)
        if (i != partner)
            CHECK(route.feed[TOLK_SLOT(0, c)].console_gain[TOLK_SLOT(0, i)] ==
                  route.channel[route.console_hears[TOLK_SLOT(0, c)]].console_gain[TOLK_SLOT(0, i)]);
    tolk_matrix_free(m);
}

static void partner_listen_exhaustive(void)
{
    /* Booth 0 speaks en (channel 2) and has 3 consoles. */
    for (int c = 0; c < 3; c++)
        for (int pl = 0; pl < 2; pl++)
            for (int partner = -1; partner < 3; partner++)
                for (int mic = TOLK_MIC_ON; mic <= TOLK_MIC_MUTED; mic++)
                    for (int listen = TOLK_LISTEN_AUTO; listen <= 6; listen++)
                        if (partner != c && listen != 2)
                            check_partner_case(c, pl, partner, (tolk_mic)mic, listen);
}

int main(void)
{
    static const test_case tests[] = {
        TEST(random_no_override),
        TEST(random_override),
        TEST(random_free),
        TEST(random_changing_interlock),
        TEST(partner_listen_exhaustive),
    };
    return RUN_TESTS(tests);
}
