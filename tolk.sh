#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# The two commands of the README:
#   ./tolk.sh demo   installs what is missing, builds, runs Tolk on the demo sitting
#   ./tolk.sh test   installs what is missing, builds, runs every test
# Other subcommands: deps (install only), build, bench, asan (the tests under
# AddressSanitizer and UBSan in build-asan/).
set -euo pipefail
cd "$(dirname "$0")"

# Debian 12 packages: the build, the media stack, and the real clients the tests use.
PACKAGES=(
  build-essential meson ninja-build pkg-config
  libglib2.0-dev libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstreamer-plugins-bad1.0-dev
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-nice
  libsrtp2-dev libopus-dev libmicrohttpd-dev libjson-c-dev
  python3 python3-cryptography ffmpeg espeak-ng curl openssl
  chromium nodejs
)

missing_packages() {
  local p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}

deps() {
  local missing
  missing=$(missing_packages)
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

case "${1:-}" in
  deps) deps ;;
  build) deps; build build ;;
  demo)
    deps; build build
    floor=$(demo_voice || true)
    exec build/mixer/tolk --demo ${floor:+--demo-floor "$floor"} --demo-sdp-dir build/demo "${@:2}" ;;
  test)
    deps; browser_deps; build build
    status=0
    meson test -C build --print-errorlogs "${@:2}" || status=$?
    python3 tests/summary.py build/meson-logs/testlog.json || status=1
    exit "$status" ;;
  bench)
    deps; build build
    meson test -C build --benchmark --verbose "${@:2}" ;;
  asan)
    deps; browser_deps; build build-asan -Db_sanitize=address,undefined -Db_lundef=false
    # GLib allocates once in a library constructor and never frees it: tests/lsan.supp.
    ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS="fast_unwind_on_malloc=0:suppressions=$PWD/tests/lsan.supp" \
      meson test -C build-asan --print-errorlogs "${@:2}" ;;
  *)
    echo "usage: $0 demo|test|deps|build|bench|asan" >&2
    exit 2 ;;
esac
