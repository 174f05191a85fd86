/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Tokens the operator hands out (issue 3 roles): a console token controls one
 * console, a listener token receives one channel, a floor token sends the
 * floor. Each belongs to one session and dies with it.
 *
 * Threads: not thread-safe; the app lock guards it.
 */
#ifndef TOLK_GRANTS_H
#define TOLK_GRANTS_H

#include <stdbool.h>
#include <stdint.h>

#include "keys.h"
#include "token_digest.h"

#include "rules.h" /* tolk_grant_kind and its names */

#define TOLK_GRANT_ID_SIZE 16
#define TOLK_GRANT_TOKEN_BYTES 32
#define TOLK_GRANT_TOKEN_SIZE TOLK_TOKEN_TEXT_SIZE(TOLK_GRANT_TOKEN_BYTES)
/* Tokens are found by their digest in one lookup; the cap bounds the memory and the
 * operator's list (docs/api.md, Limits). */
#define TOLK_MAX_GRANTS_PER_SESSION 1000

typedef struct {
    char id[TOLK_GRANT_ID_SIZE];       /* "t1", "t2", ... */
    /* 32 random bytes, base64url. Kept because the operator's token list shows it
     * (api-v1); requests find the grant by digest, never by comparing this text. */
    char token[TOLK_GRANT_TOKEN_SIZE];
    uint8_t digest[TOLK_TOKEN_DIGEST_SIZE]; /* of token: the key requests are looked up by */
    char session[TOLK_SESSION_ID_SIZE];
    tolk_grant_kind kind;
    int booth, console; /* TOLK_GRANT_CONSOLE */
    int channel;        /* TOLK_GRANT_LISTENER */
} tolk_grant;

typedef struct tolk_grants tolk_grants;

tolk_grants *tolk_grants_new(void);
void tolk_grants_free(tolk_grants *grants);

/* NULL when the system's random source fails. */
const tolk_grant *tolk_grants_add(tolk_grants *grants, const char *session, tolk_grant_kind kind, int booth,
                                  int console, int channel);
/* A grant of before a restart, as it was (id, token, kind, place); its digest is made again.
 * False when the id is taken or malformed or the token is not one of ours. */
bool tolk_grants_restore(tolk_grants *grants, const tolk_grant *saved);
/* One lookup by the token's digest; the digest found is compared again in constant time. */
const tolk_grant *tolk_grants_find_token(tolk_grants *grants, const char *token);
/* By id ("t3"): ids are unique across sessions. */
const tolk_grant *tolk_grants_find_id(tolk_grants *grants, const char *id);
const tolk_grant *tolk_grants_find(tolk_grants *grants, const char *session, const char *id);
bool tolk_grants_remove(tolk_grants *grants, const char *session, const char *id);
void tolk_grants_remove_session(tolk_grants *grants, const char *session);

/* The number the next grant's id takes after ("t<n+1>"); at start, raised to what the state
 * kept, so an id is never given twice, a revoked one's included. */
unsigned tolk_grants_last_id(const tolk_grants *grants);
void tolk_grants_raise_last_id(tolk_grants *grants, unsigned last);

/* How many grants the session has. */
unsigned tolk_grants_count(tolk_grants *grants, const char *session);

/* Calls fn for each grant of a session, in creation order. */
void tolk_grants_foreach(tolk_grants *grants, const char *session, void (*fn)(const tolk_grant *, void *),
                         void *ctx);

#endif
