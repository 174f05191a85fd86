/* SPDX-License-Identifier: EUPL-1.2 */
#include "fuzz_text.h"

#include "request_body.h"

bool fuzz_server_takes_text(const uint8_t *data, size_t size)
{
    request_body body;
    request_body_init(&body, size);
    request_body_append(&body, (const char *)data, size);
    bool text = size > 0 && request_body_is_text(&body);
    request_body_clear(&body);
    return text;
}
