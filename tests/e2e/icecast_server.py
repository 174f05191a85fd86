# SPDX-License-Identifier: EUPL-1.2
"""An icecast2 for a test in another language (tests/browser): started as icecastharness does,
its port and source password printed as one JSON line; it runs until stdin closes."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import icecastharness as ih  # noqa: E402


def main():
    ice = ih.Icecast(cors='--cors' in sys.argv).start()
    try:
        print(json.dumps({'port': ice.port, 'password': ice.password}), flush=True)
        sys.stdin.read()
    finally:
        ice.cleanup()


if __name__ == '__main__':
    main()
