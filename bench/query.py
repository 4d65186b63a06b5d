#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""bench/query: spatial queries, atalaya-cli against the spatialite CLI and QGIS.

Two workloads on one sample store, every tool on the same file in one run:

- inside: the incidents inside the habitat polygons (1M incidents and
  2000 polygons by default);
- within: the facilities within --distance-km km of the ports (100000
  facilities and the sample's 120 ports by default), distances measured
  in the analysis CRS, the CEC North American Atlas LAEA.

The store is the sample store of data-samples/build-sample-store.sh with
--incidents, --habitat and --facilities (or --store, reused as it is).
Each answer is the number of distinct matching features; a feature inside
two overlapping polygons counts once.  The tools:

- atalaya: `atalaya-cli query STORE LAYER CONDITION --count`, the whole
  process timed (it opens the store, plans and runs the query);
- spatialite: the `spatialite` CLI (spatialite-bin), the whole process
  timed, one SQL statement using the SpatialIndex virtual table:
  ST_Contains(habitat, incident) for inside; for within, a search frame
  around each port grown by 1.5 times the distance in degrees, then
  ST_Distance of both points ST_Transform-ed to EPSG:2163, whose
  definition is that of the CEC LAEA (spherical, R = 6370997 m);
- qgis (python3-qgis, headless): native:extractbylocation with "are
  within" (INPUT incidents, INTERSECT habitat), and for within
  native:reprojectlayer of both layers to the CEC LAEA, then
  native:extractwithindistance in metres.  Layers come from the store
  through QGIS's "spatialite" provider, as in bench/render.  Each run
  opens the layers, runs the algorithms into memory layers and counts the
  result; QGIS's own start (QgsApplication, processing) is not timed.

Every tool runs once to warm the page cache, then --runs times; the
medians are printed, one line per comparison:
  <workload>: atalaya <s> s, <tool> <s> s, ratio <atalaya/tool>
The counts go to stderr.  Exits with 1 when the tools disagree on a
count, with 2 when a tool is missing.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from benchutil import label_for, find_qgis_python, parse_kv, laea_srid, layer_info

CEC_LAEA = ("+proj=laea +lat_0=45 +lon_0=-100 +x_0=0 +y_0=0 +R=6370997 "
            "+units=m +no_defs +type=crs")

# Bounds of the search frames of the spatialite statement, as in
# gis/query/gis-query-spatial.c: a degree of latitude is at least this
# long, and the LAEA scale stays within 1/1.5 to 1.5 over North America.
METERS_PER_DEGREE_LAT_MIN = 110574.0
METERS_PER_DEGREE_LON_EQ = 111319.5
ANALYSIS_BOX_FACTOR = 1.5

# "within" in QGIS is "are within" (index 6) of native:extractbylocation:
# the incident lies within the polygon, i.e. the polygon contains it.
QGIS_PREDICATE_ARE_WITHIN = 6


# --- QGIS, in an interpreter with the bindings ------------------------------

def qgis_worker(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("store")
    ap.add_argument("workload", choices=("inside", "within"))
    ap.add_argument("--input", required=True, help="table of the tested layer")
    ap.add_argument("--reference", required=True, help="table of the other layer")
    ap.add_argument("--distance-km", type=float, default=0.0)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.append("/usr/share/qgis/python/plugins")
    from qgis.core import (QgsApplication, QgsCoordinateReferenceSystem,
                           QgsDataSourceUri, QgsVectorLayer)

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
            sys.exit("bench/query: QGIS does not accept the CEC LAEA definition")

        def layer(table):
            uri = QgsDataSourceUri()
            uri.setDatabase(args.store)
            uri.setDataSource("", table, "geom")
            lyr = QgsVectorLayer(uri.uri(), table, "spatialite")
            if not lyr.isValid():
                sys.exit("bench/query: QGIS cannot open %s of %s" % (table, args.store))
            return lyr

        def output(result):
            out = result["OUTPUT"]
            if isinstance(out, str):  # a layer id, not handed over
                sys.exit("bench/query: QGIS returned no output layer")
            return out

        def reproject(lyr):
            return output(processing.run("native:reprojectlayer", {
                "INPUT": lyr, "TARGET_CRS": laea, "OUTPUT": "TEMPORARY_OUTPUT"}))

        def run_once():
            t = time.perf_counter()
            target, reference = layer(args.input), layer(args.reference)
            if args.workload == "inside":
                out = output(processing.run("native:extractbylocation", {
                    "INPUT": target, "PREDICATE": [QGIS_PREDICATE_ARE_WITHIN],
                    "INTERSECT": reference, "OUTPUT": "TEMPORARY_OUTPUT"}))
            else:
                out = output(processing.run("native:extractwithindistance", {
                    "INPUT": reproject(target), "REFERENCE": reproject(reference),
                    "DISTANCE": args.distance_km * 1000.0, "OUTPUT": "TEMPORARY_OUTPUT"}))
            count = out.featureCount()
            return time.perf_counter() - t, count

        _, count = run_once()  # warm-up
        times = []
        for _ in range(args.runs):
            dt, n = run_once()
            if n != count:
                sys.exit("bench/query: QGIS counted %d, then %d" % (count, n))
            times.append(dt)
        print("median_s=%.6f min_s=%.6f count=%d init_s=%.6f" % (
            statistics.median(times), min(times), count, init_s), flush=True)
    finally:
        app.exitQgis()


# --- command-line tools -----------------------------------------------------

def time_command(cmd, runs, env, name):
    """Runs cmd once to warm up, then runs times; each must print one
    integer.  Returns (median seconds, count)."""
    times, counts = [], []
    for i in range(runs + 1):
        t0 = time.perf_counter()
        out = subprocess.run(cmd, env=env, capture_output=True, text=True)
        dt = time.perf_counter() - t0
        if out.returncode != 0:
            sys.exit("bench/query: %s failed (%d):\n%s" % (name, out.returncode, out.stderr))
        try:
            n = int(out.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            sys.exit("bench/query: %s printed no count:\n%s%s" % (name, out.stdout, out.stderr))
        counts.append(n)
        if i > 0:
            times.append(dt)
    if len(set(counts)) != 1:
        sys.exit("bench/query: %s counted differently across runs: %s" % (name, counts))
    return statistics.median(times), counts[0]


def spatialite_inside_sql(target, reference):
    return ("SELECT count(DISTINCT t.ROWID) FROM \"{r}\" AS r, \"{t}\" AS t "
            "WHERE t.ROWID IN (SELECT ROWID FROM SpatialIndex "
            "WHERE f_table_name = '{t}' AND f_geometry_column = 'geom' "
            "AND search_frame = r.geom) "
            "AND ST_Contains(r.geom, t.geom);").format(t=target, r=reference)


def spatialite_within_sql(target, reference, distance_km, srid):
    d = distance_km * 1000.0
    dlat = d * ANALYSIS_BOX_FACTOR / METERS_PER_DEGREE_LAT_MIN
    dlon = ("({k} / ({m} * Cos(Radians(Min(Abs(Y(r.geom)) + {dlat}, 89.0)))))"
            .format(k=d * ANALYSIS_BOX_FACTOR, m=METERS_PER_DEGREE_LON_EQ, dlat=dlat))
    frame = ("BuildMbr(X(r.geom) - {dlon}, Y(r.geom) - {dlat}, "
             "X(r.geom) + {dlon}, Y(r.geom) + {dlat}, 4326)").format(dlon=dlon, dlat=dlat)
    return ("SELECT count(DISTINCT t.ROWID) FROM \"{r}\" AS r, \"{t}\" AS t "
            "WHERE t.ROWID IN (SELECT ROWID FROM SpatialIndex "
            "WHERE f_table_name = '{t}' AND f_geometry_column = 'geom' "
            "AND search_frame = {frame}) "
            "AND ST_Distance(ST_Transform(r.geom, {srid}), ST_Transform(t.geom, {srid})) <= {d};"
            ).format(t=target, r=reference, frame=frame, srid=srid, d=d)


# --- the store --------------------------------------------------------------

def build_store(args, store, env):
    cache = args.cache or os.path.join(os.path.dirname(os.path.abspath(store)), "cache")
    cmd = ["sh", args.builder, "--cli", args.cli, "--gen", args.gen, "--out", store,
           "--incidents", str(args.incidents), "--habitat", str(args.habitat),
           "--facilities", str(args.facilities), "--cache", cache]
    t0 = time.perf_counter()
    build = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           text=True)
    if build.returncode != 0:
        sys.exit("bench/query: building the store failed:\n%s" % build.stderr)
    print("  (built %s in %.1f s)" % (store, time.perf_counter() - t0),
          file=sys.stderr, flush=True)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--qgis-worker":
        qgis_worker(sys.argv[2:])
        return

    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cli", required=True, help="path to atalaya-cli")
    ap.add_argument("--gen", help="path to atalaya-sample-gen (to build the store)")
    ap.add_argument("--builder", default=os.path.join(here, "..", "data-samples",
                                                      "build-sample-store.sh"),
                    help="data-samples/build-sample-store.sh")
    ap.add_argument("--incidents", type=int, default=1_000_000)
    ap.add_argument("--habitat", type=int, default=2000, help="habitat polygons")
    ap.add_argument("--facilities", type=int, default=100_000)
    ap.add_argument("--distance-km", type=float, default=25.0,
                    help="distance of the within workload (default 25)")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per tool (>= 3)")
    ap.add_argument("--tools", default="spatialite,qgis",
                    help="reference tools, comma-separated (default spatialite,qgis)")
    ap.add_argument("--store", help="use this store (built there first if it does not exist)")
    ap.add_argument("--cache", help="download/work cache of the store builder (kept)")
    ap.add_argument("--keep", help="keep the store in this directory (reused by later runs)")
    args = ap.parse_args()
    if args.runs < 3:
        ap.error("--runs must be at least 3")
    tools = [t for t in args.tools.split(",") if t]
    for t in tools:
        if t not in ("spatialite", "qgis"):
            ap.error("unknown tool %s" % t)

    env = dict(os.environ, PROJ_NETWORK="OFF", QT_QPA_PLATFORM="offscreen")
    probe = subprocess.run([args.cli, "query", "--help"], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if probe.returncode != 0:
        print("bench/query: %s has no query command" % args.cli, file=sys.stderr)
        sys.exit(2)
    spatialite = shutil.which("spatialite")
    if "spatialite" in tools and spatialite is None:
        print("bench/query: the spatialite CLI is not installed; install the Debian "
              "package spatialite-bin (build-aux/debian-packages-bench.txt)", file=sys.stderr)
        sys.exit(2)
    qgis_python = find_qgis_python() if "qgis" in tools else None
    if "qgis" in tools and qgis_python is None:
        print("bench/query: the QGIS Python bindings are not installed; install the "
              "Debian packages python3-qgis and qgis-providers "
              "(build-aux/debian-packages-bench.txt)", file=sys.stderr)
        sys.exit(2)

    work = args.keep or tempfile.mkdtemp(prefix="atalaya-bench-query-")
    os.makedirs(work, exist_ok=True)
    disagree = []
    try:
        runtime_dir = tempfile.mkdtemp(prefix="xdg-", dir=work)  # for Qt, mode 0700
        if args.store:
            store = os.path.abspath(args.store)
        else:
            store = os.path.join(work, "query-%s-%d-%d.sqlite" % (
                label_for(args.incidents), args.habitat, args.facilities))
        if not os.path.exists(store):
            if not args.gen:
                ap.error("--gen is needed to build %s" % store)
            build_store(args, store, env)

        layers = layer_info(store)
        for name in ("incidents", "habitat", "facilities", "ports"):
            if name not in layers:
                sys.exit("bench/query: %s has no %s layer" % (store, name))
        n_inc, n_hab = layers["incidents"][1], layers["habitat"][1]
        n_fac, n_port = layers["facilities"][1], layers["ports"][1]
        km = "%g" % args.distance_km

        srid = None
        if "spatialite" in tools:
            srid = laea_srid(store)
            if srid is None:
                sys.exit("bench/query: %s has no SRID with the CEC LAEA's definition in "
                         "spatial_ref_sys (EPSG:2163 has it)" % store)

        workloads = [
            ("query inside %s incidents x %d habitat" % (label_for(n_inc), n_hab),
             "inside", "incidents", "habitat", "inside habitat"),
            ("query facilities within %s km of ports (%s x %d)" % (km, label_for(n_fac), n_port),
             "within", "facilities", "ports", "within %s km of ports" % km),
        ]
        for label, kind, target, reference, condition in workloads:
            t_table, r_table = layers[target][0], layers[reference][0]
            ours, count = time_command([args.cli, "query", store, target, condition, "--count"],
                                       args.runs, env, "atalaya-cli query")
            counts = {"atalaya": count}
            for tool in tools:
                if tool == "spatialite":
                    sql = (spatialite_inside_sql(t_table, r_table) if kind == "inside" else
                           spatialite_within_sql(t_table, r_table, args.distance_km, srid))
                    theirs, n = time_command([spatialite, "-batch", "-bail", "-silent", store, sql],
                                             args.runs, env, "spatialite")
                else:
                    q = subprocess.run([qgis_python, os.path.abspath(__file__), "--qgis-worker",
                                        store, kind, "--input", t_table, "--reference", r_table,
                                        "--distance-km", str(args.distance_km),
                                        "--runs", str(args.runs)],
                                       env=dict(env, XDG_RUNTIME_DIR=runtime_dir),
                                       capture_output=True, text=True)
                    if q.returncode != 0:
                        sys.exit("bench/query: the QGIS run failed:\n%s" % q.stderr)
                    kv = parse_kv(q.stdout)
                    theirs, n = float(kv["median_s"]), int(kv["count"])
                counts[tool] = n
                print("%s: atalaya %.3f s, %s %.3f s, ratio %.4f" % (
                    label, ours, tool, theirs, ours / theirs), flush=True)
                if tool == "qgis":
                    print("  (qgis: its start, %.2f s, is not timed)" % float(kv["init_s"]),
                          file=sys.stderr, flush=True)
            print("  (%s: counts %s)" % (label, ", ".join(
                "%s %d" % kv for kv in counts.items())), file=sys.stderr, flush=True)
            if len(set(counts.values())) != 1:
                disagree.append(label)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    if disagree:
        sys.exit("bench/query: the tools disagree on the count of: %s" % "; ".join(disagree))


if __name__ == "__main__":
    main()
