/* SPDX-License-Identifier: EUPL-1.2 */
/* The event hub in process: readers of several view kinds share one rendering per
 * session change, data events reach every reader, a reader that fell behind gets the
 * state again, revoked readers and a closed hub end their streams. */
#include "hub.h"

#include <glib.h>
#include <string.h>

typedef struct {
    const char *text; /* what this reader's view renders */
    bool admitted;
    int *renders; /* the renders of its view kind, counted */
} view_ctx;

static char *render(void *ctx)
{
    view_ctx *v = ctx;
    (*v->renders)++;
    return v->admitted ? g_strdup(v->text) : NULL;
}

static bool admit(void *ctx)
{
    return ((view_ctx *)ctx)->admitted;
}

static const tolk_hub_view full_view = {0, render, admit};
static const tolk_hub_view public_view = {1, render, admit};

static void count_wake(void *ctx)
{
    (*(int *)ctx)++;
}

/* Everything the reader has now; *end tells whether the stream ended. */
static char *drain(tolk_hub_reader *reader, int *wakes, bool *end)
{
    GString *out = g_string_new(NULL);
    char buf[64]; /* small: a reader must hand out long events in pieces */
    ssize_t n;
    while ((n = tolk_hub_read(reader, buf, sizeof buf, false, count_wake, wakes)) > 0)
        g_string_append_len(out, buf, n);
    *end = n < 0;
    return g_string_free(out, FALSE);
}

static int occurrences(const char *haystack, const char *needle)
{
    int count = 0;
    for (const char *p = haystack; (p = strstr(p, needle)); p += strlen(needle))
        count++;
    return count;
}

#define READERS 6

static void test_one_rendering_per_view_kind(void)
{
    tolk_hub *hub = tolk_hub_new();
    int renders[2] = {0, 0}, wakes = 0;
    view_ctx ctx[READERS];
    tolk_hub_reader *readers[READERS];
    for (int i = 0; i < READERS; i++) {
        bool full = i % 3 == 0;
        ctx[i] = (view_ctx){full ? "{\"view\":\"full\"}" : "{\"view\":\"public\"}", true, &renders[full ? 0 : 1]};
        readers[i] = tolk_hub_reader_new(hub, full ? &full_view : &public_view, &ctx[i], NULL);
    }
    bool end;
    for (int i = 0; i < READERS; i++) /* the first state: each reader's own */
        g_free(drain(readers[i], &wakes, &end));
    g_assert_cmpint(renders[0] + renders[1], ==, READERS);
    tolk_hub_session_changed(hub);
    tolk_hub_session_changed(hub);
    g_assert_cmpint(wakes, ==, READERS); /* each waiting reader woken once */
    for (int i = 0; i < READERS; i++) {
        char *text = drain(readers[i], &wakes, &end);
        g_assert_false(end);
        g_assert_cmpint(occurrences(text, "event: session\n"), ==, 2);
        g_assert_nonnull(strstr(text, "id: 1\nevent: session\ndata: "));
        g_assert_nonnull(strstr(text, ctx[i].text));
        g_free(text);
    }
    /* two changes, two view kinds: four renderings for six readers */
    g_assert_cmpint(renders[0], ==, 2 + 2);
    g_assert_cmpint(renders[1], ==, 4 + 2);
    for (int i = 0; i < READERS; i++)
        tolk_hub_reader_free(readers[i]);
    tolk_hub_unref(hub);
}

/* One hub with one reader past its first state. */
typedef struct {
    tolk_hub *hub;
    int renders, wakes;
    view_ctx ctx;
    tolk_hub_reader *reader;
    bool end;
} one_reader;

static void one_open(one_reader *f, const tolk_hub_view *view, const char *text)
{
    f->hub = tolk_hub_new();
    f->renders = f->wakes = 0;
    f->ctx = (view_ctx){text, true, &f->renders};
    f->reader = tolk_hub_reader_new(f->hub, view, &f->ctx, NULL);
    g_free(drain(f->reader, &f->wakes, &f->end));
}

static char *one_drain(one_reader *f)
{
    return drain(f->reader, &f->wakes, &f->end);
}

static void test_data_events_and_wake(void)
{
    one_reader f;
    one_open(&f, &public_view, "{}");
    g_assert_cmpint(f.wakes, ==, 0);
    json_object *data = json_object_new_object();
    json_object_object_add(data, "listeners", json_object_new_int(3));
    tolk_hub_publish(f.hub, "levels", data);
    g_assert_cmpint(f.wakes, ==, 1);
    char *text = one_drain(&f);
    g_assert_cmpstr(text, ==, "id: 1\nevent: levels\ndata: {\"listeners\":3}\n\n");
    g_free(text);
    g_assert_cmpint(f.renders, ==, 1); /* data events render nothing */
    char buf[64];
    g_assert_cmpint(tolk_hub_read(f.reader, buf, sizeof buf, true, count_wake, &f.wakes), ==, 13);
    g_assert_cmpmem(buf, 13, ": keepalive\n\n", 13);
    tolk_hub_reader_free(f.reader);
    tolk_hub_publish(f.hub, "levels", json_object_new_object()); /* a freed reader is woken no more */
    g_assert_cmpint(f.wakes, ==, 1);
    tolk_hub_unref(f.hub);
}

static void test_ring_overflow_resends_state(void)
{
    one_reader f;
    one_open(&f, &full_view, "{\"state\":1}");
    for (int i = 0; i < 300; i++)
        tolk_hub_publish(f.hub, "signal_cleared", json_object_new_int(i));
    char *text = one_drain(&f);
    g_assert_false(f.end);
    g_assert_cmpint(occurrences(text, "event: session\n"), ==, 1); /* the state again */
    g_assert_nonnull(strstr(text, "id: 300\nevent: signal_cleared\ndata: 299\n\n"));
    g_assert_null(strstr(text, "data: 0\n"));
    /* the state first, then the events the ring still holds, in order */
    g_assert_true(g_str_has_prefix(text, "id: 172\nevent: session\n"));
    g_assert_cmpint(occurrences(text, "event: signal_cleared\n"), ==, 128);
    g_assert_nonnull(strstr(text, "}\n\nid: 173\nevent: signal_cleared\ndata: 172\n\n"));
    g_assert_cmpint(f.renders, ==, 2);
    g_free(text);
    tolk_hub_reader_free(f.reader);
    tolk_hub_unref(f.hub);
}

static void test_revoked_reader_ends_despite_kept_rendering(void)
{
    tolk_hub *hub = tolk_hub_new();
    int renders = 0, wakes = 0;
    view_ctx first = {"{}", true, &renders}, revoked = {"{}", true, &renders};
    tolk_hub_reader *a = tolk_hub_reader_new(hub, &public_view, &first, NULL);
    tolk_hub_reader *b = tolk_hub_reader_new(hub, &public_view, &revoked, NULL);
    bool end;
    g_free(drain(a, &wakes, &end));
    g_free(drain(b, &wakes, &end));
    tolk_hub_session_changed(hub);
    g_free(drain(a, &wakes, &end)); /* renders and keeps the public view */
    revoked.admitted = false;
    g_free(drain(b, &wakes, &end));
    g_assert_true(end);
    tolk_hub_reader_free(a);
    tolk_hub_reader_free(b);
    tolk_hub_unref(hub);
}

static void test_close_ends_streams(void)
{
    one_reader f;
    one_open(&f, &full_view, "{}");
    tolk_hub_close(f.hub);
    g_assert_cmpint(f.wakes, ==, 1);
    tolk_hub_session_changed(f.hub); /* after the close: nothing */
    g_free(one_drain(&f));
    g_assert_true(f.end);
    g_assert_cmpint(f.renders, ==, 1);
    tolk_hub_unref(f.hub); /* the reader still holds the hub */
    tolk_hub_reader_free(f.reader);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sitting/hub/one-rendering-per-view-kind", test_one_rendering_per_view_kind);
    g_test_add_func("/sitting/hub/data-events-and-wake", test_data_events_and_wake);
    g_test_add_func("/sitting/hub/ring-overflow-resends-state", test_ring_overflow_resends_state);
    g_test_add_func("/sitting/hub/revoked-reader-ends", test_revoked_reader_ends_despite_kept_rendering);
    g_test_add_func("/sitting/hub/close-ends-streams", test_close_ends_streams);
    return g_test_run();
}
