/*
 * The engine of an experiment: binds an experiment file to its model, adds the scenarios that
 * the designs (exp_design.c) and the optimizer ask for, and runs (scenario, replication) jobs in
 * rounds on threads (or the MPI farm's executor), folding their KPI rows. What one replication
 * does is the sim's business (tsim_sim_*); this file only decides which replications to run and
 * folds their rows. Above it: the comparison and the sequential rounds (exp_compare.c), the
 * traces (exp_trace.c), the MPI farm and the commands (exp_main.c, optimize.c); below it, the
 * store (exp_store.c) and the shared helpers (xrun.c). It calls none of the files above it.
 *
 * Invariants: rows are folded into a scenario strictly in replication order (jobs of a round
 * are listed by scenario, then replication, and folded in that order after the round), so the
 * tallies, the tracked values and every decision derived from them are the same whatever ran
 * the jobs and in which order they finished.
 */
#include "run/experiment.h"

#include "blocks/sim.h"
#include "core/core.h"
#include "core/names.h"
#include "model/lint.h"
#include "model/params.h"
#include "results/results.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Jobs per chunk: bounds the rows held in memory at once, whatever the replication count. */
#define CHUNK 2048

/* ---- one job ------------------------------------------------------------------------- */

void tsim__xjob_run(struct tsim__xworker *w, const struct tsim_model *m, uint64_t seed,
                    uint64_t rep, double horizon, double warmup, double *row, size_t nkpi)
{
    /* One sim per worker, reset between replications of the same model: memory stays flat
     * over any number of replications (tsim_sim_reset is documented to equal a fresh create). */
    if (w->sim && w->model == m) {
        tsim_sim_reset(w->sim, seed, rep);
    } else {
        tsim_sim_destroy(w->sim);
        w->sim = tsim_sim_create(m, seed, rep);
        w->model = m;
        if (w->sim) tsim__sim_watch(w->sim, &tsim__x_stop);
    }
    for (size_t i = 0; i < nkpi + TSIM__XROW_EXTRA; i++) row[i] = NAN;
    if (!w->sim) return;
    if (warmup > 0 && tsim_sim_set_warmup(w->sim, warmup) != 0) return;
    if (horizon > 0) tsim_sim_run_until(w->sim, horizon);
    else tsim_sim_run(w->sim);
    /* Cut short: the row stays NaN, which keeps it out of the store and out of every sum. */
    if (tsim_sim_interrupted(w->sim)) return;
    tsim_sim_result(w->sim, &w->res);
    if (w->res.n != nkpi) return; /* NaNs mark the row as failed; the merger reports it */
    for (size_t i = 0; i < nkpi; i++) row[i] = w->res.kpis[i].value;
    row[nkpi] = w->res.start_time;
    row[nkpi + 1] = w->res.end_time;
    memcpy(&row[nkpi + 2], &w->res.events, sizeof(uint64_t));
    memcpy(&row[nkpi + 3], &w->res.fingerprint, sizeof(uint64_t));
}

void tsim__xworker_release(struct tsim__xworker *w)
{
    tsim_sim_destroy(w->sim);
    tsim_result_release(&w->res);
    memset(w, 0, sizeof *w);
}

/* ---- threads executor ------------------------------------------------------------------ */

static void pool_job(void *ctx, int worker, size_t i)
{
    struct tsim__xrun *x = ctx;
    const struct tsim__job *j = &x->cur_jobs[i];
    const struct tsim__scen *sc = &x->scen[j->scen];
    tsim__xjob_run(&x->workers[worker], sc->model, sc->seed, j->rep, x->horizon, x->warmup,
                   x->cur_rows + i * x->row_len, x->nkpi);
}

static void pool_done(void *ctx, size_t i) { tsim__xrun_job_done(ctx, i); }

static void store_failed(struct tsim__xrun *x);

/* Every tick of the collector: stored rows are committed within commit_s even when no other job
 * ends for a long while (the jobs still running may take hours), so that kill -9 then loses
 * nothing that finished. */
static void pool_tick(void *ctx)
{
    struct tsim__xrun *x = ctx;
    if (x->db && tsim__x_now() - x->last_flush >= x->commit_s) {
        if (tsim__xdb_flush(x) != 0) store_failed(x);
        x->last_flush = tsim__x_now();
    }
    tsim__xrun_progress(x, 0);
}

static int exec_threads(struct tsim__xrun *x, const struct tsim__job *jobs, size_t n, double *rows)
{
    (void)jobs;
    (void)rows;
    size_t k = tsim__pool_run(x->nworkers, n, pool_job, pool_done, pool_tick, x, &tsim__x_stop);
    /* Every job may have been handed out and finished early because of the stop: the flag,
     * not the count, says whether the batch is whole. */
    return k < n || atomic_load(&tsim__x_stop) ? 1 : 0;
}

/* ---- progress ------------------------------------------------------------------------- */

void tsim__xrun_progress(struct tsim__xrun *x, int final)
{
    if (!x->opts.progress || x->jobs_total == 0) return;
    double now = tsim__x_now();
    if (!final && now - x->t_last_draw < 0.1) return;
    x->t_last_draw = now;
    double el = now - x->t_start;
    double rate = el > 0 ? (double)x->jobs_done / el : 0;
    uint64_t total = x->jobs_total < x->jobs_done ? x->jobs_done : x->jobs_total;
    double left = rate > 0 ? (double)(total - x->jobs_done) / rate : 0;
    int width = 30, fill = (int)((double)width * (double)x->jobs_done / (double)total);
    char bar[40];
    for (int i = 0; i < width; i++) bar[i] = i < fill ? '#' : '.';
    bar[width] = 0;
    tsim__say("\r[%s] %llu/%llu jobs  %.1f/s  %s%.0fs left %s", bar,
              (unsigned long long)x->jobs_done, (unsigned long long)total, rate,
              final ? "" : "~", left, final ? "\n" : "");
}

/* The store refused a row (a full disk): stop, as a signal would, but as a failure, since
 * what is computed from here on could not be kept for --resume. */
static void store_failed(struct tsim__xrun *x)
{
    x->error = 1;
    atomic_store(&tsim__x_stop, -1);
}

void tsim__xrun_job_done(struct tsim__xrun *x, size_t i)
{
    const struct tsim__job *j = &x->cur_jobs[i];
    const double *row = x->cur_rows + i * x->row_len;
    /* Only whole replications are stored: a row cut short by a stop is NaN, and so is one whose
     * sim could not run (reported when it is folded); neither may come back on --resume. */
    if (isnan(row[x->nkpi])) {
        tsim__xrun_progress(x, 0);
        return;
    }
    x->jobs_done++;
    /* Commit at most every commit_s: for replications longer than that every one is on disk
     * when it is done; shorter ones share a commit, so a kill -9 loses at most the last
     * commit_s of work, and the database costs little next to the simulation. */
    int bad = x->db && tsim__xdb_put(x, j->scen, j->rep, row) != 0;
    if (!bad && x->db && tsim__x_now() - x->last_flush >= x->commit_s) {
        bad = tsim__xdb_flush(x) != 0;
        x->last_flush = tsim__x_now();
    }
    if (bad) store_failed(x);
    if (x->kill_after && x->jobs_done >= x->kill_after) {
        /* Test hook: die as a killed process would, with no chance to clean up. */
        raise(SIGKILL);
    }
    if (x->stop_after && x->jobs_done >= x->stop_after) {
        /* Test hook: Ctrl-C, once (a second one ends the process at once, see the CLI). */
        x->stop_after = 0;
        raise(SIGINT);
    }
    tsim__xrun_progress(x, 0);
}

/* ---- binding the spec to the model ----------------------------------------------------- */

/* A fresh copy of the base model. The model file's own diagnostics name the model file, not
 * the experiment file, so they are printed here with its name; `d` gets one line saying so. */
static struct tsim_model *load_model(struct tsim__xrun *x, struct tsim_run_spec *run,
                                     struct tsim_diags *d)
{
    struct tsim_diags md;
    tsim_diags_init(&md);
    struct tsim_model *m = x->opts.make_model ? x->opts.make_model(x->opts.make_ctx, run, &md)
                                              : tsim_model_load_file(x->spec->model_path, run, &md);
    const char *name = x->spec->model_path ? x->spec->model_path : "model";
    /* Warnings once (every scenario loads the same file), errors always. */
    if (md.errors || (md.n && !x->model_warned)) tsim__x_say_diags(&md, name);
    if (md.n) x->model_warned = 1;
    if (!m) tsim_diags_add(d, TSIM_ERROR, 0, 0, "cannot load the model '%s'", name);
    tsim_diags_release(&md);
    return m;
}

static const char *owner_name(const struct tsim_model *m, int block)
{
    if (block == TSIM_KPI_SYSTEM) return "system";
    if (block >= 0) return tsim_model_block_name(m, block);
    return tsim_model_pool_name(m, -2 - block);
}

static int bind_expr(struct tsim__xrun *x, struct tsim__expr *e, int line, int col,
                     struct tsim_diags *d)
{
    int ok = 1;
    for (int i = 0; i < e->n; i++) {
        struct tsim__term *t = &e->terms[i];
        t->index = -1;
        for (int f = 0; f < x->spec->nfactors; f++) {
            if (!strcmp(t->name, x->spec->factors[f].path)) {
                t->kind = TSIM__TERM_FACTOR;
                t->index = f;
            }
        }
        if (t->index >= 0) {
            const struct tsim__factor *f = &x->spec->factors[t->index];
            for (int v = 0; v < f->nvalues; v++) {
                char *end;
                strtod(f->values[v], &end);
                if (end == f->values[v] || *end) {
                    tsim_diags_add(d, TSIM_ERROR, line, col, "factor '%s' is used as a number "
                                   "but has the value '%s'", t->name, f->values[v]);
                    ok = 0;
                    break;
                }
            }
            continue;
        }
        size_t tl = strlen(t->name);
        for (size_t k = 0; k < x->nkpi; k++) {
            const char *kn = x->kpi_names[k];
            size_t kl = strlen(kn);
            if (!strcmp(kn, t->name) || (tl == kl + 5 && !strncmp(t->name, kn, kl) &&
                                          !strcmp(t->name + kl, ".mean"))) {
                t->kind = TSIM__TERM_KPI;
                t->index = (int)k;
                break;
            }
        }
        if (t->index < 0) {
            struct tsim__suggest sg;
            tsim__suggest_init(&sg, t->name);
            for (size_t k = 0; k < x->nkpi; k++) tsim__suggest_offer(&sg, x->kpi_names[k]);
            tsim_diags_add(d, TSIM_ERROR, line, col, "unknown KPI '%s'%s", t->name,
                           tsim__suggest_text(&sg));
            ok = 0;
        }
    }
    return ok ? 0 : -1;
}

/* The range a KPI can take, by its name: shares lie in [0, 1], everything else is >= 0. */
static void kpi_range(const char *shortname, double *lo, double *hi)
{
    *lo = 0;
    *hi = tsim__kpi_unit(shortname) == TSIM__UNIT_SHARE ? 1 : INFINITY; /* shares are fractions */
}

static void factor_range(const struct tsim__factor *f, double *lo, double *hi)
{
    if (f->kind != TSIM__FACTOR_LIST) {
        *lo = f->lo;
        *hi = f->hi;
        return;
    }
    *lo = INFINITY;
    *hi = -INFINITY;
    for (int i = 0; i < f->nvalues; i++) {
        double v = strtod(f->values[i], NULL);
        if (v < *lo) *lo = v;
        if (v > *hi) *hi = v;
    }
}

/* Interval bounds of an expression over the possible KPI and factor values. */
static void expr_range(const struct tsim__xrun *x, const struct tsim__expr *e, double *lo,
                       double *hi)
{
    *lo = *hi = e->constant;
    for (int i = 0; i < e->n; i++) {
        const struct tsim__term *t = &e->terms[i];
        double a, b;
        if (t->kind == TSIM__TERM_KPI) kpi_range(x->kpi_short[t->index], &a, &b);
        else factor_range(&x->spec->factors[t->index], &a, &b);
        double p = t->coef * a, q = t->coef * b;
        if (t->coef == 0) p = q = 0;
        *lo += p < q ? p : q;
        *hi += p < q ? q : p;
    }
}

static int parse_bound(const char *text, const char *unit, double *out)
{
    size_t n = strlen(text);
    if (n && text[n - 1] == '%') {
        char *end;
        double v = strtod(text, &end);
        if (end != text + n - 1) return -1;
        *out = v / 100;
        return 0;
    }
    return tsim_duration_parse(text, unit, out) == 0 ? 0 : -1;
}

static int check_constraints(struct tsim__xrun *x, struct tsim_diags *d)
{
    int ok = 1;
    struct tsim__xspec *s = (struct tsim__xspec *)x->spec;
    for (int i = 0; i < s->ncons; i++) {
        struct tsim__constraint *c = &s->cons[i];
        if (parse_bound(c->bound_text, x->time_unit, &c->bound) != 0) {
            tsim_diags_add(d, TSIM_ERROR, c->line, c->col, "bad bound '%s' in constraint '%s'",
                           c->bound_text, c->lhs.text);
            ok = 0;
            continue;
        }
        double lo, hi;
        expr_range(x, &c->lhs, &lo, &hi);
        if ((c->op == TSIM__LE && c->bound < lo) || (c->op == TSIM__GE && c->bound > hi)) {
            tsim_diags_add(d, TSIM_ERROR, c->line, c->col, "constraint '%s %s %s' cannot be met: "
                           "'%s' is never %s %g", c->lhs.text, c->op == TSIM__LE ? "<=" : ">=",
                           c->bound_text, c->lhs.text, c->op == TSIM__LE ? "below" : "above",
                           c->op == TSIM__LE ? lo : hi);
            ok = 0;
        }
    }
    /* Two constraints on the same expression that leave no value between them. */
    for (int i = 0; i < s->ncons; i++) {
        for (int j = 0; j < s->ncons; j++) {
            const struct tsim__constraint *a = &s->cons[i], *b = &s->cons[j];
            if (a->op == TSIM__LE && b->op == TSIM__GE && !strcmp(a->lhs.text, b->lhs.text) &&
                b->bound > a->bound) {
                tsim_diags_add(d, TSIM_ERROR, b->line, b->col, "constraints cannot all be met: "
                               "'%s' must be <= %g and >= %g", a->lhs.text, a->bound, b->bound);
                ok = 0;
            }
        }
    }
    return ok ? 0 : -1;
}

/* tsim_errmsg() without "function: " and the path it repeats, for a message that already names
 * the factor. */
static const char *param_errmsg(const char *path)
{
    const char *m = tsim_errmsg(), *c = strstr(m, ": ");
    if (c && !memchr(m, ' ', (size_t)(c - m))) m = c + 2;
    size_t n = strlen(path);
    if (!strncmp(m, path, n) && !strncmp(m + n, ": ", 2)) m += n + 2;
    return m;
}

/* The text tsim_model_set_param gets for value `v` of factor `f` (its format applied).
 * Ownership: the caller frees it. */
static char *param_text(const struct tsim__factor *f, const char *v)
{
    if (!f->format) return tsim__strdup(v);
    const char *at = strstr(f->format, "{}");
    size_t n = strlen(f->format) + strlen(v);
    char *t = tsim__malloc(n);
    snprintf(t, n, "%.*s%s%s", (int)(at - f->format), f->format, v, at + 2);
    return t;
}

/* Set every value of every factor on the probe model, so that unknown names and bad values
 * are reported, each at its place, before a single replication runs. */
static int check_factors(struct tsim__xrun *x, struct tsim_model *probe, struct tsim_diags *d)
{
    int ok = 1;
    for (int i = 0; i < x->spec->nfactors; i++) {
        const struct tsim__factor *f = &x->spec->factors[i];
        char buf[2][40];
        const char *vals[2];
        const char *const *list = (const char *const *)f->values;
        int n = f->nvalues;
        if (f->kind != TSIM__FACTOR_LIST) {
            tsim__x_fmt_double(buf[0], sizeof buf[0], f->lo);
            tsim__x_fmt_double(buf[1], sizeof buf[1], f->hi);
            vals[0] = buf[0];
            vals[1] = buf[1];
            list = vals;
            n = 2;
        }
        for (int v = 0; v < n; v++) {
            char *text = param_text(f, list[v]);
            int err = tsim_model_set_param(probe, f->path, text);
            tsim__free(text);
            if (err != 0) {
                if (err == TSIM_ENOENT)
                    tsim_diags_add(d, TSIM_ERROR, f->line, f->col, "unknown factor '%s': %s",
                                   f->path, param_errmsg(f->path));
                else
                    tsim_diags_add(d, TSIM_ERROR, f->line, f->col, "bad value '%s' for factor "
                                   "'%s': %s", list[v], f->path, param_errmsg(f->path));
                ok = 0;
                break;
            }
        }
    }
    return ok ? 0 : -1;
}

int tsim__xrun_init(struct tsim__xrun *x, const struct tsim__xspec *s, const struct tsim__xopts *o,
                    struct tsim_diags *d)
{
    memset(x, 0, sizeof *x);
    x->spec = s;
    x->opts = *o;
    x->best = -1;
    x->cmp_level = 0.95;
    x->exec = exec_threads;
    x->ranks = 1;
    const char *env = getenv("TSIM_EXP_STOP_AFTER");
    if (env) x->stop_after = strtoull(env, NULL, 10);
    env = getenv("TSIM_EXP_KILL_AFTER");
    if (env) x->kill_after = strtoull(env, NULL, 10);
    env = getenv("TSIM_EXP_COMMIT_MS");
    x->commit_s = env ? atof(env) / 1000 : 0.02;

    struct tsim_run_spec run = {0, 0, 0, 10, 1};
    struct tsim_model *probe = load_model(x, &run, d);
    if (!probe) return TSIM_EMODEL;
    /* The unit string belongs to the probe: keep a copy that outlives it. */
    snprintf(x->unit_buf, sizeof x->unit_buf, "%s", tsim_model_time_unit(probe));
    x->time_unit = x->unit_buf;
    x->seed = o->has_seed ? o->seed : s->has_seed ? s->seed : run.seed;
    x->horizon = run.horizon;
    x->warmup = run.warmup;
    int ok = 1;
    if (s->horizon_text && tsim_duration_parse(s->horizon_text, x->time_unit, &x->horizon) != 0) {
        tsim_diags_add(d, TSIM_ERROR, 0, 0, "bad horizon '%s'", s->horizon_text);
        ok = 0;
    }
    if (s->warmup_text && tsim_duration_parse(s->warmup_text, x->time_unit, &x->warmup) != 0) {
        tsim_diags_add(d, TSIM_ERROR, 0, 0, "bad warmup '%s'", s->warmup_text);
        ok = 0;
    }
    if (o->trace_every && (tsim_duration_parse(o->trace_every, x->time_unit, &x->trace_every) != 0 ||
                           !(x->trace_every > 0) || x->trace_every > 1e15)) {
        tsim_diags_add(d, TSIM_ERROR, 0, 0, "bad trace interval '%s' (a duration above 0)",
                       o->trace_every);
        ok = 0;
    }
    if (x->horizon > 0 && x->warmup >= x->horizon) {
        tsim_diags_add(d, TSIM_ERROR, 0, 0, "warm-up %g is not shorter than the horizon %g",
                       x->warmup, x->horizon);
        ok = 0;
    }
    if (x->horizon > tsim_model_max_time(probe)) {
        tsim_diags_add(d, TSIM_ERROR, 0, 0,
                       "horizon %.10g %s is past the latest time the model's resolution can "
                       "count (%.10g %s)",
                       x->horizon, x->time_unit, tsim_model_max_time(probe), x->time_unit);
        ok = 0;
    }
    if (check_factors(x, probe, d) != 0) ok = 0;
    if (!ok) {
        tsim_model_destroy(probe);
        return TSIM_EINVAL;
    }
    /* The probe lists the KPIs without running an event: a fresh model that validates. */
    tsim_model_destroy(probe);
    probe = load_model(x, &run, d);
    if (!probe) return TSIM_EMODEL;
    struct tsim_sim *sim = tsim_sim_create(probe, x->seed, 0);
    if (!sim) {
        tsim_diags_add(d, TSIM_ERROR, 0, 0, "the model does not validate: %s", tsim_errmsg());
        tsim_model_destroy(probe);
        return TSIM_EMODEL;
    }
    struct tsim_result res;
    tsim_result_init(&res);
    tsim_sim_result(sim, &res);
    x->nkpi = res.n;
    x->row_len = res.n + TSIM__XROW_EXTRA;
    x->kpi_names = tsim__calloc(res.n + 1, sizeof *x->kpi_names);
    x->kpi_block = tsim__calloc(res.n + 1, sizeof *x->kpi_block);
    x->kpi_short = tsim__calloc(res.n + 1, sizeof *x->kpi_short);
    for (size_t i = 0; i < res.n; i++) {
        const char *own = owner_name(probe, res.kpis[i].block);
        size_t len = strlen(own) + strlen(res.kpis[i].name) + 2;
        x->kpi_names[i] = tsim__malloc(len);
        snprintf(x->kpi_names[i], len, "%s.%s", own, res.kpis[i].name);
        x->kpi_block[i] = res.kpis[i].block;
        /* in the copy: the engine's names of KPIs by product die with the probe model */
        x->kpi_short[i] = x->kpi_names[i] + strlen(own) + 1;
    }
    tsim_result_release(&res);
    tsim_sim_destroy(sim);
    tsim_model_destroy(probe);

    struct tsim__xspec *ms = (struct tsim__xspec *)s;
    if (s->has_objective && bind_expr(x, &ms->objective, s->obj_line, s->obj_col, d) != 0) ok = 0;
    for (int i = 0; i < s->ncons; i++)
        if (bind_expr(x, &ms->cons[i].lhs, s->cons[i].line, s->cons[i].col, d) != 0) ok = 0;
    for (int i = 0; i < s->nuntil; i++)
        if (bind_expr(x, &ms->until[i].what, 0, 0, d) != 0) ok = 0;
    if (ok && check_constraints(x, d) != 0) ok = 0;
    if (s->ncons && !s->has_objective) {
        tsim_diags_add(d, TSIM_ERROR, 0, 0, "constraints need an objective");
        ok = 0;
    }
    if (!ok) return TSIM_EINVAL;
    x->ntrack = (s->has_objective ? 1 + s->ncons : 0) + s->nuntil;
    x->nworkers = o->threads > 0 ? o->threads : tsim__pool_cores();
    x->workers = tsim__calloc((size_t)x->nworkers, sizeof *x->workers);
    for (int i = 0; i < x->nworkers; i++) tsim_result_init(&x->workers[i].res);
    return 0;
}

void tsim__xrun_release(struct tsim__xrun *x)
{
    for (int i = 0; i < x->nworkers; i++) tsim__xworker_release(&x->workers[i]);
    tsim__free(x->workers);
    for (size_t s = 0; s < x->nscen; s++) {
        struct tsim__scen *sc = &x->scen[s];
        for (int f = 0; f < x->spec->nfactors; f++) tsim__free(sc->values[f]);
        tsim__free(sc->values);
        tsim__free(sc->num);
        tsim_model_destroy(sc->model);
        tsim__free(sc->kt);
        tsim__free(sc->track);
    }
    tsim__free(x->scen);
    for (size_t i = 0; i < x->nkpi; i++) tsim__free(x->kpi_names[i]);
    tsim__free(x->kpi_names);
    tsim__free(x->kpi_block);
    tsim__free(x->kpi_short);
    tsim__free(x->same_as_best);
    tsim__free(x->cmp_mean);
    tsim__free(x->cmp_hw);
    memset(x, 0, sizeof *x);
}

long tsim__xrun_add_scenario(struct tsim__xrun *x, char **values, struct tsim_diags *d)
{
    if (x->nscen >= TSIM__X_MAX_SCENARIOS) {
        tsim_diags_add(d, TSIM_ERROR, 0, 0, "too many scenarios (at most %d)",
                       TSIM__X_MAX_SCENARIOS);
        return TSIM_ELIMIT;
    }
    struct tsim_run_spec run;
    struct tsim_model *m = load_model(x, &run, d);
    if (!m) return TSIM_EMODEL;
    int nf = x->spec->nfactors;
    for (int f = 0; f < nf; f++) {
        char *text = param_text(&x->spec->factors[f], values[f]);
        int err = tsim_model_set_param(m, x->spec->factors[f].path, text);
        tsim__free(text);
        if (err != 0) {
            tsim_diags_add(d, TSIM_ERROR, x->spec->factors[f].line, x->spec->factors[f].col,
                           "bad value '%s' for factor '%s': %s", values[f],
                           x->spec->factors[f].path, param_errmsg(x->spec->factors[f].path));
            tsim_model_destroy(m);
            return TSIM_EINVAL;
        }
    }
    /* Validate once here, on one thread: sims created concurrently later only read the model. */
    if (tsim_model_validate(m) != 0) {
        /* The model validated as loaded: a factor broke it. Place the error at the last factor
         * that changed the block it is about, naming its value; 0:0 when none did. */
        int eb = tsim_model_error_block(m), at = -1;
        for (int f = 0; f < nf && eb >= 0; f++)
            if (tsim_model_param_block(m, x->spec->factors[f].path) == eb) at = f;
        if (at >= 0)
            tsim_diags_add(d, TSIM_ERROR, x->spec->factors[at].line, x->spec->factors[at].col,
                           "scenario %zu does not validate with factor '%s' at %s: %s", x->nscen,
                           x->spec->factors[at].path, values[at], tsim__errmsg_body());
        else
            tsim_diags_add(d, TSIM_ERROR, 0, 0, "scenario %zu does not validate: %s", x->nscen,
                           tsim__errmsg_body());
        tsim_model_destroy(m);
        return TSIM_EMODEL;
    }
    /* Without a horizon, a scenario whose run never ends would hold its worker for ever. */
    char why[200];
    int eb;
    if (!(x->horizon > 0) && tsim__model_endless(m, why, sizeof why, &eb)) {
        tsim_diags_add(d, TSIM_ERROR, 0, 0,
                       "scenario %zu: no horizon, and %s: its runs would never end (give the "
                       "experiment or the model a horizon)",
                       x->nscen, why);
        tsim_model_destroy(m);
        return TSIM_EINVAL;
    }
    tsim__grow((void **)&x->scen, &x->cap_scen, x->nscen + 1, sizeof *x->scen);
    struct tsim__scen *sc = &x->scen[x->nscen];
    memset(sc, 0, sizeof *sc);
    sc->values = tsim__calloc((size_t)nf + 1, sizeof *sc->values);
    sc->num = tsim__calloc((size_t)nf + 1, sizeof *sc->num);
    for (int f = 0; f < nf; f++) {
        char *end;
        sc->values[f] = tsim__strdup(values[f]);
        sc->num[f] = strtod(values[f], &end);
        if (end == values[f] || *end) sc->num[f] = NAN;
    }
    sc->model = m;
    sc->seed = tsim__xscen_seed(x->seed, x->spec->crn, x->nscen);
    sc->kt = tsim__calloc(x->nkpi + 1, sizeof *sc->kt);
    for (size_t k = 0; k < x->nkpi; k++) tsim_tally_init(&sc->kt[k]);
    sc->fp = 1469598103934665603ull; /* as the spec's text_hash starts (exp_spec.c) */
    if (x->db) tsim__xdb_put_scenario(x, x->nscen);
    return (long)x->nscen++;
}

/* ---- rounds -------------------------------------------------------------------------- */

/* Why replication `j` left a failed row. The row crossed from a worker (or another rank) as
 * numbers only, so the replication is run again here: the same seed and replication give the same
 * run, and so the same error. This costs a second run, once, when the experiment stops anyway. */
static void failed_why(const struct tsim__xrun *x, const struct tsim__job *j, char *why,
                       size_t size)
{
    const struct tsim__scen *sc = &x->scen[j->scen];
    snprintf(why, size, "the sim could not be created or listed other KPIs");
    struct tsim_sim *sim = tsim_sim_create(sc->model, sc->seed, j->rep);
    if (!sim) {
        snprintf(why, size, "the sim could not be created: %s", tsim_errmsg());
        return;
    }
    tsim__sim_watch(sim, &tsim__x_stop);
    if (!(x->warmup > 0) || tsim_sim_set_warmup(sim, x->warmup) == 0) {
        if (x->horizon > 0) tsim_sim_run_until(sim, x->horizon);
        else tsim_sim_run(sim);
        if (tsim_sim_status(sim) != 0 && tsim_sim_error(sim))
            snprintf(why, size, "%s", tsim_sim_error(sim));
    }
    tsim_sim_destroy(sim);
}

static int fold_row(struct tsim__xrun *x, const struct tsim__job *j, const double *row)
{
    struct tsim__scen *sc = &x->scen[j->scen];
    TSIM__ASSERT((int)j->rep == sc->n, "replication %u of scenario %u folded out of order",
                 j->rep, j->scen);
    if (isnan(row[x->nkpi])) {
        /* tsim__xjob_run leaves a row all NaN when the sim could not run. */
        x->error = 1;
        char why[512];
        failed_why(x, j, why, sizeof why);
        tsim__say("twinsim %s: replication %u of scenario %u failed: %s\n", x->opts.kind, j->rep,
                  j->scen, why);
        return -1;
    }
    for (size_t k = 0; k < x->nkpi; k++) tsim_tally_add(&sc->kt[k], row[k]);
    if (x->ntrack) {
        tsim__grow((void **)&sc->track, &sc->track_cap, (size_t)(sc->n + 1) * (size_t)x->ntrack,
                   sizeof *sc->track);
        double *t = sc->track + (size_t)sc->n * (size_t)x->ntrack;
        int k = 0;
        if (x->spec->has_objective) {
            t[k++] = tsim__xexpr_eval(x, &x->spec->objective, j->scen, row);
            for (int c = 0; c < x->spec->ncons; c++)
                t[k++] = tsim__xexpr_eval(x, &x->spec->cons[c].lhs, j->scen, row);
        }
        for (int u = 0; u < x->spec->nuntil; u++)
            t[k++] = tsim__xexpr_eval(x, &x->spec->until[u].what, j->scen, row);
    }
    sc->fp = tsim__fnv1a(sc->fp, &row[x->nkpi + 3], sizeof(double));
    uint64_t ev;
    memcpy(&ev, &row[x->nkpi + 2], sizeof ev);
    sc->events += ev;
    sc->n++;
    return 0;
}

static int run_chunk(struct tsim__xrun *x, struct tsim__job *jobs, size_t n, double *rows,
                     struct tsim__job *pend, double *prow, size_t *pidx)
{
    size_t np = 0;
    for (size_t i = 0; i < n; i++) {
        if (x->db && x->opts.resume && tsim__xdb_lookup(x, jobs[i].scen, jobs[i].rep,
                                                        rows + i * x->row_len)) {
            x->jobs_done++;
            continue;
        }
        pend[np] = jobs[i];
        pidx[np++] = i;
    }
    int rc = 0;
    if (np) {
        x->cur_jobs = pend;
        x->cur_rows = prow;
        rc = x->exec(x, pend, np, prow);
        if (x->db && tsim__xdb_flush(x) != 0) store_failed(x);
        for (size_t k = 0; k < np; k++)
            memcpy(rows + pidx[k] * x->row_len, prow + k * x->row_len,
                   x->row_len * sizeof *rows);
    }
    if (rc != 0) {
        x->interrupted = rc == 1;
        return rc;
    }
    for (size_t i = 0; i < n; i++)
        if (fold_row(x, &jobs[i], rows + i * x->row_len) != 0) return TSIM_EINVAL;
    return 0;
}

int tsim__xrun_round(struct tsim__xrun *x, const size_t *scen, size_t nscen)
{
    size_t cap = CHUNK;
    struct tsim__job *jobs = tsim__malloc(cap * sizeof *jobs);
    struct tsim__job *pend = tsim__malloc(cap * sizeof *pend);
    size_t *pidx = tsim__malloc(cap * sizeof *pidx);
    double *rows = tsim__malloc(cap * x->row_len * sizeof *rows);
    double *prow = tsim__malloc(cap * x->row_len * sizeof *prow);
    uint64_t pending = 0;
    for (size_t i = 0; i < nscen; i++) {
        const struct tsim__scen *sc = &x->scen[scen[i]];
        if (sc->want > sc->n) pending += (uint64_t)(sc->want - sc->n);
    }
    /* The optimizer announces its budget up front; rounds only raise the total if needed. */
    if (x->jobs_total < x->jobs_done + pending) x->jobs_total = x->jobs_done + pending;
    int rc = 0;
    size_t n = 0;
    for (size_t i = 0; i < nscen && rc == 0; i++) {
        const struct tsim__scen *sc = &x->scen[scen[i]];
        for (int r = sc->n; r < sc->want && rc == 0; r++) {
            jobs[n].scen = (uint32_t)scen[i];
            jobs[n].rep = (uint32_t)r;
            if (++n == cap) {
                rc = run_chunk(x, jobs, n, rows, pend, prow, pidx);
                n = 0;
            }
        }
    }
    if (rc == 0 && n) rc = run_chunk(x, jobs, n, rows, pend, prow, pidx);
    tsim__free(jobs);
    tsim__free(pend);
    tsim__free(pidx);
    tsim__free(rows);
    tsim__free(prow);
    return rc;
}
