# SPDX-License-Identifier: EUPL-1.2
"""The loadable plugin is found through GST_PLUGIN_PATH, exposes its API and
documents itself: the metadata gst-inspect-1.0 shows, and a SECTION block in
each element's source whose example launch line runs.

Usage: inspect_plugin.py PLUGIN_SOURCE_DIR
"""
import re
import shlex
import subprocess
import sys
from pathlib import Path

EXPECTED = {
    "tolkmix": {
        "long-name": "Tolk mixer",
        "description": "Mixes F32 audio with click-free per-input gain ramps "
                       "and atomic gain batches",
        "names": ["TolkMixPad", "gain", "ramp-ms", "set-gains",
                  "wait-gains-applied", "force-live", "layout: interleaved"],
    },
    "tolkguard": {
        "long-name": "Tolk hearing guard",
        "description": "Peak ceiling, short-term loudness guard and long-term "
                       "loudness warning for headset feeds",
        "names": ["peak-ceiling-db", "short-term-ceiling-db", "warn-level-db",
                  "gain-reduction-db", "layout: interleaved"],
    },
}

LAUNCH = ("tolkmix name=m sink_1::gain=0.25 ! tolkguard ! fakesink "
          "audiotestsrc num-buffers=20 ! audio/x-raw,format=F32LE,channels=1 "
          "! m.sink_0 "
          "audiotestsrc num-buffers=20 ! audio/x-raw,format=F32LE,channels=1 "
          "! m.sink_1")

# An example plays to the speakers; here it plays in real time to nowhere.
SINK_FOR_TESTS = {"autoaudiosink": "fakesink sync=true"}
RUN_SECONDS = 1.0


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=30)


def factory_field(inspect_output, field):
    match = re.search(rf"^\s*{re.escape(field)}\s+(.*)$", inspect_output, re.M)
    return match.group(1).strip() if match else None


def check_inspect(element, expected):
    result = run(["gst-inspect-1.0", element])
    if result.returncode != 0:
        return [f"gst-inspect-1.0 {element}: {result.stderr.strip()}"]
    failures = [f"{element}: '{n}' missing" for n in expected["names"]
                if n not in result.stdout]
    for field, key in (("Long-name", "long-name"), ("Description", "description")):
        found = factory_field(result.stdout, field)
        if found != expected[key]:
            failures.append(f"{element}: {field} is {found!r}, "
                            f"expected {expected[key]!r}")
    return failures


def section_block(source, element):
    """The gtk-doc comment that starts with SECTION:element-ELEMENT, its
    leading ' * ' removed, or None."""
    match = re.search(r"/\*\*\s*\n\s*\*\s*SECTION:element-" + re.escape(element)
                      + r"\s*\n(.*?)\*/", source, re.S)
    if not match:
        return None
    return [re.sub(r"^\s*\* ?", "", line) for line in match.group(1).splitlines()]


def launch_line(lines):
    text = "\n".join(lines)
    match = re.search(r"\|\[\n(.*?)\n\]\|", text, re.S)
    if not match:
        return None
    return " ".join(part.rstrip("\\").strip() for part in match.group(1).splitlines())


def check_section(element, lines):
    failures = []
    if f"@title: {element}" not in lines:
        failures.append(f"{element}: SECTION block has no '@title: {element}'")
    prose = [l for l in lines if l and not l.startswith(("@", "#", "|[", "]|", "gst-"))]
    if len(" ".join(prose)) < 80:
        failures.append(f"{element}: SECTION block has no description")
    if "## Example launch line" not in lines:
        failures.append(f"{element}: SECTION block has no '## Example launch line'")
    line = launch_line(lines)
    if not line or not line.startswith("gst-launch-1.0 ") or element not in line.split():
        failures.append(f"{element}: no gst-launch-1.0 example using it: {line!r}")
        return failures
    return failures + check_launch_runs(element, line)


def check_launch_runs(element, line):
    """The example stays up, playing, for RUN_SECONDS: an error (a missing
    property, caps that do not negotiate) ends gst-launch-1.0 at once."""
    for device, replacement in SINK_FOR_TESTS.items():
        line = line.replace(device, replacement)
    proc = subprocess.Popen(shlex.split(line), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        proc.wait(timeout=RUN_SECONDS)
        out, err = proc.communicate()
        return [f"{element}: example ended after less than {RUN_SECONDS} s "
                f"(exit {proc.returncode}): {line}\n{out}{err}"]
    except subprocess.TimeoutExpired:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    if "Setting pipeline to PLAYING" not in out:
        return [f"{element}: example did not reach PLAYING: {line}\n{out}{err}"]
    return []


def main():
    source_dir = Path(sys.argv[1])
    failures = []
    for element, expected in EXPECTED.items():
        failures += check_inspect(element, expected)
        lines = section_block((source_dir / f"{element}.c").read_text(), element)
        if lines is None:
            failures.append(f"{element}.c: no SECTION:element-{element} block")
        else:
            failures += check_section(element, lines)
    result = run(["gst-launch-1.0", "-q"] + LAUNCH.split())
    if result.returncode != 0:
        failures.append(f"gst-launch-1.0 failed: {result.stderr.strip()}")
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
