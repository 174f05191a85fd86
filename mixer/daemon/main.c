/* SPDX-License-Identifier: EUPL-1.2 */
/* The tolk daemon: options, the HTTP API, the sittings, until SIGINT or SIGTERM. */
#include <glib-unix.h>
#include <gst/gst.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "access_log.h"
#include "api.h"
#include "app.h"
#include "demo.h"
#include "input_health.h"
#include "output_health.h"
#include "sap_announcer.h"
#include "keys.h"
#include "options.h"
#include "sap_listen.h"
#include "service_notify.h"
#include "srtp_session.h"
#include "state.h"
#include "tolk-plugin.h"

#define TOLK_LOG_MODULE "main"
#include "log.h"

#define WATCHDOG_INTERVAL_MS 200
#define LEVELS_INTERVAL_MS 250

static gboolean on_signal(gpointer loop)
{
    tolk_service_stopping();
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

/* logrotate has moved the access log away: write on in a new file under its name. */
static gboolean on_hangup(gpointer data)
{
    (void)data;
    tolk_access_log_reopen();
    return G_SOURCE_CONTINUE;
}

static bool set_up_logging(const tolk_options *options)
{
    tolk_log_set_level(options->log_level);
    tolk_log_set_format(options->log_format);
    tolk_log_route_glib();
    char err[512];
    if (options->access_log && !tolk_access_log_open(options->access_log, err, sizeof err)) {
        fprintf(stderr, "tolk: %s\n", err);
        return false;
    }
    return true;
}

/* Rule 8, each input's health state, and WebRTC peers whose connection died, for every session, a few times a second. */
static gboolean check_inputs(gpointer data)
{
    tolk_app *app = data;
    gint64 now = g_get_monotonic_time();
    tolk_app_lock(app);
    for (guint i = 0; i < app->sessions->len; i++) {
        tolk_session *session = g_ptr_array_index(app->sessions, i);
        tolk_session_check_inputs(session, now, app->lost_timeout_us);
        tolk_session_watch_health(session, now, app->lost_timeout_us);
        tolk_session_watch_outputs(session, now);
        tolk_session_reap_peers(session, now, (gint64)app->webrtc.connect_timeout_ms * 1000);
    }
    tolk_service_sittings(app->sessions->len);
    tolk_app_unlock(app); /* the reaped peers stop here, outside the lock */
    return G_SOURCE_CONTINUE;
}

/* The level meters of the pages. */
static gboolean publish_levels(gpointer data)
{
    tolk_app *app = data;
    tolk_app_lock(app);
    tolk_app_publish_levels(app);
    tolk_app_unlock(app);
    return G_SOURCE_CONTINUE;
}

/* The operator token: --token, else $TOLK_TOKEN, else (NULL here) the state's, made at the
 * first start (tolk_daemon_state_operator_token). */
static char *operator_token(const tolk_options *options)
{
    if (options->token)
        return g_strdup(options->token);
    const char *env = g_getenv("TOLK_TOKEN");
    return env && *env ? g_strdup(env) : NULL;
}

/* The metrics token: --metrics-token, else $TOLK_METRICS_TOKEN, else none (only the operator
 * reads /metrics). The operator's token would make it pointless: refused. */
static bool metrics_token(const tolk_options *options, tolk_app *app)
{
    const char *token = options->metrics_token;
    if (!token) {
        const char *env = g_getenv("TOLK_METRICS_TOKEN");
        token = env && *env ? env : NULL;
    }
    if (token && tolk_token_equal(token, app->token)) {
        fprintf(stderr, "tolk: --metrics-token must differ from the operator token\n");
        return false;
    }
    app->metrics_token = g_strdup(token);
    return true;
}

static bool init_app(tolk_app *app, const tolk_options *options)
{
    tolk_app_init(app);
    app->ports = tolk_ports_new(options->media_address, options->rtp_port_lo, options->rtp_port_hi);
    if (!app->ports) {
        fprintf(stderr, "tolk: --media-address %s is not a numeric IP address\n", options->media_address);
        return false;
    }
    app->env.media_address = options->media_address;
    app->env.ports = app->ports;
    app->env.jitter_ms = options->jitter_ms;
    app->env.signal_rate = (tolk_rate){options->signal_rate, options->signal_burst};
    app->env.allow_plain_rtp = options->allow_plain_rtp;
    app->env.hall_address = options->hall_address;
    app->sap_fd = -1;
    tolk_error sap_err;
    if (options->allow_plain_rtp && !tolk_sap_listen_start(app, &sap_err))
        LOG_WARN("no SAP: %s (AES67 streams can still be given by their SDP)", sap_err.message);
    app->env.ptp_grandmaster = options->ptp_grandmaster;
    app->env.ptp_domain = options->ptp_domain;
    app->env.sap = tolk_sap_announcer_new(options->hall_address);
    app->env.hls_dir = options->hls_dir;
    app->max_sessions = options->max_sessions;
    app->lost_timeout_us = (gint64)options->lost_timeout_ms * 1000;
    app->webrtc = (tolk_webrtc_config){
        .stun_server = options->stun_server,
        .turn_server = options->turn_server,
        .ice_addresses = options->ice_addresses,
        .min_port = (unsigned)options->webrtc_port_lo,
        .max_port = (unsigned)options->webrtc_port_hi,
        .connect_timeout_ms = options->peer_connect_timeout_ms,
        .max_peers_per_channel = options->max_peers_per_channel,
        .max_peers_per_session = options->max_peers_per_session,
        .max_peers_per_address = options->max_peers_per_address,
    };
    app->grants = tolk_grants_new();
    app->token = operator_token(options);
    return metrics_token(options, app);
}

static void free_app(tolk_app *app, tolk_http_server *http)
{
    if (app->sessions)
        tolk_app_close_streams(app); /* event streams end, or stopping the server would wait for them */
    tolk_http_server_free(http); /* then: no request may see a session being freed */
    tolk_daemon_state_stop(app); /* then: the last counters, while the sittings still run */
    tolk_app_lock(app);
    while (app->sessions->len > 0)
        tolk_app_delete(app, g_ptr_array_index(app->sessions, app->sessions->len - 1));
    tolk_app_unlock(app);
    tolk_sap_listen_stop(app);
    tolk_recorder_free(app->env.recorder); /* after the sittings released their recordings */
    g_ptr_array_unref(app->sessions);
    g_ptr_array_unref(app->detached);
    g_ptr_array_unref(app->creating);
    tolk_grants_free(app->grants);
    tolk_ports_free(app->ports);
    if (app->token)
        tolk_key_wipe(app->token, strlen(app->token));
    g_free(app->token);
    if (app->metrics_token)
        tolk_key_wipe(app->metrics_token, strlen(app->metrics_token));
    g_free(app->metrics_token);
    g_mutex_clear(&app->lock);
}

/* The browser pages: no token to load them; the token travels in the fragment. */
static void serve_pages(tolk_http_server *http, const char *web_dir)
{
    static const char *const pages[] = {"console", "listen", "operator", "speaker", "common"};
    for (size_t i = 0; i < G_N_ELEMENTS(pages); i++) {
        gchar *dir = g_build_filename(web_dir, pages[i], NULL);
        gchar *prefix = g_strdup_printf("/%s/", pages[i]);
        if (g_file_test(dir, G_FILE_TEST_IS_DIR))
            tolk_http_server_serve_dir(http, prefix, dir);
        g_free(prefix);
        g_free(dir);
    }
    tolk_http_server_redirect(http, "/", "/operator/");
}

/* Tokens, SRTP keys and SDPs travel in API bodies: in clear over plain HTTP
 * anywhere but the loopback interface. Started anyway (a trusted hall network, a
 * TLS proxy in front), but said loudly once. */
static void warn_if_clear_text(const tolk_http_server *http, const tolk_options *options)
{
    GInetAddress *address = g_inet_address_new_from_string(options->listen_address);
    bool loopback = address ? g_inet_address_get_is_loopback(address) : strcmp(options->listen_address, "localhost") == 0;
    if (address)
        g_object_unref(address);
    if (loopback || tolk_http_server_is_tls(http))
        return;
    LOG_WARN("listening on %s port %d without TLS: tokens, SRTP keys and SDPs cross the network in clear; "
             "serve HTTPS with --tls-cert FILE --tls-key FILE (see docs/configuration.md, HTTPS)",
             options->listen_address, options->listen_port);
}

/* Every HTTP connection is a descriptor; systemd's default soft limit (1024) would make
 * accept() fail long before --max-connections. Raise it to the hard limit, and warn
 * when even that is short (sockets, pipes and media need some 200 besides). */
static void raise_fd_limit(unsigned max_connections)
{
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < (rlim_t)max_connections + 256)
        LOG_WARN("only %llu file descriptors allowed: fewer than --max-connections %u needs (ulimit -n)",
                 (unsigned long long)limit.rlim_cur, max_connections);
}

/* --cors-origin, and the ICE servers an OPTIONS on a WHIP/WHEP endpoint names
 * (STUN only: TURN credentials go only with an answer the API admitted). */
static bool set_up_cors(const tolk_app *app, tolk_http_server *http, const tolk_options *options)
{
    for (int i = 0; i < options->cors_origin_count; i++) {
        if (!tolk_http_server_add_cors_origin(http, options->cors_origins[i])) {
            fprintf(stderr, "tolk: --cors-origin '%s' is not an origin (http(s)://host[:port], or *)\n",
                    options->cors_origins[i]);
            return false;
        }
    }
    GStrv links = tolk_webrtc_ice_server_links(&app->webrtc, false);
    for (guint i = 0; links[i]; i++)
        tolk_http_server_add_offer_header(http, "Link", links[i]);
    g_strfreev(links);
    return true;
}

static bool start(tolk_app *app, tolk_http_server *http, const tolk_options *options)
{
    char err[512];
    if (options->tls_cert &&
        !tolk_http_server_set_tls(http, options->tls_cert, options->tls_key, err, sizeof err)) {
        fprintf(stderr, "tolk: %s\n", err);
        return false;
    }
    if (!set_up_cors(app, http, options) || !tolk_daemon_state_start(app, options))
        return false;
    if (!app->token && !(app->token = tolk_daemon_state_operator_token(app)))
        return false;
    for (int i = 0; i < options->session_file_count; i++) {
        if (!tolk_startup_session_file(app, options->session_files[i]))
            return false;
    }
    if (options->demo && !tolk_startup_demo(app, options))
        return false;
    tolk_api_register(app, http);
    serve_pages(http, options->web_dir);
    raise_fd_limit(options->max_connections);
    tolk_http_limits limits = TOLK_HTTP_DEFAULT_LIMITS;
    limits.max_connections = options->max_connections;
    limits.max_connections_per_address = options->max_connections_per_address;
    limits.request_timeout_s = options->request_timeout_s;
    tolk_http_server_set_limits(http, &limits); /* the options checked the values */
    if (!tolk_http_server_start(http, options->listen_address, options->listen_port, err, sizeof err)) {
        fprintf(stderr, "tolk: %s\n", err);
        return false;
    }
    warn_if_clear_text(http, options);
    printf("Tolk %s: API on %s://%s%s%s:%d/api/v1, media on %s ports %d-%d\n", TOLK_VERSION,
           tolk_http_server_is_tls(http) ? "https" : "http",
           strchr(options->listen_address, ':') ? "[" : "", options->listen_address,
           strchr(options->listen_address, ':') ? "]" : "", options->listen_port, options->media_address,
           options->rtp_port_lo, options->rtp_port_hi);
    fflush(stdout);
    tolk_service_ready(options->listen_port, app->sessions->len);
    return true;
}

int main(int argc, char **argv)
{
    tolk_options options;
    switch (tolk_options_parse(argc, argv, &options)) {
    case TOLK_OPTIONS_EXIT_OK: return 0;
    case TOLK_OPTIONS_EXIT_ERROR: return 2;
    case TOLK_OPTIONS_RUN: break;
    }
    if (!set_up_logging(&options))
        return 1;
    /* libsrtp2 is initialised once, by us, before GStreamer's srtp plugin loads:
     * a second srtp_init() re-runs the self-tests and reports failure. */
    if (!tolk_srtp_library_init()) {
        fprintf(stderr, "tolk: libsrtp2 could not be initialised\n");
        return 1;
    }
    gst_init(NULL, NULL);
    if (!tolk_plugin_register_static()) {
        fprintf(stderr, "tolk: the tolk GStreamer elements could not be registered\n");
        return 1;
    }
    tolk_app app = {0};
    tolk_http_server *http = tolk_http_server_new(); /* the api layer joins it to app in start() */
    int status = 1;
    GMainLoop *loop = g_main_loop_new(NULL, FALSE);
    if (init_app(&app, &options) && start(&app, http, &options)) {
        g_unix_signal_add(SIGINT, on_signal, loop);
        g_unix_signal_add(SIGTERM, on_signal, loop);
        g_unix_signal_add(SIGHUP, on_hangup, NULL);
        g_timeout_add(WATCHDOG_INTERVAL_MS, check_inputs, &app);
        g_timeout_add(LEVELS_INTERVAL_MS, publish_levels, &app);
        tolk_daemon_state_watch(&app);
        tolk_service_watchdog_start();
        g_main_loop_run(loop);
        LOG_INFO("stopping");
        status = 0;
    }
    free_app(&app, http);
    tolk_sap_announcer_free(app.env.sap); /* the deletions of the sittings' AES67 outputs */
    tolk_media_engine_shutdown(); /* after every sitting is gone */
    g_main_loop_unref(loop);
    tolk_access_log_close();
    return status;
}
