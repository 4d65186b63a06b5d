#!/bin/sh
# Atalaya's two commands.
#
#   ./dev.sh run     install what is missing, build, build the sample store,
#                    and open the app on it
#   ./dev.sh test    the same set-up, then every test suite
#
# Options: --builddir DIR (default _build), --incidents N (sample size,
# default 100000).
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

builddir=_build
incidents=100000
command=${1:-run}
[ $# -gt 0 ] && shift
while [ $# -gt 0 ]; do
  case "$1" in
    --builddir) builddir=$2; shift 2 ;;
    --incidents) incidents=$2; shift 2 ;;
    *) echo "dev.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

say () { printf '\033[1m==> %s\033[0m\n' "$*"; }

if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi

install_packages () {
  missing=""
  for pkg in $(grep -v '^#' build-aux/debian-packages.txt); do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing="$missing $pkg"
    fi
  done
  [ -z "$missing" ] && return 0
  say "Installing Debian packages:$missing"
  $sudo apt-get update -q
  # shellcheck disable=SC2086
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
}

build () {
  if [ ! -f "$builddir/build.ninja" ]; then
    say "Configuring $builddir"
    meson setup "$builddir"
  fi
  say "Building"
  meson compile -C "$builddir"
}

sample_store () {
  store="$builddir/data-samples/north-america.sqlite"
  stamp="$builddir/data-samples/north-america.stamp"
  want="incidents=$incidents $(cat data-samples/planted-hotspots.csv data-samples/atalaya-sample-gen.c data-samples/build-sample-store.sh | cksum)"
  if [ -f "$store" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  # The boundaries come from Debian's qgis-common package, fetched with
  # apt-get download: the package lists must know it.
  if [ ! -f /usr/share/qgis/resources/data/world_map.gpkg ] &&
     [ ! -f "$builddir/data-samples/cache/extracted/usr/share/qgis/resources/data/world_map.gpkg" ] &&
     ! apt-cache show qgis-common >/dev/null 2>&1; then
    say "Updating the package lists"
    $sudo apt-get update -q
  fi
  say "Building the sample store ($incidents incidents)"
  rm -f "$store" "$store-wal" "$store-shm"
  sh data-samples/build-sample-store.sh \
    --cli "$builddir/app/atalaya-cli" \
    --gen "$builddir/data-samples/atalaya-sample-gen" \
    --out "$store" --incidents "$incidents"
  echo "$want" > "$stamp"
}

case "$command" in
  run)
    install_packages
    build
    sample_store
    say "Opening the sample store"
    GSETTINGS_SCHEMA_DIR="$builddir/resources" ATALAYA_LOCALEDIR="$builddir/po" \
      exec "$builddir/app/atalaya" "$builddir/data-samples/north-america.sqlite"
    ;;
  test)
    install_packages
    build
    sample_store
    say "Running the tests"
    meson test -C "$builddir" --print-errorlogs
    ;;
  *)
    echo "usage: ./dev.sh run | test [--builddir DIR] [--incidents N]" >&2
    exit 2
    ;;
esac
