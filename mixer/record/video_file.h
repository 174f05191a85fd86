/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The duration of a floor video file (video_recording.h) as a player would play it, read from
 * the file's own structure, never decoded: a WebM's Duration (written when the file was
 * finished), or, for a file a crash cut, the time of the last whole block of its last cluster;
 * a fragmented MP4's last complete fragment (its decode time and the durations of its
 * samples), or the movie header's duration for an MP4 that is not fragmented.
 *
 * Threads: any; blocking reads (pread), so never a media thread nor under the app lock.
 */
#ifndef TOLK_RECORD_VIDEO_FILE_H
#define TOLK_RECORD_VIDEO_FILE_H

#include <glib.h>
#include <stdbool.h>

/* Seconds of picture in an open file of size bytes; 0 when it holds none or is not one. */
double tolk_video_file_duration(int fd, guint64 size, bool mp4);

#endif
