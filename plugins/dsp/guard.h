/* SPDX-License-Identifier: EUPL-1.2 */
/* TEMPORARY stand-in (replaced by the h8-dsp branch). */
#ifndef TOLK_DSP_GUARD_H
#define TOLK_DSP_GUARD_H
#include <stdbool.h>
typedef struct tolk_guard tolk_guard;
typedef struct { bool warning; double level_db; double reduction_db; } tolk_guard_report;
tolk_guard *tolk_guard_new(unsigned rate);
void tolk_guard_free(tolk_guard *guard);
void tolk_guard_process(tolk_guard *guard, float *samples, unsigned n, tolk_guard_report *report);
unsigned tolk_guard_latency(const tolk_guard *guard);
bool tolk_guard_is_idle(const tolk_guard *guard);
void tolk_guard_reset(tolk_guard *guard);
#endif
