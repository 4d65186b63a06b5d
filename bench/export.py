#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""bench/export: map pages for print, timed against their targets.

The store is the sample store of data-samples/build-sample-store.sh with
--incidents (1M by default; or --store, used as it is).  Three workloads,
each `atalaya-cli export-map` timed as a whole process, median of --runs
after a warm-up:

- a Letter PDF of the store's shown layers (1M incidents among them),
  whole North America in the analysis CRS: target under 3 s, and the file
  under 20 MB (points are drawn as vectors only where they can be told
  apart at print resolution, aggregated below that);
- the same page as a 300 DPI PNG (2550 x 3300);
- an atlas of the states and provinces (one PDF page each, --atlas
  states_provinces): target under 60 s for the 60+ pages.

No other tool composes these pages from a SpatiaLite store in one
command, so each line gives Atalaya's time and the target:
  <workload>: atalaya <s> s (target under <t> s)[, <MB> MB (target under 20 MB)]
Exits with 1 when a target is missed, 2 when a tool is missing.
"""

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

from benchutil import label_for


def build_store(args, store, env):
    cache = args.cache or os.path.join(os.path.dirname(os.path.abspath(store)), "cache")
    cmd = ["sh", args.builder, "--cli", args.cli, "--gen", args.gen, "--out", store,
           "--incidents", str(args.incidents), "--cache", cache]
    t0 = time.perf_counter()
    build = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if build.returncode != 0:
        sys.exit("bench/export: building the store failed:\n%s" % build.stderr)
    print("  (built %s in %.1f s)" % (store, time.perf_counter() - t0), file=sys.stderr, flush=True)


def time_export(cli, args, runs, env):
    """Runs atalaya-cli export-map once to warm up, then runs times; returns
    the median seconds."""
    times = []
    for i in range(runs + 1):
        t0 = time.perf_counter()
        out = subprocess.run([cli, "export-map"] + args + ["--quiet"], env=env,
                             capture_output=True, text=True)
        dt = time.perf_counter() - t0
        if out.returncode != 0:
            sys.exit("bench/export: export-map %s failed (%d):\n%s" % (" ".join(args), out.returncode,
                                                                        out.stderr))
        if i > 0:
            times.append(dt)
    return statistics.median(times)


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit("bench/export: %s is not a PNG" % path)
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def pdf_pages(path):
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:
        return None
    out = subprocess.run([pdfinfo, path], capture_output=True, text=True)
    for line in out.stdout.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return None


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cli", required=True, help="path to atalaya-cli")
    ap.add_argument("--gen", help="path to atalaya-sample-gen (to build the store)")
    ap.add_argument("--builder", default=os.path.join(here, "..", "data-samples",
                                                      "build-sample-store.sh"))
    ap.add_argument("--incidents", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3, help="timed runs per workload (>= 3)")
    ap.add_argument("--store", help="use this store (built there first if it does not exist)")
    ap.add_argument("--cache", help="download/work cache of the store builder (kept)")
    ap.add_argument("--keep", help="keep the store and the outputs in this directory")
    args = ap.parse_args()
    if args.runs < 3:
        ap.error("--runs must be at least 3")

    env = dict(os.environ, PROJ_NETWORK="OFF")
    if subprocess.run([args.cli, "export-map", "--help"], env=env, stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL).returncode != 0:
        print("bench/export: %s has no export-map command" % args.cli, file=sys.stderr)
        sys.exit(2)

    work = args.keep or tempfile.mkdtemp(prefix="atalaya-bench-export-")
    os.makedirs(work, exist_ok=True)
    missed = []
    try:
        store = os.path.abspath(args.store) if args.store else os.path.join(
            work, "export-%s.sqlite" % label_for(args.incidents))
        if not os.path.exists(store):
            if not args.gen:
                ap.error("--gen is needed to build %s" % store)
            build_store(args, store, env)
        with sqlite3.connect("file:%s?mode=ro" % store, uri=True) as db:
            n_inc = db.execute("SELECT feature_count FROM atalaya_layers WHERE name = 'incidents'").fetchone()
            n_states = db.execute("SELECT feature_count FROM atalaya_layers "
                                  "WHERE name = 'states_provinces'").fetchone()
        if n_inc is None or n_states is None:
            sys.exit("bench/export: %s has no incidents or states_provinces layer" % store)
        n_inc, n_states = n_inc[0], n_states[0]

        # 1. the Letter PDF
        pdf = os.path.join(work, "letter.pdf")
        s = time_export(args.cli, [store, pdf, "--title", "Incidents", "--date", "2026-11-28"], args.runs, env)
        mb = os.path.getsize(pdf) / 1e6
        print("export-map letter pdf, %s incidents: atalaya %.3f s (target under 3 s), %.1f MB "
              "(target under 20 MB)" % (label_for(n_inc), s, mb), flush=True)
        if s >= 3 or mb >= 20:
            missed.append("letter pdf")

        # 2. the PNG at 300 DPI
        png = os.path.join(work, "letter.png")
        s = time_export(args.cli, [store, png, "--dpi", "300", "--title", "Incidents",
                                   "--date", "2026-11-28"], args.runs, env)
        w, h = png_size(png)
        print("export-map letter png 300 dpi, %s incidents: atalaya %.3f s (%d x %d)" % (
            label_for(n_inc), s, w, h), flush=True)
        if (w, h) != (2550, 3300):
            missed.append("png size")

        # 3. the atlas of the states and provinces
        atlas = os.path.join(work, "atlas.pdf")
        s = time_export(args.cli, [store, atlas, "--atlas", "states_provinces",
                                   "--date", "2026-11-28"], args.runs, env)
        pages = pdf_pages(atlas)
        print("export-map atlas of %d states and provinces, %s incidents: atalaya %.3f s "
              "(target under 60 s)%s" % (n_states, label_for(n_inc), s,
                                          ", %d pages" % pages if pages is not None else ""), flush=True)
        if s >= 60 or (pages is not None and pages != n_states):
            missed.append("atlas")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    if missed:
        sys.exit("bench/export: targets missed: %s" % ", ".join(missed))


if __name__ == "__main__":
    main()
