#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""bench/import: a generated point CSV into a SpatiaLite store with its
spatial index, atalaya-cli against ogr2ogr on the same file in one run.

Prints one line per comparison:
  <workload>: atalaya <s> s, ogr2ogr <s> s, ratio <atalaya/ogr2ogr>
with medians of several runs, and the peak memory of each tool.
"""

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile

CATEGORIES = ["hazardous_waste", "ods_smuggling", "wildlife_trafficking",
              "illegal_dumping", "illegal_logging"]


def generate(path, n, seed):
    rnd = random.Random(seed)
    with open(path, "w", encoding="utf-8") as f:
        f.write("incident_id,occurred,category,severity,country,longitude,latitude\n")
        for i in range(n):
            lon = rnd.uniform(-125.0, -67.0)
            lat = rnd.uniform(15.0, 55.0)
            f.write("%d,%04d-%02d-%02dT%02d:%02d:00Z,%s,%d,%s,%.6f,%.6f\n" % (
                i + 1, rnd.randint(2015, 2025), rnd.randint(1, 12), rnd.randint(1, 28),
                rnd.randint(0, 23), rnd.randint(0, 59), rnd.choice(CATEGORIES),
                rnd.randint(1, 5), rnd.choice(("US", "MX", "CA")), lon, lat))


def timed(cmd, env=None):
    """Runs cmd under /usr/bin/time; returns (seconds, peak RSS in MB)."""
    out = subprocess.run(["/usr/bin/time", "-f", "%e %M"] + cmd, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if out.returncode != 0:
        sys.exit("bench/import: %s failed:\n%s" % (cmd[0], out.stderr))
    seconds, kb = out.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(kb) / 1024.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cli", required=True, help="path to atalaya-cli")
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()

    if shutil.which("ogr2ogr") is None:
        sys.exit("bench/import: ogr2ogr is not installed (Debian package gdal-bin)")

    work = tempfile.mkdtemp(prefix="atalaya-bench-import-")
    try:
        csv = os.path.join(work, "points.csv")
        generate(csv, args.points, args.seed)
        env = dict(os.environ, PROJ_NETWORK="OFF")

        ours, theirs = [], []
        for run in range(args.runs):
            store = os.path.join(work, "atalaya-%d.sqlite" % run)
            # the whole job from nothing: create the store, then import
            t0, m0 = timed([args.cli, "init", store], env)
            t1, m1 = timed([args.cli, "import", "--quiet", store, csv], env)
            ours.append((t0 + t1, max(m0, m1)))

            out = os.path.join(work, "ogr-%d.sqlite" % run)
            theirs.append(timed(["ogr2ogr", "-f", "SQLite", "-dsco", "SPATIALITE=YES",
                                 "-gt", "65536", "-oo", "X_POSSIBLE_NAMES=longitude",
                                 "-oo", "Y_POSSIBLE_NAMES=latitude",
                                 "-oo", "AUTODETECT_TYPE=YES", "-a_srs", "EPSG:4326",
                                 "-nln", "points", out, csv], env))
            for p in (store, out):
                for suffix in ("", "-wal", "-shm"):
                    if os.path.exists(p + suffix):
                        os.unlink(p + suffix)

        a = statistics.median(t for t, _ in ours)
        o = statistics.median(t for t, _ in theirs)
        label = "import %s points CSV" % format(args.points, ",")
        print("%s: atalaya %.2f s, ogr2ogr %.2f s, ratio %.3f" % (label, a, o, a / o))
        print("%s peak memory: atalaya %.0f MB, ogr2ogr %.0f MB" % (
            label, max(m for _, m in ours), max(m for _, m in theirs)))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
