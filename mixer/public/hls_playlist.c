/* SPDX-License-Identifier: EUPL-1.2 */
/* The media playlist's text, and the names of a channel's files. */
#include <math.h>
#include <string.h>

#include "hls_playlist.h"

void tolk_hls_playlist_init(tolk_hls_playlist *pl, unsigned target_s, unsigned listed)
{
    memset(pl, 0, sizeof *pl);
    pl->target_s = target_s;
    pl->listed = MIN(listed, TOLK_HLS_MAX_KEPT);
    /* A player that read the playlist just before a segment slid out still fetches it. */
    pl->kept = MIN(pl->listed + 4, TOLK_HLS_MAX_KEPT);
}

bool tolk_hls_playlist_add(tolk_hls_playlist *pl, const tolk_hls_segment *segment,
                           char evicted[TOLK_HLS_SEGMENT_NAME_SIZE])
{
    bool out = false;
    if (pl->count == pl->kept) {
        g_strlcpy(evicted, pl->segments[0].name, TOLK_HLS_SEGMENT_NAME_SIZE);
        pl->discontinuities_gone += pl->segments[0].discontinuity;
        memmove(&pl->segments[0], &pl->segments[1], (pl->count - 1) * sizeof pl->segments[0]);
        pl->count--;
        out = true;
    }
    pl->segments[pl->count++] = *segment;
    return out;
}

/* RFC 8216 4.3.3.1: at least every EXTINF rounded to the nearest integer. */
static unsigned target_duration(const tolk_hls_playlist *pl, unsigned first)
{
    unsigned target = pl->target_s;
    for (unsigned i = first; i < pl->count; i++)
        target = MAX(target, (unsigned)lround(pl->segments[i].duration_s));
    return target;
}

static void append_date(GString *text, gint64 wall_us)
{
    GDateTime *t = g_date_time_new_from_unix_utc(wall_us / G_USEC_PER_SEC);
    gchar *day = g_date_time_format(t, "%Y-%m-%dT%H:%M:%S");
    g_string_append_printf(text, "#EXT-X-PROGRAM-DATE-TIME:%s.%03dZ\n", day, (int)(wall_us % G_USEC_PER_SEC / 1000));
    g_free(day);
    g_date_time_unref(t);
}

char *tolk_hls_playlist_render(const tolk_hls_playlist *pl)
{
    unsigned first = pl->count > pl->listed ? pl->count - pl->listed : 0;
    uint64_t gone = pl->discontinuities_gone;
    for (unsigned i = 0; i < first; i++)
        gone += pl->segments[i].discontinuity;
    GString *text = g_string_new("#EXTM3U\n#EXT-X-VERSION:3\n");
    g_string_append_printf(text, "#EXT-X-TARGETDURATION:%u\n", target_duration(pl, first));
    g_string_append_printf(text, "#EXT-X-MEDIA-SEQUENCE:%" G_GUINT64_FORMAT "\n",
                           first < pl->count ? pl->segments[first].sequence : 0);
    if (gone)
        g_string_append_printf(text, "#EXT-X-DISCONTINUITY-SEQUENCE:%" G_GUINT64_FORMAT "\n", gone);
    for (unsigned i = first; i < pl->count; i++) {
        const tolk_hls_segment *s = &pl->segments[i];
        if (s->discontinuity && i > first)
            g_string_append(text, "#EXT-X-DISCONTINUITY\n");
        append_date(text, s->start_wall_us);
        g_string_append_printf(text, "#EXTINF:%.3f,\n%s\n", s->duration_s, s->name);
    }
    if (pl->ended)
        g_string_append(text, "#EXT-X-ENDLIST\n");
    return g_string_free(text, FALSE);
}

void tolk_hls_segment_name(char out[TOLK_HLS_SEGMENT_NAME_SIZE], int64_t run, uint64_t sequence)
{
    g_snprintf(out, TOLK_HLS_SEGMENT_NAME_SIZE, "s%" G_GINT64_FORMAT "-%06" G_GUINT64_FORMAT ".ts", run, sequence);
}

/* 1 to max ASCII digits from *p on; moves p past them. */
static bool digits(const char **p, unsigned max)
{
    unsigned n = 0;
    while (**p >= '0' && **p <= '9' && n <= max) {
        (*p)++;
        n++;
    }
    return n >= 1 && n <= max;
}

bool tolk_hls_name_is_playlist(const char *name)
{
    return name && strcmp(name, TOLK_HLS_PLAYLIST_NAME) == 0;
}

bool tolk_hls_name_valid(const char *name)
{
    if (!name)
        return false;
    if (tolk_hls_name_is_playlist(name))
        return true;
    const char *p = name;
    if (*p++ != 's' || !digits(&p, 12) || *p++ != '-' || !digits(&p, 12))
        return false;
    return strcmp(p, ".ts") == 0;
}
