#!/bin/sh
# build-sample-store.sh - build the Atalaya sample store (north-america.sqlite)
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: build-sample-store.sh --cli PATH_TO_atalaya-cli
#                              --gen PATH_TO_atalaya-sample-gen
#                              --out STORE.sqlite
#                              [--incidents N] [--habitat N] [--facilities N]
#                              [--cache DIR] [--verbose]
#
# 1. Finds Natural Earth's world_map.gpkg: the installed copy of Debian's
#    qgis-common package, or else a copy downloaded with
#    "apt-get download qgis-common" (no root needed) and unpacked into the
#    cache directory (default: the directory of --out, then /cache).
# 2. Runs atalaya-sample-gen into a temporary directory under the cache.
# 3. Builds the store in a temporary file next to --out with
#    "atalaya-cli init" and one "atalaya-cli import" per layer, and moves it
#    into place only when everything succeeded.

set -eu

PROG=build-sample-store
SYSTEM_WORLD_MAP=/usr/share/qgis/resources/data/world_map.gpkg
WORLD_MAP_IN_DEB=usr/share/qgis/resources/data/world_map.gpkg

say () {
    printf '%s: %s\n' "$PROG" "$*"
}

die () {
    printf '%s: error: %s\n' "$PROG" "$*" >&2
    exit 1
}

usage () {
    cat >&2 <<EOF
usage: $0 --cli PATH_TO_atalaya-cli --gen PATH_TO_atalaya-sample-gen --out STORE.sqlite
          [--incidents N] [--habitat N] [--facilities N] [--cache DIR] [--verbose]

  --cli PATH       atalaya-cli executable
  --gen PATH       atalaya-sample-gen executable
  --out FILE       store to write (replaced only when the build succeeded)
  --incidents N    number of generated incidents (default 100000)
  --habitat N      number of generated habitat polygons (default 300)
  --facilities N   number of generated facilities (default max(2000, N/20), at most 100000)
  --cache DIR      download/work directory (default: directory of --out + /cache)
  --verbose        do not pass --quiet to atalaya-cli import
EOF
    exit 2
}

need_arg () {
    [ "$#" -ge 2 ] || { printf '%s: error: %s needs a value\n' "$PROG" "$1" >&2; usage; }
}

# check_count OPTION VALUE: VALUE is a whole number >= 1
check_count () {
    case "$2" in
        ''|*[!0-9]*) die "$1 must be a positive integer, not '$2'" ;;
    esac
    [ "$2" -ge 1 ] || die "$1 must be at least 1"
}

CLI=
GEN=
OUT=
INCIDENTS=100000
HABITAT=
FACILITIES=
CACHE=
QUIET=--quiet

while [ "$#" -gt 0 ]; do
    case "$1" in
        --cli) need_arg "$@"; CLI=$2; shift 2 ;;
        --cli=*) CLI=${1#*=}; shift ;;
        --gen) need_arg "$@"; GEN=$2; shift 2 ;;
        --gen=*) GEN=${1#*=}; shift ;;
        --out) need_arg "$@"; OUT=$2; shift 2 ;;
        --out=*) OUT=${1#*=}; shift ;;
        --incidents) need_arg "$@"; INCIDENTS=$2; shift 2 ;;
        --incidents=*) INCIDENTS=${1#*=}; shift ;;
        --habitat) need_arg "$@"; HABITAT=$2; shift 2 ;;
        --habitat=*) HABITAT=${1#*=}; shift ;;
        --facilities) need_arg "$@"; FACILITIES=$2; shift 2 ;;
        --facilities=*) FACILITIES=${1#*=}; shift ;;
        --cache) need_arg "$@"; CACHE=$2; shift 2 ;;
        --cache=*) CACHE=${1#*=}; shift ;;
        --verbose|-v) QUIET=; shift ;;
        -h|--help) usage ;;
        *) printf '%s: error: unknown argument: %s\n' "$PROG" "$1" >&2; usage ;;
    esac
done

[ -n "$CLI" ] || { printf '%s: error: --cli is required\n' "$PROG" >&2; usage; }
[ -n "$GEN" ] || { printf '%s: error: --gen is required\n' "$PROG" >&2; usage; }
[ -n "$OUT" ] || { printf '%s: error: --out is required\n' "$PROG" >&2; usage; }
check_count --incidents "$INCIDENTS"
# The generator's own defaults apply unless --habitat / --facilities is given.
GEN_COUNTS=
if [ -n "$HABITAT" ]; then
    check_count --habitat "$HABITAT"
    GEN_COUNTS="$GEN_COUNTS --habitat $HABITAT"
fi
if [ -n "$FACILITIES" ]; then
    check_count --facilities "$FACILITIES"
    GEN_COUNTS="$GEN_COUNTS --facilities $FACILITIES"
fi

# Accept bare command names as well as paths.
case "$CLI" in */*) ;; *) CLI=$(command -v "$CLI" || true) ;; esac
case "$GEN" in */*) ;; *) GEN=$(command -v "$GEN" || true) ;; esac
if [ -z "$CLI" ] || [ ! -x "$CLI" ] || [ -d "$CLI" ]; then
    die "atalaya-cli not found or not executable (--cli)"
fi
if [ -z "$GEN" ] || [ ! -x "$GEN" ] || [ -d "$GEN" ]; then
    die "atalaya-sample-gen not found or not executable (--gen)"
fi

SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
HOTSPOTS=$SCRIPT_DIR/planted-hotspots.csv
[ -f "$HOTSPOTS" ] || die "$HOTSPOTS: no such file"

OUT_DIR=$(dirname "$OUT")
OUT_BASE=$(basename "$OUT")
mkdir -p "$OUT_DIR" || die "$OUT_DIR: cannot create directory"
OUT_DIR=$(cd "$OUT_DIR" && pwd)
OUT=$OUT_DIR/$OUT_BASE
if [ -d "$OUT" ]; then
    die "$OUT is a directory"
fi
[ -n "$CACHE" ] || CACHE=$OUT_DIR/cache
mkdir -p "$CACHE" || die "$CACHE: cannot create directory"
CACHE=$(cd "$CACHE" && pwd)

GEN_DIR=
TMP_STORE=$OUT_DIR/.${OUT_BASE%.sqlite}.tmp-$$.sqlite

remove_store_files () {
    rm -f "$1" "$1-journal" "$1-wal" "$1-shm"
}

cleanup () {
    if [ -n "$GEN_DIR" ]; then
        rm -rf "$GEN_DIR"
    fi
    remove_store_files "$TMP_STORE"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# --- (a) world_map.gpkg -----------------------------------------------------

if [ -f "$SYSTEM_WORLD_MAP" ]; then
    WORLD_MAP=$SYSTEM_WORLD_MAP
    say "using $WORLD_MAP (installed qgis-common)"
else
    WORLD_MAP=$CACHE/extracted/$WORLD_MAP_IN_DEB
    if [ -f "$WORLD_MAP" ]; then
        say "using cached $WORLD_MAP"
    else
        DEB=
        for f in "$CACHE"/qgis-common_*.deb; do
            [ -f "$f" ] && DEB=$f
        done
        if [ -z "$DEB" ]; then
            command -v apt-get >/dev/null 2>&1 ||
                die "world_map.gpkg not found: install qgis-common or put it at $WORLD_MAP"
            say "downloading qgis-common into $CACHE (apt-get download)"
            (cd "$CACHE" && apt-get download qgis-common) ||
                die "apt-get download qgis-common failed (try 'apt-get update', or install qgis-common)"
            for f in "$CACHE"/qgis-common_*.deb; do
                [ -f "$f" ] && DEB=$f
            done
            [ -n "$DEB" ] || die "apt-get download did not leave a qgis-common_*.deb in $CACHE"
        fi
        command -v dpkg-deb >/dev/null 2>&1 || die "dpkg-deb not found, cannot unpack $DEB"
        say "unpacking $(basename "$DEB")"
        rm -rf "$CACHE/extracted" "$CACHE/extracted.tmp"
        dpkg-deb -x "$DEB" "$CACHE/extracted.tmp" || die "dpkg-deb -x $DEB failed"
        mv "$CACHE/extracted.tmp" "$CACHE/extracted"
        [ -f "$WORLD_MAP" ] || die "$(basename "$DEB") has no $WORLD_MAP_IN_DEB"
    fi
fi

# --- (b) generated inputs ---------------------------------------------------

GEN_DIR=$(mktemp -d "$CACHE/gen.XXXXXX") || die "cannot create a temporary directory in $CACHE"
say "generating sample data ($INCIDENTS incidents${GEN_COUNTS:+,$GEN_COUNTS})"
# $GEN_COUNTS holds only option names and digits: leave it unquoted on purpose.
# shellcheck disable=SC2086
"$GEN" --world-map "$WORLD_MAP" --out-dir "$GEN_DIR" --incidents "$INCIDENTS" \
    $GEN_COUNTS --hotspots "$HOTSPOTS" ||
    die "atalaya-sample-gen failed"
for f in countries.geojson states_provinces.geojson boundary_lines.geojson ports.geojson \
         facilities.csv habitat.gpkg incidents.csv; do
    [ -s "$GEN_DIR/$f" ] || die "atalaya-sample-gen did not write $f"
done

# --- (c) the store ----------------------------------------------------------

remove_store_files "$TMP_STORE"
say "creating store"
"$CLI" init "$TMP_STORE" || die "atalaya-cli init failed"

import_layer () {
    label=$1
    shift
    say "importing $label"
    # $QUIET is empty or a single word: leave it unquoted on purpose.
    # shellcheck disable=SC2086
    "$CLI" import "$TMP_STORE" "$@" $QUIET || die "atalaya-cli import of $label failed"
}

# Imported bottom layer first: each import goes on top of the map.
import_layer countries "$GEN_DIR/countries.geojson" \
    --name countries --role boundary
import_layer states_provinces "$GEN_DIR/states_provinces.geojson" \
    --name states_provinces --role boundary
import_layer habitat "$GEN_DIR/habitat.gpkg" --layer habitat \
    --name habitat --role habitat --country-field country
import_layer incidents "$GEN_DIR/incidents.csv" \
    --name incidents --role incident \
    --x-field longitude --y-field latitude \
    --date-field occurred --category-field category --severity-field severity \
    --country-field country
import_layer facilities "$GEN_DIR/facilities.csv" \
    --name facilities --role facility \
    --x-field longitude --y-field latitude \
    --country-field country --category-field sector
import_layer international_boundary "$GEN_DIR/boundary_lines.geojson" \
    --name international_boundary --role boundary
import_layer ports "$GEN_DIR/ports.geojson" \
    --name ports --role port

[ -s "$TMP_STORE" ] || die "atalaya-cli did not write $TMP_STORE"
if [ -s "$TMP_STORE-wal" ]; then
    die "atalaya-cli left an unmerged write-ahead log next to $TMP_STORE"
fi

# A stale journal or WAL of an older store must not be applied to the new one.
rm -f "$OUT-journal" "$OUT-wal" "$OUT-shm"
mv -f "$TMP_STORE" "$OUT" || die "cannot move the store to $OUT"
remove_store_files "$TMP_STORE"
say "wrote $OUT ($(wc -c < "$OUT" | tr -d ' ') bytes)"
