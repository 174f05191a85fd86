/* SPDX-License-Identifier: EUPL-1.2 */
#include "output_health.h"

#include <stdio.h>

#define TOLK_LOG_MODULE "health"
#include "log.h"

const char *tolk_output_state_name(const tolk_session_output *output)
{
    return output->failing ? "failing" : "sending";
}

static void tell(tolk_session *session, const tolk_session_output *output, uint64_t errors)
{
    char place[TOLK_HOST_SIZE + 32];
    snprintf(place, sizeof place, "%s to %s:%d", output->id, output->host, output->port);
    if (output->failing)
        LOG_WARN_AT(TOLK_WHERE(.sitting = session->id, .output = place),
                    "failing: the kernel refuses its packets (%llu so far): check the host, the route, the network",
                    (unsigned long long)errors);
    else
        LOG_INFO_AT(TOLK_WHERE(.sitting = session->id, .output = place), "sending again");
    json_object *data = json_object_new_object();
    json_object_object_add(data, "output", json_object_new_string(output->id));
    json_object_object_add(data, "state", json_object_new_string(tolk_output_state_name(output)));
    json_object_object_add(data, "send_errors", json_object_new_int64((int64_t)errors));
    tolk_hub_publish(session->hub, "output_state", data);
}

void tolk_session_watch_outputs(tolk_session *session, gint64 now_us)
{
    for (guint i = 0; i < session->outputs->len; i++) {
        tolk_session_output *output = g_ptr_array_index(session->outputs, i);
        uint64_t errors = tolk_session_output_send_errors(session, output);
        if (errors != output->seen_errors) {
            output->seen_errors = errors;
            output->errors_at_us = now_us;
        }
        bool failing = output->errors_at_us != 0 && now_us - output->errors_at_us < TOLK_OUTPUT_FAILING_US;
        if (failing == output->failing)
            continue;
        output->failing = failing;
        tell(session, output, errors);
    }
}
