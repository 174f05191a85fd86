/* SPDX-License-Identifier: EUPL-1.2 */
/* The sitting layer's refusals, in process and without media: tolk_app_create says why it
 * cannot create a session as a tolk_error (kind, code, field, message), and the API's status
 * follows from the kind alone. Both refusals come before any port or pipeline is touched. */
#include "app.h"
#include "http_error.h"

#include <glib.h>
#include <string.h>

static tolk_session_spec *two_booth_spec(const char *id)
{
    tolk_session_spec *spec = g_new0(tolk_session_spec, 1);
    spec->has_id = id != NULL;
    g_strlcpy(spec->id, id ? id : "", sizeof spec->id);
    tolk_matrix_config *m = &spec->matrix;
    m->channel_count = 2;
    g_strlcpy(m->channels[1], "en", TOLK_LANG_SIZE);
    g_strlcpy(m->channels[2], "fr", TOLK_LANG_SIZE);
    m->booth_count = 2;
    m->booths[0] = (tolk_booth_config){.channel = 1, .console_count = 1};
    m->booths[1] = (tolk_booth_config){.channel = 2, .console_count = 1};
    return spec;
}

/* tolk_app_create refuses spec with this error, and the app keeps the sessions it had. */
static void expect_refused(tolk_app *app, const tolk_session_spec *spec, const tolk_error *want, int status)
{
    guint sessions = app->sessions->len;
    tolk_error err;
    memset(&err, 0, sizeof err);
    g_assert_null(tolk_app_create(app, spec, NULL, &err));
    g_assert_cmpint(err.kind, ==, want->kind);
    g_assert_cmpint(tolk_http_status_for(err.kind), ==, status);
    g_assert_cmpstr(err.code, ==, want->code);
    g_assert_cmpstr(err.field, ==, want->field);
    g_assert_cmpstr(err.message, ==, want->message);
    g_assert_cmpuint(app->sessions->len, ==, sessions);
}

static void free_app(tolk_app *app)
{
    g_ptr_array_unref(app->sessions);
    g_ptr_array_unref(app->detached);
    g_ptr_array_unref(app->creating);
    g_mutex_clear(&app->lock);
}

static void test_taken_id_is_a_conflict(void)
{
    tolk_app app = {0};
    tolk_app_init(&app);
    tolk_session *existing = g_new0(tolk_session, 1); /* only its id is looked at */
    g_strlcpy(existing->id, "plenary", sizeof existing->id);
    g_ptr_array_add(app.sessions, existing);
    tolk_session_spec *spec = two_booth_spec("plenary");
    expect_refused(&app, spec,
                   &(tolk_error){TOLK_ERROR_CONFLICT, "session_exists", "id", "session id plenary is taken"}, 409);
    g_free(spec);
    g_free(existing);
    free_app(&app);
}

static void test_refused_configuration_is_invalid(void)
{
    tolk_app app = {0};
    tolk_app_init(&app);
    tolk_session_spec *spec = two_booth_spec("sitting");
    spec->matrix.booths[1].channel = 1; /* a second booth for en */
    expect_refused(&app, spec,
                   &(tolk_error){TOLK_ERROR_INVALID, "invalid_value", "booths[1].language",
                                 "Field \"booths[1].language\" repeats the booth \"en\": one booth per language."},
                   400);
    g_free(spec);
    free_app(&app);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sitting/app/taken_id_is_a_conflict", test_taken_id_is_a_conflict);
    g_test_add_func("/sitting/app/refused_configuration_is_invalid", test_refused_configuration_is_invalid);
    return g_test_run();
}
