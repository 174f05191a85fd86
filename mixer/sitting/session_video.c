/* SPDX-License-Identifier: EUPL-1.2 */
/* A sitting's floor video (session_video.h): its sources, the operator's choice, the feed, and
 * who is asked for a key frame. */
#include "session_video.h"

#include <stdio.h>
#include <string.h>

#include "session.h"
#include "session_video_rtp.h"

#define TOLK_LOG_MODULE "video"
#include "log.h"

#define FEED_TICK_MS 100
#define SOURCE_LOST_US (2 * G_USEC_PER_SEC)

/* What asks a source for a key frame; the feed asks from media threads. */
typedef struct {
    tolk_webrtc_peer *peer; /* a reference */
    tolk_video_input *input;
    tolk_video_input_fn ask_input;
} ask_target;

struct tolk_session_video {
    tolk_session *session;
    tolk_video_feed *feed;
    GPtrArray *sources; /* tolk_session_video_source* */
    unsigned next_id;
    char chosen[TOLK_VIDEO_SOURCE_ID_SIZE];
    guint timer;
    /* The last states the watch saw, for telling the pages of a change. */
    char seen_states[TOLK_VIDEO_MAX_SOURCES][12];
    int seen_live;
    GMutex targets_lock; /* held while asking: clearing a target is a barrier */
    ask_target targets[TOLK_VIDEO_MAX_SOURCES];
};

static const char *const codec_words[] = {[TOLK_VIDEO_H264] = "h264", [TOLK_VIDEO_VP8] = "vp8"};

const char *tolk_video_codec_word(tolk_video_codec codec)
{
    return codec_words[codec];
}

bool tolk_video_codec_from_word(const char *word, tolk_video_codec *out)
{
    for (guint i = 0; i < G_N_ELEMENTS(codec_words); i++) {
        if (word && strcmp(word, codec_words[i]) == 0) {
            *out = (tolk_video_codec)i;
            return true;
        }
    }
    return false;
}

/* On a media thread (or the main loop's tick): hand the request on, never wait. */
static void ask_source(void *ctx, int number)
{
    tolk_session_video *video = ctx;
    if (number < 0 || number >= TOLK_VIDEO_MAX_SOURCES)
        return;
    g_mutex_lock(&video->targets_lock);
    ask_target *t = &video->targets[number];
    if (t->peer)
        tolk_webrtc_peer_request_keyframe(t->peer);
    else if (t->input)
        t->ask_input(t->input);
    g_mutex_unlock(&video->targets_lock);
}

static gboolean tick(gpointer ctx)
{
    tolk_session_video *video = ctx;
    tolk_video_feed_tick(video->feed, g_get_monotonic_time());
    return G_SOURCE_CONTINUE;
}

static void free_source(gpointer p)
{
    tolk_session_video_source *source = p;
    tolk_key_wipe(source->key, sizeof source->key);
    g_free(source);
}

tolk_session_video *tolk_session_video_new(tolk_session *session, tolk_video_codec codec)
{
    tolk_session_video *video = g_new0(tolk_session_video, 1);
    video->session = session;
    video->feed = tolk_video_feed_new(codec, g_random_int(), ask_source, video);
    video->sources = g_ptr_array_new_with_free_func(free_source);
    video->seen_live = -1;
    g_mutex_init(&video->targets_lock);
    video->timer = g_timeout_add(FEED_TICK_MS, tick, video);
    return video;
}

static void clear_target(tolk_session_video *video, int number)
{
    g_mutex_lock(&video->targets_lock);
    ask_target t = video->targets[number];
    video->targets[number] = (ask_target){0};
    g_mutex_unlock(&video->targets_lock);
    if (t.peer)
        tolk_webrtc_peer_unref(t.peer);
}

/* Its target gone (barrier), its input freed: nothing of it reaches the feed any more. */
static void release_source(tolk_session_video *video, tolk_session_video_source *source)
{
    clear_target(video, source->number);
    if (source->input)
        source->release_input(source->input);
    source->input = NULL;
    if (source->peer)
        tolk_webrtc_peer_unref(source->peer);
    source->peer = NULL;
}

void tolk_session_video_free(tolk_session_video *video)
{
    if (!video)
        return;
    if (video->timer)
        g_source_remove(video->timer);
    for (guint i = 0; i < video->sources->len; i++)
        release_source(video, g_ptr_array_index(video->sources, i));
    g_ptr_array_unref(video->sources);
    tolk_video_feed_free(video->feed);
    g_mutex_clear(&video->targets_lock);
    g_free(video);
}

tolk_video_feed *tolk_session_video_feed(tolk_session_video *video)
{
    return video->feed;
}

tolk_video_codec tolk_session_video_codec(tolk_session_video *video)
{
    return tolk_video_feed_codec(video->feed);
}

static int free_number(tolk_session_video *video)
{
    bool taken[TOLK_VIDEO_MAX_SOURCES] = {false};
    for (guint i = 0; i < video->sources->len; i++)
        taken[((tolk_session_video_source *)g_ptr_array_index(video->sources, i))->number] = true;
    for (int n = 0; n < TOLK_VIDEO_MAX_SOURCES; n++)
        if (!taken[n])
            return n;
    return -1;
}

/* A restored id "vN" keeps later ids from taking it again. */
static void note_id(tolk_session_video *video, const char *id)
{
    unsigned n;
    if (sscanf(id, "v%u", &n) == 1 && n > video->next_id)
        video->next_id = n;
}

tolk_session_video_source *tolk_session_video_add_source(tolk_session_video *video, tolk_video_source_kind kind,
                                                         const char *id, const char *name, tolk_error *err)
{
    int number = free_number(video);
    if (number < 0) {
        tolk_error_set(err, TOLK_ERROR_CONFLICT, "too_many_video_sources", NULL,
                       "the sitting has %d video sources, the most it takes; remove one first",
                       TOLK_VIDEO_MAX_SOURCES);
        return NULL;
    }
    tolk_session_video_source *source = g_new0(tolk_session_video_source, 1);
    if (id) {
        g_strlcpy(source->id, id, sizeof source->id);
        note_id(video, id);
    } else {
        snprintf(source->id, sizeof source->id, "v%u", ++video->next_id);
    }
    source->kind = kind;
    source->number = number;
    source->payload_type = -1;
    if (name && name[0])
        g_strlcpy(source->name, name, sizeof source->name);
    else
        snprintf(source->name, sizeof source->name, "Camera %u", video->sources->len + 1);
    tolk_video_feed_reset_source(video->feed, number);
    g_ptr_array_add(video->sources, source);
    if (!video->chosen[0] && !id)
        tolk_session_video_choose(video, source->id, NULL);
    LOG_INFO_AT(TOLK_WHERE(.sitting = video->session->id), "video source %s (%s) added", source->id, source->name);
    tolk_session_changed(video->session);
    return source;
}

void tolk_session_video_set_peer(tolk_session_video *video, tolk_session_video_source *source,
                                 tolk_webrtc_peer *peer)
{
    clear_target(video, source->number);
    if (source->peer)
        tolk_webrtc_peer_unref(source->peer);
    source->peer = peer ? tolk_webrtc_peer_ref(peer) : NULL;
    g_mutex_lock(&video->targets_lock);
    video->targets[source->number].peer = peer ? tolk_webrtc_peer_ref(peer) : NULL;
    g_mutex_unlock(&video->targets_lock);
}

void tolk_session_video_set_input(tolk_session_video *video, tolk_session_video_source *source,
                                  tolk_video_input *input, tolk_video_input_fn ask, tolk_video_input_fn release)
{
    clear_target(video, source->number);
    source->input = input;
    source->release_input = release;
    g_mutex_lock(&video->targets_lock);
    video->targets[source->number] = (ask_target){.input = input, .ask_input = ask};
    g_mutex_unlock(&video->targets_lock);
}

static bool find_index(tolk_session_video *video, const char *id, guint *index)
{
    for (guint i = 0; id && i < video->sources->len; i++) {
        if (strcmp(((tolk_session_video_source *)g_ptr_array_index(video->sources, i))->id, id) == 0) {
            *index = i;
            return true;
        }
    }
    return false;
}

static void remove_at(tolk_session_video *video, guint index)
{
    tolk_session_video_source *source = g_ptr_array_index(video->sources, index);
    if (strcmp(video->chosen, source->id) == 0)
        tolk_session_video_choose(video, NULL, NULL);
    LOG_INFO_AT(TOLK_WHERE(.sitting = video->session->id), "video source %s (%s) removed", source->id, source->name);
    release_source(video, source);
    g_ptr_array_remove_index(video->sources, index);
    tolk_session_changed(video->session);
}

bool tolk_session_video_remove_source(tolk_session_video *video, const char *id)
{
    guint index;
    if (!find_index(video, id, &index))
        return false;
    remove_at(video, index);
    return true;
}

void tolk_session_video_peer_ended(tolk_session_video *video, tolk_webrtc_peer *peer)
{
    for (guint i = video->sources->len; i-- > 0;) {
        tolk_session_video_source *source = g_ptr_array_index(video->sources, i);
        if (source->kind == TOLK_VIDEO_SOURCE_WHIP && source->peer == peer)
            remove_at(video, i);
    }
}

tolk_session_video_source *tolk_session_video_find_source(tolk_session_video *video, const char *id)
{
    guint index;
    return find_index(video, id, &index) ? g_ptr_array_index(video->sources, index) : NULL;
}

guint tolk_session_video_source_count(tolk_session_video *video)
{
    return video->sources->len;
}

tolk_session_video_source *tolk_session_video_source_at(tolk_session_video *video, guint i)
{
    return i < video->sources->len ? g_ptr_array_index(video->sources, i) : NULL;
}

bool tolk_session_video_choose(tolk_session_video *video, const char *id, tolk_error *err)
{
    tolk_session_video_source *source = NULL;
    if (id && !(source = tolk_session_video_find_source(video, id))) {
        tolk_error_set(err, TOLK_ERROR_NOT_FOUND, "video_source_not_found", "source",
                       "the sitting has no video source %.20s", id);
        return false;
    }
    g_strlcpy(video->chosen, source ? source->id : "", sizeof video->chosen);
    tolk_video_feed_select(video->feed, source ? source->number : -1, g_get_monotonic_time());
    LOG_INFO_AT(TOLK_WHERE(.sitting = video->session->id), "floor video: %s", source ? source->name : "no picture");
    tolk_session_changed(video->session);
    return true;
}

const char *tolk_session_video_chosen(tolk_session_video *video)
{
    return video->chosen;
}

static tolk_session_video_source *source_numbered(tolk_session_video *video, int number)
{
    for (guint i = 0; i < video->sources->len; i++) {
        tolk_session_video_source *source = g_ptr_array_index(video->sources, i);
        if (source->number == number)
            return source;
    }
    return NULL;
}

/* The source on the line now, or NULL. */
static tolk_session_video_source *live_source(tolk_session_video *video)
{
    tolk_video_feed_stats stats;
    tolk_video_feed_get_stats(video->feed, &stats);
    return stats.live >= 0 ? source_numbered(video, stats.live) : NULL;
}

const char *tolk_session_video_live(tolk_session_video *video)
{
    tolk_session_video_source *source = live_source(video);
    return source ? source->id : "";
}

const char *tolk_session_video_source_state(tolk_session_video *video, const tolk_session_video_source *source)
{
    tolk_video_source_stats stats;
    tolk_video_feed_source_stats(video->feed, source->number, &stats);
    if (!stats.last_us)
        return "waiting";
    return g_get_monotonic_time() - stats.last_us > SOURCE_LOST_US ? "lost" : "receiving";
}

bool tolk_session_video_watch(tolk_session_video *video)
{
    bool changed = false;
    for (guint i = 0; i < video->sources->len; i++) {
        tolk_session_video_source *source = g_ptr_array_index(video->sources, i);
        const char *state = tolk_session_video_source_state(video, source);
        char *seen = video->seen_states[source->number];
        if (strcmp(seen, state) != 0) {
            if (seen[0] || strcmp(state, "waiting") != 0)
                LOG_INFO_AT(TOLK_WHERE(.sitting = video->session->id), "video source %s (%s): %s", source->id,
                            source->name, state);
            g_strlcpy(seen, state, sizeof video->seen_states[0]);
            changed = true;
        }
    }
    tolk_video_feed_stats stats;
    tolk_video_feed_get_stats(video->feed, &stats);
    if (stats.live != video->seen_live) {
        video->seen_live = stats.live;
        changed = true;
    }
    if (changed)
        tolk_session_changed(video->session);
    return changed;
}

static json_object *source_json(tolk_session_video *video, const tolk_session_video_source *source)
{
    tolk_video_source_stats stats;
    tolk_video_feed_source_stats(video->feed, source->number, &stats);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_string(source->id));
    json_object_object_add(o, "name", json_object_new_string(source->name));
    json_object_object_add(o, "kind", json_object_new_string(source->kind == TOLK_VIDEO_SOURCE_WHIP ? "whip" : "rtp"));
    json_object_object_add(o, "state", json_object_new_string(tolk_session_video_source_state(video, source)));
    json_object_object_add(o, "packets", json_object_new_int64((int64_t)stats.packets));
    json_object_object_add(o, "keyframes", json_object_new_int64((int64_t)stats.keyframes));
    json_object_object_add(o, "invalid", json_object_new_int64((int64_t)stats.invalid));
    json_object_object_add(o, "second_stream", json_object_new_int64((int64_t)stats.second_stream));
    if (source->kind == TOLK_VIDEO_SOURCE_RTP)
        tolk_session_video_rtp_describe(video->session, source, o);
    return o;
}

static json_object *id_or_null(const char *id)
{
    return id && id[0] ? json_object_new_string(id) : NULL;
}

static json_object *stats_json(const tolk_video_feed_stats *s)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "forwarded", json_object_new_int64((int64_t)s->forwarded));
    json_object_object_add(o, "delivered", json_object_new_int64((int64_t)s->delivered));
    json_object_object_add(o, "skipped", json_object_new_int64((int64_t)s->skipped));
    json_object_object_add(o, "keyframe_requests", json_object_new_int64((int64_t)s->asked));
    json_object_object_add(o, "keyframe_requests_sent", json_object_new_int64((int64_t)s->sent));
    json_object_object_add(o, "switches", json_object_new_int64((int64_t)s->switches));
    return o;
}

json_object *tolk_session_video_json(tolk_session_video *video)
{
    tolk_video_feed_stats stats;
    tolk_video_feed_get_stats(video->feed, &stats);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "codec", json_object_new_string(tolk_video_codec_word(tolk_session_video_codec(video))));
    json_object_object_add(o, "chosen", id_or_null(video->chosen));
    tolk_session_video_source *live = stats.live >= 0 ? source_numbered(video, stats.live) : NULL;
    json_object_object_add(o, "live", id_or_null(live ? live->id : NULL));
    json_object_object_add(o, "viewers", json_object_new_int(stats.viewers));
    json_object *sources = json_object_new_array();
    for (guint i = 0; i < video->sources->len; i++)
        json_object_array_add(sources, source_json(video, g_ptr_array_index(video->sources, i)));
    json_object_object_add(o, "sources", sources);
    json_object_object_add(o, "stats", stats_json(&stats));
    return o;
}

json_object *tolk_session_video_short_json(tolk_session_video *video)
{
    tolk_session_video_source *live = live_source(video);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "codec", json_object_new_string(tolk_video_codec_word(tolk_session_video_codec(video))));
    json_object_object_add(o, "live", json_object_new_boolean(live != NULL));
    json_object_object_add(o, "live_name", live ? json_object_new_string(live->name) : NULL);
    return o;
}
