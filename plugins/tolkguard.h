/* SPDX-License-Identifier: EUPL-1.2 */
#ifndef TOLK_GUARD_H
#define TOLK_GUARD_H

#include <gst/audio/gstaudiofilter.h>

G_BEGIN_DECLS

#define TOLK_TYPE_GUARD (tolk_guard_get_type ())
G_DECLARE_FINAL_TYPE (TolkGuard, tolk_guard, TOLK, GUARD, GstAudioFilter)

#define TOLK_GUARD_WARNING_NAME "tolk-loudness-warning"

GST_ELEMENT_REGISTER_DECLARE (tolkguard);

G_END_DECLS

#endif
