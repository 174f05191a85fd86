/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * A sitting's HLS channels (docs/hls.md): per channel, what the operator configured
 * and the running HLS of it while the channel is public. Making the channel non-public
 * pauses it (the playlist ends), making it public again resumes it. The folder is
 * HLS_DIR/SID/CH; GET /hls/... serves only the names of its files, and only while the
 * channel runs HLS.
 *
 * Threads: as session.h, under the app lock; what stops (a pipeline, its thread) is
 * handed to the teardown through tolk_session_collect, never waited for under the lock.
 */
#ifndef TOLK_SESSION_HLS_H
#define TOLK_SESSION_HLS_H

#include "hls_channel.h"
#include "teardown.h"

struct tolk_session;

/* One channel's HLS in a sitting (in tolk_session). */
typedef struct {
    bool configured;
    tolk_hls_config cfg;
    tolk_hls *running;     /* NULL while paused */
    gint64 paused_us;      /* g_get_real_time() when it paused */
    uint64_t segments, restarts; /* of the runs before this one */
    uint64_t fetches;      /* GET /hls/... of its files */
} tolk_session_hls;

/* What the views show. */
typedef struct {
    bool paused;
    tolk_hls_status status; /* segments and restarts summed over the runs; state as it runs */
    uint64_t fetches;
} tolk_session_hls_view;

/* A new or changed configuration (the same one changes nothing). False with *err:
 * conflict channel_not_public when the channel is not public, unavailable (hls_unavailable)
 * when the daemon has no HLS folder. A folder that cannot be made shows as failing. */
bool tolk_session_hls_start(struct tolk_session *session, int channel, const tolk_hls_config *cfg,
                            tolk_error *err);
/* A configuration of before a restart: kept, and run when the channel is public. */
void tolk_session_hls_restore(struct tolk_session *session, int channel, const tolk_hls_config *cfg);
/* Ends the channel's HLS (the playlist ends, its files stay). False when it had none. */
bool tolk_session_hls_stop(struct tolk_session *session, int channel);
/* After the channel's public flag changed: pause or resume. */
void tolk_session_hls_public_changed(struct tolk_session *session, int channel);
/* False when the channel has no HLS configured. */
bool tolk_session_hls_view_of(struct tolk_session *session, int channel, tolk_session_hls_view *out);
/* The file to serve for GET /hls/SID/CH/NAME, counted as a fetch, or NULL (g_free it)
 * when the channel is not public, runs no HLS, or the name is not one of its files'. */
char *tolk_session_hls_file(struct tolk_session *session, int channel, const char *name);
/* A channel's folder (g_free it). */
char *tolk_session_hls_dir(struct tolk_session *session, int channel);
/* For session.c: at the start (hls_dir: --hls-dir), what stopped goes to the teardown, at
 * the end every channel's HLS stops. */
void tolk_session_hls_init(struct tolk_session *session, const char *hls_dir);
void tolk_session_hls_collect(struct tolk_session *session, tolk_teardown *teardown);
void tolk_session_hls_free_all(struct tolk_session *session);

#endif
