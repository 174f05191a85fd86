/* SPDX-License-Identifier: EUPL-1.2 */
/* The small GStreamer steps the peers share (webrtc_private.h): a sample's bytes, a key frame
 * request up a pad, a pad's caps read, a receiving transceiver, an appsink for what is received. Any streaming or control thread. */
#include <gst/webrtc/webrtc.h>

#include "webrtc_private.h"

GstFlowReturn tolk_webrtc_take_sample(GstAppSink *sink, tolk_webrtc_bytes_fn fn, void *ctx)
{
    GstSample *sample = gst_app_sink_pull_sample(sink);
    if (!sample)
        return GST_FLOW_EOS;
    GstMapInfo map;
    GstBuffer *buffer = gst_sample_get_buffer(sample);
    if (gst_buffer_map(buffer, &map, GST_MAP_READ)) {
        fn(ctx, map.data, map.size);
        gst_buffer_unmap(buffer, &map);
    }
    gst_sample_unref(sample);
    return GST_FLOW_OK;
}

bool tolk_webrtc_send_keyframe_request(GstPad *pad)
{
    GstStructure *s = gst_structure_new("GstForceKeyUnit", "all-headers", G_TYPE_BOOLEAN, TRUE, NULL);
    return gst_pad_send_event(pad, gst_event_new_custom(GST_EVENT_CUSTOM_UPSTREAM, s));
}

char *tolk_webrtc_pad_caps_string(GstPad *pad, const char *field)
{
    GstCaps *caps = gst_pad_get_current_caps(pad);
    if (!caps)
        caps = gst_pad_query_caps(pad, NULL);
    const GstStructure *s = gst_caps_get_size(caps) ? gst_caps_get_structure(caps, 0) : NULL;
    char *value = s ? g_strdup(gst_structure_get_string(s, field)) : NULL;
    gst_caps_unref(caps);
    return value;
}

bool tolk_webrtc_add_receiving(tolk_webrtc_peer *peer, GstCaps *caps)
{
    GstWebRTCRTPTransceiver *transceiver = NULL;
    g_signal_emit_by_name(peer->webrtc, "add-transceiver", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, caps,
                          &transceiver);
    gst_caps_unref(caps);
    if (!transceiver)
        return false;
    gst_object_unref(transceiver);
    return true;
}

GstElement *tolk_webrtc_add_appsink(tolk_webrtc_peer *peer, GstFlowReturn (*new_sample)(GstAppSink *, gpointer),
                                    guint max_buffers)
{
    GstElement *sink = tolk_webrtc_peer_add(peer, "appsink");
    if (!sink)
        return NULL;
    GstAppSinkCallbacks callbacks = {.new_sample = new_sample};
    gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, peer, NULL);
    /* Stamped on arrival downstream: no wait for the clock; a stalled reader drops, never blocks
     * webrtcbin. */
    g_object_set(sink, "sync", FALSE, "async", FALSE, "max-buffers", max_buffers, "drop", TRUE, NULL);
    gst_element_sync_state_with_parent(sink);
    return sink;
}
