/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * One channel (the floor or a language): mixed once, protected against acoustic
 * shock once, encoded once. The encoded frames go to the channel's SRTP sender
 * (every output of the channel, one key) and to the return feed of every console
 * that hears this channel (one key per console): a listener or a return feed
 * costs encryption and sending only.
 */
#ifndef TOLK_MEDIA_CHANNEL_H
#define TOLK_MEDIA_CHANNEL_H

#include <gst/gst.h>

#include "stream.h"

typedef struct tolk_media_channel tolk_media_channel;

tolk_media_channel *tolk_media_channel_new(GstBin *pipeline, const char *name,
                                           const uint8_t key[TOLK_KEY_LEN]);
/* Call once the pipeline is stopped: its elements stay in (and die with) the pipeline. */
void tolk_media_channel_free(tolk_media_channel *channel);

/* Links an input's pad to a new mixer pad with gain 0; returns the mixer pad's name. */
gchar *tolk_media_channel_link(tolk_media_channel *channel, GstPad *input_pad);
/* Sets several mixer pads' gains in one step (rule 7): pad name -> gdouble. */
void tolk_media_channel_set_gains(tolk_media_channel *channel, const GstStructure *gains);
/* The mixer (tolkmix), a new reference: its "wait-gains-applied" tells when the
 * output carries the last gains set (media_fence.c waits on it). */
GstElement *tolk_media_channel_ref_mixer(tolk_media_channel *channel);

tolk_stream *tolk_media_channel_stream(tolk_media_channel *channel);
/* A return feed starts or stops carrying this channel. */
void tolk_media_channel_add_feed(tolk_media_channel *channel, tolk_stream *feed);
void tolk_media_channel_remove_feed(tolk_media_channel *channel, tolk_stream *feed);
/* RMS level in dBFS of what the channel carries, since the previous call. */
double tolk_media_channel_take_level(tolk_media_channel *channel);
/* Encoded frames produced since the start. */
guint64 tolk_media_channel_frames(tolk_media_channel *channel);

#endif
