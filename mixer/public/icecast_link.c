/* SPDX-License-Identifier: EUPL-1.2 */
/* The connection of one Icecast source, stepped by the Icecast thread: connect (libshout,
 * non-blocking), log in, send the Ogg headers, then the pages as frames come; on any failure
 * close, say why, and try again after a backoff. */
#include "icecast_private.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define TOLK_LOG_MODULE "icecast"
#include "log.h"

#define WHERE TOLK_WHERE(.sitting = src->sitting, .channel = src->channel)

/* libshout's words made an operator's: what went wrong and what to look at. */
static void describe(tolk_icecast_source *src, int code, char *out, size_t size)
{
    const char *shout_words = src->link.shout ? shout_get_error(src->link.shout) : "";
    switch (code) {
    case SHOUTERR_NOLOGIN:
        g_snprintf(out, size, "the server refused the source login for %s (a wrong user or password, the mount in "
                   "use by another source, or not an Icecast server)", src->target.mount);
        break;
    case SHOUTERR_NOCONNECT:
        g_snprintf(out, size, "could not connect to %s port %d (%s)", src->target.host, src->target.port, shout_words);
        break;
    case SHOUTERR_SOCKET:
        g_snprintf(out, size, "the connection to %s port %d broke (%s)", src->target.host, src->target.port,
                 shout_words);
        break;
    case SHOUTERR_NOTLS:
    case SHOUTERR_TLSBADCERT:
        g_snprintf(out, size, "TLS with %s failed (%s)", src->target.host, shout_words);
        break;
    default:
        g_snprintf(out, size, "%s (libshout error %d)", shout_words, code);
    }
}

/* Ends the connection (or the attempt); the shout_t stays for the next one. libshout 2.4.6's
 * shout_free frees nothing unless a connection is open (its check is the wrong way round), so a
 * shout_t per attempt would leak one per reconnect: one per source is made, and at most that stays. */
static void close_connection(icecast_link *link)
{
    if (link->open)
        shout_close(link->shout);
    link->open = link->connected = false;
    tolk_ogg_opus_stream_free(link->ogg);
    link->ogg = NULL;
}

void tolk_icecast_link_close(tolk_icecast_source *src)
{
    icecast_link *link = &src->link;
    close_connection(link);
    if (link->shout) {
        if (shout_set_password(link->shout, "-") != SHOUTERR_SUCCESS) {
            /* connected after all: the shout_free below frees it then */
        }
        shout_free(link->shout);
        link->shout = NULL;
    }
}

/* Closes and waits: the first failure after streaming is logged at once, then once a minute. */
static void fail(tolk_icecast_source *src, const char *why, gint64 now_us)
{
    icecast_link *link = &src->link;
    bool was_connected = link->connected;
    close_connection(link);
    link->retry_us = now_us + (gint64)link->backoff_s * G_USEC_PER_SEC;
    if (!link->failure_logged_us || now_us - link->failure_logged_us >= TOLK_ICECAST_LOG_EVERY_US) {
        LOG_WARN_AT(WHERE, "Icecast %s%s: %s; trying again every %d s at most", src->cfg.url,
                    was_connected ? " lost" : "", why, TOLK_ICECAST_BACKOFF_MAX_S);
        link->failure_logged_us = now_us;
    }
    link->backoff_s = MIN(link->backoff_s * 2, TOLK_ICECAST_BACKOFF_MAX_S);
    tolk_icecast_source_set_state(src, TOLK_ICECAST_FAILING, why);
}

/* Each finished Ogg page goes to the server; libshout keeps what the socket does not take. */
static int send_page(void *ctx, const GByteArray *page, int packets, guint64 samples)
{
    (void)packets;
    (void)samples;
    tolk_icecast_source *src = ctx;
    icecast_link *link = &src->link;
    if (link->send_error[0])
        return -EPIPE;
    ssize_t n = shout_send_raw(link->shout, page->data, page->len);
    if (n < 0) {
        describe(src, (int)n, link->send_error, sizeof link->send_error);
        return -EPIPE;
    }
    tolk_icecast_source_add_bytes(src, page->len);
    return 0;
}

static bool configure(tolk_icecast_source *src, shout_t *s)
{
    const tolk_icecast_config *c = &src->cfg;
    char language[16];
    g_strlcpy(language, src->channel, sizeof language);
    return shout_set_host(s, src->target.host) == SHOUTERR_SUCCESS &&
           shout_set_port(s, (unsigned short)src->target.port) == SHOUTERR_SUCCESS &&
           shout_set_mount(s, src->target.mount) == SHOUTERR_SUCCESS &&
           shout_set_user(s, c->user[0] ? c->user : "source") == SHOUTERR_SUCCESS &&
           shout_set_password(s, c->password) == SHOUTERR_SUCCESS &&
           shout_set_protocol(s, SHOUT_PROTOCOL_HTTP) == SHOUTERR_SUCCESS &&
           shout_set_tls(s, src->target.tls ? SHOUT_TLS_RFC2818 : SHOUT_TLS_DISABLED) == SHOUTERR_SUCCESS &&
           shout_set_content_format(s, SHOUT_FORMAT_OGG, SHOUT_USAGE_AUDIO, NULL) == SHOUTERR_SUCCESS &&
           shout_set_agent(s, "Tolk") == SHOUTERR_SUCCESS &&
           shout_set_audio_info(s, SHOUT_AI_CHANNELS, "1") == SHOUTERR_SUCCESS &&
           shout_set_audio_info(s, SHOUT_AI_SAMPLERATE, "48000") == SHOUTERR_SUCCESS &&
           (!c->name[0] || shout_set_meta(s, SHOUT_META_NAME, c->name) == SHOUTERR_SUCCESS) &&
           (!c->description[0] || shout_set_meta(s, SHOUT_META_DESCRIPTION, c->description) == SHOUTERR_SUCCESS) &&
           shout_set_content_language(s, language) == SHOUTERR_SUCCESS &&
           shout_set_nonblocking(s, SHOUT_BLOCKING_NONE) == SHOUTERR_SUCCESS;
}

static void open_link(tolk_icecast_source *src, gint64 now_us)
{
    icecast_link *link = &src->link;
    if (!link->shout) {
        link->shout = shout_new();
        if (!link->shout || !configure(src, link->shout)) {
            shout_free(link->shout);
            link->shout = NULL;
            fail(src, "libshout refused the configuration", now_us);
            return;
        }
    }
    link->open = true;
    link->opened_us = now_us;
    tolk_icecast_source_set_state(src, TOLK_ICECAST_CONNECTING, NULL);
    int rc = shout_open(link->shout);
    if (rc != SHOUTERR_SUCCESS && rc != SHOUTERR_BUSY && rc != SHOUTERR_CONNECTED) {
        char why[TOLK_ICECAST_ERROR_SIZE];
        describe(src, rc, why, sizeof why);
        fail(src, why, now_us);
    }
}

/* Logged in: a new Ogg stream, headers first (a listener joining later gets them from Icecast). */
static void on_connected(tolk_icecast_source *src, gint64 now_us)
{
    icecast_link *link = &src->link;
    link->connected = true;
    link->backoff_s = 1;
    link->send_error[0] = '\0';
    link->ogg = tolk_ogg_opus_stream_new(TOLK_ICECAST_PAGE_NS, send_page, src, &link->ogg_stats);
    char title[TOLK_ICECAST_NAME_SIZE];
    g_snprintf(title, sizeof title, "%s", src->cfg.name[0] ? src->cfg.name : src->channel);
    tolk_ogg_opus_meta meta = {.title = title, .sitting = src->sitting, .channel = src->channel,
                               .language = src->channel, .start_unix_us = g_get_real_time()};
    if (tolk_ogg_opus_stream_headers(link->ogg, &meta) != 0) {
        fail(src, link->send_error, now_us);
        return;
    }
    g_mutex_lock(&src->lock);
    if (link->ever_connected)
        src->status.reconnects++;
    g_mutex_unlock(&src->lock);
    link->ever_connected = true;
    link->failure_logged_us = 0;
    tolk_icecast_source_set_state(src, TOLK_ICECAST_STREAMING, NULL);
    LOG_INFO_AT(WHERE, "Icecast %s: streaming", src->cfg.url);
}

static void drain(tolk_icecast_source *src)
{
    icecast_frame f;
    while (tolk_icecast_source_pop(src, &f)) {
    }
}

static void step_connecting(tolk_icecast_source *src, gint64 now_us)
{
    int rc = shout_get_connected(src->link.shout);
    if (rc == SHOUTERR_CONNECTED) {
        on_connected(src, now_us);
    } else if (rc == SHOUTERR_BUSY || rc == SHOUTERR_RETRY) {
        if (now_us - src->link.opened_us > TOLK_ICECAST_CONNECT_TIMEOUT_US)
            fail(src, "the server did not answer the source login within 10 s", now_us);
    } else {
        char why[TOLK_ICECAST_ERROR_SIZE];
        describe(src, rc, why, sizeof why);
        fail(src, why, now_us);
    }
}

static void step_streaming(tolk_icecast_source *src, gint64 now_us)
{
    icecast_link *link = &src->link;
    icecast_frame f;
    int taken = 0;
    while (!link->send_error[0] && tolk_icecast_source_pop(src, &f)) {
        tolk_ogg_opus_stream_push(link->ogg, f.data, f.size, f.pts_ns);
        taken++;
    }
    if (!link->send_error[0] && taken == 0) {
        static const unsigned char nothing[1];
        if (shout_send_raw(link->shout, nothing, 0) < 0) /* moves on what libshout still holds */
            describe(src, shout_get_errno(link->shout), link->send_error, sizeof link->send_error);
    }
    if (!link->send_error[0] && shout_queuelen(link->shout) > TOLK_ICECAST_SEND_QUEUE_MAX)
        g_snprintf(link->send_error, sizeof link->send_error,
                 "the server took less than the stream for seconds (more than %d KiB waiting)",
                 TOLK_ICECAST_SEND_QUEUE_MAX / 1024);
    if (link->send_error[0]) {
        char why[TOLK_ICECAST_ERROR_SIZE];
        g_strlcpy(why, link->send_error, sizeof why);
        fail(src, why, now_us);
    }
}

void tolk_icecast_link_step(tolk_icecast_source *src, gint64 now_us)
{
    icecast_link *link = &src->link;
    if (!atomic_load(&src->active)) {
        if (link->open)
            LOG_INFO_AT(WHERE, "Icecast %s: paused (the channel is not public)", src->cfg.url);
        close_connection(link);
        link->backoff_s = 1;
        link->retry_us = 0;
        drain(src);
        tolk_icecast_source_set_state(src, TOLK_ICECAST_PAUSED, NULL);
        return;
    }
    if (link->backoff_s == 0)
        link->backoff_s = 1;
    if (!link->open && now_us >= link->retry_us)
        open_link(src, now_us);
    if (link->open && !link->connected)
        step_connecting(src, now_us);
    if (link->open && link->connected)
        step_streaming(src, now_us);
    else
        drain(src); /* the stream begins at the next connection */
}
