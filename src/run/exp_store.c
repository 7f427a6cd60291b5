/*
 * What experiments leave behind: the JSON document, the SQLite store and the comparison table.
 * The store is what makes runs survive Ctrl-C and kill -9: every finished replication's KPI row
 * is committed (WAL, small transactions) as it arrives, keyed by (run, scenario, replication),
 * and `--resume` reads rows back instead of running them. Rows are stored as blobs of the raw
 * doubles so a resumed run folds exactly the bits an uninterrupted run would have.
 *
 * Tables (prefixed exp_ so they sit beside `twinsim run`'s tables in the same file; made with
 * them, in sqlite.c; a run's id comes from the sequence both kinds share):
 *   exp_runs(id, kind, file, model, hash, seed, status, started, finished, json)
 *   exp_kpis(run, idx, name, block)
 *   exp_scenarios(run, scen, factors)          factors: a JSON object of value texts
 *   exp_reps(run, scen, rep, row)              row: nkpi + 4 doubles (see experiment.h)
 *   exp_summaries(run, scen, kpi, n, mean, sd, half_width, min, max)
 *   exp_traces(run, scen, block, name, t, v, lo, hi)   buffer content over replication 0
 *                                              (doubles; lo, hi: see tsim__xdb_put_trace)
 *   exp_samples(run, scen, replication, interval, samples, truncated, t, wip, done)
 *   exp_sample_blocks(run, scen, block, name, type, content, busy)
 *                                              `--trace T`: replication 0 sampled (run/trace.c)
 * The JSON is independent of thread and rank counts except for the one "timing" line.
 */
#include "core/core.h"
#include "core/names.h"
#include "results/db.h"
#include "results/results.h"
#include "run/exp_store.h"
#include "run/trace.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include "core/sqlite_lib.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct tsim__xdb {
    sqlite3 *db;
    sqlite3_stmt *put, *get;
    int64_t run;
    int in_txn;
    char *path;
};

static void db_fail(struct tsim__xrun *x, const char *what)
{
    tsim__say("twinsim %s: database '%s': %s: %s\n", x->opts.kind ? x->opts.kind : "experiment",
              x->db ? x->db->path : "?", what, x->db ? sqlite3_errmsg(x->db->db) : "");
}

static int exec_sql(struct tsim__xrun *x, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(x->db->db, sql, NULL, NULL, &err) != SQLITE_OK) {
        tsim__say("twinsim %s: database '%s': %s\n", x->opts.kind, x->db->path,
                  err ? err : "error");
        sqlite3_free(err);
        return -1;
    }
    return 0;
}

static void now_text(char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* What identifies "the same experiment" for --resume: the experiment text, the model file's
 * bytes, the seed and the random-number pairing. */
static uint64_t run_identity(const struct tsim__xrun *x)
{
    uint64_t h = x->spec->text_hash;
    h = tsim__fnv1a(h, &x->seed, sizeof x->seed);
    h = tsim__fnv1a(h, &x->spec->crn, sizeof x->spec->crn);
    h = tsim__fnv1a(h, x->opts.kind, strlen(x->opts.kind));
    FILE *f = x->spec->model_path ? fopen(x->spec->model_path, "rb") : NULL;
    if (f) {
        char buf[8192];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0) h = tsim__fnv1a(h, buf, n);
        fclose(f);
    }
    return h;
}

int tsim__xdb_open(struct tsim__xrun *x, const char *path, int resume)
{
    struct tsim__xdb *d = tsim__calloc(1, sizeof *d);
    d->path = tsim__strdup(path);
    x->db = d;
    /* The schema, WAL included, is the results database's (sqlite.c): one file serves runs,
     * experiments and the readers of both. */
    if (tsim__db_open(path, 1, &d->db) != 0) {
        const char *m = tsim_errmsg(), *c = strstr(m, ": ");
        tsim__say("twinsim %s: %s\n", x->opts.kind, c ? c + 2 : m);
        goto fail;
    }
    /* WAL: a committed transaction is in the operating system's hands at once, so it survives
     * the process being killed (Ctrl-C, kill -9, a crash), and the report can read while a run
     * writes. synchronous=OFF leaves out the fsyncs: they guard only against the machine losing
     * power, cost milliseconds each (a large share of a short experiment), and every result
     * can be computed again from the same seed. */
    if (exec_sql(x, "PRAGMA synchronous=OFF;") != 0) goto fail;
    char hash[32];
    snprintf(hash, sizeof hash, "%016" PRIx64, run_identity(x));
    sqlite3_stmt *st = NULL;
    d->run = 0;
    if (resume) {
        sqlite3_prepare_v2(d->db, "SELECT id FROM exp_runs WHERE hash=?1 ORDER BY id DESC LIMIT 1",
                           -1, &st, NULL);
        sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW) d->run = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        if (!d->run)
            tsim__say("twinsim %s: nothing to resume in '%s' for this experiment: starting "
                      "anew\n", x->opts.kind, path);
    }
    char started[32], seed[32];
    now_text(started, sizeof started);
    snprintf(seed, sizeof seed, "%" PRIu64, x->seed);
    if (d->run) {
        sqlite3_prepare_v2(d->db, "UPDATE exp_runs SET status='running' WHERE id=?1", -1, &st, NULL);
        sqlite3_bind_int64(st, 1, d->run);
    } else {
        sqlite3_prepare_v2(d->db, "INSERT INTO exp_runs(id, kind, file, model, hash, seed, "
                           "status, started) VALUES(" TSIM__DB_NEXT_ID ", ?1, ?2, ?3, ?4, ?5, "
                           "'running', ?6)", -1, &st, NULL);
        sqlite3_bind_text(st, 1, x->opts.kind, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, x->spec->file, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, x->spec->model_path ? x->spec->model_path : "", -1,
                          SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, hash, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 5, seed, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 6, started, -1, SQLITE_TRANSIENT);
    }
    if (sqlite3_step(st) != SQLITE_DONE) {
        sqlite3_finalize(st);
        db_fail(x, "cannot record the run");
        goto fail;
    }
    sqlite3_finalize(st);
    if (!d->run) d->run = sqlite3_last_insert_rowid(d->db);
    exec_sql(x, "BEGIN");
    sqlite3_prepare_v2(d->db, "INSERT OR REPLACE INTO exp_kpis(run, idx, name, block) "
                       "VALUES(?1, ?2, ?3, ?4)", -1, &st, NULL);
    for (size_t k = 0; k < x->nkpi; k++) {
        sqlite3_bind_int64(st, 1, d->run);
        sqlite3_bind_int64(st, 2, (int64_t)k);
        sqlite3_bind_text(st, 3, x->kpi_names[k], -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, x->kpi_block[k]);
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    exec_sql(x, "COMMIT");
    if (sqlite3_prepare_v2(d->db, "INSERT OR REPLACE INTO exp_reps(run, scen, rep, row) "
                           "VALUES(?1, ?2, ?3, ?4)", -1, &d->put, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(d->db, "SELECT row FROM exp_reps WHERE run=?1 AND scen=?2 AND rep=?3",
                           -1, &d->get, NULL) != SQLITE_OK) {
        db_fail(x, "cannot prepare");
        goto fail;
    }
    return 0;
fail:
    tsim__xdb_close(x, NULL);
    return -1;
}

void tsim__xdb_close(struct tsim__xrun *x, const char *status)
{
    struct tsim__xdb *d = x->db;
    if (!d) return;
    if (d->db && status) {
        tsim__xdb_flush(x);
        sqlite3_stmt *st;
        char fin[32];
        now_text(fin, sizeof fin);
        sqlite3_prepare_v2(d->db, "UPDATE exp_runs SET status=?1, finished=?2 WHERE id=?3", -1,
                           &st, NULL);
        sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, fin, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, d->run);
        sqlite3_step(st);
        sqlite3_finalize(st);
    }
    sqlite3_finalize(d->put);
    sqlite3_finalize(d->get);
    if (d->db) sqlite3_close(d->db);
    tsim__free(d->path);
    tsim__free(d);
    x->db = NULL;
}

int tsim__xdb_lookup(struct tsim__xrun *x, uint32_t scen, uint32_t rep, double *row)
{
    struct tsim__xdb *d = x->db;
    int found = 0;
    sqlite3_bind_int64(d->get, 1, d->run);
    sqlite3_bind_int64(d->get, 2, scen);
    sqlite3_bind_int64(d->get, 3, rep);
    if (sqlite3_step(d->get) == SQLITE_ROW &&
        (size_t)sqlite3_column_bytes(d->get, 0) == x->row_len * sizeof *row) {
        memcpy(row, sqlite3_column_blob(d->get, 0), x->row_len * sizeof *row);
        found = 1;
    }
    sqlite3_reset(d->get);
    return found;
}

int tsim__xdb_put(struct tsim__xrun *x, uint32_t scen, uint32_t rep, const double *row)
{
    /* Rows gather in one transaction until tsim__xdb_flush commits it (the driver does so at
     * most every few milliseconds and at the end of every batch of jobs). */
    struct tsim__xdb *d = x->db;
    if (!d->in_txn && sqlite3_exec(d->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK) d->in_txn = 1;
    sqlite3_bind_int64(d->put, 1, d->run);
    sqlite3_bind_int64(d->put, 2, scen);
    sqlite3_bind_int64(d->put, 3, rep);
    sqlite3_bind_blob(d->put, 4, row, (int)(x->row_len * sizeof *row), SQLITE_STATIC);
    int rc = 0;
    if (sqlite3_step(d->put) != SQLITE_DONE) {
        db_fail(x, "cannot store a replication");
        rc = -1;
    }
    sqlite3_reset(d->put);
    return rc;
}

int tsim__xdb_flush(struct tsim__xrun *x)
{
    struct tsim__xdb *d = x->db;
    int rc = 0;
    if (d && d->in_txn) {
        if (sqlite3_exec(d->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
            db_fail(x, "cannot commit stored replications");
            sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
            rc = -1;
        }
        d->in_txn = 0;
    }
    return rc;
}

/* `{"factor": "value", ...}` for scenario s (tsim__free it). */
static char *factors_json(const struct tsim__xrun *x, size_t s)
{
    struct tsim__sb b = {0};
    struct tsim__json j;
    tsim__json_init_sb(&j, &b, 0);
    tsim__json_open(&j, NULL, '{', TSIM__JSON_INLINE);
    for (int i = 0; i < x->spec->nfactors; i++)
        tsim__json_string(&j, x->spec->factors[i].path, x->scen[s].values[i]);
    tsim__json_close(&j, '{');
    return b.p;
}

void tsim__xdb_put_scenario(struct tsim__xrun *x, size_t s)
{
    struct tsim__xdb *d = x->db;
    char *fj = factors_json(x, s);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(d->db, "INSERT OR REPLACE INTO exp_scenarios(run, scen, factors) "
                       "VALUES(?1, ?2, ?3)", -1, &st, NULL);
    sqlite3_bind_int64(st, 1, d->run);
    sqlite3_bind_int64(st, 2, (int64_t)s);
    sqlite3_bind_text(st, 3, fj, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE) db_fail(x, "cannot store a scenario");
    sqlite3_finalize(st);
    tsim__free(fj);
}

static void summary_of_tally(const struct tsim_tally *t, struct tsim_summary *s)
{
    s->n = t->n;
    s->mean = t->n ? t->mean : NAN;
    s->sd = sqrt(tsim_tally_variance(t));
    s->half_width = t->n >= 2 ? tsim_t_quantile(0.975, (double)(t->n - 1)) * s->sd /
                                    sqrt((double)t->n)
                              : NAN;
    s->min = t->n ? t->min : NAN;
    s->max = t->n ? t->max : NAN;
}

/* The summaries, the JSON and the status "done", in one transaction: a finished run is either
 * wholly recorded or left as it was (still resumable). */
int tsim__xdb_finish(struct tsim__xrun *x, const char *json)
{
    struct tsim__xdb *d = x->db;
    if (tsim__xdb_flush(x) != 0 || exec_sql(x, "BEGIN") != 0) return -1;
    sqlite3_stmt *st = NULL;
    int ok = sqlite3_prepare_v2(d->db, "INSERT OR REPLACE INTO exp_summaries(run, scen, kpi, n, "
                                "mean, sd, half_width, min, max) VALUES(?1, ?2, ?3, ?4, ?5, ?6, "
                                "?7, ?8, ?9)", -1, &st, NULL) == SQLITE_OK;
    for (size_t s = 0; ok && s < x->nscen; s++) {
        for (size_t k = 0; ok && k < x->nkpi; k++) {
            struct tsim_summary sm;
            summary_of_tally(&x->scen[s].kt[k], &sm);
            sqlite3_bind_int64(st, 1, d->run);
            sqlite3_bind_int64(st, 2, (int64_t)s);
            sqlite3_bind_int64(st, 3, (int64_t)k);
            sqlite3_bind_int64(st, 4, (int64_t)sm.n);
            double v[5] = {sm.mean, sm.sd, sm.half_width, sm.min, sm.max};
            for (int i = 0; i < 5; i++) {
                if (isfinite(v[i])) sqlite3_bind_double(st, 5 + i, v[i]);
                else sqlite3_bind_null(st, 5 + i);
            }
            ok = sqlite3_step(st) == SQLITE_DONE;
            sqlite3_reset(st);
        }
    }
    sqlite3_finalize(st);
    char fin[32];
    now_text(fin, sizeof fin);
    if (ok) {
        ok = sqlite3_prepare_v2(d->db, "UPDATE exp_runs SET json=?1, status='done', finished=?2 "
                                "WHERE id=?3", -1, &st, NULL) == SQLITE_OK;
        if (ok) {
            sqlite3_bind_text(st, 1, json ? json : "", -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 2, fin, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 3, d->run);
            ok = sqlite3_step(st) == SQLITE_DONE;
        }
        sqlite3_finalize(st);
    }
    if (ok && sqlite3_exec(d->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK) return 0;
    db_fail(x, "cannot record the results");
    sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

void tsim__xdb_put_trace(struct tsim__xrun *x, size_t s, int block, const double *t,
                         const double *v, const double *lo, const double *hi, size_t n)
{
    struct tsim__xdb *d = x->db;
    if (!d) return;
    sqlite3_stmt *st;
    sqlite3_prepare_v2(d->db, "INSERT OR REPLACE INTO exp_traces(run, scen, block, name, t, v, "
                       "lo, hi) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", -1, &st, NULL);
    sqlite3_bind_int64(st, 1, d->run);
    sqlite3_bind_int64(st, 2, (int64_t)s);
    sqlite3_bind_int(st, 3, block);
    sqlite3_bind_text(st, 4, tsim_model_block_name(x->scen[s].model, block), -1, SQLITE_TRANSIENT);
    /* In intervals, t holds the n + 1 edges. */
    sqlite3_bind_blob(st, 5, t, (int)((n + (lo != NULL)) * sizeof *t), SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 6, v, (int)(n * sizeof *v), SQLITE_TRANSIENT);
    if (lo && hi) {
        sqlite3_bind_blob(st, 7, lo, (int)(n * sizeof *lo), SQLITE_TRANSIENT);
        sqlite3_bind_blob(st, 8, hi, (int)(n * sizeof *hi), SQLITE_TRANSIENT);
    } else {
        sqlite3_bind_null(st, 7);
        sqlite3_bind_null(st, 8);
    }
    if (sqlite3_step(st) != SQLITE_DONE) db_fail(x, "cannot store a trace");
    sqlite3_finalize(st);
}

void tsim__xdb_put_samples(struct tsim__xrun *x, size_t s, const struct tsim__trace *tr)
{
    struct tsim__xdb *d = x->db;
    if (!d) return;
    if (!d->in_txn && sqlite3_exec(d->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK) d->in_txn = 1;
    if (tsim__trace_store(d->db, d->run, (long)s, 0, x->scen[s].model, tr) != SQLITE_OK)
        db_fail(x, "cannot store a trace");
}

/* ---- JSON ---------------------------------------------------------------------------- */

/* `unit` NULL: none (an objective or constraint, an expression over KPIs of any unit). */
static void json_summary(struct tsim__json *j, const char *key, const struct tsim_summary *s,
                         const char *unit)
{
    tsim__json_open(j, key, '{', 1);
    tsim__json_uint(j, "n", s->n);
    tsim__json_number(j, "mean", s->mean);
    tsim__json_number(j, "half_width", s->half_width);
    tsim__json_number(j, "sd", s->sd);
    tsim__json_number(j, "min", s->min);
    tsim__json_number(j, "max", s->max);
    if (unit) tsim__json_string(j, "unit", unit);
    tsim__json_close(j, '{');
}

static void track_sum(const struct tsim__xrun *x, size_t s, int col, struct tsim_summary *out)
{
    struct tsim_tally t;
    tsim_tally_init(&t);
    const struct tsim__scen *sc = &x->scen[s];
    for (int r = 0; r < sc->n; r++) tsim_tally_add(&t, sc->track[(size_t)r * (size_t)x->ntrack + (size_t)col]);
    summary_of_tally(&t, out);
}

static void json_factor(struct tsim__json *j, const struct tsim__factor *f)
{
    tsim__json_open(j, NULL, '{', 1);
    tsim__json_string(j, "name", f->path);
    if (f->kind == TSIM__FACTOR_LIST) {
        tsim__json_open(j, "values", '[', 1);
        for (int i = 0; i < f->nvalues; i++) tsim__json_string(j, NULL, f->values[i]);
        tsim__json_close(j, '[');
    } else {
        tsim__json_string(j, "kind", f->kind == TSIM__FACTOR_INT ? "integer" : "continuous");
        tsim__json_number(j, "from", f->lo);
        tsim__json_number(j, "to", f->hi);
        if (f->step > 0) tsim__json_number(j, "step", f->step);
        if (f->format) tsim__json_string(j, "format", f->format);
    }
    tsim__json_close(j, '{');
}

static void write_doc(struct tsim__xrun *x, FILE *f, tsim__xjson_extra_fn *extra, void *ctx,
                      double wall_s)
{
    const struct tsim__xspec *sp = x->spec;
    struct tsim__json j;
    tsim__json_init(&j, f);
    tsim__json_open(&j, NULL, '{', 0);
    tsim__json_string(&j, "twinsim", TSIM_VERSION);
    tsim__json_string(&j, "kind", x->opts.kind);
    tsim__json_string(&j, "experiment", sp->file);
    tsim__json_string(&j, "model", sp->model_path);
    tsim__json_string(&j, "time_unit", x->time_unit);
    tsim__json_uint(&j, "seed", x->seed);
    tsim__json_bool(&j, "common_random_numbers", sp->crn);
    tsim__json_string(&j, "design", sp->design == TSIM__DESIGN_FULL ? "full" : "lhs");
    tsim__json_number(&j, "horizon", x->horizon);
    tsim__json_number(&j, "warmup", x->warmup);
    tsim__json_open(&j, "factors", '[', 0);
    for (int i = 0; i < sp->nfactors; i++) json_factor(&j, &sp->factors[i]);
    tsim__json_close(&j, '[');
    tsim__json_open(&j, "replications", '{', 1);
    tsim__json_int(&j, "min", sp->rep_min);
    tsim__json_int(&j, "max", sp->rep_max);
    tsim__json_open(&j, "until", '{', 1);
    for (int i = 0; i < sp->nuntil; i++) tsim__json_number(&j, sp->until[i].what.text, sp->until[i].rel);
    tsim__json_close(&j, '{');
    tsim__json_close(&j, '{');
    if (sp->has_objective) {
        tsim__json_open(&j, "objective", '{', 1);
        tsim__json_string(&j, sp->maximize ? "maximize" : "minimize", sp->objective.text);
        tsim__json_open(&j, "subject_to", '[', 1);
        for (int c = 0; c < sp->ncons; c++) {
            char buf[512], num[40];
            tsim__fmt_double(num, sizeof num, sp->cons[c].bound);
            snprintf(buf, sizeof buf, "%s %s %s", sp->cons[c].lhs.text,
                     sp->cons[c].op == TSIM__LE ? "<=" : ">=", num);
            tsim__json_string(&j, NULL, buf);
        }
        tsim__json_close(&j, '[');
        tsim__json_close(&j, '{');
    }
    tsim__json_open(&j, "kpis", '[', 1);
    for (size_t k = 0; k < x->nkpi; k++) tsim__json_string(&j, NULL, x->kpi_names[k]);
    tsim__json_close(&j, '[');
    uint64_t reps = 0, events = 0;
    for (size_t s = 0; s < x->nscen; s++) {
        reps += (uint64_t)x->scen[s].n;
        events += x->scen[s].events;
    }
    tsim__json_uint(&j, "scenario_count", x->nscen);
    tsim__json_uint(&j, "replications_total", reps);
    tsim__json_uint(&j, "events_total", events);
    tsim__json_open(&j, "scenarios", '[', 0);
    for (size_t s = 0; s < x->nscen; s++) {
        const struct tsim__scen *sc = &x->scen[s];
        char fp[24];
        snprintf(fp, sizeof fp, "%016" PRIx64, sc->fp);
        tsim__json_open(&j, NULL, '{', 0);
        tsim__json_uint(&j, "id", s);
        tsim__json_open(&j, "factors", '{', 1);
        for (int i = 0; i < sp->nfactors; i++) tsim__json_string(&j, sp->factors[i].path, sc->values[i]);
        tsim__json_close(&j, '{');
        tsim__json_int(&j, "replications", sc->n);
        tsim__json_uint(&j, "events", sc->events);
        tsim__json_string(&j, "fingerprint", fp);
        if (sp->has_objective && sc->n > 0) {
            struct tsim_summary sm;
            track_sum(x, s, 0, &sm);
            json_summary(&j, "objective", &sm, NULL);
            tsim__json_bool(&j, "feasible", tsim__xrun_feasible(x, s));
            tsim__json_open(&j, "constraints", '[', 0);
            for (int c = 0; c < sp->ncons; c++) {
                track_sum(x, s, 1 + c, &sm);
                json_summary(&j, NULL, &sm, NULL);
            }
            tsim__json_close(&j, '[');
            if (x->same_as_best && x->best >= 0) {
                tsim__json_bool(&j, "best", (long)s == x->best);
                tsim__json_bool(&j, "indistinguishable_from_best", x->same_as_best[s]);
                tsim__json_open(&j, "difference_to_best", '{', 1);
                tsim__json_number(&j, "mean", x->cmp_mean[s]);
                tsim__json_number(&j, "half_width", x->cmp_hw[s]);
                tsim__json_close(&j, '{');
            }
        }
        tsim__json_open(&j, "kpis", '{', 0);
        for (size_t k = 0; k < x->nkpi; k++) {
            struct tsim_summary sm;
            char unit[32];
            summary_of_tally(&sc->kt[k], &sm);
            json_summary(&j, x->kpi_names[k], &sm,
                         tsim__unit_json(unit, sizeof unit, x->kpi_short[k], x->time_unit));
        }
        tsim__json_close(&j, '{');
        tsim__json_close(&j, '{');
    }
    tsim__json_close(&j, '[');
    if (sp->has_objective) {
        if (x->best >= 0) tsim__json_int(&j, "best", x->best);
        else tsim__json_string(&j, "best", NULL);
        tsim__json_number(&j, "comparison_level", x->cmp_level);
        tsim__json_open(&j, "indistinguishable", '[', 1);
        for (size_t s = 0; x->same_as_best && s < x->nscen; s++)
            if (x->same_as_best[s] && (long)s != x->best) tsim__json_uint(&j, NULL, s);
        tsim__json_close(&j, '[');
    }
    if (extra) extra(&j, ctx);
    /* The one line that differs between otherwise identical runs; tests drop it. */
    tsim__json_open(&j, "timing", '{', 1);
    tsim__json_number(&j, "wall_s", wall_s);
    tsim__json_int(&j, "threads", x->ranks > 1 ? 1 : x->nworkers);
    tsim__json_int(&j, "ranks", x->ranks);
    tsim__json_close(&j, '{');
    tsim__json_close(&j, '{');
}

int tsim__xjson_write(struct tsim__xrun *x, const char *path, tsim__xjson_extra_fn *extra,
                      void *extra_ctx, double wall_s, char **out_text)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) return -1;
    write_doc(x, m, extra, extra_ctx, wall_s);
    fclose(m);
    int rc = 0;
    if (path) {
        struct tsim__out o;
        rc = tsim__out_open(&o, path);
        if (rc == 0) {
            tsim__out_write(&o, buf, len);
            rc = tsim__out_commit(&o);
        }
    }
    if (out_text) *out_text = buf;
    else free(buf);
    return rc;
}

/* ---- the comparison table ---------------------------------------------------------------- */

static void pm(char *buf, size_t n, const struct tsim_summary *s)
{
    if (s->n >= 2 && isfinite(s->half_width)) snprintf(buf, n, "%.5g ± %.2g", s->mean, s->half_width);
    else snprintf(buf, n, "%.5g", s->mean);
}

void tsim__xtable_print(struct tsim__xrun *x, FILE *f)
{
    const struct tsim__xspec *sp = x->spec;
    /* Columns: id, factors, n, objective (or the system throughput), constraints, marks. */
    fprintf(f, "%-4s", "#");
    for (int i = 0; i < sp->nfactors; i++) fprintf(f, "  %-14.24s", sp->factors[i].path);
    fprintf(f, "  %6s  %-22.30s", "reps", sp->has_objective ? sp->objective.text : "system.throughput");
    for (int c = 0; c < sp->ncons; c++) fprintf(f, "  %-22.30s", sp->cons[c].lhs.text);
    fputc('\n', f);
    size_t thr = 0;
    for (size_t k = 0; k < x->nkpi; k++)
        if (!strcmp(x->kpi_names[k], "system.throughput")) thr = k;
    for (size_t s = 0; s < x->nscen; s++) {
        const struct tsim__scen *sc = &x->scen[s];
        char cell[64];
        fprintf(f, "%-4zu", s);
        for (int i = 0; i < sp->nfactors; i++) fprintf(f, "  %-14.24s", sc->values[i]);
        struct tsim_summary sm;
        if (sp->has_objective) track_sum(x, s, 0, &sm);
        else summary_of_tally(&sc->kt[thr], &sm);
        pm(cell, sizeof cell, &sm);
        fprintf(f, "  %6d  %-22s", sc->n, cell);
        for (int c = 0; c < sp->ncons; c++) {
            track_sum(x, s, 1 + c, &sm);
            pm(cell, sizeof cell, &sm);
            fprintf(f, "  %-22s", cell);
        }
        if (sp->has_objective) {
            if ((long)s == x->best) fputs("  best", f);
            else if (x->same_as_best && x->same_as_best[s]) fputs("  = best", f);
            else if (sp->ncons && !tsim__xrun_feasible(x, s)) fputs("  infeasible", f);
        }
        fputc('\n', f);
    }
    if (!sp->has_objective) return;
    if (x->best < 0) {
        fprintf(f, "\nno scenario meets the constraints\n");
        return;
    }
    fprintf(f, "\nbest: scenario %ld (", x->best);
    for (int i = 0; i < sp->nfactors; i++)
        fprintf(f, "%s%s=%s", i ? ", " : "", sp->factors[i].path, x->scen[x->best].values[i]);
    struct tsim_summary sm;
    track_sum(x, (size_t)x->best, 0, &sm);
    fprintf(f, "), %s %s = %.6g ± %.3g\n", sp->maximize ? "maximize" : "minimize",
            sp->objective.text, sm.mean, sm.half_width);
    size_t same = 0;
    for (size_t s = 0; s < x->nscen; s++) same += x->same_as_best[s] && (long)s != x->best;
    if (same) {
        fprintf(f, "cannot be told apart from the best (%s t intervals, %.4g%% joint level):",
                sp->crn ? "paired" : "Welch", 100 * (1 - (1 - x->cmp_level) * (double)(x->nfeasible > 1 ? x->nfeasible - 1 : 1)));
        for (size_t s = 0; s < x->nscen; s++)
            if (x->same_as_best[s] && (long)s != x->best) fprintf(f, " %zu", s);
        fputc('\n', f);
    } else {
        fprintf(f, "every other feasible scenario is worse, with 95%% joint confidence\n");
    }
}
