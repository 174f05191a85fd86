/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Ogg pages (RFC 3533): packets gathered into a page, its lacing, header and CRC32 (the Ogg
 * polynomial 0x04c11db7, unreflected, table-driven: a dozen lines, not worth libogg as a
 * dependency for framing alone). A page never splits a packet: a Tolk packet is far smaller
 * than a page.
 * Threads: a plain value, used by one thread at a time.
 */
#ifndef TOLK_RECORD_OGG_PAGE_H
#define TOLK_RECORD_OGG_PAGE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define TOLK_OGG_FLAG_CONTINUED 0x01
#define TOLK_OGG_FLAG_BOS 0x02
#define TOLK_OGG_FLAG_EOS 0x04
#define TOLK_OGG_MAX_SEGMENTS 255
#define TOLK_OGG_MAX_PAGE_PACKET (254 * 255) /* what one page can hold of a single packet */

typedef struct {
    uint32_t serial;
    uint32_t sequence; /* of the next page */
    int packets;       /* in the page being gathered */
    int segments;
    uint8_t lacing[TOLK_OGG_MAX_SEGMENTS];
    GByteArray *body;
} tolk_ogg_page;

void tolk_ogg_page_init(tolk_ogg_page *page, uint32_t serial);
void tolk_ogg_page_clear(tolk_ogg_page *page);
/* Whether a packet of size bytes still fits in the page being gathered. */
bool tolk_ogg_page_fits(const tolk_ogg_page *page, gsize size);
/* Adds a packet (it must fit). */
void tolk_ogg_page_add(tolk_ogg_page *page, const guint8 *data, gsize size);
/* Appends the gathered page, header and CRC, to out, with the flags and granule position
 * given; the page is then empty again and the sequence number moves on (also if the caller
 * fails to write it: a gap in sequence numbers tells a reader a page was lost). A page may be
 * empty (an end-of-stream page with nothing after the last one). */
void tolk_ogg_page_finish(tolk_ogg_page *page, uint8_t flags, uint64_t granule, GByteArray *out);

uint32_t tolk_ogg_crc(uint32_t crc, const guint8 *data, gsize size);

#endif
