/* SPDX-License-Identifier: EUPL-1.2 */
/* The inputs of a sitting in one order, for every walk over them. */
#include <stdio.h>

#include "rules.h"

int tolk_input_slots(const tolk_matrix_config *cfg, bool with_floor, int slots[TOLK_INPUT_SLOTS])
{
    int count = 0;
    if (with_floor)
        slots[count++] = TOLK_FLOOR_SLOT;
    for (int b = 0; b < cfg->booth_count; b++) {
        for (int c = 0; c < cfg->booths[b].console_count; c++)
            slots[count++] = TOLK_SLOT(b, c);
    }
    return count;
}

void tolk_input_id(const tolk_matrix_config *cfg, int slot, char *buf, size_t size)
{
    if (slot == TOLK_FLOOR_SLOT)
        snprintf(buf, size, "floor");
    else
        tolk_console_id(cfg, slot / TOLK_MAX_CONSOLES, slot % TOLK_MAX_CONSOLES, buf, size);
}
