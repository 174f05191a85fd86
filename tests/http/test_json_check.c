/* SPDX-License-Identifier: EUPL-1.2 */
/* The table engine on a synthetic table that uses every field type, and the checks of a
 * raw body (request_body_parse_object: text and duplicate keys) that the tree cannot do. */
#include "http_error.h"
#include "json_check.h"
#include "json_scan.h"
#include "request_body.h"

#include <glib.h>
#include <string.h>

static bool is_lower(const char *s)
{
    for (; *s; s++)
        if (!g_ascii_islower(*s))
            return false;
    return true;
}

static const char *const colours[] = {"red", "green", "blue", NULL};

static const tolk_json_field item_fields[] = {
    {.name = "tag", .type = TOLK_JSON_STRING, .required = true, .valid = is_lower, .expected = "lowercase"},
    {.name = "tags", .type = TOLK_JSON_STRING_ARRAY, .valid = is_lower, .expected = "lowercase", .unique = true},
    {0},
};

static const tolk_json_field inner_fields[] = {
    {.name = "flag", .type = TOLK_JSON_BOOLEAN, .required = true},
    {0},
};

static const tolk_json_field fields[] = {
    {.name = "s", .type = TOLK_JSON_STRING, .required = true, .max_length = 5},
    {.name = "sn", .type = TOLK_JSON_STRING_OR_NULL, .one_of = colours},
    {.name = "i", .type = TOLK_JSON_INTEGER, .ranged = true, .min = 1, .max = 6},
    {.name = "n", .type = TOLK_JSON_NUMBER, .ranged = true, .min = -1.5, .max = 1.5},
    {.name = "nn", .type = TOLK_JSON_NUMBER_OR_NULL},
    {.name = "b", .type = TOLK_JSON_BOOLEAN},
    {.name = "sa", .type = TOLK_JSON_STRING_ARRAY, .min_items = 1, .max_items = 3, .unique = true},
    {.name = "oa", .type = TOLK_JSON_OBJECT_ARRAY, .fields = item_fields, .min_items = 2},
    {.name = "o", .type = TOLK_JSON_OBJECT, .fields = inner_fields},
    {0},
};

typedef struct {
    const char *json;
    const char *code; /* NULL: accepted */
    const char *field;
} check_case;

static const check_case cases[] = {
    {"{\"s\": \"abc\"}", NULL, NULL},
    {"{\"s\": \"\", \"sn\": null, \"i\": 6, \"n\": 1, \"nn\": null, \"b\": false, \"sa\": [\"x\"],"
     " \"oa\": [{\"tag\": \"a\"}, {\"tag\": \"b\", \"tags\": []}], \"o\": {\"flag\": true}}", NULL, NULL},
    {"{\"s\": \"abc\", \"nn\": -1e300, \"n\": -1.5, \"sn\": \"blue\"}", NULL, NULL},
    /* unknown and missing */
    {"{}", "missing_field", "s"},
    {"{\"s\": \"a\", \"x\": 1}", "unknown_field", "x"},
    {"{\"S\": \"a\"}", "unknown_field", "S"},
    {"{\"s\": \"a\", \"o\": {\"flag\": true, \"x\": 1}}", "unknown_field", "o.x"},
    {"{\"s\": \"a\", \"o\": {}}", "missing_field", "o.flag"},
    {"{\"s\": \"a\", \"oa\": [{\"tag\": \"a\"}, {}]}", "missing_field", "oa[1].tag"},
    {"{\"s\": \"a\", \"oa\": [{\"tag\": \"a\"}, {\"tag\": \"b\", \"y\": 0}]}", "unknown_field", "oa[1].y"},
    /* types */
    {"{\"s\": 1}", "invalid_type", "s"},
    {"{\"s\": null}", "invalid_type", "s"},
    {"{\"s\": [\"a\"]}", "invalid_type", "s"},
    {"{\"s\": \"a\", \"sn\": 1}", "invalid_type", "sn"},
    {"{\"s\": \"a\", \"i\": 1.0}", "invalid_type", "i"},
    {"{\"s\": \"a\", \"i\": \"1\"}", "invalid_type", "i"},
    {"{\"s\": \"a\", \"i\": null}", "invalid_type", "i"},
    {"{\"s\": \"a\", \"i\": true}", "invalid_type", "i"},
    {"{\"s\": \"a\", \"n\": \"1\"}", "invalid_type", "n"},
    {"{\"s\": \"a\", \"n\": null}", "invalid_type", "n"},
    {"{\"s\": \"a\", \"nn\": false}", "invalid_type", "nn"},
    {"{\"s\": \"a\", \"b\": 0}", "invalid_type", "b"},
    {"{\"s\": \"a\", \"b\": \"true\"}", "invalid_type", "b"},
    {"{\"s\": \"a\", \"sa\": \"x\"}", "invalid_type", "sa"},
    {"{\"s\": \"a\", \"sa\": [1]}", "invalid_type", "sa[0]"},
    {"{\"s\": \"a\", \"sa\": [\"x\", null]}", "invalid_type", "sa[1]"},
    {"{\"s\": \"a\", \"oa\": {}}", "invalid_type", "oa"},
    {"{\"s\": \"a\", \"oa\": [{\"tag\": \"a\"}, 1]}", "invalid_type", "oa[1]"},
    {"{\"s\": \"a\", \"oa\": [{\"tag\": \"a\"}, {\"tag\": \"b\", \"tags\": [\"c\", 2]}]}", "invalid_type",
     "oa[1].tags[1]"},
    {"{\"s\": \"a\", \"o\": []}", "invalid_type", "o"},
    {"{\"s\": \"a\", \"o\": {\"flag\": 1}}", "invalid_type", "o.flag"},
    /* values */
    {"{\"s\": \"abcdef\"}", "invalid_value", "s"},
    {"{\"s\": \"a\\u0000b\"}", "invalid_text", "s"},
    {"{\"s\": \"a\\tb\"}", "invalid_text", "s"},
    {"{\"s\": \"a\\u007f\"}", "invalid_text", "s"},
    {"{\"s\": \"a\\u0085\"}", "invalid_text", "s"},
    {"{\"s\": \"\xc0\xae\"}", "invalid_text", "s"},
    {"{\"s\": \"a\", \"sa\": [\"x\", \"\xed\xa0\x80\"]}", "invalid_text", "sa[1]"},
    {"{\"s\": \"a\", \"oa\": [{\"tag\": \"a\"}, {\"tag\": \"b\", \"tags\": [\"\\n\"]}]}", "invalid_text",
     "oa[1].tags[0]"},
    {"{\"s\": \"a\", \"sn\": \"pink\"}", "invalid_value", "sn"},
    {"{\"s\": \"a\", \"sn\": \"Red\"}", "invalid_value", "sn"},
    {"{\"s\": \"a\", \"i\": 0}", "invalid_value", "i"},
    {"{\"s\": \"a\", \"i\": 7}", "invalid_value", "i"},
    {"{\"s\": \"a\", \"i\": -9223372036854775808}", "invalid_value", "i"},
    {"{\"s\": \"a\", \"i\": 99999999999999999999}", "invalid_value", "i"},
    {"{\"s\": \"a\", \"n\": 1.51}", "invalid_value", "n"},
    {"{\"s\": \"a\", \"n\": -2}", "invalid_value", "n"},
    {"{\"s\": \"a\", \"nn\": 1e999}", "invalid_value", "nn"},
    {"{\"s\": \"a\", \"sa\": []}", "invalid_value", "sa"},
    {"{\"s\": \"a\", \"sa\": [\"a\", \"b\", \"c\", \"d\"]}", "invalid_value", "sa"},
    {"{\"s\": \"a\", \"sa\": [\"a\", \"b\", \"a\"]}", "invalid_value", "sa[2]"},
    {"{\"s\": \"a\", \"oa\": [{\"tag\": \"a\"}]}", "invalid_value", "oa"},
    {"{\"s\": \"a\", \"oa\": [{\"tag\": \"a\"}, {\"tag\": \"B\"}]}", "invalid_value", "oa[1].tag"},
    {"{\"s\": \"a\", \"oa\": [{\"tag\": \"a\"}, {\"tag\": \"b\", \"tags\": [\"c\", \"c\"]}]}", "invalid_value",
     "oa[1].tags[1]"},
    /* unknown fields are reported before missing ones: a typo reads as a typo */
    {"{\"ss\": \"a\"}", "unknown_field", "ss"},
};

static void test_cases(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        json_object *obj = json_tokener_parse(cases[i].json);
        g_assert_nonnull(obj);
        tolk_error err = {0};
        bool ok = tolk_json_check(obj, fields, &err);
        if (cases[i].code == NULL) {
            if (!ok)
                g_error("case %zu refused: %s %s %s", i, err.code, err.field, err.message);
        } else {
            if (ok)
                g_error("case %zu accepted: %s", i, cases[i].json);
            g_assert_cmpint(tolk_http_status_for(err.kind), ==, 400);
            g_assert_cmpstr(err.code, ==, cases[i].code);
            g_assert_cmpstr(err.field, ==, cases[i].field);
            /* The message names the field. */
            g_assert_nonnull(strstr(err.message, cases[i].field));
        }
        json_object_put(obj);
    }
}

static void check_message(const char *json, const char *message)
{
    json_object *obj = json_tokener_parse(json);
    tolk_error err;
    g_assert_false(tolk_json_check(obj, fields, &err));
    g_assert_cmpstr(err.message, ==, message);
    json_object_put(obj);
}

static void test_messages(void)
{
    check_message("{}", "Field \"s\" is required.");
    check_message("{\"s\": \"a\", \"x\": 1}", "Unknown field \"x\".");
    check_message("{\"s\": 1}", "Field \"s\" must be a string.");
    check_message("{\"s\": \"a\", \"sn\": \"pink\"}", "Field \"sn\" must be \"red\", \"green\" or \"blue\".");
    check_message("{\"s\": \"a\", \"i\": 9}", "Field \"i\" must be from 1 to 6.");
    check_message("{\"s\": \"a\", \"sa\": []}", "Field \"sa\" must not be empty.");
    check_message("{\"s\": \"a\", \"oa\": [{\"tag\": \"a\"}, {\"tag\": \"B\"}]}",
                  "Field \"oa[1].tag\" must be lowercase.");
}

/* Whatever a key holds, the message stays UTF-8: it goes into a JSON reply. */
static void test_messages_stay_utf8(void)
{
    json_object *obj = json_object_new_object();
    json_object_object_add(obj, "s", json_object_new_string("a"));
    json_object_object_add(obj, "\xff\xfe", json_object_new_int(1));
    tolk_error err;
    g_assert_false(tolk_json_check(obj, fields, &err));
    g_assert_cmpstr(err.code, ==, "unknown_field");
    g_assert_true(g_utf8_validate(err.message, -1, NULL));
    g_assert_true(g_utf8_validate(err.field, -1, NULL));
    json_object_put(obj);
    /* A long name cut at its buffer's end is cut between characters. */
    char *key = g_strnfill(40, 'x');
    char *long_key = g_strconcat(key, "\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc"
                                 "\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc"
                                 "\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc"
                                 "\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc"
                                 "\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc", NULL);
    for (int shift = 0; shift < 2; shift++) {
        tolk_error_set(&err, TOLK_ERROR_INVALID, "unknown_field", long_key + shift, "Unknown field \"%s%s\".",
                             long_key + shift, long_key);
        g_assert_true(g_utf8_validate(err.message, -1, NULL));
        g_assert_true(g_utf8_validate(err.field, -1, NULL));
        g_assert_cmpuint(strlen(err.field), >=, sizeof err.field - 2);
    }
    g_free(long_key);
    g_free(key);
}

static void test_text_check(void)
{
    static const char *const good[] = {"", "Sitzung \xe2\x80\x93 Plenum \xc3\xbc", "\xf0\x9f\x98\x80",
                                       "\xf4\x8f\xbf\xbf", "\xc2\xa0", "~"};
    static const char *const bad[] = {"\xc0\xae", "\xe0\x80\xae", "\xed\xa0\x80", "\xed\xbf\xbf",
                                      "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80", "\xff", "\xc3",
                                      "a\tb", "\r", "\n", "\x1b[2J", "\x7f", "\xc2\x80", "\xc2\x9f"};
    for (size_t i = 0; i < G_N_ELEMENTS(good); i++)
        if (!tolk_text_check(good[i], strlen(good[i]), NULL, 0))
            g_error("good text %zu refused", i);
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        if (tolk_text_check(bad[i], strlen(bad[i]), NULL, 0))
            g_error("bad text %zu accepted", i);
    char why[64];
    g_assert_false(tolk_text_check("a\0b", 3, why, sizeof why));
    g_assert_cmpstr(why, ==, "contains the control character U+0000");
    g_assert_false(tolk_text_check("\xc0\xae", 2, why, sizeof why));
    g_assert_cmpstr(why, ==, "is not valid UTF-8");
}

/* ---- raw bodies ---- */

static const check_case body_cases[] = {
    {"{\"name\": \"Sitzung \xe2\x80\x93 Plenum \xc3\xbc\"}", NULL, NULL},
    {"{\"name\": \"\\u00fc \\ud83d\\ude00 \\\"q\\\" \\\\ \\/\"}", NULL, NULL},
    {"{\"a\": 1, \"b\": {\"a\": 1}, \"c\": [{\"a\": 1}, {\"a\": [1, {\"a\": 2}]}]}", NULL, NULL},
    {"{\"a\": \"\\u0061\", \"b\": \"a\"}", NULL, NULL},
    /* text: raw bytes and escapes, values and keys */
    {"{\"name\": \"\xc0\xae\"}", "invalid_text", "name"},
    {"{\"name\": \"\xe0\x80\xaf\"}", "invalid_text", "name"},
    {"{\"name\": \"\xed\xa0\x80\"}", "invalid_text", "name"},
    {"{\"name\": \"\xf4\x90\x80\x80\"}", "invalid_text", "name"},
    {"{\"name\": \"\\ud800\"}", "invalid_text", "name"},
    {"{\"name\": \"\\udc00\\ud800\"}", "invalid_text", "name"},
    {"{\"name\": \"a\tb\"}", "invalid_text", "name"},
    {"{\"name\": \"a\\tb\"}", "invalid_text", "name"},
    {"{\"name\": \"\x7f\"}", "invalid_text", "name"},
    {"{\"name\": \"\xc2\x85\"}", "invalid_text", "name"},
    {"{\"name\": \"\\u0000\"}", "invalid_text", "name"},
    {"{\"b\": [\"ok\", \"x\\ny\"]}", "invalid_text", "b[1]"},
    {"{\"o\": {\"p\": [0, {\"q\": \"\\u001b\"}]}}", "invalid_text", "o.p[1].q"},
    {"{\"a\": 1, \"k\\u0007\": 1}", "invalid_text", ""},
    {"{\"o\": {\"a\": 1, \"k\xc0\xae\": 1}}", "invalid_text", "o"},
    /* duplicate keys, however spelt */
    {"{\"a\": 1, \"a\": 2}", "duplicate_field", "a"},
    {"{\"a\": 1, \"\\u0061\": 2}", "duplicate_field", "a"},
    {"{\"a\\\"b\": 1, \"a\\\"b\": 2}", "duplicate_field", "a\"b"},
    {"{\"o\": {\"x\": {}, \"y\": 2, \"x\": 3}}", "duplicate_field", "o.x"},
    {"{\"oa\": [{\"t\": 1}, {\"t\": 1, \"u\": [], \"t\": 2}]}", "duplicate_field", "oa[1].t"},
    {"{\"a\\u0000b\": 1, \"a\": 2}", "invalid_text", ""},
    /* still the JSON rules */
    {"[1]", "invalid_json", ""},
    {"{\"a\": 1} x", "invalid_json", ""},
    {"{\"a\": NaN}", "invalid_json", ""},
};

static bool parse_body(const char *json, tolk_error *err)
{
    request_body body;
    request_body_init(&body, 4096);
    request_body_append(&body, json, strlen(json));
    json_object *obj;
    bool ok = request_body_parse_object(&body, &obj, err);
    g_assert_true(ok == (obj != NULL));
    json_object_put(obj);
    request_body_clear(&body);
    return ok;
}

static void test_body_cases(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(body_cases); i++) {
        tolk_error err = {0};
        bool ok = parse_body(body_cases[i].json, &err);
        if (body_cases[i].code == NULL) {
            if (!ok)
                g_error("body %zu refused: %s %s %s", i, err.code, err.field, err.message);
            continue;
        }
        if (ok)
            g_error("body %zu accepted: %s", i, body_cases[i].json);
        if (tolk_http_status_for(err.kind) != 400 || strcmp(err.code, body_cases[i].code) || strcmp(err.field, body_cases[i].field))
            g_error("body %zu: got %d %s \"%s\" (%s), want 400 %s \"%s\"", i, tolk_http_status_for(err.kind), err.code,
                    err.field, err.message, body_cases[i].code, body_cases[i].field);
        g_assert_nonnull(strstr(err.message, body_cases[i].field));
        g_assert_true(g_utf8_validate(err.message, -1, NULL));
    }
}

static void check_body_message(const char *json, const char *message)
{
    tolk_error err;
    g_assert_false(parse_body(json, &err));
    g_assert_cmpstr(err.message, ==, message);
}

static void test_body_messages(void)
{
    check_body_message("{\"name\": \"a\tb\"}", "Field \"name\" contains the control character U+0009.");
    check_body_message("{\"name\": \"\xc0\xae\"}", "Field \"name\" is not valid UTF-8.");
    check_body_message("{\"name\": \"\\ud800\"}",
                       "Field \"name\" is not valid Unicode (an unpaired surrogate escape).");
    check_body_message("{\"o\": {\"\\u0000\": 1}}",
                       "A field name in \"o\" contains the control character U+0000.");
    check_body_message("{\"\x7f\": 1}", "A field name at the top level contains the control character U+007F.");
    check_body_message("{\"booths\": [{\"language\": \"en\", \"language\": \"fr\"}]}",
                       "Field \"booths[0].language\" appears more than once.");
    /* An SDP's value keeps its line ends (an AES67 source), nothing else of control; other
     * fields stay one line, and a key named sdp is no value. */
    tolk_error err;
    g_assert_true(parse_body("{\"sdp\": \"v=0\\r\\ns=Hall\\r\\na=x:1\\t2\\n\", \"channel\": 1}", &err));
    g_assert_true(parse_body("{\"floor_aes67\": {\"sdp\": \"v=0\\r\\n\"}}", &err));
    check_body_message("{\"sdp\": \"v=0\\u001b[2J\\r\\n\"}", "Field \"sdp\" contains the control character U+001B.");
    check_body_message("{\"sap\": \"v=0\\r\\n\"}", "Field \"sap\" contains the control character U+000D.");
    check_body_message("{\"sdp\\n\": 1}", "A field name at the top level contains the control character U+000A.");
}

/* The scan on its own, on what json-c would never hand it: it must refuse, not read on. */
static void test_scan_broken_input(void)
{
    static const char *const broken[] = {"{", "}", "[}", "{\"a", "{\"a\\", "{\"a\\u12", "{\"a\\x\"}",
                                         ",", "[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]"};
    for (size_t i = 0; i < G_N_ELEMENTS(broken); i++) {
        tolk_error err;
        if (tolk_json_scan(broken[i], strlen(broken[i]), 16, &err))
            g_error("broken %zu passed the scan", i);
        g_assert_cmpstr(err.code, ==, "invalid_json");
    }
}

static bool is_text(const char *data, size_t len)
{
    request_body body;
    request_body_init(&body, 4096);
    request_body_append(&body, data, len);
    bool ok = request_body_is_text(&body);
    request_body_clear(&body);
    return ok;
}

/* SDP and trickle bodies: SDP lines, so TAB, CR and LF and no other control character. */
static void test_text_body(void)
{
    static const char good[] = "v=0\r\ns=Sitzung \xe2\x80\x93 \xc3\xbc\r\na=x:1\t2\n";
    g_assert_true(is_text(good, sizeof good - 1));
    static const char *const bad[] = {"v=0\x1b[2J\r\n", "v=0\x7f\r\n", "v=0\x0b\r\n", "v=0\xc0\xae\r\n",
                                      "v=0\xed\xa0\x80\r\n", "v=0\xff\r\n"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        if (is_text(bad[i], strlen(bad[i])))
            g_error("text body %zu accepted", i);
    g_assert_false(is_text("v=0\0x", 5));
}

static void test_non_object(void)
{
    json_object *array = json_object_new_array();
    tolk_error err;
    g_assert_false(tolk_json_check(array, fields, &err));
    g_assert_cmpstr(err.code, ==, "invalid_json");
    json_object_put(array);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/json_check/cases", test_cases);
    g_test_add_func("/json_check/messages", test_messages);
    g_test_add_func("/json_check/non-object", test_non_object);
    g_test_add_func("/json_check/messages-stay-utf8", test_messages_stay_utf8);
    g_test_add_func("/json_check/text", test_text_check);
    g_test_add_func("/json_check/body/cases", test_body_cases);
    g_test_add_func("/json_check/body/messages", test_body_messages);
    g_test_add_func("/json_check/body/scan-broken", test_scan_broken_input);
    g_test_add_func("/request_body/text", test_text_body);
    return g_test_run();
}
