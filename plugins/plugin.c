/* SPDX-License-Identifier: EUPL-1.2 */
/* Entry point of the loadable plugin libgsttolk.so; the elements themselves
 * live in tolk_plugin_lib so the daemon can also register them statically. */
#include "tolk-plugin.h"

/* GST_PLUGIN_DEFINE names the source module through PACKAGE. */
#define PACKAGE "tolk"

/* GST_PADDING_INIT leaves the padding to zero-initialisation on purpose. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, tolk,
    TOLK_PLUGIN_DESCRIPTION, tolk_plugin_init, TOLK_VERSION,
    TOLK_PLUGIN_LICENSE, "tolk", TOLK_PLUGIN_ORIGIN)
