/*
 * The results database: every run recorded with what is needed to find it, re-run it and compare
 * it again later: the model text, the seed and options, each replication's KPIs and the summary.
 * One database serves many runs (and many processes: WAL mode, a busy timeout, and each run
 * written in one transaction so that a reader never sees half a run).
 *
 * Schema version 1 (PRAGMA user_version):
 *   runs(id, created, twinsim_version, model, model_path, model_text, time_unit, seed,
 *        replications, horizon, warmup, warmup_auto, threads, options, command, fingerprint,
 *        events, wall_seconds, result_json)
 *   replications(run_id, replication, fingerprint, events, start_time, end_time)
 *   replication_kpis(run_id, replication, scope, owner, kpi, value)
 *   summary_kpis(run_id, ord, scope, owner, type, kpi, mean, half_width, sd, min, max, n)
 * `scope` is 'system', 'block' or 'operators' (block and pool names are separate namespaces);
 * `ord` is the report's row order. The seed is decimal text because seeds use all 64 bits and
 * SQLite integers are signed. Non-finite values are NULL.
 */
#include "core/core.h"
#include "out/out.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>

#define SCHEMA_VERSION 1
/* A concurrent writer holds the lock for one run's inserts: milliseconds, rarely seconds. */
#define BUSY_TIMEOUT_MS 30000

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
    " PRIMARY KEY (run_id, scope, owner, kpi)) WITHOUT ROWID;";

static int db_fail(sqlite3 *db, const char *path, const char *what)
{
    return tsim__fail(TSIM_EIO, "sqlite", "%s '%s': %s", what, path,
                      db ? sqlite3_errmsg(db) : "out of memory");
}

static int exec(sqlite3 *db, const char *path, const char *sql)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(db, path, "cannot update");
    return 0;
}

static int user_version(sqlite3 *db, int *v)
{
    sqlite3_stmt *st;
    *v = 0;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK) return -1;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : -1;
}

/* Open `path`; with `create`, make it and its schema if needed. */
static int open_db(const char *path, int create, sqlite3 **out)
{
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    *out = NULL;
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        int rc = db_fail(db, path, "cannot open");
        sqlite3_close(db);
        return rc;
    }
    sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
    int v;
    if (user_version(db, &v) != 0) {
        int rc = db_fail(db, path, "cannot read");
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
         * mode cannot change inside a transaction, so it comes first. */
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d;", SCHEMA_VERSION);
        int rc = exec(db, path, "PRAGMA journal_mode = WAL;");
        if (!rc) rc = exec(db, path, "BEGIN IMMEDIATE;");
        if (!rc) rc = exec(db, path, schema);
        if (!rc) rc = exec(db, path, sql);
        if (!rc) rc = exec(db, path, "COMMIT;");
        if (rc) {
            sqlite3_exec(db, "ROLLBACK;", NULL, NULL, NULL);
            sqlite3_close(db);
            return rc;
        }
    } else if (v < SCHEMA_VERSION) {
        sqlite3_close(db);
        return tsim__fail(TSIM_EIO, "sqlite", "'%s' is not a twinsim results database", path);
    }
    sqlite3_exec(db, "PRAGMA foreign_keys = ON;", NULL, NULL, NULL);
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
        "INSERT INTO runs (twinsim_version, model, model_path, model_text, time_unit, seed,"
        " replications, horizon, warmup, warmup_auto, threads, options, command, fingerprint,"
        " events, wall_seconds, result_json)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)";
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, path, "cannot update");
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
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(db, path, "cannot update");
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
    int rc = sqlite3_step(c->rs) == SQLITE_DONE ? 0 : db_fail(c->db, c->path, "cannot update");
    sqlite3_reset(c->rs);
    for (size_t i = 0; i < c->r->nrows && !rc; i++) {
        const struct tsim__row *kr = &c->r->rows[i];
        sqlite3_bind_int64(c->ks, 1, c->run_id);
        sqlite3_bind_int(c->ks, 2, rep);
        bind_text(c->ks, 3, scope_of(kr->block));
        bind_text(c->ks, 4, kr->owner);
        bind_text(c->ks, 5, kr->kpi);
        bind_real(c->ks, 6, row->values[kr->index]);
        if (sqlite3_step(c->ks) != SQLITE_DONE) rc = db_fail(c->db, c->path, "cannot update");
        sqlite3_reset(c->ks);
    }
    return rc;
}

static int insert_replications(sqlite3 *db, const char *path, const struct tsim__report *r,
                               const struct tsim__db_meta *meta, int64_t run_id)
{
    struct rep_insert c = {.db = db, .path = path, .r = r, .meta = meta, .run_id = run_id};
    int rc = 0;
    if (sqlite3_prepare_v2(db, "INSERT INTO replications VALUES (?1, ?2, ?3, ?4, ?5, ?6)", -1,
                           &c.rs, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO replication_kpis VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                           -1, &c.ks, NULL) != SQLITE_OK)
        rc = db_fail(db, path, "cannot update");
    else
        rc = tsim__report_each(r, insert_replication, &c);
    sqlite3_finalize(c.rs);
    sqlite3_finalize(c.ks);
    return rc;
}

static int insert_summary(sqlite3 *db, const char *path, const struct tsim__report *r,
                          int64_t run_id)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO summary_kpis VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
                           " ?10, ?11, ?12)",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, path, "cannot update");
    int rc = 0;
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
        if (sqlite3_step(st) != SQLITE_DONE) rc = db_fail(db, path, "cannot update");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc;
}

int tsim__db_record(const char *path, const struct tsim__report *r,
                    const struct tsim__db_meta *meta, int64_t *run_id)
{
    sqlite3 *db;
    int rc = open_db(path, 1, &db);
    if (rc) return rc;
    int64_t id = 0;
    rc = exec(db, path, "BEGIN IMMEDIATE;");
    if (!rc) rc = insert_run(db, path, r, meta, &id);
    if (!rc) rc = insert_replications(db, path, r, meta, id);
    if (!rc) rc = insert_summary(db, path, r, id);
    if (!rc) rc = exec(db, path, "COMMIT;");
    if (rc) sqlite3_exec(db, "ROLLBACK;", NULL, NULL, NULL);
    sqlite3_close(db);
    if (!rc && run_id) *run_id = id;
    return rc;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return s ? (const char *)s : "";
}

int tsim__db_list(const char *path, FILE *out, int limit)
{
    sqlite3 *db;
    int rc = open_db(path, 0, &db);
    if (rc) return rc;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT id, created, model, replications, seed, horizon, warmup,"
                           " time_unit, fingerprint, wall_seconds FROM runs ORDER BY id DESC"
                           " LIMIT ?1",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = db_fail(db, path, "cannot read");
        sqlite3_close(db);
        return rc;
    }
    sqlite3_bind_int64(st, 1, limit > 0 ? limit : -1);
    fprintf(out, "%6s  %-20s  %-24s  %5s  %6s  %10s  %10s  %-16s  %8s\n", "run", "created",
            "model", "reps", "seed", "horizon", "warmup", "fingerprint", "seconds");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char horizon[40], warmup[40];
        snprintf(horizon, sizeof horizon, "%g %s", sqlite3_column_double(st, 5),
                 col_text(st, 7));
        snprintf(warmup, sizeof warmup, "%g %s", sqlite3_column_double(st, 6), col_text(st, 7));
        fprintf(out, "%6lld  %-20s  %-24s  %5d  %6s  %10s  %10s  %-16s  %8.3f\n",
                (long long)sqlite3_column_int64(st, 0), col_text(st, 1), col_text(st, 2),
                sqlite3_column_int(st, 3), col_text(st, 4),
                sqlite3_column_double(st, 5) > 0 ? horizon : "-", warmup, col_text(st, 8),
                sqlite3_column_double(st, 9));
    }
    rc = rc == SQLITE_DONE ? 0 : db_fail(db, path, "cannot read");
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

static void free_rows(struct tsim__row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        tsim__free((void *)rows[i].owner);
        tsim__free((void *)rows[i].type);
        tsim__free((void *)rows[i].kpi);
    }
    tsim__free(rows);
}

/* Rebuild run `id`'s report rows from summary_kpis, in the order the run printed them. */
static int load_rows(sqlite3 *db, const char *path, int64_t id, struct tsim__row **out,
                     size_t *nout)
{
    sqlite3_stmt *st;
    *out = NULL;
    *nout = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT scope, owner, type, kpi, mean, half_width, sd, min, max, n"
                           " FROM summary_kpis WHERE run_id = ?1 ORDER BY ord",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, path, "cannot read");
    sqlite3_bind_int64(st, 1, id);
    struct tsim__row *rows = NULL;
    size_t n = 0, cap = 0;
    int rc, group = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        tsim__grow((void **)&rows, &cap, n + 1, sizeof *rows);
        struct tsim__row *r = &rows[n];
        memset(r, 0, sizeof *r);
        r->owner = tsim__strdup(col_text(st, 1));
        r->type = tsim__strdup(col_text(st, 2));
        r->kpi = tsim__strdup(col_text(st, 3));
        /* The table only needs to know where an owner's rows begin. */
        if (n > 0 && (strcmp(rows[n - 1].owner, r->owner) != 0 ||
                      strcmp(rows[n - 1].type, r->type) != 0))
            group++;
        r->block = group;
        r->index = n;
        double *v[] = {&r->s.mean, &r->s.half_width, &r->s.sd, &r->s.min, &r->s.max};
        for (int i = 0; i < 5; i++) {
            int null = sqlite3_column_type(st, 4 + i) == SQLITE_NULL;
            *v[i] = null ? NAN : sqlite3_column_double(st, 4 + i);
        }
        r->s.n = (uint64_t)sqlite3_column_int64(st, 9);
        n++;
    }
    rc = rc == SQLITE_DONE ? 0 : db_fail(db, path, "cannot read");
    sqlite3_finalize(st);
    if (rc) {
        free_rows(rows, n);
        return rc;
    }
    *out = rows;
    *nout = n;
    return 0;
}

static int show_table(sqlite3 *db, const char *path, int64_t id, const char *time_unit,
                      FILE *out)
{
    struct tsim__row *rows;
    size_t n;
    int rc = load_rows(db, path, id, &rows, &n);
    if (rc) return rc;
    tsim__table_write(out, rows, n, time_unit);
    free_rows(rows, n);
    return 0;
}

/* The newest run's id when `*id` is 0; TSIM_ENOENT when there is no such run. */
static int resolve_run(sqlite3 *db, const char *path, int64_t *id)
{
    sqlite3_stmt *st;
    const char *sql = *id > 0 ? "SELECT id FROM runs WHERE id = ?1" : "SELECT max(id) FROM runs";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, path, "cannot read");
    if (*id > 0) sqlite3_bind_int64(st, 1, *id);
    int64_t found = 0;
    if (sqlite3_step(st) == SQLITE_ROW) found = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (found <= 0) {
        if (*id > 0)
            return tsim__fail(TSIM_ENOENT, "sqlite", "no run %lld in '%s'", (long long)*id, path);
        return tsim__fail(TSIM_ENOENT, "sqlite", "no runs in '%s'", path);
    }
    *id = found;
    return 0;
}

int tsim__db_compare(const char *path, int64_t a, int64_t b, FILE *out)
{
    sqlite3 *db;
    int rc = open_db(path, 0, &db);
    if (rc) return rc;
    rc = resolve_run(db, path, &a);
    if (!rc) rc = resolve_run(db, path, &b);
    struct tsim__row *ra = NULL, *rb = NULL;
    size_t na = 0, nb = 0;
    if (!rc) rc = load_rows(db, path, a, &ra, &na);
    if (!rc) rc = load_rows(db, path, b, &rb, &nb);
    sqlite3_stmt *st = NULL;
    if (!rc && sqlite3_prepare_v2(db,
                                  "SELECT id, model, seed, replications, time_unit, fingerprint"
                                  " FROM runs WHERE id IN (?1, ?2) ORDER BY id = ?2",
                                  -1, &st, NULL) != SQLITE_OK)
        rc = db_fail(db, path, "cannot read");
    if (!rc) {
        sqlite3_bind_int64(st, 1, a);
        sqlite3_bind_int64(st, 2, b);
        char fp[2][17] = {"", ""}, unit[2][8] = {"", ""};
        for (int i = 0; i < 2 && sqlite3_step(st) == SQLITE_ROW; i++) {
            fprintf(out, "run %lld: %s, seed %s, %d replications\n",
                    (long long)sqlite3_column_int64(st, 0), col_text(st, 1), col_text(st, 2),
                    sqlite3_column_int(st, 3));
            snprintf(unit[i], sizeof unit[i], "%s", col_text(st, 4));
            snprintf(fp[i], sizeof fp[i], "%s", col_text(st, 5));
        }
        if (a == b) {
            memcpy(fp[1], fp[0], sizeof fp[1]);
            memcpy(unit[1], unit[0], sizeof unit[1]);
        }
        if (strcmp(fp[0], fp[1]) == 0)
            fprintf(out, "fingerprints equal (%s): the runs behaved identically\n\n", fp[0]);
        else
            fprintf(out, "fingerprints differ (%s, %s)\n\n", fp[0], fp[1]);
        if (strcmp(unit[0], unit[1]) != 0)
            fprintf(out, "note: time units differ ('%s', '%s'); figures are as recorded\n\n",
                    unit[0], unit[1]);
        char la[32], lb[32];
        snprintf(la, sizeof la, "run %lld", (long long)a);
        snprintf(lb, sizeof lb, "run %lld", (long long)b);
        tsim__table_compare(out, ra, na, rb, nb, unit[0], la, lb);
    }
    sqlite3_finalize(st);
    free_rows(ra, na);
    free_rows(rb, nb);
    sqlite3_close(db);
    return rc;
}

int tsim__db_show(const char *path, int64_t id, enum tsim__db_show_what what, FILE *out)
{
    sqlite3 *db;
    int rc = open_db(path, 0, &db);
    if (rc) return rc;
    if ((rc = resolve_run(db, path, &id)) != 0) {
        sqlite3_close(db);
        return rc;
    }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT created, twinsim_version, model, model_path, time_unit, seed,"
                           " replications, horizon, warmup, warmup_auto, threads, command,"
                           " fingerprint, events, wall_seconds, result_json, model_text, options"
                           " FROM runs WHERE id = ?1",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = db_fail(db, path, "cannot read");
        sqlite3_close(db);
        return rc;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        rc = rc == SQLITE_DONE
                 ? tsim__fail(TSIM_ENOENT, "sqlite", "no run %lld in '%s'", (long long)id, path)
                 : db_fail(db, path, "cannot read");
        sqlite3_finalize(st);
        sqlite3_close(db);
        return rc;
    }
    rc = 0;
    if (what == TSIM__SHOW_JSON || what == TSIM__SHOW_MODEL) {
        /* One large write goes past the stream's buffer: its failure is told now or never. */
        int col = what == TSIM__SHOW_JSON ? 15 : 16;
        const unsigned char *text = sqlite3_column_text(st, col);
        size_t n = text ? (size_t)sqlite3_column_bytes(st, col) : 0;
        if (n && fwrite(text, 1, n, out) != n)
            rc = tsim__fail(TSIM_EIO, "out", "cannot write to standard output: %s",
                            strerror(errno));
    } else {
        const char *unit = col_text(st, 4);
        fprintf(out, "run %lld, %s, twinsim %s\n", (long long)id, col_text(st, 0),
                col_text(st, 1));
        fprintf(out, "model    %s (%s)\n", col_text(st, 2), col_text(st, 3));
        if (sqlite3_column_type(st, 11) != SQLITE_NULL)
            fprintf(out, "command  %s\n", col_text(st, 11));
        fprintf(out, "options  %s\n", col_text(st, 17));
        fprintf(out, "seed %s, %d replications, horizon ", col_text(st, 5),
                sqlite3_column_int(st, 6));
        if (sqlite3_column_double(st, 7) > 0)
            fprintf(out, "%g %s", sqlite3_column_double(st, 7), unit);
        else
            fputs("none (until no event is left)", out);
        fprintf(out, ", warm-up %g %s%s, %d threads\n", sqlite3_column_double(st, 8), unit,
                sqlite3_column_int(st, 9) ? " (auto, MSER-5)" : "", sqlite3_column_int(st, 10));
        fprintf(out, "fingerprint %s, %lld events, %.3f s\n\n", col_text(st, 12),
                (long long)sqlite3_column_int64(st, 13), sqlite3_column_double(st, 14));
        char *unit_copy = tsim__strdup(unit);
        sqlite3_finalize(st);
        st = NULL;
        rc = show_table(db, path, id, unit_copy, out);
        tsim__free(unit_copy);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}
