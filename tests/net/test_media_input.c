/* SPDX-License-Identifier: EUPL-1.2 */
/* One network input in a pipeline of its own, fed real SRTP over loopback: audio comes out;
 * when an element of its chain dies with an error, a restart brings the audio back while
 * the SRTP receiver (and its replay windows) stay. */
#include "media_input.h"
#include "srtp_session.h"

#include <gio/gio.h>
#include <glib.h>
#include <gst/gst.h>
#include <string.h>

typedef struct {
    GstElement *pipeline;
    GSocket *socket, *sender;
    GSocketAddress *to;
    tolk_media_input *input;
    srtp_t tx;
    uint16_t seq;
    gint buffers; /* at the sink */
} fixture;

static GstPadProbeReturn count_buffer(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    (void)pad;
    (void)info;
    g_atomic_int_inc((gint *)data);
    return GST_PAD_PROBE_OK;
}

static GSocket *loopback_socket(GSocketAddress **bound)
{
    GSocket *s = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
    GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    GSocketAddress *any = g_inet_socket_address_new(lo, 0);
    g_assert_true(g_socket_bind(s, any, FALSE, NULL));
    g_object_unref(any);
    g_object_unref(lo);
    if (bound)
        *bound = g_socket_get_local_address(s, NULL);
    return s;
}

static void fixture_set_up(fixture *f, gconstpointer data)
{
    (void)data;
    uint8_t key[TOLK_KEY_LEN];
    g_assert_true(tolk_key_generate(key));
    f->socket = loopback_socket(&f->to);
    f->sender = loopback_socket(NULL);
    f->tx = tolk_srtp_session_new(key, true);
    f->pipeline = gst_pipeline_new("test");
    f->input = tolk_media_input_new(GST_BIN(f->pipeline), "t/1", f->socket, key, 30);
    g_assert_nonnull(f->input);
    GstElement *sink = gst_element_factory_make("fakesink", NULL);
    g_object_set(sink, "sync", FALSE, "async", FALSE, NULL);
    gst_bin_add(GST_BIN(f->pipeline), sink);
    GstPad *src = tolk_media_input_request_pad(f->input);
    GstPad *sink_pad = gst_element_get_static_pad(sink, "sink");
    g_assert_cmpint(gst_pad_link(src, sink_pad), ==, GST_PAD_LINK_OK);
    gst_pad_add_probe(sink_pad, GST_PAD_PROBE_TYPE_BUFFER, count_buffer, &f->buffers, NULL);
    gst_object_unref(sink_pad);
    gst_object_unref(src);
    f->seq = 1000;
    tolk_key_wipe(key, sizeof key);
    g_assert_cmpint(gst_element_set_state(f->pipeline, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
}

static void fixture_tear_down(fixture *f, gconstpointer data)
{
    (void)data;
    gst_element_set_state(f->pipeline, GST_STATE_NULL);
    tolk_media_input_free(f->input);
    gst_object_unref(f->pipeline);
    srtp_dealloc(f->tx);
    g_object_unref(f->to);
    g_object_unref(f->socket);
    g_object_unref(f->sender);
}

/* 20 ms Opus packets (a valid one-frame packet of silence), protected and sent on the clock. */
static void send_packets(fixture *f, int count)
{
    static const uint8_t opus[] = {0xf8, 0xff, 0xfe};
    for (int i = 0; i < count; i++, f->seq++) {
        uint8_t p[64] = {0x80, 111, (uint8_t)(f->seq >> 8), (uint8_t)f->seq};
        uint32_t ts = 960u * f->seq;
        p[4] = (uint8_t)(ts >> 24), p[5] = (uint8_t)(ts >> 16), p[6] = (uint8_t)(ts >> 8), p[7] = (uint8_t)ts;
        p[8] = 0x12, p[9] = 0x34, p[10] = 0x56, p[11] = 0x78;
        memcpy(p + 12, opus, sizeof opus);
        int len = 12 + (int)sizeof opus;
        g_assert_cmpint(srtp_protect(f->tx, p, &len), ==, srtp_err_status_ok);
        g_socket_send_to(f->sender, f->to, (const gchar *)p, (gsize)len, NULL, NULL);
        g_usleep(20000);
    }
    g_usleep(100000);
}

static GstElement *chain_element(fixture *f, const char *factory)
{
    GstIterator *it = gst_bin_iterate_recurse(GST_BIN(f->pipeline));
    GValue item = G_VALUE_INIT;
    GstElement *found = NULL;
    while (!found && gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
        GstElement *e = g_value_get_object(&item);
        GstElementFactory *fac = gst_element_get_factory(e);
        if (fac && strcmp(GST_OBJECT_NAME(fac), factory) == 0 && tolk_media_input_owns(f->input, GST_OBJECT(e)))
            found = gst_object_ref(e);
        g_value_reset(&item);
    }
    g_value_unset(&item);
    gst_iterator_free(it);
    return found;
}

static void test_audio_flows(fixture *f, gconstpointer data)
{
    (void)data;
    send_packets(f, 25);
    g_assert_cmpint(g_atomic_int_get(&f->buffers), >, 10);
    tolk_media_input_stats s;
    tolk_media_input_get_stats(f->input, &s);
    g_assert_cmpuint(s.decoded, >=, 23);
    g_assert_cmpstr(tolk_media_input_state(&s, g_get_monotonic_time()), ==, "receiving");
}

/* udpsrc stopped dead and reported an error, as an element that fails does. */
static void test_restart_after_error(fixture *f, gconstpointer data)
{
    (void)data;
    send_packets(f, 10);
    GstElement *udpsrc = chain_element(f, "udpsrc");
    g_assert_nonnull(udpsrc);
    g_assert_true(tolk_media_input_owns(f->input, GST_OBJECT(udpsrc)));
    gst_element_set_state(udpsrc, GST_STATE_NULL);
    send_packets(f, 10);
    int dead = g_atomic_int_get(&f->buffers);
    send_packets(f, 15);
    g_assert_cmpint(g_atomic_int_get(&f->buffers), <=, dead + 3); /* nothing flows: the failure is real */

    g_assert_true(tolk_media_input_restart(f->input));
    g_assert_false(tolk_media_input_restart(f->input)); /* the same failure's other errors */
    int before = g_atomic_int_get(&f->buffers);
    send_packets(f, 25);
    g_assert_cmpint(g_atomic_int_get(&f->buffers), >, before + 10);
    tolk_media_input_stats s;
    tolk_media_input_get_stats(f->input, &s);
    g_assert_cmpuint(s.restarts, ==, 1);
    g_assert_cmpuint(s.dropped_replay, ==, 0);
    gst_object_unref(udpsrc);
}

static void test_owns_only_its_chain(fixture *f, gconstpointer data)
{
    (void)data;
    g_assert_false(tolk_media_input_owns(f->input, GST_OBJECT(f->pipeline)));
    GstElement *opusdec = chain_element(f, "opusdec");
    g_assert_nonnull(opusdec);
    gst_object_unref(opusdec);
}

#define ADD(path, fn) g_test_add(path, fixture, NULL, fixture_set_up, fn, fixture_tear_down)

int main(int argc, char **argv)
{
    gst_init(&argc, &argv);
    g_test_init(&argc, &argv, NULL);
    ADD("/media-input/audio-flows", test_audio_flows);
    ADD("/media-input/restart-after-error", test_restart_after_error);
    ADD("/media-input/owns-only-its-chain", test_owns_only_its_chain);
    return g_test_run();
}
