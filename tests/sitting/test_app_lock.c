/* SPDX-License-Identifier: EUPL-1.2 */
/* The sitting layer in process, with real pipelines: a change applied under the
 * app lock reaches the rules state at once and the mixers by the time the unlock
 * returns; what a delete removes is torn down after the unlock, not under it; a
 * new sitting is built between a reservation and a commit, without the lock. */
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
static void two_channels(tolk_matrix_config *m)
{
    m->channel_count = 2;
    g_strlcpy(m->channels[1], "de", sizeof m->channels[1]);
    g_strlcpy(m->channels[2], "en", sizeof m->channels[2]);
    m->booth_count = 1;
    m->booths[0] = (tolk_booth_config){.channel = 2, .console_count = 1};
}

static tolk_session_spec *two_channel_spec(const char *id)
{
    tolk_session_spec *spec = g_new0(tolk_session_spec, 1);
    spec->has_id = true;
    g_strlcpy(spec->id, id, sizeof spec->id);
    g_strlcpy(spec->name, id, sizeof spec->name);
    two_channels(&spec->matrix);
    return spec;
}

static tolk_session *new_session(fixture *f, const char *id)
{
    tolk_session_params *params = g_new0(tolk_session_params, 1);
    g_strlcpy(params->id, id, sizeof params->id);
    g_strlcpy(params->name, id, sizeof params->name);
    two_channels(&params->matrix);
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

/* The lock is free while the unlock waits for the engine to carry the change: another thread
 * takes it before the changing thread's unlock returns. */
typedef struct {
    fixture *f;
    tolk_mic state;
    gint patched;
    gint64 done_us;
} change_thread;

static gpointer change_and_unlock(gpointer data)
{
    change_thread *t = data;
    tolk_app_lock(&t->f->app);
    mic(t->f->session, t->state);
    g_atomic_int_set(&t->patched, 1);
    tolk_app_unlock(&t->f->app);
    t->done_us = g_get_monotonic_time();
    return NULL;
}

/* How long the changing thread's unlock went on after this thread had the lock. */
static gint64 lock_taken_during_wait(fixture *f, tolk_mic state)
{
    change_thread t = {.f = f, .state = state};
    GThread *thread = g_thread_new("change", change_and_unlock, &t);
    while (!g_atomic_int_get(&t.patched))
        g_usleep(100);
    tolk_app_lock(&f->app);
    gint64 locked_us = g_get_monotonic_time();
    tolk_app_unlock(&f->app);
    g_thread_join(thread);
    return t.done_us - locked_us;
}

static void test_wait_outside_lock(fixture *f, gconstpointer data)
{
    (void)data;
    /* The engine takes a change at its next 20 ms tick, so the wait is anywhere from 0 to
     * 20 ms; under the lock the gap would be a thread switch, a few us, every time. */
    gint64 longest = 0;
    for (int i = 0; i < 6; i++)
        longest = MAX(longest, lock_taken_during_wait(f, i % 2 ? TOLK_MIC_OFF : TOLK_MIC_ON));
    g_test_message("locked up to %" G_GINT64_FORMAT " us before the unlock returned", longest);
    g_assert_cmpint(longest, >, 3000);
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

/* POST sessions as the dispatch runs it: reserve under the lock, build without
 * it, commit under it again, free after the unlock. The session, or NULL with *err. */
static tolk_session *create_in_steps(tolk_app *app, const char *id, tolk_error *err)
{
    tolk_session_spec *spec = two_channel_spec(id);
    tolk_app_lock(app);
    tolk_app_creation *creation = tolk_app_reserve(app, spec, NULL, true, err);
    tolk_app_unlock(app);
    g_free(spec);
    if (!creation)
        return NULL;
    tolk_app_build(creation);
    tolk_app_lock(app);
    tolk_session *session = tolk_app_commit(app, creation, err);
    tolk_app_unlock(app);
    tolk_app_creation_free(creation);
    return session;
}

/* The build needs no app lock: it completes while this thread holds the lock,
 * which another request (a GET) could as well. Meanwhile the id is held: a second
 * creation of it is refused at once, and no reader sees the sitting half-built. */
typedef struct {
    tolk_app_creation *creation;
    gint built;
} build_thread;

static gpointer build_alone(gpointer data)
{
    build_thread *t = data;
    tolk_app_build(t->creation);
    g_atomic_int_set(&t->built, 1);
    return NULL;
}

/* Takes the lock and reserves s2 with --max-sessions max; returns with the lock held. */
static tolk_app_creation *reserve_s2(fixture *f, unsigned max, tolk_session_spec **spec)
{
    f->app.max_sessions = max;
    *spec = two_channel_spec("s2");
    tolk_error err = {0};
    tolk_app_lock(&f->app);
    tolk_app_creation *creation = tolk_app_reserve(&f->app, *spec, NULL, true, &err);
    g_assert_nonnull(creation);
    return creation;
}

static void test_build_outside_lock(fixture *f, gconstpointer data)
{
    (void)data;
    tolk_session_spec *spec;
    tolk_error err = {0};
    build_thread t = {.creation = reserve_s2(f, 4, &spec)};
    tolk_app_unlock(&f->app);

    tolk_app_lock(&f->app); /* held for the whole build */
    GThread *thread = g_thread_new("build", build_alone, &t);
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (!g_atomic_int_get(&t.built) && g_get_monotonic_time() < deadline)
        g_usleep(1000);
    g_assert_true(g_atomic_int_get(&t.built));
    g_thread_join(thread);
    g_assert_null(tolk_app_find(&f->app, "s2")); /* built, not yet in the registry */
    g_assert_null(tolk_app_reserve(&f->app, spec, NULL, true, &err));
    g_assert_cmpint(err.kind, ==, TOLK_ERROR_CONFLICT);
    g_assert_cmpstr(err.code, ==, "session_exists");
    tolk_session *session = tolk_app_commit(&f->app, t.creation, &err);
    g_assert_nonnull(session);
    g_assert_true(tolk_app_find(&f->app, "s2") == session);
    tolk_app_unlock(&f->app);
    tolk_app_creation_free(t.creation);
    g_free(spec);
}

/* Two creations of one id at once: one gets it, the other a conflict. */
typedef struct {
    tolk_app *app;
    tolk_session *session;
    tolk_error err;
} create_thread;

static gpointer create_s2(gpointer data)
{
    create_thread *t = data;
    t->session = create_in_steps(t->app, "s2", &t->err);
    return NULL;
}

static void test_same_id_twice(fixture *f, gconstpointer data)
{
    (void)data;
    f->app.max_sessions = 4;
    create_thread a = {.app = &f->app}, b = {.app = &f->app};
    GThread *ta = g_thread_new("create-a", create_s2, &a);
    GThread *tb = g_thread_new("create-b", create_s2, &b);
    g_thread_join(ta);
    g_thread_join(tb);
    g_assert_true((a.session != NULL) != (b.session != NULL));
    const tolk_error *refused = a.session ? &b.err : &a.err;
    g_assert_cmpint(refused->kind, ==, TOLK_ERROR_CONFLICT);
    g_assert_cmpstr(refused->code, ==, "session_exists");
    g_assert_cmpuint(f->app.sessions->len, ==, 2);
    g_assert_cmpuint(f->app.creating->len, ==, 0);
}

/* A reservation holds a place under --max-sessions, and a sitting built while the
 * daemon began stopping never joins the registry; it stops after the unlock. */
static void test_place_held_and_stopping(fixture *f, gconstpointer data)
{
    (void)data;
    tolk_session_spec *spec;
    tolk_error err = {0};
    tolk_app_creation *creation = reserve_s2(f, 2, &spec);
    g_strlcpy(spec->id, "s3", sizeof spec->id);
    g_assert_null(tolk_app_reserve(&f->app, spec, NULL, true, &err)); /* s1 and s2 fill the two places */
    g_assert_cmpstr(err.code, ==, "limit_reached");
    tolk_app_unlock(&f->app);
    g_assert_true(tolk_app_build(creation));
    tolk_app_close_streams(&f->app);
    tolk_app_lock(&f->app);
    g_assert_null(tolk_app_commit(&f->app, creation, &err));
    g_assert_cmpint(err.kind, ==, TOLK_ERROR_UNAVAILABLE);
    g_assert_null(tolk_app_find(&f->app, "s2"));
    tolk_app_unlock(&f->app);
    tolk_app_creation_free(creation);
    g_free(spec);
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
    g_test_add("/sitting/build-outside-lock", fixture, NULL, setup, test_build_outside_lock, teardown);
    g_test_add("/sitting/same-id-twice", fixture, NULL, setup, test_same_id_twice, teardown);
    g_test_add("/sitting/place-held-and-stopping", fixture, NULL, setup, test_place_held_and_stopping, teardown);
    return g_test_run();
}
