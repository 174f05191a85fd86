/* SPDX-License-Identifier: EUPL-1.2 */
/* Small assertions and fixtures for the rules tests. */
#ifndef TOLK_TEST_UTIL_H
#define TOLK_TEST_UTIL_H

#include "rules_internal.h"

#include <stdio.h>
#include <string.h>

extern int test_failures;

/* Keeps going after a failure so that one run shows every broken rule. */
#define CHECK(cond)                                                                            \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", __FILE__, __LINE__, __func__,     \
                    #cond);                                                                    \
            test_failures++;                                                                   \
        }                                                                                      \
    } while (0)

#define CHECK_INT(actual, expected)                                                            \
    do {                                                                                       \
        long long a_ = (long long)(actual), e_ = (long long)(expected);                        \
        if (a_ != e_) {                                                                        \
            fprintf(stderr, "%s:%d: %s: %s is %lld, expected %lld\n", __FILE__, __LINE__,      \
                    __func__, #actual, a_, e_);                                                \
            test_failures++;                                                                   \
        }                                                                                      \
    } while (0)

#define CHECK_STR(actual, expected)                                                            \
    do {                                                                                       \
        const char *a_ = (actual), *e_ = (expected);                                           \
        if (!(a_ == e_ || (a_ && e_ && strcmp(a_, e_) == 0))) {                                \
            fprintf(stderr, "%s:%d: %s: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__,  \
                    __func__, #actual, a_ ? a_ : "(null)", e_ ? e_ : "(null)");                \
            test_failures++;                                                                   \
        }                                                                                      \
    } while (0)

#define CHECK_FLOAT(actual, expected)                                                          \
    do {                                                                                       \
        double a_ = (actual), e_ = (expected);                                                 \
        if (a_ - e_ > 1e-6 || e_ - a_ > 1e-6) {                                                \
            fprintf(stderr, "%s:%d: %s: %s is %g, expected %g\n", __FILE__, __LINE__,          \
                    __func__, #actual, a_, e_);                                                \
            test_failures++;                                                                   \
        }                                                                                      \
    } while (0)

typedef void (*test_fn)(void);
typedef struct {
    const char *name;
    test_fn fn;
} test_case;
#define TEST(fn) {#fn, fn}
int run_tests(const test_case *tests, int count);
#define RUN_TESTS(tests) run_tests(tests, (int)(sizeof(tests) / sizeof((tests)[0])))

/*
 * The fixture most tests use. Channels: 1 de, 2 en, 3 fr, 4 mt, 5 fi.
 * Booths (index: language, consoles, B channels):
 *   0: en, 3, [fr]     1: fr, 2, []     2: mt, 2, [en]     3: fi, 2, []     4: de, 2, [en, fr]
 */
enum { DE = 1, EN, FR, MT, FI };
enum { B_EN, B_FR, B_MT, B_FI, B_DE };
tolk_matrix_config plenary_config(void);
tolk_matrix *plenary(tolk_interlock interlock);

/* Config building for validation tests. */
void config_channels(tolk_matrix_config *cfg, const char *space_separated);
void config_booth(tolk_matrix_config *cfg, int channel, int consoles, int b_count, const int *b_channels);

/* One-field patches. */
tolk_result set_mic(tolk_matrix *m, int booth, int console, tolk_mic mic, tolk_events *ev);
tolk_result set_listen(tolk_matrix *m, int booth, int console, int listen, tolk_events *ev);
tolk_result set_output(tolk_matrix *m, int booth, int console, tolk_output output, tolk_events *ev);
tolk_result set_b_channel(tolk_matrix *m, int booth, int console, int channel, tolk_events *ev);

/* Events. */
int count_events(const tolk_events *ev, tolk_event_kind kind);
bool has_event(const tolk_events *ev, tolk_event_kind kind, int booth, int console, int other_booth,
               int other_console);
bool has_channel_event(const tolk_events *ev, int channel);

/* Channel state checks. */
bool channel_is(const tolk_matrix *m, int channel, tolk_source_kind source, int booth, int console,
                tolk_quality quality);
int live_count(const tolk_matrix *m);

#endif
