/*
 * Trucks a live twin adds to a dock (src/blocks/dock.h), through the dock's own calls and without
 * a broker: a thousand added trucks, each one's record by hand; a clone taken after them that
 * runs them to the end while the sim it came from stays as it was; two docks whose added trucks
 * grow their room in turns; a reset that forgets them; and the most a dock records, refused with
 * its message. The messages that add trucks in a twin are tested in test_dock_twin.c.
 */
#include "check.h"
#include "twinsim.h"

#include "blocks/dock.h"
#include "blocks/sim.h"
#include "model_text.h"

/* Two docks of two doors, a pallet 1 min either way. Each would draw one truck of its own at
 * 10^5, long after these tests look. */
static const char two_docks[] = "name: dc\ntime_unit: min\nblocks:\n"
                                "  - dock: east\n    doors: 2\n    unload: 1\n    load: 1\n"
                                "    interarrival: 100000\n    limit: 1\n    to: gone\n"
                                "  - dock: west\n    doors: 2\n    unload: 1\n    load: 1\n"
                                "    interarrival: 100000\n    limit: 1\n    to: gone\n"
                                "  - sink: gone\n";

enum { N = 1000, DUE = 300 };

/* Truck `j` of the thousand: T0..T999, every odd one outbound, due to leave by DUE. */
static int add_truck(struct tsim_sim *sim, int dock, int j, char *err, size_t errlen)
{
    char id[16];
    snprintf(id, sizeof id, "T%d", j);
    return tsim__dock_arrive(sim, dock, id, j % 2, 1, -1, j % 2 ? DUE : -1, err, errlen);
}

/* Truck `j` came at 0 and, the doors taking the yard's trucks two by two, took a door at j / 2
 * and left a minute later; outbound ones after DUE are late (odd j from 601). `until`: the time
 * the sim has run to; a truck not gone by then is at a door or in the yard. */
static void check_records(const struct tsim_sim *sim, int dock, double until)
{
    int bad = 0;
    for (int j = 0; j < N; j++) {
        struct tsim__dock_truck x;
        tsim__dock_truck(sim, dock, j, &x);
        char id[16];
        snprintf(id, sizeof id, "T%d", j);
        double start = j / 2, left = start + 1;
        enum tsim__truck_where where = left <= until    ? TSIM__TRUCK_GONE
                                       : start <= until ? TSIM__TRUCK_DOOR
                                                        : TSIM__TRUCK_YARD;
        int ok = strcmp(x.id, id) == 0 && x.outbound == j % 2 && x.where == where &&
                 x.arrive == 0 && x.planned == 1 && x.pallets == 1 &&
                 x.due_out == (j % 2 ? DUE : -1) &&
                 x.start == (where == TSIM__TRUCK_YARD ? -1 : start) &&
                 x.depart == (where == TSIM__TRUCK_GONE ? left : -1);
        if (where == TSIM__TRUCK_GONE)
            ok = ok && x.loaded == 1 && x.full && x.late == (j % 2 && left > DUE);
        if (!ok && bad++ < 3)
            fprintf(stderr, "  truck %d: '%s' where %d start %g depart %g\n", j, x.id,
                    (int)x.where, x.start, x.depart);
    }
    CHECK(bad == 0);
}

static double kpi_of(struct tsim_sim *sim, int block, const char *name)
{
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    double v = kpi(&r, block, name);
    tsim_result_release(&r);
    return v;
}

/* A thousand trucks the plant adds at 0, then a clone that runs them to the end: 500 min, 200
 * outbound trucks late (odd j from 601 leave at j / 2 + 1 > 300). The sim it came from, run to
 * 100 after, has its own records; the clone's run changed none of them. */
static void test_thousand_added(void)
{
    struct tsim_model *m;
    struct tsim_sim *sim = sim_from_text(two_docks, "dc.yaml", &m);
    if (!sim) return;
    char err[256] = "";
    int rc = 0;
    for (int j = 0; j < N; j++) rc |= add_truck(sim, 0, j, err, sizeof err);
    CHECK(rc == 0);
    CHECK_STR(err, "");
    CHECK(tsim__dock_trucks(sim, 0) == N && tsim__dock_trucks(sim, 1) == 0);
    check_records(sim, 0, 0);

    struct tsim_sim *c = tsim_sim_clone(sim);
    CHECK(tsim__dock_trucks(c, 0) == N);
    tsim_sim_run_until(c, 600);
    check_records(c, 0, 600);
    CHECK_NEAR(kpi_of(c, 0, "trucks"), N, 0);
    CHECK_NEAR(kpi_of(c, 0, "late_departures"), 200, 0);
    CHECK_NEAR(kpi_of(c, 0, "pallets_unloaded"), N / 2, 0);
    CHECK_NEAR(kpi_of(c, 0, "pallets_loaded"), N / 2, 0);
    check_records(sim, 0, 0);

    tsim_sim_run_until(sim, 100);
    check_records(sim, 0, 100);
    CHECK_NEAR(kpi_of(sim, 0, "trucks"), 200, 0);
    /* each is known, in the sim and in the clone apart */
    CHECK(add_truck(sim, 0, 999, err, sizeof err) == -1);
    CHECK_STR(err, "truck 'T999' came to dock 'east' already, at 0");
    CHECK(add_truck(c, 0, 0, err, sizeof err) == -1);
    CHECK_STR(err, "truck 'T0' came to dock 'east' already, at 0");
    tsim_sim_destroy(c);
    check_records(sim, 0, 100);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* Both docks add trucks in turns, so each one's room is moved to the arena's end as the other's
 * ends it: every record stays its own, found by its id, in the sim and in a clone (a report of
 * one at the instant it came is agreement, and adds none). A reset forgets them (the room goes
 * with them), and they may come again. */
static void test_two_docks_in_turns(void)
{
    struct tsim_model *m;
    struct tsim_sim *sim = sim_from_text(two_docks, "dc.yaml", &m);
    if (!sim) return;
    char err[256] = "";
    int rc = 0;
    for (int j = 0; j < N; j++) {
        rc |= add_truck(sim, 0, j, err, sizeof err);
        char id[16];
        snprintf(id, sizeof id, "W%d", j);
        rc |= tsim__dock_arrive(sim, 1, id, 0, 1 + j % 7, -1, -1, err, sizeof err);
    }
    CHECK(rc == 0);
    check_records(sim, 0, 0);
    struct tsim_sim *c = tsim_sim_clone(sim);
    int bad = 0;
    for (int j = 0; j < N; j++) {
        struct tsim__dock_truck x, y;
        tsim__dock_truck(sim, 1, j, &x);
        tsim__dock_truck(c, 1, j, &y);
        char id[16];
        snprintf(id, sizeof id, "W%d", j);
        bad += strcmp(x.id, id) != 0 || strcmp(y.id, id) != 0 || x.pallets != 1 + j % 7 ||
               y.pallets != x.pallets || x.outbound;
        /* found by its id: the plant agrees (it came at this instant), nothing is added */
        bad += tsim__dock_arrive(c, 1, id, 0, 1, -1, -1, err, sizeof err) != 0;
    }
    CHECK(bad == 0);
    CHECK(tsim__dock_trucks(c, 1) == N);
    check_records(c, 0, 0);
    tsim_sim_destroy(c);

    size_t before = tsim_sim_memory(sim);
    tsim_sim_reset(sim, 1, 0);
    CHECK(tsim__dock_trucks(sim, 0) == 0 && tsim__dock_trucks(sim, 1) == 0);
    CHECK(tsim_sim_memory(sim) < before);
    CHECK(add_truck(sim, 0, 5, err, sizeof err) == 0);
    CHECK(tsim__dock_trucks(sim, 0) == 1);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* The most a dock records besides its appointments; one more is refused with its message, and
 * the trucks recorded stay. A yard of one turns the rest away, so that each costs little. */
static void test_most_added(void)
{
    struct tsim_model *m;
    struct tsim_sim *sim = sim_from_text("name: dc\nblocks:\n"
                                         "  - dock: dock\n    doors: 1\n    unload: 1\n"
                                         "    yard_capacity: 1\n"
                                         "    interarrival: 100000\n    limit: 1\n    to: gone\n"
                                         "  - sink: gone\n",
                                         "dc.yaml", &m);
    if (!sim) return;
    char err[256] = "", id[16];
    int rc = 0;
    for (int j = 0; j < TSIM__DOCK_LIVE_MAX; j++) {
        snprintf(id, sizeof id, "%d", j);
        rc |= tsim__dock_arrive(sim, 0, id, 0, 1, -1, -1, err, sizeof err);
    }
    CHECK(rc == 0);
    CHECK(tsim__dock_trucks(sim, 0) == TSIM__DOCK_LIVE_MAX);
    CHECK(tsim__dock_arrive(sim, 0, "one more", 0, 1, -1, -1, err, sizeof err) == -1);
    CHECK_STR(err, "dock 'dock' has recorded 1000000 trucks that its appointments do not know, "
                   "the most it keeps");
    CHECK(tsim__dock_trucks(sim, 0) == TSIM__DOCK_LIVE_MAX);
    struct tsim__dock_truck x;
    tsim__dock_truck(sim, 0, TSIM__DOCK_LIVE_MAX - 1, &x);
    CHECK(strcmp(x.id, "999999") == 0 && x.where == TSIM__TRUCK_GONE && x.depart == 0);
    CHECK_NEAR(kpi_of(sim, 0, "turned_away"), TSIM__DOCK_LIVE_MAX - 2, 0);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

int main(void)
{
    RUN(test_thousand_added);
    RUN(test_two_docks_in_turns);
    RUN(test_most_added);
    return CHECK_DONE();
}
