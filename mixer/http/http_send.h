/* SPDX-License-Identifier: EUPL-1.2 */
/* Turns a filled tolk_http_response into a libmicrohttpd response. Internal. */
#ifndef TOLK_HTTP_SEND_H
#define TOLK_HTTP_SEND_H

#include "http_server.h"

#include <microhttpd.h>

#define TOLK_HTTP_STREAM_BLOCK 4096 /* bytes a stream reader is offered per call */

/* Builds the MHD response with the default and the extra headers. For a stream it takes
 * the context out of resp (MHD then owns it and calls free_ctx when done). NULL when
 * MHD could not allocate; resp still owns everything then. */
struct MHD_Response *http_build_response(tolk_http_response *resp);

#endif
