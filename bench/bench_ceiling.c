/*
 * bench_ceiling: models of bench_models written out by hand, as the ceiling of what any engine
 * could do on this machine with the same outputs. They are no engine: one model each, event
 * times in plain variables, queues as arrays of times. Yet each keeps everything twinsim's run
 * computes for that model: the same random streams and draws, the same ticks, the same events in
 * the same order (ties by scheduling order, the order in which twinsim's blocks schedule), the
 * same fingerprint, and every KPI twinsim reports for its blocks and the system (counts, content
 * over time, waits, state times, lead times, WIP, blocking). `bench/run.sh` checks that the
 * fingerprint equals twinsim's and prints how much longer twinsim takes: the part of twinsim's
 * time that its generality costs.
 *
 * Usage: bench_ceiling mm1 [N] [SEED]      the M/M/1 of bench_models mm1
 *        bench_ceiling serial [N] [SEED]   the serial line of bench_models serial
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

/* The timing line and the RESULT line that bench/run.sh reads. */
static void print_timing(const char *model, double wall, double cpu, double loop,
                         uint64_t events, uint64_t fp)
{
    printf("  wall %.3f s (event loop %.3f s)  events %" PRIu64 "  %.1f ns/event"
           "  fingerprint %016" PRIx64 "\n",
           wall, loop, events, loop / (double)events * 1e9, fp);
    printf("RESULT engine=byhand model=%s wall=%.4f cpu=%.4f loop=%.4f events=%" PRIu64
           " fp=%016" PRIx64 "\n",
           model, wall, cpu, loop, events, fp);
}

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

static void mm1_run(struct mm1 *s)
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

static void mm1_main(uint64_t n, uint64_t seed)
{
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
    mm1_run(&s);
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
    print_timing("mm1", wall, cpu, loop, s.events, s.fp);
    free(s.q);
}

/* ---- the serial line ------------------------------------------------------------------- */

/* bench_models serial: a source that releases a part whenever machine 1 takes one (N in all),
 * machines m1..m10 with exponential(1) processing, buffers b1..b9 of 5 between them, blocking
 * after service. Block numbers as bench_models adds them: release 0, m(i+1) 2i + 1, b(i+1)
 * 2i + 2, done 20. Machine i's events are its phase ends; the source has one event, at 0. */
#define SM 10
#define SCAP 5

enum { IDLE, BUSY, BLOCKED };

/* Machine i's time when no phase end is pending: after every event's, and not another's. */
#define IDLE_AT(i) (NEVER - (i))

struct serial {
    int64_t now;
    uint64_t fp, events, seq;
    uint64_t n, released;
    /* machines */
    struct tsim_rng rng[SM];
    int state[SM];
    int64_t t_done[SM]; /* IDLE_AT(i): no phase end pending */
    uint64_t s_done[SM];
    int64_t created[SM]; /* the part it holds: when it entered the system */
    int64_t since[SM], acc[SM][3];
    uint64_t m_entered[SM], m_left[SM];
    struct area m_level[SM];
    /* buffers: FIFO rings of (entered the system, entered the buffer) */
    int64_t q_created[SM - 1][SCAP], q_in[SM - 1][SCAP];
    uint32_t qh[SM - 1], qn[SM - 1];
    uint64_t b_entered[SM - 1], b_left[SM - 1];
    struct area b_level[SM - 1];
    double b_wait[SM - 1];
    /* the source: blocked while a part waits for machine 1 */
    int blocked;
    int64_t blocked_since, blocked_ticks;
    /* the sink and the system */
    uint64_t completed, live;
    struct area wip;
    double lead;
};

static inline void account(struct serial *s, int i, int state)
{
    s->acc[i][s->state[i]] += s->now - s->since[i];
    s->since[i] = s->now;
    s->state[i] = state;
}

/* Machine i takes a part that entered the system at `created`. */
static inline void s_start(struct serial *s, int i, int64_t created)
{
    s->m_entered[i]++;
    area_in(&s->m_level[i], s->now, 1);
    s->created[i] = created;
    s->t_done[i] = s->now + ticks(tsim__exp1(&s->rng[i]));
    s->s_done[i] = ++s->seq;
    account(s, i, BUSY);
}

static inline void s_leave(struct serial *s, int i)
{
    s->m_left[i]++;
    s->m_level[i].out += s->now;
}

/* Buffer k's head goes to machine k + 1 (idle). */
static inline void s_forward(struct serial *s, int k)
{
    uint32_t h = s->qh[k];
    int64_t created = s->q_created[k][h];
    s->b_wait[k] += (double)(s->now - s->q_in[k][h]);
    s->qh[k] = h + 1 == SCAP ? 0 : h + 1;
    s->qn[k]--;
    s->b_left[k]++;
    s->b_level[k].out += s->now;
    s_start(s, k + 1, created);
}

static inline void s_enter_buffer(struct serial *s, int k, int64_t created)
{
    uint32_t at = s->qh[k] + s->qn[k];
    at = at >= SCAP ? at - SCAP : at;
    s->q_created[k][at] = created;
    s->q_in[k][at] = s->now;
    s->qn[k]++;
    s->b_entered[k]++;
    area_in(&s->b_level[k], s->now, s->qn[k]);
}

/* The source offers parts to machine 1 (idle) until one is refused or the last is out. */
static void s_release(struct serial *s)
{
    s->released++;
    s->live++;
    area_in(&s->wip, s->now, s->live);
    s_start(s, 0, s->now);
    if (s->released < s->n) {
        s->blocked = 1; /* the next part is made and refused at once */
        s->blocked_since = s->now;
    }
}

/* Machine i has just become idle: the blocks upstream, nearest first, each take their turn. */
static void s_wake(struct serial *s, int i)
{
    while (1) {
        if (i == 0) {
            if (s->blocked) {
                s->blocked = 0;
                s->blocked_ticks += s->now - s->blocked_since;
                s_release(s);
            }
            return;
        }
        int k = i - 1; /* buffer k feeds machine i */
        if (s->qn[k] == 0) return;
        s_forward(s, k);
        if (s->state[k] != BLOCKED) return;
        /* Machine k's part goes into the room just made; machine k is idle and wakes. */
        s_enter_buffer(s, k, s->created[k]);
        s_leave(s, k);
        account(s, k, IDLE);
        i = k;
    }
}

static void s_done(struct serial *s, int i)
{
    s->t_done[i] = IDLE_AT(i);
    if (i == SM - 1) {
        s->completed++;
        s->lead += (double)(s->now - s->created[i]);
        s->live--;
        s->wip.out += s->now;
    } else if (s->qn[i] >= SCAP) {
        account(s, i, BLOCKED);
        return;
    } else {
        int was_empty = s->qn[i] == 0;
        s_enter_buffer(s, i, s->created[i]);
        if (was_empty && s->state[i + 1] == IDLE) s_forward(s, i);
    }
    s_leave(s, i);
    account(s, i, IDLE);
    s_wake(s, i);
}

static void serial_run(struct serial *s)
{
    for (;;) {
        /* The earliest phase end by selects; equal times (rare) by scheduling order. */
        int best = 0;
        int64_t t = s->t_done[0];
        for (int i = 1; i < SM; i++) {
            int64_t ti = s->t_done[i];
            if (__builtin_expect(ti == t, 0) && s->s_done[i] < s->s_done[best]) best = i;
            best = ti < t ? i : best;
            t = ti < t ? ti : t;
        }
        if (t > NEVER - SM) return;
        s->now = t;
        s->events++;
        s->fp = fold(fold(s->fp, (uint64_t)t), (uint64_t)(2 * best + 1) << 32);
        s_done(s, best);
    }
}

static void serial_main(uint64_t n, uint64_t seed)
{
    double t0 = bench_now(), c0 = bench_cpu();
    static struct serial s;
    char name[32];
    s.fp = UINT64_C(0xcbf29ce484222325);
    s.n = n;
    for (int i = 0; i < SM; i++) {
        snprintf(name, sizeof name, "m%d/main", i + 1);
        tsim_rng_stream(&s.rng[i], seed, 0, name);
        s.t_done[i] = IDLE_AT(i);
    }
    /* The source's arrival at 0 (interarrival 0): its one event. */
    s.seq = 1;
    s.events = 1;
    s.fp = fold(fold(s.fp, 0), 0);
    s_release(&s);
    double t1 = bench_now();
    serial_run(&s);
    double loop = bench_now() - t1;
    double span = (double)s.now, window = span / TPU;
    double mlevel = 0, blevel = 0, bwait = 0;
    for (int i = 0; i < SM; i++) mlevel += area_mean(&s.m_level[i], s.now, s.state[i] != IDLE);
    for (int k = 0; k < SM - 1; k++) {
        blevel += area_mean(&s.b_level[k], s.now, s.qn[k]);
        bwait += s.b_wait[k] / (double)s.b_left[k] / TPU;
    }
    double wall = bench_now() - t0, cpu = bench_cpu() - c0;
    double lead = s.lead / (double)s.completed / TPU;
    int64_t blocked = s.blocked_ticks + (s.blocked ? s.now - s.blocked_since : 0);
    printf("by hand serial: parts %" PRIu64 "  end time %.1f\n", s.completed, window);
    printf("  throughput %.4f (parts / end time %.4f)  flow time %.3f  in buffers and blocked"
           " %.3f  source blocked %.3f\n",
           (double)s.completed / window, (double)s.completed / window, lead, lead - SM,
           (double)blocked / span);
    printf("  blocked fraction M1..M9:");
    for (int i = 0; i < SM - 1; i++) {
        printf(" %.3f", (double)(s.acc[i][BLOCKED] + (s.state[i] == BLOCKED ? s.now - s.since[i] : 0)) / span);
    }
    printf("\n  KPIs: machines' content %.6g, buffers' content %.6g, buffers' wait %.6g, WIP %.6g,"
           " entered %" PRIu64 " / %" PRIu64 "\n",
           mlevel, blevel, bwait, area_mean(&s.wip, s.now, s.live), s.m_entered[0], s.b_entered[0]);
    print_timing("serial", wall, cpu, loop, s.events, s.fp);
}

int main(int argc, char **argv)
{
    const char *model = argc > 1 ? argv[1] : "";
    uint64_t n = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000000;
    uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 10) : 1;
    if (n == 0 || (strcmp(model, "mm1") != 0 && strcmp(model, "serial") != 0)) {
        fprintf(stderr, "usage: bench_ceiling mm1|serial [N >= 1] [SEED]\n");
        return 2;
    }
    if (model[0] == 'm') mm1_main(n, seed);
    else serial_main(n, seed);
    return 0;
}
