/* SPDX-License-Identifier: EUPL-1.2 */
/* Re-keying on the operator's request: a stream's shared key, the way to shut out
 * everyone who ever held an SDP of its outputs (a deleted output, a leaked file), and
 * an input's key, the answer to a sender that restarts with its SSRC (its replays
 * are refused under the old key).
 * Threads: like session.h, under the app lock. */
#include "session.h"

#include <string.h>

#define TOLK_LOG_MODULE "session"
#include "log.h"

typedef bool (*apply_key_fn)(tolk_media *media, int index, const uint8_t key[TOLK_KEY_LEN]);

typedef enum { KEY_REPLACED, KEY_NOT_MADE, KEY_REFUSED } key_outcome;

/* Makes a key, hands it to the media, then keeps it: the session's copy (what the
 * API shows) never differs from the key that encrypts. */
static key_outcome replace_key(uint8_t key[TOLK_KEY_LEN], apply_key_fn apply, tolk_media *media, int index)
{
    uint8_t fresh[TOLK_KEY_LEN];
    if (!tolk_key_generate(fresh))
        return KEY_NOT_MADE;
    bool applied = apply(media, index, fresh);
    if (applied)
        memcpy(key, fresh, TOLK_KEY_LEN);
    tolk_key_wipe(fresh, sizeof fresh);
    return applied ? KEY_REPLACED : KEY_REFUSED;
}

static bool no_new_key(tolk_error *err)
{
    tolk_error_set(err, TOLK_ERROR_UNAVAILABLE, "unavailable", NULL, "no new key could be made; the old one stays");
    return false;
}

/* Tells the pages and clients which stream (or input) has a new key. */
static void publish_rekeyed(tolk_session *session, const char *event, const char *field, const char *id)
{
    json_object *data = json_object_new_object();
    json_object_object_add(data, field, json_object_new_string(id));
    tolk_hub_publish(session->hub, event, data);
}

bool tolk_session_rekey_input(tolk_session *session, int slot, tolk_error *err)
{
    tolk_session_input *input = slot < 0 ? &session->floor : &session->consoles[slot];
    key_outcome outcome = replace_key(input->key, tolk_media_rekey_input, session->media, slot);
    if (outcome == KEY_NOT_MADE)
        return no_new_key(err);
    if (outcome == KEY_REFUSED) {
        tolk_error_set(err, TOLK_ERROR_CONFLICT, "input_not_keyed", NULL,
                       "the input has no key to replace (the demo floor plays a file)");
        return false;
    }
    char id[TOLK_CONSOLE_ID_SIZE];
    tolk_input_id(tolk_matrix_config_get(session->matrix), slot, id, sizeof id);
    LOG_INFO_AT(TOLK_WHERE(.sitting = session->id, .console = id), "the input has a new key");
    publish_rekeyed(session, "input_rekeyed", "input", id);
    return true;
}

bool tolk_session_rekey_channel(tolk_session *session, int channel, tolk_error *err)
{
    if (replace_key(session->channel_keys[channel], tolk_media_rekey_channel, session->media, channel) != KEY_REPLACED)
        return no_new_key(err);
    const char *name = tolk_matrix_channel_name(session->matrix, channel);
    LOG_INFO_AT(TOLK_WHERE(.sitting = session->id, .channel = name), "the outputs have a new key");
    publish_rekeyed(session, "channel_rekeyed", "channel", name);
    tolk_session_changed(session);
    return true;
}

bool tolk_session_rekey_feed(tolk_session *session, int booth, int console, tolk_error *err)
{
    int slot = TOLK_SLOT(booth, console);
    if (replace_key(session->feed_keys[slot], tolk_media_rekey_feed, session->media, slot) != KEY_REPLACED)
        return no_new_key(err);
    char id[TOLK_CONSOLE_ID_SIZE];
    tolk_console_id(tolk_matrix_config_get(session->matrix), booth, console, id, sizeof id);
    LOG_INFO_AT(TOLK_WHERE(.sitting = session->id, .console = id), "the return feed has a new key");
    publish_rekeyed(session, "feed_rekeyed", "console", id);
    tolk_session_changed(session);
    return true;
}
