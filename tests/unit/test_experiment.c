/*
 * Experiments and the optimizer: parsing and its diagnostics, binding errors caught before any
 * replication, determinism over thread counts, common random numbers, sequential stopping,
 * resume after an interruption, Latin hypercubes, and optimizers on queues whose optimum is
 * known in closed form. Models are built with the C API so these tests do not depend on the
 * YAML model loader.
 */
#include "check.h"

#include "run/experiment.h"
#include "twinsim.h"

#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* source --exp(ia)--> queue --> server (servers c, process) --> out */
struct mm {
    double ia;
    const char *process;
};

static struct tsim_model *make_mm(void *ctx, struct tsim_run_spec *run, struct tsim_diags *d)
{
    const struct mm *p = ctx;
    struct tsim_model *m = tsim_model_create("mm");
    int src = tsim_model_add_block(m, TSIM_SOURCE, "arrivals");
    int q = tsim_model_add_block(m, TSIM_BUFFER, "queue");
    int srv = tsim_model_add_block(m, TSIM_MACHINE, "server");
    int out = tsim_model_add_block(m, TSIM_SINK, "out");
    struct tsim_dist a, s;
    double ia = p->ia;
    tsim_dist_init(&a, TSIM_DIST_EXPONENTIAL, &ia, 1);
    tsim_source_set_interarrival(m, src, &a);
    char err[128];
    if (tsim_dist_parse(&s, p->process, NULL, NULL, err, sizeof err, NULL) != 0) {
        tsim_diags_add(d, TSIM_ERROR, 0, 0, "test model: %s", err);
        tsim_model_destroy(m);
        return NULL;
    }
    tsim_machine_set_process(m, srv, -1, &s);
    tsim_dist_release(&s);
    tsim_route_to(m, src, q);
    tsim_route_to(m, q, srv);
    tsim_route_to(m, srv, out);
    if (run) {
        run->horizon = 2000;
        run->warmup = 200;
        run->warmup_auto = 0;
        run->replications = 10;
        run->seed = 7;
    }
    return m;
}

static struct mm mm1 = {1.0, "exponential(0.5)"};

static int parse(struct tsim__xspec *s, const char *text, struct tsim_diags *d)
{
    tsim_diags_init(d);
    return tsim__xspec_parse(s, text, strlen(text), "t.yaml", d);
}

static int has_diag(const struct tsim_diags *d, int line, const char *msg)
{
    for (size_t i = 0; i < d->n; i++)
        if ((line == 0 || d->items[i].line == line) && !strcmp(d->items[i].message, msg)) return 1;
    for (size_t i = 0; i < d->n; i++)
        fprintf(stderr, "  diag %d:%d: %s\n", d->items[i].line, d->items[i].col, d->items[i].message);
    return 0;
}

/* The JSON without its one timing line (wall time, thread and rank counts). */
static char *json_without_timing(const char *path)
{
    char *s = read_all(path);
    if (!s) return NULL;
    char *t = strstr(s, "\n  \"timing\"");
    if (t) *t = 0;
    return s;
}

static char tmpdir[64];

static const char *tmp(const char *name)
{
    static char buf[4][256];
    static int k;
    char *b = buf[k++ % 4];
    snprintf(b, 256, "%s/%s", tmpdir, name);
    return b;
}

static int run_exp(const char *text, int threads, const char *json, const char *db, int resume,
                   struct mm *model)
{
    struct tsim__xspec s;
    struct tsim_diags d;
    if (parse(&s, text, &d) != 0) {
        tsim_diags_print(&d, "t.yaml", stderr);
        tsim_diags_release(&d);
        tsim__xspec_release(&s);
        return -1;
    }
    tsim_diags_release(&d);
    struct tsim__xopts o;
    memset(&o, 0, sizeof o);
    o.threads = threads;
    o.json = json;
    o.db = db;
    o.resume = resume;
    o.trace = db != NULL;
    o.make_model = make_mm;
    o.make_ctx = model;
    int rc = tsim__experiment_main(&s, &o);
    tsim__xspec_release(&s);
    return rc;
}

/* ---- parsing -------------------------------------------------------------------------- */

static void test_parse_full_spec(void)
{
    struct tsim__xspec s;
    struct tsim_diags d;
    const char *text = "model: line.yaml\n"
                       "factors:\n"
                       "  buf.capacity: [5, 10, 20]\n"
                       "  crew.count: {from: 1, to: 4}\n"
                       "  m.process: {from: 0.5, to: 0.9, format: \"exponential({})\"}\n"
                       "  m.setup: {from: 1, to: 2, step: 0.5}\n"
                       "design: lhs\n"
                       "n: 12\n"
                       "replications: {min: 10, max: 400, until: {system.throughput: 1%}}\n"
                       "common_random_numbers: false\n"
                       "objective: {maximize: 2 * system.throughput - 0.5 * crew.count, "
                       "subject_to: [\"buf.wait.mean <= 5min\"]}\n";
    CHECK(parse(&s, text, &d) == 0);
    CHECK(d.errors == 0);
    CHECK_STR(s.model_path, "./line.yaml");
    CHECK(s.nfactors == 4);
    CHECK(s.factors[0].kind == TSIM__FACTOR_LIST && s.factors[0].nvalues == 3);
    CHECK_STR(s.factors[0].values[2], "20");
    CHECK(s.factors[1].kind == TSIM__FACTOR_INT && s.factors[1].lo == 1 && s.factors[1].hi == 4);
    CHECK(s.factors[2].kind == TSIM__FACTOR_REAL && s.factors[2].step == 0);
    CHECK_STR(s.factors[2].format, "exponential({})");
    CHECK(s.factors[3].kind == TSIM__FACTOR_LIST && s.factors[3].nvalues == 3);
    CHECK_STR(s.factors[3].values[1], "1.5");
    CHECK(s.design == TSIM__DESIGN_LHS && s.lhs_n == 12);
    CHECK(s.rep_min == 10 && s.rep_max == 400);
    CHECK(s.nuntil == 1);
    CHECK_NEAR(s.until[0].rel, 0.01, 1e-15);
    CHECK(s.crn == 0);
    CHECK(s.has_objective && s.maximize);
    CHECK(s.objective.n == 2);
    CHECK_NEAR(s.objective.terms[1].coef, -0.5, 0);
    CHECK_STR(s.objective.terms[1].name, "crew.count");
    CHECK(s.ncons == 1 && s.cons[0].op == TSIM__LE);
    CHECK_STR(s.cons[0].lhs.text, "buf.wait.mean");
    CHECK_STR(s.cons[0].bound_text, "5min");
    tsim_diags_release(&d);
    tsim__xspec_release(&s);
}

static void test_parse_errors_have_places(void)
{
    struct tsim__xspec s;
    struct tsim_diags d;
    const char *text = "model: m.yaml\n"
                       "factors:\n"
                       "  a.capacity: {from: 20, to: 5}\n"
                       "  b.count: []\n"
                       "replications: {min: 10, max: 5}\n"
                       "objective: {maximize: system.throughput, subject_to: [\"x.wait 5\"]}\n"
                       "colour: blue\n";
    CHECK(parse(&s, text, &d) == TSIM_EPARSE);
    CHECK(has_diag(&d, 3, "factor 'a.capacity' has an empty range: 'from' 20 is above 'to' 5"));
    CHECK(has_diag(&d, 4, "factor 'b.count' has no values"));
    CHECK(has_diag(&d, 5, "'replications' max 5 is below min 10"));
    CHECK(has_diag(&d, 6, "bad constraint 'x.wait 5': expected 'KPI <= VALUE' or 'KPI >= VALUE'"));
    CHECK(has_diag(&d, 7, "unknown key 'colour' (expected 'model', 'factors', 'design', 'n', "
                          "'replications', 'common_random_numbers', 'objective', 'seed', "
                          "'horizon', 'warmup', 'optimize')"));
    tsim_diags_release(&d);
    tsim__xspec_release(&s);

    CHECK(parse(&s, "model: [unclosed\n", &d) == TSIM_EPARSE);
    CHECK(has_diag(&d, 2, "flow sequence without a closing bracket"));
    tsim_diags_release(&d);
    tsim__xspec_release(&s);
}

/* The diagnostics of experiment text `text` as tsim_diags_print writes them for file "x.yaml". */
static char *spec_diags(const char *text, size_t len)
{
    struct tsim__xspec s;
    struct tsim_diags d;
    tsim_diags_init(&d);
    tsim__xspec_parse(&s, text, len, "x.yaml", &d);
    char *out = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&out, &n);
    tsim_diags_print(&d, "x.yaml", f);
    fclose(f);
    tsim_diags_release(&d);
    tsim__xspec_release(&s);
    return out;
}

/* An experiment file gets the guards of a model file: the reader under both is one. */
static void test_spec_file_guards(void)
{
    static const struct {
        const char *text;
        const char *expect;
    } cases[] = {
        {"model: &m m.yaml\nfactors: {a.b: [1, 2]}\nseed: *m\n",
         "x.yaml:1:11: error: anchor '&m' is not allowed (experiment files take no anchors or "
         "aliases)\n"
         "x.yaml:3:8: error: alias '*m' is not allowed (experiment files take no anchors or "
         "aliases)\n"},
        {"model: m.yaml\nfactors: {a.b: [1, 2]}\n---\nmodel: n.yaml\n",
         "x.yaml:4:1: error: second YAML document (an experiment file holds exactly one)\n"},
        {"model: m.yaml\nfactors: {a.b: [1, 2]}\nseed: \xE9\n",
         "x.yaml:3:7: error: invalid UTF-8 byte 0xE9\n"},
        {"model: m.yaml\nfactors: {a.b: [1, 2]}\nreplicatons: 5\n",
         "x.yaml:3:1: error: unknown key 'replicatons' (did you mean 'replications'?)\n"},
        {"model: m.yaml\nfactors: {a.b: {fromm: 1, to: 4}}\n",
         "x.yaml:2:17: error: unknown key 'fromm' in factor 'a.b' (did you mean 'from'?)\n"},
        {"model: m.yaml\nfactors: {a.b: [1, 2]}\nseed: 0x10\n",
         "x.yaml:3:7: error: 'seed' must be a non-negative integer\n"},
        {"", "x.yaml: error: experiment file is empty\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = spec_diags(cases[i].text, strlen(cases[i].text));
        CHECK_STR(got, cases[i].expect);
        free(got);
    }
    /* One byte over the cap, refused before any parsing. */
    size_t big = TSIM__X_MAX_FILE + 1;
    char *text = malloc(big + 1);
    memset(text, '#', big);
    text[big] = '\0';
    char *got = spec_diags(text, big);
    char want[160];
    snprintf(want, sizeof want,
             "x.yaml: error: experiment file is too large (%zu bytes; the limit is %u)\n", big,
             TSIM__X_MAX_FILE);
    CHECK_STR(got, want);
    free(got);
    free(text);
    /* A file that is not a regular one is refused, not read. */
    struct tsim__xspec s;
    struct tsim_diags d;
    tsim_diags_init(&d);
    CHECK(tsim__xspec_load(&s, "/dev/zero", &d) == TSIM_EIO);
    CHECK(d.n == 1 && strstr(d.items[0].message, "not a regular file") != NULL);
    tsim_diags_release(&d);
    tsim__xspec_release(&s);
}

/* Names and impossible constraints are caught when binding, before any replication runs. */
static int bind_errors(const char *text, const char *expect)
{
    struct tsim__xspec s;
    struct tsim_diags d;
    if (parse(&s, text, &d) != 0) {
        tsim_diags_print(&d, "t.yaml", stderr);
        return 0;
    }
    struct tsim__xopts o;
    memset(&o, 0, sizeof o);
    o.make_model = make_mm;
    o.make_ctx = &mm1;
    o.threads = 1;
    struct tsim__xrun x;
    int rc = tsim__xrun_init(&x, &s, &o, &d);
    int ok = rc != 0 && has_diag(&d, 0, expect) && x.nscen == 0 && x.jobs_done == 0;
    tsim__xrun_release(&x);
    tsim_diags_release(&d);
    tsim__xspec_release(&s);
    return ok;
}

static void test_bind_errors(void)
{
    CHECK(bind_errors("model: m\nfactors: {servr.servers: [1, 2]}\n",
                      "unknown factor 'servr.servers': unknown block or operators pool 'servr' (did you "
                      "mean 'server'?)"));
    CHECK(bind_errors("model: m\nfactors: {server.servers: [1, 0]}\n",
                      "bad value '0' for factor 'server.servers': 'servers' must be at least 1, got '0'"));
    CHECK(bind_errors("model: m\nfactors: {server.servers: [1, 2]}\n"
                      "objective: {maximize: system.throughpt}\n",
                      "unknown KPI 'system.throughpt' (did you mean 'system.throughput'?)"));
    CHECK(bind_errors("model: m\nfactors: {server.servers: [1, 2]}\n"
                      "objective: {maximize: system.throughput, "
                      "subject_to: [\"server.utilization >= 1.5\"]}\n",
                      "constraint 'server.utilization >= 1.5' cannot be met: "
                      "'server.utilization' is never above 1"));
    CHECK(bind_errors("model: m\nfactors: {server.servers: [1, 2]}\n"
                      "objective: {maximize: system.throughput, subject_to: "
                      "[\"queue.wait <= 2\", \"queue.wait >= 3\"]}\n",
                      "constraints cannot all be met: 'queue.wait' must be <= 2 and >= 3"));
    CHECK(bind_errors("model: m\nfactors: {server.process: [exponential(0.5), 0.4]}\n"
                      "objective: {minimize: queue.wait + server.process}\n",
                      "factor 'server.process' is used as a number but has the value "
                      "'exponential(0.5)'"));
}

/* ---- running ---------------------------------------------------------------------------- */

static const char *two_servers =
    "model: m\n"
    "factors: {server.servers: [1, 2]}\n"
    "replications: 12\n"
    "objective: {minimize: queue.wait}\n";

static void test_threads_do_not_change_results(void)
{
    CHECK(run_exp(two_servers, 1, tmp("t1.json"), NULL, 0, &mm1) == 0);
    CHECK(run_exp(two_servers, 2, tmp("t2.json"), NULL, 0, &mm1) == 0);
    CHECK(run_exp(two_servers, 5, tmp("t5.json"), NULL, 0, &mm1) == 0);
    char *a = json_without_timing(tmp("t1.json")), *b = json_without_timing(tmp("t2.json")),
         *c = json_without_timing(tmp("t5.json"));
    CHECK(a && b && c);
    CHECK(a && b && !strcmp(a, b));
    CHECK(a && c && !strcmp(a, c));
    CHECK(a && strstr(a, "\"best\": 1"));
    free(a);
    free(b);
    free(c);
}

static void test_mm1_matches_theory(void)
{
    /* M/M/1 with rho = 0.5: Wq = rho / (mu - lambda) = 0.5, utilization 0.5. Warm-up deletion
     * and a long horizon keep the bias well inside the interval. */
    struct tsim__xspec s;
    struct tsim_diags d;
    CHECK(parse(&s, "model: m\nfactors: {server.servers: [1]}\nreplications: 30\n"
                    "objective: {minimize: queue.wait}\n", &d) == 0);
    struct tsim__xopts o;
    memset(&o, 0, sizeof o);
    o.make_model = make_mm;
    o.make_ctx = &mm1;
    o.threads = 2;
    struct tsim__xrun x;
    CHECK(tsim__xrun_init(&x, &s, &o, &d) == 0);
    char *vals[1] = {"1"};
    CHECK(tsim__xrun_add_scenario(&x, vals, &d) == 0);
    size_t all[1] = {0};
    CHECK(tsim__xrun_until_done(&x, all, 1) == 0);
    CHECK(x.scen[0].n == 30);
    struct tsim_summary sm;
    tsim__xrun_objective(&x, 0, &sm);
    CHECK(sm.half_width > 0 && sm.half_width < 0.1);
    CHECK_NEAR(sm.mean, 0.5, 3 * sm.half_width);
    tsim__xrun_release(&x);
    tsim_diags_release(&d);
    tsim__xspec_release(&s);
}

/* A format makes a range vary a distribution's parameter: the same service mean 0.5 is an
 * M/M/1 queue (Wq = 0.5) with "exponential({})" and an M/D/1 queue (Wq = 0.25) without. */
static void test_factor_format(void)
{
    double wq[2];
    const char *texts[2] = {
        "model: m\nfactors: {server.process: {from: 0.5, to: 0.5, format: \"exponential({})\"}}\n"
        "design: {lhs: 1}\nreplications: 20\nobjective: {minimize: queue.wait}\n",
        "model: m\nfactors: {server.process: {from: 0.5, to: 0.5}}\n"
        "design: {lhs: 1}\nreplications: 20\nobjective: {minimize: queue.wait}\n"};
    for (int k = 0; k < 2; k++) {
        struct tsim__xspec s;
        struct tsim_diags d;
        CHECK(parse(&s, texts[k], &d) == 0);
        struct tsim__xopts o;
        memset(&o, 0, sizeof o);
        o.make_model = make_mm;
        o.make_ctx = &mm1;
        o.threads = 2;
        struct tsim__xrun x;
        CHECK(tsim__xrun_init(&x, &s, &o, &d) == 0);
        CHECK(tsim__x_lhs(&x, 1, 0, &d) == 0);
        size_t all[1] = {0};
        CHECK(x.nscen == 1 && tsim__xrun_until_done(&x, all, 1) == 0);
        struct tsim_summary sm;
        tsim__xrun_objective(&x, 0, &sm);
        CHECK(sm.half_width > 0);
        CHECK_NEAR(sm.mean, k == 0 ? 0.5 : 0.25, 3 * sm.half_width);
        wq[k] = sm.mean;
        tsim__xrun_release(&x);
        tsim_diags_release(&d);
        tsim__xspec_release(&s);
    }
    CHECK(wq[0] > 1.5 * wq[1]);
}

static void test_crn_pairs_replications(void)
{
    /* Two identical scenarios: with common random numbers every replication is the same, so
     * their fingerprints agree and they cannot be told apart; without, the streams differ. */
    const char *crn = "model: m\nfactors: {server.servers: [1, 1]}\nreplications: 5\n"
                      "objective: {minimize: queue.wait}\n";
    const char *nocrn = "model: m\nfactors: {server.servers: [1, 1]}\nreplications: 5\n"
                        "common_random_numbers: false\nobjective: {minimize: queue.wait}\n";
    CHECK(run_exp(crn, 2, tmp("crn.json"), NULL, 0, &mm1) == 0);
    CHECK(run_exp(nocrn, 2, tmp("nocrn.json"), NULL, 0, &mm1) == 0);
    char *a = read_all(tmp("crn.json")), *b = read_all(tmp("nocrn.json"));
    CHECK(a && b);
    if (a && b) {
        char *f1 = strstr(a, "\"fingerprint\""), *f2 = f1 ? strstr(f1 + 1, "\"fingerprint\"") : NULL;
        CHECK(f1 && f2 && !strncmp(f1, f2, 36));
        char *g1 = strstr(b, "\"fingerprint\""), *g2 = g1 ? strstr(g1 + 1, "\"fingerprint\"") : NULL;
        CHECK(g1 && g2 && strncmp(g1, g2, 36) != 0);
        CHECK(strstr(a, "\"indistinguishable\": [1]") != NULL);
    }
    free(a);
    free(b);
}

static void test_sequential_stopping(void)
{
    /* Replications are added until the relative half-width of the throughput is at most 2%,
     * or 200 are reached; the count depends only on the results. */
    struct tsim__xspec s;
    struct tsim_diags d;
    CHECK(parse(&s, "model: m\nfactors: {server.servers: [1, 2]}\n"
                    "replications: {min: 5, max: 200, until: {system.throughput: 2%}}\n", &d) == 0);
    struct tsim__xopts o;
    memset(&o, 0, sizeof o);
    o.make_model = make_mm;
    o.make_ctx = &mm1;
    o.threads = 2;
    struct tsim__xrun x;
    CHECK(tsim__xrun_init(&x, &s, &o, &d) == 0);
    char *v1[1] = {"1"}, *v2[1] = {"2"};
    tsim__xrun_add_scenario(&x, v1, &d);
    tsim__xrun_add_scenario(&x, v2, &d);
    size_t all[2] = {0, 1};
    CHECK(tsim__xrun_until_done(&x, all, 2) == 0);
    for (int k = 0; k < 2; k++) {
        struct tsim_summary sm;
        size_t ti = 0;
        for (size_t i = 0; i < x.nkpi; i++)
            if (!strcmp(x.kpi_names[i], "system.throughput")) ti = i;
        const struct tsim_tally *t = &x.scen[k].kt[ti];
        sm.mean = t->mean;
        sm.half_width = tsim_t_quantile(0.975, (double)(t->n - 1)) *
                        sqrt(tsim_tally_variance(t) / (double)t->n);
        CHECK(x.scen[k].n > 5);
        CHECK(x.scen[k].n == 200 || sm.half_width / sm.mean <= 0.02);
    }
    tsim__xrun_release(&x);
    tsim_diags_release(&d);
    tsim__xspec_release(&s);
}

static void on_int(int sig)
{
    (void)sig;
    tsim__x_stop = 1;
}

static void test_resume_gives_the_same_result(void)
{
    const char *text = "model: m\nfactors: {server.servers: [1, 2, 3]}\n"
                       "replications: {min: 4, max: 40, until: {queue.wait: 5%}}\n"
                       "objective: {minimize: queue.wait}\n";
    CHECK(run_exp(text, 2, tmp("whole.json"), tmp("whole.db"), 0, &mm1) == 0);
    /* Stop after 7 finished jobs through the real signal path, then resume. */
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_int;
    sigaction(SIGINT, &sa, &old);
    setenv("TSIM_EXP_STOP_AFTER", "7", 1);
    tsim__x_stop = 0;
    int rc = run_exp(text, 2, tmp("part.json"), tmp("part.db"), 0, &mm1);
    unsetenv("TSIM_EXP_STOP_AFTER");
    CHECK(rc == 130);
    tsim__x_stop = 0;
    sigaction(SIGINT, &old, NULL);
    CHECK(access(tmp("part.json"), F_OK) != 0);
    CHECK(run_exp(text, 3, tmp("part.json"), tmp("part.db"), 1, &mm1) == 0);
    char *a = json_without_timing(tmp("whole.json")), *b = json_without_timing(tmp("part.json"));
    CHECK(a && b && !strcmp(a, b));
    free(a);
    free(b);
}

static void test_lhs_covers_every_stratum(void)
{
    struct tsim__xspec s;
    struct tsim_diags d;
    CHECK(parse(&s, "model: m\nfactors: {server.process: {from: 0.2, to: 0.6}}\n"
                    "design: {lhs: 8}\nreplications: 2\n", &d) == 0);
    struct tsim__xopts o;
    memset(&o, 0, sizeof o);
    o.make_model = make_mm;
    o.make_ctx = &mm1;
    struct tsim__xrun x;
    CHECK(tsim__xrun_init(&x, &s, &o, &d) == 0);
    CHECK(tsim__x_lhs(&x, 8, 0, &d) == 0);
    CHECK(x.nscen == 8);
    int seen[8] = {0};
    for (size_t i = 0; i < x.nscen; i++) {
        double v = atof(x.scen[i].values[0]);
        int k = (int)((v - 0.2) / 0.05);
        CHECK(k >= 0 && k < 8);
        if (k >= 0 && k < 8) seen[k]++;
    }
    for (int k = 0; k < 8; k++) CHECK(seen[k] == 1);
    tsim__xrun_release(&x);
    tsim_diags_release(&d);
    tsim__xspec_release(&s);
}

static int optimize_best(const char *text, struct mm *model, const char *json, char *best,
                         size_t n)
{
    struct tsim__xspec s;
    struct tsim_diags d;
    if (parse(&s, text, &d) != 0) {
        tsim_diags_print(&d, "t.yaml", stderr);
        return -1;
    }
    tsim_diags_release(&d);
    struct tsim__xopts o;
    memset(&o, 0, sizeof o);
    o.make_model = make_mm;
    o.make_ctx = model;
    o.threads = 2;
    o.json = json;
    int rc = tsim__optimize_main(&s, &o);
    tsim__xspec_release(&s);
    char *j = read_all(json);
    best[0] = 0;
    if (j) {
        /* "best": K, then the K-th scenario's factor value */
        char *b = strstr(j, "\n  \"best\": ");
        long k = b ? atol(b + 11) : -1;
        char key[48];
        snprintf(key, sizeof key, "\"id\": %ld,", k);
        char *sc = strstr(j, key);
        char *f = sc ? strstr(sc, "\"factors\": {") : NULL;
        char *v = f ? strchr(f + 12, ':') : NULL;
        if (v && v[2] == '"') {
            size_t i = 0;
            for (v += 3; *v && *v != '"' && i + 1 < n; v++) best[i++] = *v;
            best[i] = 0;
        }
        free(j);
    }
    return rc;
}

static void test_optimize_mmc_servers(void)
{
    /* M/M/c with lambda = 4, mu = 1: cost = c + L (L the mean number in system). Erlang C gives
     * 11.22, 10.57, 11.18, 12.06 for c = 5..8: the optimum is c = 6. */
    struct mm m = {0.25, "exponential(1)"};
    char best[64];
    const char *text = "model: m\nfactors: {server.servers: {from: 3, to: 15}}\n"
                       "replications: 6\nhorizon: 1500\nwarmup: 150\n"
                       "optimize: {budget: 400}\n"
                       "objective: {minimize: server.servers + system.wip}\n";
    CHECK(optimize_best(text, &m, tmp("mmc.json"), best, sizeof best) == 0);
    CHECK_STR(best, "6");
    /* The same search with another thread count takes the same path. */
    char *a = json_without_timing(tmp("mmc.json"));
    struct tsim__xspec s;
    struct tsim_diags d;
    parse(&s, text, &d);
    tsim_diags_release(&d);
    struct tsim__xopts o;
    memset(&o, 0, sizeof o);
    o.make_model = make_mm;
    o.make_ctx = &m;
    o.threads = 1;
    o.json = tmp("mmc1.json");
    CHECK(tsim__optimize_main(&s, &o) == 0);
    tsim__xspec_release(&s);
    char *b = json_without_timing(tmp("mmc1.json"));
    CHECK(a && b && !strcmp(a, b));
    free(a);
    free(b);
}

static void test_optimize_continuous_md1(void)
{
    /* M/D/1 with lambda = 1 and service time d: Wq = d^2 / (2 (1 - d)). Minimising
     * Wq - 2 d gives d (2 - d) / (2 (1 - d)^2) = 2, so d* = 0.5528. */
    struct mm m = {1.0, "0.5"};
    char best[64];
    const char *text = "model: m\nfactors: {server.process: {from: 0.1, to: 0.9}}\n"
                       "replications: 8\nhorizon: 4000\nwarmup: 200\n"
                       "optimize: {budget: 600}\n"
                       "objective: {minimize: queue.wait - 2 * server.process}\n";
    CHECK(optimize_best(text, &m, tmp("md1.json"), best, sizeof best) == 0);
    double dstar = atof(best);
    CHECK_NEAR(dstar, 0.5528, 0.1);
}

static int pool_hits[1000];
static size_t pool_done_count;

static void pool_fn(void *ctx, int w, size_t i)
{
    (void)ctx;
    (void)w;
    __atomic_add_fetch(&pool_hits[i], 1, __ATOMIC_RELAXED);
}

static void pool_done(void *ctx, size_t i)
{
    (void)ctx;
    (void)i;
    pool_done_count++;
}

static void test_pool_runs_each_job_once(void)
{
    int threads[] = {1, 3, 8};
    for (int t = 0; t < 3; t++) {
        memset(pool_hits, 0, sizeof pool_hits);
        pool_done_count = 0;
        CHECK(tsim__pool_run(threads[t], 1000, pool_fn, pool_done, NULL, NULL, NULL) == 1000);
        CHECK(pool_done_count == 1000);
        int once = 1;
        for (int i = 0; i < 1000; i++) once &= pool_hits[i] == 1;
        CHECK(once);
    }
    /* A stop request already set: no job starts. */
    atomic_int stop = 1;
    pool_done_count = 0;
    CHECK(tsim__pool_run(3, 1000, pool_fn, pool_done, NULL, NULL, &stop) == 0);
    CHECK(pool_done_count == 0);
}

/* ---- messages ------------------------------------------------------------------------- */

struct heard {
    char text[4096];
    int calls;
};

static void hear(void *ctx, const char *text)
{
    struct heard *h = ctx;
    h->calls++;
    strncat(h->text, text, sizeof h->text - strlen(h->text) - 1);
}

/* The library writes nothing to stderr: a note (nothing to resume) and an error (a database that
 * cannot be made) reach the message receiver, and without one they are dropped. */
static void test_messages_go_to_the_receiver(void)
{
    const char *text = "model: m\nfactors: {server.servers: [1, 2]}\nreplications: 2\n"
                       "objective: {minimize: queue.wait}\n";
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    int fd = open(tmp("stderr.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK(saved >= 0 && fd >= 0);
    dup2(fd, STDERR_FILENO);
    struct heard h = {{0}, 0};
    tsim_set_message_fn(hear, &h);
    int resumed = run_exp(text, 1, NULL, tmp("fresh.db"), 1, &mm1);
    int bad_db = run_exp(text, 1, NULL, "/nonexistent-dir/x.db", 0, &mm1);
    tsim_set_message_fn(NULL, NULL);
    int quiet = run_exp(text, 1, NULL, "/nonexistent-dir/x.db", 0, &mm1);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    close(fd);
    CHECK_EQ(resumed, 0);
    CHECK_EQ(bad_db, 1);
    CHECK_EQ(quiet, 1);
    char *err = read_all(tmp("stderr.txt"));
    CHECK_STR(err, "");
    free(err);
    CHECK(strstr(h.text, "twinsim experiment: nothing to resume in '") != NULL);
    CHECK(strstr(h.text, "twinsim experiment: ") != NULL &&
          strstr(h.text, "/nonexistent-dir/x.db") != NULL);
    CHECK(h.calls >= 2);
}

int main(void)
{
    alarm(600); /* a hang fails the test instead of stalling the run */
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tsim-exp-XXXXXX");
    if (!mkdtemp(tmpdir)) return 1;
    RUN(test_parse_full_spec);
    RUN(test_parse_errors_have_places);
    RUN(test_spec_file_guards);
    RUN(test_bind_errors);
    RUN(test_threads_do_not_change_results);
    RUN(test_mm1_matches_theory);
    RUN(test_factor_format);
    RUN(test_crn_pairs_replications);
    RUN(test_sequential_stopping);
    RUN(test_resume_gives_the_same_result);
    RUN(test_lhs_covers_every_stratum);
    RUN(test_optimize_mmc_servers);
    RUN(test_optimize_continuous_md1);
    RUN(test_pool_runs_each_job_once);
    RUN(test_messages_go_to_the_receiver);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    return CHECK_DONE();
}
