/*
 * A fleet's battery in its other spellings: the capacity in Ah at a voltage (`battery_unit: Ah`,
 * `voltage`) and the draws while driving per length driven (`draw_empty_per_length`,
 * `draw_loaded_per_length`). Each form is checked against the same leg-by-leg charge computed by
 * hand; then the bad combinations.
 */
#include "blocks/fleet.h"
#include "check.h"
#include "fleet_trip.h"
#include "model_text.h"
#include "twinsim.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The trip of fleet_trip.h, the vehicle charging below 1 % (its keys `keys` after that): H->P
 * 1..3 (4 long, empty), loading 3..4, P->D 4..10 (6 long, loaded), unloading 10..10.5, D->H
 * 10.5..11.5 (2 long, empty), the end. Every form below is a 10 kWh battery drawing 0.1 kWh a
 * minute empty (0.05 kWh per length unit at speed 2), 0.2 kWh a minute loaded (0.2 per length
 * unit at speed 1), nothing standing: its charge is 100 % to 1, 98 % at 3 (0.2 kWh: 4 long x
 * 0.05) and at 4, 86 % at 10 (1.2 kWh: 6 x 0.2), 85 % at the end (0.1 kWh: 2 x 0.05). */
static void trip_text(char *text, size_t size, const char *keys)
{
    char k[1024];
    snprintf(k, sizeof k, "    charge_below: 0.01\n%s", keys);
    fleet_trip(text, size, k, NULL, NULL, NULL);
}

/* The trip with the battery keys `keys`: the charge at 3, 4 and 10 and at the end. */
static void trip(const char *keys)
{
    char text[4096];
    trip_text(text, sizeof text, keys);
    struct tsim_model *m;
    struct tsim_sim *sim = sim_from_text(text, "fleet.yaml", &m);
    if (!sim) return;
    int f = tsim_model_find_block(m, "amr");
    const double at[] = {1, 3, 4, 10}, want[] = {100, 98, 98, 86};
    for (int k = 0; k < 4; k++) {
        tsim_sim_run_until(sim, at[k]);
        CHECK_NEAR(tsim__fleet_vehicle_charge(sim, f, 0), want[k], 1e-9);
    }
    struct tsim_result r;
    run_to_end(sim, &r);
    CHECK_NEAR(tsim_sim_now(sim), 11.5, 1e-9);
    CHECK_NEAR(kpi(&r, f, "battery_end"), 0.85, 1e-12);
    CHECK_NEAR(kpi(&r, f, "battery_min"), 0.85, 1e-12);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* kWh and kW, as before: 6 kW is 0.1 kWh a minute, 12 kW 0.2. */
static void test_battery_kwh_per_time(void)
{
    trip("    battery: 10\n    draw_empty: 6\n    draw_loaded: 12\n    charge_rate: 1\n");
}

/* kWh per length unit driven. */
static void test_battery_kwh_per_length(void)
{
    trip("    battery: 10\n    draw_empty_per_length: 0.05\n    draw_loaded_per_length: 0.2\n"
         "    charge_rate: 1\n");
}

/* 400 Ah at 25 V is 10 kWh; 240 A is 6 kW, 480 A 12 kW. */
static void test_battery_ah_per_time(void)
{
    trip("    battery: 400\n    battery_unit: Ah\n    voltage: 25\n    draw_empty: 240\n"
         "    draw_loaded: 480\n    charge_rate: 40\n");
}

/* Ah per length unit: 2 Ah at 25 V is 0.05 kWh, 8 Ah 0.2 kWh. */
static void test_battery_ah_per_length(void)
{
    trip("    battery: 400\n    battery_unit: Ah\n    voltage: 25\n"
         "    draw_empty_per_length: 2\n    draw_loaded_per_length: 8\n    charge_rate: 40\n");
}

/* The first error of the trip with `keys` must contain `want`. */
static void bad(const char *keys, const char *want)
{
    char text[4096];
    trip_text(text, sizeof text, keys);
    fleet_trip_error(text, want);
}

static void test_battery_units_bad(void)
{
    bad("    battery: 400\n    battery_unit: Ah\n    charge_rate: 40\n",
        "fleet 'amr' has 'battery_unit: Ah' but no 'voltage' (more than 0 V)");
    bad("    battery: 10\n    voltage: 24\n    charge_rate: 1\n",
        "'voltage' of fleet 'amr' is used only with 'battery_unit: Ah'");
    bad("    battery: 10\n    draw_empty: 6\n    draw_empty_per_length: 0.05\n    charge_rate: 1\n",
        "fleet 'amr' has both 'draw_empty' and 'draw_empty_per_length': give one");
    bad("    battery: 10\n    draw_loaded: 6\n    draw_loaded_per_length: 0.05\n    charge_rate: 1\n",
        "fleet 'amr' has both 'draw_loaded' and 'draw_loaded_per_length': give one");
    bad("    battery: 10\n    battery_unit: mAh\n    charge_rate: 1\n", "mAh");
}

/* The draw per length on a slowed segment. The trip above with its loaded leg through node M:
 * P->M 2 long of class `narrow`, where the fleet drives at most 0.5, then M->D 4 long at 1; the
 * fleet's keys `keys`, the network's `net` after its segments. H->P 1..3, loading 3..4, P->M
 * 4..8 (2 / 0.5), M->D 8..12, unloading 12..12.5, D->H 12.5..13.5. The loaded leg is 6 long,
 * so it takes 6 x 0.2 = 1.2 kWh whatever its speeds: 86 % at 12 (at the top speed's draw per
 * time, 0.2 kWh a minute, its 8 minutes would take 1.6 kWh: 82 %). Its charge (in %) at the
 * times at[] (n of them) must be want[], its end at `end` with `last` % left. */
static void slowed(const char *keys, const char *net, const double *at, const double *want,
                   int n, double end, double last)
{
    char text[4096], all[1024];
    snprintf(all, sizeof all,
             "    speed_by_class: {narrow: 0.5}\n    charge_below: 0.01\n    battery: 10\n"
             "    draw_empty_per_length: 0.05\n    draw_loaded_per_length: 0.2\n"
             "    charge_rate: 1\n%s",
             keys);
    fleet_trip(text, sizeof text, all, "H, P, M, D",
               "    - {from: P, to: M, length: 2, one_way: true, class: narrow}\n"
               "    - {from: M, to: D, length: 4, one_way: true}\n",
               net);
    struct tsim_model *m;
    struct tsim_sim *sim = sim_from_text(text, "fleet.yaml", &m);
    if (!sim) return;
    int f = tsim_model_find_block(m, "amr");
    for (int k = 0; k < n; k++) {
        tsim_sim_run_until(sim, at[k]);
        CHECK_NEAR(tsim__fleet_vehicle_charge(sim, f, 0), want[k], 1e-9);
    }
    struct tsim_result r;
    run_to_end(sim, &r);
    CHECK_NEAR(tsim_sim_now(sim), end, 1e-6);
    CHECK_NEAR(kpi(&r, f, "battery_end"), last / 100, 1e-12);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* Without zones the leg's draw is spread evenly over its time: 92 % at 8, half way in time. With
 * zones each segment takes its own: 94 % at M (2 x 0.2 = 0.4 kWh), 86 % at D either way. With
 * acceleration 0.5 (a triangle of 4 sqrt 2 from H to P, test_fleet_accel.c) the empty leg still
 * takes 4 x 0.05 = 0.2 kWh: 98 % on arriving at P. */
static void test_battery_per_length_slowed(void)
{
    const double at[] = {1, 3, 4, 8, 12}, flat[] = {100, 98, 98, 92, 86},
                 zoned[] = {100, 98, 98, 94, 86};
    slowed("", "", at, flat, 5, 13.5, 85);
    slowed("", "  node_capacity: 1\n", at, zoned, 5, 13.5, 85);
    /* The loaded leg (6 long, speed sqrt(x) up and sqrt(6 - x) down): P->M reaches its 0.5
     * after 0.25 (in 1) and runs on, 1 + 1.75 / 0.5 = 4.5; M->D at 1 from M to 3 (1), then down
     * from 3 to 6 (2 + 2): 5. At D at 1 + 4 sqrt 2 + 1 + 9.5 with 86 %, home 4.5 later. */
    const double acc_at[] = {1 + 4 * sqrt(2), 11.5 + 4 * sqrt(2)}, acc_want[] = {98, 86};
    slowed("    acceleration: 0.5\n", "", acc_at, acc_want, 2, 16 + 4 * sqrt(2), 85);
}

int main(void)
{
    RUN(test_battery_kwh_per_time);
    RUN(test_battery_kwh_per_length);
    RUN(test_battery_ah_per_time);
    RUN(test_battery_ah_per_length);
    RUN(test_battery_units_bad);
    RUN(test_battery_per_length_slowed);
    return CHECK_DONE();
}
