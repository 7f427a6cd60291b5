/*
 * The results database: every run recorded with what is needed to find it, re-run it and compare
 * it again later: the model text, the seed and options, each replication's KPIs and the summary.
 * One database serves many runs (and many processes: WAL mode, a busy timeout, and each run
 * written in one transaction so that a reader never sees half a run). Experiments keep their
 * own tables in the same file (exp_write.c); this file makes the whole schema, so that any
 * writer leaves a database every reader understands.
 *
 * Schema version 3 (PRAGMA user_version; version 2 gave exp_traces its lo and hi columns, version 3
 * added exp_samples and exp_sample_blocks, the traces of `experiment --trace`):
 *   runs(id, created, twinsim_version, model, model_path, model_text, time_unit, seed,
 *        replications, horizon, warmup, warmup_auto, threads, options, command, fingerprint,
 *        events, wall_seconds, result_json)
 *   replications(run_id, replication, fingerprint, events, start_time, end_time)
 *   replication_kpis(run_id, replication, scope, owner, kpi, value)
 *   summary_kpis(run_id, ord, scope, owner, type, kpi, mean, half_width, sd, min, max, n)
 *   exp_* (exp_write.c)
 * `scope` is 'system', 'block' or 'operators' (block and pool names are separate namespaces);
 * `ord` is the report's row order. The seed is decimal text because seeds use all 64 bits and
 * SQLite integers are signed. Non-finite values are NULL. Runs and experiment runs take their
 * ids from one sequence (TSIM__DB_NEXT_ID), so that an id names one run of either kind.
 * Version 1 had the run tables only, and experiment-only files had version 0: these and version 2
 * are read, and brought to version 3 (tables added, nothing changed) by the first writer; a
 * reader of a file not yet brought up finds no exp_samples, which means no experiment traces.
 */
#include "core/core.h"
#include "blocks/picking.h"
#include "results/db.h"
#include "results/sqlopen.h"
#include "results/results.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include "core/sqlite_lib.h"
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SCHEMA_VERSION 3

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS runs ("
    " id INTEGER PRIMARY KEY,"
    " created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),"
    " twinsim_version TEXT NOT NULL,"
    " model TEXT NOT NULL,"
    " model_path TEXT,"
    " model_text TEXT,"
    " time_unit TEXT NOT NULL,"
    " seed TEXT NOT NULL,"
    " replications INTEGER NOT NULL,"
    " horizon REAL NOT NULL,"
    " warmup REAL NOT NULL,"
    " warmup_auto INTEGER NOT NULL,"
    " threads INTEGER NOT NULL,"
    " options TEXT NOT NULL,"
    " command TEXT,"
    " fingerprint TEXT NOT NULL,"
    " events INTEGER NOT NULL,"
    " wall_seconds REAL NOT NULL,"
    " result_json TEXT);"
    "CREATE INDEX IF NOT EXISTS runs_by_model ON runs(model, id);"
    "CREATE TABLE IF NOT EXISTS replications ("
    " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " replication INTEGER NOT NULL,"
    " fingerprint TEXT NOT NULL,"
    " events INTEGER NOT NULL,"
    " start_time REAL,"
    " end_time REAL,"
    " PRIMARY KEY (run_id, replication)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS replication_kpis ("
    " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " replication INTEGER NOT NULL,"
    " scope TEXT NOT NULL CHECK (scope IN ('system', 'block', 'operators')),"
    " owner TEXT NOT NULL,"
    " kpi TEXT NOT NULL,"
    " value REAL,"
    " PRIMARY KEY (run_id, replication, scope, owner, kpi)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS summary_kpis ("
    " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " ord INTEGER NOT NULL,"
    " scope TEXT NOT NULL CHECK (scope IN ('system', 'block', 'operators')),"
    " owner TEXT NOT NULL,"
    " type TEXT NOT NULL,"
    " kpi TEXT NOT NULL,"
    " mean REAL,"
    " half_width REAL,"
    " sd REAL,"
    " min REAL,"
    " max REAL,"
    " n INTEGER NOT NULL,"
    " PRIMARY KEY (run_id, scope, owner, kpi)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS exp_runs(id INTEGER PRIMARY KEY, kind TEXT, file TEXT, "
    "model TEXT, hash TEXT, seed TEXT, status TEXT, started TEXT, finished TEXT, json TEXT);"
    "CREATE TABLE IF NOT EXISTS exp_kpis(run INTEGER, idx INTEGER, name TEXT, block INTEGER, "
    "PRIMARY KEY(run, idx));"
    "CREATE TABLE IF NOT EXISTS exp_scenarios(run INTEGER, scen INTEGER, factors TEXT, "
    "PRIMARY KEY(run, scen));"
    "CREATE TABLE IF NOT EXISTS exp_reps(run INTEGER, scen INTEGER, rep INTEGER, row BLOB, "
    "PRIMARY KEY(run, scen, rep)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS exp_summaries(run INTEGER, scen INTEGER, kpi INTEGER, n INTEGER, "
    "mean REAL, sd REAL, half_width REAL, min REAL, max REAL, PRIMARY KEY(run, scen, kpi));"
    "CREATE TABLE IF NOT EXISTS exp_traces(run INTEGER, scen INTEGER, block INTEGER, name TEXT, "
    "t BLOB, v BLOB, lo BLOB, hi BLOB, PRIMARY KEY(run, scen, block));"
    "CREATE TABLE IF NOT EXISTS exp_samples(run INTEGER, scen INTEGER, replication INTEGER, "
    "interval REAL, samples INTEGER, truncated INTEGER, t BLOB, wip BLOB, done BLOB, "
    "PRIMARY KEY(run, scen));"
    "CREATE TABLE IF NOT EXISTS exp_sample_blocks(run INTEGER, scen INTEGER, block INTEGER, "
    "name TEXT, type TEXT, content BLOB, busy BLOB, PRIMARY KEY(run, scen, block));";

void tsim__db_what(const char *path, char *buf, size_t len)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(buf, len, "cannot be read: %s", strerror(errno));
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(buf, len, "is a directory");
        return;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(buf, len, "is not a regular file");
        return;
    }
    if (st.st_size == 0) {
        snprintf(buf, len, "is empty");
        return;
    }
    unsigned char h[100];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, h, sizeof h) : -1;
    if (fd >= 0) close(fd);
    if (n < 0) {
        snprintf(buf, len, "cannot be read: %s", strerror(errno));
        return;
    }
    if (n < 16 || memcmp(h, "SQLite format 3", 16) != 0) {
        /* Text: printable ASCII, tabs and line ends, or UTF-8 sequences. */
        int text = 1;
        for (ssize_t i = 0; i < n && text; i++)
            text = h[i] >= 0x20 || h[i] == '\n' || h[i] == '\r' || h[i] == '\t';
        snprintf(buf, len, "%s", text ? "is a text file, not an SQLite database"
                                      : "is not an SQLite database");
        return;
    }
    if (n < 100) {
        snprintf(buf, len, "is an SQLite database cut short: %zd bytes, less than its header",
                 (ssize_t)st.st_size);
        return;
    }
    /* The header's page size (1 means 65536) and, when its change counter vouches for it, the
     * number of pages: a file shorter than both say was cut short. */
    long page = (long)h[16] << 8 | h[17];
    if (page == 1) page = 65536;
    unsigned long pages = (unsigned long)h[28] << 24 | (unsigned long)h[29] << 16 |
                          (unsigned long)h[30] << 8 | h[31];
    int counted = memcmp(h + 24, h + 92, 4) == 0 && pages > 0;
    long long want = counted ? (long long)pages * page : 0;
    if (page < 512 || (page & (page - 1)) != 0) {
        snprintf(buf, len, "is a damaged SQLite database (its header gives a page size of %ld)",
                 page);
    } else if (st.st_size % page != 0 || (counted && st.st_size < want)) {
        if (counted)
            snprintf(buf, len, "is an SQLite database cut short: %lld bytes of the %lld its "
                     "header gives", (long long)st.st_size, want);
        else
            snprintf(buf, len, "is an SQLite database cut short: %lld bytes, not a whole "
                     "number of %ld-byte pages", (long long)st.st_size, page);
    } else {
        snprintf(buf, len, "is an SQLite database without twinsim's tables");
    }
}

int tsim__db_fail(sqlite3 *db, const char *path, const char *what)
{
    int code = db ? sqlite3_errcode(db) : SQLITE_NOMEM;
    if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) {
        char is[160];
        tsim__db_what(path, is, sizeof is);
        return tsim__fail(TSIM_EIO, "sqlite", "%s '%s': %s; the file %s", what, path,
                          sqlite3_errmsg(db), is);
    }
    return tsim__fail(TSIM_EIO, "sqlite", "%s '%s': %s", what, path,
                      db ? sqlite3_errmsg(db) : "out of memory");
}

int tsim__db_prepare(sqlite3 *db, const char *path, const char *sql, sqlite3_stmt **st,
                     const char *what)
{
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) == SQLITE_OK) return 0;
    *st = NULL;
    return tsim__db_fail(db, path, what);
}

static int exec(sqlite3 *db, const char *path, const char *sql)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return tsim__db_fail(db, path, "cannot update");
    return 0;
}

int tsim__db_has_table(sqlite3 *db, const char *name)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

/* "'PATH' is not a twinsim results database: it ..." for a file a reader cannot use. */
static int not_results(const char *path)
{
    char is[160];
    tsim__db_what(path, is, sizeof is);
    return tsim__fail(TSIM_EIO, "sqlite", "'%s' is not a twinsim results database: it %s", path,
                      is);
}

int tsim__db_open(const char *path, int create, sqlite3 **out)
{
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    *out = NULL;
    if (tsim__sqlite_open(path, flags, &db) != SQLITE_OK) {
        int rc = tsim__db_fail(db, path, "cannot open");
        sqlite3_close(db);
        return rc;
    }
    int v;
    if (tsim__sqlite_version(db, &v) != 0) {
        int code = sqlite3_errcode(db);
        int rc = code == SQLITE_NOTADB || code == SQLITE_CORRUPT
                     ? not_results(path)
                     : tsim__db_fail(db, path, "cannot read");
        sqlite3_close(db);
        return rc;
    }
    if (v > SCHEMA_VERSION) {
        sqlite3_close(db);
        return tsim__fail(TSIM_EIO, "sqlite",
                          "database '%s' has schema version %d, newer than this twinsim (%d)",
                          path, v, SCHEMA_VERSION);
    }
    if (create && v < SCHEMA_VERSION) {
        /* WAL lets readers (twinsim runs, dashboards) work while a run is written. The journal
         * mode cannot change inside a transaction, so it comes first. A file of an earlier
         * version only gains the tables it lacks. */
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d;", SCHEMA_VERSION);
        int rc = tsim__sqlite_wal(db) == SQLITE_OK ? 0 : tsim__db_fail(db, path, "cannot update");
        if (!rc) rc = exec(db, path, "BEGIN IMMEDIATE;");
        if (!rc) rc = exec(db, path, schema);
        /* Version 0 and 1 traces had no range columns. */
        if (!rc && !tsim__sqlite_has_column(db, "exp_traces", "lo"))
            rc = exec(db, path, "ALTER TABLE exp_traces ADD COLUMN lo BLOB;"
                                "ALTER TABLE exp_traces ADD COLUMN hi BLOB;");
        if (!rc) rc = exec(db, path, sql);
        if (!rc) rc = exec(db, path, "COMMIT;");
        if (rc) {
            sqlite3_exec(db, "ROLLBACK;", NULL, NULL, NULL);
            sqlite3_close(db);
            return rc;
        }
    } else if (v == 0 && !tsim__db_has_table(db, "exp_runs")) {
        /* Version 0 is a results database only if experiments wrote it (before version 2). */
        sqlite3_close(db);
        return not_results(path);
    }
    sqlite3_exec(db, "PRAGMA foreign_keys = ON;", NULL, NULL, NULL);
    /* A writer commits without waiting for the disk (in WAL mode synchronous=NORMAL syncs only
     * at checkpoints): a run that has returned is durable against the process being killed at
     * any moment, and the file is never corrupt, but a power cut or a crash of the host may
     * lose the last runs written before it. Waiting cost a run 3 syncs (docs/bench.md). */
    if (create) sqlite3_exec(db, "PRAGMA synchronous = NORMAL;", NULL, NULL, NULL);
    *out = db;
    return 0;
}

static void bind_real(sqlite3_stmt *st, int i, double x)
{
    if (isfinite(x))
        sqlite3_bind_double(st, i, x);
    else
        sqlite3_bind_null(st, i);
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static const char *scope_of(int block)
{
    if (block == TSIM_KPI_SYSTEM) return "system";
    return block >= 0 ? "block" : "operators";
}

static int insert_run(sqlite3 *db, const char *path, const struct tsim__report *r,
                      const struct tsim__db_meta *meta, int64_t *run_id)
{
    static const char sql[] =
        "INSERT INTO runs (id, twinsim_version, model, model_path, model_text, time_unit, seed,"
        " replications, horizon, warmup, warmup_auto, threads, options, command, fingerprint,"
        " events, wall_seconds, result_json)"
        " VALUES (" TSIM__DB_NEXT_ID ", ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
        " ?14, ?15, ?16, ?17)";
    sqlite3_stmt *st;
    if (tsim__db_prepare(db, path, sql, &st, "cannot update") != 0) return TSIM_EIO;
    char seed[24], fp[17];
    snprintf(seed, sizeof seed, "%" PRIu64, r->seed);
    snprintf(fp, sizeof fp, "%016" PRIx64, r->fingerprint);
    bind_text(st, 1, TSIM_VERSION);
    bind_text(st, 2, r->model_name);
    bind_text(st, 3, meta->model_path);
    if (meta->model_text)
        sqlite3_bind_text(st, 4, meta->model_text, (int)meta->model_len, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 4);
    bind_text(st, 5, r->time_unit);
    bind_text(st, 6, seed);
    sqlite3_bind_int(st, 7, r->replications);
    bind_real(st, 8, r->horizon);
    bind_real(st, 9, r->warmup);
    sqlite3_bind_int(st, 10, r->warmup_auto);
    sqlite3_bind_int(st, 11, meta->threads);
    bind_text(st, 12, meta->options ? meta->options : "{}");
    bind_text(st, 13, meta->command);
    bind_text(st, 14, fp);
    sqlite3_bind_int64(st, 15, (sqlite3_int64)r->events);
    bind_real(st, 16, r->wall_seconds);
    bind_text(st, 17, meta->json);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : tsim__db_fail(db, path, "cannot update");
    sqlite3_finalize(st);
    if (rc == 0) *run_id = sqlite3_last_insert_rowid(db);
    return rc;
}

struct rep_insert {
    sqlite3 *db;
    const char *path;
    const struct tsim__report *r;
    const struct tsim__db_meta *meta;
    sqlite3_stmt *rs, *ks;
    int64_t run_id;
};

static int insert_replication(void *ctx, int rep, const struct tsim__rep_row *row)
{
    struct rep_insert *c = ctx;
    if (c->meta->interrupt && atomic_load(c->meta->interrupt))
        return tsim__fail(TSIM_EIO, "sqlite", "interrupted: nothing was recorded in '%s'",
                          c->path);
    char fp[17];
    snprintf(fp, sizeof fp, "%016" PRIx64, row->fingerprint);
    sqlite3_bind_int64(c->rs, 1, c->run_id);
    sqlite3_bind_int(c->rs, 2, rep);
    bind_text(c->rs, 3, fp);
    sqlite3_bind_int64(c->rs, 4, (sqlite3_int64)row->events);
    bind_real(c->rs, 5, row->start_time);
    bind_real(c->rs, 6, row->end_time);
    int rc = sqlite3_step(c->rs) == SQLITE_DONE ? 0
                                                : tsim__db_fail(c->db, c->path, "cannot update");
    sqlite3_reset(c->rs);
    for (size_t i = 0; i < c->r->nrows && !rc; i++) {
        const struct tsim__row *kr = &c->r->rows[i];
        sqlite3_bind_int64(c->ks, 1, c->run_id);
        sqlite3_bind_int(c->ks, 2, rep);
        bind_text(c->ks, 3, scope_of(kr->block));
        bind_text(c->ks, 4, kr->owner);
        bind_text(c->ks, 5, kr->kpi);
        bind_real(c->ks, 6, row->values[kr->index]);
        if (sqlite3_step(c->ks) != SQLITE_DONE) rc = tsim__db_fail(c->db, c->path, "cannot update");
        sqlite3_reset(c->ks);
    }
    return rc;
}

static int insert_replications(sqlite3 *db, const char *path, const struct tsim__report *r,
                               const struct tsim__db_meta *meta, int64_t run_id)
{
    struct rep_insert c = {.db = db, .path = path, .r = r, .meta = meta, .run_id = run_id};
    int rc = tsim__db_prepare(db, path,
                              "INSERT INTO replications VALUES (?1, ?2, ?3, ?4, ?5, ?6)", &c.rs,
                              "cannot update");
    if (!rc)
        rc = tsim__db_prepare(db, path,
                              "INSERT INTO replication_kpis VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                              &c.ks, "cannot update");
    if (!rc) rc = tsim__report_each(r, insert_replication, &c);
    sqlite3_finalize(c.rs);
    sqlite3_finalize(c.ks);
    return rc;
}

static int insert_summary(sqlite3 *db, const char *path, const struct tsim__report *r,
                          int64_t run_id)
{
    sqlite3_stmt *st;
    int rc = tsim__db_prepare(db, path,
                              "INSERT INTO summary_kpis VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
                              " ?10, ?11, ?12)",
                              &st, "cannot update");
    for (size_t i = 0; i < r->nrows && !rc; i++) {
        const struct tsim__row *row = &r->rows[i];
        sqlite3_bind_int64(st, 1, run_id);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
        bind_text(st, 3, scope_of(row->block));
        bind_text(st, 4, row->owner);
        bind_text(st, 5, row->type);
        bind_text(st, 6, row->kpi);
        bind_real(st, 7, row->s.mean);
        bind_real(st, 8, row->s.half_width);
        bind_real(st, 9, row->s.sd);
        bind_real(st, 10, row->s.min);
        bind_real(st, 11, row->s.max);
        sqlite3_bind_int64(st, 12, (sqlite3_int64)row->s.n);
        if (sqlite3_step(st) != SQLITE_DONE) rc = tsim__db_fail(db, path, "cannot update");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc;
}

/* The orders table, beside its run in table run_orders (made here when missing: a database
 * without an orders table has none). */
static int insert_orders(sqlite3 *db, const char *path, const struct tsim__report *r,
                         int64_t run_id)
{
    int rc = exec(db, path,
                  "CREATE TABLE IF NOT EXISTS run_orders ("
                  " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
                  " block TEXT NOT NULL,"
                  " idx INTEGER NOT NULL,"
                  " order_id TEXT,"
                  " release REAL, complete REAL, shipped REAL, due REAL,"
                  " on_time INTEGER,"
                  " lines INTEGER NOT NULL,"
                  " units INTEGER NOT NULL,"
                  " PRIMARY KEY (run_id, block, idx)) WITHOUT ROWID;");
    sqlite3_stmt *st;
    if (!rc)
        rc = tsim__db_prepare(db, path,
                              "INSERT INTO run_orders VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
                              " ?10, ?11)",
                              &st, "cannot update");
    if (rc) return rc;
    for (size_t i = 0; i < r->norders && !rc; i++) {
        const struct tsim__order_row *o = &r->orders[i];
        sqlite3_bind_int64(st, 1, run_id);
        bind_text(st, 2, o->block);
        sqlite3_bind_int64(st, 3, o->index);
        bind_text(st, 4, o->id);
        bind_real(st, 5, o->release);
        bind_real(st, 6, o->complete);
        bind_real(st, 7, o->shipped);
        bind_real(st, 8, o->due);
        if (isnan(o->shipped)) sqlite3_bind_null(st, 9);
        else sqlite3_bind_int(st, 9, tsim__order_on_time(o));
        sqlite3_bind_int64(st, 10, o->lines);
        sqlite3_bind_int64(st, 11, (sqlite3_int64)o->units);
        if (sqlite3_step(st) != SQLITE_DONE) rc = tsim__db_fail(db, path, "cannot update");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc;
}

int tsim__db_record(const char *path, const struct tsim__report *r,
                    const struct tsim__db_meta *meta, int64_t *run_id)
{
    sqlite3 *db;
    int rc = tsim__db_open(path, 1, &db);
    if (rc) return rc;
    int64_t id = 0;
    rc = exec(db, path, "BEGIN IMMEDIATE;");
    if (!rc) rc = insert_run(db, path, r, meta, &id);
    if (!rc) rc = insert_replications(db, path, r, meta, id);
    if (!rc) rc = insert_summary(db, path, r, id);
    if (!rc && r->norders) rc = insert_orders(db, path, r, id);
    if (!rc) rc = exec(db, path, "COMMIT;");
    if (rc) sqlite3_exec(db, "ROLLBACK;", NULL, NULL, NULL);
    sqlite3_close(db);
    if (!rc && run_id) *run_id = id;
    return rc;
}

