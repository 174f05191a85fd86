/* SPDX-License-Identifier: EUPL-1.2 */
#include "ogg_page.h"

#include <string.h>

#define HEADER_SIZE 27

static uint32_t crc_table[256];

static void crc_table_fill(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t r = i << 24;
        for (int b = 0; b < 8; b++)
            r = (r & 0x80000000u) ? (r << 1) ^ 0x04c11db7u : r << 1;
        crc_table[i] = r;
    }
}

uint32_t tolk_ogg_crc(uint32_t crc, const guint8 *data, gsize size)
{
    static gsize filled;
    if (g_once_init_enter(&filled)) {
        crc_table_fill();
        g_once_init_leave(&filled, 1);
    }
    for (gsize i = 0; i < size; i++)
        crc = (crc << 8) ^ crc_table[((crc >> 24) ^ data[i]) & 0xff];
    return crc;
}

void tolk_ogg_page_init(tolk_ogg_page *page, uint32_t serial)
{
    memset(page, 0, sizeof *page);
    page->serial = serial;
    page->body = g_byte_array_new();
}

void tolk_ogg_page_clear(tolk_ogg_page *page)
{
    if (page->body)
        g_byte_array_unref(page->body);
    page->body = NULL;
}

static int segments_of(gsize size)
{
    return (int)(size / 255) + 1; /* a last lacing value < 255 ends the packet, 0 if need be */
}

bool tolk_ogg_page_fits(const tolk_ogg_page *page, gsize size)
{
    return size <= TOLK_OGG_MAX_PAGE_PACKET && page->segments + segments_of(size) <= TOLK_OGG_MAX_SEGMENTS;
}

void tolk_ogg_page_add(tolk_ogg_page *page, const guint8 *data, gsize size)
{
    g_return_if_fail(tolk_ogg_page_fits(page, size));
    for (gsize left = size; ; left -= 255) {
        page->lacing[page->segments++] = (uint8_t)(left < 255 ? left : 255);
        if (left < 255)
            break;
    }
    g_byte_array_append(page->body, data, (guint)size);
    page->packets++;
}

static void put_le(guint8 *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (guint8)(v >> (8 * i));
}

void tolk_ogg_page_finish(tolk_ogg_page *page, uint8_t flags, uint64_t granule, GByteArray *out)
{
    guint8 head[HEADER_SIZE + TOLK_OGG_MAX_SEGMENTS];
    memcpy(head, "OggS", 4);
    head[4] = 0; /* version */
    head[5] = flags;
    put_le(head + 6, granule, 8);
    put_le(head + 14, page->serial, 4);
    put_le(head + 18, page->sequence, 4);
    put_le(head + 22, 0, 4); /* the CRC is computed with its own field zero */
    head[26] = (guint8)page->segments;
    memcpy(head + HEADER_SIZE, page->lacing, (size_t)page->segments);
    gsize head_len = HEADER_SIZE + (gsize)page->segments;
    uint32_t crc = tolk_ogg_crc(0, head, head_len);
    crc = tolk_ogg_crc(crc, page->body->data, page->body->len);
    put_le(head + 22, crc, 4);
    g_byte_array_append(out, head, (guint)head_len);
    g_byte_array_append(out, page->body->data, page->body->len);
    g_byte_array_set_size(page->body, 0);
    page->packets = 0;
    page->segments = 0;
    page->sequence++;
}
