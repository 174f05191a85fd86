/* SPDX-License-Identifier: EUPL-1.2 */
#ifndef TOLK_DSP_GUARD_H
#define TOLK_DSP_GUARD_H

#include <stdbool.h>

/* plugins/dsp/guard.h: the hearing protection of one mix: the 100 ms short-term guard,
 * a true-peak limiter with lookahead, and the one-minute loudness warning. Mono float32.
 * Calibration (domain.md): 0 dBFS is 100 dB SPL at the headset, so the defaults are the
 * conference-console limits: -1 dBFS true peak as decoded after Opus (99 dB SPL), -6 dBFS
 * RMS over ~100 ms (94 dB SPL), a warning when the one-minute RMS passes -20 dBFS (80 dB SPL).
 * Threads: one object, one thread at a time (no locks inside). */
typedef struct tolk_guard tolk_guard;

typedef struct {
    bool warning;           /* a one-minute loudness warning is due (at most one per minute) */
    double level_db;        /* the one-minute level (dBFS RMS) when warning */
    double reduction_db;    /* current gain reduction, >= 0 */
} tolk_guard_report;

#define TOLK_GUARD_PEAK_CEILING_DB (-1.0)
#define TOLK_GUARD_SHORT_TERM_CEILING_DB (-6.0)
#define TOLK_GUARD_WARN_LEVEL_DB (-20.0)
/* The limiter aims this far under the peak ceiling: the room Opus (64 kbit/s fullband,
 * 20 ms frames) needs for its overshoot on decode. docs/plugins.md has the measurements. */
#define TOLK_GUARD_CODEC_MARGIN_DB 4.0

tolk_guard *tolk_guard_new(unsigned rate);          /* default limits above */
void tolk_guard_free(tolk_guard *guard);
/* The peak ceiling is the decoded true peak; the limiter aims TOLK_GUARD_CODEC_MARGIN_DB under. */
void tolk_guard_set_limits(tolk_guard *guard, double peak_ceiling_db, double short_term_ceiling_db,
                           double warn_level_db);
/* In place; the output is delayed by tolk_guard_latency() samples (the lookahead). Non-finite
 * samples become silence. report may be NULL. */
void tolk_guard_process(tolk_guard *guard, float *samples, unsigned n, tolk_guard_report *report);
unsigned tolk_guard_latency(const tolk_guard *guard);   /* <= 96 samples (2 ms) */
/* True when the delay line holds only zeros and no gain reduction is pending: processing more
 * digital silence would output digital silence, so a caller may skip the call. Skipped time does
 * not enter the one-minute average (which then errs towards warning). */
bool tolk_guard_is_idle(const tolk_guard *guard);
void tolk_guard_reset(tolk_guard *guard);

#endif
