/*
 * The one way twinsim opens an SQLite file (see sqlopen.h).
 */
#include "results/sqlopen.h"

#include <stddef.h>
#include <stdio.h>

int tsim__sqlite_open(const char *path, int flags, sqlite3 **db)
{
    *db = NULL;
    int rc = sqlite3_open_v2(path, db, flags, NULL);
    if (rc == SQLITE_OK) sqlite3_busy_timeout(*db, TSIM__SQLITE_BUSY_MS);
    return rc;
}

/* Switching a file to WAL needs it to itself, and SQLite answers SQLITE_BUSY at once, without the
 * busy handler, when another connection has it open: several runs started together on a new file
 * all try the switch. So the switch is retried here, for as long as the busy timeout allows. */
int tsim__sqlite_wal(sqlite3 *db)
{
    int rc = SQLITE_BUSY;
    for (int waited = 0; rc == SQLITE_BUSY && waited <= TSIM__SQLITE_BUSY_MS; waited += 5) {
        rc = sqlite3_exec(db, "PRAGMA journal_mode = WAL;", NULL, NULL, NULL);
        if (rc == SQLITE_BUSY) sqlite3_sleep(5);
    }
    return rc;
}

int tsim__sqlite_version(sqlite3 *db, int *v)
{
    sqlite3_stmt *st;
    *v = 0;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK) return -1;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : -1;
}

int tsim__sqlite_has_column(sqlite3 *db, const char *table, const char *column)
{
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT 1 FROM pragma_table_info('%s') WHERE name = ?1", table);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return 0;
    sqlite3_bind_text(st, 1, column, -1, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}
