#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# Runs the browser tests (node --test tests/browser/). Without node_modules the tests are skipped
# (exit 77), unless CI is set: then a missing dependency is a failure.
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$here/node_modules/playwright-core" ]; then
  if [ -z "$CI" ]; then
    echo "browser tests skipped: run 'npm ci --prefix tests/browser' (and apt-get install chromium)"
    exit 77
  fi
  echo "browser tests: tests/browser/node_modules is missing (npm ci --prefix tests/browser)" >&2
  exit 1
fi
exec node --test --test-concurrency=1 "$here/"
