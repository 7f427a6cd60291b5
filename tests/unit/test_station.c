/*
 * Machine and assembly servers (src/blocks/station.c, operators.c, assembly.c): the rules of
 * docs/semantics.md that tie failures, repairs, operators, shifts and assembly places together,
 * each checked against a figure that follows from the rule alone (a closed form or a count), on
 * models where the engine once went wrong: a crash, a repair deadlocked by its own setup,
 * failures counted off shift, an operator held through a shift's end, an assembly that stalled.
 *
 * Statistical checks have the shape of test_validation.c's (reps.h): R replications, the
 * interval at this file's Bonferroni level (some twenty checks share a 1% family-wise error),
 * plus a bias allowance derived for the model.
 */
#include "check.h"
#include "twinsim.h"

#include <stdint.h>
#include <stdlib.h>

#define LEVEL (1.0 - 0.01 / 20.0)
#define MAX_REPS 32

static int verbose;
static uint64_t seed_ = UINT64_C(20261204);
#define SEED seed_

#include "reps.h"

/* Load a model from YAML text; NULL (and a failed check, with the diagnostics) if it has errors. */
static struct tsim_model *load(const char *yaml)
{
    struct tsim_diags d;
    tsim_diags_init(&d);
    struct tsim_model *m = tsim_model_load(yaml, strlen(yaml), "station.yaml", NULL, &d);
    if (!m) {
        tsim_diags_print(&d, "station.yaml", stderr);
        check_failed_ = 1;
    }
    tsim_diags_release(&d);
    return m;
}

static int block(const struct tsim_model *m, const char *name)
{
    int b = tsim_model_find_block(m, name);
    CHECK(b >= 0);
    return b;
}

/* ---------------------------------------------------------------------------------------------
 * Operators and failures
 * ------------------------------------------------------------------------------------------- */

/*
 * A failure while the server waits for its setup operator: the waiting request is withdrawn
 * before the repair asks for the same pool, so a server never has two requests queued (this
 * once aborted with "request queue of pool 'techs' is full"). Every replication must reach its
 * horizon with parts made and every part accounted for.
 */
static void test_failure_while_waiting_for_operator(void)
{
    struct tsim_model *m = load("products: [a, b]\n"
                                "shifts:\n"
                                "  - {name: day, periods: [[\"06:00\", \"14:00\"]]}\n"
                                "operators:\n"
                                "  - {name: techs, count: 1, shift: day}\n"
                                "blocks:\n"
                                "  - source: s\n"
                                "    interarrival: exponential(5)\n"
                                "    product: {a: 0.5, b: 0.5}\n"
                                "    to: q\n"
                                "  - buffer: q\n"
                                "    to: m\n"
                                "  - machine: m\n"
                                "    process: 1\n"
                                "    setup: 5\n"
                                "    failures: {between: exponential(60), repair: 10}\n"
                                "    needs: {techs: 1, for: [setup, repair]}\n"
                                "    to: done\n"
                                "  - sink: done\n");
    if (!m) return;
    struct reps x;
    run_reps(&x, m, 20, 0, 3 * 1440.0);
    CHECK(x.n == 20);
    int q = block(m, "q"), mc = block(m, "m");
    for (int i = 0; i < x.n; i++) {
        CHECK(kpi(&x.r[i], TSIM_KPI_SYSTEM, "completed") > 0);
        /* Every part that left the buffer entered the machine; one server holds at most one. */
        CHECK_NEAR(kpi(&x.r[i], q, "left"), kpi(&x.r[i], mc, "entered"), 0);
        double inside = kpi(&x.r[i], mc, "entered") - kpi(&x.r[i], mc, "left");
        CHECK(inside >= 0 && inside <= 1);
    }
    reps_release(&x);
    tsim_model_destroy(m);
}

/*
 * One machine, one technician who does both its setups and its repairs. When the machine fails
 * during a setup, the setup lets its technician go, so the repair starts at once: the pool has
 * no other user. The machine is then down exactly during repairs, an alternating renewal process
 * with up ~ exp(60) and repair 10: down share = 10 / 70. (It was 97%: the repair waited for
 * the technician that the interrupted setup held, for ever.)
 */
static void test_repair_takes_the_setup_operator(void)
{
    struct tsim_model *m = load("products: [a, b]\n"
                                "operators:\n"
                                "  - {name: techs, count: 1}\n"
                                "blocks:\n"
                                "  - source: s\n"
                                "    interarrival: exponential(5)\n"
                                "    product: {a: 0.5, b: 0.5}\n"
                                "    to: q\n"
                                "  - buffer: q\n"
                                "    to: m\n"
                                "  - machine: m\n"
                                "    process: 1\n"
                                "    setup: 5\n"
                                "    failures: {between: exponential(60), repair: 10}\n"
                                "    needs: {techs: 1, for: [setup, repair]}\n"
                                "    to: done\n"
                                "  - sink: done\n");
    if (!m) return;
    const double warm = 200, window = 20000;
    struct reps x;
    run_reps(&x, m, 20, warm, warm + window);
    int mc = block(m, "m");
    /* From the warm-up on, the renewal process's state is at most one cycle off stationary:
     * the bias is at most one cycle's down time over the window. */
    CHECK_KPI(&x, mc, "states.down", 10.0 / 70.0, 10.0 / window);
    /* Load 0.2 parts/min x 1 min plus half the parts needing a 5-min setup: stable, so
     * everything that arrives leaves (throughput = arrival rate). */
    CHECK_KPI(&x, TSIM_KPI_SYSTEM, "throughput", 0.2, 0.2 * 60 / window);
    reps_release(&x);
    tsim_model_destroy(m);
}

/*
 * Machine repair with one repairer (M/M/1//N): N = 4 machines, each up ~ exp(10) while not
 * failed (busy or idle), one repairer, repairs ~ exp(2), FIFO. With a = 2/10,
 * p_n = p_0 N!/(N-n)! a^n; the mean number down L = sum n p_n, the repairer busy 1 - p_0, and a
 * machine is down (waiting or in repair) a share L/N of the time.
 */
static void test_machine_repair_one_repairer(void)
{
    const int n = 4;
    const double up = 10, rep = 2, a = rep / up;
    struct tsim_model *m = tsim_model_create("repair");
    int pool = tsim_model_add_operators(m, "repairer", 1, -1);
    CHECK(pool >= 0);
    int mc[4];
    int sink = add_block(m, TSIM_SINK, "done");
    struct tsim_dist u = expo(up), r = expo(rep), one = constant(1);
    for (int i = 0; i < n; i++) {
        char name[16];
        snprintf(name, sizeof name, "m%d", i);
        mc[i] = add_block(m, TSIM_MACHINE, name);
        CHECK(tsim_machine_set_process(m, mc[i], -1, &one) == 0);
        CHECK(tsim_machine_set_failures(m, mc[i], &u, &r) == 0);
        CHECK(tsim_machine_set_needs(m, mc[i], pool, 1, TSIM_NEED_REPAIR) == 0);
        CHECK(tsim_route_to(m, mc[i], sink) == 0);
    }
    double p[5], sum = 0;
    for (int k = 0; k <= n; k++) {
        double v = 1;
        for (int j = 0; j < k; j++) v *= (n - j) * a;
        p[k] = v;
        sum += v;
    }
    double l = 0;
    for (int k = 0; k <= n; k++) l += k * (p[k] /= sum);
    const double warm = 200, window = 20000;
    struct reps x;
    run_reps(&x, m, 20, warm, warm + window);
    CHECK(x.n == 20);
    double down[MAX_REPS];
    for (int i = 0; i < x.n; i++) {
        down[i] = 0;
        for (int k = 0; k < n; k++) down[i] += kpi(&x.r[i], mc[k], "states.down");
    }
    /* A 5-state chain relaxing within a few up times: after 20 of them nothing is left but one
     * cycle's share of the window's ends. */
    CHECK_CI("mean number down", down, x.n, l, l * 2 * (up + rep) / window);
    CHECK_KPI(&x, TSIM_KPI_POOL(pool), "utilization", 1 - p[0], 2 * (up + rep) / window);
    reps_release(&x);
    tsim_model_destroy(m);
}

/*
 * Two machines share one technician for setups and repairs: a part of another product than
 * the last needs a setup, and each machine fails about hourly. With the old rule (interrupted
 * work kept its operator) the two deadlocked as soon as one failed during a setup while the other
 * waited; with the rule every request is served in turn and the line is stable, so its
 * throughput is the arrival rate.
 */
static void test_shared_technician_setups_and_repairs(void)
{
    struct tsim_model *m = load("products: [a, b]\n"
                                "operators:\n"
                                "  - {name: tech, count: 1}\n"
                                "blocks:\n"
                                "  - source: s\n"
                                "    interarrival: exponential(4)\n"
                                "    product: {a: 0.5, b: 0.5}\n"
                                "    to: q\n"
                                "  - buffer: q\n"
                                "    to: {rule: round_robin, among: [m1, m2]}\n"
                                "  - machine: m1\n"
                                "    process: exponential(2)\n"
                                "    setup: 3\n"
                                "    failures: {between: exponential(60), repair: exponential(8)}\n"
                                "    needs: {tech: 1, for: [setup, repair]}\n"
                                "    to: done\n"
                                "  - machine: m2\n"
                                "    process: exponential(2)\n"
                                "    setup: 3\n"
                                "    failures: {between: exponential(60), repair: exponential(8)}\n"
                                "    needs: {tech: 1, for: [setup, repair]}\n"
                                "    to: done\n"
                                "  - sink: done\n");
    if (!m) return;
    const double warm = 500, window = 20000;
    struct reps x;
    run_reps(&x, m, 20, warm, warm + window);
    /* Parts inside at the window's ends: a handful against 5,000 that pass. */
    CHECK_KPI(&x, TSIM_KPI_SYSTEM, "throughput", 0.25, 0.25 * 50 / (0.25 * window));
    reps_release(&x);
    tsim_model_destroy(m);
}

/* ---------------------------------------------------------------------------------------------
 * Failures and shifts
 * ------------------------------------------------------------------------------------------- */

/* One machine on a 06:00-14:00 shift, failing after exp(120) and repaired in exp(10), idle or
 * busy; `crew` says whether its repairs need a crew on the same shift, `basis` its failure clock. */
static struct tsim_model *shift_machine(const char *basis, int crew)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "shifts:\n"
             "  - {name: day, periods: [[\"06:00\", \"14:00\"]]}\n"
             "operators:\n"
             "  - {name: crew, count: 1, shift: day}\n"
             "blocks:\n"
             "  - source: s\n"
             "    interarrival: exponential(2)\n"
             "    to: q\n"
             "  - buffer: q\n"
             "    to: m\n"
             "  - machine: m\n"
             "    process: exponential(1)\n"
             "    shift: day\n"
             "    failures: {between: exponential(120), repair: exponential(10), basis: %s}\n"
             "%s"
             "    to: done\n"
             "  - sink: done\n",
             basis, crew ? "    needs: {crew: 1, for: repair}\n" : "");
    return load(yaml);
}

/*
 * On the operating basis the failure process runs only on shift: off shift neither the time to
 * failure nor a repair advances. Seen on the shift's own clock it is an alternating renewal
 * process, so availability = MTBF / (MTBF + MTTR) = 120 / 130, with or without a crew on the same
 * shift. (Failures kept coming at night and waited for the morning crew: availability was 33%.)
 * Off shift is 16 h of every 24, and it wins over down, so down is (1 - A) of the other 8 h.
 */
static void test_availability_operating_basis(void)
{
    const double a = 120.0 / 130.0, days = 60, warm = 1440;
    for (int crew = 0; crew <= 1; crew++) {
        struct tsim_model *m = shift_machine("operating", crew);
        if (!m) return;
        struct reps x;
        run_reps(&x, m, 20, warm, warm + days * 1440);
        int mc = block(m, "m");
        /* Each day restarts the renewal process where the last shift left it; the window's two
         * ends are off shift, so only the transient after the warm-up is left: one cycle. */
        double bias = 130.0 / (days * 480);
        CHECK_KPI(&x, mc, "availability", a, bias);
        CHECK_KPI(&x, mc, "states.off_shift", 16.0 / 24.0, 1e-9);
        CHECK_KPI(&x, mc, "states.down", (1 - a) / 3.0, bias / 3.0);
        reps_release(&x);
        tsim_model_destroy(m);
    }
}

/*
 * On the calendar basis a failure can come at night. Without a crew the repair runs in calendar
 * time too, so the process is a stationary renewal process sampled by the shift: the same
 * availability. With a crew on the day shift, a night's failure waits for the morning: each
 * morning after a failed night starts with a repair, so availability is lower, by about the
 * share of mornings that find the machine down (1 - e^-(960/120) ~ 1) times 10 min of 480.
 */
static void test_availability_calendar_basis(void)
{
    const double a = 120.0 / 130.0, days = 60, warm = 1440;
    struct tsim_model *m = shift_machine("calendar", 0);
    if (!m) return;
    struct reps x;
    run_reps(&x, m, 20, warm, warm + days * 1440);
    int mc = block(m, "m");
    CHECK_KPI(&x, mc, "availability", a, 130.0 / (days * 480));
    reps_release(&x);
    tsim_model_destroy(m);

    /* With the crew: a night of 960 min without a failure has probability e^-8, so each shift
     * starts with a repair, R ~ exp(10); then the process starts up, and with rates f = 1/120,
     * r = 1/10 it is down at t with probability f/(f+r) (1 - e^-(f+r)t): over the rest of the
     * shift, 480 - R, that is f/(f+r) (480 - R - (1 - e^-(f+r)(480-R))/(f+r)) on average. */
    m = shift_machine("calendar", 1);
    if (!m) return;
    run_reps(&x, m, 20, warm, warm + days * 1440);
    const double f = 1.0 / 120, r = 1.0 / 10, share = f / (f + r);
    double down = 10 + share * (480 - 10 - 1 / (f + r));
    CHECK_KPI(&x, block(m, "m"), "availability", 1 - down / 480, exp(-8.0) + 1e-3);
    reps_release(&x);
    tsim_model_destroy(m);
}

/* The basis is read from the file and from a parameter path, and a wrong one is named. */
static void test_failure_basis_setting(void)
{
    const char *text = "blocks:\n"
                       "  - source: s\n"
                       "    interarrival: 1\n"
                       "    to: m\n"
                       "  - machine: m\n"
                       "    process: 0.5\n"
                       "    failures: {between: 60, repair: 5, basis: calender}\n"
                       "    to: done\n"
                       "  - sink: done\n";
    struct tsim_diags d;
    tsim_diags_init(&d);
    CHECK(tsim_model_load(text, strlen(text), "b.yaml", NULL, &d) == NULL);
    CHECK(d.errors == 1);
    if (d.n == 1) {
        CHECK(d.items[0].line == 7 && d.items[0].col == 47);
        CHECK_STR(d.items[0].message, "unknown failure basis 'calender' (did you mean 'calendar'?)");
    }
    tsim_diags_release(&d);

    struct tsim_model *m = shift_machine("calendar", 0);
    if (!m) return;
    CHECK(tsim_model_set_param(m, "m.failures.basis", "operating") == 0);
    CHECK(tsim_model_set_param(m, "m.failures.basis", "weekly") != 0);
    CHECK(strstr(tsim_errmsg(), "unknown failure basis 'weekly' (use operating or calendar)"));
    CHECK(tsim_machine_set_failure_basis(m, block(m, "m"), (enum tsim_failure_basis)7) ==
          TSIM_ERANGE);
    tsim_model_destroy(m);
}

/*
 * A machine on a 06:00-14:00 shift, always fed, 0.7 min a part: work in process pauses at the
 * shift's end and resumes with its remaining time, so in 3 days from midnight it works exactly
 * 3 x 480 min and completes floor(1440 / 0.7) = 2057 parts.
 */
static void test_shift_capacity(void)
{
    struct tsim_model *m = load("shifts:\n"
                                "  - {name: day, periods: [[\"06:00\", \"14:00\"]]}\n"
                                "blocks:\n"
                                "  - source: s\n"
                                "    interarrival: 0.25\n"
                                "    to: q\n"
                                "  - buffer: q\n"
                                "    to: m\n"
                                "  - machine: m\n"
                                "    process: 0.7\n"
                                "    shift: day\n"
                                "    to: done\n"
                                "  - sink: done\n");
    if (!m) return;
    struct tsim_sim *sim = tsim_sim_create(m, SEED, 0);
    CHECK(sim != NULL);
    if (sim) {
        tsim_sim_run_until(sim, 3 * 1440.0);
        struct tsim_result r;
        tsim_result_init(&r);
        tsim_sim_result(sim, &r);
        CHECK_NEAR(kpi(&r, TSIM_KPI_SYSTEM, "completed"), 2057, 0);
        CHECK_NEAR(kpi(&r, block(m, "m"), "states.busy"), 1440.0 / (3 * 1440.0), 1e-12);
        tsim_result_release(&r);
        tsim_sim_destroy(sim);
    }
    tsim_model_destroy(m);
}

/*
 * Work that pauses at its machine's end of shift lets its operator go. Machine `day` (06:00 to
 * 14:00, 10 min a part) and machine `always` (1 min a part) share one operator for processing.
 * From 14:00 to 06:00 `day` is off, so `always` has the operator to itself: over one day from
 * midnight it completes at least the 960 parts of those 16 hours less one in process. (The
 * operator used to stay with `day`'s paused part all night: `always` then made 360.)
 */
static void test_shift_end_releases_operator(void)
{
    struct tsim_model *m = load("shifts:\n"
                                "  - {name: day, periods: [[\"06:00\", \"14:00\"]]}\n"
                                "operators:\n"
                                "  - {name: op, count: 1}\n"
                                "blocks:\n"
                                "  - source: s1\n"
                                "    interarrival: 0.5\n"
                                "    to: q1\n"
                                "  - buffer: q1\n"
                                "    to: day\n"
                                "  - machine: day\n"
                                "    process: 10\n"
                                "    shift: day\n"
                                "    needs: {op: 1, for: process}\n"
                                "    to: done\n"
                                "  - source: s2\n"
                                "    interarrival: 0.5\n"
                                "    to: q2\n"
                                "  - buffer: q2\n"
                                "    to: always\n"
                                "  - machine: always\n"
                                "    process: 1\n"
                                "    needs: {op: 1, for: process}\n"
                                "    to: done\n"
                                "  - sink: done\n");
    if (!m) return;
    struct tsim_sim *sim = tsim_sim_create(m, SEED, 0);
    CHECK(sim != NULL);
    if (sim) {
        tsim_sim_run_until(sim, 1440.0);
        struct tsim_result r;
        tsim_result_init(&r);
        tsim_sim_result(sim, &r);
        double always = kpi(&r, block(m, "always"), "left");
        if (verbose) printf("  'always' made %.0f parts\n", always);
        CHECK(always >= 959);
        tsim_result_release(&r);
        tsim_sim_destroy(sim);
    }
    tsim_model_destroy(m);
}

/* ---------------------------------------------------------------------------------------------
 * Assembly
 * ------------------------------------------------------------------------------------------- */

/*
 * Assembly of two Poisson streams with unlimited buffers: housings at rate 0.5, boards at 1.25
 * (two a set: 0.625 sets), 1.5 min a set. Boards are always there, so the housings' side is an
 * M/D/1 queue: throughput 0.5 (the smaller input rate over its part count), utilization 0.75,
 * and housings waiting Lq = rho^2 / (2 (1 - rho)) = 1.125 on average: those in their buffer plus
 * the one that may wait in the assembly's housing place. The assembly holds that place, two
 * boards in theirs (refilled at the instant a set starts: the board buffer never empties after
 * the warm-up) and the unit in process, so Lq = buffer content + assembly content - 2 - busy.
 * (A wake stopped at the first refused waiter, so the buffer that would complete a set was never
 * asked: 10 units a day.)
 */
static void test_assembly_poisson_streams(void)
{
    struct tsim_model *m = load("products: [h, p]\n"
                                "blocks:\n"
                                "  - source: hs\n"
                                "    interarrival: exponential(2)\n"
                                "    product: h\n"
                                "    to: hq\n"
                                "  - source: ps\n"
                                "    interarrival: exponential(0.8)\n"
                                "    product: p\n"
                                "    to: pq\n"
                                "  - buffer: hq\n"
                                "    to: asm\n"
                                "  - buffer: pq\n"
                                "    to: asm\n"
                                "  - assembly: asm\n"
                                "    parts: {h: 1, p: 2}\n"
                                "    process: 1.5\n"
                                "    to: done\n"
                                "  - sink: done\n");
    if (!m) return;
    const double warm = 1000, window = 10000, rho = 0.75;
    const double tau = mm1_tau(rho, 1.0 / 1.5);
    struct reps x;
    run_reps(&x, m, 20, warm, warm + window);
    int hq = block(m, "hq"), as = block(m, "asm");
    double lq = rho * rho / (2 * (1 - rho)), l = lq + rho;
    CHECK_KPI(&x, TSIM_KPI_SYSTEM, "throughput", 0.5,
              bias_allowance(0.5, warm, tau, l, 0.5, window));
    CHECK_KPI(&x, as, "utilization", rho, bias_allowance(rho, warm, tau, l, 0.5, window));
    double waiting[MAX_REPS];
    for (int i = 0; i < x.n; i++)
        waiting[i] = kpi(&x.r[i], hq, "content") + kpi(&x.r[i], as, "content") - 2 -
                     kpi(&x.r[i], as, "utilization");
    CHECK_CI("housings waiting", waiting, x.n, lq, bias_allowance(lq, warm, tau, l, 0.5, window));
    reps_release(&x);
    tsim_model_destroy(m);
}

int main(void)
{
    const char *v = getenv("TSIM_TEST_VERBOSE");
    verbose = v && *v && strcmp(v, "0") != 0;
    const char *sd = getenv("TSIM_TEST_SEED");
    if (sd && *sd) seed_ = strtoull(sd, NULL, 10);
    RUN(test_failure_while_waiting_for_operator);
    RUN(test_repair_takes_the_setup_operator);
    RUN(test_machine_repair_one_repairer);
    RUN(test_shared_technician_setups_and_repairs);
    RUN(test_availability_operating_basis);
    RUN(test_availability_calendar_basis);
    RUN(test_failure_basis_setting);
    RUN(test_shift_capacity);
    RUN(test_shift_end_releases_operator);
    RUN(test_assembly_poisson_streams);
    return CHECK_DONE();
}
