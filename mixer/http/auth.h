/* SPDX-License-Identifier: EUPL-1.2 */
/* Who is calling: the principal a token stands for, and (from common/) the token comparison. */
#ifndef TOLK_HTTP_AUTH_H
#define TOLK_HTTP_AUTH_H

#include <stdbool.h>

#include "token_digest.h" /* tolk_token_equal, for the authenticate callbacks */

typedef enum {
    TOLK_ROLE_NONE = 0,  /* public routes: nobody was authenticated */
    TOLK_ROLE_OPERATOR,  /* sees and changes everything */
    TOLK_ROLE_GRANT,     /* a token the operator handed out; scope holds its grant id, the app knows its rights */
    TOLK_ROLE_METRICS,   /* --metrics-token: reads /metrics, nothing else */
    /* TOLK_ROLE_CONSOLE and TOLK_ROLE_LISTENER come later; scope then names the console/channel. */
} tolk_role;

typedef struct {
    tolk_role role;
    char scope[64]; /* what the role is limited to ("" for the operator) */
} tolk_principal;

/* Decides whether a bearer token is valid and, if so, for whom. Called on the connection
 * threads, several at once: it must be thread-safe. */
typedef bool (*tolk_authenticate_fn)(void *ctx, const char *token, tolk_principal *out);

/* Extracts the token from an Authorization header value ("Bearer <token>", scheme
 * case-insensitive). Returns NULL when the header is absent or not a bearer token;
 * the result points into header. */
const char *tolk_bearer_token(const char *header);

#endif
