/* SPDX-License-Identifier: EUPL-1.2 */
/* The ICE servers of the configuration as RFC 9725 Link header values
 * (section 4.6), from the GStreamer-style URLs webrtcbin takes. */
#include <string.h>

#include "webrtc.h"

/* A quoted-string (RFC 9110 5.6.4): backslash before " and \. */
static void append_quoted(GString *out, const char *value)
{
    g_string_append_c(out, '"');
    for (const char *c = value; *c; c++) {
        if (*c == '"' || *c == '\\')
            g_string_append_c(out, '\\');
        g_string_append_c(out, *c);
    }
    g_string_append_c(out, '"');
}

/* "stun://host:port" -> <stun:host:port>; rel="ice-server" */
static char *stun_link(const char *url)
{
    const char *rest = strstr(url, "://");
    if (!rest || !rest[3] || strpbrk(rest + 3, "<>\" "))
        return NULL;
    return g_strdup_printf("<stun:%s>; rel=\"ice-server\"", rest + 3);
}

/* "turn(s)://user:pass@host:port?transport=..." -> <turn:host:port?...>;
 * rel="ice-server"; username="user"; credential="pass"; credential-type="password" */
static char *turn_link(const char *url)
{
    const char *scheme_end = strstr(url, "://");
    const char *at = scheme_end ? strrchr(scheme_end + 3, '@') : NULL;
    if (!at || !at[1] || strpbrk(at + 1, "<>\" "))
        return NULL;
    char *userinfo = g_strndup(scheme_end + 3, (gsize)(at - scheme_end - 3));
    char *colon = strchr(userinfo, ':');
    char *user = g_uri_unescape_string(userinfo, NULL);
    char *pass = NULL;
    if (colon) {
        *colon = '\0';
        g_free(user);
        user = g_uri_unescape_string(userinfo, NULL);
        pass = g_uri_unescape_string(colon + 1, NULL);
    }
    GString *out = g_string_new("<");
    g_string_append_len(out, url, scheme_end - url);
    g_string_append_printf(out, ":%s>; rel=\"ice-server\"", at + 1);
    if (user && pass) {
        g_string_append(out, "; username=");
        append_quoted(out, user);
        g_string_append(out, "; credential=");
        append_quoted(out, pass);
        g_string_append(out, "; credential-type=\"password\"");
    }
    g_free(userinfo);
    g_free(user);
    g_free(pass);
    return g_string_free(out, FALSE);
}

GStrv tolk_webrtc_ice_server_links(const tolk_webrtc_config *cfg, bool with_credentials)
{
    GStrvBuilder *links = g_strv_builder_new();
    char *link;
    if (cfg && cfg->stun_server && (link = stun_link(cfg->stun_server))) {
        g_strv_builder_add(links, link);
        g_free(link);
    }
    if (cfg && cfg->turn_server && with_credentials && (link = turn_link(cfg->turn_server))) {
        g_strv_builder_add(links, link);
        g_free(link);
    }
    GStrv out = g_strv_builder_end(links);
    g_strv_builder_unref(links);
    return out;
}
