/* SPDX-License-Identifier: EUPL-1.2 */
/* What every appsink callback of the peers does with a sample, and the key frame request up a
 * received stream's pad (webrtc_private.h). Any streaming or control thread. */
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
