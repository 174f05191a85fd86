/* SPDX-License-Identifier: EUPL-1.2 */
/* AES67 SDP, read and written. The reader is strict because the text comes from the hall
 * network (a SAP datagram anyone on it can send): every line is bounded, every number is
 * range-checked, and a refusal names the line. Pure functions: see aes67_sdp.h. */
#include "aes67_sdp.h"

#include "sdp.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKENS 16

/* What a session or a media section says; the media level wins where both speak. */
typedef struct {
    bool has_c;
    char address[46];
    bool ipv6, multicast;
    int ttl;
    bool has_refclk;
    tolk_aes67_refclk refclk;
    bool has_mediaclk;
    uint32_t mediaclk_offset;
    int ptime_us, framecount;
    tolk_aes67_direction direction;
    bool has_source_filter;
    char source_address[46];
    char info[128];
} level;

typedef struct {
    int pt;
    bool mapped;
    tolk_aes67_encoding encoding;
    int channels;
} format;

typedef struct {
    bool audio; /* an m=audio RTP/AVP section, with a port */
    int port;
    format fmt[TOLK_AES67_MAX_FORMATS];
    int nfmt;
    level lv;
} media;

typedef struct {
    int line_no;
    char label[24]; /* "a=rtpmap", "c=": names the line in a refusal */
    tolk_error *err;
    bool seen_v, seen_o, seen_s, seen_t, chosen;
    level session;
    media m;
    bool in_media;
    tolk_aes67_stream *out;
} parser;

static bool fail(parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool fail(parser *p, const char *fmt, ...)
{
    char what[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (p->line_no > 0)
        tolk_error_set(p->err, TOLK_ERROR_INVALID, "invalid_sdp", "sdp", "line %d (%s): %s",
                       p->line_no, p->label, what);
    else
        tolk_error_set(p->err, TOLK_ERROR_INVALID, "invalid_sdp", "sdp", "%s", what);
    return false;
}

/* Space-separated tokens of s (modified in place); false when more than max. */
static bool tokens(char *s, char **tok, int max, int *n)
{
    *n = 0;
    for (char *save = NULL, *t = strtok_r(s, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
        if (*n == max)
            return false;
        tok[(*n)++] = t;
    }
    return true;
}

/* Decimal digits only, at most max; no sign, no space. */
static bool number(const char *s, uint64_t max, uint64_t *out)
{
    size_t n = strlen(s);
    if (n == 0 || n > 20)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (v > max)
        return false;
    *out = v;
    return true;
}

static bool small_number(const char *s, int lo, int hi, int *out)
{
    uint64_t v;
    if (!number(s, (uint64_t)hi, &v) || v < (uint64_t)lo)
        return false;
    *out = (int)v;
    return true;
}

static bool copy_text(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size)
        return false;
    memcpy(dst, src, n + 1);
    return true;
}

static bool address_of(const char *text, bool ipv6, char *dst, bool *multicast)
{
    unsigned char bin[16];
    if (inet_pton(ipv6 ? AF_INET6 : AF_INET, text, bin) != 1 || !copy_text(dst, 46, text))
        return false;
    *multicast = ipv6 ? bin[0] == 0xff : (bin[0] & 0xf0) == 0xe0;
    return true;
}

static bool family_of(const char *token, bool *ipv6)
{
    if (strcmp(token, "IP4") == 0)
        *ipv6 = false;
    else if (strcmp(token, "IP6") == 0)
        *ipv6 = true;
    else
        return false;
    return true;
}

/* "XX-XX-...": octets hex pairs joined by '-', kept upper case. */
static bool hex_octets(const char *s, int octets, char *dst, size_t size)
{
    size_t n = strlen(s);
    if (n != (size_t)octets * 3 - 1 || n >= size)
        return false;
    for (size_t i = 0; i < n; i++) {
        bool dash = i % 3 == 2;
        if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
            return false;
        dst[i] = (char)toupper((unsigned char)s[i]);
    }
    dst[n] = '\0';
    return true;
}

static level *current(parser *p)
{
    return p->in_media ? &p->m.lv : &p->session;
}

/* c=IN IP4 239.69.1.2/32, c=IN IP4 192.0.2.10, c=IN IP6 ff15::1 */
static bool line_c(parser *p, char *value)
{
    char *tok[MAX_TOKENS];
    int n;
    level *lv = current(p);
    bool ipv6;
    if (!tokens(value, tok, MAX_TOKENS, &n) || n != 3 || strcmp(tok[0], "IN") != 0)
        return fail(p, "expected \"IN IP4|IP6 ADDRESS[/TTL]\"");
    if (!family_of(tok[1], &ipv6))
        return fail(p, "address type %.8s: IP4 or IP6", tok[1]);
    if (lv->has_c)
        return fail(p, "a second c= line at this level");
    char *ttl = strchr(tok[2], '/');
    char *count = NULL;
    if (ttl) {
        *ttl++ = '\0';
        count = strchr(ttl, '/');
        if (count)
            *count++ = '\0';
    }
    if (!address_of(tok[2], ipv6, lv->address, &lv->multicast))
        return fail(p, "not a numeric %s address", ipv6 ? "IPv6" : "IPv4");
    lv->ipv6 = ipv6;
    lv->ttl = -1;
    if (ttl && (!lv->multicast || ipv6)) {
        /* IPv6 multicast has no TTL: its one '/' field is the address count. */
        if (!(lv->multicast && ipv6 && !count && strcmp(ttl, "1") == 0))
            return fail(p, "a /TTL or /count on an address that takes none");
    } else if (ttl && !small_number(ttl, 0, 255, &lv->ttl)) {
        return fail(p, "TTL %.8s: 0..255", ttl);
    }
    if (count && strcmp(count, "1") != 0)
        return fail(p, "more than one address (/%.8s): one stream, one address", count);
    lv->has_c = true;
    return true;
}

/* o=USER SESSION-ID VERSION IN IP4|IP6 ADDRESS */
static bool line_o(parser *p, char *value)
{
    char *tok[MAX_TOKENS];
    int n;
    bool ipv6;
    tolk_aes67_stream *s = p->out;
    if (p->seen_o || p->in_media)
        return fail(p, "one o= line, before the first m=");
    if (!tokens(value, tok, MAX_TOKENS, &n) || n != 6)
        return fail(p, "expected 6 fields: USER ID VERSION IN IP4|IP6 ADDRESS");
    if (!copy_text(s->origin_username, sizeof s->origin_username, tok[0]))
        return fail(p, "user name longer than %zu bytes", sizeof s->origin_username - 1);
    if (!number(tok[1], UINT64_MAX, &s->origin_session_id) ||
        !number(tok[2], UINT64_MAX, &s->origin_session_version))
        return fail(p, "session id and version: decimal numbers below 2^64");
    if (strcmp(tok[3], "IN") != 0 || !family_of(tok[4], &ipv6))
        return fail(p, "network IN and address type IP4 or IP6");
    if (!copy_text(s->origin_address, sizeof s->origin_address, tok[5]))
        return fail(p, "address longer than %zu bytes", sizeof s->origin_address - 1);
    p->seen_o = true;
    return true;
}

static bool line_m_formats(parser *p, char **tok, int n)
{
    if (n - 3 > TOLK_AES67_MAX_FORMATS)
        return fail(p, "more than %d payload types", TOLK_AES67_MAX_FORMATS);
    for (int i = 3; i < n; i++) {
        format *f = &p->m.fmt[p->m.nfmt++];
        if (!small_number(tok[i], 0, 127, &f->pt))
            return fail(p, "payload type %.8s: 0..127", tok[i]);
    }
    return true;
}

static void finish_media(parser *p);

/* m=audio PORT RTP/AVP PT... */
static bool line_m(parser *p, char *value)
{
    char *tok[MAX_TOKENS + 3];
    int n;
    if (!p->seen_v || !p->seen_o || !p->seen_s)
        return fail(p, "v=, o= and s= come before the first m=");
    finish_media(p);
    memset(&p->m, 0, sizeof p->m);
    p->m.lv.ttl = -1;
    p->in_media = true;
    p->out->media_count++;
    if (!tokens(value, tok, MAX_TOKENS + 3, &n))
        return fail(p, "more than %d payload types", TOLK_AES67_MAX_FORMATS);
    if (n < 4)
        return fail(p, "expected \"MEDIA PORT PROTO FORMAT...\"");
    if (strcmp(tok[0], "audio") != 0)
        return true; /* video, data: not ours, read past */
    if (strchr(tok[1], '/'))
        return fail(p, "a port count (%.12s): one stream, one port", tok[1]);
    if (!small_number(tok[1], 0, 65535, &p->m.port))
        return fail(p, "port %.12s: 0..65535", tok[1]);
    if (strcmp(tok[2], "RTP/AVP") != 0)
        return fail(p, "transport %.16s: AES67 is RTP/AVP", tok[2]);
    p->m.audio = p->m.port > 0; /* port 0: a section switched off */
    return line_m_formats(p, tok, n);
}

static format *format_of(parser *p, int pt)
{
    for (int i = 0; i < p->m.nfmt; i++)
        if (p->m.fmt[i].pt == pt)
            return &p->m.fmt[i];
    return NULL;
}

/* a=rtpmap:96 L24/48000/8 */
static bool attr_rtpmap(parser *p, char *value)
{
    char *tok[MAX_TOKENS];
    int n, pt;
    if (!p->in_media)
        return fail(p, "an rtpmap belongs to an m= section");
    if (!tokens(value, tok, MAX_TOKENS, &n) || n != 2 || !small_number(tok[0], 0, 127, &pt))
        return fail(p, "expected \"PT ENCODING/RATE[/CHANNELS]\"");
    format *f = format_of(p, pt);
    if (!f)
        return fail(p, "payload type %d is not on the m= line", pt);
    if (f->mapped)
        return fail(p, "a second rtpmap for payload type %d", pt);
    f->mapped = true;
    char *rate = strchr(tok[1], '/');
    if (!rate)
        return fail(p, "no clock rate");
    *rate++ = '\0';
    char *channels = strchr(rate, '/');
    if (channels)
        *channels++ = '\0';
    if (g_ascii_strcasecmp(tok[1], "L24") == 0)
        f->encoding = TOLK_AES67_L24;
    else if (g_ascii_strcasecmp(tok[1], "L16") == 0)
        f->encoding = TOLK_AES67_L16;
    else
        return true; /* another encoding: not a candidate */
    int r;
    if (!small_number(rate, 1, 1000000, &r) || r != TOLK_AES67_RATE)
        return fail(p, "clock rate %.12s: only %d Hz is taken", rate, TOLK_AES67_RATE);
    f->channels = 1;
    if (channels && !small_number(channels, 1, TOLK_AES67_MAX_CHANNELS, &f->channels))
        return fail(p, "channels %.12s: 1..%d", channels, TOLK_AES67_MAX_CHANNELS);
    return true;
}

/* a=ptime:1, a=ptime:0.125, a=ptime:0.333 (milliseconds, at most 3 decimals) */
static bool attr_ptime(parser *p, char *value)
{
    char *dot = strchr(value, '.');
    int ms = 0, frac = 0;
    if (dot) {
        *dot++ = '\0';
        size_t digits = strlen(dot);
        if (digits == 0 || digits > 3 || !small_number(dot, 0, 999, &frac))
            return fail(p, "expected milliseconds with at most 3 decimals");
        for (size_t i = digits; i < 3; i++)
            frac *= 10;
    }
    if (!small_number(value, 0, 99, &ms))
        return fail(p, "expected milliseconds with at most 3 decimals");
    int us = ms * 1000 + frac;
    if (us < TOLK_AES67_PTIME_MIN_US || us > TOLK_AES67_PTIME_MAX_US)
        return fail(p, "packet time %d us: %d..%d us", us, TOLK_AES67_PTIME_MIN_US,
                    TOLK_AES67_PTIME_MAX_US);
    current(p)->ptime_us = us;
    return true;
}

static bool attr_framecount(parser *p, char *value)
{
    int max = TOLK_AES67_PTIME_MAX_US * TOLK_AES67_RATE / 1000000;
    if (!small_number(value, 1, max, &current(p)->framecount))
        return fail(p, "frame count %.12s: 1..%d", value, max);
    return true;
}

/* ptp=IEEE1588-2008:39-A7-94-FF-FE-07-CB-D0:0, ptp=IEEE1588-2008:traceable */
static bool refclk_ptp(parser *p, char *v, tolk_aes67_refclk *rc)
{
    char *gmid = strchr(v, ':');
    if (!gmid)
        return fail(p, "ptp= needs VERSION:GMID[:DOMAIN] or VERSION:traceable");
    *gmid++ = '\0';
    if (strcmp(v, "IEEE1588-2002") && strcmp(v, "IEEE1588-2008") && strcmp(v, "IEEE1588-2019") &&
        strcmp(v, "IEEE802.1AS-2011"))
        return fail(p, "PTP version %.16s is not one RFC 7273 names", v);
    copy_text(rc->ptp_version, sizeof rc->ptp_version, v);
    rc->kind = TOLK_AES67_CLOCK_PTP;
    if (strcmp(gmid, "traceable") == 0) {
        rc->traceable = true;
        return true;
    }
    char *domain = strchr(gmid, ':');
    if (domain) {
        *domain++ = '\0';
        if (strncmp(domain, "domain-nmbr=", 12) == 0)
            domain += 12;
        if (!small_number(domain, 0, 127, &rc->ptp_domain))
            return fail(p, "PTP domain %.12s: 0..127", domain);
    }
    if (!hex_octets(gmid, 8, rc->gmid, sizeof rc->gmid))
        return fail(p, "grandmaster id: 8 hex octets joined by '-'");
    return true;
}

static bool attr_ts_refclk(parser *p, char *value)
{
    level *lv = current(p);
    if (lv->has_refclk)
        return true; /* RFC 7273: later ones are alternatives; the first is the sender's own */
    tolk_aes67_refclk *rc = &lv->refclk;
    memset(rc, 0, sizeof *rc);
    bool ok;
    if (strncmp(value, "ptp=", 4) == 0) {
        ok = refclk_ptp(p, value + 4, rc);
    } else if (strncmp(value, "localmac=", 9) == 0) {
        rc->kind = TOLK_AES67_CLOCK_LOCALMAC;
        ok = hex_octets(value + 9, 6, rc->localmac, sizeof rc->localmac) ||
             fail(p, "localmac: 6 hex octets joined by '-'");
    } else if (strncmp(value, "ntp=", 4) == 0) {
        rc->kind = TOLK_AES67_CLOCK_NTP;
        rc->traceable = strcmp(value + 4, "/traceable/") == 0;
        ok = rc->traceable || (value[4] && copy_text(rc->ntp_server, sizeof rc->ntp_server, value + 4)) ||
             fail(p, "ntp= needs a server of at most %zu bytes", sizeof rc->ntp_server - 1);
    } else {
        ok = fail(p, "reference clock %.24s: ptp=, localmac= or ntp=", value);
    }
    lv->has_refclk = ok;
    return ok;
}

/* a=mediaclk:direct=963214424 (RFC 7273 allows " rate=N/M" after it: the rate is ours) */
static bool attr_mediaclk(parser *p, char *value)
{
    uint64_t offset;
    char *space = strchr(value, ' ');
    if (space)
        *space = '\0';
    if (strncmp(value, "direct=", 7) != 0)
        return fail(p, "only direct=OFFSET (AES67) is taken");
    if (!number(value + 7, UINT32_MAX, &offset))
        return fail(p, "offset %.16s: 0..4294967295", value + 7);
    current(p)->has_mediaclk = true;
    current(p)->mediaclk_offset = (uint32_t)offset;
    return true;
}

/* a=source-filter: incl IN IP4 239.69.1.2 192.0.2.10 (RFC 4570) */
static bool attr_source_filter(parser *p, char *value)
{
    char *tok[MAX_TOKENS];
    int n;
    bool ipv6, mc;
    level *lv = current(p);
    if (!tokens(value, tok, MAX_TOKENS, &n) || n < 5 || strcmp(tok[1], "IN") != 0)
        return fail(p, "expected \"incl IN IP4|IP6 DEST SOURCE...\" with at most %d sources",
                    MAX_TOKENS - 4);
    if (strcmp(tok[0], "incl") != 0)
        return fail(p, "mode %.8s: only incl is taken", tok[0]);
    if (!family_of(tok[2], &ipv6))
        return fail(p, "address type %.8s: IP4 or IP6", tok[2]);
    char dest[46];
    if (strcmp(tok[3], "*") != 0 && !address_of(tok[3], ipv6, dest, &mc))
        return fail(p, "destination: a numeric address or *");
    for (int i = 4; i < n; i++)
        if (!address_of(tok[i], ipv6, i == 4 ? lv->source_address : dest, &mc))
            return fail(p, "source %d: a numeric address", i - 3);
    lv->has_source_filter = true;
    return true;
}

static bool attribute(parser *p, char *value)
{
    char *colon = strchr(value, ':');
    char *arg = colon ? colon + 1 : value + strlen(value);
    if (colon)
        *colon = '\0';
    if (!value[0])
        return fail(p, "an attribute without a name");
    for (const char *c = value; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_' && *c != '.')
            return fail(p, "attribute name with a character that is not a token");
    snprintf(p->label, sizeof p->label, "a=%.20s", value);
    while (*arg == ' ')
        arg++; /* "a=source-filter: incl" has one */
    static const struct {
        const char *name;
        tolk_aes67_direction dir;
    } dirs[] = {{"recvonly", TOLK_AES67_DIR_RECVONLY}, {"sendonly", TOLK_AES67_DIR_SENDONLY},
                {"sendrecv", TOLK_AES67_DIR_SENDRECV}, {"inactive", TOLK_AES67_DIR_INACTIVE}};
    for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++)
        if (strcmp(value, dirs[i].name) == 0) {
            current(p)->direction = dirs[i].dir;
            return true;
        }
    if (!p->in_media || p->m.audio) {
        if (strcmp(value, "rtpmap") == 0)
            return attr_rtpmap(p, arg);
        if (strcmp(value, "ptime") == 0)
            return attr_ptime(p, arg);
        if (strcmp(value, "framecount") == 0)
            return attr_framecount(p, arg);
        if (strcmp(value, "ts-refclk") == 0)
            return attr_ts_refclk(p, arg);
        if (strcmp(value, "mediaclk") == 0)
            return attr_mediaclk(p, arg);
        if (strcmp(value, "source-filter") == 0)
            return attr_source_filter(p, arg);
    }
    return true; /* a=sync-time, a=clock-domain, a=group, a=mid...: not needed to receive */
}

static bool line_text(parser *p, char *dst, size_t size, const char *value)
{
    if (!value[0])
        return fail(p, "empty");
    if (!copy_text(dst, size, value))
        return fail(p, "longer than %zu bytes", size - 1);
    return true;
}

static bool line(parser *p, char type, char *value)
{
    snprintf(p->label, sizeof p->label, "%c=", type);
    if (!p->seen_v && type != 'v')
        return fail(p, "an SDP begins with v=0");
    switch (type) {
    case 'v':
        if (p->seen_v || strcmp(value, "0") != 0)
            return fail(p, "one v=0, on the first line");
        p->seen_v = true;
        return true;
    case 'o':
        return line_o(p, value);
    case 's':
        if (p->seen_s || p->in_media)
            return fail(p, "one s= line, before the first m=");
        p->seen_s = true;
        return line_text(p, p->out->session_name, sizeof p->out->session_name, value);
    case 'i':
        return line_text(p, current(p)->info, sizeof current(p)->info, value);
    case 't':
        p->seen_t = true;
        return true;
    case 'c':
        return line_c(p, value);
    case 'm':
        return line_m(p, value);
    case 'a':
        return attribute(p, value);
    case 'u': case 'e': case 'p': case 'b': case 'r': case 'z': case 'k':
        return true;
    default:
        return fail(p, "unknown line type");
    }
}

static int pick_format(const media *m)
{
    for (int i = 0; i < m->nfmt; i++)
        if (m->fmt[i].mapped && m->fmt[i].channels > 0)
            return i;
    return -1;
}

/* The first fitting m=audio section becomes the stream, over the session level's values. */
static void finish_media(parser *p)
{
    int f = p->in_media && p->m.audio && !p->chosen ? pick_format(&p->m) : -1;
    if (f < 0)
        return;
    const level *s = &p->session, *m = &p->m.lv;
    const level *c = m->has_c ? m : s;
    tolk_aes67_stream *out = p->out;
    p->chosen = true;
    memcpy(out->address, c->address, sizeof out->address);
    out->ipv6 = c->ipv6;
    out->multicast = c->multicast;
    out->ttl = c->has_c ? c->ttl : -1;
    out->port = p->m.port;
    out->payload_type = p->m.fmt[f].pt;
    out->encoding = p->m.fmt[f].encoding;
    out->channels = p->m.fmt[f].channels;
    out->ptime_us = m->ptime_us ? m->ptime_us : s->ptime_us;
    out->frame_samples = m->framecount ? m->framecount : s->framecount;
    out->direction = m->direction ? m->direction : s->direction;
    out->refclk = m->has_refclk ? m->refclk : s->refclk;
    out->has_mediaclk = m->has_mediaclk || s->has_mediaclk;
    out->mediaclk_offset = m->has_mediaclk ? m->mediaclk_offset : s->mediaclk_offset;
    const level *sf = m->has_source_filter ? m : s;
    out->has_source_filter = sf->has_source_filter;
    memcpy(out->source_address, sf->source_address, sizeof out->source_address);
    memcpy(out->info, m->info, sizeof out->info);
}

/* What a whole SDP must have once every line is read. */
static bool complete(parser *p)
{
    tolk_aes67_stream *s = p->out;
    p->line_no = 0;
    if (!p->seen_v || !p->seen_o || !p->seen_s || !p->seen_t)
        return fail(p, "an SDP needs v=, o=, s= and t= lines");
    if (!p->chosen)
        return fail(p, "no m=audio RTP/AVP section with an L16 or L24 rtpmap at %d Hz",
                    TOLK_AES67_RATE);
    if (!s->address[0])
        return fail(p, "no c= line for the audio section (nor for the session)");
    if (!s->ptime_us && !s->frame_samples)
        return fail(p, "no a=ptime (nor a=framecount) for the audio section");
    int from_ptime = (s->ptime_us * (TOLK_AES67_RATE / 1000) + 500) / 1000;
    if (!s->frame_samples)
        s->frame_samples = from_ptime;
    else if (s->ptime_us && s->frame_samples != from_ptime)
        return fail(p, "a=framecount:%d and a=ptime (%d us) disagree", s->frame_samples,
                    s->ptime_us);
    if (!s->ptime_us)
        s->ptime_us = s->frame_samples * 1000000 / TOLK_AES67_RATE;
    if (s->ptime_us < TOLK_AES67_PTIME_MIN_US)
        return fail(p, "packet time of %d samples: at least %d us", s->frame_samples,
                    TOLK_AES67_PTIME_MIN_US);
    return true;
}

/* Each line: a lower-case type, '=', printable UTF-8 (TAB allowed), at most MAX_LINE bytes. */
static bool next_line(parser *p, const char *text, size_t len, size_t *pos, char *buf)
{
    size_t start = *pos, end = start;
    while (end < len && text[end] != '\n')
        end++;
    *pos = end < len ? end + 1 : end;
    size_t n = end - start;
    if (n > 0 && text[end - 1] == '\r')
        n--;
    snprintf(p->label, sizeof p->label, "%c=", n > 0 && g_ascii_isprint(text[start]) ? text[start] : '?');
    if (n > TOLK_AES67_SDP_MAX_LINE)
        return fail(p, "longer than %d bytes", TOLK_AES67_SDP_MAX_LINE);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[start + i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return fail(p, "a control character at byte %zu", i + 1);
    }
    if (!g_utf8_validate(text + start, (gssize)n, NULL))
        return fail(p, "not UTF-8");
    if (n < 2 || text[start] < 'a' || text[start] > 'z' || text[start + 1] != '=')
        return fail(p, "a line is a lower-case letter, '=' and a value");
    memcpy(buf, text + start, n);
    buf[n] = '\0';
    return true;
}

bool tolk_aes67_sdp_parse(const char *text, size_t len, tolk_aes67_stream *out, tolk_error *err)
{
    parser p = {.err = err, .out = out};
    char buf[TOLK_AES67_SDP_MAX_LINE + 1];
    memset(out, 0, sizeof *out);
    p.session.ttl = -1;
    if (len > TOLK_AES67_SDP_MAX_LEN)
        return fail(&p, "longer than %d bytes", TOLK_AES67_SDP_MAX_LEN);
    size_t pos = 0;
    bool ok = true;
    while (ok && pos < len) {
        if (++p.line_no > TOLK_AES67_SDP_MAX_LINES)
            return fail(&p, "more than %d lines", TOLK_AES67_SDP_MAX_LINES);
        size_t rest = pos;
        while (rest < len && (text[rest] == '\r' || text[rest] == '\n'))
            rest++;
        if (rest == len && p.line_no > 1)
            break; /* blank lines at the end, as some devices write them */
        ok = next_line(&p, text, len, &pos, buf) && line(&p, buf[0], buf + 2);
    }
    if (ok) {
        finish_media(&p);
        ok = complete(&p);
    }
    if (!ok) {
        tolk_error keep = *err;
        memset(out, 0, sizeof *out);
        *err = keep;
    }
    return ok;
}

size_t tolk_aes67_payload_bytes(const tolk_aes67_stream *s)
{
    return (size_t)s->frame_samples * (size_t)s->channels * (size_t)(s->encoding / 8);
}

int tolk_aes67_take_channel(const tolk_aes67_stream *s, int channel, const uint8_t *payload,
                            size_t len, int32_t *out, size_t max)
{
    size_t width = (size_t)(s->encoding / 8);
    if (channel < 0 || channel >= s->channels || (width != 2 && width != 3))
        return -1;
    size_t frame = width * (size_t)s->channels;
    if (len % frame != 0 || len / frame > (size_t)INT32_MAX)
        return -1;
    size_t frames = len / frame;
    for (size_t i = 0; i < frames && i < max; i++) {
        const uint8_t *b = payload + i * frame + (size_t)channel * width;
        uint32_t v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16;
        if (width == 3)
            v |= (uint32_t)b[2] << 8;
        out[i] = (int32_t)v;
    }
    return (int)frames;
}

static bool param_fail(tolk_error *err, const char *field, const char *what)
{
    tolk_error_set(err, TOLK_ERROR_INVALID, "invalid_value", field, "%s: %s", field, what);
    return false;
}

static bool refclk_text(const tolk_aes67_refclk *rc, char *dst, size_t size, tolk_error *err)
{
    char norm[24];
    if (rc->kind == TOLK_AES67_CLOCK_PTP) {
        const char *version = rc->ptp_version[0] ? rc->ptp_version : "IEEE1588-2008";
        if (strcmp(version, "IEEE1588-2008") && strcmp(version, "IEEE1588-2019"))
            return param_fail(err, "refclk.ptp_version", "IEEE1588-2008 or IEEE1588-2019");
        if (rc->traceable) {
            snprintf(dst, size, "ptp=%s:traceable", version);
            return true;
        }
        if (!hex_octets(rc->gmid, 8, norm, sizeof norm))
            return param_fail(err, "refclk.gmid", "8 hex octets joined by '-'");
        if (rc->ptp_domain < 0 || rc->ptp_domain > 127)
            return param_fail(err, "refclk.ptp_domain", "0..127");
        snprintf(dst, size, "ptp=%s:%s:%d", version, norm, rc->ptp_domain);
        return true;
    }
    if (rc->kind == TOLK_AES67_CLOCK_LOCALMAC) {
        if (!hex_octets(rc->localmac, 6, norm, sizeof norm))
            return param_fail(err, "refclk.localmac", "6 hex octets joined by '-'");
        snprintf(dst, size, "localmac=%s", norm);
        return true;
    }
    return param_fail(err, "refclk", "a PTP grandmaster or localmac (AES67 needs a reference clock)");
}

/* a=ptime for a packet of n samples at 48 kHz, as AES67 writes it (0.333 for 16). */
static bool ptime_text(int n, char *dst, size_t size)
{
    static const struct {
        int samples;
        const char *text;
    } ptimes[] = {{0, "1"}, {6, "0.125"}, {12, "0.25"}, {16, "0.333"}, {48, "1"}, {192, "4"}};
    for (size_t i = 0; i < G_N_ELEMENTS(ptimes); i++)
        if (ptimes[i].samples == n) {
            g_strlcpy(dst, ptimes[i].text, size);
            return true;
        }
    return false;
}

static bool params_valid(const tolk_aes67_sdp_params *p, bool *ipv6, bool *multicast,
                         bool *origin_ipv6, tolk_error *err)
{
    char scratch[46];
    bool mc;
    if (!p->address || !(address_of(p->address, false, scratch, multicast) ||
                         (address_of(p->address, true, scratch, multicast) && (*ipv6 = true))))
        return param_fail(err, "address", "a numeric IPv4 or IPv6 address");
    if (!p->origin_address || !(address_of(p->origin_address, false, scratch, &mc) ||
                                (address_of(p->origin_address, true, scratch, &mc) && (*origin_ipv6 = true))) || mc)
        return param_fail(err, "origin_address", "the sender's numeric unicast address");
    if (p->port < 1 || p->port > 65535)
        return param_fail(err, "port", "1..65535");
    if (p->payload_type < 96 || p->payload_type > 127)
        return param_fail(err, "payload_type", "a dynamic payload type 96..127");
    if (p->ttl < 0 || p->ttl > 255)
        return param_fail(err, "ttl", "0..255");
    if (p->encoding != 0 && p->encoding != TOLK_AES67_L16 && p->encoding != TOLK_AES67_L24)
        return param_fail(err, "encoding", "L16 or L24");
    if (!ptime_text(p->frame_samples, scratch, sizeof scratch))
        return param_fail(err, "frame_samples", "6, 12, 16, 48 or 192 (0.125, 0.25, 0.333, 1 or 4 ms)");
    return true;
}

char *tolk_aes67_sdp_write(const tolk_aes67_sdp_params *p, tolk_error *err)
{
    bool ipv6 = false, multicast = false, origin_ipv6 = false;
    char refclk[80];
    if (!params_valid(p, &ipv6, &multicast, &origin_ipv6, err) ||
        !refclk_text(&p->refclk, refclk, sizeof refclk, err))
        return NULL;
    char *name = tolk_sdp_session_name_text(p->session_name && p->session_name[0] ? p->session_name : "-");
    if (!name)
        return NULL;
    if (strlen(name) > 127)
        name[g_utf8_find_prev_char(name, name + 128) - name] = '\0';
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "v=0\r\no=- %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " IN %s %s\r\n",
                           p->session_id, p->session_version, origin_ipv6 ? "IP6" : "IP4",
                           p->origin_address);
    g_string_append_printf(s, "s=%s\r\n", name);
    if (multicast && !ipv6)
        g_string_append_printf(s, "c=IN IP4 %s/%d\r\n", p->address, p->ttl ? p->ttl : 32);
    else
        g_string_append_printf(s, "c=IN %s %s\r\n", ipv6 ? "IP6" : "IP4", p->address);
    g_string_append_printf(s, "t=0 0\r\nm=audio %d RTP/AVP %d\r\n", p->port, p->payload_type);
    char ptime[8];
    ptime_text(p->frame_samples, ptime, sizeof ptime);
    g_string_append_printf(s, "a=rtpmap:%d L%d/%d/1\r\n", p->payload_type, p->encoding ? (int)p->encoding : 24,
                           TOLK_AES67_RATE);
    /* AES67's own examples (and Dante, RAVENNA) say recvonly: the description tells a
     * receiver what to do with the stream; a sender's SDP that says sendonly is read the same
     * by GStreamer and ffmpeg, but some hall devices skip it. */
    g_string_append_printf(s, "a=recvonly\r\na=ptime:%s\r\n", ptime);
    g_string_append_printf(s, "a=ts-refclk:%s\r\na=mediaclk:direct=0\r\n", refclk);
    if (multicast && ipv6 == origin_ipv6)
        g_string_append_printf(s, "a=source-filter: incl IN %s %s %s\r\n", ipv6 ? "IP6" : "IP4",
                               p->address, p->origin_address);
    free(name);
    return g_string_free(s, FALSE);
}
