/* SPDX-License-Identifier: EUPL-1.2 */
/* A JSON request body as the server takes it: the raw-body checks (request_body.c,
 * json_scan.c), then every v1 parser (request_parse.c on json_check.c) on what passed. The
 * oracle: what a parser accepted is text the API may store (tolk_text_check), and every
 * refusal is a 400 with a UTF-8 message. */
#include "fuzz.h"

#include "http_error.h"
#include "request_body.h"
#include "request_parse.h"

#include <string.h>

static void check_refusal(const tolk_error *err)
{
    if (tolk_http_status_for(err->kind) != 400 && tolk_http_status_for(err->kind) != 404)
        fuzz_fail("status %d", tolk_http_status_for(err->kind));
    if (!err->message[0] || !tolk_text_check(err->message, strlen(err->message), NULL, 0) ||
        !tolk_text_check(err->field, strlen(err->field), NULL, 0))
        fuzz_fail("message not clean text: %s", err->message);
}

static void check_text(const char *what, const char *s)
{
    if (!tolk_text_check(s, strlen(s), NULL, 0))
        fuzz_fail("%s accepted with bad text", what);
}

/* A session with booths and B channels, so that the console parser has channels to map. */
static const tolk_matrix_config *session_config(void)
{
    static tolk_session_spec spec;
    static bool ready;
    if (!ready) {
        const char *json = "{\"channels\": [\"de\", \"en\", \"fr\"], \"booths\": [{\"language\": \"en\", "
                           "\"consoles\": 2, \"b_channels\": [\"fr\"]}, {\"language\": \"fr\", \"consoles\": 1}]}";
        json_object *body = json_tokener_parse(json);
        tolk_error err;
        if (!tolk_parse_session_create(body, &spec, &err))
            fuzz_fail("the fixed session is refused: %s", err.message);
        json_object_put(body);
        ready = true;
    }
    return &spec.matrix;
}

static void run_parsers(json_object *body)
{
    tolk_error err;
    tolk_session_spec create;
    if (tolk_parse_session_create(body, &create, &err))
        check_text("session name", create.name);
    else
        check_refusal(&err);
    tolk_session_patch patch;
    if (tolk_parse_session_patch(body, session_config(), &patch, &err))
        check_text("patched name", patch.name);
    else
        check_refusal(&err);
    tolk_console_patch console;
    if (!tolk_parse_console_patch(body, session_config(), 0, &console, &err))
        check_refusal(&err);
    tolk_output_spec output;
    if (!tolk_parse_output_create(body, &output, &err))
        check_refusal(&err);
    tolk_token_spec token;
    if (tolk_parse_token_create(body, &token, &err))
        check_text("token target", token.target);
    else
        check_refusal(&err);
    tolk_signal_spec signal;
    if (!tolk_parse_signal_create(body, &signal, &err))
        check_refusal(&err);
    tolk_channel_patch channel;
    if (!tolk_parse_channel_patch(body, &channel, &err))
        check_refusal(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    request_body body;
    /* The limit makes the buffer exactly as large as the input, so ASan sees any over-read. */
    request_body_init(&body, size);
    request_body_append(&body, (const char *)data, size);
    json_object *obj = NULL;
    tolk_error err;
    if (request_body_parse_object(&body, &obj, &err))
        run_parsers(obj);
    else if (tolk_http_status_for(err.kind) != 400 || !tolk_text_check(err.message, strlen(err.message), NULL, 0))
        fuzz_fail("body refusal: %d %s", tolk_http_status_for(err.kind), err.message);
    json_object_put(obj);
    request_body_clear(&body);
    return 0;
}
