/*
 * libsqlite3 loaded when the first database is opened (see core/dynlib.h). A plain run with
 * --no-db, and every subcommand that never opens a database, would otherwise pay for it at each
 * start: its ~1,600 symbol relocations were about 80% of the dynamic loader's symbol lookups at
 * the command's start (docs/bench.md, Start-up).
 *
 * Every file that calls SQLite includes this header in place of <sqlite3.h>; the call sites keep
 * SQLite's own names. Invariant: a connection exists only after sqlite3_open_v2 loaded the
 * library, so every call that takes a connection or a statement finds its pointer filled. The
 * four calls that may come without one (open, close of a NULL connection, errmsg and errstr)
 * are functions here that answer with the loading error when the library could not be loaded.
 */
#ifndef TSIM_CORE_SQLITE_LIB_H
#define TSIM_CORE_SQLITE_LIB_H

#include <sqlite3.h>
#include <stddef.h>

/* The functions called through the table, as X(name without sqlite3_). */
#define TSIM__SQLITE_FNS(X) \
    X(bind_blob) \
    X(bind_double) \
    X(bind_int) \
    X(bind_int64) \
    X(bind_null) \
    X(bind_parameter_count) \
    X(bind_text) \
    X(busy_timeout) \
    X(clear_bindings) \
    X(column_blob) \
    X(column_bytes) \
    X(column_count) \
    X(column_double) \
    X(column_int) \
    X(column_int64) \
    X(column_name) \
    X(column_text) \
    X(column_type) \
    X(errcode) \
    X(exec) \
    X(finalize) \
    X(free) \
    X(last_insert_rowid) \
    X(prepare_v2) \
    X(reset) \
    X(sleep) \
    X(step)

struct tsim__sqlite_fns {
#define TSIM__FIELD(n) __typeof__(sqlite3_##n) *n;
    TSIM__SQLITE_FNS(TSIM__FIELD)
    TSIM__FIELD(open_v2)
    TSIM__FIELD(close)
    TSIM__FIELD(errmsg)
    TSIM__FIELD(errstr)
#undef TSIM__FIELD
};
extern struct tsim__sqlite_fns tsim__sql;

/* Load the library once (any thread; later calls return the first answer). 0, or -1 with
 * "cannot load 'libsqlite3.so.0' (Debian package 'libsqlite3-0'): WHY" in `err`. */
int tsim__sqlite_lib_load(char *err, size_t errlen);

/* sqlite3_open_v2 that loads the library first: SQLITE_CANTOPEN with `*db` NULL if it cannot. */
int tsim__sqlite_open_v2(const char *path, sqlite3 **db, int flags, const char *vfs);
/* sqlite3_close; SQLITE_OK for a NULL connection, loaded or not. */
int tsim__sqlite_close(sqlite3 *db);
/* sqlite3_errmsg and sqlite3_errstr; the loading error while the library is not loaded. */
const char *tsim__sqlite_errmsg(sqlite3 *db);
const char *tsim__sqlite_errstr(int rc);

#define sqlite3_open_v2 tsim__sqlite_open_v2
#define sqlite3_close tsim__sqlite_close
#define sqlite3_errmsg tsim__sqlite_errmsg
#define sqlite3_errstr tsim__sqlite_errstr
#define sqlite3_bind_blob (*tsim__sql.bind_blob)
#define sqlite3_bind_double (*tsim__sql.bind_double)
#define sqlite3_bind_int (*tsim__sql.bind_int)
#define sqlite3_bind_int64 (*tsim__sql.bind_int64)
#define sqlite3_bind_null (*tsim__sql.bind_null)
#define sqlite3_bind_parameter_count (*tsim__sql.bind_parameter_count)
#define sqlite3_bind_text (*tsim__sql.bind_text)
#define sqlite3_busy_timeout (*tsim__sql.busy_timeout)
#define sqlite3_clear_bindings (*tsim__sql.clear_bindings)
#define sqlite3_column_blob (*tsim__sql.column_blob)
#define sqlite3_column_bytes (*tsim__sql.column_bytes)
#define sqlite3_column_count (*tsim__sql.column_count)
#define sqlite3_column_double (*tsim__sql.column_double)
#define sqlite3_column_int (*tsim__sql.column_int)
#define sqlite3_column_int64 (*tsim__sql.column_int64)
#define sqlite3_column_name (*tsim__sql.column_name)
#define sqlite3_column_text (*tsim__sql.column_text)
#define sqlite3_column_type (*tsim__sql.column_type)
#define sqlite3_errcode (*tsim__sql.errcode)
#define sqlite3_exec (*tsim__sql.exec)
#define sqlite3_finalize (*tsim__sql.finalize)
#define sqlite3_free (*tsim__sql.free)
#define sqlite3_last_insert_rowid (*tsim__sql.last_insert_rowid)
#define sqlite3_prepare_v2 (*tsim__sql.prepare_v2)
#define sqlite3_reset (*tsim__sql.reset)
#define sqlite3_sleep (*tsim__sql.sleep)
#define sqlite3_step (*tsim__sql.step)

#endif
