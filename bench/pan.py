#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""bench/pan: frame times of the real window while the map is dragged.

Builds a sample store of --incidents incidents (1M by default) with
data-samples/build-sample-store.sh, opens it in the real window under
Xvfb (atalaya-bench-pan) and drags the map for 4 s with a drag update
every 8 ms.  The target: the main thread never blocks for more than 16 ms,
so every frame comes within a frame interval while renders run on a worker.

Prints the program's lines: the longest paint of the first frames that
show the loaded map, then for the first drag of the session (1 s) and the
measured drag (4 s):
  pan <N> points, drag of 4 s: frames <n>, longest frame interval <ms> ms,
  longest main-thread work in the map <ms> ms, longest paint <ms> ms,
  longest main-loop stall <ms> ms
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cli", required=True)
    ap.add_argument("--gen", required=True)
    ap.add_argument("--bench", required=True, help="atalaya-bench-pan")
    ap.add_argument("--builder", required=True, help="data-samples/build-sample-store.sh")
    ap.add_argument("--incidents", type=int, default=1_000_000)
    ap.add_argument("--store", help="use this store instead of building one")
    args = ap.parse_args()

    if shutil.which("xvfb-run") is None:
        sys.exit("bench/pan: xvfb-run is not installed (Debian package xvfb)")

    work = tempfile.mkdtemp(prefix="atalaya-bench-pan-")
    try:
        store = args.store
        if store is None:
            store = os.path.join(work, "north-america.sqlite")
            subprocess.run(["sh", args.builder, "--cli", args.cli, "--gen", args.gen,
                            "--out", store, "--incidents", str(args.incidents)],
                           check=True, stdout=subprocess.DEVNULL)
        n = args.incidents
        label = "%dM points" % (n // 1_000_000) if n % 1_000_000 == 0 else "%d points" % n
        # the uninstalled build's compiled settings schema
        schemas = os.path.join(os.path.dirname(os.path.abspath(args.bench)), "..", "resources")
        env = dict(os.environ, GSETTINGS_BACKEND="memory", GTK_A11Y="none",
                   GSETTINGS_SCHEMA_DIR=os.path.normpath(schemas))
        out = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1920x1080x24",
                              args.bench, store, label],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        sys.stdout.write(out.stdout)
        if out.returncode != 0:
            sys.stderr.write(out.stderr[-2000:])
        return out.returncode
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
