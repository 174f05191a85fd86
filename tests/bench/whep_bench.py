# SPDX-License-Identifier: EUPL-1.2
"""The WHEP listener benchmark: how many WebRTC listeners one channel holds.

Runs the daemon with a small sitting (channels de, en; floor German, fed by a real SRTP/Opus
sender, gst-launch-1.0), then one C process (whep-client run) opens N receive-only WHEP sessions
on channel en, stepping N up. At each step, over --seconds of wall time, it prints:
  - the daemon's CPU (utime+stime from /proc/<pid>/stat), and per listener: over the baseline
    with no listener and as the slope from the previous step;
  - the raw per-listener work timed in the same run (whep-client raw: libsrtp2 protect of a
    100-byte RTP packet + a sendto, x 50 packets/s) and the ratio daemon per listener / raw;
  - packets per listener vs the expected 50/s, RTP sequence gaps, timestamp holes (frames the
    daemon's per-listener appsrc dropped before payloading leave no sequence gap), connected peers;
  - the client's own CPU, the sender's, and everything else on the machine (it is shared).
"Listeners held" = the largest N with every listener connected, no drops, and the daemon below
80 % of the machine. At the end every session is DELETEd and the daemon is checked: listener
count back to 0, threads back to the baseline, still alive.

Usage: python3 tests/bench/whep_bench.py [--steps 10,25,50,100,150,200,300] [--seconds 10]
                                          [--keep-going] [--json FILE]
Environment: TOLK_BIN (daemon), WHEP_CLIENT_BIN (whep-client), both default to build/.
Exit 0 (a benchmark: no target), 2 on a harness error or a daemon fault (crash, leak, no reaping).
"""

import argparse
import json
import os
import re
import select
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, os.path.join(REPO, 'tests', 'e2e'))
sys.path.insert(0, HERE)
import tolkharness as th  # noqa: E402
from sitting_bench import proc_cpu, machine_idle, cpu_model  # noqa: E402

SID = 'whep'
CHANNEL = 'en'
FRAMES_PER_S = 50
DAEMON_LIMIT = 0.80   # of the machine


def loadavg():
    with open('/proc/loadavg') as f:
        return ' '.join(f.read().split()[:3])


def nthreads(pid):
    return len(os.listdir('/proc/%d/task' % pid))


def thread_kinds(pid):
    """{thread name with digits as N: count}"""
    kinds = {}
    for tid in os.listdir('/proc/%d/task' % pid):
        try:
            with open('/proc/%d/task/%s/comm' % (pid, tid)) as f:
                name = re.sub(r'\d+', 'N', f.read().strip())
        except OSError:
            continue
        kinds[name] = kinds.get(name, 0) + 1
    return kinds


def rss_mb(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024.0
    return float('nan')


class Client:
    """whep-client run: one command line in, one JSON line out, each bounded by a timeout."""

    def __init__(self, binary, daemon, path):
        self.proc = subprocess.Popen([binary, 'run', daemon.host, str(daemon.port), path, daemon.token],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

    def cmd(self, line, timeout):
        self.proc.stdin.write(line + '\n')
        self.proc.stdin.flush()
        r, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not r:
            raise RuntimeError('whep-client: no answer to %r in %.0f s' % (line, timeout))
        out = self.proc.stdout.readline()
        if not out:
            raise RuntimeError('whep-client exited (code %s) during %r' % (self.proc.poll(), line))
        return json.loads(out)

    def close(self):
        """quit: it DELETEs what is left and exits; SIGTERM only if it takes more than 20 s."""
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write('quit\n')
                self.proc.stdin.flush()
                self.proc.wait(20.0)
            except (OSError, subprocess.TimeoutExpired):
                pass
        th.terminate(self.proc, grace=5.0)


def listeners(api):
    sess = api.expect(200, 'GET', 'sessions/' + SID)
    return {c['id']: c.get('listeners') for c in sess['channels']}


def measure(daemon, client, sender, api, seconds):
    """CPU and counters over `seconds`; returns a dict."""
    pid = daemon.proc.pid
    s0 = client.cmd('stats', 30)
    c0, _ = proc_cpu(pid)
    snd0, _ = proc_cpu(sender.proc.pid)
    i0 = machine_idle()
    f0 = th.metric_sum(api.metrics(), 'tolk_channel_frames_total', channel=CHANNEL)
    w0 = time.monotonic()
    time.sleep(seconds)
    w1 = time.monotonic()
    c1, _ = proc_cpu(pid)
    snd1, _ = proc_cpu(sender.proc.pid)
    i1 = machine_idle()
    s1 = client.cmd('stats', 30)
    f1 = th.metric_sum(api.metrics(), 'tolk_channel_frames_total', channel=CHANNEL)
    wall = w1 - w0
    cwall = (s1['t_ms'] - s0['t_ms']) / 1000.0
    busy = 1.0 - (i1[0] - i0[0]) / max(1, (i1[1] - i0[1]))
    m = {'wall': wall, 'daemon': (c1 - c0) / wall, 'client': (s1['cpu'] - s0['cpu']) / cwall,
         'sender': (snd1 - snd0) / wall, 'busy': busy, 'threads': nthreads(pid), 'rss_mb': rss_mb(pid),
         'client_threads': s1['threads'], 'channel_frames': f1 - f0, 'expected': FRAMES_PER_S * cwall,
         'loadavg': loadavg()}
    m['other'] = max(0.0, busy * os.cpu_count() - m['daemon'] - m['client'] - m['sender'])
    pk, gaps, reord, holes, conn = [], 0, 0, 0, 0
    p0 = s0['peers']
    for i, p in enumerate(s1['peers']):
        q = p0[i] if i < len(p0) else [0, 0, 0, 0.0, 0]
        pk.append(p[0] - q[0])
        gaps += p[1] - q[1]
        reord += p[2] - q[2]
        holes += max(0, round((p[3] - q[3]) - (p[0] - q[0])))
        conn += p[4]
    m.update({'n': len(pk), 'connected': conn, 'pk_min': min(pk) if pk else 0,
              'pk_max': max(pk) if pk else 0, 'pk_mean': sum(pk) / len(pk) if pk else 0,
              'gaps': gaps, 'reordered': reord, 'ts_holes': holes})
    return m


def start(args):
    """whep-client's path, the steps, the cores and the start time; the machine printed."""
    client_bin = os.environ.get('WHEP_CLIENT_BIN') or os.path.join(REPO, 'build', 'tests', 'bench', 'whep-client')
    if not os.access(client_bin, os.X_OK):
        raise SystemExit('whep-client not found: %s (build first, or set WHEP_CLIENT_BIN)' % client_bin)
    cores = os.cpu_count()
    print('machine: %d cores, %s; load average %s' % (cores, cpu_model(), loadavg()))
    return client_bin, [int(s) for s in args.steps.split(',')], cores, time.monotonic()


def run(args):
    client_bin, steps, cores, t_start = start(args)

    raw = json.loads(subprocess.check_output([client_bin, 'raw', '4'], timeout=60))
    print('raw work per listener, this machine, one thread: srtp_protect of a %d-byte RTP packet '
          '(AES_CM_128_HMAC_SHA1_80) %.2f us + sendto of the %d-byte SRTP packet %.2f us; '
          'x 50/s = %.5f of one core (%.3f ms CPU per s)'
          % (raw['packet_bytes'], raw['protect_us'], raw['srtp_bytes'], raw['sendto_us'],
             raw['per_listener_core'], 1000 * raw['per_listener_core']))

    daemon = th.Daemon(extra_args=['--log-level', 'warn'] + args.daemon_arg)
    daemon.start(timeout=20)
    sender = client = None
    rows, faults, result = [], [], {}
    try:
        api = daemon.api()
        sess = api.expect(201, 'POST', 'sessions', {
            'id': SID, 'name': 'WHEP benchmark', 'floor_language': 'de', 'channels': ['de', CHANNEL],
            'booths': [{'language': 'en', 'consoles': 1}]})
        sender = th.Sender.for_input(sess, 'floor', 440, volume=0.1).start()
        print('sitting: channels de, en; floor (de) fed by gst-launch-1.0 (SRTP Opus, 440 Hz at -23 dBFS); '
              'no booth live, so channel %s carries the floor; WHEP listeners on channel %s' % (CHANNEL, CHANNEL))
        time.sleep(2.0)
        if not sender.running():
            raise RuntimeError('the floor sender died:\n' + sender.log())
        base_threads = nthreads(daemon.proc.pid)
        base_kinds = thread_kinds(daemon.proc.pid)
        client = Client(client_bin, daemon, '/api/v1/sessions/%s/channels/%s/whep' % (SID, CHANNEL))
        base = measure(daemon, client, sender, api, min(5.0, args.seconds))
        print('baseline, no listener (%.1f s): daemon %.3f core, %d threads, RSS %.0f MB; channel frames %.1f/s; '
              'client %.3f, sender %.3f, everything else %.2f core'
              % (base['wall'], base['daemon'], base['threads'], base['rss_mb'],
                 base['channel_frames'] / base['wall'], base['client'], base['sender'], base['other']))
        print()
        print('%5s %5s %7s %6s %8s %7s %6s %6s %11s %5s %5s %6s %6s %6s %6s %5s  %s'
              % ('N', 'conn', 'add s', 'daemon', 'ms/lst/s', 'x raw', 'slope', 'client', 'pk/lst',
                 'gaps', 'holes', 'thr', 'RSS MB', 'sender', 'other', 'ok', 'loadavg'))
        prev = (0, base['daemon'])
        held = 0
        for n in steps:
            if time.monotonic() - t_start > args.budget:
                print('(time budget of %.0f s spent: steps from N=%d on skipped)' % (args.budget, n))
                break
            add = n - (rows[-1]['n'] if rows else 0)
            a = client.cmd('add %d' % add, 60 + add)
            if not daemon.alive():
                faults.append('daemon died while adding listeners (N=%d): code %s\n%s'
                              % (n, daemon.proc.returncode, daemon.stderr()))
                break
            time.sleep(args.settle)
            m = measure(daemon, client, sender, api, args.seconds)
            m['add'] = a
            m['listeners_api'] = listeners(api).get(CHANNEL)
            per = (m['daemon'] - base['daemon']) / n
            slope = (m['daemon'] - prev[1]) / (n - prev[0])
            prev = (n, m['daemon'])
            no_drops = (m['connected'] == n and m['gaps'] == 0 and m['ts_holes'] == 0
                        and m['pk_min'] >= 0.98 * m['expected'])
            ok = no_drops and m['daemon'] < DAEMON_LIMIT * cores
            m.update({'per_listener': per, 'slope': slope, 'ratio': per / raw['per_listener_core'],
                      'no_drops': no_drops, 'ok': ok})
            rows.append(m)
            if ok:
                held = n
            print('%5d %5d %7.1f %6.3f %8.3f %7.1f %6.4f %6.3f %5d..%-5d %5d %5d %6d %6.0f %6.3f %6.2f %5s  %s'
                  % (n, m['connected'], a['ms'] / 1000.0, m['daemon'], 1000 * per, m['ratio'], slope,
                     m['client'], m['pk_min'], m['pk_max'], m['gaps'], m['ts_holes'], m['threads'],
                     m['rss_mb'], m['sender'], m['other'], 'yes' if ok else 'NO', m['loadavg']))
            if a['failed'] or a['connected'] < add:
                print('      add: %d ok, %d failed, %d of %d new connected in %.1f s; API listeners: %s'
                      % (a['ok'], a['failed'], a['connected'], add, a['ms'] / 1000.0, m['listeners_api']))
            if not ok and not args.keep_going:
                break
        print('(daemon = cores of CPU; ms/lst/s = (daemon - baseline) / N in ms of CPU per listener per s; '
              'x raw = that / raw work; slope = core per listener from the previous step; pk/lst = packets '
              'per listener, expected %.0f; holes = frames missing from the RTP timestamps)'
              % (rows[0]['expected'] if rows else FRAMES_PER_S * args.seconds))

        # teardown: DELETE everything, check that the daemon reaps
        print()
        n_last = rows[-1]['n'] if rows else 0
        d = client.cmd('delete', 120 + n_last)
        t_del = time.monotonic()
        lis, thr = None, None
        while time.monotonic() - t_del < 15:
            lis = listeners(api).get(CHANNEL)
            thr = nthreads(daemon.proc.pid)
            if lis == 0 and thr <= base_threads + 2:
                break
            time.sleep(0.25)
        print('teardown: %d DELETE 204, %d failed, in %.1f s; after %.1f s: API listeners on %s = %s, '
              'daemon threads %d (baseline %d), RSS %.0f MB (baseline %.0f)'
              % (d['deleted'], d['failed'], d['ms'] / 1000.0, time.monotonic() - t_del, CHANNEL, lis, thr,
                 base_threads, rss_mb(daemon.proc.pid), base['rss_mb']))
        if d['failed']:
            faults.append('%d DELETEs failed' % d['failed'])
        if lis != 0:
            faults.append('listeners not reaped after DELETE: the API still counts %s on %s' % (lis, CHANNEL))
        if thr is not None and thr > base_threads + 2:
            kinds = thread_kinds(daemon.proc.pid)
            extra = {k: v - base_kinds.get(k, 0) for k, v in kinds.items() if v > base_kinds.get(k, 0)}
            faults.append('thread leak: %d daemon threads %.0f s after the last DELETE, %d before any listener; '
                          'the extra ones: %s' % (thr, time.monotonic() - t_del, base_threads,
                                                  ', '.join('%s x%d' % kv for kv in sorted(extra.items()))))
        client.close()
        client = None
        if not daemon.alive():
            faults.append('daemon died: code %s\n%s' % (daemon.proc.returncode, daemon.stderr()))
        if rows:
            last_ok = [r for r in rows if r['ok']]
            ref = last_ok[-1] if last_ok else rows[0]
            print()
            print('== verdict ==')
            print('listeners held on one channel: %d (largest N connected, no drops, daemon < %.0f%% of %d cores)'
                  % (held, 100 * DAEMON_LIMIT, cores))
            print('daemon per listener at N=%d: %.3f ms of CPU per s (%.4f core), %.1fx the raw protect+sendto '
                  '(%.3f ms per s); %.1f threads per listener'
                  % (ref['n'], 1000 * ref['per_listener'], ref['per_listener'], ref['ratio'],
                     1000 * raw['per_listener_core'], (ref['threads'] - base_threads) / ref['n']))
            print('client (same machine) per listener: %.3f ms of CPU per s'
                  % (1000 * (ref['client'] - base['client']) / ref['n']))
        result = {'machine': {'cores': cores, 'cpu': cpu_model()}, 'raw': raw, 'baseline': base,
                  'steps': rows, 'held': held, 'faults': faults}
    finally:
        if client:
            client.close()
        if sender:
            sender.stop()
        rc = daemon.stop(check=False)
        if rc not in (0, None):
            faults.append('daemon exit code %s on SIGTERM:\n%s' % (rc, daemon.stderr()))
    return finish(faults, t_start, result, args.json)


def finish(faults, t_start, result, json_path):
    """The faults and the time printed, the figures written to json_path; true without a fault."""
    for f in faults:
        print('DAEMON FAULT: ' + f)
    print('total time %.0f s' % (time.monotonic() - t_start))
    if json_path:
        with open(json_path, 'w') as f:
            json.dump(result, f, indent=1)
    return not faults


def run_main(run, ap):
    """ap's --json and --daemon-arg added, run(args): exit 0, or 2 on a harness error or a fault."""
    ap.add_argument('--json', help='also write the figures to this file')
    ap.add_argument('--daemon-arg', action='append', default=[],
                    help='extra option for the daemon, e.g. --daemon-arg=--ice-address=127.0.0.1 (repeatable)')
    args = ap.parse_args()
    try:
        ok = run(args)
    except (RuntimeError, AssertionError, OSError, subprocess.SubprocessError, ValueError, KeyError) as e:
        print('benchmark error: %s' % e, file=sys.stderr)
        return 2
    return 0 if ok else 2


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--steps', default='10,25,50,100,150,200,300', help='listener counts (default %(default)s)')
    ap.add_argument('--seconds', type=float, default=10.0, help='measured time per step (default 10)')
    ap.add_argument('--settle', type=float, default=2.0, help='wait after adding listeners (default 2)')
    ap.add_argument('--budget', type=float, default=200.0, help='no new step after this many s (default 200)')
    ap.add_argument('--keep-going', action='store_true', help='go on stepping after a failed step')
    return run_main(run, ap)


if __name__ == '__main__':
    sys.exit(main())
