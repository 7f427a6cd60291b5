/*
 * The drivers' public API (include/twinsim_drivers.h): thin doors onto the run layer's and the
 * writers' internal functions, which stay free to change. No logic lives here beyond turning
 * public structs into internal ones; each function's contract is in the header.
 */
#include "blocks/picking.h"
#include "blocks/sim.h"
#include "core/core.h"
#include "model/lint.h"
#include "results/results.h"
#include "run/experiment.h"
#include "run/replicate.h"
#include "twinsim_drivers.h"

#include <stdlib.h>
#include <string.h>

/* ---- runs ----------------------------------------------------------------------------- */

struct tsim_collect {
    struct tsim__collect c;
    int keep_orders;
    uint64_t orders_rep;            /* the replication whose orders are kept */
    struct tsim__order_row *orders; /* that replication's, until a report takes them */
    size_t norders;
};

struct tsim_report {
    struct tsim__report r;
};

int tsim_run_check(const struct tsim_model *m, const struct tsim_run_opts *o)
{
    return tsim__run_check(m, o);
}

int tsim_thread_count(int threads, size_t n) { return tsim__thread_count(threads, n); }

int tsim_warmup_auto(const struct tsim_model *m, const struct tsim_run_opts *o,
                              const atomic_int *stop, double *warmup)
{
    return tsim__warmup_auto(m, o, stop, warmup);
}

struct tsim_collect *tsim_collect_create(size_t n, const char *spill_dir)
{
    struct tsim_collect *c = tsim__calloc(1, sizeof *c);
    if (tsim__collect_init(&c->c, n, spill_dir) != 0) {
        tsim__free(c);
        return NULL;
    }
    return c;
}

void tsim_collect_destroy(struct tsim_collect *c)
{
    if (!c) return;
    tsim__collect_release(&c->c);
    tsim__free(c->orders);
    tsim__free(c);
}

size_t tsim_collect_done(const struct tsim_collect *c) { return c->c.done; }

void tsim_collect_keep_orders(struct tsim_collect *c, uint64_t replication)
{
    c->keep_orders = 1;
    c->orders_rep = replication;
}

struct stream {
    const struct tsim_run_opts *o;
    struct tsim_collect *c;
};

/* The orders table of `sim`'s picking blocks, as it ends, into `c`. */
static void keep_orders(struct tsim_collect *c, const struct tsim_sim *sim,
                        const struct tsim_model *m)
{
    size_t n = 0, k = 0;
    for (int b = 0; b < m->nblocks; b++)
        if (tsim__picking_is(m, b)) n += tsim__picking_orders(sim, b);
    tsim__free(c->orders);
    c->orders = n ? tsim__malloc(n * sizeof *c->orders) : NULL;
    c->norders = n;
    for (int b = 0; b < m->nblocks; b++) {
        if (!tsim__picking_is(m, b)) continue;
        for (uint32_t o = 0; o < tsim__picking_orders(sim, b); o++)
            tsim__picking_order_row(sim, b, o, &c->orders[k++]);
    }
}

/* One replication, on a worker thread; the kept replication's orders table on the thread that
 * ran it (no other replication touches it). */
static int run_rep(void *ctx, struct tsim_sim *sim, uint64_t replication, struct tsim_result *res)
{
    struct stream *st = ctx;
    int rc = tsim__run_one(sim, st->o);
    if (rc == 0) tsim_sim_result(sim, res);
    if (rc == 0 && st->c->keep_orders && replication == st->c->orders_rep)
        keep_orders(st->c, sim, tsim_sim_model(sim));
    return rc;
}

/* Its result, folded in replication order. */
static int fold_rep(void *ctx, uint64_t replication, const struct tsim_result *res)
{
    struct stream *st = ctx;
    (void)replication;
    return tsim__collect_add(&st->c->c, res);
}

int tsim_collect_run(struct tsim_collect *c, const struct tsim_model *m,
                              const struct tsim_run_opts *o, const atomic_int *stop)
{
    struct stream st = {.o = o, .c = c};
    return tsim__replicate_fold(m, o->seed, 0, (size_t)o->replications, o->threads, stop,
                                run_rep, fold_rep, &st);
}

struct tsim_report *tsim_collect_report(struct tsim_collect *c,
                                                 const struct tsim_model *m,
                                                 const struct tsim_run_opts *o, int warmup_auto,
                                                 double wall_seconds)
{
    struct tsim_report *r = tsim__calloc(1, sizeof *r);
    if (tsim__collect_report(&c->c, m, &r->r) != 0) {
        tsim__free(r);
        return NULL;
    }
    r->r.seed = o->seed;
    r->r.horizon = o->horizon;
    r->r.warmup = o->warmup;
    r->r.warmup_auto = warmup_auto;
    r->r.wall_seconds = wall_seconds;
    r->r.orders = c->orders; /* the report owns them now */
    r->r.norders = c->norders;
    r->r.orders_rep = c->orders_rep;
    c->orders = NULL;
    c->norders = 0;
    return r;
}

void tsim_report_destroy(struct tsim_report *r)
{
    if (!r) return;
    tsim__report_release(&r->r);
    tsim__free(r);
}

uint64_t tsim_report_fingerprint(const struct tsim_report *r) { return r->r.fingerprint; }

uint64_t tsim_report_events(const struct tsim_report *r) { return r->r.events; }

void tsim_report_write_table(FILE *f, const struct tsim_report *r)
{
    tsim__table_write(f, r->r.rows, r->r.nrows, r->r.time_unit);
}

int tsim_report_write_json(FILE *f, const struct tsim_report *r)
{
    return tsim__json_write(f, &r->r);
}

int tsim_report_write_csv(const char *dir, const struct tsim_report *r)
{
    return tsim__csv_write(dir, &r->r);
}

int tsim_report_record(const char *path, const struct tsim_report *r,
                                const struct tsim_record_info *info, int64_t *run_id)
{
    struct tsim__db_meta meta = {.model_path = info->model_path, .model_text = info->model_text,
                                 .model_len = info->model_len, .options = info->options,
                                 .command = info->command, .json = info->json,
                                 .threads = info->threads, .interrupt = info->interrupt};
    return tsim__db_record(path, &r->r, &meta, run_id);
}

char *tsim_run_options_json(int replications, uint64_t seed, double horizon,
                                     double warmup, int threads, const char *const *sets,
                                     int nsets, const char *json, const char *csv,
                                     long long orders)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        tsim__fail(TSIM_ENOMEM, __func__, "cannot open a memory stream");
        return NULL;
    }
    struct tsim__json j;
    tsim__json_init(&j, f);
    tsim__json_open(&j, NULL, '{', 1);
    tsim__json_int(&j, "replications", replications);
    tsim__json_uint(&j, "seed", seed);
    tsim__json_number(&j, "horizon", horizon);
    if (warmup < 0)
        tsim__json_string(&j, "warmup", "auto");
    else
        tsim__json_number(&j, "warmup", warmup);
    tsim__json_int(&j, "threads", threads);
    tsim__json_open(&j, "set", '[', 1);
    for (int i = 0; i < nsets; i++) tsim__json_string(&j, NULL, sets[i]);
    tsim__json_close(&j, '[');
    if (json) tsim__json_string(&j, "json", json);
    if (csv) tsim__json_string(&j, "csv", csv);
    if (orders >= 0) tsim__json_uint(&j, "orders", (uint64_t)orders);
    tsim__json_close(&j, '{');
    fclose(f);
    /* The writer ends a top-level value with a newline; a database field does without. */
    if (len > 0 && buf[len - 1] == '\n') buf[len - 1] = '\0';
    return buf;
}

int tsim_write_file(const char *path, const char *text, size_t len)
{
    struct tsim__out o;
    if (tsim__out_open(&o, path) != 0) return TSIM_EIO;
    tsim__out_write(&o, text, len);
    return tsim__out_commit(&o) != 0 ? TSIM_EIO : 0;
}

/* ---- the results database, read back ----------------------------------------------------- */

int tsim_db_list(const char *path, FILE *out, int limit)
{
    return tsim__db_list(path, out, limit);
}

int tsim_db_show(const char *path, int64_t id, enum tsim_db_show_what what, FILE *out)
{
    enum tsim__db_show_what w = what == TSIM_SHOW_JSON    ? TSIM__SHOW_JSON
                                : what == TSIM_SHOW_MODEL ? TSIM__SHOW_MODEL
                                                          : TSIM__SHOW_TABLE;
    return tsim__db_show(path, id, w, out);
}

int tsim_db_compare(const char *path, int64_t a, int64_t b, FILE *out)
{
    return tsim__db_compare(path, a, b, out);
}

int tsim_report_html(const char *db, long run, const char *out)
{
    char err[512];
    if (tsim__report_html(db, run, out, err, sizeof err) != 0)
        return tsim__fail(TSIM_EIO, __func__, "%s", err);
    return 0;
}

void tsim_model_lint(const struct tsim_model *m, double horizon, struct tsim_diags *d)
{
    tsim__model_lint(m, horizon, d);
}

/* ---- experiments ------------------------------------------------------------------------ */

struct tsim_experiment {
    struct tsim__xspec s;
};

struct tsim_experiment *tsim_experiment_load(const char *path, struct tsim_diags *d)
{
    struct tsim_experiment *e = tsim__calloc(1, sizeof *e);
    if (tsim__xspec_load(&e->s, path, d) != 0) {
        tsim__xspec_release(&e->s);
        tsim__free(e);
        return NULL;
    }
    return e;
}

void tsim_experiment_destroy(struct tsim_experiment *e)
{
    if (!e) return;
    tsim__xspec_release(&e->s);
    tsim__free(e);
}

static struct tsim__xopts xopts(const struct tsim_experiment_opts *o)
{
    struct tsim__xopts x;
    memset(&x, 0, sizeof x);
    x.threads = o->threads;
    x.json = o->json;
    x.db = o->db;
    x.resume = o->resume;
    x.progress = o->progress;
    x.trace = o->trace;
    x.trace_every = o->trace_every;
    x.out = o->out;
    x.has_seed = o->has_seed;
    x.seed = o->seed;
    return x;
}

int tsim_experiment_run(const struct tsim_experiment *e,
                                 const struct tsim_experiment_opts *o)
{
    struct tsim__xopts x = xopts(o);
    return tsim__experiment_main(&e->s, &x);
}

int tsim_optimize_run(const struct tsim_experiment *e,
                               const struct tsim_experiment_opts *o)
{
    struct tsim__xopts x = xopts(o);
    return tsim__optimize_main(&e->s, &x);
}

atomic_int *tsim_experiment_stop_flag(void) { return &tsim__x_stop; }

#ifdef TSIM_HAVE_MPI
int tsim_mpi_start(int *argc, char ***argv, int *rank, int *size)
{
    return tsim__mpi_start(argc, argv, rank, size);
}

int tsim_mpi_serve(const struct tsim_experiment *e, const struct tsim_experiment_opts *o)
{
    struct tsim__xopts x = xopts(o);
    return tsim__mpi_serve(&e->s, &x);
}

void tsim_mpi_finish(void) { tsim__mpi_finish(); }
#else
/* Without MPI every process is a single rank 0. */
int tsim_mpi_start(int *argc, char ***argv, int *rank, int *size)
{
    *rank = 0;
    *size = 1;
    return 0;
}

int tsim_mpi_serve(const struct tsim_experiment *e, const struct tsim_experiment_opts *o)
{
    tsim__fail(TSIM_EINVAL, __func__, "this twinsim was built without MPI");
    return 1;
}

void tsim_mpi_finish(void) {}
#endif
