/* SPDX-License-Identifier: EUPL-1.2 */
#ifndef TOLK_MIX_H
#define TOLK_MIX_H

#include <gst/audio/gstaudioaggregator.h>

G_BEGIN_DECLS

#define TOLK_TYPE_MIX (tolk_mix_get_type ())
G_DECLARE_FINAL_TYPE (TolkMix, tolk_mix, TOLK, MIX, GstAudioAggregator)

GST_ELEMENT_REGISTER_DECLARE (tolkmix);

G_END_DECLS

#endif
