/*
 * Replications and interval checks shared by the statistical tests (test_validation.c,
 * test_station.c): a file defines LEVEL (its Bonferroni-corrected confidence level), MAX_REPS,
 * SEED and `verbose` before including this. See test_validation.c's opening comment for the
 * shape of every check: |mean over replications - theory| <= half-width + bias allowance.
 */
#ifndef TSIM_TEST_REPS_H
#define TSIM_TEST_REPS_H

#include "check.h"
#include "twinsim.h"

#include <stdint.h>
#include <stdlib.h>

/* ---------------------------------------------------------------------------------------------
 * Helpers: distributions, model building, replications, interval checks
 * ------------------------------------------------------------------------------------------- */

static inline struct tsim_dist dist(enum tsim_dist_kind kind, int n, double a, double b)
{
    struct tsim_dist d;
    const double p[2] = {a, b};
    CHECK(tsim_dist_init(&d, kind, p, n) == 0);
    return d;
}

static inline struct tsim_dist expo(double mean) { return dist(TSIM_DIST_EXPONENTIAL, 1, mean, 0); }
static inline struct tsim_dist constant(double v) { return dist(TSIM_DIST_CONSTANT, 1, v, 0); }

static inline int add_block(struct tsim_model *m, enum tsim_block_type type, const char *name)
{
    int b = tsim_model_add_block(m, type, name);
    CHECK(b >= 0);
    return b;
}

static inline int add_source(struct tsim_model *m, const char *name, struct tsim_dist ia)
{
    int b = add_block(m, TSIM_SOURCE, name);
    CHECK(tsim_source_set_interarrival(m, b, &ia) == 0);
    return b;
}

/* A station as a queueing node: a buffer `name`_q (unlimited FIFO unless changed) in front of a
 * machine `name` with `servers` servers. Returns the machine; the buffer is machine - 1. */
static inline int add_station(struct tsim_model *m, const char *name, int servers,
                              struct tsim_dist svc)
{
    char qname[64];
    snprintf(qname, sizeof qname, "%s_q", name);
    int q = add_block(m, TSIM_BUFFER, qname);
    int mc = add_block(m, TSIM_MACHINE, name);
    CHECK(tsim_machine_set_servers(m, mc, servers) == 0);
    CHECK(tsim_machine_set_process(m, mc, -1, &svc) == 0);
    CHECK(tsim_route_to(m, q, mc) == 0);
    return mc;
}

struct reps {
    int n;
    struct tsim_result r[MAX_REPS];
};

/* Run replications 0..n-1 of `m` through one sim (tsim_sim_reset between them, as a long
 * experiment would), each with a warm-up and up to `horizon` (0: until no event is left). */
static inline void run_reps(struct reps *x, const struct tsim_model *m, int n, double warmup,
                     double horizon)
{
    x->n = 0;
    struct tsim_sim *sim = tsim_sim_create(m, SEED, 0);
    CHECK(sim != NULL);
    if (!sim) {
        fprintf(stderr, "  %s\n", tsim_errmsg());
        return;
    }
    for (int i = 0; i < n && i < MAX_REPS; i++) {
        if (i > 0) tsim_sim_reset(sim, SEED, (uint64_t)i);
        if (warmup > 0) CHECK(tsim_sim_set_warmup(sim, warmup) == 0);
        if (horizon > 0) tsim_sim_run_until(sim, horizon);
        else tsim_sim_run(sim);
        tsim_result_init(&x->r[i]);
        tsim_sim_result(sim, &x->r[i]);
        x->n++;
    }
    tsim_sim_destroy(sim);
}

static inline void reps_release(struct reps *x)
{
    for (int i = 0; i < x->n; i++) tsim_result_release(&x->r[i]);
    x->n = 0;
}

static inline double kpi(const struct tsim_result *r, int block, const char *name)
{
    const struct tsim_kpi *k = tsim_result_find(r, block, name);
    if (!k) {
        fprintf(stderr, "  no KPI %d '%s'\n", block, name);
        check_failed_ = 1;
        return NAN;
    }
    return k->value;
}

/* KPI (block, name) of every replication into `out`. */
static inline void values(const struct reps *x, int block, const char *name, double *out)
{
    for (int i = 0; i < x->n; i++) out[i] = kpi(&x->r[i], block, name);
}

/* The interval check described at the top of the file. */
static inline void check_ci_at(const char *what, const double *x, int n, double theory, double bias,
                        const char *file, int line)
{
    struct tsim_summary s;
    tsim_summary_of(&s, x, (size_t)n, LEVEL);
    double tol = s.half_width + bias;
    int ok = fabs(s.mean - theory) <= tol; /* false for NaN */
    if (!ok || verbose)
        fprintf(ok ? stdout : stderr,
                "  %s%s:%d: %s = %.6g +- %.3g (%.4g%%, %d reps), theory %.6g, bias allowance "
                "%.3g, |diff| %.3g\n",
                ok ? "" : "check failed: ", file, line, what, s.mean, s.half_width, 100 * LEVEL, n, theory,
                bias, fabs(s.mean - theory));
    if (!ok) check_failed_ = 1;
}
#define CHECK_CI(what, x, n, theory, bias) check_ci_at(what, x, n, theory, bias, __FILE__, __LINE__)

/* The same for one KPI over the replications. */
static inline void check_kpi_at(const struct reps *x, int block, const char *name, double theory,
                         double bias, const char *file, int line)
{
    double v[MAX_REPS];
    char what[96];
    values(x, block, name, v);
    snprintf(what, sizeof what, "%s[%d]", name, block);
    check_ci_at(what, v, x->n, theory, bias, file, line);
}
#define CHECK_KPI(x, block, name, theory, bias) \
    check_kpi_at(x, block, name, theory, bias, __FILE__, __LINE__)

/*
 * Bias allowance for a steady-state figure `value` estimated over a window of length `t` after
 * a warm-up `w`, starting empty, in a system with `l` entities on average and throughput
 * `lambda`:
 * - the initial transient decays like exp(-t/tau), tau being the relaxation time (for M/M/1,
 *   tau = 1 / (mu (1 - sqrt(rho))^2), Morse 1955; the models here use the slowest node's M/M/1
 *   tau, which bounds less variable service and more servers at the same load), so after the
 *   warm-up at most |value| exp(-w / tau) is left;
 * - a per-entity mean over the window leaves out the ~l entities still inside at its end and
 *   takes in those inside at its start: at most a share 2 l / (lambda t) of the observations,
 *   each off by O(value), hence 2 l / (lambda t) |value|.
 * Both are O(1e-4) relative or less for the sizes below: the interval dominates everywhere.
 */
static inline double bias_allowance(double value, double w, double tau, double l, double lambda,
                                    double t)
{
    return fabs(value) * (exp(-w / tau) + 2.0 * l / (lambda * t));
}

static inline double mm1_tau(double rho, double mu)
{
    double s = 1.0 - sqrt(rho);
    return 1.0 / (mu * s * s);
}

/*
 * Little's law on one replication set: for each replication d = L - throughput * W over the same
 * statistics window. In a stationary system the expected total age of the entities inside at the
 * window's end equals that of those inside at its start, so E[d] = 0 up to the transient left
 * after the warm-up; the interval over replications is then the whole tolerance, plus the
 * transient term of bias_allowance applied to L.
 */
static inline void check_little_at(const struct reps *x, int block, const char *lname,
                            const char *wname, double bias, const char *file, int line)
{
    double d[MAX_REPS];
    for (int i = 0; i < x->n; i++)
        d[i] = kpi(&x->r[i], block, lname) -
               kpi(&x->r[i], block, "throughput") * kpi(&x->r[i], block, wname);
    char what[96];
    snprintf(what, sizeof what, "little(%s - throughput * %s)[%d]", lname, wname, block);
    check_ci_at(what, d, x->n, 0.0, bias, file, line);
}
#define CHECK_LITTLE(x, block, lname, wname, bias) \
    check_little_at(x, block, lname, wname, bias, __FILE__, __LINE__)

/* The single-command cycle of a crane (or a server walking as one) over an n x n rack normalised to
 * 1 x 1 at unit speeds, I/O at a corner, every slot equally likely: handling + 2 max(x, y) at the
 * slot's centre. Its first two moments into *es and *es2 (for Pollaczek-Khinchine). */
static inline void rack_cycle_moments(int n, double handling, double *es, double *es2)
{
    *es = *es2 = 0;
    for (int a = 0; a < n * n; a++) {
        double x = ((a % n) + 0.5) / n, y = ((a / n) + 0.5) / n;
        double s = handling + 2 * (x > y ? x : y);
        *es += s;
        *es2 += s * s;
    }
    *es /= n * n;
    *es2 /= n * n;
}

#endif
