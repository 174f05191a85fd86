# SPDX-License-Identifier: EUPL-1.2
"""The 24-language sitting benchmark: 25 channels, 24 booths x 3 consoles, 73 SRTP/Opus inputs.

Runs the daemon, sets up a plenary-like routing over the API, plays every input and listens on
every output with one C process (tolk-bench load), and prints:
  1. the daemon's CPU per second of audio (fraction of one core, per channel) and as a multiple
     of the raw work (libopus encode + decode, libsrtp2 protect) timed by tolk-bench raw;
  2. the added latency floor packet in -> channel packet out (median, p99);
  3. drops: daemon metrics and RTP sequence gaps on every output.
Exit status 1 when a target is missed (real time, no drops, p99 < 60 ms), 2 on a harness error.

Usage: python3 tests/bench/sitting_bench.py [--seconds 40] [--warmup 6] [--no-fail] [--json FILE]
Environment: TOLK_BIN (daemon), TOLK_BENCH_BIN (tolk-bench), both default to build/.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, os.path.join(REPO, 'tests', 'e2e'))
import tolkharness as th  # noqa: E402

LANGS = ['bg', 'cs', 'da', 'de', 'el', 'en', 'es', 'et', 'fi', 'fr', 'ga', 'hr',
         'hu', 'it', 'lt', 'lv', 'mt', 'nl', 'pl', 'pt', 'ro', 'sk', 'sl', 'sv']
FLOOR_LANG = 'de'        # the speaker speaks German: the de booth is idle, its channel carries the floor
IDLE = {'de', 'ga'}      # idle booths: their channels carry the floor
PROBE = 'en/1'           # a live console that sends bursts too: the live path and a relay path
RELAY_FROM_EN = ['fi', 'et', 'mt']   # booths whose live console listens to en (manual relay)
RETOURS = {'en': ['fr'], 'fr': ['en']}
OUTPUTS_PER_CHANNEL = 4
FRAMES_PER_S = 50
P99_TARGET_MS = 60.0


def percentile(sorted_values, p):
    if not sorted_values:
        return float('nan')
    k = (len(sorted_values) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def proc_cpu(pid):
    """utime + stime of a process in seconds, and per thread {comm: seconds}."""
    tick = os.sysconf('SC_CLK_TCK')

    def parse(path):
        with open(path) as f:
            data = f.read()
        comm = data[data.index('(') + 1:data.rindex(')')]
        fields = data[data.rindex(')') + 2:].split()
        return comm, (int(fields[11]) + int(fields[12])) / tick

    _, total = parse('/proc/%d/stat' % pid)
    threads = {}
    for tid in os.listdir('/proc/%d/task' % pid):
        try:
            comm, t = parse('/proc/%d/task/%s/stat' % (pid, tid))
        except OSError:
            continue
        threads[(tid, comm)] = t
    return total, threads


def ctx_switches(pid):
    """Context switches summed over the threads of a process, and the number of threads."""
    total, count = 0, 0
    for tid in os.listdir('/proc/%d/task' % pid):
        try:
            with open('/proc/%d/task/%s/status' % (pid, tid)) as f:
                for line in f:
                    if line.startswith(('voluntary_ctxt_switches', 'nonvoluntary_ctxt_switches')):
                        total += int(line.split()[1])
            count += 1
        except OSError:
            pass
    return total, count


def machine_idle():
    with open('/proc/stat') as f:
        cpu = f.readline().split()[1:]
    vals = [int(v) for v in cpu]
    return vals[3] + vals[4], sum(vals)


def cpu_model():
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return 'unknown'


def session_body():
    booths = []
    for lang in LANGS:
        booth = {'language': lang, 'consoles': 3}
        if lang in RETOURS:
            booth['b_channels'] = RETOURS[lang]
        booths.append(booth)
    return {'id': 'plenary', 'name': 'Plenary, 24 languages', 'floor_language': FLOOR_LANG,
            'channels': LANGS, 'booths': booths}


def setup(api, out_ports):
    """Creates the sitting, routes it, adds the outputs; returns (inputs, outputs, routing notes)."""
    sess = api.expect(201, 'POST', 'sessions', session_body())
    sid = sess['id']
    # manual relays: these booths hear en, not the floor
    for lang in RELAY_FROM_EN:
        api.expect(200, 'PATCH', 'sessions/%s/booths/%s/consoles/1' % (sid, lang), {'listen': 'en'})
    for lang in LANGS:
        if lang in IDLE:
            continue
        api.expect(200, 'PATCH', 'sessions/%s/booths/%s/consoles/1' % (sid, lang), {'mic': 'on'})
    ports = iter(out_ports)
    outputs = []   # (port, key hex, reference, label)
    for ch in ['floor'] + LANGS:
        for k in range(OUTPUTS_PER_CHANNEL):
            o = api.expect(201, 'POST', 'sessions/%s/channels/%s/outputs' % (sid, ch),
                           {'host': '127.0.0.1', 'port': next(ports)})
            ref = '-'
            if k == 0 and ch in ('floor', 'ga', 'de'):
                ref = 'floor'
            elif k == 0 and ch == 'en':
                ref = 'probe'
            outputs.append((o['port'], th.key_hex(o['srtp']['key']), ref, 'channel:%s/%d' % (ch, k)))
    for lang in LANGS:
        for n in (1, 2, 3):
            o = api.expect(201, 'POST', 'sessions/%s/booths/%s/consoles/%d/outputs' % (sid, lang, n),
                           {'host': '127.0.0.1', 'port': next(ports)})
            ref = '-'
            if (lang, n) in (('sv', 2), ('it', 1)):
                ref = 'floor'      # return feed, listens to the floor
            elif (lang, n) == ('fi', 1):
                ref = 'probe'      # return feed, relay from en
            outputs.append((o['port'], th.key_hex(o['srtp']['key']), ref, 'return:%s/%d' % (lang, n)))
    sess = api.expect(200, 'GET', 'sessions/' + sid)
    inputs = []
    for inp in sess['inputs']:
        kind = 'floor' if inp['id'] == 'floor' else 'probe' if inp['id'] == PROBE else 'tone'
        inputs.append((inp['port'], th.key_hex(inp['srtp']['key']), kind))
    return sess, inputs, outputs


def metrics_snapshot(api):
    text = api.metrics()
    return {
        'dropped': th.metric_sum(text, 'tolk_input_packets_dropped_total'),
        'received': th.metric_sum(text, 'tolk_input_packets_received_total'),
        'send_errors': th.metric_sum(text, 'tolk_output_send_errors_total'),
        'sent': th.metric_sum(text, 'tolk_output_packets_sent_total'),
        'media_errors': th.metric_sum(text, 'tolk_media_errors_total'),
        'frames': {ch: th.metric_sum(text, 'tolk_channel_frames_total', channel=ch)
                   for ch in ['floor'] + LANGS},
    }


class BenchDaemon(th.Daemon):
    """The harness daemon, with a port range for 73 inputs and the bench's own log level."""

    def start(self, timeout=20.0):
        return super().start(timeout)


def run(args):
    bench_bin = os.environ.get('TOLK_BENCH_BIN') or os.path.join(REPO, 'build', 'tests', 'bench', 'tolk-bench')
    if not os.access(bench_bin, os.X_OK):
        raise SystemExit('tolk-bench not found: %s (build first, or set TOLK_BENCH_BIN)' % bench_bin)
    print('machine: %d cores, %s' % (os.cpu_count(), cpu_model()))
    print('sitting: %d language channels + floor, %d booths x 3 consoles, %d inputs'
          % (len(LANGS), len(LANGS), 1 + 3 * len(LANGS)))

    daemon = BenchDaemon(extra_args=['--log-level', 'warn'] + args.daemon_arg)
    daemon.start()
    result = {}
    try:
        api = daemon.api()
        lo, hi = th.free_rtp_range(200)
        t_setup = time.monotonic()
        sess, inputs, outputs = setup(api, range(lo, hi + 1))
        print('setup: session, routing and %d outputs in %.1f s' % (len(outputs), time.monotonic() - t_setup))
        live = sorted(l for l in LANGS if l not in IDLE)
        print('routing: %d booths live on A (console 1), idle: %s (carry the floor); relay from en: %s; '
              '%d outputs per channel, a return feed per console; floor and %s send bursts'
              % (len(live), ', '.join(sorted(IDLE)), ', '.join(RELAY_FROM_EN), OUTPUTS_PER_CHANNEL, PROBE))
        protects = len(sess['channels']) + 3 * len(LANGS)   # every channel and return feed has an output
        sends = len(outputs)

        fd, conf = tempfile.mkstemp(prefix='tolk-bench-', suffix='.conf')
        with os.fdopen(fd, 'w') as f:
            f.write('warmup %g\nduration %g\ntail 1\n' % (args.warmup, args.seconds))
            for port, key, kind in inputs:
                f.write('in %d %s %s\n' % (port, key, kind))
            for port, key, ref, label in outputs:
                f.write('out %d %s %s %s\n' % (port, key, ref, label))
            # the loop: floor packets straight back to the tool, without the daemon
            f.write('out %d %s loop loop:floor\n' % (th.free_udp_pair(), inputs[0][1]))

        gen = subprocess.Popen([bench_bin, 'load', conf], stdout=subprocess.PIPE, text=True)
        line = gen.stdout.readline()
        if line.strip() != 'MEASURE START':
            raise RuntimeError('tolk-bench load did not start: %r' % line)
        m0 = metrics_snapshot(api)
        c0, th0 = proc_cpu(daemon.proc.pid)
        g0, _ = proc_cpu(gen.pid)
        x0, _ = ctx_switches(daemon.proc.pid)
        i0 = machine_idle()
        w0 = time.monotonic()
        line = gen.stdout.readline()
        w1 = time.monotonic()
        c1, th1 = proc_cpu(daemon.proc.pid)
        g1, _ = proc_cpu(gen.pid)
        x1, nthreads = ctx_switches(daemon.proc.pid)
        i1 = machine_idle()
        m1 = metrics_snapshot(api)
        if line.strip() != 'MEASURE END':
            raise RuntimeError('tolk-bench load ended early: %r' % line)
        report = json.loads(gen.stdout.read())
        gen.wait(10)
        os.unlink(conf)
    finally:
        daemon.stop(check=False)

    wall = w1 - w0
    raw = json.loads(subprocess.check_output(
        [bench_bin, 'raw', str(len(sess['channels'])), str(len(inputs)), str(protects),
         str(len(inputs)), str(sends), '6']))

    # 1. CPU
    daemon_cpu = (c1 - c0) / wall
    gen_cpu = (g1 - g0) / wall
    busy = 1.0 - (i1[0] - i0[0]) / max(1, (i1[1] - i0[1]))
    nch = len(sess['channels'])
    raw_core = raw['encode']['cpu'] + raw['decode']['cpu'] + raw['protect']['cpu']
    raw_all = raw_core + raw['unprotect']['cpu'] + raw['sendto']['cpu']
    print()
    print('== 1. CPU per second of audio (measured over %.1f s of wall time) ==' % wall)
    print('daemon:              %.3f of one core (%.1f%% of the machine), %.2f ms of CPU per channel per s'
          % (daemon_cpu, 100 * daemon_cpu / os.cpu_count(), 1000 * daemon_cpu / nch))
    print('raw work, this machine, one thread:')
    for name, unit in (('encode', 'frame'), ('decode', 'frame'), ('protect', 'packet'),
                       ('unprotect', 'packet'), ('sendto', 'packet')):
        r = raw[name]
        print('  %-10s %3d streams x 50/s  %7.2f us/%-6s = %.4f of one core'
              % (name, r['streams'], r.get('us_per_' + unit, 0), unit, r['cpu']))
    print('  encode+decode+protect = %.4f core; + unprotect + sendto = %.4f core' % (raw_core, raw_all))
    print('daemon / raw (encode+decode+protect): %.2fx;  daemon / raw (all five): %.2fx'
          % (daemon_cpu / raw_core, daemon_cpu / raw_all))
    other = max(0.0, busy * os.cpu_count() - daemon_cpu - gen_cpu)
    print('load generator: %.3f of one core; machine busy: %.0f%%; everything else: %.2f core%s'
          % (gen_cpu, 100 * busy, other,
             '  (WARNING: other work ran during the measurement; figures are pessimistic)'
             if other > 0.15 else ''))
    hot = sorted(((th1.get(k, 0) - th0.get(k, 0)) / wall, k[1]) for k in th1)
    by_name = {}
    for v, name in hot:
        name = re.sub(r'\d+', 'N', name)
        by_name.setdefault(name, [0, 0.0])
        by_name[name][0] += 1
        by_name[name][1] += v
    print('daemon: %d threads, %.0f context switches per second' % (nthreads, (x1 - x0) / wall))
    print('daemon threads by kind (count, core): ' + ', '.join(
        '%s x%d %.3f' % (n, c, v) for n, (c, v) in sorted(by_name.items(), key=lambda x: -x[1][1])[:10]))

    # 2. latency
    stats = report['outputs_stats']
    loop = [o for o in stats if o['label'] == 'loop:floor'][0]
    loop_med = percentile(loop['latency_ms'], 50)
    print()
    print('== 2. Latency, reference packet sent -> first output packet carrying its onset ==')
    print('tool loop (no daemon): median %.3f ms, p99 %.3f ms (%d onsets) - subtracted below'
          % (loop_med, percentile(loop['latency_ms'], 99), len(loop['latency_ms'])))
    worst_p99 = 0.0
    all_lat = []
    lat_rows = []
    for o in stats:
        if o['ref'] in (1, 2) and o['label'] != 'loop:floor':
            lat = [v - loop_med for v in o['latency_ms']]
            src = 'floor' if o['ref'] == 1 else PROBE
            med, p99 = percentile(lat, 50), percentile(lat, 99)
            worst_p99 = max(worst_p99, p99) if lat else float('inf')
            if o['ref'] == 1:
                all_lat += lat
            lat_rows.append((o['label'], src, len(lat), med, p99, max(lat) if lat else float('nan')))
            print('  %-18s from %-5s  n=%3d  median %6.1f ms  p99 %6.1f ms  max %6.1f ms'
                  % lat_rows[-1])
    all_lat.sort()
    print('floor -> any channel/feed: median %.1f ms, p99 %.1f ms (n=%d); target p99 < %.0f ms'
          % (percentile(all_lat, 50), percentile(all_lat, 99), len(all_lat), P99_TARGET_MS))

    # 3. drops
    print()
    print('== 3. Drops ==')
    frames = {ch: m1['frames'][ch] - m0['frames'][ch] for ch in m1['frames']}
    expect = FRAMES_PER_S * wall
    fmin, fmax = min(frames.values()), max(frames.values())
    dropped = m1['dropped'] - m0['dropped']
    send_err = m1['send_errors'] - m0['send_errors']
    media_err = m1['media_errors'] - m0['media_errors']
    recv = m1['received'] - m0['received']
    print('daemon: input datagrams %d (expected ~%d), dropped %d; channel frames per channel %d..%d '
          '(expected ~%.0f = 50/s x %.1f s); send errors %d; media errors %d'
          % (recv, len(inputs) * expect, dropped, fmin, fmax, expect, wall, send_err, media_err))
    real = [o for o in stats if o['label'] != 'loop:floor']
    gaps = sum(o['gaps'] for o in real)
    reord = sum(o['reordered'] for o in real)
    pk = [o['packets'] for o in real]
    expected_pk = FRAMES_PER_S * report['measured_s']
    print('receivers: %d outputs, packets per output %d..%d (expected %.0f), sequence gaps %d, '
          'reordered/duplicate %d, undecodable %d'
          % (len(real), min(pk), max(pk), expected_pk, gaps, reord, sum(o['undecodable'] for o in real)))
    worst = sorted(real, key=lambda o: -o['gaps'])[:3]
    if gaps:
        print('  most gaps: ' + ', '.join('%s %d' % (o['label'], o['gaps']) for o in worst))
    print('load generator: sends later than 2 ms: %d, latest %.1f ms'
          % (report['sends_late_over_2ms'], report['send_late_max_ms']))

    # verdict
    realtime = daemon_cpu < os.cpu_count() and fmin >= 0.98 * expect
    no_drops = dropped == 0 and send_err == 0 and gaps == 0 and fmin >= 0.98 * expect \
        and min(pk) >= 0.98 * expected_pk
    lat_ok = worst_p99 < P99_TARGET_MS
    print()
    print('== verdict ==')
    print('real time:          %s' % ('met' if realtime else 'MISSED'))
    print('no drops:           %s' % ('met' if no_drops else 'MISSED'))
    print('p99 latency < %d ms: %s (worst output p99 %.1f ms)' % (P99_TARGET_MS, 'met' if lat_ok else 'MISSED',
                                                                  worst_p99))
    result = {
        'machine': {'cores': os.cpu_count(), 'cpu': cpu_model()},
        'wall_s': wall, 'daemon_core': daemon_cpu, 'daemon_core_per_channel': daemon_cpu / nch,
        'raw': raw, 'raw_core': raw_core, 'ratio': daemon_cpu / raw_core, 'ratio_all': daemon_cpu / raw_all,
        'threads': nthreads, 'ctx_switches_per_s': (x1 - x0) / wall,
        'loadgen_core': gen_cpu, 'machine_busy': busy, 'other_core': other,
        'latency': [dict(zip(('label', 'source', 'n', 'median', 'p99', 'max'), r)) for r in lat_rows],
        'loop_median_ms': loop_med,
        'frames_min': fmin, 'frames_max': fmax, 'frames_expected': expect, 'input_dropped': dropped,
        'send_errors': send_err, 'seq_gaps': gaps, 'targets': {'realtime': realtime, 'no_drops': no_drops,
                                                               'p99': lat_ok},
    }
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(result, f, indent=1)
    return realtime and no_drops and lat_ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--seconds', type=float, default=40.0, help='measured time (default 40)')
    ap.add_argument('--warmup', type=float, default=6.0, help='warm-up before measuring (default 6)')
    ap.add_argument('--no-fail', action='store_true', help='exit 0 even when a target is missed')
    ap.add_argument('--json', help='also write the figures to this file')
    ap.add_argument('--daemon-arg', action='append', default=[],
                        help='extra option for the daemon, e.g. --daemon-arg=--jitter-ms=10 (repeatable)')
    args = ap.parse_args()
    try:
        ok = run(args)
    except (RuntimeError, AssertionError, OSError, subprocess.CalledProcessError) as e:
        print('benchmark error: %s' % e, file=sys.stderr)
        return 2
    return 0 if ok or args.no_fail else 1


if __name__ == '__main__':
    sys.exit(main())
