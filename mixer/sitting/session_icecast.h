/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * A sitting's Icecast sources, one per channel at most (mixer/public/icecast_source.h): set
 * by the operator on a public channel, paused while the channel is not public and started
 * again when it is, kept in the sitting's record (the password too: the state file is
 * private), released when deleted or when the sitting ends.
 * Threads: like session.h, under the app lock; the sources' I/O runs on the Icecast thread.
 */
#ifndef TOLK_SESSION_ICECAST_H
#define TOLK_SESSION_ICECAST_H

#include "session.h"

/* PUT: replaces the channel's source (a new connection). A channel that is not public is
 * refused (conflict channel_not_public). */
bool tolk_session_set_icecast(tolk_session *session, int channel, const tolk_icecast_config *cfg, tolk_error *err);
/* A source of before a restart: set whether or not the channel is public (it waits paused). */
void tolk_session_restore_icecast(tolk_session *session, int channel, const tolk_icecast_config *cfg);
/* DELETE: false when the channel has none. */
bool tolk_session_remove_icecast(tolk_session *session, int channel);
/* The channel's public flag changed: its source starts or pauses. */
void tolk_session_icecast_follow(tolk_session *session, int channel);
/* Every source released (the sitting ends; before its media goes). */
void tolk_session_icecast_release_all(tolk_session *session);

#endif
