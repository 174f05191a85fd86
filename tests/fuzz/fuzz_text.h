/* SPDX-License-Identifier: EUPL-1.2 */
/* The server's own gate for text bodies (request_body_is_text), for the targets whose input
 * reaches a parser only through it. Pure, any thread. */
#ifndef TOLK_FUZZ_TEXT_H
#define TOLK_FUZZ_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when the server would hand these bytes on as a text body. */
bool fuzz_server_takes_text(const uint8_t *data, size_t size);

#endif
