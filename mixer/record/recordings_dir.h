/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The recordings folder as the API reads it: RECDIR/SITTING/CHANNEL/2026-12-02T10-00-00Z.opus
 * (a suffix -N for a second segment within the same second), and the floor video's
 * RECDIR/SITTING/video/2026-12-02T10-00-00Z.webm (or .mp4). Names are checked segment by
 * segment (a sitting id, a channel name, a segment name) and every step is opened with
 * O_NOFOLLOW relative to the one before, so no path the client sends reaches the file
 * system and no symbolic link in the folder is followed. A segment's duration comes from the
 * granule position of its last whole Ogg page (what a player plays of a file a crash cut).
 *
 * Threads: any thread; these functions do blocking I/O, so never a media thread, and never
 * under the app lock (the API runs them in its handlers' outside step).
 */
#ifndef TOLK_RECORD_RECORDINGS_DIR_H
#define TOLK_RECORD_RECORDINGS_DIR_H

#include <glib.h>
#include <stdbool.h>

#define TOLK_RECORDING_NAME_SIZE 40 /* "2026-12-02T10-00-00Z-99.opus" and NUL, with room */

/* What a segment holds, by its name's extension. */
typedef enum { TOLK_RECORDING_AUDIO, TOLK_RECORDING_WEBM, TOLK_RECORDING_MP4 } tolk_recording_kind;

/* The segment name of a start time (UTC) and a suffix (0: none): "2026-12-02T10-00-00Z.opus". */
void tolk_recording_name(gint64 start_unix_us, int suffix, char out[TOLK_RECORDING_NAME_SIZE]);
/* The same with the extension of kind: "….webm", "….mp4". */
void tolk_recording_kind_name(tolk_recording_kind kind, gint64 start_unix_us, int suffix,
                              char out[TOLK_RECORDING_NAME_SIZE]);
/* Whether name is one tolk_recording_name makes (of any kind); *start_unix_s (may be NULL)
 * its start. */
bool tolk_recording_name_parse(const char *name, gint64 *start_unix_s);
/* The kind of a name tolk_recording_name_parse takes. */
tolk_recording_kind tolk_recording_kind_of(const char *name);
/* "audio/ogg", "video/webm", "video/mp4"; and "audio" or "video" for the listing. */
const char *tolk_recording_mime_type(tolk_recording_kind kind);
const char *tolk_recording_kind_word(tolk_recording_kind kind);

/* A new segment file DIR/SITTING/FOLDER/<name of now_us> (folders made 0750, the file 0640,
 * never one that exists: a suffix is added), open for writing; its name in name, its path in
 * *path (to g_free). -1 with errno when it cannot be made. */
int tolk_recording_create(const char *dir, const char *sitting, const char *folder, tolk_recording_kind kind,
                          gint64 now_us, char name[TOLK_RECORDING_NAME_SIZE], char **path);
/* A sitting id or channel name as a folder: [a-z0-9][a-z0-9-]{0,31}. */
bool tolk_recording_segment_valid(const char *segment);

/* One file of the folder. */
typedef struct {
    const char *sitting;
    const char *channel;
    const char *name;
    tolk_recording_kind kind;
    gint64 start_unix_s;
    double duration_s;
    guint64 bytes;
} tolk_recording_entry;

typedef void (*tolk_recording_fn)(const tolk_recording_entry *entry, void *ctx);
/* Calls fn for every segment in dir (of one sitting when sitting is not NULL), in name order
 * per channel; anything else in the folder (other files, links) is passed over. */
void tolk_recordings_scan(const char *dir, const char *sitting, tolk_recording_fn fn, void *ctx);
/* The segment opened for reading (a regular file, no link on the way), its size in *bytes;
 * -1 when the names are not valid or there is no such file. */
int tolk_recordings_open(const char *dir, const char *sitting, const char *channel, const char *name,
                         guint64 *bytes);
/* Seconds of audio in an open Ogg/Opus file: the last whole page's granule less the pre-skip. */
double tolk_ogg_file_duration(int fd, guint64 size);

#endif
