/*
 * The index of a buffer's queue (src/blocks/qtree.c, buffer.c): a sequencing rule whose key
 * stays as it is while an entity waits (LIFO, SPT, LPT, EDD, MWKR, LWKR, MOPNR, a weighted rule
 * without slack or wait) and an ordered discipline (priority, spt, edd) find their entity in
 * O(log n) where the rule's scan and the discipline's walk of the list took O(n). They must
 * choose exactly as the scan and the walk do. The reference is the same library with
 * tsim__buffer_no_index set, which makes buffers scan and walk as before.
 *
 * - Random models (rules, disciplines, loads, capacities, one or two destinations, entities
 *   with and without due dates, ties by product, keys that are NaN), each run both ways with an
 *   observer: every event (each entity's entry to and departure from every block, in order,
 *   at its time) must be the same, then the fingerprint, the event count and every KPI; run
 *   again without an observer (arrivals then take the buffer's short path, which the index
 *   learns of later), the same. Entities injected into and removed from the queue mid-run too.
 * - Bursts at an ordered discipline: its index built at 32 entities and dropped when empty.
 * - Routing sheets: MWKR, LWKR and MOPNR read the sheet's remaining work and operations.
 * - A clone taken with thousands of entities in the index continues as the original does.
 */
#include "check.h"
#include "model_text.h"
#include "twinsim.h"

#include "blocks/station.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct tsim_model *load(const char *yaml)
{
    char diag[2000];
    struct tsim_model *m = model_from_text(yaml, "index.yaml", diag, sizeof diag);
    if (!m) {
        fprintf(stderr, "%s\n%s", diag, yaml);
        check_failed_ = 1;
    }
    return m;
}

/* The test's own generator of model choices (fixed seed: the same models every run). */
static uint64_t pick_state = UINT64_C(20261205);
static unsigned pick(unsigned n)
{
    pick_state = pick_state * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return (unsigned)((pick_state >> 33) % n);
}

/* Every observation of a run, in order. */
struct trace {
    struct tsim_obs *o;
    size_t n, cap;
};

static void record(void *ctx, const struct tsim_obs *o)
{
    struct trace *t = ctx;
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 4096;
        t->o = realloc(t->o, t->cap * sizeof *t->o);
        if (!t->o) abort();
    }
    t->o[t->n++] = *o;
}

/* Live corrections at time `at` (0: none): entities injected into block `block` with due
 * dates and without, then the newest removed. */
struct edits {
    double at;
    int block;
};

static void apply_edits(struct tsim_sim *sim, const struct edits *ed)
{
    for (int k = 0; k < 6; k++) {
        /* a full buffer refuses the order */
        int64_t id = tsim_block_inject_order(sim, ed->block, k % 2, k % 3 ? 100.0 + 7 * k : -1);
        CHECK(id > 0 || id == TSIM_ESTATE);
    }
    CHECK(tsim_block_remove(sim, ed->block, 4) > 0);
}

/* Run `m` with seed `seed` to `horizon`, indexed or not, observed into `t` (NULL: not). */
static void run_one(const struct tsim_model *m, uint64_t seed, double horizon, int indexed,
                    const struct edits *ed, struct trace *t, struct tsim_result *r)
{
    tsim__buffer_no_index = !indexed;
    struct tsim_sim *sim = tsim_sim_create(m, seed, 0);
    tsim__buffer_no_index = 0;
    CHECK(sim != NULL);
    if (!sim) return;
    if (t) tsim_sim_set_observer(sim, record, t);
    if (ed && ed->at > 0) {
        tsim_sim_run_until(sim, ed->at);
        apply_edits(sim, ed);
    }
    tsim_sim_run_until(sim, horizon);
    tsim_result_init(r);
    tsim_sim_result(sim, r);
    tsim_sim_destroy(sim);
}

/* The first difference of two traces, printed; 1 when they are the same. */
static int same_trace(const struct trace *a, const struct trace *b)
{
    size_t n = a->n < b->n ? a->n : b->n;
    for (size_t i = 0; i < n; i++) {
        const struct tsim_obs *x = &a->o[i], *y = &b->o[i];
        if (x->kind != y->kind || x->t != y->t || x->block != y->block ||
            x->entity != y->entity || x->content != y->content || x->product != y->product ||
            x->server != y->server || x->state != y->state) {
            fprintf(stderr,
                    "  observation %zu: scan kind %d t %.17g block %d entity %llu, index kind %d "
                    "t %.17g block %d entity %llu\n",
                    i, (int)x->kind, x->t, x->block, (unsigned long long)x->entity, (int)y->kind,
                    y->t, y->block, (unsigned long long)y->entity);
            return 0;
        }
    }
    if (a->n != b->n)
        fprintf(stderr, "  %zu observations by the scan, %zu by the index\n", a->n, b->n);
    return a->n == b->n;
}

/* `yaml` run by the scan and by the index for seeds 1..`seeds`: observed and not, the same. */
static void same_both_ways(const char *yaml, double horizon, int seeds, const char *queue,
                           double edit_at)
{
    struct tsim_model *m = load(yaml);
    if (!m) return;
    struct edits ed = {edit_at, tsim_model_find_block(m, queue)};
    CHECK(ed.block >= 0);
    for (uint64_t seed = 1; seed <= (uint64_t)seeds; seed++) {
        struct trace t[2] = {{0}};
        struct tsim_result r[4];
        run_one(m, seed, horizon, 0, &ed, &t[0], &r[0]);
        run_one(m, seed, horizon, 1, &ed, &t[1], &r[1]);
        run_one(m, seed, horizon, 0, &ed, NULL, &r[2]);
        run_one(m, seed, horizon, 1, &ed, NULL, &r[3]);
        int left = 0;
        for (size_t i = 0; i < t[0].n; i++)
            left += t[0].o[i].kind == TSIM_OBS_LEAVE && t[0].o[i].block == ed.block;
        CHECK(left > 200); /* the buffer chose many times */
        if (!same_trace(&t[0], &t[1])) {
            fprintf(stderr, "  seed %llu of:\n%s", (unsigned long long)seed, yaml);
            check_failed_ = 1;
        }
        CHECK(same_results(&r[0], &r[1]));
        CHECK(same_results(&r[2], &r[3]));
        CHECK(r[0].fingerprint != 0);
        for (int k = 0; k < 4; k++) tsim_result_release(&r[k]);
        free(t[0].o);
        free(t[1].o);
    }
    tsim_model_destroy(m);
}

static const char *const rules[] = {
    "rule: LIFO", "rule: SPT", "rule: LPT", "rule: EDD", "rule: MWKR", "rule: LWKR",
    "rule: MOPNR", "rule: weighted(proc=1, due=0.01)", "rule: weighted(ops=-1, work=2, proc=0)",
    /* 2 x DBL_MAX (no due date) is inf, and inf - inf a NaN: those keys are NaNs */
    "rule: weighted(due=2, work=-1e308)",
    "discipline: priority", "discipline: spt", "discipline: edd",
    /* the scan's own cases, which the index leaves alone: run both ways all the same */
    "rule: SLACK", "rule: CR", "rule: RANDOM",
};
#define NRULES (sizeof rules / sizeof rules[0])

/* A cell fed by one buffer from two sources, one with due dates and one without; the rule, the
 * load, the buffer's capacity, the servers and the way out drawn at random. Products a and c
 * take the same mean time (ties under SPT). */
static void test_random_models(void)
{
    static const char *const tos[] = {"cell", "{rule: first_free, among: [cell, cell_2]}",
                                      "{rule: round_robin, among: [cell, cell_2]}"};
    for (int k = 0; k < 48; k++) {
        unsigned rule = k < (int)NRULES ? (unsigned)k : pick(NRULES);
        unsigned to = pick(3), servers = 1 + pick(2), cap = pick(3);
        double load = 0.8 + 0.1 * pick(5); /* 0.8 to 1.2 */
        double per = (to ? 2.0 : 1.0) * servers; /* servers in all */
        char yaml[2048];
        snprintf(yaml, sizeof yaml,
                 "name: index\n"
                 "time_unit: min\n"
                 "products: [a, b, c, d]\n"
                 "blocks:\n"
                 "  - source: orders\n"
                 "    interarrival: exponential(%.6g)\n"
                 "    product: {a: 0.4, b: 0.3, c: 0.2, d: 0.1}\n"
                 "    due: %s\n"
                 "    to: queue\n"
                 "  - source: rush\n"
                 "    interarrival: exponential(%.6g)\n"
                 "    product: {a: 0.5, d: 0.5}\n"
                 "    to: queue\n"
                 "  - buffer: queue\n"
                 "    %s\n"
                 "    capacity: %s\n"
                 "    to: %s\n"
                 "  - machine: cell\n"
                 "    servers: %u\n"
                 "    process: {a: exponential(1), b: exponential(1.5), c: exponential(1), "
                 "d: exponential(0.5)}\n"
                 "    to: done\n"
                 "  - machine: cell_2\n"
                 "    servers: %u\n"
                 "    process: {a: exponential(1), b: exponential(1.5), c: exponential(1), "
                 "d: exponential(0.5)}\n"
                 "    to: done\n"
                 "  - sink: done\n",
                 /* mean work per arrival 1.0 min; 3/4 of arrivals are orders */
                 1.0 / (0.75 * load * per), pick(2) ? "uniform(10, 400)" : "30",
                 1.0 / (0.25 * load * per), rules[rule],
                 cap == 0 ? "unlimited" : cap == 1 ? "20" : "200", tos[to], servers, servers);
        same_both_ways(yaml, 1500, 2, "queue", k % 3 == 0 ? 700 : 0);
    }
}

/* Bursts of 40 arrivals every 50 minutes at a queue with an ordered discipline, which empties
 * between them: the discipline walks the queue while it is short, builds its index at 32
 * entities (buffer.c, ORDER_MIN) and drops it when the queue empties, every burst. */
static void test_discipline_bursts(void)
{
    static const char *const disc[] = {"priority", "spt", "edd"};
    for (size_t k = 0; k < sizeof disc / sizeof disc[0]; k++) {
        char yaml[1536];
        snprintf(yaml, sizeof yaml,
                 "name: bursts\n"
                 "time_unit: min\n"
                 "products: [a, b, c]\n"
                 "blocks:\n"
                 "  - source: burst\n"
                 "    interarrival: 50\n"
                 "    batch: 40\n"
                 "    product: {a: 0.3, b: 0.3, c: 0.4}\n"
                 "    due: uniform(10, 60)\n"
                 "    to: queue\n"
                 "  - source: trickle\n"
                 "    interarrival: exponential(5)\n"
                 "    product: {b: 1}\n"
                 "    to: queue\n"
                 "  - buffer: queue\n"
                 "    discipline: %s\n"
                 "    to: cell\n"
                 "  - machine: cell\n"
                 "    process: {a: exponential(1), b: exponential(0.8), c: exponential(1)}\n"
                 "    to: done\n"
                 "  - sink: done\n",
                 disc[k]);
        same_both_ways(yaml, 5000, 2, "queue", 1010);
    }
}

/* A job shop of routing sheets (after examples/jobshop-rules.yaml) whose three queues are
 * served by rules that read the sheets: MWKR, LWKR, MOPNR and a weighted sum of them. */
static void test_sheet_rules(void)
{
    static const char *const r[][3] = {
        {"MWKR", "LWKR", "MOPNR"},
        {"MOPNR", "MWKR", "weighted(work=1, ops=-3)"},
        {"LWKR", "EDD", "MWKR"},
    };
    for (size_t k = 0; k < sizeof r / sizeof r[0]; k++) {
        char yaml[3072];
        snprintf(yaml, sizeof yaml,
                 "name: sheets\n"
                 "time_unit: min\n"
                 "products: [gear, shaft, flange]\n"
                 "sheets:\n"
                 "  gear:\n"
                 "    - {group: turning_queue, process: triangular(8, 10, 14), family: round}\n"
                 "    - {group: milling_queue, process: exponential(18), family: teeth}\n"
                 "    - {group: grinding_queue, process: uniform(6, 10), family: fine}\n"
                 "  shaft:\n"
                 "    - {group: turning_queue, process: triangular(14, 18, 24), family: round}\n"
                 "    - {group: grinding_queue, process: uniform(8, 12), family: fine}\n"
                 "    - {group: milling_queue, process: exponential(10), family: keyway}\n"
                 "  flange:\n"
                 "    - {group: milling_queue, process: exponential(12), family: face}\n"
                 "    - {group: turning_queue, process: triangular(6, 8, 12), family: round}\n"
                 "blocks:\n"
                 "  - source: orders\n"
                 "    interarrival: exponential(15)\n"
                 "    product: {gear: 0.5, shaft: 0.3, flange: 0.2}\n"
                 "    due: uniform(4h, 12h)\n"
                 "    to: {rule: sheet, done: shipped}\n"
                 "  - buffer: turning_queue\n"
                 "    rule: %s\n"
                 "    to: turning\n"
                 "  - machine: turning\n"
                 "    process: 0\n"
                 "    to: {rule: sheet, done: shipped}\n"
                 "  - buffer: milling_queue\n"
                 "    rule: %s\n"
                 "    to: milling\n"
                 "  - machine: milling\n"
                 "    process: 0\n"
                 "    to: {rule: sheet, done: shipped}\n"
                 "  - buffer: grinding_queue\n"
                 "    rule: %s\n"
                 "    to: grinding\n"
                 "  - machine: grinding\n"
                 "    process: 0\n"
                 "    to: {rule: sheet, done: shipped}\n"
                 "  - sink: shipped\n",
                 r[k][0], r[k][1], r[k][2]);
        same_both_ways(yaml, 20000, 2, "milling_queue", 0);
    }
}

/* An overloaded EDD queue: a clone taken with thousands of entities in the index continues
 * with the original's fingerprint, and both end as the scan does. */
static void test_clone_full_index(void)
{
    static const char yaml[] = "name: overload\n"
                               "time_unit: min\n"
                               "products: [small, large]\n"
                               "blocks:\n"
                               "  - source: orders\n"
                               "    interarrival: exponential(0.1)\n"
                               "    product: {small: 0.7, large: 0.3}\n"
                               "    due: uniform(1h, 3d)\n"
                               "    to: queue\n"
                               "  - buffer: queue\n"
                               "    rule: EDD\n"
                               "    to: cell\n"
                               "  - machine: cell\n"
                               "    process: {small: exponential(0.13), "
                               "large: exponential(0.247)}\n"
                               "    to: done\n"
                               "  - sink: done\n";
    struct tsim_model *m = load(yaml);
    if (!m) return;
    int q = tsim_model_find_block(m, "queue");
    struct tsim_sim *sim = tsim_sim_create(m, 3, 0);
    tsim_sim_run_until(sim, 1000);
    struct tsim_result mid;
    tsim_result_init(&mid);
    tsim_sim_result(sim, &mid);
    double content = kpi(&mid, q, "content");
    CHECK(content > 1000); /* time-weighted: the queue at 1000 is about twice that */
    tsim_result_release(&mid);
    struct tsim_sim *c = tsim_sim_clone(sim);
    struct tsim_result r[3];
    tsim_sim_run_until(sim, 2000);
    tsim_sim_destroy(sim);
    tsim_sim_run_until(c, 2000);
    tsim_result_init(&r[0]);
    tsim_sim_result(c, &r[0]);
    tsim_sim_destroy(c);
    run_one(m, 3, 2000, 1, NULL, NULL, &r[1]);
    run_one(m, 3, 2000, 0, NULL, NULL, &r[2]);
    CHECK(same_results(&r[0], &r[2]));
    CHECK(same_results(&r[1], &r[2]));
    CHECK(kpi(&r[2], q, "max_content") > 7000);
    for (int k = 0; k < 3; k++) tsim_result_release(&r[k]);
    tsim_model_destroy(m);
}

int main(void)
{
    RUN(test_random_models);
    RUN(test_discipline_bursts);
    RUN(test_sheet_rules);
    RUN(test_clone_full_index);
    return check_total_failed_;
}
