/* SPDX-License-Identifier: EUPL-1.2 */
#include "api_access.h"

#include <string.h>

/* What a grant's role opens, in the grant's own session. */
static bool grant_allows(api_access access, const api_access_facts *f)
{
    const tolk_grant *g = f->grant;
    switch (access) {
    case ACCESS_SESSION:
    case ACCESS_VIEW: return true;
    case ACCESS_FLOOR: return g->kind == TOLK_GRANT_FLOOR;
    case ACCESS_BOOTH: return g->kind == TOLK_GRANT_CONSOLE;
    case ACCESS_CONSOLE:
        return g->kind == TOLK_GRANT_CONSOLE && f->booth >= 0 && g->booth == f->booth && g->console == f->console;
    case ACCESS_CHANNEL: return g->kind == TOLK_GRANT_LISTENER && g->channel == f->channel;
    default: return false;
    }
}

bool api_access_allows(api_access access, const api_access_facts *f)
{
    if (access == ACCESS_PUBLIC || f->operator)
        return true;
    /* Prometheus holds this token: whoever reads its configuration may read /metrics only. */
    if (f->metrics || access == ACCESS_METRICS)
        return f->metrics && access == ACCESS_METRICS;
    bool other_session = f->grant && f->session && strcmp(f->grant->session, f->session) != 0;
    if (other_session || access == ACCESS_OPERATOR)
        return false;
    if (access == ACCESS_OWNER)
        return true;
    if (!f->session_known)
        return false;
    if (access == ACCESS_CHANNEL && f->channel >= 0 && f->channel_public)
        return true;
    if (access == ACCESS_VIEW && !f->grant && f->session_public)
        return true;
    return f->grant && grant_allows(access, f);
}
