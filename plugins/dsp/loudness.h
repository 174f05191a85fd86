/* SPDX-License-Identifier: EUPL-1.2 */
#ifndef TOLK_DSP_LOUDNESS_H
#define TOLK_DSP_LOUDNESS_H

#include <stdbool.h>
#include <stdint.h>

#define TOLK_LOUDNESS_BLOCKS 60          /* one-second blocks in the one-minute average */

/*
 * The one-minute loudness warning: the RMS of the output over the last minute (time before
 * the start counts as silence, so a short burst does not warn), checked once a second, due
 * at most once a minute. Threads: one object, one thread at a time.
 */
typedef struct {
    unsigned rate;
    double warn_ms;                      /* mean square */
    double blocks[TOLK_LOUDNESS_BLOCKS]; /* per-second sums of squares */
    unsigned block_index, block_samples;
    uint64_t samples_since_warning;
    bool warned, due;
    double due_level_db;
} tolk_loudness;

void tolk_loudness_init(tolk_loudness *loudness, unsigned rate);
void tolk_loudness_reset(tolk_loudness *loudness);
void tolk_loudness_set_level(tolk_loudness *loudness, double warn_level_db);
void tolk_loudness_add_block(tolk_loudness *loudness, const float *x, unsigned n);
void tolk_loudness_add_silence(tolk_loudness *loudness, unsigned n);
/* A warning became due since the last call: its one-minute level in *level_db. */
bool tolk_loudness_take_warning(tolk_loudness *loudness, double *level_db);

#endif
