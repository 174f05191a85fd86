/* SPDX-License-Identifier: EUPL-1.2 */
/* Measures the Opus encoder settings of mixer/media/opus_encoder.c (docs/performance.md,
 * "Opus settings"): CPU per 20 ms frame against complexity, and quality of what a listener
 * decodes (log-spectral distance to the original, SNR of a tone) for application AUDIO and
 * VOIP, FEC off and on, at 0, 5 and 10 % random loss, the lost frames recovered from the next
 * packet's FEC when there is some, else by PLC, as mixer/media/jitter_buffer.c does. Then the
 * raw work of one decode, one encode with the chosen settings and the canned-silence path.
 * Not a test: ./build/tests/bench/opus-settings (single-threaded, about a minute). */
#include "opus_encoder.h"
#include "media_test_util.h"
#include "opus_packet.h"

#include <math.h>
#include <opus/opus.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RATE 48000
#define FRAME 960
#define SECONDS 10
#define FRAMES (SECONDS * RATE / FRAME)
#define LEN (FRAMES * FRAME)
#define MAXPKT 1500
#define FFT_N 1024

typedef struct {
    const char *name;
    int app;
    int complexity;
    int fec;
    int loss_perc;
} settings;

typedef struct {
    double enc_us, kbps, lbrr_share, lsd, lsd_lost, lsd8_lost, snr;
} result;

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: fair on a busy machine */
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* ---- Signals ---- */

static double frand(unsigned *state)
{
    *state = *state * 1103515245u + 12345u;
    return ((*state >> 8) & 0xffff) / 65536.0;
}

/* Speech-like: a glottal pulse train with a gliding pitch through three gliding formants,
 * syllables at ~4 Hz, a noise "fricative" every other syllable, a pause every 2 s. */
static void make_speech(float *x)
{
    unsigned rnd = 12345;
    mt_resonator f1 = {0}, f2 = {0}, f3 = {0};
    double phase = 0, peak = 0;
    double *y = malloc(sizeof *y * LEN);
    for (int i = 0; i < LEN; i++) {
        double t = (double)i / RATE;
        double syl = fmod(t, 0.25) / 0.25;
        int n_syl = (int)(t / 0.25);
        double env = sin(M_PI * syl);
        if (fmod(t, 2.0) > 1.7)
            env = 0;
        if ((i % 48) == 0) {
            mt_resonator_set(&f1, 500 + 300 * sin(2 * M_PI * 3.1 * t), 90);
            mt_resonator_set(&f2, 1500 + 500 * sin(2 * M_PI * 2.3 * t + 1), 120);
            mt_resonator_set(&f3, 2600 + 200 * sin(2 * M_PI * 1.7 * t), 180);
        }
        double f0 = 130 + 50 * sin(2 * M_PI * 0.7 * t) + 20 * sin(2 * M_PI * 5 * t);
        phase += f0 / RATE;
        double src = 0;
        if (phase >= 1) {
            phase -= 1;
            src = 1;
        }
        bool fricative = (n_syl % 2) && syl > 0.7;
        double v = mt_resonate(&f1, src) * 4 + mt_resonate(&f2, src) * 2 + mt_resonate(&f3, src);
        double noise = fricative ? (frand(&rnd) - 0.5) * 0.05 : 0;
        y[i] = (fricative ? 0.3 : 1.0) * env * v + env * noise;
        if (fabs(y[i]) > peak)
            peak = fabs(y[i]);
    }
    for (int i = 0; i < LEN; i++)
        x[i] = (float)(0.5 * y[i] / peak); /* peaks at -6 dBFS */
    free(y);
}

static void make_tone(float *x)
{
    for (int i = 0; i < LEN; i++)
        x[i] = (float)(0.25 * sin(2 * M_PI * 1000.0 * i / RATE));
}

/* ---- Quality ---- */

static void fft(double *re, double *im, int n)
{
    for (int i = 1, j = 0; i < n; i++) {
        int bit = n >> 1;
        for (; j & bit; bit >>= 1)
            j ^= bit;
        j ^= bit;
        if (i < j) {
            double t = re[i]; re[i] = re[j]; re[j] = t;
            t = im[i]; im[i] = im[j]; im[j] = t;
        }
    }
    for (int len = 2; len <= n; len <<= 1) {
        double ang = -2 * M_PI / len;
        for (int i = 0; i < n; i += len)
            for (int k = 0; k < len / 2; k++) {
                double wr = cos(ang * k), wi = sin(ang * k);
                double ur = re[i + k], ui = im[i + k];
                double vr = re[i + k + len / 2] * wr - im[i + k + len / 2] * wi;
                double vi = re[i + k + len / 2] * wi + im[i + k + len / 2] * wr;
                re[i + k] = ur + vr, im[i + k] = ui + vi;
                re[i + k + len / 2] = ur - vr, im[i + k + len / 2] = ui - vi;
            }
    }
}

static void power(const float *x, double *p)
{
    double re[FFT_N], im[FFT_N];
    for (int i = 0; i < FFT_N; i++) {
        double w = 0.5 - 0.5 * cos(2 * M_PI * i / (FFT_N - 1));
        re[i] = i < FRAME ? x[i] * w : 0;
        im[i] = 0;
    }
    fft(re, im, FFT_N);
    for (int k = 0; k < FFT_N / 2; k++)
        p[k] = re[k] * re[k] + im[k] * im[k];
}

/* Log-spectral distance of one 20 ms frame, 50 Hz - top_hz, in dB. */
static double frame_lsd(const float *x, const float *y, int top_hz)
{
    double px[FFT_N / 2], py[FFT_N / 2], sum = 0;
    power(x, px);
    power(y, py);
    int lo = 50 * FFT_N / RATE + 1, hi = top_hz * FFT_N / RATE, n = 0;
    for (int k = lo; k <= hi; k++, n++) {
        double d = 10 * log10(px[k] + 1e-9) - 10 * log10(py[k] + 1e-9);
        sum += d * d;
    }
    return sqrt(sum / n);
}

static bool active(const float *x)
{
    double e = 0;
    for (int i = 0; i < FRAME; i++)
        e += (double)x[i] * x[i];
    return e / FRAME > 1e-6; /* above -60 dBFS */
}

/* ---- One run: encode, lose, decode, compare ---- */

static OpusEncoder *encoder_for(const settings *s)
{
    int err;
    OpusEncoder *e = opus_encoder_create(RATE, 1, s->app, &err);
    opus_encoder_ctl(e, OPUS_SET_BITRATE(TOLK_OPUS_BITRATE));
    opus_encoder_ctl(e, OPUS_SET_MAX_BANDWIDTH(OPUS_BANDWIDTH_FULLBAND));
    opus_encoder_ctl(e, OPUS_SET_COMPLEXITY(s->complexity));
    opus_encoder_ctl(e, OPUS_SET_INBAND_FEC(s->fec));
    opus_encoder_ctl(e, OPUS_SET_PACKET_LOSS_PERC(s->loss_perc));
    opus_encoder_ctl(e, OPUS_SET_DTX(0));
    return e;
}

static uint8_t packets[FRAMES][MAXPKT];
static int sizes[FRAMES];
static float decoded[LEN + FRAME];

static void decode_all(const bool *lost)
{
    int err;
    OpusDecoder *d = opus_decoder_create(RATE, 1, &err);
    for (int f = 0; f < FRAMES; f++) {
        float *out = decoded + f * FRAME;
        int n;
        if (!lost[f])
            n = opus_decode_float(d, packets[f], sizes[f], out, FRAME, 0);
        else if (f + 1 < FRAMES && !lost[f + 1] && tolk_opus_packet_has_fec(packets[f + 1], (size_t)sizes[f + 1]))
            n = opus_decode_float(d, packets[f + 1], sizes[f + 1], out, FRAME, 1);
        else
            n = opus_decode_float(d, NULL, 0, out, FRAME, 0);
        if (n != FRAME)
            memset(out, 0, sizeof *out * FRAME);
    }
    opus_decoder_destroy(d);
}

static result run(const settings *s, const float *x, double loss)
{
    static bool lost[FRAMES];
    OpusEncoder *e = encoder_for(s);
    int lookahead = 0;
    opus_encoder_ctl(e, OPUS_GET_LOOKAHEAD(&lookahead));
    result r = {0};
    long bytes = 0, lbrr = 0;
    for (int f = 0; f < FRAMES; f++) {
        double t0 = now_us();
        sizes[f] = opus_encode_float(e, x + f * FRAME, FRAME, packets[f], MAXPKT);
        r.enc_us += now_us() - t0;
        bytes += sizes[f];
        lbrr += tolk_opus_packet_has_fec(packets[f], (size_t)sizes[f]);
    }
    opus_encoder_destroy(e);
    unsigned rnd = 777;
    for (int f = 0; f < FRAMES; f++)
        lost[f] = frand(&rnd) < loss;
    decode_all(lost);
    /* The codec delays by its lookahead: compare x[i] with decoded[i + lookahead]. */
    double sig = 0, noise = 0, lsd = 0, lsd_lost = 0, lsd8_lost = 0;
    int n = 0, n_lost = 0;
    for (int f = 0; f + 1 < FRAMES; f++) {
        const float *xf = x + f * FRAME, *yf = decoded + f * FRAME + lookahead;
        for (int i = 0; i < FRAME; i++) {
            sig += (double)xf[i] * xf[i];
            noise += ((double)xf[i] - yf[i]) * ((double)xf[i] - yf[i]);
        }
        if (!active(xf))
            continue;
        double d = frame_lsd(xf, yf, 20000);
        lsd += d, n++;
        if (lost[f])
            lsd_lost += d, lsd8_lost += frame_lsd(xf, yf, 8000), n_lost++;
    }
    r.enc_us /= FRAMES;
    r.kbps = bytes * 8.0 / SECONDS / 1000;
    r.lbrr_share = 100.0 * lbrr / FRAMES;
    r.lsd = n ? lsd / n : 0;
    r.lsd_lost = n_lost ? lsd_lost / n_lost : 0;
    r.lsd8_lost = n_lost ? lsd8_lost / n_lost : 0;
    r.snr = 10 * log10(sig / (noise + 1e-12));
    return r;
}

/* ---- Raw work ---- */

static double time_decode(const float *x)
{
    settings s = {"chosen", TOLK_OPUS_APPLICATION, TOLK_OPUS_COMPLEXITY, 0, 0}; /* CELT, no FEC */
    OpusEncoder *e = encoder_for(&s);
    for (int f = 0; f < FRAMES; f++)
        sizes[f] = opus_encode_float(e, x + f * FRAME, FRAME, packets[f], MAXPKT);
    opus_encoder_destroy(e);
    int err;
    OpusDecoder *d = opus_decoder_create(RATE, 1, &err);
    double t0 = now_us();
    int bad = 0;
    for (int f = 0; f < FRAMES; f++)
        bad += opus_decode_float(d, packets[f], sizes[f], decoded + f * FRAME, FRAME, 0) != FRAME;
    if (bad)
        fprintf(stderr, "%d frames did not decode\n", bad);
    double us = (now_us() - t0) / FRAMES;
    opus_decoder_destroy(d);
    return us;
}

static double time_tolk_encode(const float *x)
{
    tolk_opus_encoder *enc = tolk_opus_encoder_new();
    uint8_t pkt[MAXPKT];
    double t0 = now_us();
    for (int f = 0; f < FRAMES; f++)
        tolk_opus_encoder_encode(enc, x + f * FRAME, pkt, MAXPKT);
    double us = (now_us() - t0) / FRAMES;
    tolk_opus_encoder_free(enc);
    return us;
}

static double time_libopus_silence(int dtx, int *bytes)
{
    settings s = {"silence", TOLK_OPUS_APPLICATION, TOLK_OPUS_COMPLEXITY, 0, 0};
    OpusEncoder *e = encoder_for(&s);
    opus_encoder_ctl(e, OPUS_SET_DTX(dtx));
    static const float zero[FRAME];
    uint8_t pkt[MAXPKT];
    long total = 0;
    double t0 = now_us();
    for (int f = 0; f < FRAMES; f++)
        total += opus_encode_float(e, zero, FRAME, pkt, MAXPKT);
    double us = (now_us() - t0) / FRAMES;
    *bytes = (int)(total / FRAMES);
    opus_encoder_destroy(e);
    return us;
}

static double time_canned(void)
{
    tolk_opus_encoder *enc = tolk_opus_encoder_new();
    static const float zero[FRAME];
    uint8_t pkt[MAXPKT];
    int rounds = 100 * FRAMES;
    double t0 = now_us();
    for (int f = 0; f < rounds; f++)
        tolk_opus_encoder_encode(enc, zero, pkt, MAXPKT);
    double us = (now_us() - t0) / rounds;
    tolk_opus_encoder_free(enc);
    return us;
}

static const char *app_name(int app)
{
    return app == OPUS_APPLICATION_VOIP ? "voip" : "audio";
}

int main(void)
{
    static float speech[LEN], tone[LEN];
    make_speech(speech);
    make_tone(tone);
    printf("Opus settings, %d s of speech-like signal and a 1 kHz tone, 64 kbit/s, 20 ms, mono\n", SECONDS);
    printf("LSD: log-spectral distance to the original (dB, lower is better), all active frames and\n"
           "the lost ones only; SNR of the tone (dB, higher is better). Lost frames: FEC from the next\n"
           "packet when it carries some, else PLC.\n\n");

    printf("complexity  enc_us(speech)  enc_us(tone)  LSD(speech)  LSD8k(lost,5%%)  SNR(tone)   [audio, FEC off: CELT]\n");
    for (int c = 0; c <= 10; c++) {
        settings s = {"c", OPUS_APPLICATION_AUDIO, c, 0, 0};
        result a = run(&s, speech, 0), b = run(&s, tone, 0), l = run(&s, speech, 0.05);
        printf("%10d  %14.1f  %12.1f  %11.2f  %14.2f  %9.1f\n", c, a.enc_us, b.enc_us, a.lsd, l.lsd8_lost, b.snr);
    }

    printf("\nspeech: LSD of all active frames, of the lost ones (to 20 kHz and to 8 kHz); tone: LSD of the lost, SNR\n");
    printf("app    fec perc loss  kbit/s  lbrr%%  enc_us  LSD(all)  LSD(lost)  LSD8k(lost)  tone:LSD(lost)  SNR(tone)\n");
    int apps[] = {OPUS_APPLICATION_AUDIO, OPUS_APPLICATION_VOIP};
    int percs[] = {0, 5, 10, 20};
    double losses[] = {0, 0.05, 0.10};
    for (int a = 0; a < 2; a++)
        for (int p = 0; p < 4; p++)
            for (int l = 0; l < 3; l++) {
                settings s = {"m", apps[a], TOLK_OPUS_COMPLEXITY, percs[p] > 0, percs[p]};
                result sp = run(&s, speech, losses[l]), to = run(&s, tone, losses[l]);
                printf("%-6s %3s %4d %3.0f%%  %6.1f  %5.1f  %6.1f  %8.2f  %9.2f  %11.2f  %14.2f  %9.1f\n",
                       app_name(apps[a]), s.fec ? "on" : "off", s.loss_perc, losses[l] * 100, sp.kbps, sp.lbrr_share,
                       sp.enc_us, sp.lsd, sp.lsd_lost, sp.lsd8_lost, to.lsd_lost, to.snr);
            }

    /* libopus runs its speech/music analysis from complexity 7 on (1.3): then the FEC threshold
     * follows the signal, hybrid with FEC for speech, CELT for music (here: the tone). */
    printf("\naudio, FEC on: the mode follows the signal?\n");
    printf("complexity perc  speech:lbrr%%  LSD8k(lost,5%%)  enc_us   tone:lbrr%%  SNR  LSD(lost,5%%)  enc_us\n");
    int cs[] = {5, 6, 7, 8, 9, 10};
    for (int c = 0; c < 6; c++)
        for (int p = 1; p < 3; p++) {
            settings s = {"m", OPUS_APPLICATION_AUDIO, cs[c], 1, percs[p]};
            result sp = run(&s, speech, 0.05), to = run(&s, tone, 0), tl = run(&s, tone, 0.05);
            printf("%10d %4d  %12.1f  %14.2f  %6.1f   %10.1f  %4.1f  %12.2f  %6.1f\n", cs[c], percs[p], sp.lbrr_share,
                   sp.lsd8_lost, sp.enc_us, to.lbrr_share, to.snr, tl.lsd_lost, to.enc_us);
        }

    int bytes_plain, bytes_dtx;
    double sil_plain = time_libopus_silence(0, &bytes_plain), sil_dtx = time_libopus_silence(1, &bytes_dtx);
    printf("\nsilence: libopus encode %.2f us (%d bytes), libopus DTX %.2f us (%d bytes), canned %.3f us (3 bytes)\n",
           sil_plain, bytes_plain, sil_dtx, bytes_dtx, time_canned());
    printf("raw work: decode %.1f us, encode (chosen: %s, complexity %d, CELT, no FEC) %.1f us, canned silence %.3f us"
           " per 20 ms frame\n",
           time_decode(speech), app_name(TOLK_OPUS_APPLICATION), TOLK_OPUS_COMPLEXITY, time_tolk_encode(speech), time_canned());
    return 0;
}
