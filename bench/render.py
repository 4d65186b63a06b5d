#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""bench/render: Atalaya against QGIS drawing 100k and 1M points at full extent.

The layer is the sample store's incidents; the image 1920x1080; both tools
run in one go, on the same store.

For each size (100k and 1M incidents by default) the script builds a sample
store with data-samples/build-sample-store.sh, then times:

- Atalaya: atalaya-bench-render, which loads the layer into memory once
  (projected to the display CRS, not timed here) and times
  gis_render_image() alone, after one warm-up render;
- QGIS (python3-qgis, headless: QT_QPA_PLATFORM=offscreen): the same
  table of the same SpatiaLite store through QGIS's "spatialite" provider,
  a single simple-marker symbol like Atalaya's default incident symbol
  (5 px orange circle, alpha 0.8, no outline), the same display CRS and the
  same extent, rendered by QgsMapRendererParallelJob into 1920x1080, timed
  after one warm-up render.  QGIS has no in-memory copy of the layer: each
  of its renders reads the rows and reprojects the points, which is the
  point of the comparison.

Both medians are of --runs renders.  Prints one line per comparison:
  render <N> points <W>x<H>: atalaya <s> s, qgis <s> s, ratio <atalaya/qgis>
Details (load time, image paths) go to stderr.  Exits with 2 when the QGIS
Python bindings are not installed.
"""

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile

from benchutil import label_for, find_qgis_python, parse_kv

CEC_LAEA = ("+proj=laea +lat_0=45 +lon_0=-100 +x_0=0 +y_0=0 +R=6370997 "
            "+units=m +no_defs +type=crs")


def qgis_worker(argv):
    """Runs inside an interpreter with the QGIS bindings."""
    ap = argparse.ArgumentParser()
    ap.add_argument("store")
    ap.add_argument("table")
    ap.add_argument("--extent", required=True, help="min_x,min_y,max_x,max_y")
    ap.add_argument("--crs", required=True)
    ap.add_argument("--width", type=int, default=1920)
    ap.add_argument("--height", type=int, default=1080)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--png")
    args = ap.parse_args(argv)

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import time
    from qgis.core import (QgsApplication, QgsCoordinateReferenceSystem,
                           QgsDataSourceUri, QgsMapRendererParallelJob,
                           QgsMapSettings, QgsMarkerSymbol, QgsRectangle,
                           QgsSingleSymbolRenderer, QgsVectorLayer)
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor

    app = QgsApplication([], False)
    app.initQgis()
    try:
        uri = QgsDataSourceUri()
        uri.setDatabase(args.store)
        uri.setDataSource("", args.table, "geom")
        layer = QgsVectorLayer(uri.uri(), args.table, "spatialite")
        if not layer.isValid():
            sys.exit("bench/render: QGIS cannot open %s of %s" % (args.table, args.store))

        symbol = QgsMarkerSymbol.createSimple({
            "name": "circle", "color": "240,124,24,204", "size": "5",
            "size_unit": "Pixel", "outline_style": "no",
        })
        layer.setRenderer(QgsSingleSymbolRenderer(symbol))

        if args.crs == "cec-laea":
            crs = QgsCoordinateReferenceSystem.fromProj(CEC_LAEA)
        else:
            crs = QgsCoordinateReferenceSystem(args.crs)
        if not crs.isValid():
            sys.exit("bench/render: QGIS does not know the CRS %s" % args.crs)

        x0, y0, x1, y1 = (float(v) for v in args.extent.split(","))
        settings = QgsMapSettings()
        settings.setLayers([layer])
        settings.setDestinationCrs(crs)
        settings.setOutputSize(QSize(args.width, args.height))
        settings.setOutputDpi(96)
        settings.setBackgroundColor(QColor(0, 0, 0, 0))
        settings.setFlag(QgsMapSettings.Antialiasing, True)
        settings.setExtent(QgsRectangle(x0, y0, x1, y1))

        def render():
            job = QgsMapRendererParallelJob(settings)
            t0 = time.perf_counter()
            job.start()
            job.waitForFinished()
            dt = time.perf_counter() - t0
            return dt, job.renderedImage()

        render()  # warm-up
        times = []
        image = None
        for _ in range(args.runs):
            dt, image = render()
            times.append(dt)
        if args.png and image is not None:
            image.save(args.png)
        print("render_median_s=%.6f render_min_s=%.6f features=%d" % (
            statistics.median(times), min(times), layer.featureCount()), flush=True)
        # drop every QGIS object before exitQgis(), which otherwise crashes
        del image, settings, layer, symbol
    finally:
        app.exitQgis()


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--qgis-worker":
        qgis_worker(sys.argv[2:])
        return

    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cli", required=True, help="path to atalaya-cli")
    ap.add_argument("--gen", required=True, help="path to atalaya-sample-gen")
    ap.add_argument("--bench", required=True, help="path to atalaya-bench-render")
    ap.add_argument("--builder", default=os.path.join(here, "..", "data-samples",
                                                      "build-sample-store.sh"),
                    help="data-samples/build-sample-store.sh")
    ap.add_argument("--points", default="100000,1000000",
                    help="comma-separated incident counts (default 100000,1000000)")
    ap.add_argument("--runs", type=int, default=7, help="timed renders per tool (>= 5)")
    ap.add_argument("--width", type=int, default=1920)
    ap.add_argument("--height", type=int, default=1080)
    ap.add_argument("--crs", default="cec-laea",
                    help="display CRS of both tools (default: Atalaya's, the CEC LAEA)")
    ap.add_argument("--cache", help="download/work cache of the store builder (kept)")
    ap.add_argument("--keep", help="keep the stores and images in this directory")
    args = ap.parse_args()
    if args.runs < 5:
        ap.error("--runs must be at least 5")

    qgis_python = find_qgis_python()
    if qgis_python is None:
        print("bench/render: the QGIS Python bindings are not installed; install the "
              "Debian packages python3-qgis and qgis-providers "
              "(build-aux/debian-packages-bench.txt)", file=sys.stderr)
        sys.exit(2)

    work = args.keep or tempfile.mkdtemp(prefix="atalaya-bench-render-")
    os.makedirs(work, exist_ok=True)
    cache = args.cache or os.path.join(work, "cache")
    env = dict(os.environ, PROJ_NETWORK="OFF", QT_QPA_PLATFORM="offscreen")
    try:
        for n in (int(v) for v in args.points.split(",")):
            label = label_for(n)
            store = os.path.join(work, "incidents-%s.sqlite" % label)
            if not os.path.exists(store):
                build = subprocess.run(["sh", args.builder, "--cli", args.cli, "--gen", args.gen,
                                        "--out", store, "--incidents", str(n), "--cache", cache],
                                       env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                       text=True)
                if build.returncode != 0:
                    sys.exit("bench/render: building the %s store failed:\n%s" % (label, build.stderr))

            with sqlite3.connect(store) as db:
                row = db.execute("SELECT table_name FROM atalaya_layers WHERE name = 'incidents'").fetchone()
            if row is None:
                sys.exit("bench/render: %s has no incidents layer" % store)
            table = row[0]

            ours_png = os.path.join(work, "atalaya-%s.png" % label)
            ours = subprocess.run([args.bench, store, "incidents", "--runs", str(args.runs),
                                   "--width", str(args.width), "--height", str(args.height),
                                   "--crs", args.crs, "--png", ours_png],
                                  env=env, capture_output=True, text=True)
            if ours.returncode != 0:
                sys.exit("bench/render: atalaya-bench-render failed:\n%s" % ours.stderr)
            a = parse_kv(ours.stdout)

            theirs_png = os.path.join(work, "qgis-%s.png" % label)
            theirs = subprocess.run([qgis_python, os.path.abspath(__file__), "--qgis-worker",
                                     store, table, "--extent=" + a["extent"], "--crs", args.crs,
                                     "--width", str(args.width), "--height", str(args.height),
                                     "--runs", str(args.runs), "--png", theirs_png],
                                    env=env, capture_output=True, text=True)
            if theirs.returncode != 0:
                sys.exit("bench/render: the QGIS render failed:\n%s" % theirs.stderr)
            q = parse_kv(theirs.stdout)

            at, qt = float(a["render_median_s"]), float(q["render_median_s"])
            print("render %s points %dx%d: atalaya %.4f s, qgis %.4f s, ratio %.4f" % (
                label, args.width, args.height, at, qt, at / qt), flush=True)
            print("  (%s: atalaya loaded %s features into memory in %.3f s; "
                  "qgis layer of %s features; images %s %s)" % (
                      label, a["features"], float(a["load_s"]),
                      q["features"], ours_png, theirs_png),
                  file=sys.stderr, flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
