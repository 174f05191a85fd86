/* SPDX-License-Identifier: EUPL-1.2 */
/* The vocabulary tables: every enum value has exactly one name, parse(name(x)) == x,
 * the language-code check and the walk over a sitting's inputs. */
#include "test_util.h"

/* One vocabulary seen through its name and parse functions, enum values as int. */
typedef struct {
    const char *what;
    const char *const *names; /* the API's table, NULL-terminated */
    int count;                /* enum values 0..count-1 */
    const char *(*name)(int);
    bool (*parse)(const char *, int *);
} vocab;

#define ADAPT(kind, type)                                                        \
    static const char *kind##_name(int v) { return tolk_##kind##_name((type)v); } \
    static bool kind##_parse(const char *s, int *out)                            \
    {                                                                            \
        type v;                                                                  \
        bool ok = tolk_##kind##_parse(s, &v);                                    \
        *out = ok ? (int)v : -1;                                                 \
        return ok;                                                               \
    }
ADAPT(interlock, tolk_interlock)
ADAPT(idle, tolk_idle)
ADAPT(mic, tolk_mic)
ADAPT(output, tolk_output)
ADAPT(output_key, tolk_output_key)
ADAPT(grant_kind, tolk_grant_kind)
ADAPT(signal_kind, tolk_signal_kind)

static const vocab vocabs[] = {
    {"interlock", tolk_interlock_names, TOLK_INTERLOCK_FREE + 1, interlock_name, interlock_parse},
    {"idle", tolk_idle_names, TOLK_IDLE_SILENCE + 1, idle_name, idle_parse},
    {"mic", tolk_mic_names, TOLK_MIC_MUTED + 1, mic_name, mic_parse},
    {"output", tolk_output_names, TOLK_OUTPUT_B + 1, output_name, output_parse},
    {"output key", tolk_output_key_names, TOLK_OUTPUT_KEY_OWN + 1, output_key_name, output_key_parse},
    {"grant kind", tolk_grant_kind_names, TOLK_GRANT_FLOOR + 1, grant_kind_name, grant_kind_parse},
    {"signal kind", tolk_signal_kind_names, TOLK_SIGNAL_KINDS, signal_kind_name, signal_kind_parse},
};

static int table_length(const char *const *names)
{
    int n = 0;
    while (names[n])
        n++;
    return n;
}

static void every_value_has_one_name(void)
{
    for (size_t k = 0; k < sizeof vocabs / sizeof vocabs[0]; k++) {
        const vocab *v = &vocabs[k];
        CHECK_INT(table_length(v->names), v->count);
        for (int x = 0; x < v->count; x++) {
            const char *name = v->name(x);
            CHECK(name != NULL);
            int seen = 0;
            for (int i = 0; name && v->names[i]; i++)
                seen += strcmp(v->names[i], name) == 0;
            if (seen != 1)
                fprintf(stderr, "%s value %d: name %s is in the table %d times\n", v->what, x, name, seen);
            CHECK_INT(seen, 1);
            int back = -2;
            CHECK(v->parse(name, &back));
            CHECK_INT(back, x);
        }
        CHECK(v->name(v->count) == NULL);
        CHECK(v->name(-1) == NULL);
        int out;
        CHECK(!v->parse("", &out));
        CHECK(!v->parse(NULL, &out));
        CHECK(!v->parse("nonsense", &out));
    }
}

/* The tables are in the order docs/api.md lists them: its error messages follow it. */
static void tables_in_the_documented_order(void)
{
    CHECK_STR(tolk_mic_names[0], "on");
    CHECK_STR(tolk_mic_names[1], "off");
    CHECK_STR(tolk_mic_names[2], "muted");
    CHECK_STR(tolk_interlock_names[0], "no-override");
    CHECK_STR(tolk_signal_kind_names[1], "technician");
    CHECK_STR(tolk_grant_kind_names[1], "listener");
    CHECK_STR(tolk_mic_name(TOLK_MIC_OFF), "off");
    CHECK_STR(tolk_output_name(TOLK_OUTPUT_B), "B");
}

static void language_codes(void)
{
    CHECK(tolk_is_language_code("en"));
    CHECK(tolk_is_language_code("deu"));
    CHECK(!tolk_is_language_code(""));
    CHECK(!tolk_is_language_code("e"));
    CHECK(!tolk_is_language_code("engl"));
    CHECK(!tolk_is_language_code("floor"));
    CHECK(!tolk_is_language_code("En"));
    CHECK(!tolk_is_language_code("e1"));
    CHECK(!tolk_is_language_code("e-"));
    CHECK(!tolk_is_language_code("é"));
    /* A full char[TOLK_LANG_SIZE] without its NUL is refused without reading past it. */
    char full[TOLK_LANG_SIZE] = {'a', 'b', 'c', 'd'};
    CHECK(!tolk_is_language_code(full));
}

static tolk_matrix_config two_booths(void)
{
    tolk_matrix_config cfg;
    memset(&cfg, 0, sizeof cfg);
    config_channels(&cfg, "de en fr");
    config_booth(&cfg, 2, 2, 0, NULL);
    config_booth(&cfg, 3, 1, 0, NULL);
    return cfg;
}

static void inputs_floor_then_consoles(void)
{
    tolk_matrix_config cfg = two_booths();
    const char *ids[] = {"floor", "en/1", "en/2", "fr/1"};
    const int slots[] = {-1, TOLK_SLOT(0, 0), TOLK_SLOT(0, 1), TOLK_SLOT(1, 0)};
    int n = 0;
    for (tolk_input in = TOLK_EACH_INPUT; tolk_input_next(&cfg, &in); n++) {
        if (n >= 4)
            break;
        CHECK_STR(in.id, ids[n]);
        CHECK_INT(in.slot, slots[n]);
        CHECK_INT(in.booth, n == 0 ? -1 : n < 3 ? 0 : 1);
    }
    CHECK_INT(n, 4);
    n = 1;
    for (tolk_input in = TOLK_EACH_CONSOLE; tolk_input_next(&cfg, &in); n++)
        if (n < 4)
            CHECK_STR(in.id, ids[n]);
    CHECK_INT(n, 4);
    cfg.booth_count = 0;
    n = 0;
    for (tolk_input in = TOLK_EACH_CONSOLE; tolk_input_next(&cfg, &in);)
        n++;
    CHECK_INT(n, 0);
}

static void channels_and_listen_by_name(void)
{
    tolk_matrix_config cfg = two_booths();
    CHECK_INT(tolk_config_language_index(&cfg, "en"), 2);
    CHECK_INT(tolk_config_language_index(&cfg, "floor"), -1);
    CHECK_INT(tolk_config_language_index(&cfg, "it"), -1);
    CHECK_INT(tolk_config_language_index(&cfg, NULL), -1);
    CHECK_STR(tolk_config_channel_name(&cfg, 0), "floor");
    CHECK_STR(tolk_config_channel_name(&cfg, 3), "fr");
    CHECK(tolk_config_channel_name(&cfg, 4) == NULL);
    int listen = 99;
    CHECK(tolk_listen_parse(&cfg, "auto", &listen) && listen == TOLK_LISTEN_AUTO);
    CHECK(tolk_listen_parse(&cfg, "floor", &listen) && listen == TOLK_LISTEN_FLOOR);
    CHECK(tolk_listen_parse(&cfg, "de", &listen) && listen == 1);
    CHECK(!tolk_listen_parse(&cfg, "it", &listen));
    CHECK_STR(tolk_listen_name(&cfg, TOLK_LISTEN_AUTO), "auto");
    CHECK_STR(tolk_listen_name(&cfg, 2), "en");
    char source[TOLK_CONSOLE_ID_SIZE];
    tolk_channel_source_name(&cfg, &(tolk_channel_state){TOLK_SOURCE_CONSOLE, 0, 1, TOLK_QUALITY_FLOOR},
                             source, sizeof source);
    CHECK_STR(source, "en/2");
    tolk_channel_source_name(&cfg, &(tolk_channel_state){TOLK_SOURCE_SILENCE, -1, -1, TOLK_QUALITY_NONE},
                             source, sizeof source);
    CHECK_STR(source, "silence");
}

static void consoles_by_id(void)
{
    tolk_matrix_config cfg = two_booths();
    int booth = 9, console = 9;
    CHECK(tolk_console_id_parse(&cfg, "en/2", &booth, &console) && booth == 0 && console == 1);
    CHECK(tolk_console_id_parse(&cfg, "fr/1", &booth, &console) && booth == 1 && console == 0);
    CHECK(!tolk_console_id_parse(&cfg, "fr/2", &booth, &console));
    CHECK_INT(booth, 1); /* the booth exists: the caller can say which part is wrong */
    CHECK(!tolk_console_id_parse(&cfg, "de/1", &booth, &console)); /* a channel without a booth */
    CHECK_INT(booth, -1);
    const char *bad[] = {"en", "en/", "en/0", "en/02", "en/+1", "en/1x", "/1", "engl/1", "", "floor/1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (tolk_console_id_parse(&cfg, bad[i], &booth, &console)) {
            fprintf(stderr, "console id \"%s\" was accepted\n", bad[i]);
            CHECK(false);
        }
    CHECK(!tolk_console_id_parse(&cfg, NULL, &booth, &console));
    CHECK(tolk_console_lookup(&cfg, "en", "1", &booth, &console) && booth == 0 && console == 0);
    CHECK(!tolk_console_lookup(&cfg, "en", "3", &booth, &console));
    CHECK_INT(tolk_config_booth_index(&cfg, "fr"), 1);
    CHECK_INT(tolk_config_booth_index(&cfg, "de"), -1);
    /* Every id the walk gives parses back to its console. */
    for (tolk_input in = TOLK_EACH_CONSOLE; tolk_input_next(&cfg, &in);) {
        CHECK(tolk_console_id_parse(&cfg, in.id, &booth, &console));
        CHECK_INT(TOLK_SLOT(booth, console), in.slot);
    }
}

int main(void)
{
    static const test_case tests[] = {
        TEST(every_value_has_one_name),
        TEST(tables_in_the_documented_order),
        TEST(language_codes),
        TEST(inputs_floor_then_consoles),
        TEST(channels_and_listen_by_name),
        TEST(consoles_by_id),
    };
    return RUN_TESTS(tests);
}
