/*
 * The `twinsim experiment` command, and the ends that it shares with `twinsim optimize`
 * (optimize.c): the results written, the run interrupted, a command that failed before its
 * rounds. The top floor of the experiment files: it drives the engine (experiment.c), the
 * designs, the comparison, the traces, the store and the MPI farm; none of them calls it.
 */
#include "run/experiment.h"

#include "core/core.h"

#include <stdlib.h>
#include <string.h>

int tsim__xrun_finish(struct tsim__xrun *x, tsim__xjson_extra_fn *extra, void *extra_ctx,
                      double t0)
{
    int rc = 0;
    double wall = tsim__x_now() - t0;
    char *json = NULL;
    if (tsim__xjson_write(x, x->opts.json, extra, extra_ctx, wall, &json) != 0) {
        const char *m = tsim_errmsg(), *c = strstr(m, ": ");
        tsim__say("twinsim %s: %s\n", x->opts.kind, c ? c + 2 : m);
        rc = 1;
    }
    if (x->db) {
        if (tsim__xdb_finish(x, json) != 0) rc = 1;
        tsim__xdb_close(x, NULL);
    }
    free(json);
    if (x->opts.out) tsim__xtable_print(x, x->opts.out);
    return rc;
}

int tsim__xrun_interrupted(struct tsim__xrun *x)
{
    const char *kind = x->opts.kind;
    if (x->db) {
        const char *path = x->opts.db;
        tsim__xdb_close(x, "interrupted");
        tsim__say("twinsim %s: interrupted; %llu finished replications are kept in '%s': "
                    "continue with --resume\n", kind, (unsigned long long)x->jobs_done, path);
    } else {
        tsim__say("twinsim %s: interrupted; nothing was kept (no database)\n", kind);
    }
    return TSIM__X_INTERRUPTED;
}

int tsim__xrun_begin(struct tsim__xrun *x, const struct tsim__xspec *s, const struct tsim__xopts *o,
                     const char *kind, struct tsim_diags *d)
{
    tsim_diags_init(d);
    struct tsim__xopts oo = *o;
    oo.kind = kind;
    return tsim__xrun_init(x, s, &oo, d);
}

int tsim__xrun_end(struct tsim__xrun *x, int rc, tsim__xjson_extra_fn *extra, void *extra_ctx,
                   double t0)
{
    if (!x->error && rc == 1) return tsim__xrun_interrupted(x);
    if (x->error || rc != 0) {
        if (x->db) tsim__xdb_close(x, "failed");
        return 1;
    }
    return tsim__xrun_finish(x, extra, extra_ctx, t0);
}

int tsim__xrun_abort(struct tsim__xrun *x, struct tsim_diags *d, const char *file)
{
    tsim__x_say_diags(d, file);
    tsim_diags_release(d);
    if (x->db) tsim__xdb_close(x, "failed");
    tsim__xrun_release(x);
    return 1;
}

int tsim__experiment_main(const struct tsim__xspec *s, const struct tsim__xopts *o)
{
    double t0 = tsim__x_now();
    struct tsim__xrun x;
    struct tsim_diags d;
    int rc = tsim__xrun_begin(&x, s, o, "experiment", &d);
    if (rc == 0 && o->db && tsim__xdb_open(&x, o->db, o->resume) != 0) rc = TSIM_EIO;
    if (rc == 0) {
        rc = s->design == TSIM__DESIGN_FULL ? tsim__x_full(&x, &d) : tsim__x_lhs(&x, s->lhs_n, 0, &d);
    }
    if (rc != 0 || d.errors) return tsim__xrun_abort(&x, &d, s->file);
    tsim_diags_release(&d);
#ifdef TSIM_HAVE_MPI
    tsim__mpi_attach(&x);
#endif
    x.t_start = tsim__x_now();
    size_t *all = tsim__malloc((x.nscen + 1) * sizeof *all);
    for (size_t i = 0; i < x.nscen; i++) all[i] = i;
    rc = tsim__xrun_until_done(&x, all, x.nscen);
    tsim__free(all);
    tsim__xrun_progress(&x, 1);
    if (rc == 0 && !x.error) {
        tsim__xrun_compare(&x, NULL, 0);
        if (tsim__xrun_traces(&x)) rc = 1;
    }
    int code = tsim__xrun_end(&x, rc, NULL, NULL, t0);
    tsim__xrun_release(&x);
    return code;
}
