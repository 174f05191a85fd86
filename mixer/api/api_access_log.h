/* SPDX-License-Identifier: EUPL-1.2 */
/* The access log of the API (docs/logging.md): one line per request that may change something,
 * naming who (the operator, or the grant by its id and scope, never its token), what (method,
 * path, with a WebRTC resource's secret id left out, the answer's status) and from which address. Not to be confused with api_access.c,
 * which decides who may call what.
 *
 * Threads: api_access_caller under the app lock (it reads the grant and the sitting),
 * api_access_log afterwards, on the request's thread. */
#ifndef TOLK_API_ACCESS_LOG_H
#define TOLK_API_ACCESS_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "api_internal.h"

#define API_CALLER_SIZE 96

/* "operator", "console token t3 (en/2)", "listener token t5 (fr)", "floor token t7",
 * "no token", "a revoked token". */
void api_access_caller(const api_call *call, bool known, char out[API_CALLER_SIZE]);
/* Logs the request once its answer is set, unless it changes nothing: a GET, or a trickle
 * PATCH of ICE candidates on a WebRTC resource (many per peer, no sitting state). */
void api_access_log(const api_call *call, const char *pattern, const char *caller);

#endif
