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
 * Usage: bench_ceiling mm1 [N] [SEED]       the M/M/1 of bench_models mm1
 *        bench_ceiling serial [N] [SEED]    the serial line of bench_models serial
 *        bench_ceiling jobshop [T] [SEED]   the job shop of bench_models jobshop
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

/* ---- the job shop ---------------------------------------------------------------------- */

/* bench_models jobshop: Poisson arrivals of three job types, each routed through its groups;
 * five groups of a FIFO queue and a machine of two servers, each server failing after
 * exponential(60) of calendar time and repaired in exponential(5), a job in process resuming its
 * remaining work. Block numbers as bench_models adds them: arrivals 0, queue g 2g + 1, machine g
 * 2g + 2, done 11. Events in 21 places as twinsim's slots: the next arrival, each server's phase
 * end, each server's failure or repair. */
#define SG 5
#define SS 2
#define NSRV (SG * SS)
#define NPLACE (1 + 2 * NSRV)
#define SHOP_NONE (-1)
#define SH_LEAVES 32
_Static_assert(NPLACE <= SH_LEAVES, "every event place is a leaf of the tree");

enum { S_IDLE, S_BUSY, S_DOWN };
enum { K_DONE = 0, K_FAIL = 0x8001, K_REPAIRED = 0x8002 }; /* kinds as twinsim folds them */

static const int shop_len[3] = {4, 5, 3};
static const int shop_group[3][5] = {{0, 2, 1, 4}, {1, 3, 4, 0, 2}, {2, 4, 3}};
static const double shop_mean[3][5] = {{1.0, 1.2, 0.9, 0.8}, {1.1, 1.3, 0.9, 0.8, 1.0},
                                       {0.9, 1.0, 1.4}};

struct shop {
    int64_t now, end;
    uint64_t fp, events, seq;
    struct tsim_rng arr_main, arr_aux, g_main[SG], g_fail[SG];
    double ia_mean, mix_cum[3];
    int next[SG][3];     /* where product p goes after group g: a group, or SHOP_NONE (done) */
    double mean[SG][3];  /* its processing time's mean there */
    int first[3];
    /* event places: time (IDLE_AT when none), scheduling order, and kind for the failure ones */
    int64_t t[SH_LEAVES];
    uint64_t sq[SH_LEAVES];
    int win[SH_LEAVES], top;
    int fkind[NSRV];
    /* servers, g * SS + s */
    int busy[NSRV], down[NSRV], has_ev[NSRV], state[NSRV];
    int64_t finish[NSRV], remaining[NSRV], since[NSRV], acc[NSRV][3];
    int64_t job_created[NSRV];
    int job_product[NSRV];
    /* queues: growing rings of (created, entered, product) */
    int64_t *qc[SG], *qi[SG];
    int *qp[SG];
    uint32_t qh[SG], qn[SG], qcap[SG];
    uint64_t q_entered[SG], q_left[SG], m_entered[SG], m_left[SG], m_content[SG];
    struct area q_level[SG], m_level[SG];
    double q_wait[SG];
    /* the source, the sink and the system */
    uint64_t created, completed, live;
    struct area wip;
    double lead;
};

static inline void sh_account(struct shop *s, int v)
{
    int st = s->down[v] ? S_DOWN : s->busy[v] ? S_BUSY : S_IDLE;
    if (st == s->state[v]) return;
    s->acc[v][s->state[v]] += s->now - s->since[v];
    s->since[v] = s->now;
    s->state[v] = st;
}

/* The places form the leaves of a winner tree (32 of them, the last 11 never used): node i's
 * winner in win[i], leaf j at node 32 + j. A new time for place j is one comparison a level. */

static inline void sh_set(struct shop *s, int j, int64_t t)
{
    s->t[j] = t;
    int w = j, i = (SH_LEAVES + j) >> 1, o = j ^ 1;
    int64_t tw = t;
    for (;;) {
        int64_t to = s->t[o];
        if (__builtin_expect(to == tw, 0) && s->sq[o] < s->sq[w]) w = o;
        w = to < tw ? o : w;
        tw = to < tw ? to : tw;
        if (i == 1) break;
        s->win[i] = w;
        o = s->win[i ^ 1];
        i >>= 1;
    }
    s->top = w;
}

static inline void sh_push(struct shop *s, int place, int64_t t)
{
    s->sq[place] = ++s->seq;
    sh_set(s, place, t);
}

/* Server v of group g takes a job. */
static void sh_start(struct shop *s, int g, int v, int64_t created, int product)
{
    s->m_entered[g]++;
    s->m_content[g]++;
    area_in(&s->m_level[g], s->now, s->m_content[g]);
    s->job_created[v] = created;
    s->job_product[v] = product;
    int64_t dt = ticks(s->mean[g][product] * tsim__exp1(&s->g_main[g]));
    s->busy[v] = 1;
    s->finish[v] = s->now + dt;
    s->remaining[v] = dt;
    s->has_ev[v] = 1;
    sh_push(s, 1 + v, s->finish[v]);
    sh_account(s, v);
}

/* The queue's head goes to the first idle, up server of its machine while there is one. */
static void sh_forward(struct shop *s, int g)
{
    while (s->qn[g]) {
        int v = -1;
        for (int k = 0; k < SS; k++) {
            int w = g * SS + k;
            if (!s->busy[w] && !s->down[w]) {
                v = w;
                break;
            }
        }
        if (v < 0) return;
        uint32_t h = s->qh[g];
        int64_t created = s->qc[g][h];
        int product = s->qp[g][h];
        s->q_wait[g] += (double)(s->now - s->qi[g][h]);
        s->qh[g] = h + 1 == s->qcap[g] ? 0 : h + 1;
        s->qn[g]--;
        s->q_left[g]++;
        s->q_level[g].out += s->now;
        sh_start(s, g, v, created, product);
    }
}

static void sh_enqueue(struct shop *s, int g, int64_t created, int product)
{
    if (s->qn[g] == s->qcap[g]) {
        uint32_t cap = s->qcap[g] ? 2 * s->qcap[g] : 64;
        int64_t *c = malloc(cap * sizeof *c), *in = malloc(cap * sizeof *in);
        int *pr = malloc(cap * sizeof *pr);
        if (!c || !in || !pr) {
            fprintf(stderr, "bench_ceiling: out of memory\n");
            exit(1);
        }
        for (uint32_t k = 0; k < s->qn[g]; k++) {
            uint32_t at = (s->qh[g] + k) % s->qcap[g]; /* qn > 0: a capacity */
            c[k] = s->qc[g][at];
            in[k] = s->qi[g][at];
            pr[k] = s->qp[g][at];
        }
        free(s->qc[g]);
        free(s->qi[g]);
        free(s->qp[g]);
        s->qc[g] = c;
        s->qi[g] = in;
        s->qp[g] = pr;
        s->qh[g] = 0;
        s->qcap[g] = cap;
    }
    uint32_t at = s->qh[g] + s->qn[g];
    at = at >= s->qcap[g] ? at - s->qcap[g] : at;
    s->qc[g][at] = created;
    s->qi[g][at] = s->now;
    s->qp[g][at] = product;
    s->qn[g]++;
    s->q_entered[g]++;
    area_in(&s->q_level[g], s->now, s->qn[g]);
    if (s->qn[g] == 1) sh_forward(s, g);
}

static void sh_arrive(struct shop *s)
{
    for (;;) {
        double u = tsim__uniform(&s->arr_aux);
        int p = 0;
        while (p < 2 && u > s->mix_cum[p]) p++;
        s->created++;
        s->live++;
        area_in(&s->wip, s->now, s->live);
        sh_enqueue(s, s->first[p], s->now, p);
        int64_t ia = ticks(s->ia_mean * tsim__exp1(&s->arr_main));
        if (ia > 0) {
            sh_push(s, 0, s->now + ia);
            return;
        }
    }
}

static void sh_done(struct shop *s, int v)
{
    int g = v / SS;
    sh_set(s, 1 + v, IDLE_AT(1 + v));
    s->has_ev[v] = 0;
    int p = s->job_product[v];
    int to = s->next[g][p];
    if (to == SHOP_NONE) {
        s->completed++;
        s->lead += (double)(s->now - s->job_created[v]);
        s->live--;
        s->wip.out += s->now;
    } else {
        sh_enqueue(s, to, s->job_created[v], p);
    }
    s->m_left[g]++;
    s->m_content[g]--;
    s->m_level[g].out += s->now;
    s->busy[v] = 0;
    sh_account(s, v);
    if (!s->down[v]) sh_forward(s, g);
}

static void sh_fail(struct shop *s, int v)
{
    int g = v / SS;
    if (s->has_ev[v]) {
        sh_set(s, 1 + v, IDLE_AT(1 + v));
        s->has_ev[v] = 0;
        s->remaining[v] = s->finish[v] - s->now;
    }
    s->down[v] = 1;
    sh_account(s, v);
    s->fkind[v] = K_REPAIRED;
    sh_push(s, 1 + NSRV + v, s->now + ticks(5.0 * tsim__exp1(&s->g_fail[g])));
}

static void sh_repaired(struct shop *s, int v)
{
    int g = v / SS;
    s->fkind[v] = K_FAIL;
    sh_push(s, 1 + NSRV + v, s->now + ticks(60.0 * tsim__exp1(&s->g_fail[g])));
    s->down[v] = 0;
    if (s->busy[v]) {
        s->finish[v] = s->now + s->remaining[v];
        s->has_ev[v] = 1;
        sh_push(s, 1 + v, s->finish[v]);
    }
    sh_account(s, v);
    if (!s->busy[v]) sh_forward(s, g);
}

static void shop_run(struct shop *s)
{
    for (;;) {
        int best = s->top;
        int64_t t = s->t[best];
        if (t > s->end) return;
        s->now = t;
        s->events++;
        uint64_t what;
        if (best == 0) {
            what = 0;
        } else if (best <= NSRV) {
            int v = best - 1;
            what = (uint64_t)(2 * (v / SS) + 2) << 32 ^ (uint64_t)K_DONE << 24 ^ (uint64_t)(v % SS);
        } else {
            int v = best - 1 - NSRV;
            what = (uint64_t)(2 * (v / SS) + 2) << 32 ^ (uint64_t)s->fkind[v] << 24 ^
                   (uint64_t)(v % SS);
        }
        s->fp = fold(fold(s->fp, (uint64_t)t), what);
        if (best == 0) sh_arrive(s);
        else if (best <= NSRV) sh_done(s, best - 1);
        else if (s->fkind[best - 1 - NSRV] == K_FAIL) sh_fail(s, best - 1 - NSRV);
        else sh_repaired(s, best - 1 - NSRV);
    }
}

static void shop_main(double horizon, uint64_t seed)
{
    double t0 = bench_now(), c0 = bench_cpu();
    static struct shop s;
    char name[32];
    s.fp = UINT64_C(0xcbf29ce484222325);
    s.end = ticks(horizon);
    s.ia_mean = 1.0 / 1.4;
    s.mix_cum[0] = 0.3;
    s.mix_cum[1] = 0.3 + 0.5;
    s.mix_cum[2] = 1.0;
    tsim_rng_stream(&s.arr_main, seed, 0, "arrivals/main");
    tsim_rng_stream(&s.arr_aux, seed, 0, "arrivals/aux");
    for (int g = 0; g < SG; g++) {
        snprintf(name, sizeof name, "g%d/main", g);
        tsim_rng_stream(&s.g_main[g], seed, 0, name);
        snprintf(name, sizeof name, "g%d/fail", g);
        tsim_rng_stream(&s.g_fail[g], seed, 0, name);
        for (int p = 0; p < 3; p++) s.next[g][p] = SHOP_NONE;
    }
    for (int p = 0; p < 3; p++) {
        s.first[p] = shop_group[p][0];
        for (int k = 0; k < shop_len[p]; k++) {
            int g = shop_group[p][k];
            s.mean[g][p] = shop_mean[p][k];
            s.next[g][p] = k + 1 < shop_len[p] ? shop_group[p][k + 1] : SHOP_NONE;
        }
    }
    /* Every place free, each at its own time; the winners by a pass from the leaves up. */
    for (int i = 0; i < SH_LEAVES; i++) s.t[i] = IDLE_AT(i);
    for (int i = SH_LEAVES - 1; i >= 1; i--) {
        int l = 2 * i, a = l >= SH_LEAVES ? l - SH_LEAVES : s.win[l];
        int b = l + 1 >= SH_LEAVES ? l + 1 - SH_LEAVES : s.win[l + 1];
        s.win[i] = s.t[a] < s.t[b] ? a : b;
    }
    s.top = s.win[1];
    /* As twinsim starts: every server's first failure, block by block, then the first arrival. */
    for (int v = 0; v < NSRV; v++) {
        s.fkind[v] = K_FAIL;
        sh_push(&s, 1 + NSRV + v, ticks(60.0 * tsim__exp1(&s.g_fail[v / SS])));
    }
    sh_push(&s, 0, ticks(s.ia_mean * tsim__exp1(&s.arr_main)));
    double t1 = bench_now();
    shop_run(&s);
    double loop = bench_now() - t1;
    s.now = s.end;
    double span = (double)s.now, window = span / TPU;
    double ops = 0, wait = 0, down = 0, util[SG];
    for (int g = 0; g < SG; g++) {
        ops += (double)s.q_left[g];
        wait += s.q_wait[g] / TPU;
        double busy = 0, dn = 0;
        for (int k = 0; k < SS; k++) {
            int v = g * SS + k;
            double tail = (double)(s.now - s.since[v]);
            busy += (double)s.acc[v][S_BUSY] + (s.state[v] == S_BUSY ? tail : 0);
            dn += (double)s.acc[v][S_DOWN] + (s.state[v] == S_DOWN ? tail : 0);
        }
        util[g] = busy / (span * SS);
        down += dn / (span * SS);
    }
    double wall = bench_now() - t0, cpu = bench_cpu() - c0;
    printf("by hand jobshop: jobs done %" PRIu64 "  to time %.0f\n", s.completed, horizon);
    printf("  throughput %.4f (theory 1.4)  flow time %.3f  wait per operation %.3f"
           "  downtime %.4f (theory 0.0769)\n",
           (double)s.completed / window, s.lead / (double)s.completed / TPU, wait / ops,
           down / SG);
    printf("  utilization G0..G4:");
    for (int g = 0; g < SG; g++) printf(" %.3f", util[g]);
    printf("  (theory 0.490 0.574 0.728 0.651 0.623)\n");
    printf("  KPIs: WIP %.6g, created %" PRIu64 "\n", area_mean(&s.wip, s.now, s.live), s.created);
    print_timing("jobshop", wall, cpu, loop, s.events, s.fp);
    for (int g = 0; g < SG; g++) {
        free(s.qc[g]);
        free(s.qi[g]);
        free(s.qp[g]);
    }
}

int main(int argc, char **argv)
{
    const char *model = argc > 1 ? argv[1] : "";
    int shop = strcmp(model, "jobshop") == 0;
    uint64_t n = argc > 2 ? strtoull(argv[2], NULL, 10) : shop ? 130000 : 1000000;
    uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 10) : 1;
    if (n == 0 || (!shop && strcmp(model, "mm1") != 0 && strcmp(model, "serial") != 0)) {
        fprintf(stderr, "usage: bench_ceiling mm1|serial [N >= 1] [SEED]\n"
                        "       bench_ceiling jobshop [T >= 1] [SEED]\n");
        return 2;
    }
    if (shop) shop_main((double)n, seed);
    else if (model[0] == 'm') mm1_main(n, seed);
    else serial_main(n, seed);
    return 0;
}
