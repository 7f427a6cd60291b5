/*
 * The optimizer: searches an experiment's factor space for the best objective under its
 * constraints when enumerating it is too costly. Not a new way to simulate: every point is a
 * scenario of the experiment driver, every evaluation a round of its replications.
 *
 * Method, in three parts:
 * 1. a Latin hypercube start of `initial` points, each with n0 replications;
 * 2. a pattern search around the incumbent (the best feasible mean): each factor is moved by its
 *    radius up and down (integers on their grid, continuous factors anywhere in range, lists by
 *    one position); when no neighbour improves, the radii halve, down to one grid step or a
 *    thousandth of the range;
 * 3. after every move, and with whatever budget remains at the end, replications are added to
 *    the leading candidates by OCBA (Chen et al., 2000: extra replications go where they most
 *    raise the probability of correct selection), and the final choice is the best mean with
 *    paired comparisons on common random numbers against every other contender.
 * Every decision reads only folded results, so the search path, and the answer, are the same
 * for any thread or rank count.
 */
#include "results/results.h"
#include "run/experiment.h"

#include "core/core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CONTENDERS 8
#define MAX_PATH 1000

struct step {
    int iteration;
    long scen;
    double mean, half_width;
    int replications;
};

struct opt {
    struct tsim__xrun *x;
    int budget, n0;
    uint64_t spent;
    double radius[TSIM__X_MAX_FACTORS];
    double min_radius[TSIM__X_MAX_FACTORS];
    int iterations, converged;
    size_t npath;
    struct step path[MAX_PATH];
};

static double sense(const struct opt *op) { return op->x->spec->maximize ? 1 : -1; }

static long find_point(const struct tsim__xrun *x, char **vals)
{
    for (size_t s = 0; s < x->nscen; s++) {
        int same = 1;
        for (int f = 0; f < x->spec->nfactors && same; f++)
            same = !strcmp(x->scen[s].values[f], vals[f]);
        if (same) return (long)s;
    }
    return -1;
}

static uint64_t spent(const struct tsim__xrun *x)
{
    uint64_t n = 0;
    for (size_t s = 0; s < x->nscen; s++) n += (uint64_t)x->scen[s].n;
    return n;
}

/* Position of scenario s along factor f: the value for numbers, the index for lists. */
static double coord(const struct tsim__xrun *x, size_t s, int f)
{
    const struct tsim__factor *fa = &x->spec->factors[f];
    if (fa->kind != TSIM__FACTOR_LIST) return x->scen[s].num[f];
    for (int i = 0; i < fa->nvalues; i++)
        if (!strcmp(fa->values[i], x->scen[s].values[f])) return i;
    return 0;
}

static char *value_at(const struct tsim__factor *fa, double c)
{
    char buf[48];
    if (fa->kind == TSIM__FACTOR_LIST) {
        int i = (int)lround(c);
        if (i < 0) i = 0;
        if (i >= fa->nvalues) i = fa->nvalues - 1;
        return tsim__strdup(fa->values[i]);
    }
    if (c < fa->lo) c = fa->lo;
    if (c > fa->hi) c = fa->hi;
    if (fa->kind == TSIM__FACTOR_INT) {
        c = fa->lo + fa->step * round((c - fa->lo) / fa->step);
        if (c > fa->hi) c -= fa->step;
        tsim__x_fmt_double(buf, sizeof buf, c);
    } else {
        snprintf(buf, sizeof buf, "%.12g", c);
    }
    return tsim__strdup(buf);
}

/* The leading feasible candidates by mean (best first; ties by index). */
static size_t contenders(const struct opt *op, size_t *out, size_t max)
{
    const struct tsim__xrun *x = op->x;
    size_t n = 0;
    double sg = sense(op);
    for (size_t s = 0; s < x->nscen; s++) {
        if (x->scen[s].n < 2 || !tsim__xrun_feasible(x, s)) continue;
        struct tsim_summary sm;
        tsim__xrun_objective(x, s, &sm);
        size_t pos = n;
        while (pos > 0) {
            struct tsim_summary o;
            tsim__xrun_objective(x, out[pos - 1], &o);
            if (sg * o.mean >= sg * sm.mean) break;
            pos--;
        }
        if (pos >= max) continue;
        size_t last = n < max ? n : max - 1;
        for (size_t k = last; k > pos; k--) out[k] = out[k - 1];
        out[pos] = s;
        if (n < max) n++;
    }
    return n;
}

/* OCBA: add `delta` replications among the contenders (see the file comment). */
static int ocba_round(struct opt *op, size_t delta)
{
    struct tsim__xrun *x = op->x;
    size_t c[MAX_CONTENDERS];
    size_t k = contenders(op, c, MAX_CONTENDERS);
    if (k < 2 || delta == 0) return 0;
    double sg = sense(op), m[MAX_CONTENDERS], sd[MAX_CONTENDERS], want[MAX_CONTENDERS];
    double total = (double)delta;
    for (size_t i = 0; i < k; i++) {
        struct tsim_summary sm;
        tsim__xrun_objective(x, c[i], &sm);
        m[i] = sg * sm.mean;
        sd[i] = sm.sd > 1e-12 ? sm.sd : 1e-12;
        total += x->scen[c[i]].n;
    }
    /* c[0] is the best. For i != b: N_i proportional to (sd_i / delta_i)^2;
     * N_b = sd_b sqrt(sum N_i^2 / sd_i^2). */
    double r[MAX_CONTENDERS], sum_r = 0, sum_q = 0;
    for (size_t i = 1; i < k; i++) {
        double gap = m[0] - m[i];
        if (gap < 1e-9 * (fabs(m[0]) + 1e-9)) gap = 1e-9 * (fabs(m[0]) + 1e-9);
        r[i] = (sd[i] / gap) * (sd[i] / gap);
        sum_r += r[i];
        sum_q += r[i] * r[i] / (sd[i] * sd[i]);
    }
    r[0] = sd[0] * sqrt(sum_q);
    sum_r += r[0];
    double extra_sum = 0;
    for (size_t i = 0; i < k; i++) {
        want[i] = total * r[i] / sum_r - x->scen[c[i]].n;
        if (want[i] < 0) want[i] = 0;
        extra_sum += want[i];
    }
    if (extra_sum <= 0) return 0;
    size_t given = 0;
    int add[MAX_CONTENDERS];
    for (size_t i = 0; i < k; i++) {
        add[i] = (int)floor(want[i] * (double)delta / extra_sum);
        given += (size_t)add[i];
    }
    /* Leftovers to the largest wants, ties by rank: deterministic. */
    while (given < delta) {
        size_t bi = 0;
        for (size_t i = 1; i < k; i++)
            if (want[i] - add[i] > want[bi] - add[bi]) bi = i;
        add[bi]++;
        given++;
    }
    size_t list[MAX_CONTENDERS], nl = 0;
    for (size_t i = 0; i < k; i++) {
        if (add[i] <= 0) continue;
        struct tsim__scen *sc = &x->scen[c[i]];
        /* The budget bounds the total; a single point may take as many as OCBA gives it. */
        sc->want = sc->n + add[i];
        list[nl++] = c[i];
    }
    if (!nl) return 0;
    /* Rounds take scenarios in index order, as the fold requires. */
    for (size_t i = 1; i < nl; i++)
        for (size_t j = i; j > 0 && list[j - 1] > list[j]; j--) {
            size_t t = list[j];
            list[j] = list[j - 1];
            list[j - 1] = t;
        }
    int rc = tsim__xrun_round(x, list, nl);
    op->spent = spent(x);
    return rc;
}

static int evaluate_new(struct opt *op, size_t first)
{
    struct tsim__xrun *x = op->x;
    size_t n = x->nscen - first;
    if (!n) return 0;
    size_t *list = tsim__malloc(n * sizeof *list);
    for (size_t i = 0; i < n; i++) {
        list[i] = first + i;
        x->scen[first + i].want = op->n0;
    }
    int rc = tsim__xrun_round(x, list, n);
    tsim__free(list);
    op->spent = spent(x);
    return rc;
}

static void note_path(struct opt *op, long best)
{
    if (best < 0 || op->npath == MAX_PATH) return;
    if (op->npath && op->path[op->npath - 1].scen == best) return;
    struct tsim_summary sm;
    tsim__xrun_objective(op->x, (size_t)best, &sm);
    struct step *st = &op->path[op->npath++];
    st->iteration = op->iterations;
    st->scen = best;
    st->mean = sm.mean;
    st->half_width = sm.half_width;
    st->replications = op->x->scen[best].n;
}

static long incumbent(struct opt *op)
{
    size_t c[1];
    return contenders(op, c, 1) ? (long)c[0] : -1;
}

/* Add the untried neighbours of the incumbent that the budget can pay for. Returns how many. */
static size_t add_neighbours(struct opt *op, long inc, struct tsim_diags *d, int *err)
{
    struct tsim__xrun *x = op->x;
    const struct tsim__xspec *sp = x->spec;
    size_t added = 0;
    for (int f = 0; f < sp->nfactors; f++) {
        for (int dir = -1; dir <= 1; dir += 2) {
            if (op->spent + (uint64_t)(added + 1) * (uint64_t)op->n0 > (uint64_t)op->budget)
                return added;
            char *vals[TSIM__X_MAX_FACTORS];
            for (int g = 0; g < sp->nfactors; g++)
                vals[g] = g == f ? value_at(&sp->factors[f],
                                            coord(x, (size_t)inc, f) + dir * op->radius[f])
                                 : tsim__strdup(x->scen[inc].values[g]);
            if (find_point(x, vals) < 0) {
                if (tsim__xrun_add_scenario(x, vals, d) < 0) *err = 1;
                else added++;
            }
            for (int g = 0; g < sp->nfactors; g++) tsim__free(vals[g]);
            if (*err) return added;
        }
    }
    return added;
}

static int shrink(struct opt *op)
{
    int moved = 0;
    for (int f = 0; f < op->x->spec->nfactors; f++) {
        if (op->radius[f] > op->min_radius[f]) {
            op->radius[f] /= 2;
            if (op->radius[f] < op->min_radius[f]) op->radius[f] = op->min_radius[f];
            moved = 1;
        }
    }
    return moved;
}

static void json_extra(struct tsim__json *j, void *ctx)
{
    struct opt *op = ctx;
    tsim__json_open(j, "optimize", '{', 0);
    tsim__json_int(j, "budget", op->budget);
    tsim__json_uint(j, "replications_spent", op->spent);
    tsim__json_int(j, "replications_per_point", op->n0);
    tsim__json_int(j, "iterations", op->iterations);
    tsim__json_bool(j, "converged", op->converged);
    tsim__json_open(j, "path", '[', 0);
    for (size_t i = 0; i < op->npath; i++) {
        tsim__json_open(j, NULL, '{', 1);
        tsim__json_int(j, "iteration", op->path[i].iteration);
        tsim__json_int(j, "scenario", op->path[i].scen);
        tsim__json_number(j, "mean", op->path[i].mean);
        tsim__json_number(j, "half_width", op->path[i].half_width);
        tsim__json_int(j, "replications", op->path[i].replications);
        tsim__json_close(j, '{');
    }
    tsim__json_close(j, '[');
    tsim__json_close(j, '{');
}

static void print_path(const struct opt *op, FILE *f)
{
    const struct tsim__xrun *x = op->x;
    fprintf(f, "\nsearch path (%llu of %d replications, %d iterations%s):\n",
            (unsigned long long)op->spent, op->budget, op->iterations,
            op->converged ? ", converged" : ", budget spent");
    for (size_t i = 0; i < op->npath; i++) {
        const struct step *st = &op->path[i];
        fprintf(f, "  iteration %-3d scenario %-4ld", st->iteration, st->scen);
        for (int g = 0; g < x->spec->nfactors; g++)
            fprintf(f, " %s=%s", x->spec->factors[g].path, x->scen[st->scen].values[g]);
        fprintf(f, "  %.6g ± %.3g (%d reps)\n", st->mean, st->half_width, st->replications);
    }
}

int tsim__optimize_main(const struct tsim__xspec *s, const struct tsim__xopts *o)
{
    double t0 = tsim__x_now();
    struct tsim__xrun x;
    struct tsim_diags d;
    int rc = tsim__xrun_begin(&x, s, o, "optimize", &d);
    if (rc == 0 && !s->has_objective) {
        tsim_diags_add(&d, TSIM_ERROR, 0, 0, "'twinsim optimize' needs an 'objective'");
        rc = TSIM_EINVAL;
    }
    struct opt *op = tsim__calloc(1, sizeof *op);
    op->x = &x;
    op->budget = s->budget ? s->budget : 1000;
    op->n0 = s->opt_reps ? s->opt_reps : s->rep_min;
    if (rc == 0 && (uint64_t)op->n0 * 2 > (uint64_t)op->budget) {
        tsim_diags_add(&d, TSIM_ERROR, 0, 0, "the budget of %d replications cannot pay for two "
                       "points of %d replications", op->budget, op->n0);
        rc = TSIM_EINVAL;
    }
    if (rc == 0 && o->db && tsim__xdb_open(&x, o->db, o->resume) != 0) rc = TSIM_EIO;
    int initial = 0;
    if (rc == 0) {
        initial = s->initial ? s->initial : 2 * s->nfactors + 2;
        if (initial * op->n0 > op->budget / 2) initial = op->budget / 2 / op->n0;
        if (initial < 2) initial = 2;
        for (int f = 0; f < s->nfactors; f++) {
            const struct tsim__factor *fa = &s->factors[f];
            double span = fa->kind == TSIM__FACTOR_LIST ? fa->nvalues - 1 : fa->hi - fa->lo;
            double grid = fa->kind == TSIM__FACTOR_INT ? fa->step : fa->kind == TSIM__FACTOR_LIST ? 1 : 0;
            op->radius[f] = span / 4;
            op->min_radius[f] = grid > 0 ? grid : span / 1000;
            if (grid > 0) op->radius[f] = grid * ceil(op->radius[f] / grid);
            if (op->radius[f] < op->min_radius[f]) op->radius[f] = op->min_radius[f];
        }
        rc = tsim__x_lhs(&x, initial, 0, &d);
    }
    if (rc != 0 || d.errors) {
        tsim__free(op);
        return tsim__xrun_abort(&x, &d, s->file);
    }
#ifdef TSIM_HAVE_MPI
    tsim__mpi_attach(&x);
#endif
    x.t_start = tsim__x_now();
    x.jobs_total = (uint64_t)op->budget;
    rc = evaluate_new(op, 0);
    long inc = incumbent(op);
    note_path(op, inc);
    int err = 0;
    while (rc == 0 && !err && inc >= 0 && op->spent + (uint64_t)op->n0 <= (uint64_t)op->budget) {
        op->iterations++;
        size_t first = x.nscen;
        size_t added = add_neighbours(op, inc, &d, &err);
        if (err) break;
        if (added == 0) {
            /* Every neighbour at this radius was tried: look closer, or stop searching. */
            if (!shrink(op)) {
                op->converged = 1;
                break;
            }
            continue;
        }
        rc = evaluate_new(op, first);
        if (rc != 0) break;
        /* A few replications more for the leaders before choosing where to move. */
        uint64_t left = (uint64_t)op->budget - op->spent;
        size_t delta = (size_t)(left < (uint64_t)(2 * op->n0) ? left : (uint64_t)(2 * op->n0));
        rc = ocba_round(op, delta);
        if (rc != 0) break;
        long next = incumbent(op);
        if (next == inc) shrink(op);
        inc = next;
        note_path(op, inc);
    }
    /* Whatever budget is left goes to telling the leaders apart. */
    while (rc == 0 && !err && op->spent < (uint64_t)op->budget) {
        uint64_t left = (uint64_t)op->budget - op->spent;
        size_t delta = (size_t)(left < (uint64_t)(4 * op->n0) ? left : (uint64_t)(4 * op->n0));
        uint64_t before = op->spent;
        rc = ocba_round(op, delta);
        if (op->spent == before) break;
        long next = incumbent(op);
        if (next != inc) {
            inc = next;
            note_path(op, inc);
        }
    }
    if (err) {
        tsim__x_say_diags(&d, s->file);
        rc = TSIM_EINVAL;
    }
    tsim_diags_release(&d);
    x.jobs_total = x.jobs_done;
    if (rc == 0 && !x.error) {
        size_t c[MAX_CONTENDERS];
        size_t k = contenders(op, c, MAX_CONTENDERS);
        /* The final comparison is among the contenders: points dropped early on a few
         * replications are not "indistinguishable", they were left behind by the search. */
        tsim__xrun_compare(&x, k ? c : NULL, k ? k : 0);
        if (k == 0) tsim__xrun_compare(&x, NULL, 0);
        note_path(op, x.best);
        if (tsim__xrun_traces(&x)) rc = 1;
    }
    int written = rc == 0 && !x.error;
    int code = tsim__xrun_end(&x, rc, json_extra, op, t0);
    if (written && o->out) print_path(op, o->out);
    tsim__xrun_release(&x);
    tsim__free(op);
    return code;
}
