/* SPDX-License-Identifier: EUPL-1.2 */
/* The v1 request parsers: every field's wrong type, range, unknown and missing fields,
 * and the conversion into the rules types. */
#include "http_error.h"
#include "request_parse.h"

#include <glib.h>
#include <string.h>

#define SESSION                                                                                   \
    "\"channels\": [\"de\", \"en\", \"fr\", \"mt\"], \"booths\": ["                              \
    "{\"language\": \"en\", \"consoles\": 3, \"b_channels\": [\"fr\"]},"                          \
    "{\"language\": \"fr\", \"consoles\": 2}, {\"language\": \"mt\", \"consoles\": 2, \"b_channels\": [\"en\"]}]"

static tolk_matrix_config config; /* the SESSION above, for the console parser */

typedef bool (*parse_fn)(json_object *body, tolk_error *err);

static bool parse_create(json_object *body, tolk_error *err)
{
    tolk_session_spec spec;
    return tolk_parse_session_create(body, &spec, err);
}

static bool parse_session_patch(json_object *body, tolk_error *err)
{
    tolk_session_patch patch;
    return tolk_parse_session_patch(body, &config, &patch, err);
}

static bool parse_console_patch(json_object *body, tolk_error *err)
{
    tolk_console_patch patch;
    return tolk_parse_console_patch(body, &config, 0, &patch, err);
}

static bool parse_output(json_object *body, tolk_error *err)
{
    tolk_output_spec spec;
    return tolk_parse_output_create(body, &spec, err);
}

typedef struct {
    const char *json;
    const char *code; /* NULL: accepted */
    const char *field;
} parse_case;

/* ---- POST /sessions ---- */

#define B(booths) "{\"channels\": [\"de\", \"en\", \"fr\", \"mt\"], \"booths\": [" booths "]}"
#define WITH(field) "{\"channels\": [\"en\"], " field "}"

static const parse_case create_cases[] = {
    {"{\"channels\": [\"en\"]}", NULL, NULL},
    {"{" SESSION "}", NULL, NULL},
    {"{\"id\": \"plenary\", \"name\": \"Plenary sitting\", \"floor_language\": \"de\", " SESSION
     ", \"interlock\": \"free\", \"idle_channel\": \"silence\", \"original_under_db\": -20}", NULL, NULL},
    {"{\"channels\": [\"en\"], \"booths\": []}", NULL, NULL},
    {"{\"channels\": [\"en\", \"fr\"], \"booths\": [{\"language\": \"en\", \"consoles\": 1, \"b_channels\": []}]}",
     NULL, NULL},
    {"{}", "missing_field", "channels"},
    {"{\"channel\": [\"en\"]}", "unknown_field", "channel"},
    {WITH("\"colour\": \"red\""), "unknown_field", "colour"},
    /* id */
    {WITH("\"id\": \"0\""), NULL, NULL},
    {WITH("\"id\": \"a-\""), NULL, NULL},
    {WITH("\"id\": \"abcdefghijklmnopqrstuvwxyz012345\""), NULL, NULL},
    {WITH("\"id\": \"abcdefghijklmnopqrstuvwxyz0123456\""), "invalid_value", "id"},
    {WITH("\"id\": 1"), "invalid_type", "id"},
    {WITH("\"id\": null"), "invalid_type", "id"},
    {WITH("\"id\": \"\""), "invalid_value", "id"},
    {WITH("\"id\": \"-a\""), "invalid_value", "id"},
    {WITH("\"id\": \"Plenary\""), "invalid_value", "id"},
    {WITH("\"id\": \"a_b\""), "invalid_value", "id"},
    {WITH("\"id\": \"a b\""), "invalid_value", "id"},
    {WITH("\"id\": \"caf\\u00e9\""), "invalid_value", "id"},
    /* name */
    {WITH("\"name\": \"\""), NULL, NULL},
    {WITH("\"name\": \"Sitzung \\u00fcber Fragen\""), NULL, NULL},
    {WITH("\"name\": \"Sitzung \xe2\x80\x93 Plenum \xc3\xbc\""), NULL, NULL},
    {WITH("\"name\": \"a\\tb\""), "invalid_text", "name"},
    {WITH("\"name\": \"a\x7f\""), "invalid_text", "name"},
    {WITH("\"name\": \"\xc0\xae\""), "invalid_text", "name"},
    {WITH("\"name\": \"\xed\xa0\x80\""), "invalid_text", "name"},
    {WITH("\"id\": \"a\\u0000\""), "invalid_text", "id"},
    {WITH("\"name\": 1"), "invalid_type", "name"},
    {WITH("\"name\": null"), "invalid_type", "name"},
    /* floor_language: any valid code, not necessarily a channel */
    {WITH("\"floor_language\": \"ga\""), NULL, NULL},
    {WITH("\"floor_language\": \"mul\""), NULL, NULL},
    {WITH("\"floor_language\": null"), NULL, NULL},
    {WITH("\"floor_language\": 1"), "invalid_type", "floor_language"},
    {WITH("\"floor_language\": \"DE\""), "invalid_value", "floor_language"},
    {WITH("\"floor_language\": \"d\""), "invalid_value", "floor_language"},
    {WITH("\"floor_language\": \"deut\""), "invalid_value", "floor_language"},
    {WITH("\"floor_language\": \"floor\""), "invalid_value", "floor_language"},
    /* channels */
    {"{\"channels\": \"en\"}", "invalid_type", "channels"},
    {"{\"channels\": null}", "invalid_type", "channels"},
    {"{\"channels\": []}", "invalid_value", "channels"},
    {"{\"channels\": [1]}", "invalid_type", "channels[0]"},
    {"{\"channels\": [\"en\", {}]}", "invalid_type", "channels[1]"},
    {"{\"channels\": [\"floor\"]}", "invalid_value", "channels[0]"},
    {"{\"channels\": [\"en\", \"EN\"]}", "invalid_value", "channels[1]"},
    {"{\"channels\": [\"en\", \"e\"]}", "invalid_value", "channels[1]"},
    {"{\"channels\": [\"en\", \"engl\"]}", "invalid_value", "channels[1]"},
    {"{\"channels\": [\"en\", \"\"]}", "invalid_value", "channels[1]"},
    {"{\"channels\": [\"en\", \"fr\", \"en\"]}", "invalid_value", "channels[2]"},
    /* booths */
    {B("{\"language\": \"en\", \"consoles\": 6}"), NULL, NULL},
    {"{\"channels\": [\"en\"], \"booths\": {}}", "invalid_type", "booths"},
    {"{\"channels\": [\"en\"], \"booths\": null}", "invalid_type", "booths"},
    {B("1"), "invalid_type", "booths[0]"},
    {B("{\"language\": \"en\", \"consoles\": 1}, []"), "invalid_type", "booths[1]"},
    {B("{}"), "missing_field", "booths[0].language"},
    {B("{\"language\": \"en\"}"), "missing_field", "booths[0].consoles"},
    {B("{\"consoles\": 2}"), "missing_field", "booths[0].language"},
    {B("{\"language\": \"en\", \"consoles\": 2, \"lang\": \"en\"}"), "unknown_field", "booths[0].lang"},
    {B("{\"language\": 1, \"consoles\": 2}"), "invalid_type", "booths[0].language"},
    {B("{\"language\": \"EN\", \"consoles\": 2}"), "invalid_value", "booths[0].language"},
    {B("{\"language\": \"it\", \"consoles\": 2}"), "invalid_value", "booths[0].language"},
    {B("{\"language\": \"floor\", \"consoles\": 2}"), "invalid_value", "booths[0].language"},
    {B("{\"language\": \"en\", \"consoles\": 2}, {\"language\": \"en\", \"consoles\": 1}"), "invalid_value",
     "booths[1].language"},
    {B("{\"language\": \"en\", \"consoles\": \"2\"}"), "invalid_type", "booths[0].consoles"},
    {B("{\"language\": \"en\", \"consoles\": 2.0}"), "invalid_type", "booths[0].consoles"},
    {B("{\"language\": \"en\", \"consoles\": null}"), "invalid_type", "booths[0].consoles"},
    {B("{\"language\": \"en\", \"consoles\": 0}"), "invalid_value", "booths[0].consoles"},
    {B("{\"language\": \"en\", \"consoles\": 7}"), "invalid_value", "booths[0].consoles"},
    {B("{\"language\": \"en\", \"consoles\": -1}"), "invalid_value", "booths[0].consoles"},
    {B("{\"language\": \"en\", \"consoles\": 2, \"b_channels\": \"fr\"}"), "invalid_type", "booths[0].b_channels"},
    {B("{\"language\": \"en\", \"consoles\": 2, \"b_channels\": null}"), "invalid_type", "booths[0].b_channels"},
    {B("{\"language\": \"en\", \"consoles\": 2, \"b_channels\": [3]}"), "invalid_type", "booths[0].b_channels[0]"},
    {B("{\"language\": \"en\", \"consoles\": 2, \"b_channels\": [\"Fr\"]}"), "invalid_value",
     "booths[0].b_channels[0]"},
    {B("{\"language\": \"en\", \"consoles\": 2, \"b_channels\": [\"it\"]}"), "invalid_value",
     "booths[0].b_channels[0]"},
    {B("{\"language\": \"en\", \"consoles\": 2, \"b_channels\": [\"fr\", \"en\"]}"), "invalid_value",
     "booths[0].b_channels[1]"},
    {B("{\"language\": \"en\", \"consoles\": 2, \"b_channels\": [\"fr\", \"fr\"]}"), "invalid_value",
     "booths[0].b_channels[1]"},
    {B("{\"language\": \"en\", \"consoles\": 2, \"b_channels\": [\"floor\"]}"), "invalid_value",
     "booths[0].b_channels[0]"},
    {B("{\"language\": \"en\", \"consoles\": 2}, {\"language\": \"fr\", \"consoles\": 1, \"b_channels\": [\"xx\"]}"),
     "invalid_value", "booths[1].b_channels[0]"},
    /* interlock, idle_channel */
    {WITH("\"interlock\": \"no-override\""), NULL, NULL},
    {WITH("\"interlock\": \"override\""), NULL, NULL},
    {WITH("\"interlock\": \"none\""), "invalid_value", "interlock"},
    {WITH("\"interlock\": \"No-Override\""), "invalid_value", "interlock"},
    {WITH("\"interlock\": 1"), "invalid_type", "interlock"},
    {WITH("\"interlock\": null"), "invalid_type", "interlock"},
    {WITH("\"idle_channel\": \"floor\""), NULL, NULL},
    {WITH("\"idle_channel\": \"mute\""), "invalid_value", "idle_channel"},
    {WITH("\"idle_channel\": true"), "invalid_type", "idle_channel"},
    /* original_under_db */
    {WITH("\"original_under_db\": null"), NULL, NULL},
    {WITH("\"original_under_db\": -60"), NULL, NULL},
    {WITH("\"original_under_db\": 0"), NULL, NULL},
    {WITH("\"original_under_db\": -20.5"), NULL, NULL},
    {WITH("\"original_under_db\": -60.01"), "invalid_value", "original_under_db"},
    {WITH("\"original_under_db\": 0.5"), "invalid_value", "original_under_db"},
    {WITH("\"original_under_db\": \"-20\""), "invalid_type", "original_under_db"},
    {WITH("\"original_under_db\": false"), "invalid_type", "original_under_db"},
};

/* ---- PATCH /sessions/{sid} ---- */

static const parse_case session_patch_cases[] = {
    {"{}", NULL, NULL},
    {"{\"name\": \"x\", \"floor_language\": \"mt\", \"interlock\": \"override\", \"idle_channel\": \"silence\","
     " \"original_under_db\": -30}", NULL, NULL},
    {"{\"floor_language\": null, \"original_under_db\": null}", NULL, NULL},
    {"{\"channels\": [\"en\"]}", "unknown_field", "channels"},
    {"{\"id\": \"x\"}", "unknown_field", "id"},
    {"{\"name\": 1}", "invalid_type", "name"},
    {"{\"name\": null}", "invalid_type", "name"},
    {"{\"name\": \"a\\r\\nb\"}", "invalid_text", "name"},
    {"{\"name\": \"\xc2\x9b" "31m\"}", "invalid_text", "name"},
    {"{\"floor_language\": 1}", "invalid_type", "floor_language"},
    {"{\"floor_language\": \"X\"}", "invalid_value", "floor_language"},
    {"{\"interlock\": \"free \"}", "invalid_value", "interlock"},
    {"{\"interlock\": []}", "invalid_type", "interlock"},
    {"{\"idle_channel\": \"floors\"}", "invalid_value", "idle_channel"},
    {"{\"idle_channel\": 0}", "invalid_type", "idle_channel"},
    {"{\"original_under_db\": -100}", "invalid_value", "original_under_db"},
    {"{\"original_under_db\": 3}", "invalid_value", "original_under_db"},
    {"{\"original_under_db\": \"off\"}", "invalid_type", "original_under_db"},
};

/* ---- PATCH .../consoles/{n} ---- */

static const parse_case console_patch_cases[] = {
    {"{}", NULL, NULL},
    {"{\"mic\": \"on\", \"output\": \"B\", \"b_channel\": \"fr\", \"listen\": \"mt\"}", NULL, NULL},
    {"{\"mic\": \"muted\"}", NULL, NULL},
    {"{\"listen\": \"floor\"}", NULL, NULL},
    {"{\"listen\": \"auto\"}", NULL, NULL},
    {"{\"listen\": \"en\"}", NULL, NULL}, /* own channel: the rules module refuses it, not the parser */
    {"{\"b_channel\": \"de\"}", NULL, NULL}, /* not allowed for the booth: the rules module's call */
    {"{\"microphone\": \"on\"}", "unknown_field", "microphone"},
    {"{\"mic\": 1}", "invalid_type", "mic"},
    {"{\"mic\": true}", "invalid_type", "mic"},
    {"{\"mic\": null}", "invalid_type", "mic"},
    {"{\"mic\": \"ON\"}", "invalid_value", "mic"},
    {"{\"mic\": \"live\"}", "invalid_value", "mic"},
    {"{\"output\": \"a\"}", "invalid_value", "output"},
    {"{\"output\": \"C\"}", "invalid_value", "output"},
    {"{\"output\": 1}", "invalid_type", "output"},
    {"{\"b_channel\": \"it\"}", "invalid_value", "b_channel"},
    {"{\"b_channel\": \"floor\"}", "invalid_value", "b_channel"},
    {"{\"b_channel\": \"\"}", "invalid_value", "b_channel"},
    {"{\"b_channel\": 2}", "invalid_type", "b_channel"},
    {"{\"b_channel\": null}", "invalid_type", "b_channel"},
    {"{\"listen\": \"it\"}", "invalid_value", "listen"},
    {"{\"listen\": \"Floor\"}", "invalid_value", "listen"},
    {"{\"listen\": null}", "invalid_type", "listen"},
    {"{\"listen\": 0}", "invalid_type", "listen"},
    {"{\"mic\": \"on\", \"listen\": \"it\"}", "invalid_value", "listen"},
};

/* ---- POST .../outputs ---- */

static const parse_case output_cases[] = {
    {"{\"host\": \"127.0.0.1\", \"port\": 50000}", NULL, NULL},
    {"{\"host\": \"::1\", \"port\": 1}", NULL, NULL},
    {"{\"host\": \"239.255.0.1\", \"port\": 65535}", NULL, NULL},
    {"{\"host\": \"ff02::1\", \"port\": 5004}", NULL, NULL},
    {"{\"host\": \"2001:db8:0:0:0:0:0:1\", \"port\": 5004}", NULL, NULL},
    {"{\"host\": \"::ffff:192.0.2.1\", \"port\": 5004}", NULL, NULL},
    {"{\"host\": \"127.0.0.1\", \"port\": 5004, \"key\": \"own\"}", NULL, NULL},
    {"{\"host\": \"127.0.0.1\", \"port\": 5004, \"key\": \"shared\"}", NULL, NULL},
    {"{\"host\": \"127.0.0.1\", \"port\": 5004, \"key\": \"Own\"}", "invalid_value", "key"},
    {"{\"host\": \"127.0.0.1\", \"port\": 5004, \"key\": true}", "invalid_type", "key"},
    {"{\"host\": \"127.0.0.1\", \"port\": 5004, \"key\": null}", "invalid_type", "key"},
    {"{\"port\": 50000}", "missing_field", "host"},
    {"{\"host\": \"127.0.0.1\"}", "missing_field", "port"},
    {"{\"host\": \"127.0.0.1\", \"port\": 5000, \"hops\": 4}", "unknown_field", "hops"},
    /* ttl and the other AES67 fields belong to "format": "aes67" only. */
    {"{\"host\": \"127.0.0.1\", \"port\": 5000, \"ttl\": 4}", "invalid_value", "ttl"},
    {"{\"host\": \"127.0.0.1\", \"port\": 5000, \"sap\": false}", "invalid_value", "sap"},
    {"{\"host\": \"127.0.0.1\", \"port\": 5000, \"encrypted\": false}", "invalid_value", "encrypted"},
    {"{\"host\": \"127.0.0.1\", \"port\": 5000, \"format\": \"srtp\", \"encrypted\": true}", NULL, NULL},
    {"{\"host\": \"239.69.1.1\", \"port\": 5004, \"format\": \"aes67\", \"encrypted\": false}", NULL, NULL},
    {"{\"host\": \"239.69.1.1\", \"port\": 5004, \"format\": \"aes67\", \"encrypted\": false, \"encoding\": \"L16\", "
     "\"packet_time_ms\": 0.333, \"ttl\": 255, \"sap\": false, \"name\": \"Hall en\"}", NULL, NULL},
    {"{\"host\": \"239.69.1.1\", \"port\": 5004, \"format\": \"aes67\"}", "invalid_value", "encrypted"},
    {"{\"host\": \"239.69.1.1\", \"port\": 5004, \"format\": \"aes67\", \"encrypted\": true}", "invalid_value", "encrypted"},
    {"{\"host\": \"239.69.1.1\", \"port\": 5004, \"format\": \"aes67\", \"encrypted\": \"no\"}", "invalid_type", "encrypted"},
    {"{\"host\": \"239.69.1.1\", \"port\": 5004, \"format\": \"AES67\", \"encrypted\": false}", "invalid_value", "format"},
    {"{\"host\": \"239.69.1.1\", \"port\": 5004, \"format\": \"aes67\", \"encrypted\": false, \"key\": \"own\"}", "invalid_value", "key"},
    {"{\"host\": \"ff02::1\", \"port\": 5004, \"format\": \"aes67\", \"encrypted\": false}", "invalid_value", "host"},
    {"{\"host\": \"239.69.1.1\", \"port\": 5004, \"format\": \"aes67\", \"encrypted\": false, \"encoding\": \"L32\"}", "invalid_value", "encoding"},
    {"{\"host\": \"239.69.1.1\", \"port\": 5004, \"format\": \"aes67\", \"encrypted\": false, \"packet_time_ms\": 2}", "invalid_value", "packet_time_ms"},
    {"{\"host\": \"239.69.1.1\", \"port\": 5004, \"format\": \"aes67\", \"encrypted\": false, \"packet_time_ms\": 0.1}", "invalid_value", "packet_time_ms"},
    {"{\"host\": \"239.69.1.1\", \"port\": 5004, \"format\": \"aes67\", \"encrypted\": false, \"packet_time_ms\": 1e308}", "invalid_value", "packet_time_ms"},
    {"{\"host\": \"239.69.1.1\", \"port\": 5004, \"format\": \"aes67\", \"encrypted\": false, \"ttl\": 0}", "invalid_value", "ttl"},
    {"{\"host\": \"239.69.1.1\", \"port\": 5004, \"format\": \"aes67\", \"encrypted\": false, \"ttl\": 256}", "invalid_value", "ttl"},
    {"{\"host\": 2130706433, \"port\": 5000}", "invalid_type", "host"},
    {"{\"host\": null, \"port\": 5000}", "invalid_type", "host"},
    {"{\"host\": \"\", \"port\": 5000}", "invalid_value", "host"},
    {"{\"host\": \"localhost\", \"port\": 5000}", "invalid_value", "host"},
    {"{\"host\": \"example.org\", \"port\": 5000}", "invalid_value", "host"},
    {"{\"host\": \"1.2.3\", \"port\": 5000}", "invalid_value", "host"},
    {"{\"host\": \"256.1.1.1\", \"port\": 5000}", "invalid_value", "host"},
    {"{\"host\": \" 127.0.0.1\", \"port\": 5000}", "invalid_value", "host"},
    {"{\"host\": \"127.0.0.1:5000\", \"port\": 5000}", "invalid_value", "host"},
    {"{\"host\": \"[::1]\", \"port\": 5000}", "invalid_value", "host"},
    {"{\"host\": \"fe80::1%eth0\", \"port\": 5000}", "invalid_value", "host"},
    {"{\"host\": \"0.0.0.0\", \"port\": 5000}", "invalid_value", "host"},
    {"{\"host\": \"::\", \"port\": 5000}", "invalid_value", "host"},
    {"{\"host\": \"0000:0000:0000:0000:0000:0000:0000:0000:0000:0000\", \"port\": 5000}", "invalid_value", "host"},
    {"{\"host\": \"127.0.0.1\", \"port\": 0}", "invalid_value", "port"},
    {"{\"host\": \"127.0.0.1\", \"port\": 65536}", "invalid_value", "port"},
    {"{\"host\": \"127.0.0.1\", \"port\": -1}", "invalid_value", "port"},
    {"{\"host\": \"127.0.0.1\", \"port\": \"5000\"}", "invalid_type", "port"},
    {"{\"host\": \"127.0.0.1\", \"port\": 5000.0}", "invalid_type", "port"},
    {"{\"host\": \"127.0.0.1\", \"port\": 5e3}", "invalid_type", "port"},
    {"{\"host\": \"127.0.0.1\", \"port\": null}", "invalid_type", "port"},
};

static void run_cases(const char *what, parse_fn parse, const parse_case *cases, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        json_object *body = json_tokener_parse(cases[i].json);
        if (!body)
            g_error("%s case %zu is not JSON: %s", what, i, cases[i].json);
        tolk_error err = {0};
        bool ok = parse(body, &err);
        if (!cases[i].code && !ok)
            g_error("%s case %zu refused (%s %s: %s): %s", what, i, err.code, err.field, err.message,
                    cases[i].json);
        if (cases[i].code) {
            if (ok)
                g_error("%s case %zu accepted: %s", what, i, cases[i].json);
            if (tolk_http_status_for(err.kind) != 400 || strcmp(err.code, cases[i].code) || strcmp(err.field, cases[i].field))
                g_error("%s case %zu: got %d %s %s, want 400 %s %s: %s", what, i, tolk_http_status_for(err.kind), err.code,
                        err.field, cases[i].code, cases[i].field, cases[i].json);
            g_assert_nonnull(strstr(err.message, cases[i].field));
        }
        json_object_put(body);
    }
}

static void test_create_cases(void)
{
    run_cases("create", parse_create, create_cases, G_N_ELEMENTS(create_cases));
}

static void test_session_patch_cases(void)
{
    run_cases("session patch", parse_session_patch, session_patch_cases, G_N_ELEMENTS(session_patch_cases));
}

static void test_console_patch_cases(void)
{
    run_cases("console patch", parse_console_patch, console_patch_cases, G_N_ELEMENTS(console_patch_cases));
}

static void test_output_cases(void)
{
    run_cases("output", parse_output, output_cases, G_N_ELEMENTS(output_cases));
}

/* ---- conversions ---- */

static bool parse_create_json(const char *json, tolk_session_spec *spec, tolk_error *err)
{
    json_object *body = json_tokener_parse(json);
    g_assert_nonnull(body);
    bool ok = tolk_parse_session_create(body, spec, err);
    json_object_put(body);
    return ok;
}

static void test_create_converts_to_config(void)
{
    tolk_session_spec spec;
    tolk_error err;
    g_assert_true(parse_create_json("{\"id\": \"plenary\", \"name\": \"Plenary\", \"floor_language\": \"de\", " SESSION
                                    ", \"interlock\": \"override\", \"idle_channel\": \"silence\","
                                    " \"original_under_db\": -20}",
                                    &spec, &err));
    g_assert_true(spec.has_id);
    g_assert_cmpstr(spec.id, ==, "plenary");
    g_assert_cmpstr(spec.name, ==, "Plenary");
    g_assert_true(spec.has_floor_language);
    g_assert_cmpstr(spec.floor_language, ==, "de");
    const tolk_matrix_config *c = &spec.matrix;
    g_assert_cmpint(c->channel_count, ==, 4);
    g_assert_cmpstr(c->channels[1], ==, "de");
    g_assert_cmpstr(c->channels[4], ==, "mt");
    g_assert_cmpint(c->booth_count, ==, 3);
    g_assert_cmpint(c->booths[0].channel, ==, 2);
    g_assert_cmpint(c->booths[0].console_count, ==, 3);
    g_assert_cmpint(c->booths[0].b_count, ==, 1);
    g_assert_cmpint(c->booths[0].b_channels[0], ==, 3);
    g_assert_cmpint(c->booths[1].channel, ==, 3);
    g_assert_cmpint(c->booths[1].b_count, ==, 0);
    g_assert_cmpint(c->booths[2].channel, ==, 4);
    g_assert_cmpint(c->booths[2].b_channels[0], ==, 2);
    g_assert_cmpint(c->interlock, ==, TOLK_INTERLOCK_OVERRIDE);
    g_assert_cmpint(c->idle_channel, ==, TOLK_IDLE_SILENCE);
    g_assert_true(c->original_under);
    g_assert_cmpfloat(c->original_under_db, ==, -20.0);
}

static void test_create_defaults(void)
{
    tolk_session_spec spec;
    tolk_error err;
    g_assert_true(parse_create_json("{\"channels\": [\"en\"], \"floor_language\": null}", &spec, &err));
    g_assert_false(spec.has_id);
    g_assert_false(spec.has_floor_language);
    g_assert_cmpstr(spec.name, ==, "");
    g_assert_cmpint(spec.matrix.booth_count, ==, 0);
    g_assert_cmpint(spec.matrix.interlock, ==, TOLK_INTERLOCK_NO_OVERRIDE);
    g_assert_cmpint(spec.matrix.idle_channel, ==, TOLK_IDLE_FLOOR);
    g_assert_false(spec.matrix.original_under);
}

/* "aa", "ab", ... : count distinct language codes. */
static char *channel_list(int count)
{
    GString *json = g_string_new("{\"channels\": [");
    for (int i = 0; i < count; i++)
        g_string_append_printf(json, "%s\"%c%c\"", i ? ", " : "", 'a' + i / 26, 'a' + i % 26);
    g_string_append(json, "]}");
    return g_string_free(json, FALSE);
}

static void test_channel_count_limit(void)
{
    tolk_session_spec spec;
    tolk_error err;
    char *json = channel_list(TOLK_MAX_CHANNELS);
    g_assert_true(parse_create_json(json, &spec, &err));
    g_assert_cmpint(spec.matrix.channel_count, ==, TOLK_MAX_CHANNELS);
    g_free(json);
    json = channel_list(TOLK_MAX_CHANNELS + 1);
    g_assert_false(parse_create_json(json, &spec, &err));
    g_assert_cmpstr(err.code, ==, "invalid_value");
    g_assert_cmpstr(err.field, ==, "channels");
    g_free(json);
}

static void test_long_strings(void)
{
    tolk_session_spec spec;
    tolk_error err;
    char *name = g_strnfill(TOLK_NAME_SIZE - 1, 'x');
    char *json = g_strdup_printf("{\"channels\": [\"en\"], \"name\": \"%s\"}", name);
    g_assert_true(parse_create_json(json, &spec, &err));
    g_assert_cmpstr(spec.name, ==, name);
    g_free(json);
    json = g_strdup_printf("{\"channels\": [\"en\"], \"name\": \"%sy\"}", name);
    g_assert_false(parse_create_json(json, &spec, &err));
    g_assert_cmpstr(err.field, ==, "name");
    g_assert_cmpstr(err.code, ==, "invalid_value");
    g_free(json);
    g_free(name);
}

static void test_session_patch_converts(void)
{
    json_object *body = json_tokener_parse("{\"floor_language\": null, \"original_under_db\": null,"
                                           " \"interlock\": \"free\"}");
    tolk_session_patch patch;
    tolk_error err;
    g_assert_true(tolk_parse_session_patch(body, &config, &patch, &err));
    g_assert_false(patch.has_name);
    g_assert_false(patch.has_idle_channel);
    g_assert_true(patch.has_floor_language);
    g_assert_cmpstr(patch.floor_language, ==, "");
    g_assert_true(patch.has_original_under);
    g_assert_false(patch.original_under);
    g_assert_true(patch.has_interlock);
    g_assert_cmpint(patch.interlock, ==, TOLK_INTERLOCK_FREE);
    json_object_put(body);

    body = json_tokener_parse("{\"name\": \"n\", \"floor_language\": \"fr\", \"original_under_db\": -12.5,"
                              " \"idle_channel\": \"silence\"}");
    g_assert_true(tolk_parse_session_patch(body, &config, &patch, &err));
    g_assert_cmpstr(patch.name, ==, "n");
    g_assert_cmpstr(patch.floor_language, ==, "fr");
    g_assert_true(patch.original_under);
    g_assert_cmpfloat(patch.original_under_db, ==, -12.5);
    g_assert_cmpint(patch.idle_channel, ==, TOLK_IDLE_SILENCE);
    g_assert_false(patch.has_interlock);
    json_object_put(body);
}

static void test_console_patch_converts(void)
{
    json_object *body = json_tokener_parse("{\"mic\": \"muted\", \"output\": \"B\", \"b_channel\": \"fr\","
                                           " \"listen\": \"mt\"}");
    tolk_console_patch patch;
    tolk_error err;
    g_assert_true(tolk_parse_console_patch(body, &config, 0, &patch, &err));
    g_assert_true(patch.has_mic && patch.has_output && patch.has_b_channel && patch.has_listen);
    g_assert_cmpint(patch.mic, ==, TOLK_MIC_MUTED);
    g_assert_cmpint(patch.output, ==, TOLK_OUTPUT_B);
    g_assert_cmpint(patch.b_channel, ==, 3);
    g_assert_cmpint(patch.listen, ==, 4);
    json_object_put(body);

    const struct { const char *json; int listen; } listens[] = {
        {"{\"listen\": \"floor\"}", TOLK_LISTEN_FLOOR},
        {"{\"listen\": \"auto\"}", TOLK_LISTEN_AUTO},
        {"{\"listen\": \"de\"}", 1},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(listens); i++) {
        body = json_tokener_parse(listens[i].json);
        g_assert_true(tolk_parse_console_patch(body, &config, 1, &patch, &err));
        g_assert_true(patch.has_listen);
        g_assert_false(patch.has_mic || patch.has_output || patch.has_b_channel);
        g_assert_cmpint(patch.listen, ==, listens[i].listen);
        json_object_put(body);
    }

    body = json_tokener_parse("{\"mic\": \"off\"}");
    g_assert_true(tolk_parse_console_patch(body, &config, 2, &patch, &err));
    g_assert_cmpint(patch.mic, ==, TOLK_MIC_OFF);
    g_assert_false(tolk_parse_console_patch(body, &config, 3, &patch, &err));
    g_assert_cmpint(tolk_http_status_for(err.kind), ==, 404);
    g_assert_false(tolk_parse_console_patch(body, &config, -1, &patch, &err));
    g_assert_cmpint(tolk_http_status_for(err.kind), ==, 404);
    json_object_put(body);
}

static void test_output_converts(void)
{
    json_object *body = json_tokener_parse("{\"host\": \"2001:db8::1\", \"port\": 5004}");
    tolk_output_spec spec;
    tolk_error err;
    g_assert_true(tolk_parse_output_create(body, &spec, &err));
    g_assert_cmpstr(spec.host, ==, "2001:db8::1");
    g_assert_true(spec.ipv6);
    g_assert_cmpint(spec.port, ==, 5004);
    json_object_put(body);
    body = json_tokener_parse("{\"port\": 50000, \"host\": \"192.0.2.7\"}");
    g_assert_true(tolk_parse_output_create(body, &spec, &err));
    g_assert_false(spec.ipv6);
    g_assert_cmpint(spec.port, ==, 50000);
    g_assert_false(spec.own_key);
    json_object_put(body);
    body = json_tokener_parse("{\"port\": 5000, \"host\": \"192.0.2.7\", \"key\": \"own\"}");
    g_assert_true(tolk_parse_output_create(body, &spec, &err));
    g_assert_true(spec.own_key);
    json_object_put(body);
}

/* PUT .../aes67 and "floor_aes67" of a new session: one of sdp and sap, a channel (default 1). */
static void test_aes67_source(void)
{
    tolk_aes67_source_spec a;
    tolk_error err;
    json_object *body = json_tokener_parse("{\"sap\": \"Hall floor mix\", \"channel\": 2}");
    g_assert_true(tolk_parse_aes67_source(body, &a, &err));
    g_assert_cmpstr(a.sap, ==, "Hall floor mix");
    g_assert_null(a.sdp);
    g_assert_cmpint(a.channel, ==, 2);
    json_object_put(body);
    static const char *const refused[][2] = {
        {"{}", "Give one of the fields \"sdp\""}, {"{\"sap\": \"a\", \"sdp\": \"v=0\"}", "Give one of"},
        {"{\"sap\": \"\"}", "Field \"sap\" must be a session name."}, {"{\"sap\": \"a\", \"channel\": 65}", "\"channel\""},
        {"{\"sap\": 1}", "\"sap\""}, {"{\"sap\": \"a\", \"port\": 1}", "\"port\""}};
    for (size_t i = 0; i < G_N_ELEMENTS(refused); i++) {
        body = json_tokener_parse(refused[i][0]);
        g_assert_false(tolk_parse_aes67_source(body, &a, &err));
        if (!strstr(err.message, refused[i][1]))
            g_error("%s: %s", refused[i][0], err.message);
        json_object_put(body);
    }
    tolk_session_spec spec;
    g_assert_true(parse_create_json("{" SESSION ", \"floor_aes67\": {\"sdp\": \"v=0\\r\\n\"}}", &spec, &err));
    g_assert_true(spec.floor_aes67.on);
    g_assert_cmpstr(spec.floor_aes67.sdp, ==, "v=0\r\n");
    g_assert_cmpint(spec.floor_aes67.channel, ==, 1);
    g_assert_true(parse_create_json("{" SESSION "}", &spec, &err));
    g_assert_false(spec.floor_aes67.on);
    g_assert_false(parse_create_json("{" SESSION ", \"floor_aes67\": {\"channel\": 2}}", &spec, &err));
    g_assert_cmpstr(err.field, ==, "floor_aes67.sdp");
}

static void test_validators(void)
{
    g_assert_true(tolk_is_session_id("a"));
    g_assert_false(tolk_is_session_id(""));
    g_assert_true(tolk_is_language_code("mt"));
    g_assert_false(tolk_is_language_code("m1"));
    g_assert_true(tolk_is_ip_address("10.0.0.1"));
    g_assert_false(tolk_is_ip_address("10.0.0.1.2"));
}

/* PUT .../hls: no body is the defaults; each field alone; the bounds, named. */
static void test_hls(void)
{
    tolk_hls_spec spec;
    tolk_error err;
    g_assert_true(tolk_parse_hls(NULL, &spec, &err));
    g_assert_cmpuint(spec.segment_seconds, ==, TOLK_HLS_SEGMENT_DEFAULT);
    g_assert_cmpuint(spec.playlist_segments, ==, TOLK_HLS_LISTED_DEFAULT);
    g_assert_cmpuint(spec.bitrate, ==, TOLK_HLS_BITRATE_DEFAULT);
    json_object *body = json_tokener_parse("{\"bitrate\": 128000}");
    g_assert_true(tolk_parse_hls(body, &spec, &err));
    g_assert_cmpuint(spec.bitrate, ==, 128000);
    g_assert_cmpuint(spec.segment_seconds, ==, TOLK_HLS_SEGMENT_DEFAULT);
    json_object_put(body);
    static const char *const bad[][2] = {{"{\"segment_seconds\": 0}", "segment_seconds"},
                                         {"{\"segment_seconds\": 11}", "segment_seconds"},
                                         {"{\"playlist_segments\": 31}", "playlist_segments"},
                                         {"{\"bitrate\": 31999}", "bitrate"},
                                         {"{\"bitrate\": 1.5e5}", "bitrate"},
                                         {"{\"codec\": \"opus\"}", "codec"}};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        body = json_tokener_parse(bad[i][0]);
        g_assert_false(tolk_parse_hls(body, &spec, &err));
        g_assert_cmpint(err.kind, ==, TOLK_ERROR_INVALID);
        g_assert_cmpstr(err.field, ==, bad[i][1]);
        json_object_put(body);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    tolk_session_spec spec;
    tolk_error err;
    if (!parse_create_json("{" SESSION "}", &spec, &err))
        g_error("base session refused: %s", err.message);
    config = spec.matrix;
    g_test_add_func("/parse/create/cases", test_create_cases);
    g_test_add_func("/parse/hls", test_hls);
    g_test_add_func("/parse/create/config", test_create_converts_to_config);
    g_test_add_func("/parse/create/defaults", test_create_defaults);
    g_test_add_func("/parse/create/channel-limit", test_channel_count_limit);
    g_test_add_func("/parse/create/long-strings", test_long_strings);
    g_test_add_func("/parse/session-patch/cases", test_session_patch_cases);
    g_test_add_func("/parse/session-patch/convert", test_session_patch_converts);
    g_test_add_func("/parse/console-patch/cases", test_console_patch_cases);
    g_test_add_func("/parse/console-patch/convert", test_console_patch_converts);
    g_test_add_func("/parse/output/cases", test_output_cases);
    g_test_add_func("/parse/output/convert", test_output_converts);
    g_test_add_func("/parse/aes67-source", test_aes67_source);
    g_test_add_func("/parse/validators", test_validators);
    return g_test_run();
}
