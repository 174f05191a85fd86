/* SPDX-License-Identifier: EUPL-1.2 */
/* Turns a filled tolk_http_response into a libmicrohttpd response. Internal. */
#ifndef TOLK_HTTP_SEND_H
#define TOLK_HTTP_SEND_H

#include "http_server.h"
#include "http_stream.h"

#include <microhttpd.h>

/* Builds the MHD response with the default and the extra headers. For a stream on
 * connection it takes the context out of resp (MHD then owns it and calls free_ctx when
 * done; see http_stream.h). NULL when MHD could not allocate; resp still owns everything then. */
struct MHD_Response *http_build_response(tolk_http_response *resp, http_streams *streams,
                                         struct MHD_Connection *connection);

#endif
