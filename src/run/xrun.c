/*
 * The helpers every part of an experiment shares (run/xrun.h): the stop flag, the clock, the
 * text of a number, the seed of a scenario, the value of an expression on a row, and a
 * scenario's tracked values summed up (its objective, whether it is feasible).
 */
#include "run/xrun.h"

#include "core/core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

atomic_int tsim__x_stop;

double tsim__x_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void tsim__x_fmt_double(char *buf, size_t len, double v)
{
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(buf, len, "%.0f", v);
        return;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, len, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) return;
    }
}

static uint64_t mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t tsim__xscen_seed(uint64_t seed, int crn, size_t s)
{
    /* Without common random numbers every scenario gets its own seed, derived so that scenario
     * s has the same seed in every run of the experiment. */
    return crn ? seed : mix64(seed ^ mix64((uint64_t)s + 1));
}

double tsim__xexpr_eval(const struct tsim__xrun *x, const struct tsim__expr *e, size_t s,
                        const double *row)
{
    double v = e->constant;
    for (int i = 0; i < e->n; i++) {
        const struct tsim__term *t = &e->terms[i];
        double term = t->kind == TSIM__TERM_KPI ? row[t->index] : x->scen[s].num[t->index];
        v += t->coef * term;
    }
    return v;
}

/* Diagnostics go to the message receiver whole, in the format tsim_diags_print writes. */
void tsim__x_say_diags(const struct tsim_diags *d, const char *file)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) return;
    tsim_diags_print(d, file, f);
    fclose(f);
    if (len) tsim__say_text(text);
    free(text);
}

static double summ_t(double level, uint64_t n)
{
    return n >= 2 ? tsim_t_quantile(0.5 + level / 2, (double)(n - 1)) : NAN;
}

void tsim__xrun_track(const struct tsim__xrun *x, const struct tsim__scen *sc, int j, size_t m,
                      double level, struct tsim_summary *out)
{
    struct tsim_tally t;
    tsim_tally_init(&t);
    for (size_t r = 0; r < m; r++) tsim_tally_add(&t, sc->track[r * (size_t)x->ntrack + (size_t)j]);
    out->n = t.n;
    out->mean = t.n ? t.mean : NAN;
    out->sd = sqrt(tsim_tally_variance(&t));
    out->half_width = t.n >= 2 ? summ_t(level, t.n) * out->sd / sqrt((double)t.n) : NAN;
    out->min = t.n ? t.min : NAN;
    out->max = t.n ? t.max : NAN;
}

void tsim__xrun_objective(const struct tsim__xrun *x, size_t s, struct tsim_summary *out)
{
    tsim__xrun_track(x, &x->scen[s], 0, (size_t)x->scen[s].n, 0.95, out);
}

int tsim__xrun_feasible(const struct tsim__xrun *x, size_t s)
{
    for (int c = 0; c < x->spec->ncons; c++) {
        struct tsim_summary sm;
        tsim__xrun_track(x, &x->scen[s], 1 + c, (size_t)x->scen[s].n, 0.95, &sm);
        const struct tsim__constraint *k = &x->spec->cons[c];
        if (k->op == TSIM__LE ? !(sm.mean <= k->bound) : !(sm.mean >= k->bound)) return 0;
    }
    return 1;
}
