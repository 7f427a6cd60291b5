/*
 * Buffer (src/blocks/buffer.c): the hand-over from a buffer to the machine it feeds, and the
 * inline arrival at a buffer and completion at a sink.
 *
 * When a machine's server becomes free and one buffer waits on it, the buffer sends its head
 * directly (tsim__buffer_feed) instead of through the general wait list (tsim__wake). An observer
 * always takes the general path, so the same model run with and without one must agree event for
 * event: the same fingerprint (a hash over every event), the same event count and every KPI equal
 * to the last bit. The models put the direct path where it could go wrong: several servers, a
 * full buffer whose sender waits, two buffers on one machine, blocking after service, failures,
 * setups and an ordered queue.
 *
 * The same holds for two other short paths an observer turns off: a source that sends only to a
 * buffer puts an arrival at the back of its queue inline (tsim__buffer_join, buffer.h), and a
 * machine that sends only to a sink counts its completion there inline (tsim__sink_take,
 * sink.h). Each falls back to the general send where the block's own offer would take its long
 * path: a full buffer that drops, an entity with a CONWIP card, two products, scrap.
 */
#include "check.h"
#include "model_text.h"
#include "twinsim.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static struct tsim_model *load(const char *yaml)
{
    struct tsim_diags d;
    tsim_diags_init(&d);
    struct tsim_model *m = tsim_model_load(yaml, strlen(yaml), "buffer.yaml", NULL, &d);
    if (!m) {
        tsim_diags_print(&d, "buffer.yaml", stderr);
        check_failed_ = 1;
    }
    tsim_diags_release(&d);
    return m;
}

static void count_obs(void *ctx, const struct tsim_obs *o)
{
    (void)o;
    (*(uint64_t *)ctx)++;
}

/* Run `yaml` to `horizon` for seeds 1..3, once with an observer and once without, and compare. */
static void same_with_and_without_observer(const char *yaml, double horizon)
{
    struct tsim_model *m = load(yaml);
    if (!m) return;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        struct tsim_result r[2];
        uint64_t seen = 0;
        for (int observed = 0; observed < 2; observed++) {
            struct tsim_sim *sim = tsim_sim_create(m, seed, 0);
            CHECK(sim != NULL);
            if (!sim) return;
            if (observed) tsim_sim_set_observer(sim, count_obs, &seen);
            tsim_sim_run_until(sim, horizon);
            tsim_result_init(&r[observed]);
            tsim_sim_result(sim, &r[observed]);
            tsim_sim_destroy(sim);
        }
        CHECK(seen > 0);
        CHECK(r[0].events > 1000);
        CHECK_EQ(r[0].events, r[1].events);
        CHECK(r[0].fingerprint == r[1].fingerprint);
        CHECK_EQ(r[0].n, r[1].n);
        for (size_t i = 0; i < r[0].n && i < r[1].n; i++) {
            CHECK_EQ(r[0].kpis[i].block, r[1].kpis[i].block);
            CHECK_STR(r[0].kpis[i].name, r[1].kpis[i].name);
            if (memcmp(&r[0].kpis[i].value, &r[1].kpis[i].value, sizeof(double)) != 0) {
                fprintf(stderr, "  seed %llu: block %d '%s' = %.17g without an observer, %.17g with one\n",
                        (unsigned long long)seed, r[0].kpis[i].block, r[0].kpis[i].name,
                        r[0].kpis[i].value, r[1].kpis[i].value);
                check_failed_ = 1;
            }
        }
        tsim_result_release(&r[0]);
        tsim_result_release(&r[1]);
    }
    tsim_model_destroy(m);
}

static void test_feed_mm1(void)
{
    same_with_and_without_observer("blocks:\n"
                                   "  - {source: s, interarrival: exponential(1.1111), to: q}\n"
                                   "  - {buffer: q, to: m}\n"
                                   "  - {machine: m, process: exponential(1), to: done}\n"
                                   "  - {sink: done}\n",
                                   20000);
}

/* Two servers, and a buffer of 3 that blocks its source: a feed that empties the buffer wakes
 * the source, whose part then goes on to a server or waits in the buffer. */
static void test_feed_servers_and_blocked_source(void)
{
    same_with_and_without_observer("blocks:\n"
                                   "  - {source: s, interarrival: exponential(0.45), to: q}\n"
                                   "  - {buffer: q, capacity: 3, to: m}\n"
                                   "  - {machine: m, servers: 2, process: exponential(1), to: done}\n"
                                   "  - {sink: done}\n",
                                   10000);
}

/* One server, and a buffer of 2 that blocks its source: the one-server hand-over (the buffer's
 * take, the station's start) empties the buffer and wakes the source, whose part then starts
 * at once or waits in the buffer. */
static void test_feed_one_server_blocked_source(void)
{
    same_with_and_without_observer("blocks:\n"
                                   "  - {source: s, interarrival: exponential(0.9), to: q}\n"
                                   "  - {buffer: q, capacity: 2, to: m}\n"
                                   "  - {machine: m, process: exponential(1), to: done}\n"
                                   "  - {sink: done}\n",
                                   10000);
}

/* Two buffers wait on one machine: the general path keeps their order; one buffer alone is fed
 * directly. */
static void test_feed_two_buffers_one_machine(void)
{
    same_with_and_without_observer("blocks:\n"
                                   "  - {source: s1, interarrival: exponential(2.2), to: q1}\n"
                                   "  - {source: s2, interarrival: exponential(2.2), to: q2}\n"
                                   "  - {buffer: q1, to: m}\n"
                                   "  - {buffer: q2, capacity: 2, to: m}\n"
                                   "  - {machine: m, process: exponential(1), to: done}\n"
                                   "  - {sink: done}\n",
                                   10000);
}

/* A line with blocking after service, failures, setups between two products and a priority
 * queue: a machine freed by its blocked part's hand-over feeds from its buffer too. */
static void test_feed_line_blocking_failures_setups(void)
{
    same_with_and_without_observer("products: [a, b]\n"
                                   "blocks:\n"
                                   "  - source: s\n"
                                   "    interarrival: exponential(1.3)\n"
                                   "    product: {a: 0.6, b: 0.4}\n"
                                   "    to: q1\n"
                                   "  - {buffer: q1, capacity: 4, discipline: priority, to: m1}\n"
                                   "  - machine: m1\n"
                                   "    process: exponential(0.8)\n"
                                   "    failures: {between: exponential(40), repair: exponential(3)}\n"
                                   "    to: q2\n"
                                   "  - {buffer: q2, capacity: 1, to: m2}\n"
                                   "  - {machine: m2, process: exponential(0.9), setup: 0.2, to: done}\n"
                                   "  - {sink: done}\n",
                                   10000);
}

/* A buffer of 2 that drops what comes when it is full: the source's inline join refuses at the
 * capacity and the buffer's full offer drops; the machine scraps a share before its sink. No
 * entity is lost on the way, which the comparison alone would not see (both runs send through
 * the same source): all the source made left it and entered the buffer or was dropped there,
 * and what entered the buffer reached the sink or was scrapped, by the end of the run. */
static void test_join_drop_and_scrap(void)
{
    const char *yaml = "blocks:\n"
                       "  - {source: s, interarrival: exponential(0.8), limit: 12000, to: q}\n"
                       "  - {buffer: q, capacity: 2, when_full: drop, to: m}\n"
                       "  - {machine: m, process: exponential(1), scrap: 0.1, to: done}\n"
                       "  - {sink: done}\n";
    same_with_and_without_observer(yaml, 10000);
    struct tsim_model *m;
    struct tsim_sim *sim = sim_from_text(yaml, "drop.yaml", &m);
    if (sim) {
        struct tsim_result r;
        run_to_end(sim, &r);
        double dropped = kpi(&r, 1, "dropped"), scrapped = kpi(&r, 2, "scrapped");
        CHECK(dropped > 100);
        CHECK(scrapped > 100);
        CHECK(kpi(&r, 0, "left") == 12000);
        CHECK(kpi(&r, 1, "entered") + dropped == 12000);
        CHECK(kpi(&r, 3, "entered") + scrapped == kpi(&r, 1, "entered"));
        tsim_result_release(&r);
        tsim_sim_destroy(sim);
    }
    tsim_model_destroy(m);
}

/* CONWIP: the released entities carry a card, which both inline paths leave to the general
 * send (the card counts in the buffer and comes back at the sink). */
static void test_join_and_sink_with_cards(void)
{
    same_with_and_without_observer("blocks:\n"
                                   "  - source: s\n"
                                   "    interarrival: exponential(0.9)\n"
                                   "    release: {rule: conwip, wip: 4, over: [q, m]}\n"
                                   "    to: q\n"
                                   "  - {buffer: q, to: m}\n"
                                   "  - {machine: m, process: exponential(1), to: done}\n"
                                   "  - {sink: done}\n",
                                   10000);
}

int main(void)
{
    RUN(test_feed_mm1);
    RUN(test_feed_servers_and_blocked_source);
    RUN(test_feed_one_server_blocked_source);
    RUN(test_feed_two_buffers_one_machine);
    RUN(test_feed_line_blocking_failures_setups);
    RUN(test_join_drop_and_scrap);
    RUN(test_join_and_sink_with_cards);
    return CHECK_DONE();
}
