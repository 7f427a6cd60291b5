/*
 * The one way twinsim opens an SQLite file, for the results database (src/results/sqlite.c) and
 * the twin's recording (src/twin/store.c) alike: one busy timeout, WAL for files that are
 * written, and the schema version kept in PRAGMA user_version. What each file holds, and what a
 * failure is called, stays with its owner. Not API.
 */
#ifndef TSIM_RESULTS_SQLOPEN_H
#define TSIM_RESULTS_SQLOPEN_H

#include "core/sqlite_lib.h"

/* How long a statement waits for another connection's lock before it fails with SQLITE_BUSY:
 * long enough for any one transaction of a run, an experiment or the twin to finish. */
#define TSIM__SQLITE_BUSY_MS 30000

/* Open `path` with SQLITE_OPEN_* `flags` and the busy timeout. Returns SQLITE_OK, or SQLite's
 * code with `*db` left for sqlite3_errmsg (the caller closes it in both cases). */
int tsim__sqlite_open(const char *path, int flags, sqlite3 **db);

/* Write-ahead logging: readers work while a writer writes. It cannot be switched inside a
 * transaction, so it comes before any. Returns SQLITE_OK or SQLite's code. */
int tsim__sqlite_wal(sqlite3 *db);

/* The schema version (PRAGMA user_version) in `*v`. Returns 0, or -1 when it cannot be read
 * (sqlite3_errcode says why: SQLITE_NOTADB for a file that is not a database). */
int tsim__sqlite_version(sqlite3 *db, int *v);

/* Whether `table` (a name the caller wrote, not user input) has a column `column`; 0 also when
 * the question cannot be asked. */
int tsim__sqlite_has_column(sqlite3 *db, const char *table, const char *column);

#endif
