/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * What a critical section leaves to do once the app lock is released: the rule
 * is that the lock guards short state changes only. Under the lock, a change
 * detaches what goes (a session out of the registry, a peer out of its
 * session) and takes a fence on a route change; after the unlock, the
 * teardown stops those pipelines and waits for the fence, so that an answer
 * still comes after the audio carries the change.
 *
 * Threads: filled under the app lock (tolk_app_unlock collects it), run by the
 * thread that unlocked, without any lock. Whatever it holds is reachable from
 * nowhere else.
 */
#ifndef TOLK_TEARDOWN_H
#define TOLK_TEARDOWN_H

#include <glib.h>
#include <stdbool.h>

#include "media_fence.h"

struct tolk_session;

typedef struct tolk_teardown tolk_teardown;

tolk_teardown *tolk_teardown_new(void);
/* Takes the fence; NULL is ignored. */
void tolk_teardown_add_fence(tolk_teardown *teardown, tolk_media_fence *fence);
/* Takes the array of detached peers (its free function closes them); NULL is ignored. */
void tolk_teardown_add_peers(tolk_teardown *teardown, GPtrArray *peers);
/* Takes an array whose free function stops what it holds (AES67 receivers swapped out of the
 * media); NULL is ignored. */
void tolk_teardown_add_array(tolk_teardown *teardown, GPtrArray *array);
/* Takes a session that is no longer in the registry. */
void tolk_teardown_add_session(tolk_teardown *teardown, struct tolk_session *session);
/* Closes the peers, frees the sessions, then waits for the fences; frees the
 * teardown. False when a fence timed out (logged). NULL is a no-op. */
bool tolk_teardown_run(tolk_teardown *teardown);

#endif
