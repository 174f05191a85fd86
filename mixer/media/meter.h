/* SPDX-License-Identifier: EUPL-1.2 */
/* A level meter on a pad of F32 audio: the RMS since the last reading, for the
 * level events of the operator and console pages. A pad probe adds each
 * buffer's energy; nothing else runs on the media thread. */
#ifndef TOLK_METER_H
#define TOLK_METER_H

#include <gst/gst.h>

typedef struct tolk_meter tolk_meter;

tolk_meter *tolk_meter_new(GstPad *pad);
void tolk_meter_free(tolk_meter *meter);
/* RMS in dBFS since the previous call; -100 when nothing (or only silence) passed. */
double tolk_meter_take_dbfs(tolk_meter *meter);

#endif
