#!/bin/sh
# Installs the Debian packages twinsim needs to build, test and run all of its parts.
# Run as root on Debian 12 (bookworm); as another user it only says what is missing.
# The core library needs only libc and libm; the rest is for model files (libfyaml), results
# (SQLite), the live twin (MQTT), the web server, the cluster path (MPI: MPICH, and Open MPI so
# that the tests run the farm on both), fuzzing (clang), the browser tests of reports and of the
# dashboard (Chromium, with playwright-core from npm; curl talks to the dashboard's server) and
# the second implementation the engine is compared with (SimPy, reading model files with PyYAML:
# tests/diff/), and Python's jsonschema for the check of the fleet twin's VDA 5050 messages
# against the published schemas (tests/twin/vda_schema.py).
set -eu

PKGS="build-essential pkg-config libfyaml-dev libsqlite3-dev sqlite3 libmosquitto-dev mosquitto
libmicrohttpd-dev libcjson-dev mpich libmpich-dev openmpi-bin libopenmpi-dev python3 python3-simpy3
python3-yaml openssl curl clang libclang-rt-14-dev chromium nodejs npm libcsv-dev liblua5.4-dev
python3-numpy python3-pytest python3-setuptools python3-pip python3-venv python3-jsonschema"

# Debian ranks Open MPI above MPICH, so installing it makes mpicc, mpirun and <mpi.h> Open MPI's.
# MPICH stays the default (`make mpi`, plain mpirun); Open MPI keeps its own names,
# mpicc.openmpi and mpirun.openmpi. Sets every MPI alternative (mpi, mpirun, the header folder)
# that has an MPICH choice; does nothing where MPICH is absent or we are not root. Called only
# when this run installed Open MPI.
pin_mpich() {
    [ "$(id -u)" = 0 ] && command -v update-alternatives >/dev/null 2>&1 || return 0
    for a in $(update-alternatives --get-selections | awk '$1 ~ /^mpi/ { print $1 }'); do
        choice=$(update-alternatives --list "$a" 2>/dev/null | grep mpich | head -n 1)
        [ -n "$choice" ] && update-alternatives --set "$a" "$choice" >/dev/null
    done
    return 0
}

missing=""
for p in $PKGS; do
    # A Node.js installed by other means (with its own npm) serves as well as Debian's, and
    # Debian's packages would conflict with it.
    case $p in
        nodejs) command -v node >/dev/null 2>&1 && continue ;;
        npm) command -v npm >/dev/null 2>&1 && continue ;;
    esac
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
    echo "install-deps: all packages present"
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "install-deps: missing Debian packages:$missing" >&2
    echo "install-deps: run as root: sh scripts/install-deps.sh" >&2
    exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
# Only when this run brought Open MPI in: a default chosen on purpose earlier stays.
case " $missing " in *" openmpi-bin "* | *" libopenmpi-dev "*) pin_mpich ;; esac
echo "install-deps: done"
