/* SPDX-License-Identifier: EUPL-1.2 */
#include "auth.h"

#include <glib.h>
#include <string.h>
#include <strings.h>

static bool is_token68_char(char c)
{
    return g_ascii_isalnum(c) || (c != '\0' && strchr("-._~+/=", c) != NULL);
}

const char *tolk_bearer_token(const char *header)
{
    static const char scheme[] = "Bearer";
    if (!header || strncasecmp(header, scheme, sizeof scheme - 1) != 0)
        return NULL;
    const char *p = header + sizeof scheme - 1;
    if (*p != ' ')
        return NULL;
    while (*p == ' ')
        p++;
    const char *token = p;
    while (is_token68_char(*p))
        p++;
    if (p == token || *p != '\0')
        return NULL;
    return token;
}
