/* SPDX-License-Identifier: EUPL-1.2 */
/* Settings of the libnice agent inside webrtcbin (GstWebRTCNice's "agent"),
 * which webrtcbin's own properties do not reach. */
#include <gst/webrtc/webrtc.h>
#include <nice/agent.h>

#include "webrtc_private.h"

#define TOLK_LOG_MODULE "webrtc"
#include "log.h"

/* webrtcbin's ICE implementation is GstWebRTCNice, whose "agent" is the
 * NiceAgent; another implementation yields NULL. */
static NiceAgent *nice_agent_of(GstElement *webrtcbin)
{
    GObject *ice = NULL, *agent = NULL;
    g_object_get(webrtcbin, "ice-agent", &ice, NULL);
    if (ice && g_object_class_find_property(G_OBJECT_GET_CLASS(ice), "agent"))
        g_object_get(ice, "agent", &agent, NULL);
    if (ice)
        g_object_unref(ice);
    if (agent && !NICE_IS_AGENT(agent))
        g_clear_object(&agent);
    return (NiceAgent *)agent;
}

void tolk_webrtc_ice_configure(GstElement *webrtcbin, const tolk_webrtc_config *cfg)
{
    GObject *ice = NULL;
    g_object_get(webrtcbin, "ice-agent", &ice, NULL);
    if (ice && cfg && cfg->min_port && cfg->max_port >= cfg->min_port)
        g_object_set(ice, "min-rtp-port", cfg->min_port, "max-rtp-port", cfg->max_port, NULL);
    if (ice)
        g_object_unref(ice);
    NiceAgent *agent = nice_agent_of(webrtcbin);
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

static bool add_address(NiceAgent *agent, const char *text)
{
    NiceAddress address;
    nice_address_init(&address);
    return nice_address_set_from_string(&address, text) && nice_agent_add_local_address(agent, &address);
}

bool tolk_webrtc_ice_set_addresses(GstElement *webrtcbin, const char *addresses)
{
    NiceAgent *agent = nice_agent_of(webrtcbin);
    if (!agent)
        return false;
    GStrv list = g_strsplit(addresses, ",", -1);
    bool ok = true;
    for (guint i = 0; list[i]; i++)
        ok = add_address(agent, g_strstrip(list[i])) && ok;
    g_strfreev(list);
    g_object_unref(agent);
    return ok;
}
