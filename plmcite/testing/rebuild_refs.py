"""Rebuild this repository's refs/ from the local fake services, in one command.

    python -m plmcite.testing.rebuild_refs [--data tests/fixtures/metadata]

Starts the fakes (which serve the hand-gathered records), runs the real ``plmcite resolve``
against them with a throw-away cache, then regenerates ``refs/bib/`` with ``plmcite bib``. Run it
from the repository root after changing the resolver, the venue table or the key rules; CI checks
that the committed files are what these commands produce.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

from .fakes import FakeInternet


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default="tests/fixtures/metadata", help="record directory the fakes serve")
    args = ap.parse_args(argv)
    with FakeInternet(args.data) as net, tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, **net.env(), "PLMCITE_CACHE_DIR": cache}
        for cmd in (["resolve"], ["bib"]):
            rc = subprocess.call([sys.executable, "-m", "plmcite.cli", *cmd], env=env)
            if rc:
                return rc
        if net.errors():
            print("\n".join(net.errors()), file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
