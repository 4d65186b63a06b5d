#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""bench/coverage: coverage gaps, atalaya-cli against the spatialite CLI and QGIS.

The store is the sample store of data-samples/build-sample-store.sh with
--incidents, --habitat and --facilities (1M incidents and 100000
facilities by default; or --store, reused as it is).  The benchmark adds
two point layers to it, once (kept when the store is reused):

- resources: the sample's 120 ports and --bases (40) seeded-random patrol
  bases, each at a random point of the US-MX line of the
  international_boundary layer moved up to --bases-km (60) km in a random
  direction;
- candidates: --candidates (5000) incidents' locations, a seeded-random
  sample.

Two workloads, every tool on the same file in one run:

- corridor: the --corridor-km (100) km corridor along the US-MX boundary,
  on US and MX land, that the resources' --radius-km (50) km discs leave
  uncovered (cross-border coverage), measured in the analysis CRS, the
  CEC North American Atlas LAEA:
  - atalaya: `atalaya-cli coverage STORE -r resources --radius 50
    --corridor 100 --between US-MX --cross-border -f facilities
    -d incidents --json`, the whole process timed; besides the uncovered
    area it finds the facilities and incidents in the corridor that no
    disc covers, each tested against the exact circles;
  - spatialite: the `spatialite` CLI (spatialite-bin), the whole process
    timed, one SQL statement: ST_Area(ST_Difference(corridor,
    ST_Union(ST_Buffer(resource, 50 km, 32)))) with the corridor
    ST_Intersection(ST_Buffer(ST_Union(boundary), 100 km, 32),
    ST_Union(US and MX)), every geometry ST_Transform-ed to EPSG:2163,
    whose definition is that of the CEC LAEA.  The statement computes the
    uncovered area only, so it is timed against an Atalaya run without
    -f and -d (the line "coverage area, …"); the line of the whole
    workload against it says so;
  - qgis (python3-qgis, headless): native:reprojectlayer of every layer to
    the CEC LAEA, native:buffer of the boundary (100 km, dissolved),
    native:intersection with the US and MX areas, native:buffer of the
    resources (50 km, dissolved), native:difference of the corridor and
    the discs, then native:extractbylocation ("are within" the difference)
    of the facilities and of the incidents, counted; 32 segments per
    quarter circle as the others, every step into a memory layer.  Layers
    come from the store through QGIS's "spatialite" provider; QGIS's own
    start (QgsApplication, processing) is not timed.
  The uncovered areas must agree within a relative 1e-6 (spatialite) and
  1e-4 (QGIS); the uncovered facilities and incidents within 0.1 % of
  QGIS's counts, which test the points against 128-gons, not circles.
- mclp: `atalaya-cli coverage STORE -r resources --radius 50 -d incidents
  -k 10 --candidates candidates --exact-nodes 0 --json`, the K = 10 sites
  among the candidates that cover the most incidents left uncovered (the
  maximal covering location problem, greedy); no reference tool solves
  it, so only Atalaya's time is printed, with its target.

Every tool runs once to warm the page cache, then --runs times; the
medians are printed, one line per comparison:
  <workload>: atalaya <s> s, <tool> <s> s, ratio <atalaya/tool>
  mclp ...: atalaya <s> s (target under 5 s)
The areas and counts go to stderr.  Exits with 1 when the tools disagree
beyond the tolerances, with 2 when a tool is missing.
"""

import argparse
import json
import math
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

from benchutil import label_for, find_qgis_python, parse_kv, laea_srid, layer_info

CEC_LAEA = ("+proj=laea +lat_0=45 +lon_0=-100 +x_0=0 +y_0=0 +R=6370997 "
            "+units=m +no_defs +type=crs")

# "within" in QGIS is "are within" (index 6) of native:extractbylocation.
QGIS_PREDICATE_ARE_WITHIN = 6

EARTH_RADIUS_KM = 6371.0088

# Agreement: uncovered area, relative; uncovered point counts, relative
# to QGIS's (points in the slivers between a circle and its 128-gon
# differ).
AREA_TOL_SPATIALITE = 1e-6
AREA_TOL_QGIS = 1e-4
COUNT_TOL_QGIS = 1e-3

MCLP_TARGET_S = 5.0


def sql_list(values):
    return ", ".join("'%s'" % v.replace("'", "''") for v in values)


def pair_variants(pair):
    a, b = pair.split("-", 1)
    return ["%s-%s" % (a, b), "%s-%s" % (b, a)]


# --- QGIS, in an interpreter with the bindings ------------------------------

def qgis_worker(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("store")
    ap.add_argument("--boundary", required=True)
    ap.add_argument("--between", required=True)
    ap.add_argument("--countries", required=True)
    ap.add_argument("--resources", required=True)
    ap.add_argument("--facilities", required=True)
    ap.add_argument("--incidents", required=True)
    ap.add_argument("--radius-km", type=float, required=True)
    ap.add_argument("--corridor-km", type=float, required=True)
    ap.add_argument("--segments", type=int, default=32)
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
            sys.exit("bench/coverage: QGIS does not accept the CEC LAEA definition")
        countries = args.between.split("-", 1)

        def layer(table, subset=""):
            uri = QgsDataSourceUri()
            uri.setDatabase(args.store)
            uri.setDataSource("", table, "geom", subset)
            lyr = QgsVectorLayer(uri.uri(), table, "spatialite")
            if not lyr.isValid():
                sys.exit("bench/coverage: QGIS cannot open %s of %s" % (table, args.store))
            return lyr

        def output(result):
            out = result["OUTPUT"]
            if isinstance(out, str):  # a layer id, not handed over
                sys.exit("bench/coverage: QGIS returned no output layer")
            return out

        def run(alg, params):
            return output(processing.run(alg, dict(params, OUTPUT="TEMPORARY_OUTPUT")))

        def reproject(lyr):
            return run("native:reprojectlayer", {"INPUT": lyr, "TARGET_CRS": laea})

        def buffer(lyr, metres):
            return run("native:buffer", {
                "INPUT": lyr, "DISTANCE": metres, "SEGMENTS": args.segments,
                "END_CAP_STYLE": 0, "JOIN_STYLE": 0, "MITER_LIMIT": 2, "DISSOLVE": True})

        def within(points, polygons):
            return run("native:extractbylocation", {
                "INPUT": reproject(points), "PREDICATE": [QGIS_PREDICATE_ARE_WITHIN],
                "INTERSECT": polygons}).featureCount()

        def run_once():
            t = time.perf_counter()
            boundary = layer(args.boundary, "country_pair IN (%s)" %
                             sql_list(pair_variants(args.between)))
            land = layer(args.countries, "country IN (%s)" % sql_list(countries))
            band = buffer(reproject(boundary), args.corridor_km * 1000.0)
            corridor = run("native:intersection", {
                "INPUT": band, "OVERLAY": reproject(land)})
            discs = buffer(reproject(layer(args.resources)), args.radius_km * 1000.0)
            uncovered = run("native:difference", {"INPUT": corridor, "OVERLAY": discs})
            area = sum(f.geometry().area() for f in uncovered.getFeatures())
            n_fac = within(layer(args.facilities), uncovered)
            n_inc = within(layer(args.incidents), uncovered)
            return time.perf_counter() - t, (area, n_fac, n_inc)

        _, answer = run_once()  # warm-up
        times = []
        for _ in range(args.runs):
            dt, a = run_once()
            if a != answer:
                sys.exit("bench/coverage: QGIS found %s, then %s" % (answer, a))
            times.append(dt)
        print("median_s=%.6f min_s=%.6f area_m2=%.6f facilities=%d incidents=%d init_s=%.6f" % (
            statistics.median(times), min(times), answer[0], answer[1], answer[2], init_s),
            flush=True)
    finally:
        app.exitQgis()


# --- command-line tools -----------------------------------------------------

def time_command(cmd, runs, env, name, parse):
    """Runs cmd once to warm up, then runs times; parse(stdout) is its
    answer, the same every time.  Returns (median seconds, answer)."""
    times, answers = [], []
    for i in range(runs + 1):
        t0 = time.perf_counter()
        out = subprocess.run(cmd, env=env, capture_output=True, text=True)
        dt = time.perf_counter() - t0
        if out.returncode != 0:
            sys.exit("bench/coverage: %s failed (%d):\n%s" % (name, out.returncode, out.stderr))
        try:
            answers.append(parse(out.stdout))
        except (ValueError, IndexError, KeyError, TypeError):
            sys.exit("bench/coverage: %s printed no answer:\n%s%s" % (
                name, out.stdout[-2000:], out.stderr))
        if i > 0:
            times.append(dt)
    if any(a != answers[0] for a in answers):
        sys.exit("bench/coverage: %s answered differently across runs: %s" % (name, answers))
    return statistics.median(times), answers[0]


def cli_json(cli, args, env):
    out = subprocess.run([cli] + args, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("bench/coverage: atalaya-cli %s failed (%d):\n%s" % (
            args[0], out.returncode, out.stderr))
    return json.loads(out.stdout)


def sql_rows(cli, store, sql, env):
    return cli_json(cli, ["sql", store, sql, "--json"], env)["rows"]


def spatialite_corridor_sql(t, between, corridor_km, radius_km, segments, srid):
    countries = between.split("-", 1)
    return (
        "SELECT ST_Area(ST_Difference("
        "ST_Intersection("
        "(SELECT ST_Buffer(ST_Union(ST_Transform(geom, {srid})), {band}, {seg}) FROM \"{b}\" "
        "WHERE country_pair IN ({pairs})), "
        "(SELECT ST_Union(ST_Transform(geom, {srid})) FROM \"{c}\" WHERE country IN ({cty}))), "
        "(SELECT ST_Union(ST_Buffer(ST_Transform(geom, {srid}), {r}, {seg})) FROM \"{res}\")));"
    ).format(srid=srid, band=corridor_km * 1000.0, r=radius_km * 1000.0, seg=segments,
             b=t["boundary"], c=t["countries"], res=t["resources"],
             pairs=sql_list(pair_variants(between)), cty=sql_list(countries))


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
        sys.exit("bench/coverage: building the store failed:\n%s" % build.stderr)
    print("  (built %s in %.1f s)" % (store, time.perf_counter() - t0),
          file=sys.stderr, flush=True)


def parse_lines(wkt):
    """The vertex lists of a (MULTI)LINESTRING in WKT."""
    body = wkt[wkt.index("("):].strip()
    lines = []
    for part in body.replace("(", " ").split(")"):
        pts = [tuple(float(v) for v in p.split()) for p in part.split(",") if p.strip()]
        if len(pts) >= 2:
            lines.append(pts)
    return lines


def haversine_km(a, b):
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (math.sin((lat2 - lat1) / 2) ** 2 +
         math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def destination(p, bearing, km):
    """The point km from p (lon, lat) on the sphere, towards bearing (radians)."""
    lon1, lat1 = math.radians(p[0]), math.radians(p[1])
    d = km / EARTH_RADIUS_KM
    lat2 = math.asin(math.sin(lat1) * math.cos(d) +
                     math.cos(lat1) * math.sin(d) * math.cos(bearing))
    lon2 = lon1 + math.atan2(math.sin(bearing) * math.sin(d) * math.cos(lat1),
                             math.cos(d) - math.sin(lat1) * math.sin(lat2))
    return math.degrees(lon2), math.degrees(lat2)


def patrol_bases(lines, n, max_km, rng):
    """n points, each at a random point of the lines (uniform by length)
    moved up to max_km in a random direction."""
    segs, total = [], 0.0
    for pts in lines:
        for a, b in zip(pts, pts[1:]):
            km = haversine_km(a, b)
            if km > 0:
                segs.append((total, km, a, b))
                total += km
    out = []
    for _ in range(n):
        at = rng.uniform(0.0, total)
        lo, hi = 0, len(segs) - 1
        while lo < hi:  # the last segment starting at or before `at`
            mid = (lo + hi + 1) // 2
            if segs[mid][0] <= at:
                lo = mid
            else:
                hi = mid - 1
        start, km, a, b = segs[lo]
        f = min(1.0, (at - start) / km)
        on_line = (a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]))
        out.append(destination(on_line, rng.uniform(0.0, 2 * math.pi),
                               rng.uniform(0.0, max_km)))
    return out


def write_points_csv(path, rows, header):
    with open(path, "w") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(str(v) if not isinstance(v, float) else repr(v) for v in row) + "\n")


def import_points(args, store, csv, name, role, env):
    out = subprocess.run([args.cli, "import", store, csv, "--name", name, "--role", role,
                          "--x-field", "lon", "--y-field", "lat", "--quiet"],
                         env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("bench/coverage: importing %s failed (%d):\n%s" % (name, out.returncode, out.stderr))


def add_layers(args, store, work, layers, env):
    """Adds the resources and candidates layers to the store unless they
    are there already."""
    rng = random.Random(args.seed)
    t_bound, t_ports, t_inc = (layers["international_boundary"][0], layers["ports"][0],
                               layers["incidents"][0])
    n_added = 0
    if "resources" not in layers:
        ports = sql_rows(args.cli, store, "SELECT X(geom), Y(geom) FROM \"%s\" "
                         "WHERE geom IS NOT NULL ORDER BY fid" % t_ports, env)
        wkts = sql_rows(args.cli, store, "SELECT AsText(geom) FROM \"%s\" "
                        "WHERE country_pair IN (%s) ORDER BY fid" % (
                            t_bound, sql_list(pair_variants(args.between))), env)
        lines = [pts for (wkt,) in wkts if wkt for pts in parse_lines(wkt)]
        if not lines:
            sys.exit("bench/coverage: %s has no line of the boundary %s" % (store, args.between))
        rows = [(x, y, "port", "port %d" % (i + 1)) for i, (x, y) in enumerate(ports)]
        rows += [(x, y, "patrol base", "base %d" % (i + 1)) for i, (x, y) in
                 enumerate(patrol_bases(lines, args.bases, args.bases_km, rng))]
        csv = os.path.join(work, "resources.csv")
        write_points_csv(csv, rows, ("lon", "lat", "kind", "name"))
        import_points(args, store, csv, "resources", "resource", env)
        n_added += 1
    if "candidates" not in layers:
        with sqlite3.connect("file:%s?mode=ro" % store, uri=True) as db:
            fids = [r[0] for r in db.execute("SELECT fid FROM \"%s\" WHERE geom IS NOT NULL "
                                             "ORDER BY fid" % t_inc)]
        picked = sorted(rng.sample(fids, min(args.candidates, len(fids))))
        rows = sql_rows(args.cli, store, "SELECT fid, X(geom), Y(geom) FROM \"%s\" "
                        "WHERE fid IN (%s) ORDER BY fid" % (
                            t_inc, ",".join(map(str, picked))), env)
        csv = os.path.join(work, "candidates.csv")
        write_points_csv(csv, [(x, y, fid) for fid, x, y in rows], ("lon", "lat", "incident_fid"))
        import_points(args, store, csv, "candidates", "other", env)
        n_added += 1
    if n_added:
        print("  (added %d layer(s) to %s)" % (n_added, store), file=sys.stderr, flush=True)


def rel_diff(a, b):
    return abs(a - b) / max(abs(a), abs(b), 1e-300)


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
    ap.add_argument("--habitat", type=int, default=300, help="habitat polygons (not used)")
    ap.add_argument("--facilities", type=int, default=100_000)
    ap.add_argument("--bases", type=int, default=40,
                    help="patrol bases added to the ports (default 40)")
    ap.add_argument("--bases-km", type=float, default=60.0,
                    help="largest distance of a patrol base from the boundary (default 60)")
    ap.add_argument("--candidates", type=int, default=5000,
                    help="candidate sites, sampled among the incidents (default 5000)")
    ap.add_argument("--seed", type=int, default=20240601, help="of the bases and candidates")
    ap.add_argument("--between", default="US-MX", help="the boundary (default US-MX)")
    ap.add_argument("--radius-km", type=float, default=50.0, help="resources' radius (default 50)")
    ap.add_argument("--corridor-km", type=float, default=100.0,
                    help="corridor's width on each side (default 100)")
    ap.add_argument("--k", type=int, default=10, help="new sites of the mclp workload (default 10)")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per tool (>= 3)")
    ap.add_argument("--tools", default="spatialite,qgis",
                    help="reference tools, comma-separated (default spatialite,qgis)")
    ap.add_argument("--store", help="use this store (built there first if it does not exist; "
                    "the resources and candidates layers are added to it unless there)")
    ap.add_argument("--cache", help="download/work cache of the store builder (kept)")
    ap.add_argument("--keep", help="keep the store in this directory (reused by later runs)")
    args = ap.parse_args()
    if args.runs < 3:
        ap.error("--runs must be at least 3")
    tools = [t for t in args.tools.split(",") if t]
    for t in tools:
        if t not in ("spatialite", "qgis"):
            ap.error("unknown tool %s" % t)
    if len(args.between.split("-")) != 2:
        ap.error("--between takes two countries, such as US-MX")
    segments = 32  # per quarter circle, atalaya-cli coverage's default

    env = dict(os.environ, PROJ_NETWORK="OFF", QT_QPA_PLATFORM="offscreen")
    probe = subprocess.run([args.cli, "coverage", "--help"], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if probe.returncode != 0:
        print("bench/coverage: %s has no coverage command" % args.cli, file=sys.stderr)
        sys.exit(2)
    spatialite = shutil.which("spatialite")
    if "spatialite" in tools and spatialite is None:
        print("bench/coverage: the spatialite CLI is not installed; install the Debian "
              "package spatialite-bin (build-aux/debian-packages-bench.txt)", file=sys.stderr)
        sys.exit(2)
    qgis_python = find_qgis_python() if "qgis" in tools else None
    if "qgis" in tools and qgis_python is None:
        print("bench/coverage: the QGIS Python bindings are not installed; install the "
              "Debian packages python3-qgis and qgis-providers "
              "(build-aux/debian-packages-bench.txt)", file=sys.stderr)
        sys.exit(2)

    work = args.keep or tempfile.mkdtemp(prefix="atalaya-bench-coverage-")
    os.makedirs(work, exist_ok=True)
    disagree = []
    try:
        runtime_dir = tempfile.mkdtemp(prefix="xdg-", dir=work)  # for Qt, mode 0700
        if args.store:
            store = os.path.abspath(args.store)
        else:
            store = os.path.join(work, "coverage-%s-%d.sqlite" % (
                label_for(args.incidents), args.facilities))
        if not os.path.exists(store):
            if not args.gen:
                ap.error("--gen is needed to build %s" % store)
            build_store(args, store, env)

        layers = layer_info(store)
        for name in ("incidents", "facilities", "ports", "countries", "international_boundary"):
            if name not in layers:
                sys.exit("bench/coverage: %s has no %s layer" % (store, name))
        add_layers(args, store, work, layers, env)
        layers = layer_info(store)
        tables = {"boundary": layers["international_boundary"][0],
                  "countries": layers["countries"][0],
                  "resources": layers["resources"][0]}
        n_inc, n_fac, n_res = (layers["incidents"][1], layers["facilities"][1],
                               layers["resources"][1])
        n_cand = layers["candidates"][1]
        radius, corridor = "%g" % args.radius_km, "%g" % args.corridor_km

        srid = None
        if "spatialite" in tools:
            srid = laea_srid(store)
            if srid is None:
                sys.exit("bench/coverage: %s has no SRID with the CEC LAEA's definition in "
                         "spatial_ref_sys (EPSG:2163 has it)" % store)

        # 1. the corridor
        label = "coverage corridor %s km, %d resources, %s facilities, %s incidents" % (
            corridor, n_res, label_for(n_fac), label_for(n_inc))

        def coverage_answer(stdout):
            t = json.loads(stdout)["coverage"]["total"]
            return (t["uncovered_km2"] * 1e6, t.get("facilities_uncovered"),
                    t.get("demand_uncovered_count"))

        ours, (area, n_fac_unc, n_inc_unc) = time_command(
            [args.cli, "coverage", store, "-r", "resources", "--radius", radius,
             "--corridor", corridor, "--between", args.between, "--cross-border",
             "-f", "facilities", "-d", "incidents", "--json"],
            args.runs, env, "atalaya-cli coverage", coverage_answer)
        print("  (%s: atalaya uncovered %.6f km², %d facilities, %d incidents)" % (
            label, area / 1e6, n_fac_unc, n_inc_unc), file=sys.stderr, flush=True)
        for tool in tools:
            if tool == "spatialite":
                # the same work as the statement: the uncovered area only
                area_label = "coverage area, corridor %s km, %d resources" % (corridor, n_res)
                ours_area, (area_only, _, _) = time_command(
                    [args.cli, "coverage", store, "-r", "resources", "--radius", radius,
                     "--corridor", corridor, "--between", args.between, "--cross-border",
                     "--json"],
                    args.runs, env, "atalaya-cli coverage", coverage_answer)
                sql = spatialite_corridor_sql(tables, args.between, args.corridor_km,
                                              args.radius_km, segments, srid)
                theirs, their_area = time_command(
                    [spatialite, "-batch", "-bail", "-silent", store, sql],
                    args.runs, env, "spatialite",
                    lambda out: float(out.strip().splitlines()[-1]))
                d = rel_diff(area, their_area)
                print("  (%s: spatialite uncovered %.6f km², relative difference %.2e)" % (
                    label, their_area / 1e6, d), file=sys.stderr, flush=True)
                if not d <= AREA_TOL_SPATIALITE or rel_diff(area_only, area) > 1e-12:
                    disagree.append("%s: uncovered area, spatialite" % label)
                print("%s: atalaya %.3f s, %s %.3f s, ratio %.4f" % (
                    area_label, ours_area, tool, theirs, ours_area / theirs), flush=True)
                print("%s: atalaya %.3f s (with the points), %s %.3f s (area only), ratio %.4f" % (
                    label, ours, tool, theirs, ours / theirs), flush=True)
                continue
            else:
                q = subprocess.run([qgis_python, os.path.abspath(__file__), "--qgis-worker",
                                    store, "--boundary", tables["boundary"],
                                    "--between", args.between,
                                    "--countries", tables["countries"],
                                    "--resources", tables["resources"],
                                    "--facilities", layers["facilities"][0],
                                    "--incidents", layers["incidents"][0],
                                    "--radius-km", str(args.radius_km),
                                    "--corridor-km", str(args.corridor_km),
                                    "--segments", str(segments),
                                    "--runs", str(args.runs)],
                                   env=dict(env, XDG_RUNTIME_DIR=runtime_dir),
                                   capture_output=True, text=True)
                if q.returncode != 0:
                    sys.exit("bench/coverage: the QGIS run failed:\n%s" % q.stderr)
                kv = parse_kv(q.stdout)
                theirs = float(kv["median_s"])
                q_area, q_fac, q_inc = (float(kv["area_m2"]), int(kv["facilities"]),
                                        int(kv["incidents"]))
                d = rel_diff(area, q_area)
                print("  (qgis: its start, %.2f s, is not timed)" % float(kv["init_s"]),
                      file=sys.stderr, flush=True)
                print("  (%s: qgis uncovered %.6f km², relative difference %.2e; "
                      "%d facilities, %d incidents)" % (label, q_area / 1e6, d, q_fac, q_inc),
                      file=sys.stderr, flush=True)
                if not d <= AREA_TOL_QGIS:
                    disagree.append("%s: uncovered area, qgis" % label)
                for what, a, b in (("facilities", n_fac_unc, q_fac), ("incidents", n_inc_unc, q_inc)):
                    if abs(a - b) > COUNT_TOL_QGIS * max(a, b):
                        disagree.append("%s: uncovered %s, qgis" % (label, what))
            print("%s: atalaya %.3f s, %s %.3f s, ratio %.4f" % (
                label, ours, tool, theirs, ours / theirs), flush=True)

        # 2. siting
        label = "mclp K=%d from %d candidates over %s incidents" % (
            args.k, n_cand, label_for(n_inc))

        def siting_answer(stdout):
            s = json.loads(stdout)["siting"]
            return (len(s["sites"]), s["greedy_value"], s["uncovered_before"],
                    json.dumps(s["sites"], sort_keys=True))

        ours, (n_sites, added, before, _) = time_command(
            [args.cli, "coverage", store, "-r", "resources", "--radius", radius,
             "-d", "incidents", "-k", str(args.k), "--candidates", "candidates",
             "--exact-nodes", "0", "--json"],
            args.runs, env, "atalaya-cli coverage -k", siting_answer)
        print("  (%s: %d sites cover %d of the %d incidents left uncovered)" % (
            label, n_sites, added, before), file=sys.stderr, flush=True)
        print("%s: atalaya %.3f s (target under %g s)" % (label, ours, MCLP_TARGET_S), flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    if disagree:
        sys.exit("bench/coverage: the tools disagree beyond the tolerances on: %s" %
                 "; ".join(disagree))


if __name__ == "__main__":
    main()
