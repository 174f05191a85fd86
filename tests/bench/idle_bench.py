# SPDX-License-Identifier: EUPL-1.2
"""The many-sittings benchmark (issue 8): what sittings cost when nobody speaks.

  (a) N idle sittings (floor + 1 language channel, 1 booth of 2 consoles, no sender, no
      consumer): the daemon's CPU in total and per sitting, threads, RSS. Target: <= 2 % of
      one core in total for 200.
  (b) M sittings with an output on each channel (a local UDP socket receives them) and no
      sender: CPU (target <= 10 % of one core for 100), and every output keeps flowing (a
      packet every 20 ms, api-v1: consumed streams never stop): packets, RTP sequence gaps and
      the longest silence between two packets per output.
  (c) threads at 1, 50, 100, 200 sittings (target: constant in sittings and inputs).
CPU comes from /proc/PID/stat over --seconds (>= 20) after a settle.
Exit status 1 when a target is missed (unless --no-fail), 2 on a harness error.

Usage: python3 tests/bench/idle_bench.py [--idle 200] [--with-outputs 100] [--seconds 20]
           [--settle 5] [--no-fail] [--json FILE]
Environment: TOLK_BIN (daemon), defaults to build/.
"""

import argparse
import json
import os
import select
import socket
import struct
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import sitting_bench as sb  # noqa: E402
th = sb.th

IDLE_TARGET = 0.02        # of one core, for 200 idle sittings
OUTPUTS_TARGET = 0.10     # of one core, for 100 sittings with outputs
THREAD_STEPS = (1, 50, 100, 200)
INPUTS_PER_SITTING = 3    # the floor and 2 consoles
FRAME_MS = 20.0
API_TIMEOUT_S = 120.0
STALL_MS = 100.0          # a wait this long between two packets counts as a stop


def sitting_body(n):
    return {'id': 'idle-%03d' % n, 'name': 'Idle sitting %d' % n, 'floor_language': 'de',
            'channels': ['en'], 'booths': [{'language': 'en', 'consoles': 2}]}


class ManyDaemon(th.Daemon):
    """The harness daemon with room for `sittings`: --max-sessions and an --rtp-ports range that
    holds every input (even ports only, so two ports per input) plus a margin for taken ports."""

    def __init__(self, sittings, inputs_per_sitting=INPUTS_PER_SITTING, extra_args=()):
        self.sittings = sittings
        self.inputs = sittings * inputs_per_sitting
        super().__init__(extra_args=['--log-level', 'warn', '--max-sessions', str(max(16, sittings))]
                         + list(extra_args))

    def start(self, timeout=20.0):
        self.port = th.free_tcp_port()
        self.rtp_range = th.free_rtp_range(2 * self.inputs + 100)
        with open(self.stderr_path, 'wb') as err:
            self.proc = subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL, stdout=err, stderr=err)
        self._wait_healthy(timeout)
        return self


def rss_mb(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024.0
    return float('nan')


def overcount_note(core):
    """On a saturated VM the per-thread run times in /proc add up to more than the machine has."""
    if core <= os.cpu_count():
        return ''
    return '  (more than the %d cores: /proc overcounts on a saturated machine; read it as all of it)' \
        % os.cpu_count()


def threads(pid):
    return len(os.listdir('/proc/%d/task' % pid))


def measure_cpu(pid, seconds):
    """(core fraction, context switches per s, machine busy fraction) over `seconds`."""
    c0, _ = sb.proc_cpu(pid)
    x0, _ = sb.ctx_switches(pid)
    i0 = sb.machine_idle()
    w0 = time.monotonic()
    time.sleep(seconds)
    wall = time.monotonic() - w0
    c1, _ = sb.proc_cpu(pid)
    x1, _ = sb.ctx_switches(pid)
    i1 = sb.machine_idle()
    busy = 1.0 - (i1[0] - i0[0]) / max(1, i1[1] - i0[1])
    return (c1 - c0) / wall, (x1 - x0) / wall, busy


class Listener:
    """UDP sockets for every output, read by one thread: per socket the packets, RTP sequence
    gaps and the longest wait between two packets while counting."""

    def __init__(self, count):
        self.socks = []
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 18)
            s.bind(('127.0.0.1', 0))
            s.setblocking(False)
            self.socks.append(s)
        self.stats = [self._fresh() for _ in self.socks]
        self.counting = False
        self.stopping = False
        self.thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _fresh():
        return {'packets': 0, 'gaps': 0, 'reordered': 0, 'max_wait_ms': 0.0, 'stalls': 0,
                'last_seq': None, 'last_t': None}

    def ports(self):
        return [s.getsockname()[1] for s in self.socks]

    def start(self):
        self.thread.start()

    def begin(self):
        for st in self.stats:
            st.update(packets=0, gaps=0, reordered=0, max_wait_ms=0.0, stalls=0)
        self.counting = True

    def end(self):
        self.counting = False
        now = time.monotonic()
        for st in self.stats:   # a stream that stopped before the end counts as a stall too
            if st['last_t'] is not None:
                self._wait(st, now)

    def stop(self):
        self.stopping = True
        self.thread.join(5)
        for s in self.socks:
            s.close()

    def _wait(self, st, t):
        wait_ms = (t - st['last_t']) * 1000.0
        st['max_wait_ms'] = max(st['max_wait_ms'], wait_ms)
        if wait_ms >= STALL_MS:
            st['stalls'] += 1

    def _packet(self, st, data, t):
        if len(data) < 12 or data[0] >> 6 != 2:
            return
        seq = struct.unpack_from('!H', data, 2)[0]
        if self.counting:
            st['packets'] += 1
            if st['last_seq'] is not None:
                d = (seq - st['last_seq'] + 0x8000) % 0x10000 - 0x8000
                if d > 1:
                    st['gaps'] += d - 1
                elif d <= 0:
                    st['reordered'] += 1
            if st['last_t'] is not None:
                self._wait(st, t)
        st['last_seq'] = seq
        st['last_t'] = t

    def _run(self):
        ep = select.epoll()
        by_fd = {}
        for s, st in zip(self.socks, self.stats):
            ep.register(s.fileno(), select.EPOLLIN)
            by_fd[s.fileno()] = (s, st)
        while not self.stopping:
            for fd, _ in ep.poll(0.05):
                s, st = by_fd[fd]
                t = time.monotonic()
                while True:
                    try:
                        data = s.recv(2048)
                    except BlockingIOError:
                        break
                    self._packet(st, data, t)
        ep.close()


def slow_api(daemon):
    """An API client that waits long: an engine that saturates the machine answers slowly."""
    return th.Api(daemon.host, daemon.port, daemon.token, timeout=API_TIMEOUT_S)


class CreateFailed(RuntimeError):
    """A sitting that could not be created: `made` were."""

    def __init__(self, made, why):
        super().__init__('creating sitting %d: %s' % (made + 1, why))
        self.made = made


def post_sitting(api, n):
    """POST one sitting; when the daemon drops the connection of a slow creation (its HTTP idle
    timeout), wait for the sitting to appear. Returns its id and whether it answered late."""
    body = sitting_body(n)
    try:
        return api.expect(201, 'POST', 'sessions', body)['id'], False
    except OSError as e:
        deadline = time.monotonic() + API_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                status, _ = api.get('sessions/' + body['id'])
            except OSError:
                status = None
            if status == 200:
                return body['id'], True
            time.sleep(2)
        raise CreateFailed(n, e)


def create(api, first, last, outputs=None):
    """Sittings first..last-1; with `outputs`, an output on each channel to the next two ports.
    Returns how many POSTs had their connection dropped (the sitting came all the same)."""
    late = 0
    for n in range(first, last):
        sid, was_late = post_sitting(api, n)
        late += was_late
        if outputs is not None:
            for ch in ('floor', 'en'):
                api.expect(201, 'POST', 'sessions/%s/channels/%s/outputs' % (sid, ch),
                           {'host': '127.0.0.1', 'port': next(outputs)})
    return late


def step_row(pid, sittings, args):
    """Threads, RSS and a short CPU sample at one step of (c); prints its line."""
    row = {'sittings': sittings, 'threads': threads(pid), 'rss_mb': rss_mb(pid)}
    row['core'] = measure_cpu(pid, args.step_seconds)[0]
    print('  %8d  %7d  %6.1f  %.3f' % (sittings, row['threads'], row['rss_mb'], row['core']))
    return row


def part_idle(args, result):
    print('== (a) %d idle sittings, (c) threads by sittings ==' % args.idle)
    print('sitting: floor + 1 language channel, 1 booth of 2 consoles (%d inputs), no sender, no consumer'
          % INPUTS_PER_SITTING)
    daemon = ManyDaemon(args.idle)
    daemon.start()
    rows = []
    try:
        api = slow_api(daemon)
        pid = daemon.proc.pid
        print('daemon: --max-sessions %d --rtp-ports %d-%d'
              % (max(16, args.idle), daemon.rtp_range[0], daemon.rtp_range[1]))
        print('  sittings  threads  RSS MB  CPU (core, over %.0f s after a %.0f s settle)'
              % (args.step_seconds, min(args.settle, 3)))
        rows.append(step_row(pid, 0, args))
        made, late, failed = 0, 0, None
        t_setup = time.monotonic()
        for step in [s for s in THREAD_STEPS if s < args.idle] + [args.idle]:
            try:
                late += create(api, made, step)
                made = step
            except CreateFailed as e:
                made, failed = e.made, e
            time.sleep(min(args.settle, 3))
            if not daemon.alive():
                break
            rows.append(step_row(pid, made, args))
            if failed:
                break
        print('setup: %d sittings in %.1f s; POSTs whose connection the daemon closed before answering '
              '(the sitting came later): %d' % (made, time.monotonic() - t_setup, late))
        if not daemon.alive():
            raise RuntimeError('the daemon died at %d sittings (exit status %s):\n%s'
                               % (made, daemon.proc.poll(), daemon.stderr()))
        if failed:
            print('SETUP INCOMPLETE: %s; measuring the %d sittings there are' % (failed, made))
        time.sleep(args.settle)
        core, ctx, busy = measure_cpu(pid, args.seconds)
        nthreads, rss = threads(pid), rss_mb(pid)
        if not daemon.alive():
            raise RuntimeError('the daemon died (exit status %s):\n%s' % (daemon.proc.poll(), daemon.stderr()))
    finally:
        daemon.stop(check=False)
    per = core / max(1, made)
    print('CPU over %.0f s, %d sittings: %.4f of one core in total (%.2f%%), %.3f%% of a core per sitting; '
          '%d threads, RSS %.1f MB, %.0f context switches per s; machine busy %.0f%%%s'
          % (args.seconds, made, core, 100 * core, 100 * per, nthreads, rss, ctx, 100 * busy,
             overcount_note(core)))
    target = IDLE_TARGET * args.idle / 200.0
    ok_cpu = core <= target and made == args.idle
    growth = [r['threads'] for r in rows if r['sittings'] >= 1]
    ok_threads = max(growth) - min(growth) <= 4   # a few for the API's own pool, not per sitting
    print('target: <= %.2f%% of one core for %d sittings: %s; threads constant in sittings (%d..%d): %s'
          % (100 * target, args.idle, 'met' if ok_cpu else 'MISSED', min(growth), max(growth),
             'met' if ok_threads else 'MISSED'))
    result['idle'] = {'sittings': args.idle, 'created': made, 'late_posts': late, 'core': core, 'core_per_sitting': per, 'threads': nthreads,
                      'rss_mb': rss, 'ctx_switches_per_s': ctx, 'machine_busy': busy, 'steps': rows,
                      'targets': {'cpu': ok_cpu, 'threads': ok_threads}}
    return ok_cpu and ok_threads


def part_outputs(args, result):
    n = args.with_outputs
    print()
    print('== (b) %d sittings with an output on each channel, no sender ==' % n)
    listener = Listener(2 * n)
    listener.start()
    daemon = ManyDaemon(n)
    daemon.start()
    try:
        api = slow_api(daemon)
        pid = daemon.proc.pid
        t_setup = time.monotonic()
        late = create(api, 0, n, iter(listener.ports()))
        print('setup: %d sittings, %d outputs in %.1f s; POSTs whose connection the daemon closed before '
              'answering: %d' % (n, 2 * n, time.monotonic() - t_setup, late))
        time.sleep(args.settle)
        listener.begin()
        w0 = time.monotonic()
        core, ctx, busy = measure_cpu(pid, args.seconds)
        listener.end()
        wall = time.monotonic() - w0
        nthreads, rss = threads(pid), rss_mb(pid)
        if not daemon.alive():
            raise RuntimeError('the daemon died (exit status %s):\n%s' % (daemon.proc.poll(), daemon.stderr()))
    finally:
        daemon.stop(check=False)
        listener.stop()
    st = listener.stats
    pk = [s['packets'] for s in st]
    expected = wall * 1000.0 / FRAME_MS
    gaps = sum(s['gaps'] for s in st)
    stalls = sum(s['stalls'] for s in st)
    worst_wait = max(s['max_wait_ms'] for s in st)
    silent = sum(1 for p in pk if p == 0)
    print('CPU over %.0f s: %.4f of one core in total (%.2f%%), %.3f%% of a core per sitting; '
          '%d threads, RSS %.1f MB, %.0f context switches per s; machine busy %.0f%%%s'
          % (args.seconds, core, 100 * core, 100 * core / n, nthreads, rss, ctx, 100 * busy,
             overcount_note(core)))
    print('outputs: %d, packets per output %d..%d (expected %.0f), silent outputs %d, sequence gaps %d, '
          'reordered %d, longest wait between packets %.0f ms, waits >= %.0f ms: %d'
          % (len(st), min(pk), max(pk), expected, silent, gaps, sum(s['reordered'] for s in st),
             worst_wait, STALL_MS, stalls))
    target = OUTPUTS_TARGET * n / 100.0
    ok_cpu = core <= target
    ok_flow = silent == 0 and gaps == 0 and stalls == 0 and min(pk) >= 0.98 * expected
    print('target: <= %.1f%% of one core for %d sittings: %s; every output flows: %s'
          % (100 * target, n, 'met' if ok_cpu else 'MISSED', 'met' if ok_flow else 'MISSED'))
    result['outputs'] = {'sittings': n, 'outputs': len(st), 'core': core, 'core_per_sitting': core / n,
                         'threads': nthreads, 'rss_mb': rss, 'ctx_switches_per_s': ctx, 'machine_busy': busy,
                         'packets_min': min(pk), 'packets_max': max(pk), 'packets_expected': expected,
                         'seq_gaps': gaps, 'stalls': stalls, 'max_wait_ms': worst_wait,
                         'targets': {'cpu': ok_cpu, 'flow': ok_flow}}
    return ok_cpu and ok_flow


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--idle', type=int, default=200, help='idle sittings for (a) and (c) (default 200; 0 skips)')
    ap.add_argument('--with-outputs', type=int, default=100,
                    help='sittings with outputs for (b) (default 100; 0 skips)')
    ap.add_argument('--seconds', type=float, default=20.0, help='measured time per part (default 20)')
    ap.add_argument('--step-seconds', type=float, default=3.0,
                    help='CPU sample at each step of (c) (default 3)')
    ap.add_argument('--settle', type=float, default=5.0, help='wait after the setup (default 5)')
    ap.add_argument('--no-fail', action='store_true', help='exit 0 even when a target is missed')
    ap.add_argument('--json', help='also write the figures to this file')
    args = ap.parse_args()
    print('machine: %d cores, %s' % (os.cpu_count(), sb.cpu_model()))
    result = {'machine': {'cores': os.cpu_count(), 'cpu': sb.cpu_model()}}
    ok = True
    try:
        if args.idle > 0:
            ok = part_idle(args, result) and ok
        if args.with_outputs > 0:
            ok = part_outputs(args, result) and ok
    except (RuntimeError, AssertionError, OSError) as e:
        print('benchmark error: %s' % e, file=sys.stderr)
        return 2
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(result, f, indent=1)
    return 0 if ok or args.no_fail else 1


if __name__ == '__main__':
    sys.exit(main())
