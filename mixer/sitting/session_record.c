/* SPDX-License-Identifier: EUPL-1.2 */
#include "session_record.h"
#include "session_icecast.h"

#include <string.h>

#include "session_video_rtp.h"
#include "signals.h"
#include "video_input.h"

#define TOLK_LOG_MODULE "state"
#include "log.h"

/* ---- writing ---- */

static void add_int(json_object *o, const char *name, int64_t v)
{
    json_object_object_add(o, name, json_object_new_int64(v));
}

static void add_key(json_object *o, const char *name, const uint8_t key[TOLK_KEY_LEN])
{
    char b64[TOLK_KEY_B64_LEN + 1];
    tolk_key_to_base64(key, b64);
    json_object_object_add(o, name, json_object_new_string(b64));
    tolk_key_wipe(b64, sizeof b64);
}

static json_object *matrix_record(const tolk_matrix_config *c)
{
    json_object *m = json_object_new_object();
    json_object *channels = json_object_new_array();
    for (int ch = 1; ch <= c->channel_count; ch++)
        json_object_array_add(channels, json_object_new_string(c->channels[ch]));
    json_object_object_add(m, "channels", channels);
    json_object *booths = json_object_new_array();
    for (int b = 0; b < c->booth_count; b++) {
        json_object *booth = json_object_new_object();
        add_int(booth, "channel", c->booths[b].channel);
        add_int(booth, "consoles", c->booths[b].console_count);
        json_object *bs = json_object_new_array();
        for (int i = 0; i < c->booths[b].b_count; i++)
            json_object_array_add(bs, json_object_new_int(c->booths[b].b_channels[i]));
        json_object_object_add(booth, "b_channels", bs);
        json_object_array_add(booths, booth);
    }
    json_object_object_add(m, "booths", booths);
    add_int(m, "interlock", c->interlock);
    add_int(m, "idle_channel", c->idle_channel);
    json_object_object_add(m, "original_under", json_object_new_boolean(c->original_under));
    json_object_object_add(m, "original_under_db", json_object_new_double(c->original_under_db));
    return m;
}

/* The AES67 source as the operator gave it: the SAP name, or the SDP; null for SRTP. */
static json_object *aes67_record(const tolk_session_aes67 *a)
{
    if (!a->on)
        return NULL;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "sap", a->sap[0] ? json_object_new_string(a->sap) : NULL);
    json_object_object_add(o, "sdp", !a->sap[0] && a->sdp ? json_object_new_string(a->sdp) : NULL);
    add_int(o, "channel", a->channel);
    return o;
}

static json_object *input_record(const tolk_session_input *input)
{
    json_object *o = json_object_new_object();
    add_int(o, "port", input->port);
    add_key(o, "key", input->key);
    json_object_object_add(o, "aes67", aes67_record(&input->aes67));
    return o;
}

static json_object *consoles_record(tolk_session *session)
{
    const tolk_matrix_config *config = tolk_matrix_config_get(session->matrix);
    json_object *list = json_object_new_array();
    for (tolk_input in = TOLK_EACH_CONSOLE; tolk_input_next(config, &in);) {
        const tolk_console_state *c = tolk_matrix_console(session->matrix, in.booth, in.console);
        json_object *o = input_record(&session->consoles[in.slot]);
        add_int(o, "slot", in.slot);
        add_key(o, "feed_key", session->feed_keys[in.slot]);
        add_int(o, "mic", c->mic);
        add_int(o, "output", c->output);
        add_int(o, "b_channel", c->b_channel);
        add_int(o, "listen", c->listen);
        json_object_object_add(o, "partner_listen", json_object_new_boolean(c->partner_listen));
        json_object_array_add(list, o);
    }
    return list;
}

/* The channel's Icecast source as the operator set it, password included (the state file is
 * private: docs/state.md). */
static json_object *icecast_record(const tolk_icecast_source *src)
{
    if (!src)
        return NULL;
    const tolk_icecast_config *c = tolk_icecast_source_config(src);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "url", json_object_new_string(c->url));
    json_object_object_add(o, "user", json_object_new_string(c->user));
    json_object_object_add(o, "password", json_object_new_string(c->password));
    json_object_object_add(o, "listen_url", json_object_new_string(c->listen_url));
    json_object_object_add(o, "name", json_object_new_string(c->name));
    json_object_object_add(o, "description", json_object_new_string(c->description));
    return o;
}

static json_object *hls_record(const tolk_hls_config *cfg)
{
    json_object *o = json_object_new_object();
    add_int(o, "segment_seconds", cfg->segment_seconds);
    add_int(o, "playlist_segments", cfg->playlist_segments);
    add_int(o, "bitrate", cfg->bitrate);
    return o;
}

static json_object *channels_record(tolk_session *session)
{
    json_object *list = json_object_new_array();
    for (int ch = 0; ch <= tolk_matrix_config_get(session->matrix)->channel_count; ch++) {
        json_object *o = json_object_new_object();
        add_key(o, "key", session->channel_keys[ch]);
        json_object_object_add(o, "public", json_object_new_boolean(session->channel_public[ch]));
        if (session->icecast[ch])
            json_object_object_add(o, "icecast", icecast_record(session->icecast[ch]));
        if (session->hls[ch].configured)
            json_object_object_add(o, "hls", hls_record(&session->hls[ch].cfg));
        json_object_object_add(o, "video", json_object_new_boolean(session->channel_video[ch]));
        json_object_array_add(list, o);
    }
    return list;
}

/* An AES67 output: what the API made of it, and its SSRC and o= id, so that receivers (and
 * SAP listeners) see the same stream after a restart. */
static void add_aes67(json_object *o, const tolk_session_output *out)
{
    json_object *a = json_object_new_object();
    add_int(a, "encoding", out->encoding);
    add_int(a, "frame_samples", out->frame_samples);
    add_int(a, "ttl", out->ttl);
    json_object_object_add(a, "sap", json_object_new_boolean(out->sap));
    json_object_object_add(a, "name", json_object_new_string(out->name));
    add_int(a, "ssrc", out->ssrc);
    add_int(a, "sdp_id", (int64_t)out->sdp_id);
    json_object_object_add(o, "aes67", a);
}

static json_object *outputs_record(tolk_session *session)
{
    json_object *list = json_object_new_array();
    for (guint i = 0; i < session->outputs->len; i++) {
        const tolk_session_output *out = g_ptr_array_index(session->outputs, i);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_string(out->id));
        add_int(o, "channel", out->channel);
        add_int(o, "slot", out->slot);
        json_object_object_add(o, "host", json_object_new_string(out->host));
        add_int(o, "port", out->port);
        if (out->aes67)
            add_aes67(o, out);
        if (out->own_key) {
            add_key(o, "own_key", out->key);
            add_int(o, "roc_base",
                    tolk_media_output_roc_base(session->media, out->channel, out->slot, out->destination));
        }
        json_object_array_add(list, o);
    }
    return list;
}

static json_object *signals_record(tolk_session *session)
{
    json_object *list = json_object_new_array();
    for (guint i = 0; i < session->signals->len; i++) {
        const tolk_signal *s = g_ptr_array_index(session->signals, i);
        json_object *o = json_object_new_object();
        add_int(o, "id", s->id);
        add_int(o, "kind", s->kind);
        add_int(o, "booth", s->booth);
        add_int(o, "console", s->console);
        add_int(o, "at_us", s->at_us);
        add_int(o, "repeats", s->repeats);
        json_object_array_add(list, o);
    }
    return list;
}

/* The channels that record, by name: a restart starts each in a new segment. */
static json_object *recording_record(tolk_session *session)
{
    json_object *list = json_object_new_array();
    for (int ch = 0; ch <= tolk_matrix_config_get(session->matrix)->channel_count; ch++) {
        if (tolk_session_recording_on(session, ch))
            json_object_array_add(list, json_object_new_string(tolk_matrix_channel_name(session->matrix, ch)));
    }
    return list;
}

static void add_grant(const tolk_grant *g, void *ctx)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_string(g->id));
    json_object_object_add(o, "token", json_object_new_string(g->token));
    add_int(o, "kind", g->kind);
    add_int(o, "booth", g->booth);
    add_int(o, "console", g->console);
    add_int(o, "channel", g->channel);
    json_object_array_add(ctx, o);
}

/* The text is wiped before it is freed: it holds keys and tokens. */
static char *to_text(json_object *o)
{
    char *text = g_strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    return text;
}

/* The floor video: its codec and the operator's choice (sources of kind "rtp" in their own
 * list, session_video_rtp.c; WHIP cameras come back by themselves: the publisher reconnects).
 * Optional on reading: records of before issue 11 have none. */
static json_object *video_record(tolk_session_video *video)
{
    json_object *v = json_object_new_object();
    json_object_object_add(v, "codec", json_object_new_string(tolk_video_codec_word(tolk_session_video_codec(video))));
    json_object_object_add(v, "chosen", json_object_new_string(tolk_session_video_chosen(video)));
    json_object_object_add(v, "sources", tolk_session_video_rtp_record(video));
    return v;
}

char *tolk_session_record(tolk_session *session, tolk_grants *grants)
{
    json_object *r = json_object_new_object();
    add_int(r, "version", TOLK_RECORD_VERSION);
    json_object_object_add(r, "id", json_object_new_string(session->id));
    json_object_object_add(r, "name", json_object_new_string(session->name));
    json_object_object_add(r, "floor_language", json_object_new_string(session->floor_language));
    json_object_object_add(r, "matrix", matrix_record(tolk_matrix_config_get(session->matrix)));
    json_object_object_add(r, "floor_from_file", json_object_new_boolean(session->floor_from_file));
    json_object_object_add(r, "floor", input_record(&session->floor));
    json_object_object_add(r, "consoles", consoles_record(session));
    json_object_object_add(r, "channels", channels_record(session));
    json_object_object_add(r, "sound_check", json_object_new_boolean(session->sound_check));
    json_object_object_add(r, "outputs", outputs_record(session));
    add_int(r, "next_output", session->next_output);
    json_object_object_add(r, "signals", signals_record(session));
    add_int(r, "next_signal", session->next_signal);
    json_object_object_add(r, "recording", recording_record(session));
    json_object_object_add(r, "video", video_record(session->video));
    json_object *list = json_object_new_array();
    tolk_grants_foreach(grants, session->id, add_grant, list);
    json_object_object_add(r, "grants", list);
    return to_text(r);
}

static json_object *position_record(const tolk_srtp_position *p)
{
    json_object *o = json_object_new_object();
    add_int(o, "ssrc", p->ssrc);
    add_int(o, "index", (int64_t)p->index);
    add_int(o, "timestamp", p->timestamp);
    add_int(o, "shared_roc_base", p->shared_roc_base);
    return o;
}

static uint64_t mix_in(uint64_t digest, uint64_t value)
{
    return (digest ^ value) * 0x100000001b3ull; /* FNV-1a over 64-bit words */
}

/* One walk over every position of a sitting: into a digest always, into the counters record
 * when `record` (else only the digest is made: the once-a-second look at an idle sitting). */
typedef struct {
    tolk_session *session;
    uint64_t digest;
    json_object *record, *channels, *feeds, *consoles;
} counters_walk;

static json_object *take_stream(counters_walk *w, int channel, int slot)
{
    tolk_srtp_position p;
    tolk_media_stream_position(w->session->media, channel, slot, &p);
    w->digest = mix_in(mix_in(w->digest, p.index), p.ssrc ^ (uint64_t)p.shared_roc_base << 32);
    return w->record ? position_record(&p) : NULL;
}

/* An input's senders: into the digest, and (when recording) a list. */
static json_object *senders_list(counters_walk *w, const tolk_srtp_receiver_position *at, int n)
{
    json_object *list = w->record ? json_object_new_array() : NULL;
    for (int i = 0; i < n; i++) {
        w->digest = mix_in(mix_in(w->digest, at[i].highest), at[i].ssrc);
        if (!list)
            continue;
        json_object *o = json_object_new_object();
        add_int(o, "ssrc", at[i].ssrc);
        add_int(o, "highest", (int64_t)at[i].highest);
        json_object_array_add(list, o);
    }
    return list;
}

static json_object *take_senders(counters_walk *w, int slot)
{
    tolk_srtp_receiver_position at[TOLK_SRTP_RECEIVER_SENDERS];
    int n = tolk_media_input_positions_at(w->session->media, slot, at, TOLK_SRTP_RECEIVER_SENDERS);
    return senders_list(w, at, n);
}

/* Where each RTP video source's sender stands: its rollover counter and the replays to refuse
 * after a restart, as for the audio inputs. */
static json_object *take_video_senders(counters_walk *w)
{
    json_object *list = w->record ? json_object_new_array() : NULL;
    for (guint i = 0; i < tolk_session_video_source_count(w->session->video); i++) {
        tolk_session_video_source *source = tolk_session_video_source_at(w->session->video, i);
        tolk_srtp_receiver_position at[TOLK_SRTP_RECEIVER_SENDERS];
        int n = source->input ? tolk_video_input_positions(source->input, at, TOLK_SRTP_RECEIVER_SENDERS) : 0;
        json_object *senders = senders_list(w, at, n);
        if (!list || n == 0) {
            json_object_put(senders);
            continue;
        }
        json_object *entry = json_object_new_object();
        json_object_object_add(entry, "id", json_object_new_string(source->id));
        json_object_object_add(entry, "senders", senders);
        json_object_array_add(list, entry);
    }
    return list;
}

static void walk_counters(counters_walk *w)
{
    const tolk_matrix_config *config = tolk_matrix_config_get(w->session->matrix);
    w->digest = 0xcbf29ce484222325ull;
    for (int ch = 0; ch <= config->channel_count; ch++) {
        json_object *o = take_stream(w, ch, -1);
        if (o)
            json_object_array_add(w->channels, o);
    }
    json_object *floor = take_senders(w, -1);
    for (tolk_input in = TOLK_EACH_CONSOLE; tolk_input_next(config, &in);) {
        json_object *feed = take_stream(w, -1, in.slot);
        json_object *senders = take_senders(w, in.slot);
        if (!w->record)
            continue;
        add_int(feed, "slot", in.slot);
        json_object_array_add(w->feeds, feed);
        json_object *console = json_object_new_object();
        add_int(console, "slot", in.slot);
        json_object_object_add(console, "senders", senders);
        json_object_array_add(w->consoles, console);
    }
    json_object *video = take_video_senders(w);
    if (!w->record)
        return;
    json_object_object_add(w->record, "video", video);
    json_object *inputs = json_object_new_object();
    json_object_object_add(inputs, "floor", floor);
    json_object_object_add(inputs, "consoles", w->consoles);
    json_object_object_add(w->record, "channels", w->channels);
    json_object_object_add(w->record, "feeds", w->feeds);
    json_object_object_add(w->record, "inputs", inputs);
}

char *tolk_session_counters(tolk_session *session, gint64 now_real_us)
{
    counters_walk w = {.session = session, .record = json_object_new_object(), .channels = json_object_new_array(),
                       .feeds = json_object_new_array(), .consoles = json_object_new_array()};
    add_int(w.record, "at_us", now_real_us);
    walk_counters(&w);
    return to_text(w.record);
}

uint64_t tolk_session_counters_digest(tolk_session *session)
{
    counters_walk w = {.session = session};
    walk_counters(&w);
    return w.digest;
}

/* ---- reading ---- */

typedef struct {
    const char *sitting;
    tolk_error *err;
    bool failed;
    tolk_error own; /* where err points for a reader of the restore, which logs and goes on */
} reader;

static void reader_init(reader *rd, const char *sitting)
{
    *rd = (reader){.sitting = sitting};
    rd->err = &rd->own;
}

static void bad(reader *rd, const char *field)
{
    if (!rd->failed)
        tolk_error_set(rd->err, TOLK_ERROR_INVALID, "state_invalid", field,
                       "the state record of sitting %s has a bad %s", rd->sitting, field);
    rd->failed = true;
}

static json_object *member(reader *rd, json_object *o, const char *name, json_type type)
{
    json_object *v = NULL;
    if (!o || !json_object_object_get_ex(o, name, &v) || !json_object_is_type(v, type)) {
        bad(rd, name);
        return NULL;
    }
    return v;
}

static int64_t get_int(reader *rd, json_object *o, const char *name, int64_t lo, int64_t hi)
{
    json_object *v = member(rd, o, name, json_type_int);
    int64_t n = v ? json_object_get_int64(v) : lo;
    if (v && (n < lo || n > hi)) {
        bad(rd, name);
        return lo;
    }
    return n;
}

static bool get_bool(reader *rd, json_object *o, const char *name)
{
    json_object *v = member(rd, o, name, json_type_boolean);
    return v && json_object_get_boolean(v);
}

static void get_text(reader *rd, json_object *o, const char *name, char *out, size_t size)
{
    json_object *v = member(rd, o, name, json_type_string);
    if (v && (size_t)json_object_get_string_len(v) >= size)
        bad(rd, name);
    else if (v)
        g_strlcpy(out, json_object_get_string(v), size);
}

static void get_key(reader *rd, json_object *o, const char *name, uint8_t key[TOLK_KEY_LEN])
{
    json_object *v = member(rd, o, name, json_type_string);
    if (v && !tolk_key_from_base64(json_object_get_string(v), key))
        bad(rd, name);
}

static json_object *get_array(reader *rd, json_object *o, const char *name, size_t max)
{
    json_object *v = member(rd, o, name, json_type_array);
    if (v && json_object_array_length(v) > max) {
        bad(rd, name);
        return NULL;
    }
    return v;
}

static void read_matrix(reader *rd, json_object *m, tolk_matrix_config *c)
{
    json_object *channels = get_array(rd, m, "channels", TOLK_MAX_CHANNELS);
    c->channel_count = channels ? (int)json_object_array_length(channels) : 0;
    for (int ch = 1; ch <= c->channel_count; ch++) {
        json_object *v = json_object_array_get_idx(channels, (size_t)ch - 1);
        if (!json_object_is_type(v, json_type_string) || !tolk_is_language_code(json_object_get_string(v)))
            bad(rd, "matrix.channels");
        else
            g_strlcpy(c->channels[ch], json_object_get_string(v), TOLK_LANG_SIZE);
    }
    json_object *booths = get_array(rd, m, "booths", TOLK_MAX_BOOTHS);
    c->booth_count = booths ? (int)json_object_array_length(booths) : 0;
    for (int b = 0; b < c->booth_count; b++) {
        json_object *booth = json_object_array_get_idx(booths, (size_t)b);
        c->booths[b].channel = (int)get_int(rd, booth, "channel", 1, TOLK_MAX_CHANNELS);
        c->booths[b].console_count = (int)get_int(rd, booth, "consoles", 1, TOLK_MAX_CONSOLES);
        json_object *bs = get_array(rd, booth, "b_channels", TOLK_MAX_CHANNELS);
        c->booths[b].b_count = bs ? (int)json_object_array_length(bs) : 0;
        for (int i = 0; i < c->booths[b].b_count; i++)
            c->booths[b].b_channels[i] = json_object_get_int(json_object_array_get_idx(bs, (size_t)i));
    }
    c->interlock = (tolk_interlock)get_int(rd, m, "interlock", TOLK_INTERLOCK_NO_OVERRIDE, TOLK_INTERLOCK_FREE);
    c->idle_channel = (tolk_idle)get_int(rd, m, "idle_channel", TOLK_IDLE_FLOOR, TOLK_IDLE_SILENCE);
    c->original_under = get_bool(rd, m, "original_under");
    json_object *db = json_object_object_get(m, "original_under_db");
    c->original_under_db = db ? json_object_get_double(db) : 0;
    tolk_result result;
    if (!rd->failed && !tolk_config_validate(c, &result))
        bad(rd, "matrix");
}

static void read_input(reader *rd, json_object *o, tolk_saved_input *input)
{
    input->port = (int)get_int(rd, o, "port", 1, 65535);
    get_key(rd, o, "key", input->key);
}

/* Where a stream continues: the counters' index moved on by the time since they were read. */
static void read_start(reader *rd, json_object *o, gint64 elapsed_us, tolk_media_stream_start *start)
{
    tolk_srtp_position *p = &start->at;
    p->ssrc = (uint32_t)get_int(rd, o, "ssrc", 0, UINT32_MAX);
    uint64_t index = (uint64_t)get_int(rd, o, "index", 0, INT64_C(1) << 47);
    uint32_t timestamp = (uint32_t)get_int(rd, o, "timestamp", 0, UINT32_MAX);
    p->shared_roc_base = (uint32_t)get_int(rd, o, "shared_roc_base", 0, UINT32_MAX);
    uint64_t frames = elapsed_us < 0 ? TOLK_RESTART_BACKWARDS : (uint64_t)(elapsed_us + 19999) / 20000;
    p->index = index + frames + TOLK_RESTART_MARGIN;
    p->timestamp = timestamp + (uint32_t)((elapsed_us < 0 ? 0 : elapsed_us) * 48 / 1000);
    start->continues = !rd->failed && p->shared_roc_base <= p->index >> 16;
}

static int read_senders(reader *rd, json_object *list, tolk_srtp_receiver_position *out)
{
    int n = list ? (int)MIN(json_object_array_length(list), TOLK_SRTP_RECEIVER_SENDERS) : 0;
    for (int i = 0; i < n; i++) {
        json_object *o = json_object_array_get_idx(list, (size_t)i);
        out[i].ssrc = (uint32_t)get_int(rd, o, "ssrc", 0, UINT32_MAX);
        out[i].highest = (uint64_t)get_int(rd, o, "highest", 0, INT64_C(1) << 47);
    }
    return n;
}

static void read_counters(reader *rd, json_object *c, gint64 now_real_us, tolk_session_saved *saved)
{
    gint64 elapsed = now_real_us - get_int(rd, c, "at_us", 0, INT64_MAX);
    const tolk_matrix_config *config = &saved->params.matrix;
    json_object *channels = get_array(rd, c, "channels", TOLK_MAX_CHANNELS + 1);
    for (int ch = 0; channels && ch < (int)json_object_array_length(channels) && ch <= config->channel_count; ch++)
        read_start(rd, json_object_array_get_idx(channels, (size_t)ch), elapsed, &saved->channel_starts[ch]);
    json_object *feeds = get_array(rd, c, "feeds", TOLK_MAX_SLOTS);
    for (size_t i = 0; feeds && i < json_object_array_length(feeds); i++) {
        json_object *o = json_object_array_get_idx(feeds, i);
        int slot = (int)get_int(rd, o, "slot", 0, TOLK_MAX_SLOTS - 1);
        read_start(rd, o, elapsed, &saved->feed_starts[slot]);
    }
    json_object *inputs = member(rd, c, "inputs", json_type_object);
    saved->floor_senders = read_senders(rd, get_array(rd, inputs, "floor", 64), saved->floor_positions);
    json_object *consoles = get_array(rd, inputs, "consoles", TOLK_MAX_SLOTS);
    for (size_t i = 0; consoles && i < json_object_array_length(consoles); i++) {
        json_object *o = json_object_array_get_idx(consoles, i);
        int slot = (int)get_int(rd, o, "slot", 0, TOLK_MAX_SLOTS - 1);
        saved->console_senders[slot] =
            read_senders(rd, get_array(rd, o, "senders", 64), saved->console_positions[slot]);
    }
}

static void read_video_codec(reader *rd, json_object *r, tolk_video_codec *codec)
{
    json_object *video = NULL;
    char word[8] = "vp8";
    if (json_object_object_get_ex(r, "video", &video))
        get_text(rd, video, "codec", word, sizeof word);
    if (!tolk_video_codec_from_word(word, codec))
        bad(rd, "video.codec");
}

/* After the sources are back: the operator's choice, if that source still is. */
static void restore_video_choice(tolk_session *session, json_object *r)
{
    json_object *video = NULL, *chosen = NULL;
    if (!json_object_object_get_ex(r, "video", &video) || !json_object_object_get_ex(video, "chosen", &chosen))
        return;
    const char *id = json_object_get_string(chosen);
    if (id && id[0] && tolk_session_video_find_source(session->video, id))
        tolk_session_video_choose(session->video, id, NULL);
}

static void read_record(reader *rd, json_object *r, tolk_session_saved *saved)
{
    if (get_int(rd, r, "version", 0, INT32_MAX) != TOLK_RECORD_VERSION)
        bad(rd, "version");
    tolk_session_params *params = &saved->params;
    get_text(rd, r, "id", params->id, sizeof params->id);
    get_text(rd, r, "name", params->name, sizeof params->name);
    get_text(rd, r, "floor_language", params->floor_language, sizeof params->floor_language);
    read_video_codec(rd, r, &params->video_codec);
    read_matrix(rd, member(rd, r, "matrix", json_type_object), &params->matrix);
    saved->floor_from_file = get_bool(rd, r, "floor_from_file");
    read_input(rd, member(rd, r, "floor", json_type_object), &saved->floor);
    json_object *consoles = get_array(rd, r, "consoles", TOLK_MAX_SLOTS);
    for (size_t i = 0; consoles && i < json_object_array_length(consoles); i++) {
        json_object *o = json_object_array_get_idx(consoles, i);
        int slot = (int)get_int(rd, o, "slot", 0, TOLK_MAX_SLOTS - 1);
        read_input(rd, o, &saved->consoles[slot]);
        get_key(rd, o, "feed_key", saved->feed_keys[slot]);
    }
    json_object *channels = get_array(rd, r, "channels", TOLK_MAX_CHANNELS + 1);
    for (size_t ch = 0; channels && ch < json_object_array_length(channels); ch++)
        get_key(rd, json_object_array_get_idx(channels, ch), "key", saved->channel_keys[ch]);
    if (!channels || (int)json_object_array_length(channels) != params->matrix.channel_count + 1)
        bad(rd, "channels");
}

tolk_session_saved *tolk_session_saved_parse(const char *record, const char *counters, gint64 now_real_us,
                                             tolk_error *err)
{
    tolk_session_saved *saved = g_new0(tolk_session_saved, 1);
    saved->record = json_tokener_parse(record);
    reader rd = {.sitting = "?", .err = err};
    json_object *id = NULL;
    if (json_object_object_get_ex(saved->record, "id", &id) && json_object_is_type(id, json_type_string))
        rd.sitting = json_object_get_string(id);
    if (!json_object_is_type(saved->record, json_type_object))
        bad(&rd, "record");
    else
        read_record(&rd, saved->record, saved);
    json_object *c = counters && !rd.failed ? json_tokener_parse(counters) : NULL;
    if (c && !rd.failed) {
        reader crd = {.sitting = rd.sitting, .err = err};
        read_counters(&crd, c, now_real_us, saved);
        saved->video_counters = json_object_get(json_object_object_get(c, "video"));
        if (crd.failed) /* the sitting comes back; its streams start afresh (new SSRCs) */
            LOG_WARN_AT(TOLK_WHERE(.sitting = rd.sitting),
                        "its counters record is unusable (%s): its outputs start new streams", err->message);
    }
    json_object_put(c);
    if (rd.failed) {
        tolk_session_saved_free(saved);
        return NULL;
    }
    saved->params.saved = saved;
    return saved;
}

void tolk_session_saved_free(tolk_session_saved *saved)
{
    if (!saved)
        return;
    json_object_put(saved->record);
    json_object_put(saved->video_counters);
    tolk_key_wipe(saved, sizeof *saved);
    g_free(saved);
}

/* ---- putting the rest back ---- */

static void read_aes67(reader *rd, json_object *a, tolk_session_output *out)
{
    out->aes67 = true;
    out->encoding = get_int(rd, a, "encoding", TOLK_AES67_L16, TOLK_AES67_L24) == TOLK_AES67_L16 ? TOLK_AES67_L16
                                                                                               : TOLK_AES67_L24;
    out->frame_samples = (int)get_int(rd, a, "frame_samples", 6, 192);
    out->ttl = (int)get_int(rd, a, "ttl", 1, 255);
    out->sap = get_bool(rd, a, "sap");
    get_text(rd, a, "name", out->name, sizeof out->name);
    out->ssrc = (uint32_t)get_int(rd, a, "ssrc", 0, UINT32_MAX);
    out->sdp_id = (uint64_t)get_int(rd, a, "sdp_id", 0, INT64_MAX);
}

static void restore_output(tolk_session *session, json_object *o)
{
    reader rd;
    reader_init(&rd, session->id);
    tolk_session_output out = {0};
    get_text(&rd, o, "id", out.id, sizeof out.id);
    out.channel = (int)get_int(&rd, o, "channel", -1, TOLK_MAX_CHANNELS);
    out.slot = (int)get_int(&rd, o, "slot", -1, TOLK_MAX_SLOTS - 1);
    get_text(&rd, o, "host", out.host, sizeof out.host);
    out.port = (int)get_int(&rd, o, "port", 1, 65535);
    uint32_t roc_base = 0;
    json_object *aes67 = json_object_object_get(o, "aes67");
    if (aes67)
        read_aes67(&rd, aes67, &out);
    out.own_key = json_object_object_get(o, "own_key") != NULL;
    if (out.own_key) {
        get_key(&rd, o, "own_key", out.key);
        roc_base = (uint32_t)get_int(&rd, o, "roc_base", 0, UINT32_MAX);
    }
    if (rd.failed || !tolk_session_restore_output(session, &out, roc_base, rd.err))
        LOG_WARN_AT(TOLK_WHERE(.sitting = session->id, .output = out.id[0] ? out.id : "?"), "not restored: %s",
                    rd.err->message);
    tolk_key_wipe(&out, sizeof out);
}

static void patch_console(tolk_session *session, int slot, const tolk_console_patch *patch, const char *what)
{
    tolk_error err;
    if (!tolk_session_patch_console(session, slot / TOLK_MAX_CONSOLES, slot % TOLK_MAX_CONSOLES, patch, &err)) {
        char id[TOLK_CONSOLE_ID_SIZE];
        tolk_console_id(tolk_matrix_config_get(session->matrix), slot / TOLK_MAX_CONSOLES, slot % TOLK_MAX_CONSOLES,
                        id, sizeof id);
        LOG_WARN_AT(TOLK_WHERE(.sitting = session->id, .console = id), "%s not restored: %s", what, err.message);
    }
}

/* Through the rules, as an interpreter would: what it hears and speaks into first, then the
 * microphone (a cough is a live microphone, muted). */
/* An input's AES67 source of before (input_record); a SAP name waits for its announcement. */
static void restore_aes67(tolk_session *session, int slot, json_object *input)
{
    json_object *a = input ? json_object_object_get(input, "aes67") : NULL;
    if (!a || !json_object_is_type(a, json_type_object))
        return;
    char name[TOLK_CONSOLE_ID_SIZE];
    tolk_input_id(tolk_matrix_config_get(session->matrix), slot, name, sizeof name);
    if (!session->allow_plain_rtp) {
        LOG_WARN_AT(TOLK_WHERE(.sitting = session->id, .console = name),
                    "its AES67 source is not restored: the daemon now refuses plain RTP (no --allow-plain-rtp)");
        return;
    }
    json_object *sdp = json_object_object_get(a, "sdp"), *sap = json_object_object_get(a, "sap");
    json_object *channel = json_object_object_get(a, "channel");
    tolk_error err;
    if (!tolk_session_set_aes67(session, slot, json_object_is_type(sdp, json_type_string) ? json_object_get_string(sdp) : NULL,
                                json_object_is_type(sap, json_type_string) ? json_object_get_string(sap) : NULL,
                                channel ? (int)json_object_get_int(channel) : 1, NULL, &err))
        LOG_WARN_AT(TOLK_WHERE(.sitting = session->id, .console = name), "its AES67 source is not restored: %s",
                    err.message);
}

static void restore_console(tolk_session *session, json_object *o)
{
    reader rd;
    reader_init(&rd, session->id);
    int slot = (int)get_int(&rd, o, "slot", 0, TOLK_MAX_SLOTS - 1);
    tolk_console_patch setup = {.has_output = true, .has_listen = true, .has_partner_listen = true};
    setup.output = (tolk_output)get_int(&rd, o, "output", TOLK_OUTPUT_A, TOLK_OUTPUT_B);
    setup.listen = (int)get_int(&rd, o, "listen", TOLK_LISTEN_AUTO, TOLK_MAX_CHANNELS);
    setup.partner_listen = get_bool(&rd, o, "partner_listen");
    int b_channel = (int)get_int(&rd, o, "b_channel", -1, TOLK_MAX_CHANNELS);
    setup.has_b_channel = b_channel >= 0;
    setup.b_channel = b_channel;
    tolk_mic mic = (tolk_mic)get_int(&rd, o, "mic", TOLK_MIC_OFF, TOLK_MIC_MUTED);
    if (rd.failed) {
        LOG_WARN_AT(TOLK_WHERE(.sitting = session->id), "a console's state not restored: %s", rd.err->message);
        return;
    }
    patch_console(session, slot, &setup, "what it hears and speaks into");
    restore_aes67(session, slot, o);
    if (mic == TOLK_MIC_OFF)
        return;
    patch_console(session, slot, &(tolk_console_patch){.has_mic = true, .mic = TOLK_MIC_ON}, "its live microphone");
    if (mic == TOLK_MIC_MUTED)
        patch_console(session, slot, &(tolk_console_patch){.has_mic = true, .mic = TOLK_MIC_MUTED}, "its cough");
}

static void restore_signals(tolk_session *session, json_object *list)
{
    reader rd;
    reader_init(&rd, session->id);
    for (size_t i = 0; list && i < json_object_array_length(list); i++) {
        json_object *o = json_object_array_get_idx(list, i);
        tolk_signal *s = g_new0(tolk_signal, 1);
        s->id = (unsigned)get_int(&rd, o, "id", 1, UINT32_MAX);
        s->kind = (tolk_signal_kind)get_int(&rd, o, "kind", 0, TOLK_SIGNAL_KINDS - 1);
        s->booth = (int)get_int(&rd, o, "booth", 0, TOLK_MAX_BOOTHS - 1);
        s->console = (int)get_int(&rd, o, "console", 0, TOLK_MAX_CONSOLES - 1);
        s->at_us = get_int(&rd, o, "at_us", 0, INT64_MAX);
        s->repeats = (unsigned)get_int(&rd, o, "repeats", 1, UINT32_MAX);
        if (rd.failed) {
            g_free(s);
            LOG_WARN_AT(TOLK_WHERE(.sitting = session->id), "open signals not restored: %s", rd.err->message);
            return;
        }
        g_ptr_array_add(session->signals, s);
    }
}

static void restore_grants(tolk_session *session, json_object *list, tolk_grants *grants)
{
    reader rd;
    reader_init(&rd, session->id);
    for (size_t i = 0; list && i < json_object_array_length(list); i++) {
        json_object *o = json_object_array_get_idx(list, i);
        tolk_grant g = {0};
        get_text(&rd, o, "id", g.id, sizeof g.id);
        get_text(&rd, o, "token", g.token, sizeof g.token);
        g_strlcpy(g.session, session->id, sizeof g.session);
        g.kind = (tolk_grant_kind)get_int(&rd, o, "kind", TOLK_GRANT_CONSOLE, TOLK_GRANT_FLOOR);
        g.booth = (int)get_int(&rd, o, "booth", -1, TOLK_MAX_BOOTHS - 1);
        g.console = (int)get_int(&rd, o, "console", -1, TOLK_MAX_CONSOLES - 1);
        g.channel = (int)get_int(&rd, o, "channel", -1, TOLK_MAX_CHANNELS);
        if (rd.failed || !tolk_grants_restore(grants, &g))
            LOG_WARN_AT(TOLK_WHERE(.sitting = session->id), "token %s not restored", g.id[0] ? g.id : "?");
        rd.failed = false;
        tolk_key_wipe(&g, sizeof g);
    }
}

/* A record of before recording existed has none: nothing records. */
static void restore_recording(tolk_session *session, json_object *list)
{
    for (size_t i = 0; list && json_object_is_type(list, json_type_array) && i < json_object_array_length(list); i++) {
        const char *name = json_object_get_string(json_object_array_get_idx(list, i));
        int channel = name ? tolk_matrix_channel_index(session->matrix, name) : -1;
        tolk_error err;
        if (channel < 0)
            LOG_WARN_AT(TOLK_WHERE(.sitting = session->id), "restore: no channel %s to record", name ? name : "?");
        else if (!tolk_session_set_recording(session, channel, true, &err))
            LOG_WARN_AT(TOLK_WHERE(.sitting = session->id), "restore: recording not resumed: %s", err.message);
    }
}

static void restore_icecast(tolk_session *session, int channel, json_object *o)
{
    reader rd;
    reader_init(&rd, session->id);
    tolk_icecast_config *c = g_new0(tolk_icecast_config, 1);
    get_text(&rd, o, "url", c->url, sizeof c->url);
    get_text(&rd, o, "user", c->user, sizeof c->user);
    get_text(&rd, o, "password", c->password, sizeof c->password);
    get_text(&rd, o, "listen_url", c->listen_url, sizeof c->listen_url);
    get_text(&rd, o, "name", c->name, sizeof c->name);
    get_text(&rd, o, "description", c->description, sizeof c->description);
    tolk_icecast_target target;
    const char *why = "";
    if (rd.failed || !tolk_icecast_url_parse(c->url, &target, &why))
        LOG_WARN_AT(TOLK_WHERE(.sitting = session->id, .channel = tolk_matrix_channel_name(session->matrix, channel)),
                    "Icecast source not restored: %s%s", rd.failed ? rd.err->message : "url ", why);
    else
        tolk_session_restore_icecast(session, channel, c);
    tolk_key_wipe(c, sizeof *c);
    g_free(c);
}

/* A channel's HLS as configured (a record of before HLS has none); it runs again if the
 * channel is public. Bounds as the API's: a bad record restores no HLS, and says so. */
static void restore_hls(tolk_session *session, int channel, json_object *o)
{
    json_object *h;
    if (!json_object_object_get_ex(o, "hls", &h))
        return;
    reader rd;
    reader_init(&rd, session->id);
    tolk_hls_config cfg = {
        .segment_seconds = (unsigned)get_int(&rd, h, "segment_seconds", TOLK_HLS_SEGMENT_MIN, TOLK_HLS_SEGMENT_MAX),
        .playlist_segments = (unsigned)get_int(&rd, h, "playlist_segments", TOLK_HLS_LISTED_MIN, TOLK_HLS_LISTED_MAX),
        .bitrate = (unsigned)get_int(&rd, h, "bitrate", TOLK_HLS_BITRATE_MIN, TOLK_HLS_BITRATE_MAX),
    };
    if (rd.failed) {
        LOG_WARN_AT(TOLK_WHERE(.sitting = session->id), "HLS of channel %d not restored: %s", channel, rd.err->message);
        return;
    }
    tolk_session_hls_restore(session, channel, &cfg);
}

void tolk_session_restore_state(tolk_session *session, const tolk_session_saved *saved, tolk_grants *grants)
{
    json_object *r = saved->record;
    reader rd;
    reader_init(&rd, session->id);
    json_object *channels = json_object_object_get(r, "channels");
    /* Public first: an Icecast source or HLS of a public channel runs again at once. */
    for (size_t ch = 0; ch < json_object_array_length(channels); ch++) {
        json_object *c = json_object_array_get_idx(channels, ch), *icecast = json_object_object_get(c, "icecast");
        session->channel_public[ch] = get_bool(&rd, c, "public");
        json_object *video = NULL;
        if (json_object_object_get_ex(c, "video", &video) && ch <= TOLK_MAX_CHANNELS)
            session->channel_video[ch] = json_object_get_boolean(video);
        if (icecast && (int)ch <= tolk_matrix_config_get(session->matrix)->channel_count)
            restore_icecast(session, (int)ch, icecast);
        restore_hls(session, (int)ch, c);
    }
    json_object *outputs = get_array(&rd, r, "outputs", TOLK_MAX_SESSION_OUTPUTS);
    for (size_t i = 0; outputs && i < json_object_array_length(outputs); i++)
        restore_output(session, json_object_array_get_idx(outputs, i));
    unsigned next_output = (unsigned)get_int(&rd, r, "next_output", 0, UINT32_MAX);
    session->next_output = MAX(session->next_output, next_output);
    json_object *consoles = json_object_object_get(r, "consoles");
    for (size_t i = 0; i < json_object_array_length(consoles); i++)
        restore_console(session, json_object_array_get_idx(consoles, i));
    restore_aes67(session, -1, json_object_object_get(r, "floor"));
    restore_signals(session, get_array(&rd, r, "signals", 4096));
    session->next_signal = (unsigned)get_int(&rd, r, "next_signal", 0, UINT32_MAX);
    restore_grants(session, get_array(&rd, r, "grants", TOLK_MAX_GRANTS_PER_SESSION), grants);
    if (get_bool(&rd, r, "sound_check"))
        tolk_session_set_sound_check(session, true);
    restore_recording(session, json_object_object_get(r, "recording"));
    json_object *video = json_object_object_get(r, "video");
    tolk_session_video_rtp_restore(session, json_object_object_get(video, "sources"), saved->video_counters);
    restore_video_choice(session, r);
    tolk_session_changed(session);
}
