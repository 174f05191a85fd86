#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# Builds the Debian package from the committed tree, outside it (dpkg-buildpackage
# writes next to the source folder): dist/build-deb.sh [OUTDIR], default build-deb/.
# Needs the packages of tolk.sh's DEB_PACKAGES (debhelper, dpkg-dev).
set -eu
top=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
out=$(realpath -m "${1:-$top/build-deb}")
version=$(sed -n '1s/.*(\(.*\)).*/\1/p' "$top/debian/changelog")
rm -rf "$out"
mkdir -p "$out"
git -C "$top" archive --format=tar --prefix="tolk-$version/" HEAD | tar -x -C "$out"
cd "$out/tolk-$version"
dpkg-buildpackage -us -uc -b -j2
ls -l "$out"/*.deb
