#!/bin/sh
# Installs the Debian packages twinsim needs to build, test and run all of its parts.
# Run as root on Debian 12 (bookworm); as another user it only says what is missing.
# The core library needs only libc and libm; the rest is for model files (libfyaml), results
# (SQLite), the live twin (MQTT), the web server, the cluster path (MPI), fuzzing (clang) and the
# browser test of reports (Chromium, with playwright-core from npm).
set -eu

PKGS="build-essential pkg-config libfyaml-dev libsqlite3-dev sqlite3 libmosquitto-dev mosquitto
libmicrohttpd-dev libcjson-dev mpich libmpich-dev python3 openssl clang libclang-rt-14-dev
chromium nodejs npm"

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
echo "install-deps: done"
