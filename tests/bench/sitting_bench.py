# SPDX-License-Identifier: EUPL-1.2
"""The EU-plenary benchmark of issue 8: Tolk and Janus AudioBridge on the same load, in one run.

The load: 24 languages x 3 consoles, every input sending (73: the floor and 72 consoles, the
live consoles' mics on), 4 outputs per channel (25 channels), a return feed per console (72).
Tolk is driven over its API and SRTP; Janus AudioBridge (tests/bench/janus_peer.py) over its
HTTP API and plain RTP, built the way Janus users build interpretation (a room per language
and one for the floor, plain-RTP participants, forwarders for the listeners). One C process
(tolk-bench load) plays every input and listens on every output of each in turn. Prints, for
each: CPU (fraction of one core), threads, context switches/s; the raw work of the job timed
by tolk-bench raw in the same run (libopus encodes of 25 channels + 72 feeds, 73 decodes,
libsrtp2 protects of every packet sent, sendto) and the ratios; the latency floor packet in ->
output packet out (median, p99) on every path (floor channel, an idle channel carrying the
floor, an interpretation channel, a relay path, a return feed); drops.
Targets (issue 8): Tolk CPU <= 1.5x the raw work and <= 0.5x Janus's CPU; p99 <= 30 ms on every
path; real time, no drops. Exit status 1 when one is missed (unless --no-fail), 2 on a harness
error. The script talks only to the API and RTP, so it measures any engine of the daemon.

Usage: python3 tests/bench/sitting_bench.py [--seconds 40] [--warmup 6] [--peer janus|--no-peer]
                                            [--no-fail] [--json FILE]
Environment: TOLK_BIN (daemon), TOLK_BENCH_BIN (tolk-bench), both default to build/.
"""

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, os.path.join(REPO, 'tests', 'e2e'))
import tolkharness as th  # noqa: E402
import janus_peer  # noqa: E402

LANGS = ['bg', 'cs', 'da', 'de', 'el', 'en', 'es', 'et', 'fi', 'fr', 'ga', 'hr',
         'hu', 'it', 'lt', 'lv', 'mt', 'nl', 'pl', 'pt', 'ro', 'sk', 'sl', 'sv']
FLOOR_LANG = 'de'        # the speaker speaks German: the de booth is idle, its channel carries the floor
IDLE = {'de', 'ga'}      # idle booths: their channels carry the floor
PROBE = 'en/1'           # a live console that sends bursts too: the live path and a relay path
RELAY_FROM_EN = ['fi', 'et', 'mt']   # booths whose live console listens to en (manual relay)
RETOURS = {'en': ['fr'], 'fr': ['en']}
OUTPUTS_PER_CHANNEL = 4
FRAMES_PER_S = 50
P99_TARGET_MS = 30.0
RAW_TARGET = 1.5         # Tolk CPU / raw work of the job
PEER_TARGET = 0.5        # Tolk CPU / Janus CPU
# the latency paths: output label -> (path, source)
PATHS = {
    'channel:floor/0': 'floor channel',
    'channel:de/0': 'idle channel (floor)',
    'channel:ga/0': 'idle channel (floor)',
    'channel:en/0': 'interpretation channel',
    'return:fi/1': 'relay path (fi hears en)',
    'return:sv/2': 'return feed (floor)',
    'return:it/1': 'return feed (floor)',
}


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


def listen_ports(count=200):
    """`count` free consecutive UDP ports below the kernel's ephemeral range, for the load
    generator's receivers: the engines' own sending sockets take ephemeral ports, and one of
    those could land on a receiver port picked from the whole range before it is bound."""
    with open('/proc/sys/net/ipv4/ip_local_port_range') as f:
        ephemeral = int(f.read().split()[0])
    for _ in range(100):
        lo = random.randrange(10000, ephemeral - count)
        if all(th.udp_port_free(p) for p in range(lo, lo + count)):
            return range(lo, lo + count)
    raise RuntimeError('no free UDP port range below %d' % ephemeral)


def realtime_priority(on):
    """The load generator and this script run SCHED_FIFO while measuring (together ~0.2 core):
    an engine with hundreds of runnable threads on a busy machine would otherwise starve the
    generator's one sending thread and delay this script's CPU samples, and the figures would
    measure that lateness, not the engine. The engines were started before and keep the normal
    policy. Without the right to, nice only."""
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO if on else os.SCHED_OTHER, os.sched_param(10 if on else 0))
    except OSError:
        if on:
            try:
                os.nice(-10)
            except OSError:
                pass


class Measured:
    """One engine under the load: CPU, threads, context switches, the load generator's report."""

    def __init__(self, name, pid, cores):
        self.name, self.pid, self.cores = name, pid, cores


def play(bench_bin, args, inputs, outputs, loop_port, pid, name, metrics=None):
    """Plays the inputs and hears the outputs for the measured time; returns a Measured."""
    fd, conf = tempfile.mkstemp(prefix='tolk-bench-', suffix='.conf')
    with os.fdopen(fd, 'w') as f:
        f.write('warmup %g\nduration %g\ntail 1\n' % (args.warmup, args.seconds))
        for port, key, kind in inputs:
            f.write('in %d %s %s\n' % (port, key, kind))
        for o in outputs:    # (port, key, ref, label[, latch port])
            f.write('out %s\n' % ' '.join(str(v) for v in o))
        # the loop: floor packets straight back to the tool, without the engine
        f.write('out %d %s loop loop:floor\n' % (loop_port, inputs[0][1]))
    try:
        realtime_priority(True)
        gen = subprocess.Popen([bench_bin, 'load', conf], stdout=subprocess.PIPE, text=True)
        line = gen.stdout.readline()
        if line.strip() != 'MEASURE START':
            raise RuntimeError('tolk-bench load did not start: %r' % line)
        m = Measured(name, pid, os.cpu_count())
        m0 = metrics() if metrics else None
        c0, th0 = proc_cpu(pid)
        g0, _ = proc_cpu(gen.pid)
        x0, _ = ctx_switches(pid)
        i0 = machine_idle()
        w0 = time.monotonic()
        line = gen.stdout.readline()
        w1 = time.monotonic()
        c1, th1 = proc_cpu(pid)
        g1, _ = proc_cpu(gen.pid)
        x1, m.threads = ctx_switches(pid)
        i1 = machine_idle()
        m1 = metrics() if metrics else None
        if line.strip() != 'MEASURE END':
            raise RuntimeError('tolk-bench load ended early: %r' % line)
        m.report = json.loads(gen.stdout.read())
        gen.wait(10)
    finally:
        realtime_priority(False)
        os.unlink(conf)
    m.wall = w1 - w0
    m.cpu = (c1 - c0) / m.wall
    m.gen_cpu = (g1 - g0) / m.wall
    m.ctx = (x1 - x0) / m.wall
    m.busy = 1.0 - (i1[0] - i0[0]) / max(1, (i1[1] - i0[1]))
    m.other = max(0.0, m.busy * os.cpu_count() - m.cpu - m.gen_cpu)
    by_name = {}
    for k in th1:
        name_k = re.sub(r'\d+', 'N', k[1])
        by_name.setdefault(name_k, [0, 0.0])
        by_name[name_k][0] += 1
        by_name[name_k][1] += (th1[k] - th0.get(k, 0)) / m.wall
    m.thread_kinds = by_name
    m.metrics = (m0, m1)
    return m


def latency(m):
    """Per path: (label, path, source, n, median, p99, max), the tool's own loop subtracted."""
    stats = m.report['outputs_stats']
    loop = [o for o in stats if o['label'] == 'loop:floor'][0]
    m.loop_median = percentile(loop['latency_ms'], 50)
    m.loop_p99 = percentile(loop['latency_ms'], 99)
    rows = []
    for o in stats:
        if o['ref'] in (1, 2) and o['label'] != 'loop:floor':
            lat = [v - m.loop_median for v in o['latency_ms']]
            src = 'floor' if o['ref'] == 1 else PROBE
            rows.append((o['label'], PATHS.get(o['label'], '-'), src, len(lat), percentile(lat, 50),
                         percentile(lat, 99), max(lat) if lat else float('nan')))
    m.latency = rows
    m.worst_p99 = max((r[5] if r[3] else float('inf')) for r in rows)
    return rows


def receivers(m):
    """Sequence gaps and packet counts on every output (both engines)."""
    real = [o for o in m.report['outputs_stats'] if o['label'] != 'loop:floor']
    m.gaps = sum(o['gaps'] for o in real)
    m.reordered = sum(o['reordered'] for o in real)
    m.undecodable = sum(o['undecodable'] for o in real)
    m.packets = [o['packets'] for o in real]
    m.expected_pk = FRAMES_PER_S * m.report['measured_s']
    m.worst_gaps = sorted(real, key=lambda o: -o['gaps'])[:3]
    m.silent = [o['label'] for o in real if o['packets'] == 0]
    m.n_outputs = len(real)


def print_engine(m):
    print('%s: %.3f of one core (%.1f%% of the machine), %d threads, %.0f context switches per second'
          % (m.name, m.cpu, 100 * m.cpu / m.cores, m.threads, m.ctx))
    print('  threads by kind (count, core): ' + ', '.join(
        '%s x%d %.3f' % (n, c, v) for n, (c, v) in sorted(m.thread_kinds.items(), key=lambda x: -x[1][1])[:8]))
    print('  load generator %.3f core; machine busy %.0f%%; everything else %.2f core%s'
          % (m.gen_cpu, 100 * m.busy, m.other,
             '  (WARNING: other work ran during the measurement; figures are pessimistic)'
             if m.other > 0.15 else ''))
    print('  latency, reference packet sent -> first output packet carrying its onset '
          '(tool loop median %.3f ms, p99 %.3f ms, subtracted):' % (m.loop_median, m.loop_p99))
    for r in m.latency:
        print('    %-16s %-26s from %-5s n=%3d  median %6.1f ms  p99 %6.1f ms  max %6.1f ms' % r)
    pk = m.packets
    print('  receivers: %d outputs, packets per output %d..%d (expected %.0f), sequence gaps %d, '
          'reordered/duplicate %d, undecodable %d'
          % (m.n_outputs, min(pk), max(pk), m.expected_pk, m.gaps, m.reordered, m.undecodable))
    if m.silent:
        print('  outputs that received nothing: %d: %s' % (len(m.silent), ', '.join(m.silent[:12])))
    if m.gaps:
        print('  most gaps: ' + ', '.join('%s %d' % (o['label'], o['gaps']) for o in m.worst_gaps))
    print('  load generator: sends later than 2 ms: %d, latest %.1f ms'
          % (m.report['sends_late_over_2ms'], m.report['send_late_max_ms']))


def run_tolk(bench_bin, args):
    daemon = th.Daemon(extra_args=['--log-level', 'warn'] + args.daemon_arg)
    daemon.start(20.0)
    try:
        api = daemon.api()
        ports = listen_ports(len(LANGS) * (OUTPUTS_PER_CHANNEL + 3) + OUTPUTS_PER_CHANNEL + 1)
        t_setup = time.monotonic()
        sess, inputs, outputs = setup(api, ports[:-1])
        print('Tolk setup: session, routing and %d outputs in %.1f s' % (len(outputs), time.monotonic() - t_setup))
        m = play(bench_bin, args, inputs, outputs, ports[-1], daemon.proc.pid, 'Tolk', lambda: metrics_snapshot(api))
    finally:
        daemon.stop(check=False)
    m.channels = len(sess['channels'])
    m.n_inputs, m.n_sends = len(inputs), len(outputs)
    latency(m)
    receivers(m)
    m0, m1 = m.metrics
    frames = {ch: m1['frames'][ch] - m0['frames'][ch] for ch in m1['frames']}
    m.frames_expected = FRAMES_PER_S * m.wall
    m.fmin, m.fmax = min(frames.values()), max(frames.values())
    m.dropped = m1['dropped'] - m0['dropped']
    m.send_err = m1['send_errors'] - m0['send_errors']
    m.media_err = m1['media_errors'] - m0['media_errors']
    m.received = m1['received'] - m0['received']
    m.realtime = m.cpu < m.cores and m.fmin >= 0.98 * m.frames_expected
    m.no_drops = m.dropped == 0 and m.send_err == 0 and m.gaps == 0 and m.realtime \
        and min(m.packets) >= 0.98 * m.expected_pk and not m.silent
    return m


def run_janus(bench_bin, args):
    lo, hi = th.free_rtp_range(400)
    janus = janus_peer.Janus(th.free_tcp_port(), lo, hi)
    janus.start()
    try:
        ports = listen_ports(len(LANGS) * (OUTPUTS_PER_CHANNEL + 3) + OUTPUTS_PER_CHANNEL + 1)
        t_setup = time.monotonic()
        inputs, outputs, counts = janus_peer.build_plenary(
            janus, LANGS, FLOOR_LANG, IDLE, PROBE, RELAY_FROM_EN, OUTPUTS_PER_CHANNEL, ports[:-1])
        print('Janus setup: %(rooms)d rooms, %(participants)d plain-RTP participants, %(forwarders)d forwarders'
              % counts + ' in %.1f s; it encodes %d streams' % (time.monotonic() - t_setup, counts['encodes']))
        m = play(bench_bin, args, inputs, outputs, ports[-1], janus.proc.pid, 'Janus')
        if janus.proc.poll() is not None:
            raise RuntimeError('janus died under the load: %s' % janus.log_tail())
    finally:
        janus.stop()
    m.counts = counts
    latency(m)
    receivers(m)
    m.no_drops = m.gaps == 0 and min(m.packets) >= 0.98 * m.expected_pk and not m.silent
    return m


def raw_work(bench_bin, encodes, decodes, protects, unprotects, sends):
    raw = json.loads(subprocess.check_output(
        [bench_bin, 'raw', str(encodes), str(decodes), str(protects), str(unprotects), str(sends), '6']))
    raw['core'] = raw['encode']['cpu'] + raw['decode']['cpu'] + raw['protect']['cpu']
    raw['all'] = raw['core'] + raw['unprotect']['cpu'] + raw['sendto']['cpu']
    return raw


def print_raw(title, raw):
    print(title)
    for name, unit in (('encode', 'frame'), ('decode', 'frame'), ('protect', 'packet'),
                       ('unprotect', 'packet'), ('sendto', 'packet')):
        r = raw[name]
        print('  %-10s %3d streams x 50/s  %7.2f us/%-6s = %.4f of one core'
              % (name, r['streams'], r.get('us_per_' + unit, 0), unit, r['cpu']))
    print('  encode+decode+protect = %.4f core; + unprotect + sendto = %.4f core' % (raw['core'], raw['all']))


def engine_json(m):
    keys = ('wall', 'cpu', 'silent', 'threads', 'ctx', 'gen_cpu', 'busy', 'other', 'gaps', 'reordered',
            'undecodable', 'expected_pk', 'worst_p99', 'loop_median')
    d = {k: getattr(m, k) for k in keys}
    d['packets_min'], d['packets_max'] = min(m.packets), max(m.packets)
    d['latency'] = [dict(zip(('label', 'path', 'source', 'n', 'median', 'p99', 'max'), r)) for r in m.latency]
    for k in ('fmin', 'fmax', 'frames_expected', 'dropped', 'send_err', 'media_err', 'received', 'counts'):
        if hasattr(m, k):
            d[k] = getattr(m, k)
    return d


def run(args):
    bench_bin = os.environ.get('TOLK_BENCH_BIN') or os.path.join(REPO, 'build', 'tests', 'bench', 'tolk-bench')
    if not os.access(bench_bin, os.X_OK):
        raise SystemExit('tolk-bench not found: %s (build first, or set TOLK_BENCH_BIN)' % bench_bin)
    peer = args.peer
    if peer == 'janus' and not janus_peer.available():
        raise SystemExit('--peer janus: %s not found (./tolk.sh deps bench installs it)' % janus_peer.JANUS_BIN)
    print('machine: %d cores, %s' % (os.cpu_count(), cpu_model()))
    print('load: %d language channels + floor, %d booths x 3 consoles, %d inputs all sending, %d outputs '
          'per channel, a return feed per console; idle booths %s (their channels carry the floor); '
          'relay from en: %s; the floor and %s send bursts'
          % (len(LANGS), len(LANGS), 1 + 3 * len(LANGS), OUTPUTS_PER_CHANNEL, ', '.join(sorted(IDLE)),
             ', '.join(RELAY_FROM_EN), PROBE))
    tolk = run_tolk(bench_bin, args)
    janus = run_janus(bench_bin, args) if peer == 'janus' else None
    feeds = 3 * len(LANGS)
    # the job: an encode per channel and per return feed, a decode per input, a protect per packet sent
    raw = raw_work(bench_bin, tolk.channels + feeds, tolk.n_inputs, tolk.n_sends, tolk.n_inputs, tolk.n_sends)

    print()
    print('== 1. CPU per second of audio (Tolk measured over %.1f s%s) =='
          % (tolk.wall, ', Janus over %.1f s' % janus.wall if janus else ''))
    print_raw('raw work of the job, this machine, one thread (%d encodes = %d channels + %d feeds):'
              % (tolk.channels + feeds, tolk.channels, feeds), raw)
    print()
    print_engine(tolk)
    print('  daemon: input datagrams %d (expected ~%d), dropped %d; channel frames per channel %d..%d '
          '(expected ~%.0f); send errors %d; media errors %d'
          % (tolk.received, tolk.n_inputs * tolk.frames_expected, tolk.dropped, tolk.fmin, tolk.fmax,
             tolk.frames_expected, tolk.send_err, tolk.media_err))
    ratio = tolk.cpu / raw['core']
    print('Tolk / raw (encode+decode+protect): %.2fx (target <= %.1fx); / raw (all five): %.2fx'
          % (ratio, RAW_TARGET, tolk.cpu / raw['all']))
    peer_ratio = None
    if janus:
        print()
        print_engine(janus)
        jraw = raw_work(bench_bin, janus.counts['encodes'], tolk.n_inputs, 0, 0, len(janus.packets))
        peer_ratio = tolk.cpu / janus.cpu
        print('Janus / raw of the job: %.2fx; Janus / raw of its own codec work (%d encodes, %d decodes, '
              'no SRTP, %d sendto = %.4f core): %.2fx'
              % (janus.cpu / raw['core'], janus.counts['encodes'], tolk.n_inputs, len(janus.packets),
                 jraw['all'], janus.cpu / jraw['all']))
        print()
        print('== Tolk beside Janus ==')
        print('%-34s %10s %10s' % ('', 'Tolk', 'Janus'))
        print('%-34s %10.3f %10.3f' % ('CPU, fraction of one core', tolk.cpu, janus.cpu))
        print('%-34s %9.2fx %9.2fx' % ('CPU / raw work of the job', ratio, janus.cpu / raw['core']))
        print('%-34s %10d %10d' % ('threads', tolk.threads, janus.threads))
        print('%-34s %10.0f %10.0f' % ('context switches per second', tolk.ctx, janus.ctx))
        print('%-34s %10d %10d' % ('sequence gaps on the outputs', tolk.gaps, janus.gaps))
        print('%-34s %10.1f %10.1f' % ('worst path p99 latency, ms', tolk.worst_p99, janus.worst_p99))
        print('Tolk / Janus CPU: %.2f (target <= %.1f)' % (peer_ratio, PEER_TARGET))

    lat_ok = tolk.worst_p99 <= P99_TARGET_MS
    raw_ok = ratio <= RAW_TARGET
    peer_ok = peer_ratio is None or peer_ratio <= PEER_TARGET
    print()
    print('== verdict (Tolk) ==')
    print('real time:                 %s' % ('met' if tolk.realtime else 'MISSED'))
    print('no drops:                  %s' % ('met' if tolk.no_drops else 'MISSED'))
    print('p99 latency <= %d ms:       %s (worst path p99 %.1f ms)'
          % (P99_TARGET_MS, 'met' if lat_ok else 'MISSED', tolk.worst_p99))
    print('CPU <= %.1fx raw:           %s (%.2fx)' % (RAW_TARGET, 'met' if raw_ok else 'MISSED', ratio))
    if peer_ratio is not None:
        print('CPU <= %.1fx Janus:         %s (%.2fx)' % (PEER_TARGET, 'met' if peer_ok else 'MISSED', peer_ratio))
    if args.json:
        result = {
            'machine': {'cores': os.cpu_count(), 'cpu': cpu_model()},
            'raw': raw, 'tolk': engine_json(tolk), 'ratio_raw': ratio, 'ratio_raw_all': tolk.cpu / raw['all'],
            'janus': engine_json(janus) if janus else None, 'ratio_janus': peer_ratio,
            'targets': {'realtime': tolk.realtime, 'no_drops': tolk.no_drops, 'p99': lat_ok,
                        'raw': raw_ok, 'janus': peer_ok if janus else None},
        }
        with open(args.json, 'w') as f:
            json.dump(result, f, indent=1)
    return tolk.realtime and tolk.no_drops and lat_ok and raw_ok and peer_ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--seconds', type=float, default=40.0, help='measured time (default 40)')
    ap.add_argument('--warmup', type=float, default=6.0, help='warm-up before measuring (default 6)')
    peer = ap.add_mutually_exclusive_group()
    peer.add_argument('--peer', choices=['janus'], default='janus' if janus_peer.available() else None,
                      help='run Janus AudioBridge on the same load (default when %s exists)' % janus_peer.JANUS_BIN)
    peer.add_argument('--no-peer', dest='peer', action='store_const', const=None, help='Tolk only')
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
