/* SPDX-License-Identifier: EUPL-1.2 */
/* SDP text describing one SRTP/Opus stream, as handed out in the API's `sdp` fields. */
#ifndef TOLK_NET_SDP_H
#define TOLK_NET_SDP_H

/* Returns a malloc'd SDP (CRLF line ends) for an RTP/SAVP Opus stream flowing to
 * address:port, or NULL if an argument is invalid:
 *   session_name  the s= line; NULL or "" gives "-"; control characters (C0, DEL, C1)
 *                 become spaces and bytes that are not UTF-8 '?': the line stays one line
 *                 and the SDP is never refused for its name
 *   address       numeric IPv4 or IPv6 address (no host names, no scope id)
 *   port          1..65535 (the RTP port; RTCP, if any, is port + 1)
 *   payload_type  dynamic payload type 96..127
 *   channels      1 (mono) or 2 (stereo), which sets stereo/sprop-stereo in a=fmtp
 *   key_b64       the 40-character base64 master key and salt (see keys.h)
 *
 * The same shape serves both directions:
 * - for an output, address:port is the listener's destination; the listener opens the
 *   SDP (ffmpeg, VLC) and receives on that port;
 * - for an input, address:port is Tolk's media address and the input's port; a sender
 *   reads it to learn where to send, with which payload type and key.
 * The SDP is declarative (no offer/answer) and written from the sending side's point of
 * view, hence a=sendonly (ffmpeg accepts sendonly and recvonly alike; sdpdemux ignores
 * it). GStreamer 1.22's sdpdemux does not decrypt SRTP at all: see README.md here. */
char *tolk_sdp_for_stream(const char *session_name, const char *address, int port,
                          int payload_type, int channels, const char *key_b64);

/* The s= text of a name: control characters (C0, DEL, C1) become spaces and bytes that are
 * not UTF-8 '?', so the line stays one line (also used by aes67_sdp.c). Malloc'd; NULL when
 * memory is out. */
char *tolk_sdp_session_name_text(const char *name);

#endif
