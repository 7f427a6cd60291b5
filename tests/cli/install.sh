#!/bin/sh
# The library as a C program meets it: `make install` into a DESTDIR under a temporary folder,
# pkg-config pointed there (PKG_CONFIG_PATH, PKG_CONFIG_SYSROOT_DIR), then examples/line.c built
# with `cc line.c $(pkg-config --cflags --libs twinsim)` against the shared library and again
# against the static one (and with clang too, where there is one), each run and its output
# compared with the example the build made. Also what is installed: the one public header, the
# soname and its links, and a shared library that exports the public API only.
# A sanitizer run installs its plain build: an installed library carries no sanitizer.
. tests/cli/lib.inc

case ${BUILD:-build} in
    build-san* | build-tsan*) IB=build ;;
    *) IB=${BUILD:-build} ;;
esac
ROOT=$TMP/root
P=/usr/local
if ! locked_make "$IB" -s --no-print-directory SAN=0 BUILD="$IB" DESTDIR="$ROOT" PREFIX=$P install \
        "$IB/examples/line" >"$TMP/make.log" 2>&1; then
    fail install_make "make install failed: $(tail -n 5 "$TMP/make.log")"
    exit 0
fi
LIB=$ROOT$P/lib
version=$(sed -n 's/^#define TSIM_VERSION "\(.*\)"/\1/p' include/twinsim.h)

# --- what is installed ---------------------------------------------------------------------------
(cd "$ROOT" && find . \( -type f -o -type l \) | sort) >"$TMP/files"
cat >"$TMP/want" <<EOF
.$P/bin/twinsim
.$P/include/twinsim.h
.$P/include/twinsim_drivers.h
.$P/include/twinsim_logic.h
.$P/include/twinsim_web.h
.$P/lib/libtwinsim.a
.$P/lib/libtwinsim.so
.$P/lib/libtwinsim.so.0
.$P/lib/libtwinsim.so.$version
.$P/lib/pkgconfig/twinsim.pc
EOF
if cmp -s "$TMP/files" "$TMP/want"; then pass install_files
else fail install_files "installed: $(tr '\n' ' ' <"$TMP/files")"; fi

soname=$(readelf -d "$LIB/libtwinsim.so.$version" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
if [ "$soname" = libtwinsim.so.0 ] && [ "$(readlink "$LIB/libtwinsim.so")" = libtwinsim.so.0 ] &&
   [ "$(readlink "$LIB/libtwinsim.so.0")" = "libtwinsim.so.$version" ]; then
    pass install_soname
else
    links="$(readlink "$LIB/libtwinsim.so") $(readlink "$LIB/libtwinsim.so.0")"
    fail install_soname "soname '$soname', links $links"
fi

# MQTT, HTTP and SQLite are opened when first used (src/core/dynlib.h): neither the command nor
# the shared library names them, or the TLS libraries they bring, among what it needs at start.
needed=$(readelf -d "$ROOT$P/bin/twinsim" "$LIB/libtwinsim.so.$version" |
         sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u | tr '\n' ' ')
case " $needed" in
    *" libmosquitto"* | *" libmicrohttpd"* | *" libssl"* | *" libcrypto"* | *" libgnutls"* | \
    *" libsqlite3"*)
        fail install_lazy_libs "needed at start: $needed" ;;
    *) if [ -n "$needed" ]; then pass install_lazy_libs
       else fail install_lazy_libs "readelf found no needed libraries"; fi ;;
esac

# Every exported function or object is public API (tsim_, never the internal tsim__), and every
# TSIM_API function of the header is exported.
nm -D --defined-only "$LIB/libtwinsim.so.$version" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }' |
    sort >"$TMP/exported"
grep -v '^tsim_' "$TMP/exported" | grep -v '^_' >"$TMP/foreign"
grep '^tsim__' "$TMP/exported" >"$TMP/internal"
sed -n 's/^TSIM_API[^(]*[ *]\(tsim_[a-z0-9_]*\)(.*/\1/p' include/twinsim.h include/twinsim_drivers.h \
    include/twinsim_logic.h |
    sort -u >"$TMP/api"
comm -23 "$TMP/api" "$TMP/exported" >"$TMP/missing"
if [ -s "$TMP/foreign" ] || [ -s "$TMP/internal" ] || [ -s "$TMP/missing" ] ||
   [ "$(wc -l <"$TMP/api")" -lt 50 ]; then
    fail install_exports "not API: $(cat "$TMP/foreign" "$TMP/internal" | head -n 5 | tr '\n' ' ');
 API not exported: $(head -n 5 "$TMP/missing" | tr '\n' ' ') ($(wc -l <"$TMP/api") in the header)"
else
    pass install_exports
fi

# --- pkg-config ----------------------------------------------------------------------------------
export PKG_CONFIG_PATH="$LIB/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$ROOT"
modversion=$(pkg-config --modversion twinsim 2>&1)
cflags=$(pkg-config --cflags twinsim 2>&1 | sed 's/ *$//')
libs=$(pkg-config --libs twinsim 2>&1 | sed 's/ *$//')
if [ "$modversion" = "$version" ] && [ "$cflags" = "-I$ROOT$P/include" ] &&
   [ "$libs" = "-L$LIB -ltwinsim" ]; then
    pass install_pkgconfig
else
    fail install_pkgconfig "modversion '$modversion', cflags '$cflags', libs '$libs'"
fi

# --- examples/line.c, as a user builds it --------------------------------------------------------
"$IB/examples/line" >"$TMP/want.out" 2>&1
if ! grep -q '^cutter' "$TMP/want.out"; then
    fail install_line_reference "$IB/examples/line printed: $(head -n 3 "$TMP/want.out")"
fi
# check NAME BINARY NEEDS_SO: it links libtwinsim.so.0 exactly when NEEDS_SO is 1, and runs (with
# the installed folder on the library path only when it needs it) to the reference's output.
check_line() {
    if readelf -d "$2" | grep -q 'NEEDED.*\[libtwinsim\.so\.0\]'; then so=1; else so=0; fi
    if [ "$so" != "$3" ]; then
        fail "$1" "links libtwinsim.so.0: $so, expected $3"
        return
    fi
    if [ "$3" = 1 ]; then LD_LIBRARY_PATH="$LIB" "$2" >"$TMP/got.out" 2>&1
    else "$2" >"$TMP/got.out" 2>&1; fi
    rc=$?
    if [ $rc -eq 0 ] && cmp -s "$TMP/got.out" "$TMP/want.out"; then
        pass "$1"
    else
        fail "$1" "exit $rc, output differs: $(diff "$TMP/want.out" "$TMP/got.out" | head -n 4)"
    fi
}
# The shared library: the command line of the README, word for word.
# shellcheck disable=SC2046
if cc examples/line.c $(pkg-config --cflags --libs twinsim) -o "$TMP/line-shared" 2>"$TMP/cc.err"
then check_line install_line_shared "$TMP/line-shared" 1
else fail install_line_shared "cc failed: $(head -n 5 "$TMP/cc.err")"; fi

# The static library: its private libraries from --static, the archive by its file name.
static_libs=$(pkg-config --static --libs twinsim | sed 's/-ltwinsim/-l:libtwinsim.a/')
# shellcheck disable=SC2086
if cc examples/line.c $cflags $static_libs -o "$TMP/line-static" 2>"$TMP/cc.err"
then check_line install_line_static "$TMP/line-static" 0
else fail install_line_static "cc failed: $(head -n 5 "$TMP/cc.err")"; fi

# The same static archive with clang: its objects carry machine code, not only GCC's bytecode.
if command -v clang >/dev/null 2>&1; then
    # shellcheck disable=SC2086
    if clang examples/line.c $cflags $static_libs -o "$TMP/line-clang" 2>"$TMP/cc.err"
    then check_line install_line_static_clang "$TMP/line-clang" 0
    else fail install_line_static_clang "clang failed: $(head -n 5 "$TMP/cc.err")"; fi
fi

# `make uninstall` takes every installed file away again. pkg-config is pointed back at the
# system first: the Makefile reads the packages' flags, and flags that differ from the build's
# would have its next make compile the whole folder again (build/flags).
unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
locked_make "$IB" -s --no-print-directory SAN=0 BUILD="$IB" DESTDIR="$ROOT" PREFIX=$P uninstall \
    >"$TMP/make.log" 2>&1
left=$(cd "$ROOT" && find . \( -type f -o -type l \) | tr '\n' ' ')
if [ -z "$left" ]; then pass install_uninstall; else fail install_uninstall "left: $left"; fi
exit 0
