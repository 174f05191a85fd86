/* SPDX-License-Identifier: EUPL-1.2 */
#include "demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "request_parse.h"
#include "session_json.h"

#define TOLK_LOG_MODULE "startup"
#include "log.h"

#define DEMO_LISTEN_PORT 50000

static const char demo_json[] =
    "{\"id\": \"demo\", \"name\": \"Demo sitting\", \"floor_language\": \"de\","
    " \"channels\": [\"de\", \"en\", \"fr\"],"
    " \"booths\": [{\"language\": \"en\", \"consoles\": 2, \"b_channels\": [\"fr\"]},"
    "              {\"language\": \"fr\", \"consoles\": 2, \"b_channels\": [\"en\"]}]}";

/* A sitting of the file that came back from the state keeps what it became (its keys,
 * outputs, tokens): the file only makes it the first time. */
static tolk_session *create_from_json(tolk_app *app, json_object *body, const tolk_session_env *env,
                                      const char *origin)
{
    tolk_session_spec *spec = g_new0(tolk_session_spec, 1);
    tolk_error err;
    tolk_session *session = NULL;
    if (!tolk_parse_session_create(body, spec, &err)) {
        fprintf(stderr, "tolk: %s: %s\n", origin, err.message);
    } else if (spec->has_id && (session = tolk_app_find(app, spec->id))) {
        LOG_INFO_AT(TOLK_WHERE(.sitting = spec->id), "of %s: restored from the state, as it was at the stop", origin);
    } else {
        if (!spec->has_id)
            LOG_WARN("%s has no \"id\": a new sitting is made at every start", origin);
        session = tolk_app_create(app, spec, env, &err);
        if (!session)
            fprintf(stderr, "tolk: %s: %s\n", origin, err.message);
    }
    g_free(spec);
    return session;
}

bool tolk_startup_session_file(tolk_app *app, const char *path)
{
    gchar *text = NULL;
    gsize length = 0;
    if (!g_file_get_contents(path, &text, &length, NULL)) {
        fprintf(stderr, "tolk: cannot read session file %s\n", path);
        return false;
    }
    json_object *body = json_tokener_parse(text);
    g_free(text);
    if (!body || !json_object_is_type(body, json_type_object)) {
        fprintf(stderr, "tolk: %s is not a JSON object\n", path);
        json_object_put(body);
        return false;
    }
    tolk_session *session = create_from_json(app, body, NULL, path);
    json_object_put(body);
    return session != NULL;
}

static bool write_sdp(const char *dir, const char *channel, json_object *output, char *path, size_t size)
{
    json_object *sdp = NULL;
    snprintf(path, size, "%s/%s.sdp", dir, channel);
    return json_object_object_get_ex(output, "sdp", &sdp) &&
           g_file_set_contents(path, json_object_get_string(sdp), -1, NULL);
}

/* The demo's listener output of a channel: the one restored from the state, or a new one. */
static const tolk_session_output *listener_output(tolk_session *session, int ch, tolk_error *err)
{
    const tolk_session_output *output =
        tolk_session_find_destination(session, ch, -1, "127.0.0.1", DEMO_LISTEN_PORT + 2 * ch);
    return output ? output
                  : tolk_session_add_output(session, ch, -1, "127.0.0.1", DEMO_LISTEN_PORT + 2 * ch, false, err);
}

static void add_listeners(tolk_session *session, const char *sdp_dir)
{
    int count = tolk_matrix_config_get(session->matrix)->channel_count;
    printf("Demo sitting '%s' is running. Listen to a channel with ffplay (or ffmpeg):\n", session->id);
    for (int ch = 0; ch <= count; ch++) {
        const char *name = tolk_matrix_channel_name(session->matrix, ch);
        tolk_error err;
        const tolk_session_output *output = listener_output(session, ch, &err);
        if (!output) {
            fprintf(stderr, "tolk: demo: no output for channel %s: %s\n", name, err.message);
            continue;
        }
        json_object *json = tolk_output_to_json(session, output);
        char path[4096];
        if (write_sdp(sdp_dir, name, json, path, sizeof path))
            printf("  %-6s ffplay -nodisp -protocol_whitelist file,udp,rtp,srtp,crypto %s\n", name, path);
        json_object_put(json);
    }
}

/* Pages to try at once: the demo's channels are public (no token to listen),
 * and console en/1 gets a token. */
static void find_console_grant(const tolk_grant *grant, void *ctx)
{
    const tolk_grant **found = ctx;
    if (!*found && grant->kind == TOLK_GRANT_CONSOLE && grant->booth == 0 && grant->console == 0)
        *found = grant;
}

static void print_pages(tolk_app *app, tolk_session *session, const tolk_options *options)
{
    int count = tolk_matrix_config_get(session->matrix)->channel_count;
    for (int ch = 0; ch <= count; ch++)
        session->channel_public[ch] = true;
    const tolk_grant *grant = NULL; /* en/1's, restored from the state, else a new one */
    tolk_grants_foreach(app->grants, session->id, find_console_grant, &grant);
    if (!grant)
        grant = tolk_grants_add(app->grants, session->id, TOLK_GRANT_CONSOLE, 0, 0, -1);
    tolk_session_touch(session);
    const char *host = strchr(options->listen_address, ':') ? "[%s]" : "%s";
    char base[128], address[80];
    snprintf(address, sizeof address, host, options->listen_address);
    /* start() has set TLS up from these options before the demo, or stopped. */
    snprintf(base, sizeof base, "%s://%s:%d", options->tls_cert ? "https" : "http", address, options->listen_port);
    printf("In a browser:\n  listener     %s/listen/#session=%s&channel=en\n", base, session->id);
    if (grant)
        printf("  interpreter  %s/console/#session=%s&console=en/1&token=%s\n", base, session->id, grant->token);
    /* The demo is a trial on one's own machine: the token that the state keeps is shown at
     * every start, in the link itself. */
    printf("  operator     %s/operator/#token=%s\n", base, app->token);
}

bool tolk_startup_demo(tolk_app *app, const tolk_options *options)
{
    tolk_session_env env = app->env;
    env.floor_from_file = true;
    env.floor_file = options->demo_floor;
    json_object *body = json_tokener_parse(demo_json);
    tolk_session *session = create_from_json(app, body, &env, "demo");
    json_object_put(body);
    if (!session)
        return false;
    add_listeners(session, options->demo_sdp_dir);
    print_pages(app, session, options);
    fflush(stdout);
    return true;
}
