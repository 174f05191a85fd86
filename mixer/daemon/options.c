/* SPDX-License-Identifier: EUPL-1.2 */
#include "options.h"

#include "config_file.h"
#include "install_paths.h"

#include <getopt.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: tolk [OPTION]...\n"
    "Tolk: a self-hosted, encrypted media mixer for simultaneous interpretation.\n"
    "\n"
    "  --listen ADDR:PORT      HTTP API address (default 127.0.0.1:8080; IPv6 as [::1]:8080)\n"
    "  --media-address ADDR    address the inputs listen on (default 127.0.0.1)\n"
    "  --rtp-ports LO-HI       UDP port range for inputs (default 40000-40999)\n"
    "  --token TOKEN           operator token (default: $TOLK_TOKEN, else the state's: made and printed\n"
    "                          at the first start, kept for the next ones)\n"
    "  --metrics-token TOKEN   a token that may read /metrics and nothing else (default: $TOLK_METRICS_TOKEN)\n"
    "  --session FILE.json     create this sitting at start (repeatable; the body of POST /api/v1/sessions)\n"
    "  --demo                  start the demo sitting (floor German, channels de, en, fr)\n"
    "  --demo-floor FILE       audio file the demo floor plays in a loop (default: a built-in chime)\n"
    "  --demo-sdp-dir DIR      where --demo writes the SDP files of its listener outputs (default .)\n"
    "  --tls-cert FILE         serve HTTPS with this PEM certificate (chain); needs --tls-key\n"
    "  --tls-key FILE          the certificate's unencrypted PEM private key; needs --tls-cert\n"
    "  --web-dir DIR           the browser pages to serve (default " TOLK_WEB_DIR ";\n"
    "                          run from the build tree: the source tree's web/)\n"
    "  --state-dir DIR         where the sittings are kept across restarts, private to the daemon's\n"
    "                          user (default " TOLK_STATE_DIR "; run from the build tree: none, give one)\n"
    "  --recordings-dir DIR    where channels are recorded, Ogg/Opus per sitting and channel (default\n"
    "                          STATE_DIR/recordings; none without a state folder)\n"
    "  --recording-segment-minutes N  a recording starts a new file every N minutes, on the\n"
    "                          hour for 60 (default 60, 1-1440)\n"
    "  --hls-dir DIR           where HLS playlists and segments are written, DIR/SID/CH/index.m3u8,\n"
    "                          readable by all for a web server (default: STATE_DIR/hls)\n"
    "  --stun-server URL       STUN server for WebRTC, stun://host:port (default: none)\n"
    "  --turn-server URL       TURN server for WebRTC, turn://user:pass@host:port (default: none)\n"
    "  --ice-address LIST      addresses WebRTC offers, comma-separated (default: every interface)\n"
    "  --webrtc-ports LO-HI    UDP port range for WebRTC (default: any)\n"
    "  --peer-connect-timeout-ms N  a WebRTC peer not connected this long after its answer is closed\n"
    "                          (default 15000, 500-600000)\n"
    "  --max-peers-per-channel N  WebRTC listeners of one channel (default 300)\n"
    "  --max-peers-per-session N  WebRTC peers of one sitting (default 600)\n"
    "  --max-peers-per-address N  WebRTC peers from one client address (default 50)\n"
    "  --cors-origin ORIGIN    let pages of https://host[:port] call the API (repeatable; default none);\n"
    "                          '*': any page, on the routes that need no token\n"
    "  --jitter-ms N           input jitter buffer in milliseconds (default 20, 5-500)\n"
    "  --lost-timeout-ms N     an input that stops this long is lost; a live console goes off (default 2000)\n"
    "  --signal-rate N         signals a console may raise per second, per kind (default 2, 1-100)\n"
    "  --signal-burst N        ... and at once before that rate applies (default 10, 1-1000)\n"
    "  --max-sessions N        sessions this daemon runs at most (default 16, 1-1000)\n"
    "  --max-connections N     open HTTP connections in all (default 4096)\n"
    "  --max-connections-per-address N\n"
    "                          open HTTP connections from one client address (default 512)\n"
    "  --request-timeout S     seconds a request head, then its body, may take (default 10)\n"
    "  --log-level LEVEL       error, warn, info (default) or debug\n"
    "  --config FILE           read options from FILE, 'key = value' lines (default\n"
    "                          " TOLK_CONFIG_FILE " when it exists); the command line wins\n"
    "  --log-format FORMAT     text (default), json (one object per line) or journal (native fields)\n"
    "  --access-log FILE       also append the access log (API changes) to FILE; reopened on SIGHUP\n"
    "  --allow-plain-rtp       allow AES67 inputs and outputs: plain (unencrypted) RTP, for a closed hall\n"
    "                          network only (default: refused; everything else is always encrypted)\n"
    "  --hall-address ADDR     IPv4 address of the hall network's interface: AES67 multicast is joined\n"
    "                          and sent there, SAP announced and heard there (default: the routing's)\n"
    "  --ptp-grandmaster ID    the hall's PTP grandmaster (EUI-64, xx-xx-xx-xx-xx-xx-xx-xx) that linuxptp\n"
    "                          locks the system clock to: named in AES67 SDPs (default: none, localmac)\n"
    "  --ptp-domain N          its PTP domain, 0-127 (default 0)\n"
    "  --help                  this text\n"
    "  --version               the version\n";

enum { OPT_LISTEN = 1000, OPT_MEDIA, OPT_PORTS, OPT_TOKEN, OPT_METRICS_TOKEN, OPT_SESSION, OPT_DEMO, OPT_DEMO_FLOOR,
       OPT_DEMO_SDP, OPT_WEB_DIR, OPT_STATE_DIR, OPT_HLS_DIR, OPT_TLS_CERT, OPT_TLS_KEY, OPT_STUN, OPT_TURN, OPT_ICE_ADDRESS, OPT_WEBRTC_PORTS,
       OPT_PEER_TIMEOUT, OPT_MAX_PEERS_CHANNEL, OPT_MAX_PEERS_SESSION, OPT_MAX_PEERS_ADDRESS, OPT_CORS, OPT_JITTER,
       OPT_LOST, OPT_SIGNAL_RATE, OPT_SIGNAL_BURST, OPT_MAX_SESSIONS, OPT_MAX_CONN, OPT_MAX_CONN_ADDR,
       OPT_REQUEST_TIMEOUT, OPT_LOG, OPT_LOG_FORMAT, OPT_ACCESS_LOG, OPT_ALLOW_PLAIN_RTP,
       OPT_HALL_ADDRESS, OPT_RECORDINGS_DIR, OPT_SEGMENT_MINUTES, OPT_PTP_GRANDMASTER, OPT_PTP_DOMAIN, OPT_CONFIG,
       OPT_HELP, OPT_VERSION };

static const struct option long_options[] = {
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"media-address", required_argument, NULL, OPT_MEDIA},
    {"rtp-ports", required_argument, NULL, OPT_PORTS},
    {"token", required_argument, NULL, OPT_TOKEN},
    {"metrics-token", required_argument, NULL, OPT_METRICS_TOKEN},
    {"session", required_argument, NULL, OPT_SESSION},
    {"demo", no_argument, NULL, OPT_DEMO},
    {"demo-floor", required_argument, NULL, OPT_DEMO_FLOOR},
    {"demo-sdp-dir", required_argument, NULL, OPT_DEMO_SDP},
    {"web-dir", required_argument, NULL, OPT_WEB_DIR},
    {"state-dir", required_argument, NULL, OPT_STATE_DIR},
    {"hls-dir", required_argument, NULL, OPT_HLS_DIR},
    {"tls-cert", required_argument, NULL, OPT_TLS_CERT},
    {"tls-key", required_argument, NULL, OPT_TLS_KEY},
    {"recordings-dir", required_argument, NULL, OPT_RECORDINGS_DIR},
    {"recording-segment-minutes", required_argument, NULL, OPT_SEGMENT_MINUTES},
    {"stun-server", required_argument, NULL, OPT_STUN},
    {"turn-server", required_argument, NULL, OPT_TURN},
    {"ice-address", required_argument, NULL, OPT_ICE_ADDRESS},
    {"webrtc-ports", required_argument, NULL, OPT_WEBRTC_PORTS},
    {"peer-connect-timeout-ms", required_argument, NULL, OPT_PEER_TIMEOUT},
    {"max-peers-per-channel", required_argument, NULL, OPT_MAX_PEERS_CHANNEL},
    {"max-peers-per-session", required_argument, NULL, OPT_MAX_PEERS_SESSION},
    {"max-peers-per-address", required_argument, NULL, OPT_MAX_PEERS_ADDRESS},
    {"cors-origin", required_argument, NULL, OPT_CORS},
    {"jitter-ms", required_argument, NULL, OPT_JITTER},
    {"lost-timeout-ms", required_argument, NULL, OPT_LOST},
    {"signal-rate", required_argument, NULL, OPT_SIGNAL_RATE},
    {"signal-burst", required_argument, NULL, OPT_SIGNAL_BURST},
    {"max-sessions", required_argument, NULL, OPT_MAX_SESSIONS},
    {"max-connections", required_argument, NULL, OPT_MAX_CONN},
    {"max-connections-per-address", required_argument, NULL, OPT_MAX_CONN_ADDR},
    {"request-timeout", required_argument, NULL, OPT_REQUEST_TIMEOUT},
    {"log-level", required_argument, NULL, OPT_LOG},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"log-format", required_argument, NULL, OPT_LOG_FORMAT},
    {"access-log", required_argument, NULL, OPT_ACCESS_LOG},
    {"allow-plain-rtp", no_argument, NULL, OPT_ALLOW_PLAIN_RTP},
    {"hall-address", required_argument, NULL, OPT_HALL_ADDRESS},
    {"ptp-grandmaster", required_argument, NULL, OPT_PTP_GRANDMASTER},
    {"ptp-domain", required_argument, NULL, OPT_PTP_DOMAIN},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

static bool parse_int(const char *s, long lo, long hi, long *out)
{
    char *end = NULL;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static bool parse_unsigned(const char *s, long lo, long hi, unsigned *out)
{
    long v;
    if (!parse_int(s, lo, hi, &v))
        return false;
    *out = (unsigned)v;
    return true;
}

/* "127.0.0.1:8080" or "[::1]:8080" */
static bool parse_listen(const char *s, tolk_options *out)
{
    const char *colon = strrchr(s, ':');
    if (!colon)
        return false;
    const char *host = s;
    size_t host_len = (size_t)(colon - s);
    if (host_len >= 2 && s[0] == '[' && s[host_len - 1] == ']') {
        host++;
        host_len -= 2;
    }
    long port;
    if (host_len == 0 || host_len >= sizeof out->listen_address || !parse_int(colon + 1, 1, 65535, &port))
        return false;
    memcpy(out->listen_address, host, host_len);
    out->listen_address[host_len] = '\0';
    out->listen_port = (int)port;
    return true;
}

static bool parse_range(const char *s, int *lo_out, int *hi_out)
{
    char lo[8], hi[8];
    const char *dash = strchr(s, '-');
    if (!dash || (size_t)(dash - s) >= sizeof lo || strlen(dash + 1) >= sizeof hi)
        return false;
    memcpy(lo, s, (size_t)(dash - s));
    lo[dash - s] = '\0';
    strcpy(hi, dash + 1);
    long l, h;
    if (!parse_int(lo, 1024, 65535, &l) || !parse_int(hi, 1024, 65535, &h) || h < l + 1)
        return false;
    *lo_out = (int)l;
    *hi_out = (int)h;
    return true;
}

static void set_defaults(tolk_options *out)
{
    memset(out, 0, sizeof *out);
    strcpy(out->listen_address, "127.0.0.1");
    out->listen_port = 8080;
    strcpy(out->media_address, "127.0.0.1");
    out->rtp_port_lo = 40000;
    out->rtp_port_hi = 40999;
    out->demo_sdp_dir = ".";
    out->web_dir = tolk_default_web_dir();
    out->state_dir = tolk_default_state_dir();
    out->jitter_ms = 20;
    out->lost_timeout_ms = 2000;
    out->signal_rate = 2;
    out->signal_burst = 10;
    out->max_sessions = 16;
    out->max_connections = 4096;
    out->max_connections_per_address = 512;
    out->request_timeout_s = 10;
    out->peer_connect_timeout_ms = 15000;
    out->recording_segment_minutes = 60;
    out->max_peers_per_channel = 300;
    out->max_peers_per_session = 600;
    out->max_peers_per_address = 50;
    out->log_level = TOLK_LOG_INFO;
}

static const char *bad_value(int option)
{
    for (const struct option *o = long_options; o->name; o++) {
        if (o->val == option)
            return o->name;
    }
    return "?";
}

/* Eight hex octets joined by '-' (as ptp4l's pmc shows a clock identity with '.' in place
 * of the dashes, docs/aes67.md). */
static bool is_eui64(const char *s)
{
    for (int i = 0; i < 8; i++, s += 3)
        if (!g_ascii_isxdigit(s[0]) || !g_ascii_isxdigit(s[1]) || s[2] != (i < 7 ? '-' : '\0'))
            return false;
    return true;
}

static bool apply_option(int option, const char *arg, tolk_options *out)
{
    long v;
    switch (option) {
    case OPT_LISTEN: return parse_listen(arg, out);
    case OPT_MEDIA:
        if (strlen(arg) >= sizeof out->media_address || !*arg)
            return false;
        strcpy(out->media_address, arg);
        return true;
    case OPT_PORTS: return parse_range(arg, &out->rtp_port_lo, &out->rtp_port_hi);
    case OPT_WEBRTC_PORTS: return parse_range(arg, &out->webrtc_port_lo, &out->webrtc_port_hi);
    case OPT_WEB_DIR: out->web_dir = arg; return *arg != '\0';
    case OPT_STATE_DIR: out->state_dir = arg; return *arg != '\0';
    case OPT_RECORDINGS_DIR: out->recordings_dir = arg; return *arg != '\0';
    case OPT_SEGMENT_MINUTES: return parse_unsigned(arg, 1, 1440, &out->recording_segment_minutes);
    case OPT_HLS_DIR: out->hls_dir = arg; return *arg != '\0';
    case OPT_TLS_CERT: out->tls_cert = arg; return *arg != '\0';
    case OPT_TLS_KEY: out->tls_key = arg; return *arg != '\0';
    case OPT_STUN: out->stun_server = arg; return g_str_has_prefix(arg, "stun://");
    case OPT_TURN: out->turn_server = arg; return g_str_has_prefix(arg, "turn://") || g_str_has_prefix(arg, "turns://");
    case OPT_ICE_ADDRESS: out->ice_addresses = arg; return *arg != '\0';
    case OPT_TOKEN: out->token = arg; return *arg != '\0';
    case OPT_METRICS_TOKEN: out->metrics_token = arg; return *arg != '\0';
    case OPT_SESSION:
        if (out->session_file_count == TOLK_MAX_SESSION_FILES)
            return false;
        out->session_files[out->session_file_count++] = arg;
        return true;
    case OPT_DEMO: out->demo = true; return true;
    case OPT_DEMO_FLOOR: out->demo_floor = arg; return true;
    case OPT_DEMO_SDP: out->demo_sdp_dir = arg; return true;
    case OPT_JITTER:
        if (!parse_int(arg, 5, 500, &v))
            return false;
        out->jitter_ms = (unsigned)v;
        return true;
    case OPT_LOST:
        if (!parse_int(arg, 100, 600000, &v))
            return false;
        out->lost_timeout_ms = (unsigned)v;
        return true;
    case OPT_SIGNAL_RATE: return parse_unsigned(arg, 1, 100, &out->signal_rate);
    case OPT_SIGNAL_BURST: return parse_unsigned(arg, 1, 1000, &out->signal_burst);
    case OPT_MAX_SESSIONS: return parse_unsigned(arg, 1, 1000, &out->max_sessions);
    case OPT_MAX_CONN: return parse_unsigned(arg, 16, 100000, &out->max_connections);
    case OPT_MAX_CONN_ADDR: return parse_unsigned(arg, 1, 100000, &out->max_connections_per_address);
    case OPT_REQUEST_TIMEOUT: return parse_unsigned(arg, 1, 300, &out->request_timeout_s);
    case OPT_PEER_TIMEOUT: return parse_unsigned(arg, 500, 600000, &out->peer_connect_timeout_ms);
    case OPT_MAX_PEERS_CHANNEL: return parse_unsigned(arg, 1, 100000, &out->max_peers_per_channel);
    case OPT_MAX_PEERS_SESSION: return parse_unsigned(arg, 1, 100000, &out->max_peers_per_session);
    case OPT_MAX_PEERS_ADDRESS: return parse_unsigned(arg, 1, 100000, &out->max_peers_per_address);
    case OPT_CORS:
        if (out->cors_origin_count == TOLK_MAX_CORS_ORIGINS || !*arg)
            return false;
        out->cors_origins[out->cors_origin_count++] = arg;
        return true;
    case OPT_LOG: return tolk_log_parse_level(arg, &out->log_level) == 0;
    case OPT_LOG_FORMAT: return tolk_log_parse_format(arg, &out->log_format) == 0;
    case OPT_ACCESS_LOG: out->access_log = arg; return *arg != '\0';
    case OPT_ALLOW_PLAIN_RTP: out->allow_plain_rtp = true; return true;
    case OPT_HALL_ADDRESS: out->hall_address = arg; return g_hostname_is_ip_address(arg) && !strchr(arg, ':');
    case OPT_PTP_GRANDMASTER: out->ptp_grandmaster = arg; return is_eui64(arg);
    case OPT_PTP_DOMAIN:
        if (!parse_int(arg, 0, 127, &v))
            return false;
        out->ptp_domain = (int)v;
        return true;
    default: return false;
    }
}

static bool apply_from_file(int option, const char *arg, void *out)
{
    return apply_option(option, arg, out);
}

tolk_options_outcome tolk_options_parse(int argc, char **argv, tolk_options *out)
{
    set_defaults(out);
    opterr = 0;
    int option, index = -1;
    bool on_command_line[G_N_ELEMENTS(long_options)] = {false};
    const char *config_path = NULL;
    while ((option = getopt_long(argc, argv, "", long_options, &index)) != -1) {
        if (option == OPT_HELP) {
            fputs(usage, stdout);
            return TOLK_OPTIONS_EXIT_OK;
        }
        if (option == OPT_VERSION) {
            printf("tolk %s\n", TOLK_VERSION);
            return TOLK_OPTIONS_EXIT_OK;
        }
        if (option == '?' || option == ':') {
            fprintf(stderr, "tolk: unknown option or missing value: %s\nTry 'tolk --help'.\n", argv[optind - 1]);
            return TOLK_OPTIONS_EXIT_ERROR;
        }
        on_command_line[index] = true;
        if (option == OPT_CONFIG) {
            config_path = optarg;
            continue;
        }
        if (!apply_option(option, optarg, out)) {
            fprintf(stderr, "tolk: invalid value for --%s: '%s'\nTry 'tolk --help'.\n", bad_value(option),
                    optarg ? optarg : "");
            return TOLK_OPTIONS_EXIT_ERROR;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "tolk: unexpected argument '%s'\nTry 'tolk --help'.\n", argv[optind]);
        return TOLK_OPTIONS_EXIT_ERROR;
    }
    static const int not_in_files[] = {OPT_HELP, OPT_VERSION, OPT_CONFIG, 0};
    const tolk_config_target target = {long_options, on_command_line, not_in_files, apply_from_file, out};
    const char *config_file = config_path ? config_path : tolk_default_config_file();
    if (config_file && !tolk_config_file_apply(config_file, config_path != NULL, &target))
        return TOLK_OPTIONS_EXIT_ERROR;
    if (out->max_connections_per_address > out->max_connections) {
        fprintf(stderr, "tolk: --max-connections-per-address (%u) is over --max-connections (%u)\nTry 'tolk --help'.\n",
                out->max_connections_per_address, out->max_connections);
        return TOLK_OPTIONS_EXIT_ERROR;
    }
    static char default_hls_dir[4096]; /* lives as long as the options; nothing to free */
    if (!out->hls_dir && out->state_dir &&
        g_snprintf(default_hls_dir, sizeof default_hls_dir, "%s/hls", out->state_dir) < (int)sizeof default_hls_dir)
        out->hls_dir = default_hls_dir;
    if (!out->tls_cert != !out->tls_key) {
        fprintf(stderr, "tolk: --%s needs --%s too (HTTPS takes a certificate and its key)\nTry 'tolk --help'.\n",
                out->tls_cert ? "tls-cert" : "tls-key", out->tls_cert ? "tls-key" : "tls-cert");
        return TOLK_OPTIONS_EXIT_ERROR;
    }
    return TOLK_OPTIONS_RUN;
}
