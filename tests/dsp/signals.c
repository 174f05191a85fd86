/* SPDX-License-Identifier: EUPL-1.2 */
#include "signals.h"

#include <math.h>
#include <string.h>

void sig_sine(float *x, unsigned n, double freq, double amplitude, double phase)
{
    for (unsigned i = 0; i < n; i++)
        x[i] = (float)(amplitude * sin(2.0 * M_PI * freq * i / SIG_RATE + phase));
}

void sig_square(float *x, unsigned n, double freq, double amplitude)
{
    for (unsigned i = 0; i < n; i++)
        x[i] = (float)(fmod(freq * i / SIG_RATE, 1.0) < 0.5 ? amplitude : -amplitude);
}

void sig_noise(float *x, unsigned n, double amplitude, unsigned seed)
{
    unsigned state = seed * 2654435761u + 1;
    for (unsigned i = 0; i < n; i++) {
        state = state * 1664525u + 1013904223u;
        x[i] = (float)(amplitude * ((state >> 8) / 8388608.0 - 1.0));
    }
}

void sig_step(float *x, unsigned n, unsigned at)
{
    sig_sine(x, n, 1000.0, 1.0, 0.0);
    for (unsigned i = 0; i < at && i < n; i++)
        x[i] *= 0.01f;
}

void sig_clicks(float *x, unsigned n, unsigned every)
{
    memset(x, 0, n * sizeof(float));
    for (unsigned i = every / 2, k = 0; i < n; i += every, k++)
        x[i] = k % 2 ? -1.0f : 1.0f;
}

double sig_db(double linear)
{
    return 20.0 * log10(linear);
}
