/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The interpretation matrix: the rules of ../shared/docs/domain.md as pure C.
 *
 * No GStreamer, no HTTP, no allocation after tolk_matrix_new(), no threads: the
 * caller serialises access. Media and the API are adapters around this module: the
 * API layer turns requests into tolk_matrix_* calls, the media layer turns a
 * tolk_route into mixer gains.
 *
 * Indices:
 *   channel 0 is `floor`; channels 1..channel_count are the language channels in
 *   the order of the configuration.
 *   A console is addressed by (booth index, console index), both 0-based; its slot
 *   in dense arrays is TOLK_SLOT(booth, console). The API's "en/2" is booth "en",
 *   console index 1.
 */
#ifndef TOLK_RULES_H
#define TOLK_RULES_H

#include <stdbool.h>
#include <stddef.h>

#define TOLK_MAX_CHANNELS 64 /* language channels, floor not counted */
#define TOLK_MAX_BOOTHS TOLK_MAX_CHANNELS
#define TOLK_MAX_CONSOLES 6 /* per booth */
#define TOLK_MAX_SLOTS (TOLK_MAX_BOOTHS * TOLK_MAX_CONSOLES)
#define TOLK_LANG_SIZE 4 /* 2 or 3 lowercase letters and NUL */
#define TOLK_FLOOR 0     /* channel index of the floor */
#define TOLK_SLOT(booth, console) ((booth) * TOLK_MAX_CONSOLES + (console))

/* Sizes of the API's identifiers and texts, NUL included (api-v1.md). */
#define TOLK_SESSION_ID_SIZE 33 /* [a-z0-9][a-z0-9-]{0,31} */
#define TOLK_NAME_SIZE 256      /* a session's name */
#define TOLK_OUTPUT_NAME_SIZE 128 /* an AES67 output's name, its SDP s= (127 bytes, as aes67_sdp writes it) */
#define TOLK_HOST_SIZE 46       /* a numeric IPv4 or IPv6 address: INET6_ADDRSTRLEN */
#define TOLK_CONSOLE_ID_SIZE 16 /* "en/2" */

typedef enum { TOLK_INTERLOCK_NO_OVERRIDE, TOLK_INTERLOCK_OVERRIDE, TOLK_INTERLOCK_FREE } tolk_interlock;
typedef enum { TOLK_IDLE_FLOOR, TOLK_IDLE_SILENCE } tolk_idle;
typedef enum { TOLK_MIC_OFF, TOLK_MIC_ON, TOLK_MIC_MUTED } tolk_mic;
typedef enum { TOLK_OUTPUT_A, TOLK_OUTPUT_B } tolk_output;
/* The key an RTP output is sent with: the stream's shared one or its own. */
typedef enum { TOLK_OUTPUT_KEY_SHARED, TOLK_OUTPUT_KEY_OWN } tolk_output_key;
typedef enum { TOLK_QUALITY_FLOOR, TOLK_QUALITY_PLUS, TOLK_QUALITY_MINUS, TOLK_QUALITY_NONE } tolk_quality;
typedef enum { TOLK_SOURCE_FLOOR, TOLK_SOURCE_SILENCE, TOLK_SOURCE_CONSOLE } tolk_source_kind;
/* The roles a token grants (domain.md, Roles): one console, one channel, the floor. */
typedef enum { TOLK_GRANT_CONSOLE, TOLK_GRANT_LISTENER, TOLK_GRANT_FLOOR } tolk_grant_kind;
typedef enum {
    TOLK_SIGNAL_SLOWER,
    TOLK_SIGNAL_TECHNICIAN,
    TOLK_SIGNAL_HANDOVER_REQUEST,
    TOLK_SIGNAL_HANDOVER_ACCEPT,
} tolk_signal_kind;
#define TOLK_SIGNAL_KINDS (TOLK_SIGNAL_HANDOVER_ACCEPT + 1)

/* What a console listens to: TOLK_LISTEN_FLOOR, TOLK_LISTEN_AUTO or a channel index >= 1. */
#define TOLK_LISTEN_AUTO (-1)
#define TOLK_LISTEN_FLOOR TOLK_FLOOR

typedef struct {
    int channel;          /* index of the booth's A channel (>= 1) */
    int console_count;    /* 1..TOLK_MAX_CONSOLES */
    int b_count;          /* number of allowed B channels */
    int b_channels[TOLK_MAX_CHANNELS]; /* channel indices, none equal to `channel` */
} tolk_booth_config;

typedef struct {
    int channel_count;                              /* 1..TOLK_MAX_CHANNELS */
    char channels[TOLK_MAX_CHANNELS + 1][TOLK_LANG_SIZE]; /* [0] = "floor" is not stored: [0] unused */
    int booth_count;                                /* 0..channel_count, one booth per channel at most */
    tolk_booth_config booths[TOLK_MAX_BOOTHS];
    tolk_interlock interlock;
    tolk_idle idle_channel;
    bool original_under;                            /* false: off */
    double original_under_db;                       /* -60..0, used when original_under */
} tolk_matrix_config;

typedef struct {
    tolk_mic mic;
    tolk_output output;
    int b_channel;        /* channel index, or -1 when the booth has no B channel */
    int listen;           /* TOLK_LISTEN_FLOOR, TOLK_LISTEN_AUTO or a channel index */
    bool partner_listen;  /* the return feed adds the booth's live partner's microphone */
} tolk_console_state;

/* A PATCH of one console: only the fields whose has_* flag is set change. */
typedef struct {
    bool has_mic, has_output, has_b_channel, has_listen, has_partner_listen;
    tolk_mic mic;
    tolk_output output;
    int b_channel;
    int listen;
    bool partner_listen;
} tolk_console_patch;

/* Why a rule refused. The module stays libc only, so this is its own small result;
 * common/error.h's tolk_error_from_result() is the one adapter to the daemon's error type. */
typedef enum {
    TOLK_OK = 0,
    TOLK_ERR_INVALID,        /* the configuration or patch is wrong */
    TOLK_ERR_NOT_FOUND,      /* no such booth or console */
    TOLK_ERR_ENGAGED,        /* the state forbids it now (code channel_engaged...) */
} tolk_status;

typedef struct {
    tolk_status status;
    const char *code;        /* snake_case error code for the API, NULL when TOLK_OK */
    char field[40];          /* the request field at fault, "" when none */
    char message[160];       /* a sentence naming the field or thing */
} tolk_result;

typedef enum {
    TOLK_EVENT_MIC,          /* console's mic changed (on/off/muted) */
    TOLK_EVENT_HANDOVER,     /* console went off because a partner in its booth went live; other = partner */
    TOLK_EVENT_OVERRIDDEN,   /* console went off because another booth took its channel; other = newcomer */
    TOLK_EVENT_TOOK_OVER,    /* console took a channel from another booth's console; other = previous */
    TOLK_EVENT_CONSOLE_LOST, /* console's input stopped (rule 8): treated as mic off */
    TOLK_EVENT_CHANNEL,      /* a channel's source or quality changed; channel set */
} tolk_event_kind;

typedef struct {
    tolk_event_kind kind;
    int booth, console;              /* the console concerned, -1 for TOLK_EVENT_CHANNEL */
    int other_booth, other_console;  /* -1 when none */
    int channel;                     /* TOLK_EVENT_CHANNEL: the channel; else -1 */
} tolk_event;

#define TOLK_MAX_EVENTS 256
typedef struct {
    int count;
    tolk_event events[TOLK_MAX_EVENTS];
} tolk_events;

/* The state of one channel as the API shows it. */
typedef struct {
    tolk_source_kind source;
    int booth, console;      /* the carrying console for TOLK_SOURCE_CONSOLE (the first, in free mode) */
    tolk_quality quality;
} tolk_channel_state;

/* The complete mix plan of a session: gains are linear amplitudes (0 = not heard). */
typedef struct {
    float floor_gain;                   /* the floor input's gain in this channel */
    float console_gain[TOLK_MAX_SLOTS]; /* each console microphone's gain in this channel */
} tolk_mix;

typedef struct {
    tolk_mix channel[TOLK_MAX_CHANNELS + 1];  /* [0] is the floor channel: floor_gain 1, consoles 0 */
    int console_hears[TOLK_MAX_SLOTS];        /* channel index each console's return feed carries */
    /* What each console's return feed mixes: the gains of the channel it hears (so a change of
     * listen source is a ramp of these gains, never a cut between streams), plus, with
     * partner_listen, the microphone of the booth's live partner (gain 1 while on, 0 muted). */
    tolk_mix feed[TOLK_MAX_SLOTS];
} tolk_route;

typedef struct tolk_matrix tolk_matrix;

/* The one check of a session's configuration (indices in range, a booth per channel at most,
 * b_channels valid...), with the API's field paths and messages: the request parser calls it
 * on what it read, tolk_matrix_new() on what it is given. err may be NULL. */
bool tolk_config_validate(const tolk_matrix_config *config, tolk_result *err);

/* Checks the config (tolk_config_validate) and returns NULL with *err filled when it is invalid. Consoles start off, output A,
 * b_channel = first allowed B channel (or -1), listen floor. */
tolk_matrix *tolk_matrix_new(const tolk_matrix_config *config, tolk_result *err);
void tolk_matrix_free(tolk_matrix *m);
const tolk_matrix_config *tolk_matrix_config_get(const tolk_matrix *m);

/* Session-wide settings (PATCH /sessions/{sid}). Changing them never fails;
 * the route changes accordingly. Events: TOLK_EVENT_CHANNEL for each channel whose state changes. */
void tolk_matrix_set_interlock(tolk_matrix *m, tolk_interlock interlock, tolk_events *events);
void tolk_matrix_set_idle_channel(tolk_matrix *m, tolk_idle idle, tolk_events *events);
void tolk_matrix_set_original_under(tolk_matrix *m, bool on, double db, tolk_events *events);

/* Applies a console PATCH all-or-nothing (rules 4, 5, 6). On error nothing changes
 * and *result says why; events gets what changed (may be NULL). */
tolk_result tolk_matrix_patch_console(tolk_matrix *m, int booth, int console,
                                      const tolk_console_patch *patch, tolk_events *events);

/* Rule 8: the console's input stopped. A live console goes off (TOLK_EVENT_CONSOLE_LOST). */
void tolk_matrix_console_lost(tolk_matrix *m, int booth, int console, tolk_events *events);

const tolk_console_state *tolk_matrix_console(const tolk_matrix *m, int booth, int console);
bool tolk_matrix_console_is_live(const tolk_matrix *m, int booth, int console); /* mic on or muted */
tolk_channel_state tolk_matrix_channel(const tolk_matrix *m, int channel);
/* The channel a console's return feed carries now (auto resolved). */
int tolk_matrix_console_hears(const tolk_matrix *m, int booth, int console);
void tolk_matrix_route(const tolk_matrix *m, tolk_route *route);

/* Lookups and names for adapters. Return -1 when unknown. */
int tolk_matrix_channel_index(const tolk_matrix *m, const char *name); /* "floor" -> 0 */
int tolk_matrix_booth_index(const tolk_matrix *m, const char *language);
const char *tolk_matrix_channel_name(const tolk_matrix *m, int channel); /* 0 -> "floor" */
/* A language channel of a configuration by name: 1..channel_count, -1 for any other
 * name, "floor" included. */
int tolk_config_language_index(const tolk_matrix_config *cfg, const char *name);
const char *tolk_config_channel_name(const tolk_matrix_config *cfg, int channel); /* 0 -> "floor" */
/* A console's listen setting: "floor", "auto" or a language channel. */
bool tolk_listen_parse(const tolk_matrix_config *cfg, const char *s, int *listen);
const char *tolk_listen_name(const tolk_matrix_config *cfg, int listen);
/* What a channel carries as the API shows it: "floor", "silence" or the console's id. */
void tolk_channel_source_name(const tolk_matrix_config *cfg, const tolk_channel_state *state, char *buf,
                              size_t size);
int tolk_config_booth_index(const tolk_matrix_config *cfg, const char *language); /* -1: none */
/* The API's id of a console: booth en, console index 1 -> "en/2". */
void tolk_console_id(const tolk_matrix_config *cfg, int booth, int console, char *buf, size_t size);
/* The console of booth language and number ("1".."6"), as in .../booths/en/consoles/2. False
 * when there is none; *booth is still the booth's index (-1 when there is no such booth). */
bool tolk_console_lookup(const tolk_matrix_config *cfg, const char *language, const char *number, int *booth,
                         int *console);
/* The inverse of tolk_console_id(): "en/2" -> booth en, console index 1; false when none. */
bool tolk_console_id_parse(const tolk_matrix_config *cfg, const char *id, int *booth, int *console);

/* 2 or 3 lowercase ASCII letters; that alone rules out "floor". Reads at most
 * TOLK_LANG_SIZE bytes, so a full char[TOLK_LANG_SIZE] without NUL is refused. */
bool tolk_is_language_code(const char *s);

/* The inputs of a sitting in the API's order: the floor, then every console of every
 * booth. Start from TOLK_EACH_INPUT (the floor first) or TOLK_EACH_CONSOLE:
 *     for (tolk_input in = TOLK_EACH_INPUT; tolk_input_next(cfg, &in);) ...  */
typedef struct {
    int booth, console;             /* -1, -1 for the floor */
    int slot;                       /* TOLK_SLOT(booth, console), -1 for the floor */
    char id[TOLK_CONSOLE_ID_SIZE];  /* "floor" or the console's id, "en/2" */
} tolk_input;
#define TOLK_EACH_INPUT ((tolk_input){.booth = -2})
#define TOLK_EACH_CONSOLE ((tolk_input){.booth = -1})
bool tolk_input_next(const tolk_matrix_config *cfg, tolk_input *in);
/* The API's id of an input by slot: "floor" for -1, else the console's id. */
void tolk_input_id(const tolk_matrix_config *cfg, int slot, char *buf, size_t size);

/* The API's names of the enums, the one place they are spelled. Each table lists the
 * names NULL-terminated in the order the API documents them (validators and their
 * messages use it); that order need not be the enum's, so convert with name() (NULL
 * for a value out of range) and parse() (false for an unknown name). */
extern const char *const tolk_interlock_names[]; /* "no-override", "override", "free" */
extern const char *const tolk_idle_names[];      /* "floor", "silence" */
extern const char *const tolk_mic_names[];       /* "on", "off", "muted" */
extern const char *const tolk_output_names[];    /* "A", "B" */
extern const char *const tolk_output_key_names[];  /* "shared", "own" */
extern const char *const tolk_grant_kind_names[];  /* "console", "listener", "floor" */
extern const char *const tolk_signal_kind_names[]; /* "slower", "technician", "handover_request", ... */

const char *tolk_interlock_name(tolk_interlock v);
const char *tolk_idle_name(tolk_idle v);
const char *tolk_mic_name(tolk_mic v);
const char *tolk_output_name(tolk_output v);
const char *tolk_output_key_name(tolk_output_key v);
const char *tolk_grant_kind_name(tolk_grant_kind v);
const char *tolk_signal_kind_name(tolk_signal_kind v);
const char *tolk_quality_name(tolk_quality v);      /* "floor", "+", "-", NULL for none */
bool tolk_interlock_parse(const char *s, tolk_interlock *out);
bool tolk_idle_parse(const char *s, tolk_idle *out);
bool tolk_mic_parse(const char *s, tolk_mic *out);
bool tolk_output_parse(const char *s, tolk_output *out);
bool tolk_output_key_parse(const char *s, tolk_output_key *out);
bool tolk_grant_kind_parse(const char *s, tolk_grant_kind *out);
bool tolk_signal_kind_parse(const char *s, tolk_signal_kind *out);

#endif
