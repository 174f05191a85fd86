/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * What the operator configures for a channel's HLS (PUT .../channels/{ch}/hls, docs/hls.md):
 * a plain value, libc only, with its bounds spelled once, so that the request parser checks
 * it, the state record restores it and the HLS module runs it without either knowing the
 * others.
 */
#ifndef TOLK_RULES_HLS_SPEC_H
#define TOLK_RULES_HLS_SPEC_H

#define TOLK_HLS_SEGMENT_MIN 1
#define TOLK_HLS_SEGMENT_MAX 10
#define TOLK_HLS_SEGMENT_DEFAULT 2
#define TOLK_HLS_LISTED_MIN 3
#define TOLK_HLS_LISTED_MAX 30
#define TOLK_HLS_LISTED_DEFAULT 6
#define TOLK_HLS_BITRATE_MIN 32000
#define TOLK_HLS_BITRATE_MAX 256000
#define TOLK_HLS_BITRATE_DEFAULT 96000

typedef struct {
    unsigned segment_seconds;   /* target length of a segment */
    unsigned playlist_segments; /* segments the playlist lists */
    unsigned bitrate;           /* AAC, bits per second */
} tolk_hls_spec;

#endif
