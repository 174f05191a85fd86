/* SPDX-License-Identifier: EUPL-1.2 */
/* The command line of the tolk daemon. */
#ifndef TOLK_OPTIONS_H
#define TOLK_OPTIONS_H

#include <stdbool.h>

#include "log.h"

#define TOLK_MAX_SESSION_FILES 64
#define TOLK_MAX_CORS_ORIGINS 16

typedef struct {
    char listen_address[64];
    int listen_port;
    char media_address[64];
    int rtp_port_lo, rtp_port_hi;
    const char *token;         /* NULL: from TOLK_TOKEN, else generated */
    const char *metrics_token; /* NULL: from TOLK_METRICS_TOKEN, else none */
    const char *session_files[TOLK_MAX_SESSION_FILES];
    int session_file_count;
    bool demo;
    const char *demo_floor;    /* file played as the demo floor */
    const char *demo_sdp_dir;  /* where the demo writes its listeners' SDP files */
    const char *web_dir;       /* the browser pages (web/) */
    const char *state_dir;     /* the durable state (store.h) */
    const char *recordings_dir; /* NULL: STATE_DIR/recordings, or none without a state folder */
    unsigned recording_segment_minutes;
    const char *hls_dir;       /* HLS folders (docs/hls.md); NULL: none (no state dir either) */
    const char *tls_cert;      /* PEM certificate (chain) for HTTPS, or NULL: plain HTTP */
    const char *tls_key;       /* its PEM private key; set exactly when tls_cert is */
    const char *stun_server;   /* stun://host:port for WebRTC, or NULL */
    const char *turn_server;   /* turn://user:pass@host:port, or NULL */
    const char *ice_addresses; /* addresses WebRTC offers, comma-separated; NULL: all interfaces */
    int webrtc_port_lo, webrtc_port_hi; /* 0: any */
    unsigned peer_connect_timeout_ms;   /* a WebRTC peer not connected this long after its answer goes */
    unsigned max_peers_per_channel, max_peers_per_session, max_peers_per_address;
    const char *cors_origins[TOLK_MAX_CORS_ORIGINS]; /* --cors-origin, checked at start */
    int cors_origin_count;
    unsigned jitter_ms;
    unsigned lost_timeout_ms;
    unsigned signal_rate, signal_burst; /* per console and kind: signals per second, at once */
    unsigned max_sessions;
    unsigned max_connections;             /* HTTP connections in all */
    unsigned max_connections_per_address; /* HTTP connections from one client address */
    unsigned request_timeout_s;           /* an HTTP request head, then its body, within this */
    tolk_log_level log_level;
    tolk_log_format log_format;
    const char *access_log;    /* --access-log FILE, or NULL: the access lines only in the log */
    bool allow_plain_rtp;      /* AES67 inputs and outputs (plain RTP) may be made */
    const char *hall_address;  /* IPv4 address of the hall interface (AES67 multicast, SAP), or NULL */
    const char *ptp_grandmaster; /* EUI-64 of the PTP grandmaster for a=ts-refclk, or NULL */
    int ptp_domain;              /* 0..127 */
} tolk_options;

typedef enum { TOLK_OPTIONS_RUN, TOLK_OPTIONS_EXIT_OK, TOLK_OPTIONS_EXIT_ERROR } tolk_options_outcome;

/* Parses argv; prints help, version or a clear error itself. */
tolk_options_outcome tolk_options_parse(int argc, char **argv, tolk_options *out);

#endif
