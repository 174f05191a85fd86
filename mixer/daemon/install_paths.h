/* SPDX-License-Identifier: EUPL-1.2 */
/* Where the daemon finds its installed files. Meson compiles in the installed paths
 * (prefix, datadir, sysconfdir); a tree installed under DESTDIR (a staging folder, a
 * package build) finds its own files below that folder, and the binary run from the
 * build tree uses the source tree's pages and reads no default configuration file.
 * Thread contract: main thread, at start (the answers are computed once and kept). */
#ifndef TOLK_INSTALL_PATHS_H
#define TOLK_INSTALL_PATHS_H

/* The browser pages: DATADIR/tolk/web, or the source tree's web/. */
const char *tolk_default_web_dir(void);

/* LOCALSTATEDIR/lib/tolk, or NULL when run from the build tree: tests and trials there
 * name their own (--state-dir), so that none restores another's sittings. */
const char *tolk_default_state_dir(void);

/* SYSCONFDIR/tolk/tolk.conf, or NULL when run from the build tree. */
const char *tolk_default_config_file(void);

#endif
