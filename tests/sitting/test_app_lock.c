/* SPDX-License-Identifier: EUPL-1.2 */
/* The sitting layer in process, with real pipelines: a change applied under the
 * app lock reaches the rules state at once and the mixers by the time the unlock
 * returns; what a delete removes is torn down after the unlock, not under it. */
#include <string.h>

#include <gst/gst.h>

#include "app.h"
#include "srtp_session.h"
#include "tolk-plugin.h"

typedef struct {
    tolk_app app;
    tolk_session *session;
} fixture;

/* Two channels (floor de, en), a booth of one console on en. */
static tolk_session *new_session(fixture *f, const char *id)
{
    tolk_session_params *params = g_new0(tolk_session_params, 1);
    g_strlcpy(params->id, id, sizeof params->id);
    g_strlcpy(params->name, id, sizeof params->name);
    tolk_matrix_config *m = &params->matrix;
    m->channel_count = 2;
    g_strlcpy(m->channels[1], "de", sizeof m->channels[1]);
    g_strlcpy(m->channels[2], "en", sizeof m->channels[2]);
    m->booth_count = 1;
    m->booths[0] = (tolk_booth_config){.channel = 2, .console_count = 1};
    tolk_error err = {0};
    tolk_session *session = tolk_session_new(params, &f->app.env, &err);
    g_free(params);
    g_assert_nonnull(session);
    g_ptr_array_add(f->app.sessions, session);
    return session;
}

static void setup(fixture *f, gconstpointer data)
{
    (void)data;
    tolk_app_init(&f->app);
    int lo = 40000 + g_random_int_range(0, 200) * 100;
    f->app.ports = tolk_ports_new("127.0.0.1", lo, lo + 98);
    f->app.env = (tolk_session_env){.media_address = "127.0.0.1", .ports = f->app.ports, .jitter_ms = 40};
    f->app.grants = tolk_grants_new();
    f->session = new_session(f, "s1");
}

/* Until the pipeline runs: the first cycles of a new one take tens of ms, more on
 * a busy machine, and a fence on them may time out. */
static void wait_running(fixture *f)
{
    for (int i = 0; i < 20; i++) {
        tolk_app_lock(&f->app);
        tolk_media_fence *fence = tolk_media_fence_new(f->session->media);
        tolk_app_unlock(&f->app);
        bool applied = tolk_media_fence_wait(fence);
        tolk_media_fence_free(fence);
        if (applied)
            return;
    }
    g_assert_not_reached();
}

static void teardown(fixture *f, gconstpointer data)
{
    (void)data;
    tolk_app_lock(&f->app);
    while (f->app.sessions->len > 0)
        tolk_app_delete(&f->app, g_ptr_array_index(f->app.sessions, 0));
    tolk_app_unlock(&f->app);
    g_ptr_array_unref(f->app.sessions);
    g_ptr_array_unref(f->app.detached);
    g_ptr_array_unref(f->app.creating);
    tolk_grants_free(f->app.grants);
    tolk_ports_free(f->app.ports);
    g_mutex_clear(&f->app.lock);
}

static bool mic(tolk_session *session, tolk_mic state)
{
    tolk_console_patch patch = {.has_mic = true, .mic = state};
    tolk_error err = {0};
    return tolk_session_patch_console(session, 0, 0, &patch, &err);
}

/* The unlock returns true only when every mixer carries the new gains: the
 * dispatch replies after it, so PATCH console answers after the audio change. */
static void test_change_applied(fixture *f, gconstpointer data)
{
    (void)data;
    wait_running(f);
    tolk_app_lock(&f->app);
    g_assert_true(mic(f->session, TOLK_MIC_ON));
    g_assert_cmpint(tolk_matrix_console(f->session->matrix, 0, 0)->mic, ==, TOLK_MIC_ON);
    g_assert_nonnull(f->session->fence); /* the wait is left for after the unlock */
    g_assert_true(tolk_app_unlock(&f->app));
    g_assert_null(f->session->fence);
    /* A section that changes nothing has nothing to wait for. */
    tolk_app_lock(&f->app);
    gint64 start = g_get_monotonic_time();
    g_assert_true(tolk_app_unlock(&f->app));
    g_assert_cmpint(g_get_monotonic_time() - start, <, 5000);
}

/* The lock is free while the unlock waits for the mixers: another thread takes
 * it before the changing thread's unlock returns. */
typedef struct {
    fixture *f;
    gint patched;
    gint64 done_us;
} change_thread;

static gpointer change_and_unlock(gpointer data)
{
    change_thread *t = data;
    tolk_app_lock(&t->f->app);
    mic(t->f->session, TOLK_MIC_ON);
    g_atomic_int_set(&t->patched, 1);
    tolk_app_unlock(&t->f->app);
    t->done_us = g_get_monotonic_time();
    return NULL;
}

static void test_wait_outside_lock(fixture *f, gconstpointer data)
{
    (void)data;
    change_thread t = {.f = f};
    GThread *thread = g_thread_new("change", change_and_unlock, &t);
    while (!g_atomic_int_get(&t.patched))
        g_usleep(100);
    tolk_app_lock(&f->app);
    gint64 locked_us = g_get_monotonic_time();
    tolk_app_unlock(&f->app);
    g_thread_join(thread);
    g_test_message("locked %" G_GINT64_FORMAT " us before the unlock returned", t.done_us - locked_us);
    /* The first cycles of a new pipeline take tens of ms; under the lock the gap
     * would be a thread switch, a few us. */
    g_assert_cmpint(locked_us + 5000, <, t.done_us);
}

/* A deleted session leaves the registry under the lock, but its media and
 * sockets are still there until the unlock, which stops them. */
static void test_delete_torn_down_after_unlock(fixture *f, gconstpointer data)
{
    (void)data;
    tolk_session *session = new_session(f, "s2");
    GSocket *socket = g_object_ref(session->floor.socket);
    tolk_app_lock(&f->app);
    tolk_app_delete(&f->app, session);
    g_assert_null(tolk_app_find(&f->app, "s2"));
    g_assert_cmpuint(f->app.detached->len, ==, 1);
    g_assert_false(g_socket_is_closed(socket)); /* nothing stopped under the lock */
    tolk_app_unlock(&f->app);
    g_assert_true(g_socket_is_closed(socket));
    g_assert_cmpuint(f->app.detached->len, ==, 0);
    /* A fence on a sitting deleted in the same section outlives its media. */
    tolk_app_lock(&f->app);
    session = tolk_app_find(&f->app, "s1");
    g_assert_nonnull(session);
    mic(session, TOLK_MIC_ON);
    tolk_app_delete(&f->app, session);
    tolk_app_unlock(&f->app);
    g_object_unref(socket);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_assert_true(tolk_srtp_library_init());
    gst_init(NULL, NULL);
    g_assert_true(tolk_plugin_register_static());
    g_test_add("/sitting/change-applied", fixture, NULL, setup, test_change_applied, teardown);
    g_test_add("/sitting/wait-outside-lock", fixture, NULL, setup, test_wait_outside_lock, teardown);
    g_test_add("/sitting/delete-torn-down-after-unlock", fixture, NULL, setup, test_delete_torn_down_after_unlock,
               teardown);
    return g_test_run();
}
