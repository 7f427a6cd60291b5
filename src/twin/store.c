/*
 * SQLite recording: every message the twin accepted, in order, and every forecast with the point
 * it started from. The live state is a deterministic function of (model, mapping, live seed, the
 * accepted messages in order), so "the state a forecast started from" is recorded as the number
 * of messages it had absorbed; replaying that prefix rebuilds the state exactly, and the stored
 * seed reruns the forecast. A human-readable JSON view of the state is stored beside it.
 *
 * The recording is also what a restarted twin resumes from: it replays every recorded message
 * and takes its counters from the `counters` meta row, which is written in the same transaction
 * as the messages it counts (tsim__store_commit), so the two always agree. Durability: WAL with
 * synchronous=NORMAL, so a commit survives the process being killed at any moment; a power cut
 * of the host may lose the last commits unless `sync_full` asks for synchronous=FULL.
 *
 * Only the twin's own thread uses a store.
 */
#include "core/core.h"
#include "results/sqlopen.h"
#include "twin/twin.h"

#include "core/sqlite_lib.h"
#include <stdio.h>
#include <string.h>

struct tsim__store {
    sqlite3 *db;
    sqlite3_stmt *ins_event;
    sqlite3_stmt *ins_forecast;
    sqlite3_stmt *ins_meta;
    int in_tx;
};

/* The version of the recording's tables (PRAGMA user_version); 0 in recordings made before it
 * was kept, which have the same tables. */
#define STORE_VERSION 1

static const char *const schema =
    "CREATE TABLE IF NOT EXISTS events("
    " seq INTEGER PRIMARY KEY, topic TEXT NOT NULL, payload BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS forecasts("
    " id INTEGER PRIMARY KEY, recorded TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ')),"
    " events INTEGER NOT NULL, seed INTEGER NOT NULL, now REAL NOT NULL, horizon REAL NOT NULL,"
    " replications INTEGER NOT NULL, result TEXT NOT NULL, state TEXT);"
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);";

static void set_err(char *err, size_t errlen, const char *what, sqlite3 *db)
{
    if (errlen) snprintf(err, errlen, "%s: %s", what, db ? sqlite3_errmsg(db) : "out of memory");
}

struct tsim__store *tsim__store_open(const char *path, int sync_full, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    int v = 0;
    if (tsim__sqlite_open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &db) != SQLITE_OK ||
        tsim__sqlite_version(db, &v) != 0 || tsim__sqlite_wal(db) != SQLITE_OK) {
        set_err(err, errlen, path, db);
        sqlite3_close(db);
        return NULL;
    }
    if (v > STORE_VERSION) {
        if (errlen)
            snprintf(err, errlen, "%s: recording has schema version %d, newer than this twinsim (%d)",
                     path, v, STORE_VERSION);
        sqlite3_close(db);
        return NULL;
    }
    char *msg = NULL, version[48];
    snprintf(version, sizeof version, "PRAGMA user_version = %d;", STORE_VERSION);
    if (sqlite3_exec(db, schema, NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(db, version, NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(db, sync_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
                     NULL, NULL, &msg) != SQLITE_OK) {
        if (errlen) snprintf(err, errlen, "%s: %s", path, msg ? msg : "cannot create tables");
        sqlite3_free(msg);
        sqlite3_close(db);
        return NULL;
    }
    struct tsim__store *st = tsim__calloc(1, sizeof *st);
    st->db = db;
    /* Plain INSERT: a sequence number recorded once is never written again, so a bug that
     * reused one would fail loudly instead of overwriting the recording. */
    if (sqlite3_prepare_v2(db, "INSERT INTO events(seq, topic, payload) VALUES(?,?,?)", -1,
                           &st->ins_event, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO forecasts(id, events, seed, now, horizon, "
                           "replications, result, state) VALUES(?,?,?,?,?,?,?,?)",
                           -1, &st->ins_forecast, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?,?)", -1,
                           &st->ins_meta, NULL) != SQLITE_OK) {
        set_err(err, errlen, path, db);
        tsim__store_close(st);
        return NULL;
    }
    return st;
}

void tsim__store_close(struct tsim__store *st)
{
    if (!st) return;
    tsim__store_commit(st, NULL);
    sqlite3_finalize(st->ins_event);
    sqlite3_finalize(st->ins_forecast);
    sqlite3_finalize(st->ins_meta);
    sqlite3_close(st->db);
    tsim__free(st);
}

static int begin(struct tsim__store *st)
{
    if (st->in_tx) return 0;
    if (sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) return -1;
    st->in_tx = 1;
    return 0;
}

int tsim__store_meta(struct tsim__store *st, const char *key, const char *value)
{
    if (begin(st) != 0) return -1;
    sqlite3_stmt *s = st->ins_meta;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc == SQLITE_DONE ? 0 : -1;
}

int tsim__store_event(struct tsim__store *st, uint64_t seq, const char *topic,
                      const void *payload, size_t len)
{
    if (begin(st) != 0) return -1;
    sqlite3_stmt *s = st->ins_event;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)seq);
    sqlite3_bind_text(s, 2, topic, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 3, len ? payload : "", (int)len, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc == SQLITE_DONE ? 0 : -1;
}

int tsim__store_commit(struct tsim__store *st, const char *counters_json)
{
    if (counters_json && tsim__store_meta(st, "counters", counters_json) != 0) return -1;
    if (!st->in_tx) return 0;
    st->in_tx = 0;
    if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK) return 0;
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

static uint64_t max_of(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s = NULL;
    uint64_t n = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        n = (uint64_t)sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return n;
}

uint64_t tsim__store_last_event(struct tsim__store *st)
{
    return max_of(st->db, "SELECT coalesce(max(seq), 0) FROM events");
}

uint64_t tsim__store_last_forecast(struct tsim__store *st)
{
    return max_of(st->db, "SELECT coalesce(max(id), 0) FROM forecasts");
}

char *tsim__store_meta_of(struct tsim__store *st, const char *key)
{
    sqlite3_stmt *s = NULL;
    char *out = NULL;
    if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = ?", -1, &s, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
        if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
            out = tsim__strdup((const char *)sqlite3_column_text(s, 0));
    }
    sqlite3_finalize(s);
    return out;
}

int tsim__store_each(struct tsim__store *st, uint64_t upto,
                     int (*fn)(void *ctx, const char *topic, const void *payload, size_t len),
                     void *ctx, char *err, size_t errlen)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, "SELECT topic, payload FROM events WHERE seq <= ? ORDER BY seq",
                           -1, &s, NULL) != SQLITE_OK) {
        set_err(err, errlen, "cannot read the recording", st->db);
        return -1;
    }
    sqlite3_bind_int64(s, 1, (sqlite3_int64)upto);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *topic = (const char *)sqlite3_column_text(s, 0);
        const void *p = sqlite3_column_blob(s, 1);
        size_t n = (size_t)sqlite3_column_bytes(s, 1);
        if (fn(ctx, topic ? topic : "", p ? p : "", n) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    if (rc != SQLITE_DONE) set_err(err, errlen, "cannot read the recording", st->db);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : -1;
}

int tsim__store_forecast(struct tsim__store *st, const struct tsim__fc_input *in,
                         const char *result_json, const char *state_json)
{
    /* The forecast must never refer to messages that are not on disk: it goes into the
     * transaction that commits them. */
    if (begin(st) != 0) return -1;
    sqlite3_stmt *s = st->ins_forecast;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)in->id);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)in->events_applied);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)in->seed);
    sqlite3_bind_double(s, 4, in->now);
    sqlite3_bind_double(s, 5, in->horizon);
    sqlite3_bind_int(s, 6, in->replications);
    sqlite3_bind_text(s, 7, result_json, -1, SQLITE_STATIC);
    if (state_json) sqlite3_bind_text(s, 8, state_json, -1, SQLITE_STATIC);
    else sqlite3_bind_null(s, 8);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc == SQLITE_DONE ? 0 : -1;
}

static sqlite3 *open_ro(const char *path, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    if (tsim__sqlite_open(path, SQLITE_OPEN_READONLY, &db) != SQLITE_OK) {
        set_err(err, errlen, path, db);
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

int tsim__store_replay(const char *path, uint64_t upto,
                       void (*fn)(void *ctx, const char *topic, const void *payload, size_t len),
                       void *ctx, char *err, size_t errlen)
{
    sqlite3 *db = open_ro(path, err, errlen);
    if (!db) return -1;
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT topic, payload FROM events WHERE seq <= ? ORDER BY seq",
                                -1, &s, NULL);
    if (rc != SQLITE_OK) {
        set_err(err, errlen, path, db);
        sqlite3_close(db);
        return -1;
    }
    sqlite3_bind_int64(s, 1, (sqlite3_int64)upto);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *topic = (const char *)sqlite3_column_text(s, 0);
        const void *p = sqlite3_column_blob(s, 1);
        size_t n = (size_t)sqlite3_column_bytes(s, 1);
        fn(ctx, topic ? topic : "", p ? p : "", n);
    }
    if (rc != SQLITE_DONE) set_err(err, errlen, path, db);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return rc == SQLITE_DONE ? 0 : -1;
}

int tsim__store_get_forecast(const char *path, uint64_t id, uint64_t *events, uint64_t *seed,
                             char **result_json, char *err, size_t errlen)
{
    sqlite3 *db = open_ro(path, err, errlen);
    if (!db) return -1;
    sqlite3_stmt *s = NULL;
    int ok = -1;
    if (sqlite3_prepare_v2(db, "SELECT events, seed, result FROM forecasts WHERE id = ?", -1, &s,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_int64(s, 1, (sqlite3_int64)id);
        if (sqlite3_step(s) == SQLITE_ROW) {
            *events = (uint64_t)sqlite3_column_int64(s, 0);
            *seed = (uint64_t)sqlite3_column_int64(s, 1);
            const char *r = (const char *)sqlite3_column_text(s, 2);
            *result_json = tsim__strdup(r ? r : "");
            ok = 0;
        } else if (errlen) {
            snprintf(err, errlen, "no forecast %llu in '%s'", (unsigned long long)id, path);
        }
    } else {
        set_err(err, errlen, path, db);
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    return ok;
}

char *tsim__store_get_meta(const char *path, const char *key)
{
    char err[8];
    sqlite3 *db = open_ro(path, err, 0);
    if (!db) return NULL;
    sqlite3_stmt *s = NULL;
    char *out = NULL;
    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?", -1, &s, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
        if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
            out = tsim__strdup((const char *)sqlite3_column_text(s, 0));
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    return out;
}
