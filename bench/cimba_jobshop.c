/*
 * Job shop with breakdowns written for cimba 3.x (REFERENCE model (c)). Each group's FIFO queue
 * is an object queue shared by the group's 2 machine processes. A failure process per machine
 * interrupts it every exponential(60) of calendar time, busy or idle, and repairs it after
 * exponential(5): an idle machine stops waiting for work, a busy one keeps its job and resumes the
 * remaining work after the repair. Runs to time T, then stops every process.
 * Usage: cimba_jobshop [T] [SEED]
 */
#include <stdbool.h>
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <cimba.h>

#include "bench_util.h"

#define GROUPS 5
#define SERVERS 2
#define TYPES 3
#define MAX_STEPS 5
#define SIG_FAILED INT64_C(1000)

struct step {
    int group;
    double mean;
};

static const int route_len[TYPES] = {4, 5, 3};
static const struct step routes[TYPES][MAX_STEPS] = {
    {{0, 1.0}, {2, 1.2}, {1, 0.9}, {4, 0.8}},
    {{1, 1.1}, {3, 1.3}, {4, 0.9}, {0, 0.8}, {2, 1.0}},
    {{2, 0.9}, {4, 1.0}, {3, 1.4}},
};
static const double mix_cum[TYPES] = {0.3, 0.8, 1.0};

struct job {
    int kind, step;
    double born, queued;
    struct job *next_free;
};

struct shop;

struct machine {
    struct shop *shop;
    int group;
    bool down, waiting_repair;
    double busy, downtime;
    struct cmb_process *work, *fail;
};

struct shop {
    struct cmb_objectqueue *queue[GROUPS];
    struct machine mach[GROUPS * SERVERS];
    struct cmb_process *arrivals;
    uint64_t done[TYPES];
    uint64_t ops;
    double flow_sum, wait_sum;
    struct job *free_list;
};

static struct job *job_new(struct shop *s)
{
    struct job *j = s->free_list;
    if (j != NULL) {
        s->free_list = j->next_free;
        return j;
    }
    j = malloc(sizeof(*j));
    if (j == NULL) {
        abort();
    }
    return j;
}

/* After an operation: on to the next group's queue, or out of the shop. */
static void job_route(struct shop *s, struct job *j)
{
    j->step++;
    if (j->step == route_len[j->kind]) {
        s->flow_sum += cmb_time() - j->born;
        s->done[j->kind]++;
        j->next_free = s->free_list;
        s->free_list = j;
        return;
    }
    j->queued = cmb_time();
    cmb_objectqueue_put(s->queue[routes[j->kind][j->step].group], j);
}

static void *arrivals(struct cmb_process *me, void *ctx)
{
    struct shop *s = ctx;
    (void)me;
    while (true) {
        cmb_process_hold(cmb_random_exponential(1.0 / 1.4));
        double u = cmb_random();
        int kind = 0;
        while (kind < TYPES - 1 && u >= mix_cum[kind]) {
            kind++;
        }
        struct job *j = job_new(s);
        j->kind = kind;
        j->step = 0;
        j->born = j->queued = cmb_time();
        cmb_objectqueue_put(s->queue[routes[kind][0].group], j);
    }
    return NULL;
}

static void wait_repair(struct machine *m)
{
    while (m->down) {
        m->waiting_repair = true;
        cmb_process_yield();
        m->waiting_repair = false;
    }
}

static void *work(struct cmb_process *me, void *ctx)
{
    struct machine *m = ctx;
    struct shop *s = m->shop;
    (void)me;
    while (true) {
        wait_repair(m);
        void *obj = NULL;
        if (cmb_objectqueue_get(s->queue[m->group], &obj) != CMB_PROCESS_SUCCESS) {
            continue;
        }
        struct job *j = obj;
        s->wait_sum += cmb_time() - j->queued;
        s->ops++;
        double remaining = cmb_random_exponential(routes[j->kind][j->step].mean);
        while (remaining > 0.0) {
            double start = cmb_time();
            if (cmb_process_hold(remaining) == CMB_PROCESS_SUCCESS) {
                m->busy += remaining;
                remaining = 0.0;
            } else {
                double worked = cmb_time() - start;
                m->busy += worked;
                remaining -= worked;
                wait_repair(m);
            }
        }
        job_route(s, j);
    }
    return NULL;
}

static void *fail(struct cmb_process *me, void *ctx)
{
    struct machine *m = ctx;
    (void)me;
    while (true) {
        cmb_process_hold(cmb_random_exponential(60.0));
        m->down = true;
        cmb_process_interrupt(m->work, SIG_FAILED, 0);
        double repair = cmb_random_exponential(5.0);
        cmb_process_hold(repair);
        m->downtime += repair;
        m->down = false;
        if (m->waiting_repair) {
            cmb_process_resume(m->work, CMB_PROCESS_SUCCESS);
        }
    }
    return NULL;
}

static void end_run(void *subject, void *object)
{
    struct shop *s = object;
    (void)subject;
    cmb_process_stop(s->arrivals, NULL);
    for (int i = 0; i < GROUPS * SERVERS; i++) {
        cmb_process_stop(s->mach[i].work, NULL);
        cmb_process_stop(s->mach[i].fail, NULL);
    }
    cmb_event_queue_clear();
}

int main(int argc, char **argv)
{
    double horizon = argc > 1 ? strtod(argv[1], NULL) : 130000.0;
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1u;
    double t0 = bench_now(), c0 = bench_cpu();

    cmb_logger_flags_off(CMB_LOGGER_INFO);
    cmb_random_initialize(seed);
    cmb_event_queue_initialize(0.0);
    static struct shop s;
    for (int g = 0; g < GROUPS; g++) {
        char name[32];
        snprintf(name, sizeof(name), "group%d", g);
        s.queue[g] = cmb_objectqueue_create();
        cmb_objectqueue_initialize(s.queue[g], name, CMB_UNLIMITED);
    }
    for (int i = 0; i < GROUPS * SERVERS; i++) {
        char name[32];
        struct machine *m = &s.mach[i];
        m->shop = &s;
        m->group = i / SERVERS;
        snprintf(name, sizeof(name), "machine%d", i);
        m->work = cmb_process_create();
        cmb_process_initialize(m->work, name, work, m, 0);
        snprintf(name, sizeof(name), "failures%d", i);
        m->fail = cmb_process_create();
        cmb_process_initialize(m->fail, name, fail, m, 0);
    }
    s.arrivals = cmb_process_create();
    cmb_process_initialize(s.arrivals, "arrivals", arrivals, &s, 0);
    cmb_process_start(s.arrivals);
    for (int i = 0; i < GROUPS * SERVERS; i++) {
        cmb_process_start(s.mach[i].work);
        cmb_process_start(s.mach[i].fail);
    }
    (void)cmb_event_schedule(end_run, NULL, &s, horizon, 0);
    cmb_event_queue_execute();

    cmb_process_terminate(s.arrivals);
    cmb_process_destroy(s.arrivals);
    for (int i = 0; i < GROUPS * SERVERS; i++) {
        cmb_process_terminate(s.mach[i].work);
        cmb_process_destroy(s.mach[i].work);
        cmb_process_terminate(s.mach[i].fail);
        cmb_process_destroy(s.mach[i].fail);
    }
    for (int g = 0; g < GROUPS; g++) {
        cmb_objectqueue_terminate(s.queue[g]);
        cmb_objectqueue_destroy(s.queue[g]);
    }
    cmb_event_queue_terminate();
    cmb_random_terminate();
    while (s.free_list != NULL) {
        struct job *j = s.free_list;
        s.free_list = j->next_free;
        free(j);
    }
    double wall = bench_now() - t0, cpu = bench_cpu() - c0;

    uint64_t done = s.done[0] + s.done[1] + s.done[2];
    double flow = s.flow_sum / (double)done;
    double wait = s.wait_sum / (double)s.ops;
    double down = 0.0;
    for (int i = 0; i < GROUPS * SERVERS; i++) {
        down += s.mach[i].downtime;
    }
    down /= GROUPS * SERVERS * horizon;
    printf("cimba %s jobshop: jobs done %" PRIu64 "  to time %.0f\n", cimba_version(), done,
           horizon);
    printf("  throughput %.4f (theory 1.4)  by type %.3f %.3f %.3f\n", (double)done / horizon,
           (double)s.done[0] / horizon, (double)s.done[1] / horizon,
           (double)s.done[2] / horizon);
    printf("  flow time %.3f  wait per operation %.3f  downtime %.4f (theory 0.0769)\n", flow,
           wait, down);
    printf("  utilization G0..G4:");
    for (int g = 0; g < GROUPS; g++) {
        double busy = 0.0;
        for (int k = 0; k < SERVERS; k++) {
            busy += s.mach[g * SERVERS + k].busy;
        }
        printf(" %.3f", busy / (SERVERS * horizon));
    }
    printf("  (theory 0.490 0.574 0.728 0.651 0.623)\n");
    printf("RESULT engine=cimba model=jobshop wall=%.4f cpu=%.4f rss_mb=%.1f flow=%.3f"
           " wait=%.3f\n",
           wall, cpu, bench_peak_rss_mb(), flow, wait);
    return 0;
}
