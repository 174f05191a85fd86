# SPDX-License-Identifier: EUPL-1.2
"""Pure checks on decoded audio for the return-feed tests: gaps, steps, true peak, which tone
dominates where. Samples are 48 kHz mono floats as tolkharness.Receiver keeps them."""

import math

import tolkharness as th

RATE = th.RATE


def timed_samples(receiver, since):
    """(samples, arrivals): the samples arrived at or after `since`, one array, and for each
    chunk (sample index where it starts, arrival time)."""
    with receiver.lock:
        chunks = [(t, c) for t, c in receiver.chunks if t >= since]
    out, arrivals = [], []
    for t, c in chunks:
        arrivals.append((len(out), t))
        out.extend(c)
    return out, arrivals


def position_at(arrivals, t):
    """Samples of the stream that had arrived by time t: the stream's position at t."""
    pos = 0
    for i, (start, at) in enumerate(arrivals):
        if at > t:
            return start
        pos = arrivals[i + 1][0] if i + 1 < len(arrivals) else start
    return pos


def longest_near_zero_run(samples, threshold=0.002):
    """Longest run of consecutive samples with |x| below threshold (-54 dBFS), in samples:
    a tone crosses zero for a fraction of a sample, a gap stays there."""
    longest = run = 0
    for x in samples:
        if -threshold < x < threshold:
            run += 1
            if run > longest:
                longest = run
        else:
            run = 0
    return longest


def steps(samples):
    """|x[n] - x[n-1]| for every n, as a list."""
    return [abs(b - a) for a, b in zip(samples, samples[1:])]


def sample_peak(samples):
    return max((abs(x) for x in samples), default=0.0)


def dbfs(amplitude):
    return 20.0 * math.log10(amplitude) if amplitude > 1e-10 else th.FLOOR_DB


_HALF = 16  # taps on each side of the 4x interpolator


def _kernel(frac):
    """Hann-windowed sinc taps for the point frac (0..1) between two samples."""
    taps = []
    for k in range(-_HALF + 1, _HALF + 1):
        x = frac - k
        s = 1.0 if x == 0 else math.sin(math.pi * x) / (math.pi * x)
        w = 0.5 + 0.5 * math.cos(math.pi * x / _HALF)
        taps.append(s * w)
    return taps


_KERNELS = [_kernel(f / 4.0) for f in (1, 2, 3)]


def true_peak(samples, candidate=0.4):
    """The peak of the signal oversampled 4x (ITU-R BS.1770 style), as an amplitude. Only
    neighbourhoods of samples above `candidate` are interpolated: an inter-sample peak is at
    most a few dB above the samples around it."""
    peak = sample_peak(samples)
    n = len(samples)
    for i in range(_HALF, n - _HALF):
        if abs(samples[i]) < candidate and abs(samples[i + 1]) < candidate:
            continue
        window = samples[i - _HALF + 1:i + _HALF + 1]
        for taps in _KERNELS:
            v = abs(sum(a * b for a, b in zip(taps, window)))
            if v > peak:
                peak = v
    return peak


def first_dominant(samples, start, new_freq, old_freq, window=480, hop=120, margin_db=6.0,
                   limit=RATE):
    """Index of the end of the first `window` at or after `start` where new_freq is
    margin_db above old_freq, or None within `limit` samples."""
    end = min(len(samples), start + limit)
    for i in range(max(0, start - window), end - window, hop):
        w = samples[i:i + window]
        if th.tone_dbfs(w, new_freq) > th.tone_dbfs(w, old_freq) + margin_db:
            return i + window
    return None
