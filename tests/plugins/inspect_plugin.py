# SPDX-License-Identifier: EUPL-1.2
"""The loadable plugin is found through GST_PLUGIN_PATH and exposes its API."""
import subprocess
import sys

EXPECTED = {
    "tolkmix": ["TolkMixPad", "gain", "ramp-ms", "set-gains", "force-live"],
    "tolkguard": ["peak-ceiling-db", "short-term-ceiling-db",
                  "warn-level-db", "gain-reduction-db"],
}

LAUNCH = ("tolkmix name=m sink_1::gain=0.25 ! tolkguard ! fakesink "
          "audiotestsrc num-buffers=20 ! audio/x-raw,format=F32LE,channels=1 "
          "! m.sink_0 "
          "audiotestsrc num-buffers=20 ! audio/x-raw,format=F32LE,channels=1 "
          "! m.sink_1")


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=30)


def main():
    failures = []
    for element, names in EXPECTED.items():
        result = run(["gst-inspect-1.0", element])
        if result.returncode != 0:
            failures.append(f"gst-inspect-1.0 {element}: {result.stderr.strip()}")
            continue
        failures += [f"{element}: '{n}' missing" for n in names
                     if n not in result.stdout]
    result = run(["gst-launch-1.0", "-q"] + LAUNCH.split())
    if result.returncode != 0:
        failures.append(f"gst-launch-1.0 failed: {result.stderr.strip()}")
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
