/* SPDX-License-Identifier: EUPL-1.2 */
/* The Icecast source's pure parts: its URL taken apart, and the Ogg/Opus stream it builds in
 * memory (mixer/record/ogg_opus_stream.c) with pages of 100 ms. The connection itself is tested
 * against a real icecast2 (tests/e2e/test_icecast.py). */
#include <glib.h>
#include <string.h>

#include "icecast_url.h"
#include "ogg_opus_stream.h"

static void test_url(void)
{
    tolk_icecast_target t;
    const char *why = NULL;
    g_assert_true(tolk_icecast_url_parse("http://127.0.0.1:8000/en.opus", &t, &why));
    g_assert_false(t.tls);
    g_assert_cmpstr(t.host, ==, "127.0.0.1");
    g_assert_cmpint(t.port, ==, 8000);
    g_assert_cmpstr(t.mount, ==, "/en.opus");
    g_assert_true(tolk_icecast_url_parse("https://radio.example.org/live/en", &t, &why));
    g_assert_true(t.tls);
    g_assert_cmpint(t.port, ==, 443);
    g_assert_true(tolk_icecast_url_parse("http://[::1]:8001/fr.ogg", &t, &why));
    g_assert_cmpstr(t.host, ==, "::1");
    g_assert_cmpint(t.port, ==, 8001);
    char url[TOLK_ICECAST_URL_SIZE];
    tolk_icecast_url_of(&t, "/status-json.xsl", url, sizeof url);
    g_assert_cmpstr(url, ==, "http://[::1]:8001/status-json.xsl");
    static const char *const bad[] = {
        "", "ftp://h/m", "http://", "http:///m", "http://h", "http://h/", "http://h:0/m", "http://h:65536/m",
        "http://h:80x/m", "http://h:/m", "http://u:p@h/m", "http://h/m?x=1", "http://h/m n", "http://h/m#f",
        "http://[::1/m", "http://[::1]x/m", "http://h\r\n/m", "http://h/m%20", "http://h:123456789/m",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        why = NULL;
        g_assert_false(tolk_icecast_url_parse(bad[i], &t, &why));
        g_assert_nonnull(why);
    }
}

typedef struct {
    int pages, packets;
    guint64 samples;
    GByteArray *all;
} collected;

static int collect(void *ctx, const GByteArray *page, int packets, guint64 samples)
{
    collected *c = ctx;
    c->pages++;
    c->packets += packets;
    c->samples += samples;
    g_byte_array_append(c->all, page->data, page->len);
    return 0;
}

/* 100 ms pages: the header pages, then a page every five 20 ms frames; a 60 ms gap filled. */
static void test_stream_pages(void)
{
    static const guint8 frame[] = {0xfc, 0xff, 0xfe}; /* CELT FB 20 ms */
    collected c = {.all = g_byte_array_new()};
    tolk_ogg_opus_stats stats = {0};
    tolk_ogg_opus_stream *s = tolk_ogg_opus_stream_new(100000000ULL, collect, &c, &stats);
    tolk_ogg_opus_meta meta = {.title = "en", .sitting = "s", .channel = "en", .language = "en"};
    g_assert_cmpint(tolk_ogg_opus_stream_headers(s, &meta), ==, 0);
    g_assert_cmpint(c.pages, ==, 1); /* both header pages in one hand-out */
    g_assert_true(memcmp(c.all->data, "OggS", 4) == 0);
    g_assert_cmpint(c.all->data[5], ==, 0x02); /* BOS */
    for (int i = 0; i < 10; i++)
        g_assert_cmpint(tolk_ogg_opus_stream_push(s, frame, sizeof frame, (guint64)i * 20000000ULL), ==, 0);
    g_assert_cmpint(c.pages, ==, 3);
    g_assert_cmpint(c.packets, ==, 10);
    g_assert_cmpuint(c.samples, ==, 9600);
    /* 60 ms missing, then one frame: three silence frames fill the gap */
    g_assert_cmpint(tolk_ogg_opus_stream_push(s, frame, sizeof frame, 13 * 20000000ULL), ==, 0);
    g_assert_cmpuint(stats.filled, ==, 3);
    g_assert_cmpint(tolk_ogg_opus_stream_flush(s), ==, 0);
    g_assert_cmpuint(tolk_ogg_opus_stream_granule(s), ==, 14 * 960);
    g_assert_cmpint(tolk_ogg_opus_stream_push(s, (const guint8 *)"", 0, 0), ==, -22);
    g_assert_cmpuint(stats.dropped, ==, 1);
    /* a new connection: new headers, a new serial, the granule from 0 */
    g_byte_array_set_size(c.all, 0);
    g_assert_cmpint(tolk_ogg_opus_stream_headers(s, &meta), ==, 0);
    g_assert_cmpuint(tolk_ogg_opus_stream_granule(s), ==, 0);
    g_assert_cmpint(c.all->data[5], ==, 0x02);
    tolk_ogg_opus_stream_free(s);
    g_byte_array_unref(c.all);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/icecast/url", test_url);
    g_test_add_func("/icecast/stream-pages", test_stream_pages);
    return g_test_run();
}
