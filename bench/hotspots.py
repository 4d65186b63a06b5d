#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""bench/hotspots: Atalaya's hotspot core against QGIS and R, in one run.

The points are the sample generator's incidents (1M by default,
data-samples/atalaya-sample-gen), projected to the CEC North American
Atlas LAEA by atalaya-bench-hotspots and written once as x,y in metres,
to the millimetre: every tool reads that same file.  Atalaya's times are
those of the library calls on points already in memory
(atalaya-bench-hotspots); the references' are those of the algorithm
alone, in-process, their start and the reading of the points not timed.

Workloads and targets:

1. kde 1M points, 25 km radius, 2 km cells -- gis_kde_run (fast method,
   sub-grid 5, quartic kernel, raw output Σ (1 − u²)²) against QGIS's
   qgis:heatmapkerneldensityestimation (RADIUS 25000, PIXEL_SIZE 2000,
   KERNEL quartic, OUTPUT_VALUE raw) on a memory layer of the same points
   in the CEC LAEA, on the grid QGIS makes (the driver copies it).
   Target: atalaya at least 20x faster.  The two surfaces are compared
   after dividing each by its maximum: the correlation (target >= 0.999),
   the largest difference and the ratio of the sums are reported; a
   correlation under 0.99 fails.
2. gistar bins of 1M points -- 10 km square bins of the points (the bins
   holding points), Gi* with binary weights within a 30 km band, the bin
   itself included: gis_bins_from_points + gis_gistar_run against R
   spdep's dnearneigh + include.self + nb2listw(style = "B") + localG on
   the same bins (Atalaya's bins, written to CSV; R's time is
   system.time of those calls).  Target: at least 20x faster.  The z
   must agree to 1e-9 (largest absolute difference) and the neighbour
   counts exactly.
3. dbscan 1M points, eps 10 km, minPts 5 -- gis_dbscan_run against R's
   dbscan::dbscan (system.time, in-process) and QGIS's
   native:dbscanclustering (EPS 10000, MIN_SIZE 5).  The references take
   minutes on 1M points: --dbscan-points N uses the first N points only.
   Target: at least 10x faster than R.  The cluster ids must equal R's
   point for point (gis_dbscan_run numbers clusters as R does); QGIS's
   cluster and noise counts are reported.

Atalaya runs once to warm up, then --runs times; each reference runs
--ref-runs times (default 1), after one warm-up run for kde and gistar
and none for dbscan.  Medians are printed, one line per comparison:
  <workload>: atalaya <s> s, <tool> <s> s, ratio <atalaya/tool>
Details and agreement figures go to stderr.  Exits with 1 when the tools
disagree (see above), with 2 when a tool is missing.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from benchutil import label_for, find_qgis_python, parse_kv

CEC_LAEA = ("+proj=laea +lat_0=45 +lon_0=-100 +x_0=0 +y_0=0 +R=6370997 "
            "+units=m +no_defs +type=crs")
WORLD_MAP = "usr/share/qgis/resources/data/world_map.gpkg"

KDE_RADIUS_M = 25000.0
KDE_CELL_M = 2000.0
KDE_MIN_CORRELATION = 0.99      # below: a gross disagreement
GISTAR_TOLERANCE = 1e-9

# qgis:heatmapkerneldensityestimation's enums
QGIS_KERNEL_QUARTIC = 0
QGIS_OUTPUT_RAW = 0

R_GISTAR = r"""
args <- commandArgs(TRUE)
suppressPackageStartupMessages(library(spdep))
b <- read.csv(args[1])
coords <- cbind(b$x, b$y)
values <- as.numeric(b$count)
band <- as.numeric(args[2]); runs <- as.integer(args[3]); out <- args[4]
gistar <- function() {
  nb <- include.self(dnearneigh(coords, 0, band))
  lw <- nb2listw(nb, style = "B")
  list(z = as.numeric(localG(values, lw)), card = card(nb))
}
invisible(gistar())  # warm-up
times <- numeric(runs)
for (i in seq_len(runs)) {
  times[i] <- system.time(res <- gistar())[["elapsed"]]
}
writeLines(c("z,n_neighbours", sprintf("%.17g,%d", res$z, res$card)), out)
cat(sprintf("median_s=%.6f min_s=%.6f n=%d\n", median(times), min(times), length(res$z)))
"""

R_DBSCAN = r"""
args <- commandArgs(TRUE)
suppressPackageStartupMessages(library(dbscan))
n <- as.integer(args[2])
p <- scan(args[1], what = list(x = 0, y = 0), sep = ",", skip = 1, nmax = n, quiet = TRUE)
m <- cbind(p$x, p$y)
eps <- as.numeric(args[3]); min_pts <- as.integer(args[4])
runs <- as.integer(args[5]); out <- args[6]
times <- numeric(runs)
for (i in seq_len(runs)) {
  times[i] <- system.time(res <- dbscan::dbscan(m, eps = eps, minPts = min_pts))[["elapsed"]]
}
writeLines(c("cluster", as.character(res$cluster)), out)
cat(sprintf("median_s=%.6f min_s=%.6f n=%d clusters=%d noise=%d\n", median(times), min(times),
            nrow(m), max(res$cluster), sum(res$cluster == 0)))
"""


# --- QGIS, in an interpreter with the bindings ------------------------------

def qgis_worker(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("points")
    ap.add_argument("workload", choices=("kde", "dbscan"))
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--warmup", action="store_true")
    ap.add_argument("--out", required=True, help="kde: the GeoTIFF; dbscan: cluster ids")
    ap.add_argument("--compare", help="kde: Atalaya's surface (doubles, rows from the north)")
    ap.add_argument("--eps", type=float, default=10000.0)
    ap.add_argument("--min-pts", type=int, default=5)
    args = ap.parse_args(argv)

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.append("/usr/share/qgis/python/plugins")
    from qgis.core import (QgsApplication, QgsCoordinateReferenceSystem,
                           QgsFeatureRequest, QgsVectorLayer)

    t0 = time.perf_counter()
    app = QgsApplication([], False)
    app.initQgis()
    try:
        from processing.core.Processing import Processing
        import processing
        Processing.initialize()
        init_s = time.perf_counter() - t0
        laea = QgsCoordinateReferenceSystem.fromProj(CEC_LAEA)
        if not laea.isValid():
            sys.exit("bench/hotspots: QGIS does not accept the CEC LAEA definition")

        # the points in memory, in the file's order (not timed)
        t0 = time.perf_counter()
        uri = ("file://%s?type=csv&xField=x&yField=y&detectTypes=no"
               "&spatialIndex=no&subsetIndex=no&watchFile=no" % os.path.abspath(args.points))
        csv = QgsVectorLayer(uri, "points", "delimitedtext")
        if not csv.isValid():
            sys.exit("bench/hotspots: QGIS cannot open %s" % args.points)
        csv.setCrs(laea)
        request = QgsFeatureRequest()
        if args.limit > 0:
            request.setLimit(args.limit)
        layer = csv.materialize(request)
        load_s = time.perf_counter() - t0
        n = layer.featureCount()

        def run_once():
            t = time.perf_counter()
            if args.workload == "kde":
                res = processing.run("qgis:heatmapkerneldensityestimation", {
                    "INPUT": layer, "RADIUS": KDE_RADIUS_M, "PIXEL_SIZE": KDE_CELL_M,
                    "KERNEL": QGIS_KERNEL_QUARTIC, "DECAY": 0,
                    "OUTPUT_VALUE": QGIS_OUTPUT_RAW, "OUTPUT": args.out})
            else:
                res = processing.run("native:dbscanclustering", {
                    "INPUT": layer, "EPS": args.eps, "MIN_SIZE": args.min_pts,
                    "DBSCAN*": False, "FIELD_NAME": "CLUSTER_ID",
                    "OUTPUT": "TEMPORARY_OUTPUT"})
            return time.perf_counter() - t, res

        if args.warmup:
            run_once()
        times = []
        for _ in range(args.runs):
            dt, res = run_once()
            times.append(dt)
        line = "median_s=%.6f min_s=%.6f init_s=%.6f load_s=%.6f points=%d" % (
            statistics.median(times), min(times), init_s, load_s, n)

        if args.workload == "kde":
            line += " " + compare_kde(args.out, args.compare)
        else:
            out = res["OUTPUT"]
            if isinstance(out, str):
                sys.exit("bench/hotspots: QGIS returned no output layer")
            idx = out.fields().indexOf("CLUSTER_ID")
            ids = {}
            for f in out.getFeatures(QgsFeatureRequest().setSubsetOfAttributes([idx])):
                ids[f.id()] = f.attribute(idx)
            clusters = set(v for v in ids.values() if v is not None and v != "")
            noise = sum(1 for v in ids.values() if v is None or v == "")
            with open(args.out, "w") as fp:
                fp.write("cluster\n")
                for fid in sorted(ids):
                    v = ids[fid]
                    fp.write("%s\n" % (0 if v is None or v == "" else int(v)))
            line += " clusters=%d noise=%d" % (len(clusters), noise)
            del out
        del layer, csv
        print(line, flush=True)
    finally:
        app.exitQgis()


def compare_kde(tif, ours_path):
    """Both surfaces divided by their maximum: correlation, largest
    difference; and the ratio of the sums (Atalaya/QGIS)."""
    import numpy
    from osgeo import gdal

    ds = gdal.Open(tif)
    band = ds.GetRasterBand(1)
    theirs = band.ReadAsArray().astype(numpy.float64)
    nodata = band.GetNoDataValue()
    if nodata is not None:
        theirs[theirs == nodata] = 0.0
    gt = ds.GetGeoTransform()
    ny, nx = theirs.shape
    ours = numpy.fromfile(ours_path, dtype=numpy.float64)
    if ours.size != nx * ny:
        return "same_grid=0 qgis_nx=%d qgis_ny=%d qgis_x_min=%r qgis_y_max=%r" % (
            nx, ny, gt[0], gt[3])
    ours = ours.reshape(ny, nx)
    a, b = ours / ours.max(), theirs / theirs.max()
    corr = numpy.corrcoef(a.ravel(), b.ravel())[0, 1]
    return ("same_grid=1 qgis_x_min=%r qgis_y_max=%r corr=%.6f max_diff=%.6f "
            "sum_ratio=%.6f max_ratio=%.6f" % (
                gt[0], gt[3], corr, numpy.abs(a - b).max(),
                ours.sum() / theirs.sum(), ours.max() / theirs.max()))


# --- the data ----------------------------------------------------------------

def world_map(cache):
    """Natural Earth's world_map.gpkg: the installed qgis-common's, or one
    unpacked from "apt-get download qgis-common" into the cache, as
    data-samples/build-sample-store.sh does."""
    installed = "/" + WORLD_MAP
    if os.path.isfile(installed):
        return installed
    path = os.path.join(cache, "extracted", WORLD_MAP)
    if os.path.isfile(path):
        return path
    os.makedirs(cache, exist_ok=True)
    debs = [f for f in os.listdir(cache) if f.startswith("qgis-common_") and f.endswith(".deb")]
    if not debs:
        if subprocess.run(["apt-get", "download", "qgis-common"], cwd=cache).returncode != 0:
            sys.exit("bench/hotspots: world_map.gpkg not found: install qgis-common")
        debs = [f for f in os.listdir(cache) if f.startswith("qgis-common_") and f.endswith(".deb")]
    tmp = os.path.join(cache, "extracted.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(os.path.join(cache, "extracted"), ignore_errors=True)
    subprocess.run(["dpkg-deb", "-x", os.path.join(cache, sorted(debs)[-1]), tmp], check=True)
    os.rename(tmp, os.path.join(cache, "extracted"))
    if not os.path.isfile(path):
        sys.exit("bench/hotspots: qgis-common has no %s" % WORLD_MAP)
    return path


def make_points(args, work, env):
    points = os.path.join(work, "points-%s.csv" % label_for(args.incidents))
    if os.path.exists(points):
        return points
    if not args.gen:
        sys.exit("bench/hotspots: --gen is needed to make %s" % points)
    here = os.path.dirname(os.path.abspath(__file__))
    cache = args.cache or os.path.join(work, "cache")
    gen_dir = tempfile.mkdtemp(prefix="gen-", dir=work)
    try:
        t0 = time.perf_counter()
        gen = subprocess.run([args.gen, "--world-map", world_map(cache), "--out-dir", gen_dir,
                              "--incidents", str(args.incidents), "--hotspots",
                              os.path.join(here, "..", "data-samples", "planted-hotspots.csv")],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if gen.returncode != 0:
            sys.exit("bench/hotspots: atalaya-sample-gen failed:\n%s" % gen.stderr)
        proj = subprocess.run([args.bench, "project", os.path.join(gen_dir, "incidents.csv"),
                               points + ".tmp"], env=env, capture_output=True, text=True)
        if proj.returncode != 0:
            sys.exit("bench/hotspots: projecting the incidents failed:\n%s" % proj.stderr)
        os.rename(points + ".tmp", points)
        print("  (generated and projected %s incidents in %.1f s)" % (
            label_for(args.incidents), time.perf_counter() - t0), file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(gen_dir, ignore_errors=True)
    return points


def read_column(path, col=0, conv=float):
    with open(path) as fp:
        next(fp)
        return [conv(line.split(",")[col]) for line in fp]


# --- the runs ---------------------------------------------------------------

def run_atalaya(args, env, method, points, *opts):
    cmd = [args.bench, method, points, "--runs", str(args.runs)] + [str(o) for o in opts]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("bench/hotspots: atalaya-bench-hotspots %s failed:\n%s" % (method, out.stderr))
    return parse_kv(out.stdout)


def run_r(work, name, script, *argv):
    path = os.path.join(work, name)
    with open(path, "w") as fp:
        fp.write(script)
    out = subprocess.run(["Rscript", "--vanilla", path] + [str(a) for a in argv],
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("bench/hotspots: R failed:\n%s%s" % (out.stdout, out.stderr))
    return parse_kv(out.stdout)


def run_qgis(qgis_python, env, *argv):
    out = subprocess.run([qgis_python, os.path.abspath(__file__), "--qgis-worker"] +
                         [str(a) for a in argv], env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("bench/hotspots: the QGIS run failed:\n%s" % out.stderr)
    return parse_kv(out.stdout)


def report(label, ours, tool, theirs):
    print("%s: atalaya %.3f s, %s %.3f s, ratio %.4f" % (
        label, ours, tool, theirs, ours / theirs), flush=True)


def note(text):
    print("  (%s)" % text, file=sys.stderr, flush=True)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--qgis-worker":
        qgis_worker(sys.argv[2:])
        return

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", required=True, help="path to atalaya-bench-hotspots")
    ap.add_argument("--gen", help="path to atalaya-sample-gen (to make the points)")
    ap.add_argument("--cache", help="download cache for qgis-common's world_map.gpkg (kept)")
    ap.add_argument("--incidents", type=int, default=1_000_000, help="points (default 1M)")
    ap.add_argument("--runs", type=int, default=5, help="timed Atalaya runs (>= 3, default 5)")
    ap.add_argument("--ref-runs", type=int, default=1,
                    help="timed runs of each reference (default 1)")
    ap.add_argument("--only", default="kde,gistar,dbscan",
                    help="workloads, comma-separated (default kde,gistar,dbscan)")
    ap.add_argument("--dbscan-points", type=int, default=0,
                    help="dbscan on the first N points only (default all)")
    ap.add_argument("--bin-km", type=float, default=10.0, help="gistar bin size (default 10)")
    ap.add_argument("--band-km", type=float, default=30.0, help="gistar band (default 30)")
    ap.add_argument("--keep", help="keep the points and results in this directory "
                    "(the points are reused by later runs)")
    args = ap.parse_args()
    if args.runs < 3:
        ap.error("--runs must be at least 3")
    if args.ref_runs < 1:
        ap.error("--ref-runs must be at least 1")
    only = [w for w in args.only.split(",") if w]
    for w in only:
        if w not in ("kde", "gistar", "dbscan"):
            ap.error("unknown workload %s" % w)

    qgis_python = None
    if "kde" in only or "dbscan" in only:
        qgis_python = find_qgis_python()
        if qgis_python is None:
            print("bench/hotspots: the QGIS Python bindings are not installed; install the "
                  "Debian packages python3-qgis and qgis-providers "
                  "(build-aux/debian-packages-bench.txt)", file=sys.stderr)
            sys.exit(2)
    if "gistar" in only or "dbscan" in only:
        libs = [lib for w, lib in (("gistar", "spdep"), ("dbscan", "dbscan")) if w in only]
        probe = None
        if shutil.which("Rscript"):
            probe = subprocess.run(["Rscript", "--vanilla", "-e",
                                    "suppressPackageStartupMessages({%s})" % "; ".join(
                                        "library(%s)" % lib for lib in libs)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if probe is None or probe.returncode != 0:
            print("bench/hotspots: R or its packages %s are not installed; install the "
                  "Debian packages r-base-core, r-cran-spdep and r-cran-dbscan "
                  "(build-aux/debian-packages-bench.txt)" % ", ".join(libs), file=sys.stderr)
            sys.exit(2)

    env = dict(os.environ, PROJ_NETWORK="OFF", QT_QPA_PLATFORM="offscreen")
    work = args.keep or tempfile.mkdtemp(prefix="atalaya-bench-hotspots-")
    os.makedirs(work, exist_ok=True)
    work = os.path.abspath(work)
    disagree = []
    try:
        env["XDG_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="xdg-", dir=work)  # for Qt, mode 0700
        points = make_points(args, work, env)
        label_n = label_for(args.incidents)

        if "kde" in only:
            label = "kde %s points, %g km radius, %g km cells" % (
                label_n, KDE_RADIUS_M / 1000, KDE_CELL_M / 1000)
            ours_bin = os.path.join(work, "kde-atalaya.bin")
            a = run_atalaya(args, env, "kde", points, "--radius", KDE_RADIUS_M,
                            "--cell", KDE_CELL_M, "--out", ours_bin)
            q = run_qgis(qgis_python, env, points, "kde", "--runs", args.ref_runs, "--warmup",
                         "--out", os.path.join(work, "kde-qgis.tif"), "--compare", ours_bin)
            report(label, float(a["median_s"]), "qgis", float(q["median_s"]))
            note("kde: grid %sx%s; qgis start %.1f s and loading %s points %.1f s not timed" % (
                a["nx"], a["ny"], float(q["init_s"]), q["points"], float(q["load_s"])))
            if q.get("same_grid") != "1":
                note("kde: QGIS's raster is not on Atalaya's grid: %s" % q)
                disagree.append("kde (grids)")
            else:
                note("kde agreement: surfaces divided by their maximum, correlation %s, "
                     "largest difference %s; sums atalaya/qgis %s, maxima %s" % (
                         q["corr"], q["max_diff"], q["sum_ratio"], q["max_ratio"]))
                if not float(q["corr"]) >= KDE_MIN_CORRELATION:
                    disagree.append("kde (correlation %s)" % q["corr"])

        if "gistar" in only:
            label = "gistar bins of %s points" % label_n
            bins_csv = os.path.join(work, "gistar-bins.csv")
            ours_z = os.path.join(work, "gistar-atalaya.csv")
            theirs_z = os.path.join(work, "gistar-r.csv")
            a = run_atalaya(args, env, "gistar", points, "--cell", args.bin_km * 1000,
                            "--band", args.band_km * 1000, "--bins", bins_csv, "--out", ours_z)
            r = run_r(work, "gistar.R", R_GISTAR, bins_csv, args.band_km * 1000, args.ref_runs, theirs_z)
            report(label, float(a["median_s"]), "r-spdep", float(r["median_s"]))
            za, zr = read_column(ours_z), read_column(theirs_z)
            na, nr = read_column(ours_z, 1, int), read_column(theirs_z, 1, int)
            if len(za) != len(zr):
                note("gistar: atalaya has %d bins, R %d z" % (len(za), len(zr)))
                disagree.append("gistar (bins)")
            else:
                diff = max(abs(x - y) for x, y in zip(za, zr))
                nn = sum(1 for x, y in zip(na, nr) if x != y)
                note("gistar agreement: %d bins of %g km, band %g km, mean %.2f neighbours; "
                     "largest |z difference| %.3g, neighbour counts differing in %d bins" % (
                         len(za), args.bin_km, args.band_km, sum(na) / len(na), diff, nn))
                if not diff <= GISTAR_TOLERANCE or nn:
                    disagree.append("gistar (z differs by %.3g)" % diff)

        if "dbscan" in only:
            n = args.dbscan_points or args.incidents
            n = min(n, args.incidents)
            label = "dbscan %s points, eps 10 km, minPts 5" % label_for(n)
            ours_ids = os.path.join(work, "dbscan-atalaya.csv")
            a = run_atalaya(args, env, "dbscan", points, "--eps", 10000, "--min-pts", 5,
                            "--limit", n, "--out", ours_ids)
            r_ids = os.path.join(work, "dbscan-r.csv")
            r = run_r(work, "dbscan.R", R_DBSCAN, points, n, 10000, 5, args.ref_runs, r_ids)
            report(label, float(a["median_s"]), "r-dbscan", float(r["median_s"]))
            q_ids = os.path.join(work, "dbscan-qgis.csv")
            q = run_qgis(qgis_python, env, points, "dbscan", "--limit", n,
                         "--runs", args.ref_runs, "--eps", 10000, "--min-pts", 5,
                         "--out", q_ids)
            report(label, float(a["median_s"]), "qgis", float(q["median_s"]))
            ca, cr = read_column(ours_ids, 0, int), read_column(r_ids, 0, int)
            nd = (sum(1 for x, y in zip(ca, cr) if x != y) if len(ca) == len(cr)
                  else max(len(ca), len(cr)))
            note("dbscan agreement: atalaya %s clusters, %s noise; R %s clusters, %s noise; "
                 "cluster ids differing from R's at %d of %d points; QGIS %s clusters, "
                 "%s noise" % (a["clusters"], a["noise"], r["clusters"], r["noise"],
                               nd, len(ca), q["clusters"], q["noise"]))
            if nd:
                disagree.append("dbscan (%d points)" % nd)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    if disagree:
        sys.exit("bench/hotspots: the tools disagree: %s" % "; ".join(disagree))


if __name__ == "__main__":
    main()
