/* SPDX-License-Identifier: EUPL-1.2 */
#ifndef TOLK_PLUGIN_H
#define TOLK_PLUGIN_H

#include <gst/gst.h>

G_BEGIN_DECLS

/* Registers the elements of the "tolk" plugin (tolkmix, tolkguard) with the
 * default registry, for programs that link the plugin statically. Safe to call
 * more than once; call after gst_init(). */
gboolean tolk_plugin_register_static (void);

/* The plugin's init function, shared by the static and the loadable plugin. */
gboolean tolk_plugin_init (GstPlugin * plugin);

#define TOLK_PLUGIN_NAME "tolk"
#define TOLK_PLUGIN_DESCRIPTION \
  "Tolk mixer and hearing protection for simultaneous interpretation"
/* GStreamer only accepts a fixed list of licence strings (LGPL, GPL, MIT/X11,
 * BSD, ...); EUPL-1.2 is not among them, so the plugin declares "unknown".
 * The code is EUPL-1.2 (see the SPDX lines). */
#define TOLK_PLUGIN_LICENSE "unknown"
#define TOLK_PLUGIN_ORIGIN "Tolk"

G_END_DECLS

#endif
