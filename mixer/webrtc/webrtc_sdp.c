/* SPDX-License-Identifier: EUPL-1.2 */
/* Reading offers and trickle fragments: just enough SDP to pick the Opus
 * payload type the browser chose (Chromium 111, Firefox 109) and to map
 * candidates to m-lines. webrtcbin does the real negotiation. */
#include <gst/sdp/sdp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include "webrtc_private.h"

void tolk_webrtc_offer_refused(tolk_error *err, const char *fmt, ...)
{
    char message[sizeof err->message];
    va_list ap;
    va_start(ap, fmt);
    g_vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_offer", NULL, "%s", message);
}

static void frag_refused(tolk_error *err, const char *message)
{
    tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_candidates", NULL, "%s", message);
}

/* "111 opus/48000/2": the payload type (0-127) and where its encoding starts. */
static bool rtpmap_pt(const char *rtpmap, guint64 *pt, const char **encoding)
{
    char *end = NULL;
    guint64 value = g_ascii_strtoull(rtpmap, &end, 10);
    if (end == rtpmap || *end != ' ' || value > 127)
        return false;
    while (*end == ' ')
        end++;
    *pt = value;
    *encoding = end;
    return true;
}

/* "111 opus/48000/2" -> 111 when the payload type is one the m-line lists. */
static bool rtpmap_is_opus(const GstSDPMedia *media, const char *rtpmap, unsigned *pt)
{
    guint64 value;
    const char *end;
    if (!rtpmap_pt(rtpmap, &value, &end) || g_ascii_strncasecmp(end, "opus/48000", 10) != 0)
        return false;
    char number[8];
    g_snprintf(number, sizeof number, "%u", (unsigned)value);
    for (guint i = 0; i < gst_sdp_media_formats_len(media); i++) {
        if (strcmp(gst_sdp_media_get_format(media, i), number) == 0) {
            *pt = (unsigned)value;
            return true;
        }
    }
    return false;
}

static bool media_opus_pt(const GstSDPMedia *media, unsigned *pt)
{
    for (guint i = 0; i < gst_sdp_media_attributes_len(media); i++) {
        const GstSDPAttribute *a = gst_sdp_media_get_attribute(media, i);
        if (a->key && strcmp(a->key, "rtpmap") == 0 && a->value && rtpmap_is_opus(media, a->value, pt))
            return true;
    }
    return false;
}

static GStrv collect_mids(const GstSDPMessage *sdp)
{
    GStrvBuilder *builder = g_strv_builder_new();
    for (guint i = 0; i < gst_sdp_message_medias_len(sdp); i++) {
        const char *mid = gst_sdp_media_get_attribute_val(gst_sdp_message_get_media(sdp, i), "mid");
        g_strv_builder_add(builder, mid ? mid : "");
    }
    GStrv mids = g_strv_builder_end(builder);
    g_strv_builder_unref(builder);
    return mids;
}

/* The ufrag is per m-line in browsers' offers, or session-wide. */
static char *offer_ufrag(const GstSDPMessage *sdp, guint mline)
{
    const char *ufrag = gst_sdp_media_get_attribute_val(gst_sdp_message_get_media(sdp, mline), "ice-ufrag");
    if (!ufrag)
        ufrag = gst_sdp_message_get_attribute_val(sdp, "ice-ufrag");
    return g_strdup(ufrag);
}

/* "96 VP8/90000" or "102 H264/90000": the payload type and the codec (video_rtp.h). */
static bool rtpmap_video(const char *rtpmap, unsigned *pt, tolk_video_codec *codec)
{
    guint64 value;
    const char *end;
    if (!rtpmap_pt(rtpmap, &value, &end))
        return false;
    char name[8] = "";
    const char *slash = strchr(end, '/');
    if (!slash || slash - end >= (ptrdiff_t)sizeof name || strcmp(slash, "/90000") != 0)
        return false;
    memcpy(name, end, (size_t)(slash - end));
    *pt = (unsigned)value;
    return tolk_video_codec_from_name(name, codec);
}

/* H.264 only in packetization mode 1 (single NAL units, STAP-A, FU-A: what video_rtp reads). */
static bool h264_mode_1(const GstSDPMedia *media, unsigned pt)
{
    char prefix[8];
    g_snprintf(prefix, sizeof prefix, "%u ", pt);
    for (guint i = 0; i < gst_sdp_media_attributes_len(media); i++) {
        const GstSDPAttribute *a = gst_sdp_media_get_attribute(media, i);
        if (a->key && strcmp(a->key, "fmtp") == 0 && a->value && g_str_has_prefix(a->value, prefix) &&
            strstr(a->value, "packetization-mode=1"))
            return true;
    }
    return false;
}

/* An offered m-line that is not refused: port 0 is live when bundled (RFC 8843 bundle-only:
 * GStreamer's max-bundle offers have it on every m-line but the first, whichever kind that is). */
static bool media_live(const GstSDPMedia *media, const char *kind)
{
    return g_strcmp0(gst_sdp_media_get_media(media), kind) == 0 &&
           (gst_sdp_media_get_port(media) != 0 || gst_sdp_media_get_attribute_val(media, "bundle-only"));
}

/* "ID[/direction] URI ...": the id, when the URI is transport-wide congestion control's. */
static unsigned twcc_extmap_id(const char *value)
{
    char *end = NULL;
    guint64 id = g_ascii_strtoull(value, &end, 10);
    if (end == value || id < 1 || id > 255)
        return 0;
    while (*end && *end != ' ')
        end++; /* past a direction */
    while (*end == ' ')
        end++;
    size_t n = strlen(TOLK_WEBRTC_TWCC_URI);
    return strncmp(end, TOLK_WEBRTC_TWCC_URI, n) == 0 && (end[n] == '\0' || end[n] == ' ') ? (unsigned)id : 0;
}

/* The first live video m-line: the first payload type it offers of each codec, and the
 * transport-wide congestion control extension's id. */
static void find_video(const GstSDPMessage *sdp, peer_offer *offer)
{
    for (guint i = 0; i < gst_sdp_message_medias_len(sdp); i++) {
        const GstSDPMedia *media = gst_sdp_message_get_media(sdp, i);
        if (!media_live(media, "video"))
            continue;
        for (guint k = 0; k < gst_sdp_media_attributes_len(media); k++) {
            const GstSDPAttribute *a = gst_sdp_media_get_attribute(media, k);
            unsigned pt;
            tolk_video_codec codec;
            if (a->key && a->value && strcmp(a->key, "extmap") == 0 && !offer->video_twcc_id)
                offer->video_twcc_id = twcc_extmap_id(a->value);
            if (!a->key || strcmp(a->key, "rtpmap") != 0 || !a->value || !rtpmap_video(a->value, &pt, &codec) ||
                offer->video_offered[codec] || (codec == TOLK_VIDEO_H264 && !h264_mode_1(media, pt)))
                continue;
            offer->video_offered[codec] = true;
            offer->video_pt[codec] = pt;
        }
        offer->video_mline = i;
        offer->has_video = true;
        return;
    }
}

/* Finds the first live audio m-line offering Opus (a bundled one with port 0 too: a
 * video-first max-bundle offer). None: refused, unless audio_optional and a video m-line
 * offers a codec we forward (a hall camera that sends no sound). */
static bool find_opus(const GstSDPMessage *sdp, peer_offer *offer, bool audio_optional, tolk_error *err)
{
    bool audio = false;
    for (guint i = 0; i < gst_sdp_message_medias_len(sdp); i++) {
        const GstSDPMedia *media = gst_sdp_message_get_media(sdp, i);
        if (!media_live(media, "audio"))
            continue;
        audio = true;
        if (media_opus_pt(media, &offer->opus_pt)) {
            offer->opus_mline = i;
            offer->has_audio = true;
            return true;
        }
    }
    if (!audio && audio_optional && (offer->video_offered[TOLK_VIDEO_VP8] || offer->video_offered[TOLK_VIDEO_H264]))
        return true;
    tolk_webrtc_offer_refused(err, "%s", audio ? "the offer's audio does not offer Opus (opus/48000/2)"
                                   : audio_optional ? "the offer has no audio m-line and no VP8 or H.264 video"
                                                    : "the offer has no audio m-line");
    return false;
}

static GstSDPMessage *parse_sdp(const char *text, tolk_error *err)
{
    GstSDPMessage *sdp = NULL;
    /* GstSDP accepts almost anything; an offer must at least start like SDP. */
    if (!text || strncmp(text, "v=0", 3) != 0 || gst_sdp_message_new_from_text(text, &sdp) != GST_SDP_OK) {
        tolk_webrtc_offer_refused(err, "%s", "the offer is not SDP (it must start with v=0)");
        return NULL;
    }
    if (gst_sdp_message_medias_len(sdp) == 0) {
        tolk_webrtc_offer_refused(err, "%s", "the offer has no m-line");
        gst_sdp_message_free(sdp);
        return NULL;
    }
    return sdp;
}

bool tolk_webrtc_parse_offer(const char *text, peer_offer *offer, bool audio_optional, tolk_error *err)
{
    memset(offer, 0, sizeof *offer);
    GstSDPMessage *sdp = parse_sdp(text, err);
    if (!sdp)
        return false;
    find_video(sdp, offer);
    bool ok = find_opus(sdp, offer, audio_optional, err);
    if (ok) {
        offer->text = g_strdup(text);
        offer->mids = collect_mids(sdp);
        offer->ufrag = offer_ufrag(sdp, tolk_webrtc_offer_main_mline(offer));
    }
    gst_sdp_message_free(sdp);
    return ok;
}

void tolk_webrtc_offer_clear(peer_offer *offer)
{
    g_free(offer->text);
    g_strfreev(offer->mids);
    g_free(offer->ufrag);
    memset(offer, 0, sizeof *offer);
}

bool tolk_webrtc_offer_check(const char *offer_sdp, unsigned *opus_pt, tolk_error *err)
{
    peer_offer offer;
    bool ok = tolk_webrtc_parse_offer(offer_sdp, &offer, false, err);
    if (ok && opus_pt)
        *opus_pt = offer.opus_pt;
    tolk_webrtc_offer_clear(&offer);
    return ok;
}

bool tolk_webrtc_camera_offer_check(const char *offer_sdp, tolk_error *err)
{
    peer_offer offer;
    bool ok = tolk_webrtc_parse_offer(offer_sdp, &offer, true, err);
    tolk_webrtc_offer_clear(&offer);
    return ok;
}

static const char *media_direction(const GstSDPMessage *sdp, guint mline)
{
    static const char *const names[] = {"sendrecv", "sendonly", "recvonly", "inactive"};
    const GstSDPMedia *media = gst_sdp_message_get_media(sdp, mline);
    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        if (gst_sdp_media_get_attribute_val(media, names[i]) || gst_sdp_message_get_attribute_val(sdp, names[i]))
            return names[i];
    }
    return "sendrecv";
}

guint tolk_webrtc_offer_main_mline(const peer_offer *offer)
{
    return offer->has_audio ? offer->opus_mline : offer->video_mline;
}

/* The answer's m-line is taken: a port, or (max-bundle, RFC 8843: the answerer gives port 0 to
 * every bundled m-line but the first) port 0 with its mid in the BUNDLE group; not inactive. */
bool tolk_webrtc_answer_takes(const GstSDPMessage *sdp, guint mline)
{
    const GstSDPMedia *media = mline < gst_sdp_message_medias_len(sdp) ? gst_sdp_message_get_media(sdp, mline) : NULL;
    if (!media || gst_sdp_media_get_attribute_val(media, "inactive"))
        return false;
    if (gst_sdp_media_get_port(media) != 0)
        return true;
    const char *mid = gst_sdp_media_get_attribute_val(media, "mid");
    const char *group = gst_sdp_message_get_attribute_val(sdp, "group");
    if (!mid || !group || !g_str_has_prefix(group, "BUNDLE "))
        return false;
    GStrv mids = g_strsplit(group + 7, " ", -1);
    bool bundled = g_strv_contains((const gchar *const *)mids, mid);
    g_strfreev(mids);
    return bundled;
}

void tolk_webrtc_answer_start_bitrate(GstSDPMessage *sdp, guint mline, unsigned pt, unsigned kbps)
{
    if (mline >= gst_sdp_message_medias_len(sdp))
        return;
    GstSDPMedia *media = (GstSDPMedia *)gst_sdp_message_get_media(sdp, mline);
    char prefix[16];
    g_snprintf(prefix, sizeof prefix, "%u ", pt);
    for (guint k = 0; k < gst_sdp_media_attributes_len(media); k++) {
        const GstSDPAttribute *a = gst_sdp_media_get_attribute(media, k);
        if (g_strcmp0(a->key, "fmtp") != 0 || !a->value || !g_str_has_prefix(a->value, prefix))
            continue;
        char *value = g_strdup_printf("%s;x-google-start-bitrate=%u", a->value, kbps);
        GstSDPAttribute replacement;
        gst_sdp_attribute_set(&replacement, "fmtp", value);
        gst_sdp_media_replace_attribute(media, k, &replacement);
        g_free(value);
        return;
    }
    char *value = g_strdup_printf("%u x-google-start-bitrate=%u", pt, kbps);
    gst_sdp_media_add_attribute(media, "fmtp", value);
    g_free(value);
}

bool tolk_webrtc_offer_direction_fits(const char *text, const peer_offer *offer, peer_kind kind, tolk_error *err)
{
    GstSDPMessage *sdp = parse_sdp(text, err);
    if (!sdp)
        return false;
    const char *direction = media_direction(sdp, tolk_webrtc_offer_main_mline(offer));
    /* The browser's side: WHEP receives, WHIP sends. sendrecv is fine for both. */
    const char *wrong = kind == PEER_WHEP ? "sendonly" : "recvonly";
    bool ok = strcmp(direction, wrong) != 0 && strcmp(direction, "inactive") != 0;
    if (!ok) {
        const char *what = offer->has_audio ? "audio" : "video";
        tolk_webrtc_offer_refused(err, "the offer's %s is %s: a %s offer must %s %s", what, direction,
                                  kind == PEER_WHEP ? "WHEP" : "WHIP", kind == PEER_WHEP ? "receive" : "send", what);
    }
    gst_sdp_message_free(sdp);
    return ok;
}

static gint mid_index(const peer_offer *offer, const char *mid)
{
    for (guint i = 0; offer->mids && offer->mids[i]; i++) {
        if (strcmp(offer->mids[i], mid) == 0)
            return (gint)i;
    }
    return -1;
}

typedef struct {
    const peer_offer *offer;
    gint m_count; /* m= lines seen in the fragment */
    gint mline;   /* where the next candidate goes, -1 before any m=/a=mid */
    tolk_error *err;
} frag_state;

static bool frag_attribute(frag_state *st, const char *line, tolk_candidate_fn fn, void *ctx)
{
    if (g_str_has_prefix(line, "a=mid:")) {
        st->mline = mid_index(st->offer, line + 6);
        if (st->mline < 0) {
            tolk_error_set(st->err, TOLK_ERROR_INVALID, "invalid_candidates", NULL, "unknown a=mid %s", line + 6);
            return false;
        }
    } else if (g_str_has_prefix(line, "a=candidate:")) {
        fn(ctx, (guint)MAX(st->mline, 0), line + 2);
    }
    return true; /* other attributes (ice-ufrag, ice-pwd, end-of-candidates, ...) need nothing */
}

static bool frag_line(frag_state *st, const char *line, tolk_candidate_fn fn, void *ctx)
{
    if (line[0] == '\0')
        return true;
    if (!g_ascii_isalpha(line[0]) || line[1] != '=') {
        frag_refused(st->err, "not an SDP fragment: every line must be x=...");
        return false;
    }
    if (line[0] == 'm') {
        /* Candidates for an m-line the offer has not would reach webrtcbin as garbage. */
        if (!st->offer->mids || st->m_count >= (gint)g_strv_length(st->offer->mids)) {
            frag_refused(st->err, "the fragment has more m-lines than the offer");
            return false;
        }
        st->mline = st->m_count++;
        return true;
    }
    return line[0] == 'a' ? frag_attribute(st, line, fn, ctx) : true;
}

bool tolk_webrtc_frag_restarts_ice(const char *frag, const peer_offer *offer)
{
    GStrv lines = g_strsplit(frag ? frag : "", "\n", -1);
    bool restart = false;
    for (guint i = 0; !restart && lines[i]; i++) {
        g_strchomp(lines[i]);
        restart = g_str_has_prefix(lines[i], "a=ice-ufrag:") && offer->ufrag &&
                  strcmp(offer->ufrag, lines[i] + 12) != 0;
    }
    g_strfreev(lines);
    return restart;
}

bool tolk_webrtc_parse_sdpfrag(const char *frag, const peer_offer *offer, tolk_candidate_fn fn, void *ctx,
                               tolk_error *err)
{
    /* Looked for in the whole fragment first: a restart is refused as such
     * (RFC 9725: 422) whatever else the fragment holds. */
    if (tolk_webrtc_frag_restarts_ice(frag, offer)) {
        tolk_error_set(err, TOLK_ERROR_UNSUPPORTED, "ice_restart_unsupported", NULL,
                       "ICE restart (a new ice-ufrag/ice-pwd) is not supported: end this resource (DELETE) "
                       "and POST a new offer");
        return false;
    }
    frag_state st = {offer, 0, -1, err};
    GStrv lines = g_strsplit(frag ? frag : "", "\n", -1);
    bool ok = true;
    for (guint i = 0; ok && lines[i]; i++) {
        g_strchomp(lines[i]); /* drops the \r of \r\n */
        ok = frag_line(&st, lines[i], fn, ctx);
    }
    g_strfreev(lines);
    return ok;
}
