/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * What a new session is made of (POST /api/v1/sessions, a --session file, the demo): its
 * id, name, floor language and the interpretation matrix. A plain value, libc only, so
 * that the request parser fills it and the sittings create from it without either
 * knowing the other.
 */
#ifndef TOLK_RULES_SESSION_SPEC_H
#define TOLK_RULES_SESSION_SPEC_H

#include "rules.h"

#include <stdbool.h>

typedef struct {
    char id[TOLK_SESSION_ID_SIZE];
    bool has_id;                   /* false: the caller generates one */
    char name[TOLK_NAME_SIZE];     /* "" when absent */
    char floor_language[TOLK_LANG_SIZE];
    bool has_floor_language;       /* false when absent or null */
    tolk_matrix_config matrix;
} tolk_session_spec;

#endif
