/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Who may call a route: the access kinds of the route table and the decision, as a
 * function of facts the dispatcher gathers from the request and the sittings, so the
 * rule reads (and is tested) apart from a running server.
 *
 * Threads: any; no state. The dispatcher gathers the facts under the app lock.
 */
#ifndef TOLK_API_ACCESS_H
#define TOLK_API_ACCESS_H

#include <stdbool.h>

#include "grants.h"

/* Who may call a route, besides the operator who may call them all. */
typedef enum {
    ACCESS_PUBLIC,   /* anyone, no token */
    ACCESS_OPERATOR, /* the operator only */
    ACCESS_METRICS,  /* the operator or the read-only metrics token (--metrics-token) */
    ACCESS_SESSION,  /* any token of the session {sid} */
    ACCESS_VIEW,     /* any token of the session, or anyone when it has a public channel */
    ACCESS_CONSOLE,  /* the console token of {lang}/{n} */
    ACCESS_CHANNEL,  /* the listener token of {ch}, or anyone when {ch} is public */
    ACCESS_FLOOR,    /* the floor token of the session */
    ACCESS_BOOTH,    /* any console token of the session */
    ACCESS_OWNER,    /* anyone: the handler checks the resource is the caller's */
} api_access;

/* What the decision looks at. Unknown sessions, channels and consoles pass where a
 * token of the session would, so that the handler answers 404 to those who could see it. */
typedef struct {
    bool operator;
    bool metrics;            /* the metrics token: ACCESS_METRICS only */
    const tolk_grant *grant; /* the caller's; NULL for the operator or no token */
    bool session_known;      /* {sid} names a session */
    const char *session;     /* {sid}; NULL on routes without one */
    bool session_public;     /* the session has a public channel */
    int channel;             /* {ch} as an index; -1 when absent or unknown */
    bool channel_public;
    int booth, console;      /* {lang}/{n} as indices; -1 when absent or unknown */
} api_access_facts;

bool api_access_allows(api_access access, const api_access_facts *facts);

/* The access kind of the route method pattern (e.g. "GET", "/api/v1/sessions/{sid}");
 * false when there is no such route. */
bool api_route_access(const char *method, const char *pattern, api_access *out);

#endif
