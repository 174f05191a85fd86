/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The v1 request bodies (docs api-v1.md) checked and turned into the rules module's
 * types. Every function returns false with *err filled (kind, code, field, message)
 * when the body is refused; *out is then unspecified.
 */
#ifndef TOLK_HTTP_REQUEST_PARSE_H
#define TOLK_HTTP_REQUEST_PARSE_H

#include "json_check.h"
#include "rules.h"
#include "hls_spec.h"     /* PUT .../channels/{ch}/hls */
#include "session_spec.h" /* POST /api/v1/sessions */

#include <json-c/json.h>
#include <stdbool.h>


/* PATCH /api/v1/sessions/{sid}: only the fields whose has_* flag is set change. */
typedef struct {
    bool has_name, has_floor_language, has_interlock, has_idle_channel, has_original_under, has_sound_check;
    bool sound_check;
    char name[TOLK_NAME_SIZE];
    char floor_language[TOLK_LANG_SIZE]; /* "" when set to null (unknown) */
    tolk_interlock interlock;
    tolk_idle idle_channel;
    bool original_under;                 /* false when set to null (off) */
    double original_under_db;
} tolk_session_patch;

/* POST .../outputs */
typedef struct {
    char host[TOLK_HOST_SIZE]; /* numeric, as given */
    bool ipv6;
    int port;
    bool own_key; /* "key": "own"; absent or "shared": the stream's key */
    bool aes67;     /* "format": "aes67" (plain RTP); else "srtp", the default */
    bool encrypted; /* "encrypted": absent is true; an AES67 output must say false */
    /* AES67 only (docs/aes67.md). */
    int encoding_bits; /* 24 ("L24", the default) or 16 */
    int frame_samples; /* packet_time_ms as samples at 48 kHz: 6, 12, 16, 48 (default) or 192 */
    int ttl;           /* 1..255, default 16 */
    bool sap;          /* announced by SAP (default) */
    char name[TOLK_OUTPUT_NAME_SIZE]; /* the SDP's s=; "" for the default */
} tolk_output_spec;

/* The body's fields, then the configuration's cross-field rules (tolk_config_validate). */
bool tolk_parse_session_create(json_object *body, tolk_session_spec *out, tolk_error *err);
/* config is unused today (floor_language need not be a channel); kept so that rules
 * needing the session's channels do not change the signature. */
bool tolk_parse_session_patch(json_object *body, const tolk_matrix_config *config,
                              tolk_session_patch *out, tolk_error *err);
/* Maps channel names to indices of config; whether the booth may use them is the rules
 * module's decision. booth_index out of range gives kind not_found, code not_found. */
bool tolk_parse_console_patch(json_object *body, const tolk_matrix_config *config, int booth_index,
                              tolk_console_patch *out, tolk_error *err);
bool tolk_parse_output_create(json_object *body, tolk_output_spec *out, tolk_error *err);

/* POST .../tokens: role "console" with console "en/1", "listener" with channel, or "floor". */
typedef struct {
    tolk_grant_kind role;
    char target[16]; /* the console id or channel name as given; "" for floor */
} tolk_token_spec;
bool tolk_parse_token_create(json_object *body, tolk_token_spec *out, tolk_error *err);

/* POST .../signals: kind, and for the operator the console it speaks for. */
typedef struct {
    tolk_signal_kind kind;
    char console[TOLK_CONSOLE_ID_SIZE]; /* "" when absent */
} tolk_signal_spec;
bool tolk_parse_signal_create(json_object *body, tolk_signal_spec *out, tolk_error *err);

/* PATCH .../channels/{ch}: {"public": bool}. */
/* PATCH .../channels/{ch}: "public" (WHEP without a token), "video" (listeners see the floor
 * video); at least one. */
typedef struct {
    bool has_public, public_flag;
    bool has_video, video;
} tolk_channel_patch;
bool tolk_parse_channel_patch(json_object *body, tolk_channel_patch *out, tolk_error *err);
/* POST .../recording: {"channels": ["floor", "en"]}, or no body (NULL): the floor and every
 * channel. */
bool tolk_parse_recording_start(json_object *body, const tolk_matrix_config *config,
                                bool channels[TOLK_MAX_CHANNELS + 1], tolk_error *err);

/* PUT .../inputs/.../aes67: an AES67 stream by its SDP or by its SAP announcement's name, and
 * the channel of it (1-based; whether the stream has it is known only with the SDP). */
typedef struct {
    const char *sdp; /* into the body (which outlives the use), or NULL */
    char sap[TOLK_AES67_SAP_NAME_MAX + 1]; /* "" when by SDP */
    int channel;
} tolk_aes67_source_spec;
bool tolk_parse_aes67_source(json_object *body, tolk_aes67_source_spec *out, tolk_error *err);

/* PUT .../channels/{ch}/hls: the body is optional, each field too (hls_spec.h); body NULL: the
 * defaults. */
bool tolk_parse_hls(json_object *body, tolk_hls_spec *out, tolk_error *err);

/* Validators, also for path parameters (the language code check is rules.h's). */
bool tolk_is_session_id(const char *s);    /* [a-z0-9][a-z0-9-]{0,31} */
bool tolk_is_ip_address(const char *s);    /* numeric IPv4 or IPv6 */

#endif
