/*
 * What the SQLite writers and readers of src/results share (sqlite.c makes the schema and opens the
 * file for all of them). Not API, and only src/results includes it: nothing else opens SQLite.
 */
#ifndef TSIM_OUT_DB_H
#define TSIM_OUT_DB_H

#include "core/sqlite_lib.h"
#include <stddef.h>

/*
 * The id of a new run of any kind, as an SQL expression for an INSERT: one more than the largest
 * id of either table, so that ids of runs and experiment runs never meet. Evaluated inside the
 * statement that inserts, under the write lock, so two writers cannot take the same id.
 */
#define TSIM__DB_NEXT_ID                                                                      \
    "(SELECT 1 + max(coalesce((SELECT max(id) FROM runs), 0),"                                \
    " coalesce((SELECT max(id) FROM exp_runs), 0)))"

/**
 * Open the results database at `path`. With `create`, make the file if missing and bring its
 * schema to the current version (WAL mode). Without, accept any version this twinsim reads, and
 * refuse anything else with what the file really is ("'x.txt' is not a twinsim results
 * database: it is a text file ...").
 * Errors: TSIM_EIO with the message in tsim_errmsg().
 */
int tsim__db_open(const char *path, int create, sqlite3 **out);

/* Fail with `what`, the path and SQLite's message; for a damaged file, what the file is.
 * Returns TSIM_EIO. */
int tsim__db_fail(sqlite3 *db, const char *path, const char *what);

/* Prepare `sql` into `*st`; on failure `*st` is NULL and the failure is tsim__db_fail's, with
 * `what` ("cannot read"). Returns 0 or TSIM_EIO. */
int tsim__db_prepare(sqlite3 *db, const char *path, const char *sql, sqlite3_stmt **st,
                     const char *what);

/* 1 if table `name` exists. */
int tsim__db_has_table(sqlite3 *db, const char *name);

/*
 * What the file at `path` is, as the end of a sentence that starts "the file ...": "is empty",
 * "is a directory", "is a text file (...)", "is an SQLite database cut short: 4096 bytes of the
 * 12288 its header gives", "is an SQLite database without twinsim's tables".
 */
void tsim__db_what(const char *path, char *buf, size_t len);

#endif
