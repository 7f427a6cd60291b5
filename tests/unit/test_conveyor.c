/*
 * Conveyor blocks: transit and capacity exactly as documented, accumulation and stopping with
 * every entry and departure computed by hand, Little's law, merges and a divert at the end, and
 * the checks of its keys.
 */
#include "check.h"
#include "model_text.h"
#include "twinsim.h"

#include <math.h>

static struct tsim_model *load(const char *text, char *diag, size_t size)
{
    return model_from_text(text, "belt.yaml", diag, size);
}

/* The times of the entries to and departures from one block, in order. */
struct trace {
    int block;
    int n_in, n_out;
    double in[64], out[64];
    int in_product[64];
};

static void observe(void *ctx, const struct tsim_obs *o)
{
    struct trace *t = ctx;
    if (o->block != t->block) return;
    if (o->kind == TSIM_OBS_ENTER && t->n_in < 64) {
        t->in_product[t->n_in] = o->product;
        t->in[t->n_in++] = o->t;
    }
    if (o->kind == TSIM_OBS_LEAVE && t->n_out < 64) t->out[t->n_out++] = o->t;
}

/* Run `m` (seed `seed`) until `until` (< 0: until no event is left), tracing block "belt". */
static struct tsim_sim *run_traced(struct tsim_model *m, uint64_t seed, double until,
                                   struct trace *t, struct tsim_result *r)
{
    memset(t, 0, sizeof *t);
    t->block = tsim_model_find_block(m, "belt");
    tsim_result_init(r);
    struct tsim_sim *sim = tsim_sim_create(m, seed, 0);
    CHECK(sim != NULL);
    if (!sim) return NULL;
    tsim_sim_set_observer(sim, observe, t);
    if (until < 0) tsim_sim_run(sim);
    else tsim_sim_run_until(sim, until);
    tsim_sim_result(sim, r);
    return sim;
}

static void check_times(const double *got, int n_got, const double *want, int n_want)
{
    CHECK_EQ(n_got, n_want);
    for (int i = 0; i < n_got && i < n_want; i++) CHECK_NEAR(got[i], want[i], 1e-9);
}

/* The model of `text`, which must load with no diagnostic at all; NULL (the test failed) else. */
static struct tsim_model *load_clean(const char *text)
{
    char diag[512] = "";
    struct tsim_model *m = load(text, diag, sizeof diag);
    CHECK_STR(diag, "");
    return m;
}

/* Case `i` of a table of bad models: `text` must not load, and `want` be in its diagnostics. */
static void expect_refused(const char *text, size_t i, const char *want)
{
    char diag[1024] = "";
    struct tsim_model *m = load(text, diag, sizeof diag);
    CHECK(m == NULL);
    if (!strstr(diag, want)) {
        fprintf(stderr, "case %zu: want '%s' in:\n%s", i, want, diag);
        CHECK(0);
    }
    tsim_model_destroy(m);
}

/* Poisson arrivals on a belt that is never blocked (a sink at its end): every item spends
 * exactly length / speed = 10 / 2.5 = 4 on it, whatever the gaps, and the belt never stops.
 * With every item through at the end of the run, Little's law holds exactly: the content's
 * area is the sum of the transit times. */
static void test_conveyor_transit_is_length_over_speed(void)
{
    static const char yaml[] = "name: belt\n"
                               "blocks:\n"
                               "  - source: in\n"
                               "    interarrival: exponential(1)\n"
                               "    limit: 20000\n"
                               "    to: belt\n"
                               "  - conveyor: belt\n"
                               "    length: 10\n"
                               "    speed: 2.5\n"
                               "    spacing: 0.3\n"
                               "    accumulating: false\n"
                               "    to: out\n"
                               "  - sink: out\n";
    char diag[512] = "";
    struct tsim_model *m = load(yaml, diag, sizeof diag);
    CHECK_STR(diag, "");
    if (!m) return;
    struct trace t;
    struct tsim_result r;
    struct tsim_sim *sim = run_traced(m, 7, -1, &t, &r);
    int belt = t.block;
    CHECK_NEAR(kpi(&r, belt, "left"), 20000, 0);
    CHECK_NEAR(kpi(&r, belt, "transit_time"), 4, 1e-9);
    CHECK_NEAR(kpi(&r, belt, "blocked_share"), 0, 0);
    CHECK_NEAR(kpi(&r, belt, "stopped_share"), 0, 0);
    double little = kpi(&r, belt, "throughput") * kpi(&r, belt, "transit_time");
    CHECK_NEAR(kpi(&r, belt, "content"), little, 1e-9 * little);
    /* occupied_share is content over the 34 places (floor(10 / 0.3) + 1). */
    CHECK_NEAR(kpi(&r, belt, "occupied_share"), kpi(&r, belt, "content") / 34, 1e-12);
    /* The source met a closed entry (arrivals nearer than 0.3 / 2.5 = 0.12 apart) and waited. */
    CHECK(kpi(&r, tsim_model_find_block(m, "in"), "blocked_time") > 0);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* A belt whose end never clears (the machine behind it works for ever) fills to its capacity,
 * floor(length / pitch) + 1: 9 / (2.25 + 0.75) = 3 exactly gives 4 places (fronts at 9, 6, 3
 * and 0), 10 / 3 gives 4 too, 8.99 / 3 gives 3, and 0.5 / (0.25 + 0.3) gives 1. */
static void test_conveyor_capacity(void)
{
    static const double lengths[] = {9, 10, 8.99, 0.5};
    static const int places[] = {4, 4, 3, 1};
    for (int i = 0; i < 4; i++) {
        char yaml[600], diag[512] = "";
        snprintf(yaml, sizeof yaml,
                 "name: belt\n"
                 "blocks:\n"
                 "  - source: in\n"
                 "    interarrival: 0.1\n"
                 "    to: belt\n"
                 "  - conveyor: belt\n"
                 "    length: %g\n"
                 "    speed: 1\n"
                 "    spacing: %g\n"
                 "    item_length: %g\n"
                 "    to: m\n"
                 "  - machine: m\n"
                 "    process: 1000000\n"
                 "    to: out\n"
                 "  - sink: out\n",
                 lengths[i], lengths[i] < 1 ? 0.3 : 0.75, lengths[i] < 1 ? 0.25 : 2.25);
        struct tsim_model *m = load(yaml, diag, sizeof diag);
        CHECK_STR(diag, "");
        if (!m) continue;
        struct trace t;
        struct tsim_result r;
        struct tsim_sim *sim = run_traced(m, 1, 1000, &t, &r);
        CHECK_EQ(tsim_block_content(sim, t.block), places[i]);
        CHECK_NEAR(kpi(&r, t.block, "stopped_share"), 0, 0);
        CHECK(kpi(&r, t.block, "blocked_share") > 0.98);
        tsim_result_release(&r);
        tsim_sim_destroy(sim);
        tsim_model_destroy(m);
    }
}

/* Eight items 3 apart onto a belt of 10 at speed 1, pitch 2, in front of a machine that takes
 * 20 per item. Accumulating:
 *   item 1 enters at 3, reaches the end at 13 and goes to the machine (busy until 33);
 *   item 2 enters at 6, reaches the end at 16, is refused and stops at 10;
 *   items 3-6 (entered 9, 12, 15, 18) close up behind it at 8, 6, 4, 2, reaching those places
 *   at 17, 18, 19, 20 while the belt carries the others;
 *   item 7 enters at 21 (item 6 stands at 2 = one pitch in) and stops at once at 0: six items,
 *   the capacity floor(10 / 2) + 1;
 *   item 8, created at 24, waits in the source until item 2 leaves at 33: the queue moves on
 *   together, item 7 is a pitch in at 35, and item 8 enters then.
 * The machine frees every 20, so the belt's items leave at 13, 33, 53, ..., 153. */
static const char acc_yaml[] = "name: belt\n"
                               "blocks:\n"
                               "  - source: in\n"
                               "    interarrival: 3\n"
                               "    limit: 8\n"
                               "    to: belt\n"
                               "  - conveyor: belt\n"
                               "    length: 10\n"
                               "    speed: 1\n"
                               "    spacing: 2\n"
                               "    to: m\n"
                               "  - machine: m\n"
                               "    process: 20\n"
                               "    to: out\n"
                               "  - sink: out\n";

static void test_conveyor_accumulates_by_hand(void)
{
    char diag[512] = "";
    struct tsim_model *m = load(acc_yaml, diag, sizeof diag);
    CHECK_STR(diag, "");
    if (!m) return;
    struct trace t;
    struct tsim_result r;
    struct tsim_sim *sim = run_traced(m, 1, 22, &t, &r);
    CHECK_EQ(tsim_block_content(sim, t.block), 6);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);

    sim = run_traced(m, 1, -1, &t, &r);
    static const double in[] = {3, 6, 9, 12, 15, 18, 21, 35};
    static const double out[] = {13, 33, 53, 73, 93, 113, 133, 153};
    check_times(t.in, t.n_in, in, 8);
    check_times(t.out, t.n_out, out, 8);
    CHECK_NEAR(tsim_sim_now(sim), 173, 1e-9);
    /* Transit: 10, 27, then 44, 61, 78, 95, 112 for items 3-7 and 118 for item 8. */
    CHECK_NEAR(kpi(&r, t.block, "transit_time"),
               (10 + 27 + 44 + 61 + 78 + 95 + 112 + 118) / 8.0, 1e-9);
    /* The front item is refused from 16 to 33; after each departure the next item, a pitch
     * back, reaches the end 2 later and waits 18: 35-53, ..., 135-153; then the belt is empty. */
    CHECK_NEAR(kpi(&r, t.block, "blocked_share"), (17 + 6 * 18) / 173.0, 1e-9);
    CHECK_NEAR(kpi(&r, t.block, "stopped_share"), 0, 0);
    double little = kpi(&r, t.block, "throughput") * kpi(&r, t.block, "transit_time");
    CHECK_NEAR(kpi(&r, t.block, "content"), little, 1e-9 * little);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* The same line, not accumulating: item 2 is refused at 16 and the whole belt stops with gaps
 * kept, item 3 at 7, item 4 at 4, item 5 at 1; item 6 (created at 18) cannot enter, as item 5
 * is less than a pitch in. At 33 item 2 leaves and the belt runs: item 5 is 2 in at 34 and item
 * 6 enters; item 3 reaches the end at 36, is refused, and the belt stops again (item 6 at 2).
 * Item 7, created 3 after item 6 left the source, enters the stopped belt at 37 at 0; item 8,
 * created at 40, waits: the belt runs from 53 and item 7 is 2 in at 55. */
static void test_conveyor_stops_by_hand(void)
{
    char text[sizeof acc_yaml + 64], diag[512] = "";
    char *p = strstr(strcpy(text, acc_yaml), "    to: m\n");
    memmove(p + 24, p, strlen(p) + 1);
    memcpy(p, "    accumulating: false\n", 24);
    struct tsim_model *m = load(text, diag, sizeof diag);
    CHECK_STR(diag, "");
    if (!m) return;
    struct trace t;
    struct tsim_result r;
    struct tsim_sim *sim = run_traced(m, 1, -1, &t, &r);
    static const double in[] = {3, 6, 9, 12, 15, 34, 37, 55};
    check_times(t.in, t.n_in, in, 8);
    CHECK_NEAR(t.out[0], 13, 1e-9);
    CHECK_NEAR(t.out[1], 33, 1e-9);
    CHECK_NEAR(t.out[2], 53, 1e-9);
    CHECK(kpi(&r, t.block, "stopped_share") > 0);
    CHECK_NEAR(kpi(&r, t.block, "stopped_share"), kpi(&r, t.block, "blocked_share"), 1e-12);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* accumulation_length 4 lets two items queue (2 x pitch 2 = 4): item 3 joins the queue at 17
 * and the whole belt stops, item 4 at 5 and item 5 at 2. Item 6 enters the stopped belt at 18
 * (item 5 is a pitch in); item 7 (21) waits until the belt runs again at 33 and item 6 is 2 in,
 * at 35. */
static void test_conveyor_accumulation_length(void)
{
    char text[sizeof acc_yaml + 64], diag[512] = "";
    char *p = strstr(strcpy(text, acc_yaml), "    to: m\n");
    memmove(p + 27, p, strlen(p) + 1);
    memcpy(p, "    accumulation_length: 4\n", 27);
    struct tsim_model *m = load(text, diag, sizeof diag);
    CHECK_STR(diag, "");
    if (!m) return;
    struct trace t;
    struct tsim_result r;
    struct tsim_sim *sim = run_traced(m, 1, -1, &t, &r);
    static const double in[] = {3, 6, 9, 12, 15, 18, 35};
    CHECK(t.n_in == 8);
    check_times(t.in, 7, in, 7);
    CHECK(kpi(&r, t.block, "stopped_share") > 0);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* Two belts merge into a third, which diverts by product at its end. Each feeder brings one
 * item every 1; the merge belt takes one every pitch / speed = 1.5, so both feeders queue. The
 * merge is FIFO by arrival at it: a feeder whose item is refused waits its turn in the order of
 * refusal, so the two alternate. Every item reaches the sink its product names. */
static void test_conveyor_merge_and_divert(void)
{
    static const char yaml[] = "name: belt\n"
                               "products: [A, B]\n"
                               "blocks:\n"
                               "  - source: a\n"
                               "    interarrival: 1\n"
                               "    product: A\n"
                               "    limit: 50\n"
                               "    to: fa\n"
                               "  - source: b\n"
                               "    interarrival: 1\n"
                               "    product: B\n"
                               "    limit: 50\n"
                               "    to: fb\n"
                               "  - conveyor: fa\n"
                               "    length: 4\n"
                               "    speed: 2\n"
                               "    spacing: 1\n"
                               "    to: belt\n"
                               "  - conveyor: fb\n"
                               "    length: 6\n"
                               "    speed: 2\n"
                               "    spacing: 1\n"
                               "    to: belt\n"
                               "  - conveyor: belt\n"
                               "    length: 20\n"
                               "    speed: 2\n"
                               "    spacing: 3\n"
                               "    to: {by: product, A: outa, B: outb}\n"
                               "  - sink: outa\n"
                               "  - sink: outb\n";
    char diag[512] = "";
    struct tsim_model *m = load(yaml, diag, sizeof diag);
    CHECK_STR(diag, "");
    if (!m) return;
    struct trace t;
    struct tsim_result r;
    struct tsim_sim *sim = run_traced(m, 1, -1, &t, &r);
    CHECK_NEAR(kpi(&r, tsim_model_find_block(m, "outa"), "entered"), 50, 0);
    CHECK_NEAR(kpi(&r, tsim_model_find_block(m, "outb"), "entered"), 50, 0);
    CHECK_EQ(t.n_in, 64);
    /* Entries every 1.5 once both queue, the two feeders' products in turn. */
    int alternate = 1;
    for (int i = 4; i < 60; i++) {
        CHECK_NEAR(t.in[i + 1] - t.in[i], 1.5, 1e-9);
        if (t.in_product[i] == t.in_product[i + 1]) alternate = 0;
    }
    CHECK(alternate);
    CHECK_NEAR(kpi(&r, t.block, "transit_time"), 10, 1e-9);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* Bad parameters: each a FILE:LINE:COL error at the key whose value is wrong (a value out of
 * its range, or one the whole block refuses: a spacing longer than the belt, at `spacing`), or at
 * the block for a key it lacks. */
static void test_conveyor_bad_input(void)
{
    static const struct {
        const char *keys, *want;
    } cases[] = {
        {"    length: 0\n    speed: 1\n    spacing: 1\n",
         "belt.yaml:7:5: error: conveyor 'belt' has length 0: it must be above 0"},
        {"    length: 5\n    speed: -1\n    spacing: 1\n", "belt.yaml:8:12: error: 'speed' must be"},
        {"    length: 5\n    speed: 0\n    spacing: 1\n",
         "belt.yaml:8:5: error: conveyor 'belt' has speed 0: it must be above 0"},
        {"    length: 5\n    speed: 1\n    spacing: 6\n",
         "belt.yaml:9:5: error: conveyor 'belt' has spacing 6, longer than its length 5"},
        {"    length: 5\n    speed: 1\n", "belt.yaml:6:5: error: conveyor 'belt' has no 'spacing'"},
        {"    length: 5\n    speed: 1\n    spacing: 0\n",
         "belt.yaml:9:5: error: conveyor 'belt' needs a spacing or an item_length above 0"},
        {"    length: 5\n    speed: 1\n    spacing: 1\n    accumulating: maybe\n",
         "belt.yaml:10:19: error: unknown value 'maybe'"},
        {"    length: 5\n    speed: 1\n    spacing: 1\n    accumulating: false\n"
         "    accumulation_length: 2\n",
         "belt.yaml:11:5: error: conveyor 'belt' has an accumulation_length but does not "
         "accumulate"},
        {"    length: 5\n    speed: 1\n    spacing: 1\n    accumulation_length: 7\n",
         "belt.yaml:10:5: error: conveyor 'belt' has accumulation_length 7: it must be above 0 "
         "and at most its length 5"},
        {"    length: 5\n    sped: 1\n    spacing: 1\n", "did you mean 'speed'?"},
        {"    length: 1000000\n    speed: 1\n    spacing: 0.0001\n",
         "belt.yaml:9:5: error: conveyor 'belt' would hold"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char yaml[600];
        snprintf(yaml, sizeof yaml,
                 "name: belt\n"
                 "blocks:\n"
                 "  - source: in\n"
                 "    interarrival: 1\n"
                 "  - conveyor: belt\n"
                 "%s"
                 "    to: out\n"
                 "  - sink: out\n",
                 cases[i].keys);
        /* The source's route, after its keys. */
        char *p = strstr(yaml, "    interarrival: 1\n") + 20;
        memmove(p + 13, p, strlen(p) + 1);
        memcpy(p, "    to: belt\n", 13);
        expect_refused(yaml, i, cases[i].want);
    }
}

/* Item length per product: spacing 1, long items 4 (pitch 5) and short ones 1 (pitch 2), on a
 * belt of 10 at speed 1 in front of a machine that takes 10 per item. Long items are made at
 * 9 and 18, short ones at 12 and 21 (made at 9 and 18, then 3 in a delay):
 *   L1 enters at 9, reaches the end at 19 and goes to the machine (busy until 29);
 *   S1, ready at 12, waits for L1's pitch: L1 is 5 in at 14, and S1 enters then;
 *   L2 enters at 18 (S1 is 4 in, past its pitch 2);
 *   S2, ready at 21, waits until L2 is 5 in, at 23;
 *   S1 reaches the end at 24 and is refused: blocked, it stands at 10; L2 closes up to S1's
 *   pitch behind it, 8, at 26, and S2 to L2's pitch behind that, 3, at 26 too;
 *   at 29 S1 leaves and the queue moves on together: L2 reaches the end at 31 (refused: the
 *   machine is busy until 39), S2 is then 5 in, L2's pitch behind it, and stops;
 *   at 39 L2 leaves; S2 runs the 5 left and reaches the end at 44, refused until 49.
 * Blocked 24-29, 31-39 and 44-49: 18 of the run's 59 (the machine ends at 59). With one pitch
 * of 2 for all, S2 would have stood at 8 and waited 8 at the end, not 5. */
static const char product_yaml[] = "name: belt\n"
                                   "products: [long, short]\n"
                                   "blocks:\n"
                                   "  - source: a\n"
                                   "    product: long\n"
                                   "    interarrival: 9\n"
                                   "    limit: 2\n"
                                   "    to: belt\n"
                                   "  - source: b\n"
                                   "    product: short\n"
                                   "    interarrival: 9\n"
                                   "    limit: 2\n"
                                   "    to: late\n"
                                   "  - delay: late\n"
                                   "    time: 3\n"
                                   "    to: belt\n"
                                   "  - conveyor: belt\n"
                                   "    length: 10\n"
                                   "    speed: 1\n"
                                   "    spacing: 1\n"
                                   "    item_length: {long: 4, short: 1}\n"
                                   "    to: m\n"
                                   "  - machine: m\n"
                                   "    process: 10\n"
                                   "    to: out\n"
                                   "  - sink: out\n";

static void test_conveyor_item_length_by_product(void)
{
    struct tsim_model *m = load_clean(product_yaml);
    if (!m) return;
    struct trace t;
    struct tsim_result r;
    struct tsim_sim *sim = run_traced(m, 1, -1, &t, &r);
    static const double in[] = {9, 14, 18, 23};
    static const int product[] = {0, 1, 0, 1};
    static const double out[] = {19, 29, 39, 49};
    check_times(t.in, t.n_in, in, 4);
    for (int i = 0; i < 4 && i < t.n_in; i++) CHECK_EQ(t.in_product[i], product[i]);
    check_times(t.out, t.n_out, out, 4);
    CHECK_NEAR(tsim_sim_now(sim), 59, 1e-9);
    CHECK_NEAR(kpi(&r, t.block, "blocked_share"), 18 / 59.0, 1e-9);
    CHECK_NEAR(kpi(&r, t.block, "transit_time"), (10 + 15 + 21 + 26) / 4.0, 1e-9);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* Capacity follows the items: a belt of 10 that never clears holds long items (pitch 5) at
 * 10, 5 and 0, three; short ones (pitch 2) at 10, 8, ..., 0, six, floor(10 / 2) + 1. The
 * occupied share counts places of the shortest pitch (six), and the belt is full from about 11
 * on (the first item reaches the end at 10.1), so over 1000 it is within 11 / 1000 of full. */
static void test_conveyor_capacity_by_product(void)
{
    static const char *const prod[] = {"long", "short"};
    static const int places[] = {3, 6};
    for (int i = 0; i < 2; i++) {
        char yaml[700];
        snprintf(yaml, sizeof yaml,
                 "name: belt\n"
                 "products: [long, short]\n"
                 "blocks:\n"
                 "  - source: in\n"
                 "    product: %s\n"
                 "    interarrival: 0.1\n"
                 "    to: belt\n"
                 "  - conveyor: belt\n"
                 "    length: 10\n"
                 "    speed: 1\n"
                 "    spacing: 1\n"
                 "    item_length: {long: 4, short: 1}\n"
                 "    to: m\n"
                 "  - machine: m\n"
                 "    process: 1000000\n"
                 "    to: out\n"
                 "  - sink: out\n",
                 prod[i]);
        struct tsim_model *m = load_clean(yaml);
        if (!m) continue;
        struct trace t;
        struct tsim_result r;
        struct tsim_sim *sim = run_traced(m, 1, 1000, &t, &r);
        CHECK_EQ(tsim_block_content(sim, t.block), places[i]);
        double occ = kpi(&r, t.block, "occupied_share") * 6;
        CHECK(occ <= places[i] && occ >= places[i] * (1 - 11 / 1000.0));
        tsim_result_release(&r);
        tsim_sim_destroy(sim);
        tsim_model_destroy(m);
    }
}

/* A length per product is checked as the one length is, each at its place. */
static void test_conveyor_item_length_bad_input(void)
{
    static const struct {
        const char *value, *want;
    } cases[] = {
        {"{lon: 4, short: 1}", "belt.yaml:21:19: error: undefined product 'lon' (did you mean "
                                "'long'?)"},
        {"{long: -4, short: 1}", "belt.yaml:21:25: error: an item length must be at least 0 and "
                                 "below 1e12, not -4"},
        {"{long: x, short: 1}", "belt.yaml:21:25: error: an item length must be a number"},
        {"{long: 11, short: 1}", "belt.yaml:21:5: error: conveyor 'belt' has item_length 11 for "
                                 "product 'long', longer than its length 10"},
        {"{}", "belt.yaml:21:5: error: 'item_length' is an empty mapping"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char yaml[sizeof product_yaml + 64];
        const char *key = "{long: 4, short: 1}";
        const char *p = strstr(product_yaml, key);
        snprintf(yaml, sizeof yaml, "%.*s%s%s", (int)(p - product_yaml), product_yaml,
                 cases[i].value, p + strlen(key));
        expect_refused(yaml, i, cases[i].want);
    }
    /* With spacing 0, a product without a length of its own has pitch 0. */
    char yaml[sizeof product_yaml + 64];
    const char *key = "    spacing: 1\n    item_length: {long: 4, short: 1}";
    const char *p = strstr(product_yaml, key);
    CHECK(p != NULL);
    if (!p) return;
    snprintf(yaml, sizeof yaml, "%.*s    spacing: 0\n    item_length: {long: 4}%s",
             (int)(p - product_yaml), product_yaml, p + strlen(key));
    expect_refused(yaml, 0, "conveyor 'belt' needs a spacing or an item_length above 0 for "
                            "every product");
}

/* The belt built through the C API (a type without an enum name, its keys set by name) runs
 * event for event as the file's; --set reaches its keys. */
static void test_conveyor_through_the_api(void)
{
    char diag[512] = "";
    struct tsim_model *file = load(acc_yaml, diag, sizeof diag);
    CHECK(file != NULL);
    if (!file) return;
    struct tsim_model *m = tsim_model_create("belt");
    int in = tsim_model_add_block(m, TSIM_SOURCE, "in");
    int conveyor = tsim_block_type_find("conveyor");
    CHECK(conveyor >= 0);
    int belt = tsim_model_add_block(m, (enum tsim_block_type)conveyor, "belt");
    int mach = tsim_model_add_block(m, TSIM_MACHINE, "m");
    int out = tsim_model_add_block(m, TSIM_SINK, "out");
    CHECK_EQ(tsim_block_set_number(m, in, "interarrival", 3), 0);
    CHECK_EQ(tsim_block_set_number(m, in, "limit", 8), 0);
    CHECK_EQ(tsim_block_set_number(m, belt, "length", 10), 0);
    CHECK_EQ(tsim_block_set_number(m, belt, "speed", 1), 0);
    CHECK_EQ(tsim_block_set_number(m, belt, "spacing", 2), 0);
    CHECK_EQ(tsim_block_set_number(m, mach, "process", 20), 0);
    CHECK_EQ(tsim_route_to(m, in, belt), 0);
    CHECK_EQ(tsim_route_to(m, belt, mach), 0);
    CHECK_EQ(tsim_route_to(m, mach, out), 0);
    struct trace t;
    struct tsim_result r1, r2;
    struct tsim_sim *a = run_traced(file, 1, -1, &t, &r1);
    struct tsim_sim *b = run_traced(m, 1, -1, &t, &r2);
    CHECK(a && b);
    if (a && b) CHECK_EQ(tsim_sim_fingerprint(a), tsim_sim_fingerprint(b));
    tsim_result_release(&r1);
    tsim_result_release(&r2);
    tsim_sim_destroy(a);
    tsim_sim_destroy(b);

    /* --set: speed 2 halves the free transit to 5. */
    CHECK_EQ(tsim_model_set_param(file, "belt.speed", "2"), 0);
    CHECK_EQ(tsim_model_set_param(file, "belt.accumulating", "false"), 0);
    CHECK_EQ(tsim_model_set_param(file, "belt.length", "-1"), TSIM_ERANGE);
    a = run_traced(file, 1, -1, &t, &r1);
    CHECK_NEAR(t.out[0], 8, 1e-9);
    tsim_result_release(&r1);
    tsim_sim_destroy(a);
    tsim_model_destroy(m);
    tsim_model_destroy(file);
}

static void speed_up(struct tsim_sim *sim, void *arg)
{
    CHECK_EQ(tsim_conveyor_set_speed(sim, *(int *)arg, 2.5), 0);
}

/* A speed change mid-run keeps positions: on the accumulating line above (speed 1), the belt
 * runs at 2.5 from 8. Item 1 (entered at 3) is then at 5 and reaches the end 2 later, at 10;
 * item 2 (entered at 6) is at 2 and reaches the end at 11.2. Item 3 enters at 9, as the source
 * is never refused (item 2 is 4.5 in by then). */
static void test_conveyor_speed_change(void)
{
    char diag[512] = "";
    struct tsim_model *m = load(acc_yaml, diag, sizeof diag);
    CHECK(m != NULL);
    if (!m) return;
    int belt = tsim_model_find_block(m, "belt");
    struct trace t;
    memset(&t, 0, sizeof t);
    t.block = belt;
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    CHECK(sim != NULL);
    if (!sim) return;
    tsim_sim_set_observer(sim, observe, &t);
    tsim_event_schedule(sim, speed_up, &belt, 8, 0);
    tsim_sim_run_until(sim, 12);
    static const double in[] = {3, 6, 9, 12};
    static const double out[] = {10};
    check_times(t.in, t.n_in, in, 4);
    check_times(t.out, t.n_out, out, 1);
    /* Item 2 reached the end at 11.2 and waits for the machine: blocked since then. */
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    CHECK_NEAR(kpi(&r, belt, "blocked_share"), 0.8 / 12, 1e-9);
    tsim_result_release(&r);
    CHECK_EQ(tsim_conveyor_set_speed(sim, belt, -1), TSIM_ERANGE);
    CHECK_EQ(tsim_conveyor_set_speed(sim, belt, 1e12), TSIM_ERANGE);
    CHECK_EQ(tsim_conveyor_set_speed(sim, tsim_model_find_block(m, "m"), 1), TSIM_ENOENT);
    CHECK_EQ(tsim_conveyor_set_speed(sim, 99, 1), TSIM_ENOENT);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* `acc_yaml` with `extra` (at most 500 bytes) put in the belt's keys, before its route, into
 * `text` (room for sizeof acc_yaml + 512). */
static char *acc_with(char *text, const char *extra)
{
    char *p = strstr(strcpy(text, acc_yaml), "    to: m\n");
    size_t k = strlen(extra);
    CHECK(k <= 500);
    if (k > 500) k = 0;
    memmove(p + k, p, strlen(p) + 1);
    memcpy(p, extra, k);
    return text;
}

static struct tsim_model *load_acc_with(const char *extra)
{
    char text[sizeof acc_yaml + 512];
    return load_clean(acc_with(text, extra));
}

/* A `speed_schedule` runs as the same change made through the API (the test above): the belt
 * runs at 2.5 from 8. */
static void test_conveyor_speed_schedule(void)
{
    struct tsim_model *m = load_acc_with("    speed_schedule:\n      - {at: 8, speed: 2.5}\n");
    if (!m) return;
    struct trace t;
    struct tsim_result r;
    struct tsim_sim *sim = run_traced(m, 1, 12, &t, &r);
    static const double in[] = {3, 6, 9, 12};
    static const double out[] = {10};
    check_times(t.in, t.n_in, in, 4);
    check_times(t.out, t.n_out, out, 1);
    CHECK_NEAR(kpi(&r, t.block, "blocked_share"), 0.8 / 12, 1e-9);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* Accumulating, the belt stopped (speed 0) from 17.5 to 19.5 while items ride it; the run of
 * `acc_yaml` otherwise. At 17.5 item 2 is refused at the end (10), item 3 queued at 8 (since
 * 17), item 4 at 5.5 and item 5 at 2.5, both moving. Item 6, made at 18, enters the stopped
 * belt at 0 (item 5 is more than a pitch in). From 19.5: item 4 reaches 6 at 20, item 5 4 at
 * 21, item 6 2 at 21.5; item 7, made at 21, waits until item 6 is a pitch in, at 21.5, and
 * stops there at 0. The departures are the machine's, as before: 13, 33, ..., 153, and item 8
 * enters at 35. Stopped 2 of 173. */
static void test_conveyor_stopped_while_accumulating(void)
{
    struct tsim_model *m = load_acc_with("    speed_schedule:\n      - {at: 17.5, speed: 0}\n"
                                         "      - {at: 19.5, speed: 1}\n");
    if (!m) return;
    struct trace t;
    struct tsim_result r;
    struct tsim_sim *sim = run_traced(m, 1, -1, &t, &r);
    static const double in[] = {3, 6, 9, 12, 15, 18, 21.5, 35};
    static const double out[] = {13, 33, 53, 73, 93, 113, 133, 153};
    check_times(t.in, t.n_in, in, 8);
    check_times(t.out, t.n_out, out, 8);
    CHECK_NEAR(tsim_sim_now(sim), 173, 1e-9);
    CHECK_NEAR(kpi(&r, t.block, "stopped_share"), 2 / 173.0, 1e-9);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* Not accumulating, never blocked (a sink at the end): length 10, speed 1, items made at 3, 6
 * and 9. The belt stops at 8 (item 1 is 5 in, item 2 is 2 in) and runs at 2 from 12. Item 3
 * enters the stopped belt at 9 (item 2 is a pitch in). From 12: item 1 has 5 left, out at
 * 14.5; item 2 8, out at 16; item 3 10, out at 17. Stopped 4 of 17. A clone taken at 10, while
 * stopped, ends with the original's fingerprint; so does one taken at 13, mid-way at speed 2. */
static const char stop_yaml[] = "name: belt\n"
                                "blocks:\n"
                                "  - source: in\n"
                                "    interarrival: 3\n"
                                "    limit: 3\n"
                                "    to: belt\n"
                                "  - conveyor: belt\n"
                                "    length: 10\n"
                                "    speed: 1\n"
                                "    spacing: 2\n"
                                "    accumulating: false\n"
                                "    speed_schedule:\n"
                                "      - {at: 8, speed: 0}\n"
                                "      - {at: 12, speed: 2}\n"
                                "    to: out\n"
                                "  - sink: out\n";

static void test_conveyor_stopped_and_restarted(void)
{
    struct tsim_model *m = load_clean(stop_yaml);
    if (!m) return;
    struct trace t;
    struct tsim_result r;
    struct tsim_sim *sim = run_traced(m, 1, -1, &t, &r);
    static const double in[] = {3, 6, 9};
    static const double out[] = {14.5, 16, 17};
    check_times(t.in, t.n_in, in, 3);
    check_times(t.out, t.n_out, out, 3);
    CHECK_NEAR(tsim_sim_now(sim), 17, 1e-9);
    CHECK_NEAR(kpi(&r, t.block, "stopped_share"), 4 / 17.0, 1e-9);
    CHECK_NEAR(kpi(&r, t.block, "transit_time"), (11.5 + 10 + 8) / 3, 1e-9);
    uint64_t want = tsim_sim_fingerprint(sim);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);

    static const double at[] = {10, 13};
    for (int i = 0; i < 2; i++) {
        sim = tsim_sim_create(m, 1, 0);
        CHECK(sim != NULL);
        if (!sim) break;
        tsim_sim_run_until(sim, at[i]);
        struct tsim_sim *copy = tsim_sim_clone(sim);
        CHECK(copy != NULL);
        tsim_sim_run(sim);
        if (copy) tsim_sim_run(copy);
        CHECK_EQ(tsim_sim_fingerprint(sim), want);
        if (copy) CHECK_EQ(tsim_sim_fingerprint(copy), want);
        if (copy) CHECK_NEAR(tsim_sim_now(copy), 17, 1e-9);
        tsim_sim_destroy(copy);
        tsim_sim_destroy(sim);
    }
    tsim_model_destroy(m);
}

/* A schedule's mistakes, each at its place. */
static void test_conveyor_speed_schedule_bad_input(void)
{
    static const struct {
        const char *keys, *want;
    } cases[] = {
        {"    speed_schedule: 2\n",
         "belt.yaml:11:21: error: 'speed_schedule' (a list of {at, speed}) must be a list, "
         "not '2'"},
        {"    speed_schedule: []\n",
         "belt.yaml:11:5: error: 'speed_schedule' must list 1 to 100000 changes, not 0"},
        {"    speed_schedule:\n      - {at: 8, speed: 2}\n      - {at: 8, speed: 1}\n",
         "belt.yaml:13:14: error: 'at' 8 is not after the change before it"},
        {"    speed_schedule:\n      - {at: 8, speed: -2}\n",
         "belt.yaml:12:24: error: 'speed' must be at least 0 and below 1e12, not -2"},
        {"    speed_schedule:\n      - {at: 8}\n",
         "belt.yaml:12:10: error: a speed change needs 'speed'"},
        {"    speed_schedule:\n      - {at: 8, sped: 1}\n", "did you mean 'speed'?"},
        {"    speed_schedule:\n      - {at: -8, speed: 1}\n",
         "belt.yaml:12:14: error: negative time '-8'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[sizeof acc_yaml + 512];
        expect_refused(acc_with(text, cases[i].keys), i, cases[i].want);
    }
}

/* A source feeding belt a one item a time unit; the %s: more of the source's keys. */
#define FED_BELT_A                                                                                 \
    "blocks:\n"                                                                                    \
    "  - source: in\n"                                                                             \
    "    interarrival: 1\n"                                                                        \
    "%s"                                                                                           \
    "    to: a\n"                                                                                  \
    "  - conveyor: a\n"

/* Two belts in a ring (a -> b -> a), fed by a source: `check` warns that the ring can fill, and
 * it does. Belt a (speed 1) takes an item every 2 from the source and is full (six items,
 * floor(10 / 2) + 1) from 13; belt b (speed 0.5) takes one from a every 4, at 11, 15, ..., 31,
 * its sixth, and a's entry clears 2 after each of those departures. b's first item comes round
 * to a's entry at 31 (11 + 10 / 0.5) and waits; at 33 a's entry clears and the source, refused
 * before b, puts its item on: a holds six again, its front reaches the end at that instant and
 * b is full. Each front item waits for the other belt: the run stops with an error naming the
 * ring and the time, 33, accumulating or not, not at the horizon.
 * With equal speeds the ring never fills (ten items go round with gaps of exactly a pitch, b's
 * front always first at a's entry), and fed three items only it never fills either: no error,
 * and no warning either (fewer than the 12 items it holds gridlocked can enter it). */
static const char ring_fmt[] = "name: ring\n" FED_BELT_A
                               "    length: 10\n"
                               "    speed: 1\n"
                               "    spacing: 2\n"
                               "    accumulating: %s\n"
                               "    to: b\n"
                               "  - conveyor: b\n"
                               "    length: 10\n"
                               "    speed: %s\n"
                               "    spacing: 2\n"
                               "    accumulating: %s\n"
                               "    to: a\n";

static void test_conveyor_ring_gridlock(void)
{
    for (int acc = 0; acc < 4; acc++) { /* 2: three items, 3: equal speeds */
        char text[sizeof ring_fmt + 64], diag[1024] = "";
        const char *flag = acc == 1 ? "false" : "true";
        snprintf(text, sizeof text, ring_fmt, acc == 2 ? "    limit: 3\n" : "", flag,
                 acc == 3 ? "1" : "0.5", flag);
        struct tsim_model *m = load(text, diag, sizeof diag);
        CHECK(m != NULL);
        /* Fed three items, fewer than the 12 it holds gridlocked (6 a belt), it is not warned
         * of. */
        CHECK((strstr(diag, "warning: conveyors 'a' -> 'b' -> 'a' form a ring that 'in' feeds: "
                            "if it fills, each front item waits for the next belt for ever") !=
               NULL) == (acc != 2));
        if (acc != 2) CHECK(strstr(diag, "belt.yaml:6:5: warning") != NULL);
        if (!m) continue;
        struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
        tsim_sim_run_until(sim, 1000);
        int a = tsim_model_find_block(m, "a"), b = tsim_model_find_block(m, "b");
        if (acc >= 2) {
            CHECK_EQ(tsim_sim_status(sim), 0);
            CHECK_EQ(tsim_block_content(sim, a) + tsim_block_content(sim, b), acc == 2 ? 3 : 10);
        } else {
            CHECK_NEAR(tsim_sim_now(sim), 33, 1e-9);
            CHECK_EQ(tsim_sim_status(sim), TSIM_ESTATE);
            CHECK_EQ(tsim_block_content(sim, a), 6);
            CHECK_EQ(tsim_block_content(sim, b), 6);
            char want[64];
            snprintf(want, sizeof want, "gridlock at %.10g ", tsim_sim_now(sim));
            const char *err = tsim_sim_error(sim);
            CHECK(err != NULL && tsim_sim_now(sim) < 1000);
            if (err) {
                CHECK(strstr(err, want) == err);
                CHECK(strstr(err, ": conveyors 'a' -> 'b' -> 'a' are full, each front item waiting "
                                  "for the next belt") ||
                      strstr(err, ": conveyors 'b' -> 'a' -> 'b' are full, each front item waiting "
                                  "for the next belt"));
                if (getenv("TSIM_TEST_VERBOSE")) fprintf(stderr, "%s\n", err);
            }
        }
        tsim_sim_destroy(sim);
        tsim_model_destroy(m);
    }
}

/* A ring through a buffer and a machine: belt a (length 4, pitch 2) -> buffer q (capacity 2) ->
 * machine m (one server, 0.5) -> a, fed one item a time unit. Gridlocked it holds at least 6:
 * a accumulates 3 (floor(4 / 2) + 1), q 2 and m 1, so `check` warns at a, naming the ring,
 * and the run shows it: once the ring holds 6 nothing moves again, and the run stops with the
 * gridlock's error, the 6 where they stand and the source refused (the instant of a gridlock is
 * computed by hand in test_conveyor_ring_gridlock_through_a_machine).
 * Fed 5 (limit 5 < 6) it is not warned of and never stalls: between 500 and 1000 m still works.
 * Fed 6 (limit 6) it is warned of, and the 6 fill it: the bound is tight. With an exit, a's
 * route `first_free` to q or, when q is full, to a sink, it is not warned of either, and never
 * fills; the same exit from m, to a or else the sink, keeps nothing from filling (a belt with a
 * place left is always chosen, and its entry may not be clear): warned of, and it stalls. */
static const char loop_fmt[] = "name: loop\n" FED_BELT_A
                               "    length: 4\n"
                               "    speed: 1\n"
                               "    spacing: 2\n"
                               "    to: %s\n"
                               "  - buffer: q\n"
                               "    capacity: 2\n"
                               "    to: m\n"
                               "  - machine: m\n"
                               "    process: 0.5\n"
                               "    to: %s\n"
                               "%s";

static void test_conveyor_ring_through_a_buffer(void)
{
    static const struct {
        const char *limit, *a_to, *m_to, *more;
        int warned, stalls;
    } cases[] = {
        {"", "q", "a", "", 1, 1},
        {"    limit: 5\n", "q", "a", "", 0, 0},
        {"    limit: 6\n", "q", "a", "", 1, 1},
        {"", "q", "{rule: first_free, among: [a, out]}", "  - sink: out\n", 1, 1},
        {"", "{rule: first_free, among: [q, out]}", "a", "  - sink: out\n", 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[sizeof loop_fmt + 128], diag[1024] = "";
        snprintf(text, sizeof text, loop_fmt, cases[i].limit, cases[i].a_to, cases[i].m_to,
                 cases[i].more);
        struct tsim_model *m = load(text, diag, sizeof diag);
        CHECK(m != NULL);
        const char *warn = strstr(diag, "warning: blocks ");
        if (cases[i].warned) {
            CHECK(warn != NULL);
            CHECK_STR(diag, cases[i].limit[0] ? "belt.yaml:7:5: warning: blocks 'a' -> 'q' -> 'm' "
                      "-> 'a' form a ring that 'in' feeds: from 6 entities in it on, it can fill, "
                      "each block waiting for the next for ever (a gridlock, which stops the run "
                      "with an error); let entities leave it (a 'first_free' route to a block "
                      "that takes every one) or fewer than 6 enter it\n"
                      : "belt.yaml:6:5: warning: blocks 'a' -> 'q' -> 'm' -> 'a' form a ring that "
                      "'in' feeds: from 6 entities in it on, it can fill, each block waiting for "
                      "the next for ever (a gridlock, which stops the run with an error); let "
                      "entities leave it (a 'first_free' route to a block that takes every one) or "
                      "fewer than 6 enter it\n");
        } else {
            CHECK_STR(diag, "");
        }
        if (!m) continue;
        int a = tsim_model_find_block(m, "a"), q = tsim_model_find_block(m, "q");
        int mm = tsim_model_find_block(m, "m");
        struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
        tsim_sim_run_until(sim, 500);
        uint64_t done = tsim_block_entered(sim, mm);
        uint64_t held = tsim_block_content(sim, a) + tsim_block_content(sim, q) +
                        tsim_block_content(sim, mm);
        if (cases[i].stalls) {
            CHECK_EQ(tsim_sim_status(sim), TSIM_ESTATE);
            CHECK(tsim_sim_now(sim) < 500);
            const char *err = tsim_sim_error(sim);
            CHECK(err && strstr(err, "gridlock at ") == err);
            CHECK(err && (strstr(err, " min: blocks 'a' -> 'q' -> 'm' -> 'a' are full") ||
                          strstr(err, " min: blocks 'q' -> 'm' -> 'a' -> 'q' are full") ||
                          strstr(err, " min: blocks 'm' -> 'a' -> 'q' -> 'm' are full")));
            CHECK_EQ(tsim_block_content(sim, a), 3);
            CHECK_EQ(tsim_block_content(sim, q), 2);
            CHECK_EQ(tsim_block_content(sim, mm), 1);
            CHECK_EQ(held, 6);
        } else {
            tsim_sim_run_until(sim, 1000);
            CHECK_EQ(tsim_sim_status(sim), 0);
            CHECK_NEAR(tsim_sim_now(sim), 1000, 0);
            CHECK(held <= 5);
            CHECK(tsim_block_entered(sim, mm) > done + 100);
        }
        tsim_sim_destroy(sim);
        tsim_model_destroy(m);
    }
}

/* The gridlock of a ring through a buffer and a machine, found at the instant it forms. Belt a
 * (length 5, speed 1, pitch 2: it holds 3, and takes an item 2 after the last) -> buffer q
 * (capacity 1) -> machine m (0.7) -> a, fed every 0.25 (the source holds what a refuses and
 * makes the next 0.25 after a takes it). Gridlocked it holds 3 + 1 + 1 = 5. By hand:
 * a takes E1 at 0.25, E2 at 2.25, E3 at 4.25 (the source refused at 0.5, 2.5, 4.5 and waiting
 * on a). E1 reaches the end at 5.25, passes the empty q to m, done at 5.95; a's entry is not
 * clear (E3 at 1.7), m waits on a. At 6.25 a's entry clears: the source, refused first, puts
 * E4 on; a holds 3, and refuses m again. E2 reaches the end at 7.25, enters q and waits for m.
 * At 8.25 (E4 two in) m puts E1 on (a holds 3 again), takes E2 from q, done at 8.95, refused by
 * a. E3 reaches the end at 9.25, enters q, waits for m. At 10.25 the source puts E5 on; m is
 * refused again. At 11.25 E4 reaches the end and q is full: a's front waits, and E1 (at 3) and
 * E5 (at 1) close up behind it at that instant (5 - 2 and 3 - 2): a holds 3, all queued, its
 * entry not clear; q holds E3 for m; m holds E2 for a. Gridlock at 11.25, named from a.
 * Variants: fed 4 only (limit 4 < 5), not warned of, it runs to the horizon with m at work;
 * not accumulating, a holds at least 1 gridlocked (its front item), so with limit 3 it is
 * warned of (3 >= 1 + 1 + 1) and its blocks are checked at every refusal, but 3 cannot fill it
 * (a stopped belt with one item has a clear entry): it runs to the horizon, never called
 * gridlocked. With failures {between: 5.6, repair: 10}, m fails at 5.6 in E1's work (0.35 of
 * it left) and is down until 15.6: meanwhile E2 waits in q (7.25), a takes E4 (6.25) and E5
 * (8.25), and at 9.25 E3 is refused by q with E4 and E5 closing up behind it, all at rest. The
 * ring is full but m's repair will move it: not a gridlock, the run goes on. At 15.6 m resumes,
 * finishes E1 at 15.95 and is refused by a: gridlock at 15.95. */
static const char machine_ring_fmt[] = "name: loop\n"
                                       "blocks:\n"
                                       "  - source: in\n"
                                       "    interarrival: 0.25\n"
                                       "%s"
                                       "    to: a\n"
                                       "  - conveyor: a\n"
                                       "    length: 5\n"
                                       "    speed: 1\n"
                                       "    spacing: 2\n"
                                       "    accumulating: %s\n"
                                       "    to: q\n"
                                       "  - buffer: q\n"
                                       "    capacity: 1\n"
                                       "    to: m\n"
                                       "  - machine: m\n"
                                       "    process: 0.7\n"
                                       "%s"
                                       "    to: a\n";

static void test_conveyor_ring_gridlock_through_a_machine(void)
{
    static const struct {
        const char *limit, *acc, *more;
        int warned;
        double at; /* the gridlock's instant; 0: none */
    } cases[] = {
        {"", "true", "", 1, 11.25},
        {"    limit: 4\n", "true", "", 0, 0},
        {"    limit: 3\n", "false", "", 1, 0},
        {"", "true", "    failures: {between: 5.6, repair: 10}\n", 1, 15.95},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[sizeof machine_ring_fmt + 128], diag[1024] = "";
        snprintf(text, sizeof text, machine_ring_fmt, cases[i].limit, cases[i].acc,
                 cases[i].more);
        struct tsim_model *m = load(text, diag, sizeof diag);
        CHECK(m != NULL);
        CHECK((strstr(diag, "warning: blocks 'a' -> 'q' -> 'm' -> 'a' form a ring") != NULL) ==
              cases[i].warned);
        if (!m) continue;
        int a = tsim_model_find_block(m, "a"), q = tsim_model_find_block(m, "q");
        int mm = tsim_model_find_block(m, "m");
        struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
        if (cases[i].more[0]) {
            /* Down from 5.6 to 15.6, the ring full from 9.25: no gridlock yet. */
            tsim_sim_run_until(sim, 15.9);
            CHECK_EQ(tsim_sim_status(sim), 0);
            CHECK_NEAR(tsim_sim_now(sim), 15.9, 1e-9);
            CHECK_EQ(tsim_block_content(sim, a) + tsim_block_content(sim, q) +
                         tsim_block_content(sim, mm), 5);
            CHECK_EQ(tsim_block_entered(sim, mm), 1); /* E1 only, not finished */
        }
        tsim_sim_run_until(sim, 1000);
        if (cases[i].at > 0) {
            CHECK_EQ(tsim_sim_status(sim), TSIM_ESTATE);
            CHECK_NEAR(tsim_sim_now(sim), cases[i].at, 1e-9);
            CHECK_EQ(tsim_block_content(sim, a), 3);
            CHECK_EQ(tsim_block_content(sim, q), 1);
            CHECK_EQ(tsim_block_content(sim, mm), 1);
            char want[200];
            snprintf(want, sizeof want, "gridlock at %.10g min: blocks '%s", cases[i].at,
                     cases[i].more[0] ? "m' -> 'a' -> 'q' -> 'm'" : "a' -> 'q' -> 'm' -> 'a'");
            const char *err = tsim_sim_error(sim);
            CHECK(err && strstr(err, want) == err);
            CHECK(err && strstr(err, "' are full, each waiting for the next (a ring that filled: "
                                     "let entities leave it or feed it less)") != NULL);
            if (err && getenv("TSIM_TEST_VERBOSE")) fprintf(stderr, "%s\n", err);
        } else {
            CHECK_EQ(tsim_sim_status(sim), 0);
            CHECK_NEAR(tsim_sim_now(sim), 1000, 0);
            uint64_t done = tsim_block_entered(sim, mm);
            tsim_sim_run_until(sim, 1100);
            CHECK(tsim_block_entered(sim, mm) > done + 10); /* m still at work */
        }
        tsim_sim_destroy(sim);
        tsim_model_destroy(m);
    }
}

/* Conveyor-serviced stations without storage (Pritsker): Poisson items (lambda = 2) ride belt 1,
 * and at its end take station 1 if its one server is idle, else ride belt 2 to station 2, and so
 * on; what finds station 3 busy too leaves unserved. Service is exponential (mu = 1). Station j
 * sees only the items every station before it turned away, shifted in time by the belts' fixed
 * transit, and a shift changes no long-run fraction, so the share of items that pass stations 1
 * to j unserved is Erlang B(j, lambda / mu), as with no belts: B(1, 2) = 2/3, B(2, 2) = 2/5 and
 * B(3, 2) = 4/19 = 0.2105. Each of 20 replications (seed 15, 20,000 items, run until empty) gives
 * its shares; the check is |mean - B| <= the 99.9% t half-width over the replications (items of
 * one replication are correlated, so the replications, not the items, are the samples) + an
 * allowance of 10 / 20,000 for the start from empty, where the first items find idle stations
 * (a few service times at 2 items a time unit). A model that served items waiting at a busy
 * station (a queue), or sent them on when a server was idle, would miss B by 0.1 or more. */
static void test_conveyor_serviced_stations_erlang_b(void)
{
    static const char yaml[] = "name: belt\n"
                               "blocks:\n"
                               "  - source: in\n"
                               "    interarrival: exponential(0.5)\n"
                               "    limit: 20000\n"
                               "    to: belt\n"
                               "  - conveyor: belt\n"
                               "    length: 1\n"
                               "    speed: 1\n"
                               "    spacing: 0.0001\n"
                               "    accumulating: false\n"
                               "    to: {rule: first_free, among: [s1, belt2]}\n"
                               "  - conveyor: belt2\n"
                               "    length: 1\n"
                               "    speed: 1\n"
                               "    spacing: 0.0001\n"
                               "    accumulating: false\n"
                               "    to: {rule: first_free, among: [s2, belt3]}\n"
                               "  - conveyor: belt3\n"
                               "    length: 1\n"
                               "    speed: 1\n"
                               "    spacing: 0.0001\n"
                               "    accumulating: false\n"
                               "    to: {rule: first_free, among: [s3, unserved]}\n"
                               "  - machine: s1\n"
                               "    process: exponential(1)\n"
                               "    to: served\n"
                               "  - machine: s2\n"
                               "    process: exponential(1)\n"
                               "    to: served\n"
                               "  - machine: s3\n"
                               "    process: exponential(1)\n"
                               "    to: served\n"
                               "  - sink: served\n"
                               "  - sink: unserved\n";
    enum { REPS = 20, ITEMS = 20000 };
    char diag[512] = "";
    struct tsim_model *m = load(yaml, diag, sizeof diag);
    CHECK_STR(diag, "");
    if (!m) return;
    const int past[3] = {tsim_model_find_block(m, "belt2"), tsim_model_find_block(m, "belt3"),
                         tsim_model_find_block(m, "unserved")};
    const int served = tsim_model_find_block(m, "served");
    double share[3][REPS];
    struct tsim_sim *sim = tsim_sim_create(m, 15, 0);
    CHECK(sim != NULL);
    if (!sim) {
        tsim_model_destroy(m);
        return;
    }
    for (int i = 0; i < REPS; i++) {
        if (i > 0) tsim_sim_reset(sim, 15, (uint64_t)i);
        tsim_sim_run(sim);
        struct tsim_result r;
        tsim_result_init(&r);
        tsim_sim_result(sim, &r);
        /* Every item is served or leaves unserved. */
        CHECK_NEAR(kpi(&r, served, "entered") + kpi(&r, past[2], "entered"), ITEMS, 0);
        for (int j = 0; j < 3; j++) share[j][i] = kpi(&r, past[j], "entered") / ITEMS;
        tsim_result_release(&r);
    }
    tsim_sim_destroy(sim);
    const double a = 2, b1 = a / (1 + a), b2 = a * b1 / (2 + a * b1), b3 = a * b2 / (3 + a * b2);
    CHECK_NEAR(b3, 4.0 / 19, 1e-15);
    const double want[3] = {b1, b2, b3};
    for (int j = 0; j < 3; j++) {
        struct tsim_summary sm;
        tsim_summary_of(&sm, share[j], REPS, 0.999);
        double tol = sm.half_width + 10.0 / ITEMS;
        if (fabs(sm.mean - want[j]) > tol)
            fprintf(stderr, "  past %d stations: %.5f +- %.5f, Erlang B %.5f\n", j + 1, sm.mean,
                    sm.half_width, want[j]);
        CHECK(fabs(sm.mean - want[j]) <= tol);
    }
    tsim_model_destroy(m);
}

int main(void)
{
    RUN(test_conveyor_transit_is_length_over_speed);
    RUN(test_conveyor_capacity);
    RUN(test_conveyor_accumulates_by_hand);
    RUN(test_conveyor_stops_by_hand);
    RUN(test_conveyor_accumulation_length);
    RUN(test_conveyor_merge_and_divert);
    RUN(test_conveyor_item_length_by_product);
    RUN(test_conveyor_capacity_by_product);
    RUN(test_conveyor_item_length_bad_input);
    RUN(test_conveyor_bad_input);
    RUN(test_conveyor_through_the_api);
    RUN(test_conveyor_speed_change);
    RUN(test_conveyor_speed_schedule);
    RUN(test_conveyor_stopped_while_accumulating);
    RUN(test_conveyor_stopped_and_restarted);
    RUN(test_conveyor_speed_schedule_bad_input);
    RUN(test_conveyor_ring_gridlock);
    RUN(test_conveyor_ring_through_a_buffer);
    RUN(test_conveyor_ring_gridlock_through_a_machine);
    RUN(test_conveyor_serviced_stations_erlang_b);
    return CHECK_DONE();
}
