/* SPDX-License-Identifier: EUPL-1.2 */
#include "meter.h"

#include <math.h>

#define FLOOR_DB (-100.0)

struct tolk_meter {
    GstPad *pad;
    gulong probe;
    GMutex lock;
    double energy;
    guint64 samples;
};

static GstPadProbeReturn measure(GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
    (void)pad;
    tolk_meter *meter = user_data;
    GstMapInfo map;
    GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER(info);
    if (GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_GAP) || !gst_buffer_map(buffer, &map, GST_MAP_READ))
        return GST_PAD_PROBE_OK;
    const float *samples = (const float *)map.data;
    gsize count = map.size / sizeof(float);
    double energy = 0;
    for (gsize i = 0; i < count; i++)
        energy += (double)samples[i] * samples[i];
    gst_buffer_unmap(buffer, &map);
    g_mutex_lock(&meter->lock);
    meter->energy += energy;
    meter->samples += count;
    g_mutex_unlock(&meter->lock);
    return GST_PAD_PROBE_OK;
}

tolk_meter *tolk_meter_new(GstPad *pad)
{
    tolk_meter *meter = g_new0(tolk_meter, 1);
    g_mutex_init(&meter->lock);
    meter->pad = gst_object_ref(pad);
    meter->probe = gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, measure, meter, NULL);
    return meter;
}

void tolk_meter_free(tolk_meter *meter)
{
    if (!meter)
        return;
    gst_pad_remove_probe(meter->pad, meter->probe);
    gst_object_unref(meter->pad);
    g_mutex_clear(&meter->lock);
    g_free(meter);
}

double tolk_meter_take_dbfs(tolk_meter *meter)
{
    g_mutex_lock(&meter->lock);
    double energy = meter->energy;
    guint64 samples = meter->samples;
    meter->energy = 0;
    meter->samples = 0;
    g_mutex_unlock(&meter->lock);
    if (samples == 0 || energy <= 0)
        return FLOOR_DB;
    double db = 10.0 * log10(energy / (double)samples);
    return db < FLOOR_DB ? FLOOR_DB : db;
}
