/* SPDX-License-Identifier: EUPL-1.2 */
/* Re-keying a stream's shared key on the operator's request: the way to shut out
 * everyone who ever held an SDP of its outputs (a deleted output, a leaked file).
 * Threads: like session.h, under the app lock. */
#include "session.h"

#include <string.h>

#define TOLK_LOG_MODULE "session"
#include "log.h"

/* Makes a key, hands it to the media, then keeps it: the session's copy (what the
 * API shows) never differs from the key that encrypts. */
static bool replace_key(uint8_t key[TOLK_KEY_LEN], bool (*apply)(tolk_media *, int, const uint8_t *),
                        tolk_media *media, int index, tolk_error *err)
{
    uint8_t fresh[TOLK_KEY_LEN];
    bool ok = tolk_key_generate(fresh) && apply(media, index, fresh);
    if (ok)
        memcpy(key, fresh, TOLK_KEY_LEN);
    else
        tolk_error_set(err, TOLK_ERROR_UNAVAILABLE, "unavailable", NULL, "no new key could be made; the old one stays");
    tolk_key_wipe(fresh, sizeof fresh);
    return ok;
}

bool tolk_session_rekey_channel(tolk_session *session, int channel, tolk_error *err)
{
    if (!replace_key(session->channel_keys[channel], tolk_media_rekey_channel, session->media, channel, err))
        return false;
    const char *name = tolk_matrix_channel_name(session->matrix, channel);
    LOG_INFO("session %s: channel %s has a new key", session->id, name);
    json_object *data = json_object_new_object();
    json_object_object_add(data, "channel", json_object_new_string(name));
    tolk_hub_publish(session->hub, "channel_rekeyed", data);
    tolk_session_changed(session);
    return true;
}

bool tolk_session_rekey_feed(tolk_session *session, int booth, int console, tolk_error *err)
{
    int slot = TOLK_SLOT(booth, console);
    if (!replace_key(session->feed_keys[slot], tolk_media_rekey_feed, session->media, slot, err))
        return false;
    char id[TOLK_CONSOLE_ID_SIZE];
    tolk_console_id(tolk_matrix_config_get(session->matrix), booth, console, id, sizeof id);
    LOG_INFO("session %s: the return feed of console %s has a new key", session->id, id);
    json_object *data = json_object_new_object();
    json_object_object_add(data, "console", json_object_new_string(id));
    tolk_hub_publish(session->hub, "feed_rekeyed", data);
    tolk_session_changed(session);
    return true;
}
