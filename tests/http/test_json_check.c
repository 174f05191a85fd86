/* SPDX-License-Identifier: EUPL-1.2 */
/* The table engine on a synthetic table that uses every field type. */
#include "json_check.h"

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
    {"{\"s\": \"a\\u0000b\"}", "invalid_value", "s"},
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
        tolk_parse_error err = {0};
        bool ok = tolk_json_check(obj, fields, &err);
        if (cases[i].code == NULL) {
            if (!ok)
                g_error("case %zu refused: %s %s %s", i, err.code, err.field, err.message);
        } else {
            if (ok)
                g_error("case %zu accepted: %s", i, cases[i].json);
            g_assert_cmpint(err.status, ==, 400);
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
    tolk_parse_error err;
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

static void test_non_object(void)
{
    json_object *array = json_object_new_array();
    tolk_parse_error err;
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
    return g_test_run();
}
