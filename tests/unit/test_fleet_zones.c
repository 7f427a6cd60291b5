/*
 * Zone control of fleets beyond the node capacities of test_fleet.c: the deadlock rule that lets
 * the run go on (`deadlock: back_off`) and its `deadlocks` KPI, every time computed by hand.
 */
#include "blocks/fleet.h"
#include "blocks/network.h"
#include "check.h"
#include "twinsim.h"

#include <stdlib.h>

#include "model_text.h"

static struct tsim_model *load(const char *text, char *diag, size_t size)
{
    return model_from_text(text, "zones.yaml", diag, size);
}

/* test_fleet.c's corridor H - D - c - P (lengths 1, 2, 2, both ways), one vehicle per node, two
 * at home H; speed 1, load 1, idle: home; requests at P at 6 and 12, carried to D. `fleet_extra`
 * goes at the end of the fleet's keys. */
static void corridor(char *text, size_t size, const char *fleet_extra)
{
    snprintf(text, size,
             "name: corridor\n"
             "time_unit: min\n"
             "blocks:\n"
             "  - source: in\n"
             "    interarrival: 6\n"
             "    limit: 2\n"
             "    to: amr\n"
             "  - fleet: amr\n"
             "    count: 2\n"
             "    speed: 1\n"
             "    load: 1\n"
             "    idle: home\n"
             "%s"
             "    to: out\n"
             "  - sink: out\n"
             "network:\n"
             "  nodes: [H, D, c, P]\n"
             "  segments:\n"
             "    - {from: H, to: D, length: 1}\n"
             "    - {from: D, to: c, length: 2}\n"
             "    - {from: c, to: P, length: 2}\n"
             "  at: {in: P, amr: H, out: D}\n"
             "  node_capacity: 1\n"
             "  zones: {H: 2}\n",
             fleet_extra);
}

/* Replaces the first `old` in `text` (which has room for `size` bytes) by `new`. */
static void replace(char *text, size_t size, const char *old, const char *new)
{
    char *p = strstr(text, old);
    CHECK(p != NULL);
    if (!p) return;
    size_t lo = strlen(old), ln = strlen(new), rest = strlen(p + lo) + 1;
    CHECK((size_t)(p - text) + ln + rest <= size);
    memmove(p + ln, p + lo, rest);
    memcpy(p, new, ln);
}

/* The run of `text` to its end; NULL when it does not load. */
static struct tsim_sim *run(const char *text, struct tsim_model **m)
{
    struct tsim_sim *sim = sim_from_text(text, "zones.yaml", m);
    if (sim) tsim_sim_run(sim);
    return sim;
}

/* The run of `text` must stop with error `want` (a deadlock's message). */
static void expect_stop(const char *text, const char *want)
{
    struct tsim_model *m;
    struct tsim_sim *sim = run(text, &m);
    CHECK(sim != NULL);
    if (sim) {
        CHECK_EQ(tsim_sim_status(sim), TSIM_ESTATE);
        const char *e = tsim_sim_error(sim);
        CHECK_STR(e ? e : "", want);
    }
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* A run of a model to its end that must end cleanly: its model, sim, result and fleet 'amr'. */
struct zrun {
    struct tsim_model *m;
    struct tsim_sim *sim;
    struct tsim_result r;
    int f;
};

/* Runs `text` into `z`; 0 when it did not load (then nothing is left to close). */
static int zrun_open(struct zrun *z, const char *text)
{
    z->sim = run(text, &z->m);
    if (!z->sim) {
        tsim_model_destroy(z->m);
        return 0;
    }
    CHECK_EQ(tsim_sim_status(z->sim), 0);
    if (tsim_sim_error(z->sim)) printf("  %s\n", tsim_sim_error(z->sim));
    z->f = tsim_model_find_block(z->m, "amr");
    tsim_result_init(&z->r);
    tsim_sim_result(z->sim, &z->r);
    return 1;
}

static void zrun_close(struct zrun *z)
{
    tsim_result_release(&z->r);
    tsim_sim_destroy(z->sim);
    tsim_model_destroy(z->m);
}

/* With `deadlock: stop` written out, the corridor stops as without the key (test_fleet.c). */
static void test_fleet_deadlock_stop(void)
{
    char text[2048];
    corridor(text, sizeof text, "    deadlock: stop\n");
    expect_stop(text, "deadlock at 14 min: amr 1 at 'c' waits for 'D' held by amr 2, "
                "amr 2 at 'D' waits for 'c' held by amr 1");
}

/* The corridor with `deadlock: back_off`:
 *   amr 1 takes r1 at 6: H->D->c->P, at P 11, loaded 12, enters P->c: at c 14.
 *   amr 2 takes r2 at 12: at D 13; wants c, held by amr 1 (driving): waits (zone wait 1).
 *   At 14 amr 1 at c wants D, held by amr 2 (zone wait 2): the deadlock (1). Both could back
 *     off (P and H have room); amr 2, the higher number, drives back D->H, to H at 15.
 *   15: amr 2 gives D back; amr 1 enters c->D (at D 17). amr 2 at H wants D again, held by
 *     amr 1 driving there: waits (zone wait 3), no deadlock.
 *   17: amr 1 delivers r1 (11 after its request), drives home D->H (H holds 2): at H 18.
 *   18: D is free; amr 2 drives H->D->c->P, at P 23, loaded 24, P->c->D at 28: delivers r2
 *     (16 after its request), home at 29, the end of the run.
 * Zone waits: amr 2 13-14 and 15-18, amr 1 14-15: 5 of 2 x 29 vehicle-minutes. */
static void test_fleet_deadlock_back_off(void)
{
    char text[2048];
    corridor(text, sizeof text, "    deadlock: back_off\n");
    struct zrun z;
    if (!zrun_open(&z, text)) return;
    CHECK_NEAR(tsim_sim_now(z.sim), 29, 1e-9);
    CHECK_NEAR(kpi(&z.r, TSIM_KPI_SYSTEM, "completed"), 2, 0);
    CHECK_NEAR(kpi(&z.r, z.f, "deliveries"), 2, 0);
    CHECK_NEAR(kpi(&z.r, z.f, "deadlocks"), 1, 0);
    CHECK_NEAR(kpi(&z.r, z.f, "zone_waits"), 3, 0);
    CHECK_NEAR(kpi(&z.r, z.f, "zone_wait"), 5.0 / 58, 1e-12);
    CHECK_NEAR(kpi(&z.r, z.f, "delivery_time"), (11 + 16) / 2.0, 1e-9);
    zrun_close(&z);
}

/* Without a deadlock a zoned fleet reports `deadlocks` 0 (test_fleet.c's trip with zones). */
static void test_fleet_deadlocks_zero(void)
{
    char text[2048];
    corridor(text, sizeof text, "    deadlock: back_off\n");
    replace(text, sizeof text, "limit: 2", "limit: 1");
    struct zrun z;
    if (!zrun_open(&z, text)) return;
    CHECK_NEAR(kpi(&z.r, z.f, "deliveries"), 1, 0);
    CHECK_NEAR(kpi(&z.r, z.f, "deadlocks"), 0, 0);
    zrun_close(&z);
}

/* Many requests on the corridor: every head-on meeting of its two vehicles is backed off (the
 * second giving way to the first, to a free node behind it) and every request is delivered; the
 * run counts the deadlocks (at least one: the two first trips meet as above). */
static void test_fleet_back_off_many(void)
{
    char text[2048];
    corridor(text, sizeof text, "    deadlock: back_off\n");
    replace(text, sizeof text, "interarrival: 6\n    limit: 2\n",
            "interarrival: exponential(6)\n    limit: 60\n");
    struct zrun z;
    if (!zrun_open(&z, text)) return;
    CHECK_NEAR(kpi(&z.r, TSIM_KPI_SYSTEM, "completed"), 60, 0);
    CHECK(kpi(&z.r, z.f, "deadlocks") >= 1);
    zrun_close(&z);
}

/* A charger at the end of a spur: H - X - C (lengths 1, both ways), the charger's one point at
 * C, which holds 2 vehicles, X one and home H all 3. Batteries of 100 kWh drawing 1 kW in every
 * state, charged at 10 kW to 90; idle vehicles go to charge below 50, so all three leave H at
 * 50 h, one after another (X holds one):
 *   amr 1 at X 51, at C 52: charges 42 kWh, 4.2 h, until 56.2.
 *   amr 2 at X 53, at C 54: waits for the point.
 *   amr 3 at X 55: wants C, full (amr 1, amr 2): waits.
 *   56.2: amr 1 has charged; it keeps its point while it waits to drive off, home through X,
 *     held by amr 3: amr 3 waits for C, held by amr 2, which waits for the point amr 1 holds.
 * A deadlock through a wait for a point, found when it forms and named. */
static void spur(char *text, size_t size, const char *fleet_extra)
{
    snprintf(text, size,
             "name: spur\n"
             "time_unit: h\n"
             "blocks:\n"
             "  - source: in\n"
             "    interarrival: 1000\n"
             "    to: amr\n"
             "  - fleet: amr\n"
             "    count: 3\n"
             "    speed: 1\n"
             "    idle: home\n"
             "    battery: 100\n"
             "    draw_idle: 1\n"
             "    draw_empty: 1\n"
             "    charge_rate: 10\n"
             "    charge_idle_below: 0.5\n"
             "%s"
             "    to: out\n"
             "  - sink: out\n"
             "  - charger: chg\n"
             "network:\n"
             "  nodes: [H, X, C]\n"
             "  segments:\n"
             "    - {from: H, to: X, length: 1}\n"
             "    - {from: X, to: C, length: 1}\n"
             "  at: {in: H, amr: H, out: H, chg: C}\n"
             "  node_capacity: 1\n"
             "  zones: {H: 3, C: 2}\n",
             fleet_extra);
}

static void test_fleet_deadlock_through_charger(void)
{
    char text[2048], diag[512] = "";
    spur(text, sizeof text, "");
    struct tsim_model *m = load(text, diag, sizeof diag);
    CHECK_STR(diag, "");
    if (!m) return;
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    CHECK(sim != NULL);
    if (sim) {
        tsim_sim_run_until(sim, 70);
        CHECK_EQ(tsim_sim_status(sim), TSIM_ESTATE);
        const char *e = tsim_sim_error(sim);
        const char *cycle = e ? strstr(e, " h: ") : NULL;
        CHECK(e && strncmp(e, "deadlock at 56.2", 16) == 0);
        CHECK_STR(cycle ? cycle : "", " h: amr 1 at 'C' waits for 'X' held by amr 3, amr 3 at 'X' "
                                      "waits for 'C' held by amr 2, amr 2 at 'C' waits for a point "
                                      "of charger 'chg' held by amr 1");
        CHECK_NEAR(tsim_sim_now(sim), 56.2, 1e-6);
    }
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* The spur with `deadlock: back_off`: amr 1 (its way out, X, is full) and amr 2 (waiting for a
 * point) cannot back off; amr 3 drives back to H (57.2), X goes to amr 1, which drives off and
 * so gives its point to amr 2 (42.8 kWh left: it charges 4.72 h, until 61.92); amr 3 drives
 * through X once amr 1 is home (59.2), is at C at 61.2 and waits for the point until 61.92,
 * with 100 - 61.92 = 38.08 kWh then, the lowest charge of the run (it drew 1 kW all along).
 * One deadlock, three charges, and the run goes on. (The request comes at 1000, after the
 * end.) */
static void test_fleet_back_off_at_charger(void)
{
    char text[2048], diag[512] = "";
    spur(text, sizeof text, "    deadlock: back_off\n");
    struct tsim_model *m = load(text, diag, sizeof diag);
    CHECK_STR(diag, "");
    if (!m) return;
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    CHECK(sim != NULL);
    if (sim) {
        tsim_sim_run_until(sim, 70);
        CHECK_EQ(tsim_sim_status(sim), 0);
        int f = tsim_model_find_block(m, "amr"), c = tsim_model_find_block(m, "chg");
        struct tsim_result r;
        tsim_result_init(&r);
        tsim_sim_result(sim, &r);
        CHECK_NEAR(kpi(&r, f, "deadlocks"), 1, 0);
        CHECK_NEAR(kpi(&r, c, "charges"), 3, 0);
        CHECK_NEAR(kpi(&r, f, "battery_min"), 0.3808, 1e-6);
        tsim_result_release(&r);
    }
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* test_fleet.c's trip with two vehicles and `capacity: 1` on the two-way segment H - P (length 4;
 * P->D 6 and D->H 2 one way), no node capacities. Empty speed 2, loaded 1; load 1, unload 0.5;
 * idle: home. Requests at P at 1 and 2, to D.
 *   r1 at 1: amr 1 enters H-P, at P 3, loaded 4, at D 10, delivered 10.5, home 11.5.
 *   r2 at 2: amr 2 waits at H for the segment, which amr 1 drives until 3 (a zone wait of 1);
 *     at P 5, loaded 6, at D 12, delivered 12.5, home 13.5: the end of the run.
 * Without the capacity amr 2 would be at P at 4 and deliver at 11.5. */
static const char seg_yaml[] = "name: seg\n"
                               "time_unit: min\n"
                               "blocks:\n"
                               "  - source: in\n"
                               "    interarrival: 1\n"
                               "    limit: 2\n"
                               "    to: amr\n"
                               "  - fleet: amr\n"
                               "    count: 2\n"
                               "    speed: 2\n"
                               "    speed_loaded: 1\n"
                               "    load: 1\n"
                               "    unload: 0.5\n"
                               "    idle: home\n"
                               "    to: out\n"
                               "  - sink: out\n"
                               "network:\n"
                               "  nodes: [H, P, D]\n"
                               "  segments:\n"
                               "    - {from: H, to: P, length: 4, capacity: 1}\n"
                               "    - {from: P, to: D, length: 6, one_way: true}\n"
                               "    - {from: D, to: H, length: 2, one_way: true}\n"
                               "  at: {in: P, amr: H, out: D}\n";

static void test_fleet_segment_capacity(void)
{
    struct zrun z;
    if (!zrun_open(&z, seg_yaml)) return;
    CHECK_NEAR(tsim_sim_now(z.sim), 13.5, 1e-9);
    CHECK_NEAR(kpi(&z.r, z.f, "deliveries"), 2, 0);
    CHECK_NEAR(kpi(&z.r, z.f, "zone_waits"), 1, 0);
    CHECK_NEAR(kpi(&z.r, z.f, "zone_wait"), 1 / 27.0, 1e-12);
    CHECK_NEAR(kpi(&z.r, z.f, "delivery_time"), (9.5 + 10.5) / 2, 1e-9);
    CHECK_NEAR(kpi(&z.r, z.f, "deadlocks"), 0, 0);
    zrun_close(&z);
}

/* With capacity 2 on the segment nobody waits: the times of test_fleet.c's two-vehicle trip. */
static void test_fleet_segment_capacity_room(void)
{
    char text[2048];
    snprintf(text, sizeof text, "%s", seg_yaml);
    replace(text, sizeof text, "capacity: 1", "capacity: 2");
    struct zrun z;
    if (!zrun_open(&z, text)) return;
    CHECK_NEAR(tsim_sim_now(z.sim), 12.5, 1e-9);
    CHECK_NEAR(kpi(&z.r, z.f, "zone_waits"), 0, 0);
    CHECK_NEAR(kpi(&z.r, z.f, "delivery_time"), (9.5 + 9.5) / 2, 1e-9);
    zrun_close(&z);
}

/* A bad model's diagnostics, word for word. */
static void expect_error(const char *text, const char *want)
{
    char diag[1024] = "";
    struct tsim_model *m = load(text, diag, sizeof diag);
    CHECK(m == NULL);
    CHECK_STR(diag, want);
    tsim_model_destroy(m);
}

static void test_fleet_segment_bad_input(void)
{
    char text[2048];
    snprintf(text, sizeof text, "%s", seg_yaml);
    replace(text, sizeof text, "capacity: 1", "capacity: 0");
    expect_error(text, "zones.yaml:20:45: error: a segment's capacity must be at least 1, got '0'\n");
    snprintf(text, sizeof text, "%s", seg_yaml);
    replace(text, sizeof text, "capacity: 1", "capacty: 1");
    expect_error(text, "zones.yaml:20:35: error: unknown key 'capacty' in a segment (did you mean "
                       "'capacity'?)\n");
    snprintf(text, sizeof text, "%s", seg_yaml);
    replace(text, sizeof text, "capacity: 1", "deadlock: back_of");
    expect_error(text, "zones.yaml:20:35: error: unknown key 'deadlock' in a segment\n");
    snprintf(text, sizeof text, "%s", seg_yaml);
    replace(text, sizeof text, "    idle: home\n", "    deadlock: back_of\n");
    expect_error(text, "zones.yaml:14:15: error: unknown deadlock rule 'back_of' (did you mean "
                       "'back_off'?)\n");
}

/* Segment classes: test_fleet.c's one-vehicle trip (H-P 4 both ways, P->D 6 and D->H 2 one way;
 * empty speed 2, loaded 1; load 1, unload 0.5; idle: home; requests at 1 and 2) with P->D of
 * class narrow, where the fleet drives at most 0.5: P->D takes 12 instead of 6.
 *   r1: at P 3, loaded 4, at D 16, delivered 16.5.
 *   r2 (since 2): D->H->P empty (2 + 4) / 2 = 3, at P 19.5, loaded 20.5, at D 32.5, delivered
 *   33; home 34. Delivery times 15.5 and 31. `extra` goes at the end of the network. */
static void class_trip(char *text, size_t size, const char *extra)
{
    snprintf(text, size,
             "name: cls\n"
             "time_unit: min\n"
             "blocks:\n"
             "  - source: in\n"
             "    interarrival: 1\n"
             "    limit: 2\n"
             "    to: amr\n"
             "  - fleet: amr\n"
             "    count: 1\n"
             "    speed: 2\n"
             "    speed_loaded: 1\n"
             "    speed_by_class: {narrow: 0.5}\n"
             "    load: 1\n"
             "    unload: 0.5\n"
             "    idle: home\n"
             "    to: out\n"
             "  - sink: out\n"
             "network:\n"
             "  nodes: [H, P, D, X]\n"
             "  segments:\n"
             "    - {from: H, to: P, length: 4}\n"
             "    - {from: P, to: D, length: 6, one_way: true, class: narrow}\n"
             "    - {from: D, to: H, length: 2, one_way: true}\n"
             "  at: {in: P, amr: H, out: D}\n"
             "%s",
             extra);
}

static void check_class_trip(const char *text, double end, double delivery)
{
    struct zrun z;
    if (!zrun_open(&z, text)) return;
    CHECK_NEAR(tsim_sim_now(z.sim), end, 1e-9);
    CHECK_NEAR(kpi(&z.r, z.f, "deliveries"), 2, 0);
    CHECK_NEAR(kpi(&z.r, z.f, "delivery_time"), delivery, 1e-9);
    zrun_close(&z);
}

static void test_fleet_class_speed(void)
{
    char text[2048];
    class_trip(text, sizeof text, "");
    check_class_trip(text, 34, (15.5 + 31) / 2);
    /* Node by node under zone control, the same times. */
    class_trip(text, sizeof text, "  node_capacity: 1\n");
    check_class_trip(text, 34, (15.5 + 31) / 2);
}

/* With a way around the narrow segment, P->X->D of 4 + 4 at the full loaded speed 1 (8 < 12),
 * the least-time path takes it: r1 at D 12, delivered 12.5; r2 at P 15.5, loaded 16.5, at D
 * 24.5, delivered 25; home 26. Delivery times 11.5 and 23. Without the class speed the narrow
 * segment (6) would be the shorter. */
static void test_fleet_class_path(void)
{
    char text[2048];
    class_trip(text, sizeof text, "");
    replace(text, sizeof text, "  at: {",
            "    - {from: P, to: X, length: 4, one_way: true}\n"
            "    - {from: X, to: D, length: 4, one_way: true}\n  at: {");
    check_class_trip(text, 26, (11.5 + 23) / 2);
    replace(text, sizeof text, "speed_by_class: {narrow: 0.5}", "speed_by_class: {narrow: 1}");
    check_class_trip(text, 22, (9.5 + 19) / 2); /* test_fleet.c's trip by hand */
}

static void test_fleet_class_bad_input(void)
{
    char text[2048];
    class_trip(text, sizeof text, "");
    replace(text, sizeof text, "{narrow: 0.5}", "{narow: 0.5}");
    expect_error(text, "zones.yaml:12:22: error: unknown segment class 'narow' (did you mean "
                       "'narrow'?)\n");
    class_trip(text, sizeof text, "");
    replace(text, sizeof text, "{narrow: 0.5}", "{narrow: 0}");
    expect_error(text, "zones.yaml:12:30: error: a class's speed must be more than 0, not 0\n");
    class_trip(text, sizeof text, "");
    replace(text, sizeof text, "{narrow: 0.5}", "[narrow]");
    expect_error(text, "zones.yaml:12:22: error: 'speed_by_class' (a mapping of classes to speeds) "
                       "must be a mapping, not a list\n");
}

/* The corridor entered from home by a one-way segment H -> D, and `idle: stay`: amr 2, empty, at
 * D cannot back off (no way back to H, and c is the node it waits for), so amr 1, loaded, backs
 * off to P; then amr 2 follows to c and waits for P, and amr 1 has nowhere to go but amr 2 can
 * back off to D, and so on: the two give way to each other without end, delivering nothing.
 * After 32 back-offs per vehicle (64) none of the cycle may, and the run stops with the error. */
static void test_fleet_back_off_livelock_stops(void)
{
    char text[2048];
    corridor(text, sizeof text, "    deadlock: back_off\n");
    replace(text, sizeof text, "    idle: home\n", "");
    replace(text, sizeof text, "{from: H, to: D, length: 1}", "{from: H, to: D, length: 1, one_way: true}");
    struct tsim_model *m;
    struct tsim_sim *sim = run(text, &m);
    if (sim) {
        CHECK_EQ(tsim_sim_status(sim), TSIM_ESTATE);
        const char *e = tsim_sim_error(sim);
        const char *tail = " (no vehicle of it can back off)";
        CHECK(e && strncmp(e, "deadlock at ", 12) == 0);
        CHECK(e && strlen(e) > strlen(tail) && strcmp(e + strlen(e) - strlen(tail), tail) == 0);
        CHECK(tsim_sim_now(sim) > 14 + 64 * 2); /* a back-off takes 2 min at the least */

    }
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* Three vehicles jam on a one-way ring A -> B -> C -> A (lengths 1, speed 1, load 1, one vehicle
 * per node), entered from home H (which holds 3) by the one-way H -> A; three requests at 0 at B,
 * carried to A, so each vehicle drives H, A, B (pickup), C, A:
 *   0: amr 1 takes r1 and enters H->A; amr 2 and amr 3 take r2, r3 and wait at H for A.
 *   1: amr 1 at A, on to B. 2: at B it gives A to amr 2 (first in A's queue) and loads until 3.
 *   3: amr 2 at A waits for B (amr 1 loads); amr 1 loaded, on to C.
 *   4: amr 1 at C gives B to amr 2 (at B 5) and waits for A, which amr 2 holds while it drives.
 *   5: amr 2 at B gives A to amr 3 (in A's queue since 0, before amr 1) and loads until 6.
 *   6: amr 3 at A waits for B (amr 2 loads); amr 2 loaded wants C, held by amr 1 waiting for A,
 *      held by amr 3 waiting for B, held by amr 2: the cycle, found from amr 2 at 6. No vehicle
 *      of it can back off: each node of the ring has no segment out but the one to the node it
 *      waits for, and none back to where it came from (all one-way). */
static void test_fleet_three_vehicle_jam(void)
{
    const char *text = "name: ring\n"
                       "time_unit: min\n"
                       "blocks:\n"
                       "  - source: in\n"
                       "    interarrival: 0\n"
                       "    limit: 3\n"
                       "    to: amr\n"
                       "  - fleet: amr\n"
                       "    count: 3\n"
                       "    speed: 1\n"
                       "    load: 1\n"
                       "    deadlock: back_off\n"
                       "    to: out\n"
                       "  - sink: out\n"
                       "network:\n"
                       "  nodes: [H, A, B, C]\n"
                       "  segments:\n"
                       "    - {from: H, to: A, length: 1, one_way: true}\n"
                       "    - {from: A, to: B, length: 1, one_way: true}\n"
                       "    - {from: B, to: C, length: 1, one_way: true}\n"
                       "    - {from: C, to: A, length: 1, one_way: true}\n"
                       "  at: {in: B, amr: H, out: A}\n"
                       "  node_capacity: 1\n"
                       "  zones: {H: 3}\n";
    struct tsim_model *m;
    struct tsim_sim *sim = run(text, &m);
    CHECK(sim != NULL);
    if (sim) {
        CHECK_EQ(tsim_sim_status(sim), TSIM_ESTATE);
        CHECK_NEAR(tsim_sim_now(sim), 6, 0);
        const char *e = tsim_sim_error(sim);
        CHECK_STR(e ? e : "", "deadlock at 6 min: amr 2 at 'B' waits for 'C' held by amr 1, "
                              "amr 1 at 'C' waits for 'A' held by amr 3, "
                              "amr 3 at 'A' waits for 'B' held by amr 2 "
                              "(no vehicle of it can back off)");
    }
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* Parking under zone control ------------------------------------------------------------------
 *
 * test_fleet.c's parking model with one vehicle a node (H holds both, K2 two): two vehicles at
 * home H, requests at P at 1 and 2 to D, speed 1, load 1, unload 1, `idle: parking` with K1 (1
 * place, a spur 1 from D) and K2 (2 places, a spur 3 from D); segments both ways H-P 2, P-D 4.
 *   r1 at 1, amr 1: H->P, at P 3, loaded 4, P->D, at D 8 (P given back), delivered 9; to K1,
 *     which has room, there at 10 (D given back).
 *   r2 at 2, amr 2: waits at H for P, which amr 1 holds (driving to it, loading, then driving
 *     off it) until 8: a zone wait of 6. At P 10, loaded 11, at D 15, delivered 16; K1 holds
 *     amr 1, parked: to K2, there at 19, the end of the run.
 * Vehicle time 38: zone_wait 6, to_home 1 + 3; deliveries 8 and 14 after their requests. */
static const char zpark_yaml[] = "name: zpark\n"
                                 "time_unit: min\n"
                                 "blocks:\n"
                                 "  - source: in\n"
                                 "    interarrival: 1\n"
                                 "    limit: 2\n"
                                 "    to: amr\n"
                                 "  - fleet: amr\n"
                                 "    count: 2\n"
                                 "    speed: 1\n"
                                 "    load: 1\n"
                                 "    unload: 1\n"
                                 "    idle: parking\n"
                                 "    parking: {K1: 1, K2: 2}\n"
                                 "    to: out\n"
                                 "  - sink: out\n"
                                 "network:\n"
                                 "  nodes: [H, P, D, K1, K2]\n"
                                 "  segments:\n"
                                 "    - {from: H, to: P, length: 2}\n"
                                 "    - {from: P, to: D, length: 4}\n"
                                 "    - {from: D, to: K1, length: 1}\n"
                                 "    - {from: D, to: K2, length: 3}\n"
                                 "  at: {in: P, amr: H, out: D}\n"
                                 "  node_capacity: 1\n"
                                 "  zones: {H: 2, K2: 2}\n";

/* The node vehicle `k` (from 1) of fleet `f` stands at. */
static const char *node_of(const struct zrun *z, int k)
{
    return z->m->net->node[tsim__fleet_vehicle_node(z->sim, z->f, k - 1)];
}

static void test_fleet_zone_parking_by_hand(void)
{
    struct zrun z;
    if (!zrun_open(&z, zpark_yaml)) return;
    CHECK_NEAR(tsim_sim_now(z.sim), 19, 1e-9);
    CHECK_NEAR(kpi(&z.r, z.f, "deliveries"), 2, 0);
    CHECK_NEAR(kpi(&z.r, z.f, "zone_waits"), 1, 0);
    CHECK_NEAR(kpi(&z.r, z.f, "zone_wait"), 6 / 38.0, 1e-12);
    CHECK_NEAR(kpi(&z.r, z.f, "to_home"), 4 / 38.0, 1e-12);
    CHECK_NEAR(kpi(&z.r, z.f, "delivery_time"), (8 + 14) / 2.0, 1e-9);
    CHECK_NEAR(kpi(&z.r, z.f, "deadlocks"), 0, 0);
    CHECK_STR(node_of(&z, 1), "K1");
    CHECK_STR(node_of(&z, 2), "K2");
    zrun_close(&z);
}

/* The same with a third request at P at 12 (a second source), when amr 1 is parked at K1 and
 * amr 2 drives P->D loaded (holding P and D until 15):
 *   12: amr 1, the only idle vehicle, takes r3: at K1 it waits for D (zone wait 2).
 *   15: amr 2 at D, unloads; 16: delivered. K1 has room (amr 1 is leaving it): amr 2 drives to
 *     park there, and waits for K1, held by amr 1, which waits for D, held by amr 2: a deadlock
 *     of a vehicle leaving its parking and one coming to park (zone wait 3), named at 16. */
static void zpark_late(char *text, size_t size, const char *fleet_extra)
{
    snprintf(text, size, "%s", zpark_yaml);
    replace(text, size, "  - fleet: amr\n", "  - source: late\n"
                                            "    interarrival: 12\n"
                                            "    limit: 1\n"
                                            "    to: amr\n"
                                            "  - fleet: amr\n");
    replace(text, size, "    to: out\n", fleet_extra);
    replace(text, size, "{in: P,", "{in: P, late: P,");
}

static void test_fleet_zone_parking_deadlock(void)
{
    char text[4096];
    zpark_late(text, sizeof text, "    to: out\n");
    expect_stop(text, "deadlock at 16 min: amr 2 at 'D' waits for 'K1' held by amr 1, "
                "amr 1 at 'K1' waits for 'D' held by amr 2");
}

/* ... and with `deadlock: back_off`:
 *   16: amr 2, empty (both are; the higher number), backs off to P, where it came from: at P 20,
 *     D given back to amr 1 (K1->D, at D 21). amr 2 at P waits for D again (zone wait 4).
 *   21: amr 1 at D waits for P, held by amr 2, which waits for D (zone wait 5): deadlock 2. amr 2
 *     backs off again: not to D (the node it waits for), so along P's first segment, to H (at
 *     23), and waits there for P (zone wait 6), which amr 1 takes at 23 (at P 27, waited 15).
 *   27: amr 1 loads until 28, at D 32 (P to amr 2: at P 34), delivers r3 at 33 (21 after it
 *     came); K1 is taken by amr 2 driving there: amr 1 parks at K2 (at 36, D given back).
 *   34: amr 2 at P waits for D (zone wait 7) until 36; at D 40, parks at K1 at 41, the end.
 * Zone waits: amr 2 2-8, 20-21, 23-32, 34-36; amr 1 12-20, 21-23: 28 of 82 vehicle-minutes. */
static void test_fleet_zone_parking_back_off(void)
{
    char text[4096];
    zpark_late(text, sizeof text, "    deadlock: back_off\n    to: out\n");
    struct zrun z;
    if (!zrun_open(&z, text)) return;
    CHECK_NEAR(tsim_sim_now(z.sim), 41, 1e-9);
    CHECK_NEAR(kpi(&z.r, z.f, "deliveries"), 3, 0);
    CHECK_NEAR(kpi(&z.r, z.f, "deadlocks"), 2, 0);
    CHECK_NEAR(kpi(&z.r, z.f, "zone_waits"), 7, 0);
    CHECK_NEAR(kpi(&z.r, z.f, "zone_wait"), 28 / 82.0, 1e-12);
    CHECK_NEAR(kpi(&z.r, z.f, "delivery_time"), (8 + 14 + 21) / 3.0, 1e-9);
    CHECK_STR(node_of(&z, 1), "K2");
    CHECK_STR(node_of(&z, 2), "K1");
    zrun_close(&z);
}

/* A deadlock through a parking that holds a parked vehicle: three vehicles (H holds 3), K1 with
 * 2 places in a zone of 2, K2 with 3; requests at 1, 2, 3 and a fourth at 20.
 *   amr 1: r1, at D 8, delivered 9, parks at K1 at 10. amr 2: waits at H for P until 8, at D
 *     15, delivered 16, parks at K1 (room for 2) at 17. amr 3: waits at H for P until 15, at P
 *     17, loaded 18, on P->D until 22, holding D.
 *   20: r4 goes to amr 1 (amr 1 and 2 are idle at K1, as near; the lower number): it waits at
 *     K1 for D.
 *   23: amr 3 delivers; K1 has room (amr 2 parked, amr 1 leaving) and is nearest: amr 3 waits at
 *     D for K1, whose zone holds amr 2, parked, and amr 1, waiting for D: the deadlock. Taken as
 *     one that would move, the parked amr 2 would hide it, and the run would end at 23 with
 *     r4 never carried and no error. */
static void test_fleet_zone_parking_deadlock_parked(void)
{
    char text[4096];
    zpark_late(text, sizeof text, "    to: out\n");
    replace(text, sizeof text, "limit: 2", "limit: 3");
    replace(text, sizeof text, "interarrival: 12", "interarrival: 20");
    replace(text, sizeof text, "count: 2", "count: 3");
    replace(text, sizeof text, "{K1: 1, K2: 2}", "{K1: 2, K2: 3}");
    replace(text, sizeof text, "{H: 2, K2: 2}", "{H: 3, K1: 2, K2: 3}");
    expect_stop(text, "deadlock at 23 min: amr 3 at 'D' waits for 'K1' held by amr 1, "
                "amr 1 at 'K1' waits for 'D' held by amr 3");
}

/* A deadlock that forms when a vehicle parks, none beginning to wait: three vehicles (H and P
 * hold 3), speed 1, no load or unload time; drops D1 (product a) and D2 (b) 2 from P and from
 * each other; parking K (2 places, a zone of 2) 1 from D1 and 2 from D2, off every least-time
 * path; K2 (1 place) 1 from H. Requests at P: a at 1, b at 10, a at 11, a at 12.5.
 *   1: amr 1 to D1 at 4, parks at K at 5.
 *   10: amr 2 to D2 at 13. 11: amr 3 to D1 (on P->D1 from 12, holding D1) at 14.
 *   12.5: amr 1, the only idle vehicle, leaves K: it waits at K for D1.
 *   13: amr 2 drives to park at K (room: amr 1 is leaving), D2->K until 15.
 *   14: amr 3 at D1 wants K too (room for it): K holds amr 1 and amr 2, which drives and will
 *     give a node back, so no deadlock yet.
 *   15: amr 2 parks: K's holders that may move are amr 1 only, waiting for D1, held by amr 3,
 *     waiting for K. The search runs as it parks and names the cycle at 15. */
static void test_fleet_zone_parking_deadlock_on_parking(void)
{
    const char *text = "name: zpark3\n"
                       "time_unit: min\n"
                       "products: [a, b]\n"
                       "blocks:\n"
                       "  - source: s0\n"
                       "    product: a\n"
                       "    interarrival: 1\n"
                       "    limit: 1\n"
                       "    to: amr\n"
                       "  - source: sv\n"
                       "    product: b\n"
                       "    interarrival: 10\n"
                       "    limit: 1\n"
                       "    to: amr\n"
                       "  - source: sw\n"
                       "    product: a\n"
                       "    interarrival: 11\n"
                       "    limit: 1\n"
                       "    to: amr\n"
                       "  - source: s3\n"
                       "    product: a\n"
                       "    interarrival: 12.5\n"
                       "    limit: 1\n"
                       "    to: amr\n"
                       "  - fleet: amr\n"
                       "    count: 3\n"
                       "    speed: 1\n"
                       "    idle: parking\n"
                       "    parking: {K: 2, K2: 1}\n"
                       "    to: {by: product, a: o1, b: o2}\n"
                       "  - sink: o1\n"
                       "  - sink: o2\n"
                       "network:\n"
                       "  nodes: [H, P, D1, D2, K, K2]\n"
                       "  segments:\n"
                       "    - {from: H, to: P, length: 1}\n"
                       "    - {from: P, to: D1, length: 2}\n"
                       "    - {from: P, to: D2, length: 2}\n"
                       "    - {from: D1, to: D2, length: 2}\n"
                       "    - {from: D1, to: K, length: 1}\n"
                       "    - {from: D2, to: K, length: 2}\n"
                       "    - {from: H, to: K2, length: 1}\n"
                       "  at: {s0: P, sv: P, sw: P, s3: P, amr: H, o1: D1, o2: D2}\n"
                       "  node_capacity: 1\n"
                       "  zones: {H: 3, P: 3, K: 2, K2: 3}\n";
    expect_stop(text, "deadlock at 15 min: amr 3 at 'D1' waits for 'K' held by amr 1, "
                "amr 1 at 'K' waits for 'D1' held by amr 3");
}

/* A vehicle behind a failed one: zpark_yaml's trip (one vehicle a node) with amr 1 failed by the
 * plant (a VDA 5050 FATAL error) at 1.5, on H->P with 1.5 left, until 5:
 *   amr 1 keeps H and P while failed, at P 6.5, loaded 7.5, at D 11.5 (P given back), delivered
 *     12.5, parks at K1 at 13.5.
 *   amr 2 (r2 at 2) waits at H for P from 2 to 11.5: 9.5, the 6 of the run without the failure
 *     and the 3.5 the failure held P (one zone wait; the failure is no deadlock: the failed
 *     vehicle moves again after its repair). At P 13.5, loaded 14.5, at D 18.5, delivered 19.5,
 *     parks at K2 at 22.5, the end of the run.
 * Of 45 vehicle-minutes: zone_wait 9.5, failed 3.5; deliveries 11.5 and 17.5 after their
 * requests. */
static void test_fleet_zone_behind_failed(void)
{
    struct tsim_model *m;
    struct tsim_sim *sim = sim_from_text(zpark_yaml, "zones.yaml", &m);
    if (!sim) {
        tsim_model_destroy(m);
        return;
    }
    int f = tsim_model_find_block(m, "amr");
    tsim_sim_run_until(sim, 1.5);
    CHECK_EQ(tsim__fleet_observe_failure(sim, f, 0, 1), 1);
    CHECK_EQ(tsim__fleet_vehicle_failed(sim, f, 0), 1);
    tsim_sim_run_until(sim, 5);
    CHECK_EQ(tsim__fleet_vehicle_failed(sim, f, 0), 1);
    CHECK_STR(m->net->node[tsim__fleet_vehicle_node(sim, f, 1)], "H");
    CHECK_EQ(tsim__fleet_observe_failure(sim, f, 0, 0), 1);
    struct tsim_result r;
    run_to_end(sim, &r);
    CHECK_EQ(tsim_sim_status(sim), 0);
    CHECK_NEAR(tsim_sim_now(sim), 22.5, 1e-9);
    CHECK_NEAR(kpi(&r, f, "deliveries"), 2, 0);
    CHECK_NEAR(kpi(&r, f, "zone_waits"), 1, 0);
    CHECK_NEAR(kpi(&r, f, "zone_wait"), 9.5 / 45, 1e-12);
    CHECK_NEAR(kpi(&r, f, "failed"), 3.5 / 45, 1e-12);
    CHECK_NEAR(kpi(&r, f, "failures"), 1, 0);
    CHECK_NEAR(kpi(&r, f, "deadlocks"), 0, 0);
    CHECK_NEAR(kpi(&r, f, "delivery_time"), (11.5 + 17.5) / 2, 1e-9);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* What stays refused: a parking whose node may fill (a zone below the fleet's count) where other
 * vehicles need it, or whose places do not fit in its zone, and parkings that cannot hold every
 * vehicle; each at the parking's entry, or at `parking`. */
static void zpark_error(const char *from, const char *to, const char *want)
{
    char text[4096];
    snprintf(text, sizeof text, "%s", zpark_yaml);
    replace(text, sizeof text, from, to);
    char diag[1024] = "";
    model_first_error(text, "zones.yaml", diag, sizeof diag);
    CHECK_STR(diag, want);
}

static void test_fleet_zone_parking_bad(void)
{
    zpark_error("{K1: 1, K2: 2}", "{K1: 1, K2: 2, P: 1}",
                "zones.yaml:14:29: error: parking 'P' of fleet 'amr' is at the node of 'in': under "
                "zone control parked vehicles would fill it and keep the fleet's work there out "
                "(give the parking a node of its own, or a zone that holds all 2 vehicles)");
    zpark_error("{K1: 1, K2: 2}", "{K1: 2, K2: 2}",
                "zones.yaml:14:15: error: parking 'K1' of fleet 'amr' has 2 places but its node "
                "holds 1 vehicle (its zone capacity): under zone control its places must fit in "
                "its zone");
    zpark_error("{K1: 1, K2: 2}", "{K1: unlimited, K2: 2}",
                "zones.yaml:14:15: error: parking 'K1' of fleet 'amr' has unlimited places but its "
                "node holds 1 vehicle (its zone capacity): under zone control its places must fit "
                "in its zone");
    zpark_error("{K1: 1, K2: 2}", "{K1: 1}",
                "zones.yaml:14:5: error: fleet 'amr' has 2 vehicles but its parkings hold 1: under "
                "zone control each vehicle needs a place to park (a free vehicle with none would "
                "stay on its node and hold it)");
    /* K1 between D and K2: the way to K2 (and from K2 to anywhere) passes through it. */
    zpark_error("{from: D, to: K2, length: 3}", "{from: K1, to: K2, length: 2}",
                "zones.yaml:14:15: error: parking 'K1' of fleet 'amr' is on the way from node "
                "'K2' to node 'H' (a least-time path of its vehicles): under zone control parked "
                "vehicles would fill it and block the way (give the parking a node off the "
                "through paths, such as a spur, or a zone that holds all 2 vehicles)");
    /* A zone that holds every vehicle never fills: K1 may then be anywhere. */
    char text[4096];
    snprintf(text, sizeof text, "%s", zpark_yaml);
    replace(text, sizeof text, "{from: D, to: K2, length: 3}", "{from: K1, to: K2, length: 2}");
    replace(text, sizeof text, "{H: 2, K2: 2}", "{H: 2, K2: 2, K1: 2}");
    struct zrun z;
    if (!zrun_open(&z, text)) return;
    CHECK_NEAR(kpi(&z.r, z.f, "deliveries"), 2, 0);
    zrun_close(&z);
}

int main(void)
{
    RUN(test_fleet_deadlock_stop);
    RUN(test_fleet_deadlock_back_off);
    RUN(test_fleet_deadlocks_zero);
    RUN(test_fleet_back_off_many);
    RUN(test_fleet_back_off_livelock_stops);
    RUN(test_fleet_three_vehicle_jam);
    RUN(test_fleet_deadlock_through_charger);
    RUN(test_fleet_back_off_at_charger);
    RUN(test_fleet_segment_capacity);
    RUN(test_fleet_segment_capacity_room);
    RUN(test_fleet_segment_bad_input);
    RUN(test_fleet_class_speed);
    RUN(test_fleet_class_path);
    RUN(test_fleet_class_bad_input);
    RUN(test_fleet_zone_parking_by_hand);
    RUN(test_fleet_zone_parking_deadlock);
    RUN(test_fleet_zone_parking_back_off);
    RUN(test_fleet_zone_parking_deadlock_parked);
    RUN(test_fleet_zone_parking_deadlock_on_parking);
    RUN(test_fleet_zone_parking_bad);
    RUN(test_fleet_zone_behind_failed);
    return CHECK_DONE();
}
