/*
 * The trace of a run's first replication (run/trace.h), and its place in the results database.
 *
 * The observer keeps the state as the changes tell it (each block's content, each server's
 * state, the completions) and writes a sample whenever a change comes after a sample time that
 * has not been written: the state then is the state after every earlier change, which is what
 * the sample shows. Times with no change between them repeat the same state.
 *
 * The database holds a trace as two tables beside the run (`run_traces`, `run_trace_blocks`),
 * its series as BLOBs of doubles in the machine's byte order (as exp_traces), one row per run
 * and one per traced block: a trace of 100,000 samples is one row read, not 100,000.
 */
#include "run/trace.h"

#include "blocks/sim.h"
#include "core/core.h"
#include "results/sqlopen.h"
#include "run/replicate.h"

#include "twinsim_drivers.h"

#include <inttypes.h>
#include "core/sqlite_lib.h"
#include <stdio.h>
#include <string.h>

struct tsim__trace {
    double interval, next; /* the next sample is at next = interval * n */
    size_t n, max;
    size_t cap_t, cap_wip, cap_done, cap_content, cap_busy;
    int truncated;
    int nb;
    int *col;      /* per block: column (traced block) or -1 */
    int ncol;
    int *first;    /* per block: index of its first server in `state`, or -1 */
    int *state;    /* per server */
    int *busy_now; /* per block: servers busy now */
    uint64_t *content_now;
    int *is_sink;
    double completed;
    double *t, *wip, *done; /* per sample */
    double *content, *busy; /* per sample, ncol each */
};

static void take(struct tsim__trace *tr)
{
    if (tr->n >= tr->max) {
        tr->truncated = 1;
        return;
    }
    size_t need = tr->n + 1, vals = need * (size_t)tr->ncol + 1;
    tsim__grow((void **)&tr->t, &tr->cap_t, need, sizeof(double));
    tsim__grow((void **)&tr->wip, &tr->cap_wip, need, sizeof(double));
    tsim__grow((void **)&tr->done, &tr->cap_done, need, sizeof(double));
    tsim__grow((void **)&tr->content, &tr->cap_content, vals, sizeof(double));
    tsim__grow((void **)&tr->busy, &tr->cap_busy, vals, sizeof(double));
    double w = 0;
    for (int b = 0; b < tr->nb; b++)
        if (!tr->is_sink[b]) w += (double)tr->content_now[b];
    size_t k = tr->n++;
    tr->t[k] = tr->next;
    tr->wip[k] = w;
    tr->done[k] = tr->completed;
    for (int b = 0; b < tr->nb; b++) {
        int c = tr->col[b];
        if (c < 0) continue;
        tr->content[k * (size_t)tr->ncol + (size_t)c] = (double)tr->content_now[b];
        tr->busy[k * (size_t)tr->ncol + (size_t)c] = tr->first[b] >= 0 ? tr->busy_now[b] : -1;
    }
    tr->next = tr->interval * (double)tr->n;
}

/* Every sample time before `t` not yet written. */
static void catch_up(struct tsim__trace *tr, double t, int inclusive)
{
    while (!tr->truncated && (tr->next < t || (inclusive && tr->next == t))) take(tr);
}

static void trace_observe(void *ctx, const struct tsim_obs *o)
{
    struct tsim__trace *tr = ctx;
    catch_up(tr, o->t, 0);
    if (o->block < 0 || o->block >= tr->nb) return;
    if (o->kind == TSIM_OBS_STATE) {
        int f = tr->first[o->block];
        if (f < 0) return;
        int *s = &tr->state[f + o->server];
        tr->busy_now[o->block] += (o->state == TSIM_STATE_BUSY) - (*s == TSIM_STATE_BUSY);
        *s = o->state;
        return;
    }
    tr->content_now[o->block] = o->content;
    if (o->kind == TSIM_OBS_ENTER && tr->is_sink[o->block]) tr->completed += 1;
}

struct tsim__trace *tsim__trace_start(struct tsim_sim *sim, const struct tsim_model *m,
                                      double interval)
{
    struct tsim__trace *tr = tsim__calloc(1, sizeof *tr);
    int nb = tsim_model_block_count(m);
    tr->interval = interval;
    tr->nb = nb;
    size_t n = (size_t)nb + 1;
    tr->col = tsim__malloc(n * sizeof *tr->col);
    tr->first = tsim__malloc(n * sizeof *tr->first);
    tr->busy_now = tsim__calloc(n, sizeof *tr->busy_now);
    tr->content_now = tsim__calloc(n, sizeof *tr->content_now);
    tr->is_sink = tsim__calloc(n, sizeof *tr->is_sink);
    int servers = 0;
    for (int b = 0; b < nb; b++) {
        enum tsim_block_type ty = tsim_model_block_type(m, b);
        tr->is_sink[b] = ty == TSIM_SINK;
        tr->col[b] = ty == TSIM_SINK || ty == TSIM_SOURCE ? -1 : tr->ncol++;
        tr->first[b] = -1;
        if (tsim_machine_state(sim, b, 0) >= 0) {
            tr->first[b] = servers;
            int k = tsim_model_block_servers(m, b);
            servers += k > 0 ? k : 1;
        }
        tr->content_now[b] = tsim_block_content(sim, b);
    }
    tr->state = tsim__calloc((size_t)servers + 1, sizeof *tr->state);
    for (int b = 0; b < nb; b++) {
        if (tr->first[b] < 0) continue;
        int k = tsim_model_block_servers(m, b);
        for (int s = 0; s < (k > 0 ? k : 1); s++) {
            int st = tsim_machine_state(sim, b, s);
            tr->state[tr->first[b] + s] = st;
            tr->busy_now[b] += st == TSIM_STATE_BUSY;
        }
    }
    tr->max = TSIM__TRACE_MAX_SAMPLES;
    if (tr->ncol > 0 && (size_t)TSIM__TRACE_MAX_VALUES / (size_t)tr->ncol < tr->max)
        tr->max = (size_t)TSIM__TRACE_MAX_VALUES / (size_t)tr->ncol;
    tsim_sim_set_observer(sim, trace_observe, tr);
    return tr;
}

void tsim__trace_finish(struct tsim__trace *tr, struct tsim_sim *sim)
{
    catch_up(tr, tsim_sim_now(sim), 1);
    tsim_sim_set_observer(sim, NULL, NULL);
}

void tsim__trace_destroy(struct tsim__trace *tr)
{
    if (!tr) return;
    tsim__free(tr->col);
    tsim__free(tr->first);
    tsim__free(tr->state);
    tsim__free(tr->busy_now);
    tsim__free(tr->content_now);
    tsim__free(tr->is_sink);
    tsim__free(tr->t);
    tsim__free(tr->wip);
    tsim__free(tr->done);
    tsim__free(tr->content);
    tsim__free(tr->busy);
    tsim__free(tr);
}

size_t tsim__trace_count(const struct tsim__trace *tr) { return tr->n; }

int tsim__trace_truncated(const struct tsim__trace *tr) { return tr->truncated; }

void tsim__trace_sample(const struct tsim__trace *tr, size_t k, double *t, double *wip,
                        double *done)
{
    *t = tr->t[k];
    *wip = tr->wip[k];
    *done = tr->done[k];
}

double tsim__trace_content(const struct tsim__trace *tr, size_t k, int block)
{
    int c = tr->col[block];
    return c < 0 ? -1 : tr->content[k * (size_t)tr->ncol + (size_t)c];
}

double tsim__trace_busy(const struct tsim__trace *tr, size_t k, int block)
{
    int c = tr->col[block];
    return c < 0 ? -1 : tr->busy[k * (size_t)tr->ncol + (size_t)c];
}

static const char trace_schema[] =
    "CREATE TABLE IF NOT EXISTS run_traces ("
    " run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,"
    " replication INTEGER NOT NULL, interval REAL NOT NULL, samples INTEGER NOT NULL,"
    " truncated INTEGER NOT NULL, t BLOB, wip BLOB, done BLOB);"
    "CREATE TABLE IF NOT EXISTS run_trace_blocks ("
    " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " block INTEGER NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, content BLOB, busy BLOB,"
    " PRIMARY KEY (run_id, block)) WITHOUT ROWID;";

/* One column of a traced block, gathered from the samples. */
static double *column(const struct tsim__trace *tr, const double *v, int c)
{
    double *out = tsim__malloc((tr->n + 1) * sizeof *out);
    for (size_t k = 0; k < tr->n; k++) out[k] = v[k * (size_t)tr->ncol + (size_t)c];
    return out;
}

/* The two places a trace is kept: beside a run, or beside a scenario of an experiment run
 * (`twinsim experiment --trace`, tables exp_samples and exp_sample_blocks of the schema in
 * results/sqlite.c). The experiment's tables have the scenario as a second key column; the
 * columns after the keys are the same. */
static const char *const sql_head[2] = {
    "INSERT OR REPLACE INTO run_traces VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    "INSERT OR REPLACE INTO exp_samples VALUES (?1, ?9, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
};
static const char *const sql_block[2] = {
    "INSERT OR REPLACE INTO run_trace_blocks VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    "INSERT OR REPLACE INTO exp_sample_blocks VALUES (?1, ?7, ?2, ?3, ?4, ?5, ?6)",
};

int tsim__trace_store(sqlite3 *db, int64_t run, long scen, uint64_t rep,
                      const struct tsim_model *m, const struct tsim__trace *tr)
{
    sqlite3_stmt *st = NULL;
    size_t bytes = tr->n * sizeof(double);
    int exp = scen >= 0;
    int rc = exp ? SQLITE_OK : sqlite3_exec(db, trace_schema, NULL, NULL, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_prepare_v2(db, sql_head[exp], -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_int64(st, 1, run);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)rep);
    sqlite3_bind_double(st, 3, tr->interval);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)tr->n);
    sqlite3_bind_int(st, 5, tr->truncated);
    sqlite3_bind_blob(st, 6, tr->t, (int)bytes, SQLITE_STATIC);
    sqlite3_bind_blob(st, 7, tr->wip, (int)bytes, SQLITE_STATIC);
    sqlite3_bind_blob(st, 8, tr->done, (int)bytes, SQLITE_STATIC);
    if (exp) sqlite3_bind_int64(st, 9, scen);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return rc;
    rc = sqlite3_prepare_v2(db, sql_block[exp], -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    for (int b = 0; b < tr->nb && rc == SQLITE_OK; b++) {
        int c = tr->col[b];
        if (c < 0) continue;
        double *content = column(tr, tr->content, c);
        double *busy = tr->first[b] >= 0 ? column(tr, tr->busy, c) : NULL;
        sqlite3_bind_int64(st, 1, run);
        sqlite3_bind_int(st, 2, b);
        sqlite3_bind_text(st, 3, tsim_model_block_name(m, b), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, tsim_block_type_name(tsim_model_block_type(m, b)), -1,
                          SQLITE_TRANSIENT);
        sqlite3_bind_blob(st, 5, content, (int)bytes, SQLITE_TRANSIENT);
        if (busy)
            sqlite3_bind_blob(st, 6, busy, (int)bytes, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(st, 6);
        if (exp) sqlite3_bind_int64(st, 7, scen);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
        sqlite3_reset(st);
        tsim__free(content);
        tsim__free(busy);
    }
    sqlite3_finalize(st);
    return rc;
}

int tsim_trace_record(const char *path, int64_t run, const struct tsim_model *m,
                      const struct tsim_run_opts *o, double interval, const atomic_int *stop,
                      size_t *samples)
{
    if (!(interval > 0))
        return tsim__fail(TSIM_EINVAL, __func__, "the trace interval must be above 0");
    uint64_t rep = (uint64_t)o->first_replication;
    struct tsim_sim *sim = tsim_sim_create(m, o->seed, rep);
    if (!sim) return TSIM_EMODEL;
    if (stop) tsim__sim_watch(sim, stop);
    struct tsim__trace *tr = tsim__trace_start(sim, m, interval);
    int rc = tsim__run_one(sim, o);
    tsim__trace_finish(tr, sim);
    if (tsim_sim_interrupted(sim)) {
        tsim__trace_destroy(tr);
        tsim_sim_destroy(sim);
        return 1;
    }
    char fp[32] = "";
    if (rc == 0) {
        struct tsim_result res;
        tsim_result_init(&res);
        tsim_sim_result(sim, &res);
        snprintf(fp, sizeof fp, "%016" PRIx64, res.fingerprint);
        tsim_result_release(&res);
    }
    tsim_sim_destroy(sim);
    if (rc != 0) {
        tsim__trace_destroy(tr);
        return tsim__fail(rc, __func__, "the traced replication stopped: %s", tsim_errmsg());
    }

    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    char recorded[32] = "";
    rc = tsim__sqlite_open(path, SQLITE_OPEN_READWRITE, &db);
    if (rc == SQLITE_OK) rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db,
                                "SELECT fingerprint FROM replications WHERE run_id = ?1 AND "
                                "replication = ?2",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, run);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)rep);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
            snprintf(recorded, sizeof recorded, "%s", (const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
    }
    int err = 0;
    if (rc == SQLITE_OK && strcmp(recorded, fp) != 0) {
        /* The trace must show the replication the run recorded, not another. */
        err = tsim__fail(TSIM_ESTATE, __func__,
                         "the traced replication ran differently (fingerprint %s) from "
                         "replication %" PRIu64 " of run %lld (recorded '%s')",
                         fp, rep, (long long)run, recorded);
    } else if (rc == SQLITE_OK && (rc = tsim__trace_store(db, run, -1, rep, m, tr)) == SQLITE_OK) {
        rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    }
    if (!err && rc != SQLITE_OK)
        err = tsim__fail(TSIM_EIO, __func__, "cannot store the trace in '%s': %s", path,
                         db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    if (err && db) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);
    if (samples) *samples = tr->n;
    tsim__trace_destroy(tr);
    return err;
}
