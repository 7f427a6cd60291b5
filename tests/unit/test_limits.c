/*
 * Limits of a run: a model that loops without time passing, grows without bound or runs past the
 * last tick stops with an error that says where, within a bounded number of events, and never
 * hands out numbers (docs/model-format.md, Limits of a run). And the other side of each rule:
 * a model that does much at one instant, or holds many entities, or runs long, is not stopped.
 */
#include "blocks/desc.h"
#include "check.h"
#include "twinsim.h"

#include <stdlib.h>

static struct tsim_model *load(const char *text)
{
    struct tsim_diags d;
    tsim_diags_init(&d);
    struct tsim_model *m = tsim_model_load(text, strlen(text), "limits.yaml", NULL, &d);
    if (!m) tsim_diags_print(&d, "limits.yaml", stderr);
    CHECK(m != NULL);
    tsim_diags_release(&d);
    return m;
}

/* Run `m` (seed 1, replication 0) until `horizon` (0: no horizon); returns the sim's status,
 * with its message in `msg`, its events in `*events` and its clock in `*now`. */
static int run(const struct tsim_model *m, double horizon, char *msg, size_t size,
               uint64_t *events, double *now)
{
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    CHECK(sim != NULL);
    if (!sim) return 0;
    if (horizon > 0)
        tsim_sim_run_until(sim, horizon);
    else
        tsim_sim_run(sim);
    int rc = tsim_sim_status(sim);
    snprintf(msg, size, "%s", rc ? tsim_sim_error(sim) : "");
    if (rc) CHECK(strstr(tsim_errmsg(), msg) != NULL);
    if (events) *events = tsim_sim_events(sim);
    if (now) *now = tsim_sim_now(sim);
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    /* A stopped sim's numbers mean nothing: there are none. */
    CHECK(rc == 0 ? r.n > 0 : r.n == 0);
    tsim_result_release(&r);
    /* Once stopped, it stays stopped. */
    if (rc) CHECK(tsim_sim_run(sim) == 0 && tsim_sim_status(sim) == rc);
    tsim_sim_destroy(sim);
    return rc;
}

/* The four loops of the report: an entity in a delay of 0 that feeds itself, a cycle of 100
 * zero-time blocks, a cycle through a machine with process 0, a round-robin cycle. Each stops
 * within 1.5 times the limit of events at one instant (1,000,000 for these small models), with
 * the blocks of the loop and the time in the message. */
static void test_zero_time_loops(void)
{
    char msg[512];
    uint64_t events;
    double now;
    struct tsim_model *m = load("run: {horizon: 100}\n"
                                "blocks:\n"
                                "  - {source: in, interarrival: 5, limit: 1, to: d}\n"
                                "  - {delay: d, time: 0, to: d}\n");
    if (m) {
        CHECK(run(m, 100, msg, sizeof msg, &events, &now) == TSIM_ELIMIT);
        CHECK_STR(msg, "zero-time loop at 5 min: more than 1000000 events without the clock "
                       "moving, through 'd' (a cycle in which no time passes? "
                       "'max_instant_events' raises the limit)");
        CHECK(events > 1000000 && events <= 1500002);
        CHECK(now == 5);
        /* Without a horizon too, and with the limit the model sets. */
        CHECK(tsim_model_set_max_instant_events(m, 5000) == 0);
        CHECK(run(m, 0, msg, sizeof msg, &events, NULL) == TSIM_ELIMIT);
        CHECK(strstr(msg, "more than 5000 events") != NULL);
        CHECK(events > 5000 && events <= 7502);
        tsim_model_destroy(m);
    }

    size_t cap = 16384, n = 0;
    char *text = malloc(cap);
    n += (size_t)snprintf(text + n, cap - n, "blocks:\n  - {source: in, interarrival: 1, "
                                             "limit: 3, to: z0}\n");
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(text + n, cap - n, "  - {%s: z%d, %s, to: z%d}\n",
                              i % 3 == 0 ? "delay" : i % 3 == 1 ? "machine" : "buffer", i,
                              i % 3 == 0 ? "time: 0" : i % 3 == 1 ? "process: 0" : "capacity: 2",
                              (i + 1) % 100);
    m = load(text);
    free(text);
    if (m) {
        CHECK(run(m, 0, msg, sizeof msg, &events, &now) == TSIM_ELIMIT);
        CHECK(strstr(msg, "zero-time loop at 1 min: more than 1000000 events") != NULL);
        CHECK(strstr(msg, "through 'z0', 'z1', 'z2', 'z3', 'z4', 'z5', 'z6', 'z7' and 92 more") !=
              NULL);
        CHECK(events <= 1500002 && now == 1);
        tsim_model_destroy(m);
    }

    m = load("blocks:\n"
             "  - {source: in, interarrival: 2, limit: 1, to: m}\n"
             "  - {machine: m, process: 0, to: q}\n"
             "  - {buffer: q, to: m}\n");
    if (m) {
        CHECK(run(m, 0, msg, sizeof msg, &events, &now) == TSIM_ELIMIT);
        CHECK(strstr(msg, "zero-time loop at 2 min") != NULL);
        CHECK(strstr(msg, "through 'm' and 'q'") != NULL);
        tsim_model_destroy(m);
    }

    m = load("blocks:\n"
             "  - {source: in, interarrival: 1, limit: 1, to: d0}\n"
             "  - {delay: d0, time: 0, to: {rule: round_robin, among: [d1, d2]}}\n"
             "  - {delay: d1, time: 0, to: d0}\n"
             "  - {delay: d2, time: 0, to: d0}\n"
             "  - {sink: never}\n");
    if (m) {
        CHECK(run(m, 50, msg, sizeof msg, &events, &now) == TSIM_ELIMIT);
        CHECK(strstr(msg, "through 'd0', 'd1' and 'd2'") != NULL);
        tsim_model_destroy(m);
    }
}

/* The rule stops only what passes the limit: an instant of exactly `max_instant_events` events
 * runs through, one of twice as many does not; and the default limit grows with the entities in
 * the system, so that a large population moving in no time is not a loop. */
static void test_zero_time_rule(void)
{
    char msg[512];
    uint64_t events;
    /* 10,000 entities through a delay of 0 at time 0: 10,000 events there. */
    struct tsim_model *m = load("blocks:\n"
                                "  - {source: pop, population: 10000, to: d}\n"
                                "  - {delay: d, time: 0, to: done}\n"
                                "  - {sink: done}\n");
    if (!m) return;
    CHECK(run(m, 0, msg, sizeof msg, &events, NULL) == 0);
    CHECK(events == 10000);
    CHECK(tsim_model_set_max_instant_events(m, 10000) == 0);
    CHECK(run(m, 0, msg, sizeof msg, &events, NULL) == 0);
    CHECK(tsim_model_set_max_instant_events(m, 5000) == 0);
    CHECK(run(m, 0, msg, sizeof msg, &events, NULL) == TSIM_ELIMIT);
    CHECK(strstr(msg, "more than 5000 events without the clock moving, through 'd' and 'done'") !=
          NULL);
    tsim_model_destroy(m);

    /* A million entities passing five zero-time blocks at time 0 (5 million events): the
     * default limit is 100 per entity in the system. */
    m = load("run: {max_entities: 1000000}\n"
             "blocks:\n"
             "  - {source: pop, population: 1000000, to: d1}\n"
             "  - {delay: d1, time: 0, to: d2}\n"
             "  - {delay: d2, time: 0, to: d3}\n"
             "  - {delay: d3, time: 0, to: d4}\n"
             "  - {delay: d4, time: 0, to: d5}\n"
             "  - {delay: d5, time: 0, to: done}\n"
             "  - {sink: done}\n");
    if (!m) return;
    CHECK(run(m, 0, msg, sizeof msg, &events, NULL) == 0);
    CHECK(events == 5000000);
    tsim_model_destroy(m);
}

/* Interarrival times that round to 0 ticks make entities without events: counted all the same.
 * Set through the C API, which (unlike a model file) takes such a time. */
static void test_zero_tick_source(void)
{
    char msg[512];
    struct tsim_model *m = tsim_model_create("ticks");
    int s = tsim_model_add_block(m, TSIM_SOURCE, "in");
    int k = tsim_model_add_block(m, TSIM_SINK, "done");
    double tiny = 1e-9;
    struct tsim_dist d;
    tsim_dist_init(&d, TSIM_DIST_CONSTANT, &tiny, 1);
    CHECK(tsim_source_set_interarrival(m, s, &d) == 0);
    CHECK(tsim_route_to(m, s, k) == 0);
    double now;
    CHECK(run(m, 10, msg, sizeof msg, NULL, &now) == TSIM_ELIMIT);
    CHECK_STR(msg, "source 'in' at 0 min: more than 1000000 entities arrived without the clock "
                   "moving, its interarrival times below one tick (1e-06 min): a finer "
                   "'resolution', or another unit for 'interarrival'? ('max_instant_events' "
                   "raises the limit)");
    CHECK(now == 0);
    /* A finer resolution makes them 1 tick apart: the run is right, and long (10,000 of them in
     * 1e-5 min). */
    CHECK(tsim_model_set_resolution(m, 1e9) == 0);
    CHECK(run(m, 1e-5, msg, sizeof msg, NULL, NULL) == 0);
    tsim_model_destroy(m);
}

/* Splits make copies without events; two in a row multiply (10^6 times 10^6 would be 10^12
 * entities inside one event). Their copies count against the same limit. */
static void test_split_copies(void)
{
    char msg[512];
    struct tsim_model *m = load("run: {max_instant_events: 5000}\n"
                                "blocks:\n"
                                "  - {source: in, interarrival: 1, limit: 1, to: s}\n"
                                "  - {split: s, into: 1000, to: t}\n"
                                "  - {split: t, into: 1000, to: done}\n"
                                "  - {sink: done}\n");
    if (!m) return;
    CHECK(run(m, 10, msg, sizeof msg, NULL, NULL) == TSIM_ELIMIT);
    CHECK_STR(msg, "split 't' at 1 min: 5994 copies made without the clock moving, more than 5000 "
                   "('max_instant_events' raises the limit)");
    /* One split of 1000 into another of 5 stays within it: 4,995 copies. */
    CHECK(tsim_model_set_param(m, "t.into", "5") == 0);
    CHECK(run(m, 10, msg, sizeof msg, NULL, NULL) == 0);
    tsim_model_destroy(m);

    /* By default the first split's million copies are the most entities at once. */
    m = load("blocks:\n"
             "  - {source: in, interarrival: 1, limit: 1, to: s}\n"
             "  - {split: s, into: 1000000, to: t}\n"
             "  - {split: t, into: 1000000, to: done}\n"
             "  - {sink: done}\n");
    if (!m) return;
    CHECK(run(m, 0, msg, sizeof msg, NULL, NULL) == TSIM_ELIMIT);
    CHECK(strstr(msg, "more than 1000000 entities at once at 1 min: 1000000 of them in split 's'"));
    tsim_model_destroy(m);
}

/* Arrivals faster than service: the entities in the system pass max_entities, and the message
 * names the buffer where they wait. */
static void test_unbounded_wip(void)
{
    char msg[512];
    uint64_t events;
    struct tsim_model *m = load("run: {max_entities: 1000}\n"
                                "blocks:\n"
                                "  - {source: in, interarrival: 1, to: q}\n"
                                "  - {buffer: q, to: m}\n"
                                "  - {machine: m, process: 2, to: done}\n"
                                "  - {sink: done}\n");
    if (!m) return;
    CHECK(run(m, 1e9, msg, sizeof msg, &events, NULL) == TSIM_ELIMIT);
    CHECK_STR(msg, "more than 1000 entities at once at 2000 min: 999 of them in buffer 'q' (work "
                   "in process grows: do arrivals outpace the blocks after them? 'max_entities' "
                   "raises the limit)");
    CHECK(events < 5000);
    /* The limit itself is allowed: 1000 entities at once run on. */
    CHECK(tsim_model_set_max_entities(m, 1001) == 0);
    CHECK(run(m, 2000, msg, sizeof msg, NULL, NULL) == 0);
    CHECK(tsim_model_set_max_entities(m, 1000000001) == TSIM_ERANGE);
    CHECK(tsim_model_set_max_instant_events(m, UINT64_C(1000000000000001)) == TSIM_ERANGE);
    tsim_model_destroy(m);

    /* The default: a million. */
    m = load("blocks:\n"
             "  - {source: in, interarrival: 1, to: q}\n"
             "  - {buffer: q, to: m}\n"
             "  - {machine: m, process: 2, to: done}\n"
             "  - {sink: done}\n");
    if (!m) return;
    CHECK(run(m, 1e9, msg, sizeof msg, &events, NULL) == TSIM_ELIMIT);
    CHECK(strstr(msg, "more than 1000000 entities at once at 2000000 min: 999999 of them in "
                      "buffer 'q'") != NULL);
    tsim_model_destroy(m);
}

/* Time past 2^62 ticks: refused as a horizon, and a run without one stops before the clock
 * would pass it, instead of overflowing (UBSan's signed overflow in the source) and ending with
 * a wrong count. At 1e12 ticks per unit, 2^62 ticks are 4.6 million units. */
static void test_time_range(void)
{
    char msg[512];
    double now;
    struct tsim_model *m = load("time_unit: d\n"
                                "resolution: 1e-12\n"
                                "blocks:\n"
                                "  - {source: in, interarrival: 1e6, limit: 10, to: done}\n"
                                "  - {sink: done}\n");
    if (!m) return;
    CHECK_NEAR(tsim_model_max_time(m), 4611686.018427387, 1e-6);
    CHECK(run(m, 1e7, msg, sizeof msg, NULL, NULL) == TSIM_ERANGE);
    CHECK_STR(msg, "time 10000000 d is past the latest time this model's resolution can count "
                   "(4611686.018 d)");
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    tsim_sim_run(sim);
    CHECK(tsim_sim_status(sim) == TSIM_ERANGE);
    CHECK_STR(tsim_sim_error(sim), "the clock would pass the latest time this model's resolution "
                                   "can count (4611686.018 d) at 4000000 d (give the run a horizon, "
                                   "or a coarser 'resolution')");
    CHECK(tsim_sim_now(sim) == 4e6);
    CHECK(tsim_block_entered(sim, 1) == 4);
    CHECK(tsim_sim_set_warmup(sim, 5e6) == TSIM_ERANGE);
    tsim_sim_destroy(sim);
    /* Within the range, the same model runs to its end. */
    CHECK(run(m, 4.6e6, msg, sizeof msg, NULL, &now) == 0);
    CHECK(now == 4.6e6);

    /* Draws past the range count as the latest tick: no overflow, however heavy the tail. */
    CHECK(tsim_model_set_param(m, "in.interarrival", "lognormal(1, 1e300)") == 0);
    CHECK(run(m, 0, msg, sizeof msg, NULL, &now) == TSIM_ERANGE || now <= 4611686.1);
    tsim_model_destroy(m);
}

/* tsim_run_replications: no horizon and a source without a limit would never end, a horizon
 * past the range cannot be counted, and a replication stopped by a limit is the run's error. */
static void test_replications(void)
{
    struct tsim_model *m = load("blocks:\n"
                                "  - {source: in, interarrival: exponential(1), to: done}\n"
                                "  - {sink: done}\n");
    if (!m) return;
    struct tsim_result out[2];
    struct tsim_run_opts o = {.seed = 1, .replications = 2, .threads = 1};
    CHECK(tsim_run_replications(m, &o, out) == TSIM_EINVAL);
    CHECK_STR(tsim_errmsg(), "tsim_run_replications: no horizon, and source 'in' has no 'limit': "
                             "this run would never end (give it a horizon)");
    for (int i = 0; i < 2; i++) tsim_result_release(&out[i]);
    o.horizon = 1e13;
    CHECK(tsim_run_replications(m, &o, out) == TSIM_ERANGE);
    CHECK_STR(tsim_errmsg(), "tsim_run_replications: horizon 1e+13 min is past the latest time "
                             "this model's resolution can count (4.611686018e+12 min; a coarser "
                             "'resolution' reaches further)");
    for (int i = 0; i < 2; i++) tsim_result_release(&out[i]);
    o.horizon = 100;
    CHECK(tsim_run_replications(m, &o, out) == 0);
    for (int i = 0; i < 2; i++) tsim_result_release(&out[i]);
    tsim_model_destroy(m);

    /* A closed loop that no entity can leave never ends either. */
    m = load("blocks:\n"
             "  - {source: pop, population: 3, to: d}\n"
             "  - {delay: d, time: 1, to: d}\n");
    if (!m) return;
    o.horizon = 0;
    CHECK(tsim_run_replications(m, &o, out) == TSIM_EINVAL);
    CHECK_STR(tsim_errmsg(), "tsim_run_replications: no horizon, and the entities of source 'pop' "
                             "can reach no sink: this run would never end (give it a horizon)");
    for (int i = 0; i < 2; i++) tsim_result_release(&out[i]);
    tsim_model_destroy(m);

    m = load("blocks:\n"
             "  - {source: in, interarrival: 1, limit: 2, to: d}\n"
             "  - {delay: d, time: 0, to: d}\n"
             "  - {sink: done}\n");
    if (!m) return;
    CHECK(tsim_model_set_max_instant_events(m, 1000) == 0);
    CHECK(tsim_run_replications(m, &o, out) == TSIM_ELIMIT);
    CHECK_STR(tsim_errmsg(), "tsim_run_replications: replication 0: zero-time loop at 1 min: more "
                             "than 1000 events without the clock moving, through 'd' (a cycle in "
                             "which no time passes? 'max_instant_events' raises the limit)");
    for (int i = 0; i < 2; i++) tsim_result_release(&out[i]);
    tsim_model_destroy(m);
}

/* Operator counts past 65,535 were once narrowed to 16 bits in a waiting request: a machine
 * completed twice what its crew allows, and the crew's busy count went negative. Two servers
 * that each need 70,000 of 100,000 operators work one at a time: at most one part a minute. */
static void test_large_crews(void)
{
    struct tsim_model *m = load("run: {horizon: 100}\n"
                                "operators:\n"
                                "  - {name: crew, count: 100000}\n"
                                "blocks:\n"
                                "  - {source: in, interarrival: 0.5, to: q}\n"
                                "  - {buffer: q, capacity: 10, to: m}\n"
                                "  - {machine: m, servers: 2, process: 1, needs: {crew: 70000},\n"
                                "     to: done}\n"
                                "  - {sink: done}\n");
    if (!m) return;
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    tsim_sim_run_until(sim, 100);
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    const struct tsim_kpi *done = tsim_result_find(&r, TSIM_KPI_SYSTEM, "completed");
    const struct tsim_kpi *busy = tsim_result_find(&r, TSIM_KPI_POOL(0), "busy");
    const struct tsim_kpi *util = tsim_result_find(&r, TSIM_KPI_POOL(0), "utilization");
    CHECK(done && busy && util);
    if (done && busy && util) {
        CHECK(done->value >= 98 && done->value <= 100);
        CHECK(busy->value >= 0 && busy->value <= 70000);
        CHECK(util->value >= 0 && util->value <= 0.7 + 1e-9);
    }
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

struct stopper {
    struct tsim_sim *sim;
    int n, at;
};

static void stop_at(void *ctx, const struct tsim_obs *o)
{
    struct stopper *st = ctx;
    if (o->kind == TSIM_OBS_ENTER && ++st->n == st->at) tsim_sim_stop(st->sim);
}

/* A clone taken while an instant is watched behaves as the original: the same stop, at the same
 * event. */
static void test_clone_while_watching(void)
{
    struct tsim_model *m = load("blocks:\n"
                                "  - {source: in, interarrival: 1, limit: 1, to: d}\n"
                                "  - {delay: d, time: 0, to: d}\n");
    if (!m) return;
    CHECK(tsim_model_set_max_instant_events(m, 100) == 0);
    struct tsim_sim *a = tsim_sim_create(m, 1, 0);
    tsim_sim_run(a);
    CHECK(tsim_sim_status(a) == TSIM_ELIMIT);
    uint64_t stop_a = tsim_sim_events(a), fp = tsim_sim_fingerprint(a);
    tsim_sim_reset(a, 1, 0);
    CHECK(tsim_sim_status(a) == 0);
    /* Stopped at the 70th entry, 20 events past the first checkpoint: watching. */
    struct stopper st = {a, 0, 70};
    tsim_sim_set_observer(a, stop_at, &st);
    tsim_sim_run(a);
    tsim_sim_set_observer(a, NULL, NULL);
    CHECK(tsim_sim_status(a) == 0 && tsim_sim_events(a) == 70);
    struct tsim_sim *b = tsim_sim_clone(a);
    tsim_sim_run(a);
    tsim_sim_run(b);
    CHECK(tsim_sim_status(a) == TSIM_ELIMIT && tsim_sim_status(b) == TSIM_ELIMIT);
    CHECK(tsim_sim_events(a) == stop_a && tsim_sim_events(b) == stop_a);
    CHECK(tsim_sim_fingerprint(a) == fp && tsim_sim_fingerprint(b) == fp);
    tsim_sim_destroy(a);
    tsim_sim_destroy(b);
    tsim_model_destroy(m);
}

/* A run without a horizon that could never end: a machine on the night shift needs operators who
 * work days, so its lot waits for ever while the shifts go on changing. It stops once a whole
 * day of shift changes moved nothing, naming where the work waits, within days of model time.
 * The other side: the same lot with a crew on the night shift finishes; with a day crew and a
 * day machine waiting through a long repair (more than a day, no stall: a repair comes) too. */
static void test_stalled_shifts(void)
{
    char msg[512];
    double now;
    const char *night = "shifts:\n"
                        "  - {name: day, periods: [['06:00', '14:00']]}\n"
                        "  - {name: night, periods: [['22:00', '06:00']]}\n"
                        "operators:\n"
                        "  - {name: crew, count: 1, shift: %s}\n"
                        "blocks:\n"
                        "  - {source: lot, interarrival: 1, limit: 5, to: q}\n"
                        "  - {buffer: q, to: m}\n"
                        "  - {machine: m, shift: night, process: 10, needs: {crew: 1}, to: done}\n"
                        "  - {sink: done}\n";
    char text[1024];
    snprintf(text, sizeof text, night, "day");
    struct tsim_model *m = load(text);
    if (!m) return;
    CHECK(run(m, 0, msg, sizeof msg, NULL, &now) == TSIM_ESTATE);
    CHECK(strstr(msg, "stalled at ") == msg);
    CHECK(strstr(msg, "5 entities wait in 'q' and 'm' and none moved for a whole day") != NULL);
    /* Arrivals end at 4 min; the machine is on shift from midnight and asks for the crew, who
     * come at 06:00 when the machine goes off. Nothing moves after the first morning: the run
     * stops a day after its last change, before the third day ends. */
    CHECK(now >= 1440 && now <= 3 * 1440);
    /* With a horizon the run ends there and its KPIs say the machine made nothing. */
    CHECK(run(m, 5 * 1440, msg, sizeof msg, NULL, NULL) == 0);
    tsim_model_destroy(m);

    snprintf(text, sizeof text, night, "night");
    m = load(text);
    if (!m) return;
    CHECK(run(m, 0, msg, sizeof msg, NULL, &now) == 0);
    /* Midnight is night: the crew and the machine work from 0, five parts of 10 after 1. */
    CHECK_NEAR(now, 1 + 5 * 10, 1e-9);
    tsim_model_destroy(m);

    m = load("shifts:\n"
             "  - {name: day, periods: [['06:00', '14:00']]}\n"
             "blocks:\n"
             "  - {source: lot, interarrival: 1, limit: 3, to: q}\n"
             "  - {buffer: q, to: m}\n"
             "  - {machine: m, shift: day, process: 10, to: done,\n"
             "     failures: {between: 1, repair: 3d, basis: calendar}}\n"
             "  - {sink: done}\n");
    if (!m) return;
    CHECK(run(m, 0, msg, sizeof msg, NULL, &now) == 0);
    CHECK(now > 3 * 1440);
    tsim_model_destroy(m);
}

int main(void)
{
    RUN(test_zero_time_loops);
    RUN(test_zero_time_rule);
    RUN(test_zero_tick_source);
    RUN(test_split_copies);
    RUN(test_unbounded_wip);
    RUN(test_time_range);
    RUN(test_replications);
    RUN(test_large_crews);
    RUN(test_clone_while_watching);
    RUN(test_stalled_shifts);
    return CHECK_DONE();
}
