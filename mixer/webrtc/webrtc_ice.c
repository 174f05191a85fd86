/* SPDX-License-Identifier: EUPL-1.2 */
/* Settings of the libnice agent inside webrtcbin (GstWebRTCNice's "agent"),
 * which webrtcbin's own properties do not reach. */
#include <gmodule.h>
#include <gst/webrtc/webrtc.h>

#include "webrtc_private.h"

#define TOLK_LOG_MODULE "webrtc"
#include "log.h"

static GObject *nice_agent_of(GstElement *webrtcbin)
{
    GObject *ice = NULL, *agent = NULL;
    g_object_get(webrtcbin, "ice-agent", &ice, NULL);
    if (ice && g_object_class_find_property(G_OBJECT_GET_CLASS(ice), "agent"))
        g_object_get(ice, "agent", &agent, NULL);
    if (ice)
        g_object_unref(ice);
    return agent;
}

void tolk_webrtc_ice_configure(GstElement *webrtcbin, const tolk_webrtc_config *cfg)
{
    GObject *ice = NULL;
    g_object_get(webrtcbin, "ice-agent", &ice, NULL);
    if (ice && cfg && cfg->min_port && cfg->max_port >= cfg->min_port)
        g_object_set(ice, "min-rtp-port", cfg->min_port, "max-rtp-port", cfg->max_port, NULL);
    if (ice)
        g_object_unref(ice);
    GObject *agent = nice_agent_of(webrtcbin);
    if (!agent)
        return;
    /* A server must not ask the router to open ports (UPnP IGD), and the
     * attempt would hold gathering up. Keepalives as binding requests let a
     * browser that vanished without a word fail the connection. */
    g_object_set(agent, "upnp", FALSE, "keepalive-conncheck", TRUE, NULL);
    g_object_unref(agent);
    if (cfg && cfg->ice_addresses && *cfg->ice_addresses && !tolk_webrtc_ice_set_addresses(webrtcbin, cfg->ice_addresses))
        LOG_WARN("ice_addresses \"%s\": not all are IP addresses", cfg->ice_addresses);
}

/* libnice's address API, looked up at run time: Debian ships libnice's headers
 * and link library only in libnice-dev, and webrtcbin has already loaded
 * libnice.so.10 into the process. */
typedef struct {
    gpointer (*address_new)(void);
    gboolean (*address_set_from_string)(gpointer address, const char *text);
    void (*address_free)(gpointer address);
    gboolean (*agent_add_local_address)(gpointer agent, gpointer address);
} nice_api;

static bool load_nice(nice_api *api)
{
    static GModule *module; /* kept for the process: the symbols must stay valid */
    static gsize once;
    if (g_once_init_enter(&once)) {
        module = g_module_open("libnice.so.10", G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
        g_once_init_leave(&once, 1);
    }
    return module && g_module_symbol(module, "nice_address_new", (gpointer *)&api->address_new) &&
           g_module_symbol(module, "nice_address_set_from_string", (gpointer *)&api->address_set_from_string) &&
           g_module_symbol(module, "nice_address_free", (gpointer *)&api->address_free) &&
           g_module_symbol(module, "nice_agent_add_local_address", (gpointer *)&api->agent_add_local_address);
}

static bool add_address(const nice_api *api, GObject *agent, const char *text)
{
    gpointer address = api->address_new();
    bool ok = api->address_set_from_string(address, text) && api->agent_add_local_address(agent, address);
    api->address_free(address);
    return ok;
}

bool tolk_webrtc_ice_set_addresses(GstElement *webrtcbin, const char *addresses)
{
    nice_api api;
    if (!load_nice(&api)) {
        LOG_WARN("libnice.so.10 not found: ice_addresses ignored");
        return false;
    }
    GObject *agent = nice_agent_of(webrtcbin);
    if (!agent)
        return false;
    GStrv list = g_strsplit(addresses, ",", -1);
    bool ok = true;
    for (guint i = 0; list[i]; i++)
        ok = add_address(&api, agent, g_strstrip(list[i])) && ok;
    g_strfreev(list);
    g_object_unref(agent);
    return ok;
}
