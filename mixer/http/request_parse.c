/* SPDX-License-Identifier: EUPL-1.2 */
#include "request_parse.h"

#include <arpa/inet.h>
#include <math.h>
#include <glib.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

/* ---- validators ---- */

bool tolk_is_session_id(const char *s)
{
    size_t len = strlen(s);
    if (len < 1 || len > TOLK_SESSION_ID_SIZE - 1 || s[0] == '-')
        return false;
    for (size_t i = 0; i < len; i++)
        if (!(g_ascii_islower(s[i]) || g_ascii_isdigit(s[i]) || s[i] == '-'))
            return false;
    return true;
}

bool tolk_is_ip_address(const char *s)
{
    struct in6_addr addr;
    return inet_pton(AF_INET, s, &addr) == 1 || inet_pton(AF_INET6, s, &addr) == 1;
}

/* ---- tables ---- */

#define LANGUAGE_CODE "a language code (2 or 3 lowercase letters)"

static const tolk_json_field booth_fields[] = {
    {.name = "language", .type = TOLK_JSON_STRING, .required = true,
     .valid = tolk_is_language_code, .expected = LANGUAGE_CODE},
    {.name = "consoles", .type = TOLK_JSON_INTEGER, .required = true,
     .ranged = true, .min = 1, .max = TOLK_MAX_CONSOLES},
    {.name = "b_channels", .type = TOLK_JSON_STRING_ARRAY, .valid = tolk_is_language_code,
     .expected = LANGUAGE_CODE, .unique = true, .max_items = TOLK_MAX_CHANNELS},
    {0},
};

static const tolk_json_field aes67_source_fields[] = {
    {.name = "sdp", .type = TOLK_JSON_STRING, .max_length = TOLK_AES67_SDP_TEXT_MAX, .lines = true},
    {.name = "sap", .type = TOLK_JSON_STRING, .max_length = TOLK_AES67_SAP_NAME_MAX},
    {.name = "channel", .type = TOLK_JSON_INTEGER, .ranged = true, .min = 1, .max = 64},
    {0},
};

static const char *const video_codec_names[] = {"vp8", "h264", NULL};

static const tolk_json_field session_create_fields[] = {
    {.name = "id", .type = TOLK_JSON_STRING, .valid = tolk_is_session_id,
     .expected = "1 to 32 of a-z, 0-9 and '-', not starting with '-'"},
    {.name = "name", .type = TOLK_JSON_STRING, .max_length = TOLK_NAME_SIZE - 1},
    {.name = "floor_language", .type = TOLK_JSON_STRING_OR_NULL, .valid = tolk_is_language_code,
     .expected = LANGUAGE_CODE},
    {.name = "channels", .type = TOLK_JSON_STRING_ARRAY, .required = true,
     .valid = tolk_is_language_code,
     .expected = LANGUAGE_CODE " (\"floor\" is always a channel and is not listed)",
     .unique = true, .min_items = 1, .max_items = TOLK_MAX_CHANNELS},
    {.name = "booths", .type = TOLK_JSON_OBJECT_ARRAY, .fields = booth_fields,
     .max_items = TOLK_MAX_BOOTHS},
    {.name = "interlock", .type = TOLK_JSON_STRING, .one_of = tolk_interlock_names},
    {.name = "idle_channel", .type = TOLK_JSON_STRING, .one_of = tolk_idle_names},
    {.name = "original_under_db", .type = TOLK_JSON_NUMBER_OR_NULL, .ranged = true, .min = -60, .max = 0},
    {.name = "floor_aes67", .type = TOLK_JSON_OBJECT, .fields = aes67_source_fields},
    {.name = "video_codec", .type = TOLK_JSON_STRING, .one_of = video_codec_names},
    {0},
};

static const tolk_json_field session_patch_fields[] = {
    {.name = "name", .type = TOLK_JSON_STRING, .max_length = TOLK_NAME_SIZE - 1},
    {.name = "floor_language", .type = TOLK_JSON_STRING_OR_NULL, .valid = tolk_is_language_code,
     .expected = LANGUAGE_CODE},
    {.name = "interlock", .type = TOLK_JSON_STRING, .one_of = tolk_interlock_names},
    {.name = "idle_channel", .type = TOLK_JSON_STRING, .one_of = tolk_idle_names},
    {.name = "original_under_db", .type = TOLK_JSON_NUMBER_OR_NULL, .ranged = true, .min = -60, .max = 0},
    {.name = "sound_check", .type = TOLK_JSON_BOOLEAN},
    {0},
};

static const tolk_json_field channel_patch_fields[] = {
    {.name = "public", .type = TOLK_JSON_BOOLEAN},
    {.name = "video", .type = TOLK_JSON_BOOLEAN},
    {0},
};

static const tolk_json_field recording_start_fields[] = {
    {.name = "channels", .type = TOLK_JSON_STRING_ARRAY, .min_items = 1, .max_items = TOLK_MAX_CHANNELS + 1,
     .unique = true},
    {0},
};

static const tolk_json_field hls_fields[] = {
    {.name = "segment_seconds", .type = TOLK_JSON_INTEGER, .ranged = true, .min = TOLK_HLS_SEGMENT_MIN,
     .max = TOLK_HLS_SEGMENT_MAX},
    {.name = "playlist_segments", .type = TOLK_JSON_INTEGER, .ranged = true, .min = TOLK_HLS_LISTED_MIN,
     .max = TOLK_HLS_LISTED_MAX},
    {.name = "bitrate", .type = TOLK_JSON_INTEGER, .ranged = true, .min = TOLK_HLS_BITRATE_MIN,
     .max = TOLK_HLS_BITRATE_MAX},
    {0},
};

static const tolk_json_field token_create_fields[] = {
    {.name = "role", .type = TOLK_JSON_STRING, .required = true, .one_of = tolk_grant_kind_names},
    {.name = "console", .type = TOLK_JSON_STRING},
    {.name = "channel", .type = TOLK_JSON_STRING},
    {0},
};

static const tolk_json_field signal_create_fields[] = {
    {.name = "kind", .type = TOLK_JSON_STRING, .required = true, .one_of = tolk_signal_kind_names},
    {.name = "console", .type = TOLK_JSON_STRING},
    {0},
};

static const tolk_json_field console_patch_fields[] = {
    {.name = "mic", .type = TOLK_JSON_STRING, .one_of = tolk_mic_names},
    {.name = "output", .type = TOLK_JSON_STRING, .one_of = tolk_output_names},
    {.name = "b_channel", .type = TOLK_JSON_STRING},
    {.name = "listen", .type = TOLK_JSON_STRING},
    {.name = "partner_listen", .type = TOLK_JSON_BOOLEAN},
    {0},
};

static const char *const output_format_names[] = {"srtp", "aes67", NULL};
static const char *const aes67_encoding_names[] = {"L24", "L16", NULL};

static const tolk_json_field output_create_fields[] = {
    {.name = "host", .type = TOLK_JSON_STRING, .required = true, .max_length = TOLK_HOST_SIZE - 1,
     .valid = tolk_is_ip_address, .expected = "a numeric IPv4 or IPv6 address"},
    {.name = "port", .type = TOLK_JSON_INTEGER, .required = true, .ranged = true, .min = 1, .max = 65535},
    {.name = "key", .type = TOLK_JSON_STRING, .one_of = tolk_output_key_names},
    {.name = "format", .type = TOLK_JSON_STRING, .one_of = output_format_names},
    {.name = "encrypted", .type = TOLK_JSON_BOOLEAN},
    {.name = "encoding", .type = TOLK_JSON_STRING, .one_of = aes67_encoding_names},
    {.name = "packet_time_ms", .type = TOLK_JSON_NUMBER, .ranged = true, .min = 0.125, .max = 4},
    {.name = "ttl", .type = TOLK_JSON_INTEGER, .ranged = true, .min = 1, .max = 255},
    {.name = "sap", .type = TOLK_JSON_BOOLEAN},
    {.name = "name", .type = TOLK_JSON_STRING, .max_length = TOLK_OUTPUT_NAME_SIZE - 1},
    {0},
};


/* ---- helpers; the tables have run, so types are known to be right ---- */

static const char *string_field(json_object *body, const char *name)
{
    json_object *value;
    if (!json_object_object_get_ex(body, name, &value) || !value)
        return NULL;
    return json_object_get_string(value);
}

/* True when the field is present, even as null. */
static bool has_field(json_object *body, const char *name, json_object **value)
{
    return json_object_object_get_ex(body, name, value);
}

static bool parse_original_under(json_object *value, bool *on, double *db)
{
    *on = value != NULL;
    *db = value ? json_object_get_double(value) : 0.0;
    return true;
}

/* ---- POST /sessions ---- */

static void parse_channels(json_object *channels, tolk_matrix_config *config)
{
    config->channel_count = (int)json_object_array_length(channels);
    for (int i = 0; i < config->channel_count; i++)
        g_strlcpy(config->channels[i + 1], json_object_get_string(json_object_array_get_idx(channels, (size_t)i)),
                  TOLK_LANG_SIZE);
}

/* Names become channel indices, -1 for a name that is not a channel: whether they fit
 * together is tolk_config_validate's question. */
static void parse_b_channels(json_object *list, int booth, tolk_matrix_config *config)
{
    tolk_booth_config *b = &config->booths[booth];
    b->b_count = list ? (int)json_object_array_length(list) : 0;
    for (int j = 0; j < b->b_count; j++)
        b->b_channels[j] =
            tolk_config_language_index(config, json_object_get_string(json_object_array_get_idx(list, (size_t)j)));
}

static void parse_booths(json_object *booths, tolk_matrix_config *config)
{
    config->booth_count = booths ? (int)json_object_array_length(booths) : 0;
    for (int i = 0; i < config->booth_count; i++) {
        json_object *booth = json_object_array_get_idx(booths, (size_t)i);
        config->booths[i].channel = tolk_config_language_index(config, string_field(booth, "language"));
        config->booths[i].console_count = (int)json_object_get_int64(json_object_object_get(booth, "consoles"));
        parse_b_channels(json_object_object_get(booth, "b_channels"), i, config);
    }
}

/* Fields shared by create and patch: the table has already checked the values. */
static void parse_settings(json_object *body, tolk_matrix_config *config)
{
    const char *s;
    if ((s = string_field(body, "interlock")))
        tolk_interlock_parse(s, &config->interlock);
    if ((s = string_field(body, "idle_channel")))
        tolk_idle_parse(s, &config->idle_channel);
    json_object *under;
    if (has_field(body, "original_under_db", &under))
        parse_original_under(under, &config->original_under, &config->original_under_db);
}

static bool parse_floor_aes67(json_object *body, tolk_floor_aes67_spec *out, tolk_error *err);

bool tolk_parse_session_create(json_object *body, tolk_session_spec *out, tolk_error *err)
{
    memset(out, 0, sizeof *out);
    if (!tolk_json_check(body, session_create_fields, err))
        return false;
    const char *s;
    if ((s = string_field(body, "id"))) {
        out->has_id = true;
        g_strlcpy(out->id, s, sizeof out->id);
    }
    if ((s = string_field(body, "name")))
        g_strlcpy(out->name, s, sizeof out->name);
    if ((s = string_field(body, "video_codec")))
        g_strlcpy(out->video_codec, s, sizeof out->video_codec);
    if ((s = string_field(body, "floor_language"))) {
        out->has_floor_language = true;
        g_strlcpy(out->floor_language, s, sizeof out->floor_language);
    }
    tolk_matrix_config *config = &out->matrix;
    config->interlock = TOLK_INTERLOCK_NO_OVERRIDE;
    config->idle_channel = TOLK_IDLE_FLOOR;
    parse_settings(body, config);
    parse_channels(json_object_object_get(body, "channels"), config);
    parse_booths(json_object_object_get(body, "booths"), config);
    if (!parse_floor_aes67(body, &out->floor_aes67, err))
        return false;
    tolk_result result;
    if (tolk_config_validate(config, &result))
        return true;
    tolk_error_from_result(err, &result);
    return false;
}

/* ---- PATCH /sessions/{sid} ---- */

bool tolk_parse_session_patch(json_object *body, const tolk_matrix_config *config,
                              tolk_session_patch *out, tolk_error *err)
{
    (void)config;
    memset(out, 0, sizeof *out);
    if (!tolk_json_check(body, session_patch_fields, err))
        return false;
    json_object *value;
    if ((out->has_name = has_field(body, "name", &value)))
        g_strlcpy(out->name, json_object_get_string(value), sizeof out->name);
    if ((out->has_floor_language = has_field(body, "floor_language", &value)) && value)
        g_strlcpy(out->floor_language, json_object_get_string(value), sizeof out->floor_language);
    if ((out->has_interlock = has_field(body, "interlock", &value)))
        tolk_interlock_parse(json_object_get_string(value), &out->interlock);
    if ((out->has_idle_channel = has_field(body, "idle_channel", &value)))
        tolk_idle_parse(json_object_get_string(value), &out->idle_channel);
    if ((out->has_original_under = has_field(body, "original_under_db", &value)))
        parse_original_under(value, &out->original_under, &out->original_under_db);
    if ((out->has_sound_check = has_field(body, "sound_check", &value)))
        out->sound_check = json_object_get_boolean(value);
    return true;
}

/* ---- PATCH .../channels/{ch}, POST .../tokens, POST .../signals ---- */

bool tolk_parse_channel_patch(json_object *body, tolk_channel_patch *out, tolk_error *err)
{
    if (!tolk_json_check(body, channel_patch_fields, err))
        return false;
    json_object *value;
    *out = (tolk_channel_patch){0};
    if ((out->has_public = has_field(body, "public", &value)))
        out->public_flag = json_object_get_boolean(value);
    if ((out->has_video = has_field(body, "video", &value)))
        out->video = json_object_get_boolean(value);
    if (!out->has_public && !out->has_video) {
        tolk_error_set(err, TOLK_ERROR_INVALID, "missing_field", "public",
                       "Field \"public\" or \"video\" is required.");
        return false;
    }
    return true;
}

bool tolk_parse_recording_start(json_object *body, const tolk_matrix_config *config,
                                bool channels[TOLK_MAX_CHANNELS + 1], tolk_error *err)
{
    memset(channels, 0, sizeof(bool) * (TOLK_MAX_CHANNELS + 1));
    json_object *list = body ? json_object_object_get(body, "channels") : NULL;
    if (body && !tolk_json_check(body, recording_start_fields, err))
        return false;
    for (int ch = 0; !list && ch <= config->channel_count; ch++)
        channels[ch] = true; /* no list: the floor and every channel */
    for (size_t i = 0; list && i < json_object_array_length(list); i++) {
        const char *name = json_object_get_string(json_object_array_get_idx(list, i));
        int ch = strcmp(name, "floor") == 0 ? 0 : tolk_config_language_index(config, name);
        if (ch < 0) {
            tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_value", "channels",
                           "Field \"channels\" names %.8s, which is not a channel of this session.", name);
            return false;
        }
        channels[ch] = true;
    }
    return true;
}

static unsigned uint_or(json_object *body, const char *name, unsigned fallback)
{
    json_object *v;
    return body && json_object_object_get_ex(body, name, &v) ? (unsigned)json_object_get_int64(v) : fallback;
}

bool tolk_parse_hls(json_object *body, tolk_hls_spec *out, tolk_error *err)
{
    if (body && !tolk_json_check(body, hls_fields, err))
        return false;
    out->segment_seconds = uint_or(body, "segment_seconds", TOLK_HLS_SEGMENT_DEFAULT);
    out->playlist_segments = uint_or(body, "playlist_segments", TOLK_HLS_LISTED_DEFAULT);
    out->bitrate = uint_or(body, "bitrate", TOLK_HLS_BITRATE_DEFAULT);
    return true;
}

bool tolk_parse_token_create(json_object *body, tolk_token_spec *out, tolk_error *err)
{
    memset(out, 0, sizeof *out);
    if (!tolk_json_check(body, token_create_fields, err))
        return false;
    tolk_grant_kind_parse(string_field(body, "role"), &out->role);
    const char *console = string_field(body, "console");
    const char *channel = string_field(body, "channel");
    bool is_console = out->role == TOLK_GRANT_CONSOLE, is_listener = out->role == TOLK_GRANT_LISTENER;
    if (is_console != (console != NULL) || is_listener != (channel != NULL)) {
        tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_value", is_console ? "console" : "channel",
                             "A console token names its \"console\" (e.g. \"en/1\"), a listener token its "
                             "\"channel\", a floor token neither.");
        return false;
    }
    g_strlcpy(out->target, console ? console : channel ? channel : "", sizeof out->target);
    return true;
}

bool tolk_parse_signal_create(json_object *body, tolk_signal_spec *out, tolk_error *err)
{
    memset(out, 0, sizeof *out);
    if (!tolk_json_check(body, signal_create_fields, err))
        return false;
    tolk_signal_kind_parse(string_field(body, "kind"), &out->kind);
    const char *console = string_field(body, "console");
    g_strlcpy(out->console, console ? console : "", sizeof out->console);
    return true;
}

/* ---- PATCH .../consoles/{n} ---- */

static bool parse_listen(const char *name, const tolk_matrix_config *config, int *listen, tolk_error *err)
{
    if (!tolk_listen_parse(config, name, listen)) {
        tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_value", "listen",
                             "Field \"listen\" must be \"floor\", \"auto\" or a channel of this session.");
        return false;
    }
    return true;
}

static bool parse_b_channel(const char *name, const tolk_matrix_config *config, int *b_channel,
                            tolk_error *err)
{
    if ((*b_channel = tolk_config_language_index(config, name)) < 0) {
        tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_value", "b_channel",
                             "Field \"b_channel\" must be a channel of this session.");
        return false;
    }
    return true;
}

bool tolk_parse_console_patch(json_object *body, const tolk_matrix_config *config, int booth_index,
                              tolk_console_patch *out, tolk_error *err)
{
    memset(out, 0, sizeof *out);
    if (booth_index < 0 || booth_index >= config->booth_count) {
        tolk_error_set(err, TOLK_ERROR_NOT_FOUND, "not_found", "", "There is no such booth.");
        return false;
    }
    if (!tolk_json_check(body, console_patch_fields, err))
        return false;
    const char *s;
    if ((out->has_mic = (s = string_field(body, "mic")) != NULL))
        tolk_mic_parse(s, &out->mic);
    if ((out->has_output = (s = string_field(body, "output")) != NULL))
        tolk_output_parse(s, &out->output);
    if ((out->has_b_channel = (s = string_field(body, "b_channel")) != NULL) &&
        !parse_b_channel(s, config, &out->b_channel, err))
        return false;
    if ((out->has_listen = (s = string_field(body, "listen")) != NULL) &&
        !parse_listen(s, config, &out->listen, err))
        return false;
    json_object *value;
    if ((out->has_partner_listen = has_field(body, "partner_listen", &value)))
        out->partner_listen = json_object_get_boolean(value);
    return true;
}

/* ---- POST .../outputs ---- */

static const char *const aes67_only_fields[] = {"encoding", "packet_time_ms", "ttl", "sap", "name", NULL};

/* The packet times AES67 allows, as samples at 48 kHz; 0 when ms is none of them. */
static int frame_samples_of(double ms)
{
    static const struct {
        double ms;
        int samples;
    } times[] = {{0.125, 6}, {0.25, 12}, {1.0 / 3.0, 16}, {1, 48}, {4, 192}};
    for (size_t i = 0; i < G_N_ELEMENTS(times); i++)
        if (fabs(ms - times[i].ms) < 0.001) /* 0.333 is a third of a millisecond: 16 samples */
            return times[i].samples;
    return 0;
}

static bool srtp_fields_only(json_object *body, tolk_output_spec *out, tolk_error *err)
{
    if (!out->encrypted) {
        tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_value", "encrypted",
                       "Field \"encrypted\" must be true for an SRTP output (only \"format\": \"aes67\" is plain RTP).");
        return false;
    }
    for (const char *const *f = aes67_only_fields; *f; f++) {
        if (json_object_object_get_ex(body, *f, NULL)) {
            tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_value", *f,
                           "Field \"%s\" is for an AES67 output only (\"format\": \"aes67\").", *f);
            return false;
        }
    }
    return true;
}

static bool parse_aes67_fields(json_object *body, tolk_output_spec *out, tolk_error *err)
{
    json_object *value;
    if (!has_field(body, "encrypted", &value) || json_object_get_boolean(value)) {
        tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_value", "encrypted",
                       "Field \"encrypted\" must be false for an AES67 output (AES67 is plain RTP).");
        return false;
    }
    if (json_object_object_get_ex(body, "key", NULL)) {
        tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_value", "key",
                       "Field \"key\" is for an SRTP output only: an AES67 output has no key.");
        return false;
    }
    if (out->ipv6) {
        tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_value", "host",
                       "Field \"host\" must be an IPv4 address for an AES67 output (the hall network is IPv4).");
        return false;
    }
    const char *encoding = string_field(body, "encoding");
    out->encoding_bits = encoding && strcmp(encoding, "L16") == 0 ? 16 : 24;
    out->frame_samples = 48;
    if (has_field(body, "packet_time_ms", &value) &&
        !(out->frame_samples = frame_samples_of(json_object_get_double(value)))) {
        tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_value", "packet_time_ms",
                       "Field \"packet_time_ms\" must be one of 0.125, 0.25, 0.333, 1 or 4 (AES67's packet times).");
        return false;
    }
    out->ttl = has_field(body, "ttl", &value) ? (int)json_object_get_int64(value) : 16;
    out->sap = !has_field(body, "sap", &value) || json_object_get_boolean(value);
    const char *name = string_field(body, "name");
    g_strlcpy(out->name, name ? name : "", sizeof out->name);
    return true;
}

bool tolk_parse_output_create(json_object *body, tolk_output_spec *out, tolk_error *err)
{
    memset(out, 0, sizeof *out);
    if (!tolk_json_check(body, output_create_fields, err))
        return false;
    const char *host = string_field(body, "host");
    struct in6_addr addr6;
    struct in_addr addr4;
    out->ipv6 = inet_pton(AF_INET6, host, &addr6) == 1;
    /* Sending to "any address" reaches nobody: it is certainly a mistake. */
    bool unspecified = out->ipv6 ? IN6_IS_ADDR_UNSPECIFIED(&addr6)
                                 : inet_pton(AF_INET, host, &addr4) == 1 && addr4.s_addr == INADDR_ANY;
    if (unspecified) {
        tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_value", "host",
                             "Field \"host\" must be a destination address, not the unspecified address.");
        return false;
    }
    g_strlcpy(out->host, host, sizeof out->host);
    out->port = (int)json_object_get_int64(json_object_object_get(body, "port"));
    const char *key = string_field(body, "key");
    tolk_output_key kind = TOLK_OUTPUT_KEY_SHARED;
    out->own_key = key && tolk_output_key_parse(key, &kind) && kind == TOLK_OUTPUT_KEY_OWN;
    const char *format = string_field(body, "format");
    out->aes67 = format && strcmp(format, "aes67") == 0;
    json_object *value;
    out->encrypted = !has_field(body, "encrypted", &value) || json_object_get_boolean(value);
    return out->aes67 ? parse_aes67_fields(body, out, err) : srtp_fields_only(body, out, err);
}

/* ---- PUT .../aes67, and "floor_aes67" of POST /sessions ---- */

/* The table has run on obj; prefix names where it is in the body ("" or "floor_aes67."). */
static bool aes67_source(json_object *obj, const char *prefix, tolk_aes67_source_spec *out, tolk_error *err)
{
    memset(out, 0, sizeof *out);
    const char *sdp = string_field(obj, "sdp"), *sap = string_field(obj, "sap");
    if (!sdp == !sap) {
        char field[40];
        snprintf(field, sizeof field, "%s%s", prefix, sdp ? "sap" : "sdp");
        tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_value", field,
                       "Give one of the fields \"%ssdp\" (the stream's SDP) and \"%ssap\" (the name it is "
                       "announced under).", prefix, prefix);
        return false;
    }
    if (sap && !*sap) {
        char field[40];
        snprintf(field, sizeof field, "%ssap", prefix);
        tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_value", field, "Field \"%s\" must be a session name.", field);
        return false;
    }
    out->sdp = sdp;
    g_strlcpy(out->sap, sap ? sap : "", sizeof out->sap);
    json_object *channel;
    out->channel = has_field(obj, "channel", &channel) ? (int)json_object_get_int64(channel) : 1;
    return true;
}

bool tolk_parse_aes67_source(json_object *body, tolk_aes67_source_spec *out, tolk_error *err)
{
    return tolk_json_check(body, aes67_source_fields, err) && aes67_source(body, "", out, err);
}

static bool parse_floor_aes67(json_object *body, tolk_floor_aes67_spec *out, tolk_error *err)
{
    json_object *obj;
    if (!has_field(body, "floor_aes67", &obj))
        return true;
    tolk_aes67_source_spec source;
    if (!aes67_source(obj, "floor_aes67.", &source, err))
        return false;
    out->on = true;
    g_strlcpy(out->sap, source.sap, sizeof out->sap);
    g_strlcpy(out->sdp, source.sdp ? source.sdp : "", sizeof out->sdp);
    out->channel = source.channel;
    return true;
}
