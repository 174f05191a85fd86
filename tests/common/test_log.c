/* SPDX-License-Identifier: EUPL-1.2 */
/* The logger without a daemon: the limiter lets the first occurrence through, then one a
 * minute with the count between; a record with control characters, bytes that are not UTF-8,
 * quotes and backslashes in its message and places still renders as one clean text line and as
 * one JSON object that parses back to the same fields. */
#include <glib.h>
#include <json-c/json.h>
#include <string.h>

#include "log_internal.h"

#define MINUTE TOLK_LOG_LIMIT_US

static void test_limit(void)
{
    tolk_log_limit limit = {0};
    uint64_t unlogged = 99;
    g_assert_true(tolk_log_limit_pass(&limit, 1000, &unlogged));
    g_assert_cmpuint(unlogged, ==, 0);
    for (int i = 0; i < 1000; i++)
        g_assert_false(tolk_log_limit_pass(&limit, 1000 + i * 1000, &unlogged));
    g_assert_false(tolk_log_limit_pass(&limit, 1000 + MINUTE - 1, &unlogged));
    g_assert_true(tolk_log_limit_pass(&limit, 1000 + MINUTE, &unlogged));
    g_assert_cmpuint(unlogged, ==, 1001);
    g_assert_false(tolk_log_limit_pass(&limit, 1000 + MINUTE + 1, &unlogged));
}

static const char hostile[] = "a \"quoted\" \\ back\nslash\r\x1b[31m red \xff\xfe \xc3\x28 caf\xc3\xa9";

static tolk_log_record record(const tolk_log_where *where, const char *const *fields)
{
    return (tolk_log_record){TOLK_LOG_WARN, "test", __FILE__, __LINE__, __func__, where, fields, hostile};
}

static void assert_clean(const char *line)
{
    for (const char *p = line; *p; p++)
        g_assert_false((unsigned char)*p < 0x20 || *p == 0x7f);
    g_assert_true(g_utf8_validate(line, -1, NULL));
    g_assert_nonnull(strstr(line, "caf\xc3\xa9")); /* valid UTF-8 stays */
}

static void test_text(void)
{
    const tolk_log_where where = {.sitting = "plenary", .console = "en/2\n", .output = "o3 to 192.0.2.7:5004"};
    tolk_log_record rec = record(&where, NULL);
    char line[TOLK_LOG_LINE_MAX];
    tolk_log_set_format(TOLK_LOG_TEXT);
    tolk_log_emit(&rec, false, line, sizeof line);
    assert_clean(line);
    g_assert_true(g_regex_match_simple("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z warn  test     "
                                       "sitting plenary, console en/2\\?, output o3 to 192\\.0\\.2\\.7:5004: a ",
                                       line, 0, 0));
}

static void test_json(void)
{
    const tolk_log_where where = {.sitting = "plenary", .channel = "f\"r\\"};
    const char *const fields[] = {"who", "console token t3 (en/2)", "path", hostile, NULL};
    tolk_log_record rec = record(&where, fields);
    char line[TOLK_LOG_LINE_MAX];
    tolk_log_set_format(TOLK_LOG_JSON);
    tolk_log_emit(&rec, false, line, sizeof line);
    tolk_log_set_format(TOLK_LOG_TEXT);
    assert_clean(line);
    json_object *obj = json_tokener_parse(line);
    g_assert_nonnull(obj);
    json_object *v;
    g_assert_true(json_object_object_get_ex(obj, "channel", &v));
    g_assert_cmpstr(json_object_get_string(v), ==, "f\"r\\");
    g_assert_true(json_object_object_get_ex(obj, "who", &v));
    g_assert_cmpstr(json_object_get_string(v), ==, "console token t3 (en/2)");
    g_assert_true(json_object_object_get_ex(obj, "message", &v));
    g_assert_true(g_str_has_prefix(json_object_get_string(v), "a \"quoted\" \\ back?slash??[31m red ?? ?("));
    g_assert_false(json_object_object_get_ex(obj, "console", &v)); /* not known: not there */
    g_assert_true(json_object_object_get_ex(obj, "level", &v));
    g_assert_cmpstr(json_object_get_string(v), ==, "warn");
    json_object_put(obj);
}

/* The longest record, every character escaped, still closes its JSON object. */
static void test_json_longest(void)
{
    char message[2000], place[400];
    memset(message, '"', sizeof message - 1);
    message[sizeof message - 1] = '\0';
    memset(place, '\\', sizeof place - 1);
    place[sizeof place - 1] = '\0';
    const tolk_log_where where = {place, place, place, place};
    const char *const fields[] = {"a", place, "b", place, "c", place, "d", place,
                                  "e", place, "f", place, "g", place, "h", place, NULL};
    tolk_log_record rec = {TOLK_LOG_INFO, "test", NULL, 0, NULL, &where, fields, message};
    char line[TOLK_LOG_LINE_MAX];
    tolk_log_set_format(TOLK_LOG_JSON);
    tolk_log_emit(&rec, false, line, sizeof line);
    tolk_log_set_format(TOLK_LOG_TEXT);
    json_object *obj = json_tokener_parse(line);
    g_assert_nonnull(obj);
    json_object_put(obj);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/log/limit", test_limit);
    g_test_add_func("/log/text", test_text);
    g_test_add_func("/log/json", test_json);
    g_test_add_func("/log/json-longest", test_json_longest);
    return g_test_run();
}
