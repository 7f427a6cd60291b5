/*
 * bench_ceiling: the M/M/1 of bench_models written out by hand, as the ceiling of what any engine
 * could do on this machine with the same outputs. It is no engine: one model, two event times
 * in two variables, the queue an array of arrival times. Yet it keeps everything twinsim's run
 * computes for that model: the same random streams and draws, the same ticks, the same events in
 * the same order (ties by scheduling order), the same fingerprint, and every KPI twinsim reports
 * for the four blocks and the system (counts, content over time, waits, state times, lead times,
 * WIP). `bench/run.sh` checks that the fingerprint equals twinsim's and prints how much longer
 * twinsim takes: the part of twinsim's time that its generality costs.
 *
 * Usage: bench_ceiling [N] [SEED]
 */
#include "twinsim.h"

#include "bench_util.h"
#include "core/fast.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TPU 1e6 /* ticks per time unit: a model's default resolution */
#define FP_PRIME UINT64_C(0x100000001b3)
#define NEVER INT64_MAX

__extension__ typedef __int128 wide;

/* A count over time: sums of the ticks units came and left (as twinsim keeps it). */
struct area {
    wide in, out;
    uint64_t max;
};

static inline void area_in(struct area *a, int64_t now, uint64_t n)
{
    a->in += now;
    if (n > a->max) a->max = n;
}

static double area_mean(const struct area *a, int64_t now, uint64_t n)
{
    return now > 0 ? (double)(a->out - a->in + (wide)now * (wide)n) / (double)now : (double)n;
}

static inline uint64_t fold(uint64_t fp, uint64_t x) { return (fp ^ x) * FP_PRIME; }

static inline int64_t ticks(double t)
{
    double x = t * TPU + 0.5;
    return x <= 0 ? 0 : (x >= 4.6e18 ? NEVER : (int64_t)x);
}

struct mm1 {
    int64_t now;
    uint64_t fp, events, seq;
    struct tsim_rng arr_rng, srv_rng;
    double arr_mean, srv_mean;
    uint64_t n, created;
    int64_t t_arr, t_done; /* the two pending events (NEVER: none) */
    uint64_t s_arr, s_done; /* their scheduling order */
    /* the queue: arrival ticks, head .. tail */
    int64_t *q;
    uint64_t head, tail, cap;
    int64_t in_service; /* the customer on the server: its arrival tick */
    /* KPIs */
    uint64_t src_left, q_entered, q_left, m_entered, m_left, sink_entered, completed, live;
    struct area q_level, m_level, wip;
    double q_wait, m_lead_sink, lead;
    int busy;
    int64_t since, acc_idle, acc_busy;
};

static void push(struct mm1 *s, int64_t t)
{
    if (s->tail == s->cap) {
        if (s->head > 0) {
            memmove(s->q, s->q + s->head, (size_t)(s->tail - s->head) * sizeof *s->q);
            s->tail -= s->head;
            s->head = 0;
        } else {
            s->cap = s->cap ? 2 * s->cap : 1024;
            s->q = realloc(s->q, (size_t)s->cap * sizeof *s->q);
            if (!s->q) {
                fprintf(stderr, "bench_ceiling: out of memory\n");
                exit(1);
            }
        }
    }
    s->q[s->tail++] = t;
}

/* The head of the queue goes onto the idle server. */
static inline void start(struct mm1 *s)
{
    int64_t t_in = s->q[s->head++];
    if (s->head == s->tail) s->head = s->tail = 0;
    s->q_left++;
    s->q_level.out += s->now;
    s->q_wait += (double)(s->now - t_in);
    s->m_entered++;
    area_in(&s->m_level, s->now, 1);
    s->in_service = t_in;
    s->t_done = s->now + ticks(s->srv_mean * tsim__exp1(&s->srv_rng));
    s->s_done = ++s->seq;
    s->acc_idle += s->now - s->since;
    s->since = s->now;
    s->busy = 1;
}

static void arrive(struct mm1 *s)
{
    for (;;) {
        s->created++;
        s->live++;
        area_in(&s->wip, s->now, s->live);
        s->src_left++;
        s->q_entered++;
        area_in(&s->q_level, s->now, s->tail - s->head + 1);
        push(s, s->now);
        if (!s->busy) start(s);
        if (s->created >= s->n) {
            s->t_arr = NEVER;
            return;
        }
        int64_t ia = ticks(s->arr_mean * tsim__exp1(&s->arr_rng));
        if (ia > 0) {
            s->t_arr = s->now + ia;
            s->s_arr = ++s->seq;
            return;
        }
    }
}

static void done(struct mm1 *s)
{
    s->t_done = NEVER;
    s->m_left++;
    s->m_level.out += s->now;
    s->sink_entered++;
    double lead = (double)(s->now - s->in_service);
    s->m_lead_sink += lead;
    s->lead += lead;
    s->completed++;
    s->live--;
    s->wip.out += s->now;
    s->acc_busy += s->now - s->since;
    s->since = s->now;
    s->busy = 0;
    if (s->head != s->tail) start(s);
}

static void run(struct mm1 *s)
{
    for (;;) {
        int arr = s->t_arr < s->t_done || (s->t_arr == s->t_done && s->s_arr < s->s_done);
        int64_t t = arr ? s->t_arr : s->t_done;
        if (t == NEVER) return;
        s->now = t;
        s->events++;
        /* (time, block << 32 ^ kind << 24 ^ entity): the source is block 0, the server 2 */
        s->fp = fold(fold(s->fp, (uint64_t)t), arr ? 0 : (uint64_t)2 << 32);
        if (arr) arrive(s);
        else done(s);
    }
}

int main(int argc, char **argv)
{
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
    if (n == 0) {
        fprintf(stderr, "usage: bench_ceiling [N >= 1] [SEED]\n");
        return 2;
    }
    double t0 = bench_now(), c0 = bench_cpu();
    static struct mm1 s;
    s.fp = UINT64_C(0xcbf29ce484222325);
    tsim_rng_stream(&s.arr_rng, seed, 0, "arrivals/main");
    tsim_rng_stream(&s.srv_rng, seed, 0, "server/main");
    s.arr_mean = 1.0 / 0.9;
    s.srv_mean = 1.0;
    s.n = n;
    s.t_done = NEVER;
    s.t_arr = ticks(s.arr_mean * tsim__exp1(&s.arr_rng));
    s.s_arr = ++s.seq;
    double t1 = bench_now();
    run(&s);
    double loop = bench_now() - t1;
    /* The KPIs twinsim reports for this model, from the same sums. */
    double span = (double)s.now;
    double kpi[] = {
        (double)s.src_left,
        (double)s.q_entered,
        (double)s.q_left,
        area_mean(&s.q_level, s.now, s.tail - s.head),
        (double)s.q_level.max,
        s.q_wait / (double)s.q_left / TPU,
        (double)s.m_entered,
        (double)s.m_left,
        area_mean(&s.m_level, s.now, (uint64_t)s.busy),
        (double)(s.acc_busy + (s.busy ? s.now - s.since : 0)) / span,
        (double)(s.acc_idle + (s.busy ? 0 : s.now - s.since)) / span,
        (double)s.sink_entered,
        s.m_lead_sink / (double)s.sink_entered / TPU,
        (double)s.completed / (span / TPU),
        area_mean(&s.wip, s.now, s.live),
    };
    double wall = bench_now() - t0, cpu = bench_cpu() - c0;
    printf("by hand mm1: customers %.0f  end time %.1f\n", kpi[11], span / TPU);
    printf("  Wq %.4f (theory 9.0)  W %.4f (theory 10.0)  throughput %.4f (theory 0.9)"
           "  utilization %.4f (theory 0.9)  WIP %.4f  queue %.4f\n",
           kpi[5], kpi[12], kpi[13], kpi[9], kpi[14], kpi[3]);
    static const char *const names[] = {
        "arrivals.left",        "queue.entered",  "queue.left",        "queue.content",
        "queue.max_content",    "queue.wait",     "server.entered",    "server.left",
        "server.content",       "server.busy",    "server.idle",       "done.entered",
        "done.lead_time",       "throughput",     "wip",
    };
    printf("  KPIs:");
    for (size_t i = 0; i < sizeof kpi / sizeof kpi[0]; i++) printf(" %s %.6g", names[i], kpi[i]);
    printf("\n");
    printf("  wall %.3f s (event loop %.3f s)  events %" PRIu64 "  %.1f ns/event"
           "  fingerprint %016" PRIx64 "\n",
           wall, loop, s.events, loop / (double)s.events * 1e9, s.fp);
    printf("RESULT engine=byhand model=mm1 wall=%.4f cpu=%.4f loop=%.4f events=%" PRIu64
           " fp=%016" PRIx64 "\n",
           wall, cpu, loop, s.events, s.fp);
    free(s.q);
    return 0;
}
