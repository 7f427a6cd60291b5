/*
 * Routing sheets and the setup matrix (src/logic/sheet.c, src/model/loadsheet.c, the sheet
 * side of src/blocks/station.c; docs/logic.md "Routing sheets"): a two-product shop whose
 * completion times are worked out by hand, the same shop continued by a clone, and the errors
 * of a wrong sheet or matrix.
 */
#include "check.h"
#include "twinsim.h"

#include <stdint.h>
#include <stdlib.h>

#include "model_text.h"

static struct tsim_model *load(const char *yaml) { return model_must_load(yaml, "sheets.yaml"); }

/* The first diagnostic of loading `yaml`, which must fail. */
static void load_error(const char *yaml, char *diag, size_t size)
{
    model_first_error(yaml, "sheets.yaml", diag, size);
}

/*
 * The hand case. Machines m1 and m2, each behind its queue (q1, q2); products a and b:
 *
 *     a: q1 3 (family x), then q2 2 (no family)
 *     b: q2 4 (family y), then q1 5 (family y)
 *
 * setup_matrix x -> y 1, y -> x 2 (SETUPS below). a1, a2, a3 arrive at 1, 2, 3 (a source's
 * first arrival is one interarrival time after 0), b1 at 2, a4 at 11. The machines' own
 * `process` (100) would show if a sheet's time were not used.
 *
 *   1  a1 on m1 (x, first: no setup) until 4        2  b1 on m2 (y, first) until 6
 *   4  a1 to q2 (m2 busy); a2 on m1 (x -> x) until 7
 *   6  b1 to q1 behind a3; a1 on m2 (no family) until 8
 *   7  a2 to q2; a3 on m1 until 10                   8  a1 done; a2 on m2 until 10
 *   10 a2 done; a3 on m2 until 12; b1 on m1: setup x -> y 1, then 5: until 16
 *   11 a4 to q1                                       12 a3 done
 *   16 b1 done; a4 on m1: setup y -> x 2, then 3: until 21; 21 a4 on m2 until 23
 *
 * So the sink sees a at 8, 10, 12, 23 and b at 16. Without the y -> x entry the machine's own
 * `setup` (0.5) applies: a4 on m1 16 .. 19.5, done at 21.5.
 */
#define SHOP(SETUPS, M1SETUP)                                                                 \
    "products: [a, b]\n"                                                                      \
    "sheets:\n"                                                                               \
    "  a: [{group: q1, process: 3, family: x}, {group: q2, process: 2}]\n"                    \
    "  b:\n"                                                                                  \
    "    - {group: q2, process: 4, family: y}\n"                                              \
    "    - {group: q1, process: 5, family: y}\n"                                              \
    "setup_matrix:\n" SETUPS                                                                  \
    "blocks:\n"                                                                               \
    "  - {source: sa, interarrival: 1, limit: 3, product: a, to: {rule: sheet, done: out}}\n" \
    "  - {source: sb, interarrival: 2, limit: 1, product: b, to: {rule: sheet, done: out}}\n" \
    "  - {source: sc, interarrival: 11, limit: 1, product: a, to: {rule: sheet, done: out}}\n"\
    "  - {buffer: q1, to: m1}\n"                                                              \
    "  - {machine: m1, process: 100," M1SETUP " to: {rule: sheet, done: out}}\n"              \
    "  - {buffer: q2, to: m2}\n"                                                              \
    "  - {machine: m2, process: 100, to: {rule: sheet, done: out}}\n"                         \
    "  - sink: out\n"

struct seen {
    int out, n;
    double t[16];
    int product[16];
};

static void observe(void *ctx, const struct tsim_obs *o)
{
    struct seen *s = ctx;
    if (o->kind == TSIM_OBS_ENTER && o->block == s->out && s->n < 16) {
        s->t[s->n] = o->t;
        s->product[s->n++] = o->product;
    }
}

static void check_out(const struct seen *s, const double *t, const int *product, int n)
{
    CHECK(s->n == n);
    for (int i = 0; i < n && i < s->n; i++) {
        CHECK_NEAR(s->t[i], t[i], 1e-9);
        CHECK(s->product[i] == product[i]);
    }
}

static void run_shop(const char *yaml, const double *t, const int *product, int n)
{
    struct tsim_model *m = load(yaml);
    if (!m) return;
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    CHECK(sim != NULL);
    if (!sim) {
        tsim_model_destroy(m);
        return;
    }
    struct seen s = {tsim_model_find_block(m, "out"), 0, {0}, {0}};
    tsim_sim_set_observer(sim, observe, &s);
    tsim_sim_run(sim);
    CHECK(tsim_sim_status(sim) == 0);
    check_out(&s, t, product, n);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

static void test_hand_shop(void)
{
    static const double t[] = {8, 10, 12, 16, 23};
    static const int p[] = {0, 0, 0, 1, 0};
    run_shop(SHOP("  - {from: x, to: y, time: 1}\n  - {from: y, to: x, time: 2}\n", ""), t, p,
             5);
    /* y -> x from the machine's own setup */
    static const double t2[] = {8, 10, 12, 16, 21.5};
    run_shop(SHOP("  - {from: x, to: y, time: 1}\n", " setup: 0.5,"), t2, p, 5);
}

/* A clone taken at 9 (a1 done, a2 on m2, a3 on m1, b1 waiting for its second operation)
 * continues as the original: the steps live in the sim's plain data. */
static void test_clone(void)
{
    struct tsim_model *m =
        load(SHOP("  - {from: x, to: y, time: 1}\n  - {from: y, to: x, time: 2}\n", ""));
    if (!m) return;
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    tsim_sim_run_until(sim, 9);
    struct tsim_sim *c = tsim_sim_clone(sim);
    CHECK(c != NULL);
    struct seen s = {tsim_model_find_block(m, "out"), 0, {0}, {0}};
    tsim_sim_set_observer(c, observe, &s);
    tsim_sim_run(c);
    tsim_sim_run(sim);
    static const double t[] = {10, 12, 16, 23};
    static const int p[] = {0, 0, 1, 0};
    check_out(&s, t, p, 4);
    CHECK(tsim_sim_fingerprint(c) == tsim_sim_fingerprint(sim));
    tsim_sim_destroy(c);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/*
 * A buffer's rule reads the sheet (features of docs/logic.md): p (5) holds machine m from 0.5 to
 * 5.5 while a (one operation of 1: work 1, ops 1) arrives at 1 and b (1 here, then 3 at r:
 * work 4, ops 2) at 2. At 5.5 MWKR and MOPNR serve b first (a done at 7.5), LWKR and FIFO a
 * (a done at 6.5): with the buffer's own features (work = proc = 1, ops = 1) every rule would
 * tie and serve a first.
 */
#define RULED(RULE)                                                                        \
    "products: [p, a, b]\n"                                                                \
    "sheets:\n"                                                                            \
    "  p: [{group: q, process: 5}]\n"                                                      \
    "  a: [{group: q, process: 1}]\n"                                                      \
    "  b: [{group: q, process: 1}, {group: r, process: 3}]\n"                              \
    "blocks:\n"                                                                            \
    "  - {source: sp, interarrival: 0.5, limit: 1, product: p, to: {rule: sheet, done: out}}\n" \
    "  - {source: sa, interarrival: 1, limit: 1, product: a, to: {rule: sheet, done: out}}\n" \
    "  - {source: sb, interarrival: 2, limit: 1, product: b, to: {rule: sheet, done: out}}\n" \
    "  - {buffer: q, rule: " RULE ", to: m}\n"                                              \
    "  - {machine: m, process: 100, to: {rule: sheet, done: out}}\n"                       \
    "  - {buffer: r, to: m2}\n"                                                            \
    "  - {machine: m2, process: 100, to: {rule: sheet, done: out}}\n"                      \
    "  - sink: out\n"

static void test_buffer_rules(void)
{
    static const int p[] = {0, 1, 2};
    static const double first_b[] = {5.5, 7.5, 9.5};
    static const double first_a[] = {5.5, 6.5, 10.5};
    const char *rules_b[] = {"MWKR", "MOPNR", "'weighted(work=-1)'"};
    for (int i = 0; i < 3; i++) {
        char yaml[4000];
        snprintf(yaml, sizeof yaml, RULED("%s"), rules_b[i]);
        run_shop(yaml, first_b, p, 3);
    }
    const char *rules_a[] = {"LWKR", "FIFO", "'weighted(ops=1)'"};
    for (int i = 0; i < 3; i++) {
        char yaml[4000];
        snprintf(yaml, sizeof yaml, RULED("%s"), rules_a[i]);
        run_shop(yaml, first_a, p, 3);
    }
}

#define HEAD "products: [a, b]\n"
#define BLOCKS                                                                           \
    "blocks:\n"                                                                          \
    "  - {source: s, interarrival: 1, product: a, to: {rule: sheet, done: out}}\n"       \
    "  - {buffer: q1, to: m1}\n"                                                         \
    "  - {machine: m1, process: 1, to: {rule: sheet, done: out}}\n"                      \
    "  - sink: out\n"

static void expect(const char *yaml, const char *want)
{
    char diag[2000];
    load_error(yaml, diag, sizeof diag);
    if (!strstr(diag, want)) fprintf(stderr, "got:  %s\nwant: %s\n", diag, want);
    CHECK(strstr(diag, want) != NULL);
}

static void test_sheet_errors(void)
{
    expect(HEAD "sheets:\n  a: [{group: q2, process: 1}]\n" BLOCKS,
           "sheets.yaml:3:15: error: routing sheet names undefined group 'q2' (did you mean "
           "'q1'?)");
    expect(HEAD "sheets:\n  a: []\n" BLOCKS,
           "sheets.yaml:3:3: error: routing sheet of 'a' is empty");
    expect(HEAD "sheets:\n  c: [{group: q1, process: 1}]\n" BLOCKS,
           "sheets.yaml:3:3: error: routing sheet of undefined product 'c'");
    expect(HEAD "sheets:\n  a: [{group: out, process: 1}]\n" BLOCKS,
           "group 'out' of a routing sheet is a sink");
    expect(HEAD "sheets:\n  a: [{group: q1}]\n" BLOCKS, "operation has no 'process'");
    expect(HEAD "sheets:\n  a: [{group: q1, process: 1, famly: x}]\n" BLOCKS,
           "unknown key 'famly' in an operation (did you mean 'family'?)");
    expect(HEAD "sheets:\n  a: [{group: q1, process: -1}]\n" BLOCKS, "negative");
    expect(HEAD BLOCKS, "rule 'sheet' but the model has no routing sheets");
    expect(HEAD "sheets:\n  a: [{group: q1, process: 1, family: x}]\n"
                "setup_matrix:\n  - {from: x, to: z, time: 1}\n" BLOCKS,
           "sheets.yaml:5:19: error: setup family 'z' is in no routing sheet");
    expect(HEAD "sheets:\n  a: [{group: q1, process: 1, family: x}]\n"
                "setup_matrix:\n  - {from: x, to: x, time: 1}\n" BLOCKS,
           "from 'x' to itself");
    expect(HEAD "sheets:\n  a: [{group: q1, process: 1}]\n"
                "blocks:\n"
                "  - {source: s, interarrival: 1, product: a, to: {rule: sheet}}\n"
                "  - {buffer: q1, to: m1}\n"
                "  - {machine: m1, process: 1, to: out}\n"
                "  - sink: out\n",
           "rule 'sheet' needs 'done: BLOCK'");
}

int main(void)
{
    RUN(test_hand_shop);
    RUN(test_clone);
    RUN(test_buffer_rules);
    RUN(test_sheet_errors);
    return CHECK_DONE();
}
