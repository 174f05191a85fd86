/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The SDP of one AES67 stream (RFC 4566 as AES67-2018 and SMPTE ST 2110-30 use it): read
 * what a hall device announces, write what Tolk announces for a channel it sends. Pure
 * functions on text: no sockets, no clock, no global state; any thread, each call on its
 * own values. docs/aes67.md says what is read, what is written and the limits.
 */
#ifndef TOLK_NET_AES67_SDP_H
#define TOLK_NET_AES67_SDP_H

#include "error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOLK_AES67_SDP_MAX_LEN 8192   /* bytes of SDP text; a SAP datagram holds far less */
#define TOLK_AES67_SDP_MAX_LINES 128
#define TOLK_AES67_SDP_MAX_LINE 512   /* bytes of one line, without its line end */
#define TOLK_AES67_MAX_CHANNELS 64    /* ST 2110-30 level C: 64 channels at 48 kHz */
#define TOLK_AES67_MAX_FORMATS 16     /* payload types on the m= line */
#define TOLK_AES67_PTIME_MIN_US 125
#define TOLK_AES67_PTIME_MAX_US 4000
#define TOLK_AES67_RATE 48000         /* the mixer's rate: the only one taken */

typedef enum { TOLK_AES67_L16 = 16, TOLK_AES67_L24 = 24 } tolk_aes67_encoding;

typedef enum {
    TOLK_AES67_CLOCK_NONE = 0, /* no a=ts-refclk */
    TOLK_AES67_CLOCK_PTP,      /* ptp=IEEE1588-2008:GMID:DOMAIN (or :traceable) */
    TOLK_AES67_CLOCK_LOCALMAC, /* localmac=MAC: the sender's free-running clock */
    TOLK_AES67_CLOCK_NTP,      /* ntp=SERVER or ntp=/traceable/ */
} tolk_aes67_clock_kind;

typedef enum {
    TOLK_AES67_DIR_NONE = 0, /* no direction attribute (ST 2110-30 SDPs often have none) */
    TOLK_AES67_DIR_RECVONLY,
    TOLK_AES67_DIR_SENDONLY,
    TOLK_AES67_DIR_SENDRECV,
    TOLK_AES67_DIR_INACTIVE,
} tolk_aes67_direction;

typedef struct {
    tolk_aes67_clock_kind kind;
    char ptp_version[16]; /* "IEEE1588-2008", "IEEE1588-2019", "IEEE1588-2002", "IEEE802.1AS-2011" */
    char gmid[24];        /* "39-A7-94-FF-FE-07-CB-D0" (upper case); "" when traceable */
    bool traceable;
    int ptp_domain;       /* 0..127; 0 when not given */
    char localmac[18];    /* "CA-FE-01-CA-FE-02" (upper case) */
    char ntp_server[64];  /* numeric address or host name; "" when traceable */
} tolk_aes67_refclk;

/* One stream as read: the first m=audio line with an L16 or L24 format at 48 kHz, with the
 * session-level c=, a=ts-refclk and a=mediaclk where the media level has none. */
typedef struct {
    char session_name[128];    /* s= (UTF-8, no control characters) */
    char origin_username[64];  /* o= */
    uint64_t origin_session_id;
    uint64_t origin_session_version;
    char origin_address[64];   /* o= unicast address (numeric or a name, as written) */
    char info[128];            /* the media's i= ("Channels 1-8"), "" when absent */

    char address[46];          /* c= numeric IPv4 or IPv6 destination */
    bool ipv6;
    bool multicast;
    int ttl;                   /* IPv4 multicast TTL 0..255; -1 when not given or unicast */

    int port;                  /* 1..65535 */
    int payload_type;          /* 0..127 */
    tolk_aes67_encoding encoding;
    int channels;              /* 1..TOLK_AES67_MAX_CHANNELS */
    int ptime_us;              /* 125..4000 */
    int frame_samples;         /* samples per channel in one packet (a=framecount, or from ptime) */
    tolk_aes67_direction direction;

    tolk_aes67_refclk refclk;
    bool has_mediaclk;
    uint32_t mediaclk_offset;  /* a=mediaclk:direct=OFFSET: RTP timestamp at the PTP epoch */

    bool has_source_filter;    /* a=source-filter: incl (RFC 4570), the first source kept */
    char source_address[46];
    int media_count;           /* m= lines seen (a second one is ST 2022-7's redundant path) */
} tolk_aes67_stream;

/* Reads text (len bytes, no NUL needed; LF or CRLF line ends). On success fills *out and
 * returns true; otherwise returns false with err invalid / invalid_sdp, field "sdp", and a
 * message naming the line ("line 6 (a=rtpmap): ..."). Never reads past len. */
bool tolk_aes67_sdp_parse(const char *text, size_t len, tolk_aes67_stream *out, tolk_error *err);

/* Bytes of one packet's payload for the stream: frame_samples * channels * bytes per sample. */
size_t tolk_aes67_payload_bytes(const tolk_aes67_stream *s);

/* Takes channel (0-based) out of an RTP payload of L16/L24 big-endian interleaved samples:
 * writes up to max samples into out as signed 32-bit full scale (the sample in the top bits),
 * returns how many frames the payload held, or -1 if channel is out of range or the payload
 * is not a whole number of frames. */
int tolk_aes67_take_channel(const tolk_aes67_stream *s, int channel, const uint8_t *payload,
                            size_t len, int32_t *out, size_t max);

/* What Tolk says of a channel it sends as AES67: L24 (or L16), 48 kHz, mono, 1 ms (or another
 * packet time AES67 allows). */
typedef struct {
    const char *session_name;  /* s=; NULL or "" gives "-"; control characters become spaces */
    const char *origin_address; /* numeric address of the sending host (o=, source-filter) */
    uint64_t session_id;       /* o= session id and version: keep the id, raise the version */
    uint64_t session_version;
    const char *address;       /* numeric unicast or multicast destination */
    int port;                  /* 1..65535 */
    int ttl;                   /* IPv4 multicast: 1..255 (0 gives the AES67 default 32) */
    int payload_type;          /* dynamic 96..127 */
    tolk_aes67_encoding encoding; /* 0 gives L24 */
    int frame_samples;         /* samples a packet: 6, 12, 16, 48 or 192 (0 gives 48: 1 ms) */
    tolk_aes67_refclk refclk;  /* PTP grandmaster, or localmac; NONE is refused (AES67 needs one) */
} tolk_aes67_sdp_params;

/* Returns the malloc'd SDP (CRLF line ends), or NULL with err invalid / invalid_value naming
 * the parameter. What it writes, tolk_aes67_sdp_parse() reads back to the same values. */
char *tolk_aes67_sdp_write(const tolk_aes67_sdp_params *p, tolk_error *err);

#endif
