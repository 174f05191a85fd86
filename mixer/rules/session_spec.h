/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * What a new session is made of (POST /api/v1/sessions, a --session file, the demo): its
 * id, name, floor language, the interpretation matrix, and where its floor comes from. A plain value, libc only, so
 * that the request parser fills it and the sittings create from it without either
 * knowing the other.
 */
#ifndef TOLK_RULES_SESSION_SPEC_H
#define TOLK_RULES_SESSION_SPEC_H

#include "rules.h"

#include <stdbool.h>

#define TOLK_AES67_SDP_TEXT_MAX 8192  /* bytes of an AES67 stream's SDP given in a request */
#define TOLK_AES67_SAP_NAME_MAX 127   /* bytes of the session name it is announced under */

/* "floor_aes67": the floor from an AES67 stream, by its SAP name or its SDP (docs/api.md). */
typedef struct {
    bool on;
    char sap[TOLK_AES67_SAP_NAME_MAX + 1];  /* "" when by SDP */
    char sdp[TOLK_AES67_SDP_TEXT_MAX + 1];  /* "" when by SAP */
    int channel;                            /* 1-based */
} tolk_floor_aes67_spec;

typedef struct {
    char id[TOLK_SESSION_ID_SIZE];
    bool has_id;                   /* false: the caller generates one */
    char name[TOLK_NAME_SIZE];     /* "" when absent */
    char floor_language[TOLK_LANG_SIZE];
    bool has_floor_language;       /* false when absent or null */
    tolk_matrix_config matrix;
    tolk_floor_aes67_spec floor_aes67;
    char video_codec[8];           /* "vp8" or "h264"; "" when absent (VP8) */
} tolk_session_spec;

#endif
