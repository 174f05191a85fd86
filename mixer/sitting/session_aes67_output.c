/* SPDX-License-Identifier: EUPL-1.2 */
/* A sitting's AES67 outputs: the sender on the mix's PCM, the SDP, the SAP announcement
 * (docs/aes67.md). Under the app lock, as session.c. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "aes67_packet.h"
#include "hall_socket.h"
#include "session.h"

#define TOLK_LOG_MODULE "aes67"
#include "log.h"

/* "<sitting name> <channel>", or "<sitting name> en/1" for a return feed. */
static void stream_name(tolk_session *session, const tolk_session_output *output, char *dst, size_t size)
{
    const tolk_matrix_config *config = tolk_matrix_config_get(session->matrix);
    char console[TOLK_CONSOLE_ID_SIZE];
    if (output->channel < 0)
        tolk_input_id(config, output->slot, console, sizeof console);
    snprintf(dst, size, "%s %s", session->name[0] ? session->name : session->id,
             output->channel >= 0 ? tolk_config_channel_name(config, output->channel) : console);
}

/* The configured PTP grandmaster, else the sending interface's MAC (a free-running clock). */
static void refclk_of(tolk_session *session, const char *origin, tolk_aes67_refclk *rc)
{
    memset(rc, 0, sizeof *rc);
    if (session->ptp_grandmaster) {
        rc->kind = TOLK_AES67_CLOCK_PTP;
        g_strlcpy(rc->ptp_version, "IEEE1588-2008", sizeof rc->ptp_version);
        g_strlcpy(rc->gmid, session->ptp_grandmaster, sizeof rc->gmid);
        rc->ptp_domain = session->ptp_domain;
        return;
    }
    rc->kind = TOLK_AES67_CLOCK_LOCALMAC;
    if (!tolk_hall_interface_mac(origin, rc->localmac))
        g_strlcpy(rc->localmac, "00-00-00-00-00-00", sizeof rc->localmac);
}

static char *write_sdp(tolk_session *session, const tolk_session_output *output, tolk_error *err)
{
    char name[TOLK_NAME_SIZE + TOLK_CONSOLE_ID_SIZE + 2]; /* the writer cuts it to 127 bytes */
    if (output->name[0])
        g_strlcpy(name, output->name, sizeof name);
    else
        stream_name(session, output, name, sizeof name);
    tolk_aes67_sdp_params p = {
        .session_name = name,
        .origin_address = output->origin,
        .session_id = output->sdp_id,
        .session_version = 1,
        .address = output->host,
        .port = output->port,
        .ttl = output->ttl,
        .payload_type = TOLK_AES67_PAYLOAD_TYPE,
        .encoding = output->encoding,
        .frame_samples = output->frame_samples,
    };
    refclk_of(session, output->origin, &p.refclk);
    return tolk_aes67_sdp_write(&p, err);
}

static void announcement_key(tolk_session *session, const tolk_session_output *output, char *dst, size_t size)
{
    snprintf(dst, size, "%s/%s", session->id, output->id);
}

static tolk_aes67_output *new_sender(tolk_session *session, const tolk_session_output *output, tolk_error *err)
{
    tolk_aes67_output_spec spec = {
        .host = output->host,
        .port = output->port,
        .encoding = output->encoding,
        .frame_samples = output->frame_samples,
        .ttl = output->ttl,
        .hall_address = session->hall_address,
        .ssrc = output->ssrc,
    };
    return tolk_aes67_output_new(&spec, TOLK_WHERE(.sitting = session->id, .output = output->id), err);
}

bool tolk_session_aes67_attach(tolk_session *session, tolk_session_output *output, tolk_error *err)
{
    if (!tolk_hall_source_address(session->hall_address, output->host, output->origin)) {
        tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_value", "host", "there is no route to %s from %s",
                       output->host, session->hall_address ? session->hall_address : "this host");
        return false;
    }
    if (!output->sdp_id)
        output->sdp_id = ((uint64_t)g_random_int() << 31 | g_random_int()) & 0x7fffffffffffffffull;
    tolk_aes67_output *sender = new_sender(session, output, err);
    if (!sender)
        return false;
    output->ssrc = tolk_aes67_output_ssrc(sender);
    char *sdp = write_sdp(session, output, err);
    if (!sdp || !tolk_media_attach_aes67(session->media, output->channel, output->slot, sender)) {
        if (sdp)
            tolk_error_set(err, TOLK_ERROR_UNAVAILABLE, "unavailable", NULL, "the AES67 sender cannot be started");
        g_free(sdp);
        tolk_aes67_output_free(sender);
        return false;
    }
    output->sender = sender;
    output->sdp = sdp;
    if (output->sap && session->sap) {
        char key[64];
        announcement_key(session, output, key, sizeof key);
        tolk_sap_announce(session->sap, key, output->origin, sdp);
    }
    return true;
}

void tolk_session_aes67_detach(tolk_session *session, tolk_session_output *output)
{
    if (!output->sender)
        return;
    tolk_media_detach_aes67(session->media, output->channel, output->slot, output->sender);
    tolk_aes67_output_free(output->sender);
    output->sender = NULL;
    if (output->sap && session->sap) {
        char key[64];
        announcement_key(session, output, key, sizeof key);
        tolk_sap_withdraw(session->sap, key);
    }
    g_free(output->sdp);
    output->sdp = NULL;
}

uint64_t tolk_session_output_send_errors(tolk_session *session, const tolk_session_output *output)
{
    if (output->aes67) {
        tolk_aes67_output_stats stats = {0};
        if (output->sender)
            tolk_aes67_output_get_stats(output->sender, &stats);
        return stats.send_errors;
    }
    return tolk_media_output_send_errors(session->media, output->channel, output->slot, output->destination);
}
