/* SPDX-License-Identifier: EUPL-1.2 */
/* Real clients receive a tolk_srtp_sender stream: a 1 kHz sine, Opus-encoded here, is
 * decoded by ffmpeg (from the SDP of sdp.c) and by gst-launch-1.0 (udpsrc + srtpdec), and
 * the decoded audio must carry its energy at 1 kHz. Skipped if a tool is missing. */
#include "keys.h"
#include "net_test_util.h"
#include "sdp.h"
#include "srtp_sender.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <opus.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define RATE 48000
#define FRAME_SAMPLES 960
#define FRAME_NS 20000000ull
#define PT 111
#define CLIENT_DEADLINE_US (6 * G_USEC_PER_SEC)

typedef struct {
    OpusEncoder *encoder;
    uint64_t frame_index;
} sine_source;

static void sine_source_init(sine_source *s)
{
    int err = 0;
    s->encoder = opus_encoder_create(RATE, 1, OPUS_APPLICATION_AUDIO, &err);
    g_assert_cmpint(err, ==, OPUS_OK);
    opus_encoder_ctl(s->encoder, OPUS_SET_BITRATE(64000));
    s->frame_index = 0;
}

/* Encodes the next 20 ms of a 1 kHz sine at half scale; returns the Opus packet length. */
static size_t sine_source_next(sine_source *s, uint8_t *out, size_t cap)
{
    float pcm[FRAME_SAMPLES];
    for (int i = 0; i < FRAME_SAMPLES; i++) {
        double t = (double)(s->frame_index * FRAME_SAMPLES + (uint64_t)i) / RATE;
        pcm[i] = (float)(0.5 * sin(2.0 * M_PI * 1000.0 * t));
    }
    opus_int32 n = opus_encode_float(s->encoder, pcm, FRAME_SAMPLES, out, (opus_int32)cap);
    g_assert_cmpint(n, >, 0);
    s->frame_index++;
    return (size_t)n;
}

/* Goertzel: power of one frequency in x, normalised by length. */
static double tone_power(const float *x, size_t n, double freq)
{
    double coeff = 2.0 * cos(2.0 * M_PI * freq / RATE);
    double s1 = 0, s2 = 0;
    for (size_t i = 0; i < n; i++) {
        double s = x[i] + coeff * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    return (s1 * s1 + s2 * s2 - coeff * s1 * s2) / (double)n;
}

static void assert_energy_at_1khz(const GByteArray *raw)
{
    size_t n = raw->len / sizeof(float);
    g_test_message("client delivered %zu samples", n);
    g_assert_cmpuint(n, >=, RATE * 8 / 10);
    /* Skip the first 100 ms: decoder start-up and possibly a lost first packet. */
    const float *x = (const float *)raw->data + RATE / 10;
    size_t m = n - RATE / 10;
    double rms = 0;
    for (size_t i = 0; i < m; i++)
        rms += (double)x[i] * x[i];
    rms = sqrt(rms / (double)m);
    double at_1k = tone_power(x, m, 1000);
    g_test_message("rms %.3f, power at 1 kHz %.3g", rms, at_1k);
    g_assert_cmpfloat(rms, >, 0.2);
    const double others[] = {300, 500, 700, 1500, 2000, 3000, 5000};
    for (size_t i = 0; i < G_N_ELEMENTS(others); i++)
        g_assert_cmpfloat(at_1k, >, 1000.0 * tone_power(x, m, others[i]));
}

/* Feeds the sender in real time while collecting the client's stdout, until the client
 * exits or the deadline passes. */
static GByteArray *run_client(char **argv, tolk_srtp_sender *sender)
{
    GPid pid;
    int out_fd = -1;
    GError *error = NULL;
    gboolean spawned = g_spawn_async_with_pipes(NULL, argv, NULL,
                                                G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                                                NULL, NULL, &pid, NULL, &out_fd, NULL, &error);
    g_assert_no_error(error);
    g_assert_true(spawned);
    GByteArray *raw = g_byte_array_new();
    sine_source src;
    sine_source_init(&src);
    gint64 start = g_get_monotonic_time();
    gint64 next_frame = start;
    bool eof = false;
    while (!eof && g_get_monotonic_time() - start < CLIENT_DEADLINE_US) {
        gint64 now = g_get_monotonic_time();
        if (now >= next_frame) {
            uint8_t packet[1275];
            size_t len = sine_source_next(&src, packet, sizeof packet);
            tolk_srtp_sender_send_opus(sender, packet, len, src.frame_index * FRAME_NS, false);
            next_frame += FRAME_NS / 1000;
            continue;
        }
        struct pollfd p = {.fd = out_fd, .events = POLLIN};
        if (poll(&p, 1, (int)((next_frame - now) / 1000) + 1) == 1) {
            uint8_t buf[65536];
            ssize_t n = read(out_fd, buf, sizeof buf);
            if (n <= 0)
                eof = true;
            else
                g_byte_array_append(raw, buf, (guint)n);
        }
    }
    if (!eof)
        kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    g_spawn_close_pid(pid);
    close(out_fd);
    opus_encoder_destroy(src.encoder);
    g_assert_true(eof);
    return raw;
}

typedef struct {
    uint8_t key[TOLK_KEY_LEN];
    char key_b64[TOLK_KEY_B64_LEN + 1];
    tolk_srtp_sender *sender;
    int port;
} stream_fixture;

static void stream_set_up(stream_fixture *f)
{
    g_assert_true(tolk_key_generate(f->key));
    tolk_key_to_base64(f->key, f->key_b64);
    f->sender = tolk_srtp_sender_new(f->key, PT);
    f->port = net_test_free_udp_port();
    g_assert_cmpint(f->port, >, 0);
    g_assert_cmpint(tolk_srtp_sender_add_destination(f->sender, "127.0.0.1", f->port), >=, 0);
}

static void stream_tear_down(stream_fixture *f)
{
    tolk_srtp_sender_free(f->sender);
    tolk_key_wipe(f->key, sizeof f->key);
    tolk_key_wipe(f->key_b64, sizeof f->key_b64);
}

static bool program_exists(const char *name)
{
    char *path = g_find_program_in_path(name);
    bool found = path != NULL;
    g_free(path);
    return found;
}

static void test_ffmpeg_decodes_from_sdp(void)
{
    if (!program_exists("ffmpeg")) {
        g_test_skip("ffmpeg not installed");
        return;
    }
    stream_fixture f;
    stream_set_up(&f);
    char *sdp = tolk_sdp_for_stream("tolk e2e", "127.0.0.1", f.port, PT, 1, f.key_b64);
    char *sdp_path = NULL;
    int sdp_fd = g_file_open_tmp("tolk-net-XXXXXX.sdp", &sdp_path, NULL);
    g_assert_cmpint(sdp_fd, >=, 0);
    g_assert_cmpint(write(sdp_fd, sdp, strlen(sdp)), ==, (ssize_t)strlen(sdp));
    close(sdp_fd);
    char *argv[] = {"ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error",
                    "-protocol_whitelist", "file,udp,rtp,srtp,crypto", "-i", sdp_path,
                    "-t", "1", "-ac", "1", "-f", "f32le", "-", NULL};
    GByteArray *raw = run_client(argv, f.sender);
    assert_energy_at_1khz(raw);
    g_byte_array_unref(raw);
    g_unlink(sdp_path);
    g_free(sdp_path);
    free(sdp);
    stream_tear_down(&f);
}

/* sdpdemux (1.22) ignores a=crypto, so GStreamer gets the key and the SSRC in udpsrc caps
 * for srtpdec, which matches keys to SSRCs. */
static char *srtp_caps(const stream_fixture *f)
{
    GString *caps = g_string_new(NULL);
    g_string_append_printf(caps,
                           "application/x-srtp,media=audio,payload=%d,clock-rate=48000,"
                           "encoding-name=OPUS,ssrc=(uint)%u,srtp-key=(buffer)",
                           PT, tolk_srtp_sender_ssrc(f->sender));
    for (int i = 0; i < TOLK_KEY_LEN; i++)
        g_string_append_printf(caps, "%02x", f->key[i]);
    g_string_append(caps, ",srtp-cipher=aes-128-icm,srtp-auth=hmac-sha1-80,"
                          "srtcp-cipher=aes-128-icm,srtcp-auth=hmac-sha1-80");
    return g_string_free(caps, FALSE);
}

static void test_gstreamer_decodes_with_srtpdec(void)
{
    if (!program_exists("gst-launch-1.0")) {
        g_test_skip("gst-launch-1.0 not installed");
        return;
    }
    stream_fixture f;
    stream_set_up(&f);
    char *port = g_strdup_printf("port=%d", f.port);
    char *caps = srtp_caps(&f);
    char *caps_arg = g_strdup_printf("caps=%s", caps);
    /* 50 buffers of 20 ms: one second, then EOS ends gst-launch. */
    char *argv[] = {"gst-launch-1.0", "-q", "udpsrc", port, caps_arg, "!", "srtpdec", "!",
                    "rtpjitterbuffer", "latency=50", "!", "rtpopusdepay", "!", "opusdec", "!",
                    "audioconvert", "!", "audio/x-raw,format=F32LE,channels=1,rate=48000", "!",
                    "identity", "eos-after=50", "!", "fdsink", "fd=1", NULL};
    GByteArray *raw = run_client(argv, f.sender);
    assert_energy_at_1khz(raw);
    g_byte_array_unref(raw);
    g_free(port);
    tolk_key_wipe(caps, strlen(caps));
    tolk_key_wipe(caps_arg, strlen(caps_arg));
    g_free(caps);
    g_free(caps_arg);
    stream_tear_down(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/net/e2e/ffmpeg-from-sdp", test_ffmpeg_decodes_from_sdp);
    g_test_add_func("/net/e2e/gstreamer-srtpdec", test_gstreamer_decodes_with_srtpdec);
    return g_test_run();
}
