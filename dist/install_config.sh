#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# meson install script: install_config.sh EXAMPLE SYSCONFDIR/tolk
# Installs the example configuration file unless one is there already.
set -eu
example=$1
dir="${DESTDIR:-}$2"
mkdir -p "$dir"
if [ -e "$dir/tolk.conf" ]; then
  install -m 0644 "$example" "$dir/tolk.conf.dist"
  echo "Kept $dir/tolk.conf; the new example is $dir/tolk.conf.dist"
else
  install -m 0644 "$example" "$dir/tolk.conf"
  echo "Installing $example to $dir"
fi
