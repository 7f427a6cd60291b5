/*
 * Libraries loaded when first used. A plain run needs neither MQTT nor HTTP, yet linking
 * libmosquitto and libmicrohttpd brings TLS (libssl, libcrypto, gnutls and seven more) into
 * every start of the command: their relocations and constructors were most of its start-up
 * time (docs/bench.md, Start-up). So src/twin/mqtt_lib.c and src/web/mhd_lib.c open those two
 * by soname with dlopen and call them through a table of function pointers; the real library
 * does the work, only its loading moves to the first subcommand that needs it. SQLite's own
 * relocations were most of what was left; src/core/sqlite_lib.c opens it at the first database.
 */
#ifndef TSIM_CORE_DYNLIB_H
#define TSIM_CORE_DYNLIB_H

#include <stddef.h>

/* Open the library `soname` (e.g. "libmosquitto.so.1"); `package` names the Debian package
 * that provides it, for the error. NULL with "cannot load 'SONAME' (Debian package
 * 'PACKAGE'): WHY" in `err` if it is not there. Never closed: its functions stay in use. */
void *tsim__dynlib_open(const char *soname, const char *package, char *err, size_t errlen);

/* The address of function `name` in `lib`; NULL with "'SONAME' has no 'NAME'" in `err` (a
 * library of another, incompatible version) if it is missing. */
void *tsim__dynlib_sym(void *lib, const char *soname, const char *name, char *err,
                       size_t errlen);

#endif
