# SPDX-License-Identifier: GPL-3.0-or-later
"""What the benchmark scripts share: labels, the QGIS interpreter, the
workers' answer lines and the store's layers."""

import os
import sqlite3
import subprocess
import sys


def label_for(n):
    if n % 1_000_000 == 0:
        return "%dM" % (n // 1_000_000)
    if n % 1000 == 0:
        return "%dk" % (n // 1000)
    return str(n)


def find_qgis_python():
    """An interpreter that imports qgis.core: this one, or Debian's."""
    candidates = [sys.executable, "/usr/bin/python3"]
    for py in candidates:
        if not py or not os.path.exists(py):
            continue
        probe = subprocess.run([py, "-c", "import qgis.core"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
        if probe.returncode == 0:
            return py
    return None


def parse_kv(text):
    line = text.strip().splitlines()[-1]
    return dict(kv.split("=", 1) for kv in line.split())


def laea_srid(store):
    """An SRID of spatial_ref_sys with the CEC LAEA's definition (EPSG:2163
    in SpatiaLite's table), for ST_Transform."""
    want = {"+proj=laea", "+lat_0=45", "+lon_0=-100", "+x_0=0", "+y_0=0", "+units=m"}
    sphere = ({"+R=6370997"}, {"+a=6370997", "+b=6370997"})
    with sqlite3.connect("file:%s?mode=ro" % store, uri=True) as db:
        rows = db.execute("SELECT srid, proj4text FROM spatial_ref_sys "
                          "WHERE proj4text LIKE '%laea%' ORDER BY srid = 2163 DESC, srid").fetchall()
    for srid, proj4 in rows:
        terms = set((proj4 or "").split())
        if want <= terms and any(s <= terms for s in sphere) and not any(
                t.startswith(("+datum", "+ellps", "+towgs84", "+nadgrids")) for t in terms):
            return srid
    return None


def layer_info(store):
    """name -> (table, feature count) of the store's layers."""
    with sqlite3.connect("file:%s?mode=ro" % store, uri=True) as db:
        rows = db.execute("SELECT name, table_name, feature_count FROM atalaya_layers").fetchall()
    return {name: (table, count) for name, table, count in rows}
