/*
 * The order an entity carries out of a picking block (its order, lines and units, beside its due
 * time), and the KPIs it feeds: per product at a sink, per product in the picking block, and the
 * orders table. Three orders with deterministic times, every value worked out by hand; a clone
 * mid-run that ends the same; a slot a picking order left, taken by a source's entity, that
 * carries no order.
 */
#include "check.h"
#include "twinsim.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "model_text.h"
#include "twinsim_drivers.h"
#include "blocks/picking.h"
#include "blocks/sim.h"
#include "results/results.h"

static char tmpdir[64];
static char orders_path[128];

/* One picker, tours of one line, no walking: a line takes 1 + 0.5 a unit; packing takes 2.
 *   O1 (released 0, due 10): a x 2, b x 1: 2 lines, 3 units; O1/1 picked 0-2, O1/2 2-3.5;
 *       complete 3.5, packed 3.5-5.5, shipped 5.5, on time.
 *   O2 (released 1, due 5): c x 4: 1 line, 4 units; picked 3.5-6.5, complete 6.5, shipped 8.5,
 *       late.
 *   O3 (released 20, due 30): a x 1, c x 1, b x 5: 3 lines, 7 units; picked 20-21.5, 21.5-23,
 *       23-26.5; complete 26.5, shipped 28.5, on time.
 * An order's entity has its first line's product: O1 and O3 are a, O2 is c. */
static const char three_orders_csv[] = "order,line,product,quantity,release,due\n"
                                       "O1,1,a,2,0,10\n"
                                       "O1,2,b,1,0,10\n"
                                       "O2,1,c,4,1,5\n"
                                       "O3,1,a,1,20,30\n"
                                       "O3,2,c,1,20,30\n"
                                       "O3,3,b,5,20,30\n";

#define PICK_KEYS "    pick_line: 1\n    pick_unit: 0.5\n    pack_time: 2\n"

/* The model: the picking block `pick` reading the three orders, to sink `out`; `extra` adds
 * blocks (each line indented 2). */
static struct tsim_model *three_orders(const char *extra)
{
    FILE *f = fopen(orders_path, "wb");
    CHECK(f != NULL);
    if (!f) return NULL;
    fwrite(three_orders_csv, 1, sizeof three_orders_csv - 1, f);
    fclose(f);
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "name: dc\n"
             "products: [a, b, c]\n"
             "blocks:\n"
             "  - picking: pick\n"
             "    orders_file: %s\n" PICK_KEYS "    to: out\n"
             "  - sink: out\n"
             "%s",
             orders_path, extra);
    return model_must_load(yaml, "dc.yaml");
}

/* What the sink saw: each entity entering it, with the order it carried. */
struct seen {
    struct tsim_sim *sim;
    int pick, out;
    uint64_t picked[16]; /* ids of the entities the picking block made */
    int npicked;
    struct {
        uint64_t id;
        double t, due;
        int has, product;
        uint32_t block, order, lines;
        uint64_t units;
    } at[64];
    int n;
};

static void observe(void *ctx, const struct tsim_obs *o)
{
    struct seen *s = ctx;
    if (o->kind != TSIM_OBS_ENTER) return;
    if (o->block == s->pick && s->npicked < 16) s->picked[s->npicked++] = o->entity;
    if (o->block != s->out || s->n >= 64) return;
    struct tsim_sim *sim = s->sim;
    uint32_t e = TSIM__NIL; /* the entity, still alive while the sink notes it */
    for (uint32_t i = 0; i < sim->nents && e == TSIM__NIL; i++)
        if (sim->ents[i].id == o->entity) e = i;
    CHECK(e != TSIM__NIL);
    if (e == TSIM__NIL) return;
    const struct tsim__eorder *eo = tsim__eorder_of(sim, e);
    int k = s->n++;
    s->at[k].id = o->entity;
    s->at[k].t = o->t;
    s->at[k].product = o->product;
    s->at[k].due = sim->ents[e].due == TSIM__NEVER ? -1 : tsim__time(sim, sim->ents[e].due);
    s->at[k].has = eo != NULL;
    if (eo) {
        s->at[k].block = eo->block;
        s->at[k].order = eo->order;
        s->at[k].lines = eo->lines;
        s->at[k].units = eo->units;
    }
}

/* The three orders reach the sink at 5.5, 8.5 and 28.5 carrying their order, lines, units and
 * due time, named back to the file's ids. */
static void check_three(const struct tsim_model *m, const struct seen *s)
{
    static const char *const id[] = {"O1", "O2", "O3"};
    static const double t[] = {5.5, 8.5, 28.5}, due[] = {10, 5, 30};
    static const uint32_t lines[] = {2, 1, 3};
    static const uint64_t units[] = {3, 4, 7};
    static const int product[] = {0, 2, 0};
    CHECK(s->n == 3);
    for (int k = 0; k < s->n && k < 3; k++) {
        CHECK(s->at[k].has);
        CHECK(s->at[k].block == (uint32_t)s->pick);
        CHECK_STR(tsim__picking_order_id(m, s->pick, s->at[k].order), id[k]);
        CHECK(s->at[k].lines == lines[k]);
        CHECK(s->at[k].units == units[k]);
        CHECK_NEAR(s->at[k].t, t[k], 1e-9);
        CHECK_NEAR(s->at[k].due, due[k], 1e-9);
        CHECK(s->at[k].product == product[k]);
    }
}

/* The three orders' model with `extra` blocks, and a sim of it that `s` observes (s->sim). */
static struct tsim_model *observed(struct seen *s, const char *extra)
{
    struct tsim_model *m = three_orders(extra);
    if (!m) return NULL;
    *s = (struct seen){.pick = tsim_model_find_block(m, "pick"),
                       .out = tsim_model_find_block(m, "out")};
    s->sim = tsim_sim_create(m, 1, 0);
    tsim_sim_set_observer(s->sim, observe, s);
    return m;
}

static void test_order_on_entity(void)
{
    struct seen s;
    struct tsim_model *m = observed(&s, "");
    if (!m) return;
    tsim_sim_run(s.sim);
    check_three(m, &s);
    CHECK(s.npicked == 3);
    tsim_sim_destroy(s.sim);
    tsim_model_destroy(m);
}

/* A clone at 7, with O1 shipped, O2 being packed and O3 not yet come, carries the same orders to
 * the sink as the original; a reset sim (ids start again at 1) carries them again. */
static void test_order_on_entity_clone(void)
{
    struct seen s;
    struct tsim_model *m = observed(&s, "");
    if (!m) return;
    tsim_sim_run_until(s.sim, 7);
    CHECK(s.n == 1);
    struct seen c = s;
    c.sim = tsim_sim_clone(s.sim);
    tsim_sim_set_observer(c.sim, observe, &c);
    tsim_sim_run(c.sim);
    check_three(m, &c);
    tsim_sim_run(s.sim);
    check_three(m, &s);
    tsim_sim_destroy(c.sim);
    s.n = s.npicked = 0;
    tsim_sim_reset(s.sim, 1, 0);
    tsim_sim_run(s.sim);
    check_three(m, &s);
    tsim_sim_destroy(s.sim);
    tsim_model_destroy(m);
}

/* A source's parts share the sink and take the slots the orders left: they carry no order. The
 * source makes one every 3 from 3 to 45 (15 parts); the orders' entities are freed at 5.5, 8.5
 * and 28.5, so later parts are made in their slots. */
static void test_order_slot_reused(void)
{
    struct seen s;
    struct tsim_model *m = observed(&s, "  - source: parts\n"
                                        "    interarrival: 3\n"
                                        "    limit: 15\n"
                                        "    product: b\n"
                                        "    to: out\n");
    if (!m) return;
    tsim_sim_run(s.sim);
    CHECK(s.n == 18);
    int orders = 0, parts = 0;
    for (int k = 0; k < s.n; k++) {
        int picked = 0;
        for (int i = 0; i < s.npicked; i++) picked |= s.picked[i] == s.at[k].id;
        CHECK(s.at[k].has == picked);
        orders += picked;
        parts += !picked;
    }
    CHECK(orders == 3);
    CHECK(parts == 15);
    CHECK(s.sim->cap_ents >= 1 && s.sim->nents < 8); /* slots were reused */
    tsim_sim_destroy(s.sim);
    tsim_model_destroy(m);
}

/* A model without a picking block keeps no table. */
static void test_order_table_absent(void)
{
    struct tsim_model *m = model_must_load("name: line\n"
                                           "blocks:\n"
                                           "  - source: in\n"
                                           "    interarrival: 1\n"
                                           "    limit: 10\n"
                                           "    to: out\n"
                                           "  - sink: out\n",
                                           "line.yaml");
    if (!m) return;
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    tsim_sim_run(sim);
    CHECK(sim->eorders == NULL);
    CHECK(tsim__eorder_of(sim, 0) == NULL);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* The sink's KPIs by product: a has O1 and O3 (lead times 5.5 and 8.5, units 3 + 7), c has O2
 * (lead time 7.5, 4 units), b none. The picking block's lines and units by product over the
 * 28.5 minutes: a has 2 lines of 2 + 1 units, b 2 of 1 + 5, c 2 of 4 + 1. */
static void test_order_product_kpis(void)
{
    struct tsim_model *m = three_orders("");
    if (!m) return;
    int pick = tsim_model_find_block(m, "pick"), out = tsim_model_find_block(m, "out");
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    struct tsim_result r;
    run_to_end(sim, &r);
    CHECK_NEAR(tsim_sim_now(sim), 28.5, 1e-9);
    static const double count[] = {2, 0, 1}, lead[] = {7, 0, 7.5}, units[] = {10, 0, 4};
    static const double lines[] = {2, 2, 2}, picked[] = {3, 6, 5};
    static const char *const name[] = {"a", "b", "c"};
    for (int p = 0; p < 3; p++) {
        char k[64];
        snprintf(k, sizeof k, "products.%s.count", name[p]);
        CHECK_NEAR(kpi(&r, out, k), count[p], 0);
        snprintf(k, sizeof k, "products.%s.lead_time", name[p]);
        CHECK_NEAR(kpi(&r, out, k), lead[p], 1e-9);
        snprintf(k, sizeof k, "products.%s.units", name[p]);
        CHECK_NEAR(kpi(&r, out, k), units[p], 0);
        snprintf(k, sizeof k, "products.%s.lines_per_hour", name[p]);
        CHECK_NEAR(kpi(&r, pick, k), lines[p] * 60 / 28.5, 1e-9);
        snprintf(k, sizeof k, "products.%s.units_per_hour", name[p]);
        CHECK_NEAR(kpi(&r, pick, k), picked[p] * 60 / 28.5, 1e-9);
    }
    /* the sink's own KPIs by product end there; the system's stay lead time and throughput */
    CHECK(tsim_result_find(&r, TSIM_KPI_SYSTEM, "products.a.count") == NULL);
    CHECK(tsim_result_find(&r, TSIM_KPI_SYSTEM, "products.a.lead_time") != NULL);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* Drawn orders of a product mix, run until every one has shipped: the sink's counts and units by
 * product add up to its entries and to the orders' units, and the picking block's lines and
 * units per hour by product to its own, since without `stock` no line is short. */
static void test_order_product_sums(void)
{
    struct tsim_model *m = model_must_load("name: gen\n"
                                           "products: [a, b, c]\n"
                                           "blocks:\n"
                                           "  - picking: pick\n"
                                           "    order_interarrival: exponential(2)\n"
                                           "    order_limit: 500\n"
                                           "    order_lines: uniform(0.5, 6.5)\n"
                                           "    line_units: uniform(0.5, 4.5)\n"
                                           "    product: {a: 0.5, b: 0.3, c: 0.2}\n"
                                           "    pickers: 3\n"
                                           "    tour_lines: 5\n"
                                           "    pick_line: 0.2\n"
                                           "    pack_time: 1\n"
                                           "    to: out\n"
                                           "  - sink: out\n",
                                           "gen.yaml");
    if (!m) return;
    int pick = tsim_model_find_block(m, "pick"), out = tsim_model_find_block(m, "out");
    struct tsim_sim *sim = tsim_sim_create(m, 7, 0);
    struct tsim_result r;
    run_to_end(sim, &r);
    double n = 0, u = 0, lph = 0, uph = 0;
    for (const char *p = "abc"; *p; p++) {
        char k[64];
        snprintf(k, sizeof k, "products.%c.count", *p);
        CHECK(kpi(&r, out, k) > 0);
        n += kpi(&r, out, k);
        snprintf(k, sizeof k, "products.%c.units", *p);
        u += kpi(&r, out, k);
        snprintf(k, sizeof k, "products.%c.lines_per_hour", *p);
        CHECK(kpi(&r, pick, k) > 0);
        lph += kpi(&r, pick, k);
        snprintf(k, sizeof k, "products.%c.units_per_hour", *p);
        uph += kpi(&r, pick, k);
    }
    CHECK_NEAR(kpi(&r, out, "entered"), 500, 0);
    CHECK_NEAR(n, 500, 0);
    CHECK_NEAR(u, kpi(&r, pick, "units_picked"), 0);
    CHECK_NEAR(lph, kpi(&r, pick, "lines_per_hour"), 1e-9 * lph);
    CHECK_NEAR(uph, kpi(&r, pick, "units_per_hour"), 1e-9 * uph);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* A one-product model with a picking block keeps its product's KPIs; the same line without the
 * picking block keeps none, as before. */
static void test_order_one_product(void)
{
    struct tsim_model *m = model_must_load("name: gen\n"
                                           "products: [a]\n"
                                           "blocks:\n"
                                           "  - picking: pick\n"
                                           "    order_interarrival: 1\n"
                                           "    order_limit: 4\n"
                                           "    line_units: 3\n"
                                           "    to: out\n"
                                           "  - sink: out\n",
                                           "one.yaml");
    if (!m) return;
    int out = tsim_model_find_block(m, "out");
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    struct tsim_result r;
    run_to_end(sim, &r);
    CHECK_NEAR(kpi(&r, out, "products.a.count"), 4, 0);
    CHECK_NEAR(kpi(&r, out, "products.a.units"), 12, 0);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
    m = model_must_load("name: line\n"
                        "products: [a]\n"
                        "blocks:\n"
                        "  - source: in\n"
                        "    interarrival: 1\n"
                        "    limit: 4\n"
                        "    to: out\n"
                        "  - sink: out\n",
                        "line.yaml");
    if (!m) return;
    sim = tsim_sim_create(m, 1, 0);
    run_to_end(sim, &r);
    CHECK(tsim_result_find(&r, tsim_model_find_block(m, "out"), "products.a.lead_time") == NULL);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* The orders table of `sim` (3 rows) equals `want`; NaN stands for none. */
static void check_rows(const struct tsim_sim *sim, int pick, const double want[3][4])
{
    static const char *const id[] = {"O1", "O2", "O3"};
    static const uint32_t lines[] = {2, 1, 3};
    static const uint64_t units[] = {3, 4, 7};
    CHECK(tsim__picking_orders(sim, pick) == 3);
    for (uint32_t o = 0; o < 3; o++) {
        struct tsim__order_row row;
        tsim__picking_order_row(sim, pick, o, &row);
        CHECK_STR(row.block, "pick");
        CHECK_STR(row.id, id[o]);
        CHECK(row.index == o);
        CHECK(row.lines == lines[o]);
        CHECK(row.units == units[o]);
        const double got[4] = {row.release, row.complete, row.shipped, row.due};
        for (int k = 0; k < 4; k++) {
            CHECK(isnan(got[k]) == isnan(want[o][k]));
            if (!isnan(want[o][k])) CHECK_NEAR(got[k], want[o][k], 1e-9);
        }
    }
}

/* The table by hand (release, complete, shipped, due), at 7 and at the end; a clone made at 7
 * has the same table then, and ends with the same table as the original. */
static void test_order_rows(void)
{
    const double at7[3][4] = {{0, 3.5, 5.5, 10}, {1, 6.5, NAN, 5}, {NAN, NAN, NAN, 30}};
    const double end[3][4] = {{0, 3.5, 5.5, 10}, {1, 6.5, 8.5, 5}, {20, 26.5, 28.5, 30}};
    struct tsim_model *m = three_orders("");
    if (!m) return;
    int pick = tsim_model_find_block(m, "pick");
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    tsim_sim_run_until(sim, 7);
    check_rows(sim, pick, at7);
    struct tsim_sim *clone = tsim_sim_clone(sim);
    check_rows(clone, pick, at7);
    tsim_sim_run(clone);
    check_rows(clone, pick, end);
    tsim_sim_run(sim);
    check_rows(sim, pick, end);
    static const int on_time[] = {1, 0, 1}; /* O2 shipped at 8.5, due 5 */
    for (uint32_t o = 0; o < 3; o++) {
        struct tsim__order_row row;
        tsim__picking_order_row(sim, pick, o, &row);
        CHECK(tsim__order_on_time(&row) == on_time[o]);
    }
    tsim_sim_destroy(clone);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* With a stock of 3 units a product (`stock: 3`), lines are short and count as found: a line
 * takes 1 + 0.5 a unit found.
 *   O1: a x 2 finds 2 (a: 1 left), 0-2; b x 1 finds 1 (b: 2 left), 2-3.5; shipped 5.5.
 *   O2: c x 4 finds 3 (1 short), 3.5-6; shipped 8.
 *   O3 (20): a x 1 finds 1, 20-21.5; c x 1 finds 0 (1 short), 21.5-22.5; b x 5 finds 2 (3 short),
 *       22.5-24.5; shipped 26.5.
 * Units found by product: a 2 + 1, b 1 + 2, c 3 + 0: 3 each, 9 in all (ordered: 3, 6, 5); 3
 * stock-outs of 5 units; two lines a product. The by-product units add up to units_picked. */
static void test_order_product_short(void)
{
    struct tsim_model *m = three_orders("");
    if (!m) return;
    int pick = tsim_model_find_block(m, "pick");
    CHECK(tsim_model_set_param(m, "pick.stock", "3") == 0);
    CHECK(tsim_model_validate(m) == 0);
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    struct tsim_result r;
    run_to_end(sim, &r);
    CHECK_NEAR(tsim_sim_now(sim), 26.5, 1e-9);
    CHECK_NEAR(kpi(&r, pick, "units_picked"), 9, 0);
    CHECK_NEAR(kpi(&r, pick, "units_short"), 5, 0);
    CHECK_NEAR(kpi(&r, pick, "stockouts"), 3, 0);
    double uph = 0;
    for (const char *p = "abc"; *p; p++) {
        char k[64];
        snprintf(k, sizeof k, "products.%c.units_per_hour", *p);
        CHECK_NEAR(kpi(&r, pick, k), 3 * 60 / 26.5, 1e-9);
        uph += kpi(&r, pick, k);
        snprintf(k, sizeof k, "products.%c.lines_per_hour", *p);
        CHECK_NEAR(kpi(&r, pick, k), 2 * 60 / 26.5, 1e-9);
    }
    CHECK_NEAR(uph, kpi(&r, pick, "units_per_hour"), 1e-9);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* Drawn orders, so that each replication has its own table: 12 orders, a minute apart on
 * average, of 1 to 3 lines. */
static const char drawn_orders_yaml[] = "name: gen\n"
                                        "products: [a, b]\n"
                                        "blocks:\n"
                                        "  - picking: pick\n"
                                        "    order_interarrival: exponential(1)\n"
                                        "    order_limit: 12\n"
                                        "    order_lines: uniform(0.5, 3.5)\n"
                                        "    line_units: uniform(0.5, 4.5)\n"
                                        "    due: 5\n"
                                        "    pick_line: exponential(0.4)\n"
                                        "    pack_time: 1\n"
                                        "    to: out\n"
                                        "  - sink: out\n";

/* The orders table the collector kept of replication `rep` of 3, seed 5, on 2 threads: the rows
 * into `rows` (at most 12), their count returned. The report is built as `twinsim run` builds it
 * (drivers.c); its rows are read from the internal report, its first member. */
static size_t kept_table(const struct tsim_model *m, uint64_t rep, struct tsim__order_row *rows)
{
    struct tsim_collect *c = tsim_collect_create(3, NULL);
    CHECK(c != NULL);
    if (!c) return 0;
    tsim_collect_keep_orders(c, rep);
    struct tsim_run_opts o = {.seed = 5, .replications = 3, .threads = 2};
    CHECK(tsim_collect_run(c, m, &o, NULL) == 0);
    struct tsim_report *r = tsim_collect_report(c, m, &o, 0, 0);
    CHECK(r != NULL);
    size_t n = 0;
    if (r) {
        const struct tsim__report *ir = (const struct tsim__report *)r;
        CHECK(ir->orders_rep == rep);
        n = ir->norders < 12 ? ir->norders : 12;
        for (size_t i = 0; i < n; i++) rows[i] = ir->orders[i];
        CHECK(ir->norders == 12);
    }
    tsim_report_destroy(r);
    tsim_collect_destroy(c);
    return n;
}

static int same_time(double a, double b) { return (isnan(a) && isnan(b)) || a == b; }

/* The table of replication 2 is that of a sim of (seed 5, replication 2) run alone, row for row
 * and bit for bit, and not replication 0's (12 drawn orders: their release times differ). */
static void test_order_rows_replication(void)
{
    struct tsim_model *m = model_must_load(drawn_orders_yaml, "gen.yaml");
    if (!m) return;
    int pick = tsim_model_find_block(m, "pick");
    struct tsim__order_row r2[12], r0[12];
    size_t n2 = kept_table(m, 2, r2), n0 = kept_table(m, 0, r0);
    struct tsim_sim *sim = tsim_sim_create(m, 5, 2);
    tsim_sim_run(sim);
    CHECK(tsim__picking_orders(sim, pick) == n2);
    int differ = 0;
    for (uint32_t o = 0; o < n2 && o < tsim__picking_orders(sim, pick); o++) {
        struct tsim__order_row want;
        tsim__picking_order_row(sim, pick, o, &want);
        CHECK(r2[o].index == o);
        CHECK(!isnan(r2[o].shipped)); /* every order shipped: the rows are whole */
        CHECK(same_time(r2[o].release, want.release));
        CHECK(same_time(r2[o].complete, want.complete));
        CHECK(same_time(r2[o].shipped, want.shipped));
        CHECK(same_time(r2[o].due, want.due));
        CHECK(r2[o].lines == want.lines);
        CHECK(r2[o].units == want.units);
        if (o < n0) differ |= r0[o].release != r2[o].release;
    }
    CHECK(n0 == 12);
    CHECK(differ);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tsim-orderdata-XXXXXX");
    if (!mkdtemp(tmpdir)) return 1;
    snprintf(orders_path, sizeof orders_path, "%s/orders.csv", tmpdir);
    RUN(test_order_on_entity);
    RUN(test_order_on_entity_clone);
    RUN(test_order_slot_reused);
    RUN(test_order_table_absent);
    RUN(test_order_product_kpis);
    RUN(test_order_product_sums);
    RUN(test_order_product_short);
    RUN(test_order_one_product);
    RUN(test_order_rows);
    RUN(test_order_rows_replication);
    unlink(orders_path);
    rmdir(tmpdir);
    return check_total_failed_ ? 1 : 0;
}
