/* SPDX-License-Identifier: EUPL-1.2 */
#include "tolk-plugin.h"
#include "tolkguard.h"
#include "tolkjitter.h"
#include "tolkmix.h"

gboolean
tolk_plugin_init (GstPlugin * plugin)
{
  /* All or nothing: a plugin missing an element is a broken install. */
  return GST_ELEMENT_REGISTER (tolkmix, plugin)
      && GST_ELEMENT_REGISTER (tolkguard, plugin)
      && GST_ELEMENT_REGISTER (tolkjitter, plugin);
}

static gpointer
register_once (gpointer unused)
{
  (void) unused;
  return GINT_TO_POINTER (gst_plugin_register_static (GST_VERSION_MAJOR,
          GST_VERSION_MINOR, TOLK_PLUGIN_NAME, TOLK_PLUGIN_DESCRIPTION,
          tolk_plugin_init, TOLK_VERSION, TOLK_PLUGIN_LICENSE, "tolk",
          "tolk", TOLK_PLUGIN_ORIGIN));
}

gboolean
tolk_plugin_register_static (void)
{
  static GOnce once = G_ONCE_INIT;

  return GPOINTER_TO_INT (g_once (&once, register_once, NULL));
}
