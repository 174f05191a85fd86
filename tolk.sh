#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# The two commands of the README:
#   ./tolk.sh demo   installs what is missing, builds, runs Tolk on the demo sitting
#   ./tolk.sh test   installs what is missing, builds, runs every test
# Other subcommands: deps (install only), build, bench, asan (the tests under
# AddressSanitizer and UBSan in build-asan/), fuzz [SECONDS] (each libFuzzer target of
# tests/fuzz for SECONDS, default 5, in build-fuzz/; test runs it for 5), deb [OUTDIR] (the
# Debian package, default in build-deb/).
set -euo pipefail
cd "$(dirname "$0")"

# Debian 12 packages: the build, the media stack, and the real clients the tests use.
PACKAGES=(
  build-essential meson ninja-build pkg-config
  libglib2.0-dev libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstreamer-plugins-bad1.0-dev
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-nice
  libnice-dev libsrtp2-dev libopus-dev libmicrohttpd-dev libjson-c-dev libsqlite3-dev
  libsystemd-dev systemd man-db groff-base
  python3 python3-cryptography ffmpeg espeak-ng curl openssl
  clang libclang-rt-14-dev
  chromium nodejs
  libshout3-dev gstreamer1.0-libav icecast2 vlc-bin vlc-plugin-base nginx-light mpv
)
# Only for ./tolk.sh bench: Janus AudioBridge, the peer of the plenary benchmark
# (tests/bench/sitting_bench.py runs it as a child with its own configuration). Debian's package
# also enables a system janus service with the stock configuration; the benchmark does not need
# it (systemctl disable --now janus).
BENCH_PACKAGES=(janus)
# For ./tolk.sh deb and the deb suite of ./tolk.sh test: the Debian package (dist/build-deb.sh,
# docs/deployment.md).
DEB_PACKAGES=(debhelper dpkg-dev fakeroot)

missing_packages() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}

deps() {
  local missing
  missing=$(missing_packages "${PACKAGES[@]}" "$@")
  # Debian's nodejs comes without npm; a nodejs that bundles it conflicts with the npm package.
  command -v npm >/dev/null 2>&1 || missing="$missing npm"
  missing=$(echo $missing)
  [ -z "$missing" ] && return 0
  echo "Installing: $missing"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -q
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $missing
}

browser_deps() {
  # playwright-core drives Debian's chromium; installed from the lockfile.
  if [ ! -d tests/browser/node_modules/playwright-core ] ||
     [ tests/browser/package-lock.json -nt tests/browser/node_modules/.package-lock.json ]; then
    npm ci --prefix tests/browser --no-audit --no-fund
  fi
}

build() {
  local dir=${1:-build}
  shift || true
  [ -f "$dir/build.ninja" ] || meson setup "$dir" "$@"
  ninja -C "$dir"
}

demo_voice() {
  # The demo floor: German speech synthesised here, so no recording needs a licence.
  local wav=build/demo/floor-de.wav
  mkdir -p build/demo
  if [ ! -s "$wav" ]; then
    espeak-ng -v de -s 150 -w "$wav" \
      "Guten Tag, meine Damen und Herren. Ich eröffne die Sitzung. Auf der Tagesordnung stehen heute \
       drei Punkte: der Haushalt, die Verkehrspolitik und die Zusammenarbeit mit unseren Nachbarn. \
       Das Wort hat die Abgeordnete aus Malta." || true
  fi
  [ -s "$wav" ] && echo "$wav"
}

# The fuzz targets' names, from the build's own target list.
fuzz_targets() {
  meson introspect "$1" --targets |
    python3 -c 'import json, sys; print(" ".join(sorted(t["name"] for t in json.load(sys.stdin) if t["name"].startswith("fuzz_"))))'
}

# libFuzzer needs clang, and its instrumentation a build of its own: build-fuzz/, under ASan
# and UBSan. Each target runs for $1 seconds; what it learns stays in build-fuzz/corpus/NAME
# (the seeds in tests/fuzz/corpus/NAME stay as they are), a crash is written to
# build-fuzz/crash-NAME-* and fails the command.
fuzz() {
  local seconds=${1:-5} dir=build-fuzz status=0 name
  [ -f "$dir/build.ninja" ] || CC=clang meson setup "$dir" -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false
  local targets
  targets=$(fuzz_targets "$dir")
  # shellcheck disable=SC2046
  ninja -C "$dir" $(for name in $targets; do echo "tests/fuzz/$name"; done)
  for name in $targets; do
    mkdir -p "$dir/corpus/${name#fuzz_}"
    # libFuzzer's progress goes to build-fuzz/NAME.log; the figures (runs, coverage) are shown.
    if ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      "$dir/tests/fuzz/$name" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=1024 \
      -artifact_prefix="$dir/crash-${name#fuzz_}-" "$dir/corpus/${name#fuzz_}" "tests/fuzz/corpus/${name#fuzz_}" \
      >"$dir/$name.log" 2>&1; then
      echo "$name: $(grep -E '^#[0-9]+[[:space:]]+(DONE|INITED|NEW|REDUCE|pulse)' "$dir/$name.log" | tail -1)"
    else
      tail -n 40 "$dir/$name.log"
      echo "$name FAILED: the input is in $dir/crash-${name#fuzz_}-*, the log in $dir/$name.log"
      status=1
    fi
  done
  return "$status"
}

case "${1:-}" in
  deps) deps ;;
  build) deps; build build ;;
  demo)
    deps; build build
    floor=$(demo_voice || true)
    exec build/mixer/daemon/tolk --demo ${floor:+--demo-floor "$floor"} --demo-sdp-dir build/demo \
      --state-dir build/demo/state "${@:2}" ;;
  test)
    # The package's tools too: the deb suite builds the Debian package, and skips without them.
    deps "${DEB_PACKAGES[@]}"; browser_deps; build build
    status=0
    # A short run of every fuzz target first: a crash it finds fails the tests. The suite's
    # summary comes last, so that it is the closing line.
    [ $# -gt 1 ] || fuzz 5 || status=1
    meson test -C build --print-errorlogs "${@:2}" || status=1
    python3 tests/summary.py build/meson-logs/testlog.json || status=1
    exit "$status" ;;
  bench)
    deps "${BENCH_PACKAGES[@]}"; build build
    meson test -C build --benchmark --verbose "${@:2}" ;;
  asan)
    deps; browser_deps; build build-asan -Db_sanitize=address,undefined -Db_lundef=false
    # GLib allocates once in a library constructor and never frees it: tests/lsan.supp.
    ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS="fast_unwind_on_malloc=0:suppressions=$PWD/tests/lsan.supp" \
      meson test -C build-asan --print-errorlogs "${@:2}" ;;
  fuzz) deps; fuzz "${2:-5}" ;;
  deb) deps "${DEB_PACKAGES[@]}"; dist/build-deb.sh "${@:2}" ;;
  *)
    echo "usage: $0 demo|test|deps|build|bench|asan|fuzz [SECONDS]|deb [OUTDIR]" >&2
    exit 2 ;;
esac
