# SPDX-License-Identifier: EUPL-1.2
"""The listeners' players, run as a listener would run them: each one opens a URL or an SDP file
for a few seconds and writes what it decoded to a WAV file, whose tones the tests then check.
docs/clients.md shows the same command lines.

    wav = players.play('mpv', url, seconds=4)
    players.tone_dbfs(wav, 880)

VLC refuses to run as root, so it runs as `nobody` (with a HOME of its own) when the test is root.
"""
import array
import os
import shutil
import signal
import subprocess
import tempfile

import tolkharness as th

KINDS = ('ffmpeg', 'mpv', 'vlc', 'gst')
SDP_WHITELIST = 'file,udp,rtp,srtp,crypto'


def _scratch():
    """A folder every user may write: VLC may run as nobody."""
    path = tempfile.mkdtemp(prefix='tolk-player-')
    os.chmod(path, 0o777)
    return path


def argv(kind, source, wav, seconds):
    """The command line of one player: `source` is a URL or an SDP file."""
    is_sdp = source.endswith('.sdp')
    if kind == 'ffmpeg':
        opts = ['-protocol_whitelist', SDP_WHITELIST] if is_sdp else []
        return (['ffmpeg', '-hide_banner', '-loglevel', 'error', '-nostdin', '-y'] + opts +
                ['-i', source, '-t', str(seconds), '-ac', '1', '-ar', '48000', wav])
    if kind == 'mpv':
        opts = ['--demuxer-lavf-o=protocol_whitelist=[%s]' % SDP_WHITELIST] if is_sdp else []
        return (['mpv', '--no-config', '--really-quiet', '--no-video', '--ao=pcm', '--ao-pcm-file=' + wav,
                 '--length=%g' % seconds] + opts + [source])
    if kind == 'vlc':
        return ['cvlc', '--play-and-exit', '--run-time=%g' % seconds, source,
                '--sout', '#transcode{acodec=s16l,channels=1,samplerate=48000}:std{access=file,mux=wav,dst=%s}' % wav]
    if kind == 'gst':
        return ['gst-launch-1.0', '-q', '-e', 'uridecodebin', 'uri=' + source, '!', 'audioconvert', '!',
                'audioresample', '!', 'audio/x-raw,format=S16LE,rate=48000,channels=1', '!', 'wavenc', '!',
                'filesink', 'location=' + wav]
    raise ValueError(kind)


def _as_listener(kind, cmd, home):
    """VLC will not run as root: as nobody, with a HOME of its own."""
    if kind != 'vlc' or os.geteuid() != 0:
        return cmd
    return [shutil.which('runuser'), '-u', 'nobody', '--', 'env', 'HOME=' + home] + cmd


def play(kind, source, seconds=4.0, timeout=None, extra=()):
    """Runs the player (with `extra` options) on `source` for about `seconds`; the WAV it wrote
    (may be empty), and its log."""
    scratch = _scratch()
    wav = os.path.join(scratch, kind + '.wav')
    cmd = argv(kind, source, wav, seconds)
    cmd = _as_listener(kind, cmd[:1] + list(extra) + cmd[1:], scratch)
    log_path = os.path.join(scratch, kind + '.log')
    with open(log_path, 'wb') as log:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        try:
            # gst-launch has no length of its own: after `seconds` (and time to connect) an
            # interrupt makes it send EOS (-e), so wavenc finishes the file.
            proc.wait(timeout=seconds + 3 if kind == 'gst' else timeout or seconds + 12)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                th.terminate(proc)
    with open(log_path, 'rb') as f:
        log_text = f.read().decode(errors='replace')
    return wav, log_text


def samples(wav):
    """The WAV's first channel as floats in [-1, 1]; [] when it has none. Reads 16-bit PCM and
    32-bit float, plain or WAVE_FORMAT_EXTENSIBLE (mpv writes that), which the wave module does not."""
    try:
        with open(wav, 'rb') as f:
            data = f.read()
    except OSError:
        return []
    fmt, body = data.find(b'fmt '), data.find(b'data')
    if fmt < 0 or body < 0:
        return []
    tag = int.from_bytes(data[fmt + 8:fmt + 10], 'little')
    channels = int.from_bytes(data[fmt + 10:fmt + 12], 'little')
    bits = int.from_bytes(data[fmt + 22:fmt + 24], 'little')
    if tag == 0xFFFE:  # the real format is the sub-format GUID's first two bytes
        tag = int.from_bytes(data[fmt + 32:fmt + 34], 'little')
    raw = data[body + 8:]
    if tag == 3 and bits == 32:
        values = array.array('f', raw[:len(raw) // 4 * 4])
        return list(values[::channels])
    if tag == 1 and bits == 16:
        values = array.array('h', raw[:len(raw) // 2 * 2])
        return [v / 32768.0 for v in values[::channels]]
    raise AssertionError('%s: WAV format %d with %d-bit samples' % (wav, tag, bits))


def tone_dbfs(wav, freq, skip_s=1.0):
    """The level of `freq` in the WAV after its first skip_s (players start with a fade or a gap)."""
    s = samples(wav)[int(skip_s * 48000):]
    if len(s) < 4800:
        return -100.0
    return th.tone_dbfs(s, freq)


def seconds_of(wav):
    return len(samples(wav)) / 48000.0
