/* SPDX-License-Identifier: EUPL-1.2 */
/* TEMPORARY stand-in (replaced by the h8-dsp branch). */
#include "guard.h"
#include <glib.h>
struct tolk_guard { int x; };
tolk_guard *tolk_guard_new(unsigned rate) { (void)rate; return g_new0(tolk_guard, 1); }
void tolk_guard_free(tolk_guard *g) { g_free(g); }
void tolk_guard_process(tolk_guard *g, float *s, unsigned n, tolk_guard_report *r)
{
    (void)g; r->warning = false; r->reduction_db = 0;
    for (unsigned i = 0; i < n; i++) s[i] = s[i] > 0.89f ? 0.89f : s[i] < -0.89f ? -0.89f : s[i];
}
unsigned tolk_guard_latency(const tolk_guard *g) { (void)g; return 0; }
bool tolk_guard_is_idle(const tolk_guard *g) { (void)g; return true; }
void tolk_guard_reset(tolk_guard *g) { (void)g; }
