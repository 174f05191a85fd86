/* SPDX-License-Identifier: EUPL-1.2 */
/* Who may call which route (docs/api.md, "Who may call what"), table-driven: the route
 * table's access kind of each route and the decision over callers and the session's
 * state, without a server. */
#include "api_access.h"

#include <glib.h>

#define S "/api/v1/sessions/{sid}"
#define CH S "/channels/{ch}"
#define CON S "/booths/{lang}/consoles/{n}"

typedef enum { OP, NOBODY, CONSOLE_A, CONSOLE_B, LISTENER_EN, FLOOR, STRANGER, METRICS } caller;

static const tolk_grant grants[] = {
    [CONSOLE_A] = {.id = "t1", .session = "s", .kind = TOLK_GRANT_CONSOLE, .booth = 0, .console = 0, .channel = -1},
    [CONSOLE_B] = {.id = "t2", .session = "s", .kind = TOLK_GRANT_CONSOLE, .booth = 0, .console = 1, .channel = -1},
    [LISTENER_EN] = {.id = "t3", .session = "s", .kind = TOLK_GRANT_LISTENER, .booth = -1, .console = -1, .channel = 2},
    [FLOOR] = {.id = "t4", .session = "s", .kind = TOLK_GRANT_FLOOR, .booth = -1, .console = -1, .channel = -1},
    /* a console token of another session, at the same console */
    [STRANGER] = {.id = "t5", .session = "other", .kind = TOLK_GRANT_CONSOLE, .booth = 0, .console = 0, .channel = -1},
};

enum { KNOWN = 1, PUBLIC_SESSION = 2, PUBLIC_CHANNEL = 4 };

typedef struct {
    const char *method, *pattern;
    caller who;
    unsigned state;       /* KNOWN | PUBLIC_SESSION | PUBLIC_CHANNEL */
    int channel;          /* {ch}, -1 for none */
    int booth, console;   /* {lang}/{n}, -1 for none */
    bool allowed;
} row;

static const row table[] = {
    {"GET", "/healthz", NOBODY, 0, -1, -1, -1, true},
    {"GET", "/metrics", OP, 0, -1, -1, -1, true},
    {"GET", "/metrics", CONSOLE_A, 0, -1, -1, -1, false},
    {"GET", "/metrics", NOBODY, 0, -1, -1, -1, false},
    /* the metrics token: /metrics and nothing else, not even what anyone may see */
    {"GET", "/metrics", METRICS, 0, -1, -1, -1, true},
    {"GET", "/healthz", METRICS, 0, -1, -1, -1, true},
    {"GET", "/api/v1/sessions", METRICS, 0, -1, -1, -1, false},
    {"POST", "/api/v1/sessions", METRICS, 0, -1, -1, -1, false},
    {"GET", S, METRICS, KNOWN, -1, -1, -1, false},
    {"GET", S, METRICS, KNOWN | PUBLIC_SESSION, -1, -1, -1, false},
    {"GET", S "/events", METRICS, KNOWN | PUBLIC_SESSION, -1, -1, -1, false},
    {"POST", CH "/whep", METRICS, KNOWN | PUBLIC_SESSION | PUBLIC_CHANNEL, 2, -1, -1, false},
    {"DELETE", S "/webrtc/{rid}", METRICS, KNOWN, -1, -1, -1, false},
    {"DELETE", S, METRICS, KNOWN, -1, -1, -1, false},
    {"GET", "/api/v1/sessions", FLOOR, 0, -1, -1, -1, false},
    {"POST", "/api/v1/sessions", OP, 0, -1, -1, -1, true},
    /* the session: any token of it, anyone once a channel is public */
    {"GET", S, LISTENER_EN, KNOWN, -1, -1, -1, true},
    {"GET", S, NOBODY, KNOWN, -1, -1, -1, false},
    {"GET", S, NOBODY, KNOWN | PUBLIC_SESSION, -1, -1, -1, true},
    {"GET", S, NOBODY, 0, -1, -1, -1, false},
    {"GET", S, STRANGER, KNOWN | PUBLIC_SESSION, -1, -1, -1, false},
    {"GET", S "/events", FLOOR, KNOWN, -1, -1, -1, true},
    {"GET", S "/events", NOBODY, KNOWN, -1, -1, -1, false},
    {"PATCH", S, CONSOLE_A, KNOWN, -1, -1, -1, false},
    {"DELETE", S, OP, 0, -1, -1, -1, true},
    {"DELETE", S, FLOOR, KNOWN, -1, -1, -1, false},
    /* a console: its own token only */
    {"GET", CON, CONSOLE_A, KNOWN, -1, 0, 0, true},
    {"PATCH", CON, CONSOLE_A, KNOWN, -1, 0, 0, true},
    {"PATCH", CON, CONSOLE_B, KNOWN, -1, 0, 0, false},
    {"PATCH", CON, CONSOLE_A, KNOWN, -1, -1, -1, false},
    {"PATCH", CON, LISTENER_EN, KNOWN, -1, 0, 0, false},
    {"PATCH", CON, STRANGER, KNOWN, -1, 0, 0, false},
    {"POST", CON "/whip", CONSOLE_A, KNOWN, -1, 0, 0, true},
    {"POST", CON "/whep", CONSOLE_B, KNOWN, -1, 0, 1, true},
    {"POST", CON "/outputs", CONSOLE_A, KNOWN, -1, 0, 0, false},
    {"POST", CON "/outputs/rekey", CONSOLE_A, KNOWN, -1, 0, 0, false},
    /* an Icecast source: the operator's only, also of a public channel */
    {"PUT", CH "/icecast", OP, KNOWN | PUBLIC_SESSION | PUBLIC_CHANNEL, 2, -1, -1, true},
    {"PUT", CH "/icecast", LISTENER_EN, KNOWN | PUBLIC_SESSION | PUBLIC_CHANNEL, 2, -1, -1, false},
    {"PUT", CH "/icecast", NOBODY, KNOWN | PUBLIC_SESSION | PUBLIC_CHANNEL, 2, -1, -1, false},
    {"DELETE", CH "/icecast", CONSOLE_A, KNOWN, 2, -1, -1, false},
    {"DELETE", CH "/icecast", OP, KNOWN, 2, -1, -1, true},
    /* a channel: its listener token, anyone when it is public */
    {"POST", CH "/whep", LISTENER_EN, KNOWN, 2, -1, -1, true},
    {"POST", CH "/whep", LISTENER_EN, KNOWN, 1, -1, -1, false},
    {"POST", CH "/whep", LISTENER_EN, KNOWN | PUBLIC_CHANNEL, 1, -1, -1, true},
    {"POST", CH "/whep", NOBODY, KNOWN | PUBLIC_SESSION | PUBLIC_CHANNEL, 2, -1, -1, true},
    {"POST", CH "/whep", NOBODY, KNOWN | PUBLIC_SESSION, 2, -1, -1, false},
    {"POST", CH "/whep", NOBODY, KNOWN | PUBLIC_SESSION, -1, -1, -1, false},
    {"POST", CH "/whep", CONSOLE_A, KNOWN, 2, -1, -1, false},
    {"PATCH", CH, LISTENER_EN, KNOWN, 2, -1, -1, false},
    {"POST", CH "/outputs", LISTENER_EN, KNOWN, 2, -1, -1, false},
    /* HLS: the operator configures it; its files are for anyone (the handler checks public) */
    {"PUT", CH "/hls", OP, KNOWN, 2, -1, -1, true},
    {"PUT", CH "/hls", LISTENER_EN, KNOWN | PUBLIC_CHANNEL, 2, -1, -1, false},
    {"DELETE", CH "/hls", NOBODY, KNOWN | PUBLIC_SESSION | PUBLIC_CHANNEL, 2, -1, -1, false},
    {"DELETE", CH "/hls", OP, KNOWN, 2, -1, -1, true},
    {"GET", "/hls/{sid}/{ch}/{file}", NOBODY, KNOWN | PUBLIC_SESSION | PUBLIC_CHANNEL, 2, -1, -1, true},
    {"GET", "/hls/{sid}/{ch}/{file}", NOBODY, 0, -1, -1, -1, true},
    /* the floor */
    {"POST", S "/whip/floor", FLOOR, KNOWN, -1, -1, -1, true},
    {"POST", S "/whip/floor", CONSOLE_A, KNOWN, -1, -1, -1, false},
    {"POST", S "/whip/floor", NOBODY, KNOWN | PUBLIC_SESSION, -1, -1, -1, false},
    /* a WebRTC resource: the handler checks it is the caller's, not in another session */
    {"PATCH", S "/webrtc/{rid}", NOBODY, 0, -1, -1, -1, true},
    {"DELETE", S "/webrtc/{rid}", LISTENER_EN, KNOWN, -1, -1, -1, true},
    {"DELETE", S "/webrtc/{rid}", STRANGER, KNOWN, -1, -1, -1, false},
    /* tokens and signals */
    {"POST", S "/tokens", CONSOLE_A, KNOWN, -1, -1, -1, false},
    {"GET", S "/tokens", FLOOR, KNOWN, -1, -1, -1, false},
    {"GET", S "/tokens", OP, KNOWN, -1, -1, -1, true},
    {"POST", S "/signals", CONSOLE_B, KNOWN, -1, -1, -1, true},
    {"POST", S "/signals", LISTENER_EN, KNOWN, -1, -1, -1, false},
    {"POST", S "/signals", FLOOR, KNOWN, -1, -1, -1, false},
    {"POST", S "/signals", STRANGER, KNOWN, -1, -1, -1, false},
    {"GET", S "/signals", CONSOLE_A, KNOWN, -1, -1, -1, false},
    {"DELETE", S "/signals/{gid}", OP, KNOWN, -1, -1, -1, true},
    {"POST", S "/inputs/floor/rekey", FLOOR, KNOWN, -1, -1, -1, false},
    /* AES67 sources (issue 10): the operator only */
    {"PUT", S "/inputs/floor/aes67", OP, KNOWN, -1, -1, -1, true},
    {"PUT", S "/inputs/floor/aes67", FLOOR, KNOWN, -1, -1, -1, false},
    {"DELETE", S "/inputs/floor/aes67", FLOOR, KNOWN, -1, -1, -1, false},
    {"PUT", S "/inputs/{lang}/{n}/aes67", CONSOLE_A, KNOWN, -1, 0, 0, false},
    {"DELETE", S "/inputs/{lang}/{n}/aes67", OP, KNOWN, -1, 0, 0, true},
    {"GET", "/api/v1/aes67/streams", OP, 0, -1, -1, -1, true},
    {"GET", "/api/v1/aes67/streams", CONSOLE_A, 0, -1, -1, -1, false},
    {"GET", "/api/v1/aes67/streams", METRICS, 0, -1, -1, -1, false},
    /* recording: the operator only, also a public channel's listeners may not */
    {"POST", S "/recording", OP, KNOWN, -1, -1, -1, true},
    {"POST", S "/recording", CONSOLE_A, KNOWN, -1, -1, -1, false},
    {"DELETE", S "/recording", FLOOR, KNOWN, -1, -1, -1, false},
    {"POST", CH "/recording", LISTENER_EN, KNOWN | PUBLIC_SESSION | PUBLIC_CHANNEL, 2, -1, -1, false},
    {"DELETE", CH "/recording", NOBODY, KNOWN | PUBLIC_SESSION | PUBLIC_CHANNEL, 2, -1, -1, false},
    {"GET", "/api/v1/recordings", OP, 0, -1, -1, -1, true},
    {"GET", "/api/v1/recordings", METRICS, 0, -1, -1, -1, false},
    {"GET", "/api/v1/recordings/{sid}/{ch}/{file}", OP, 0, -1, -1, -1, true},
    {"GET", "/api/v1/recordings/{sid}/{ch}/{file}", LISTENER_EN, KNOWN | PUBLIC_SESSION | PUBLIC_CHANNEL, 2, -1, -1, false},
    {"GET", "/api/v1/recordings/{sid}/{ch}/{file}", NOBODY, KNOWN | PUBLIC_SESSION | PUBLIC_CHANNEL, 2, -1, -1, false},
};

static void test_access_table(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
        const row *r = &table[i];
        api_access access;
        if (!api_route_access(r->method, r->pattern, &access))
            g_error("row %zu: no route %s %s", i, r->method, r->pattern);
        bool has_sid = g_str_has_prefix(r->pattern, "/api/v1/sessions/");
        api_access_facts facts = {
            .operator = r->who == OP,
            .metrics = r->who == METRICS,
            .grant = r->who == OP || r->who == NOBODY || r->who == METRICS ? NULL : &grants[r->who],
            .session = has_sid ? "s" : NULL,
            .session_known = r->state & KNOWN,
            .session_public = r->state & PUBLIC_SESSION,
            .channel = r->channel,
            .channel_public = r->state & PUBLIC_CHANNEL,
            .booth = r->booth,
            .console = r->console,
        };
        if (api_access_allows(access, &facts) != r->allowed)
            g_error("row %zu: %s %s by caller %d: expected %s", i, r->method, r->pattern, r->who,
                    r->allowed ? "allowed" : "refused");
    }
}

static void test_operator_may_call_every_route(void)
{
    static const char *const routes[][2] = {{"GET", "/metrics"}, {"PATCH", S}, {"POST", S "/tokens"},
                                            {"PATCH", CON}, {"POST", CH "/whep"}, {"POST", S "/whip/floor"}};
    for (size_t i = 0; i < G_N_ELEMENTS(routes); i++) {
        api_access access;
        g_assert_true(api_route_access(routes[i][0], routes[i][1], &access));
        api_access_facts facts = {.operator = true, .session = "s", .channel = -1, .booth = -1, .console = -1};
        g_assert_true(api_access_allows(access, &facts));
    }
    api_access access;
    g_assert_false(api_route_access("PUT", S, &access));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sitting/access/table", test_access_table);
    g_test_add_func("/sitting/access/operator", test_operator_may_call_every_route);
    return g_test_run();
}
