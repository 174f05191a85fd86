/* SPDX-License-Identifier: EUPL-1.2 */
#ifndef TOLK_JITTER_H
#define TOLK_JITTER_H

#include <gst/base/gstaggregator.h>

G_BEGIN_DECLS

#define TOLK_TYPE_JITTER (tolk_jitter_get_type ())
G_DECLARE_FINAL_TYPE (TolkJitter, tolk_jitter, TOLK, JITTER, GstAggregator)

GST_ELEMENT_REGISTER_DECLARE (tolkjitter);

G_END_DECLS

#endif
